"""Opening a call's sealed submissions, after its deadline."""

from django.db import transaction
from django.utils.translation import gettext as _

from applications.choices import AuditAction
from applications.models import CallOpening, Submission
from applications.permissions import can_open_call
from applications.services.audit import audit_record
from applications.services.submissions import lock_call
from core.clock import db_now
from core.errors import NotAllowed
from tenders.models import CallPage


def call_open(*, call: CallPage, user, request=None) -> CallOpening:
    """Unseal ``call``: record who opened it and when. Idempotent."""
    if not can_open_call(user, call):
        existing = CallOpening.objects.filter(call=call).first()
        if existing and user.is_staff:
            return existing
        raise NotAllowed(_("This call cannot be opened yet."))
    with transaction.atomic():
        lock_call(call)
        existing = CallOpening.objects.filter(call=call).first()
        if existing:
            return existing
        now = db_now()
        closes_at = CallPage.objects.values_list("closes_at", flat=True).get(pk=call.pk)
        if now < closes_at:
            raise NotAllowed(_("The deadline has not passed: the submissions stay sealed."))
        opening = CallOpening.objects.create(
            call=call,
            opened_by=user,
            opened_at=now,
            submissions_received=Submission.objects.filter(call=call).received().count(),
        )
        audit_record(
            actor=user,
            action=AuditAction.CALL_OPENED,
            request=request,
            call=call,
            detail=_("%(n)s submissions received") % {"n": opening.submissions_received},
        )
    return opening
