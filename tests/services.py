"""Helpers for tests that need a real server.

Without the server such a test skips, naming what is missing. With
``REQUIRE_SERVICES=1`` (CI sets it) a missing server fails the test instead,
so a skip can never be counted as a pass.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def missing(reason: str):
    if REQUIRED:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        missing("REDIS_URL is not set (Redis is needed for this test)")
    if not port_open(url, 6379):
        missing(f"Redis is not reachable at {url}")
    return url


def require_postgres(connection) -> None:
    if connection.vendor != "postgresql":
        missing("DATABASE_URL does not point at PostgreSQL (a separate worker process needs it)")


def require_chromium() -> str:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing(f"Chromium is not installed at {CHROMIUM}")
    return CHROMIUM
