"""Withdrawing a submitted bid before the deadline."""

from datetime import datetime

from django.utils.translation import gettext as _

from applications.choices import AuditAction, SubmissionStatus
from applications.models import Submission
from applications.permissions import can_edit_submission, is_owner
from applications.services.audit import audit_record
from applications.services.deadline import closes_at_of, require_not_opened
from applications.services.submissions import CANNOT_CHANGE
from core.clock import db_now
from core.db import atomic_with_retry
from core.errors import DeadlinePassed, NotAllowed
from notifications.services import outbox_enqueue


def submission_withdraw(
    *, submission: Submission, user, request=None, received_at: datetime | None = None
) -> Submission:
    """Withdraw a submitted bid before the deadline. It may be submitted again."""
    received_at = received_at or db_now()
    if not can_edit_submission(user, submission, now=received_at):
        if is_owner(user, submission) and received_at >= submission.call.closes_at:
            raise DeadlinePassed(_("The deadline has passed; the bid stands as submitted."))
        raise NotAllowed(str(CANNOT_CHANGE))

    def withdraw():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)  # lock 1
        if received_at >= closes_at_of(locked.call_id):
            raise DeadlinePassed(_("The deadline has passed; the bid stands as submitted."))
        require_not_opened(locked.call_id)
        if locked.status != SubmissionStatus.SUBMITTED:
            return locked
        locked.call = submission.call
        locked.move_to(SubmissionStatus.WITHDRAWN)
        locked.withdrawn_at = received_at
        locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
        audit_record(actor=user, action=AuditAction.WITHDRAWN, request=request, submission=locked)
        outbox_enqueue(
            to=locked.applicant.email,
            template="applications/emails/submission_withdrawn",
            context={"submission": locked, "call": locked.call},
            dedupe_key=f"withdrawn:{locked.pk}:{received_at.isoformat()}",
            confidential=True,
        )
        return locked

    return atomic_with_retry(withdraw)
