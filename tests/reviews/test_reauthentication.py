"""Opening financial envelopes and sending outcome notices need the password and a
current authenticator code within the last ten minutes (accounts.reauth)."""

import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.reauth import AUTHENTICATED_AT
from applications.choices import AuditAction
from applications.models import AuditEvent, Submission
from notifications.models import OutboxMessage
from reviews.models import Panel
from reviews.services.outcomes import outcome_decide
from reviews.services.panels import panel_lock
from tests.factories import PASSWORD, second_factor_code
from tests.reviews.compliance_support import examined
from tests.reviews.sheet_support import evaluation_builder

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(site_root, no_outbox_dispatch):
    evaluation = evaluation_builder(site_root)(n=2)
    panel_lock(panel=examined(evaluation["panel"]), user=evaluation["staff"])
    return evaluation


def signed_in_long_ago(client, user):
    client.force_login(user)
    session = client.session
    session[AUTHENTICATED_AT] = int(time.time()) - 11 * 60
    session.save()


def test_opening_prices_asks_who_it_is_and_opens_nothing_until_then(client, locked, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a wrong code pauses codes for a minute
    chair = locked["chair"]
    signed_in_long_ago(client, chair)
    ranking = reverse("reviews:ranking", args=[locked["call"].pk])

    asked = client.post(ranking, {"action": "open_financial"})

    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("accounts:confirm_identity"))
    assert Panel.objects.get(pk=locked["panel"].pk).financial_opened_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.FINANCIAL_OPENED).exists()

    confirm = client.get(asked["Location"])
    assert "Confirm it is you" in confirm.content.decode()
    wrong = client.post(
        asked["Location"], {"password": "not-my-password", "otp_token": second_factor_code(chair)}
    )
    assert wrong.status_code == 400
    assert "That password or code is not right" in wrong.content.decode()
    assert client.post(ranking, {"action": "open_financial"}).status_code == 302
    assert Panel.objects.get(pk=locked["panel"].pk).financial_opened_at is None

    no_code = client.post(asked["Location"], {"password": PASSWORD, "otp_token": "000000"})
    assert no_code.status_code == 400
    assert "That password or code is not right" in no_code.content.decode()
    paused = client.post(
        asked["Location"], {"password": PASSWORD, "otp_token": second_factor_code(chair)}
    )
    # django-otp's doubling wait: the right code is refused too, with the same answer.
    assert paused.status_code == 400
    assert "That password or code is not right" in paused.content.decode()
    TOTPDevice.objects.filter(user=chair).update(throttling_failure_timestamp=None)  # it passes

    confirmed = client.post(
        asked["Location"], {"password": PASSWORD, "otp_token": second_factor_code(chair)}
    )
    assert confirmed.status_code == 302 and confirmed["Location"] == ranking

    opened = client.post(ranking, {"action": "open_financial"})
    assert opened.status_code == 302 and opened["Location"] == ranking
    assert Panel.objects.get(pk=locked["panel"].pk).financial_opened_at is not None


def test_sending_outcome_notices_asks_too(client, locked):
    panel = Panel.objects.get(pk=locked["panel"].pk)
    for bid in locked["bids"]:
        outcome_decide(
            panel=panel,
            user=locked["staff"],
            submission=Submission.objects.get(pk=bid.pk),
            outcome="not_successful",
        )
    signed_in_long_ago(client, locked["chair"])
    ranking = reverse("reviews:ranking", args=[locked["call"].pk])

    asked = client.post(ranking, {"action": "send_outcomes"})

    assert asked["Location"].startswith(reverse("accounts:confirm_identity"))
    assert not OutboxMessage.objects.filter(dedupe_key__startswith="outcome:").exists()
    assert Panel.objects.get(pk=panel.pk).outcomes_sent_at is None


def test_other_acts_on_the_page_do_not_ask(client, locked):
    signed_in_long_ago(client, locked["chair"])
    ranking = reverse("reviews:ranking", args=[locked["call"].pk])

    saved = client.post(ranking, {"action": "note", "evaluation_note": "Two bids, close."})

    assert saved.status_code == 302 and saved["Location"] == ranking
    assert Panel.objects.get(pk=locked["panel"].pk).evaluation_note == "Two bids, close."
