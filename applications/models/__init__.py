from .audit import AuditEvent
from .opening import CallOpening
from .outbox import OutboxMessage
from .reviews import Assignment, Panel, ReminderSent, Review, Score
from .sheets import ScoringSheet
from .submissions import Submission, SubmissionFile

__all__ = [
    "Assignment",
    "Panel",
    "ReminderSent",
    "Review",
    "Score",
    "ScoringSheet",
    "AuditEvent",
    "CallOpening",
    "OutboxMessage",
    "Submission",
    "SubmissionFile",
]
