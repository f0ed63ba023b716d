"""Bids at each stage of their life, and the clock moved on, for the retention tests."""

from datetime import timedelta

from django.utils import timezone

from applications.choices import AuditAction, SubmissionStatus
from applications.models import Answer, CallOpening, Submission
from applications.services.audit import audit_record
from applications.services.audit_chain import audit_chain_extend, audit_chain_verify
from tests.factories import UserFactory, submit_bid


def days_on(days: float):
    """The clock, ``days`` from now."""
    return timezone.now() + timedelta(days=days)


def close(call) -> None:
    """The call's deadline passed a minute ago."""
    type(call).objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    call.refresh_from_db()


def opened(call, by) -> None:
    close(call)
    CallOpening.objects.create(
        call=call, opened_by=by, opened_at=timezone.now(), submissions_received=1
    )


def outcome(submission, status: SubmissionStatus) -> Submission:
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()
    return submission


def notices_sent(call, by) -> None:
    """The outcome notices went out now: the day the call's outcome became final."""
    audit_record(actor=by, action=AuditAction.OUTCOMES_SENT, call=call)


def bid(call, email: str, *, answer: str = "We train paralegals in Kisumu.") -> Submission:
    """A submitted bid with its files, an answer, and an audit trail naming its files."""
    submission = submit_bid(call, UserFactory(email=email))
    Answer.objects.create(submission=submission, question_id="q1", value=answer, digest="d" * 64)
    return submission


def chain_checks() -> bool:
    audit_chain_extend()
    verdict = audit_chain_verify()
    return verdict.ok and verdict.unchained == 0
