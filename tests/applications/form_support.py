"""What the application form tests share: the grant call's form (FORM, and the
question() that builds each of its questions), a draft on that call with its owner's
client, and the bid page's POST with every answer given and the documents attached."""

from decimal import Decimal

import pytest

from applications.services.submissions import submission_start
from tests.factories import UserFactory, make_call, pdf_upload


def question(kind, qid, label, *, required=True, identifies=False, **rules):
    value = {
        "label": label,
        "help_text": "",
        "required": required,
        "identifies_applicant": identifies,
        **rules,
    }
    return {"type": kind, "id": qid, "value": value}


FORM = [
    {"type": "section", "id": "s-about", "value": {"heading": "About you", "guidance": "Who."}},
    question("short_answer", "q-org", "Name of your organisation", identifies=True),
    question("long_answer", "q-work", "Your work with detainees", word_limit=5),
    question("eligibility", "q-reg", "Are you registered in Kenya?", required_answer="yes"),
    question("multiple_choice", "q-areas", "Where you work", choices=["Kisumu", "Mombasa"]),
    {"type": "section", "id": "s-money", "value": {"heading": "Budget", "guidance": ""}},
    question("budget", "q-budget", "Your budget", max_lines=5),
    question("email", "q-email", "Contact address", required=False),
]


@pytest.fixture
def grant_call(site_root):
    return make_call(
        site_root["calls"], kind="grant", budget_ceiling=Decimal("100000"), application_form=FORM
    )


@pytest.fixture
def applicant_bid(grant_call, client):
    applicant = UserFactory()
    submission = submission_start(call=grant_call, applicant=applicant)
    client.force_login(applicant)
    return submission, client


def full_post(action="save", **answers):
    data = {
        "answers_form": "1",
        "action": action,
        "amount_requested": "50000",
        "q_q-org": "Haki Mashinani",
        "q_q-work": "We visit remand prisons.",
        "q_q-reg": "yes",
        "q_q-areas": ["Kisumu"],
        "q_q-budget-item-0": "Prison visits",
        "q_q-budget-quantity-0": "10",
        "q_q-budget-cost-0": "2500",
        "q_q-email": "",
    }
    data.update(answers)
    return data


def with_documents(data, call):
    for doc in call.required_documents.all():
        data[f"document_{doc.pk}"] = pdf_upload(f"{doc.name}.pdf")
    return data
