"""The portal's own error pages, for errors Django would otherwise answer bare."""

from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A failed CSRF check (an expired form, a blocked cookie): 403, and nothing saved."""
    return render(request, "403_csrf.html", status=403)


def bad_request(request, exception=None):
    """A malformed request (a truncated upload, a bad multipart body): 400.

    Django's multipart parser refuses a part whose headers pass 1 KB: in
    practice, a file name of several hundred characters. Say so.
    """
    name_too_long = isinstance(exception, MultiPartParserError) and "header size" in str(exception)
    return render(request, "400.html", {"name_too_long": name_too_long}, status=400)
