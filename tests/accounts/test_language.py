"""Swahili or English, chosen by the browser, the switcher or the account (issue 13).

The whole page is in one language; amounts keep their thousands separators in
both; a signed-in person's choice is saved on their account, follows them to
another browser and decides the language of their mail.
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue
from tests.factories import UserFactory, build_site, make_call, start_submission, submit_bid

pytestmark = pytest.mark.django_db

SWAHILI = {"HTTP_ACCEPT_LANGUAGE": "sw"}


@pytest.fixture
def call():
    site = build_site()
    return make_call(site["calls"], budget_ceiling=Decimal("1500000"))


def test_a_browser_asking_for_swahili_gets_the_page_in_swahili(client, call):
    response = client.get(call.url, **SWAHILI)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sw">' in html
    assert "Zabuni na ruzuku" in html and ">Ingia<" in html
    assert "Tenders and grants" not in html and ">Sign in<" not in html
    assert "KES 1,500,000" in html  # the separators stay in Swahili
    english = client.get(call.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english and "Tenders and grants" in english
    assert "KES 1,500,000" in english


def test_the_switcher_sets_the_language_and_returns_to_the_page(client, call):
    page = client.get(call.url).content.decode()
    assert 'name="language" value="sw" lang="sw">Kiswahili</button>' in page
    # A visitor's page carries no CSRF token: it can be cached for everyone.
    assert "csrfmiddlewaretoken" not in page.split('class="site-header__inner"')[0]
    response = client.post(reverse("accounts:language"), {"language": "sw", "next": call.url})
    assert response.status_code == 302 and response.url == call.url
    assert '<html lang="sw">' in client.get(call.url).content.decode()


def test_the_switcher_never_sends_anyone_to_another_site(client):
    response = client.post(
        reverse("accounts:language"), {"language": "sw", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == "/"


def test_a_language_that_is_not_offered_changes_nothing(client, call):
    client.post(reverse("accounts:language"), {"language": "fr", "next": call.url})
    assert '<html lang="en">' in client.get(call.url).content.decode()


def test_a_signed_in_choice_is_saved_and_follows_them_to_another_browser(call):
    user = UserFactory()
    first = Client(enforce_csrf_checks=True)
    first.force_login(user)
    page = first.get(reverse("accounts:profile")).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = first.post(
        reverse("accounts:language"),
        {"language": "sw", "next": "/", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "sw"
    other = Client()
    other.force_login(user)
    # Their browser asks for English; their account says Swahili.
    html = other.get(call.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="sw">' in html


def test_a_signed_in_change_without_the_csrf_token_is_refused(call):
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("accounts:language"), {"language": "sw", "next": "/"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.language == ""


def test_the_profile_saves_the_language(client):
    user = UserFactory()
    client.force_login(user)
    form = {"first_name": "Amani", "last_name": "Otieno", "applicant_type": "individual"}
    response = client.post(reverse("accounts:profile"), {**form, "language": "sw"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "sw"


def test_registering_in_swahili_saves_it_and_the_confirmation_mail_is_in_swahili(client):
    password = "a-long-and-unusual-passphrase-42"
    client.post(
        reverse("accounts:register"),
        {
            "email": "amani@example.org",
            "first_name": "Amani",
            "last_name": "Otieno",
            "password1": password,
            "password2": password,
        },
        **SWAHILI,
    )
    mail = OutboxMessage.objects.get(to_email="amani@example.org")
    assert "Thibitisha" in mail.subject or "thibitisha" in mail.body_text.lower()
    assert '<html lang="sw">' in mail.body_html
    assert "Confirm your email address" not in mail.body_text


def test_mail_is_in_the_recipients_language_not_the_senders(call):
    applicant = UserFactory(language="sw")
    submission = submit_bid(call, applicant)
    receipt = OutboxMessage.objects.get(to_email=applicant.email, subject__contains="Stakabadhi")
    assert submission.reference in receipt.subject
    english = UserFactory(language="")
    message = outbox_enqueue(
        to=english.email,
        template="applications/emails/submission_receipt",
        context={"submission": submission, "call": call, "receipt_url": "https://x/"},
        dedupe_key="test-english",
    )
    assert message.subject.startswith("Receipt for your submission")


def test_the_bid_pages_countdown_speaks_the_readers_language(client, call):
    applicant = UserFactory(language="sw")
    submission = start_submission(call, applicant)
    client.force_login(applicant)
    html = client.get(reverse("applications:submission", args=[submission.pk])).content.decode()
    assert 'data-countdown-days="siku {d}"' in html
    assert 'data-countdown-hours="saa {h}, dakika {m}"' in html
    assert '+ "d "' not in html


def test_a_mailing_to_every_bidder_writes_each_in_their_language_without_a_lookup_each(
    call, monkeypatch
):
    """The notices to a call's bidders pass each bidder's choice: no query per message."""
    from applications.services.notices import notify_stakeholders
    from notifications import services

    swahili, english = UserFactory(language="sw"), UserFactory(language="")
    for person in (swahili, english):
        submit_bid(call, person)

    def looked_up(email):
        raise AssertionError(f"looked {email} up one by one")

    monkeypatch.setattr(services, "recipient_language", looked_up)
    sent = notify_stakeholders(
        call=call,
        template="applications/emails/clarification_published",
        context={"clarification": type("C", (), {"question": "Q?", "answer": "A."})()},
        event_key="test-mailing",
    )
    assert sent == 2
    mails = {m.to_email: m for m in OutboxMessage.objects.filter(dedupe_key__startswith="test")}
    assert '<html lang="sw">' in mails[swahili.email].body_html
    assert '<html lang="en">' in mails[english.email].body_html
