"""Steps a person takes in the browser tests, shared by them."""

from tests.factories import PASSWORD


def sign_in(page, base_url, email, password=PASSWORD):
    from playwright.sync_api import expect

    page.goto(base_url + "/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
