"""The scoring sheet: a call's ranking and every reviewer's scores, as XLSX and CSV.

``sheet_build`` is the builder (the request is in ``reviews.services.sheets``,
the task's body in ``reviews.services.sheet_build``). It reads the ranking
through ``call_ranking`` (a fixed number of queries), the reviewers' names in
one more query and every comment in another (the points are the ranking's),
so its query count does not grow with the number of submissions. The workbook
is written in openpyxl's write-only mode, the comments are streamed bid by bid,
and both files pass through temporary files on disk, so memory does not grow
with the sheet beyond the ranking itself.
"""

import csv
import io
import logging
import re
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from applications.choices import RECEIVED, SubmissionStatus
from core.storage import STORAGE_ERRORS, delete_quietly, private_storage
from reviews.answers_sheet import answers_table, write_answers_sheet
from reviews.choices import ReviewStatus
from reviews.models import Panel, Score, ScoringSheet
from reviews.ranking import Row, call_ranking, shown
from reviews.report_sheet import write_report_sheet
from tenders.choices import CallKind, SelectionMethod

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
KINDS = {"xlsx": XLSX_TYPE, "csv": CSV_TYPE, "answers-csv": CSV_TYPE}

# Progress, in percent: loading the data, writing rows, storing the files.
LOADED, WRITTEN, STORED, STEP = 10, 90, 95, 5


def delete_objects_quietly(*names: str) -> None:
    delete_quietly(names, what="sheet object")


# --- The builder -------------------------------------------------------------


def sheet_build(
    sheet: ScoringSheet, *, progress: Callable[[int], None] | None = None
) -> dict[str, str]:
    """Write ``sheet``'s workbook and CSVs into private storage; return their object
    names by kind (``xlsx``, ``csv``, and ``answers-csv`` on a call with a form).

    ``progress`` is called with 10, 15, … 90 and 95, each once, whatever the
    number of submissions.
    """
    progress = progress or (lambda percent: None)
    call = sheet.call
    criteria = list(call.criteria.all())
    rows = call_ranking(call)
    progress(LOADED)
    columns = summary_columns(call, criteria, blind=sheet.blind)
    ticker = _Ticker(progress, total=len(rows) + sum(len(r.entry.scores) for r in rows))
    answers = answers_table(call, rows, blind=sheet.blind)
    with tempfile.TemporaryFile() as xlsx_file, tempfile.TemporaryFile() as csv_file:
        workbook = Workbook(write_only=True)
        workbook.properties.creator = settings.ORGANISATION_NAME
        workbook.properties.title = f"{call.reference_code} scoring sheet"
        _write_summary(workbook, csv_file, call, rows, columns, ticker, blind=sheet.blind)
        _write_reviewer_sheets(workbook, call, criteria, rows, ticker, blind=sheet.blind)
        if answers is not None:
            write_answers_sheet(workbook, answers, cells=_cells, bold=_bold)
        panel = Panel.objects.filter(call=call).select_related("call").first()
        if panel is not None:
            write_report_sheet(workbook, panel, rows, blind=sheet.blind, cells=_cells, bold=_bold)
        workbook.save(xlsx_file)
        ticker.finish()
        stored = {}
        try:
            stored["xlsx"] = _store(xlsx_file, call.pk, "xlsx")
            stored["csv"] = _store(csv_file, call.pk, "csv")
            if answers is not None:
                with tempfile.TemporaryFile() as answers_file:
                    _write_csv(answers_file, *answers)
                    stored["answers-csv"] = _store(answers_file, call.pk, "csv")
        except STORAGE_ERRORS:
            delete_objects_quietly(*stored.values())
            raise
    progress(STORED)
    return stored


def _write_csv(file, header: list, body: Iterable[list]) -> None:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([_csv_value(v) for v in header])
    for values in body:
        writer.writerow([_csv_value(v) for v in values])
    text.flush()
    text.detach()


def _store(file, call_id: int, extension: str) -> str:
    """Save under a UUID name: nothing about the call's bids leaks into storage."""
    file.seek(0)
    return private_storage().save(f"sheets/{call_id}/{uuid.uuid4().hex}.{extension}", File(file))


class _Ticker:
    """Reports each 5 % milestone between LOADED and WRITTEN exactly once, as rows are written.

    Each milestone once, even for a sheet of two rows, keeps the number of
    progress writes (so the build's query count) the same for every size.
    """

    def __init__(self, report: Callable[[int], None], *, total: int):
        self.report, self.total, self.done = report, max(total, 1), 0
        self.next = LOADED + STEP

    def advance(self) -> None:
        self.done += 1
        reached = LOADED + (WRITTEN - LOADED) * min(self.done, self.total) // self.total
        while self.next <= reached:
            self.report(self.next)
            self.next += STEP

    def finish(self) -> None:
        while self.next <= WRITTEN:
            self.report(self.next)
            self.next += STEP


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Row], object]
    width: int = 14


