"""Check and submit (issue 22, item 2): before the final Submit, everything that would
keep it from going through, each with the place on the bid page to put it right:
required questions unanswered or answered wrongly, required documents missing, the
price or the amount requested. It reads what is saved; it changes nothing."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from applications.services.amounts import check_stored_amounts
from applications.services.answers import answers_submit_problems
from core.errors import Refused
from tenders.application_form import form_questions


@dataclass(frozen=True)
class Problem:
    anchor: str  # the id of the field on the bid page
    label: str
    message: str
    question_id: str = ""  # for a question of the application form


def submission_problems(submission, *, own_key: bytes | None = None) -> list[Problem]:
    """``own_key``: the applicant's key to their sealed answers, from their browser."""
    call = submission.call
    questions = form_questions(call)
    errors, missing = answers_submit_problems(
        submission, questions, {}, staged_ids=set(), own_key=own_key
    )
    problems = [
        Problem(q.field_name, q.label, errors[q.id], q.id) for q in questions if q.id in errors
    ]
    problems += [
        Problem(f"id_document_{r.pk}", r.text.name, _("Add this document.")) for r in missing
    ]
    try:
        check_stored_amounts(submission)
    except Refused as refusal:
        if call.has_financial_envelope:
            problems.append(Problem("id_offer_amount", _("Financial offer"), refusal.message))
        else:
            problems.append(Problem("id_amount_requested", _("Amount requested"), refusal.message))
    return problems
