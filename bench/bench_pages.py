"""Requests per second of the portal's public pages, against a bare Django view.

    .venv/bin/python bench/bench_pages.py [--requests 1000] [--concurrency 8] [--rounds 3]

It builds a throwaway site in a temporary folder (SQLite database, var
folder, private folder, static root), migrates it and loads the demo content,
collects static files, then serves it the way production does: gunicorn with
2 sync workers, ``DJANGO_ENV=production`` so DEBUG is off, whitenoise for
static files, and a Redis of its own on a free port (never the shared one)
for the cache, so the anonymous page cache (core/page_cache.py) is on as
deployed. The portal is served twice: with the page cache, and with
``PAGE_CACHE=false`` (every page rendered: what the cache saves). Another
gunicorn serves ``bench/bare_wsgi.py``: the same settings and middleware
with a view that returns "ok"; a fourth serves it with ``PAGE_CACHE=false``,
since the cache looks up every anonymous GET, the bare view's included. The
servers are measured one after the other, never at once.

Each target gets the same fixed number of requests from the same number of
concurrent clients (threads, each with its own http.client connection) after
a warm-up, and must answer 200 every time. The targets take turns for several
rounds and the median of the rounds is reported, so a burst of other work on
the machine skews one round, not the result. With ``--wrk SECONDS`` the
figures are cross-checked with wrk (duration-based) when it is installed.

The load generator runs on the same machine as the servers and competes with
them for the CPU, and the Python client itself limits the bare view's rate,
so read the ratios between targets rather than the absolute figures.
Not part of the test suite.
"""

import argparse
import base64
import collections
import http.client
import itertools
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchsupport import ROOT, STARTUP_WAIT, free_port, manage, site_database, site_env, wait_until

CALL_INDEX = "/calls/"
CALL_PAGE = "/calls/training-monitoring-documentation-reporting-gender/"
BARE = "/"


def production_env(env: dict[str, str]) -> dict[str, str]:
    return {
        **env,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "bench-throwaway-" + secrets.token_urlsafe(32),
        "BID_STORAGE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # Hashed static names from collectstatic's manifest, as deployed.
        "STATIC_MANIFEST": "true",
    }


def start_redis(tmp: Path) -> tuple[subprocess.Popen | None, str]:
    """A Redis of the benchmark's own on a free loopback port (the shared one is never
    touched), as production has it: the page cache lives there. ("", None) if
    redis-server is not installed."""
    binary = shutil.which("redis-server")
    if not binary:
        return None, ""
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    if wait_until(listening, "redis-server"):
        return process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    sys.exit(f"redis-server did not start on port {port} within {STARTUP_WAIT:.0f} s")


def prepare_site(tmp: Path) -> dict[str, str]:
    """Migrate, load demo content and collect static files; return the production env."""
    env = site_env(tmp)
    # load_demo_content refuses to run in production mode, so the database is
    # built in development mode: same DATABASE_URL, DJANGO_ENV=development.
    site_database(env, tmp, demo=True)
    prod = production_env(env)
    # Production serves static files through whitenoise's manifest storage,
    # which needs the staticfiles.json that only that storage writes, so
    # collectstatic runs with the production settings.
    manage(prod, "collectstatic", "--noinput")
    return prod


