"""The opening of a call: after its deadline, staff unseal its submissions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CallOpening(models.Model):
    call = models.OneToOneField(
        "tenders.CallPage", on_delete=models.PROTECT, related_name="opening"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    submissions_received = models.PositiveIntegerField(_("submissions received"))

    class Meta:
        verbose_name = _("call opening")

    def __str__(self):
        return f"{self.call} opened {self.opened_at:%Y-%m-%d %H:%M}"
