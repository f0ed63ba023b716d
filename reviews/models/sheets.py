"""Scoring sheets: a call's ranking and every reviewer's scores, as XLSX and CSV."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SheetStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being assembled")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


# A sheet is built once: done and failed are final (ask for a new sheet to
# try again). Running may restart itself when a worker dies mid-build and the
# broker delivers the task again.
SHEET_TRANSITIONS: dict[SheetStatus, set[SheetStatus]] = {
    SheetStatus.QUEUED: {SheetStatus.RUNNING, SheetStatus.FAILED},
    SheetStatus.RUNNING: {SheetStatus.RUNNING, SheetStatus.DONE, SheetStatus.FAILED},
    SheetStatus.DONE: set(),
    SheetStatus.FAILED: set(),
}
SHEET_FINAL = {SheetStatus.DONE, SheetStatus.FAILED}


class ScoringSheet(models.Model):
    """One request for a call's scoring sheet, and the two files it produced.

    ``blind`` is decided when the sheet is requested, from the requester's
    right to see applicant identities on that call: a blind sheet names bids
    by label only, wherever it is later downloaded.
    """

    call = models.ForeignKey(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="scoring_sheets"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    blind = models.BooleanField(_("applicant names hidden"))
    status = models.CharField(
        _("status"), max_length=20, choices=SheetStatus.choices, default=SheetStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    # Object names in the private storage alias: UUIDs, never a readable name.
    xlsx_object = models.CharField(_("XLSX object"), max_length=255, blank=True)
    csv_object = models.CharField(_("CSV object"), max_length=255, blank=True)
    # The application form's answers, one row per bid (empty when the call has no form).
    answers_csv_object = models.CharField(_("answers CSV object"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Why a sheet failed, or why a queued one has not started (a broker outage).
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("scoring sheet")

    def __str__(self):
        return f"Scoring sheet {self.pk} for {self.call}"

    def can_move_to(self, status: SheetStatus) -> bool:
        return SheetStatus(status) in SHEET_TRANSITIONS[SheetStatus(self.status)]

    @property
    def is_pending(self) -> bool:
        return self.status in (SheetStatus.QUEUED, SheetStatus.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == SheetStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == SheetStatus.FAILED
