"""Where a person is signed in, and signing out of those places (ASVS V3.3).

Each sign-in is recorded as a ``SignedInSession`` (the browser in a few
words, when it began, when it was last used). The Security page lists them;
any one can be ended, or all at once with "Sign out everywhere", which also
raises the user's session epoch so that sessions this list never saw end too
(accounts.models.User._get_session_auth_hash).

Changing the password ends every other session the same way: Django checks
each session against the password's hash. The session the change was made in
stays signed in (``update_session_auth_hash``), and the owner is told by mail.
"""

import re

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import SignedInSession, User

BROWSERS = (
    ("SamsungBrowser", "Samsung Internet"),
    ("OPR/", "Opera"),
    ("Opera Mini", "Opera Mini"),
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("KAIOS", "KaiOS"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str) -> str:
    """ "Firefox, Android", from a User-Agent header; "" if it says nothing (the page
    then says "Unknown browser" in the reader's language). Stored as it is, so it
    holds only names, which are the same in every language."""
    user_agent = user_agent or ""
    browser = next((name for token, name in BROWSERS if token in user_agent), "")
    system = next((name for token, name in SYSTEMS if token.lower() in user_agent.lower()), "")
    if browser and system:
        return f"{browser}, {system}"
    return browser or system or re.split(r"[\s/]", user_agent.strip())[0][:40]


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    SignedInSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "browser": describe_browser(request.headers.get("User-Agent", ""))[:120],
            "last_seen_at": timezone.now(),
        },
    )


@receiver(user_logged_out)
def forget_sign_in(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None:
        key = request.session.session_key
        if key:
            SignedInSession.objects.filter(session_key=key).delete()


def session_seen(request) -> None:
    """Note that the current session was used now (called at most once a minute)."""
    key = request.session.session_key
    if key:
        SignedInSession.objects.filter(session_key=key).update(last_seen_at=timezone.now())


def sessions_of(user) -> list[SignedInSession]:
    """The user's sessions still signed in, newest use first; forgets the ended ones."""
    rows = list(SignedInSession.objects.filter(user=user))
    live = set(
        Session.objects.filter(
            session_key__in=[row.session_key for row in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    ended = [row.pk for row in rows if row.session_key not in live]
    if ended:
        SignedInSession.objects.filter(pk__in=ended).delete()
    return [row for row in rows if row.session_key in live]


def session_end(*, user, pk: int) -> bool:
    """End one of ``user``'s sessions. False if it is not theirs (or already ended)."""
    row = SignedInSession.objects.filter(user=user, pk=pk).first()
    if row is None:
        return False
    with transaction.atomic():
        Session.objects.filter(session_key=row.session_key).delete()
        row.delete()
    return True


def sessions_end_all(*, user, keep: str | None = None) -> int:
    """End every session of ``user`` but ``keep``'s. With ``keep`` None, raise the
    epoch as well, so that sessions not listed end too. Returns how many listed ended."""
    with transaction.atomic():
        rows = SignedInSession.objects.filter(user=user).exclude(session_key=keep or "")
        keys = list(rows.values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        rows.delete()
        if keep is None:
            User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    return len(keys)
