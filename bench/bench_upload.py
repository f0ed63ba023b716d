"""Throughput and memory of a large upload through the bid form, WITH the encryption
the portal now does (issue 23), against the same file stored WITHOUT it.

    .venv/bin/python bench/bench_upload.py [--sizes 10,100] [--workers 1]
        [--storage local|s3] [--repeat 3] [--dir /dev/shm]

It builds a throwaway site in a temporary folder (SQLite database, var
folder, private folder, temporary-upload folder), migrates it and loads the
demo content, and raises the size limit of the open consultancy call's
"Technical proposal" to 200 MB directly in the database. The call is keyed, as
every call the demo publishes is: the portal encrypts the file on its way
in, to a scratch file under a key only the worker holds while the bytes arrive
(``core.uploadhandler``), and that scratch file, closed with a block that binds it to
its bid, is what storage keeps; its key, the file's data key, is sealed to the call's
key (``applications.sealed_files.store_scratch``). The file is encrypted once.

For each size it then starts gunicorn (sync workers, ``--timeout 300``, DEBUG
off), signs in as the demo applicant with a bare http.client session (CSRF
cookie and token), starts a bid, and uploads a valid PDF of that size as a
multipart POST streamed from disk, ``--repeat`` times (the median is reported),
in turn with the same upload to the unencrypted copy of the site (below).
It then checks that what storage holds is ciphertext: not a PDF, larger than
the file, and, opened with the call's key rebuilt from the demo committee's
shares, the file with the SHA-256 recorded.

While the requests run, a thread samples VmRSS and VmHWM of the gunicorn worker
processes every 50 ms. Each size gets a fresh gunicorn, so the high-water mark
is its own.

Against it, on the same file, in the same run, WITHOUT encryption:

- ``storages["private"].save()`` of the file, in a fresh subprocess with the
  portal's settings (warmed, like the worker, by one small save first), sampled
  the same way: the baseline the issue's target is stated against (the
  encrypted upload at least 0.9x its throughput, worker memory growth at most
  32 MB for a 100 MB upload);
- the same bid form on a copy of the site in which the call was never keyed,
  with the upload handler the portal had before issue 23 (``unsealed_settings``):
  gunicorn, the parser, the checks and the database as now, no encryption. The
  ratio of the two uploads is what encryption costs the portal end to end;
- in the same subprocess, the storage steps of an upload one by one, with and
  without encryption (``upload_baseline.py``): where the time goes.

``--storage s3`` puts private storage on an S3 API server (moto's server mode,
in its own process on loopback), as production has it; every path then stores
into the same bucket. On the local filesystem the raw save is a copy within the
page cache, faster than SHA-256 itself can read the bytes: the step "SHA-256 +
plain temp write" gives the most any path that fingerprints the file (as the
portal must, for the receipt) could reach there.

Figures are for this machine; read the ratios and how memory grows (or does
not) with the file size. Not part of the test suite.
"""

import argparse
import base64
import json
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchsupport import ROOT, clean_up, manage, site_database, site_env, start_s3
from upload_report import report
from upload_support import MB, SAMPLE_EVERY, Gunicorn, Sampler, Session, make_pdf, proc_status

APPLICANT = ("applicant@zabuni.local", "zabuni-applicant-demo")
OPEN_CALL = "DC-CFC-2026-004"
DOCUMENT = "Technical proposal"

PREPARE = f"""
import json
from tenders.models import CallPage, RequiredDocument
from applications.services.call_keys import call_key_in_use
call = CallPage.objects.get(reference_code={OPEN_CALL!r})
assert call_key_in_use(call.pk) is not None, "the demo's open call is not keyed"
doc = RequiredDocument.objects.get(page=call, name={DOCUMENT!r})
RequiredDocument.objects.filter(pk=doc.pk).update(max_size_mb=200)
print(json.dumps({{"call_id": call.pk, "call_path": call.get_url(), "requirement_id": doc.pk}}))
"""

# On the copy of the site for the upload without encryption: the call as if it had
# been published before calls were keyed (nothing is sealed to its key yet).
UNKEY = f"""
from applications.models import CallKey
from applications.services.call_keys import sealing_key_for
from tenders.models import CallPage
call = CallPage.objects.get(reference_code={OPEN_CALL!r})
CallKey.objects.filter(call=call).delete()
assert sealing_key_for(call.pk) is None
print("unkeyed")
"""

