"""Uploads stream to a temporary file on disk, whatever their size or name."""

import hashlib
import os
import time

from django.core.files.uploadhandler import TemporaryFileUploadHandler

# The temporary file is named after the upload's extension; a hostile name with
# a 300-character "extension" would make that name too long for the file system.
MAX_NAME = 200
MAX_EXTENSION = 16


class BoundedNameTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, with the name cut to a length any disk takes,
    and the file's SHA-256 computed as it streams in (``uploaded.sha256_hex``), so
    storing it needs no second pass over the file.

    The applicant still gets a clear message about the name from the upload
    checks (an unknown extension is refused with the accepted types listed).
    """

    # Larger chunks: fewer rounds through the multipart parser for a large file.
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
        """The whole multipart body has been read: remember when (see core.receipt)."""
        if self.request is not None:
            self.request._zabuni_body_read_at = time.monotonic()
        return super().upload_complete()
