"""The evaluation report: a printable page for the file, signed off by the chair."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import reauth
from applications.permissions import can_see_applicant_identities
from core.errors import Refused
from reviews.models import ReportSignOff
from reviews.permissions import can_view_report, is_chair
from reviews.report import grouped_scores, report_content, report_digest, report_sign_off
from tenders.models import CallPage


@login_required
@require_http_methods(["GET", "POST"])
def report(request, call_id):
    call = get_object_or_404(
        CallPage.objects.originals().select_related("opening", "panel"), pk=call_id
    )
    panel = getattr(call, "panel", None)
    if panel is None or not can_view_report(request.user, call):
        raise Http404
    url = reverse("reviews:report", kwargs={"call_id": call.pk})
    status = 200
    if request.method == "POST":
        if not reauth.is_recent(request):
            return reauth.ask(request, url)
        try:
            report_sign_off(panel=panel, user=request.user, request=request)
        except Refused as refusal:
            messages.error(request, refusal.message)
            status = refusal.status_code
        else:
            messages.success(request, _("The evaluation report is signed off."))
            return redirect(url)
    names = can_see_applicant_identities(request.user, call)
    content = report_content(panel, names=names)
    sign_off = ReportSignOff.objects.filter(panel=panel).select_related("signed_by").first()
    changed = bool(sign_off) and sign_off.digest != report_digest(
        content if names else report_content(panel, names=True)
    )
    return render(
        request,
        "reviews/report.html",
        {
            **content,
            "panel": panel,
            "reviewers": [(b, grouped_scores(b)) for b in content["reviewers"]],
            "sign_off": sign_off,
            "changed_since": changed,
            "can_sign": is_chair(request.user, call) and sign_off is None,
        },
        status=status,
    )
