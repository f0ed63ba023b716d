"""Every snippet's edit and delete screens, tried (GET and POST) by each staff role.

Wagtail's generic snippet views check the model-level permission only; a snippet
whose instances can be fixed (a panel whose scoring is locked, a committee past
the call's deadline) must also refuse that instance, to everyone, superusers
included. The expectations below are the whole table: a snippet registered
without a row here fails ``test_every_registered_snippet_is_tried``.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.snippets.models import get_snippet_models

from applications.models import OpeningCommittee
from reviews.models import Panel
from reviews.permissions import can_change_panel, can_delete_panel
from tenders.models import CallPage, Clarification
from tests.factories import StaffFactory, SuperuserFactory, UserFactory, in_group, make_call
from tests.reviews.admin_support import (
    admin_client,
    closed_call,
    deadline_field,
    panel_for,
    refused,
)
from tests.sealing_support import give_opening_key

ROLES = ("editor", "staff", "chair", "superuser")
# What a role may do with the instance: edit it, only read its form, or nothing.
EDITS, READS, NOTHING = "edits", "reads", "nothing"


@dataclass
class Case:
    """One snippet instance in one state, and how to post a change to it."""

    instance: object
    edit_data: dict
    changed: object  # () -> bool: the posted change was saved
    reason: str = ""  # shown on the read-only form of a fixed instance


def _people(panelists) -> dict:
    editor = in_group(
        UserFactory(email="editor@example.org"), "Editors", "wagtailadmin.access_admin"
    )
    staff = in_group(
        StaffFactory(email="staff@example.org"), "Editors", "wagtailadmin.access_admin"
    )
    # The chair of the panels below: a reviewer, not staff.
    return {
        "editor": editor,
        "staff": staff,
        "chair": panelists[0],
        "superuser": SuperuserFactory(),
    }


# --- The snippets, in each state that matters ---------------------------------------


def _panel_case(panel, panelists) -> Case:
    later = max(panel.review_deadline, panel.call.closes_at) + timedelta(days=3)
    new_deadline = later.replace(second=0, microsecond=0)
    data = {
        "call": panel.call_id,
        "chair": panelists[0].pk,
        "members": [p.pk for p in panelists],
        "review_deadline": deadline_field(new_deadline),
        "minimum_reviews": "1",
        "disagreement_spread": "30",
        "reviewers_per_submission": "",
    }

    def changed():
        return Panel.objects.get(pk=panel.pk).review_deadline == new_deadline

    return Case(panel, data, changed, reason="Technical scoring is locked")


def panel_set_up(site_root, panelists) -> Case:
    """A panel for a call still open: nothing handed over yet."""
    return _panel_case(
        panel_for(make_call(site_root["calls"]), panelists, hand_over=False), panelists
    )


def panel_handed_over(site_root, panelists) -> Case:
    """A closed call's panel with its assignments, scoring not yet locked."""
    return _panel_case(panel_for(closed_call(site_root, bids=2), panelists), panelists)


def panel_locked(site_root, panelists) -> Case:
    """As above, with technical scoring locked (a plain UPDATE stands in for the chair)."""
    panel = panel_for(closed_call(site_root, bids=2), panelists)
    Panel.objects.filter(pk=panel.pk).update(locked_at=timezone.now())
    return _panel_case(Panel.objects.get(pk=panel.pk), panelists)


def _committee_case(call) -> Case:
    committee = OpeningCommittee.objects.get(call=call)  # set up before it was published
    newcomers = [StaffFactory() for _ in range(3)]
    for newcomer in newcomers:
        give_opening_key(newcomer)

    def changed():
        return set(committee.members.all()) == set(newcomers)

    data = {"call": call.pk, "members": [m.pk for m in newcomers]}
    return Case(committee, data, changed, reason="fixed at the deadline")


def committee_before_deadline(site_root, panelists) -> Case:
    return _committee_case(make_call(site_root["calls"]))


def committee_after_deadline(site_root, panelists) -> Case:
    call = make_call(site_root["calls"])
    CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=5))
    return _committee_case(CallPage.objects.get(pk=call.pk))


