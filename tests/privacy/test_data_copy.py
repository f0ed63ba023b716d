"""'Download my data' (issue 24, item 4): the copy holds everything the applicant gave
(account, every bid, the answers their browser can read, receipts' fingerprints, the
mail sent to them, the files the portal can read, byte for byte), lists what stays
sealed without its bytes, and holds nothing of anyone else. A large copy is built by
the worker, once, and mailed as a link that works for its owner only, for a day."""

import io
import json
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from applications.choices import AuditAction
from applications.models import AuditEvent, Submission, SubmissionFile
from applications.services.submissions import submission_start
from core.storage import private_storage
from notifications.models import OutboxMessage
from privacy.data_copy.services import data_copies_expire, data_copy_build
from privacy.models import DataCopy, DataCopyState
from privacy.tasks import build_data_copy
from tests.applications.deadline_support import close_at
from tests.applications.form_support import FORM, full_post
from tests.factories import StaffFactory, UserFactory, make_call, pdf_bytes, private_objects
from tests.sealing_support import browser_key, open_call

pytestmark = pytest.mark.django_db

MINE_SEALED = "Tunatembelea magereza ya Kisumu 4471"
MINE_OPENED = "Amina visits Naivasha remand 2208"
MINE_FILE = "Amina proposal text 5521"
THEIRS = {
    "email": "zuberi.otieno@example.org",
    "first_name": "Zuberi",
    "last_name": "Otieno-Kiprotich",
    "legal_name": "Shimo Tewa Advocates Ltd",
    "answer": "Zuberi visits Shimotewa 9082",  # the form allows five words
    "file_text": "Zuberi proposal text 7734",
    "mail_subject": "Zuberi only: interview on Thursday 3391",
}


def person(email, first, last, legal):
    user = UserFactory(email=email, first_name=first, last_name=last)
    Profile.objects.create(user=user, legal_name=legal, phone="+254 700 000 111")
    client = Client()
    client.force_login(user)
    return user, client


