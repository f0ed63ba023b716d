"""The Swahili catalogue is whole, so Swahili is offered (portal/languages.py).

A message added to the code without its Swahili fails here, as does one left
fuzzy or a catalogue not compiled. Run ``make messages``, translate what is
new (docs/glossary-sw.md), and run it again to compile.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.conf import settings

from portal.languages import catalogue_gaps, offered_languages
from tests import services

LOCALE = Path(settings.BASE_DIR) / "locale"
# What `make messages` leaves out (Makefile: MESSAGE_IGNORES), and the rest of
# what is not the portal's code.
NOT_CODE = (".venv", "var", "test-artifacts", "tests", "bench", "docs", "scripts")
NOT_CODE += ("node_modules", ".git", "__pycache__", ".ruff_cache", "locale")


def test_the_swahili_catalogue_is_complete_and_compiled():
    assert catalogue_gaps(LOCALE, "sw") == []
    assert ("sw", "Kiswahili") in settings.LANGUAGES


def test_a_language_with_one_message_missing_is_not_offered(tmp_path):
    folder = tmp_path / "sw" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = polib.pofile(str(LOCALE / "sw" / "LC_MESSAGES" / "django.po"))
    catalogue[5].msgstr = ""
    catalogue.save(str(folder / "django.po"))
    catalogue.save_as_mofile(str(folder / "django.mo"))
    gaps = catalogue_gaps(tmp_path, "sw")
    assert gaps == [f"untranslated or fuzzy: {catalogue[5].msgid!r}"]
    languages = [("en", "English"), ("sw", "Kiswahili")]
    assert offered_languages(tmp_path, languages) == [("en", "English")]
    # Translated again but fuzzy: still a gap.
    catalogue[5].msgstr, catalogue[5].flags = "Kitu", ["fuzzy"]
    catalogue.save(str(folder / "django.po"))
    assert catalogue_gaps(tmp_path, "sw") == [f"untranslated or fuzzy: {catalogue[5].msgid!r}"]
    assert offered_languages(tmp_path, languages) == [("en", "English")]
    # Translated, but the compiled catalogue is older than the source: still a gap.
    catalogue[5].flags = []
    catalogue.save(str(folder / "django.po"))
    assert offered_languages(tmp_path, languages) == [("en", "English")]
    catalogue.save_as_mofile(str(folder / "django.mo"))
    assert offered_languages(tmp_path, languages) == languages


def test_every_message_of_the_code_is_in_the_catalogue(tmp_path):
    """makemessages, run on a copy of the code, finds no message the catalogue lacks."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        services.missing("GNU gettext (xgettext, msgmerge) is not installed")
    copy = tmp_path / "code"
    shutil.copytree(
        settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(*NOT_CODE, "*.pyc", "*.sqlite3")
    )
    (copy / "locale").mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_ENV": "test"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sw", "--no-location"],
        cwd=copy, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    found = {
        (entry.msgctxt, entry.msgid)
        for entry in polib.pofile(str(copy / "locale" / "sw" / "LC_MESSAGES" / "django.po"))
        if entry.msgid
    }
    catalogue = polib.pofile(str(LOCALE / "sw" / "LC_MESSAGES" / "django.po"))
    known = {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}
    assert len(found) > 1000
    missing = sorted(msgid for _context, msgid in found - known)
    assert missing == [], "Not in locale/sw (run `make messages`):\n" + "\n".join(missing)