def clarification(site_root, panelists) -> Case:
    call = make_call(site_root["calls"])
    question = Clarification.objects.create(call=call, question="May a consortium bid?")
    data = {"call": call.pk, "question": question.question, "answer": "Yes, with a lead firm."}

    def changed():
        return Clarification.objects.get(pk=question.pk).answer == data["answer"]

    return Case(question, data, changed)


# (state, role) → (edit, may delete). Editors (not staff) answer clarifications and
# touch nothing else; a chair who is not staff has no admin; staff and superusers set
# panels and committees up, until they are fixed: then nobody changes them.
EXPECTED = {
    panel_set_up: {
        "editor": (NOTHING, False),
        "staff": (EDITS, True),
        "chair": (NOTHING, False),
        "superuser": (EDITS, True),
    },
    panel_handed_over: {
        "editor": (NOTHING, False),
        "staff": (EDITS, False),  # the review deadline can still move
        "chair": (NOTHING, False),
        "superuser": (EDITS, False),
    },
    panel_locked: {
        "editor": (NOTHING, False),
        "staff": (READS, False),
        "chair": (NOTHING, False),
        "superuser": (READS, False),
    },
    committee_before_deadline: {
        "editor": (NOTHING, False),
        "staff": (EDITS, True),
        "chair": (NOTHING, False),
        "superuser": (EDITS, True),
    },
    committee_after_deadline: {
        "editor": (NOTHING, False),
        "staff": (READS, False),
        "chair": (NOTHING, False),
        "superuser": (READS, False),
    },
    clarification: {
        "editor": (EDITS, False),  # the Editors group may answer, not delete
        "staff": (EDITS, False),
        "chair": (NOTHING, False),
        "superuser": (EDITS, True),
    },
}
MODELS = {
    panel_set_up: Panel,
    panel_handed_over: Panel,
    panel_locked: Panel,
    committee_before_deadline: OpeningCommittee,
    committee_after_deadline: OpeningCommittee,
    clarification: Clarification,
}


def test_every_registered_snippet_is_tried():
    assert set(MODELS.values()) == set(get_snippet_models())


def _url(instance, view) -> str:
    return reverse(instance.snippet_viewset.get_url_name(view), args=[instance.pk])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(EXPECTED), ids=lambda state: state.__name__)
def test_each_role_may_do_what_the_table_says(
    site_root, panelists, no_outbox_dispatch, state, role
):
    case = state(site_root, panelists)
    user = _people(panelists)[role]
    edit, may_delete = EXPECTED[state][role]
    client = admin_client(user)
    model = type(case.instance)
    edit_url, delete_url = _url(case.instance, "edit"), _url(case.instance, "delete")

    shown = client.get(edit_url)
    if edit == NOTHING:
        assert refused(shown), shown.status_code
    else:
        assert shown.status_code == 200
        if case.reason:
            assert (case.reason in shown.content.decode()) == (edit == READS)
        # A form that only reads offers no Save, which would only be refused, and
        # pings no editing session.
        menu = shown.content.decode()
        assert ("action-save" in menu) == (edit == EDITS)
        assert ("editing-sessions" in menu) == (edit == EDITS)

    saved = client.post(edit_url, case.edit_data)
    if edit == EDITS:
        assert saved.status_code == 302, saved.context["form"].errors if saved.context else saved
        assert case.changed()
    else:
        assert refused(saved), saved.status_code
        assert not case.changed()

    confirm = client.get(delete_url)
    assert (confirm.status_code == 200) == may_delete
    if not may_delete:
        assert refused(confirm), confirm.status_code
    deleted = client.post(delete_url)
    assert model.objects.filter(pk=case.instance.pk).exists() != may_delete
    if not may_delete:
        assert refused(deleted), deleted.status_code

    if model is Panel:
        # The screens answer as reviews/permissions.py does.
        panel = case.instance
        assert can_change_panel(user, panel) == (edit == EDITS)
        assert can_delete_panel(user, panel) == may_delete
