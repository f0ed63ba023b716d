"""moto's S3 server on loopback, and private storage switched to a bucket on it, as
production configures it: the fixtures every S3 test shares, used by name."""

import threading
import uuid

import pytest
from django.core.files.storage import storages

from core.storage import PrivateS3Storage
from tests import services

ACCESS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free loopback port, for this module."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        services.missing(f"moto[server] is not installed: {error}")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    # start() waits for the server without a timeout; a failed bind would hang it.
    starter = threading.Thread(target=server.start, daemon=True)
    starter.start()
    starter.join(timeout=15)
    if starter.is_alive() or server._server is None:
        services.missing("moto's S3 server did not start on loopback")
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    if not services.port_open(endpoint, port):
        services.missing(f"moto's S3 server is not reachable at {endpoint}")
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint):
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **ACCESS)


@pytest.fixture
def bucket(s3):
    name = f"zabuni-private-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ACL="private")
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    return name


@pytest.fixture
def private_on_s3(settings, s3_endpoint, bucket):
    """Switch the ``private`` alias to the S3 bucket, as production configures it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "access_key": ACCESS["aws_access_key_id"],
                "secret_key": ACCESS["aws_secret_access_key"],
                "region_name": REGION,
            },
        },
    }
    assert isinstance(storages["private"], PrivateS3Storage)
    return bucket