def summary_columns(call, criteria, *, blind: bool) -> list[Column]:
    """The summary's columns for this call: one list for the XLSX and the CSV."""
    yes, no = _("yes"), _("no")
    columns = [
        Column(_("Rank"), lambda r: r.rank, 7),
        Column(_("Tied"), lambda r: yes if r.tied else "", 6),
        Column(_("Bid"), lambda r: r.entry.label, 10),
    ]
    if not blind:
        columns.append(Column(_("Applicant"), lambda r: r.entry.name, 32))
    for criterion in criteria:
        columns.append(
            Column(
                f"{criterion.title} (/{criterion.max_points})",
                lambda r, pk=criterion.pk: shown(r.criterion_means.get(pk)),
            )
        )
    columns += [
        Column(_("Technical score (/100)"), lambda r: shown(r.technical)),
        Column(_("Reviews"), lambda r: r.reviews_in, 9),
        Column(
            _("Qualifies (minimum %(minimum)s)") % {"minimum": call.minimum_technical_score},
            lambda r: yes if r.qualifies else no,
        ),
        Column(_("Wide disagreement"), lambda r: yes if r.disagreement else ""),
    ]
    if call.has_financial_envelope:
        columns.append(
            Column(
                _("Financial offer (%(currency)s)") % {"currency": call.currency},
                lambda r: r.entry.offer,
                16,
            )
        )
    if call.selection_method == SelectionMethod.QCBS:
        columns += [
            Column(_("Financial score"), lambda r: shown(r.financial_score)),
            Column(_("Combined score"), lambda r: shown(r.combined)),
        ]
    if call.selection_method == SelectionMethod.FIXED_BUDGET:
        columns.append(
            Column(
                _("Within budget"),
                lambda r: "" if r.within_budget is None else (yes if r.within_budget else no),
            )
        )
    if call.kind == CallKind.GRANT:
        columns.append(
            Column(
                _("Amount requested (%(currency)s)") % {"currency": call.currency},
                lambda r: r.entry.amount_requested,
                16,
            )
        )
    # Each outcome's label, translated once for the whole sheet rather than once a row.
    outcomes = {status: str(label) for status, label in SubmissionStatus.choices}
    columns.append(
        Column(_("Outcome"), lambda r: outcomes.get(r.entry.outcome, r.entry.outcome), 16)
    )
    return columns


