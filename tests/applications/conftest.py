"""Fixtures for the submission tests: calls, the people around a bid, quiet mail."""

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import StaffFactory, SuperuserFactory, UserFactory, make_call

TECHNICAL = "Technical proposal"
FINANCIAL = "Financial proposal"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created by the dozen here; PBKDF2 would make that the slowest part."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def no_outbox_dispatch(monkeypatch):
    """Outbox rows are written as usual; handing them to a broker after commit is a no-op.

    Tests that run on-commit callbacks (to see files deleted from storage) would
    otherwise push tasks to whatever broker the environment points at.
    """
    dispatched = []
    monkeypatch.setattr(
        "notifications.services.outbox_dispatch",
        lambda *, message_id: dispatched.append(message_id) or True,
    )
    return dispatched


@pytest.fixture
def consultancy_call(site_root):
    """An open call for consultancy: a technical proposal and a priced offer, both required."""
    return make_call(
        site_root["calls"],
        documents=[
            (TECHNICAL, "technical", True, "pdf", 5),
            (FINANCIAL, "financial", True, "pdf,xlsx", 5),
        ],
    )


@pytest.fixture
def grant_call(site_root):
    """An open grant call with a ceiling of KES 100,000 and one required document."""
    return make_call(
        site_root["calls"],
        kind="grant",
        documents=[("Grant proposal", "technical", True, "pdf", 5)],
    )


def in_group(user, name: str, *permissions: str):
    group, _created = Group.objects.get_or_create(name=name)
    for codename in permissions:
        app_label, code = codename.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=code)
        )
    user.groups.add(group)
    return user


@pytest.fixture
def applicant(db):
    return UserFactory(email="amina.wanjiru@example.org")


@pytest.fixture
def staff_user(db):
    """Programme staff: is_staff, and an Editor in the Wagtail admin so it loads."""
    return in_group(
        StaffFactory(email="staff.officer@example.org"), "Editors", "wagtailadmin.access_admin"
    )


@pytest.fixture
def superuser(db):
    return SuperuserFactory(email="root@example.org")


@pytest.fixture
def reviewer(db):
    """A panel member: in the Reviewers group, not staff."""
    return in_group(UserFactory(email="panel.reviewer@example.org"), "Reviewers")
