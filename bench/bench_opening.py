"""The opening of a keyed call, and reading its bids back decrypted, against reading the
same stored bytes without decryption (issue 23, item 8).

    .venv/bin/python bench/bench_opening.py [--bids 100] [--size-mb 10] [--repeat 3]
        [--storage local|s3]

It builds a throwaway site in a temporary folder (SQLite database, var folder,
private folder), migrates it and loads the demo content: the open consultancy
call is keyed, its key split among the demo opening committee. It then gives
that call ``--bids`` submitted bids from as many applicants, each with one
"Technical proposal" of ``--size-mb`` MB (a PDF-like file of its own, made as it
is read, never whole in memory) stored as the portal stores it:
``applications.sealed_files.store_sealed`` encrypts it to private storage under a
data key of its own, sealed to the call's key, and its ``SubmissionFile`` records
that sealed key and the file's SHA-256; the bid's price is sealed to the call's
key too (``applications.services.amounts``).

A fresh process (``opening_phases.py``, as the storing is) then rebuilds the call's
private key from the quorum's shares (``applications.demo.demo_call_private``, as
the members' passphrases do at the opening) and times:

(a) the opening's re-sealing of every file's data key under the server's storage
    key (``items_open_for_panel``, what ``call_open`` runs in its transaction),
    against the same database work without the cryptography (the same rows read
    and written back, rolled back);
(b) reading every file back decrypted and checked against its SHA-256
    (``plaintext_chunks``, what the panel's downloads read), against
(c) reading the same stored objects without decryption, 64 KiB at a time, and
    the same with SHA-256 over them.

Each read pass goes over every file; the passes take turns ``--repeat`` times and
the median is reported. The files were just written, so on local storage every
pass reads from the page cache: the figures compare what the processor does, not
the disk. Memory is the process's peak RSS (VmHWM, reset before each pass) over
its RSS before the pass, the largest over the passes of a kind: it must not grow
with the files. Memory a pass frees stays with the process, so the first pass
(raw, on a fresh process) shows what reading costs and the later ones reuse it.
A panel download reads a sealed file twice (``verify``, then the stream): twice
(b) for each file downloaded.

``--storage s3`` puts private storage on an S3 API server (moto's server mode on
loopback), as production has it.

Figures are for this machine; read the ratios. Not part of the test suite.
"""

import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from benchsupport import ROOT, clean_up, site_database, site_env, start_s3
from opening_phases import MB, OPEN_CALL


def opening_site_env(tmp: Path) -> dict[str, str]:
    env = site_env(tmp)
    env.update(
        SECRET_KEY="bench-throwaway-" + secrets.token_urlsafe(32),
        BID_STORAGE_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return env


def run_phase(env, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "opening_phases.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"opening_phases.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(args, created: dict, m: dict) -> None:
    plain_mb, stored_mb = m["plain_bytes"] / MB, m["stored_bytes"] / MB
    stored_rate = args.bids * args.size_mb / created["store_seconds"]
    raw, raw_sha, dec = (m["medians"][k] for k in ("raw", "raw_sha256", "decrypted"))
    load = os.getloadavg()
    print()
    print(
        f"Opening {OPEN_CALL} (keyed) with {args.bids} bids of {args.size_mb:g} MB, one file "
        f"each, sealed to the call's key by store_sealed; private storage: {args.storage}; "
        f"median of {args.repeat}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    print(
        f"  stored: {args.bids} files, {args.bids * args.size_mb:g} MB, encrypted to storage "
        f"in {created['store_seconds']:.2f} s ({stored_rate:.0f} MB/s), process memory "
        f"+{created['growth'] / MB:.1f} MB"
    )
    print(
        f"  the call's key rebuilt from the quorum's shares (demo_call_private, passphrases "
        f"included): {m['rebuild_seconds']:.2f} s"
    )
    print()
    print(
        f"(a) the opening's re-sealing of every data key (items_open_for_panel, "
        f"{m['opened_items']} files and {m['priced']} sealed prices): {m['open_seconds']:.3f} s, "
        f"{m['open_seconds'] / max(m['opened_items'], 1) * 1e6:.0f} us per file; the same rows "
        f"read and written back without cryptography: {m['plain_update_seconds']:.3f} s"
    )
    print(
        f"(b) every file read back decrypted and checked (plaintext_chunks): {dec:.2f} s, "
        f"{plain_mb / dec:.0f} MB/s of plaintext ({plain_mb:.0f} MB); memory "
        f"+{m['growth']['decrypted'] / MB:.1f} MB"
    )
    print(
        f"(c) the same stored objects read raw, 64 KiB at a time: {raw:.2f} s, "
        f"{stored_mb / raw:.0f} MB/s ({stored_mb:.0f} MB of ciphertext); memory "
        f"+{m['growth']['raw'] / MB:.1f} MB; with SHA-256 over them: {raw_sha:.2f} s, "
        f"{stored_mb / raw_sha:.0f} MB/s; memory +{m['growth']['raw_sha256'] / MB:.1f} MB"
    )
    print(
        "    memory: peak RSS over RSS before the pass; the first pass (raw) pays for "
        "buffers the later ones reuse. A download reads a sealed file twice (verify, stream)."
    )
    print()
    print("Ratios (throughput, same bytes):")
    print(
        f"  decrypted read / raw read: {raw / dec:.2f}x "
        f"({plain_mb / dec:.0f} vs {stored_mb / raw:.0f} MB/s)"
    )
    print(f"  decrypted read / raw read with SHA-256: {raw_sha / dec:.2f}x")
    print(
        f"  opening re-sealing / one raw read of all the files (time): "
        f"{m['open_seconds'] / raw:.4f}x; re-sealing / the same database work without "
        f"cryptography: {m['open_seconds'] / m['plain_update_seconds']:.2f}x"
    )
    times = {"re-sealing": m["open_times"], "without crypto": m["plain_update_times"]}
    times.update(m["times"])
    print(
        "  each run (s): "
        + "; ".join(f"{k} " + ", ".join(f"{t:.3f}" for t in v) for k, v in times.items())
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bids", type=int, default=100)
    parser.add_argument("--size-mb", type=float, default=10, help="each bid's file, in MB")
    parser.add_argument("--repeat", type=int, default=3, help="passes of each read (median)")
    parser.add_argument("--storage", choices=("local", "s3"), default="local")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zabuni-bench-opening-"))
    s3 = None
    try:
        env = opening_site_env(tmp)
        if args.storage == "s3":
            s3 = start_s3(env, tmp)
        print(f"Preparing a throwaway site in {tmp} ...", flush=True)
        site_database(env, tmp, demo=True)
        print(f"Storing {args.bids} sealed bids of {args.size_mb:g} MB ...", flush=True)
        created = run_phase(env, "create", str(args.bids), str(int(args.size_mb * MB)))
        print("Opening and reading them back ...", flush=True)
        measured = run_phase(env, "measure", str(args.repeat))
        report(args, created, measured)
    finally:
        clean_up(tmp, s3=s3, keep=args.keep)


if __name__ == "__main__":
    main()
