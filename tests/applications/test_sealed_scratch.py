"""No plaintext byte of a bid on disk while it arrives and is checked (issue 23, item 3):
uploads go to an encrypted scratch file whose key lives only in memory."""

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from applications import uploads
from core.sealed_temp import BLOCK, ScratchBroken, SealedScratch
from tests.applications.upload_support import field_for
from tests.conftest import TECHNICAL
from tests.factories import UserFactory, make_call, multipart_body, pdf_bytes, start_submission


def test_a_scratch_file_reads_back_anywhere_and_holds_only_ciphertext(tmp_path):
    data = os.urandom(3 * BLOCK + 123) + b"MARKER-PLAINTEXT" * 50
    scratch = SealedScratch(dir=tmp_path)
    for start in range(0, len(data), 70_000):  # pieces of any size
        scratch.write(data[start : start + 70_000])
    scratch.finish()

    on_disk = Path(scratch.path).read_bytes()
    assert b"MARKER-PLAINTEXT" not in on_disk and data[:64] not in on_disk
    assert scratch.read() == data
    scratch.seek(-800, io.SEEK_END)
    assert scratch.read(800) == data[-800:]
    scratch.seek(BLOCK - 10)
    assert scratch.read(20) == data[BLOCK - 10 : BLOCK + 10]  # across two blocks
    scratch.remove()
    assert not Path(scratch.path).exists()


def test_a_changed_block_or_another_key_does_not_read(tmp_path):
    scratch = SealedScratch(dir=tmp_path)
    scratch.write(b"x" * (2 * BLOCK))
    scratch.finish()
    raw = bytearray(Path(scratch.path).read_bytes())
    raw[-5] ^= 1
    Path(scratch.path).write_bytes(bytes(raw))
    assert scratch.read(10) == b"x" * 10  # the first block is intact
    scratch.seek(BLOCK + 5)
    with pytest.raises(ScratchBroken):
        scratch.read(10)
    other = SealedScratch(path=scratch.path).with_size(2 * BLOCK)
    with pytest.raises(ScratchBroken):
        other.read(1)


def test_a_zip_is_checked_from_its_scratch_file(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + "a" * 200_000 + "</w:document>")
    scratch = SealedScratch(dir=tmp_path)
    scratch.write(buffer.getvalue())
    scratch.finish()
    with zipfile.ZipFile(scratch) as archive:
        assert archive.namelist() == ["[Content_Types].xml", "word/document.xml"]


@pytest.mark.django_db
def test_while_an_upload_is_checked_the_temporary_folder_holds_only_ciphertext(
    client, site_root, settings, tmp_path, monkeypatch
):
    """A copy of the server's temporary folder taken while the file is being checked:
    the file is there, encrypted; the marker in it is not, in any encoding."""
    tmp_path = tmp_path / "uploads"
    tmp_path.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    applicant = UserFactory()
    submission = start_submission(make_call(site_root["calls"]), applicant)
    marker = "Ushahidi wa siri 5521"
    data = pdf_bytes(size=3 * 1024 * 1024, text=marker)
    seen = {}
    real_check = uploads.check_upload

    def check_and_copy_the_disk(uploaded, **kwargs):
        seen["files"] = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        return real_check(uploaded, **kwargs)

    monkeypatch.setattr("applications.services.staging.check_upload", check_and_copy_the_disk)
    client.force_login(applicant)
    body, content_type = multipart_body(
        {"action": "save"}, [(field_for(submission.call, TECHNICAL), "proposal.pdf", data)]
    )

    response = client.post(
        reverse("applications:submission", args=[submission.pk]),
        data=body,
        content_type=content_type,
    )

    assert response.status_code == 302
    (copied,) = seen["files"].values()  # the scratch file, there while it was checked
    assert len(copied) > len(data)
    for needle in (marker.encode(), marker.encode("utf-16-le"), b"%PDF", data[1000:1064]):
        assert needle not in copied
    assert list(tmp_path.iterdir()) == []  # and gone once the request is done
