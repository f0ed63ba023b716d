"""What the portal knows about each opened bid before the panel's preliminary
examination (issue 22, item 5): required documents missing, an eligibility question
answered otherwise than an eligible applicant would, a budget or an amount requested
over the call's ceiling. It helps the chair decide; it decides nothing.

A price in a sealed financial envelope is never read here: only the amount a grant
applicant requests (grants have no financial envelope) and the application form's
budget table, which are part of the technical bid."""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from applications.answers import budget_of, eligibility_flags
from applications.models import Answer, Submission, SubmissionFile
from core.page_text import rows_with_text
from core.templatetags.format_tags import money
from reviews.models import ComplianceDecision
from tenders.application_form import form_questions

MISSING_DOCUMENT = "missing_document"
NOT_ELIGIBLE = "not_eligible"
OVER_CEILING = "over_ceiling"


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str

    def as_json(self) -> dict:
        return {"kind": self.kind, "subject": self.subject}


def finding_text(finding: dict) -> str:
    """A finding (as stored) in the reader's language."""
    subject = finding.get("subject", "")
    return {
        MISSING_DOCUMENT: _("Required document missing: %(subject)s"),
        NOT_ELIGIBLE: _("Eligibility answered otherwise than required: %(subject)s"),
        OVER_CEILING: _("Over the call's ceiling: %(subject)s"),
    }.get(finding.get("kind"), "%(subject)s") % {"subject": subject}


def compliance_findings(call) -> dict[int, list[Finding]]:
    """{submission id: findings} for every received bid of ``call``, in a fixed number
    of queries whatever their number."""
    submissions = list(Submission.objects.filter(call=call).received().order_by("number"))
    ids = [s.pk for s in submissions]
    have = defaultdict(set)
    for submission_id, requirement_id in SubmissionFile.objects.filter(
        submission_id__in=ids, pending=False
    ).values_list("submission_id", "requirement_id"):
        have[submission_id].add(requirement_id)
    answers = defaultdict(dict)
    for submission_id, question_id, value in Answer.objects.filter(
        submission_id__in=ids, pending=False
    ).values_list("submission_id", "question_id", "value"):
        answers[submission_id][question_id] = value
    required = [r for r in rows_with_text(call, "required_documents") if r.is_required]
    questions = form_questions(call)
    budgets = [q for q in questions if q.kind == "budget"]
    ceiling = call.budget_ceiling
    found = {}
    for submission in submissions:
        mine = []
        for requirement in required:
            if requirement.pk not in have[submission.pk]:
                mine.append(Finding(MISSING_DOCUMENT, requirement.text.name))
        for question in eligibility_flags(questions, answers[submission.pk]):
            mine.append(Finding(NOT_ELIGIBLE, question.label))
        if ceiling is not None:
            for question in budgets:
                total = budget_of(answers[submission.pk].get(question.id)).total
                if total > ceiling:
                    mine.append(
                        Finding(OVER_CEILING, f"{question.label} ({money(total, call.currency)})")
                    )
            requested = submission.amount_requested
            if not call.has_financial_envelope and requested is not None and requested > ceiling:
                mine.append(
                    Finding(
                        OVER_CEILING,
                        _("amount requested (%(amount)s)")
                        % {"amount": money(requested, call.currency)},
                    )
                )
        found[submission.pk] = mine
    return found


def compliance_register_lines(register, *, names: bool = False) -> list[dict]:
    """The opening register's addendum: each opened bid's preliminary examination, in
    reference order (the reason, who decided and when; names never appear)."""
    return [
        {
            "reference": decision.submission.reference,
            "responsive": decision.responsive,
            "reason": decision.reason,
            "by": decision.decided_by.get_full_name() or decision.decided_by.email,
            "at": decision.decided_at,
        }
        for decision in ComplianceDecision.objects.filter(submission__call_id=register.call_id)
        .select_related("submission", "decided_by")
        .order_by("submission__number")
    ]
