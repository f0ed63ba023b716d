from .audit import AuditEvent
from .opening import CallOpening, OpeningCommittee, OpeningConfirmation
from .submissions import Submission, SubmissionFile, SubmissionSequence

__all__ = [
    "AuditEvent",
    "CallOpening",
    "OpeningCommittee",
    "OpeningConfirmation",
    "Submission",
    "SubmissionFile",
    "SubmissionSequence",
]
