"""Notifications in the Wagtail admin: the outgoing-mail screen, and a count on the dashboard."""

from django.db.models import Count
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.site_summary import SummaryItem

from notifications import views
from notifications.models import OutboxMessage, OutboxState
from notifications.permissions import can_manage_outbox


@hooks.register("register_admin_urls")
def register_outbox_urls():
    return [
        path("notifications/", views.outbox_list, name="zabuni_outbox"),
        path("notifications/retry/", views.outbox_retry, name="zabuni_outbox_retry"),
    ]


class OutboxMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_outbox(request.user)


@hooks.register("register_admin_menu_item")
def register_outbox_menu_item():
    return OutboxMenuItem(
        _("Notifications"), reverse("zabuni_outbox"), icon_name="mail", order=900
    )


class OutboxSummaryItem(SummaryItem):
    """Failed and waiting mail, on the dashboard of those who can act on it."""

    order = 500
    template_name = "notifications/admin/summary_item.html"

    def is_shown(self):
        return can_manage_outbox(self.request.user)

    def get_context_data(self, parent_context):
        states = OutboxMessage.objects.filter(state__in=[OutboxState.FAILED, OutboxState.PENDING])
        counts = dict(states.values_list("state").annotate(n=Count("pk")).order_by())
        return {
            "failed": counts.get(OutboxState.FAILED, 0),
            "waiting": counts.get(OutboxState.PENDING, 0),
            "url": reverse("zabuni_outbox"),
        }


@hooks.register("construct_homepage_summary_items")
def add_outbox_summary(request, items):
    items.append(OutboxSummaryItem(request))
