from .audit import AuditEvent
from .opening import CallOpening, OpeningCommittee, OpeningConfirmation, OpeningRegister
from .submissions import Submission, SubmissionFile, SubmissionSequence

__all__ = [
    "AuditEvent",
    "CallOpening",
    "OpeningCommittee",
    "OpeningConfirmation",
    "OpeningRegister",
    "Submission",
    "SubmissionFile",
    "SubmissionSequence",
]
