"""The list of calls: filters, search and pagination."""

from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from core.page_cache import page_cache_canonical_query
from core.page_text import TranslatedText, with_text
from tenders.forms import CallFilterForm
from tenders.models.calls import CallPage

CALLS_PER_PAGE = 10


class CallIndexPage(TranslatedText, Page):
    """Lists the organisation's calls, with filters, search and pagination."""

    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["tenders.HomePage"]
    subpage_types = ["tenders.CallPage"]
    max_count = 1
    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("call index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        form = CallFilterForm(request.GET or None)
        calls = CallPage.objects.live().child_of(self).select_related("closing")
        filters = {}
        if form.is_valid():
            filters = {name: form.cleaned_data[name] for name in ("kind", "state")}
            calls = calls.matching(**filters, text=form.cleaned_data["q"])
        calls = calls.in_listing_order()
        paginator = Paginator(calls, CALLS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        # The anonymous page cache keeps only these values; a search (q) is one
        # reader's question, answered afresh and never kept.
        page_cache_canonical_query(
            request, **filters, page=page.number if "page" in request.GET else None
        )
        page.object_list = with_text(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form, calls=page, paginator=paginator, filter_query=query.urlencode()
        )
        return context
