"""applications/permissions.py, function by function, at its edges.

Functions that take ``now`` are asked one second either side of the moment
that matters. The two that read the clock themselves (``can_view_submission``
and ``can_download_file``) are asked with the application clock frozen, so
"one second" means one second.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from applications import permissions
from applications.choices import SubmissionStatus
from applications.models import CallOpening, Submission, SubmissionFile
from core.errors import NotAllowed
from reviews.permissions import is_chair, reads_as_reviewer
from tenders.models import CallPage
from tests.factories import UserFactory
from tests.sealing_support import open_call

SECOND = timedelta(seconds=1)


@pytest.fixture
def call(consultancy_call):
    return consultancy_call


@pytest.fixture
def frozen_now(monkeypatch):
    """Freeze the application clock at a fixed moment and return it."""
    moment = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def with_dates(call, **dates) -> CallPage:
    """Set a call's dates with a plain UPDATE (no page validation) and re-read it."""
    CallPage.objects.filter(pk=call.pk).update(**dates)
    return CallPage.objects.get(pk=call.pk)


def bid(call, applicant, status=SubmissionStatus.SUBMITTED) -> Submission:
    return Submission.objects.create(call=call, applicant=applicant, status=status)


def file_of(submission, *, envelope="technical", pending=False) -> SubmissionFile:
    requirement = submission.call.required_documents.get(envelope=envelope)
    return SubmissionFile.objects.create(
        submission=submission,
        requirement=requirement,
        document_name=requirement.name,
        envelope=envelope,
        object_name=f"submissions/{submission.call_id}/{envelope}-{pending}-{submission.pk}",
        original_name=f"{envelope}.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        pending=pending,
    )


def opened(call, by) -> CallPage:
    CallOpening.objects.create(
        call=call, opened_by=by, opened_at=call.closes_at + SECOND, submissions_received=1
    )
    return CallPage.objects.get(pk=call.pk)


def fresh(submission) -> Submission:
    return Submission.objects.select_related("call").get(pk=submission.pk)


def inactive(user):
    user.is_active = False
    user.save()
    return user


# --- is_owner ---------------------------------------------------------------


def test_is_owner(call, applicant):
    submission = bid(call, applicant)
    assert permissions.is_owner(applicant, submission)
    assert not permissions.is_owner(UserFactory(), submission)
    assert not permissions.is_owner(AnonymousUser(), submission)
    assert not permissions.is_owner(None, submission)


def test_an_inactive_owner_is_not_the_owner(call, applicant):
    submission = bid(call, applicant)
    assert not permissions.is_owner(inactive(applicant), submission)


# --- call_is_opened and call_is_sealed --------------------------------------


def test_call_is_opened_only_once_staff_have_opened_it(call, staff_user):
    assert not permissions.call_is_opened(call)
    assert permissions.call_is_opened(opened(call, staff_user))


def test_the_seal_holds_until_the_deadline_has_passed_and_the_call_is_opened(call, staff_user):
    closes = call.closes_at
    assert permissions.call_is_sealed(call, now=closes - SECOND)
    assert permissions.call_is_sealed(call, now=closes + SECOND)  # passed, not opened
    call = opened(call, staff_user)
    assert not permissions.call_is_sealed(call, now=closes + SECOND)
    assert not permissions.call_is_sealed(call, now=closes)
    # Opened, then the deadline moved later: sealed again until it passes.
    assert permissions.call_is_sealed(call, now=closes - SECOND)


# --- can_view_submission ----------------------------------------------------


def test_the_owner_sees_their_bid_in_every_state(call, applicant, frozen_now):
    for status in SubmissionStatus:
        Submission.objects.filter(call=call, applicant=applicant).delete()
        assert permissions.can_view_submission(applicant, bid(call, applicant, status)), status


def test_staff_see_a_bid_one_second_after_the_deadline_only_once_opened(
    call, applicant, staff_user, superuser, frozen_now
):
    call = with_dates(call, closes_at=frozen_now + SECOND)
    submission = bid(call, applicant)
    for user in (staff_user, superuser):
        assert not permissions.can_view_submission(user, fresh(submission))

    call = with_dates(call, closes_at=frozen_now - SECOND)
    for user in (staff_user, superuser):
        assert not permissions.can_view_submission(user, fresh(submission))  # not opened

    opened(call, staff_user)
    for user in (staff_user, superuser):
        assert permissions.can_view_submission(user, fresh(submission))


def test_staff_never_see_a_bid_one_second_before_the_deadline_even_if_opened(
    call, applicant, staff_user, superuser, frozen_now
):
    call = opened(with_dates(call, closes_at=frozen_now - SECOND), staff_user)
    call = with_dates(call, closes_at=frozen_now + SECOND)  # an addendum moved it later
    submission = bid(call, applicant)
    for user in (staff_user, superuser):
        assert not permissions.can_view_submission(user, fresh(submission))


