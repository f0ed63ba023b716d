"""The last seconds of a call: applicants with drafts ready fire their final submit
at once, each with a 1 MB file, spread over the seconds around ``closes_at``.

    .venv/bin/python bench/bench_rush.py            # direct: PostgreSQL (4 workers), SQLite (2)
    .venv/bin/python bench/bench_rush.py --only sqlite --applicants 40 --busy
    .venv/bin/python bench/bench_rush.py --proxy    # PostgreSQL: direct, then through nginx

Direct, the submits go straight to one gunicorn (``portal.wsgi:application``, which
notes when a body's last byte was read). With ``--proxy`` the same rush is also run
through deploy/nginx.conf in front of two gunicorn hosts of half as many workers
each (rush_proxy.py), which trust nginx's ``X-Request-Start``; the direct rush on
PostgreSQL runs first in the same run, so both are printed side by side.

With ``--proxy`` each mode runs with the CPU idle and with it kept busy by
competing processes that spin one per core for the length of the rush (``--idle``
or ``--busy`` for one of the two); without it, idle unless ``--busy`` is given.

Most submits are spread from 3 s before the deadline to 1 s after it; a tenth are
aimed so that their last byte leaves in the last 30 ms before it, and a twentieth
in the 30 ms after it. The client's clock is compared with the database's before
and after the rush (rush_clock.py), and each submit is judged by when its last
byte left, in database time (rush_report.py). Printed per mode:

- accepted, refused, 5xx; on time, lost (on time but refused or 5xx), late-accepted
  (left after the deadline but accepted), in band (too close to call);
- p50 and p99 latency, first byte sent to last byte of the answer;
- the last-30-ms group's outcome, and the after group's;
- the stored time of receipt less the moment the last byte left (min/median/max):
  how close the portal's stamp is to the arrival;
- how much of the machine's CPU was in use during the rush (other work on the
  machine counts too), and the share of it the competing processes had.

Targets (issue 25): 100 submits on PostgreSQL; through the proxy 0 lost, 0 late
accepted, 0 x 5xx, p99 <= 2 s, idle and busy; direct, 0 lost idle.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchsupport import ROOT, fresh_postgres, site_database, site_env
from rush_client import bid_form, submit, submit_alone
from rush_clock import combine, measure
from rush_proxy import STAMP_RESOLUTION, Busy, ProxiedHosts, cpu_times, cpu_used
from rush_report import (
    AFTER_FIRST,
    AFTER_LAST,
    AIM_INSIDE,
    EDGE_FIRST,
    EDGE_LAST,
    EDGES,
    TABLE,
    judge,
    print_table,
    summarise,
)
from upload_support import Gunicorn

SPREAD_BEFORE = 3.0  # seconds before the deadline the first submit leaves
SPREAD_AFTER = 1.0  # seconds after it the last one leaves
DEADLINE_MARGIN = 1.5  # seconds to set the deadline and start the threads
LEAD = 0.1  # an aimed submit sends all but its tail this long before its moment
POSTGRES_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zabuni_bench_rush"
)


@dataclass(frozen=True)
class Mode:
    database: str
    proxy: bool
    busy: bool
    applicants: int
    workers: int  # in all: two hosts of half as many each behind the proxy

    @property
    def label(self) -> str:
        where = "proxy" if self.proxy else "direct"
        return f"{self.database} {where} {'busy' if self.busy else 'idle'}"


def read_json(setup: subprocess.Popen, log: Path) -> dict:
    """The next JSON line the set-up process prints; stop if it exits first."""
    for line in setup.stdout:
        if line.startswith("{"):
            return json.loads(line)
    setup.wait()
    sys.exit(f"set-up failed:\n{log.read_text()}")


_migrated: set[str] = set()


def postgres_database(env: dict[str, str], tmp: Path) -> None:
    """A fresh copy of a database migrated once per run (a template): migrating
    anew for every mode would take the better part of a minute each time."""
    import psycopg

    template = POSTGRES_URL + "_template"
    if template not in _migrated:
        fresh_postgres(env, template)
        site_database(env, tmp)
        _migrated.add(template)
    name = POSTGRES_URL.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_template"')
    env["DATABASE_URL"] = POSTGRES_URL


def plan_rush(count: int, deadline: float) -> list[dict]:
    """When each submit starts, and for an aimed one when its last bytes leave
    (client clock, ``deadline`` being ``closes_at`` on it)."""
    edge, after = count // 10, count // 20
    rest = count - edge - after
    plans = [
        {
            "group": "spread",
            "start": deadline - SPREAD_BEFORE + (SPREAD_BEFORE + SPREAD_AFTER) * k / rest,
        }
        for k in range(rest)
    ]
    for group, size, first, last in (
        ("edge", edge, -EDGE_FIRST, -EDGE_LAST - AIM_INSIDE),
        ("after", after, AFTER_FIRST + AIM_INSIDE, AFTER_LAST),
    ):
        for k in range(size):
            moment = deadline + first + (last - first) * k / max(size - 1, 1)
            plans.append({"group": group, "start": moment - LEAD, "last": moment})
    return sorted(plans, key=lambda plan: plan["start"])


def rush(port: int, forms, setup, setup_log, database_url: str) -> tuple:
    """Set the deadline, send every submit as planned; return the plans, results,
    ``closes_at``, the clock offset measured around the rush, and the CPU in use."""
    before = measure(database_url)
    setup.stdin.write(f"deadline {SPREAD_BEFORE + DEADLINE_MARGIN}\n")
    setup.stdin.flush()
    closes_at = read_json(setup, setup_log)["closes_at"]
    plans = plan_rush(len(forms), before.to_client(closes_at))
    if time.time() > plans[0]["start"]:
        sys.exit("setting the deadline took too long: the rush would start late")
    results = [{} for _ in plans]
    began = cpu_times()
    threads = [
        threading.Thread(target=submit, args=(port, *form, plan, result))
        for form, plan, result in zip(forms, plans, results, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    used = cpu_used(began, cpu_times())
    return plans, results, closes_at, combine(before, measure(database_url)), used


def run(mode: Mode, tmp: Path, redis_url: str, threads: int, alone: int) -> dict:
    env = site_env(tmp)
    env.update(DEBUG="false", OPENING_GRACE_SECONDS="120", CONN_MAX_AGE="60")
    if redis_url:
        env["REDIS_URL"] = redis_url
    if mode.database == "postgresql":
        postgres_database(env, tmp)
    else:
        site_database(env, tmp)
    setup_log = tmp / "setup.log"
    with open(setup_log, "wb") as errors:
        setup = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "rush_setup.py"), str(mode.applicants),
             str(alone)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
            text=True,
        )  # fmt: skip
    extra = {}
    try:
        site = read_json(setup, setup_log)
        if mode.proxy:
            server = ProxiedHosts(env, tmp, mode.workers // 2)
        else:
            # The Dockerfile's worker (sync, reading with the kernel's arrival times);
            # --threads tries gthread instead.
            options = (
                ("--worker-class", "gthread", "--threads", str(threads))
                if threads
                else ("--worker-class", "portal.gunicorn_worker.PortalWorker")
            )
            server = Gunicorn(env, tmp / "gunicorn.log", mode.workers, extra=options)
        try:
            alone_latencies = submit_alone(server.port, site)
            forms = [
                bid_form(server.port, person, site["technical_field"], n)
                for n, person in enumerate(site["people"])
            ]
            busy = Busy() if mode.busy else None
            try:
                plans, results, closes_at, clock, extra["cpu_used"] = rush(
                    server.port, forms, setup, setup_log, env["DATABASE_URL"]
                )
            finally:
                extra["competitor_share"] = f"{busy.stop():.0%}" if busy else "-"
            if mode.proxy:
                extra.update(server.report())
        finally:
            server.stop()
        setup.stdin.write("receipts\n")
        setup.stdin.flush()
        recorded = read_json(setup, setup_log)
    finally:
        setup.kill()
        setup.wait()
    band = judge(
        results, plans, closes_at, clock, STAMP_RESOLUTION if mode.proxy else 0.0,
        recorded["receipts"],
    )  # fmt: skip
    summary = summarise(mode.label, results, closes_at, clock, band, recorded["late"])
    summary.update(
        extra,
        database=mode.database,
        alone=len(alone_latencies),
        alone_p50_s=round(statistics.median(alone_latencies), 3),
    )
    return summary


def modes(args) -> list[Mode]:
    if args.idle or args.busy:
        loads = [args.busy]
    else:  # --proxy: idle and busy; direct alone: idle, as before
        loads = [False, True] if args.proxy else [False]
    if args.proxy:
        n = args.applicants or 100
        return [Mode("postgresql", proxy, busy, n, 4) for proxy in (False, True) for busy in loads]
    plans = [("postgresql", 100, 4), ("sqlite", 40, 2)]
    return [
        Mode(kind, False, busy, args.applicants or applicants, workers)
        for kind, applicants, workers in plans
        if not args.only or kind == args.only
        for busy in loads
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--proxy", action="store_true", help="direct and through nginx (PostgreSQL)"
    )
    parser.add_argument("--only", choices=["postgresql", "sqlite"], help="direct mode's database")
    parser.add_argument("--applicants", type=int, help="default: 100 on PostgreSQL, 40 on SQLite")
    load = parser.add_mutually_exclusive_group()
    load.add_argument("--idle", action="store_true", help="only with the CPU idle")
    load.add_argument("--busy", action="store_true", help="only with the CPU kept busy")
    parser.add_argument("--alone", type=int, default=5, help="submits alone, the baseline")
    parser.add_argument("--threads", type=int, default=0, help="gthread threads per worker")
    args = parser.parse_args()
    # A thread that wants the GIL waits up to this long for it (5 ms by default): the
    # precision of an aimed submit's last byte, and of the clock readings around it.
    sys.setswitchinterval(0.0005)
    rows = []
    with tempfile.TemporaryDirectory(prefix="rush-redis-") as redis_tmp:
        redis, redis_url = (None, "")
        if args.proxy:
            from bench_pages import start_redis

            redis, redis_url = start_redis(Path(redis_tmp))  # both hosts share it
        try:
            for mode in modes(args):
                with tempfile.TemporaryDirectory(prefix="rush-") as tmp:
                    hosts = "2 hosts x " if mode.proxy else ""
                    print(
                        f"{mode.label}: {mode.applicants} submits, {hosts}"
                        f"{mode.workers // 2 if mode.proxy else mode.workers} gunicorn workers "
                        f"({'gthread' if args.threads else 'sync'}); "
                        f"load average {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
                    rows.append(run(mode, Path(tmp), redis_url, args.threads, max(args.alone, 1)))
                    print("  " + json.dumps(rows[-1]), flush=True)
        finally:
            if redis is not None:
                redis.terminate()
                redis.wait()
    print()
    print_table(rows, TABLE)
    print()
    print_table(rows, EDGES)
    print()
    for row in rows:
        alone = row["alone_p50_s"]
        hosts = (
            f"; POSTs per host {row['posts_per_host']}, stamps ignored {row['stamps_ignored']}"
            if "posts_per_host" in row
            else ""
        )
        print(
            f"{row['database']}: rush / one submit alone (p50 {alone} s over {row['alone']}): "
            f"p50 {row['p50_s'] / alone:.2f}x, p99 {row['p99_s'] / alone:.2f}x "
            f"({row['mode']}){hosts}"
        )


if __name__ == "__main__":
    main()
