"""Where someone goes after signing in: back where they came from, if that is here.

A link or form carries the page as ``next`` (the call page's "Create an account",
the sign-in page, the confirmation mail's link). Only a path on this site is
kept: never another site's address, which would make the portal's own links a
way to send people to a look-alike sign-in page.
"""

from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def next_path(request) -> str:
    """The path ``request`` carries as ``next`` (form, then query string) if it is a
    path on this site; otherwise ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=set()):
        return target
    return ""


def with_next(url: str, path: str) -> str:
    """``url`` carrying ``path`` as its ``next``, if there is one."""
    return f"{url}?{urlencode({'next': path})}" if path else url
