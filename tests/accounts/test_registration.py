"""Registering, confirming the email address, the profile and resetting a password.

Every email goes through the outbox table, so the tests read the links the
applicant would receive from ``OutboxMessage`` rows.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from notifications.models import OutboxMessage
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"
VERIFY_LINK = re.compile(r"https?://testserver/account/verify/[\w-]+/[\w-]+/")
RESET_LINK = re.compile(r"https?://testserver/account/reset/[\w-]+/[\w-]+/")


def register(client, **overrides):
    data = {
        "email": "Wanjiku@Example.org",
        "first_name": "Wanjiku",
        "last_name": "Kamau",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(reverse("accounts:register"), data)


def link_in(message, pattern) -> str:
    found = pattern.search(message.body_text)
    assert found, f"no link in: {message.body_text!r}"
    assert found.group(0) in message.body_html
    return found.group(0)


def sign_in(client, email, password):
    return client.post(
        reverse("accounts:login"),
        {"sign_in_view-current_step": "auth", "auth-username": email, "auth-password": password},
    )


# --- registration and email confirmation ---


def test_registration_queues_a_confirmation_link_and_leaves_the_account_inactive(client):
    response = register(client)

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert "wanjiku@example.org" in response.content.decode()
    user = get_user_model().objects.get(email="wanjiku@example.org")
    assert not user.is_active
    assert user.check_password(NEW_PASSWORD)
    message = OutboxMessage.objects.get(to_email="wanjiku@example.org")
    link_in(message, VERIFY_LINK)
    assert not Profile.objects.get(user=user).email_verified_at


def test_an_unconfirmed_account_cannot_sign_in(client):
    register(client)

    response = sign_in(client, "wanjiku@example.org", NEW_PASSWORD)

    assert response.status_code == 200  # the form again, not a redirect
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("applications:dashboard")).status_code == 302


def test_an_unconfirmed_account_is_told_to_confirm_its_email(client):
    register(client)

    response = sign_in(client, "wanjiku@example.org", NEW_PASSWORD)

    assert "Confirm your email address first" in response.content.decode()


def test_a_wrong_password_does_not_reveal_an_unconfirmed_account(client):
    register(client)

    response = sign_in(client, "wanjiku@example.org", "not-the-password-at-all")

    page = response.content.decode()
    assert "Confirm your email address first" not in page
    assert "correct email address and password" in page


def test_fetching_the_link_confirms_nothing_and_its_button_confirms(client):
    """A mail scanner that fetches the link must not use it up; nor does confirming
    sign anyone in (the link may have been forwarded)."""
    register(client)
    link = link_in(OutboxMessage.objects.get(), VERIFY_LINK)

    page = client.get(link)

    assert page.status_code == 200
    assert "Confirm my address" in page.content.decode()
    user = get_user_model().objects.get(email="wanjiku@example.org")
    assert not user.is_active

    response = client.post(link, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "Your email address is confirmed" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active
    assert Profile.objects.get(user=user).email_verified_at is not None
    assert "_auth_user_id" not in client.session


def test_the_sign_in_after_confirming_has_the_address_filled_in_once(client):
    register(client)
    link = link_in(OutboxMessage.objects.get(), VERIFY_LINK)

    response = client.post(link, follow=True)

    page = response.content.decode()
    assert 'value="wanjiku@example.org"' in page
    password = re.search(
        r'<input[^>]*name="auth-password"[^>]*>|<input[^>]*name="password"[^>]*>', page
    )
    assert password and "autofocus" in password.group(0)  # the cursor is where typing goes
    assert all("wanjiku" not in url for url, _status in response.redirect_chain)  # no URL has it
    again = client.get(reverse("accounts:login")).content.decode()
    assert 'value="wanjiku@example.org"' not in again  # once: not for whoever comes next


def test_a_confirmed_account_signs_in_with_its_password(client):
    register(client)
    client.post(link_in(OutboxMessage.objects.get(), VERIFY_LINK))

    response = sign_in(client, "wanjiku@example.org", NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("applications:dashboard")


def test_a_confirmation_link_works_once(client):
    register(client)
    link = link_in(OutboxMessage.objects.get(), VERIFY_LINK)
    client.post(link)

    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()


def test_a_confirmation_link_expires(client, settings, monkeypatch):
    from accounts.tokens import EmailVerificationTokenGenerator

    register(client)
    link = link_in(OutboxMessage.objects.get(), VERIFY_LINK)
    from datetime import timedelta

    later = EmailVerificationTokenGenerator()._now() + timedelta(
        seconds=settings.EMAIL_VERIFICATION_TIMEOUT + 60
    )
    monkeypatch.setattr(EmailVerificationTokenGenerator, "_now", lambda self: later)

    assert client.get(link).status_code == 400
    assert client.post(link).status_code == 400
    assert not get_user_model().objects.get(email="wanjiku@example.org").is_active


def test_a_password_reset_token_never_confirms_an_address_nor_the_reverse(client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.tokens import email_verification_token

    register(client)
    user = get_user_model().objects.get(email="wanjiku@example.org")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset_token = default_token_generator.make_token(user)

    verify = reverse("accounts:verify", kwargs={"uidb64": uid, "token": reset_token})
    assert client.post(verify).status_code == 400
    assert not default_token_generator.check_token(user, email_verification_token.make_token(user))
    user.refresh_from_db()
    assert not user.is_active


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda uid, token: (uid, token[:-1] + ("a" if token[-1] != "a" else "b")), id="token"
        ),
        pytest.param(lambda uid, token: ("MTIzNDU2Nw", token), id="user"),
        pytest.param(lambda uid, token: ("!!", token), id="garbage"),
    ],
)
def test_a_tampered_confirmation_link_is_refused(client, tamper):
    register(client)
    link = link_in(OutboxMessage.objects.get(), VERIFY_LINK)
    uid, token = link.rstrip("/").split("/")[-2:]
    uid, token = tamper(uid, token)

    response = client.get(reverse("accounts:verify", kwargs={"uidb64": uid, "token": token}))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert not get_user_model().objects.get(email="wanjiku@example.org").is_active
    assert "_auth_user_id" not in client.session


# --- refused registrations ---


def test_registering_an_address_with_an_account_looks_the_same_and_tells_the_owner(client):
    UserFactory(email="wanjiku@example.org")

    existing = register(client, email="WANJIKU@example.org")
    new = register(Client(), email="someone.new@example.org")

    assert existing.status_code == new.status_code == 200

    def page(response, email):
        return response.content.decode().replace(email, "EMAIL")

    assert page(existing, "wanjiku@example.org") == page(new, "someone.new@example.org")
    assert get_user_model().objects.filter(email__iexact="wanjiku@example.org").count() == 1
    told = OutboxMessage.objects.get(to_email="wanjiku@example.org")
    assert "Someone tried to register" in told.subject
    assert "/account/password-reset/" in told.body_text
    assert not VERIFY_LINK.search(told.body_text)
    # Trying again within the hour does not flood the owner.
    register(client, email="wanjiku@example.org")
    assert OutboxMessage.objects.filter(to_email="wanjiku@example.org").count() == 1


def test_registering_again_before_confirming_sends_a_fresh_link(client):
    """An expired link must not strand the person: registering again re-sends it."""
    register(client)
    user = get_user_model().objects.get(email="wanjiku@example.org")
    OutboxMessage.objects.all().delete()  # as if the first link had expired unread

    response = register(
        client, email="WANJIKU@example.org", password1=PASSWORD, password2=PASSWORD
    )

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert get_user_model().objects.filter(email__iexact="wanjiku@example.org").count() == 1
    link = link_in(OutboxMessage.objects.get(to_email="wanjiku@example.org"), VERIFY_LINK)
    client.post(link)
    user.refresh_from_db()
    assert user.is_active
    # The password typed the second time was ignored: only the owner's first one works.
    assert user.check_password(NEW_PASSWORD)


def test_a_new_link_can_be_asked_for_and_the_answer_says_nothing_about_the_address(
    client, settings
):
    settings.VERIFICATION_RESEND_RATE = "3/h"
    register(client)
    OutboxMessage.objects.all().delete()  # the first link expired unread
    UserFactory(email="active@example.org")
    url = reverse("accounts:verify_resend")

    pages = [
        client.post(url, {"email": email}).content.decode()
        for email in ("WANJIKU@example.org", "active@example.org", "nobody@example.org")
    ]

    assert all("Check your email" in page for page in pages)
    assert [m.to_email for m in OutboxMessage.objects.all()] == ["wanjiku@example.org"]
    link = link_in(OutboxMessage.objects.get(), VERIFY_LINK)
    client.post(link)
    assert get_user_model().objects.get(email="wanjiku@example.org").is_active
    assert client.post(url, {"email": "x@example.org"}).status_code == 429  # the fourth


def test_passwords_that_differ_are_refused(client):
    response = register(client, password2=NEW_PASSWORD + "x")

    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode()
    assert not get_user_model().objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("83749261507", "entirely numeric"),
        ("wanjikukamau", "too similar"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(client, password, complaint):
    response = register(client, password1=password, password2=password)

    assert response.status_code == 400
    assert complaint in response.content.decode()
    assert not get_user_model().objects.exists()


def test_a_signed_in_user_is_sent_to_their_bids(client):
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:register"))

    assert response.status_code == 302
    assert response.url == reverse("applications:dashboard")


# --- profile ---


@pytest.fixture
def applicant(client):
    user = UserFactory(email="amina@example.org", first_name="Amina", last_name="Otieno")
    Profile.objects.create(user=user, legal_name="Amina Otieno")
    client.force_login(user)
    return user


def profile_data(**overrides):
    return {
        "first_name": "Amina",
        "last_name": "Otieno",
        "applicant_type": "organisation",
        "legal_name": "Haki Research Trust",
        "country": "Kenya",
        "registration_number": "CPR/2019/12345",
        "phone": "+254 700 000 000",
        "website": "https://haki.example.org",
        **overrides,
    }


def test_the_profile_needs_signing_in(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_organisation_without_a_legal_name_is_refused(client, applicant):
    response = client.post(reverse("accounts:profile"), profile_data(legal_name=""))

    assert response.status_code == 400
    assert "Give your organisation&#x27;s registered name." in response.content.decode()
    assert Profile.objects.get(user=applicant).applicant_type == "individual"


def test_a_saved_profile_is_shown_back(client, applicant):
    response = client.post(
        reverse("accounts:profile"), profile_data(first_name="Amina W."), follow=True
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your profile is saved." in page
    for value in (
        "Haki Research Trust",
        "CPR/2019/12345",
        "+254 700 000 000",
        "https://haki.example.org",
        "Amina W.",
    ):
        assert f'value="{value}"' in page
    assert re.search(r'value="organisation"[^>]*checked', page)
    profile = Profile.objects.get(user=applicant)
    assert profile.applicant_type == "organisation"
    assert profile.display_name == "Haki Research Trust"
    applicant.refresh_from_db()
    assert applicant.first_name == "Amina W."


# --- password reset ---


def test_password_reset_queues_one_link_and_the_link_sets_a_new_password(client):
    user = UserFactory(email="amina@example.org")

    response = client.post(
        reverse("accounts:password_reset"), {"email": "amina@example.org"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    assert "Check your email" in response.content.decode()
    message = OutboxMessage.objects.get()
    assert message.to_email == "amina@example.org"
    link = link_in(message, RESET_LINK)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert done.redirect_chain[-1][0] == reverse("accounts:password_reset_complete")
    assert "Password changed" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    client.logout()
    assert sign_in(client, "amina@example.org", NEW_PASSWORD).status_code == 302
    # The link is spent with the old password.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert "This link is not valid" in again.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_and_looks_the_same(client):
    UserFactory(email="amina@example.org")

    known = client.post(
        reverse("accounts:password_reset"), {"email": "amina@example.org"}, follow=True
    )
    unknown = client.post(
        reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True
    )

    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.content == known.content
    assert list(OutboxMessage.objects.values_list("to_email", flat=True)) == ["amina@example.org"]
