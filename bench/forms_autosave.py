"""bench_forms.py's autosave measurement: applicants POSTing their whole form, one answer
changed each time, against a bare Django view given the same signed-in POSTs, both under
gunicorn (as bench_pages.py serves them)."""

import http.client
import itertools
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench_pages import Result, Server, production_env, python_load, start_redis
from benchsupport import STARTUP_WAIT
from forms_data import (
    TEXT_KINDS,
    answer_value,
    answers_for,
    applicant,
    draft_with_answers,
    form_blocks,
    form_fields,
    open_grant_call,
    questions_of,
)
from upload_support import Session


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
    from applications.sealed_answers import answer_open
    from tests.sealing_support import call_private_of

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
    # saved (the same POSTs went on to the bare view, which keeps nothing). The answers
    # are sealed to the call's key: read with it, rebuilt as the committee would.
    private = call_private_of(call)
    for person in people:
        stored = {
            a.question_id: answer_open(a, private).value if a.is_sealed else a.value
            for a in Answer.objects.filter(submission_id=person.submission_id)
        }
        if stored != person.saved:
            sys.exit(f"the draft of {person.page} does not hold the answers last sent")
    return {"rounds": rounds, "redis": bool(redis_url), "body": len(people[0].encoded())}


# --- 3. The scoring workbook ----------------------------------------------------------
