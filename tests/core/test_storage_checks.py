"""Public media never go to the private bucket (core/checks.py), and compose, MinIO's
set-up script and nginx name the same media bucket (issue 25, item 3)."""

from pathlib import Path

import yaml

from core.checks import public_media_never_in_the_private_bucket

ROOT = Path(__file__).resolve().parents[2]


def s3(bucket: str, backend: str) -> dict:
    return {"BACKEND": f"core.storage.{backend}", "OPTIONS": {"bucket_name": bucket}}


def test_the_portal_refuses_to_start_with_media_in_the_private_bucket(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": s3("zabuni-private", "PrivateS3Storage"),
        "default": s3("zabuni-private", "PublicMediaS3Storage"),
    }
    (error,) = public_media_never_in_the_private_bucket()
    assert error.id == "core.E001" and "private bucket" in error.msg

    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3("zabuni-media", "PublicMediaS3Storage"),
    }
    assert public_media_never_in_the_private_bucket() == []


def test_public_media_are_linked_on_the_portals_own_origin():
    from core.storage import PublicMediaS3Storage

    storage = PublicMediaS3Storage(bucket_name="zabuni-media", endpoint_url="http://minio:9000")
    assert storage.url("original_images/Warsha ya Kisumu.png") == (
        "/media/original_images/Warsha%20ya%20Kisumu.png"
    )


def test_compose_minio_and_nginx_name_the_same_media_bucket():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    django = compose["x-django"]["environment"]
    media = django["AWS_MEDIA_BUCKET_NAME"]
    assert media != django["AWS_STORAGE_BUCKET_NAME"].split(":-")[-1].rstrip("}")
    services = compose["services"]
    assert services["createbucket"]["environment"]["AWS_MEDIA_BUCKET_NAME"] == media
    script = (ROOT / "docker/minio/create-bucket.sh").read_text()
    assert 'mc anonymous set download "local/$AWS_MEDIA_BUCKET_NAME"' in script
    assert 'mc anonymous set none "local/$AWS_STORAGE_BUCKET_NAME"' in script
    nginx = (ROOT / "deploy/nginx-media-s3.conf").read_text()
    assert f"/{media}/;" in nginx
    mounts = services["nginx"]["volumes"]
    assert "./deploy/nginx-media-s3.conf:/etc/nginx/nginx-media.conf:ro" in mounts
    # nginx holds no volume: nothing private is in its container.
    assert all(isinstance(mount, str) and mount.startswith("./deploy/") for mount in mounts)
