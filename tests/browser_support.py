"""Steps a person takes in the browser tests, shared by them."""

from tests.factories import PASSWORD


def sign_in(page, base_url, email, password=PASSWORD):
    """Sign in through the form; for anyone who needs a second factor, enrol an
    authenticator (as they would have) and type the code it shows now."""
    from django.contrib.auth import get_user_model
    from playwright.sync_api import expect

    from accounts.demo import DEMO_DEVICE, current_code, enrol_demo_authenticator
    from accounts.second_factor import needs_second_factor

    user = get_user_model().objects.get(email=email)
    device = None
    if needs_second_factor(user):
        enrol_demo_authenticator(user)
        device = user.totpdevice_set.get(name=DEMO_DEVICE)
    page.goto(base_url + "/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        code = page.get_by_label("Code from your authenticator app")
        code.fill(current_code(device)[0])
        page.get_by_role("button", name="Verify").click()
    if user.is_staff or user.is_superuser:
        # Staff land in the admin; the callers go on from the portal's "Your bids".
        expect(page).to_have_url(base_url + "/admin/")
        page.goto(base_url + "/bids/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
