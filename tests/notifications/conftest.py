"""The outbox tests use the submission tests' people, calls and quiet mail."""

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
