"""Sessions end: staff and panels after 30 minutes idle or 12 hours in all;
applicants stay signed in for two weeks with activity."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.session_limits import SEEN, STARTED
from tests.factories import StaffFactory, UserFactory, in_group

pytestmark = pytest.mark.django_db


def age_session(client, *, idle: timedelta, total: timedelta):
    session = client.session
    now = int(time.time())
    session[SEEN] = now - int(idle.total_seconds())
    session[STARTED] = now - int(total.total_seconds())
    session.save()


@pytest.fixture
def staff_client(client):
    client.force_login(in_group(StaffFactory(), "Editors", "wagtailadmin.access_admin"))
    return client


def test_staff_stay_signed_in_while_active(staff_client):
    age_session(staff_client, idle=timedelta(minutes=29), total=timedelta(hours=11))
    assert staff_client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("idle", "total"),
    [
        (timedelta(minutes=31), timedelta(hours=1)),
        (timedelta(minutes=1), timedelta(hours=12, minutes=1)),
    ],
    ids=["idle", "too-long"],
)
def test_staff_are_signed_out_when_idle_or_after_twelve_hours(staff_client, idle, total):
    age_session(staff_client, idle=idle, total=total)

    response = staff_client.get("/admin/pages/")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=%2Fadmin%2Fpages%2F"
    assert "_auth_user_id" not in staff_client.session


def test_applicants_stay_signed_in_for_two_weeks_with_activity(client, settings):
    client.force_login(UserFactory())
    age_session(client, idle=timedelta(days=3), total=timedelta(days=30))

    assert client.get(reverse("applications:dashboard")).status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 14 * 24 * 3600
