"""The portal's settings with its upload path as it was before issue 23: for
``bench_upload.py`` only, never for a site.

``bench_upload.py`` runs a second gunicorn with these settings on a copy of its
throwaway site in which the call was never keyed (its key rows deleted), so that
the same bid form uploads the same file WITHOUT encryption: the arriving bytes go
to a plain temporary file (Django's ``TemporaryFileUploadHandler``, hashed as they
stream in, as ``core.uploadhandler`` did before the scratch file was encrypted),
and the file is stored as it is (``applications.uploads.store_upload`` with no call
key: the path a call published before calls were keyed still takes). Everything
else (gunicorn, the multipart parser, the checks, the database) is the portal's.
The difference between the two uploads is what encryption costs.
"""

import hashlib
import os
import time

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from portal.settings import *  # noqa: F403

FILE_UPLOAD_HANDLERS = ["unsealed_settings.PlainHashingUploadHandler"]

MAX_NAME = 200
MAX_EXTENSION = 16


class PlainHashingUploadHandler(TemporaryFileUploadHandler):
    """``core.uploadhandler`` before issue 23 (BoundedNameTemporaryFileUploadHandler):
    a plain temporary file, the SHA-256 computed as the bytes arrive."""

    chunk_size = 1024 * 1024

    def new_file(self, field_name, file_name, *args, **kwargs):
        stem, ext = os.path.splitext(file_name or "")
        if len(ext) > MAX_EXTENSION:
            stem, ext = stem + ext, ""
        file_name = stem[: MAX_NAME - len(ext)] + ext
        self._digest = hashlib.sha256()
        return super().new_file(field_name, file_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self._digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.sha256_hex = self._digest.hexdigest()
        return uploaded

    def upload_complete(self):
        if self.request is not None:
            self.request._zabuni_body_read_at = time.monotonic()
        return super().upload_complete()
