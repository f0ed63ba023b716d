"""The preliminary examination's page: each opened bid with what the portal found, and
the chair's (or the secretary's) decision, responsive or not, with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from applications.models import Submission
from applications.permissions import can_see_applicant_identities
from core.errors import Refused
from reviews.compliance import compliance_findings, finding_text
from reviews.forms import posted_id
from reviews.models import ComplianceDecision
from reviews.permissions import can_check_compliance, can_view_compliance
from reviews.ranking import applicant_name
from reviews.services.compliance import compliance_clear, compliance_decide
from tenders.models import CallPage


@login_required
@require_http_methods(["GET", "POST"])
def compliance(request, call_id):
    call = get_object_or_404(
        CallPage.objects.originals().select_related("opening", "panel"), pk=call_id
    )
    if not can_view_compliance(request.user, call):
        raise Http404
    panel = call.panel
    status = 200
    if request.method == "POST":
        try:
            _act(request, panel)
        except Refused as refusal:
            messages.error(request, refusal.message)
            status = refusal.status_code
        else:
            return redirect("reviews:compliance", call_id=call.pk)
    findings = compliance_findings(call)
    decisions = {
        d.submission_id: d
        for d in ComplianceDecision.objects.filter(submission__call=call).select_related(
            "decided_by"
        )
    }
    names = can_see_applicant_identities(request.user, call)
    bids = []
    for submission in (
        Submission.objects.filter(call=call)
        .received()
        .select_related("applicant__profile")
        .order_by("number")
    ):
        decision = decisions.get(submission.pk)
        bids.append(
            {
                "submission": submission,
                "name": applicant_name(submission) if names else "",
                "found": [finding_text(f.as_json()) for f in findings.get(submission.pk, [])],
                "decision": decision,
            }
        )
    undecided = sum(1 for bid in bids if bid["decision"] is None)
    return render(
        request,
        "reviews/compliance.html",
        {
            "call": call,
            "panel": panel,
            "bids": bids,
            "undecided": undecided,
            "clear_count": sum(1 for bid in bids if bid["decision"] is None and not bid["found"]),
            "can_decide": can_check_compliance(request.user, call),
        },
        status=status,
    )


def _act(request, panel):
    action = request.POST.get("action")
    if action == "clear":
        marked = compliance_clear(panel=panel, user=request.user, request=request)
        messages.success(
            request,
            ngettext(
                "%(n)s bid with nothing found marked responsive.",
                "%(n)s bids with nothing found marked responsive.",
                marked,
            )
            % {"n": marked},
        )
        return
    if action != "decide" or request.POST.get("responsive") not in ("yes", "no"):
        raise Refused(_("Choose responsive or not responsive."))
    submission = get_object_or_404(
        Submission.objects.filter(call=panel.call).received(),
        pk=posted_id(request, "submission"),
    )
    decision = compliance_decide(
        panel=panel,
        user=request.user,
        submission=submission,
        responsive=request.POST["responsive"] == "yes",
        reason=request.POST.get("reason", "").replace("\x00", "")[:2000],
        request=request,
    )
    messages.success(
        request,
        (
            _("%(bid)s marked responsive.")
            if decision.responsive
            else _("%(bid)s marked not responsive.")
        )
        % {"bid": submission.label},
    )
