"""The news pages: where they sit in the tree, and editors publishing them."""

from datetime import date

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from news.models import ArticlePage, NewsIndexPage
from tenders.models import HomePage
from tests.tenders.page_forms import assert_created, post_new_page


def test_news_index_sits_under_home_and_holds_only_articles(page_asserts):
    page_asserts.assertAllowedParentPageTypes(NewsIndexPage, {HomePage})
    page_asserts.assertAllowedSubpageTypes(NewsIndexPage, {ArticlePage})


def test_article_sits_only_under_the_news_index_and_has_no_children(page_asserts):
    page_asserts.assertAllowedParentPageTypes(ArticlePage, {NewsIndexPage})
    page_asserts.assertAllowedSubpageTypes(ArticlePage, set())


def test_editor_creates_the_news_index(editor_client, bare_home):
    response = post_new_page(
        editor_client,
        NewsIndexPage,
        bare_home,
        {"title": "News and publications", "slug": "news", "intro": "What we said."},
    )

    assert_created(response, bare_home)
    index = NewsIndexPage.objects.get()
    assert index.live
    assert index.get_parent().pk == bare_home.pk
    assert index.url == "/news/"


def test_editor_publishes_an_article(editor_client, site_root):
    news = site_root["news"]

    response = post_new_page(
        editor_client,
        ArticlePage,
        news,
        nested_form_data(
            {
                "title": "Statement on the arrest of a defender",
                "slug": "statement-arrest",
                "category": "statement",
                "date": "2026-03-14",
                "intro": "We condemn the arrest.",
                "body": streamfield(
                    [
                        ("heading", "What happened"),
                        ("paragraph", rich_text("<p>She was arrested at <i>dawn</i>.</p>")),
                        ("quote", "Defending rights is not a crime."),
                    ]
                ),
            }
        ),
    )

    assert_created(response, news)
    article = ArticlePage.objects.get(slug="statement-arrest")
    assert article.live
    assert article.get_parent().pk == news.pk
    assert article.category == "statement"
    assert article.date == date(2026, 3, 14)
    assert [block.block_type for block in article.body] == ["heading", "paragraph", "quote"]
    assert "<i>dawn</i>" in article.body[1].value.source
