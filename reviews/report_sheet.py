"""The evaluation report as the scoring workbook's last sheet (reviews.report)."""

from django.utils.translation import gettext as _

from reviews.models import ReportSignOff
from reviews.ranking import shown
from reviews.report import report_content


def write_report_sheet(workbook, panel, rows, *, blind: bool, cells, bold) -> None:
    """Method, weights and tie rule; the ranking with St, Sf and S; the decisions with
    their reasons; declarations and recusals; the registers; the sign-off.

    ``cells`` and ``bold`` turn values into safe cells (reviews.workbook): text is
    never read as a formula.
    """
    content = report_content(panel, names=not blind, rows=rows, scores=False, answers=False)
    call = content["call"]
    sheet = workbook.create_sheet(_("Report"))
    for column, width in zip("ABCDEFGH", (12, 28, 12, 16, 12, 12, 18, 60), strict=True):
        sheet.column_dimensions[column].width = width
    append = sheet.append
    append(bold(sheet, [_("Evaluation report"), f"{call.reference_code} · {call.title}"]))
    append(cells(sheet, [_("Method"), str(call.get_selection_method_display())]))
    append(cells(sheet, [_("Weights"), f"{call.technical_weight} / {call.financial_weight}"]))
    append(cells(sheet, [_("Minimum technical score"), shown(call.minimum_technical_score)]))
    append(cells(sheet, [_("Ties"), content["tie_rule"]]))
    for criterion in content["criteria"]:
        append(cells(sheet, [_("Criterion"), criterion.title, criterion.max_points]))
    append([])
    header = [_("Rank"), _("Bid"), "St", _("Price"), "Sf", "S", _("Outcome"), _("Notes")]
    append(bold(sheet, header))
    for row in content["rows"]:
        name = "" if blind else f" · {row.entry.name}"
        notes = "; ".join(filter(None, [row.excluded, *row.notes]))
        append(
            cells(
                sheet,
                [
                    row.rank,
                    row.entry.label + name,
                    shown(row.technical),
                    row.entry.offer,
                    shown(row.financial_score),
                    shown(row.combined),
                    str(row.entry.outcome_label),
                    notes,
                ],
            )
        )
    append([])
    append(bold(sheet, [_("When"), _("Who"), _("Bid"), _("What"), _("Detail")]))
    for d in content["decisions"]:
        append(
            cells(
                sheet,
                [
                    d["at"].strftime("%Y-%m-%d %H:%M:%S"),
                    d["who"],
                    d["bid"],
                    str(d["what"]),
                    d["detail"],
                ],
            )
        )
    append([])
    append(bold(sheet, [_("Reviewer"), _("Declared"), _("Recused"), _("Explanation")]))
    for block in content["reviewers"]:
        declared = block.declared_at.strftime("%Y-%m-%d %H:%M") if block.declared_at else ""
        append(
            cells(
                sheet,
                [
                    block.name,
                    declared,
                    _("yes") if block.recused else _("no"),
                    block.explanation.strip(),
                ],
            )
        )
    append([])
    for label, register in (
        (_("Opening register"), content["opening_register"]),
        (_("Financial opening register"), content["financial_register"]),
    ):
        append(cells(sheet, [label, register.digest if register else _("not written")]))
    sign_off = ReportSignOff.objects.filter(panel=panel).select_related("signed_by").first()
    append(
        cells(
            sheet,
            [
                _("Signed off"),
                f"{sign_off.signed_by.get_full_name()} · {sign_off.signed_at:%Y-%m-%d %H:%M}"
                if sign_off
                else _("not yet"),
                sign_off.digest if sign_off else "",
            ],
        )
    )
