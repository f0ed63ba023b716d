"""Sign-up, email confirmation and the applicant's profile."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm, RegistrationForm
from accounts.models import Profile
from accounts.services import user_register, user_send_verification, user_verify_email


def _unconfirmed_account(email: str):
    return (
        get_user_model()
        .objects.filter(email__iexact=email.strip(), is_active=False, last_login__isnull=True)
        .first()
    )


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("applications:dashboard")
    if request.method == "POST":
        pending = _unconfirmed_account(request.POST.get("email", ""))
        if pending is not None:
            # Registered but never confirmed (the link may have expired):
            # send a fresh link rather than refuse the address as taken.
            user_send_verification(user=pending, base_url=request.build_absolute_uri("/")[:-1])
            return render(request, "accounts/register_done.html", {"email": pending.email})
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            base_url=request.build_absolute_uri("/")[:-1],
        )
        return render(
            request, "accounts/register_done.html", {"email": form.cleaned_data["email"]}
        )
    return render(
        request, "accounts/register.html", {"form": form}, status=400 if form.errors else 200
    )


def verify_email(request, uidb64, token):
    user = user_verify_email(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/verify_failed.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your email address is confirmed. Welcome."))
    return redirect("accounts:profile")


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
