"""Review panels and the Evaluations screens in the Wagtail admin."""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from core.admin_menu import InstancePermissionMixin, StaffMenuItem, StaffPermissionPolicy
from reviews.forms_admin import PANEL_WIDGETS, PanelForm
from reviews.models import Panel
from reviews.permissions import can_change_panel, can_delete_panel, can_set_up_panels
from reviews.services.panels import panel_hand_over
from reviews.views import admin as admin_evaluations


class PanelPermissionPolicy(StaffPermissionPolicy):
    """The admin's panel screens answer as ``reviews.permissions`` does, instance by
    instance: staff set panels up; nobody changes a locked one or deletes one that
    has been handed its submissions."""

    def user_has_permission(self, user, action):
        return can_set_up_panels(user)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "change":
            return can_change_panel(user, instance)
        if action == "delete":
            return can_delete_panel(user, instance)
        return self.user_has_permission(user, action)


# Registered before the viewset, so Wagtail never builds its fallback policy.
register_permission_policy(Panel, PanelPermissionPolicy(Panel))


def _hand_over_if_closed(panel) -> int:
    """The beat task would hand a closed call over within a minute; do it now instead,
    so staff see the assignments as soon as they save."""
    if panel.handed_over_at is None and panel.call.closes_at <= timezone.now():
        return panel_hand_over(call=panel.call)
    return 0


class _HandOverOnSave:
    handed_over = 0

    def save_instance(self):
        panel = super().save_instance()
        self.handed_over = _hand_over_if_closed(panel)
        panel.refresh_from_db(fields=["handed_over_at"])
        return panel

    def get_success_message(self, *args):
        message = super().get_success_message(*args)
        if self.handed_over:
            message = " ".join(
                [
                    str(message),
                    ngettext(
                        "The call has closed: the panel has its %(n)s assignment.",
                        "The call has closed: the panel has its %(n)s assignments.",
                        self.handed_over,
                    )
                    % {"n": self.handed_over},
                ]
            )
        return message


class PanelCreateView(_HandOverOnSave, CreateView):
    pass


class PanelEditView(InstancePermissionMixin, _HandOverOnSave, EditView):
    instance_action = "change"


class PanelDeleteView(InstancePermissionMixin, DeleteView):
    instance_action = "delete"


class PanelIndexView(IndexView):
    def get_delete_url(self, instance):
        if self.user_has_permission_for_instance("delete", instance):
            return super().get_delete_url(instance)
        return None


class PanelViewSet(SnippetViewSet):
    """Review panels: which reviewers, which chair, by when, and how many per submission."""

    model = Panel
    icon = "group"
    menu_label = _("Panels")
    menu_order = 2
    copy_view_enabled = False
    index_view_class = PanelIndexView
    add_view_class = PanelCreateView
    edit_view_class = PanelEditView
    delete_view_class = PanelDeleteView
    list_display = ["call", "chair", "review_deadline", "handed_over_at"]
    edit_handler = ObjectList(
        [
            FieldPanel("call", widget=PANEL_WIDGETS["call"]),
            FieldPanel("chair", widget=PANEL_WIDGETS["chair"]),
            FieldPanel("members", widget=PANEL_WIDGETS["members"]),
            FieldPanel("secretary", widget=PANEL_WIDGETS["secretary"]),
            FieldRowPanel([FieldPanel("review_deadline"), FieldPanel("reviewers_per_submission")]),
            FieldRowPanel([FieldPanel("minimum_reviews"), FieldPanel("disagreement_spread")]),
        ],
        base_form_class=PanelForm,
    )

    def get_queryset(self, request):
        return Panel.objects.select_related("call", "chair").order_by("-call__closes_at")


class EvaluationsMenu(SnippetViewSetGroup):
    """The Evaluations menu: calls under evaluation, and their panels."""

    menu_label = _("Evaluations")
    menu_icon = "tasks"
    menu_order = 255
    items = (PanelViewSet,)
    submenu_hook = "register_evaluations_menu_item"


register_snippet(EvaluationsMenu)


@hooks.register("register_admin_urls")
def register_evaluation_urls():
    return [
        path("evaluations/", admin_evaluations.evaluation_list, name="zabuni_evaluation_list"),
        path(
            "evaluations/call/<int:call_id>/",
            admin_evaluations.evaluation_ranking,
            name="zabuni_evaluation_ranking",
        ),
    ]


@hooks.register("register_evaluations_menu_item")
def register_evaluations_list_menu_item():
    return StaffMenuItem(
        _("Calls under evaluation"),
        reverse("zabuni_evaluation_list"),
        icon_name="clipboard-list",
        order=1,
    )
