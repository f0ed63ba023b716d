"""The review tests use the submission tests' people, calls and quiet mail."""

import pytest

from tests.applications.conftest import (  # noqa: F401 (fixtures, found by name)
    _fast_password_hashing,
    applicant,
    consultancy_call,
    grant_call,
    no_outbox_dispatch,
    reviewer,
    staff_user,
    superuser,
)
from tests.reviews import admin_support


@pytest.fixture
def panelists(db):
    """Three members of the Reviewers group, for the panel and evaluation admin tests."""
    return [admin_support.reviewer(f"panelist{n}@example.org") for n in range(3)]
