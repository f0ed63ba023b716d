"""The panel's decisions after technical scoring: opening the prices (QBS one firm at a
time, when negotiation fails), each bid's outcome, and the notices that tell everyone."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import OUTCOMES, AuditAction, SubmissionStatus
from applications.models import Submission
from applications.services.audit import audit_record
from core.errors import NotAllowed, Refused
from notifications.services import outbox_enqueue
from reviews.models import Panel
from reviews.ranking import call_ranking
from reviews.services.panels import require_manager
from reviews.services.registers import (
    financial_register_addendum_write,
    financial_register_write,
)
from tenders.choices import SelectionMethod
from tenders.stages import shortlist_is_frozen


def financial_open(*, panel: Panel, user, request=None) -> int:
    """Open the financial envelopes of bids at or above the minimum technical score.

    Only after technical scoring is locked. Under QBS only the top-ranked firm's
    envelope is opened (the next one only if negotiation with it fails:
    ``negotiation_fail``). A bid below the minimum is never opened, in any method.
    Each opening is audited, and the financial opening register is written and
    mailed to the bidders it lists. Returns how many envelopes were opened.
    """
    require_manager(user, panel)
    if not panel.is_locked:
        raise NotAllowed(_("Lock technical scoring before opening financial envelopes."))
    if not panel.call.has_financial_envelope:
        raise Refused(_("This call has no financial envelopes."))
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        if panel.financial_opened_at:
            return 0
        now = timezone.now()
        rows = [row for row in call_ranking(panel.call) if row.qualifies]
        if panel.call.selection_method == SelectionMethod.QBS:
            rows = [row for row in rows if row.rank == 1]
        technical = {row.entry.id: row.technical for row in rows}
        opened = _open_envelopes(technical, user=user, request=request, now=now)
        panel.financial_opened_at = now
        panel.save(update_fields=["financial_opened_at"])
        financial_register_write(
            call=panel.call, technical=technical, opened_by=user, opened_at=now
        )
    return opened


def _open_envelopes(technical: dict, *, user, request, now) -> int:
    opened = 0
    for submission in Submission.objects.filter(pk__in=technical, financial_opened_at=None):
        submission.financial_opened_at = now
        submission.save(update_fields=["financial_opened_at", "updated_at"])
        audit_record(
            actor=user,
            action=AuditAction.FINANCIAL_OPENED,
            request=request,
            submission=submission,
        )
        opened += 1
    return opened


def negotiation_fail(*, panel: Panel, user, submission: Submission, reason: str, request=None):
    """QBS: negotiation with the firm whose price is open failed. The reason is audited,
    and the next-ranked firm's envelope is opened (and audited), recorded as an addendum
    to the financial opening register and mailed to that firm. Returns that next
    submission, or None when no firm is left."""
    require_manager(user, panel)
    reason = (reason or "").strip()
    if panel.call.selection_method != SelectionMethod.QBS:
        raise Refused(_("Negotiation failures are recorded only under QBS."))
    if len(reason) < 20:
        raise Refused(_("Say why negotiation failed, in at least 20 characters."))
    if panel.outcomes_sent_at:
        raise NotAllowed(_("Outcome notices have been sent; outcomes are final."))
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        if not panel.financial_opened_at:
            raise NotAllowed(_("Open the top-ranked firm's price first."))
        current = _negotiating(panel.call)
        if current is None or current.entry.id != submission.pk:
            raise Refused(_("Only the firm now in negotiation can be marked as failed."))
        now = timezone.now()
        Submission.objects.filter(pk=submission.pk).update(negotiation_failed_at=now)
        audit_record(
            actor=user,
            action=AuditAction.NEGOTIATION_FAILED,
            request=request,
            submission=submission,
            detail=reason,
        )
        following = _negotiating(panel.call)
        if following is None:
            return None
        _open_envelopes(
            {following.entry.id: following.technical}, user=user, request=request, now=now
        )
        opened = Submission.objects.get(pk=following.entry.id)
        financial_register_addendum_write(
            call=panel.call,
            submission=opened,
            technical=following.technical,
            opened_by=user,
            opened_at=now,
            failed_with=submission,
        )
    return opened


def _negotiating(call):
    """QBS: the best-ranked firm whose negotiation has not failed, or None."""
    return _first_choice(call_ranking(call))


def _first_choice(rows):
    """The bid the ranking recommends: the best-ranked one still in the running."""
    return next((r for r in rows if r.rank is not None and not r.entry.negotiation_failed), None)


def outcome_decide(
    *, panel: Panel, user, submission: Submission, outcome: str, reason: str = "", request=None
):
    """The chair marks a bid shortlisted, awarded or not successful, until notices go out.

    Only a ranked bid can be shortlisted or awarded (under QBS, only the firm whose
    price is open and whose negotiation has not failed can be awarded). Awarding
    any other bid than the ranking's first choice, or turning that one down, goes
    against the ranking: it needs a reason of at least 20 characters. Each decision
    and its reason go into the audit trail.
    """
    require_manager(user, panel)
    if outcome not in OUTCOMES:
        raise Refused(_("Choose shortlisted, awarded or not successful."))
    if not panel.is_locked:
        raise NotAllowed(_("Lock technical scoring before deciding outcomes."))
    if panel.outcomes_sent_at:
        raise NotAllowed(_("Outcome notices have been sent; outcomes are final."))
    if panel.call.is_first_stage and shortlist_is_frozen(panel.call):
        raise NotAllowed(
            _("The shortlist is frozen: the second stage that invites it has been published.")
        )
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk, call=panel.call)
        rows = call_ranking(panel.call)
        row = next((r for r in rows if r.entry.id == locked.pk), None)
        if outcome in (SubmissionStatus.AWARDED, SubmissionStatus.SHORTLISTED) and (
            row is None or row.rank is None
        ):
            raise Refused(
                _("Only a ranked bid can be shortlisted or awarded: %(bid)s is %(why)s.")
                % {"bid": locked.label, "why": row.excluded if row else _("not ranked")}
            )
        if outcome == SubmissionStatus.AWARDED and panel.call.selection_method == (
            SelectionMethod.QBS
        ):
            if row.entry.negotiation_failed or locked.financial_opened_at is None:
                raise Refused(
                    _("Under QBS only the firm in negotiation, whose price is open, is awarded.")
                )
        first = _first_choice(rows)
        against = first is not None and (
            (outcome == SubmissionStatus.AWARDED and first.entry.id != locked.pk)
            or (outcome == SubmissionStatus.NOT_SUCCESSFUL and first.entry.id == locked.pk)
        )
        if against and len(reason) < 20:
            raise Refused(
                _(
                    "This goes against the ranking (its first choice is %(first)s): record "
                    "why, in at least 20 characters."
                )
                % {"first": first.entry.label}
            )
        if locked.status == outcome:
            return locked
        try:
            locked.move_to(SubmissionStatus(outcome))
        except ValueError as exc:
            raise Refused(_("That outcome cannot be set for this submission.")) from exc
        locked.save(update_fields=["status", "updated_at"])
        detail = locked.get_status_display()
        if against:
            detail = _("%(outcome)s, against the ranking: %(reason)s") % {
                "outcome": detail,
                "reason": reason,
            }
        elif reason:
            detail = f"{detail}: {reason}"
        audit_record(
            actor=user,
            action=AuditAction.OUTCOME_DECIDED,
            request=request,
            submission=locked,
            detail=detail,
        )
    return locked


def outcomes_send(*, panel: Panel, user, request=None) -> int:
    """Email every applicant their outcome, through the outbox. Twice mails each once."""
    require_manager(user, panel)
    with transaction.atomic():
        # The panel's row only: never the call's page rows (of="self").
        panel = (
            Panel.objects.select_for_update(of=("self",)).select_related("call").get(pk=panel.pk)
        )
        submissions = list(
            Submission.objects.filter(call=panel.call)
            .received()
            .select_related("applicant", "compliance")
        )
        undecided = [s for s in submissions if s.status not in OUTCOMES]
        if undecided:
            raise Refused(
                _("Decide an outcome for every submission first (%(n)s left).")
                % {"n": len(undecided)}
            )
        for submission in submissions:
            outbox_enqueue(
                to=submission.applicant.email,
                language=submission.applicant.language,
                template="reviews/emails/outcome_notice",
                context={
                    "call": panel.call,
                    "submission": submission,
                    "panel": panel,
                    "not_responsive": _not_responsive_decision(submission),
                },
                dedupe_key=f"outcome:{submission.pk}",
                confidential=True,
            )
        if panel.outcomes_sent_at is None:
            panel.outcomes_sent_at = timezone.now()
            panel.save(update_fields=["outcomes_sent_at"])
            audit_record(
                actor=user, action=AuditAction.OUTCOMES_SENT, request=request, call=panel.call
            )
    return len(submissions)


def _not_responsive_decision(submission):
    decision = getattr(submission, "compliance", None)
    return decision if decision is not None and not decision.responsive else None
