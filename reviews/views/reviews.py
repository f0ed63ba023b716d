"""The panel's pages: the reviewer's queue, one assignment, and the chair's ranking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import reauth
from applications.answers import shown_sections
from applications.choices import OUTCOMES, AuditAction
from applications.models import Submission
from applications.permissions import (
    call_is_sealed,
    can_download_file,
    can_see_applicant_identities,
    can_see_applicant_identity,
    can_view_submission,
    hidden_questions,
)
from applications.services.answers import answers_of
from applications.services.audit import audit_record
from core.errors import Refused
from reviews.choices import ReviewStatus
from reviews.forms import DeclarationForm, ScoreForm, posted_id
from reviews.models import Assignment, Panel, Score
from reviews.permissions import (
    can_declare_conflict,
    can_manage_evaluation,
    can_score,
    can_see_panel_scores,
    can_view_ranking,
    is_not_responsive,
)
from reviews.ranking import TIE_BREAK, applicant_name, call_ranking
from reviews.services.compliance import compliance_undecided
from reviews.services.outcomes import (
    financial_open,
    negotiation_fail,
    outcome_decide,
    outcomes_send,
)
from reviews.services.panels import (
    conflict_declare,
    panel_lock,
    review_progress,
    review_save,
    reviews_short,
)
from tenders.application_form import form_sections
from tenders.models import CallPage


@login_required
def queue(request):
    """Every assignment of the signed-in reviewer, and the calls they chair."""
    assignments = (
        Assignment.objects.filter(reviewer=request.user)
        .select_related("panel__call__opening", "submission__applicant__profile", "review")
        .order_by("panel__review_deadline", "submission__number")
    )
    rows = []
    for a in assignments:
        a.submission.call = a.panel.call  # loaded already: no query per row
        sealed = call_is_sealed(a.panel.call)
        # Before opening, not even the applicant's name; under blind review, never.
        named = not sealed and can_see_applicant_identity(request.user, a.submission)
        rows.append(
            {
                "assignment": a,
                "name": f"{a.submission.label} · {applicant_name(a.submission)}"
                if named
                else a.submission.label,
                "sealed": sealed,
                "step": _next_step(a, sealed),
            }
        )
    # What waits for the reviewer first, then what waits for the opening, then what is
    # done; by due date within each (the sort keeps the query's order).
    groups = {group: [r for r in rows if r["step"][0] == group] for group in QUEUE_GROUPS}
    chaired = sorted(
        Panel.objects.filter(chair=request.user).select_related("call"),
        key=lambda p: 2 if p.outcomes_sent_at else 0 if p.locked_at else 1,
    )
    return render(
        request,
        "reviews/queue.html",
        {"rows": rows, "groups": groups, "chaired": chaired},
    )


QUEUE_GROUPS = ("yours", "later", "done")


def _next_step(assignment, sealed: bool) -> tuple[str, str]:
    """Which group an assignment is in, and its next step in one line."""
    review = getattr(assignment, "review", None)
    if sealed:
        return "later", _("Nothing to do yet: it opens after the deadline.")
    if assignment.declared_at is None:
        return "yours", _("Declare any conflict of interest, then score.")
    if assignment.has_conflict:
        return "done", _("Nothing to do: you declared a conflict.")
    if review is not None and review.is_submitted:
        if assignment.panel.locked_at:
            return "done", _("Done. Scoring is locked.")
        return "done", _("Done. You may change it until the chair locks scoring.")
    if review is not None:
        return "yours", _("Finish your scores and submit your review.")
    return "yours", _("Score it against each criterion.")


@login_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request, assignment_id):
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "panel__call__opening",
            "submission__applicant__profile",
            "submission__compliance",
            "review",
        ),
        pk=assignment_id,
    )
    if assignment.reviewer_id != request.user.pk:
        raise Http404
    submission = assignment.submission
    call = assignment.panel.call
    submission.call = call
    criteria = list(call.criteria.all())
    review = getattr(assignment, "review", None)
    existing = {s.criterion_id: s for s in review.scores.all()} if review else {}
    declaration = DeclarationForm()
    score_form = ScoreForm(criteria=criteria, existing=existing)
    status = 200
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=AuditAction.ASSIGNMENT_VIEWED,
            request=request,
            submission=submission,
        )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "declare":
                declaration = DeclarationForm(request.POST)
                if not declaration.is_valid():
                    raise Refused(_("Answer the declaration."))
                conflict_declare(
                    assignment=assignment,
                    user=request.user,
                    has_conflict=declaration.cleaned_data["has_conflict"],
                    explanation=declaration.cleaned_data["explanation"],
                    request=request,
                )
                messages.success(request, _("Your declaration is recorded."))
                return redirect("reviews:assignment", assignment_id=assignment.pk)
            if action in ("save", "submit"):
                score_form = ScoreForm(request.POST, criteria=criteria, existing=existing)
                if not score_form.is_valid():
                    raise Refused(_("Check the points: 0 to each maximum, in halves."))
                review_save(
                    assignment=assignment,
                    user=request.user,
                    scores=score_form.scores(),
                    submit=action == "submit",
                    request=request,
                )
                messages.success(
                    request,
                    _("Your review is submitted.") if action == "submit" else _("Draft saved."),
                )
                return redirect("reviews:assignment", assignment_id=assignment.pk)
            raise Refused(_("Unknown action."))
        except Refused as refusal:
            messages.error(request, refusal.message)
            status = refusal.status_code
    sealed = call_is_sealed(call)
    show_identity = not sealed and can_see_applicant_identity(request.user, submission)
    context = {
        "assignment": assignment,
        "call": call,
        "submission": submission,
        "review": review,
        "declaration": declaration,
        "score_form": score_form,
        "score_rows": list(score_form.rows()),
        "score_total": score_form.total(),
        "score_maximum": sum(c.max_points for c in score_form.criteria),
        "sealed": sealed,
        "can_declare": can_declare_conflict(request.user, assignment),
        "can_score": can_score(request.user, assignment),
        "not_responsive": is_not_responsive(submission),
        "show_identity": show_identity,
        "applicant_name": applicant_name(submission) if show_identity else "",
        "files": [],
        "panel_scores": None,
    }
    context["answer_sections"] = []
    if assignment.declared_no_conflict and not sealed:
        questions = form_sections(call)
        hidden = hidden_questions(
            request.user, submission, [q for s in questions for q in s.questions]
        )
        context["answer_sections"] = shown_sections(
            questions, answers_of(submission, pending=False), {}, hidden
        )
        context["files"] = [
            f
            for f in submission.files.filter(pending=False)
            .select_related("clean_copy")
            .order_by("document_name")
            if can_download_file(request.user, f)
        ]
    if assignment.declared_no_conflict and not sealed and call.is_second_stage:
        context["first_stage"] = _first_stage(request, submission, call)
    if can_see_panel_scores(request.user, submission):
        context["panel_scores"] = _panel_scores(submission, criteria)
    return render(request, "reviews/assignment.html", context, status=status)


def _first_stage(request, submission, call) -> dict | None:
    """The same applicant's submission to the first stage, as this reviewer may read it
    (its answers under the same blind-review rule, its files they may open); reading it
    is audited like any other view of a bid."""
    user = request.user
    earlier = (
        Submission.objects.filter(
            call_id=call.first_stage_id, applicant_id=submission.applicant_id
        )
        .received()
        .select_related("call")
        .first()
    )
    if earlier is None or not can_view_submission(user, earlier):
        return None
    if request.method == "GET":
        audit_record(
            actor=user, action=AuditAction.SUBMISSION_VIEWED, request=request, submission=earlier
        )
    sections = form_sections(earlier.call)
    questions = [q for s in sections for q in s.questions]
    hidden = hidden_questions(user, earlier, questions)
    if call.blind_review and not can_see_applicant_identities(user, call):
        hidden |= {q.id for q in questions if q.identifies_applicant}  # the second stage's rule
    return {
        "submission": earlier,
        "answer_sections": shown_sections(
            sections, answers_of(earlier, pending=False), {}, hidden
        ),
        "files": [
            f
            for f in earlier.files.filter(pending=False).order_by("document_name")
            if can_download_file(user, f)
        ],
    }


def _panel_scores(submission, criteria):
    """Every submitted review of non-recused reviewers, as rows per reviewer."""
    scores = (
        Score.objects.filter(
            review__assignment__submission=submission,
            review__status=ReviewStatus.SUBMITTED,
            review__assignment__has_conflict=False,
        )
        .select_related("review__assignment__reviewer")
        .order_by("review__assignment__reviewer_id", "criterion__sort_order")
    )
    by_reviewer = {}
    for score in scores:
        reviewer = score.review.assignment.reviewer
        by_reviewer.setdefault(reviewer, {})[score.criterion_id] = score
    return [
        {"reviewer": reviewer, "scores": [mine.get(c.pk) for c in criteria]}
        for reviewer, mine in by_reviewer.items()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request, call_id):
    """The chair's page: the ranking, the locks, the outcomes and the notices."""
    call = get_object_or_404(
        CallPage.objects.originals().select_related("opening", "panel"), pk=call_id
    )
    panel = getattr(call, "panel", None)
    if panel is None or not can_view_ranking(request.user, call):
        raise Http404
    status = 200
    if request.method == "GET":
        audit_record(
            actor=request.user, action=AuditAction.RANKING_VIEWED, request=request, call=call
        )
    if (
        request.method == "POST"
        and request.POST.get("action") in IRREVERSIBLE_ACTIONS
        and can_manage_evaluation(request.user, call)
        and not reauth.is_recent(request)
    ):
        return reauth.ask(request, reverse("reviews:ranking", kwargs={"call_id": call.pk}))
    if request.method == "POST":
        try:
            _ranking_action(request, panel)
        except Refused as refusal:
            messages.error(request, refusal.message)
            status = refusal.status_code
        else:
            return redirect("reviews:ranking", call_id=call.pk)
    rows = call_ranking(call)
    done, expected = review_progress(panel)
    return render(
        request,
        "reviews/ranking.html",
        {
            "call": call,
            "panel": panel,
            "rows": rows,
            "criteria": list(call.criteria.all()),
            "show_names": not call.blind_review or request.user.is_staff,
            "done": done,
            "expected": expected,
            # Until scoring is locked (no review can change or come in after), rank 1 is
            # not shown as won.
            "ranking_final": bool(panel.locked_at),
            "reviews_missing": max(0, expected - done),
            "can_manage": can_manage_evaluation(request.user, call),
            "outcomes": [(o.value, o.label) for o in sorted(OUTCOMES)],
            "short": [] if panel.locked_at else reviews_short(panel),
            "undecided": len(compliance_undecided(panel)),
            "not_responsive": sum(1 for row in rows if row.entry.not_responsive),
            "tie_rule": _(TIE_BREAK),
        },
        status=status,
    )


