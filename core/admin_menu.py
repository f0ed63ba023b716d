"""Wagtail admin menu items and the permission policy for staff screens."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import BasePermissionPolicy


class StaffMenuItem(MenuItem):
    """Shown to staff only; the views behind it check again."""

    def is_shown(self, request):
        return request.user.is_staff


class StaffPermissionPolicy(BasePermissionPolicy):
    """Any active staff member may act on the model's snippets; subclasses refuse
    particular instances in ``user_has_permission_for_instance``."""

    def user_has_permission(self, user, action):
        return bool(user.is_authenticated and user.is_active and user.is_staff)

    def user_has_any_permission(self, user, actions):
        return self.user_has_permission(user, None)

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, is_staff=True)


class InstancePermissionMixin:
    """Wagtail's generic edit and delete views check the model-level permission only;
    these also ask the policy about the instance, before any change is made.

    An edit form may still be shown (read-only, with its reason) for an instance
    that cannot change; only its POST is refused. A delete is refused outright.
    """

    instance_action = "change"

    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        if (
            self.request.method == "POST" or self.instance_action == "delete"
        ) and not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, instance
        ):
            raise PermissionDenied
        return instance