# What storage holds for the uploaded file; for a sealed one, also its SHA-256 once
# decrypted with the call's key, rebuilt from the demo committee's shares.
CHECK_STORED = """
import hashlib, json
from accounts.demo import DEMO_OPENING_PASSPHRASE
from applications.demo import demo_call_private
from applications.models import SubmissionFile
from applications.sealed_files import decrypted_chunks
from applications.sealing import data_key_open
from core.storage import private_storage
f = SubmissionFile.objects.select_related("submission__call").get(
    submission_id=%(submission)d, requirement__name=%(document)r, pending=False)
storage = private_storage()
with storage.open(f.object_name, "rb") as stored:
    head = stored.read(8)
out = {"sha256": f.sha256, "size": f.size, "object": f.object_name, "head": head.hex(),
       "stored_size": storage.size(f.object_name),
       "sealed": f.call_key_id is not None and f.sealed_key is not None}
if out["sealed"]:
    private = demo_call_private(f.submission.call, DEMO_OPENING_PASSPHRASE)
    key = data_key_open(f.sealed_key, private)
    digest = hashlib.sha256()
    for chunk in decrypted_chunks(f, key):  # checks its SHA-256 against the row's too
        digest.update(chunk)
    out["decrypted_sha256"] = digest.hexdigest()
    out["format"] = f.sealed_format or "stream"
print(json.dumps(out))
"""


def upload_site_env(tmp: Path) -> dict[str, str]:
    env = site_env(tmp)
    uploads_tmp = tmp / "upload-tmp"
    uploads_tmp.mkdir()
    env.update(
        TMPDIR=str(uploads_tmp),  # the upload handler's scratch files go here
        SECRET_KEY="bench-throwaway-" + secrets.token_urlsafe(32),
        BID_STORAGE_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return env


def unsealed_site(env: dict[str, str], tmp: Path) -> dict[str, str]:
    """A copy of the prepared site whose call was never keyed, served with the upload
    handler of before issue 23 (``unsealed_settings``); same private storage."""
    copy = tmp / "unsealed.sqlite3"
    source, target = sqlite3.connect(tmp / "bench.sqlite3"), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    plain = {**env, "DATABASE_URL": f"sqlite:///{copy}"}
    manage(plain, "shell", "-c", UNKEY)
    plain.update(
        DJANGO_SETTINGS_MODULE="unsealed_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "bench"), env.get("PYTHONPATH")])),
    )
    return plain


def check_stored(env, submission_id: int, pdf: Path, sha256: str, sealed: bool) -> dict:
    """Stop unless storage holds the file as the path should have stored it: sealed,
    ciphertext that decrypts to it; unsealed, the file as it is."""
    code = CHECK_STORED % {"submission": submission_id, "document": DOCUMENT}
    out = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    size = pdf.stat().st_size
    if [out["sha256"], out["size"]] != [sha256, size]:
        sys.exit(f"the recorded file does not match what was sent: {out}")
    plaintext = bytes.fromhex(out["head"]).startswith(b"%PDF")
    if sealed and not (
        out["sealed"]
        and not plaintext
        and out["stored_size"] > size
        and out["decrypted_sha256"] == sha256
    ):
        sys.exit(f"the encrypted upload is not stored as ciphertext of the file: {out}")
    if not sealed and (out["sealed"] or not plaintext or out["stored_size"] != size):
        sys.exit(f"the upload without encryption is not stored as it was sent: {out}")
    return out


class FormUploads:
    """One site's gunicorn, signed in as the demo applicant with a bid started and the
    worker warmed: ``once()`` uploads the file through the bid form and times it."""

    def __init__(self, env, ids, pdf, *, workers, log):
        self.server = Gunicorn(env, log, workers)
        self.env, self.ids, self.pdf = env, ids, pdf
        self.times = []
        try:
            self._prepare(log)
        except BaseException:
            self.server.stop()
            raise

    def _prepare(self, log):
        session = self.session = Session(self.server.port, log)
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
            f"/bids/calls/{self.ids['call_id']}/apply/", {}, token_from=self.ids["call_path"]
        )
        match = re.search(r"/bids/(\d+)/$", location or "")
        if status != 302 or not match:
            sys.exit(f"starting a bid answered {status} {location}")
        self.bid_path, self.submission_id = match.group(0), int(match.group(1))
        self.field = f"document_{self.ids['requirement_id']}"
        self.log = log
        # Warm the worker (templates, imports, and the storage's client, with a small
        # upload to the same field) before the reading: a worker that has served a
        # while has done all of this already.
        for _ in range(3):
            session.request("GET", self.bid_path)
        small = self.pdf.with_name(f"warm-up-{self.server.port}.pdf")
        make_pdf(small, 64 * 1024)
        status, _location, _seconds = session.upload(
            self.bid_path, {"action": "save"}, self.field, small
        )
        small.unlink()
        if status != 302:
            sys.exit(f"the warm-up upload answered {status}; see {log}")
        self.pids = self.server.workers()
        self.before = {pid: proc_status(pid) for pid in self.pids}
        self.sampler = Sampler(self.pids).__enter__()

    def once(self) -> None:
        # The last upload's bytes written out first: the disk's writeback of one upload
        # must not fall on the next one's time, whichever site it belongs to.
        os.sync()
        status, _location, seconds = self.session.upload(
            self.bid_path, {"action": "save"}, self.field, self.pdf
        )
        if status != 302:
            sys.exit(f"the upload answered {status}; see {self.log}")
        self.times.append(seconds)

    def finish(self, sha256: str, *, sealed: bool) -> dict:
        try:
            self.sampler.__exit__(None, None, None)
            after = {pid: proc_status(pid) for pid in self.pids}
            stored = check_stored(self.env, self.submission_id, self.pdf, sha256, sealed)
            pids, before, peak = self.pids, self.before, self.sampler.peak_rss
            return {
                "seconds": statistics.median(self.times),
                "times": self.times,
                "rss_before": max(before[p]["VmRSS"] for p in pids),
                "growth": max(max(peak[p] - before[p]["VmRSS"] for p in pids), 0),
                "hwm_growth": max(after[p]["VmHWM"] - before[p]["VmHWM"] for p in pids),
                "samples": self.sampler.samples,
                "stored": stored,
            }
        finally:
            self.server.stop()


