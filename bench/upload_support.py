"""The upload benchmark's machinery: a PDF of any size on disk, a bare HTTP session that
streams a multipart upload from disk, per-process memory sampling, and gunicorn.

Imported by ``bench_upload.py`` beside it (``python bench/<script>.py`` puts this
folder on the path).
"""

import hashlib
import http.client
import re
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from benchsupport import ROOT, STARTUP_WAIT, free_port, wait_until

MB = 1024 * 1024
CHUNK = MB
SAMPLE_EVERY = 0.05


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

    def __init__(self, port: int, log: Path | None = None):
        self.port = port
        self.log = log  # the server's log, named when a page fails
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

    def request(self, method, path, body=None, headers=None, timeout=STARTUP_WAIT):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=self._headers(headers))
            response = conn.getresponse()
            data = response.read()
            self._keep_cookies(response)
            return response.status, response.getheader("Location"), data
        finally:
            conn.close()

    def form_token(self, path: str) -> str:
        """GET the page at ``path`` and return its form's CSRF token; stop, saying why,
        if the page is not a 200 with a form on it."""
        status, _location, page = self.request("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not found:
            where = f"; see the server's log, {self.log}" if self.log else ""
            sys.exit(f"GET {path} answered {status} with no form's CSRF token on it{where}")
        return found.group(1).decode()

    def post_form(self, path, fields: dict[str, str], token_from: str):
        body = urlencode({"csrfmiddlewaretoken": self.form_token(token_from), **fields})
        return self.request(
            "POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )

    def upload(self, path, fields: dict[str, str], file_field: str, file_path: Path):
        """A multipart POST with the file streamed from disk; returns (status, location, s)."""
        fields = {"csrfmiddlewaretoken": self.form_token(path), **fields}
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
    def __init__(self, env: dict[str, str], log: Path, workers: int, extra=()):
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
                *extra,
            ],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        if not wait_until(self._answering, "gunicorn"):
            self.stop()
            sys.exit(f"gunicorn did not start; its log:\n{log.read_text()}")

    def _answering(self) -> bool:
        """Whether a worker answers (with any status): the master listens long before
        its workers have imported the portal."""
        if self.process.poll() is not None:
            self.stop()
            sys.exit(f"gunicorn exited at start-up; its log:\n{self.log_path.read_text()}")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=STARTUP_WAIT)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

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
