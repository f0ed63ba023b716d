"""What the scoring sheet tests share: an opened call scored by a panel of three,
and reading a built sheet back from storage to check it against the ranking.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
from django.utils import timezone

from accounts.models import Profile
from applications.models import Submission
from applications.services.amounts import Amounts
from core.storage import private_storage
from reviews.models import Assignment, Panel, Score
from reviews.ranking import call_ranking, shown
from reviews.services.outcomes import financial_open
from reviews.services.panels import conflict_declare, panel_hand_over, panel_lock, review_save
from tenders.models import CallPage
from tests.factories import StaffFactory, UserFactory, make_call, submit_bid
from tests.reviews.compliance_support import examined
from tests.sealing_support import open_call

CRITERIA = [("Methodology", 40), ("Experience", 35), ("Gender approach", 25)]
HALF = Decimal("0.5")


def points_for(max_points: int, bid: int, reviewer: int) -> Decimal:
    """Bids from weaker to stronger; reviewer 3 marks bid 2 far lower (a wide disagreement)."""
    fraction = Decimal("0.65") + Decimal("0.035") * bid + Decimal("0.03") * reviewer
    if bid == 1 and reviewer == 2:
        fraction = Decimal("0.2")
    raw = Decimal(max_points) * min(fraction, Decimal(1))
    return (raw / HALF).quantize(Decimal(1)) * HALF


def evaluation_builder(site_root):
    """``build(n=3, blind=False, open_financial=False, comment_prefix="")``: a closed,
    opened consultancy call with ``n`` bids and a panel of three who have scored them
    all (the first member chairs); optionally locked and prices opened."""

    def build(*, n=3, blind=False, open_financial=False, comment_prefix="", **call_fields):
        call = make_call(site_root["calls"], criteria=CRITERIA, blind_review=blind, **call_fields)
        bids, applicants = [], []
        for i in range(n):
            applicant = UserFactory(
                email=f"bidder{i}-{call.pk}@firms.example",
                first_name=f"Zawadi{i}",
                last_name=f"Mwangaza{call.pk}",
            )
            Profile.objects.create(
                user=applicant, legal_name=f"Haki Consultants No {i} of {call.pk}"
            )
            # The price as the bidder gives it: sealed to the call's key until the opening.
            bid = submit_bid(
                call,
                applicant,
                amounts=Amounts(offer_amount=Decimal(100000 + 7500 * i), offer_currency="KES"),
            )
            bids.append(bid)
            applicants.append(applicant)
        CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(hours=1))
        call = CallPage.objects.get(pk=call.pk)
        staff = StaffFactory()
        open_call(call, staff)
        members = [UserFactory(email=f"member{m}-{call.pk}@panel.example") for m in range(3)]
        panel = Panel.objects.create(
            call=call, chair=members[0], review_deadline=timezone.now() + timedelta(days=5)
        )
        panel.members.set(members)
        panel_hand_over(call=call)
        criteria = list(call.criteria.all())
        for r, member in enumerate(members):
            for i, bid in enumerate(bids):
                assignment = Assignment.objects.select_related("submission__call", "panel").get(
                    submission=bid, reviewer=member
                )
                conflict_declare(assignment=assignment, user=member, has_conflict=False)
                review_save(
                    assignment=assignment,
                    user=member,
                    submit=True,
                    scores={
                        c.pk: (
                            points_for(c.max_points, i, r),
                            f"{comment_prefix}Reviewer {r} on {c.title} of bid {i}",
                        )
                        for c in criteria
                    },
                )
        if open_financial:
            panel = panel_lock(panel=examined(panel), user=staff)
            financial_open(panel=panel, user=staff)
        return {
            "call": CallPage.objects.get(pk=call.pk),
            "bids": bids,
            "applicants": applicants,
            "panel": panel,
            "chair": members[0],
            "members": members,
            "staff": staff,
        }

    return build


# --- Reading a sheet back ----------------------------------------------------


def read_files(sheet):
    """The sheet's workbook (as lists of row values per sheet) and CSV rows, from storage."""
    sheet.refresh_from_db()
    storage = private_storage()
    with storage.open(sheet.xlsx_object, "rb") as f:
        workbook = openpyxl.load_workbook(io.BytesIO(f.read()), read_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook}
    workbook.close()
    with storage.open(sheet.csv_object, "rb") as f:
        text = f.read().decode("utf-8-sig")
    return sheets, list(csv.reader(io.StringIO(text)))