class Server:
    """One gunicorn instance (2 sync workers) on a free loopback port."""

    def __init__(self, app: str, env: dict[str, str], log: Path, workers: int):
        self.port = free_port()
        self.log_path = log
        self.log = open(log, "wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--chdir",
                str(ROOT),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def wait_ready(self, path: str) -> None:
        """Wait until ``path`` answers 200: the workers have imported the portal and
        rendered it once. On a loaded machine that can take minutes."""

        def serving() -> bool:
            if self.process.poll() is not None:
                return True  # exited: reported below
            try:
                status, _body = self.get(path, timeout=STARTUP_WAIT)
            except (OSError, http.client.HTTPException):
                return False
            return status == 200

        if not wait_until(serving, f"gunicorn serving {path}") or self.process.poll() is not None:
            self.stop()
            sys.exit(f"gunicorn did not serve {path}; its log:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


Result = collections.namedtuple("Result", "rps mean_ms p95_ms errors statuses")


def python_load(port: int, path: str, requests: int, concurrency: int) -> Result:
    """Send exactly ``requests`` GETs from ``concurrency`` threads; time the whole run."""
    tickets = itertools.count()
    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    lock = threading.Lock()
    start_line = threading.Barrier(concurrency + 1)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        seen: collections.Counter = collections.Counter()
        start_line.wait()
        while next(tickets) < requests:
            began = time.perf_counter()
            try:
                # http.client reconnects by itself when the server closed the
                # connection (gunicorn's sync workers close after each reply).
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                seen[response.status] += 1
            except (OSError, http.client.HTTPException) as error:
                seen[type(error).__name__] += 1
                conn.close()
            mine.append(time.perf_counter() - began)
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
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
        p95_ms=latencies[int(len(latencies) * 0.95) - 1] * 1000,
        errors=sum(n for status, n in statuses.items() if status != 200),
        statuses=dict(statuses),
    )


def wrk_load(port: int, path: str, duration: int, concurrency: int) -> tuple[float, str]:
    """wrk's own figure for the same target, as a cross-check of the Python client."""
    result = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(concurrency),
            "-d",
            f"{duration}s",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
    )
    rps = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    errors = re.search(r"Socket errors:.*", result.stdout)
    figure = float(rps.group(1)) if rps else 0.0
    text = f"{figure:9.1f} req/s" if rps else "no figure"
    if bad:
        text += f", {bad.group(1)} non-2xx"
    if errors:
        text += f", {errors.group(0)}"
    return figure, text


