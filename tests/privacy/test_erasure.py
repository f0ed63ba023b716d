"""Erasing one's account from the Security page: re-authentication first, the page says
what is kept, then the account can no longer sign in, its kept records show a pseudonym,
the rest is gone, and the audit trail still verifies."""

import time

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from accounts.reauth import AUTHENTICATED_AT
from applications.choices import AuditAction, SubmissionStatus
from applications.models import AuditEvent, Submission
from applications.services.audit import audit_record
from applications.services.registers import opening_register_write, register_csv, visible_lines
from notifications.models import OutboxMessage, OutboxState
from privacy.erasure import account_erase
from privacy.models import ErasureRequest, ErasureState
from privacy.retention import retention_apply
from reviews.ranking import applicant_name
from tests.factories import UserFactory, start_submission
from tests.privacy import retention_support as support
from tests.privacy.retention_support import bid, days_on, notices_sent, outcome

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
EMAIL = "mwanaharakati@example.org"


def everything_in_the_database(apps=("accounts", "applications", "notifications", "axes")) -> str:
    """Every column of the apps' tables, as one string (what a seized copy holds)."""
    tables = [t for t in connection.introspection.table_names() if t.split("_")[0] in apps]
    dump = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            dump.extend(str(row) for row in cursor.fetchall())
    return "\n".join(dump)


def test_the_page_needs_a_fresh_sign_in_and_a_ticked_box(client):
    user = UserFactory(email=EMAIL)
    client.force_login(user)
    session = client.session
    session[AUTHENTICATED_AT] = int(time.time()) - 11 * 60
    session.save()

    page = client.get("/account/privacy/delete/")
    assert page.status_code == 200
    assert "Nothing: you have no bid that the law makes us keep" in page.content.decode()

    asked = client.post("/account/privacy/delete/", {"confirm": "on"})
    assert asked.status_code == 302 and "/confirm" in asked["Location"]
    assert get_user_model().objects.get(pk=user.pk).is_active

    session = client.session
    session[AUTHENTICATED_AT] = int(time.time())
    session.save()
    unticked = client.post("/account/privacy/delete/", {})
    assert unticked.status_code == 400
    assert "Tick the box" in unticked.content.decode()
    assert get_user_model().objects.get(pk=user.pk).is_active


def test_staff_are_told_an_administrator_closes_their_account(client, staff_user):
    client.force_login(staff_user)

    refused = client.post("/account/privacy/delete/", {"confirm": "on"})

    assert refused.status_code == 400
    assert "closed by an administrator" in refused.content.decode()
    assert get_user_model().objects.get(pk=staff_user.pk).is_active


def test_an_account_with_nothing_to_keep_goes_whole(client, grant_call):
    user = UserFactory(email=EMAIL, first_name="Achieng", last_name="Otieno")
    user.set_password(PASSWORD)
    user.save()
    draft = start_submission(grant_call, user)
    OutboxMessage.objects.create(
        dedupe_key="welcome", to_email=EMAIL, subject="Welcome", body_text="link",
        state=OutboxState.SENT,
    )  # fmt: skip
    client.force_login(user)

    done = client.post("/account/privacy/delete/", {"confirm": "on"})

    assert done.status_code == 200 and "Your account is deleted" in done.content.decode()
    assert not Submission.objects.filter(pk=draft.pk).exists()
    erasure = ErasureRequest.objects.get(user=user)
    assert erasure.state == ErasureState.DONE
    dump = everything_in_the_database()
    assert EMAIL not in dump and "Achieng" not in dump and "Otieno" not in dump
    assert authenticate(RequestFactory().post("/"), username=EMAIL, password=PASSWORD) is None
    assert client.get("/account/security/").status_code == 302  # signed out
    assert support.chain_checks()
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_ERASED, actor=user).exists()


def test_kept_records_show_a_pseudonym_until_their_period_ends_then_go(
    client, grant_call, staff_user
):
    refused = bid(grant_call, EMAIL)
    user = refused.applicant
    support.opened(grant_call, staff_user)
    outcome(refused, SubmissionStatus.NOT_SUCCESSFUL)
    notices_sent(grant_call, staff_user)
    register = opening_register_write(call=grant_call, opened_by=staff_user)
    written_as = register.lines[0]["bidder"]
    client.force_login(user)
    page = client.get("/account/privacy/delete/").content.decode()
    assert refused.reference in page and "kept until" in page

    client.post("/account/privacy/delete/", {"confirm": "on"})

    erasure = ErasureRequest.objects.get(user=user)
    assert erasure.state == ErasureState.KEEPING and erasure.kept_until is not None
    refused.refresh_from_db()
    assert refused.purged_at is None  # the record is kept, files and all
    assert applicant_name(refused) == erasure.pseudonym
    # The register stays the record as written; its page and CSV show the pseudonym.
    register.refresh_from_db()
    assert register.lines[0]["bidder"] == written_as != erasure.pseudonym
    shown = visible_lines(register, names=True)[0]
    assert shown["bidder"] == erasure.pseudonym
    assert all(f["name"] == "" for f in shown["files"])
    assert EMAIL not in register_csv(register)
    # The account and its mail name nobody; the kept bid (its files' names) is the record.
    assert EMAIL not in everything_in_the_database(("accounts", "notifications", "axes"))

    retention_apply(now=days_on(366))

    erasure.refresh_from_db()
    refused.refresh_from_db()
    assert erasure.state == ErasureState.DONE and refused.purged_at is not None
    assert not AuditEvent.objects.filter(actor=user).exclude(detail="", file_name="")
    assert support.chain_checks()


