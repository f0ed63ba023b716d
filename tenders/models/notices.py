"""What a call publishes after it opens: answers to clarifications, and addenda."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenders.querysets import original_calls


class ClarificationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publish=True, published_at__isnull=False).exclude(answer="")


class Clarification(models.Model):
    """An applicant's question, private to staff; the answer is published for all.

    The asker is never shown on the call page.
    """

    call = models.ForeignKey(
        "tenders.CallPage",
        on_delete=models.CASCADE,
        related_name="clarifications",
        limit_choices_to=original_calls,
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    publish = models.BooleanField(
        _("publish"),
        default=False,
        help_text=_(
            "Publish the question and answer on the call page (without the asker's name) "
            "and notify everyone who has started a submission."
        ),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ClarificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("clarification")
        ordering = ["asked_at"]

    def __str__(self):
        return self.question[:80]


class Addendum(models.Model):
    """A recorded change to a published call's deadline or terms."""

    call = models.ForeignKey("tenders.CallPage", on_delete=models.CASCADE, related_name="addenda")
    number = models.PositiveSmallIntegerField(_("number"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    previous_closes_at = models.DateTimeField(_("previous deadline"), null=True, blank=True)
    new_closes_at = models.DateTimeField(_("new deadline"), null=True, blank=True)
    terms_changed = models.BooleanField(_("terms changed"), default=False)
    # The application form changed: bidders are told which answers are kept.
    form_changed = models.BooleanField(_("application form changed"), default=False)
    summary = models.TextField(_("summary"))

    class Meta:
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="unique_addendum_number")
        ]

    def __str__(self):
        return f"Addendum {self.number}"

    @property
    def deadline_moved(self) -> bool:
        return self.new_closes_at is not None and self.new_closes_at != self.previous_closes_at


class PublishedTerms(models.Model):
    """What the public last saw of a call: its deadline and a fingerprint of its terms.

    Compared on each publish to decide whether an addendum is due.
    """

    call = models.OneToOneField(
        "tenders.CallPage", on_delete=models.CASCADE, related_name="published_terms"
    )
    closes_at = models.DateTimeField()
    clarifications_close_at = models.DateTimeField()
    terms_fingerprint = models.CharField(max_length=64)
    # Empty until the form is first recorded (terms published before forms existed).
    form_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("published terms")

    def __str__(self):
        return f"Published terms of call {self.call_id}"


class CallCancellation(models.Model):
    """A call cancelled: a recorded act with its reason, written once on publish.

    Everyone who started a bid is told (``call_cancelled``), and the call's
    bids are never opened.
    """

    call = models.OneToOneField(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="cancellation"
    )
    reason = models.TextField(_("reason"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("call cancellation")

    def __str__(self):
        return f"Cancellation of call {self.call_id}"
