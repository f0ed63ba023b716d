"""Set up the rush benchmark's site, run in its own process with the bench's environment.

    python bench/rush_setup.py APPLICANTS ALONE

On a migrated database, builds the page tree and one open call (closing in
days), and gives each of APPLICANTS + ALONE applicants a complete draft
(documents uploaded, offer typed) and a signed-in session. Prints JSON for
``bench_rush.py``: the call, the drafts and session cookies of the rush and
of the ones who submit alone (the baseline). Then it waits: when
``bench_rush.py`` writes ``deadline SECONDS`` on its stdin (once the server is
up and every form fetched), it moves the deadline to that many seconds from
now, by the database clock, and prints it as JSON. Setting the deadline last
means no guess at how long the rest takes on a loaded machine. After the rush,
``receipts`` on its stdin has it print each submitted bid's recorded time of
receipt (seconds since the epoch, by submission id) and how many of them are at
or after the deadline, and exit.
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

from django.test import Client  # noqa: E402

from applications.models import Submission  # noqa: E402
from applications.services.amounts import Amounts  # noqa: E402
from applications.services.submissions import submission_save, submission_start  # noqa: E402
from core.clock import db_now  # noqa: E402
from tenders.models import CallPage  # noqa: E402
from tests.factories import UserFactory, build_site, make_call, pdf_upload  # noqa: E402


def main(applicants: int, alone: int) -> None:
    call = make_call(build_site()["calls"], title="The rush")
    offer = Amounts(offer_amount=Decimal("1250000"), offer_currency="KES")
    people = []
    for n in range(applicants + alone):
        user = UserFactory(email=f"rush{n}@example.org")
        files = {
            doc.pk: pdf_upload(f"{doc.name} {n}.pdf") for doc in call.required_documents.all()
        }
        draft = submission_start(call=call, applicant=user)
        submission_save(submission=draft, user=user, uploads=files, amounts=offer)
        client = Client()
        client.force_login(user)
        people.append({"submission": draft.pk, "sessionid": client.cookies["sessionid"].value})
    technical = call.required_documents.get(envelope="technical").pk
    print(
        json.dumps(
            {
                "call": call.pk,
                "technical_field": f"document_{technical}",
                "people": people[:applicants],
                "alone": people[applicants:],
            }
        ),
        flush=True,
    )
    command, lead = sys.stdin.readline().split()
    if command != "deadline":
        sys.exit(f"expected 'deadline SECONDS', got {command!r}")
    closes_at = db_now() + timedelta(seconds=float(lead))
    CallPage.objects.filter(pk=call.pk).update(closes_at=closes_at)
    print(json.dumps({"closes_at": closes_at.timestamp()}), flush=True)
    if sys.stdin.readline().strip() != "receipts":
        sys.exit("expected 'receipts'")
    submitted = dict(
        Submission.objects.filter(call=call, status="submitted").values_list("pk", "submitted_at")
    )
    receipts = {str(pk): at.timestamp() for pk, at in submitted.items()}
    # Bids recorded as received at or after the deadline: must be none.
    late = sum(at >= closes_at for at in submitted.values())
    print(json.dumps({"late": late, "receipts": receipts}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
