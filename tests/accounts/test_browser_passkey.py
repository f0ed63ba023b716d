"""A security key or passkey as the second factor, in Chromium with a virtual
authenticator (the DevTools WebAuthn domain): enrolment, sign-in, and the
re-authentication before an act that cannot be undone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD, StaffFactory, in_group

pytestmark = [pytest.mark.services, pytest.mark.browser]


@pytest.fixture
def staff(transactional_db, django_db_serialized_rollback):
    return in_group(
        StaffFactory(email="otieno@example.org"), "Editors", "wagtailadmin.access_admin"
    )


def with_virtual_key(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def password_step(page, base_url, email):
    page.goto(base_url + "/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_enrol_a_passkey_sign_in_with_it_and_confirm_with_it(live_server, browser, staff):
    from two_factor.plugins.webauthn.models import WebauthnDevice

    # The relying party must be a host name: browsers refuse an IP address.
    base_url = live_server.url.replace("127.0.0.1", "localhost")
    context = browser.new_context()
    page = context.new_page()
    cdp, key = with_virtual_key(context, page)

    password_step(page, base_url, staff.email)
    expect(page.get_by_role("heading", name="Set up a second factor")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Security key or passkey").check()
    page.get_by_role("button", name="Next").click()
    # The browser makes the credential and the page sends it by itself.
    expect(page.get_by_role("link", name="Get recovery codes")).to_be_visible()
    assert WebauthnDevice.objects.filter(user=staff, confirmed=True).count() == 1
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": key})["credentials"]) == 1

    page.get_by_role("button", name="Sign out").click()
    password_step(page, base_url, staff.email)
    # The token step asks the key at once and signs in: staff land in the admin.
    expect(page).to_have_url(base_url + "/admin/")
    assert page.goto(base_url + "/admin/").status == 200
    assert page.url == base_url + "/admin/"

    page.goto(base_url + reverse("accounts:confirm_identity") + "?next=/account/security/")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Security")).to_be_visible()
    expect(
        page.get_by_text("On: signing in asks for your security key or passkey.")
    ).to_be_visible()
    used = WebauthnDevice.objects.get(user=staff)
    assert used.last_used_at is not None and used.sign_count >= 2
    context.close()


def enrol_passkey(page, base_url, email):
    password_step(page, base_url, email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Security key or passkey").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("link", name="Get recovery codes")).to_be_visible()


def test_a_committee_member_confirms_an_opening_with_a_passkey(live_server, browser, staff):
    from applications.models import OpeningConfirmation
    from tests.applications.deadline_support import close_at
    from tests.factories import UserFactory, build_site, make_call, submit_bid
    from tests.sealing_support import PASSPHRASE

    others = [StaffFactory(email=f"member{n}@example.org") for n in range(2)]
    call = make_call(build_site()["calls"], committee=[staff, *others])
    submit_bid(call, UserFactory())
    call = close_at(call, timezone.now() - timedelta(minutes=5))
    base_url = live_server.url.replace("127.0.0.1", "localhost")
    context = browser.new_context()
    page = context.new_page()
    with_virtual_key(context, page)
    enrol_passkey(page, base_url, staff.email)

    page.goto(base_url + reverse("zabuni_call_submissions", args=[call.pk]))
    page.get_by_label("Your password, to confirm it is you").fill(PASSWORD)
    page.get_by_label("The passphrase of your opening key", exact=False).fill(PASSPHRASE)
    page.get_by_role("button", name="Confirm the opening").click()

    expect(
        page.get_by_text("Your confirmation is recorded: 1 of the", exact=False)
    ).to_be_visible()
    assert OpeningConfirmation.objects.filter(call=call, member=staff).exists()
    context.close()


def test_without_the_key_the_sign_in_stops_at_the_second_step(live_server, browser, staff):
    from two_factor.plugins.webauthn.models import WebauthnDevice

    WebauthnDevice.objects.create(
        user=staff,
        name="default",
        public_key="pQECAyYgASFYIA",
        key_handle="AAAA",
        sign_count=0,
        confirmed=True,
    )
    base_url = live_server.url.replace("127.0.0.1", "localhost")
    context = browser.new_context()
    page = context.new_page()
    with_virtual_key(context, page)  # a key, but not the one enrolled

    password_step(page, base_url, staff.email)

    expect(page.get_by_role("alert")).to_contain_text("did not answer")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    context.close()
