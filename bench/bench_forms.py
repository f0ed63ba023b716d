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
import http.client
import itertools
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench_pages import Result, Server, production_env, python_load, start_redis
from bench_sheet import build_call, measure, raw_openpyxl, read_cells, setup_django
from benchsupport import STARTUP_WAIT
from upload_support import Session

MB = 1024 * 1024
AUTOSAVE_TARGET = 0.3  # autosave's rate / the bare view's, at least
WORKBOOK_TARGET = 1.5  # sheet_build's time / raw openpyxl's, at most

# The kinds of question, in the order a form of n questions takes them (a short form
# still has choices and a budget table).
KINDS = (
    "short_answer",
    "single_choice",
    "budget",
    "long_answer",
    "multiple_choice",
    "number",
    "amount",
    "yes_no",
    "date",
    "email",
    "phone",
    "eligibility",
)
TEXT_KINDS = ("short_answer", "long_answer")  # the answers autosave changes, in turn
CHOICES = ["Nairobi", "Kisumu", "Mombasa", "Nakuru", "Garissa"]
LONG_ANSWER = (
    "We visit remand prisons in the county every month and keep a register of every "
    "detainee who has waited more than six months for a hearing. Our paralegals explain "
    "bail and plea to the detainees, help them write to the court, and follow each case "
    "until it is heard. The grant would pay for two more paralegals and their travel."
)


# --- The form and its answers --------------------------------------------------


def form_blocks(questions: int) -> list[dict]:
    """A form of ``questions`` questions as the StreamField's JSON: a section heading
    every ten questions, the kinds in turn, every question required."""
    blocks = []
    for n in range(questions):
        if n % 10 == 0:
            part = n // 10 + 1
            blocks.append(
                {
                    "type": "section",
                    "id": f"s{part}",
                    "value": {"heading": f"Part {part}", "guidance": "Answer every question."},
                }
            )
        kind = KINDS[n % len(KINDS)]
        value = {
            "label": f"Question {n + 1}: {kind.replace('_', ' ')}",
            "help_text": "As it stands on the day you apply.",
            "required": True,
            "identifies_applicant": n == 0,
        }
        if kind == "long_answer":
            value["word_limit"] = 500
        elif kind in ("single_choice", "multiple_choice"):
            value["choices"] = CHOICES
        elif kind == "budget":
            value["max_lines"] = 10
        elif kind == "eligibility":
            value["required_answer"] = "yes"
        blocks.append({"type": kind, "id": f"q{n + 1:03d}", "value": value})
    return blocks


def questions_of(blocks: list[dict]) -> list[dict]:
    return [block for block in blocks if block["type"] != "section"]


def answer_value(kind: str, bid: int):
    """A valid answer of ``kind``, a little different for each bid."""
    return {
        "short_answer": f"Haki Mashinani Trust No {bid}",
        "long_answer": f"{LONG_ANSWER} Bid {bid}.",
        "number": str(3 + bid % 20),
        "amount": str(50_000 + 250 * (bid % 200)),
        "single_choice": CHOICES[bid % len(CHOICES)],
        "multiple_choice": [CHOICES[bid % len(CHOICES)], CHOICES[(bid + 2) % len(CHOICES)]],
        "yes_no": "yes" if bid % 3 else "no",
        "date": f"2026-{1 + bid % 12:02d}-{1 + bid % 28:02d}",
        "email": f"office{bid}@haki.example",
        "phone": f"+254 712 {bid % 1000:03d} 678",
        "budget": [
            ["Prison visits", str(10 + bid % 5), "2500"],
            ["Paralegal fees", "12", "30000"],
            ["Court filing", "4", "1200.50"],
        ],
        "eligibility": "yes",
    }[kind]


def answers_for(blocks: list[dict], bid: int) -> dict:
    return {q["id"]: answer_value(q["type"], bid) for q in questions_of(blocks)}


