"""Sign-up, email confirmation and the applicant's profile."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from two_factor.forms import AuthenticationTokenForm
from two_factor.views import core as two_factor_views

from accounts.destinations import next_path, with_next
from accounts.forms import (
    EmailAuthenticationForm,
    ProfileForm,
    RecoveryCodeForm,
    RegistrationForm,
    VerificationResendForm,
)
from accounts.models import Profile
from accounts.services import (
    user_for_verification,
    user_register,
    user_resend_verification,
    user_verify_email,
)


@require_http_methods(["GET", "POST"])
def register(request):
    """The same answer, whether the address is new or already has an account
    (accounts.services.user_register says who gets which mail)."""
    came_from = next_path(request)
    if request.user.is_authenticated:
        return redirect(came_from or "applications:dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            base_url=request.build_absolute_uri("/")[:-1],
            language=request.LANGUAGE_CODE,
            next_path=came_from,
        )
        return render(
            request, "accounts/register_done.html", {"email": form.cleaned_data["email"]}
        )
    return render(
        request,
        "accounts/register.html",
        {"form": form, "next": came_from},
        status=400 if form.errors else 200,
    )


# The session key of the address just confirmed, for the sign-in form that follows.
SIGN_IN_EMAIL = "zabuni_sign_in_email"


@require_http_methods(["GET", "POST"])
def verify_email(request, uidb64, token):
    """GET shows a button; only its POST confirms. A mail scanner that fetches the
    link confirms nothing and uses nothing up. Confirming does not sign in: the
    link may have been forwarded."""
    if request.method == "GET":
        if user_for_verification(uidb64=uidb64, token=token) is None:
            return render(request, "accounts/verify_failed.html", status=400)
        return render(request, "accounts/verify_confirm.html")
    user = user_verify_email(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/verify_failed.html", status=400)
    messages.success(request, _("Your email address is confirmed. Sign in to continue."))
    # The sign-in form that follows fills the address in (this browser's session only;
    # never in the URL, where it would reach logs and history).
    request.session[SIGN_IN_EMAIL] = user.email
    # The page they registered from, carried by the link (and the form, which posts to it).
    return redirect(with_next(reverse("accounts:login"), next_path(request)))


@require_http_methods(["GET", "POST"])
def verify_resend(request):
    """A new confirmation link, for an address that registered and never confirmed.
    The same answer whatever the address (accounts.services.user_resend_verification)."""
    form = VerificationResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_resend_verification(
            email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/")[:-1]
        )
        return render(
            request, "accounts/register_done.html", {"email": form.cleaned_data["email"]}
        )
    return render(
        request,
        "accounts/verify_resend.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    instance, _created = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200
    )


class SignInView(two_factor_views.LoginView):
    """The one sign-in, for the portal and the admin: email and password, then the
    authenticator code (or a recovery code) for an account that has one.

    Afterwards: the page ``next`` names, if it is on this site; else the admin for
    staff, and their bids for everyone else."""

    template_name = "accounts/login.html"
    form_list = (
        (two_factor_views.LoginView.AUTH_STEP, EmailAuthenticationForm),
        (two_factor_views.LoginView.TOKEN_STEP, AuthenticationTokenForm),
        (two_factor_views.LoginView.BACKUP_STEP, RecoveryCodeForm),
    )

    def get_success_url(self):
        if url := self.get_redirect_url():
            return url
        user = self.get_user()
        if user is not None and user.is_staff:
            return reverse("wagtailadmin_home")
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_form_initial(self, step):
        """After confirming an address, its sign-in form has the address filled in."""
        initial = super().get_form_initial(step)
        if step == self.AUTH_STEP and SIGN_IN_EMAIL in self.request.session:
            initial = {**initial, "username": self.request.session.pop(SIGN_IN_EMAIL)}
        return initial

    def get_context_data(self, form, **kwargs):
        """``next``, for the page's "Create an account" link to carry on."""
        return {**super().get_context_data(form, **kwargs), "next": next_path(self.request)}

    def get_form(self, step=None, **kwargs):
        """The token step's form comes from the device's method, not ``form_list``:
        name its field plainly here."""
        form = super().get_form(step, **kwargs)
        if form.initial.get("username") and "password" in form.fields:
            # The address is filled in: the cursor goes to the password.
            form.fields["username"].widget.attrs.pop("autofocus", None)
            form.fields["password"].widget.attrs["autofocus"] = True
        if (step or self.steps.current) == self.TOKEN_STEP and "otp_token" in form.fields:
            if hasattr(form, "webauthn_rp"):
                # Filled by the browser when the person touches their key (get_credential.js).
                form.fields["otp_token"].widget = forms.HiddenInput(
                    attrs={"data-webauthn-token": ""}
                )
            else:
                form.fields["otp_token"].label = _("Code from your authenticator app")
                form.fields["otp_token"].widget.attrs.update({"inputmode": "numeric"})
        return form


class SecondFactorSetupView(two_factor_views.SetupView):
    """The setup wizard, its choices and fields named plainly."""

    METHOD_LABELS = {
        "generator": gettext_lazy("Authenticator app on your phone (6-digit codes)"),
        "webauthn": gettext_lazy("Security key or passkey"),
    }

    def get_form(self, step=None, **kwargs):
        form = super().get_form(step, **kwargs)
        step = step or self.steps.current
        if step == "method":
            field = form.fields["method"]
            field.label = _("How will you confirm it is you?")
            field.choices = [
                (code, self.METHOD_LABELS.get(code, name)) for code, name in field.choices
            ]
        elif step == "generator" and "token" in form.fields:
            form.fields["token"].label = _("Code from your authenticator app")
        elif step == "webauthn" and "token" in form.fields:
            # Filled by the browser once the key or passkey is made (create_credential.js).
            form.fields["token"].widget = forms.HiddenInput()
        return form
