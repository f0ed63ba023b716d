"""Re-authentication before the acts that cannot be undone (ASVS 4.0.3, V3.7.1).

Opening financial envelopes, sending outcome notices, granting staff rights,
turning off the second factor and making new recovery codes need the
password, and the second factor where the account has one, entered within
the last ``REAUTHENTICATION_WINDOW`` (10 minutes). Signing in counts, and so
does confirming one's identity again on ``accounts:confirm_identity``.
Confirming an opening asks for both on its own form every time
(applications.services.opening).

The time is kept in the session: a stolen session cookie alone cannot do
these acts once the ten minutes are over.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

AUTHENTICATED_AT = "zabuni_authenticated_at"
# Paths where every request needs a recent re-authentication: where staff
# rights, group permissions and superuser status are granted, and where the
# second factor is turned off or new recovery codes are made, and where an opening
# key is made or its passphrase tested or changed.
GUARDED_PREFIXES = (
    "/admin/users/",
    "/admin/groups/",
    "/account/two_factor/disable/",
    "/account/two_factor/backup/",
    "/account/security/opening-key/",
)


@receiver(user_logged_in)
def signing_in_counts(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark(request)


def mark(request) -> None:
    """Record that the signed-in user proved who they are just now."""
    request.session[AUTHENTICATED_AT] = int(time.time())


def is_recent(request) -> bool:
    at = request.session.get(AUTHENTICATED_AT)
    window = settings.REAUTHENTICATION_WINDOW.total_seconds()
    return at is not None and 0 <= time.time() - at <= window


def ask(request, next_url: str):
    """Send the user to confirm their identity, then back to ``next_url``."""
    messages.info(
        request,
        _(
            "This act cannot be undone: confirm it is you, with your password and your "
            "authenticator code, then do it again."
        ),
    )
    return redirect(reverse("accounts:confirm_identity") + "?" + urlencode({"next": next_url}))


class RecentAuthenticationMiddleware:
    """Every request under ``GUARDED_PREFIXES`` needs a recent re-authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith(GUARDED_PREFIXES)
            and user is not None
            and user.is_authenticated
            and not is_recent(request)
        ):
            target = request.get_full_path() if request.method == "GET" else request.path
            return ask(request, target)
        return self.get_response(request)
