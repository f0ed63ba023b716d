"""``{% fragment_cache "name" key ... %}…{% endfragment_cache %}``: a part of a page that is
the same for everyone, kept in the cache under the site's content version
(core/page_cache.py), so a signed-in person's page reuses it and renders only
what is theirs. Off with ``PAGE_CACHE``; never holds anything time-dependent."""

import hashlib

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.page_cache import content_version

register = template.Library()


class FragmentCacheNode(template.Node):
    def __init__(self, nodelist, parts):
        self.nodelist, self.parts = nodelist, parts

    def render(self, context):
        if not settings.PAGE_CACHE:
            return self.nodelist.render(context)
        version = content_version()
        if version is None:  # the cache is down
            return self.nodelist.render(context)
        values = [str(part.resolve(context)) for part in self.parts]
        digest = hashlib.sha256("|".join([*values, get_language() or ""]).encode()).hexdigest()
        key = f"fragment:{version}:{digest}"
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
