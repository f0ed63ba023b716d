"""Swahili versions of calls and articles (issue 13): made with Wagtail's own
"Translate" (wagtail.contrib.simple_translation), linked from the English page,
read at the original's URL. The original stays the call: its dates, bids and
panels; a translation lends it only its words."""

from datetime import timedelta

import pytest
from django.db import connection
from django.forms.models import apply_limit_choices_to_to_formfield
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale, Page

from applications.models import OpeningCommittee
from core.page_cache import page_cache_invalidate
from news.models import ArticlePage
from notifications.models import OutboxMessage
from tenders.demo.swahili import translate_page
from tenders.models import CallClosing, CallCriterion, CallPage, Clarification, HomePage
from tenders.services import calls_close_due
from tests.factories import SuperuserFactory, UserFactory, build_site, make_call, submit_bid

pytestmark = pytest.mark.django_db

SWAHILI_TITLE = "Mafunzo ya uwekaji kumbukumbu kwa mtazamo wa kijinsia"


@pytest.fixture
def swahili():
    return Locale.objects.get_or_create(language_code="sw")[0]


@pytest.fixture
def site(swahili):
    return build_site()


def translate(page, locale, rows=None, **words):
    return translate_page(page, locale, words, rows, copy_parents=True)


@pytest.fixture
def call(site):
    return make_call(site["calls"], title="Documentation training from a gender perspective")


@pytest.fixture
def translated(call, swahili):
    return translate(
        call,
        swahili,
        rows={
            "criteria": [{"title": "Mbinu"}, {"title": "Uzoefu"}],
            "required_documents": [
                {"name": "Pendekezo la kiufundi"},
                {"name": "Pendekezo la kifedha"},
            ],
        },
        title=SWAHILI_TITLE,
        summary="Tunatafuta mshauri wa kuwafunza watetezi.",
    )


def read_in(client, language, url, **kwargs):
    client.cookies["django_language"] = language
    return client.get(url, **kwargs)


def test_an_editor_translates_a_call_with_wagtails_translate_action(client, site, call, swahili):
    client.force_login(SuperuserFactory())

    def submit(page):
        url = reverse("simple_translation:submit_page_translation", args=[page.pk])
        return client.post(url, {"locales": [swahili.pk]})

    # Wagtail's form offers Swahili for a call once its parents have a Swahili version.
    form = client.get(reverse("simple_translation:submit_page_translation", args=[call.pk]))
    assert "a parent page is not translated" in form.content.decode()
    # Sent anyway, it is refused with the reason, and nothing is copied.
    refused = submit(call)
    assert refused.status_code == 302
    message = client.get(refused.url).content.decode()
    assert "translate its parent page into that language first" in message
    assert not Page.objects.filter(locale=swahili).exists()
    for page in (site["home"], site["calls"], call):
        assert submit(page).status_code == 302

    translation = CallPage.objects.get(locale=swahili)
    assert translation.translation_key == call.translation_key
    assert not translation.live  # a draft, until the editor publishes the words
    assert translation.reference_code is None  # the original's code is the call's
    # The editor's form: the words are theirs, the facts are the original's.
    html = client.get(reverse("wagtailadmin_pages:edit", args=[translation.pk])).content.decode()
    closes_at = html[html.index('name="closes_at"') - 300 : html.index('name="closes_at"') + 300]
    assert "disabled" in closes_at
    assert "a translation changes only the words" in html
    title = html[html.index('name="title"') - 200 : html.index('name="title"') + 200]
    assert "disabled" not in title
    # Until the words are published, a Swahili reader gets the English call.
    assert "Documentation training" in read_in(client, "sw", call.url).content.decode()


def test_a_second_translated_call_does_not_clash_on_the_reference_code(site, swahili):
    first = translate(make_call(site["calls"]), swahili, title="Wito wa kwanza")
    second = translate(make_call(site["calls"]), swahili, title="Wito wa pili")
    assert first.reference_code is None and second.reference_code is None


