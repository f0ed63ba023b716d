"""Refuse oversized requests before anything reads their body."""

from django.conf import settings
from django.shortcuts import render


class RequestSizeLimitMiddleware:
    """413 before the body is read.

    It must sit before CsrfViewMiddleware, whose check parses ``request.POST``
    and so would spool the whole multipart body to disk first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit_mb = settings.MAX_UPLOAD_REQUEST_MB
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = limit_mb * 1024 * 1024 + 1
        if length > limit_mb * 1024 * 1024:
            return render(request, "413.html", {"limit_mb": limit_mb}, status=413)
        return self.get_response(request)