def check_page(server: Server, path: str, must_contain: bytes) -> int:
    # The first answer of a worker not yet warmed may be slow on a loaded machine.
    status, body = server.get(path, timeout=STARTUP_WAIT)
    if status != 200 or must_contain not in body:
        server.stop()
        sys.exit(f"GET {path} answered {status} without {must_contain!r}; nothing to measure.")
    return len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=1000, help="per target and round (default 1000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds, median reported")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--warmup", type=int, default=100, help="requests before timing")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--wrk",
        type=int,
        metavar="SECONDS",
        default=0,
        help="also run wrk for this many seconds per target, if installed",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="zabuni-bench-"))
    redis = None
    servers: list[Server] = []
    try:
        print(f"Preparing a throwaway site in {tmp} (migrate, demo content, collectstatic)...")
        env = prepare_site(tmp)
        redis, redis_url = start_redis(tmp)
        if redis_url:
            env["REDIS_URL"] = redis_url  # cache (and the page cache) as in production
        else:
            print("redis-server is not installed: no page cache, in-process cache only.")
        portal = Server("portal.wsgi:application", env, tmp / "gunicorn-portal.log", args.workers)
        uncached = Server(
            "portal.wsgi:application",
            {**env, "PAGE_CACHE": "false"},
            tmp / "gunicorn-uncached.log",
            args.workers,
        )
        bare = Server("bench.bare_wsgi:application", env, tmp / "gunicorn-bare.log", args.workers)
        # The page cache looks every anonymous GET up, the bare view's too (a miss it
        # never stores): this one shows the bare view without that cost.
        bare_uncached = Server(
            "bench.bare_wsgi:application",
            {**env, "PAGE_CACHE": "false"},
            tmp / "gunicorn-bare-uncached.log",
            args.workers,
        )
        servers = [portal, uncached, bare, bare_uncached]
        portal.wait_ready(CALL_INDEX)
        uncached.wait_ready(CALL_INDEX)
        bare.wait_ready(BARE)
        bare_uncached.wait_ready(BARE)

        targets = [
            ("bare Django view", bare, BARE, b"ok"),
            ("bare, no cache", bare_uncached, BARE, b"ok"),
            ("call index", portal, CALL_INDEX, CALL_PAGE.encode()),
            ("call page", portal, CALL_PAGE, b"DC-CFC-2026-004"),
            ("index, no cache", uncached, CALL_INDEX, CALL_PAGE.encode()),
            ("page, no cache", uncached, CALL_PAGE, b"DC-CFC-2026-004"),
        ]
        sizes = {name: check_page(server, path, marker) for name, server, path, marker in targets}

        print(
            f"gunicorn {args.workers} sync workers per server, DJANGO_ENV=production (DEBUG off), "
            f"SQLite, whitenoise, Redis cache {'on' if redis_url else 'off'}; "
            f"{os.cpu_count()} CPUs shared with the load generator. The portal runs twice: "
            "with the anonymous page cache (as deployed) and with PAGE_CACHE=false."
        )
        print(
            f"Load: Python threads + http.client, {args.requests} requests per target and "
            f"round, concurrency {args.concurrency}, {args.rounds} rounds (median shown), "
            f"after {args.warmup} warm-up requests."
        )
        print(f"Load average before: {os.getloadavg()[0]:.2f} (1 min); other work skews figures.")
        for _name, server, path, _marker in targets:
            python_load(server.port, path, args.warmup, args.concurrency)
        rounds: dict[str, list[Result]] = {name: [] for name, *_rest in targets}
        for _round in range(args.rounds):
            for name, server, path, _marker in targets:
                rounds[name].append(
                    python_load(server.port, path, args.requests, args.concurrency)
                )

        print()
        print(
            f"{'target':<18} {'path':<60} {'bytes':>6} {'req/s':>8} "
            f"{'mean ms':>8} {'p95 ms':>7} {'non-200':>7}  rounds req/s"
        )
        results = {}
        for name, _server, path, _marker in targets:
            runs = rounds[name]
            result = sorted(runs, key=lambda run: run.rps)[len(runs) // 2]
            results[name] = result
            errors = sum(run.errors for run in runs)
            each = " ".join(f"{run.rps:.1f}" for run in runs)
            print(
                f"{name:<18} {path:<60} {sizes[name]:>6} {result.rps:>8.1f} "
                f"{result.mean_ms:>8.1f} {result.p95_ms:>7.1f} {errors:>7}  {each}"
            )
            for run in runs:
                if run.errors:
                    print(f"  statuses: {run.statuses}")

        print()
        print(f"Load average after: {os.getloadavg()[0]:.2f} (1 min).")
        print("Ratios, page / bare view:")
        baseline = results["bare Django view"].rps
        for name in ("call index", "call page", "index, no cache", "page, no cache"):
            ratio = results[name].rps / baseline
            print(f"  {name:<16} {ratio:6.3f}  ({ratio * 100:.1f} % of the bare view's rate)")
        plain = results["bare, no cache"].rps
        print("Against the bare view without the page cache's lookup:")
        for name in ("call index", "call page"):
            ratio = results[name].rps / plain
            print(f"  {name:<16} {ratio:6.3f}")

        if args.wrk:
            print()
            if shutil.which("wrk"):
                print(
                    f"Cross-check with wrk (1 thread, {args.concurrency} connections, "
                    f"{args.wrk} s per target):"
                )
                wrk_rps = {}
                for name, server, path, _marker in targets:
                    wrk_rps[name], text = wrk_load(server.port, path, args.wrk, args.concurrency)
                    print(f"  {name:<18} {text}")
                if wrk_rps["bare Django view"]:
                    for name in ("call index", "call page"):
                        ratio = wrk_rps[name] / wrk_rps["bare Django view"]
                        print(f"  ratio {name:<12} {ratio:6.3f}")
            else:
                print("wrk is not installed; no cross-check (apt-get install wrk).")

        if any(run.errors for runs in rounds.values() for run in runs):
            sys.exit("Some responses were not 200: the figures above are not valid.")
    finally:
        for server in servers:
            server.stop()
        if redis is not None:
            redis.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
