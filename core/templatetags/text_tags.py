"""``{% text_lang page %}``: a ``lang`` attribute on an editor's text that is not in
the reader's language (a page not yet translated), so screen readers speak it in
its own language (WCAG 3.1.2)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def text_lang(page):
    language = getattr(page, "text_language", None)
    if language is None or page.has_own_text:
        return ""
    return format_html(' lang="{}"', language)