@pytest.mark.parametrize("status", [SubmissionStatus.DRAFT, SubmissionStatus.WITHDRAWN])
def test_drafts_and_withdrawn_bids_are_never_visible_to_staff(
    call, applicant, staff_user, superuser, status, frozen_now
):
    call = opened(with_dates(call, closes_at=frozen_now - SECOND), staff_user)
    submission = bid(call, applicant, status)
    technical = file_of(submission)
    for user in (staff_user, superuser):
        assert not permissions.can_view_submission(user, fresh(submission))
        assert not permissions.can_download_file(user, SubmissionFile.objects.get(pk=technical.pk))
    assert permissions.can_view_submission(applicant, fresh(submission))


def test_reviewers_other_applicants_inactive_staff_and_visitors_never_see_a_bid(
    call, applicant, reviewer, staff_user, frozen_now
):
    call = opened(with_dates(call, closes_at=frozen_now - SECOND), staff_user)
    submission = fresh(bid(call, applicant))
    assert permissions.can_view_submission(staff_user, submission)  # the control
    for user in (reviewer, UserFactory(), AnonymousUser(), inactive(staff_user)):
        assert not permissions.can_view_submission(user, submission), user


# --- can_download_file ------------------------------------------------------


def test_the_owner_downloads_every_file_of_their_own(call, applicant, frozen_now):
    submission = bid(call, applicant)
    for item in (
        file_of(submission),
        file_of(submission, envelope="financial"),
        file_of(submission, pending=True),
    ):
        assert permissions.can_download_file(applicant, item)


def test_staff_download_technical_files_after_opening_but_never_financial_or_pending(
    call, applicant, staff_user, superuser, frozen_now
):
    call = with_dates(call, closes_at=frozen_now + SECOND)
    submission = bid(call, applicant)
    technical = file_of(submission)
    financial = file_of(submission, envelope="financial")
    pending = file_of(submission, pending=True)

    def can(user, item):
        return permissions.can_download_file(user, SubmissionFile.objects.get(pk=item.pk))

    for user in (staff_user, superuser):
        assert not can(user, technical)  # before the deadline
    call = with_dates(call, closes_at=frozen_now - SECOND)
    for user in (staff_user, superuser):
        assert not can(user, technical)  # after it, not opened
    opened(call, staff_user)
    for user in (staff_user, superuser):
        assert can(user, technical)
        assert not can(user, financial)
        assert not can(user, pending)


def test_other_people_download_nothing(call, applicant, reviewer, staff_user, frozen_now):
    call = opened(with_dates(call, closes_at=frozen_now - SECOND), staff_user)
    technical = file_of(bid(call, applicant))
    for user in (reviewer, UserFactory(), AnonymousUser(), inactive(applicant)):
        assert not permissions.can_download_file(user, technical), user


# --- can_edit_submission ----------------------------------------------------


def test_the_owner_edits_until_one_second_before_the_deadline(call, applicant):
    submission = bid(call, applicant, SubmissionStatus.DRAFT)
    closes = call.closes_at
    assert permissions.can_edit_submission(applicant, submission, now=closes - SECOND)
    assert not permissions.can_edit_submission(applicant, submission, now=closes)
    assert not permissions.can_edit_submission(applicant, submission, now=closes + SECOND)


@pytest.mark.parametrize(
    "status, editable",
    [
        (SubmissionStatus.DRAFT, True),
        (SubmissionStatus.SUBMITTED, True),
        (SubmissionStatus.WITHDRAWN, True),
        (SubmissionStatus.EVALUATED, False),
        (SubmissionStatus.SHORTLISTED, False),
        (SubmissionStatus.AWARDED, False),
        (SubmissionStatus.NOT_SUCCESSFUL, False),
    ],
)
def test_only_applicant_states_are_editable(call, applicant, status, editable):
    submission = bid(call, applicant, status)
    now = call.closes_at - SECOND
    assert permissions.can_edit_submission(applicant, submission, now=now) is editable


def test_nobody_else_edits_a_bid(call, applicant, staff_user, superuser):
    submission = bid(call, applicant, SubmissionStatus.DRAFT)
    now = call.closes_at - SECOND
    for user in (staff_user, superuser, UserFactory(), AnonymousUser(), inactive(applicant)):
        assert not permissions.can_edit_submission(user, submission, now=now), user


def test_a_cancelled_call_takes_no_more_changes(call, applicant):
    submission = bid(call, applicant, SubmissionStatus.DRAFT)
    now = call.closes_at - SECOND
    call.outcome = "cancelled"
    assert not permissions.can_edit_submission(applicant, submission, now=now)


