"""Time, memory and queries of assembling a scoring sheet, against raw openpyxl.

    .venv/bin/python bench/bench_sheet.py [--sizes 200,1000] [--reviewers 5] [--criteria 10]

It builds a throwaway site in a temporary folder (SQLite database, var and
private folders), migrates it, and for each size creates a closed, opened
call with that many submitted bids, a panel of ``--reviewers`` who have all
declared no conflict and submitted a review of every bid, with a score and a
comment on each of ``--criteria`` criteria. The rows are bulk-inserted
straight into the tables; only the call goes through Wagtail.

For each call it then measures the sheet builder (``reviews.workbook.
sheet_build``: the ranking, every score and comment, the XLSX in write-only
mode, the CSV, both stored in private storage) and the task's whole body
(``scoring_sheet_build``: claiming the sheet, progress writes, the builder,
finishing, the outbox notice). The baseline, in the same run, writes the very
same cells (read back from the sheet just built) with raw openpyxl in
write-only mode to a temporary file: the cost of the XLSX format alone. A
last line shows ``call_ranking`` alone (the ranking page's own load, which
the builder reuses): most of the builder's memory is the ranking's.

Time is the best of ``--repeat`` runs without tracemalloc; the memory peak
comes from one more run under tracemalloc (Python allocations only);
queries are counted with CaptureQueriesContext. Figures are for this
machine: read the ratios, and that the query count does not grow with the
number of submissions. Not part of the test suite.
"""

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from benchsupport import ROOT, site_database, site_env

sys.path.insert(0, str(ROOT))

MB = 1024 * 1024


def setup_django(tmp: Path) -> None:
    env = site_env(tmp)
    env.update(DEBUG="false", DJANGO_SETTINGS_MODULE="portal.settings")
    site_database(env, tmp)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()


def build_call(index_page, *, bids: int, reviewers: int, criteria: int, seed: int):
    """A closed, opened call with every review submitted, bulk-inserted."""
    from django.utils import timezone

    from accounts.models import Profile, User
    from applications.models import CallOpening, Submission
    from reviews.models import Assignment, Panel, Review, Score
    from tenders.models import CallPage
    from tests.factories import make_call

    rng = random.Random(seed)
    maxima = [10] * criteria
    call = make_call(
        index_page,
        criteria=[(f"Criterion {n + 1}", points) for n, points in enumerate(maxima)],
        minimum_technical_score=Decimal("60"),
    )
    now = timezone.now()
    CallPage.objects.filter(pk=call.pk).update(
        opens_at=now - timedelta(days=30),
        clarifications_close_at=now - timedelta(days=20),
        closes_at=now - timedelta(days=10),
    )
    call = CallPage.objects.get(pk=call.pk)
    tag = f"c{call.pk}"
    applicants = User.objects.bulk_create(
        User(
            email=f"bidder{i}-{tag}@firms.example",
            first_name=f"Bidder{i}",
            last_name="Example",
            password="!",
        )
        for i in range(bids)
    )
    Profile.objects.bulk_create(
        Profile(user=user, legal_name=f"Firm {i} of {tag} Ltd")
        for i, user in enumerate(applicants)
    )
    panel_members = User.objects.bulk_create(
        User(email=f"reviewer{r}-{tag}@panel.example", first_name=f"Reviewer{r}", last_name=tag)
        for r in range(reviewers)
    )
    staff = User.objects.create(email=f"staff-{tag}@zabuni.example", is_staff=True)
    submissions = Submission.objects.bulk_create(
        (
            Submission(
                call=call,
                applicant=user,
                status="submitted",
                number=i + 1,
                reference=f"{call.reference_code}-{i + 1:04d}",
                offer_amount=Decimal(rng.randrange(50_000, 150_000)),
                offer_currency="KES",
                submitted_at=now - timedelta(days=11),
            )
            for i, user in enumerate(applicants)
        ),
        batch_size=1000,
    )
    CallOpening.objects.create(
        call=call, opened_by=staff, opened_at=now, submissions_received=bids
    )
    panel = Panel.objects.create(
        call=call,
        chair=panel_members[0],
        review_deadline=now + timedelta(days=5),
        handed_over_at=now,
    )
    panel.members.set(panel_members)
    assignments = Assignment.objects.bulk_create(
        (
            Assignment(
                panel=panel,
                submission=submission,
                reviewer=member,
                declared_at=now,
                has_conflict=False,
            )
            for submission in submissions
            for member in panel_members
        ),
        batch_size=2000,
    )
    reviews = Review.objects.bulk_create(
        (Review(assignment=a, status="submitted", submitted_at=now) for a in assignments),
        batch_size=2000,
    )
    criterion_ids = list(call.criteria.values_list("pk", flat=True))
    Score.objects.bulk_create(
        (
            Score(
                review=review,
                criterion_id=criterion_id,
                points=Decimal(rng.randrange(0, 21)) / 2,
                comment=(
                    "Clear methodology with a realistic work plan; the team has relevant "
                    f"experience. Remark {rng.randrange(1000)}."
                ),
            )
            for review in reviews
            for criterion_id in criterion_ids
        ),
        batch_size=5000,
    )
    return call, staff


