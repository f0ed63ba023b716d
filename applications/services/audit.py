"""Writing the audit trail."""

from applications.choices import AuditAction
from applications.models import AuditEvent


def client_ip(request) -> str | None:
    """The address the request came from, as the web server saw it."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        call_id=call_id,
        submission=submission,
        file_id=getattr(file, "pk", None),
        file_name=getattr(file, "original_name", ""),
        ip_address=client_ip(request),
        detail=detail,
    )
