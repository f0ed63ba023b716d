"""Granting staff rights, turning off the second factor and making recovery codes
need a recent re-authentication; the confirmation page
itself counts wrong passwords like the sign-in form and never redirects off-site."""

import time

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.reauth import AUTHENTICATED_AT
from tests.factories import PASSWORD, StaffFactory, UserFactory, second_factor_code

pytestmark = pytest.mark.django_db


def go_stale(client):
    session = client.session
    session[AUTHENTICATED_AT] = int(time.time()) - 11 * 60
    session.save()


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(
        email="root@example.org", password=PASSWORD, first_name="R", last_name="Oot"
    )


def test_signing_in_counts_as_a_recent_confirmation(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("wagtailusers_users:index")).status_code == 200


@pytest.mark.parametrize(
    "route",
    [
        "wagtailusers_users:index",
        "wagtailusers_groups:index",
        "two_factor:disable",
        "two_factor:backup_tokens",
    ],
)
def test_rights_and_second_factor_screens_ask_again_after_ten_minutes(client, admin_user, route):
    client.force_login(admin_user)
    go_stale(client)

    asked = client.get(reverse(route))

    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("accounts:confirm_identity"))
    confirmed = client.post(
        asked["Location"], {"password": PASSWORD, "otp_token": second_factor_code(admin_user)}
    )
    assert confirmed["Location"] == reverse(route)
    assert client.get(reverse(route)).status_code == 200


def test_a_stale_session_cannot_make_anyone_staff(client, admin_user):
    target = UserFactory(email="outsider@example.org")
    client.force_login(admin_user)
    go_stale(client)

    response = client.post(
        reverse("wagtailusers_users:edit", args=[target.pk]),
        {
            "email": target.email,
            "first_name": "Out",
            "last_name": "Sider",
            "is_active": "on",
            "is_superuser": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:confirm_identity"))
    target.refresh_from_db()
    assert not target.is_superuser and not target.is_staff


def test_the_confirmation_never_sends_anyone_to_another_site(client):
    staff = StaffFactory(email="wanjiru@example.org")
    client.force_login(staff)
    url = reverse("accounts:confirm_identity") + "?next=https://evil.example/phish"

    response = client.post(url, {"password": PASSWORD, "otp_token": second_factor_code(staff)})

    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_passwords_on_the_confirmation_lock_the_account_like_sign_in(client, settings):
    from axes.models import AccessAttempt

    staff = StaffFactory(email="wanjiru@example.org")
    client.force_login(staff)
    url = reverse("accounts:confirm_identity")
    for _ in range(3):
        assert (
            client.post(url, {"password": "guess-guess-guess", "otp_token": "1"}).status_code
            == 400
        )

    assert AccessAttempt.objects.get(username="wanjiru@example.org").failures_since_start == 3
