"""The staff's Submissions screens in the Wagtail admin."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from applications.views import admin as admin_views
from core.admin_menu import StaffMenuItem


@hooks.register("register_admin_urls")
def register_submission_urls():
    return [
        path("submissions/", admin_views.call_list, name="zabuni_call_list"),
        path(
            "submissions/call/<int:call_id>/",
            admin_views.call_submissions,
            name="zabuni_call_submissions",
        ),
        path(
            "submissions/call/<int:call_id>/open/",
            admin_views.call_open_view,
            name="zabuni_call_open",
        ),
        path(
            "submissions/call/<int:call_id>/audit/",
            admin_views.call_audit,
            name="zabuni_call_audit",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_submissions_menu_item():
    return StaffMenuItem(
        _("Submissions"), reverse("zabuni_call_list"), icon_name="folder-open-inverse", order=250
    )
