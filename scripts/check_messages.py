"""`make lint`: every message of the code is in the Swahili catalogue.

Runs makemessages on a copy of the code (so the catalogue itself is never
touched) and fails, naming them, on messages locale/sw/ lacks. Moved out of the
test suite: it takes seconds of xgettext and needs no database.
(tests/core/test_translations.py checks the catalogue is complete and compiled.)
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
# What `make messages` leaves out (Makefile: MESSAGE_IGNORES), and the rest of
# what is not the portal's code.
NOT_CODE = (".venv", "var", "test-artifacts", "tests", "bench", "docs", "scripts")
NOT_CODE += ("node_modules", ".git", "__pycache__", ".ruff_cache", "locale")


def main() -> int:
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        print("GNU gettext (xgettext, msgmerge) is needed: apt-get install gettext")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "code"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_CODE, "*.pyc", "*.sqlite3"))
        (copy / "locale").mkdir()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_ENV": "test"}
        result = subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "sw", "--no-location"],
            cwd=copy, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if result.returncode:
            print(result.stdout, result.stderr)
            return result.returncode
        found = {
            (entry.msgctxt, entry.msgid)
            for entry in polib.pofile(str(copy / "locale" / "sw" / "LC_MESSAGES" / "django.po"))
            if entry.msgid
        }
    catalogue = polib.pofile(str(ROOT / "locale" / "sw" / "LC_MESSAGES" / "django.po"))
    known = {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}
    if len(found) < 1000:
        print(f"makemessages found only {len(found)} messages: is the code all there?")
        return 1
    missing = sorted(msgid for _context, msgid in found - known)
    if missing:
        print("Not in locale/sw (run `make messages`, then translate):")
        print("\n".join(missing))
        return 1
    print(f"Every one of the code's {len(found)} messages is in locale/sw.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
