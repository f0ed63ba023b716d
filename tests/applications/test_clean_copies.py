"""Under blind review a reviewer downloads a copy of each bid's file whose metadata
names nobody (issue 24, item 5): made once, stored encrypted like an opened file,
served in place of the original, which stays the record with its SHA-256."""

import hashlib
import io
from datetime import timedelta

import pikepdf
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from applications.demo import DEMO_BIDS
from applications.models import AuditEvent, CleanCopy
from applications.services import clean_copies
from applications.services.clean_copies import CLEAN_TASK, clean_copies_make
from applications.tasks import make_clean_copies
from reviews.models import Assignment, Panel
from reviews.services.panels import conflict_declare, panel_hand_over
from tenders.models import CallPage
from tests.core.metadata_support import NAME, docx_naming, names, pdf_naming
from tests.factories import StaffFactory, UserFactory, make_call, private_objects, submit_bid
from tests.sealing_support import open_call, stored_plaintext

DOCUMENTS = [
    ("Technical proposal", "technical", True, "pdf", 5),
    ("Work plan", "technical", True, "docx", 5),
]
UNREADABLE = b"%PDF-1.7\n" + b"not a PDF past its first line\n" * 40


def _reviewer():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    return user


@pytest.fixture
def blind_call(site_root, no_outbox_dispatch):
    """A blind-review call, opened, whose one bid's files name the bidder in their
    metadata, handed to a panel whose reviewer has declared no conflict."""

    def build(*, blind=True, proposal=None):
        call = make_call(site_root["calls"], documents=DOCUMENTS, blind_review=blind)
        files = {
            "Technical proposal": SimpleUploadedFile(
                f"{NAME} proposal.pdf", proposal or pdf_naming(), "application/pdf"
            ),
            "Work plan": SimpleUploadedFile(f"{NAME} plan.docx", docx_naming(), "application/zip"),
        }
        bid = submit_bid(call, UserFactory(), files=files)
        CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(hours=1))
        call = CallPage.objects.get(pk=call.pk)
        staff = StaffFactory()
        open_call(call, staff)
        reviewer = _reviewer()
        panel = Panel.objects.create(
            call=call,
            chair=reviewer,
            review_deadline=timezone.now() + timedelta(days=5),
            minimum_reviews=1,
        )
        panel.members.set([reviewer])
        panel_hand_over(call=call)
        assignment = Assignment.objects.get(panel=panel, reviewer=reviewer)
        conflict_declare(assignment=assignment, user=reviewer, has_conflict=False)
        return {"call": call, "bid": bid, "reviewer": reviewer, "staff": staff, "panel": panel}

    return build


