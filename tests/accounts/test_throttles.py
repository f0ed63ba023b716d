"""Brute force and floods: an account pauses after repeated wrong passwords and is
released after the cool-off; each address has a limit on the sign-in, registration,
reset and question forms, answered with a 429 page; the admin signs in at the same door."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post(
        reverse("accounts:login"),
        {"sign_in_view-current_step": "auth", "auth-username": email, "auth-password": password},
    )


def test_an_account_pauses_after_repeated_failures_and_is_released_after_the_cool_off(
    settings,
):
    from axes.models import AccessAttempt

    user = UserFactory(email="amina@example.org")
    # Each try from another address: the per-address limit is not what stops them.
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert sign_in(client, "Amina@Example.org", "wrong-password-guess").status_code == 200
    last = sign_in(Client(REMOTE_ADDR="198.51.100.99"), "amina@example.org", "another-guess")
    assert last.status_code == 429  # the limit-th failure pauses the account

    locked = sign_in(Client(REMOTE_ADDR="203.0.113.50"), user.email, PASSWORD)

    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in locked.client.session

    # The cool-off passes (the attempts are dated back past it): the right password works.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    released = sign_in(Client(REMOTE_ADDR="203.0.113.50"), user.email, PASSWORD)
    assert released.status_code == 302


def test_one_address_is_throttled_before_it_can_keep_an_account_locked(settings):
    settings.LOGIN_RATE = "3/15m"
    UserFactory(email="amina@example.org")
    attacker = Client(REMOTE_ADDR="198.51.100.7")

    answers = [sign_in(attacker, "amina@example.org", "guess").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    page = sign_in(attacker, "amina@example.org", "guess")
    assert page.status_code == 429
    assert "Too many tries" in page.content.decode()
    # Someone else, elsewhere, still signs in to the same account.
    assert (
        sign_in(Client(REMOTE_ADDR="203.0.113.9"), "amina@example.org", PASSWORD).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("setting", "url", "data"),
    [
        (
            "REGISTRATION_RATE",
            "accounts:register",
            {
                "email": "new@example.org",
                "first_name": "N",
                "last_name": "W",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        ),
        ("PASSWORD_RESET_RATE", "accounts:password_reset", {"email": "someone@example.org"}),
    ],
    ids=["registration", "password-reset"],
)
def test_registration_and_resets_answer_429_past_their_limit(settings, setting, url, data):
    from notifications.models import OutboxMessage

    setattr(settings, setting, "2/h")
    client = Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(2):
        assert client.post(reverse(url), data).status_code in (200, 302)
    mails = OutboxMessage.objects.count()

    refused = client.post(reverse(url), data)

    assert refused.status_code == 429
    assert "Too many tries" in refused.content.decode()
    assert OutboxMessage.objects.count() == mails  # nothing done
    assert Client(REMOTE_ADDR="203.0.113.20").get(reverse(url)).status_code == 200


def test_questions_are_limited_per_person(settings, site_root):
    from tenders.models import Clarification
    from tests.factories import make_call

    settings.CLARIFICATION_RATE = "2/h"
    call = make_call(site_root["calls"])
    client = Client()
    client.force_login(UserFactory())
    url = reverse("applications:ask", args=[call.pk])
    for n in range(2):
        client.post(url, {"question": f"Question number {n} about the terms?"})

    refused = client.post(url, {"question": "One question too many?"})

    assert refused.status_code == 429
    assert Clarification.objects.filter(call=call).count() == 2


def test_the_admin_signs_in_at_the_portals_door(superuser):
    client = Client()

    to_admin = client.get(reverse("wagtailadmin_home"))
    login = client.get("/admin/login/?next=/admin/pages/")

    assert to_admin.status_code == 302
    assert to_admin["Location"].startswith(reverse("accounts:login"))
    assert login["Location"] == reverse("accounts:login") + "?next=%2Fadmin%2Fpages%2F"
    assert client.post("/admin/login/", {"username": superuser.email, "password": PASSWORD})[
        "Location"
    ].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    evil = client.get("/admin/login/?next=https://evil.example/")
    assert "evil" not in evil["Location"]
