"""The Swahili catalogue is whole, so Swahili is offered (portal/languages.py).

A message left fuzzy or a catalogue not compiled fails here; a message added to
the code without its Swahili fails `make lint` (scripts/check_messages.py).
Run ``make messages``, translate what is new (docs/glossary-sw.md), and run it
again to compile.
"""

from pathlib import Path

import polib
from django.conf import settings

from portal.languages import catalogue_gaps, offered_languages

LOCALE = Path(settings.BASE_DIR) / "locale"


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


# That every message of the code is in the catalogue is checked by `make lint`
# (scripts/check_messages.py): it needs xgettext, not a database.
