"""The outbox: every email the portal sends is first a row here.

It is written in the same transaction as the event that causes it, so a
rolled-back event sends nothing and a committed one is never lost. A worker
delivers it after commit; beat's sweep sends whatever is due again.

A message's life: ``pending`` (due at ``next_attempt_at``) → ``sending`` (claimed
by one worker until ``lease_expires_at``) → ``sent``; or back to ``pending`` after
a failed attempt, with exponential backoff, until ``give_up_at``, then ``failed``.
Staff see failed mail in the admin and may retry it.
"""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EMAIL_LIKE = re.compile(r"[^\s'\"<>(),;:]+@[^\s'\"<>(),;:]+")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxQuerySet(models.QuerySet):
    def undelivered(self):
        return self.exclude(state__in=[OutboxState.SENT, OutboxState.FAILED])

    def due(self, now):
        """Messages a worker may claim now: pending and due, or claimed by a worker
        whose lease ran out (it died, or its SMTP conversation hung)."""
        return self.filter(
            models.Q(state=OutboxState.PENDING, next_attempt_at__lte=now)
            | models.Q(state=OutboxState.SENDING, lease_expires_at__lte=now)
        )


class OutboxMessage(models.Model):
    # A stable key per (event, recipient): enqueuing the same notice twice
    # yields one row, so a repeated action mails each person once.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    to_email = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    # About a bid: who bid on what is sealed, so the admin screen shows neither
    # the recipient nor the subject, only that such a message exists.
    confidential = models.BooleanField(_("about a bid"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    lease_expires_at = models.DateTimeField(_("claimed until"), null=True, blank=True)
    give_up_at = models.DateTimeField(_("retried until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    failed_at = models.DateTimeField(_("gave up at"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["state", "lease_expires_at"]),
        ]
        permissions = [("retry_outboxmessage", _("Can see outgoing mail and retry it"))]

    def __str__(self):
        return f"{self.to_email}: {self.subject}"

    @property
    def error_for_staff(self) -> str:
        """The last error, with addresses blanked on mail about a bid."""
        if not self.confidential:
            return self.last_error
        return EMAIL_LIKE.sub("[address hidden]", self.last_error)

    @property
    def message_id(self) -> str:
        """The same on every attempt, so that mail clients drop a repeat."""
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "zabuni"
        return f"<outbox-{self.pk}@{domain}>"
