"""Every change to an opening committee is on the record (issue 23, item 2): an event in
the audit chain saying who joined and who left and who made the change, and a notice to
each person concerned and to the oversight address. A change made outside the admin is
recorded too, without an actor."""

import pytest
from django.test import Client
from django.urls import reverse

from applications.choices import AuditAction
from applications.models import AuditEvent, OpeningCommittee
from notifications.models import OutboxMessage
from tests.factories import StaffFactory, in_group, make_call
from tests.sealing_support import committee_set, give_opening_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_outbox_dispatch")]

OVERSIGHT = "oversight@example.org"


@pytest.fixture
def people(db):
    return [
        in_group(StaffFactory(email=f"m{n}@example.org"), "Editors", "wagtailadmin.access_admin")
        for n in range(4)
    ]


def mails(to):
    return OutboxMessage.objects.filter(dedupe_key__startswith="committee:", to_email=to)


def test_setting_up_and_changing_a_committee_in_the_admin_is_audited_and_mailed(
    site_root, people, superuser, settings
):
    settings.OPENING_OVERSIGHT_EMAIL = OVERSIGHT
    call = make_call(site_root["calls"])
    OpeningCommittee.objects.filter(call=call).delete()  # as for a call published before keys
    for person in people:
        give_opening_key(person)
    client = Client()
    client.force_login(superuser)

    added = client.post(
        reverse("wagtailsnippets_applications_openingcommittee:add"),
        {"call": call.pk, "members": [p.pk for p in people[:3]]},
    )
    assert added.status_code == 302
    committee = OpeningCommittee.objects.get(call=call)
    event = AuditEvent.objects.get(action=AuditAction.COMMITTEE_CHANGED)
    assert event.actor == superuser and event.call_id == call.pk
    assert "joined: m0@example.org, m1@example.org, m2@example.org" in event.detail
    for person in people[:3]:
        assert "You have joined the opening committee" in mails(person.email).get().body_text
    assert f"Changed by: {superuser.email}" in mails(OVERSIGHT).get().body_text

    # One member swapped for another.
    edit = reverse("wagtailsnippets_applications_openingcommittee:edit", args=[committee.pk])
    changed = client.post(
        edit, {"call": call.pk, "members": [people[0].pk, people[1].pk, people[3].pk]}
    )
    assert changed.status_code == 302
    details = list(
        AuditEvent.objects.filter(action=AuditAction.COMMITTEE_CHANGED)
        .order_by("pk")
        .values_list("actor", "detail")
    )
    assert (superuser.pk, "Opening committee left: m2@example.org") in details
    assert (superuser.pk, "Opening committee joined: m3@example.org") in details
    assert "You are no longer on the opening committee" in mails(people[2].email).last().body_text
    assert "You have joined" in mails(people[3].email).get().body_text
    assert mails(OVERSIGHT).count() == 3  # set up, left, joined


def test_a_change_outside_the_admin_is_recorded_without_an_actor(site_root, people):
    call = make_call(site_root["calls"])
    committee = committee_set(call, people[:3])
    committee.members.clear()

    details = list(
        AuditEvent.objects.filter(action=AuditAction.COMMITTEE_CHANGED)
        .order_by("pk")
        .values_list("actor", "detail")
    )
    assert (None, "Opening committee joined: m0@example.org, m1@example.org, m2@example.org") in (
        details
    )
    assert details[-1] == (
        None,
        "Opening committee left: m0@example.org, m1@example.org, m2@example.org",
    )
    assert "not through the admin" in mails(people[0].email).first().body_text
