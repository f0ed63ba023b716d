"""Fixtures for the calls and news tests."""

import pytest
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from tenders.models import HomePage
from tests.factories import SuperuserFactory


@pytest.fixture
def superuser(db):
    return SuperuserFactory()


@pytest.fixture
def editor_client(client, superuser):
    """A browser session of a signed-in superuser in the Wagtail admin."""
    client.force_login(superuser)
    return client


@pytest.fixture
def page_asserts():
    """Wagtail's own page-tree assertions (``assertAllowedSubpageTypes`` and so on)."""
    return WagtailPageTestCase()


@pytest.fixture
def bare_home(db):
    """Root → HomePage with nothing under it, the default Site pointing at it."""
    root = Page.get_first_root_node()
    for placeholder in root.get_children().exact_type(Page):
        placeholder.delete()
    home = root.add_child(instance=HomePage(title="Zabuni", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    return home
