"""Two-factor sign-in, and who must use it.

django-two-factor-auth (on django-otp) runs the sign-in: password first,
then a code from an authenticator app (TOTP), or a single-use recovery code.
It was chosen over django-allauth's MFA because it adds two factors to the
sign-in we already have, without replacing registration and password
resets, and it supports Django 5.2. Its WebAuthn plugin adds security keys
and passkeys as the other second factor (accounts.passkeys).

Staff, panel members and chairs, and opening committee members (who are
staff) reach nothing until a second factor is verified in this session:
``SecondFactorRequiredMiddleware`` sends them to set one up, or to sign in
again. On the review pages under ``/bids/reviews/`` membership is checked
afresh. Other applicants may turn it on in their profile.

Whether a signed-in person sits on a panel is read once, when they sign in,
and kept in the session (``NEEDS_SECOND_FACTOR``): the middleware then costs
no query. Someone added to a panel later meets the rule on the review pages
at once, and everywhere at their next sign-in.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import match_token, user_has_device

from accounts.passkeys import assertion_verify, uses_passkey
from core.json_views import answers_json_for, json_refusal

NEEDS_SECOND_FACTOR = "zabuni_needs_second_factor"
# Paths reachable before the second factor: signing in and out, setting it up.
EXEMPT_PREFIXES = ("/account/login/", "/account/logout/", "/account/two_factor/", "/static/")
ALWAYS_PREFIXES = ("/bids/reviews/",)

# Other apps add "does this user evaluate bids?" here (reviews: panel members).
evaluator_checks = []


def needs_second_factor(user) -> bool:
    if not (user and user.is_authenticated):
        return False
    return user.is_staff or user.is_superuser or any(check(user) for check in evaluator_checks)


def second_factor_verify(request, user, answer: str):
    """The device that ``answer`` proves, or None: a code from the authenticator app,
    a recovery code, or what the browser's security key or passkey signed."""
    answer = (answer or "").strip()
    if request is not None and answer.startswith("{") and uses_passkey(user):
        return assertion_verify(request, user, answer)
    return match_token(user, answer) if answer else None


@receiver(user_logged_in)
def remember_whether_a_second_factor_is_needed(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[NEEDS_SECOND_FACTOR] = needs_second_factor(user)


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._required(request, user):
            if not user.is_verified():
                return self._refuse(request, user)
        return self.get_response(request)

    @staticmethod
    def _required(request, user) -> bool:
        path = request.path
        if path.startswith(EXEMPT_PREFIXES):
            return False
        if user.is_staff or user.is_superuser or request.session.get(NEEDS_SECOND_FACTOR):
            return True
        # The review pages ask afresh (one query, on those pages only): someone put on
        # a panel since signing in meets the rule there at once; anyone else gets the
        # pages' own answer (404).
        return path.startswith(ALWAYS_PREFIXES) and needs_second_factor(user)

    @staticmethod
    def _refuse(request, user):
        if answers_json_for(request):
            # A script (an upload): it shows the message and stops.
            return json_refusal(
                _(
                    "Your account needs its second factor first. Sign in again with it, "
                    "then choose the file again."
                ),
                403,
            )
        if user_has_device(user):
            # Signed in before the factor was checked (an old session): sign in again.
            logout(request)
            messages.info(request, _("Sign in again with your authenticator code."))
            return redirect(reverse("accounts:login") + f"?next={request.path}")
        messages.info(
            request,
            _(
                "Your work on this portal can open sealed bids, so your account needs a "
                "second factor: set up an authenticator app to continue."
            ),
        )
        return redirect("two_factor:setup")
