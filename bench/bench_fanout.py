"""Fan-out: 1,000 recipients' notices through the outbox to a real SMTP server,
against a raw smtplib loop to the same server.

    .venv/bin/python bench/bench_fanout.py [--recipients 1000]

A throwaway site (SQLite by default, or PostgreSQL with --postgres) is migrated;
an aiosmtpd server runs in its own process. In one process, with the portal's
settings, the script:

- enqueues one notice per recipient in one transaction (rendering the three
  templates each, as a call-wide notice does);
- runs a raw ``smtplib`` loop over one connection, sending the same message
  (subject, text and HTML bodies) to every recipient: the baseline;
- delivers the outbox as the worker's task does: claim, send, mark sent, in
  batches of 200 over one connection each;
- runs the raw loop again, so that the baseline brackets the measured run.

It prints the throughput of both and the ratio (goal: at least 0.5x), and the
window in which a killed worker would send a message twice: from the relay's
acceptance to the committed sent mark.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchsupport import ROOT, free_port, fresh_postgres, site_database, site_env

POSTGRES_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zabuni_bench_fanout"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="zabuni-fanout-") as tmp:
        env = site_env(Path(tmp))
        if args.postgres:
            fresh_postgres(env, POSTGRES_URL)
        port = free_port()
        env.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            DEBUG="false",
        )
        site_database(env, Path(tmp))
        sink = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            if sink.stdout.readline().strip() != "ready":
                sys.exit("the SMTP server did not start")
            run = subprocess.run(
                [sys.executable, str(ROOT / "bench" / "fanout_run.py"), str(args.recipients)]
                + [str(port)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
        finally:
            sink.terminate()
            counted = json.loads(sink.communicate(timeout=30)[0].strip().splitlines()[-1])
        if run.returncode != 0:
            sys.exit(f"the run failed:\n{run.stderr}")
        result = json.loads(run.stdout.strip().splitlines()[-1])

    n = result["recipients"]
    raw = min(result["raw_s"])
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{n} recipients, one aiosmtpd server on loopback, {database}")
    print(f"  enqueue (render + insert, one transaction): {result['enqueue_s']:.2f} s")
    print(
        f"  raw smtplib loop:  {n / raw:7.0f} msg/s  (runs: "
        + ", ".join(f"{s:.2f} s" for s in result["raw_s"])
        + ")"
    )
    print(
        f"  outbox delivery:   {n / result['outbox_s']:7.0f} msg/s  ({result['outbox_s']:.2f} s, "
        f"{result['sent']} sent, all marked sent: {result['all_sent']})"
    )
    print(f"  ratio outbox / raw: {raw / result['outbox_s']:.2f}x (goal >= 0.5x)")
    window = result["window_ms"]
    print(
        f"  repeat window (relay accepted -> sent mark committed): p50 {window['p50']:.2f} ms, "
        f"p99 {window['p99']:.2f} ms, max {window['max']:.2f} ms"
    )
    print(
        f"  the server accepted {counted['accepted']} messages: {counted['distinct']} distinct "
        f"Message-IDs (expected {3 * n}: two raw loops and the outbox, none repeated)"
    )


if __name__ == "__main__":
    main()
