"""Review panels: members, assignments with conflict declarations, reviews and scores."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from reviews.choices import ReviewStatus


def not_recused(prefix: str = "") -> Q:
    """The assignments still owed a review: every one but those recused by a declared
    conflict. One not yet declared counts (its review is expected all the same)."""
    return Q(**{f"{prefix}has_conflict": False}) | Q(**{f"{prefix}has_conflict__isnull": True})


class PanelQuerySet(models.QuerySet):
    def with_review_progress(self):
        """Annotate ``reviews_done`` (submitted) of ``reviews_expected`` (not recused),
        counted in the database: the one count every screen shows."""
        expected = not_recused("assignments__")
        return self.annotate(
            reviews_expected=Count("assignments", filter=expected),
            reviews_done=Count(
                "assignments",
                filter=expected & Q(assignments__review__status=ReviewStatus.SUBMITTED),
            ),
        )


class AssignmentQuerySet(models.QuerySet):
    def not_recused(self):
        return self.filter(not_recused())


class Panel(models.Model):
    """The reviewers of one call, one of them the chair, and the evaluation's milestones."""

    call = models.OneToOneField("tenders.CallPage", on_delete=models.PROTECT, related_name="panel")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chair"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="review_panels",
        verbose_name=_("reviewers"),
        blank=True,
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("secretary"),
        null=True,
        blank=True,
        help_text=_(
            "A panel member who may mark bids responsive or not with the chair. "
            "Leave empty for the chair alone."
        ),
    )
    reviewers_per_submission = models.PositiveSmallIntegerField(
        _("reviewers per submission"),
        null=True,
        blank=True,
        help_text=_("Leave empty for every panel member to review every submission."),
    )
    review_deadline = models.DateTimeField(_("review deadline"))
    minimum_reviews = models.PositiveSmallIntegerField(
        _("minimum reviews per bid"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Technical scoring cannot be locked while a bid has fewer submitted reviews "
            "(reviewers who declared a conflict do not count)."
        ),
    )
    disagreement_spread = models.DecimalField(
        # xgettext:no-python-format
        _("disagreement spread (% of a criterion's maximum)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "A criterion is flagged when the reviewers' points for it differ by more than "
            "this share of its maximum."
        ),
    )
    handed_over_at = models.DateTimeField(_("handed to the panel at"), null=True, blank=True)
    locked_at = models.DateTimeField(_("technical scoring locked at"), null=True, blank=True)
    financial_opened_at = models.DateTimeField(
        _("financial envelopes opened at"), null=True, blank=True
    )
    evaluation_note = models.TextField(_("evaluation note"), blank=True)
    outcomes_sent_at = models.DateTimeField(_("outcome notices sent at"), null=True, blank=True)

    objects = PanelQuerySet.as_manager()

    class Meta:
        verbose_name = _("review panel")

    def __str__(self):
        return f"Panel for {self.call}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Assignment(models.Model):
    """One reviewer's duty towards one submission, starting with a conflict declaration."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="assignments")
    submission = models.ForeignKey(
        "applications.Submission", on_delete=models.PROTECT, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    has_conflict = models.BooleanField(_("has a conflict of interest"), null=True)
    conflict_explanation = models.TextField(_("explanation"), blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        constraints = [
            models.UniqueConstraint(fields=["submission", "reviewer"], name="one_assignment")
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.submission}"

    @property
    def declared_no_conflict(self) -> bool:
        return self.declared_at is not None and self.has_conflict is False

    @property
    def is_recused(self) -> bool:
        return bool(self.has_conflict)


class Review(models.Model):
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("review")

    def __str__(self):
        return f"Review of {self.assignment}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


class Score(models.Model):
    """Points for one criterion, from 0 to its maximum in halves, with a comment."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    # PROTECT: the call form refuses changes to criteria once the call has closed.
    criterion = models.ForeignKey(
        "tenders.CallCriterion", on_delete=models.PROTECT, related_name="scores"
    )
    points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion}: {self.points}"


class ReminderSent(models.Model):
    """A reminder window (48 or 24 hours before the review deadline) already used."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    hours_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "hours_before"], name="one_reminder_per_window"
            )
        ]

    def __str__(self):
        return f"Reminder {self.hours_before} h for {self.assignment_id}"
