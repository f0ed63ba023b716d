"""Erasing the personal details of audit events, the chain left whole.

An event's details (the address it came from, a file's name, the free-text
detail) are chained through their salted hash (``AuditEvent.details_hash``), so
emptying them, salt and all, changes nothing the chain covers: ``verify_audit``
still checks every link, and what remains (who by pseudonym, what, when, on
which bid) is still the record. The database allows this one change and no
other (``applications.audit_triggers``).
"""

from django.db import models
from django.db.models.functions import Now

from applications.models import AuditEvent


def audit_details_erase(*, events: models.QuerySet) -> int:
    """Erase the details of ``events`` (AuditEvent rows) not already erased; the count."""
    pending = events.filter(details_erased_at__isnull=True).exclude(details_hash="")
    return models.QuerySet.update(
        AuditEvent.objects.filter(pk__in=models.Subquery(pending.values("pk"))),
        ip_address=None,
        file_name="",
        detail="",
        details_salt="",
        details_erased_at=Now(),
    )
