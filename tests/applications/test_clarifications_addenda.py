"""Questions and answers, and addenda: published for everyone, mailed once to each applicant."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.services.submissions import submission_start
from notifications.models import OutboxMessage
from tenders.models import Addendum, CallPage, Clarification
from tests.factories import UserFactory, submit_bid

QUESTION = "Can the field visits to Kamiti and Langata be combined in one trip?"
ANSWER = "Yes. One combined trip is acceptable if both sites are covered within two weeks."

pytestmark = pytest.mark.usefixtures("no_outbox_dispatch")


@pytest.fixture
def asker(db):
    return UserFactory(first_name="Wanjiku", last_name="Kamau", email="w.kamau@example.org")


@pytest.fixture
def stakeholders(consultancy_call):
    """One applicant with a draft, one with a submitted bid."""
    drafter = UserFactory(email="drafter@example.org")
    submitter = UserFactory(email="submitter@example.org")
    submission_start(call=consultancy_call, applicant=drafter)
    submit_bid(consultancy_call, submitter)
    OutboxMessage.objects.all().delete()  # the receipt is not what these tests count
    return [drafter, submitter]


def ask(client, call, question=QUESTION):
    return client.post(reverse("applications:ask", args=[call.pk]), {"question": question})


def call_page(call) -> str:
    response = Client().get(CallPage.objects.get(pk=call.pk).url)
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, anchor: str) -> str:
    """The HTML of ``<section id="anchor">`` on the page."""
    match = re.search(rf'<section id="{anchor}".*?</section>', page, re.S)
    assert match, f"no #{anchor} section on the page"
    return match.group(0)


def organisation_time(moment) -> str:
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return f"{local.day} {local:%B %Y, %H:%M}"


# --- Clarifications --------------------------------------------------------------


def test_an_applicant_asks_until_clarifications_close(client, consultancy_call, asker):
    client.force_login(asker)
    response = ask(client, consultancy_call)
    assert response.status_code == 302
    assert response["Location"] == f"{consultancy_call.url}#clarifications"
    question = Clarification.objects.get()
    assert (question.call_id, question.asked_by, question.question) == (
        consultancy_call.pk,
        asker,
        QUESTION,
    )
    assert question.published_at is None
    page = client.get(consultancy_call.url).content.decode()
    assert "Your question was sent." in page
    assert QUESTION not in page  # private to staff until answered and published

    CallPage.objects.filter(pk=consultancy_call.pk).update(
        clarifications_close_at=timezone.now() - timedelta(seconds=1)
    )
    response = ask(client, consultancy_call, "A question after the last day for questions?")
    assert response.status_code == 302
    assert (
        "Questions about this call are closed."
        in client.get(response["Location"]).content.decode()
    )
    assert Clarification.objects.count() == 1


def test_visitors_cannot_ask(client, consultancy_call):
    response = ask(client, consultancy_call)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Clarification.objects.exists()


def test_a_published_answer_is_shown_without_the_asker_and_mailed_once(
    client, consultancy_call, asker, stakeholders
):
    client.force_login(asker)
    ask(client, consultancy_call)
    clarification = Clarification.objects.get()

    clarification.answer = ANSWER
    clarification.save()  # answered, not published yet
    assert ANSWER not in call_page(consultancy_call)
    assert not OutboxMessage.objects.exists()

    clarification.publish = True
    clarification.save()
    page = call_page(consultancy_call)
    assert QUESTION in section(page, "clarifications")
    assert ANSWER in section(page, "clarifications")
    for identity in ("Wanjiku", "Kamau", asker.email):
        assert identity not in page
    mails = OutboxMessage.objects.order_by("to_email")
    assert [m.to_email for m in mails] == sorted(u.email for u in stakeholders)
    for mail in mails:
        assert ANSWER in mail.body_text and asker.email not in mail.body_text

    clarification.answer = ANSWER + " Travel costs are reimbursable."
    clarification.save()  # a correction after publishing
    assert OutboxMessage.objects.count() == len(stakeholders)


def test_staff_publish_an_answer_from_the_wagtail_admin(
    consultancy_call, asker, stakeholders, superuser
):
    clarification = Clarification.objects.create(
        call=consultancy_call, asked_by=asker, question=QUESTION
    )
    admin = Client()
    admin.force_login(superuser)
    edit = reverse("wagtailsnippets_tenders_clarification:edit", args=[clarification.pk])
    form = {"call": consultancy_call.pk, "question": QUESTION, "answer": ANSWER, "publish": "on"}

    response = admin.post(edit, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    clarification.refresh_from_db()
    assert clarification.published_at is not None
    assert ANSWER in section(call_page(consultancy_call), "clarifications")
    assert OutboxMessage.objects.count() == len(stakeholders)

    assert admin.post(edit, form).status_code == 302  # saved again, unchanged
    assert OutboxMessage.objects.count() == len(stakeholders)


def test_an_answer_staff_unpublish_in_the_admin_leaves_the_call_page(
    consultancy_call, asker, superuser
):
    clarification = Clarification.objects.create(
        call=consultancy_call, asked_by=asker, question=QUESTION
    )
    admin = Client()
    admin.force_login(superuser)
    edit = reverse("wagtailsnippets_tenders_clarification:edit", args=[clarification.pk])
    form = {"call": consultancy_call.pk, "question": QUESTION, "answer": ANSWER}
    assert admin.post(edit, {**form, "publish": "on"}).status_code == 302
    assert ANSWER in call_page(consultancy_call)

    assert admin.post(edit, form).status_code == 302  # "publish" unticked
    assert not Clarification.objects.get().publish
    assert ANSWER not in call_page(consultancy_call)


# --- Addenda -----------------------------------------------------------------------


def republish(call, **changes) -> CallPage:
    """Publish a new revision of the call, as an editor does from the page editor."""
    page = CallPage.objects.get(pk=call.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return CallPage.objects.get(pk=call.pk)


def test_moving_the_deadline_records_an_addendum_and_tells_every_applicant(
    consultancy_call, stakeholders
):
    old_deadline = consultancy_call.closes_at
    new_deadline = old_deadline + timedelta(days=7)
    call = republish(consultancy_call, closes_at=new_deadline)

    addendum = Addendum.objects.get(call=call)
    assert addendum.number == 1
    assert (addendum.previous_closes_at, addendum.new_closes_at) == (old_deadline, new_deadline)

    addenda = section(call_page(call), "addenda")
    assert "Addendum 1" in addenda
    assert organisation_time(new_deadline) in addenda
    assert organisation_time(old_deadline) in addenda

    mails = OutboxMessage.objects.order_by("to_email")
    assert [m.to_email for m in mails] == sorted(u.email for u in stakeholders)
    for mail in mails:
        assert organisation_time(new_deadline) in mail.body_text

    # Published again with nothing changed: no addendum, no mail.
    republish(call)
    assert Addendum.objects.filter(call=call).count() == 1
    assert OutboxMessage.objects.count() == len(stakeholders)


def test_publishing_a_call_without_changes_records_no_addendum(consultancy_call, stakeholders):
    republish(consultancy_call)
    republish(consultancy_call, title=consultancy_call.title)
    assert not Addendum.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert 'id="addenda"' not in call_page(consultancy_call)


def test_an_editor_can_open_the_clarifications_screen(client, db):
    """Programme staff are Wagtail Editors; they answer questions without being superusers."""
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from tests.factories import StaffFactory

    editor = StaffFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)

    response = client.get(reverse("wagtailsnippets_tenders_clarification:list"))

    assert response.status_code == 200