def _download(client, item):
    response = client.get(reverse("applications:download", args=[item.pk]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def _file(bid, name):
    return bid.files.get(document_name=name)


def test_a_reviewer_under_blind_review_gets_a_copy_that_names_nobody(client, blind_call):
    ev = blind_call()
    proposal = _file(ev["bid"], "Technical proposal")
    client.force_login(ev["reviewer"])

    response, body = _download(client, proposal)

    assert response.status_code == 200
    assert NAME not in response["Content-Disposition"]
    assert not names(body)
    with pikepdf.open(io.BytesIO(body)) as pdf:  # still the document
        assert len(pdf.pages) == 1
    # The original is the record, untouched: it names the bidder, with its SHA-256.
    original = stored_plaintext(proposal)
    assert names(original)
    assert hashlib.sha256(original).hexdigest() == proposal.sha256
    copy = CleanCopy.objects.get(file=proposal)
    assert copy.sha256 == hashlib.sha256(body).hexdigest() and copy.size == len(body)
    assert copy.removed == ["PDF document information", "XMP", "authors of annotations"]
    # Stored encrypted, as an opened file is: the store holds no readable copy.
    assert copy.object_name in private_objects()
    assert AuditEvent.objects.filter(file_id=proposal.pk, action="file_downloaded").count() == 1


def test_a_word_document_copy_names_nobody_in_any_part(client, blind_call):
    ev = blind_call()
    client.force_login(ev["reviewer"])

    response, body = _download(client, _file(ev["bid"], "Work plan"))

    assert response.status_code == 200
    assert body.startswith(b"PK\x03\x04")
    assert not names(body)


def test_the_copy_is_made_once_for_every_download(client, blind_call):
    ev = blind_call()
    proposal = _file(ev["bid"], "Technical proposal")
    client.force_login(ev["reviewer"])

    _first, body = _download(client, proposal)
    name = CleanCopy.objects.get(file=proposal).object_name
    _second, again = _download(client, proposal)

    assert CleanCopy.objects.filter(file=proposal).count() == 1
    assert CleanCopy.objects.get(file=proposal).object_name == name
    assert body == again


def test_staff_who_may_see_identities_get_the_original(client, blind_call):
    ev = blind_call()
    proposal = _file(ev["bid"], "Technical proposal")
    client.force_login(ev["staff"])

    response, body = _download(client, proposal)

    assert response.status_code == 200
    assert hashlib.sha256(body).hexdigest() == proposal.sha256
    assert names(body)
    assert not CleanCopy.objects.filter(file=proposal).exists()


def test_the_task_makes_every_copy_once_and_again_makes_none(blind_call):
    ev = blind_call()

    assert make_clean_copies.name == CLEAN_TASK
    assert make_clean_copies(ev["call"].pk) == 2
    names_made = set(CleanCopy.objects.values_list("object_name", flat=True))
    assert make_clean_copies(ev["call"].pk) == 0
    assert set(CleanCopy.objects.values_list("object_name", flat=True)) == names_made
    assert CleanCopy.objects.filter(file__submission=ev["bid"]).count() == 2


def test_a_copy_the_worker_made_is_the_one_served(client, blind_call):
    ev = blind_call()
    clean_copies_make(call=ev["call"])
    proposal = _file(ev["bid"], "Technical proposal")
    made = CleanCopy.objects.get(file=proposal)
    client.force_login(ev["reviewer"])

    _response, body = _download(client, proposal)

    assert hashlib.sha256(body).hexdigest() == made.sha256
    assert CleanCopy.objects.count() == 2


def test_a_call_without_blind_review_gets_no_copies(client, blind_call):
    ev = blind_call(blind=False)
    proposal = _file(ev["bid"], "Technical proposal")
    client.force_login(ev["reviewer"])

    assert clean_copies_make(call=ev["call"]) == 0
    response, body = _download(client, proposal)

    assert response.status_code == 200
    assert hashlib.sha256(body).hexdigest() == proposal.sha256
    assert not CleanCopy.objects.exists()


def test_a_file_that_cannot_be_cleaned_is_refused_clearly_and_not_served(client, blind_call):
    ev = blind_call(proposal=UNREADABLE)
    proposal = _file(ev["bid"], "Technical proposal")
    client.force_login(ev["reviewer"])

    response, body = _download(client, proposal)

    assert response.status_code == 409
    assert b"author details removed" in body
    assert UNREADABLE[:40] not in body
    assert not CleanCopy.objects.filter(file=proposal).exists()
    assert not AuditEvent.objects.filter(file_id=proposal.pk, action="file_downloaded").exists()
    # The worker passes over it too, and makes the rest.
    assert clean_copies_make(call=ev["call"]) == 1


def test_the_copies_are_queued_once_the_opening_commits(
    site_root, no_outbox_dispatch, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(clean_copies, "queue_task", lambda *args: queued.append(args))
    blind = make_call(site_root["calls"], documents=DOCUMENTS[:1], blind_review=True)
    plain = make_call(site_root["calls"], documents=DOCUMENTS[:1])
    for call in (blind, plain):
        submit_bid(call, UserFactory())
        CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        open_call(CallPage.objects.get(pk=blind.pk), StaffFactory())
        assert queued == []  # not before the opening commits
    with django_capture_on_commit_callbacks(execute=True):
        open_call(CallPage.objects.get(pk=plain.pk), StaffFactory())

    assert queued == [(CLEAN_TASK, blind.pk)]


def test_the_reviewers_page_says_the_copy_has_no_author_details(client, blind_call):
    ev = blind_call()
    clean_copies_make(call=ev["call"])
    assignment = Assignment.objects.get(panel=ev["panel"])
    client.force_login(ev["reviewer"])

    page = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()

    assert "Copy with its author details removed (PDF document information, XMP" in page


def test_a_reviewers_copy_of_a_demo_bid_under_blind_review_names_no_bidder(client, db):
    """The demo's evaluation walk-through is under blind review, and its bids' PDFs name
    their bidder as Author: the reviewer's copies name nobody."""
    call_command("load_demo_content", stdout=io.StringIO())
    call = CallPage.objects.get(reference_code="DC-CFC-2026-003")
    firms = [firm for _email, firm, _price, _hours in DEMO_BIDS]
    assignment = Assignment.objects.get(
        panel__call=call, reviewer__email="reviewer2@zabuni.local", submission__number=1
    )
    assert call.blind_review and assignment.declared_no_conflict
    client.force_login(assignment.reviewer)

    files = list(assignment.submission.files.filter(envelope="technical"))
    assert files
    for item in files:
        response, body = _download(client, item)
        assert response.status_code == 200
        assert any(names(stored_plaintext(item), firm) for firm in firms)  # its Author
        assert not any(names(body, firm) for firm in firms)
