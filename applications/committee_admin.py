"""Opening committees in the Wagtail admin: staff choose each call's members.

A committee is fixed at the call's deadline (and once any member has
confirmed): changing it would quietly change who opens the call. After the
deadline only a recorded late opening lets it change
(``applications.services.committee``).
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.snippets.views import snippets as snippet_views

from accounts.models import OpeningKey
from applications.permissions import sits_on_panel
from applications.services.call_keys import key_problems
from applications.services.committee import committee_change_refusal
from applications.services.committee_changes import acting
from core.admin_menu import InstancePermissionMixin, StaffPermissionPolicy


class CommitteePermissionPolicy(StaffPermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete") and instance.pk:
            if committee_change_refusal(instance.call_id):
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
        # Who has no opening key yet shows in the list: a call cannot be published until
        # every member has made theirs (issue 23).
        keyed = set(
            OpeningKey.objects.filter(replaced_at__isnull=True).values_list("user_id", flat=True)
        )
        self.fields["members"].label_from_instance = lambda user: (
            str(user) if user.pk in keyed else _("%(name)s (no opening key yet)") % {"name": user}
        )
        self.fields["members"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["members"].choices
        )
        self.frozen = committee_change_refusal(self.instance.call_id) if self.instance.pk else None
        if self.frozen:
            for field in self.fields.values():
                field.disabled = True
        self.fields["members"].help_text = _(
            "At least %(n)s staff members, and at least one of them not on the call's "
            "evaluation panel. The call opens when %(q)s of them have confirmed. Each must "
            "have made their opening key (on their own Security page) before the call is "
            "published: its key is split among them."
        ) % {"n": settings.OPENING_COMMITTEE_MIN_MEMBERS, "q": settings.OPENING_QUORUM}
        if self.frozen:
            self.fields["members"].help_text = self.frozen

    def save(self, commit=True):
        # The members are set here (or in save_m2m): the committee's change is this
        # staff member's, on the audit chain (applications.services.committee_changes).
        with acting(getattr(self, "for_user", None)):
            saved = super().save(commit=commit)
        if not commit:
            save_m2m = self.save_m2m

            def save_m2m_as_user():
                with acting(getattr(self, "for_user", None)):
                    save_m2m()

            self.save_m2m = save_m2m_as_user
        return saved

    def clean(self):
        cleaned = super().clean()
        members = list(cleaned.get("members") or [])
        call = cleaned.get("call")
        call_id = call.pk if call is not None else self.instance.call_id
        refusal = committee_change_refusal(call_id) if call_id else None
        if refusal:
            raise forms.ValidationError(refusal)
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
        if call is not None and call.live and not self.errors:
            # A published call is re-keyed to the new committee: each must hold a key.
            for problem in key_problems(members):
                self.add_error("members", problem)
        return cleaned


class CommitteeEditView(InstancePermissionMixin, snippet_views.EditView):
    instance_action = "change"


class CommitteeDeleteView(InstancePermissionMixin, snippet_views.DeleteView):
    instance_action = "delete"
