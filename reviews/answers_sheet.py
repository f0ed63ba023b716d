"""The scoring workbook's "Answers" sheet (issue 22): one row per received bid, in
the ranking's order, one column per question of the call's application form.
Under blind review the questions that identify the applicant are left out, and
so is the applicant's name. Answers are read in one query, whatever the number
of bids; a change waiting for Resubmit is never in it."""

from collections import defaultdict

from django.utils.translation import gettext as _

from applications.answers import budget_of
from applications.models import Answer
from tenders.application_form import form_questions


def answer_text(question, value) -> str:
    """An answer as one cell's text."""
    if type(value) is str:  # most answers: short and long answers, choices, dates
        return value
    if value in (None, []):
        return ""
    if question.kind == "multiple_choice":
        return "; ".join(value)
    if question.kind == "budget":
        budget = budget_of(value)
        lines = [f"{item}: {quantity} × {cost}" for item, quantity, cost, _t in budget.lines]
        return "; ".join(lines) + "; " + _("total %(total)s") % {"total": f"{budget.total:,.2f}"}
    return str(value)


def answers_table(call, rows, *, blind: bool):
    """The answers as a header and one list of cell texts per bid of ``rows`` (the
    ranking's order), read in one query; None when the call has no form (or, under
    blind review, no question a blind reader may see)."""
    questions = [q for q in form_questions(call) if not (blind and q.identifies_applicant)]
    if not questions:
        return None
    answers = defaultdict(dict)
    for submission_id, question_id, value in Answer.objects.filter(
        submission__call=call, pending=False
    ).values_list("submission_id", "question_id", "value"):
        answers[submission_id][question_id] = value
    header = [_("Bid")] + ([] if blind else [_("Applicant")]) + [q.label for q in questions]
    body = []
    for row in rows:
        given = answers.get(row.entry.id, {})
        values = [row.entry.label] + ([] if blind else [row.entry.name])
        values += [answer_text(q, given.get(q.id)) for q in questions]
        body.append(values)
    return header, body


def write_answers_sheet(workbook, table, *, cells, bold) -> None:
    """Add the "Answers" sheet holding ``table`` (from ``answers_table``)."""
    header, body = table
    sheet = workbook.create_sheet(_("Answers"))
    sheet.append(bold(sheet, header))
    for values in body:
        sheet.append(cells(sheet, values))


def answers_by_bid(call, rows, *, names: bool) -> list[dict]:
    """The evaluation report's answers: for each bid of ``rows`` (the ranking's order),
    [(question, answer)], in one query; without ``names``, the identifying questions
    are left out. Empty when the call has no form."""
    questions = [q for q in form_questions(call) if names or not q.identifies_applicant]
    if not questions:
        return []
    given = defaultdict(dict)
    for submission_id, question_id, value in Answer.objects.filter(
        submission__call=call, pending=False
    ).values_list("submission_id", "question_id", "value"):
        given[submission_id][question_id] = value
    return [
        {
            "bid": row.entry.label,
            "answers": [
                (q.label, answer_text(q, given[row.entry.id].get(q.id))) for q in questions
            ],
        }
        for row in rows
    ]
