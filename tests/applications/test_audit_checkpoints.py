"""The chain's head is written down outside the database (receipts, registers, a daily
mail to the opening committees), and ``verify_audit`` checks the chain against each
such checkpoint: a trail rewritten and re-hashed from end to end still fails."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from applications import audit_triggers
from applications.choices import AuditAction
from applications.models import AuditEvent, CallOpening, OpeningCommittee
from applications.models.audit import details_digest
from applications.services.audit import audit_record
from applications.services.audit_chain import audit_chain_extend, audit_chain_head, event_hash
from notifications.models import OutboxMessage
from tests.applications.deadline_support import close_at
from tests.factories import StaffFactory, UserFactory, make_call, submit_bid

pytestmark = pytest.mark.django_db


def record(n: int) -> None:
    """``n`` events, chained as their commit would chain them (this test's
    transaction never commits)."""
    for i in range(n):
        audit_record(actor=None, action=AuditAction.FILE_DOWNLOADED, detail=f"event {i}")
    audit_chain_extend()


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rewrite_and_rehash(seq: int, detail: str) -> None:
    """What the owner of the database could do with the triggers off: change an event
    and recompute every hash after it, so the chain checks out on its own."""
    if connection.vendor == "postgresql":
        raw("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: the table can be altered
        raw(f"ALTER TABLE {audit_triggers.TABLE} DISABLE TRIGGER zabuni_audit_append_only")
    else:
        raw("DROP TRIGGER zabuni_audit_no_update")
    raw(f"UPDATE {audit_triggers.TABLE} SET detail = %s WHERE seq = %s", [detail, seq])
    changed = AuditEvent.objects.get(seq=seq)  # and its details' hash, to match
    raw(
        f"UPDATE {audit_triggers.TABLE} SET details_hash = %s WHERE id = %s",
        [details_digest(changed), changed.pk],
    )
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        digest = event_hash(event, seq=event.seq, prev_hash=prev)
        raw(
            f"UPDATE {audit_triggers.TABLE} SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, digest, event.pk],
        )
        prev = digest
    if connection.vendor == "postgresql":
        raw(f"ALTER TABLE {audit_triggers.TABLE} ENABLE TRIGGER zabuni_audit_append_only")
    else:
        for statement in audit_triggers.SQLITE_APPEND_ONLY:
            raw(statement)


def test_verify_audit_agrees_with_checkpoints_on_the_chain(capsys):
    record(2)
    first = AuditEvent.objects.get(seq=1)
    record(1)
    head = audit_chain_head()

    # As a receipt prints the head ("#3 <hash>"), or as seq:hash.
    call_command("verify_audit", checkpoint=[str(head), f"1:{first.hash}"])

    assert capsys.readouterr().out.startswith(
        "OK: 3 events, chain intact; 2 checkpoints on the chain; head #3 "
    )


def test_a_chain_rewritten_and_rehashed_is_caught_by_an_earlier_checkpoint():
    record(3)
    receipt_head = str(audit_chain_head())  # what a bidder kept from their receipt
    record(2)
    rewrite_and_rehash(2, "nothing happened")
    call_command("verify_audit")  # on its own, the re-hashed chain checks out

    with pytest.raises(CommandError, match=r"checkpoint #3 .* is not on the chain"):
        call_command("verify_audit", checkpoint=[receipt_head])


def test_a_checkpoint_past_the_head_fails():
    """The trail cut short (or a checkpoint from a chain that is not this one)."""
    record(1)
    with pytest.raises(CommandError, match=r"checkpoint #7 .* is not on the chain"):
        call_command("verify_audit", checkpoint=["7:" + "a" * 64])


def test_a_malformed_checkpoint_is_named():
    with pytest.raises(CommandError, match="not a checkpoint"):
        call_command("verify_audit", checkpoint=["seven"])


def test_checkpoints_from_a_file(tmp_path, capsys):
    record(2)
    one, two = AuditEvent.objects.order_by("seq")
    kept = tmp_path / "checkpoints.txt"
    kept.write_text(f"# copied from receipts and the daily mail\n\n#1 {one.hash}\n2:{two.hash}\n")

    call_command("verify_audit", checkpoint_file=[str(kept)])

    assert "2 checkpoints on the chain" in capsys.readouterr().out


def test_the_receipt_email_gives_the_chains_head(site_root):
    record(2)
    head = audit_chain_head()
    applicant = UserFactory()

    submit_bid(make_call(site_root["calls"]), applicant)

    mail = OutboxMessage.objects.get(to_email=applicant.email, dedupe_key__startswith="receipt:")
    for body in (mail.body_text, mail.body_html):
        assert head.hash in body
        assert "event 2" in body


def committee_for(call, *members):
    committee = OpeningCommittee.objects.get(call=call)
    committee.members.set(members)
    return members


def test_a_daily_checkpoint_goes_to_the_committees_of_calls_not_yet_opened(site_root):
    from applications.tasks import mail_audit_checkpoint

    now = timezone.now()
    calls = site_root["calls"]
    taking_bids = committee_for(make_call(calls), StaffFactory(), StaffFactory())
    sealed_call = close_at(make_call(calls), now - timedelta(hours=1))
    sealed = committee_for(sealed_call, StaffFactory())
    opened_call = close_at(make_call(calls), now - timedelta(hours=2))
    opened = committee_for(opened_call, StaffFactory())
    CallOpening.objects.create(
        call=opened_call, opened_by=opened[0], opened_at=now, submissions_received=0
    )
    upcoming = committee_for(
        make_call(calls, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=9)),
        StaffFactory(),
    )
    both = StaffFactory()
    committee_for(make_call(calls), both)
    OpeningCommittee.objects.get(call=sealed_call).members.add(both)
    record(3)
    head = audit_chain_head()

    mail_audit_checkpoint()
    mail_audit_checkpoint()  # again the same day: nothing more

    mails = OutboxMessage.objects.filter(dedupe_key__startswith="audit-checkpoint:")
    assert sorted(m.to_email for m in mails) == sorted(
        m.email for m in [*taking_bids, *sealed, both]
    )
    assert not {m.email for m in [*opened, *upcoming]} & {m.to_email for m in mails}
    for mail in mails:
        assert head.hash in mail.body_text and head.hash in mail.body_html
        assert f"#{head.seq}" in mail.body_text
    assert sealed_call.reference_code in mails.get(to_email=both.email).body_text


def test_the_daily_checkpoint_is_on_the_beat_schedule():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "applications.tasks.mail_audit_checkpoint" in tasks
