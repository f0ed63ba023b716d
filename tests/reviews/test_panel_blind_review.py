"""Blind review through the panel's pages: the register shows references, not names,
and no page a reviewer reaches (answers, files and their names included) leaks who
the applicant is."""

from django.urls import reverse

from applications.models import Answer
from reviews.models import Assignment
from tenders.models import CallPage
from tests.applications.form_support import FORM
from tests.reviews import panel_support
from tests.reviews.panel_support import FIRMS, scored_call

# The shared fixture, used by name.
evaluation = panel_support.evaluation


# --- blind review ------------------------------------------------------------------------


def test_under_blind_review_the_panels_register_shows_references_not_names(client, evaluation):
    ev = evaluation(blind=True)
    assignment = Assignment.objects.filter(panel=ev["panel"]).first()
    client.force_login(assignment.reviewer)

    response = client.get(reverse("reviews:register", args=[ev["call"].pk]))
    csv = client.get(reverse("reviews:register", args=[ev["call"].pk]) + "?format=csv")

    assert response.status_code == 200
    page = response.content.decode()
    assert assignment.submission.reference in page
    for firm, _email in FIRMS:
        assert firm not in page
        assert firm not in csv.content.decode()
    # File names could name a bidder too: only the staff copy has them.
    technical = assignment.submission.files.get(envelope="technical")
    assert technical.original_name not in page
    assert technical.sha256 in page


def test_blind_review_leaks_no_applicant_identity_on_any_reviewer_page(client, evaluation):
    ev = scored_call(evaluation, blind=True)
    secrets = [firm for firm, _email in FIRMS] + [email for _firm, email in FIRMS]
    secrets += [f.original_name for b in ev["bids"] for f in b.files.all()]
    # Every answer to a question that identifies the applicant (issue 22).
    CallPage.objects.filter(pk=ev["call"].pk).update(application_form=FORM)
    for n, bid in enumerate(ev["bids"]):
        for question in FORM:
            if question["value"].get("identifies_applicant"):
                answer = f"Identifying answer {n} to {question['id']}"
                Answer.objects.create(submission=bid, question_id=question["id"], value=answer)
                secrets.append(answer)
        Answer.objects.create(submission=bid, question_id="q-work", value=f"Plain answer {n}")
    shown_answers = 0
    for member in ev["members"]:
        client.force_login(member)
        urls = [
            reverse("reviews:queue"),
            reverse("reviews:ranking", args=[ev["call"].pk]),
        ]
        for a in Assignment.objects.filter(reviewer=member):
            urls.append(reverse("reviews:assignment", args=[a.pk]))
            if a.declared_no_conflict:  # the answers are there, the identifying ones not
                shown = client.get(reverse("reviews:assignment", args=[a.pk])).content.decode()
                number = [b.pk for b in ev["bids"]].index(a.submission_id)
                assert f"Plain answer {number}" in shown
                shown_answers += 1
            urls.append(reverse("applications:submission", args=[a.submission_id]))
            urls.append(reverse("applications:receipt", args=[a.submission_id]))
            for f in a.submission.files.all():
                response = client.get(reverse("applications:download", args=[f.pk]))
                disposition = response.get("Content-Disposition", "")
                assert not any(s in disposition for s in secrets), disposition
        for url in urls:
            body = client.get(url).content.decode()
            leaked = [s for s in secrets if s in body]
            assert not leaked, (url, leaked)
        client.logout()
    assert shown_answers > 0
