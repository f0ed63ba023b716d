"""A change the freeze refuses, wherever Wagtail makes it, answers with the reason.

The editor's form shows frozen fields read-only and its clean() refuses them,
but Wagtail also publishes from other places: approving a revision submitted
for moderation before the deadline, reverting to an older revision. There
the model's save() raises ``TermsFrozen``; without this it would be a 500.
The publish runs in a transaction, so nothing of it is kept.

Wagtail's "Translate" form greys out a language whose parent page has no
version in it yet, but a request that sends it anyway raises
``ParentNotTranslatedError`` in the copy (inside its transaction): that too is
answered with the reason, on the form.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.actions.copy_for_translation import ParentNotTranslatedError

from tenders.freeze import TermsFrozen


class TermsFrozenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ParentNotTranslatedError):
            messages.error(
                request,
                _("Nothing was translated: translate its parent page into that language first."),
            )
            return redirect(request.path)
        if not isinstance(exception, TermsFrozen):
            return None
        reasons = sorted({str(m) for m in exception.messages})
        messages.error(
            request,
            _("Nothing was published. %(reasons)s") % {"reasons": " ".join(reasons)},
        )
        match = getattr(request, "resolver_match", None)
        page_id = match.kwargs.get("page_id") if match else None
        if page_id:
            return redirect(reverse("wagtailadmin_pages:edit", args=[page_id]))
        return redirect("wagtailadmin_home")