def number(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def summary_records(table) -> list[dict]:
    """Summary rows as dicts keyed by header (row 1 is the title, row 2 the header)."""
    header = table[1]
    return [dict(zip(header, row, strict=False)) for row in table[2:]]


def assert_matches_the_ranking(ev, sheets, csv_rows, *, names: bool):
    call = ev["call"]
    criteria = list(call.criteria.all())
    rows = call_ranking(call)
    summary = summary_records(sheets["Summary"])
    assert [r["Bid"] for r in summary] == [row.entry.label for row in rows]
    header = sheets["Summary"][1]
    assert csv_rows[0] == [str(h) for h in header]
    assert len(csv_rows) == len(rows) + 1
    for row, cells, line in zip(rows, summary, csv_rows[1:], strict=True):
        by_header = dict(zip(csv_rows[0], line, strict=True))
        expected = {
            "Rank": row.rank,
            "Tied": "yes" if row.tied else None,
            "Technical score (/100)": shown(row.technical),
            "Reviews": row.reviews_in,
            "Qualifies (minimum 70.00)": "yes" if row.qualifies else "no",
            "Wide disagreement": "yes" if row.disagreement else None,
            "Financial offer (KES)": row.entry.offer,
            "Financial score": shown(row.financial_score),
            "Combined score": shown(row.combined),
        }
        for criterion in criteria:
            title = f"{criterion.title} (/{criterion.max_points})"
            expected[title] = shown(row.criterion_means[criterion.pk])
        for title, value in expected.items():
            if isinstance(value, Decimal | int) and not isinstance(value, bool):
                assert number(cells[title]) == value, (row.entry.label, title)
                assert number(by_header[title]) == value, (row.entry.label, title)
            else:
                assert cells[title] == value, (row.entry.label, title)
                assert by_header[title] == (value or ""), (row.entry.label, title)
        if names:
            assert cells["Applicant"] == by_header["Applicant"] == row.entry.name
        else:
            assert "Applicant" not in cells and "Applicant" not in by_header


def assert_reviewer_sheets_hold_every_score(ev, sheets, *, names: bool):
    criteria = list(ev["call"].criteria.all())
    labels = {bid.pk: str(Submission.objects.get(pk=bid.pk).label) for bid in ev["bids"]}
    for member in ev["members"]:
        table = next(t for t in sheets.values() if t[0][0] == member.get_full_name())
        header, body = table[1], table[2:]
        assert ("Applicant" in header) is names
        assert len(body) == len(ev["bids"])
        by_label = {line[0]: dict(zip(header, line, strict=False)) for line in body}
        for bid in ev["bids"]:
            cells = by_label[labels[bid.pk]]
            total = Decimal(0)
            for criterion in criteria:
                score = Score.objects.get(
                    review__assignment__reviewer=member,
                    review__assignment__submission=bid,
                    criterion=criterion,
                )
                title = f"{criterion.title} (/{criterion.max_points})"
                assert number(cells[title]) == score.points
                assert cells[f"{criterion.title}: comment"] == score.comment
                total += score.points
            assert number(cells["Total (/100)"]) == total


def every_cell_text(sheets, csv_rows) -> str:
    cells = [v for table in sheets.values() for line in table for v in line if v is not None]
    cells += [v for line in csv_rows for v in line]
    return "\n".join(str(v) for v in cells).lower()
