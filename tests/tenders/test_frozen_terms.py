"""A call's dates and terms hold against insiders: a deadline only moves later, never
to less than three days ahead, never once passed; after the deadline the terms bids
are judged by are frozen. Through the editor, the ORM and Wagtail's revision API."""

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, streamfield

from tenders.freeze import FROZEN_FIELDS, TermsFrozen
from tenders.models import Addendum, CallCriterion, CallPage, RequiredDocument
from tests.factories import make_call

NOW = timezone.now


@pytest.fixture
def open_call(site_root):
    return make_call(site_root["calls"])


@pytest.fixture
def closed_call(site_root):
    return make_call(
        site_root["calls"],
        opens_at=NOW() - timedelta(days=30),
        closes_at=NOW() - timedelta(hours=1),
        clarifications_close_at=NOW() - timedelta(days=3),
    )


def stored(call) -> CallPage:
    return CallPage.objects.get(pk=call.pk)


# --- The insider path: an open call's deadline moved into the past ------------------


def test_the_orm_refuses_to_move_an_open_calls_deadline_into_the_past(open_call):
    deadline = open_call.closes_at
    open_call.closes_at = NOW() - timedelta(minutes=1)
    open_call.clarifications_close_at = NOW() - timedelta(minutes=2)

    with pytest.raises(TermsFrozen) as refusal:
        open_call.save()

    assert "can only be extended" in str(refusal.value)
    assert stored(open_call).closes_at == deadline


def test_wagtails_revision_api_refuses_it_too(open_call):
    deadline = open_call.closes_at
    open_call.closes_at = NOW() - timedelta(minutes=1)
    open_call.clarifications_close_at = NOW() - timedelta(minutes=2)
    # Cleaned, the revision is refused at once; uncleaned, its publishing is.
    with pytest.raises(ValidationError, match="can only be extended"):
        open_call.save_revision()
    revision = open_call.save_revision(clean=False)  # a draft: the live row is untouched

    with pytest.raises(TermsFrozen):
        revision.publish()

    assert stored(open_call).closes_at == deadline
    assert stored(open_call).state.is_open


def test_the_editor_refuses_it_with_a_clear_message(client, superuser, open_call):
    client.force_login(superuser)
    edit = reverse("wagtailadmin_pages:edit", args=[open_call.pk])
    page = client.get(edit)
    form = page.context["form"]
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in ("terms_of_reference", "application_form")
    }
    data |= _formset_data(form) | nested_form_data(
        {"terms_of_reference": streamfield([]), "application_form": streamfield([])}
    )
    past = timezone.localtime(NOW() - timedelta(minutes=1))
    data.update(
        closes_at=past.strftime("%Y-%m-%d %H:%M"),
        clarifications_close_at=(past - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M"),
        opens_at=timezone.localtime(open_call.opens_at).strftime("%Y-%m-%d %H:%M"),
        **{"action-publish": "action-publish"},
    )

    response = client.post(edit, data)

    assert response.status_code == 200
    assert "can only be extended" in unescape(response.content.decode())
    assert stored(open_call).closes_at == open_call.closes_at


def _formset_data(form) -> dict:
    """The inline formsets as the editor's browser posts them back, unchanged."""
    data = {}
    for formset in form.formsets.values():
        management = formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial)
        for child in formset.forms:
            for name in child.fields:
                value = child.instance.pk if name == "id" else child.initial.get(name)
                if value is not None and value is not False:
                    data[child.add_prefix(name)] = value
    return data


# --- Extensions --------------------------------------------------------------------


def test_an_extension_of_at_least_three_days_is_published_with_an_addendum(open_call):
    open_call.closes_at = open_call.closes_at + timedelta(days=7)

    open_call.save_revision().publish()

    assert stored(open_call).closes_at == open_call.closes_at
    assert Addendum.objects.filter(call=open_call).count() == 1
    # Every change to a call's dates or terms joins the audit trail.
    from applications.models import AuditEvent

    (event,) = AuditEvent.objects.filter(call=open_call, action="terms_changed")
    assert event.detail.startswith("Addendum 1: deadline ")


