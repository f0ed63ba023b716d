"""The panel's work: hand-over, conflict declarations, reviews, locking, outcomes."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import AuditAction, SubmissionStatus
from applications.models import Submission
from applications.services.audit import audit_record
from core.errors import NotAllowed, Refused
from notifications.services import outbox_enqueue
from reviews.choices import ReviewStatus
from reviews.models import Assignment, Panel, Review, Score
from reviews.permissions import (
    can_declare_conflict,
    can_manage_evaluation,
    can_score,
)
from reviews.services.compliance import compliance_undecided

HALF = Decimal("0.5")


def _members(panel) -> list:
    members = list(panel.members.order_by("pk"))
    if panel.chair_id not in {m.pk for m in members}:
        members.append(panel.chair)
    return members


def panel_hand_over(*, call) -> int:
    """Give a closed call's submissions to its panel and tell each reviewer once.

    Every member reviews every submission, unless the panel asks for N
    reviewers per submission: then each submission goes to the N members with
    the fewest assignments so far, spreading the work evenly. Idempotent.
    Returns the number of assignments created.
    """
    with transaction.atomic():
        panel = Panel.objects.select_for_update().filter(call=call).first()
        if panel is None or panel.handed_over_at is not None:
            return 0
        members = _members(panel)
        submissions = list(Submission.objects.filter(call=call).received().order_by("number"))
        load = {m.pk: 0 for m in members}
        per_submission = panel.reviewers_per_submission or len(members)
        assignments = []
        for submission in submissions:
            chosen = sorted(members, key=lambda m: (load[m.pk], m.pk))[:per_submission]
            for member in chosen:
                load[member.pk] += 1
                assignments.append(Assignment(panel=panel, submission=submission, reviewer=member))
        Assignment.objects.bulk_create(assignments)
        panel.handed_over_at = timezone.now()
        panel.save(update_fields=["handed_over_at"])
        for member in members:
            mine = [a for a in assignments if a.reviewer_id == member.pk]
            if not mine:
                continue
            outbox_enqueue(
                to=member.email,
                language=member.language,
                template="reviews/emails/panel_assignments",
                context={
                    "call": call,
                    "panel": panel,
                    "reviewer": member,
                    "labels": [str(a.submission.label) for a in mine],
                },
                dedupe_key=f"handover:{panel.pk}:{member.pk}",
            )
    return len(assignments)


def conflict_declare(
    *, assignment: Assignment, user, has_conflict: bool, explanation: str = "", request=None
) -> Assignment:
    """Record a reviewer's declaration. A conflict recuses them and tells the chair."""
    if not can_declare_conflict(user, assignment):
        raise NotAllowed(_("You have already declared, or may not declare here."))
    if has_conflict and not explanation.strip():
        raise Refused(_("Explain the conflict of interest, so the chair can act on it."))
    with transaction.atomic():
        assignment.declared_at = timezone.now()
        assignment.has_conflict = has_conflict
        assignment.conflict_explanation = explanation.strip()
        assignment.save(update_fields=["declared_at", "has_conflict", "conflict_explanation"])
        audit_record(
            actor=user,
            action=AuditAction.CONFLICT_DECLARED,
            request=request,
            submission=assignment.submission,
            detail=_("Conflict: %(text)s") % {"text": assignment.conflict_explanation}
            if has_conflict
            else _("No conflict"),
        )
        if has_conflict:
            panel = assignment.panel
            outbox_enqueue(
                to=panel.chair.email,
                template="reviews/emails/conflict_declared",
                context={"call": panel.call, "assignment": assignment},
                dedupe_key=f"conflict:{assignment.pk}",
            )
    return assignment


def _check_points(criterion, points: Decimal) -> None:
    if points < 0 or points > criterion.max_points or (points / HALF) % 1:
        raise Refused(
            _("%(criterion)s: give 0 to %(max)s points, in halves.")
            % {"criterion": criterion.title, "max": criterion.max_points}
        )


