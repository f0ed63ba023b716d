"""Real servers for tests/portal/test_proxy.py: gunicorn hosts serving the portal
against the test database, deploy/nginx.conf in front of them, an upstream that drops
every request, and a raw HTTP client that can send a body slowly.

Each gunicorn host records every request it is handed (the moment, the method, the
path, the headers) from gunicorn's ``pre_request`` hook, before the portal reads the
body: what the proxy forwarded, observed without a view made for the tests.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests import services

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
STARTUP_WAIT = 120.0

# gunicorn's config file: one JSON line per request, written before the app runs.
HOOKS = """
import json, os, time

def pre_request(worker, req):
    line = {
        "at": time.time(),
        "method": req.method,
        "path": req.path,
        "headers": {name.lower(): value for name, value in req.headers},
    }
    with open(os.environ["PROXY_TEST_SEEN"], "a") as seen:
        seen.write(json.dumps(line) + "\\n")
"""


def require_nginx() -> str:
    path = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not path:
        services.missing("nginx is not installed (apt-get install nginx-light)")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def end_process(process: subprocess.Popen, *, timeout: float) -> None:
    """SIGTERM, as a deploy stops a server; SIGKILL if it is not gone within ``timeout``."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for_port(port: int, process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited at start-up:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), 1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not listen on {port} within {STARTUP_WAIT:.0f} s")


def database_url(connection) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER'] or 'postgres'}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


class Gunicorn:
    """``portal.wsgi:application`` on a loopback port: its own var/ with private/ in it
    (the default layout), the shared media folder, and 127.0.0.1 as trusted proxy."""

    def __init__(self, name: str, folder: Path, media: Path, db_url: str, env=None):
        self.name, self.folder, self.port = name, folder, free_port()
        self.private = folder / "var" / "private"
        self.seen_path = folder / "seen.jsonl"
        self.log_path = folder / "gunicorn.log"
        for path in (self.private, media):
            path.mkdir(parents=True, exist_ok=True)
        (folder / "hooks.py").write_text(HOOKS)
        self.env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "ZABUNI_VAR_DIR": str(folder / "var"),
            "PRIVATE_ROOT": str(self.private),
            "MEDIA_ROOT": str(media),
            "TRUSTED_PROXIES": "127.0.0.1",
            "DEBUG": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PROXY_TEST_SEEN": str(self.seen_path),
            **(env or {}),
        }
        self.process = None

    def start(self) -> None:
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "portal.wsgi:application",
                "--config", str(self.folder / "hooks.py"),
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", "1", "--timeout", "120", "--log-level", "warning",
                "--worker-class", "portal.gunicorn_worker.PortalWorker",
            ],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.port, self.process, f"gunicorn {self.name}", self.log_path)

    def stop(self) -> None:
        if self.process is None:
            return
        end_process(self.process, timeout=20)
        self.log.close()
        self.process = None

    def seen(self, mark: str | None = None) -> list[dict]:
        """The requests this host was handed (that carried ``X-Test-Mark: mark``)."""
        if not self.seen_path.exists():
            return []
        lines = [json.loads(line) for line in self.seen_path.read_text().splitlines()]
        return [r for r in lines if mark is None or r["headers"].get("x-test-mark") == mark]


# What deploy/nginx-media-s3.conf names, replaced by moto's endpoint and the test's bucket.
COMPOSE_MEDIA_ENDPOINT, COMPOSE_MEDIA_BUCKET = "minio:9000", "zabuni-media"


