"""How long a signed-in session lasts (ASVS V3.3).

Staff, panel members and committee members, whose sessions can open sealed
bids, are signed out after ``STAFF_SESSION_IDLE`` without a request (30
minutes) or ``STAFF_SESSION_MAX`` in all (12 hours). Applicants stay signed
in for ``SESSION_COOKIE_AGE`` (two weeks), renewed as they use the portal.

Activity is written to the session at most once a minute, so a page view
does not cost a session write each time.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.second_factor import NEEDS_SECOND_FACTOR
from accounts.sessions import session_seen
from core.json_views import answers_json_for, json_refusal

STARTED = "zabuni_session_started"
SEEN = "zabuni_session_seen"
WRITE_EVERY = 60


@receiver(user_logged_in)
def start_the_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = now
        request.session[SEEN] = now


def _strict(request, user) -> bool:
    return user.is_staff or user.is_superuser or bool(request.session.get(NEEDS_SECOND_FACTOR))


class SessionLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refused = self._check(request, user)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request, user):
        session = request.session
        now = int(time.time())
        started = session.get(STARTED, now)
        seen = session.get(SEEN, now)
        if _strict(request, user):
            idle = settings.STAFF_SESSION_IDLE.total_seconds()
            if now - seen > idle or now - started > settings.STAFF_SESSION_MAX.total_seconds():
                logout(request)
                if answers_json_for(request):
                    # A script (an upload): it shows the message and stops.
                    return json_refusal(
                        _(
                            "You were signed out after a while without activity. "
                            "Sign in again, then choose the file again."
                        ),
                        401,
                    )
                messages.info(
                    request,
                    _("You were signed out after a while without activity. Sign in again."),
                )
                target = request.get_full_path() if request.method == "GET" else "/"
                return redirect(reverse("accounts:login") + "?" + urlencode({"next": target}))
            expiry = int(idle)
        else:
            expiry = settings.SESSION_COOKIE_AGE
        if now - seen >= WRITE_EVERY or STARTED not in session:
            session.setdefault(STARTED, started)
            session[SEEN] = now
            session.set_expiry(expiry)
            session_seen(request)
        return None
