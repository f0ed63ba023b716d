"""Who may do what to a submission. Every view, download, export and admin
screen asks these functions; the seal on bids is enforced here and nowhere else.

The seal: before a call's deadline, and until staff open the call after it,
nobody but the applicant reads a submission's content or files: not staff,
not superusers. Staff see only how many submissions were received.
"""

from django.utils import timezone

from applications.choices import APPLICANT_EDITABLE, RECEIVED
from tenders.choices import CallState, Envelope

# The group whose members staff may put on review panels.
REVIEWERS_GROUP = "Reviewers"


def _is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_owner(user, submission) -> bool:
    return _is_signed_in(user) and submission.applicant_id == user.pk


def call_is_opened(call) -> bool:
    """True once staff have opened the call (which is possible only after its deadline)."""
    try:
        return call.opening is not None
    except call.__class__.opening.RelatedObjectDoesNotExist:
        return False


def call_is_sealed(call, now=None) -> bool:
    """The seal: holds until the deadline has passed *and* the call has been opened."""
    now = now or timezone.now()
    return now < call.closes_at or not call_is_opened(call)


def can_view_submission(user, submission) -> bool:
    """May ``user`` read this submission's content (fields, file list, receipt)?"""
    if is_owner(user, submission):
        return True
    if not _is_signed_in(user) or submission.status not in RECEIVED:
        return False
    if call_is_sealed(submission.call):
        return False
    if user.is_staff or is_chair(user, submission.call):
        return True
    assignment = assignment_for(user, submission)
    return assignment is not None and assignment.declared_no_conflict


def can_download_file(user, submission_file) -> bool:
    """May ``user`` download this file? Pending replacements are the owner's alone,
    and a financial envelope stays closed to everyone else until the panel opens
    it after technical scoring."""
    submission = submission_file.submission
    if is_owner(user, submission):
        return True
    if submission_file.pending:
        return False
    if submission_file.envelope == Envelope.FINANCIAL:
        return can_view_financial_envelope(user, submission)
    return can_view_submission(user, submission)


def can_view_financial_envelope(user, submission) -> bool:
    """The priced offer (amount and files) stays with its owner until the panel
    opens financial envelopes after technical scoring, and then only for bids
    that qualified, and only to the chair and staff."""
    if is_owner(user, submission):
        return True
    if submission.financial_opened_at is None or not _is_signed_in(user):
        return False
    return (user.is_staff or is_chair(user, submission.call)) and not call_is_sealed(
        submission.call
    )


def can_edit_submission(user, submission, now=None) -> bool:
    """Applicants change their own bid until the deadline (services re-check the DB clock)."""
    return (
        is_owner(user, submission)
        and submission.status in APPLICANT_EDITABLE
        and submission.call.state_at(now or timezone.now()) == CallState.OPEN
    )


def can_apply(user, call, now=None) -> bool:
    return _is_signed_in(user) and call.state_at(now or timezone.now()) == CallState.OPEN


def can_see_submission_count(user, call) -> bool:
    return _is_signed_in(user) and user.is_staff


def can_open_call(user, call, now=None) -> bool:
    now = now or timezone.now()
    return (
        _is_signed_in(user)
        and user.is_staff
        and now >= call.closes_at
        and not call_is_opened(call)
    )


def can_view_audit_trail(user, call) -> bool:
    return _is_signed_in(user) and user.is_staff


def can_ask_clarification(user, call, now=None) -> bool:
    now = now or timezone.now()
    return (
        _is_signed_in(user)
        and call.state_at(now) == CallState.OPEN
        and now < call.clarifications_close_at
    )


# --- Review panels -----------------------------------------------------------


def _panel(call):
    try:
        return call.panel
    except call.__class__.panel.RelatedObjectDoesNotExist:
        return None


def is_chair(user, call) -> bool:
    panel = _panel(call)
    return _is_signed_in(user) and panel is not None and panel.chair_id == user.pk


def assignment_for(user, submission):
    """``user``'s assignment to ``submission``, or None."""
    if not _is_signed_in(user):
        return None
    from applications.models import Assignment

    return Assignment.objects.filter(submission=submission, reviewer=user).first()


def can_declare_conflict(user, assignment) -> bool:
    """The reviewer declares before seeing anything of the submission, once it is opened."""
    return (
        _is_signed_in(user)
        and assignment.reviewer_id == user.pk
        and assignment.declared_at is None
        and not call_is_sealed(assignment.submission.call)
    )


def can_score(user, assignment) -> bool:
    return (
        _is_signed_in(user)
        and assignment.reviewer_id == user.pk
        and assignment.declared_no_conflict
        and not call_is_sealed(assignment.submission.call)
        and not assignment.panel.is_locked
    )


def can_see_panel_scores(user, submission) -> bool:
    """Independence: a reviewer sees the others' scores only after submitting their own."""
    if not _is_signed_in(user) or call_is_sealed(submission.call):
        return False
    if user.is_staff or is_chair(user, submission.call):
        return True
    assignment = assignment_for(user, submission)
    if assignment is None or not assignment.declared_no_conflict:
        return False
    review = getattr(assignment, "review", None)
    return review is not None and review.is_submitted


def can_see_applicant_identities(user, call) -> bool:
    """Under blind review, reviewers (the chair included) see only the bids' labels."""
    return bool(user and user.is_staff) or not call.blind_review


def can_see_applicant_identity(user, submission) -> bool:
    return is_owner(user, submission) or can_see_applicant_identities(user, submission.call)


def can_view_sheet(user, sheet) -> bool:
    """The requester, or staff, while they may see the call's ranking.

    A sheet with names is also refused to anyone who may no longer see names
    on the call (blind review switched on since, or staff rights removed).
    """
    return (
        can_view_ranking(user, sheet.call)
        and (sheet.requested_by_id == user.pk or user.is_staff)
        and (sheet.blind or can_see_applicant_identities(user, sheet.call))
    )


def can_manage_evaluation(user, call) -> bool:
    """Lock scoring, open financial envelopes, decide outcomes, send notices."""
    return (
        _is_signed_in(user)
        and (user.is_staff or is_chair(user, call))
        and not call_is_sealed(call)
    )


def can_view_ranking(user, call) -> bool:
    return can_manage_evaluation(user, call)