class Nginx:
    """deploy/nginx.conf as it is, with its includes written for the test: the given
    upstream lines, a free loopback port, and ``public`` as the folder whose media/ it
    serves (a folder that also holds a host's private/, as var/ does); or, given
    ``media_bucket`` (S3 endpoint, bucket), deploy/nginx-media-s3.conf pointed there."""

    def __init__(
        self,
        folder: Path,
        upstreams: list[str],
        public: Path,
        media_bucket: tuple[str, str] | None = None,
    ):
        self.binary = require_nginx()
        self.folder, self.port = folder, free_port()
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("nginx.conf", "nginx-upstreams.conf", "nginx-site.conf"):
            assert (DEPLOY / name).exists(), f"deploy/{name} is missing"
        shutil.copy(DEPLOY / "nginx.conf", folder / "nginx.conf")
        shutil.copy(Path("/etc/nginx/mime.types"), folder / "mime.types")
        (folder / "nginx-upstreams.conf").write_text("".join(f"{u}\n" for u in upstreams))
        (folder / "nginx-site.conf").write_text(f"listen 127.0.0.1:{self.port};\nroot {public};\n")
        if media_bucket is None:
            shutil.copy(DEPLOY / "nginx-media-disk.conf", folder / "nginx-media.conf")
        else:
            endpoint, bucket = media_bucket
            media = (DEPLOY / "nginx-media-s3.conf").read_text()
            assert media.count(COMPOSE_MEDIA_ENDPOINT) == 2, "the endpoint moved"
            media = media.replace(f"/{COMPOSE_MEDIA_BUCKET}/", f"/{bucket}/")
            media = media.replace(COMPOSE_MEDIA_ENDPOINT, endpoint.removeprefix("http://"))
            (folder / "nginx-media.conf").write_text(media)
        self.access_log, self.error_log = folder / "access.log", folder / "error.log"
        directives = f"daemon off; pid {folder / 'nginx.pid'};"
        if os.geteuid() == 0:
            directives += " user www-data;"  # as Debian's own nginx.conf: its temp folders
        self.command = [
            self.binary, "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", directives,
        ]  # fmt: skip
        self.process = None

    def start(self) -> None:
        self.out = open(self.access_log, "ab")
        self.err = open(self.error_log, "ab")
        self.process = subprocess.Popen(self.command, stdout=self.out, stderr=self.err)
        wait_for_port(self.port, self.process, "nginx", self.error_log)

    def stop(self) -> None:
        if self.process is None:
            return
        end_process(self.process, timeout=10)
        self.out.close()
        self.err.close()
        self.process = None


def world_readable_folder() -> Path:
    """A tmp folder nginx's workers (www-data when the tests run as root) can read."""
    folder = Path(tempfile.mkdtemp(prefix="zabuni-proxy-"))
    folder.chmod(0o755)
    return folder


class Dropper:
    """An upstream that reads each request whole, counts it, and closes the
    connection without answering: a host that fell over while handling it."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        data += conn.recv(65536) or b"!"  # "!": closed before the headers
                    head, _, body = data.partition(b"\r\n\r\n")
                    length = next(
                        (
                            int(line.split(b":", 1)[1])
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    while len(body) < length:
                        body += conn.recv(65536)
                except OSError:
                    pass
                self.requests.append(data.split(b"\r\n", 1)[0])

    def close(self):
        self.sock.close()


def send(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    pieces: tuple[bytes, ...] = (),
    pause: float = 0.0,
    source: str = "127.0.0.1",
    content_length: int | None = None,
) -> dict:
    """One request from the loopback address ``source``, its body sent in ``pieces``
    with ``pause`` seconds between them (``content_length`` announces another size);
    returns the status, the headers (lower-cased names), the body, and
    ``last_piece_at``: the moment just before the body's last piece was sent."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"127.0.0.1:{port}")
        if pieces or content_length is not None or method in ("POST", "PUT"):
            length = (
                sum(len(piece) for piece in pieces) if content_length is None else content_length
            )
            conn.putheader("Content-Length", str(length))
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        last_piece_at = time.time()
        for n, piece in enumerate(pieces):
            if n:
                time.sleep(pause)
            last_piece_at = time.time()
            conn.send(piece)
        response = conn.getresponse()
        return {
            "status": response.status,
            "headers": {name.lower(): value for name, value in response.getheaders()},
            "cookies": response.headers.get_all("Set-Cookie") or [],
            "body": response.read(),
            "last_piece_at": last_piece_at,
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    """Two gunicorn hosts and nginx, started once for this module."""
    from django.db import connection

    services.require_postgres(connection)
    require_nginx()
    folder = world_readable_folder()
    media = folder / "a" / "var" / "media"
    db_url = database_url(connection)
    hosts = [
        Gunicorn("a", folder / "a", media, db_url),
        Gunicorn("b", folder / "b", media, db_url),
    ]
    nginx = Nginx(
        folder / "nginx",
        [f"server 127.0.0.1:{host.port} max_fails=1 fail_timeout=10s;" for host in hosts],
        # host a's var/: public media/ beside private/, as in the default layout.
        public=folder / "a" / "var",
    )
    try:
        for host in hosts:
            host.start()
        nginx.start()
        yield {"hosts": hosts, "nginx": nginx, "folder": folder}
    finally:
        nginx.stop()
        for host in hosts:
            host.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def proxy(stack, transactional_db, django_db_serialized_rollback, site_root):
    """The stack, with the demo-shaped site committed where the hosts can see it."""
    return stack
