"""The application form's whole flow in Swahili (issue 22, item 8): an applicant who
reads Swahili fills in the form, checks it, is told what is missing, submits, and gets
a receipt and a receipt mail in Swahili with the answers' SHA-256; after the opening a
chair who reads Swahili marks responsiveness, and a reviewer reads the answers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Submission
from applications.services.submissions import submission_start
from notifications.models import OutboxMessage
from reviews.models import Assignment, Panel
from reviews.services.panels import conflict_declare, panel_hand_over
from tenders.models import CallPage
from tests.applications.form_support import FORM, full_post, with_documents
from tests.factories import StaffFactory, UserFactory, make_call
from tests.sealing_support import open_call

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_outbox_dispatch")]


def swahili_client(user) -> Client:
    user.language = "sw"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_the_form_from_draft_to_review_in_swahili(site_root):
    call = make_call(
        site_root["calls"], kind="grant", budget_ceiling=Decimal("100000"), application_form=FORM
    )
    applicant = UserFactory()
    submission = submission_start(call=call, applicant=applicant)
    client = swahili_client(applicant)
    url = reverse("applications:submission", args=[submission.pk])

    checked = client.post(url, full_post("check", **{"q_q-work": ""}), follow=True)
    page = checked.content.decode()
    assert "Kagua kabla ya kuwasilisha" in page and "Jibu swali hili." in page
    submitted = client.post(url, with_documents(full_post("submit"), call), follow=True)
    page = submitted.content.decode()
    assert "Wasilisho lako limepokelewa." in page
    submission = Submission.objects.get(pk=submission.pk)
    assert submission.is_submitted and submission.answers_sha256 in page
    mail = OutboxMessage.objects.get(dedupe_key__startswith="receipt", to_email=applicant.email)
    assert "Majibu ya fomu ya maombi" in mail.body_text and submission.answers_sha256 in (
        mail.body_text
    )

    # After the deadline: opened, the chair marks it responsive, a reviewer reads it.
    CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    call = CallPage.objects.get(pk=call.pk)
    open_call(call, StaffFactory())
    chair, reviewer = UserFactory(), UserFactory()
    panel = Panel.objects.create(
        call=call, chair=chair, review_deadline=timezone.now() + timedelta(days=5)
    )
    panel.members.set([chair, reviewer])
    panel_hand_over(call=call)
    chair_client = swahili_client(chair)
    compliance = reverse("reviews:compliance", args=[call.pk])
    page = chair_client.get(compliance).content.decode()
    assert "Ukidhi wa masharti" in page and "Rekodi uamuzi" in page
    decided = chair_client.post(
        compliance,
        {"action": "decide", "submission": submission.pk, "responsive": "yes", "reason": ""},
        follow=True,
    )
    assert "imewekwa kuwa inakidhi masharti" in decided.content.decode()
    assignment = Assignment.objects.select_related("submission__call", "panel").get(
        submission=submission, reviewer=reviewer
    )
    conflict_declare(assignment=assignment, user=reviewer, has_conflict=False)
    page = swahili_client(reviewer).get(reverse("reviews:assignment", args=[assignment.pk]))
    assert "Majibu ya fomu ya maombi" in page.content.decode()
    assert "We visit remand prisons." in page.content.decode()
