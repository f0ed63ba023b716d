"""The answers to a call's application form on a submission: reading them, writing
the ones that changed, promoting changes at Resubmit, and what keeps a Submit from
going through (issue 22). ``applications.services.submissions`` calls these inside
its save; the rules for one answer are in ``applications.answers``."""

from django.utils.translation import ngettext

from applications.answers import answer_errors
from applications.models import Answer
from core.errors import Refused
from core.page_text import rows_with_text


class AnswersIncomplete(Refused):
    """Submit was pressed on a call with an application form, with answers that cannot
    be submitted or required documents missing. Everything sent was saved (on a
    draft, or waiting for Resubmit); nothing was submitted. ``errors`` maps each
    question's id to what to fix; ``missing`` lists the required documents;
    ``amount`` says what is wrong with the price or the amount requested."""

    def __init__(self, errors: dict, missing: list | None = None, amount: str = ""):
        self.errors = errors
        self.missing = missing or []
        self.amount = amount
        count = len(errors) + len(self.missing) + bool(amount)
        super().__init__(
            ngettext(
                "Your answers are saved, but %(count)s needs attention before you can "
                "submit (see below). Nothing was submitted.",
                "Your answers are saved, but %(count)s need attention before you can "
                "submit (see below). Nothing was submitted.",
                count,
            )
            % {"count": count}
        )


def answers_of(submission, *, pending: bool = True) -> dict:
    """The submission's answers by question id; with ``pending``, changes waiting for
    Resubmit take the place of the submitted answers."""
    answers = {}
    for answer in sorted(submission.answers.all(), key=lambda a: a.pending):
        if pending or not answer.pending:
            answers[answer.question_id] = answer.value
    return answers


def answers_submit_problems(submission, questions, answers, *, staged_ids) -> tuple[dict, list]:
    """What keeps a Submit on a call with a form from going through: the answers'
    mistakes ({question id: what to fix}, over the stored answers with ``answers``
    on top) and the required documents neither stored nor among ``staged_ids``."""
    call = submission.call
    errors = answer_errors(questions, {**answers_of(submission), **(answers or {})}, call=call)
    have = {f.requirement_id for f in submission.files.all()} | staged_ids
    missing = [
        r for r in rows_with_text(call, "required_documents") if r.is_required and r.pk not in have
    ]
    return errors, missing


def answers_store(submission, answers: dict, *, pending: bool) -> bool:
    """Write the answers that changed. A draft's answers change in place (an emptied
    one goes); a submitted bid's changes wait as pending rows for Resubmit."""
    rows = {(a.question_id, a.pending): a for a in submission.answers.all()}
    changed = False
    for qid, value in answers.items():
        row = rows.get((qid, pending))
        if pending:
            submitted = rows.get((qid, False))
            if value == (submitted.value if submitted else "") or (
                submitted is None and value in ("", [])
            ):
                if row is not None:  # back to what was submitted: nothing waits
                    row.delete()
                    changed = True
                continue
        elif value in ("", []):
            if row is not None:
                row.delete()
                changed = True
            continue
        if row is None:
            Answer.objects.create(
                submission=submission, question_id=qid, value=value, pending=pending
            )
            changed = True
        elif row.value != value:
            row.value = value
            row.save(update_fields=["value", "saved_at"])
            changed = True
    return changed


def answers_promote(submission) -> bool:
    """Resubmit: answers waiting as pending replace the submitted ones."""
    rows = list(submission.answers.all())
    waiting = [a for a in rows if a.pending]
    for new in waiting:
        Answer.objects.filter(
            submission=submission, question_id=new.question_id, pending=False
        ).delete()
        if new.value in ("", []):
            new.delete()
        else:
            new.pending = False
            new.save(update_fields=["pending"])
    return bool(waiting)
