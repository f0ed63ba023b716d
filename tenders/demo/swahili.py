"""Swahili versions of the demo's home page, call list, news list, one call and one
article, made as an editor makes them: Wagtail's "Translate", then the words."""

from wagtail.models import Locale

from tenders.demo.calls import _p

SWAHILI = "sw"

HOME = {
    "title": "Zabuni",
    "hero_title": "Miito ya ushauri na ruzuku kwa watetezi wa haki za binadamu",
    "intro": "Wasilisha zabuni za ushauri na uombe ruzuku kutoka kwa Muungano. Mapendekezo "
    "hubaki yamefungwa hadi tarehe ya mwisho, na kila tarehe ya mwisho inazingatiwa hadi "
    "sekunde.",
}
CALL_INDEX = {
    "title": "Matangazo",
    "intro": "Matangazo ya ushauri elekezi na ya ruzuku kutoka kwa Muungano. Muda wa mwisho "
    "ni kwa saa za Afrika Mashariki (EAT).",
}
NEWS_INDEX = {
    "title": "Habari na machapisho",
    "intro": "Taarifa kwa vyombo vya habari, matamko, ripoti, taarifa za kesi na rufaa za "
    "dharura.",
}
CALL_CODE = "DC-CFC-2026-004"
CALL = {
    "title": "Mafunzo ya ufuatiliaji, uwekaji kumbukumbu na utoaji ripoti kwa mtazamo wa kijinsia",
    "summary": "Tunatafuta mshauri au timu ya kuwafunza watetezi 30 kufuatilia, kuweka "
    "kumbukumbu na kuripoti ukiukaji wa haki kwa mtazamo wa kijinsia, na kuandaa mwongozo "
    "wa nyanjani kwa lugha mbili.",
    "terms_of_reference": [
        {"type": "heading", "value": "Usuli"},
        {
            "type": "paragraph",
            "value": _p(
                "Muungano ni mtandao wa kitaifa wa watetezi wa haki za binadamu. Tangu 2007 "
                "umefanya kazi kwa ajili ya usalama na ustawi wa watetezi, kupitia ruzuku za "
                "ulinzi, msaada wa kisheria, mafunzo na utetezi.",
                "Watetezi wanawake na watetezi wanaoshughulikia ukatili wa kingono na wa "
                "kijinsia wanakabiliwa na hatari ambazo zana za kawaida za ufuatiliaji "
                "hazizioni. Mitandao yetu imeomba mafunzo ya vitendo ili kumbukumbu zao ziwe "
                "sahihi, salama kwa manusura, na za kutumika katika utetezi na mahakamani.",
            ),
        },
        {"type": "heading", "value": "Lengo"},
        {
            "type": "paragraph",
            "value": _p(
                "Kuimarisha uwezo wa watetezi 30 kutoka kaunti sita kufuatilia, kuweka "
                "kumbukumbu na kuripoti ukiukaji wa haki za binadamu kwa mtazamo wa kijinsia, "
                "kwa kuzingatia kanuni za kumweka manusura mbele na za kutodhuru."
            ),
        },
        {"type": "heading", "value": "Kazi inayotakiwa"},
        {
            "type": "paragraph",
            "value": "<ul><li>Kuandaa mtaala wa mafunzo ya siku tatu wenye mazoezi ya "
            "vitendo.</li><li>Kuendesha makundi mawili ya mafunzo, Nairobi na Kisumu.</li>"
            "<li>Kuandaa mwongozo mfupi wa nyanjani, kwa Kiingereza na Kiswahili.</li></ul>",
        },
    ],
}
CALL_CRITERIA = [
    ("Uelewa wa kazi", "Ufahamu wa muktadha na malengo."),
    ("Mbinu na mpango wa kazi", "Uthabiti, uwezekano na kinga."),
    ("Sifa na uzoefu", "Za mshauri mkuu na timu."),
    ("Mtazamo wa kijinsia na ulinzi", "Kumweka manusura mbele, kutodhuru."),
]
CALL_DOCUMENTS = [
    "Pendekezo la kiufundi",
    "Wasifu (CV) za timu",
    "Mifano ya kazi za awali",
    "Pendekezo la kifedha",
]
ARTICLE_SLUG = "court-update-land-rights-defender"
ARTICLE = {
    "title": "Taarifa: mashtaka dhidi ya mtetezi wa haki za ardhi yameondolewa",
    "intro": "Hakimu amekubali ombi la upande wa mashtaka kuondoa mashtaka yote dhidi ya "
    "mtetezi wa haki za ardhi aliyekamatwa baada ya kupinga kufurushwa kwa jamii yake.",
    "body": [
        {
            "type": "paragraph",
            "value": _p(
                "Tunawashukuru mawakili waliomtetea bila malipo, na wanajamii waliohudhuria "
                "kila kikao cha kesi. Tutaendelea kufuatilia hali ya usalama wake na wa "
                "familia yake."
            ),
        }
    ],
}


def translate_page(page, locale, words: dict, rows: dict | None = None, *, copy_parents=False):
    """What an editor does: Wagtail's "Translate" (a draft copy in the locale), then
    the words of the page and of its rows (criteria, documents), then Publish."""
    translation = page.copy_for_translation(locale, copy_parents=copy_parents).specific
    for relation, texts in (rows or {}).items():
        for row, row_words in zip(getattr(translation, relation).all(), texts, strict=True):
            for name, value in row_words.items():
                setattr(row, name, value)
            row.save()
    for name, value in words.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


def _translate(page, locale, words: dict, rows: dict | None = None) -> int:
    if page.has_translation(locale):
        return 0
    translate_page(page, locale, words, rows)
    return 1


def load_swahili_versions(*, home, call_index, news_index, call, article) -> int:
    locale, _ = Locale.objects.get_or_create(language_code=SWAHILI)
    rows = {
        "criteria": [{"title": t, "description": d} for t, d in CALL_CRITERIA],
        "required_documents": [{"name": name} for name in CALL_DOCUMENTS],
    }
    return (
        _translate(home, locale, HOME)
        + _translate(call_index, locale, CALL_INDEX)
        + _translate(news_index, locale, NEWS_INDEX)
        + _translate(article, locale, ARTICLE)
        + _translate(call, locale, CALL, rows)
    )
