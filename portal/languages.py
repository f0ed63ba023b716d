"""Which languages the portal offers: English, and any other only when it is complete.

A person whose browser asks for Swahili gets the whole portal in Swahili or
the whole portal in English, never a mix of the two: a language whose
catalogue (``locale/<code>/LC_MESSAGES/django.po``) has a message missing or
fuzzy, or whose compiled catalogue (``django.mo``) does not hold every
message of it, is left out of ``LANGUAGES``, so Django never activates it.
``tests/core/test_translations.py`` fails on the same gaps, and on any
message in the code that the catalogue lacks.

This module is read by the settings, so it imports nothing from Django.
"""

import gettext
from pathlib import Path

import polib

# The language every string is written in; always complete.
SOURCE_LANGUAGE = "en"


def _key(entry) -> str | tuple:
    """An entry's key in a compiled catalogue (Python's gettext)."""
    key = entry.msgid if not entry.msgctxt else f"{entry.msgctxt}\x04{entry.msgid}"
    return (key, 0) if entry.msgid_plural else key


def catalogue_gaps(locale_dir: Path, code: str) -> list[str]:
    """The messages of a language that are missing, fuzzy or not compiled.

    An empty list means the language is complete. A missing catalogue is one gap.
    """
    folder = Path(locale_dir) / code / "LC_MESSAGES"
    po_path, mo_path = folder / "django.po", folder / "django.mo"
    if not po_path.exists() or not mo_path.exists():
        return [f"{po_path} or {mo_path} is missing"]
    catalogue = polib.pofile(str(po_path))
    with open(mo_path, "rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    gaps = []
    for entry in catalogue:
        if entry.obsolete or not entry.msgid:
            continue
        if not entry.translated():
            gaps.append(f"untranslated or fuzzy: {entry.msgid!r}")
        elif _key(entry) not in compiled:
            gaps.append(f"not compiled (run `make messages`): {entry.msgid!r}")
    return gaps


def catalogue_complete(locale_dir: Path, code: str) -> bool:
    """Whether a language is complete, as every process starts: a count, not a parse.

    msgfmt compiles only messages that are translated and not fuzzy, so the
    compiled catalogue holds as many messages as the source exactly when none
    is missing. Counting the source's ``msgid`` lines takes a millisecond;
    parsing it with polib (``catalogue_gaps``, which names the gaps and which
    the tests run) takes thirty.
    """
    folder = Path(locale_dir) / code / "LC_MESSAGES"
    try:
        source = (folder / "django.po").read_text(encoding="utf-8")
        with open(folder / "django.mo", "rb") as handle:
            compiled = gettext.GNUTranslations(handle)._catalog
    except OSError:
        return False
    # Obsolete entries start "#~ msgid"; the header is the one empty msgid.
    in_source = sum(1 for line in source.splitlines() if line.startswith('msgid "')) - 1
    in_compiled = len({key[0] if isinstance(key, tuple) else key for key in compiled} - {""})
    return in_source == in_compiled


def offered_languages(locale_dir: Path, languages: list[tuple[str, str]]) -> list[tuple]:
    """``languages`` without those whose catalogue has a gap."""
    return [
        (code, name)
        for code, name in languages
        if code == SOURCE_LANGUAGE or catalogue_complete(locale_dir, code)
    ]