@pytest.mark.parametrize(
    "move, says",
    [
        (lambda call: NOW() + timedelta(days=2), "can only be extended"),
        (lambda call: call.closes_at - timedelta(hours=1), "can only be extended"),
    ],
    ids=["two-days-ahead-but-earlier", "an-hour-earlier"],
)
def test_an_open_call_is_never_shortened(open_call, move, says):
    open_call.closes_at = move(open_call)
    open_call.clarifications_close_at = NOW() + timedelta(hours=1)
    with pytest.raises(TermsFrozen, match=says):
        open_call.save()


def test_an_extension_gives_at_least_three_days_notice(site_root, settings):
    call = make_call(
        site_root["calls"],
        closes_at=NOW() + timedelta(hours=2),
        clarifications_close_at=NOW() + timedelta(hours=1),
    )
    call.closes_at = NOW() + timedelta(days=2, hours=23)

    with pytest.raises(TermsFrozen, match="at least 3 days after the change"):
        call.save()

    settings.CALL_EXTENSION_NOTICE_DAYS = 2
    call.save()
    assert stored(call).closes_at == call.closes_at


def test_an_open_call_cannot_be_closed_by_moving_its_opening(open_call):
    open_call.opens_at = NOW() + timedelta(days=1)
    with pytest.raises(TermsFrozen, match="cancel it"):
        open_call.save()


# --- After the deadline: frozen -----------------------------------------------------

# Each change keeps the call otherwise valid, so that only the freeze refuses it.
CHANGES = {
    "opens_at": {"opens_at": lambda call: call.opens_at - timedelta(days=1)},
    "closes_at": {
        "closes_at": lambda call: call.closes_at + timedelta(days=10),
        "clarifications_close_at": lambda call: call.closes_at + timedelta(days=5),
    },
    "kind": {
        "kind": lambda call: "grant",
        "selection_method": lambda call: "grant_scoring",
        "technical_weight": lambda call: Decimal("1"),
        "financial_weight": lambda call: Decimal("0"),
    },
    "currency": {"currency": lambda call: "USD"},
    "selection_method": {"selection_method": lambda call: "least_cost"},
    "technical_weight": {
        "technical_weight": lambda call: Decimal("0.70"),
        "financial_weight": lambda call: Decimal("0.30"),
    },
    "financial_weight": {
        "technical_weight": lambda call: Decimal("0.90"),
        "financial_weight": lambda call: Decimal("0.10"),
    },
    "minimum_technical_score": {"minimum_technical_score": lambda call: Decimal("50")},
    "blind_review": {"blind_review": lambda call: not call.blind_review},
    "budget_ceiling": {"budget_ceiling": lambda call: Decimal("999999")},
    # A call made a first stage after its deadline would take its price away.
    "stage": {"stage": lambda call: "first"},
}


def test_every_frozen_field_has_a_test():
    assert set(CHANGES) == set(FROZEN_FIELDS)


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_after_the_deadline_each_frozen_field_is_refused(closed_call, field):
    before = getattr(closed_call, field)
    changes = {name: change(closed_call) for name, change in CHANGES[field].items()}
    for name, value in changes.items():
        setattr(closed_call, name, value)

    with pytest.raises(ValidationError) as cleaned:
        closed_call.full_clean()
    with pytest.raises(TermsFrozen) as saved:
        closed_call.save_revision(clean=False).publish()

    assert "Frozen: the deadline passed" in " ".join(cleaned.value.message_dict[field])
    assert "Frozen: the deadline passed" in " ".join(saved.value.message_dict[field])
    assert getattr(stored(closed_call), field) == before


@pytest.mark.parametrize("relation", ["criteria", "required_documents"])
def test_after_the_deadline_criteria_and_documents_are_frozen(closed_call, relation):
    if relation == "criteria":
        first = closed_call.criteria.first()
        first.max_points, points = 50, first.max_points
        closed_call.criteria = [first, *closed_call.criteria.all()[1:]]
    else:
        closed_call.required_documents = [
            *closed_call.required_documents.all(),
            RequiredDocument(name="CVs", envelope="technical", accepted_types="pdf"),
        ]

    with pytest.raises(TermsFrozen, match="frozen"):
        closed_call.save_revision(clean=False).publish()

    if relation == "criteria":
        assert CallCriterion.objects.get(pk=first.pk).max_points == points
    else:
        assert not RequiredDocument.objects.filter(page=closed_call, name="CVs").exists()


