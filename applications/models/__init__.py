from .audit import AuditEvent
from .opening import CallOpening
from .outbox import OutboxMessage
from .submissions import Submission, SubmissionFile

__all__ = ["AuditEvent", "CallOpening", "OutboxMessage", "Submission", "SubmissionFile"]
