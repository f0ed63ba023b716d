"""The page where a signed-in user confirms it is them (accounts.reauth)."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login

from accounts import reauth
from accounts.passkeys import assertion_prepare, uses_passkey
from accounts.second_factor import second_factor_verify


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
        # Through authenticate(), so that django-axes counts a wrong password here
        # as it does on the sign-in form, and locks the account the same way.
        user = authenticate(self.request, username=self.user.email, password=password)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(_("That is not your password."), code="password")
        if "otp_token" in self.fields:
            if self._codes_paused():
                raise forms.ValidationError(
                    _("Too many wrong codes in a row: wait a minute, then try again."),
                    code="throttled",
                )
            self.device = second_factor_verify(self.request, self.user, cleaned.get("otp_token"))
            if self.device is None:
                raise forms.ValidationError(
                    _("Your security key or passkey did not confirm it. Try again.")
                    if self.uses_passkey
                    else _("That is not a current code from your authenticator app."),
                    code="code",
                )
        return cleaned

    def _codes_paused(self) -> bool:
        """django-otp doubles the wait after each wrong code (OTP_TOTP_THROTTLE_FACTOR)."""
        devices = list(devices_for_user(self.user))
        return bool(devices) and not any(d.verify_is_allowed()[0] for d in devices)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


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
