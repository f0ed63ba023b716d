"""Application forms (issue 22): the bid page's queries, autosave's rate and the scoring
workbook with answers, each against a baseline measured in the same run.

    .venv/bin/python bench/bench_forms.py [--questions 40] [--few 4] [--sizes 200,1000]
        [--requests 500] [--concurrency 8] [--only page,autosave,workbook] [--strict]

It builds a throwaway site in a temporary folder (SQLite database, var and
private folders) and migrates it, then measures three things.

1. The bid page. Two open grant calls, one with a form of ``--questions``
   questions and one of ``--few``, of every kind in turn (short and long
   answers, choices, a budget table, dates, eligibility...) in sections of
   ten; the same applicant has a draft on each with every question answered.
   Each page is fetched by its owner with Django's test client, in this
   process, DEBUG off: the queries of one GET (CaptureQueriesContext) and the
   mean and best time of ``--page-requests`` GETs after a warm-up. Target: the
   same number of queries whatever the number of questions.

2. Autosave. The site is served as bench_pages.py serves it: gunicorn with
   ``--workers`` sync workers, ``DJANGO_ENV=production`` (DEBUG off) and a Redis
   of its own for the cache, if redis-server is installed. ``--concurrency``
   applicants, each signed in with a draft of the large form, act as the bid
   page's script (static/js/answers.js) does: each fetches the bid page (its
   CSRF cookie and the form's token), then POSTs the whole form's answers to
   ``applications:answers_save`` with one answer changed each time, and every
   answer must be a 200 that says it changed something. The baseline is
   bench/bare_wsgi.py (bench_pages' bare Django view: the same settings and
   middleware, a view that returns "ok") under its own gunicorn, sent the very
   same POSTs with the same cookies, so that the ratio is what the autosave
   view itself costs; bench_pages' own baseline, an anonymous GET of the bare
   view, is shown beside it. The targets take turns for ``--rounds`` rounds
   of ``--requests`` requests after ``--warmup``; the median round is shown.
   Target: autosave's rate at least 0.3x the bare view's (same POST).

3. The scoring workbook. For each of ``--sizes``, a closed, opened call with
   that many bids and a panel that has scored them all, built by bench_sheet.py
   (``--reviewers`` x ``--criteria``), given the large form (a raw UPDATE, as a
   form is frozen once the call has closed) and an answer from every bid to
   every question, bulk-inserted. ``reviews.workbook.sheet_build`` (ranking,
   reviewer sheets, the Answers sheet and the report sheet, the XLSX and both
   CSVs into private storage) is timed against raw openpyxl writing the very
   same cells, read back from the built workbook, in write-only mode (as
   bench_sheet.py does), best of ``--repeat``. ``answers_table`` alone (the
   answers' query and their cell texts) is shown too. Targets: sheet_build at
   most 1.5x raw openpyxl at the largest size, and the same query count at
   every size.

Figures are for this machine: read the ratios. A missed target prints FAIL; as
with the other benchmarks, the exit status stays 0 unless the run itself broke
(a page not 200, an answer not saved), or ``--strict`` is given. Not part of the
test suite (tests/bench runs it with its smallest settings).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_sheet import build_call, measure, raw_openpyxl, read_cells, setup_django
from forms_autosave import autosave
from forms_data import (
    AUTOSAVE_TARGET,
    MB,
    TEXT_KINDS,
    WORKBOOK_TARGET,
    applicant,
    draft_with_answers,
    form_blocks,
    open_grant_call,
    store_answers,
)


def measure_page(client, path: str, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # templates compiled, caches warm
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"GET {path} answered {response.status_code}; nothing to measure.")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    queries = len(captured)  # now: the next request clears the connection's log
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - began)
    return {
        "queries": queries,
        "mean_ms": statistics.fmean(times) * 1000,
        "best_ms": min(times) * 1000,
        "bytes": len(response.content),
        "fields": response.content.count(b"data-question="),
    }


def bid_page(site, user, args) -> dict:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    results = {}
    for count in (args.questions, args.few):
        blocks = form_blocks(count)
        call = open_grant_call(site["calls"], blocks)
        submission = draft_with_answers(call, user, blocks, 0)
        path = reverse("applications:submission", args=[submission.pk])
        results[count] = measure_page(client, path, args.page_requests)
        if results[count]["fields"] != count:
            sys.exit(f"the bid page shows {results[count]['fields']} questions, not {count}")
    return results


# --- 2. Autosave -------------------------------------------------------------------


def workbook(site, args) -> list[dict]:
    from applications.models import Submission
    from reviews.answers_sheet import answers_table
    from reviews.models import ScoringSheet
    from reviews.ranking import call_ranking
    from reviews.services.sheet_build import scoring_sheet_build
    from reviews.workbook import sheet_build
    from tenders.models import CallPage

    blocks = form_blocks(args.questions)
    results = []
    for n, size in enumerate(args.sizes):
        began = time.perf_counter()
        call, staff = build_call(
            site["calls"], bids=size, reviewers=args.reviewers, criteria=args.criteria, seed=n
        )
        CallPage.objects.filter(pk=call.pk).update(application_form=blocks)  # raw: frozen
        call = CallPage.objects.get(pk=call.pk)
        bids = list(Submission.objects.filter(call=call).order_by("number").values_list("pk"))
        answers = store_answers([pk for (pk,) in bids], blocks)
        print(
            f"  {size} bids x {args.reviewers} reviewers x {args.criteria} criteria, "
            f"{answers} answers: inserted in {time.perf_counter() - began:.1f} s",
            flush=True,
        )

        def fresh_sheet(call=call, staff=staff):
            sheet = ScoringSheet.objects.create(call=call, requested_by=staff, blind=False)
            return ScoringSheet.objects.get(pk=sheet.pk)

        built = fresh_sheet()
        scoring_sheet_build(sheet_id=built.pk)  # warm-up; also the cells for the baseline
        built.refresh_from_db()
        tables = read_cells(built)
        titles = [title for title, _rows in tables]
        if "Answers" not in titles:
            sys.exit(f"the workbook has no Answers sheet: {titles}")
        answer_rows = dict(tables)["Answers"]
        if len(answer_rows) != size + 1 or len(answer_rows[0]) < args.questions:
            sys.exit("the Answers sheet does not hold a row per bid and a column per question")
        rows = call_ranking(call)
        results.append(
            {
                "size": size,
                "sheets": len(tables),
                "cells": sum(len(row) for _title, rows_ in tables for row in rows_),
                "builder": measure(sheet_build, prepare=fresh_sheet, repeat=args.repeat),
                "raw": measure(raw_openpyxl, prepare=lambda t=tables: t, repeat=args.repeat),
                "answers": measure(
                    lambda r, call=call: answers_table(call, r, blind=False),
                    prepare=lambda r=rows: r,
                    repeat=args.repeat,
                ),
            }
        )
    return results


# --- Output ------------------------------------------------------------------------


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=40, help="the large form's questions")
    parser.add_argument("--few", type=int, default=4, help="the small form's questions")
    parser.add_argument("--page-requests", type=int, default=30, help="bid page GETs timed")
    parser.add_argument("--requests", type=int, default=500, help="autosave: per target, round")
    parser.add_argument("--rounds", type=int, default=3, help="autosave: rounds, median shown")
    parser.add_argument("--warmup", type=int, default=50, help="autosave: requests before timing")
    parser.add_argument("--concurrency", type=int, default=8, help="autosave: applicants at once")
    parser.add_argument("--workers", type=int, default=2, help="autosave: gunicorn workers")
    parser.add_argument("--sizes", default="200,1000", help="workbook: bids per call")
    parser.add_argument("--reviewers", type=int, default=5, help="workbook: panel members")
    parser.add_argument("--criteria", type=int, default=10, help="workbook: criteria")
    parser.add_argument("--repeat", type=int, default=3, help="workbook: best of")
    parser.add_argument("--only", default="page,autosave,workbook", help="what to measure")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]
    only = set(args.only.split(","))
    if args.questions < len(TEXT_KINDS) + 2:
        parser.error("--questions must be at least 4 (autosave changes the text answers)")

    with tempfile.TemporaryDirectory(prefix="zabuni-bench-forms-") as folder:
        tmp = Path(folder)
        print(f"Throwaway site in {tmp} (SQLite); migrating...", flush=True)
        setup_django(tmp)
        from tests.factories import build_site

        site = build_site()
        owner = applicant(0)
        verdicts = []

        if "page" in only:
            page = bid_page(site, owner, args)
            large, small = page[args.questions], page[args.few]
            print()
            print(
                "1. The bid page: GET by its owner, an open grant call, every question "
                f"answered; test client in this process, DEBUG off; {args.page_requests} GETs"
            )
            print(f"  {'questions':>9} {'queries':>8} {'mean ms':>8} {'best ms':>8} {'bytes':>8}")
            for count in (args.questions, args.few):
                r = page[count]
                print(
                    f"  {count:>9} {r['queries']:>8} {r['mean_ms']:>8.1f} "
                    f"{r['best_ms']:>8.1f} {r['bytes']:>8}"
                )
            print(
                f"  time, {args.questions} / {args.few} questions: "
                f"{large['mean_ms'] / small['mean_ms']:.2f}x (mean)"
            )
            verdicts.append(
                (
                    large["queries"] == small["queries"],
                    f"bid page: {large['queries']} queries with {args.questions} questions, "
                    f"{small['queries']} with {args.few} (target: the same)",
                )
            )

        if "autosave" in only:
            print()
            print("2. Autosave: starting gunicorn (portal and bare view)...", flush=True)
            saved = autosave(site, tmp, args)
            print(
                f"  gunicorn {args.workers} sync workers per server, DJANGO_ENV=production, "
                f"SQLite, Redis cache {'on' if saved['redis'] else 'off'}; {os.cpu_count()} "
                "CPUs shared with the load generator"
            )
            print(
                f"  {args.concurrency} applicants at once, each POSTing its whole form "
                f"({args.questions} questions, {saved['body']} bytes) with one answer changed; "
                f"{args.requests} requests per target and round, {args.rounds} rounds "
                f"(median shown), after {args.warmup} warm-up requests"
            )
            print(
                f"  {'target':<26} {'req/s':>8} {'mean ms':>8} {'p95 ms':>7} {'non-200':>7}"
                "  rounds req/s"
            )
            median = {}
            for name, runs in saved["rounds"].items():
                result = sorted(runs, key=lambda run: run.rps)[len(runs) // 2]
                median[name] = result
                each = " ".join(f"{run.rps:.1f}" for run in runs)
                errors = sum(run.errors for run in runs)
                print(
                    f"  {name:<26} {result.rps:>8.1f} {result.mean_ms:>8.1f} "
                    f"{result.p95_ms:>7.1f} {errors:>7}  {each}"
                )
                for run in runs:
                    if run.errors:
                        print(f"    statuses: {run.statuses}")
            rate = median["autosave (POST answers)"].rps
            same = median["bare view, same POST"].rps
            anonymous = median["bare view, anonymous GET"].rps
            print(f"  ratio autosave / bare view, same POST: {rate / same:.3f}x")
            print(f"  ratio autosave / bare view, anonymous GET: {rate / anonymous:.3f}x")
            if any(run.errors for runs in saved["rounds"].values() for run in runs):
                sys.exit(
                    "Some answers were not 200 (or saved nothing): the figures are not valid."
                )
            verdicts.append(
                (
                    rate / same >= AUTOSAVE_TARGET,
                    f"autosave: {rate / same:.3f}x the bare view's rate ({rate:.1f} vs "
                    f"{same:.1f} req/s; target >= {AUTOSAVE_TARGET}x)",
                )
            )

        if "workbook" in only:
            print()
            print(
                f"3. The scoring workbook with answers ({args.questions} questions): "
                f"sheet_build against raw openpyxl, best of {args.repeat}",
                flush=True,
            )
            books = workbook(site, args)
            print(
                f"  {'bids':>5} {'what':<28} {'time s':>8} {'peak MB':>8} {'queries':>8} "
                f"{'x raw time':>10}"
            )
            for book in books:
                raw_seconds = book["raw"][0]
                for label, key in (
                    ("sheet_build (builder)", "builder"),
                    ("raw openpyxl, same cells", "raw"),
                    ("answers_table alone", "answers"),
                ):
                    seconds, peak, queries = book[key]
                    print(
                        f"  {book['size']:>5} {label:<28} {seconds:>8.3f} {peak / MB:>8.1f} "
                        f"{queries:>8} {seconds / raw_seconds:>10.2f}"
                    )
                print(f"  {'':>5} ({book['sheets']} worksheets, {book['cells']} cells)")
            largest = books[-1]
            ratio = largest["builder"][0] / largest["raw"][0]
            print(f"  ratio sheet_build / raw openpyxl at {largest['size']} bids: {ratio:.2f}x")
            counts = {book["size"]: book["builder"][2] for book in books}
            print(
                "  sheet_build queries by bids: "
                + ", ".join(f"{size}: {queries}" for size, queries in counts.items())
            )
            verdicts.append(
                (
                    ratio <= WORKBOOK_TARGET,
                    f"workbook: sheet_build {ratio:.2f}x raw openpyxl at {largest['size']} "
                    f"bids ({largest['builder'][0]:.3f} vs {largest['raw'][0]:.3f} s; "
                    f"target <= {WORKBOOK_TARGET}x)",
                )
            )
            verdicts.append(
                (
                    len(set(counts.values())) == 1,
                    "workbook queries: "
                    + ", ".join(f"{queries} at {size} bids" for size, queries in counts.items())
                    + " (target: the same)",
                )
            )

        print()
        print("Targets:")
        for passed, text in verdicts:
            print(f"  {verdict(passed)} {text}")
        missed = sum(not passed for passed, _text in verdicts)
        if missed and args.strict:
            sys.exit(f"{missed} target(s) missed.")


if __name__ == "__main__":
    main()
