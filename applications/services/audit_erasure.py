"""Erasing the personal details of audit events, the chain left whole.

An event's details (the address it came from, a file's name, the free-text
detail) are chained through their salted hash (``AuditEvent.details_hash``), so
emptying them, salt and all, changes nothing the chain covers: ``verify_audit``
still checks every link, and what remains (who by pseudonym, what, when, on
which bid) is still the record. The database allows this one change and no
other (``applications.audit_triggers``).
"""

from django.db import models, transaction
from django.db.models.functions import Now

from applications.choices import AuditAction
from applications.models import AuditEvent
from applications.models.audit import erased_ranges
from applications.services.audit import audit_record


def audit_details_erase(*, events: models.QuerySet, why: str) -> int:
    """Erase the details of ``events`` (AuditEvent rows) not already erased, and record
    which and why in an event of its own (``DETAILS_ERASED``, which is never erased), in
    the same transaction: ``verify_audit`` fails on an erasure not on that record. The
    count."""
    pending = (
        events.filter(details_erased_at__isnull=True)
        .exclude(details_hash="")
        .exclude(action=AuditAction.DETAILS_ERASED)
    )
    with transaction.atomic():
        ids = list(pending.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        erased = models.QuerySet.update(
            AuditEvent.objects.filter(pk__in=ids),
            ip_address=None,
            file_name="",
            detail="",
            details_salt="",
            details_erased_at=Now(),
        )
        audit_record(
            actor=None, action=AuditAction.DETAILS_ERASED, detail=f"{why}: {erased_ranges(ids)}"
        )
    return erased
