"""The last seconds of a call: applicants with drafts ready fire their final submit
at once, each with a 1 MB file, spread over the seconds around ``closes_at``.

    .venv/bin/python bench/bench_rush.py                 # PostgreSQL (4 workers) and SQLite (2)
    .venv/bin/python bench/bench_rush.py --only sqlite --applicants 40

Each request is sent over a fresh connection by its own thread, with its body
built in memory, and the moment its last byte left the client is recorded.
Printed per database:

- accepted, refused, 5xx;
- lost: sent wholly before ``closes_at`` but refused or answered 5xx;
- late-accepted: accepted though it started after ``closes_at``, or recorded
  with a time of receipt at or after it (read back from the database);
- p50 and p99 latency, from the first byte sent to the last byte of the answer;
- the baseline, in the same run: the same final submit sent by a few other
  applicants one at a time, days before the deadline (``--alone``), and the
  rush's p50 and p99 as multiples of its p50.

Targets (issue 8): 100 submits on PostgreSQL, 40 on SQLite; 0 lost, 0 late-
accepted, 0 x 5xx; p99 <= 2 s on PostgreSQL.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchsupport import ROOT, fresh_postgres, site_database, site_env
from upload_support import Gunicorn

MB = 1024 * 1024
SPREAD_BEFORE = 3.0  # seconds before the deadline the first submit leaves
SPREAD_AFTER = 1.0  # seconds after it the last one leaves
DEADLINE_MARGIN = 1.0  # seconds to set the deadline and start the threads
POSTGRES_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zabuni_bench_rush"
)


def pdf_bytes(size: int, tag: int) -> bytes:
    head = b"%PDF-1.4\n%" + str(tag).encode() + b"\n"
    tail = b"\ntrailer\n<< >>\n%%EOF\n"
    return head + b"%" * (size - len(head) - len(tail)) + tail


def get(port, path, cookies) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, cookies, response.read()
    finally:
        conn.close()


def multipart(fields: dict[str, str], file_field: str, data: bytes) -> tuple[bytes, str]:
    boundary = "rush-" + secrets.token_hex(10)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="proposal.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submit(port, path, cookies, body, content_type, at, result):
    """Wait until ``at`` (epoch seconds), then POST; record what happened."""
    time.sleep(max(0.0, at - time.time()))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.time()
    try:
        conn.putrequest("POST", path)
        conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
        conn.putheader("Content-Type", content_type)
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Referer", f"http://127.0.0.1:{port}{path}")
        conn.endheaders()
        conn.send(body)
        sent = time.time()
        response = conn.getresponse()
        page = response.read()
        result.update(
            status=response.status,
            location=response.getheader("Location") or "",
            started=started,
            sent=sent,
            done=time.time(),
            page=page[:200_000].decode("utf-8", "replace") if response.status != 302 else "",
        )
    except OSError as error:
        result.update(
            status=599, started=started, sent=time.time(), done=time.time(), page=str(error)
        )
    finally:
        conn.close()


def read_json(setup: subprocess.Popen, log: Path) -> dict:
    """The next JSON line the set-up process prints; stop if it exits first."""
    for line in setup.stdout:
        if line.startswith("{"):
            return json.loads(line)
    setup.wait()
    sys.exit(f"set-up failed:\n{log.read_text()}")


def bid_form(port, person, technical_field, tag: int) -> tuple:
    """Fetch a draft's bid form and build its final submit: (path, cookies, body, type)."""
    path = f"/bids/{person['submission']}/"
    status, cookies, page = get(port, path, {"sessionid": person["sessionid"]})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token:
        sys.exit(f"could not load the bid form ({status})")
    body, content_type = multipart(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "action": "submit",
            "offer_amount": "1250000",
            "offer_currency": "KES",
        },
        technical_field,
        pdf_bytes(MB, tag),
    )
    return path, cookies, body, content_type


def submit_alone(port, site) -> list[float]:
    """The baseline: the same final submit, one at a time, with nobody else sending and
    the deadline days away. Returns each one's latency."""
    latencies = []
    for n, person in enumerate(site["alone"]):
        result = {}
        form = bid_form(port, person, site["technical_field"], 100_000 + n)
        submit(port, *form, time.time(), result)
        if result["status"] != 302 or "/receipt/" not in result["location"]:
            sys.exit(f"a submit alone was not accepted ({result['status']}); no baseline")
        latencies.append(result["done"] - result["started"])
    return latencies


