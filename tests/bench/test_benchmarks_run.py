"""Every benchmark in bench/ still runs, and still prints its figures (issue 21, item 13).

Each ``bench/bench_*.py`` runs as a subprocess with its smallest settings (a few
requests, a small file): it must exit 0 and print the line that holds its
measured figures and its ratio against the baseline it runs alongside. A new
benchmark is picked up by the glob and fails here until it has an entry in
``SMALLEST``. The figures themselves are never asserted on: this machine's
speed is not the test's business.

The benchmarks build throwaway sites of their own (SQLite in a temporary
folder, their own gunicorn, Redis, S3 and SMTP servers on free ports); the
settings of the test run (its database, Redis, broker) are not passed on
(bench/benchsupport.py). They share one migrated database through
``BENCH_SITE_CACHE``, so the run migrates once.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import services
from tests.conftest import copy_sqlite

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted(path.name for path in (ROOT / "bench").glob("bench_*.py"))
NUMBER = r"\d+\.\d+"  # a measured figure: not nan, not inf


@dataclass(frozen=True)
class Smallest:
    args: tuple[str, ...]
    figures: str  # a regular expression for the line with the figures and the ratio


SMALLEST = {
    "bench_fanout.py": Smallest(
        ("--recipients", "10"),
        rf"^  ratio outbox / raw: {NUMBER}x",
    ),
    "bench_forms.py": Smallest(
        (
            "--questions",
            "5",
            "--few",
            "2",
            "--page-requests",
            "2",
            "--requests",
            "20",
            "--rounds",
            "1",
            "--warmup",
            "4",
            "--concurrency",
            "2",
            "--workers",
            "1",
            "--sizes",
            "20,50",
            "--reviewers",
            "2",
            "--criteria",
            "2",
            "--repeat",
            "1",
        ),
        rf"^  (PASS|FAIL) bid page: \d+ queries with 5 questions, \d+ with 2 .*\n"
        rf"  (PASS|FAIL) autosave: {NUMBER}x the bare view's rate \({NUMBER} vs {NUMBER} .*\n"
        rf"  (PASS|FAIL) workbook: sheet_build {NUMBER}x raw openpyxl at 50 bids .*\n"
        rf"  (PASS|FAIL) workbook queries: \d+ at 20 bids, \d+ at 50 bids",
    ),
    "bench_opening.py": Smallest(
        ("--bids", "3", "--size-mb", "1", "--repeat", "1"),
        rf"^  decrypted read / raw read: {NUMBER}x",
    ),
    "bench_pages.py": Smallest(
        (
            "--requests",
            "20",
            "--rounds",
            "1",
            "--warmup",
            "4",
            "--concurrency",
            "2",
            "--workers",
            "1",
        ),
        rf"^Ratios, page / bare view:\n  call index\s+{NUMBER}\s",
    ),
    "bench_rush.py": Smallest(
        ("--only", "sqlite", "--applicants", "4", "--alone", "2"),
        rf"^sqlite: rush / one submit alone \(p50 {NUMBER} s over 2\): "
        rf"p50 {NUMBER}x, p99 {NUMBER}x",
    ),
    "bench_sheet.py": Smallest(
        ("--sizes", "10", "--reviewers", "2", "--criteria", "2", "--repeat", "1"),
        rf"^\s+10 sheet_build \(builder\)\s+{NUMBER}\s+{NUMBER}\s+\d+\s+{NUMBER}\s+{NUMBER}$",
    ),
    "bench_upload.py": Smallest(
        ("--storage", "s3", "--sizes", "1"),
        rf"^\s+1MB: throughput vs raw save {NUMBER}x",
    ),
}

# A guard against a hung benchmark, not a measure: a run takes well under a minute.
HANG = 900


@pytest.fixture(scope="module")
def site_cache(tmp_path_factory, migrated_sqlite) -> Path:
    """One migrated database (and demo site) for all the benchmarks of this run,
    starting from the run's own migrated SQLite database (bench/benchsupport.py
    copies it instead of migrating)."""
    cache = tmp_path_factory.mktemp("bench-site")
    copy_sqlite(migrated_sqlite, cache / "migrated" / "db.sqlite3")
    return cache


def run_benchmark(script: str, args: tuple[str, ...], cache: Path) -> tuple[int, str]:
    """Run a benchmark in its own process group, so that on a hang the servers it
    started go with it."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env={**os.environ, "BENCH_SITE_CACHE": str(cache)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"{script} still running after {HANG} s:\n{output}")
    return process.returncode, output


@pytest.mark.long_running
@pytest.mark.parametrize("script", BENCHMARKS)
def test_benchmark_runs_with_its_smallest_settings_and_prints_its_figures(script, site_cache):
    if not shutil.which("redis-server"):
        services.missing("redis-server is not installed (bench_pages runs its own)")
    smallest = SMALLEST.get(script)
    if smallest is None:
        pytest.fail(f"bench/{script} has no smallest settings: add them to SMALLEST in {__file__}")

    returncode, output = run_benchmark(script, smallest.args, site_cache)

    assert returncode == 0, f"{script} {' '.join(smallest.args)} failed:\n{output}"
    assert re.search(smallest.figures, output, re.MULTILINE), (
        f"{script} printed no line matching {smallest.figures!r}:\n{output}"
    )


def test_every_smallest_setting_is_for_a_benchmark_that_exists():
    assert set(SMALLEST) <= set(BENCHMARKS)
