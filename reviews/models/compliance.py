"""The preliminary examination of each bid: responsive to the call or not (Kenya's
PPADA 2015 s.79: only responsive bids are evaluated)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplianceDecision(models.Model):
    """The chair's (or the panel secretary's) decision on one opened bid. It may change
    until technical scoring is locked; every decision is in the audit trail."""

    submission = models.OneToOneField(
        "applications.Submission", on_delete=models.PROTECT, related_name="compliance"
    )
    responsive = models.BooleanField(_("responsive"))
    reason = models.TextField(_("reason"), blank=True)
    # What the portal had found when the decision was taken ([{"kind", "subject"}]).
    findings = models.JSONField(_("what the portal found"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("compliance decision")

    def __str__(self):
        return f"{'Responsive' if self.responsive else 'Not responsive'}: {self.submission_id}"
