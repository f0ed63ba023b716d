"""Applicants ask questions about an open call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.throttles import limited
from applications.forms import ClarificationForm
from applications.permissions import can_ask_clarification, is_invited
from tenders.models import CallPage, Clarification


@login_required
@require_POST
@limited("CLARIFICATION_RATE", key="user")
def ask(request, call_id):
    call = get_object_or_404(CallPage.objects.live().originals(), pk=call_id)
    if not can_ask_clarification(request.user, call):
        messages.error(
            request,
            _("Only invited applicants may ask questions about this call.")
            if call.is_second_stage and not is_invited(request.user, call)
            else _("Questions about this call are closed."),
        )
        return redirect(call.get_url(request) + "#clarifications")
    form = ClarificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your question (up to 2,000 characters)."))
        return redirect(call.get_url(request) + "#clarifications")
    Clarification.objects.create(
        call=call, asked_by=request.user, question=form.cleaned_data["question"]
    )
    messages.success(
        request,
        _("Your question was sent. The answer will be published on this page for everyone."),
    )
    return redirect(call.get_url(request) + "#clarifications")
