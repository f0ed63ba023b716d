"""Private storage: where proposals, CVs and priced offers live.

No file in private storage ever has a public URL. Every link to one goes
through an in-app view that checks permission and writes an audit event
first, so ``url()`` refuses rather than hand out a path that bypasses it.
"""

from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage, storages
from storages.backends.s3 import S3Storage

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


def private_storage():
    """The storage behind the ``private`` alias."""
    return storages["private"]
