"""The Security page: password, second factor and the places one is signed in."""

import uuid

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user

from accounts.opening_keys import opening_key_of
from accounts.second_factor import needs_second_factor
from accounts.sessions import session_end, sessions_end_all, sessions_of
from notifications.services import outbox_enqueue


@login_required
@require_http_methods(["GET"])
def security(request):
    kinds = {type(d).__name__ for d in devices_for_user(request.user)}
    return render(
        request,
        "accounts/security.html",
        {
            "sessions": sessions_of(request.user),
            "current_key": request.session.session_key,
            "has_app": "TOTPDevice" in kinds,
            "has_passkey": "WebauthnDevice" in kinds,
            "second_factor_required": needs_second_factor(request.user),
            "opening_key": opening_key_of(request.user),
        },
    )


@login_required
@require_POST
def end_session(request, pk):
    if (
        pk
        and request.user.signed_in_sessions.filter(
            pk=pk, session_key=request.session.session_key
        ).exists()
    ):
        logout(request)
        messages.info(request, _("You are signed out."))
        return redirect("accounts:login")
    if session_end(user=request.user, pk=pk):
        messages.success(request, _("That session is signed out."))
    else:
        messages.info(request, _("That session had already ended."))
    return redirect("accounts:security")


@login_required
@require_POST
def sign_out_everywhere(request):
    sessions_end_all(user=request.user)
    logout(request)
    messages.success(
        request,
        _("You are signed out everywhere, on every device and browser. Sign in again here."),
    )
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """The old password, then the new one twice. Every other session ends; this one
    stays signed in, and the owner is told by mail (ASVS 2.2.3)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    for name in ("new_password1", "new_password2"):
        form.fields[name].widget.attrs["autocomplete"] = "new-password"
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            ended = sessions_end_all(user=user, keep=request.session.session_key)
            outbox_enqueue(
                to=user.email,
                template="accounts/emails/password_changed",
                context={
                    "user": user,
                    "reset_url": request.build_absolute_uri(reverse("accounts:password_reset")),
                },
                dedupe_key=f"password-changed:{user.pk}:{uuid.uuid4()}",
            )
        update_session_auth_hash(request, user)
        messages.success(
            request,
            _("Your password is changed. %(n)s other sessions were signed out.") % {"n": ended},
        )
        return redirect("accounts:security")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
