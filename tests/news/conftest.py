"""The news tests use the page-tree fixtures of the calls tests."""

from tests.tenders.conftest import (  # noqa: F401 (fixtures, found by name)
    bare_home,
    editor_client,
    page_asserts,
    superuser,
)
