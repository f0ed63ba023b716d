"""The organisation's news: press releases, statements, reports, updates, appeals."""

from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core.blocks import ArticleBodyBlock
from core.page_cache import page_cache_canonical_query
from core.page_text import TranslatedText, with_text
from news.choices import ArticleCategory

ARTICLES_PER_PAGE = 10


class NewsIndexPage(TranslatedText, Page):
    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["tenders.HomePage"]
    subpage_types = ["news.ArticlePage"]
    max_count = 1
    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("news index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.live().child_of(self).order_by("-date", "-pk")
        category = request.GET.get("category", "")
        if category in ArticleCategory.values:
            articles = articles.filter(category=category)
        else:
            category = ""
        page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
        page_cache_canonical_query(
            request, category=category, page=page.number if "page" in request.GET else None
        )
        page.object_list = with_text(page.object_list)
        context.update(
            articles=page, categories=ArticleCategory.choices, current_category=category
        )
        return context


class ArticlePage(TranslatedText, Page):
    category = models.CharField(_("category"), max_length=20, choices=ArticleCategory.choices)
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("introduction"), max_length=500)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []
    content_panels = Page.content_panels + [
        FieldPanel("category"),
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("category"),
        index.FilterField("date"),
    ]

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