def test_the_swahili_reader_gets_the_translations_words_at_the_originals_url(
    client, call, translated
):
    CallPage.objects.filter(pk=translated.pk).update(
        closes_at=call.closes_at + timedelta(days=40), budget_ceiling=1
    )  # a stale copy of the facts: never shown
    html = read_in(client, "sw", call.url).content.decode()
    assert SWAHILI_TITLE in html
    assert "Tunatafuta mshauri wa kuwafunza watetezi." in html
    assert "Mbinu" in html and "Pendekezo la kiufundi" in html
    assert "Documentation training" not in html
    assert call.reference_code in html
    assert "KES 100,000" in html  # the original's budget, not the copy's
    assert f"/bids/{translated.pk}/" not in html
    # The English reader gets the original, with a link to the Swahili version.
    html = read_in(client, "en", call.url).content.decode()
    assert "Documentation training from a gender perspective" in html
    assert SWAHILI_TITLE not in html
    assert 'name="language" value="sw"' in html
    assert "Soma ukurasa huu kwa Kiswahili" in html


def test_the_link_on_the_english_page_switches_to_the_swahili_version(client, call, translated):
    html = read_in(client, "en", call.url).content.decode()
    link = html[html.index('class="page-versions"') :]
    action = link[link.index('action="') + 8 :].split('"')[0]
    response = client.post(action, {"language": "sw", "next": call.url}, follow=True)
    assert response.redirect_chain[-1][0] == call.url
    assert SWAHILI_TITLE in response.content.decode()
    assert "Read this page in English" in response.content.decode()


def test_an_untranslated_call_reads_in_english_marked_as_such(client, site, call):
    html = read_in(client, "sw", call.url).content.decode()
    assert '<h1 lang="en">Documentation training' in html
    assert "Ukurasa huu bado haujatafsiriwa" in html
    assert "Soma ukurasa huu" not in html and "Read this page in" not in html


def test_every_page_reads_in_swahili_once_the_home_page_is_translated(client, site, swahili):
    """Wagtail would route a Swahili reader through the Swahili tree, where an
    untranslated call does not exist: here every page keeps its one URL."""
    translate(site["home"], swahili, hero_title="Miito ya ushauri na ruzuku")
    untranslated = make_call(site["calls"], title="Not translated yet")
    assert read_in(client, "sw", "/").status_code == 200
    assert "Miito ya ushauri na ruzuku" in client.get("/").content.decode()
    response = read_in(client, "sw", untranslated.url)
    assert response.status_code == 200
    assert "Not translated yet" in response.content.decode()
    assert read_in(client, "sw", site["calls"].url).status_code == 200


def test_a_translations_own_url_redirects_to_the_original(client, call, translated):
    CallPage.objects.filter(pk=translated.pk).update(slug="mafunzo-ya-kumbukumbu")
    translated.refresh_from_db()
    translated.set_url_path(translated.get_parent())
    translated.save(update_fields=["url_path"])
    own = "/calls/mafunzo-ya-kumbukumbu/"
    for language in ("sw", "en"):
        response = read_in(client, language, own)
        assert response.status_code == 302
        assert response["Location"] == call.url
    assert read_in(client, "sw", "/calls/no-such-call/").status_code == 404


def test_lists_show_each_call_once_with_its_words_in_one_query(client, site, call, translated):
    other = make_call(site["calls"], title="Legal review of the protection fund")
    html = read_in(client, "sw", site["calls"].url).content.decode()
    assert html.count(SWAHILI_TITLE) == 1
    assert "Legal review of the protection fund" in html
    assert html.count('class="call-card ') == 2
    home = read_in(client, "sw", "/").content.decode()
    assert home.count(SWAHILI_TITLE) == 1 and other.title in home
    feed = client.get(reverse("open_calls_feed")).content.decode()
    assert feed.count(call.reference_code) == 1
    # The list's words cost one query, however many calls it shows.
    with CaptureQueriesContext(connection) as two:
        read_in(client, "sw", site["calls"].url)
    for n in range(3):
        translate(make_call(site["calls"]), translated.locale, title=f"Wito {n}")
    with CaptureQueriesContext(connection) as five:
        read_in(client, "sw", site["calls"].url)
    assert len(five) == len(two)


