"""Where people land after signing in: back on the call they came from, through
registration and the confirmation mail; staff without a destination, in the admin."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import current_code
from notifications.models import OutboxMessage
from tests.factories import PASSWORD, StaffFactory, UserFactory, in_group, make_call

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"
AUTH = "sign_in_view-current_step"
REGISTER_LINK = re.compile(r'href="(/account/register/[^"]*)"')
VERIFY_LINK = re.compile(r"https?://testserver(/account/verify/[\w-]+/[\w-]+/[^\s\"<]*)")


def register_at(client, url, email="wanjiku@example.org"):
    return client.post(
        url,
        {
            "email": email,
            "first_name": "Wanjiku",
            "last_name": "Kamau",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


def verify_link() -> str:
    found = VERIFY_LINK.search(OutboxMessage.objects.get().body_text)
    assert found, OutboxMessage.objects.get().body_text
    return found.group(1).replace("&amp;", "&")


def test_creating_an_account_on_a_call_page_comes_back_to_the_call(client, site_root):
    call = make_call(site_root["calls"])
    page = client.get(call.url).content.decode()
    create = [link for link in REGISTER_LINK.findall(page) if "next=" in link]
    assert create, "the call page's 'Create an account' carries where to come back"

    assert register_at(client, create[0].replace("&amp;", "&")).status_code == 200
    link = verify_link()
    assert client.get(link).status_code == 200
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert parse_qs(urlsplit(confirmed["Location"]).query)["next"] == [call.url]
    signed_in = client.post(
        confirmed["Location"],
        {AUTH: "auth", "auth-username": "wanjiku@example.org", "auth-password": NEW_PASSWORD},
    )

    assert signed_in.status_code == 302
    assert signed_in["Location"] == call.url


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/calls/", "//evil.example/", "/\\evil.example/"]
)
def test_a_destination_off_the_site_is_never_carried(client, elsewhere):
    register_at(client, reverse("accounts:register") + "?next=" + elsewhere)
    link = verify_link()
    assert "evil" not in link

    confirmed = client.post(link)
    assert "evil" not in confirmed["Location"]
    signed_in = client.post(
        reverse("accounts:login") + "?next=" + elsewhere,
        {AUTH: "auth", "auth-username": "wanjiku@example.org", "auth-password": NEW_PASSWORD},
    )
    assert signed_in["Location"] == reverse("applications:dashboard")


def test_the_sign_in_and_registration_pages_pass_the_destination_on(client):
    to_register = client.get(reverse("accounts:login") + "?next=/calls/call-1/").content.decode()
    to_sign_in = client.get(reverse("accounts:register") + "?next=/calls/call-1/").content.decode()

    assert reverse("accounts:register") + "?next=/calls/call-1/" in to_register.replace("%2F", "/")
    assert reverse("accounts:login") + "?next=/calls/call-1/" in to_sign_in.replace("%2F", "/")


def test_staff_signing_in_without_a_destination_land_in_the_admin():
    staff = in_group(StaffFactory(), "Editors", "wagtailadmin.access_admin")
    device = TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    client = Client()

    client.post(
        reverse("accounts:login"),
        {AUTH: "auth", "auth-username": staff.email, "auth-password": PASSWORD},
    )
    signed_in = client.post(
        reverse("accounts:login"), {AUTH: "token", "token-otp_token": current_code(device)[0]}
    )

    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("wagtailadmin_home")


def test_applicants_signing_in_without_a_destination_land_on_their_bids(client):
    user = UserFactory()

    signed_in = client.post(
        reverse("accounts:login"),
        {AUTH: "auth", "auth-username": user.email, "auth-password": PASSWORD},
    )

    assert signed_in["Location"] == reverse("applications:dashboard")
