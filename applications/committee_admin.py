"""Opening committees in the Wagtail admin: staff choose each call's members.

A committee cannot change once any member has confirmed, nor be deleted:
it would quietly change who opened the call.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from applications.models import OpeningConfirmation
from applications.permissions import sits_on_panel
from core.admin_menu import StaffPermissionPolicy


class CommitteePermissionPolicy(StaffPermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete") and instance.pk:
            if OpeningConfirmation.objects.filter(call_id=instance.call_id).exists():
                return False
        return self.user_has_permission(user, action)


class CommitteeForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, is_staff=True)
            .order_by("last_name", "first_name")
        )
        self.fields["members"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["members"].choices
        )
        self.fields["members"].help_text = _(
            "At least %(n)s staff members, and at least one of them not on the call's "
            "evaluation panel. The call opens when %(q)s of them have confirmed."
        ) % {"n": settings.OPENING_COMMITTEE_MIN_MEMBERS, "q": settings.OPENING_QUORUM}

    def clean(self):
        cleaned = super().clean()
        members = list(cleaned.get("members") or [])
        call = cleaned.get("call")
        if len(members) < settings.OPENING_COMMITTEE_MIN_MEMBERS:
            self.add_error(
                "members",
                _("Choose at least %(n)s members.")
                % {"n": settings.OPENING_COMMITTEE_MIN_MEMBERS},
            )
        elif call is not None and all(sits_on_panel(m, call) for m in members):
            self.add_error(
                "members", _("At least one member must not sit on the call's evaluation panel.")
            )
        return cleaned
