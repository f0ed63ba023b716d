"""Refuse oversized requests before anything reads their body."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.json_views import answers_json_for, json_refusal


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
            if answers_json_for(request):
                message = _("This request is larger than the %(limit)s MB the portal accepts.")
                return json_refusal(message % {"limit": limit_mb}, 413)
            return render(request, "413.html", {"limit_mb": limit_mb}, status=413)
        return self.get_response(request)
