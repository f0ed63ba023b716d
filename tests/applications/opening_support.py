"""What the opening committee tests share: a committee of three staff members, a call
with one bid whose deadline passed five minutes ago, and moving that deadline back
past the window for confirmations."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import OpeningCommittee
from tests.applications.deadline_support import close_at
from tests.factories import StaffFactory, UserFactory, in_group, make_call, submit_bid


@pytest.fixture
def members(db):
    return [
        in_group(
            StaffFactory(email=f"member{n}@example.org"), "Editors", "wagtailadmin.access_admin"
        )
        for n in range(3)
    ]


@pytest.fixture
def call(site_root, members):
    call = make_call(site_root["calls"], committee=members)
    submit_bid(call, UserFactory())
    return close_at(call, timezone.now() - timedelta(minutes=5))


@pytest.fixture
def committee(call, members):
    return OpeningCommittee.objects.get(call=call)


def _window_passed(call, settings):
    hours = settings.OPENING_CONFIRMATION_WINDOW_HOURS
    return close_at(call, timezone.now() - timedelta(hours=hours, minutes=1))