def test_after_the_deadline_a_criterion_made_again_with_the_same_content_is_refused(
    closed_call,
):
    """Scores point at the criterion's row: the same title and points in a new row
    would orphan them, so the row's identity is frozen too."""
    first, *rest = closed_call.criteria.all()
    again = CallCriterion(title=first.title, max_points=first.max_points, sort_order=0)
    closed_call.criteria = [again, *rest]

    with pytest.raises(TermsFrozen, match="frozen"):
        closed_call.save_revision(clean=False).publish()

    assert CallCriterion.objects.filter(pk=first.pk).exists()


def test_after_the_deadline_the_wording_and_outcome_may_still_change(closed_call):
    closed_call.summary = "Corrected typing in the summary."
    closed_call.outcome = "cancelled"
    closed_call.cancellation_reason = "No bid met the minimum."
    closed_call.save_revision().publish()

    assert stored(closed_call).summary == "Corrected typing in the summary."


def test_the_editor_shows_the_frozen_fields_read_only_with_the_reason(
    client, superuser, closed_call
):
    client.force_login(superuser)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[closed_call.pk]))

    form = response.context["form"]
    assert all(form.fields[name].disabled for name in FROZEN_FIELDS)
    assert not form.fields["summary"].disabled
    assert "Frozen since the deadline passed" in unescape(response.content.decode())
    criteria = form.formsets["criteria"]
    assert all(field.disabled for child in criteria.forms for field in child.fields.values())


# --- Cancellation instead of an early close ------------------------------------------


def test_a_cancellation_needs_a_reason_is_recorded_and_told_and_never_undone(open_call):
    from applications.models import AuditEvent
    from applications.services.opening import call_open
    from core.errors import NotAllowed
    from notifications.models import OutboxMessage
    from tenders.models import CallCancellation
    from tests.factories import StaffFactory, UserFactory, submit_bid

    bidder = UserFactory()
    submit_bid(open_call, bidder)
    open_call.outcome = "cancelled"
    with pytest.raises(ValidationError, match="reason for cancelling"):
        open_call.full_clean()

    open_call.cancellation_reason = "The donor withdrew the funding."
    open_call.save_revision().publish()

    cancellation = CallCancellation.objects.get(call=open_call)
    assert cancellation.reason == "The donor withdrew the funding."
    assert AuditEvent.objects.filter(call=open_call, action="call_cancelled").count() == 1
    notice = OutboxMessage.objects.get(dedupe_key=f"cancelled:{open_call.pk}:{bidder.pk}")
    assert "The donor withdrew the funding." in notice.body_text

    call = stored(open_call)
    call.outcome = ""
    with pytest.raises(TermsFrozen, match="cannot be undone"):
        call.save()

    call = stored(open_call)
    from tests.applications.deadline_support import close_at

    close_at(call, NOW() - timedelta(hours=1))
    with pytest.raises(NotAllowed, match="never opened"):
        call_open(call=stored(call), user=StaffFactory())


def test_a_revision_approved_after_the_deadline_cannot_move_it(client, superuser, site_root):
    """Submitted for moderation while the call was open (a valid extension), approved
    once the deadline had passed: the approval is refused with a clear message, the
    live call keeps its deadline, and nothing answers 500."""
    from wagtail.models import Workflow

    call = make_call(site_root["calls"], closes_at=NOW() + timedelta(days=10))
    call.closes_at = NOW() + timedelta(days=20)
    call.save_revision(user=superuser)
    workflow = Workflow.objects.filter(active=True).first() or Workflow.objects.create(
        name="Moderation"
    )
    if not workflow.workflow_tasks.exists():
        from wagtail.models import GroupApprovalTask, WorkflowTask

        task = GroupApprovalTask.objects.create(name="Approve")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    state = workflow.start(call, superuser)
    passed = NOW() - timedelta(minutes=10)
    CallPage.objects.filter(pk=call.pk).update(closes_at=passed)

    client.force_login(superuser)
    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[call.pk, "approve", state.current_task_state.pk],
        ),
        {"comment": ""},
        follow=True,
    )

    assert response.status_code == 200  # the editor again, with the reason
    assert "Nothing was published. Frozen: the deadline passed" in unescape(
        response.content.decode()
    )
    assert stored(call).closes_at == passed
    assert stored(call).live_revision_id != state.current_task_state.revision_id
    state.refresh_from_db()  # the approval ran in one transaction: none of it is kept
    assert state.status == state.current_task_state.status == "in_progress"
