"""Set up the rush benchmark's site, run in its own process with the bench's environment.

Migrates, builds the page tree and one open call, gives each applicant a
complete draft (documents uploaded, offer typed) and a signed-in session,
then moves the deadline to ``lead`` seconds from now. Prints JSON for
``bench_rush.py``: the call, the drafts, the session cookies, the deadline.
"""

import json
import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from applications.services.submissions import (  # noqa: E402
    Amounts,
    submission_save,
    submission_start,
)
from core.clock import db_now  # noqa: E402
from tenders.models import CallPage  # noqa: E402
from tests.factories import UserFactory, build_site, make_call, pdf_upload  # noqa: E402


def main(applicants: int, lead: float) -> None:
    call_command("migrate", verbosity=0)
    call = make_call(build_site()["calls"], title="The rush")
    offer = Amounts(offer_amount=Decimal("1250000"), offer_currency="KES")
    people = []
    for n in range(applicants):
        user = UserFactory(email=f"rush{n}@example.org")
        files = {
            doc.pk: pdf_upload(f"{doc.name} {n}.pdf") for doc in call.required_documents.all()
        }
        draft = submission_start(call=call, applicant=user)
        submission_save(submission=draft, user=user, uploads=files, amounts=offer)
        client = Client()
        client.force_login(user)
        people.append({"submission": draft.pk, "sessionid": client.cookies["sessionid"].value})
    closes_at = db_now() + timedelta(seconds=lead)
    CallPage.objects.filter(pk=call.pk).update(closes_at=closes_at)
    technical = call.required_documents.get(envelope="technical").pk
    print(
        json.dumps(
            {
                "call": call.pk,
                "technical_field": f"document_{technical}",
                "people": people,
                "closes_at": closes_at.timestamp(),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
