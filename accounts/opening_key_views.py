"""The Security page's opening key (issue 23, item 1): make it, test its passphrase,
change the passphrase. Every request here needs a recent re-authentication (password
and second factor: accounts.reauth), so a key is made only by its owner, signed in as
themselves; an administrator has no screen that makes one for someone else.
Passphrases are sensitive POST parameters: never in an error report or a log."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.opening_keys import (
    opening_key_change_passphrase,
    opening_key_create,
    opening_key_of,
    opening_key_unlock,
)
from core.errors import Refused


def _secret(label, autocomplete="new-password"):
    return forms.CharField(
        label=label,
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class CreateForm(forms.Form):
    passphrase = _secret(gettext_lazy("Passphrase"))
    again = _secret(gettext_lazy("The passphrase again"))

    def clean(self):
        data = super().clean()
        if data.get("passphrase") != data.get("again"):
            self.add_error("again", _("The two passphrases differ."))
        return data


class TestForm(forms.Form):
    passphrase = _secret(gettext_lazy("Passphrase"), "current-password")


class ChangeForm(CreateForm):
    old = _secret(gettext_lazy("Current passphrase"), "current-password")
    passphrase = _secret(gettext_lazy("New passphrase"))
    again = _secret(gettext_lazy("The new passphrase again"))
    field_order = ["old", "passphrase", "again"]


FORMS = {"create": CreateForm, "test": TestForm, "change": ChangeForm}


@sensitive_post_parameters("passphrase", "again", "old")
@login_required
@require_http_methods(["GET", "POST"])
def opening_key(request):
    user = request.user
    if not user.is_staff:
        raise Http404
    key = opening_key_of(user)
    action = request.POST.get("action") if request.method == "POST" else None
    bound = FORMS[action](request.POST, prefix=action) if action in FORMS else None
    status = 200
    if bound is not None:
        if bound.is_valid():
            try:
                _act(request, action, key, bound.cleaned_data)
            except Refused as refusal:
                bound.add_error(None, refusal.message)
            else:
                return redirect("accounts:opening_key")
        status = 400
    forms_shown = {
        name: bound if name == action else form(prefix=name)
        for name, form in FORMS.items()
        if (name == "create") == (key is None)
    }
    return render(
        request,
        "accounts/opening_key.html",
        {"key": key, "forms": forms_shown},
        status=status,
    )


def _act(request, action, key, data):
    user = request.user
    if action == "create":
        key = opening_key_create(user=user, passphrase=data["passphrase"])
        messages.success(
            request,
            _(
                "Your opening key is made. Its fingerprint is %(fp)s. Keep the passphrase safe: "
                "nobody can recover it for you."
            )
            % {"fp": key.fingerprint},
        )
    elif key is None:
        raise Refused(_("You have no opening key yet."))
    elif action == "test":
        opening_key_unlock(key, data["passphrase"])
        messages.success(request, _("That passphrase opens your opening key."))
    else:
        opening_key_change_passphrase(user=user, old=data["old"], new=data["passphrase"])
        messages.success(request, _("Your passphrase is changed; your opening key is the same."))
