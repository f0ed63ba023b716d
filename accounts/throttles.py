"""Who a sign-in attempt is about, and how often a client may try things.

django-axes locks an account after repeated failed sign-ins (settings:
``AXES_*``), and counts a wrong password or code asked again before an act
that cannot be undone (accounts.credentials) the same way. django-ratelimit
limits how often one client address may post the sign-in, registration and
password-reset forms (``*_RATE``), answering 429. The client address is the
one ``core.client_ip`` trusts.
"""

from django.conf import settings
from django_ratelimit.decorators import ratelimit

from core.client_ip import client_ip


def axes_username(request, credentials) -> str:
    """The email a sign-in names, lower-cased: "A@x.org" and "a@x.org" are one account.

    Axes hands over the credentials under "email" (the user model's USERNAME_FIELD)
    when it checks a lock, and under "username" (what the form passed to
    authenticate()) when it records a failure; the form posts "auth-username"
    (the sign-in wizard's first step) or "username".
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None:
        value = request.POST.get("auth-username") or request.POST.get("username", "")
    return str(value or "").strip().lower()


def client_key(group, request) -> str:
    return client_ip(request) or "unknown"


def limited(rate_setting: str, *, key=client_key):
    """Limit a view's POSTs to the rate named by ``rate_setting``, per client address."""

    def rate(group, request):
        return getattr(settings, rate_setting)

    return ratelimit(key=key, rate=rate, method="POST", block=True)
