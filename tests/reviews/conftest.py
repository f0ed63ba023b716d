"""Fixtures for the panel and evaluation admin tests."""

import pytest

from tests.reviews import admin_support


@pytest.fixture
def panelists(db):
    """Three members of the Reviewers group, for the panel and evaluation admin tests."""
    return [admin_support.reviewer(f"panelist{n}@example.org") for n in range(3)]
