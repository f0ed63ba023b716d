"""Who may do what on a review panel. Views, services and admin screens ask these.

Reading a submission is the seal's business: these rules ask
``applications.permissions`` about it, and register the panel's part (the
chair leads; an assigned reviewer without a conflict reads) with it at start-up.
"""

from django.db.models import Q

from accounts import second_factor
from applications.permissions import (
    EvaluatorRules,
    call_is_sealed,
    can_see_applicant_identities,
    is_signed_in,
    register_evaluator_rules,
)
from reviews.models import Assignment, Panel
from tenders.stages import register_shortlist_final

# The group whose members staff may put on review panels.
REVIEWERS_GROUP = "Reviewers"


def is_reviewer(user) -> bool:
    """In the reviewers' group: shown the link to the review queue."""
    return bool(
        user and user.is_authenticated and user.groups.filter(name=REVIEWERS_GROUP).exists()
    )


def _panel(call):
    try:
        return call.panel
    except call.__class__.panel.RelatedObjectDoesNotExist:
        return None


def is_chair(user, call) -> bool:
    panel = _panel(call)
    return is_signed_in(user) and panel is not None and panel.chair_id == user.pk


def assignment_for(user, submission):
    """``user``'s assignment to ``submission``, or None."""
    if not is_signed_in(user):
        return None
    return Assignment.objects.filter(submission=submission, reviewer=user).first()


def can_declare_conflict(user, assignment) -> bool:
    """The reviewer declares before seeing anything of the submission, once it is opened."""
    return (
        is_signed_in(user)
        and assignment.reviewer_id == user.pk
        and assignment.declared_at is None
        and not call_is_sealed(assignment.submission.call)
    )


def can_score(user, assignment) -> bool:
    """The assignee, after declaring no conflict, until scoring is locked; never a bid
    found not responsive (only responsive bids are evaluated)."""
    return (
        is_signed_in(user)
        and assignment.reviewer_id == user.pk
        and assignment.declared_no_conflict
        and not call_is_sealed(assignment.submission.call)
        and not assignment.panel.is_locked
        and not is_not_responsive(assignment.submission)
    )


def is_not_responsive(submission) -> bool:
    decision = getattr(submission, "compliance", None)
    return decision is not None and not decision.responsive


def is_secretary(user, call) -> bool:
    panel = _panel(call)
    return is_signed_in(user) and panel is not None and panel.secretary_id == user.pk


def can_view_compliance(user, call) -> bool:
    """The preliminary examination's page: the chair, the secretary and staff, once the
    call is opened."""
    return (
        is_signed_in(user)
        and _panel(call) is not None
        and not call_is_sealed(call)
        and (user.is_staff or is_chair(user, call) or is_secretary(user, call))
    )


def can_check_compliance(user, call) -> bool:
    """Marking bids responsive or not: the chair or the panel's secretary, once the
    call is opened, until technical scoring is locked."""
    panel = _panel(call)
    return (
        is_signed_in(user)
        and panel is not None
        and not call_is_sealed(call)
        and not panel.is_locked
        and (is_chair(user, call) or is_secretary(user, call))
    )


def can_see_panel_scores(user, submission) -> bool:
    """Independence: a reviewer sees the others' scores only after submitting their own."""
    if not is_signed_in(user) or call_is_sealed(submission.call):
        return False
    if user.is_staff or is_chair(user, submission.call):
        return True
    assignment = assignment_for(user, submission)
    if assignment is None or not assignment.declared_no_conflict:
        return False
    review = getattr(assignment, "review", None)
    return review is not None and review.is_submitted


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


def can_set_up_panels(user) -> bool:
    """Active staff set up review panels in the admin; a chair who is not staff does not."""
    return bool(is_signed_in(user) and user.is_active and user.is_staff)


def can_change_panel(user, panel) -> bool:
    """Staff, until technical scoring is locked. The lock was judged by the panel as it
    stood (its members, its minimum of reviews, its spread): nobody changes it after,
    superusers included."""
    return can_set_up_panels(user) and not panel.is_locked


def can_delete_panel(user, panel) -> bool:
    """Staff, until the panel has been handed its submissions: deleting it then would
    erase its assignments, declarations and scores, the evaluation's record."""
    return can_set_up_panels(user) and panel.handed_over_at is None and not panel.is_locked


def can_manage_evaluation(user, call) -> bool:
    """Lock scoring, open financial envelopes, decide outcomes, send notices."""
    return (
        is_signed_in(user) and (user.is_staff or is_chair(user, call)) and not call_is_sealed(call)
    )


def can_view_ranking(user, call) -> bool:
    return can_manage_evaluation(user, call)


def can_view_report(user, call) -> bool:
    """The evaluation report, with every reviewer's scores and the prices: the chair and
    staff."""
    return can_manage_evaluation(user, call)


def can_view_financial_register(user, call) -> bool:
    """The prices of the qualified bids: the chair and staff, as for the envelopes
    themselves (``applications.permissions.can_view_financial_envelope``)."""
    return can_manage_evaluation(user, call)


def reads_as_reviewer(user, submission) -> bool:
    """An assigned reviewer reads a bid only after declaring no conflict; on a second
    stage, also the same applicant's first-stage submission (item 6 of issue 22)."""
    assignment = assignment_for(user, submission)
    if assignment is not None and assignment.declared_no_conflict:
        return True
    extension = Assignment.objects.filter(
        reviewer=user,
        submission__applicant_id=submission.applicant_id,
        submission__call__first_stage_id=submission.call_id,
        declared_at__isnull=False,
        has_conflict=False,
    )
    if not submission.call.blind_review:  # a blind second stage never reads a named bid
        extension = extension.filter(submission__call__blind_review=False)
    return extension.exists()


def register() -> None:
    """Tell the seal who evaluates: the chair leads, assigned reviewers read; and tell
    the sign-in that everyone on a panel needs a second factor."""
    register_evaluator_rules(
        "reviews",
        EvaluatorRules(leads=is_chair, reads=reads_as_reviewer, on_panel=sits_on_panel),
    )
    if sits_on_any_panel not in second_factor.evaluator_checks:
        second_factor.evaluator_checks.append(sits_on_any_panel)
    register_shortlist_final(outcomes_sent)


def outcomes_sent(call) -> bool:
    """The call's panel has sent every applicant their outcome: its outcomes are final."""
    return Panel.objects.filter(call=call, outcomes_sent_at__isnull=False).exists()


def sits_on_any_panel(user) -> bool:
    return Panel.objects.filter(Q(chair=user) | Q(members=user)).exists()


def sits_on_panel(user, call) -> bool:
    panel = _panel(call)
    return panel is not None and (
        panel.chair_id == user.pk or panel.members.filter(pk=user.pk).exists()
    )


def can_view_register(user, call) -> bool:
    """The opening register: staff and the call's panel, once the call is opened."""
    return (
        is_signed_in(user)
        and not call_is_sealed(call)
        and (user.is_staff or sits_on_panel(user, call))
    )