def measure(function, *, repeat: int, prepare=lambda: None):
    """(best seconds over ``repeat`` runs, tracemalloc peak in bytes, queries of one run).

    ``prepare`` makes each run's argument outside the measurement.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best = float("inf")
    queries = None
    for _ in range(repeat):
        argument = prepare()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            function(argument)
            best = min(best, time.perf_counter() - began)
        queries = len(captured)
    argument = prepare()
    tracemalloc.start()
    function(argument)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak, queries


def read_cells(sheet) -> list[tuple[str, list[list]]]:
    """Every sheet's cells, as the builder wrote them."""
    import openpyxl

    from core.storage import private_storage

    with private_storage().open(sheet.xlsx_object, "rb") as f:
        workbook = openpyxl.load_workbook(f, read_only=True)
        tables = [
            (ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in workbook
        ]
        workbook.close()
    return tables


def raw_openpyxl(tables) -> None:
    """The baseline: the same cells with raw openpyxl, write-only, to a temporary file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in tables:
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(row)
    with tempfile.TemporaryFile() as out:
        workbook.save(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200,1000", help="submissions per call")
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--criteria", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="zabuni-bench-sheet-") as folder:
        tmp = Path(folder)
        print(f"Throwaway site in {tmp} (SQLite); migrating...", flush=True)
        setup_django(tmp)
        from applications.models import Submission
        from reviews.models import ScoringSheet
        from reviews.ranking import call_ranking
        from reviews.services.sheet_build import scoring_sheet_build
        from reviews.workbook import sheet_build
        from tests.factories import build_site

        site = build_site()
        results = []
        for n, size in enumerate(sizes):
            began = time.perf_counter()
            call, staff = build_call(
                site["calls"],
                bids=size,
                reviewers=args.reviewers,
                criteria=args.criteria,
                seed=n,
            )
            print(
                f"{size} submissions × {args.reviewers} reviewers × {args.criteria} criteria: "
                f"{size * args.reviewers * args.criteria} scores inserted in "
                f"{time.perf_counter() - began:.1f} s",
                flush=True,
            )

            def fresh_sheet(call=call, staff=staff):
                sheet = ScoringSheet.objects.create(call=call, requested_by=staff, blind=False)
                return ScoringSheet.objects.get(pk=sheet.pk)

            built = fresh_sheet()
            scoring_sheet_build(sheet_id=built.pk)  # warm-up; also the cells for the baseline
            built.refresh_from_db()
            tables = read_cells(built)
            cells = sum(len(row) for _title, rows in tables for row in rows)

            builder = measure(sheet_build, prepare=fresh_sheet, repeat=args.repeat)
            task = measure(
                lambda sheet: scoring_sheet_build(sheet_id=sheet.pk),
                prepare=fresh_sheet,
                repeat=args.repeat,
            )
            raw = measure(raw_openpyxl, prepare=lambda tables=tables: tables, repeat=args.repeat)
            ranking = measure(call_ranking, prepare=lambda call=call: call, repeat=args.repeat)
            assert Submission.objects.filter(call=call).count() == size
            results.append((size, len(tables), cells, builder, task, raw, ranking))

        print()
        print(
            f"{'bids':>5} {'what':<28} {'time s':>8} {'peak MB':>8} {'queries':>8} "
            f"{'× raw time':>10} {'× raw mem':>9}"
        )
        for size, sheets, cells, builder, task, raw, ranking in results:
            for label, (seconds, peak, queries) in (
                ("sheet_build (builder)", builder),
                ("scoring_sheet_build (task)", task),
                ("raw openpyxl, same cells", raw),
                ("call_ranking alone (in both)", ranking),
            ):
                print(
                    f"{size:>5} {label:<28} {seconds:>8.3f} {peak / MB:>8.1f} {queries:>8} "
                    f"{seconds / raw[0]:>10.2f} {peak / raw[1]:>9.2f}"
                )
            print(f"{'':>5} ({sheets} worksheets, {cells} cells)")
        counts = {size: (builder[2], task[2]) for size, _s, _c, builder, task, *_rest in results}
        print()
        print(
            "Queries (builder, task body) by submissions: "
            + ", ".join(f"{size}: {b}, {t}" for size, (b, t) in counts.items())
        )
        if len(set(counts.values())) == 1:
            print("The query count does not grow with the number of submissions.")
        else:
            print("WARNING: the query count changes with the number of submissions.")


if __name__ == "__main__":
    main()
