"""The home page: open calls first, then news."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from core.page_text import TranslatedText, with_text
from news.models import ArticlePage
from tenders.models.calls import CallPage
from tenders.models.index_page import CallIndexPage

HOME_OPEN_CALLS = 6
HOME_NEWS = 3


class HomePage(TranslatedText, Page):
    hero_title = models.CharField(_("hero title"), max_length=160, blank=True)
    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["tenders.CallIndexPage", "news.NewsIndexPage"]
    max_count = 1
    content_panels = Page.content_panels + [FieldPanel("hero_title"), FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["open_calls"] = with_text(
            CallPage.objects.live()
            .descendant_of(self)
            .open_now()
            .order_by("closes_at")[:HOME_OPEN_CALLS]
        )
        context["latest_news"] = with_text(
            ArticlePage.objects.live().descendant_of(self).order_by("-date", "-pk")[:HOME_NEWS]
        )
        context["call_index"] = CallIndexPage.objects.live().descendant_of(self).first()
        return context
