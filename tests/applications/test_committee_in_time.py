"""The opening committee in time: fixed at the deadline (even for a superuser), and
changed only after a late opening, recorded with a reason and a password once the
window for confirmations has passed, and followed by a new window."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from nacl.public import PrivateKey

from applications.choices import AuditAction
from applications.models import (
    AuditEvent,
    CallOpening,
    OpeningCommittee,
    OpeningConfirmation,
    OpeningDelay,
)
from applications.services.key_opening import member_share
from applications.services.opening import recovery_share_give
from core.errors import NotAllowed, Refused
from tests.applications import opening_support
from tests.applications.deadline_support import close_at
from tests.applications.opening_support import _window_passed
from tests.factories import PASSWORD, StaffFactory, UserFactory, in_group, make_call
from tests.sealing_support import PASSPHRASE, RECOVERY_PRIVATE, confirm

# The shared fixtures, used by name.
call, committee, members = opening_support.call, opening_support.committee, opening_support.members


def test_the_committee_is_fixed_at_the_deadline_even_for_a_superuser(
    site_root, committee, members, superuser
):
    from applications.committee_admin import CommitteePermissionPolicy
    from applications.services.committee import committee_change_refusal

    policy = CommitteePermissionPolicy(OpeningCommittee)
    no_bids = OpeningCommittee.objects.get(call=make_call(site_root["calls"], committee=members))
    assert committee_change_refusal(no_bids.call_id) is None
    assert policy.user_has_permission_for_instance(superuser, "change", no_bids)
    # Once a bid is sealed to the committee's keys, the committee is fixed as the key is.
    before = close_at(committee.call, timezone.now() + timedelta(days=5))
    assert "already sealed" in committee_change_refusal(before.pk)
    assert not policy.user_has_permission_for_instance(superuser, "change", committee)

    close_at(before, timezone.now() - timedelta(minutes=5))

    assert "fixed at the deadline" in committee_change_refusal(before.pk)
    for action in ("change", "delete"):
        assert not policy.user_has_permission_for_instance(superuser, action, committee)
    client = Client()
    client.force_login(superuser)
    edit = reverse("wagtailsnippets_applications_openingcommittee:edit", args=[committee.pk])
    page = client.get(edit).content.decode()
    assert "fixed at the deadline" in page  # shown read-only, with the reason
    accomplice = StaffFactory()
    response = client.post(edit, {"call": committee.call_id, "members": [accomplice.pk]})
    assert response.status_code in (302, 403)
    assert set(committee.members.all()) == set(members)
    delete = reverse("wagtailsnippets_applications_openingcommittee:delete", args=[committee.pk])
    assert client.post(delete).status_code in (302, 403)
    assert OpeningCommittee.objects.filter(pk=committee.pk).exists()


def test_a_new_committee_cannot_be_set_up_after_the_deadline(call, superuser, members):
    OpeningCommittee.objects.filter(call=call).delete()  # as for a call published before keys
    client = Client()
    client.force_login(superuser)
    add = reverse("wagtailsnippets_applications_openingcommittee:add")

    response = client.post(add, {"call": call.pk, "members": [m.pk for m in members]})

    assert response.status_code == 200  # the form again, with the reason
    assert "fixed at the deadline" in response.content.decode()
    assert not OpeningCommittee.objects.filter(call=call).exists()


def test_a_late_opening_needs_the_window_closed_a_reason_and_the_password(
    call, committee, members, superuser, settings
):
    from applications.services.committee import opening_delay_record

    reason = "Two members were travelling without a connection for the whole window."
    with pytest.raises(NotAllowed, match="a late opening can be recorded after"):
        opening_delay_record(call=call, user=superuser, password=PASSWORD, reason=reason)
    late = _window_passed(call, settings)
    with pytest.raises(Refused, match="at least 20 characters"):
        opening_delay_record(call=late, user=superuser, password=PASSWORD, reason="Late.")
    with pytest.raises(Refused, match="password or code is not right"):
        opening_delay_record(call=late, user=superuser, password="guess", reason=reason)
    with pytest.raises(NotAllowed, match="Only staff"):
        opening_delay_record(call=late, user=UserFactory(), password=PASSWORD, reason=reason)
    assert not OpeningDelay.objects.exists()


def test_after_a_late_opening_the_committee_may_change_and_confirm_in_a_new_window(
    call, committee, members, superuser, settings
):
    from applications.services.committee import committee_change_refusal, opening_delay_record
    from notifications.models import OutboxMessage

    late = _window_passed(call, settings)
    confirm_early = OpeningConfirmation.objects.create(
        call=late,
        member=members[0],
        confirmed_at=timezone.now() - timedelta(hours=60),
        share=member_share(call=late, user=members[0], passphrase=PASSPHRASE),
    )
    with pytest.raises(NotAllowed, match="Confirmations were taken until"):
        confirm(late, members[1])

    delay = opening_delay_record(
        call=late,
        user=superuser,
        password=PASSWORD,
        reason="Member 2 left the organisation; member 3 was away for the whole window.",
    )

    assert AuditEvent.objects.filter(call=late, action=AuditAction.OPENING_DELAYED).count() == 1
    told = OutboxMessage.objects.filter(dedupe_key__startswith=f"opening-delay:{delay.pk}:")
    assert sorted(m.to_email for m in told) == sorted(m.email for m in members)
    assert committee_change_refusal(late.pk) is None
    # Member 2 left: a new member takes their place. Member 1's earlier confirmation
    # still counts; the departed member's would not.
    newcomer = in_group(StaffFactory(), "Editors", "wagtailadmin.access_admin")
    committee.members.set([members[0], members[2], newcomer])

    assert confirm(late, members[2]) == (2, None)
    assert "confirmed since" in committee_change_refusal(late.pk)
    # The newcomer holds no share of the call's key: the quorum confirms, but two shares
    # do not rebuild the key, and nothing opens until the recovery key stands in.
    assert confirm(late, newcomer) == (3, None)
    assert not CallOpening.objects.filter(call=late).exists()
    with pytest.raises(Refused, match="not the recovery key"):
        recovery_share_give(call=late, private=PrivateKey.generate())
    opening = recovery_share_give(call=late, private=RECOVERY_PRIVATE)
    assert opening is not None and opening.submissions_received == 1
    assert confirm_early.member_id == members[0].pk
    assert not OpeningConfirmation.objects.filter(call=late, share__isnull=False).exists()
    from applications.models import OpeningRegister

    shares = {
        m["name"]: m.get("key_share") for m in OpeningRegister.objects.get(call=late).members
    }
    assert shares[newcomer.get_full_name()] is None and shares["Recovery key"] is True
    assert shares[members[0].get_full_name()] and shares[members[2].get_full_name()]