def test_an_unused_account_is_warned_then_deleted_unless_its_owner_signs_in(client):
    from django.utils import timezone

    long_ago = timezone.now() - __import__("datetime").timedelta(days=3 * 365 + 1)
    gone_quiet = UserFactory(email="gone.quiet@example.org", last_login=long_ago)
    comes_back = UserFactory(email="comes.back@example.org", last_login=long_ago)
    active = UserFactory(email="still.here@example.org", last_login=timezone.now())

    retention_apply()

    warned = OutboxMessage.objects.filter(subject__contains="will be deleted")
    assert sorted(warned.values_list("to_email", flat=True)) == [
        "comes.back@example.org",
        "gone.quiet@example.org",
    ]
    client.force_login(comes_back)  # signing in calls it off

    retention_apply(now=days_on(31))

    User = get_user_model()
    assert not User.objects.get(pk=gone_quiet.pk).is_active
    assert ErasureRequest.objects.get(user=gone_quiet).reason == "inactive"
    assert User.objects.get(pk=comes_back.pk).is_active
    assert User.objects.get(pk=active.pk).is_active


def test_staff_see_erasures_by_pseudonym_on_the_privacy_screen(client, superuser, staff_user):
    user = UserFactory(email=EMAIL, first_name="Achieng")
    erasure = account_erase(user=user)

    client.force_login(staff_user)  # an editor, without the permission
    assert client.get("/admin/privacy/").status_code in (302, 403)

    client.force_login(superuser)
    page = client.get("/admin/privacy/")

    assert page.status_code == 200
    text = page.content.decode()
    assert erasure.pseudonym in text and "Asked for by the account" in text
    assert EMAIL not in text and "Achieng" not in text


def test_a_call_still_opens_after_a_bidder_erased_their_account_while_it_was_open(
    site_root, staff_user
):
    from applications.choices import RECEIVED
    from tests.applications.deadline_support import close_at
    from tests.factories import make_call, submit_bid
    from tests.sealing_support import open_call

    call = make_call(site_root["calls"])
    stays = submit_bid(call, UserFactory(email="stays@example.org"))
    leaves = submit_bid(call, UserFactory(email=EMAIL))
    assert leaves.files.filter(call_key__isnull=False).exists()  # sealed to the call

    account_erase(user=leaves.applicant)

    open_call(close_at(call, timezone.now()), staff_user)
    leaves.refresh_from_db()
    stays.refresh_from_db()
    assert leaves.status == SubmissionStatus.WITHDRAWN and leaves.purged_at is not None
    assert stays.status in RECEIVED
    assert all(f.server_key for f in stays.files.all())  # opened for the panel


def test_deleting_twice_at_once_gives_the_same_erasure():
    user = UserFactory(email=EMAIL)
    first = account_erase(user=user)

    again = account_erase(user=user)

    assert again.pk == first.pk
    assert ErasureRequest.objects.filter(user=user).count() == 1


def test_a_bid_withdrawn_before_the_deadline_goes_with_the_account(grant_call):
    withdrawn = bid(grant_call, EMAIL, answer="My name is Jane Activist")
    outcome(withdrawn, SubmissionStatus.WITHDRAWN)
    support.close(grant_call)

    erasure = account_erase(user=withdrawn.applicant)

    withdrawn.refresh_from_db()
    assert erasure.state == ErasureState.DONE
    assert withdrawn.purged_at is not None
    assert not withdrawn.answers.exclude(value=None).exists()
    assert not AuditEvent.objects.filter(submission=withdrawn).exclude(detail="", file_name="")


def test_someone_who_once_reviewed_is_closed_by_an_administrator_not_erased():
    from core.errors import Refused

    former = UserFactory(email="former.reviewer@example.org")  # in no group, on no panel
    audit_record(actor=former, action=AuditAction.REVIEW_SUBMITTED, detail="Bid 03")

    with pytest.raises(Refused, match="closed by an administrator"):
        account_erase(user=former)
    assert get_user_model().objects.get(pk=former.pk).is_active
