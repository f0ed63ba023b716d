"""The answers to a call's application form on a submission: reading them, writing
the ones that changed, promoting changes at Resubmit, and what keeps a Submit from
going through (issue 22). ``applications.services.submissions`` calls these inside its
save; the rules for one answer are in ``applications.answers``.

On a call with a key the answers are sealed as they are stored (issue 23,
``applications.sealed_answers``): the applicant reads them back with their own key
(``own_key``, from their browser), and an answer that the key given cannot read is kept
as it is when its field comes back empty."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.answers import answer_error, answers_fingerprint, is_empty, rules_stamp
from applications.models import Answer
from applications.sealed_answers import answer_seal, own_copy_open
from applications.sealing import SealBroken
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


@dataclass
class StoredAnswers:
    """A bid's answers as one reader finds them: ``values`` by question id, those they
    can read; ``unread``, the sealed rows they cannot (on another device), by question
    id (each with what the checks said when it was saved, and under which rules)."""

    values: dict = field(default_factory=dict)
    unread: dict = field(default_factory=dict)


_UNREAD = object()


def _readable(row, own_key):
    """``row``'s answer, or ``_UNREAD`` when it is sealed and ``own_key`` cannot read it."""
    if not row.is_sealed:
        return row.value
    try:
        return own_copy_open(row, own_key).value
    except SealBroken:
        return _UNREAD


def answers_read(submission, *, pending: bool = True, own_key: bytes | None = None):
    """The submission's answers; with ``pending``, changes waiting for Resubmit take the
    place of the submitted answers."""
    stored = StoredAnswers()
    for row in sorted(submission.answers.all(), key=lambda a: a.pending):
        if row.pending and not pending:
            continue
        value = _readable(row, own_key)
        stored.values.pop(row.question_id, None)
        stored.unread.pop(row.question_id, None)
        if value is _UNREAD:
            stored.unread[row.question_id] = row
        else:
            stored.values[row.question_id] = value
    return stored


def answers_of(submission, *, pending: bool = True, own_key: bytes | None = None) -> dict:
    """The answers the reader can read, by question id (every one, once opened)."""
    return answers_read(submission, pending=pending, own_key=own_key).values


def answers_submit_problems(
    submission, questions, answers, *, staged_ids, own_key: bytes | None = None
) -> tuple[dict, list]:
    """What keeps a Submit on a call with a form from going through: the answers'
    mistakes ({question id: what to fix}, over the stored answers with ``answers``
    on top) and the required documents neither stored nor among ``staged_ids``. A
    sealed answer this device cannot read, left empty in the post, is judged by what
    the checks said when it was saved."""
    call = submission.call
    stored = answers_read(submission, own_key=own_key)
    posted = answers or {}
    kept = {qid for qid in stored.unread if is_empty(posted.get(qid, ""))}
    merged = {**stored.values, **{k: v for k, v in posted.items() if k not in kept}}
    errors = {}
    for question in questions:
        if question.id in kept:
            error = _kept_error(stored.unread[question.id], question, call)
        else:
            error = answer_error(question, merged.get(question.id, ""), call=call)
        if error:
            errors[question.id] = error
    have = {f.requirement_id for f in submission.files.all()} | staged_ids
    missing = [
        r for r in rows_with_text(call, "required_documents") if r.is_required and r.pk not in have
    ]
    return errors, missing


def _kept_error(row, question, call) -> str | None:
    """What the checks said of a sealed answer this device cannot read, if the rules it
    was judged under still hold."""
    if row.judged != rules_stamp(call, question):
        return _(
            "The rules for this question changed after your answer was saved in another "
            "browser: answer it again here so that it can be checked."
        )
    return row.problem or None


@dataclass
class Sealing:
    """How answers are stored on a keyed call: sealed to ``call_key``, the applicant's
    copy under ``own_key``; ``questions`` by id, to record what the checks said."""

    call_key: object
    own_key: bytes | None
    questions: dict
    call: object


def answers_store(
    submission, answers: dict, *, pending: bool, own_key=None, sealing: Sealing | None = None
) -> bool:
    """Write the answers that changed. A draft's answers change in place (an emptied
    one goes); a submitted bid's changes wait as pending rows for Resubmit. An empty
    field for a sealed answer this device cannot read keeps that answer."""
    rows = {(a.question_id, a.pending): a for a in submission.answers.all()}
    changed = False
    for qid, value in answers.items():
        row = rows.get((qid, pending))
        submitted = rows.get((qid, False))
        live = row or (submitted if pending else None)
        if live is not None and value in ("", []) and _readable(live, own_key) is _UNREAD:
            continue
        if pending:
            was = _readable(submitted, own_key) if submitted else ""
            if value == was or (submitted is None and value in ("", [])):
                if row is not None:  # back to what was submitted: nothing waits
                    row.delete()
                    changed = True
                continue
        elif value in ("", []):
            if row is not None:
                row.delete()
                changed = True
            continue
        if row is not None and _readable(row, own_key) == value:
            continue
        row = row or Answer(submission=submission, question_id=qid, pending=pending)
        answer_write(row, value, sealing)
        changed = True
    return changed


def answer_write(row, value, sealing: Sealing | None) -> None:
    if sealing is None or value in ("", []):  # an emptied answer waiting: nothing to seal
        row.value, row.sealed, row.own_copy, row.digest, row.call_key = value, None, None, "", None
        row.problem, row.judged = "", ""
    else:
        sealed = answer_seal(
            value,
            submission_id=row.submission_id,
            question_id=row.question_id,
            call_public_key=sealing.call_key.public_key,
            own_key=sealing.own_key,
        )
        question = sealing.questions.get(row.question_id)
        problem = question and answer_error(question, value, call=sealing.call)
        row.value, row.sealed, row.own_copy = None, sealed.sealed, sealed.own_copy
        row.digest, row.call_key = sealed.digest, sealing.call_key
        row.problem = (problem or "")[:300]
        row.judged = rules_stamp(sealing.call, question) if question else ""
    row.save()


def answers_fingerprint_of(submission, known: set) -> str:
    """The receipt's fingerprint of the submitted answers to the questions ``known``:
    SHA-256 of their canonical form, or, for sealed answers, of their digests in the
    same form (``applications.sealed_answers``)."""
    rows = [a for a in submission.answers.all() if not a.pending and a.question_id in known]
    if any(row.digest for row in rows):
        return answers_fingerprint({row.question_id: row.digest for row in rows})
    return answers_fingerprint({row.question_id: row.value for row in rows})


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