def _write_summary(workbook, csv_file, call, rows, columns, ticker, *, blind):
    sheet = workbook.create_sheet(_("Summary"))
    _set_widths(sheet, [c.width for c in columns])
    sheet.freeze_panes = "D3"
    note = _("Blind review: bids are named by label only.") if blind else ""
    sheet.append(_bold(sheet, [f"{call.reference_code} · {call.title}", note]))
    sheet.append(_bold(sheet, [c.header for c in columns]))
    text = io.TextIOWrapper(csv_file, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([_csv_value(c.header) for c in columns])
    for row in rows:
        values = [c.value(row) for c in columns]
        sheet.append(_cells(sheet, values))
        writer.writerow([_csv_value(v) for v in values])
        ticker.advance()
    text.flush()
    text.detach()


def _reviewers(rows) -> list[tuple]:
    """(id, first name, last name, email) of every reviewer with a score in the ranking,
    in the order of their sheets: by name, as the database orders names."""
    ids = {reviewer_id for row in rows for reviewer_id in row.entry.scores}
    return list(
        get_user_model()
        .objects.filter(pk__in=ids)
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", "first_name", "last_name", "email")
    )


def _comment_lines(call) -> Iterable[tuple]:
    """(bid, reviewer, criterion, comment) for every score of the call's submitted,
    non-recused reviews, in one query, by bid number.

    The points are not read again: the ranking holds every one of these scores
    (``Entry.scores``), and the sheet shows the points the ranking used.
    """
    return (
        Score.objects.filter(
            review__assignment__submission__call=call,
            review__assignment__submission__status__in=RECEIVED,
            review__status=ReviewStatus.SUBMITTED,
            review__assignment__has_conflict=False,
        )
        .order_by("review__assignment__submission__number", "review__assignment__submission_id")
        .values_list(
            "review__assignment__submission_id",
            "review__assignment__reviewer_id",
            "criterion_id",
            "comment",
        )
        .iterator(chunk_size=2000)
    )


def _write_reviewer_sheets(workbook, call, criteria, rows, ticker, *, blind):
    """One sheet per reviewer: a row per bid with each criterion's points and comment.

    The reviewer is named; the applicant only when the sheet is not blind. The
    sheets are filled side by side, bid by bid, in the order of the bids' numbers.
    """
    header = [_("Bid")] + ([] if blind else [_("Applicant")])
    widths = [10] + ([] if blind else [32])
    for criterion in criteria:
        header += [
            f"{criterion.title} (/{criterion.max_points})",
            _("%(criterion)s: comment") % {"criterion": criterion.title},
        ]
        widths += [12, 40]
    header.append(_("Total (/100)"))
    widths.append(12)
    title = f"{call.reference_code} · {call.title}"
    used_titles = {_("Summary").lower()}
    sheets = {}
    for reviewer_id, first, last, email in _reviewers(rows):
        reviewer = f"{first} {last}".strip() or email
        sheet = workbook.create_sheet(_sheet_title(reviewer, used_titles))
        _set_widths(sheet, widths)
        sheet.freeze_panes = "B3"
        sheet.append(_bold(sheet, [reviewer, title]))
        sheet.append(_bold(sheet, header))
        sheets[reviewer_id] = sheet
    # What each bid's rows start with, cleaned once (text that would read as a formula
    # still becomes a text cell on each sheet), and its points by reviewer and criterion.
    leading, unknown = {}, ([""] * (1 if blind else 2), True)
    for row in rows:
        values = [_clean(row.entry.label)] + ([] if blind else [_clean(row.entry.name)])
        leading[row.entry.id] = (values, all(map(_plain, values)))
    scores = {row.entry.id: row.entry.scores for row in rows}
    criterion_ids = [criterion.pk for criterion in criteria]
    advance, zero, no_points = ticker.advance, Decimal(0), {}
    for submission_id, lines in groupby(_comment_lines(call), key=itemgetter(0)):
        comments = defaultdict(dict)  # reviewer id → criterion id → comment
        for _bid, reviewer_id, criterion_id, comment in lines:
            comments[reviewer_id][criterion_id] = comment
        bid_scores = scores.get(submission_id, no_points)
        for reviewer_id, given in comments.items():
            sheet = sheets.get(reviewer_id)
            if sheet is None:  # reviewed after the ranking was read: not in this sheet
                continue
            points = bid_scores.get(reviewer_id, no_points)
            lead, plain = leading.get(submission_id, unknown)
            values = lead.copy() if plain else _cells(sheet, lead)
            for criterion_id in criterion_ids:
                value, comment = points.get(criterion_id), given.get(criterion_id, "")
                values += (
                    None if value is None else float(value),
                    _text(sheet, comment) if comment else "",
                )
            values.append(float(sum(points.values(), zero)))
            sheet.append(values)
            advance()


# --- Cells -------------------------------------------------------------------

_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Text a spreadsheet would run as a formula (or read as a command) when
# opening a CSV: such text is prefixed with an apostrophe, as OWASP advises.
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ERROR_CODES = frozenset(ERROR_CODES)
_has_illegal = ILLEGAL_CHARACTERS_RE.search
_BOLD = Font(bold=True)


def _sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique worksheet title: at most 31 characters, none of []:*?/\\."""
    base = _SHEET_TITLE_FORBIDDEN.sub(" ", name).strip().strip("'")[:31] or _("Reviewer")
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _clean(text: str) -> str:
    """Text without the control characters a workbook cannot hold.

    Most text is printable throughout, which ``isprintable`` tells far sooner than
    the pattern: such text holds no control character at all.
    """
    if text.isprintable() or not _has_illegal(text):
        return text
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _plain(text: str) -> bool:
    """Clean text that a spreadsheet reads as text by itself (not as a formula or error)."""
    return not (text.startswith("=") or text in _ERROR_CODES)


def _text(sheet, value: str):
    """Text as a cell value: cleaned, and kept as text where it would read as a formula
    or an error code."""
    if not value.isprintable():  # _clean and _plain, inlined: this runs for every comment
        value = _clean(value)
    if not (value.startswith("=") or value in _ERROR_CODES):
        return value
    cell = WriteOnlyCell(sheet, value="")
    cell._value, cell.data_type = value, "s"
    return cell


def _cells(sheet, values: list) -> list:
    """Values as cells; text is always text, never a formula or an error code.

    A Decimal is handed over as its float: openpyxl writes a number as
    ``"%.16g" % value``, which formats a Decimal through its float anyway, so the
    workbook's text is the same, and a float is much quicker for it to write.
    """
    return [
        _text(sheet, value)
        if isinstance(value, str)
        else (float(value) if isinstance(value, Decimal) else value)
        for value in values
    ]


def _bold(sheet, values: list) -> list:
    cells = []
    for value in _cells(sheet, values):
        cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)
        cell.font = _BOLD
        cells.append(cell)
    return cells


def _set_widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return str(value)
    text = _clean(str(value))
    return "'" + text if text.startswith(_CSV_FORMULA_START) else text
