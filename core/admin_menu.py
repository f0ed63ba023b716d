"""Wagtail admin menu items for staff screens."""

from wagtail.admin.menu import MenuItem


class StaffMenuItem(MenuItem):
    """Shown to staff only; the views behind it check again."""

    def is_shown(self, request):
        return request.user.is_staff
