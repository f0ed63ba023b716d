from .answers import Answer
from .audit import AuditEvent
from .clean_copies import CleanCopy
from .keys import CallKey, KeyShare, RecoveryKey, RecoveryShare
from .opening import (
    CallOpening,
    OpeningCommittee,
    OpeningConfirmation,
    OpeningDelay,
    OpeningRegister,
)
from .submissions import Submission, SubmissionFile, SubmissionSequence
from .uploads import PartialUpload, ReplacedObject

__all__ = [
    "Answer",
    "AuditEvent",
    "CallKey",
    "CallOpening",
    "CleanCopy",
    "KeyShare",
    "OpeningCommittee",
    "OpeningConfirmation",
    "OpeningDelay",
    "OpeningRegister",
    "PartialUpload",
    "ReplacedObject",
    "RecoveryKey",
    "RecoveryShare",
    "Submission",
    "SubmissionFile",
    "SubmissionSequence",
]
