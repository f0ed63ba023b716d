"""The call editor on a phone (issue 26, item 12): Wagtail's editor gets the portal's
small stylesheet through its own hook, not a forked template."""

from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import make_call


def test_the_editor_loads_the_phone_rules_through_wagtails_hook(client, superuser, site_root):
    call = make_call(site_root["calls"])
    client.force_login(superuser)

    page = client.get(reverse("wagtailadmin_pages:edit", args=[call.pk])).content.decode()

    assert "tenders/admin/editor.css" in page
    rules = open(finders.find("tenders/admin/editor.css")).read()
    assert ".w-tabs__list" in rules and "overflow-x: auto" in rules
    assert "max-width: 100%" in rules
