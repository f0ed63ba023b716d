"""The page where a signed-in user confirms it is them (accounts.reauth)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device

from accounts import reauth
from accounts.credentials import credentials_verify
from accounts.destinations import next_path
from accounts.passkeys import assertion_prepare, uses_passkey
from core.errors import Refused


class ConfirmIdentityForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user
        self.device = None
        self.uses_passkey = uses_passkey(self.user)
        if not user_has_device(self.user):
            del self.fields["otp_token"]
        elif self.uses_passkey:
            # Filled by the browser when the person touches their key (get_credential.js).
            self.fields["otp_token"] = forms.CharField(
                required=False, widget=forms.HiddenInput(attrs={"data-webauthn-token": ""})
            )

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password is None:
            return cleaned
        # Counted like a sign-in, with one answer for a wrong password and a wrong code.
        try:
            self.device = credentials_verify(
                request=self.request,
                user=self.user,
                password=password,
                code=cleaned.get("otp_token"),
                second_factor="otp_token" in self.fields,
            )
        except Refused as refusal:
            raise forms.ValidationError(refusal.message, code="credentials") from None
        return cleaned


def _safe_next(request) -> str:
    return next_path(request) or "/"


@login_required
@require_http_methods(["GET", "POST"])
def confirm_identity(request):
    form = ConfirmIdentityForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        if form.device is not None:
            otp_login(request, form.device)
        reauth.mark(request)
        return redirect(_safe_next(request))
    if form.uses_passkey:
        assertion_prepare(request, request.user)  # a fresh challenge for each showing
    return render(
        request,
        "accounts/confirm_identity.html",
        {"form": form, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )
