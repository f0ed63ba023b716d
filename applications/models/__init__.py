from .audit import AuditEvent
from .opening import (
    CallOpening,
    OpeningCommittee,
    OpeningConfirmation,
    OpeningDelay,
    OpeningRegister,
)
from .submissions import Submission, SubmissionFile, SubmissionSequence

__all__ = [
    "AuditEvent",
    "CallOpening",
    "OpeningCommittee",
    "OpeningConfirmation",
    "OpeningDelay",
    "OpeningRegister",
    "Submission",
    "SubmissionFile",
    "SubmissionSequence",
]
