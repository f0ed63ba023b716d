"""``{% fragment_cache "name" key ... %}…{% endfragment_cache %}``: a part of a page that is
the same for everyone, kept in the ``pages`` cache under the site's content version
(core/page_cache.py), so a signed-in person's page reuses it and renders only
what is theirs. Off with ``PAGE_CACHE``; never holds anything time-dependent.

Only what the public reads is kept. Wagtail's previews, "View draft" and revision
views render an unsaved page with the live page's id, so the fragment cache is
neither read nor written for a preview, nor for a page (the context's ``page``, as
Wagtail gives it) that is not live; the key carries that page's live revision.
"""

import hashlib

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Page

from core.page_cache import content_version, page_cache

register = template.Library()


def _live_revision(context) -> str | None:
    """What the fragment is keyed by; None when it must be rendered afresh."""
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False):
        return None  # without a request, a preview cannot be told apart
    if getattr(request, "is_dummy", False):
        return None
    page = context.get("page")
    if isinstance(page, Page):
        if not page.live or page.live_revision_id is None:
            return None
        return f"{page.pk}@{page.live_revision_id}"
    return "-"


class FragmentCacheNode(template.Node):
    def __init__(self, nodelist, parts):
        self.nodelist, self.parts = nodelist, parts

    def render(self, context):
        if not settings.PAGE_CACHE:
            return self.nodelist.render(context)
        revision = _live_revision(context)
        if revision is None:
            return self.nodelist.render(context)
        version = content_version()
        if version is None:  # the cache is down
            return self.nodelist.render(context)
        values = [str(part.resolve(context)) for part in self.parts]
        where = "|".join([*values, revision, get_language() or ""])
        key = f"fragment:{version}:{hashlib.sha256(where.encode()).hexdigest()}"
        cache = page_cache()
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, str(html), settings.PAGE_CACHE_SECONDS)
        return mark_safe(html)


@register.tag
def fragment_cache(parser, token):
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("fragment_cache needs a name")
    nodelist = parser.parse(("endfragment_cache",))
    parser.delete_first_token()
    return FragmentCacheNode(nodelist, [parser.compile_filter(bit) for bit in bits])
