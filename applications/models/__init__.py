from .audit import AuditEvent
from .opening import CallOpening
from .submissions import Submission, SubmissionFile, SubmissionSequence

__all__ = ["AuditEvent", "CallOpening", "Submission", "SubmissionFile", "SubmissionSequence"]
