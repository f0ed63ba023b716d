"""Nobody opens a call alone: a committee's quorum, each member confirming with their
own password, within a window after the deadline; each member counts once. The
register the opening writes is in test_opening_register.py; the committee fixed at
the deadline, and a late opening, in test_committee_in_time.py."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.choices import AuditAction
from applications.models import AuditEvent, CallOpening, OpeningConfirmation, OpeningDelay
from applications.permissions import EvaluatorRules, _evaluator_rules, register_evaluator_rules
from applications.services.opening import opening_confirm
from core.errors import NotAllowed, Refused
from tests.applications import opening_support
from tests.applications.deadline_support import close_at
from tests.applications.opening_support import _window_passed
from tests.factories import PASSWORD, second_factor_code
from tests.sealing_support import PASSPHRASE, confirm

# The shared fixtures, used by name.
call, committee, members = opening_support.call, opening_support.committee, opening_support.members


def test_one_member_short_cannot_open_and_the_full_quorum_can(call, committee, members):
    assert confirm(call, members[0]) == (1, None)
    assert confirm(call, members[1]) == (2, None)
    assert not CallOpening.objects.filter(call=call).exists()

    count, opening = confirm(call, members[2])

    assert count == 3 and opening is not None
    assert opening.submissions_received == 1
    actions = list(AuditEvent.objects.filter(call=call).values_list("action", flat=True))
    assert actions.count(AuditAction.OPENING_CONFIRMED) == 3
    assert actions.count(AuditAction.CALL_OPENED) == 1


def test_the_same_member_confirming_twice_counts_once(call, committee, members):
    confirm(call, members[0])
    assert confirm(call, members[0]) == (1, None)
    assert confirm(call, members[1]) == (2, None)
    assert OpeningConfirmation.objects.filter(call=call).count() == 2
    assert not CallOpening.objects.filter(call=call).exists()


def test_a_wrong_password_records_nothing(call, committee, members):
    with pytest.raises(Refused, match="password or code is not right"):
        confirm(call, members[0], password="guess")
    assert not OpeningConfirmation.objects.exists()


def test_nobody_outside_the_committee_confirms_not_even_a_superuser(call, committee, superuser):
    with pytest.raises(NotAllowed, match="opening committee"):
        confirm(call, superuser)
    assert not OpeningConfirmation.objects.exists()


def test_a_call_without_a_committee_cannot_be_opened(call, superuser):
    with pytest.raises(NotAllowed):
        confirm(call, superuser)


def test_confirmations_are_taken_only_within_the_window_after_the_deadline(
    site_root, call, committee, members, settings
):
    early = close_at(call, timezone.now() + timedelta(seconds=30))
    with pytest.raises(NotAllowed, match="can be opened from"):
        confirm(early, members[0])
    late = close_at(
        call,
        timezone.now() - timedelta(hours=settings.OPENING_CONFIRMATION_WINDOW_HOURS, minutes=1),
    )
    with pytest.raises(NotAllowed, match="Confirmations were taken until"):
        confirm(late, members[0])
    assert not OpeningConfirmation.objects.exists()


def test_a_committee_too_small_or_wholly_on_the_panel_cannot_open(call, committee, members):
    committee.members.remove(members[2])
    with pytest.raises(Refused, match="at least 3 active members"):
        confirm(call, members[0])
    committee.members.add(members[2])

    saved = dict(_evaluator_rules)
    register_evaluator_rules(
        "everyone-on-panel",
        EvaluatorRules(
            leads=lambda u, c: False, reads=lambda u, s: False, on_panel=lambda u, c: True
        ),
    )
    try:
        with pytest.raises(Refused, match="must not sit on the evaluation panel"):
            confirm(call, members[0])
    finally:
        _evaluator_rules.clear()
        _evaluator_rules.update(saved)


def test_through_the_admin_a_member_confirms_and_a_superuser_alone_opens_nothing(
    client, call, committee, members, superuser
):
    url = reverse("zabuni_call_open", args=[call.pk])
    client.force_login(superuser)
    client.post(url, {"password": PASSWORD})
    assert not CallOpening.objects.filter(call=call).exists()

    for member in members:
        client.force_login(member)
        page = client.get(reverse("zabuni_call_submissions", args=[call.pk])).content.decode()
        assert "Confirm the opening" in page
        response = client.post(
            url,
            {"password": PASSWORD, "code": second_factor_code(member), "passphrase": PASSPHRASE},
            follow=True,
        )
        assert response.status_code == 200

    assert CallOpening.objects.filter(call=call).exists()
    assert "Call opened: 1 submissions unsealed." in response.content.decode()


def test_every_member_hears_of_each_confirmation(call, committee, members):
    from notifications.models import OutboxMessage

    confirm(call, members[0])

    told = OutboxMessage.objects.filter(dedupe_key__startswith="opening-confirmed:")
    assert sorted(m.to_email for m in told) == sorted(m.email for m in members)
    for mail in told:
        assert members[0].get_full_name() in mail.body_text
        assert "1 of the 3 confirmations" in mail.body_text
        assert "someone has used your account" in mail.body_text


def test_a_member_with_an_authenticator_confirms_only_with_a_current_code(
    call, committee, members, settings
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # django-otp slows retries after a wrong code; this test is about the code itself.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    TOTPDevice.objects.create(user=members[0], name="default", confirmed=True)
    code = second_factor_code(members[0])
    wrong = "000000" if code != "000000" else "111111"

    for attempt in ("", wrong):
        with pytest.raises(Refused, match="password or code is not right"):
            opening_confirm(call=call, user=members[0], password=PASSWORD, code=attempt)
    assert not OpeningConfirmation.objects.exists()

    assert opening_confirm(
        call=call, user=members[0], password=PASSWORD, code=code, passphrase=PASSPHRASE
    ) == (1, None)


# --- The password and code at the opening count like a sign-in -------------------------

ONE_ANSWER = "That password or code is not right"


def _post_for_message(client, url, data):
    return client.post(url, data, follow=True).content.decode()


def test_guessing_a_members_password_at_the_opening_pauses_the_account(
    client, call, committee, members, settings
):
    """As an insider with a member's session would try it: each wrong password or code
    is answered alike and counted like a failed sign-in; at the limit the account is
    paused, the right password included, and nothing is recorded."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # this is about the lockout, not the code's wait
    member = members[0]
    client.force_login(member)
    url = reverse("zabuni_call_open", args=[call.pk])
    code = second_factor_code(member)
    wrong_code = "000000" if code != "000000" else "111111"

    wrong_password = _post_for_message(client, url, {"password": "guess-0", "code": code})
    wrong_code_page = _post_for_message(client, url, {"password": PASSWORD, "code": wrong_code})

    for page in (wrong_password, wrong_code_page):
        assert ONE_ANSWER in page
        assert "not your password" not in page and "not a current code" not in page
    answers = [
        client.post(url, {"password": f"guess-{n}", "code": second_factor_code(member)})
        for n in range(1, 11)
    ]
    # Two failures above, then these: the limit-th failure pauses the account.
    assert answers[settings.AXES_FAILURE_LIMIT - 4].status_code == 302
    assert answers[settings.AXES_FAILURE_LIMIT - 3].status_code == 429
    right = client.post(url, {"password": PASSWORD, "code": second_factor_code(member)})

    assert right.status_code == 429
    assert "Sign-in paused" in right.content.decode()
    assert not OpeningConfirmation.objects.exists()
    signing_in = Client().post(
        reverse("accounts:login"),
        {
            "sign_in_view-current_step": "auth",
            "auth-username": member.email,
            "auth-password": PASSWORD,
        },
    )
    assert signing_in.status_code == 429


def test_guessing_the_password_for_a_late_opening_pauses_the_account(
    client, call, committee, superuser, settings
):
    late = _window_passed(call, settings)
    client.force_login(superuser)
    url = reverse("zabuni_call_opening_delay", args=[late.pk])
    reason = "Two members were travelling without a connection for the whole window."

    wrong = _post_for_message(client, url, {"password": "guess", "reason": reason})
    assert ONE_ANSWER in wrong and "not your password" not in wrong
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"password": f"guess-{n}", "reason": reason})
    right = client.post(url, {"password": PASSWORD, "reason": reason})

    assert right.status_code == 429
    assert not OpeningDelay.objects.exists()
