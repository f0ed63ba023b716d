from .audit import AuditEvent
from .opening import CallOpening
from .outbox import OutboxMessage
from .reviews import Assignment, Panel, ReminderSent, Review, Score
from .submissions import Submission, SubmissionFile

__all__ = [
    "Assignment",
    "Panel",
    "ReminderSent",
    "Review",
    "Score",
    "AuditEvent",
    "CallOpening",
    "OutboxMessage",
    "Submission",
    "SubmissionFile",
]
