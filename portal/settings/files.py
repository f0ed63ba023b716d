"""Files: static files, public media, private storage (a folder or S3), uploads."""

from pathlib import Path

from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig

from portal.settings.base import BASE_DIR, DEBUG, DJANGO_ENV, PRODUCTION, VAR_DIR, env

# --- Files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
PRIVATE_ROOT = Path(env.str("PRIVATE_ROOT", default=str(VAR_DIR / "private")))
# Files arriving a piece at a time wait in private storage, shared by every web host,
# until whole (applications.services.resumable_pieces); then they are stored as any other.
# The largest piece of a resumable upload; a dropped connection costs at most this.
UPLOAD_PIECE_BYTES = 1024 * 1024
# How often one account may start a resumable upload (django-ratelimit; 429 past it).
UPLOAD_START_RATE = env.str("UPLOAD_START_RATE", default="30/10m")

# Uploads stream to a temporary file on disk, never into memory, whatever
# their size. A request larger than this is refused before it is read.
FILE_UPLOAD_HANDLERS = ["core.uploadhandler.SealedScratchUploadHandler"]
MAX_UPLOAD_REQUEST_MB = env.int("MAX_UPLOAD_REQUEST_MB", default=250)
# A ZIP-based upload (DOCX, XLSX, ODT, ODS, ZIP) that would expand past this when
# opened is refused as a possible decompression bomb (applications/archives.py).
ARCHIVE_MAX_UNCOMPRESSED_MB = env.int("ARCHIVE_MAX_UNCOMPRESSED_MB", default=250)

# Private files: S3 when a bucket is configured, otherwise a folder outside
# MEDIA_ROOT. Neither ever yields a public URL (see core/storage.py).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")


def _upload_transfer_config() -> TransferConfig:
    """Uploads to S3 in 5 MB parts (S3's smallest), one after another in the worker's
    own thread: with s3transfer's threads a 100 MB proposal raised a worker by 42 to
    54 MB, without them by 6.5 MB, at the same throughput on loopback (90.5 MB/s
    against 94.6 for the same form unencrypted; bench/bench_upload.py --storage s3)."""
    config = TransferConfig(
        multipart_threshold=5 * 1024 * 1024,
        multipart_chunksize=5 * 1024 * 1024,
        max_concurrency=2,
        use_threads=False,
    )
    # s3transfer's own setting; boto3's TransferConfig does not take it as an argument.
    config.max_in_memory_upload_chunks = 2
    return config


def _s3_options(bucket: str) -> dict:
    return {
        "bucket_name": bucket,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
        "region_name": env.str("AWS_S3_REGION_NAME", default=None),
        "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
        # Fail fast on a dead endpoint: the person gets a clear message.
        "client_config": BotoConfig(
            connect_timeout=5, read_timeout=60, retries={"max_attempts": 3}
        ),
    }


if AWS_STORAGE_BUCKET_NAME:
    PRIVATE_STORAGE = {
        "BACKEND": "core.storage.PrivateS3Storage",
        "OPTIONS": {
            **_s3_options(AWS_STORAGE_BUCKET_NAME),
            # boto's default holds up to 10 parts of 8 MB in memory: a 100 MB
            # proposal raised a worker by 124 MB. See _upload_transfer_config.
            "transfer_config": _upload_transfer_config(),
        },
    }
elif PRODUCTION:
    PRIVATE_STORAGE = {
        "BACKEND": "core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": env.str("PRIVATE_ROOT")},
    }
else:
    PRIVATE_STORAGE = {
        "BACKEND": "core.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT)},
    }

# Public media (Wagtail images): in a bucket of their own when one is named, so that
# every web host has them, served on the portal's origin through nginx
# (deploy/nginx-media-s3.conf); otherwise in MEDIA_ROOT, which hosts must then share.
# Never the private bucket: portal/checks.py refuses to start with the same name.
AWS_MEDIA_BUCKET_NAME = env.str("AWS_MEDIA_BUCKET_NAME", default="")
if AWS_MEDIA_BUCKET_NAME:
    MEDIA_STORAGE = {
        "BACKEND": "core.storage.PublicMediaS3Storage",
        "OPTIONS": _s3_options(AWS_MEDIA_BUCKET_NAME),
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

# Hashed names (cached for a year) and gzip/Brotli copies, made by collectstatic:
# in production and in `make run`. The tests read the source folder as it is.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=DJANGO_ENV != "test")

STORAGES = {
    "default": MEDIA_STORAGE,
    "private": PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "core.storage.StaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# WhiteNoise serves what collectstatic wrote (hashed, compressed), not the source
# folder, wherever the manifest is on: so `make run` serves what production does.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS and DEBUG
# The server's key for bids once opened (issue 23, item 4): when the committee's quorum
# opens a call, each item's data key is sealed again under a key derived from this, so
# the panel can read the bids. Before the opening nothing on the server can. 32 random
# bytes, base64: ``openssl rand -base64 32``.
# Production must set it; a laptop uses a known one, which protects nothing.
if PRODUCTION:
    BID_STORAGE_KEY = env.str("BID_STORAGE_KEY")
else:
    BID_STORAGE_KEY = env.str(
        "BID_STORAGE_KEY", default="bGFwdG9wLW9ubHktYmlkLXN0b3JhZ2Uta2V5LXphYnU="
    )
