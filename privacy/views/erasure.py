"""Deleting one's own account, from the Security page.

The page says, before anything goes, what will be deleted at once and what the
law makes us keep and until when. Deleting needs a recent re-authentication
(password and second factor, ``accounts.reauth``) and a ticked confirmation.
"""

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import reauth
from core.errors import Refused
from core.storage import STORAGE_ERRORS
from privacy.erasure import account_erase, erasure_refusal, kept_records

STORAGE_DOWN = _(
    "The file store did not answer, so your account could not be deleted completely. "
    "It is still there; try again in a few minutes."
)


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand: my account and what I gave are deleted, and this cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm that you want this.")},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def erase_account(request):
    user = request.user
    refusal = erasure_refusal(user)
    status = None
    form = ErasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refusal:
        if not reauth.is_recent(request):
            return reauth.ask(request, reverse("privacy:erase"))
        if form.is_valid():
            try:
                erasure = account_erase(user=user)
            except Refused as exc:
                refusal = str(exc)
            except STORAGE_ERRORS:
                # Nothing is lost by stopping: what went is what was due to go, and the
                # account stays until a try goes through.
                refusal = str(STORAGE_DOWN)
                status = 424
            else:
                logout(request)
                return render(request, "privacy/erased.html", {"erasure": erasure})
    return render(
        request,
        "privacy/erase.html",
        {
            "form": form,
            "refusal": refusal,
            "kept": kept_records(user, now=timezone.now()),
        },
        status=status or (400 if form.errors or (request.method == "POST" and refusal) else 200),
    )
