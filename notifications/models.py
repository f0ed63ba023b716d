"""The outbox: every email the portal sends is first a row here.

It is written in the same transaction as the event that causes it, so a
rolled-back event sends nothing and a committed one is never lost. A worker
delivers it after commit; a beat sweep re-sends what is stuck.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxQuerySet(models.QuerySet):
    def undelivered(self):
        return self.filter(sent_at__isnull=True, failed_at__isnull=True)


class OutboxMessage(models.Model):
    # A stable key per (event, recipient): enqueuing the same notice twice
    # yields one row, so a repeated action mails each person once.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    to_email = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    failed_at = models.DateTimeField(_("gave up at"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing email")
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self):
        return f"{self.to_email}: {self.subject}"
