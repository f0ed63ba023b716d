"""Loaded first (`-p tests.isolation` in pyproject.toml), before Django's settings.

Under pytest-xdist, each worker process gets its own Redis database (so its
Celery broker, page cache and rate limits never meet the other's) and its own
var/ folder (unfinished uploads, the beat schedule). pytest-django already gives
each worker its own test database (``test_<name>_gw0``). Without xdist, nothing
changes.
"""

import os
import re
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under xdist

if _worker:
    _index = int(_worker.removeprefix("gw"))
    _url = os.environ.get("REDIS_URL", "")
    if _url:
        match = re.match(r"^(redis://[^/]+)(?:/(\d+))?$", _url)
        if match:
            base = int(match.group(2) or 0)
            os.environ["REDIS_URL"] = f"{match.group(1)}/{(base + 1 + _index) % 16}"
            os.environ.pop("CELERY_BROKER_URL", None)
            os.environ.pop("PAGE_CACHE_URL", None)
    _root = Path(__file__).resolve().parent.parent
    os.environ.setdefault("ZABUNI_VAR_DIR", str(_root / "var" / f"test-{_worker}"))
