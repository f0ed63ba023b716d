"""Serving pages: always through the default language's tree.

Wagtail routes a reader through the tree of their language once the site's home
page has a translation there, and a page not yet translated would then be a 404.
Here the default tree is the site: a page's URL is its original's, in every
language, and the reader's language picks the words (``core.page_text``).

A translation's own URL (an editor's "View live", a rich-text link, or a slug
the translator changed) redirects to its original's.
"""

from django.http import Http404
from django.shortcuts import redirect
from wagtail import views as wagtail_views
from wagtail.models import Site


def _route(page, request, components):
    try:
        return page.specific.route(request, components)
    except Http404:
        return None


def _original_url(request, site, components):
    """The URL of the original of the page a translation's path names, if any."""
    for root in site.root_page.get_translations().live():
        found = _route(root, request, components)
        if found is None:
            continue
        original = found[0].get_translation_or_none(site.root_page.locale_id)
        if original is not None and original.live:
            return original.get_url(request)
    return None


def serve(request, path):
    site = Site.find_for_request(request)
    if site is not None and not hasattr(request, "_wagtail_route_for_request"):
        components = [component for component in path.split("/") if component]
        found = _route(site.root_page, request, components)
        if found is None:
            url = _original_url(request, site, components)
            if url:
                return redirect(url)
        # Wagtail's serve reads the route from here instead of finding its own.
        request._wagtail_route_for_request = found
    return wagtail_views.serve(request, path)