def measure_baseline(env, pdf: Path, repeat: int) -> dict:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "upload_baseline.py"), str(pdf),
         str(SAMPLE_EVERY), str(repeat)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"the baseline copy failed:\n{result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["size"] != pdf.stat().st_size:
        sys.exit("the baseline copy has the wrong size")
    figures["seconds"] = figures["medians"]["raw_save"]
    figures["growth"] = max(figures["rss_peak"] - figures["rss_before"], 0)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10,100", help="file sizes in MB, comma-separated (smallest: 1)"
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--storage", choices=("local", "s3"), default="local")
    parser.add_argument("--repeat", type=int, default=3, help="uploads of each size (median)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--dir",
        default=None,
        help="where the throwaway site lives (default: the system's temporary folder); "
        "/dev/shm takes the disk's writeback, which falls at random on either upload, out "
        "of the comparison",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="zabuni-bench-upload-", dir=args.dir))
    s3 = None
    try:
        env = upload_site_env(tmp)
        if args.storage == "s3":
            s3 = start_s3(env, tmp)
        print(f"Preparing a throwaway site in {tmp} ...", flush=True)
        site_database(env, tmp, demo=True)
        ids = json.loads(manage(env, "shell", "-c", PREPARE).strip().splitlines()[-1])
        plain_env = unsealed_site(env, tmp)

        rows = []
        for size in sizes:
            pdf = tmp / f"proposal-{size}mb.pdf"
            sha256 = make_pdf(pdf, size * MB)
            # Both servers up at once, their uploads taken in turn, each first every other
            # round: the machine's changing state (disk writeback, other load) falls on
            # both alike.
            sealed = FormUploads(env, ids, pdf, workers=args.workers, log=tmp / "gunicorn.log")
            try:
                unsealed = FormUploads(
                    plain_env, ids, pdf, workers=args.workers, log=tmp / "gunicorn-plain.log"
                )
            except BaseException:
                sealed.server.stop()
                raise
            for round_ in range(args.repeat):  # each goes first every other round
                for site in (sealed, unsealed) if round_ % 2 == 0 else (unsealed, sealed):
                    site.once()
            upload = sealed.finish(sha256, sealed=True)
            plain = unsealed.finish(sha256, sealed=False)
            baseline = measure_baseline(env, pdf, args.repeat)
            rows.append((size, upload, plain, baseline))
            pdf.unlink()
            leftovers = [p for p in (tmp / "upload-tmp").iterdir()]
            if leftovers:
                print(f"  note: {len(leftovers)} temporary upload file(s) left behind")
        report(rows, args)
    finally:
        clean_up(tmp, s3=s3, keep=args.keep)


if __name__ == "__main__":
    main()
