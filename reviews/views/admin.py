"""Staff screens for evaluations in the Wagtail admin: progress per call, and the ranking.

Read-only: the chair locks scoring, opens financial envelopes and decides
outcomes on the public site's chair pages.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from applications.choices import SubmissionStatus
from applications.models import Submission
from applications.permissions import (
    call_is_sealed,
    can_see_applicant_identity,
    can_view_audit_trail,
)
from reviews.models import Panel
from reviews.permissions import can_view_ranking
from reviews.ranking import call_ranking
from reviews.services.panels import review_progress
from tenders.models import CallPage


def _require_staff(request):
    if not request.user.is_staff:
        raise PermissionDenied


def _people():
    return get_user_model().objects.order_by("first_name", "last_name", "email")


def evaluation_list(request):
    """Every call with a panel: who is on it, how far the reviews are, which steps are done.

    One query for the panels with their progress counted in the database, one
    for their members, whatever the number of calls.
    """
    _require_staff(request)
    panels = (
        Panel.objects.select_related("call__opening", "chair")
        .prefetch_related(Prefetch("members", queryset=_people()))
        .with_review_progress()
        .annotate(recused=Count("assignments", filter=Q(assignments__has_conflict=True)))
        .order_by("-call__closes_at", "pk")
    )
    rows = []
    for panel in panels:
        members = [m for m in panel.members.all() if m.pk != panel.chair_id]
        rows.append({"panel": panel, "call": panel.call, "reviewers": members})
    return TemplateResponse(request, "reviews/admin/evaluation_list.html", {"rows": rows})


def evaluation_ranking(request, call_id):
    """One call's ranking as the chair sees it, for staff; nothing about bids while sealed."""
    _require_staff(request)
    call = get_object_or_404(CallPage.objects.originals().select_related("opening"), pk=call_id)
    panel = (
        Panel.objects.select_related("chair")
        .prefetch_related(Prefetch("members", queryset=_people()))
        .filter(call=call)
        .first()
    )
    if panel is None:
        raise Http404
    call.panel = panel  # the permission checks read it: no second query
    done, expected = review_progress(panel)
    sealed = call_is_sealed(call)
    context = {
        "call": call,
        "panel": panel,
        "reviewers": [m for m in panel.members.all() if m.pk != panel.chair_id],
        "reviews_done": done,
        "reviews_expected": expected,
        "sealed": sealed,
        "can_view_audit": can_view_audit_trail(request.user, call),
        "rows": [],
    }
    if not sealed and can_view_ranking(request.user, call):
        criteria = list(call.criteria.all())
        # Identity follows the call's blind-review rule, asked of the permission
        # module once: an unsaved stand-in carries the call and no applicant.
        show_names = can_see_applicant_identity(request.user, Submission(call=call))
        rows = []
        for row in call_ranking(call):
            rows.append(
                {
                    "row": row,
                    "name": row.entry.name if show_names else "",
                    "means": [(c, row.criterion_means.get(c.pk)) for c in criteria],
                    "outcome": SubmissionStatus(row.entry.outcome).label,
                }
            )
        context.update(
            criteria=criteria,
            rows=rows,
            show_financial=bool(panel.financial_opened_at and call.has_financial_envelope),
        )
    return TemplateResponse(request, "reviews/admin/evaluation_ranking.html", context)
