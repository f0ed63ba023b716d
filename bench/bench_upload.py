"""Memory and throughput of a large upload through the bid form, against a plain copy.

    .venv/bin/python bench/bench_upload.py [--sizes 10,100] [--workers 1]

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
with ``storages["private"].save()`` in a fresh subprocess, sampled the same
way. Each size gets a fresh gunicorn, so the high-water mark is its own.

Figures are for this machine; read the ratios and how memory grows (or
does not) with the file size. Not part of the test suite.
"""

import argparse
import hashlib
import http.client
import json
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from benchsupport import ROOT, free_port, manage, site_env

APPLICANT = ("applicant@zabuni.local", "zabuni-applicant-demo")
OPEN_CALL = "DC-CFC-2026-004"
DOCUMENT = "Technical proposal"
MB = 1024 * 1024
CHUNK = MB
SAMPLE_EVERY = 0.05

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
before = status("VmRSS")
sampler = threading.Thread(target=sample)
sampler.start()
began = time.perf_counter()
with open(sys.argv[1], "rb") as source:
    name = storage.save(f"baseline/copy-{time.time_ns()}", File(source))
elapsed = time.perf_counter() - began
done.set()
sampler.join()
peak[0] = max(peak[0], status("VmRSS"))
print(json.dumps({"seconds": elapsed, "rss_before": before, "rss_peak": peak[0],
                  "size": storage.size(name)}))
storage.delete(name)
"""


def upload_site_env(tmp: Path) -> dict[str, str]:
    env = site_env(tmp)
    uploads_tmp = tmp / "upload-tmp"
    uploads_tmp.mkdir()
    env.update(
        TMPDIR=str(uploads_tmp),  # Django's temporary upload files go here
        SECRET_KEY="bench-throwaway-" + secrets.token_urlsafe(32),
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return env


def make_pdf(path: Path, size: int) -> str:
    """Write a PDF of exactly ``size`` bytes to disk, a chunk at a time; return its SHA-256."""
    header = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    trailer = b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    line = b"%" + b"0" * 1022 + b"\n"
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        remaining = size - len(header) - len(trailer)
        for piece in (header,):
            out.write(piece)
            digest.update(piece)
        block = line * (CHUNK // len(line))
        while remaining > 0:
            piece = block[: min(remaining, len(block))]
            out.write(piece)
            digest.update(piece)
            remaining -= len(piece)
        out.write(trailer)
        digest.update(trailer)
    return digest.hexdigest()


class Session:
    """A browser session over http.client: cookies, CSRF token, no redirects followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def _headers(self, extra=None) -> dict[str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, response) -> None:
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def request(self, method, path, body=None, headers=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=self._headers(headers))
            response = conn.getresponse()
            data = response.read()
            self._keep_cookies(response)
            return response.status, response.getheader("Location"), data
        finally:
            conn.close()

    def csrf_token(self, page: bytes) -> str:
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not found:
            sys.exit("No CSRF token on the page")
        return found.group(1).decode()

    def post_form(self, path, fields: dict[str, str], token_from: str):
        _status, _location, page = self.request("GET", token_from)
        body = urlencode({"csrfmiddlewaretoken": self.csrf_token(page), **fields})
        return self.request(
            "POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )

    def upload(self, path, fields: dict[str, str], file_field: str, file_path: Path):
        """A multipart POST with the file streamed from disk; returns (status, location, s)."""
        _status, _location, page = self.request("GET", path)
        fields = {"csrfmiddlewaretoken": self.csrf_token(page), **fields}
        boundary = "bench-" + secrets.token_hex(12)
        head = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ) + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{file_path.name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        )
        tail = f"\r\n--{boundary}--\r\n".encode()
        length = len(head) + file_path.stat().st_size + len(tail)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        began = time.perf_counter()
        try:
            conn.putrequest("POST", path, skip_host=True)
            headers = self._headers(
                {
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(length),
                }
            )
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            conn.send(head)
            with open(file_path, "rb") as source:
                while chunk := source.read(CHUNK):
                    conn.send(chunk)
            conn.send(tail)
            response = conn.getresponse()
            response.read()
            self._keep_cookies(response)
            return response.status, response.getheader("Location"), time.perf_counter() - began
        finally:
            conn.close()


def proc_status(pid: int) -> dict[str, int]:
    values = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) * 1024
    except FileNotFoundError:
        pass
    return values


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


@dataclass
class Sampler:
    """Samples the RSS of some processes every 50 ms in a thread."""

    pids: list[int]
    peak_rss: dict[int, int] = field(default_factory=dict)
    samples: int = 0

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for pid in self.pids:
                rss = proc_status(pid).get("VmRSS", 0)
                self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), rss)
            self.samples += 1
            time.sleep(SAMPLE_EVERY)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class Gunicorn:
    def __init__(self, env: dict[str, str], log: Path, workers: int):
        self.port = free_port()
        self.log_path = log
        self.log = open(log, "ab")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "portal.wsgi:application",
                "--chdir", str(ROOT),
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(workers),
                "--timeout", "300",
                "--log-level", "warning",
            ],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"gunicorn did not start; its log:\n{log.read_text()}")

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


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
        session = Session(server.port)
        status, location, _ = session.post_form(
            "/account/login/",
            {"username": APPLICANT[0], "password": APPLICANT[1]},
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
        # Warm the worker (templates, imports) before the baseline reading.
        for _ in range(3):
            session.request("GET", bid_path)
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100", help="file sizes in MB, comma-separated")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="zabuni-bench-upload-"))
    try:
        env = upload_site_env(tmp)
        print(f"Preparing a throwaway site in {tmp} ...", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo_content")
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
            "vs storages['private'].save() of the same file"
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
                f"{(l_up['growth'] + 1) / (s_up['growth'] + 1):.1f}x the memory)."
            )
        print(
            "RSS +MB: peak VmRSS sampled every 50 ms minus VmRSS just before. HWM +MB: "
            "change in VmHWM over the request. Times include the loopback transfer."
        )
    finally:
        if args.keep:
            print(f"Kept {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
