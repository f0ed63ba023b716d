"""Real parts to break: a Redis server, an SMTP server and Celery workers of our own.

Nothing here stops the shared services: each test starts its own instances on
free ports and stops or kills those.
"""

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests import services

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout=30.0, interval=0.1, what="condition"):
    """``tests.conftest.wait_for``, saying what was awaited if it times out."""
    from tests.conftest import wait_for

    try:
        return wait_for(predicate, timeout, interval)
    except pytest.fail.Exception:
        pytest.fail(f"{what} not met within {timeout} s")


class RedisServer:
    """A throwaway redis-server on a free port, that can be stopped and started again."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            services.missing("redis-server is not installed")
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, 10, what="redis-server start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        wait_until(lambda: not self._answers(), 10, what="redis-server stop")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class _Recorder:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        if self.sink.delay:
            time.sleep(self.sink.delay)  # a slow relay: the worker can be killed mid-batch
        with self.sink.lock:
            self.sink.received.append((message["Message-ID"], envelope.rcpt_tos[0]))
        return "250 Message accepted for delivery"


class SMTPSink:
    """A real SMTP server (aiosmtpd) that counts what it accepted, by Message-ID."""

    def __init__(self, delay: float = 0.0):
        self.port = free_port()
        self.delay = delay
        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(_Recorder(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def by_message_id(self) -> Counter:
        with self.lock:
            return Counter(mid for mid, _to in self.received)


def worker_env(*, database_url: str, broker_url: str, smtp_port: int, extra=None) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "5",
    }
    env.update(extra or {})
    return env


class Worker:
    """A real Celery worker process (prefork, one child) on the given broker."""

    def __init__(self, env: dict, app: str = "portal", log_name: str = "fault-worker.log"):
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = open(ARTIFACTS / log_name, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app, "worker", "--loglevel", "INFO"]
            + ["--concurrency", "1", "--without-gossip", "--without-mingle"]
            + ["-Q", "celery,heavy"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self._ready, 60, interval=0.3, what="the Celery worker's start")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail("The Celery worker exited at start-up; see test-artifacts/")
        return bool(self.children()) and b"ready." in Path(self.log.name).read_bytes()

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def kill(self) -> None:
        """SIGKILL the whole worker: no clean shutdown, nothing acknowledged."""
        for pid in self.children():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.kill()
        self.process.wait(10)

    def kill_child(self) -> int:
        """SIGKILL the pool process running tasks; the main process replaces it."""
        pid = self.children()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


class celery_broker:
    """Point this process's Celery app at another broker for a while (publishing only)."""

    def __init__(self, url: str):
        from portal.celery import app

        self.app, self.url = app, url

    def _reset(self):
        self.app._pool = None
        self.app.amqp._producer_pool = None

    def __enter__(self):
        self.saved = self.app.conf.broker_url
        self.app.conf.broker_url = self.url
        self._reset()
        return self.app

    def __exit__(self, *exc):
        self.app.conf.broker_url = self.saved
        self._reset()