def review_save(
    *, assignment: Assignment, user, scores: dict, submit: bool = False, request=None
) -> Review:
    """Save a reviewer's scores as a draft, or submit them.

    ``scores`` maps a criterion id to ``(points or None, comment)``. Submitting
    needs every criterion scored. Once submitted, each change (until the chair
    locks scoring) is written to the audit trail with its old and new value.
    """
    if not can_score(user, assignment):
        raise NotAllowed(_("You cannot score this submission now."))
    criteria = {c.pk: c for c in assignment.submission.call.criteria.all()}
    for criterion_id, (points, _comment) in scores.items():
        if criterion_id not in criteria:
            raise Refused(_("That criterion is not part of this call."))
        if points is not None:
            _check_points(criteria[criterion_id], points)
    if submit and any(scores.get(pk, (None, ""))[0] is None for pk in criteria):
        raise Refused(_("Score every criterion before submitting your review."))
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        review, _created = Review.objects.get_or_create(assignment=locked)
        was_submitted = review.is_submitted
        existing = {s.criterion_id: s for s in review.scores.all()}
        for criterion_id, (points, comment) in scores.items():
            old = existing.get(criterion_id)
            if points is None:
                if old and not was_submitted:
                    old.delete()
                continue
            if old and (old.points, old.comment) == (points, comment):
                continue
            if was_submitted and old:
                audit_record(
                    actor=user,
                    action=AuditAction.SCORE_CHANGED,
                    request=request,
                    submission=locked.submission,
                    detail=f"{criteria[criterion_id].title}: {old.points} → {points}",
                )
            Score.objects.update_or_create(
                review=review,
                criterion_id=criterion_id,
                defaults={"points": points, "comment": comment},
            )
        if submit and not was_submitted:
            review.status = ReviewStatus.SUBMITTED
            review.submitted_at = timezone.now()
            review.save()
            audit_record(
                actor=user,
                action=AuditAction.REVIEW_SUBMITTED,
                request=request,
                submission=locked.submission,
            )
    return review


def require_manager(user, panel):
    if not can_manage_evaluation(user, panel.call):
        raise NotAllowed(_("Only the chair or staff can do this."))


def panel_lock(*, panel: Panel, user, request=None) -> Panel:
    """Lock technical scoring: reviews can no longer change; bids become evaluated."""
    require_manager(user, panel)
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        if panel.locked_at:
            return panel
        undecided = compliance_undecided(panel)
        if undecided:
            raise Refused(
                _(
                    "Mark every bid responsive or not responsive before scoring is locked "
                    "(only responsive bids are evaluated). Still to decide: %(bids)s."
                )
                % {"bids": ", ".join(undecided)}
            )
        short = reviews_short(panel)
        if short:
            raise Refused(
                _(
                    "Each bid needs at least %(minimum)s submitted reviews before scoring is "
                    "locked. Still short: %(bids)s."
                )
                % {
                    "minimum": panel.minimum_reviews,
                    "bids": "; ".join(
                        _("%(bid)s has %(done)s of %(minimum)s")
                        % {"bid": label, "done": done, "minimum": panel.minimum_reviews}
                        for label, done in short
                    ),
                }
            )
        panel.locked_at = timezone.now()
        panel.save(update_fields=["locked_at"])
        for submission in Submission.objects.filter(
            call=panel.call, status=SubmissionStatus.SUBMITTED
        ):  # a bid found not responsive is evaluated too: it was examined, and failed
            submission.move_to(SubmissionStatus.EVALUATED)
            submission.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=user, action=AuditAction.SCORING_LOCKED, request=request, call=panel.call
        )
    return panel


def reviews_short(panel: Panel) -> list[tuple[str, int]]:
    """(bid label, submitted reviews) for each received bid below the panel's minimum."""
    done = dict(
        Assignment.objects.filter(
            panel=panel, has_conflict=False, review__status=ReviewStatus.SUBMITTED
        )
        .order_by()
        .values_list("submission_id")
        .annotate(n=Count("pk"))
    )
    # A bid found not responsive is not scored: it needs no reviews.
    bids = (
        Submission.objects.filter(call=panel.call)
        .received()
        .exclude(compliance__responsive=False)
        .order_by("number")
    )
    return [
        (str(s.label), done.get(s.pk, 0))
        for s in bids
        if done.get(s.pk, 0) < panel.minimum_reviews
    ]


def review_progress(panel: Panel) -> tuple[int, int]:
    """(reviews submitted, reviews expected) over non-recused assignments: the count
    of ``Panel.objects.with_review_progress()``, which every screen shows."""
    counted = Panel.objects.with_review_progress().get(pk=panel.pk)
    return counted.reviews_done, counted.reviews_expected


def panels_hand_over_due(*, now=None) -> list[int]:
    """Hand over every closed call whose panel has not had it yet (beat, every minute)."""
    now = now or timezone.now()
    due = Panel.objects.filter(handed_over_at__isnull=True, call__closes_at__lte=now)
    handed = []
    for panel in due.select_related("call"):
        panel_hand_over(call=panel.call)
        handed.append(panel.call_id)
    return handed
