"""Memory and throughput of a large upload through the bid form, against a plain copy.

    .venv/bin/python bench/bench_upload.py [--sizes 10,100] [--workers 1] [--storage local|s3]

It builds a throwaway site in a temporary folder (SQLite database, var
folder, private folder, temporary-upload folder), migrates it and loads the
demo content, and raises the size limit of the open consultancy call's
"Technical proposal" to 200 MB directly in the database. For each size it
then starts gunicorn (sync workers, ``--timeout 300``, DEBUG off), signs in
as the demo applicant with a bare http.client session (CSRF cookie and
token), starts a bid, and uploads a valid PDF of that size as a multipart
POST streamed from disk: neither the client nor, if the portal is right, the
server holds the file in memory.

While the request runs, a thread samples VmRSS and VmHWM of the gunicorn
worker processes every 50 ms. The baseline, in the same run and with the
same settings, copies the same file straight into the same private storage
with ``storages["private"].save()`` in a fresh subprocess (warmed, like the
worker, by one small save first), sampled the same way. Each size gets a
fresh gunicorn, so the high-water mark is its own.

``--storage s3`` puts private storage on an S3 API server (moto's server
mode, in its own process on loopback), as production has it; the baseline
then saves into the same bucket. On the local filesystem the raw save is a
copy within the page cache, faster than SHA-256 itself can read the bytes:
the line "hash + one write" gives the most any path that fingerprints the
file (as the portal must, for the receipt) could reach there.

Figures are for this machine; read the ratios and how memory grows (or
does not) with the file size. Not part of the test suite.
"""

import argparse
import base64
import json
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from benchsupport import ROOT, free_port, manage, site_database, site_env, wait_until
from upload_support import MB, SAMPLE_EVERY, Gunicorn, Sampler, Session, make_pdf, proc_status

APPLICANT = ("applicant@zabuni.local", "zabuni-applicant-demo")
OPEN_CALL = "DC-CFC-2026-004"
DOCUMENT = "Technical proposal"

PREPARE = f"""
import json
from tenders.models import CallPage, RequiredDocument
call = CallPage.objects.get(reference_code={OPEN_CALL!r})
doc = RequiredDocument.objects.get(page=call, name={DOCUMENT!r})
RequiredDocument.objects.filter(pk=doc.pk).update(max_size_mb=200)
print(json.dumps({{"call_id": call.pk, "call_path": call.get_url(), "requirement_id": doc.pk}}))
"""

# Run in a subprocess with the portal's settings: copy the file into private
# storage, sampling this process's own memory meanwhile.
BASELINE = """
import json, sys, threading, time
import django
django.setup()
from django.core.files import File
from django.core.files.storage import storages

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
peak = [0]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], status("VmRSS"))
        time.sleep(float(sys.argv[2]))
storage = storages["private"]
# Warm the storage's client (an S3 session and connection), as the portal's worker is
# warmed by a small upload before its measurement.
from django.core.files.base import ContentFile
storage.delete(storage.save(f"baseline/warm-up-{time.time_ns()}", ContentFile(b"warm-up")))
before = status("VmRSS")
sampler = threading.Thread(target=sample)
sampler.start()
began = time.perf_counter()
with open(sys.argv[1], "rb") as source:
    name = storage.save(f"baseline/copy-{time.time_ns()}", File(source))
elapsed = time.perf_counter() - began
# The least any upload path must do besides the transfer: hash the bytes and
# write them once, 1 MB at a time, with no parser and no HTTP.
import hashlib, os, tempfile
began = time.perf_counter()
digest = hashlib.sha256()
scratch = tempfile.NamedTemporaryFile(dir=os.environ["TMPDIR"])
with open(sys.argv[1], "rb") as source, scratch as out:
    while chunk := source.read(1024 * 1024):
        digest.update(chunk)
        out.write(chunk)
    out.flush()
floor = time.perf_counter() - began
done.set()
sampler.join()
peak[0] = max(peak[0], status("VmRSS"))
print(json.dumps({"seconds": elapsed, "floor_seconds": floor, "rss_before": before,
                  "rss_peak": peak[0], "size": storage.size(name)}))
storage.delete(name)
"""


