from .answers import Answer
from .audit import AuditEvent
from .keys import RecoveryKey
from .opening import (
    CallOpening,
    OpeningCommittee,
    OpeningConfirmation,
    OpeningDelay,
    OpeningRegister,
)
from .submissions import Submission, SubmissionFile, SubmissionSequence
from .uploads import PartialUpload

__all__ = [
    "Answer",
    "AuditEvent",
    "CallOpening",
    "OpeningCommittee",
    "OpeningConfirmation",
    "OpeningDelay",
    "OpeningRegister",
    "PartialUpload",
    "RecoveryKey",
    "Submission",
    "SubmissionFile",
    "SubmissionSequence",
]
