"""The embedded default (SQLite, what `make run` gives) holds a rush: WAL, a busy
timeout and IMMEDIATE transactions mean no "database is locked", ever."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_sqlite

ROOT = Path(__file__).resolve().parents[2]
APPLICANTS = 8
# Variables that would point the fresh process away from its embedded default.
INHERITED = ("DATABASE_URL", "DJANGO_ENV", "REDIS_URL", "CELERY_BROKER_URL", "PRIVATE_ROOT")


@pytest.mark.long_running
def test_applicants_submitting_at_once_on_sqlite_all_succeed(tmp_path, migrated_sqlite):
    # The embedded default's database, migrated (its own migrate then finds nothing to do).
    copy_sqlite(migrated_sqlite, tmp_path / "var" / "zabuni.sqlite3")
    env = {key: value for key, value in os.environ.items() if key not in INHERITED}
    env.update(
        ZABUNI_VAR_DIR=str(tmp_path / "var"),
        DJANGO_ENV="test",
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.applications.sqlite_rush", str(APPLICANTS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])

    assert outcome["journal_mode"] == "wal"
    assert outcome["errors"] == []
    assert outcome["numbers"] == list(range(1, APPLICANTS + 1))
    assert "database is locked" not in result.stderr
