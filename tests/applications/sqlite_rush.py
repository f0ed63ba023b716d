"""Run by test_rush_sqlite.py in a fresh process on the embedded default (SQLite).

Migrates an empty database in ``ZABUNI_VAR_DIR``, then lets applicants start,
save and submit on one call at once, each in its own thread and connection,
and prints what happened as JSON: errors, and the reference numbers given.
"""

import json
import os
import sys
import threading
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from applications.demo import tiny_pdf  # noqa: E402
from applications.models import Submission  # noqa: E402
from applications.services.amounts import Amounts  # noqa: E402
from applications.services.submissions import submission_save, submission_start  # noqa: E402
from tests.factories import UserFactory, build_site, make_call  # noqa: E402

APPLICANTS = int(sys.argv[1]) if len(sys.argv) > 1 else 8
OFFER = Amounts(offer_amount=Decimal("1250000"), offer_currency="KES")


def main():
    assert connection.vendor == "sqlite", connection.vendor
    call_command("migrate", verbosity=0)
    call = make_call(build_site()["calls"])
    applicants = [UserFactory(email=f"rush{i}@example.org") for i in range(APPLICANTS)]
    barrier = threading.Barrier(APPLICANTS)
    errors = []

    def rush(i):
        try:
            applicant = applicants[i]
            barrier.wait(timeout=30)
            submission = submission_start(call=call, applicant=applicant)
            documents = {
                doc.pk: SimpleUploadedFile(f"{doc.name}.pdf", tiny_pdf(f"{doc.name} {i}"))
                for doc in call.required_documents.all()
            }
            submission = Submission.objects.select_related("call").get(pk=submission.pk)
            submission_save(
                submission=submission, user=applicant, uploads=documents, amounts=OFFER
            )
            submission = Submission.objects.select_related("call").get(pk=submission.pk)
            submission_save(submission=submission, user=applicant, amounts=OFFER, submit=True)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rush, args=(i,)) for i in range(APPLICANTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    numbers = sorted(
        Submission.objects.filter(call=call, status="submitted").values_list("number", flat=True)
    )
    print(json.dumps({"errors": errors, "numbers": numbers, "journal_mode": journal}))


if __name__ == "__main__":
    main()
