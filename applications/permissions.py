"""Who may do what to a submission. Every view, download, export and admin
screen asks these functions; the seal on bids is enforced here and nowhere else.

The seal: before a call's deadline, and until its opening committee opens the
call after it (a quorum of members, each confirming), nobody but the applicant
reads a submission's content or files: not staff, not superusers. Staff see
only how many submissions were received.

Who evaluates an opened call (its panel's chair and reviewers) is the
business of the ``reviews`` app, a layer above this one. It registers its
rules here when Django starts (``register_evaluator_rules``), and this module
never imports it. The seal is checked before any such rule is asked, so no
rule can open a sealed bid.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from applications.choices import APPLICANT_EDITABLE, RECEIVED, SubmissionStatus
from applications.models import OpeningCommittee, Submission
from tenders.choices import CallState, Envelope


@dataclass(frozen=True)
class EvaluatorRules:
    """How an app above says who evaluates an opened call.

    ``leads(user, call)``: reads every bid of the call and, once opened,
    the prices (the panel's chair).
    ``reads(user, submission)``: reads this bid's technical content (an
    assigned reviewer who declared no conflict).
    """

    leads: Callable[[object, object], bool]
    reads: Callable[[object, object], bool]
    # ``on_panel(user, call)``: sits on the call's evaluation panel (chair or reviewer).
    on_panel: Callable[[object, object], bool] = lambda user, call: False


_evaluator_rules: dict[str, EvaluatorRules] = {}


def register_evaluator_rules(name: str, rules: EvaluatorRules) -> None:
    """Called from an ``AppConfig.ready()``; registering the same name again replaces it."""
    _evaluator_rules[name] = rules


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _leads_evaluation(user, call) -> bool:
    return any(rules.leads(user, call) for rules in _evaluator_rules.values())


def _reads_as_evaluator(user, submission) -> bool:
    return any(rules.reads(user, submission) for rules in _evaluator_rules.values())


def is_owner(user, submission) -> bool:
    return is_signed_in(user) and submission.applicant_id == user.pk


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
    if not is_signed_in(user) or submission.status not in RECEIVED:
        return False
    if call_is_sealed(submission.call):
        return False
    if user.is_staff or _leads_evaluation(user, submission.call):
        return True
    return _reads_as_evaluator(user, submission)


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
    if submission.financial_opened_at is None or not is_signed_in(user):
        return False
    if call_is_sealed(submission.call):
        return False
    return user.is_staff or _leads_evaluation(user, submission.call)


def can_edit_submission(user, submission, now=None) -> bool:
    """Applicants change their own bid until the deadline (services re-check the DB clock);
    on a second stage, only if they were invited."""
    return (
        is_owner(user, submission)
        and submission.status in APPLICANT_EDITABLE
        and submission.call.state_at(now or timezone.now()) == CallState.OPEN
        and is_invited(user, submission.call)
    )


def can_apply(user, call, now=None) -> bool:
    return (
        is_signed_in(user)
        and call.state_at(now or timezone.now()) == CallState.OPEN
        and is_invited(user, call)
    )


SHORTLISTED_STATUSES = (SubmissionStatus.SHORTLISTED, SubmissionStatus.AWARDED)


def shortlisted_applicants(first_stage) -> set[int]:
    """The applicants a first stage shortlisted (or selected): its outcome."""
    return set(
        Submission.objects.filter(
            call_id=first_stage.pk, status__in=SHORTLISTED_STATUSES
        ).values_list("applicant_id", flat=True)
    )


def is_invited(user, call) -> bool:
    """Anyone may bid on a call in one stage or a first stage; on a second stage, only
    an applicant its first stage shortlisted."""
    if not call.is_second_stage:
        return True
    return (
        is_signed_in(user)
        and call.first_stage_id is not None
        and Submission.objects.filter(
            call_id=call.first_stage_id, applicant_id=user.pk, status__in=SHORTLISTED_STATUSES
        ).exists()
    )


def can_see_submission_count(user, call) -> bool:
    return is_signed_in(user) and user.is_staff


def sits_on_panel(user, call) -> bool:
    return any(rules.on_panel(user, call) for rules in _evaluator_rules.values())


def is_committee_member(user, call) -> bool:
    return is_signed_in(user) and OpeningCommittee.objects.filter(call=call, members=user).exists()


def can_confirm_opening(user, call, now=None) -> bool:
    """A committee member, once the deadline has passed and while the call is sealed.
    (The service checks the grace, the window, the committee and the password.)"""
    now = now or timezone.now()
    return is_committee_member(user, call) and now >= call.closes_at and not call_is_opened(call)


def can_open_call(user, call, now=None) -> bool:
    now = now or timezone.now()
    return (
        is_signed_in(user) and user.is_staff and now >= call.closes_at and not call_is_opened(call)
    )


def can_view_audit_trail(user, call) -> bool:
    return is_signed_in(user) and user.is_staff


def can_ask_clarification(user, call, now=None) -> bool:
    now = now or timezone.now()
    return (
        is_signed_in(user)
        and call.state_at(now) == CallState.OPEN
        and now < call.clarifications_close_at
        and is_invited(user, call)  # a second stage's questions are its invitees'
    )


def can_see_applicant_identities(user, call) -> bool:
    """Under blind review, reviewers (the chair included) see only the bids' labels."""
    return bool(user and user.is_staff) or not call.blind_review


def can_see_applicant_identity(user, submission) -> bool:
    return is_owner(user, submission) or can_see_applicant_identities(user, submission.call)


def hidden_questions(user, submission, questions) -> set[str]:
    """The application form's questions whose answers ``user`` may not read on
    ``submission``: under blind review, those that identify the applicant."""
    if can_see_applicant_identity(user, submission):
        return set()
    return {q.id for q in questions if q.identifies_applicant}
