"""What the upload tests share: posting the bid form with files in a hand-built
multipart body, what reached storage, and the refusal the page shows; and for the
upload flow's tests, a call with a technical and a financial document and a draft
on it, with its owner signed in.
"""

import html
import re
import unicodedata
from pathlib import Path

import pytest
from django.urls import reverse

from applications.models import SubmissionFile
from tests.conftest import FINANCIAL, TECHNICAL
from tests.factories import UserFactory, make_call, multipart_body, start_submission

OFFER = {"offer_amount": "1250000", "offer_currency": "KES"}


def field_for(call, document: str) -> str:
    return f"document_{call.required_documents.get(name=document).pk}"


def post_files(client, submission, files, *, action="save", extra=None, filename_star=False):
    """POST the bid form with ``files``: (document name, file name, bytes)."""
    call = submission.call
    body, content_type = multipart_body(
        {"action": action, **OFFER, **(extra or {})},
        [(field_for(call, doc), filename, data) for doc, filename, data in files],
        filename_star=filename_star,
    )
    return client.post(
        reverse("applications:submission", args=[submission.pk]),
        data=body,
        content_type=content_type,
    )


def stored_objects(settings) -> list[Path]:
    root = Path(settings.PRIVATE_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_nothing_saved(submission, settings, *, status="draft"):
    assert not SubmissionFile.objects.filter(submission=submission).exists()
    assert stored_objects(settings) == []
    submission.refresh_from_db()
    assert submission.status == status


def refusal_for(response, document: str) -> str:
    """What the page says about ``document``, as plain text: the messages at the
    top that name it, and the errors inside the document's own row of the form
    (whose legend names it)."""
    page = response.content.decode()
    messages = re.findall(r'<li class="[^"]*message--error[^"]*"[^>]*>(.*?)</li>', page, re.S)
    said = [html.unescape(m) for m in messages if document in html.unescape(m)]
    for row in re.findall(r"<fieldset[^>]*>(.*?)</fieldset>", page, re.S):
        legend = re.search(r"<legend[^>]*>(.*?)</legend>", row, re.S)
        if legend and document in legend.group(1):
            errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', row, re.S)
            said.append(html.unescape(re.sub(r"<[^>]+>", " ", " ".join(errors))).strip())
    return " ".join(part for part in said if part)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def call(site_root):
    return make_call(
        site_root["calls"],
        documents=[
            (TECHNICAL, "technical", True, "pdf,docx", 5),
            (FINANCIAL, "financial", True, "pdf,xlsx", 5),
        ],
    )


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def submission(call, applicant):
    return start_submission(call, applicant)


@pytest.fixture
def bidder(client, applicant):
    client.force_login(applicant)
    return client