def store_answers(submission_ids: list[int], blocks: list[dict], first: int = 0) -> int:
    """Every question answered on each submission (bid number ``first``, then on)."""
    from applications.models import Answer

    rows = Answer.objects.bulk_create(
        (
            Answer(submission_id=sid, question_id=qid, value=value, pending=False)
            for n, sid in enumerate(submission_ids, start=first)
            for qid, value in answers_for(blocks, n).items()
        ),
        batch_size=5000,
    )
    return len(rows)


def form_fields(blocks: list[dict], answers: dict) -> list[tuple[str, str]]:
    """The fields the bid page's script posts: every question's, as the page shows them
    (the budget's empty lines included, only the checked choices)."""
    fields = [("answers_form", "1")]
    for q in questions_of(blocks):
        name, value = f"q_{q['id']}", answers[q["id"]]
        if q["type"] == "multiple_choice":
            fields += [(name, choice) for choice in value]
        elif q["type"] == "budget":
            room = min(q["value"]["max_lines"], max(len(value) + 2, 3))
            for n in range(room):
                item, quantity, cost = value[n] if n < len(value) else ("", "", "")
                fields += [
                    (f"{name}-item-{n}", item),
                    (f"{name}-quantity-{n}", quantity),
                    (f"{name}-cost-{n}", cost),
                ]
        else:
            fields.append((name, value))
    return fields


# --- Calls and bids --------------------------------------------------------------


def open_grant_call(index, blocks):
    from tests.factories import make_call

    return make_call(index, kind="grant", application_form=blocks)


def applicant(n: int):
    from accounts.models import Profile, User

    user = User.objects.create(
        email=f"applicant{n}@ngos.example", first_name=f"Amani{n}", last_name="Odhiambo"
    )
    Profile.objects.create(user=user, legal_name=f"Haki Mashinani Trust No {n}")
    return user


def draft_with_answers(call, user, blocks, n: int):
    from applications.services.submissions import submission_start

    submission = submission_start(call=call, applicant=user)
    store_answers([submission.pk], blocks, first=n)
    return submission


# --- 1. The bid page ---------------------------------------------------------------


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


class Applicant:
    """One signed-in applicant and their draft, acting as the bid page's script: the
    form's answers, one changed per POST, with the page's CSRF token and cookies."""

    def __init__(self, n: int, submission_id: int, sessionid: str, blocks: list[dict]):
        self.n = n
        self.submission_id = submission_id
        self.page = f"/bids/{submission_id}/"
        self.autosave = f"/bids/{submission_id}/answers/"
        self.cookies = {"sessionid": sessionid}
        self.blocks = blocks
        self.answers = answers_for(blocks, n)
        self.changing = [q["id"] for q in questions_of(blocks) if q["type"] in TEXT_KINDS]
        self.edits = itertools.count(1)
        self.token = ""
        self.saved = dict(self.answers)  # what the last autosave answered 200 to

    def open_page(self, port: int) -> None:
        """GET the bid page as the browser does: its CSRF cookie and the form's token."""
        session = Session(port)
        session.cookies = dict(self.cookies)
        self.token = session.form_token(self.page)
        status, _location, page = session.request("GET", self.page)
        if status != 200 or f'data-autosave="{self.autosave}"'.encode() not in page:
            sys.exit(f"the bid page {self.page} has no autosave ({status})")
        self.cookies = session.cookies

    def body(self) -> bytes:
        """The whole form's answers with one more edit to one answer."""
        edit = next(self.edits)
        qid = self.changing[edit % len(self.changing)]
        self.answers[qid] = f"{answer_value('short_answer', self.n)}, edit {edit}"
        return self.encoded()

    def encoded(self) -> bytes:
        fields = [("csrfmiddlewaretoken", self.token), *form_fields(self.blocks, self.answers)]
        return urlencode(fields).encode()

    def headers(self, port: int) -> dict[str, str]:
        origin = f"http://127.0.0.1:{port}"
        return {
            "Host": f"127.0.0.1:{port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
            "Accept": "application/json",
            "Origin": origin,
            "Referer": origin + self.page,
        }


