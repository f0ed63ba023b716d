"""The proxied set-up of ``bench_rush.py --proxy``: two gunicorn hosts serving
``portal.wsgi:application`` against one database and one Redis, each with its own
var folder, and deploy/nginx.conf in front of them on a free loopback port.

deploy/nginx.conf is copied unchanged; only its two includes are written here (the
two hosts, the port), as tests/portal/proxy_support.py does for the proxy's tests.
Each host trusts 127.0.0.1 as its proxy (``TRUSTED_PROXIES``), so the time of
receipt is nginx's ``X-Request-Start``, stamped once the body was fully buffered.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from benchsupport import ROOT, free_port, wait_until
from upload_support import Gunicorn

DEPLOY = ROOT / "deploy"
IGNORED_STAMP = "X-Request-Start ignored"
# nginx's $msec has millisecond resolution: the stamp may be up to 1 ms before the
# moment it stands for.
STAMP_RESOLUTION = 0.001


def nginx_binary() -> str:
    path = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not path:
        sys.exit("nginx is not installed (apt-get install nginx-light): --proxy needs it")
    return path


class Nginx:
    """deploy/nginx.conf with ``upstreams`` and a free loopback port."""

    def __init__(self, folder: Path, upstreams: list[str], public: Path):
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
        shutil.copy(DEPLOY / "nginx.conf", folder / "nginx.conf")
        shutil.copy(Path("/etc/nginx/mime.types"), folder / "mime.types")
        (folder / "nginx-upstreams.conf").write_text("".join(f"{u}\n" for u in upstreams))
        (folder / "nginx-site.conf").write_text(f"listen 127.0.0.1:{self.port};\nroot {public};\n")
        shutil.copy(DEPLOY / "nginx-media-disk.conf", folder / "nginx-media.conf")
        self.access_log, self.error_log = folder / "access.log", folder / "error.log"
        directives = f"daemon off; pid {folder / 'nginx.pid'};"
        if os.geteuid() == 0:
            # As Debian's own nginx.conf: its temporary folders (request bodies over
            # 1 MB are buffered there) belong to www-data.
            directives += " user www-data;"
        self.out, self.err = open(self.access_log, "ab"), open(self.error_log, "ab")  # noqa: SIM115
        command = [nginx_binary(), "-c", str(folder / "nginx.conf"), "-p", str(folder)]
        self.process = subprocess.Popen(
            [*command, "-g", directives], stdout=self.out, stderr=self.err
        )
        if not wait_until(self._listening, "nginx"):
            self.stop()
            sys.exit(f"nginx did not start; its log:\n{self.error_log.read_text()}")

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            sys.exit(f"nginx exited at start-up:\n{self.error_log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), 1):
                return True
        except OSError:
            return False

    def posts_per_upstream(self) -> Counter:
        """How many POSTs each upstream host was handed (from the access log)."""
        found = re.findall(r'"POST [^"]*" \d+ .* "([^"]+)" "', self.access_log.read_text())
        return Counter(found)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.out.close()
        self.err.close()


class ProxiedHosts:
    """Two gunicorn hosts of ``workers`` each, nginx in front; ``port`` is nginx's."""

    def __init__(self, env: dict[str, str], tmp: Path, workers: int):
        self.hosts: list[Gunicorn] = []
        self.nginx = None
        try:
            for name in ("a", "b"):
                folder = tmp / f"host-{name}"
                (folder / "var").mkdir(parents=True, exist_ok=True)
                host_env = {
                    **env,
                    "ZABUNI_VAR_DIR": str(folder / "var"),
                    "TRUSTED_PROXIES": "127.0.0.1",
                }
                self.hosts.append(
                    Gunicorn(
                        host_env,
                        folder / "gunicorn.log",
                        workers,
                        extra=("--worker-class", "portal.gunicorn_worker.PortalWorker"),
                    )
                )
            upstreams = [
                f"server 127.0.0.1:{host.port} max_fails=1 fail_timeout=10s;"
                for host in self.hosts
            ]
            self.nginx = Nginx(tmp / "nginx", upstreams, public=tmp)
        except BaseException:
            self.stop()
            raise
        self.port = self.nginx.port

    def report(self) -> dict:
        """Which host took how many POSTs, and how many proxy stamps a host ignored
        (too old or too far ahead of the database's clock: core.receipt)."""
        per_upstream = self.nginx.posts_per_upstream()
        return {
            "posts_per_host": [per_upstream.get(f"127.0.0.1:{h.port}", 0) for h in self.hosts],
            "stamps_ignored": sum(
                h.log_path.read_text(errors="replace").count(IGNORED_STAMP) for h in self.hosts
            ),
        }

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for host in self.hosts:
            host.stop()


def cpu_times() -> tuple[int, int]:
    """The machine's CPU time so far, (busy, all), in clock ticks, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def cpu_used(before: tuple[int, int], after: tuple[int, int]) -> str:
    """The share of the machine's cores in use between two ``cpu_times()``."""
    total = after[1] - before[1]
    return f"{(after[0] - before[0]) / total:.0%}" if total else "-"


class Busy:
    """Competing CPU-bound processes, one per core, spinning until stopped; ``stop``
    returns the share of the cores they had (CPU seconds over wall seconds x cores)."""

    def __init__(self, processes: int | None = None):
        self.cores = os.cpu_count() or 1
        self.began = time.monotonic()
        self.processes = [
            subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(processes or self.cores)
        ]

    def stop(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        used = 0.0
        for process in self.processes:
            try:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                used += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
            except (FileNotFoundError, IndexError):
                pass
            process.kill()
            process.wait()
        return used / ((time.monotonic() - self.began) * self.cores)
