"""A copy of the whole database and storage, taken before the deadline (issue 23, item 7):
what a raid, a stolen backup or the hosting company would get. The bid's files and its
price are not in it, in any encoding; after the quorum opens the call, the panel reads
them as before."""

import base64
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from applications.models import Submission, SubmissionFile
from applications.services.amounts import Amounts
from core.storage import private_storage
from notifications.delivery import outbox_deliver
from notifications.models import OutboxMessage
from tests.applications.deadline_support import close_at
from tests.factories import StaffFactory, UserFactory, make_call, pdf_bytes, submit_bid, zip_bytes
from tests.sealing_support import open_call, stored_plaintext

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MARKER = "Ripoti ya siri ya Mshauri 6183"
PRICE = Decimal("1270732.59")


def encodings(text: str) -> list[bytes]:
    raw = text.encode()
    return [
        raw,
        text.encode("utf-16-le"),
        text.encode("utf-16-be"),
        raw.hex().encode(),
        raw.hex().upper().encode(),
        base64.b64encode(raw),
    ]


def price_forms() -> list[bytes]:
    return [b"1270732.59", b"1,270,732.59", b"1270732", b"1 270 732", b"1.270.732"]


def database_copy() -> bytes:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.serialize()  # the whole database, in memory or not
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not installed: the copy of the database cannot be taken")
    settings = connection.settings_dict
    command = ["pg_dump", "--data-only", "-h", settings["HOST"] or "127.0.0.1"]
    command += ["-p", str(settings["PORT"] or 5432), "-U", settings["USER"] or "postgres"]
    return subprocess.run(
        [*command, settings["NAME"]], check=True, capture_output=True, timeout=120
    ).stdout


def storage_copy() -> bytes:
    root = Path(private_storage().path(""))
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_a_copy_of_the_database_and_storage_before_the_deadline_shows_nothing_of_the_bid(
    site_root, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call = make_call(site_root["calls"])
    pdf = pdf_bytes(text=MARKER)
    offer = zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "xl/workbook.xml": f"<workbook>{MARKER}</workbook>".encode(),
        }
    )
    submission = submit_bid(
        call,
        UserFactory(),
        files={
            "Technical proposal": SimpleUploadedFile("proposal.pdf", pdf, "application/pdf"),
            "Financial proposal": SimpleUploadedFile("offer.xlsx", offer, "application/zip"),
        },
        amounts=Amounts(offer_amount=PRICE, offer_currency="KES"),
    )
    receipt = OutboxMessage.objects.get(dedupe_key__startswith=f"receipt:{submission.pk}:")
    assert outbox_deliver(message_id=receipt.pk)  # the bidder gets it whole
    from django.core import mail

    assert "1,270,732.59" in mail.outbox[-1].body

    stored = storage_copy()
    dump = database_copy()

    assert stored and dump and submission.reference.encode() in dump  # a real copy
    for needle in encodings(MARKER) + [pdf[:48], offer[:48], b"%PDF-", b"PK\x03\x04"]:
        assert needle not in stored, needle
        assert needle not in dump, needle
    for needle in price_forms():
        assert needle not in dump, needle

    # After the deadline, the quorum opens the call: the panel reads them as before.
    open_call(close_at(call, timezone.now() - timedelta(minutes=5)), StaffFactory())
    opened = Submission.objects.get(pk=submission.pk)
    assert opened.offer_amount == PRICE and not opened.amounts_sealed
    technical = SubmissionFile.objects.get(submission=opened, envelope="technical")
    assert stored_plaintext(technical) == pdf


def test_a_copy_of_the_database_shows_none_of_the_answers_to_the_application_form(
    site_root, settings
):
    from django.test import Client
    from django.urls import reverse

    from applications.models import Answer
    from applications.services.submissions import submission_start
    from tests.applications.form_support import FORM, full_post, with_documents

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call = make_call(
        site_root["calls"], kind="grant", budget_ceiling=Decimal("100000"), application_form=FORM
    )
    applicant = UserFactory()
    submission = submission_start(call=call, applicant=applicant)
    client = Client()
    client.force_login(applicant)
    url = reverse("applications:submission", args=[submission.pk])
    work = "Ripoti ya siri 6183"  # the question's limit is five words
    answers = {"q_q-org": "Mshauri Haki 6183", "q_q-work": work}
    answers["q_q-budget-item-0"] = "Ziara za siri 6183"
    response = client.post(url, with_documents(full_post("submit", **answers), call))
    assert response.status_code == 302
    receipt = OutboxMessage.objects.get(dedupe_key__startswith=f"receipt:{submission.pk}:")
    assert outbox_deliver(message_id=receipt.pk)

    dump = database_copy()

    reference = Submission.objects.get(pk=submission.pk).reference
    assert reference and reference.encode() in dump  # a real copy, taken after the submit
    assert Answer.objects.filter(submission=submission).count() == 5
    for text in (work, "Mshauri Haki 6183", "Ziara za siri 6183", "Prison visits"):
        for needle in encodings(text):
            assert needle not in dump, (text, needle)
    # The amount requested, as a column would hold it; not inside a longer number (a
    # timestamp's microseconds, 18:02:11.250000) nor inside hexadecimal.
    amount = re.compile(rb"(?<![0-9a-fA-F.])50000(\.0+)?(?![0-9a-fA-F])")
    assert not amount.search(dump)  # ("Kisumu" is a choice on the form)

    open_call(close_at(call, timezone.now() - timedelta(minutes=5)), StaffFactory())
    opened = Answer.objects.get(submission=submission, question_id="q-work")
    assert opened.value == work
