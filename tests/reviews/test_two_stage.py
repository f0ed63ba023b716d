"""Two-stage calls (issue 22, item 6): a first stage (expression of interest) ends in a
shortlist; the second stage links to it, cannot be published without one, invites the
shortlisted applicants by mail when published (naming its deadline), is refused to
everyone else on every bid route, freezes the shortlist, and lets its reviewers read
each bidder's first-stage submission under the same blind-review rule."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.models import Answer, Submission
from applications.services.submissions import submission_start
from core.errors import NotAllowed
from notifications.models import OutboxMessage
from reviews.models import Assignment, Panel
from reviews.ranking import call_ranking
from reviews.services.outcomes import outcome_decide, outcomes_send
from reviews.services.panels import conflict_declare, panel_hand_over, panel_lock
from tenders.freeze import TermsFrozen
from tenders.models import CallPage
from tests.factories import UserFactory, make_call, submit_bid
from tests.reviews.compliance_support import examined
from tests.reviews.sheet_support import evaluation_builder
from tests.sealing_support import open_call

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_outbox_dispatch")]


@pytest.fixture
def first_stage(site_root):
    """A closed, opened, scored expression of interest; two of its four bids shortlisted."""
    ev = evaluation_builder(site_root)(
        n=4,
        stage="first",
        title="Expression of interest",
        selection_method="qbs",
        technical_weight=Decimal("1"),
        financial_weight=Decimal("0"),
    )
    panel = panel_lock(panel=examined(ev["panel"]), user=ev["staff"])
    ranked = [row for row in call_ranking(ev["call"]) if row.rank is not None]
    assert len(ranked) >= 2
    shortlist = [Submission.objects.get(pk=row.entry.id) for row in ranked[:2]]
    ev["shortlisted"] = [s.applicant for s in shortlist]
    ev["left_out"] = [a for a in ev["applicants"] if a not in ev["shortlisted"]]
    ev["panel"] = panel
    return ev


def second_stage(site_root, first, **fields):
    return make_call(
        site_root["calls"],
        stage="second",
        first_stage=first["call"],
        title="Request for proposals",
        **fields,
    )


def shortlist(first, *, send=True):
    """The first stage's panel decides every outcome and, with ``send``, tells everyone."""
    for submission in Submission.objects.filter(call=first["call"]).order_by("number"):
        outcome_decide(
            panel=first["panel"],
            user=first["chair"],
            submission=submission,
            outcome="shortlisted"
            if submission.applicant in first["shortlisted"]
            else "not_successful",
        )
    if send:
        outcomes_send(panel=Panel.objects.get(pk=first["panel"].pk), user=first["chair"])


def test_a_second_stage_needs_a_shortlist_then_invites_it_and_freezes_it(site_root, first_stage):
    with pytest.raises(TermsFrozen, match="has no final shortlist yet"):
        second_stage(site_root, first_stage)
    shortlist(first_stage, send=False)  # decided, but the applicants not yet told
    with pytest.raises(TermsFrozen, match="has no final shortlist yet"):
        second_stage(site_root, first_stage)
    outcomes_send(panel=Panel.objects.get(pk=first_stage["panel"].pk), user=first_stage["chair"])
    swahili = first_stage["shortlisted"][1]
    swahili.language = "sw"
    swahili.save(update_fields=["language"])

    call = second_stage(site_root, first_stage)

    invitations = OutboxMessage.objects.filter(dedupe_key__startswith=f"invitation:{call.pk}:")
    assert {m.to_email for m in invitations} == {a.email for a in first_stage["shortlisted"]}
    body = invitations.exclude(to_email=swahili.email).get().body_text
    assert "You are invited to the second stage" in body and "Request for proposals" in body
    assert "Umealikwa kwenye hatua ya pili" in invitations.get(to_email=swahili.email).body_text
    local = timezone.localtime(call.closes_at)
    assert f"{local.day} {local:%B %Y, %H:%M}" in body  # the deadline is named
    # Publishing again invites nobody twice.
    CallPage.objects.get(pk=call.pk).save_revision().publish()
    assert invitations.count() == 2
    # The shortlist is frozen now.
    left_out = Submission.objects.get(
        call=first_stage["call"], applicant=first_stage["left_out"][0]
    )
    with pytest.raises(NotAllowed):
        outcome_decide(
            panel=Panel.objects.get(pk=first_stage["panel"].pk),
            user=first_stage["chair"],
            submission=left_out,
            outcome="shortlisted",
        )


