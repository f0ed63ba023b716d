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
    # Set when the instance is fixed for this user: its form is read-only.
    instance_fixed = False

    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        allowed = self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, instance
        )
        if not allowed and (self.request.method == "POST" or self.instance_action == "delete"):
            raise PermissionDenied
        self.instance_fixed = not allowed
        return instance

    def _get_action_menu(self):
        """A fixed instance's form offers no Save (Wagtail shows it as locked)."""
        if not self.instance_fixed:
            return super()._get_action_menu()
        locked, self.locked_for_user = self.locked_for_user, True
        try:
            return super()._get_action_menu()
        finally:
            self.locked_for_user = locked

    def get_editing_sessions(self):
        # Nobody edits a fixed instance, so no editing session to ping.
        return None if self.instance_fixed else super().get_editing_sessions()
