"""The portal's own error pages, for errors Django would otherwise answer bare."""

from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from core.json_views import answers_json_for


def csrf_failure(request, reason=""):
    """A failed CSRF check (an expired form, a blocked cookie): 403, and nothing saved.

    A script's request (core.json_views) gets JSON it can show: the token it holds
    changed when the person signed in again, in another tab perhaps."""
    if answers_json_for(request):
        message = _(
            "This page is out of date: you may have signed in again in another tab. "
            "Reload the page, then try again."
        )
        return JsonResponse({"message": message}, status=403)
    return render(request, "403_csrf.html", status=403)


def bad_request(request, exception=None):
    """A malformed request (a truncated upload, a bad multipart body): 400.

    Django's multipart parser refuses a part whose headers pass 1 KB: in
    practice, a file name of several hundred characters. Say so.
    """
    name_too_long = isinstance(exception, MultiPartParserError) and "header size" in str(exception)
    return render(request, "400.html", {"name_too_long": name_too_long}, status=400)


def rate_limited(request, exception=None):
    """Too many tries from here in a short time (django-ratelimit): 429, nothing saved."""
    return render(request, "429.html", status=429)


def admin_login(request):
    """The admin's sign-in is the portal's: go there, and come back to the admin."""
    target = request.GET.get("next") or reverse("wagtailadmin_home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("wagtailadmin_home")
    return redirect(reverse("accounts:login") + "?" + urlencode({"next": target}))
