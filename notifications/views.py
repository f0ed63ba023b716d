"""The Notifications screen in the Wagtail admin: outgoing mail by state, and "retry now"."""

import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from notifications.models import OutboxMessage, OutboxState
from notifications.permissions import can_manage_outbox
from notifications.services import outbox_retry_now

PER_PAGE = 50
MESSAGE_ID = re.compile(r"[0-9]{1,18}")
RETRYABLE = (OutboxState.PENDING, OutboxState.FAILED)


def _require_permission(request):
    if not can_manage_outbox(request.user):
        raise PermissionDenied


def outbox_list(request):
    _require_permission(request)
    state = request.GET.get("state", OutboxState.FAILED)
    if state not in OutboxState.values:
        state = OutboxState.FAILED
    counts = dict(OutboxMessage.objects.values_list("state").annotate(n=Count("pk")).order_by())
    order = "-sent_at" if state == OutboxState.SENT else "next_attempt_at"
    listed = OutboxMessage.objects.filter(state=state).order_by(order, "pk").only(
        "to_email", "subject", "state", "attempts", "created_at", "next_attempt_at",
        "sent_at", "failed_at", "give_up_at", "last_error", "confidential",
    )  # fmt: skip
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    tabs = [(value, label, counts.get(value, 0)) for value, label in OutboxState.choices]
    return TemplateResponse(
        request,
        "notifications/admin/outbox_list.html",
        {
            "state": state,
            "tabs": tabs,
            "page": page,
            "query": f"state={state}",
            "retryable": state in RETRYABLE,
            "retry_hours": settings.OUTBOX_RETRY_HOURS,
        },
    )


@require_POST
def outbox_retry(request):
    _require_permission(request)
    state = request.POST.get("state", OutboxState.FAILED)
    if request.POST.get("all") == "1" and state in RETRYABLE:
        ids = list(OutboxMessage.objects.filter(state=state).values_list("pk", flat=True))
    else:
        ids = [int(pk) for pk in request.POST.getlist("message") if MESSAGE_ID.fullmatch(pk)]
    count = outbox_retry_now(message_ids=ids)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s email will be sent again now.",
                "%(count)s emails will be sent again now.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.warning(request, _("Nothing to retry: the mail was sent or is being sent."))
    return redirect(f"{reverse('zabuni_outbox')}?state={state}")