def upload_site_env(tmp: Path) -> dict[str, str]:
    env = site_env(tmp)
    uploads_tmp = tmp / "upload-tmp"
    uploads_tmp.mkdir()
    env.update(
        TMPDIR=str(uploads_tmp),  # Django's temporary upload files go here
        SECRET_KEY="bench-throwaway-" + secrets.token_urlsafe(32),
        BID_STORAGE_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return env


def check_stored(env, submission_id: int, sha256: str, size: int) -> str:
    out = (
        manage(
            env,
            "shell",
            "-c",
            "from applications.models import SubmissionFile\n"
            f"f = SubmissionFile.objects.get(submission_id={submission_id}, "
            f"requirement__name={DOCUMENT!r}, pending=False)\n"
            "print(f.sha256, f.size, f.object_name)",
        )
        .strip()
        .splitlines()[-1]
        .split()
    )
    if out[:2] != [sha256, str(size)]:
        sys.exit(f"the stored file does not match what was sent: {out}")
    return out[2]


def measure_upload(env, ids, pdf: Path, sha256: str, workers: int, log: Path) -> dict:
    server = Gunicorn(env, log, workers)
    try:
        session = Session(server.port, log)
        status, location, _ = session.post_form(
            "/account/login/",
            {
                # django-two-factor-auth's wizard: the step, then the step's fields.
                "sign_in_view-current_step": "auth",
                "auth-username": APPLICANT[0],
                "auth-password": APPLICANT[1],
            },
            token_from="/account/login/",
        )
        if status != 302:
            sys.exit(f"sign-in answered {status}")
        status, location, _ = session.post_form(
            f"/bids/calls/{ids['call_id']}/apply/", {}, token_from=ids["call_path"]
        )
        match = re.search(r"/bids/(\d+)/$", location or "")
        if status != 302 or not match:
            sys.exit(f"starting a bid answered {status} {location}")
        bid_path = match.group(0)
        # Warm the worker (templates, imports, and the storage's client, with a small
        # upload to the same field) before the baseline reading: a worker that has
        # served a while has done all of this already.
        for _ in range(3):
            session.request("GET", bid_path)
        small = pdf.with_name("warm-up.pdf")
        make_pdf(small, 64 * 1024)
        status, _location, _seconds = session.upload(
            bid_path, {"action": "save"}, f"document_{ids['requirement_id']}", small
        )
        small.unlink()
        if status != 302:
            sys.exit(f"the warm-up upload answered {status}; see {log}")
        pids = server.workers()
        before = {pid: proc_status(pid) for pid in pids}
        with Sampler(pids) as sampler:
            status, location, seconds = session.upload(
                bid_path,
                {"action": "save"},
                f"document_{ids['requirement_id']}",
                pdf,
            )
        after = {pid: proc_status(pid) for pid in pids}
        if status != 302:
            sys.exit(f"the upload answered {status}; see {log}")
        object_name = check_stored(env, int(match.group(1)), sha256, pdf.stat().st_size)
        growth = max(sampler.peak_rss[p] - before[p]["VmRSS"] for p in pids)
        hwm_growth = max(after[p]["VmHWM"] - before[p]["VmHWM"] for p in pids)
        return {
            "seconds": seconds,
            "rss_before": max(before[p]["VmRSS"] for p in pids),
            "growth": max(growth, 0),
            "hwm_growth": hwm_growth,
            "samples": sampler.samples,
            "object": object_name,
        }
    finally:
        server.stop()


def measure_baseline(env, pdf: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", BASELINE, str(pdf), str(SAMPLE_EVERY)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"the baseline copy failed:\n{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["size"] != pdf.stat().st_size:
        sys.exit("the baseline copy has the wrong size")
    return figures


def start_s3(env: dict[str, str], tmp: Path) -> subprocess.Popen:
    """moto's S3 server in its own process on a free loopback port, with a private
    bucket; ``env`` is pointed at it."""
    import urllib.request

    port = free_port()
    log = open(tmp / "moto.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=5)
            return True
        except OSError:
            return False

    if not wait_until(answering, "moto's S3 server"):
        process.kill()
        sys.exit(f"moto's S3 server did not start; see {tmp / 'moto.log'}")
    env.update(
        AWS_STORAGE_BUCKET_NAME="zabuni-bench-private",
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
    )
    import boto3

    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="bench", aws_secret_access_key="bench",
    ).create_bucket(Bucket="zabuni-bench-private", ACL="private")  # fmt: skip
    return process


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10,100", help="file sizes in MB, comma-separated (smallest: 1)"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--storage", choices=("local", "s3"), default="local")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="zabuni-bench-upload-"))
    s3 = None
    try:
        env = upload_site_env(tmp)
        if args.storage == "s3":
            s3 = start_s3(env, tmp)
        print(f"Preparing a throwaway site in {tmp} ...", flush=True)
        site_database(env, tmp, demo=True)
        ids = json.loads(manage(env, "shell", "-c", PREPARE).strip().splitlines()[-1])

        rows = []
        for size in sizes:
            pdf = tmp / f"proposal-{size}mb.pdf"
            sha256 = make_pdf(pdf, size * MB)
            upload = measure_upload(env, ids, pdf, sha256, args.workers, tmp / "gunicorn.log")
            baseline = measure_baseline(env, pdf)
            baseline["growth"] = max(baseline["rss_peak"] - baseline["rss_before"], 0)
            rows.append((size, upload, baseline))
            pdf.unlink()
            leftovers = [p for p in (tmp / "upload-tmp").iterdir()]
            if leftovers:
                print(f"  note: {len(leftovers)} temporary upload file(s) left behind")

        print()
        print(
            f"Upload through the bid form (gunicorn, {args.workers} sync worker(s), DEBUG off) "
            f"vs storages['private'].save() of the same file, private storage: {args.storage}"
        )
        header = (
            f"{'size':>6} | {'upload s':>8} {'MB/s':>7} {'RSS +MB':>8} {'HWM +MB':>8} | "
            f"{'copy s':>7} {'MB/s':>7} {'RSS +MB':>8} | {'time x':>6} {'RSS x':>6}"
        )
        print(header)
        print("-" * len(header))
        for size, up, base in rows:
            up_rate = size / up["seconds"]
            base_rate = size / base["seconds"]
            ratio_mem = (up["growth"] / base["growth"]) if base["growth"] else float("nan")
            print(
                f"{size:>4}MB | {up['seconds']:8.2f} {up_rate:7.1f} {up['growth'] / MB:8.1f} "
                f"{up['hwm_growth'] / MB:8.1f} | {base['seconds']:7.2f} {base_rate:7.1f} "
                f"{base['growth'] / MB:8.1f} | {up['seconds'] / base['seconds']:6.1f} "
                f"{ratio_mem:6.1f}"
            )
        print()
        for size, up, base in rows:
            floor_rate = size / base["floor_seconds"]
            print(
                f"{size:>4}MB: throughput vs raw save {base['seconds'] / up['seconds']:.2f}x; "
                f"hash + one write of the same file, in-process, no HTTP: {floor_rate:.0f} MB/s "
                f"({base['seconds'] / base['floor_seconds']:.2f}x of raw save, the most any "
                "upload path that fingerprints the file could reach)"
            )
        print()
        for size, up, base in rows:
            print(
                f"{size:>4}MB: worker RSS before {up['rss_before'] / MB:.1f} MB, "
                f"{up['samples']} samples; baseline process RSS before "
                f"{base['rss_before'] / MB:.1f} MB; stored as {up['object']}"
            )
        if len(rows) >= 2:
            (small, s_up, _), (large, l_up, _) = rows[0], rows[-1]
            print(
                f"\nWorker RSS growth: {s_up['growth'] / MB:.1f} MB at {small} MB, "
                f"{l_up['growth'] / MB:.1f} MB at {large} MB "
                f"({large / small:.0f}x the file, "
                f"{(l_up['growth'] + MB) / (s_up['growth'] + MB):.1f}x the memory, "
                "each plus 1 MB)."
            )
        print(
            "RSS +MB: peak VmRSS sampled every 50 ms minus VmRSS just before. HWM +MB: "
            "change in VmHWM over the request. Times include the loopback transfer."
        )
    finally:
        if s3 is not None:
            s3.terminate()
            s3.wait(timeout=10)
        if args.keep:
            print(f"Kept {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
