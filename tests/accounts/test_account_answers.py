"""An account question answers the same whether or not the account exists: registering
an address that has an account does the work a new one does, and an address is one
account however it is capitalised."""

import statistics
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from notifications.models import OutboxMessage
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


class CountingHasher(PBKDF2PasswordHasher):
    """PBKDF2 at a fifth of Django's iterations: dear enough to show in the timing,
    cheap enough for the suite; it counts each password it hashes."""

    algorithm = "counting_pbkdf2"
    iterations = 200_000
    hashed = 0

    def encode(self, password, salt, iterations=None):
        type(self).hashed += 1
        return super().encode(password, salt, iterations)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    settings.REGISTRATION_RATE = "1000/h"
    CountingHasher.hashed = 0
    return CountingHasher


def register(client, email):
    return client.post(
        reverse("accounts:register"),
        {
            "email": email,
            "first_name": "Wanjiku",
            "last_name": "Kamau",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


@pytest.mark.parametrize("existing_is_active", [True, False], ids=["active", "unconfirmed"])
def test_registering_an_address_with_an_account_hashes_the_password_as_a_new_one_does(
    client, counting_hasher, existing_is_active
):
    UserFactory(email="taken@example.org", is_active=existing_is_active)
    counting_hasher.hashed = 0

    register(client, "new@example.org")
    for_new = counting_hasher.hashed
    register(client, "taken@example.org")

    assert for_new == 1
    assert counting_hasher.hashed - for_new == for_new


def test_registering_an_address_with_an_account_takes_as_long_as_a_new_one(
    counting_hasher,
):
    """The defect itself is a time, so this one test measures time: the median of ten
    tries each, taken in turns so that a busy machine slows both alike, within 2x."""
    UserFactory(email="taken@example.org")
    client = Client()
    register(client, "warm-up@example.org")  # first-request costs out of the measure
    new, taken = [], []
    for n in range(10):
        for times, email in ((new, f"new{n}@example.org"), (taken, "taken@example.org")):
            started = time.perf_counter()
            assert register(client, email).status_code == 200
            times.append(time.perf_counter() - started)

    new_median, taken_median = statistics.median(new), statistics.median(taken)

    assert max(new_median, taken_median) < 2 * min(new_median, taken_median), (
        f"new address {new_median * 1000:.0f} ms, existing {taken_median * 1000:.0f} ms"
    )


def sign_in(client, email, password=PASSWORD):
    return client.post(
        reverse("accounts:login"),
        {"sign_in_view-current_step": "auth", "auth-username": email, "auth-password": password},
    )


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("applicant@example.org", "Applicant@Example.ORG"),
        ("Applicant@Example.org", "applicant@example.org"),
    ],
)
def test_an_address_signs_in_however_it_is_capitalised(client, stored, typed):
    user = UserFactory(email=stored)

    response = sign_in(client, typed)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_registering_other_capitals_of_an_existing_address_is_that_account(client):
    """Whichever way the first one was written: no second account, the owner is told."""
    owner = UserFactory(email="Applicant@Example.org")

    page = register(client, "applicant@example.org")

    assert page.status_code == 200
    assert get_user_model().objects.count() == 1
    told = OutboxMessage.objects.get()
    assert told.to_email == owner.email
    assert "Someone tried to register" in told.subject


def test_two_accounts_never_differ_only_in_capitals(db):
    UserFactory(email="applicant@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="APPLICANT@example.org")
