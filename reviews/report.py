"""The evaluation report, for the file: what the panel did and decided, on one page.

It holds the criteria and weights; each reviewer's scores and comments; the
declarations and recusals; the ranking with St, Sf and S; the decisions with
their reasons (from the audit trail); the evaluation note; and the opening
registers, once they exist. The chair signs it off (``report_sign_off``);
the sign-off keeps the SHA-256 of the content as it stood, and the page
says whether anything has changed since.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import AuditAction
from applications.models import AuditEvent, OpeningRegister
from applications.services.audit import audit_record
from core.errors import NotAllowed
from reviews.answers_sheet import answers_by_bid
from reviews.models import (
    Assignment,
    ComplianceDecision,
    FinancialOpeningRegister,
    ReportSignOff,
    Score,
)
from reviews.permissions import is_chair
from reviews.ranking import TIE_BREAK, call_ranking, shown


@dataclass
class ReviewerBlock:
    name: str
    declared_at: object
    recused: bool
    explanation: str
    # (bid label, criterion title, points, comment)
    scores: list[tuple] = field(default_factory=list)


def report_content(
    panel, *, names: bool, rows=None, scores: bool = True, answers: bool = True
) -> dict:
    """Everything the report shows, as plain data (the page and the workbook's Report
    sheet render it; the digest hashes it). ``rows``: the call's ranking, if at hand.
    ``scores=False`` leaves each reviewer's scores out, ``answers=False`` the answers
    to the application form (the workbook has them on sheets of their own).

    Rows are read as tuples, not model instances: a call with a thousand bids has
    tens of thousands of scores, and building an instance for each would cost more
    than the rest of the report together.
    """
    call = panel.call
    criteria = list(call.criteria.all())
    rows = call_ranking(call) if rows is None else rows
    labels = {row.entry.id: row.entry.label for row in rows}
    reviewers = {}
    for (
        reviewer_id,
        first,
        last,
        email,
        submission_id,
        has_conflict,
        explanation,
        declared_at,
    ) in (
        Assignment.objects.filter(panel=panel)
        .order_by("reviewer__last_name", "reviewer__first_name", "submission__number")
        .values_list(
            "reviewer_id",
            "reviewer__first_name",
            "reviewer__last_name",
            "reviewer__email",
            "submission_id",
            "has_conflict",
            "conflict_explanation",
            "declared_at",
        )
    ):
        block = reviewers.setdefault(
            reviewer_id,
            ReviewerBlock(
                name=f"{first} {last}".strip() or email,
                declared_at=None,
                recused=False,
                explanation="",
            ),
        )
        if has_conflict:
            block.recused = True
            block.explanation += f"{labels.get(submission_id, '')}: {explanation} "
        block.declared_at = max(filter(None, [block.declared_at, declared_at]), default=None)
    by_criterion = {c.pk: c.title for c in criteria}
    score_rows = (
        Score.objects.filter(review__assignment__panel=panel)
        .order_by("review__assignment__submission__number", "criterion__sort_order", "pk")
        .values_list(
            "review__assignment__reviewer_id",
            "review__assignment__submission_id",
            "criterion_id",
            "points",
            "comment",
        )
        if scores
        else ()
    )
    for reviewer_id, submission_id, criterion_id, points, comment in score_rows:
        reviewers[reviewer_id].scores.append(
            (
                labels.get(submission_id, ""),
                by_criterion.get(criterion_id, ""),
                points,
                comment,
            )
        )
    decisions = [
        {
            "at": e.at,
            "who": e.actor.get_full_name() if e.actor else "",
            "bid": labels.get(e.submission_id, ""),
            "what": e.get_action_display(),
            "detail": e.detail,
        }
        for e in AuditEvent.objects.filter(
            submission__call=call,
            action__in=[
                AuditAction.COMPLIANCE_DECIDED,
                AuditAction.OUTCOME_DECIDED,
                AuditAction.NEGOTIATION_FAILED,
                AuditAction.FINANCIAL_OPENED,
            ],
        )
        .select_related("actor")
        .order_by("at", "pk")
    ]
    return {
        "call": call,
        "panel_note": panel.evaluation_note,
        "criteria": criteria,
        "rows": rows,
        "names": names,
        "reviewers": list(reviewers.values()),
        "decisions": decisions,
        "tie_rule": _(TIE_BREAK),
        "answers": answers_by_bid(call, rows, names=names) if answers else [],
        "compliance": _compliance(call, rows),
        "opening_register": OpeningRegister.objects.filter(call=call).first(),
        "financial_register": FinancialOpeningRegister.objects.filter(call=call).first(),
    }


def _compliance(call, rows) -> list[list]:
    """[bid label, responsive, reason] for each bid with a decision, in ranking order."""
    decided = {
        submission_id: (responsive, reason)
        for submission_id, responsive, reason in ComplianceDecision.objects.filter(
            submission__call=call
        ).values_list("submission_id", "responsive", "reason")
    }
    return [[row.entry.label, *decided[row.entry.id]] for row in rows if row.entry.id in decided]


def report_digest(content: dict) -> str:
    """SHA-256 of what the report says (names included), in a canonical form."""
    canonical = {
        "call": content["call"].reference_code,
        "weights": [str(content["call"].technical_weight), str(content["call"].financial_weight)],
        "minimum": str(content["call"].minimum_technical_score),
        "criteria": [[c.title, c.max_points] for c in content["criteria"]],
        "rows": [
            [
                r.entry.label,
                r.rank,
                str(shown(r.technical)),
                str(shown(r.financial_score)),
                str(shown(r.combined)),
                str(r.entry.offer),
                r.entry.outcome,
                r.excluded,
            ]
            for r in content["rows"]
        ],
        "reviewers": [
            [b.name, b.recused, b.explanation, [[x[0], x[1], str(x[2]), x[3]] for x in b.scores]]
            for b in content["reviewers"]
        ],
        "decisions": [
            [d["at"].isoformat(), d["bid"], d["what"], d["detail"]] for d in content["decisions"]
        ],
        "note": content["panel_note"],
        "registers": [
            getattr(content["opening_register"], "digest", ""),
            getattr(content["financial_register"], "digest", ""),
        ],
    }
    if content.get("compliance"):  # the preliminary examination, once it has begun
        canonical["compliance"] = content["compliance"]
    if content.get("answers"):  # a call with an application form: its answers are signed too
        canonical["answers"] = [[b["bid"], b["answers"]] for b in content["answers"]]
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def report_sign_off(*, panel, user, request=None) -> ReportSignOff:
    """The chair signs the report off once every bid has its outcome. Once only."""
    if not is_chair(user, panel.call):
        raise NotAllowed(_("Only the chair signs the evaluation report off."))
    if not panel.is_locked:
        raise NotAllowed(_("Lock technical scoring first."))
    rows = call_ranking(panel.call)
    if any(not row.entry.decided for row in rows):
        raise NotAllowed(_("Decide an outcome for every submission before signing off."))
    with transaction.atomic():
        existing = ReportSignOff.objects.select_for_update().filter(panel=panel).first()
        if existing:
            return existing
        sign_off = ReportSignOff.objects.create(
            panel=panel,
            signed_by=user,
            signed_at=timezone.now(),
            digest=report_digest(report_content(panel, names=True)),
        )
        audit_record(
            actor=user,
            action=AuditAction.REPORT_SIGNED,
            request=request,
            call=panel.call,
            detail=sign_off.digest,
        )
    return sign_off


def grouped_scores(block: ReviewerBlock) -> dict:
    """A reviewer's scores by bid, for the page."""
    out = defaultdict(list)
    for bid, criterion, points, comment in block.scores:
        out[bid].append((criterion, points, comment))
    return dict(out)
