"""The chair's sign-off of the evaluation report (reviews.report)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models.audit import AppendOnlyModel


class ReportSignOff(AppendOnlyModel):
    """The chair signed the evaluation report off, as it stood: ``digest`` is the
    SHA-256 of its content then. The page says whether it has changed since."""

    panel = models.OneToOneField(
        "reviews.Panel", on_delete=models.PROTECT, related_name="report_sign_off"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))
    digest = models.CharField(_("SHA-256 of the report"), max_length=64)
    append_only_message = "A signed-off evaluation report is never changed or deleted."

    class Meta:
        verbose_name = _("evaluation report sign-off")

    def __str__(self):
        return f"Evaluation report of {self.panel.call} signed by {self.signed_by}"
