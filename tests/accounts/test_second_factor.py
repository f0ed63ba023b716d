"""Two-factor sign-in: staff and panels need it before any admin screen, review page
or opening action; applicants may use it; one sign-in serves portal and admin."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import current_code
from tests.factories import PASSWORD, StaffFactory, UserFactory, in_group

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]

AUTH = "sign_in_view-current_step"


def password_step(client, email, password=PASSWORD, next_url=""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {AUTH: "auth", "auth-username": email, "auth-password": password})


def code_step(client, code, next_url=""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {AUTH: "token", "token-otp_token": code})


@pytest.fixture
def staff_with_app(db):
    user = in_group(
        StaffFactory(email="otieno@example.org"), "Editors", "wagtailadmin.access_admin"
    )
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user, device


def test_staff_without_a_second_factor_cannot_reach_the_admin(client):
    staff = StaffFactory()
    client.force_login(staff)  # password only

    for url in ("/admin/", reverse("zabuni_call_list"), reverse("reviews:queue")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("two_factor:setup"), url


def test_a_panel_member_without_one_cannot_reach_the_review_pages(client, site_root):
    """Even one put on a panel after signing in: the review pages check afresh."""
    from datetime import timedelta

    from django.utils import timezone

    from reviews.models import Panel
    from tests.factories import make_call

    reviewer = UserFactory()
    client.force_login(reviewer)
    assert client.get(reverse("reviews:queue")).status_code == 200  # on no panel yet
    panel = Panel.objects.create(
        call=make_call(site_root["calls"]),
        chair=UserFactory(),
        review_deadline=timezone.now() + timedelta(days=7),
    )
    panel.members.add(reviewer)

    response = client.get(reverse("reviews:queue"))

    assert response["Location"] == reverse("two_factor:setup")


def test_staff_sign_in_with_password_then_code_and_reach_the_admin(staff_with_app):
    user, device = staff_with_app
    client = Client()

    first = password_step(client, user.email, next_url="/admin/")
    assert first.status_code == 200
    assert "Code from your authenticator app" in first.content.decode()
    assert "_auth_user_id" not in client.session  # not signed in on the password alone
    assert client.get("/admin/").status_code == 302

    done = code_step(client, current_code(device)[0], next_url="/admin/")
    assert done.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_signs_nobody_in(staff_with_app):
    user, device = staff_with_app
    client = Client()
    password_step(client, user.email)

    wrong = code_step(client, "000000" if current_code(device)[0] != "000000" else "111111")

    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_works_once(staff_with_app):
    user, _device = staff_with_app
    static = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd1234")
    client = Client()
    password_step(client, user.email)

    client.post(reverse("accounts:login"), {AUTH: "token", "wizard_goto_step": "backup"})
    used = client.post(reverse("accounts:login"), {AUTH: "backup", "backup-otp_token": "abcd1234"})

    assert used.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert not StaticToken.objects.filter(token="abcd1234").exists()


def test_an_applicant_signs_in_with_a_password_and_may_add_a_second_factor(client):
    applicant = UserFactory()

    response = password_step(client, applicant.email)

    assert response.status_code == 302
    assert client.get(reverse("applications:dashboard")).status_code == 200
    assert client.get(reverse("two_factor:setup")).status_code == 200
