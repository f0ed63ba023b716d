"""Submission states, the one table of allowed transitions, and the audit vocabulary."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EVALUATED = "evaluated", _("Evaluated")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    AWARDED = "awarded", _("Awarded")
    NOT_SUCCESSFUL = "not_successful", _("Not successful")


S = SubmissionStatus

# Applicants move a bid between the first three states, and only before the
# call's deadline (services check the clock). The panel moves it after opening.
TRANSITIONS: dict[SubmissionStatus, set[SubmissionStatus]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.SUBMITTED, S.WITHDRAWN, S.EVALUATED},
    S.WITHDRAWN: {S.SUBMITTED},
    # The chair may change an outcome until the notices go out; the panel
    # service refuses any change after that.
    S.EVALUATED: {S.SHORTLISTED, S.AWARDED, S.NOT_SUCCESSFUL},
    S.SHORTLISTED: {S.AWARDED, S.NOT_SUCCESSFUL},
    S.AWARDED: {S.SHORTLISTED, S.NOT_SUCCESSFUL},
    S.NOT_SUCCESSFUL: {S.SHORTLISTED, S.AWARDED},
}
OUTCOMES = {S.SHORTLISTED, S.AWARDED, S.NOT_SUCCESSFUL}

# States the applicant may still change before the deadline.
APPLICANT_EDITABLE = {S.DRAFT, S.SUBMITTED, S.WITHDRAWN}
# States that count as "received" for the sealed count and the opening.
RECEIVED = {S.SUBMITTED, S.EVALUATED, S.SHORTLISTED, S.AWARDED, S.NOT_SUCCESSFUL}


def can_transition(current: str, target: str) -> bool:
    return SubmissionStatus(target) in TRANSITIONS[SubmissionStatus(current)]


class AuditAction(models.TextChoices):
    FILE_DOWNLOADED = "file_downloaded", _("File downloaded")
    FILE_UPLOADED = "file_uploaded", _("File uploaded")
    SUBMISSION_VIEWED = "submission_viewed", _("Submission viewed")
    RECEIPT_VIEWED = "receipt_viewed", _("Receipt viewed")
    ASSIGNMENT_VIEWED = "assignment_viewed", _("Assignment viewed by its reviewer")
    RANKING_VIEWED = "ranking_viewed", _("Ranking viewed")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CALL_OPENED = "call_opened", _("Call opened")
    OPENING_CONFIRMED = "opening_confirmed", _("Opening confirmed by a committee member")
    OPENING_DELAYED = "opening_delayed", _("Late opening recorded")
    COMMITTEE_CHANGED = "committee_changed", _("Opening committee changed")
    CALL_KEYED = "call_keyed", _("Call's key made and split among its committee")
    SEAL_BROKEN = "seal_broken", _("A stored item failed its integrity check")
    OPENING_KEY_MADE = "opening_key_made", _("Opening key made")
    TERMS_CHANGED = "terms_changed", _("Call's deadline or terms changed")
    CALL_CANCELLED = "call_cancelled", _("Call cancelled")
    ACCESS_REFUSED = "access_refused", _("Access refused")
    SCORE_CHANGED = "score_changed", _("Score changed")
    OUTCOME_DECIDED = "outcome_decided", _("Outcome decided")
    COMPLIANCE_DECIDED = "compliance_decided", _("Marked responsive or not responsive")
    CONFLICT_DECLARED = "conflict_declared", _("Conflict of interest declared")
    REVIEW_SUBMITTED = "review_submitted", _("Review submitted")
    SCORING_LOCKED = "scoring_locked", _("Technical scoring locked")
    FINANCIAL_OPENED = "financial_opened", _("Financial envelope opened")
    NEGOTIATION_FAILED = "negotiation_failed", _("Negotiation failed (QBS)")
    REPORT_SIGNED = "report_signed", _("Evaluation report signed off")
    OUTCOMES_SENT = "outcomes_sent", _("Outcome notices sent")
    RETENTION_PURGED = "retention_purged", _("Deleted under the retention policy")
    ACCOUNT_ERASED = "account_erased", _("Account erased")
    DETAILS_ERASED = "details_erased", _("Personal details of events erased")
