"""Start-up checks on where files go."""

from django.conf import settings
from django.core import checks


def _bucket(alias: str) -> str | None:
    options = settings.STORAGES.get(alias, {}).get("OPTIONS", {})
    return (
        options.get("bucket_name")
        if "S3" in settings.STORAGES.get(alias, {}).get("BACKEND", "")
        else None
    )


@checks.register()
def public_media_never_in_the_private_bucket(app_configs=None, **kwargs):
    """Public media are readable by anyone (the bucket's policy lets them be): in the
    private bucket, that policy would expose every bid."""
    media, private = _bucket("default"), _bucket("private")
    if media and media == private:
        return [
            checks.Error(
                f"AWS_MEDIA_BUCKET_NAME is the private bucket ({media}).",
                hint="Give public media a bucket of their own; the private one must stay "
                "closed to anonymous readers (README, 'Several hosts').",
                id="core.E001",
            )
        ]
    return []