# Acts on the chair's page that need the password and second factor within the
# last ten minutes (accounts.reauth).
IRREVERSIBLE_ACTIONS = {"open_financial", "send_outcomes", "negotiation_failed"}


def _ranking_action(request, panel):
    action = request.POST.get("action")
    user = request.user
    if action == "lock":
        panel_lock(panel=panel, user=user, request=request)
        messages.success(request, _("Technical scoring is locked."))
    elif action == "open_financial":
        opened = financial_open(panel=panel, user=user, request=request)
        messages.success(request, _("%(n)s financial envelopes opened.") % {"n": opened})
    elif action == "outcome":
        submission = get_object_or_404(
            panel.call.submissions.all(), pk=posted_id(request, "submission")
        )
        outcome_decide(
            panel=panel,
            user=user,
            submission=submission,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", "")[:2000],
            request=request,
        )
        messages.success(request, _("Outcome recorded."))
    elif action == "negotiation_failed":
        submission = get_object_or_404(
            panel.call.submissions.all(), pk=posted_id(request, "submission")
        )
        following = negotiation_fail(
            panel=panel,
            user=user,
            submission=submission,
            reason=request.POST.get("reason", "")[:2000],
            request=request,
        )
        messages.success(
            request,
            _("Recorded. %(bid)s's price is now open.") % {"bid": following.label}
            if following
            else _("Recorded. No other firm is left above the minimum."),
        )
    elif action == "note":
        if not can_manage_evaluation(user, panel.call) or panel.outcomes_sent_at:
            raise Refused(_("The evaluation note can no longer be changed."))
        panel.evaluation_note = request.POST.get("evaluation_note", "")[:10000]
        panel.save(update_fields=["evaluation_note"])
        messages.success(request, _("Evaluation note saved."))
    elif action == "send_outcomes":
        count = outcomes_send(panel=panel, user=user, request=request)
        messages.success(request, _("Outcome notices queued for %(n)s applicants.") % {"n": count})
    else:
        raise Refused(_("Unknown action."))
