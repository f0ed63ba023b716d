"""A page's text in the reader's language.

Editors translate a call or an article with Wagtail's localisation
(``wagtail.contrib.simple_translation``): the translation is a page of its own,
in the Swahili tree. It is never served or used for anything but its words. The
page in the default language stays *the* page: its URL, its dates and facts, its
bids, clarifications and panels. When a reader's language has a live
translation, ``page.text`` is that translation, and templates take the title,
summary and body from it; otherwise ``page.text`` is the page itself.

``page.text`` is looked up once per page and language (a mailing renders one
call in several languages); ``with_text`` fills it for a whole list in one query.
"""

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import get_language
from wagtail.models import Page

_MEMO = "_text_in"


def reading_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _memo(page) -> dict:
    return page.__dict__.setdefault(_MEMO, {})


def _live_translation(page, language):
    """The live translation of ``page`` in ``language``, or None."""
    return (
        type(page)
        ._default_manager.filter(
            translation_key=page.translation_key, locale__language_code=language, live=True
        )
        .first()
    )


class TranslatedText:
    """For page models: ``text`` and ``text_language``, in the active language.

    New pages are created only in the default language's tree: the other trees
    hold translations, made from an original with Wagtail's "Translate".
    """

    @classmethod
    def can_create_at(cls, parent):
        return super().can_create_at(parent) and (
            parent.is_root() or parent.locale.language_code == settings.LANGUAGE_CODE
        )

    @property
    def is_translation(self) -> bool:
        """True for a page in another language than the default one."""
        return self.locale_id is not None and (self.locale.language_code != settings.LANGUAGE_CODE)

    @property
    def text(self):
        return self._text_and_language()[0]

    @property
    def text_language(self) -> str:
        """The language ``text`` is written in, for a ``lang`` attribute."""
        return self._text_and_language()[1]

    @cached_property
    def language_versions(self) -> set[str]:
        """The languages this page can be read in: its own and each live translation's."""
        return set(
            Page.objects.filter(translation_key=self.translation_key, live=True).values_list(
                "locale__language_code", flat=True
            )
        )

    @property
    def has_own_text(self) -> bool:
        """True when the reader's language has a translation (or is the page's own)."""
        return self.text_language == reading_language()

    def _text_and_language(self):
        language = reading_language()
        memo = _memo(self)
        if language not in memo:
            translation = None
            if language != settings.LANGUAGE_CODE:
                translation = _live_translation(self, language)
                if translation is not None and translation.pk == self.pk:
                    translation = self  # a translation read (or previewed) as it is
            memo[language] = (
                (translation, language) if translation else (self, settings.LANGUAGE_CODE)
            )
        return memo[language]


def with_text(pages) -> list:
    """``pages`` as a list, each with its ``text`` for the active language: one query
    for all of them (none in the default language)."""
    pages = list(pages)
    language = reading_language()
    if not pages or language == settings.LANGUAGE_CODE:
        return pages
    found = {
        translation.translation_key: translation
        for translation in type(pages[0])._default_manager.filter(
            translation_key__in=[page.translation_key for page in pages],
            locale__language_code=language,
            live=True,
        )
    }
    for page in pages:
        translation = found.get(page.translation_key)
        _memo(page)[language] = (
            (translation, language) if translation else (page, settings.LANGUAGE_CODE)
        )
    return pages


def rows_with_text(page, relation: str) -> list:
    """A page's inline rows (criteria, documents), each with ``text``: the row of the
    translation that was copied from it (``original``), else itself. Rows keep that
    link through reordering; a row added to the original later reads in its own words.
    Facts (points, envelopes, limits) are always read from the page's own rows."""
    rows = list(getattr(page, relation).all())
    language = reading_language()
    translated = {}
    if page.text is not page:
        translated = {
            row.original_id: row
            for row in getattr(page.text, relation).all()
            if row.original_id is not None
        }
    for row in rows:
        _memo(row)[language] = translated.get(row.pk, row)
    return rows


class TranslatedRow(models.Model):
    """For a page's inline rows: ``text``, the row's words in the active language.

    ``original`` links a translation's row to the row it was copied from (set when
    Wagtail's "Translate" copies the page: ``link_copied_rows``)."""

    original = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    # Not a reference worth Wagtail's reference index (it would index every row of
    # every call on every save: about 40% more queries per publish).
    original.wagtail_reference_index_ignore = True
    text_relation = ""  # the page's name for these rows, e.g. "required_documents"

    class Meta:
        abstract = True

    @property
    def text(self):
        language = reading_language()
        memo = _memo(self)
        if language not in memo:
            if language == settings.LANGUAGE_CODE:
                memo[language] = self
            else:
                rows = rows_with_text(self.page, self.text_relation)
                found = next((row for row in rows if row.pk == self.pk), None)
                memo[language] = _memo(found)[language] if found else self
        return memo[language]


def link_copied_rows(original, copy, relations) -> None:
    """After Wagtail copies ``original`` into another language: each copied row
    remembers the row it came from (the copy keeps the original's order)."""
    for relation in relations:
        sources = list(getattr(original, relation).all())
        copies = list(getattr(copy, relation).all())
        if len(sources) != len(copies):
            continue
        for source, row in zip(sources, copies, strict=True):
            row.original_id = source.pk
            row.save(update_fields=["original"])
