"""Erasing an account: on its owner's request, or after years unused."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureState(models.TextChoices):
    # Everything went at once: nothing was left to keep.
    DONE = "done", _("Erased")
    # The account is closed and its details gone, but records the law makes us keep
    # still name the applicant until ``kept_until``; then they are anonymised.
    KEEPING = "keeping", _("Closed; records kept until their period ends")


class ErasureReason(models.TextChoices):
    REQUEST = "request", _("Asked for by the account's owner")
    INACTIVE = "inactive", _("Account unused for the retention period")


class ErasureRequest(models.Model):
    """One account's erasure, and what had to be kept for how long.

    ``pseudonym`` is what the kept records show in place of the person once
    their details are gone. ``user`` stays linked to the emptied account row, so
    that the records that point at it keep pointing somewhere.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure"
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=40, unique=True)
    reason = models.CharField(_("reason"), max_length=10, choices=ErasureReason.choices)
    state = models.CharField(_("state"), max_length=10, choices=ErasureState.choices)
    requested_at = models.DateTimeField(_("asked for at"))
    # What the law made us keep, in the words the applicant was shown, and until when.
    kept = models.TextField(_("kept"), blank=True)
    kept_until = models.DateTimeField(_("kept until"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("erasure request")
        ordering = ["-requested_at"]

    def __str__(self):
        return self.pseudonym


class InactivityWarning(models.Model):
    """The mail that told an unused account it will be deleted; signing in cancels it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inactivity_warning"
    )
    warned_at = models.DateTimeField(_("warned at"))

    class Meta:
        verbose_name = _("inactivity warning")

    def __str__(self):
        return f"{self.user_id}: {self.warned_at:%Y-%m-%d}"