def test_only_the_shortlist_may_bid_and_every_bid_route_refuses_the_others(
    site_root, first_stage, client
):
    shortlist(first_stage)
    call = second_stage(site_root, first_stage)
    invited, outsider = first_stage["shortlisted"][0], first_stage["left_out"][0]
    stranger = UserFactory()

    client.force_login(invited)
    page = client.get(call.url).content.decode()
    assert "Start a bid" in page and "By invitation" not in page
    assert client.post(reverse("applications:apply", args=[call.pk])).status_code == 302
    assert Submission.objects.filter(call=call, applicant=invited).exists()

    for person in (outsider, stranger):
        client.force_login(person)
        page = client.get(call.url).content.decode()
        assert "By invitation" in page and "Start a bid" not in page
        response = client.post(reverse("applications:apply", args=[call.pk]), follow=True)
        assert "This call is by invitation" in response.content.decode()
        assert not Submission.objects.filter(call=call, applicant=person).exists()
        with pytest.raises(NotAllowed):
            submission_start(call=call, applicant=person)
        assert "Only invited applicants may ask questions" in page
        asked = client.post(reverse("applications:ask", args=[call.pk]), {"question": "May I?"})
        assert asked.status_code in (302, 403)
        assert not call.clarifications.exists()

    # A draft that exists anyway (written straight into the database) changes nothing.
    forged = Submission.objects.create(call=call, applicant=outsider)
    client.force_login(outsider)
    doc = call.required_documents.first()
    refused = {
        "save": client.post(
            reverse("applications:submission", args=[forged.pk]),
            {"action": "submit", "offer_amount": "1000", "offer_currency": "KES"},
        ),
        "autosave": client.post(
            reverse("applications:answers_save", args=[forged.pk]),
            {"answers_form": "1", "q_q-x": "typed"},
        ),
        "upload": client.post(
            reverse("applications:upload_start", args=[forged.pk]),
            {"requirement": doc.pk, "name": "a.pdf", "size": 100},
            content_type="application/json",
        ),
    }
    for route, response in refused.items():
        assert response.status_code == 403, route
        assert "by invitation" in response.content.decode(), route
    forged.refresh_from_db()
    assert forged.is_draft and forged.submitted_at is None and not forged.files.exists()
    assert not Answer.objects.filter(submission=forged).exists()


def test_second_stage_reviewers_read_the_first_stage_submission(site_root, first_stage, client):
    shortlist(first_stage)
    call = second_stage(site_root, first_stage)
    invited = first_stage["shortlisted"][0]
    bid = submit_bid(call, invited)
    CallPage.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    call = CallPage.objects.get(pk=call.pk)

    open_call(call, first_stage["staff"])
    reviewer = UserFactory()
    panel = Panel.objects.create(
        call=call, chair=reviewer, review_deadline=timezone.now() + timedelta(days=5)
    )
    panel.members.set([reviewer])
    panel_hand_over(call=call)
    assignment = Assignment.objects.select_related("submission__call", "panel").get(submission=bid)
    earlier = Submission.objects.get(call=first_stage["call"], applicant=invited)
    technical = earlier.files.filter(envelope="technical").first()
    client.force_login(reviewer)
    download = reverse("applications:download", args=[technical.pk])
    page = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()
    assert "The first stage" not in page
    assert client.get(download).status_code == 404  # not before declaring

    conflict_declare(assignment=assignment, user=reviewer, has_conflict=False)

    page = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()
    assert f"The first stage ({first_stage['call'].reference_code})" in page
    assert download in page
    assert client.get(download).status_code == 200
    # The first-stage bids of applicants this reviewer does not review stay closed.
    other = Submission.objects.filter(call=first_stage["call"]).exclude(applicant=invited).first()
    other_file = other.files.filter(envelope="technical").first()
    assert client.get(reverse("applications:download", args=[other_file.pk])).status_code == 404


def test_once_published_a_call_keeps_its_stage_and_its_first_stage(site_root, first_stage):
    shortlist(first_stage)
    call = second_stage(site_root, first_stage)
    for change in ({"stage": "single", "first_stage": None}, {"stage": "first"}):
        edited = CallPage.objects.get(pk=call.pk)
        for name, value in change.items():
            setattr(edited, name, value)
        with pytest.raises(ValidationError, match="can no longer change"):  # the form's way
            edited.full_clean()
        with pytest.raises(TermsFrozen, match="can no longer change"):  # any other way
            edited.save()
    assert CallPage.objects.get(pk=call.pk).is_second_stage


def test_a_blind_second_stage_needs_a_blind_first_stage(site_root, first_stage):
    shortlist(first_stage)
    with pytest.raises(ValidationError, match="a blind second stage needs a blind first stage"):
        call = CallPage(
            title="Blind proposals",
            slug="blind-proposals",
            kind="consultancy",
            reference_code="DC-RFP-2026-777",
            summary="Blind.",
            stage="second",
            first_stage=first_stage["call"],
            blind_review=True,
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=9),
            clarifications_close_at=timezone.now() + timedelta(days=5),
            currency="KES",
            selection_method="qcbs",
            technical_weight="0.8",
            financial_weight="0.2",
            minimum_technical_score="70",
        )
        call.clean()


def test_a_first_stage_shortlists_on_quality_alone(site_root):
    with pytest.raises(ValidationError) as refused:
        make_call(  # QCBS, with a financial envelope
            site_root["calls"],
            stage="first",
            documents=[
                ("Expression of interest", "technical", True, "pdf", 5),
                ("Financial proposal", "financial", True, "pdf", 5),
            ],
        )
    assert set(refused.value.message_dict) >= {"selection_method", "stage"}
