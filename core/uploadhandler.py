"""Uploads stream to an encrypted scratch file, whatever their size or name.

No plaintext byte of a bid reaches the disk (issue 23): Django's own handler would
write each upload to a plain temporary file while it is received and checked; this
one writes it to a ``core.sealed_temp.SealedScratch`` under a key held only in this
process's memory, and hands the view a file that decrypts as it is read. The scratch
file is deleted when the request's files are closed.
"""

import hashlib
import os
import time

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from core.sealed_temp import SealedScratch

# The name is kept for display; a hostile name with a 300-character "extension" would
# make it too long for anything that stores it.
MAX_NAME = 200
MAX_EXTENSION = 16


class SealedUploadedFile(UploadedFile):
    """An upload whose bytes are in an encrypted scratch file; reads decrypt."""

    def __init__(self, scratch: SealedScratch, **kwargs):
        super().__init__(scratch, **kwargs)
        self.scratch = scratch

    def close(self):
        try:
            return super().close()
        finally:
            self.scratch.remove()


class SealedScratchUploadHandler(FileUploadHandler):
    """Each upload into a ``SealedScratch``, with the name cut to a length any disk
    takes, and its SHA-256 computed as it streams in (``uploaded.sha256_hex``), so
    storing it needs no second pass over the file.

    The applicant still gets a clear message about the name from the upload checks
    (an unknown extension is refused with the accepted types listed).
    """

    # Larger chunks: fewer rounds through the multipart parser for a large file.
    chunk_size = 1024 * 1024

    def new_file(self, field_name, file_name, *args, **kwargs):
        stem, ext = os.path.splitext(file_name or "")
        if len(ext) > MAX_EXTENSION:
            stem, ext = stem + ext, ""
        file_name = stem[: MAX_NAME - len(ext)] + ext
        super().new_file(field_name, file_name, *args, **kwargs)
        self._digest = hashlib.sha256()
        self._scratch = SealedScratch(dir=settings.FILE_UPLOAD_TEMP_DIR)

    def receive_data_chunk(self, raw_data, start):
        self._digest.update(raw_data)
        self._scratch.write(raw_data)
        return None

    def file_complete(self, file_size):
        uploaded = SealedUploadedFile(
            self._scratch.finish(),
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        uploaded.sha256_hex = self._digest.hexdigest()
        return uploaded

    def upload_interrupted(self):
        if getattr(self, "_scratch", None) is not None:
            self._scratch.remove()

    def upload_complete(self):
        """The whole multipart body has been read: remember when (see core.receipt)."""
        if self.request is not None:
            self.request._zabuni_body_read_at = time.monotonic()
        return super().upload_complete()