def test_a_swahili_search_finds_the_call(client, site, call, translated):
    html = read_in(client, "sw", site["calls"].url + "?q=kumbukumbu").content.decode()
    assert html.count('class="call-card ') == 1 and SWAHILI_TITLE in html


def test_nothing_is_done_with_a_translation_but_reading_it(client, site, call, translated):
    """No bid, question, closing, addendum or panel can land on the copy."""
    applicant = UserFactory()
    client.force_login(applicant)
    assert client.post(reverse("applications:apply", args=[translated.pk])).status_code == 404
    response = client.post(
        reverse("applications:ask", args=[translated.pk]), {"question": "Je, timu ya watu wawili?"}
    )
    assert response.status_code == 404
    past = timezone.now() + timedelta(days=30)
    calls_close_due(now=past)
    assert list(CallClosing.objects.values_list("call_id", flat=True)) == [call.pk]
    assert CallPage.objects.originals().get() == call
    assert not translated.addenda.exists()


def test_the_receipt_mail_names_the_call_and_documents_in_the_applicants_language(
    call, translated
):
    applicant = UserFactory(language="sw")
    submission = submit_bid(call, applicant)
    receipt = OutboxMessage.objects.get(to_email=applicant.email, subject__contains="Stakabadhi")
    for body in (receipt.body_text, receipt.body_html):
        assert SWAHILI_TITLE in body
        assert "Pendekezo la kiufundi" in body
    assert "- Pendekezo la kiufundi:" in receipt.body_text
    assert "baiti\xa0" in receipt.body_text and "bytes" not in receipt.body_text
    # The mail reads on a phone: its own width, the price and the closing advice too.
    assert 'name="viewport" content="width=device-width' in receipt.body_html
    assert "KES 1,250,000" in receipt.body_html
    assert receipt.body_text.index("Pendekezo la kiufundi") < receipt.body_text.index(
        "Pendekezo la kifedha"
    )  # in the call's order
    assert "- Technical proposal:" not in receipt.body_text
    assert submission.files.first().document_name in ("Technical proposal", "Financial proposal")


def test_new_pages_are_made_only_in_the_default_tree(site, call, translated, swahili):
    swahili_index = site["calls"].get_translation(swahili)
    assert not CallPage.can_create_at(swahili_index)
    assert CallPage.can_create_at(site["calls"])
    assert not HomePage.can_create_at(Page.get_first_root_node())  # one home page


def test_an_article_reads_in_swahili(client, site, swahili):
    article = site["news"].add_child(
        instance=ArticlePage(
            title="Charges withdrawn", slug="charges-withdrawn", category="update", intro="Good."
        )
    )
    article.save_revision().publish()
    translate(article, swahili, title="Mashtaka yameondolewa", intro="Habari njema.")
    html = read_in(client, "sw", article.url).content.decode()
    assert "Mashtaka yameondolewa" in html and "Habari njema." in html
    assert "Mashtaka yameondolewa" in read_in(client, "sw", site["news"].url).content.decode()