# --- can_apply ----------------------------------------------------------------


def test_can_apply_between_opening_and_the_deadline(call, applicant):
    opens, closes = call.opens_at, call.closes_at
    assert not permissions.can_apply(applicant, call, now=opens - SECOND)
    assert permissions.can_apply(applicant, call, now=opens)
    assert permissions.can_apply(applicant, call, now=closes - SECOND)
    assert not permissions.can_apply(applicant, call, now=closes)
    assert not permissions.can_apply(applicant, call, now=closes + SECOND)


def test_visitors_and_inactive_users_cannot_apply(call, applicant):
    now = call.closes_at - SECOND
    assert not permissions.can_apply(AnonymousUser(), call, now=now)
    assert not permissions.can_apply(inactive(applicant), call, now=now)


# --- can_see_submission_count and can_view_audit_trail ------------------------


def test_only_active_staff_see_counts_and_the_audit_trail(
    call, applicant, reviewer, staff_user, superuser
):
    for user in (staff_user, superuser):
        assert permissions.can_see_submission_count(user, call)
        assert permissions.can_view_audit_trail(user, call)
    for user in (applicant, reviewer, AnonymousUser(), inactive(staff_user)):
        assert not permissions.can_see_submission_count(user, call), user
        assert not permissions.can_view_audit_trail(user, call), user


# --- can_open_call ------------------------------------------------------------


def test_staff_open_a_call_from_its_deadline_on_and_only_once(call, staff_user, applicant):
    closes = call.closes_at
    assert not permissions.can_open_call(staff_user, call, now=closes - SECOND)
    assert permissions.can_open_call(staff_user, call, now=closes)
    assert permissions.can_open_call(staff_user, call, now=closes + SECOND)
    assert not permissions.can_open_call(applicant, call, now=closes + SECOND)
    assert not permissions.can_open_call(inactive(UserFactory(is_staff=True)), call, now=closes)
    call = opened(call, staff_user)
    assert not permissions.can_open_call(staff_user, call, now=closes + SECOND)


def test_opening_before_the_deadline_is_refused_and_records_nothing(call, staff_user):
    with pytest.raises(NotAllowed):
        open_call(call, staff_user)
    assert not CallOpening.objects.filter(call=call).exists()


# --- can_ask_clarification ----------------------------------------------------


def test_questions_are_taken_until_one_second_before_clarifications_close(call, applicant):
    last = call.clarifications_close_at
    assert permissions.can_ask_clarification(applicant, call, now=last - SECOND)
    assert not permissions.can_ask_clarification(applicant, call, now=last)
    assert not permissions.can_ask_clarification(applicant, call, now=last + SECOND)


def test_no_questions_before_the_call_opens_from_visitors_or_inactive_users(call, applicant):
    assert not permissions.can_ask_clarification(applicant, call, now=call.opens_at - SECOND)
    now = call.clarifications_close_at - SECOND
    assert not permissions.can_ask_clarification(AnonymousUser(), call, now=now)
    assert not permissions.can_ask_clarification(inactive(applicant), call, now=now)


# --- Evaluator rules registered by the apps above ---------------------------


def test_no_evaluator_rule_opens_a_sealed_bid(
    call, applicant, staff_user, frozen_now, monkeypatch
):
    """An app above registers who evaluates; the seal is asked first, so even a
    rule that says yes to everyone opens nothing before the call is opened."""
    outsider = UserFactory()
    everyone = permissions.EvaluatorRules(leads=lambda user, call: True, reads=lambda u, s: True)
    monkeypatch.setitem(permissions._evaluator_rules, "everyone", everyone)
    call = with_dates(call, closes_at=frozen_now - SECOND)
    submission = bid(call, applicant)
    Submission.objects.filter(pk=submission.pk).update(financial_opened_at=frozen_now)
    technical, financial = file_of(submission), file_of(submission, envelope="financial")

    assert not permissions.can_view_submission(outsider, fresh(submission))
    assert not permissions.can_view_financial_envelope(outsider, fresh(submission))
    assert not permissions.can_download_file(outsider, technical)
    assert not permissions.can_download_file(outsider, financial)

    opened(call, staff_user)
    assert permissions.can_view_submission(outsider, fresh(submission))
    assert permissions.can_view_financial_envelope(outsider, fresh(submission))


def test_the_reviews_app_registers_its_panel_rules():
    """The chair leads and an assigned reviewer reads: reviews says so at start-up."""
    rules = permissions._evaluator_rules["reviews"]
    assert (rules.leads, rules.reads) == (is_chair, reads_as_reviewer)
