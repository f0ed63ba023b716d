"""The staff's Submissions screens in the Wagtail admin."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from applications.committee_admin import (
    CommitteeDeleteView,
    CommitteeEditView,
    CommitteeForm,
    CommitteePermissionPolicy,
)
from applications.models import OpeningCommittee
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
            "submissions/call/<int:call_id>/late-opening/",
            admin_views.call_opening_delay_view,
            name="zabuni_call_opening_delay",
        ),
        path(
            "submissions/call/<int:call_id>/register/",
            admin_views.call_register,
            name="zabuni_call_register",
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


class CommitteeViewSet(SnippetViewSet):
    """Opening committees: who must confirm before a call's bids are unsealed."""

    model = OpeningCommittee
    icon = "group"
    menu_label = _("Opening committees")
    add_to_admin_menu = True
    menu_order = 251
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_view_class = CommitteeEditView
    delete_view_class = CommitteeDeleteView
    list_display = ["call", "created_at"]
    edit_handler = ObjectList(
        [FieldPanel("call"), FieldPanel("members")], base_form_class=CommitteeForm
    )


register_permission_policy(OpeningCommittee, CommitteePermissionPolicy(OpeningCommittee))
register_snippet(CommitteeViewSet)