def test_publishing_a_translation_refreshes_cached_pages(
    client, settings, call, translated, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE = True
    page_cache_invalidate()
    read_in(client, "sw", call.url)
    assert SWAHILI_TITLE in read_in(client, "sw", call.url).content.decode()
    translated.title = "Mafunzo mapya"
    with django_capture_on_commit_callbacks(execute=True):  # the cache moves on commit
        translated.save_revision().publish()
    assert "Mafunzo mapya" in read_in(client, "sw", call.url).content.decode()


def test_the_bid_page_and_the_dashboard_use_the_calls_swahili_words(client, call, translated):
    from tests.factories import start_submission

    applicant = UserFactory(language="sw")
    submission = start_submission(call, applicant)
    client.force_login(applicant)
    client.cookies["django_language"] = "sw"
    html = client.get(reverse("applications:submission", args=[submission.pk])).content.decode()
    assert SWAHILI_TITLE in html
    assert "Pendekezo la kiufundi" in html and "Pendekezo la kifedha" in html
    assert "Technical proposal" not in html
    html = client.get(reverse("applications:dashboard")).content.decode()
    assert SWAHILI_TITLE in html


def test_staff_screens_refuse_a_translation(client, call, translated):
    client.force_login(SuperuserFactory())
    for method, name in (
        ("get", "zabuni_call_submissions"),
        ("post", "zabuni_call_open"),
        ("post", "zabuni_call_opening_delay"),
        ("get", "zabuni_call_register"),
        ("get", "zabuni_call_audit"),
        ("get", "zabuni_evaluation_ranking"),
    ):
        response = getattr(client, method)(reverse(name, args=[translated.pk]))
        assert response.status_code == 404, name
    assert client.get(reverse("zabuni_call_submissions", args=[call.pk])).status_code == 200
    # A question or a committee can be attached to the original only.
    for model in (Clarification, OpeningCommittee):
        field = model._meta.get_field("call").formfield()
        apply_limit_choices_to_to_formfield(field)
        choices = field.queryset
        assert call in choices and translated not in choices


def test_a_translations_rows_follow_their_originals_through_a_reorder(client, call, translated):
    methodology, experience = call.criteria.all()
    methodology.sort_order, experience.sort_order = 1, 0
    methodology.save()
    experience.save()
    CallCriterion.objects.create(page=call, title="Gender approach", max_points=10, sort_order=2)
    html = read_in(client, "sw", call.url).content.decode()
    table = html[html.index('id="criteria-title"') :]
    assert table.index("Uzoefu") < table.index("Mbinu")  # experience first, in Swahili
    assert "Gender approach" in table  # added to the original since: its own words
    assert "Methodology" not in table and "Experience" not in table


def test_a_translation_reads_as_itself_and_its_facts_are_not_frozen(call, translated):
    from django.utils import translation as django_translation

    with django_translation.override("sw"):
        translated.title = "Rasimu"  # an unsaved draft, as in a preview
        assert translated.text is translated
    CallPage.objects.filter(pk=translated.pk).update(closes_at=timezone.now() - timedelta(days=1))
    translated.refresh_from_db()
    rows = list(translated.criteria.all())
    rows[0].title = "Mbinu na mpango"
    translated.criteria = rows  # as the editor's form sets them
    translated.save_revision().publish()  # words change after its copied deadline
    assert translated.criteria.first().title == "Mbinu na mpango"


def test_private_pages_keep_wagtails_password_form_and_the_one_sign_in(client, site, call):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=call, restriction_type="password", password="siri")
    form = client.get(call.url)
    assert form.status_code == 200 and 'name="password"' in form.content.decode()
    action = reverse(
        "wagtailcore_authenticate_with_password", args=[call.view_restrictions.get().pk, call.pk]
    )
    response = client.post(action, {"password": "siri", "return_url": call.url})
    assert response.status_code == 302
    assert client.get(call.url).status_code == 200
    other = make_call(site["calls"])
    PageViewRestriction.objects.create(page=other, restriction_type="login")
    response = client.get(other.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    legacy = client.get("/_util/login/?next=/calls/")
    assert legacy.status_code == 302 and legacy.url.startswith(reverse("accounts:login"))


def test_the_rows_link_to_their_original_stays_out_of_wagtails_reference_index():
    """Indexed, it made every publish of every call 40% dearer in queries."""
    from wagtail.models import ReferenceIndex

    from tenders.models import RequiredDocument

    for model in (CallCriterion, RequiredDocument):
        assert not ReferenceIndex.model_is_indexable(model, allow_child_models=True)
