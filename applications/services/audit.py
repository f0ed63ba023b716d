"""Writing the audit trail."""

import logging

from django.db import DatabaseError

from applications.choices import AuditAction
from applications.models import AuditEvent
from applications.services.audit_chain import audit_chain_extend
from core.client_ip import client_ip
from core.db import after_commit_batch

logger = logging.getLogger(__name__)


def _chain_quietly(_events) -> None:
    try:
        audit_chain_extend()
    except DatabaseError as exc:
        logger.warning("Audit chain not extended now (the sweep will): %s", exc)


def audit_record(
    *,
    actor,
    action: AuditAction,
    request=None,
    call=None,
    submission=None,
    file=None,
    detail: str = "",
) -> AuditEvent:
    """Append one event: who, what, when, from where."""
    if submission is not None and call is None:
        call_id = submission.call_id
    else:
        call_id = getattr(call, "pk", None)
    event = AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        call_id=call_id,
        submission=submission,
        file_id=getattr(file, "pk", None),
        file_name=getattr(file, "original_name", ""),
        ip_address=client_ip(request),
        detail=detail,
    )
    # Linked into the hash chain once the transaction commits (once per transaction;
    # a failure there is logged, and the beat sweep links the event later).
    after_commit_batch("audit-chain", event.pk, _chain_quietly, robust=True)
    return event
