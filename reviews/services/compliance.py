"""The preliminary examination (PPADA 2015 s.79; issue 22, item 5): after the opening,
the chair or the panel's secretary marks each bid responsive or not, with a reason.
A bid found not responsive is not scored, not ranked, and its financial envelope never
opens; technical scoring cannot be locked until every bid has a decision."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import AuditAction
from applications.models import Submission
from applications.services.audit import audit_record
from core.errors import NotAllowed, Refused
from reviews.compliance import compliance_findings, finding_text
from reviews.models import Assignment, ComplianceDecision, Panel
from reviews.permissions import can_check_compliance

MINIMUM_REASON = 10


def compliance_decide(
    *, panel: Panel, user, submission: Submission, responsive: bool, reason: str, request=None
) -> ComplianceDecision:
    """Record (or change, until scoring is locked) the decision on one bid. A bid found
    not responsive needs a reason; so does one marked responsive despite what the
    portal found. Each decision goes into the audit trail with its reason."""
    call = panel.call
    if not can_check_compliance(user, call):
        raise NotAllowed(
            _("Only the chair or the panel's secretary can do this, until scoring is locked.")
        )
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Panel.objects.select_for_update(of=("self",)).get(pk=panel.pk)
        if locked.is_locked:
            raise NotAllowed(
                _("Technical scoring is locked: decisions on responsiveness are final.")
            )
        submission = Submission.objects.filter(call=call).received().get(pk=submission.pk)
        if Assignment.objects.filter(
            submission=submission, reviewer=user, has_conflict=True
        ).exists():
            raise NotAllowed(
                _("You declared a conflict of interest on %(bid)s: another may decide on it.")
                % {"bid": submission.label}
            )
        findings = compliance_findings(call).get(submission.pk, [])
        if not responsive and len(reason) < MINIMUM_REASON:
            raise Refused(
                _("Say why %(bid)s is not responsive, in at least %(n)s characters.")
                % {"bid": submission.label, "n": MINIMUM_REASON}
            )
        if responsive and findings and len(reason) < MINIMUM_REASON:
            raise Refused(
                _(
                    "The portal found a problem with %(bid)s (%(found)s): say why it is "
                    "responsive all the same, in at least %(n)s characters."
                )
                % {
                    "bid": submission.label,
                    "found": "; ".join(finding_text(f.as_json()) for f in findings),
                    "n": MINIMUM_REASON,
                }
            )
        decision = _record(submission, findings, responsive, reason, user=user, request=request)
    return decision


def _record(submission, findings, responsive, reason, *, user, request):
    decision, _created = ComplianceDecision.objects.update_or_create(
        submission=submission,
        defaults={
            "responsive": responsive,
            "reason": reason,
            "findings": [f.as_json() for f in findings],
            "decided_by": user,
            "decided_at": timezone.now(),
        },
    )
    audit_record(
        actor=user,
        action=AuditAction.COMPLIANCE_DECIDED,
        request=request,
        submission=submission,
        detail=(_("Responsive") if responsive else _("Not responsive"))
        + (f": {reason}" if reason else ""),
    )
    return decision


def compliance_clear(*, panel: Panel, user, request=None) -> int:
    """Mark responsive every bid not yet decided on in which the portal found nothing
    (each decision audited). Bids with a finding wait for a decision of their own.
    Returns how many were marked."""
    call = panel.call
    if not can_check_compliance(user, call):
        raise NotAllowed(
            _("Only the chair or the panel's secretary can do this, until scoring is locked.")
        )
    marked = 0
    with transaction.atomic():
        locked = Panel.objects.select_for_update(of=("self",)).get(pk=panel.pk)
        if locked.is_locked:
            raise NotAllowed(
                _("Technical scoring is locked: decisions on responsiveness are final.")
            )
        findings = compliance_findings(call)
        undecided = (
            Submission.objects.filter(call=call)
            .received()
            .filter(compliance__isnull=True)
            .order_by("number")
        )
        for submission in undecided:
            if not findings.get(submission.pk):
                _record(submission, [], True, "", user=user, request=request)
                marked += 1
    return marked


def compliance_undecided(panel: Panel) -> list[str]:
    """The labels of the received bids without a decision, in order."""
    return [
        str(s.label)
        for s in Submission.objects.filter(call=panel.call)
        .received()
        .filter(compliance__isnull=True)
        .order_by("number")
    ]
