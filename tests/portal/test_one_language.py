"""A person reading in Swahili never meets the portal's, Django's or a library's
English (issue 13: all Swahili or all English, never a mix).

The test client walks the demo site in Swahili as a visitor, an applicant and
the chair, and also sends forms with mistakes (so error messages show). Every
piece of text on every page is compared with the English messages of the
portal and of the libraries whose words reach its pages (Django, its auth,
django-two-factor-auth): text that is one of those messages, untranslated,
fails. What editors wrote (call titles, articles) is content, not interface,
and is left alone: it is not a message of any catalogue.
"""

import json
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import django
import polib
import pytest
import two_factor
from django.conf import settings
from django.contrib import auth
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

CATALOGUES = [
    Path(settings.BASE_DIR) / "locale" / "sw" / "LC_MESSAGES" / "django.po",
    Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    Path(auth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po",
    Path(two_factor.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po",
]
SKIP = ("logout", "/download", "/files/", "/export", "format=", "/feeds/", "sitemap", "/admin")
PAGES_PER_ROLE = 40


def english_messages():
    """(whole-text messages, patterns of messages with placeholders) in English."""
    ours = polib.pofile(str(CATALOGUES[0]))
    same_in_swahili = {e.msgid for e in ours if e.msgstr == e.msgid}
    plain, patterns = set(), []
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            for text in filter(None, (entry.msgid, entry.msgid_plural)):
                if text in same_in_swahili or len(re.findall(r"[A-Za-z]{3,}", text)) < 1:
                    continue
                if re.search(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}|<", text):
                    words = re.split(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}|<[^>]*>", text)
                    literal = [re.escape(w.strip()) for w in words if w.strip()]
                    # Only messages with some English of their own, not "%(a)s · %(b)s".
                    if sum(len(re.findall(r"[A-Za-z]{3,}", w)) for w in words) >= 2:
                        patterns.append((text, re.compile(r".+?".join(literal))))
                else:
                    plain.add(" ".join(text.split()))
    return plain, patterns


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Text(HTMLParser):
    """Every piece of text a reader sees, and the links. Text marked as another
    language (``lang="en"`` on a language's own name) is not Swahili's to translate."""

    def __init__(self):
        super().__init__()
        self.pieces, self.links, self._open = [], [], []  # (tag, hidden)

    def _hidden(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        hidden = (
            self._hidden()
            or tag in ("script", "style", "template")
            or attrs.get("lang", "sw") != "sw"
        )
        if not hidden:
            for name in ("aria-label", "title", "placeholder", "alt"):
                if attrs.get(name):
                    self.pieces.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.pieces.append(attrs["value"])
        if tag not in VOID:
            self._open.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open.pop()

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.pieces.append(" ".join(data.split()))


def editorial_text() -> str:
    """All that editors wrote, in every page's fields (titles, bodies, tables)."""
    from wagtail.models import Page

    return "\n".join(
        json.dumps(model_to_dict(page.specific), default=str, ensure_ascii=False) + page.title
        for page in Page.objects.all()
    )


def english_on(html: str, plain, patterns, content="") -> list[str]:
    parser = Text()
    parser.feed(html)
    found = []
    for piece in parser.pieces:
        if piece in content:  # what an editor wrote, in the language they wrote it
            continue
        if piece in plain:
            found.append(piece)
            continue
        for message, pattern in patterns:
            if pattern.search(piece):
                found.append(f"{piece!r} (from {message!r})")
                break
    return found


def walk(client, start, plain, patterns, content):
    queue, seen, found, walked = [start], {start}, [], 0
    while queue and walked < PAGES_PER_ROLE:
        path = queue.pop(0)
        response = client.get(path, follow=True)
        walked += 1
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert '<html lang="sw">' in html, path
        found += [f"{path}: {text}" for text in english_on(html, plain, patterns, content)]
        parser = Text()
        parser.feed(html)
        for href in parser.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            if href not in seen and not any(word in href for word in SKIP):
                seen.add(href)
                queue.append(href)
    return walked, found


def test_a_swahili_reader_meets_no_english_message():
    call_command("load_demo_content", stdout=StringIO())
    plain, patterns = english_messages()
    content = editorial_text()
    found, walked = [], {}
    for role, email, start in [
        ("visitor", None, "/"),
        ("applicant", "applicant@zabuni.local", "/bids/"),
        ("chair", "chair@zabuni.local", "/bids/reviews/"),
    ]:
        client = Client(HTTP_ACCEPT_LANGUAGE="sw")
        if email:
            client.force_login(User.objects.get(email=email))
        walked[role], english = walk(client, start, plain, patterns, content)
        found += [f"{role} {text}" for text in english]

    # Forms sent with mistakes: the errors are in Swahili too.
    client = Client(HTTP_ACCEPT_LANGUAGE="sw")
    for url, data in [
        (reverse("accounts:register"), {"email": "not-an-address", "password1": "abc"}),
        (reverse("accounts:login"), {"sign_in_view-current_step": "auth"}),
        (reverse("accounts:password_reset"), {"email": "x"}),
    ]:
        response = client.post(url, data)
        found += [
            f"form {url}: {t}" for t in english_on(response.content.decode(), plain, patterns)
        ]

    assert walked["visitor"] >= 10 and walked["applicant"] >= 10 and walked["chair"] >= 10
    assert found == [], "\n".join(found)