def bid_through_the_page(call, user, client, *, work, file_text):
    """Submit through the bid page, as a browser does: the browser keeps its answer key."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    submission = submission_start(call=call, applicant=user)
    data = full_post("submit", **{"q_q-work": work})
    for doc in call.required_documents.all():
        data[f"document_{doc.pk}"] = SimpleUploadedFile(
            f"{doc.name}.pdf", pdf_bytes(text=file_text), "application/pdf"
        )
    response = client.post(reverse("applications:submission", args=[submission.pk]), data)
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.is_submitted
    return submission


@pytest.fixture
def world(site_root):
    """Amina: a draft, a submitted bid still sealed, and a bid on a call already opened;
    Zuberi: a bid of his own on both calls, and mail of his own."""
    amina, amina_client = person(
        "amina.data@example.org", "Amina", "Wanjiru", "Wanjiru Consulting"
    )
    zuberi, zuberi_client = person(
        THEIRS["email"], THEIRS["first_name"], THEIRS["last_name"], THEIRS["legal_name"]
    )

    def call():
        return make_call(
            site_root["calls"],
            kind="grant",
            budget_ceiling=Decimal("100000"),
            application_form=FORM,
        )

    sealed_call, opened_call, draft_call = call(), call(), call()
    sealed = bid_through_the_page(
        sealed_call, amina, amina_client, work=MINE_SEALED, file_text=MINE_FILE + " sealed"
    )
    opened = bid_through_the_page(
        opened_call, amina, amina_client, work=MINE_OPENED, file_text=MINE_FILE
    )
    for each in (sealed_call, opened_call):
        bid_through_the_page(
            each, zuberi, zuberi_client, work=THEIRS["answer"], file_text=THEIRS["file_text"]
        )
    draft = submission_start(call=draft_call, applicant=amina)
    staff = StaffFactory()
    open_call(close_at(opened_call, timezone.now() - timedelta(minutes=5)), staff)
    OutboxMessage.objects.create(
        to_email=zuberi.email,
        subject=THEIRS["mail_subject"],
        body_text="Zuberi's own body",
        dedupe_key="outcome:zuberi-test",
    )
    return {
        "amina": amina,
        "client": amina_client,
        "zuberi": zuberi,
        "zuberi_client": zuberi_client,
        "staff": staff,
        "sealed": sealed,
        "opened": opened,
        "draft": draft,
    }


def members_of(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def download(client) -> dict[str, bytes]:
    response = client.post(reverse("privacy:data_copy"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return members_of(b"".join(response.streaming_content))


def assert_nothing_of_theirs(members, world):
    zuberi = world["zuberi"]
    theirs = [
        zuberi.email,
        THEIRS["first_name"],
        THEIRS["last_name"],
        THEIRS["legal_name"],
        THEIRS["answer"],
        THEIRS["file_text"],
        THEIRS["mail_subject"],
        world["staff"].email,  # nor anyone of the committee
        world["staff"].last_name,
    ]
    theirs += list(Submission.objects.filter(applicant=zuberi).values_list("reference", flat=True))
    theirs += list(
        SubmissionFile.objects.filter(submission__applicant=zuberi).values_list(
            "sha256", flat=True
        )
    )
    for name, content in members.items():
        text = content.decode("utf-8", "replace")
        for value in theirs:
            assert value not in name and value not in text, (value, name)
            assert value.encode() not in content


def test_the_copy_holds_everything_the_applicant_gave_and_nothing_of_anyone_else(world):
    amina, sealed, opened, draft = world["amina"], world["sealed"], world["opened"], world["draft"]

    members = download(world["client"])

    readme = members["README.txt"].decode()
    assert amina.email in readme and "account.json" in readme and "sealed" in readme
    account = json.loads(members["account.json"])
    assert account["email"] == amina.email
    assert (account["first_name"], account["last_name"]) == ("Amina", "Wanjiru")
    assert account["profile"]["legal_name"] == "Wanjiru Consulting"
    assert account["profile"]["phone"] == "+254 700 000 111"
    # Every bid, the draft too.
    bids = {name.split("/")[1] for name in members if name.startswith("bids/")}
    assert bids == {sealed.reference, opened.reference, f"draft-{draft.pk}"}
    assert json.loads(members[f"bids/draft-{draft.pk}/bid.json"])["status"] == "Draft"

    # The sealed bid: answers as this browser reads them, the file listed, not copied.
    record = json.loads(members[f"bids/{sealed.reference}/bid.json"])
    answers = {a["question_id"]: a["answer"] for a in record["answers"]}
    assert answers["q-work"] == MINE_SEALED and record["answers_sealed"] == []
    assert record["receipt"]["answers_sha256"] == sealed.answers_sha256 != ""
    sealed_file = SubmissionFile.objects.get(submission=sealed)
    assert sealed_file.is_sealed_now
    (entry,) = record["files"]
    assert (entry["sha256"], entry["size"]) == (sealed_file.sha256, sealed_file.size)
    assert entry["in_this_copy"] is None and "opening committee" in entry["note"]
    assert record["receipt"]["files"][0]["sha256"] == sealed_file.sha256
    assert not any(n.startswith(f"bids/{sealed.reference}/files/") for n in members)
    assert not any((MINE_FILE + " sealed").encode() in content for content in members.values())
    assert "sealed" in record["amounts"]

    # The opened bid: its answers in the clear, its file byte for byte.
    record = json.loads(members[f"bids/{opened.reference}/bid.json"])
    answers = {a["question_id"]: a["answer"] for a in record["answers"]}
    assert answers["q-work"] == MINE_OPENED
    assert record["receipt"]["answers_sha256"] == opened.answers_sha256
    opened_file = SubmissionFile.objects.get(submission=opened)
    (entry,) = record["files"]
    assert entry["sha256"] == opened_file.sha256
    copied = members[f"bids/{opened.reference}/{entry['in_this_copy']}"]
    assert copied == pdf_bytes(text=MINE_FILE)
    assert record["amounts"]["amount_requested"] == "50000.00"

    # The mail sent to her: the receipts with their bodies; the opening register,
    # which lists every bidder, with its subject only.
    mail = {
        name: content.decode() for name, content in members.items() if name.startswith("mail/")
    }
    sent = OutboxMessage.objects.filter(to_email=amina.email)
    assert len(mail) == sent.count() >= 3
    receipts = [
        text for text in mail.values() if f"Receipt for your submission {opened.reference}" in text
    ]
    assert len(receipts) == 1 and opened_file.sha256 in receipts[0]
    assert any("Opening register" in text for text in mail.values())

    assert_nothing_of_theirs(members, world)
    # The file that left is on the record, as a download is.
    assert AuditEvent.objects.filter(
        action=AuditAction.FILE_DOWNLOADED, file_id=opened_file.pk, actor=amina
    ).exists()


def as_a_browser_would_send_to(client, path: str) -> None:
    """Keep only the cookies a browser sends to ``path``: Django's test client ignores
    cookie paths, a browser does not."""
    for name in list(client.cookies):
        if not path.startswith(client.cookies[name]["path"] or "/"):
            del client.cookies[name]


def test_the_copy_reads_sealed_answers_with_the_key_the_bid_page_gave_it_alone(world):
    """The bid page gives the browser two cookies with the answer key: one sent only to
    the bid's pages, one sent only to this page. A browser sends this page the second."""
    client, sealed = world["client"], world["sealed"]
    paths = {n: client.cookies[n]["path"] for n in client.cookies if n.startswith("zabuni_")}
    assert paths[f"zabuni_answers_{sealed.pk}"] == f"/bids/{sealed.pk}/"
    assert paths[f"zabuni_answers_{sealed.pk}_r0"] == reverse("privacy:data_copy")
    as_a_browser_would_send_to(client, reverse("privacy:data_copy"))
    assert f"zabuni_answers_{sealed.pk}" not in client.cookies

    members = download(client)

    record = json.loads(members[f"bids/{sealed.reference}/bid.json"])
    assert MINE_SEALED in [a["answer"] for a in record["answers"]]
    assert_nothing_of_theirs(members, world)