def post_load(port: int, path, people: list[Applicant], requests: int, autosave: bool) -> Result:
    """Send exactly ``requests`` POSTs, each applicant from its own thread and connection;
    ``path`` is the autosave address of each (or the bare view's). An autosave counts as
    a 200 only if it says it saved a change."""
    tickets = itertools.count()
    latencies: list[float] = []
    statuses: dict = {}
    lock = threading.Lock()
    start_line = threading.Barrier(len(people) + 1)

    def client(person: Applicant):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=STARTUP_WAIT)
        target = person.autosave if autosave else path
        headers = person.headers(port)
        mine, seen = [], {}
        start_line.wait()
        while next(tickets) < requests:
            body = person.body()
            began = time.perf_counter()
            try:
                conn.request("POST", target, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
                if status == 200 and autosave:
                    if json.loads(data).get("changed"):
                        person.saved = dict(person.answers)
                    else:
                        status = "200 but unchanged"
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                conn.close()
            mine.append(time.perf_counter() - began)
            seen[status] = seen.get(status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for status, n in seen.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return Result(
        rps=len(latencies) / elapsed,
        mean_ms=statistics.fmean(latencies) * 1000,
        p95_ms=latencies[max(int(len(latencies) * 0.95) - 1, 0)] * 1000,
        errors=sum(n for status, n in statuses.items() if status != 200),
        statuses=statuses,
    )


def autosave(site, tmp: Path, args) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from applications.models import Answer

    blocks = form_blocks(args.questions)
    call = open_grant_call(site["calls"], blocks)
    people = []
    for n in range(args.concurrency):
        user = applicant(100 + n)
        submission = draft_with_answers(call, user, blocks, n)
        client = Client()
        client.force_login(user)
        people.append(Applicant(n, submission.pk, client.cookies["sessionid"].value, blocks))
    connection.close()  # nothing of this process's stands between the servers and SQLite

    # Production settings, as bench_pages serves the site; the in-process settings'
    # SECRET_KEY, so that the sessions signed in above hold there. No static files are
    # served, so no manifest is needed.
    env = {
        **production_env(dict(os.environ)),
        "SECRET_KEY": settings.SECRET_KEY,
        "STATIC_MANIFEST": "false",
    }
    redis, redis_url = start_redis(tmp)
    if redis_url:
        env["REDIS_URL"] = redis_url
    servers = []
    try:
        portal = Server("portal.wsgi:application", env, tmp / "gunicorn-portal.log", args.workers)
        servers.append(portal)
        bare = Server("bench.bare_wsgi:application", env, tmp / "gunicorn-bare.log", args.workers)
        servers.append(bare)
        portal.wait_ready("/calls/")
        bare.wait_ready("/")
        for person in people:
            person.open_page(portal.port)

        targets = {
            "autosave (POST answers)": lambda n: post_load(portal.port, None, people, n, True),
            "bare view, same POST": lambda n: post_load(bare.port, "/", people, n, False),
            "bare view, anonymous GET": lambda n: python_load(bare.port, "/", n, len(people)),
        }
        for load in targets.values():
            load(args.warmup)
        rounds = {name: [] for name in targets}
        for _round in range(args.rounds):
            for name, load in targets.items():
                rounds[name].append(load(args.requests))
    finally:
        for server in servers:
            server.stop()
        if redis is not None:
            redis.terminate()
            redis.wait()

    # Every autosave sends the whole form: each draft now holds exactly the last one
    # saved (the same POSTs went on to the bare view, which keeps nothing).
    for person in people:
        stored = dict(
            Answer.objects.filter(submission_id=person.submission_id).values_list(
                "question_id", "value"
            )
        )
        if stored != person.saved:
            sys.exit(f"the draft of {person.page} does not hold the answers last sent")
    return {"rounds": rounds, "redis": bool(redis_url), "body": len(people[0].encoded())}


# --- 3. The scoring workbook ----------------------------------------------------------


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
