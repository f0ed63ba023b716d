"""Asking a signed-in person for their password and second factor again, as sign-in does.

The confirmation page (accounts.identity), the opening confirmation and the late
opening (applications.services) ask it. Each answer goes through
``authenticate()``, so django-axes counts a wrong one as it counts a failed
sign-in, and pauses the account at the same limit (accounts.throttles); a wrong
code counts the same way. A wrong password and a wrong code get one answer:
someone holding another person's session learns nothing about which half they
guessed right.
"""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device

from accounts.second_factor import second_factor_verify
from core.errors import Refused

NOT_RIGHT = gettext_lazy(
    "That password or code is not right, so nothing was done. After several wrong "
    "tries, wait a minute before trying again."
)


def credentials_verify(
    *, request, user, password: str, code: str | None = None, second_factor: bool = True
):
    """Check ``user``'s ``password`` and, if they have a second factor and
    ``second_factor`` is asked for, ``code`` (a code from their authenticator app, a
    recovery code, or what their security key signed).

    Returns the device that ``code`` proved (None for an account without one), or
    raises ``Refused``. ``request`` should be the request being answered:
    django-axes needs one, and flags it when the account is paused, so that its
    middleware answers with the paused page. Called outside a request (tests), a
    bare one stands in and the failure still counts against the account.
    """
    if request is None:
        request = HttpRequest()
    credentials = {"username": user.get_username()}
    authenticated = authenticate(request, password=password or "", **credentials)
    if authenticated is None or authenticated.pk != user.pk:
        raise Refused(_paused_or_not_right(request))
    if not (second_factor and user_has_device(user)):
        return None
    device = second_factor_verify(request, user, code or "")
    if device is None:
        # Counted like a wrong password, so the limit covers the pair.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        raise Refused(_paused_or_not_right(request))
    return device


def _paused_or_not_right(request) -> str:
    if getattr(request, "axes_locked_out", False):
        return _(
            "There have been too many wrong tries for this account, so it is paused for a "
            "while. Nothing was done."
        )
    return str(NOT_RIGHT)


def credential_failure_record(*, request, user) -> None:
    """Count a wrong secret other than the password (an opening key's passphrase) as a
    failed sign-in: the same lockout covers it."""
    request = request if request is not None else HttpRequest()
    credentials = {"username": user.get_username()}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