def test_a_browser_without_the_key_gets_a_copy_that_says_where_to_read_the_answers(
    world,
):
    """Another browser (or one that never opened the bid page since) has no key: the
    sealed answers are listed as sealed, with where to read them; the opened ones are
    there."""
    client, sealed = world["client"], world["sealed"]
    assert browser_key(client, sealed) is not None
    for name in [n for n in client.cookies if n.startswith("zabuni_answers_")]:
        del client.cookies[name]

    members = download(client)

    record = json.loads(members[f"bids/{sealed.reference}/bid.json"])
    assert record["answers"] == []
    notes = {a["question_id"]: a["note"] for a in record["answers_sealed"]}
    assert "q-work" in notes and "bid page" in notes["q-work"]
    assert not any(MINE_SEALED.encode() in content for content in members.values())
    opened = json.loads(members[f"bids/{world['opened'].reference}/bid.json"])
    assert MINE_OPENED in [a["answer"] for a in opened["answers"]]
    assert_nothing_of_theirs(members, world)


def test_the_page_needs_a_signed_in_user_and_offers_the_button(world, client):
    response = client.get(reverse("privacy:data_copy"))
    assert response.status_code == 302 and "login" in response.url

    page = world["client"].get(reverse("privacy:data_copy"))
    assert page.status_code == 200
    assert b'action="/account/privacy/my-data/"' in page.content
    profile = world["client"].get(reverse("accounts:profile")).content.decode()
    assert reverse("privacy:data_copy") in profile


@pytest.fixture
def large(world, settings, monkeypatch):
    """Amina's readable files are over the limit: her copy is built by the worker."""
    settings.DATA_COPY_INLINE_LIMIT = 10
    queued = []
    monkeypatch.setattr(
        "privacy.data_copy.services.queue_task", lambda name, *args: queued.append((name, args))
    )
    return queued


def mailed_link(copy) -> str:
    message = OutboxMessage.objects.get(dedupe_key=f"data-copy:{copy.pk}")
    assert message.to_email == "amina.data@example.org" and message.confidential
    (path,) = set(re.findall(r"/account/privacy/my-data/[A-Za-z0-9_-]+/", message.body_text))
    return path


