"""Private storage: where proposals, CVs and priced offers live.

No file in private storage ever has a public URL. Every link to one goes
through an in-app view that checks permission and writes an audit event
first, so ``url()`` refuses rather than hand out a path that bypasses it.
"""

import logging
from urllib.parse import quote, urljoin

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)

# What a dead or refusing store raises: the local folder's OSError, or S3's.
STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)


class PublicURLRefused(Exception):
    """Raised when code asks private storage for a public URL."""


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside MEDIA_ROOT; nothing serves it."""

    def __init__(self, **kwargs):
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    def url(self, name):
        raise PublicURLRefused("Private files are served only through the download view.")


class PrivateS3Storage(S3Storage):
    """A private bucket: no ACL, signed URLs only, and only for a minute."""

    default_acl = "private"
    querystring_auth = True
    querystring_expire = 60
    custom_domain = None
    file_overwrite = False
    signature_version = "s3v4"

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise PublicURLRefused("Private files are served only through the download view.")

    def signed_url(self, name, *, filename: str, expire: int = 60) -> str:
        """A presigned GET, valid for at most 60 seconds, served as an attachment."""
        expire = min(expire, 60)
        fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
        disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
        params = {"ResponseContentDisposition": disposition}
        return super().url(name, parameters=params, expire=expire)


class PublicMediaS3Storage(S3Storage):
    """Public media (Wagtail images and their renditions) in a bucket of their own,
    never the private one (portal/checks.py refuses the same name), so that every web
    host writes and reads the same files.

    They are served on the portal's own origin: nginx passes ``/media/`` to the
    bucket (deploy/nginx-media-s3.conf), which lets anyone read objects (a bucket
    policy, not object ACLs). So a page never names the bucket's address, and no page
    requests anything from another origin: ``url()`` is ``MEDIA_URL`` and the name."""

    querystring_auth = False
    custom_domain = None
    file_overwrite = False
    default_acl = None
    signature_version = "s3v4"

    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(clean_name(name)))


def private_storage():
    """The storage behind the ``private`` alias."""
    return storages["private"]


def private_object_chunks(name: str, size: int):
    """A private object's bytes, ``size`` at a time, read as they come: from S3 straight
    off the response (django-storages' own files load a whole object into memory first),
    from the local folder off the file."""
    storage = private_storage()
    if isinstance(storage, PrivateS3Storage):
        key = storage._normalize_name(clean_name(name))
        body = storage.bucket.Object(key).get()["Body"]
        try:
            yield from body.iter_chunks(size)
        finally:
            body.close()
        return
    with storage.open(name, "rb") as stored:
        while piece := stored.read(size):
            yield piece


def delete_quietly(names, *, what: str = "object") -> int:
    """Delete private objects no row refers to any more; the count deleted.

    A store that fails is logged, never raised: these objects are unreachable
    through the portal (no row names them), so an orphan is untidy, not a leak,
    and a bid that was saved must never turn into an error page after commit.
    """
    storage = private_storage()
    deleted = 0
    for name in names:
        try:
            storage.delete(name)
        except STORAGE_ERRORS as exc:
            logger.warning("Could not delete unused %s %s: %s", what, name, exc)
        else:
            deleted += 1
    return deleted


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Static files under hashed names, with gzip and Brotli copies, made by collectstatic;
    WhiteNoise serves them compressed and cached for a year.

    Django hands out the plain names while DEBUG is on; ``make run`` (DEBUG on)
    would then serve them uncompressed and uncached. Hashed names always, here,
    so a laptop sends what production sends.
    """

    def url(self, name, force=False):
        return super().url(name, force=True)
