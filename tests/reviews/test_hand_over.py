"""A closed call goes to its panel: at once when its closing is recorded (the
``call_closed`` signal from tenders), or by the reviews beat task for a panel
set up later. Either way once, and a failing hand-over never undoes a closing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from notifications.models import OutboxMessage
from reviews.models import Assignment, Panel
from reviews.services.panels import panels_hand_over_due
from tenders.models import CallClosing, CallPage
from tenders.services import calls_close_due
from tests.factories import UserFactory, make_call, submit_bid

pytestmark = pytest.mark.usefixtures("no_outbox_dispatch")


def reviewer(email):
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    return user


def call_with_bids(site_root, n=2) -> CallPage:
    """An open call with ``n`` submitted bids, whose deadline then passes."""
    call = make_call(site_root["calls"])
    for i in range(n):
        submit_bid(call, UserFactory(email=f"firm{i}@example.org"))
    CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    return CallPage.objects.get(pk=call.pk)


def panel_of(call, members) -> Panel:
    panel = Panel.objects.create(
        call=call, chair=members[0], review_deadline=timezone.now() + timedelta(days=7)
    )
    panel.members.set(members)
    return panel


def test_recording_a_closing_hands_the_call_to_its_panel_once(site_root):
    call = call_with_bids(site_root)
    members = [reviewer("chair@panel.org"), reviewer("member@panel.org")]
    panel = panel_of(call, members)

    assert calls_close_due() == [call.pk]

    panel.refresh_from_db()
    assert panel.handed_over_at is not None
    assert Assignment.objects.filter(panel=panel).count() == 4  # 2 members x 2 bids
    assert sorted(
        OutboxMessage.objects.filter(dedupe_key__startswith="handover:").values_list(
            "to_email", flat=True
        )
    ) == ["chair@panel.org", "member@panel.org"]
    handed_at = panel.handed_over_at

    assert calls_close_due() == []
    assert panels_hand_over_due() == []
    panel.refresh_from_db()
    assert panel.handed_over_at == handed_at
    assert Assignment.objects.filter(panel=panel).count() == 4


def test_a_panel_set_up_after_the_closing_is_handed_over_by_the_beat_task(site_root):
    call = call_with_bids(site_root, n=1)
    assert calls_close_due() == [call.pk]  # no panel yet: nothing to hand over
    panel = panel_of(call, [reviewer("late@panel.org")])

    assert panels_hand_over_due() == [call.pk]

    panel.refresh_from_db()
    assert panel.handed_over_at is not None
    assert Assignment.objects.filter(panel=panel).count() == 1


def test_a_failing_hand_over_leaves_the_closing_recorded_for_the_beat_to_retry(
    site_root, monkeypatch
):
    call = call_with_bids(site_root, n=1)
    panel = panel_of(call, [reviewer("member@panel.org")])

    def broken(**kwargs):
        raise RuntimeError("the database went away mid-hand-over")

    with monkeypatch.context() as patched:
        patched.setattr("reviews.receivers.panel_hand_over", broken)
        assert calls_close_due() == [call.pk]

    assert CallClosing.objects.filter(call=call).exists()
    panel.refresh_from_db()
    assert panel.handed_over_at is None
    assert panels_hand_over_due() == [call.pk]
    panel.refresh_from_db()
    assert panel.handed_over_at is not None