def test_a_large_copy_is_built_once_by_the_worker_and_mailed_as_a_link_for_its_owner_only(
    world, large, django_capture_on_commit_callbacks
):
    client = world["client"]
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("privacy:data_copy"))
        again = client.post(reverse("privacy:data_copy"))  # a double click

    assert first.status_code == again.status_code == 302
    copy = DataCopy.objects.get()
    assert copy.state == DataCopyState.QUEUED
    assert large == [("privacy.tasks.build_data_copy", (copy.pk,))]  # the row id, nothing secret

    assert build_data_copy(copy.pk) is True
    assert build_data_copy(copy.pk) is False  # delivered twice: built once, mailed once
    copy.refresh_from_db()
    assert copy.state == DataCopyState.READY
    assert copy.expires_at - copy.built_at == timedelta(days=1)
    assert [n for n in private_objects() if n.startswith("data-copies/")] == [copy.object_name]
    path = mailed_link(copy)
    assert path.split("/")[-2] not in str(DataCopy.objects.values())  # only its digest is kept

    # Stored, the copy is ciphertext: only the mailed link's token opens it.
    copy.refresh_from_db()
    with private_storage().open(copy.object_name) as stored:
        at_rest = stored.read()
    assert not at_rest.startswith(b"PK") and MINE_FILE.encode() not in at_rest

    response = client.get(path)
    assert response.status_code == 200
    members = members_of(b"".join(response.streaming_content))
    record = json.loads(members[f"bids/{world['opened'].reference}/bid.json"])
    copied = members[f"bids/{world['opened'].reference}/{record['files'][0]['in_this_copy']}"]
    assert copied == pdf_bytes(text=MINE_FILE)
    # The worker has no browser key: the sealed answers say where to read them.
    sealed = json.loads(members[f"bids/{world['sealed'].reference}/bid.json"])
    assert sealed["answers"] == [] and sealed["answers_sealed"]
    assert_nothing_of_theirs(members, world)

    assert world["zuberi_client"].get(path).status_code == 404
    assert client.get(path.replace(path.split("/")[-2], "not-a-token")).status_code == 404


def test_the_link_stops_after_a_day_and_the_copy_is_deleted(world, large):
    copy = DataCopy.objects.create(user=world["amina"])
    data_copy_build(copy_id=copy.pk)
    copy.refresh_from_db()
    path = mailed_link(copy)
    client = world["client"]
    assert client.get(path).status_code == 200

    a_day_later = copy.built_at + timedelta(days=1, minutes=1)
    assert data_copies_expire(now=a_day_later - timedelta(minutes=2)) == 0
    assert data_copies_expire(now=a_day_later) == 1

    copy.refresh_from_db()
    assert (copy.state, copy.object_name) == (DataCopyState.EXPIRED, "")
    assert not [n for n in private_objects() if n.startswith("data-copies/")]
    response = client.get(path)
    assert response.status_code == 410 and b"expired" in response.content


def test_a_ready_copy_past_its_day_is_refused_before_the_sweep_deletes_it(world, large):
    copy = DataCopy.objects.create(user=world["amina"])
    data_copy_build(copy_id=copy.pk)
    copy.refresh_from_db()
    DataCopy.objects.filter(pk=copy.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert world["client"].get(mailed_link(copy)).status_code == 410


def test_a_store_that_fails_gives_a_clear_answer_and_keeps_nothing(
    world, monkeypatch, large, settings
):
    def store_down(*args, **kwargs):
        raise OSError("the store is down")

    monkeypatch.setattr("applications.sealed_files.private_object_chunks", store_down)
    client = world["client"]

    copy = DataCopy.objects.create(user=world["amina"])
    assert data_copy_build(copy_id=copy.pk) is False
    copy.refresh_from_db()
    assert copy.state == DataCopyState.FAILED and "file store" in copy.error
    assert not OutboxMessage.objects.filter(dedupe_key__startswith="data-copy:").exists()
    assert not [n for n in private_objects() if n.startswith("data-copies/")]
    page = client.get(reverse("privacy:data_copy"))
    assert b"file store was unavailable" in page.content  # and she may ask again

    # Within the request: a 424 that says so, and no download on the record.
    settings.DATA_COPY_INLINE_LIMIT = 10**9
    response = client.post(reverse("privacy:data_copy"))
    assert response.status_code == 424 and b"file store" in response.content
    assert not AuditEvent.objects.filter(
        action=AuditAction.FILE_DOWNLOADED, actor=world["amina"]
    ).exists()


def test_one_account_can_ask_for_a_bounded_number_of_copies(world, settings):
    """Each copy is a whole ZIP (a large one is stored and mailed): the same request a
    thousand times must not fill the disk or the outbox."""
    settings.DATA_COPY_RATE = "2/h"
    client = world["client"]
    url = reverse("privacy:data_copy")

    answers = [client.post(url).status_code for _ in range(3)]

    assert answers[:2] == [200, 200] and answers[2] == 429
