"""Where one is signed in: the Security page lists each session, any can be ended,
"Sign out everywhere" ends them all, and a password change ends all but this one."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SignedInSession
from accounts.sessions import describe_browser
from notifications.models import OutboxMessage
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PHONE = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36"
)
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"


def signed_in(user, agent, password=PASSWORD):
    """A real sign-in through the form, from a browser that says ``agent``."""
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(
        reverse("accounts:login"),
        {
            "sign_in_view-current_step": "auth",
            "auth-username": user.email,
            "auth-password": password,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def is_signed_in(client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


@pytest.fixture
def amina(db):
    return UserFactory(email="amina@example.org")


def test_the_security_page_lists_each_browser_and_marks_this_one(amina):
    phone = signed_in(amina, PHONE)
    signed_in(amina, LAPTOP)

    page = phone.get(reverse("accounts:security")).content.decode()

    assert "Chrome, Android" in page and "Firefox, Windows" in page
    assert page.count("This browser") == 1
    assert SignedInSession.objects.filter(user=amina).count() == 2


def test_ending_one_session_signs_that_browser_out_only(amina):
    phone = signed_in(amina, PHONE)
    laptop = signed_in(amina, LAPTOP)
    laptop_row = SignedInSession.objects.get(user=amina, browser="Firefox, Windows")

    response = phone.post(reverse("accounts:end_session", args=[laptop_row.pk]))

    assert response.status_code == 302
    assert not is_signed_in(laptop)
    assert is_signed_in(phone)


def test_nobody_ends_another_persons_session(amina):
    laptop = signed_in(amina, LAPTOP)
    row = SignedInSession.objects.get(user=amina)
    other = signed_in(UserFactory(email="baraka@example.org"), PHONE)

    other.post(reverse("accounts:end_session", args=[row.pk]))

    assert is_signed_in(laptop)


def test_sign_out_everywhere_ends_every_session_even_unlisted_ones(amina):
    phone = signed_in(amina, PHONE)
    laptop = signed_in(amina, LAPTOP)
    unlisted = signed_in(amina, LAPTOP)
    SignedInSession.objects.filter(
        session_key=unlisted.session.session_key
    ).delete()  # a session from before the list existed

    response = phone.post(reverse("accounts:sign_out_everywhere"))

    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert not is_signed_in(phone)
    assert not is_signed_in(laptop)
    assert not is_signed_in(unlisted)
    assert not SignedInSession.objects.filter(user=amina).exists()
    assert is_signed_in(signed_in(amina, PHONE))  # and signing in again works


def test_a_password_change_ends_the_other_sessions_and_tells_the_owner(amina):
    phone = signed_in(amina, PHONE)
    laptop = signed_in(amina, LAPTOP)
    new = "a new long passphrase 2026"

    response = phone.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 302
    assert is_signed_in(phone)
    assert not is_signed_in(laptop)
    assert SignedInSession.objects.filter(user=amina).count() == 1
    mail = OutboxMessage.objects.get(to_email=amina.email, subject__icontains="password")
    assert "was just changed" in mail.body_text
    assert is_signed_in(signed_in(amina, LAPTOP, password=new))


def test_a_wrong_old_password_changes_nothing(amina):
    phone = signed_in(amina, PHONE)
    laptop = signed_in(amina, LAPTOP)

    response = phone.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it-at-all", "new_password1": "x" * 14, "new_password2": "x" * 14},
    )

    assert response.status_code == 400
    assert is_signed_in(laptop)
    amina.refresh_from_db()
    assert amina.check_password(PASSWORD)


def test_signing_out_forgets_the_session(amina):
    phone = signed_in(amina, PHONE)

    phone.post(reverse("accounts:logout"))

    assert not SignedInSession.objects.filter(user=amina).exists()


@pytest.mark.parametrize(
    ("agent", "said"),
    [
        (PHONE, "Chrome, Android"),
        (LAPTOP, "Firefox, Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "Safari, iPhone",
        ),
        ("", ""),
    ],
)
def test_browsers_are_named_in_a_few_words(agent, said):
    assert describe_browser(agent) == said
