"""The append-only audit trail: who did what to which submission, when, from where."""

import hashlib
import json
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from applications.choices import AuditAction


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted."""


class AppendOnlyModel(models.Model):
    """Written once: saving an existing row, or deleting one, raises."""

    append_only_message = "The audit trail is append-only."

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.append_only_message)


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit trail is append-only.")


class AuditEvent(AppendOnlyModel):
    # Set by the database, never the application: the column's default, and on
    # PostgreSQL a trigger that stamps clock_timestamp() whatever was sent
    # (applications.audit_triggers). Read back on insert (RETURNING).
    at = models.DateTimeField(_("at"), db_default=Now(), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    call = models.ForeignKey(
        "tenders.CallPage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submission = models.ForeignKey(
        "applications.Submission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    file_id = models.UUIDField(_("file"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    # The hash chain (applications.services.audit_chain): set once, right after
    # the event's transaction commits; the database refuses any other change.
    seq = models.PositiveBigIntegerField(_("position in the chain"), null=True, unique=True)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)
    # The personal details (``PERSONAL``: where from, which file name, the detail) are
    # chained through their own salted hash, so that the retention policy can erase
    # them (``details_erased_at``, salt and all) and the chain still verifies
    # (applications.services.audit_erasure). Events chained before that carry their
    # first hash in ``legacy_hash``, which old checkpoints name.
    # (Defaults in the database too, so that a client writing raw SQL can still append.)
    details_salt = models.CharField(
        _("details' salt"), max_length=32, blank=True, default="", db_default=""
    )
    details_hash = models.CharField(
        _("details' hash"), max_length=64, blank=True, default="", db_default=""
    )
    details_erased_at = models.DateTimeField(_("details erased at"), null=True, blank=True)
    legacy_hash = models.CharField(
        _("hash before the upgrade"), max_length=64, blank=True, default="", db_default=""
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is None and not self.details_salt:
            # The form the database keeps (an IPv6 address compressed), so that the
            # digest read back matches the one written.
            field = self._meta.get_field("ip_address")
            self.ip_address = field.get_prep_value(self.ip_address) or None
            self.details_salt = secrets.token_hex(16)
            self.details_hash = details_digest(self)
        super().save(*args, **kwargs)


# The columns that may name or locate a person: erased together, chained by hash.
PERSONAL = ("ip_address", "file_name", "detail")


def details_digest(event) -> str:
    """SHA-256 over an event's salt and personal details, in canonical JSON."""
    content = {name: getattr(event, name) for name in PERSONAL}
    content["salt"] = event.details_salt
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def is_erased(event) -> bool:
    """Its personal details are all gone, salt included (what an erasure leaves)."""
    return (
        event.ip_address is None
        and event.file_name == ""
        and event.detail == ""
        and event.details_salt == ""
    )


def erased_ranges(ids) -> str:
    """Event ids as ranges, as an erasure's record lists them: ``3-7,12``."""
    ids, parts = sorted(set(ids)), []
    start = prev = None
    for pk in ids + [None]:
        if start is not None and pk == prev + 1:
            prev = pk
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = pk
    return ",".join(parts)


def ids_of_ranges(text: str) -> set[int]:
    ids: set[int] = set()
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        ids.update(range(int(first), int(last or first) + 1))
    return ids


def erased_on_record() -> set[int]:
    """The events whose details an erasure's own event (``DETAILS_ERASED``, never itself
    erased) says it erased: its detail is ``<why>: <ranges>``."""
    records = AuditEvent.objects.filter(action=AuditAction.DETAILS_ERASED)
    ids: set[int] = set()
    for detail in records.values_list("detail", flat=True):
        ids |= ids_of_ranges(detail.rpartition(": ")[2])
    return ids
