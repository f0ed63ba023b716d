"""Answers to a call's application form: read from a form post, checked, totalled
and fingerprinted (issue 22). The questions come from ``tenders.application_form``.

A draft keeps whatever was typed (within the size limits below), so that nothing
is lost to a mistake; every rule is checked when the applicant submits, and each
mistake is shown beside its question. Values are kept as typed: text, a list of
choices, or budget lines of [item, quantity, unit cost].
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenders.application_form import Question

MAX_TEXT = 20_000  # characters in one answer
MAX_LINE_TEXT = 300  # characters in a budget line's item
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")
YES_NO = ("yes", "no")


def _text(data, name: str) -> str:
    return (data.get(name) or "").replace("\r\n", "\n").strip()[:MAX_TEXT]


def answer_from_post(question: Question, data):
    """What the applicant typed for ``question`` in a form post (a QueryDict)."""
    name = question.field_name
    if question.kind == "multiple_choice":
        return [c for c in data.getlist(name) if c in question.choices]
    if question.kind == "budget":
        lines = []
        for n in range(question.max_lines):
            line = [
                _text(data, f"{name}-item-{n}")[:MAX_LINE_TEXT],
                _text(data, f"{name}-quantity-{n}")[:30],
                _text(data, f"{name}-cost-{n}")[:30],
            ]
            if any(line):
                lines.append(line)
        return lines
    return _text(data, name)


def answers_from_post(questions: list[Question], data) -> dict:
    return {q.id: answer_from_post(q, data) for q in questions}


def is_empty(value) -> bool:
    return value in ("", None, []) or value == [["", "", ""]]


def _decimal(text) -> Decimal | None:
    try:
        value = Decimal(str(text).replace(",", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def word_count(text: str) -> int:
    return len(str(text).split())


@dataclass
class Budget:
    lines: list  # (item, quantity, unit cost, line total or None)
    total: Decimal


def budget_of(value) -> Budget:
    lines, total = [], Decimal(0)
    for item, quantity, cost in value or []:
        q, c = _decimal(quantity), _decimal(cost)
        line_total = q * c if q is not None and c is not None else None
        if line_total is not None:
            total += line_total
        lines.append((item, quantity, cost, line_total))
    return Budget(lines=lines, total=total)


def answer_error(question: Question, value, *, call) -> str | None:
    """Why ``value`` cannot be submitted as the answer to ``question``, or None."""
    if is_empty(value):
        return _("Answer this question.") if question.required else None
    kind = question.kind
    if kind == "long_answer" and question.word_limit:
        words = word_count(value)
        if words > question.word_limit:
            return ngettext(
                "%(count)s word: the limit is %(limit)s.",
                "%(count)s words: the limit is %(limit)s.",
                words,
            ) % {"count": words, "limit": question.word_limit}
    if kind == "number" and _decimal(value) is None:
        return _("Give a number, for example 12 or 3.5.")
    if kind == "amount":
        amount = _decimal(value)
        if amount is None or amount < 0:
            return _("Give an amount in %(currency)s, for example 250000.") % {
                "currency": call.currency
            }
    if kind == "single_choice" and value not in question.choices:
        return _("Choose one of the answers.")
    if kind in ("yes_no", "eligibility") and value not in YES_NO:
        return _("Answer yes or no.")
    if kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return _("Give a date as year-month-day, for example 2026-03-31.")
    if kind == "email":
        try:
            validate_email(value)
        except ValidationError:
            return _("Give an email address, for example name@example.org.")
    if kind == "phone" and not PHONE.match(value):
        return _("Give a phone number, for example +254 712 345 678.")
    if kind == "budget":
        return _budget_error(value, call=call)
    return None


def _budget_error(value, *, call) -> str | None:
    for n, (item, quantity, cost) in enumerate(value, 1):
        q, c = _decimal(quantity), _decimal(cost)
        if not item or q is None or q <= 0 or c is None or c < 0:
            return _(
                "Line %(n)s: give the item, a quantity above 0 and a unit cost in %(currency)s."
            ) % {"n": n, "currency": call.currency}
    total = budget_of(value).total
    if call.budget_ceiling and total > call.budget_ceiling:
        return _(
            "The budget's total, %(total)s %(currency)s, is above this call's ceiling of "
            "%(ceiling)s %(currency)s."
        ) % {
            "total": f"{total:,.2f}",
            "ceiling": f"{call.budget_ceiling:,.2f}",
            "currency": call.currency,
        }
    return None


def rules_stamp(call, question=None) -> str:
    """A short stamp of what the checks of ``question`` (or of the amounts, without one)
    depend on: its rules, and the call's currency and ceiling. A sealed item's check
    result holds only while the stamp it was judged under is the call's."""
    rules = [str(call.budget_ceiling or ""), call.currency, call.kind]
    if question is not None:
        rules += [question.kind, question.required, question.word_limit, question.choices]
        rules += [question.required_answer, question.max_lines]
    plain = json.dumps(rules, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(plain).hexdigest()[:16]


def answer_errors(questions: list[Question], answers: dict, *, call) -> dict[str, str]:
    """Every mistake at once: {question id: what to fix}."""
    errors = {}
    for question in questions:
        error = answer_error(question, answers.get(question.id, ""), call=call)
        if error:
            errors[question.id] = error
    return errors


def eligibility_flags(questions: list[Question], answers: dict) -> list[Question]:
    """The eligibility questions answered otherwise than an eligible applicant would."""
    return [
        q
        for q in questions
        if q.kind == "eligibility"
        and answers.get(q.id) in YES_NO
        and answers.get(q.id) != q.required_answer
    ]


def canonical_answers(answers: dict) -> bytes:
    """The answers in one canonical form: a JSON list of [question id, answer] pairs,
    sorted by question id, without the empty ones, UTF-8, no spaces."""
    pairs = [[qid, answers[qid]] for qid in sorted(answers) if not is_empty(answers[qid])]
    return json.dumps(pairs, ensure_ascii=False, separators=(",", ":")).encode()


def answers_fingerprint(answers: dict) -> str:
    return hashlib.sha256(canonical_answers(answers)).hexdigest()


@dataclass
class ShownQuestion:
    """A question as the bid page shows it: with the answer, its mistake, and for a
    long answer its words, for a budget its lines (with room for more) and total."""

    question: Question
    value: object
    error: str | None = None
    words: int = 0
    lines: list | None = None
    total: Decimal | None = None
    # Saved sealed, and this device has no key to show it (issue 23).
    unread: bool = False

    @property
    def chosen(self) -> list:
        return self.value if isinstance(self.value, list) else [self.value]


def shown_sections(
    sections, answers: dict, errors: dict, hidden=frozenset(), unread=frozenset()
) -> list[tuple]:
    """[(section, [ShownQuestion, ...]), ...] for the bid page; ``hidden`` questions
    (and sections left with none) are left out; ``unread`` ones are saved sealed and
    not shown on this device."""
    shown = []
    for section in sections:
        rows = []
        for q in section.questions:
            if q.id in hidden:
                continue
            value = answers.get(q.id, [] if q.kind in ("multiple_choice", "budget") else "")
            row = ShownQuestion(
                question=q, value=value, error=errors.get(q.id), unread=q.id in unread
            )
            if q.kind == "long_answer":
                row.words = word_count(value)
            if q.kind == "budget":
                budget = budget_of(value if isinstance(value, list) else [])
                lines = [list(line) for line in budget.lines]
                room = min(q.max_lines, max(len(lines) + 2, 3))
                lines += [["", "", "", None]] * (room - len(lines))
                row.lines, row.total = list(enumerate(lines)), budget.total
            rows.append(row)
        if rows or not section.questions:
            shown.append((section, rows))
    return shown
