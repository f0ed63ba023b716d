"""The names of a bid's documents: made safe, kept in Unicode, never in storage.

The file names go out in a hand-built multipart body, because Django's test client
would keep only their basename and hide what the portal does with the rest.
"""

import hashlib
import html
import re
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import SubmissionFile
from tests.applications import upload_support
from tests.applications.deadline_support import close_at
from tests.applications.upload_support import TECHNICAL, nfd, post_files, stored_objects
from tests.factories import StaffFactory, pdf_bytes
from tests.sealing_support import open_call, stored_plaintext

# The shared fixtures, used by name.
call, applicant = upload_support.call, upload_support.applicant
submission, bidder = upload_support.submission, upload_support.bidder

UUID_OBJECT = r"submissions/{call}/[0-9a-f]{{32}}"


# --- File names ------------------------------------------------------------


GOOD_NAMES = {
    "unix-traversal": ("../../etc/passwd.pdf", False, "passwd.pdf"),
    "windows-traversal": ("..\\..\\win.pdf", False, "win.pdf"),
    "swahili-unicode": (
        "Pendekezo – ripoti ya Nairobi ✓.pdf",
        False,
        "Pendekezo – ripoti ya Nairobi ✓.pdf",
    ),
    "decomposed-unicode": (
        nfd("Ripoti ya Mombasa – muhtasari wa café.pdf"),
        False,
        "Ripoti ya Mombasa – muhtasari wa café.pdf",
    ),
    "control-characters": ("bad\x00name\x1f.pdf", True, "badname.pdf"),
    "newline": ("bad\nname.pdf", True, "badname.pdf"),
    "newline-as-html-entity": ("bad&#10;name.pdf", False, "badname.pdf"),
    "right-to-left-override": ("ripoti\u202efdp.pdf", True, "ripotifdp.pdf"),
    "traversal-in-rfc5987-name": ("../../etc/shadow.pdf", True, "shadow.pdf"),
}


@pytest.mark.parametrize("case", list(GOOD_NAMES))
def test_file_names_are_made_safe_and_never_reach_storage(bidder, submission, settings, case):
    sent_name, filename_star, shown_name = GOOD_NAMES[case]
    data = pdf_bytes(text=case)

    response = post_files(
        bidder, submission, [(TECHNICAL, sent_name, data)], filename_star=filename_star
    )

    assert response.status_code == 302, response.content.decode()
    stored = SubmissionFile.objects.get(submission=submission)
    assert stored.original_name == shown_name
    assert unicodedata.is_normalized("NFC", stored.original_name)
    assert not re.search(r"[/\\]", stored.original_name)
    assert not any(unicodedata.category(ch).startswith("C") for ch in stored.original_name)
    # The object is a UUID under the call's folder; the applicant's name is nowhere.
    assert re.fullmatch(UUID_OBJECT.format(call=submission.call_id), stored.object_name)
    stem = Path(shown_name).stem
    assert stem not in stored.object_name
    objects = stored_objects(settings)
    assert objects == [Path(settings.PRIVATE_ROOT) / stored.object_name]
    assert data[:64] not in objects[0].read_bytes()  # encrypted to the call's key
    assert stored_plaintext(stored) == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    # The applicant sees the safe name on their bid.
    page = html.unescape(
        bidder.get(reverse("applications:submission", args=[submission.pk])).content.decode()
    )
    assert shown_name in page


def test_a_downloaded_file_keeps_its_unicode_name(bidder, submission):
    name = "Pendekezo – ripoti ya Nairobi ✓.pdf"
    data = pdf_bytes()
    post_files(bidder, submission, [(TECHNICAL, name, data)])
    stored = SubmissionFile.objects.get(submission=submission)

    sealed = bidder.get(reverse("applications:download", args=[stored.pk]))
    assert sealed.status_code == 409  # encrypted to the committee until the opening
    assert "This file is sealed" in sealed.content.decode()
    call = close_at(submission.call, timezone.now() - timedelta(minutes=5))
    open_call(call, StaffFactory())

    response = bidder.get(reverse("applications:download", args=[stored.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Pendekezo%20%E2%80%93%20ripoti%20ya%20Nairobi%20%E2%9C%93.pdf" in (
        disposition
    )
