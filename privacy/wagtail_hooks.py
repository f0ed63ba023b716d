"""Privacy in the Wagtail admin: erasure requests and the retention policy's purges."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from privacy.permissions import can_see_erasures
from privacy.views import admin


@hooks.register("register_admin_urls")
def register_privacy_urls():
    return [path("privacy/", admin.erasures, name="zabuni_erasures")]


class ErasuresMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_erasures(request.user)


@hooks.register("register_admin_menu_item")
def register_erasures_menu_item():
    return ErasuresMenuItem(_("Privacy"), reverse("zabuni_erasures"), icon_name="lock", order=910)
