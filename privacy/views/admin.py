"""The admin's Privacy screen: erasure requests and their state, and the last purges."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from applications.choices import AuditAction
from applications.models import AuditEvent
from privacy.models import ErasureRequest
from privacy.permissions import can_see_erasures

PER_PAGE = 50


@require_GET
def erasures(request):
    if not can_see_erasures(request.user):
        raise PermissionDenied
    page = Paginator(ErasureRequest.objects.order_by("-requested_at"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    purges = AuditEvent.objects.filter(action=AuditAction.RETENTION_PURGED).order_by("-at")[:20]
    return render(request, "privacy/admin/erasures.html", {"page": page, "purges": purges})