def run(kind: str, applicants: int, alone: int, workers: int, tmp: Path, threads: int) -> dict:
    env = site_env(tmp)
    env.update(DEBUG="false", OPENING_GRACE_SECONDS="120", CONN_MAX_AGE="60")
    if kind == "postgresql":
        fresh_postgres(env, POSTGRES_URL)
    site_database(env, tmp)
    setup_log = tmp / "setup.log"
    with open(setup_log, "wb") as errors:
        setup = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "rush_setup.py"), str(applicants), str(alone)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
            text=True,
        )  # fmt: skip
    try:
        site = read_json(setup, setup_log)
        # Sync workers, as the Dockerfile serves the portal; --threads tries gthread.
        extra = ("--worker-class", "gthread", "--threads", str(threads)) if threads else ()
        server = Gunicorn(env, tmp / f"gunicorn-{kind}.log", workers, extra=extra)
        try:
            alone_latencies = submit_alone(server.port, site)
            forms = [
                bid_form(server.port, person, site["technical_field"], n)
                for n, person in enumerate(site["people"])
            ]
            # Every form is in hand: the deadline can now be set a few seconds ahead.
            setup.stdin.write(f"deadline {SPREAD_BEFORE + DEADLINE_MARGIN}\n")
            setup.stdin.flush()
            closes_at = read_json(setup, setup_log)["closes_at"]
            plans = [
                (
                    *form,
                    closes_at - SPREAD_BEFORE + (SPREAD_BEFORE + SPREAD_AFTER) * n / applicants,
                    {},
                )
                for n, form in enumerate(forms)
            ]
            if time.time() > closes_at - SPREAD_BEFORE:
                sys.exit("setting the deadline took too long: the rush would start late")
            threads = [threading.Thread(target=submit, args=(server.port, *p)) for p in plans]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.stop()
        setup.stdin.write("count-late\n")
        setup.stdin.flush()
        recorded = read_json(setup, setup_log)["late"]
    finally:
        setup.kill()
        setup.wait()
    results = [plan[-1] for plan in plans]
    summary = summarise(kind, workers, results, closes_at, recorded, tmp / f"gunicorn-{kind}.log")
    summary["alone"] = len(alone_latencies)
    summary["alone_p50_s"] = round(statistics.median(alone_latencies), 3)
    return summary


def summarise(kind, workers, results, closes_at, recorded_late, log) -> dict:
    accepted = [r for r in results if r["status"] == 302 and "/receipt/" in r["location"]]
    errors = [r for r in results if r["status"] >= 500]
    refused = [r for r in results if r not in accepted and r not in errors]
    lost = [r for r in refused + errors if r["sent"] < closes_at]
    late_started = [r for r in accepted if r["started"] >= closes_at]
    latencies = sorted(r["done"] - r["started"] for r in results)
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    summary = {
        "database": kind,
        "workers": workers,
        "submits": len(results),
        "accepted": len(accepted),
        "refused": len(refused),
        "5xx": len(errors),
        "lost": len(lost),
        "late_accepted": len(late_started) + max(recorded_late, 0),
        "p50_s": round(statistics.median(latencies), 3),
        "p99_s": round(p99, 3),
        "sent_before_deadline": sum(r["sent"] < closes_at for r in results),
    }
    for r in lost[:3]:
        text = re.sub(r"<[^>]+>", " ", r["page"])
        reason = re.search(r"(The deadline[^.]*\.[^.]*\.|[^.]*can no longer[^.]*\.)", text)
        print(
            f"  lost: {r['status']} sent {r['sent'] - closes_at:+.3f} s: "
            f"{reason.group(1) if reason else text.strip()[:200]}"
        )
    if errors and "database is locked" in log.read_text(errors="replace"):
        print("  the server log says: database is locked")
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--applicants", type=int, help="default: 100 on PostgreSQL, 40 on SQLite")
    parser.add_argument("--alone", type=int, default=5, help="submits alone, the baseline")
    parser.add_argument("--threads", type=int, default=0, help="gthread threads per worker")
    args = parser.parse_args()
    plans = [("postgresql", 100, 4), ("sqlite", 40, 2)]
    rows = []
    for kind, applicants, workers in plans:
        if args.only and kind != args.only:
            continue
        with tempfile.TemporaryDirectory(prefix=f"rush-{kind}-") as tmp:
            print(
                f"{kind}: {args.applicants or applicants} submits, {workers} gunicorn workers"
                + (f" x {args.threads} threads" if args.threads else " (sync)")
            )
            rows.append(
                run(
                    kind,
                    args.applicants or applicants,
                    max(args.alone, 1),
                    workers,
                    Path(tmp),
                    args.threads,
                )
            )
            print("  " + json.dumps(rows[-1]))
    print()
    header = ["database", "submits", "accepted", "refused", "5xx", "lost", "late_accepted"]
    header += ["p50_s", "p99_s"]
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[h]) for h in header))
    print()
    for row in rows:
        print(
            f"{row['database']}: rush / one submit alone (p50 {row['alone_p50_s']} s over "
            f"{row['alone']}): p50 {row['p50_s'] / row['alone_p50_s']:.2f}x, "
            f"p99 {row['p99_s'] / row['alone_p50_s']:.2f}x"
        )


if __name__ == "__main__":
    main()
