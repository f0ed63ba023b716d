"""The last minutes of a call on PostgreSQL, with real concurrent transactions.

Each applicant runs in its own thread, with its own database connection, and
all of them start, save and submit on the same call at once: the interleavings
that used to deadlock (a start locking the page row while a submit held its
submission row and wanted the page row). Nothing may fail, and the reference
numbers must come out unique and without gaps.
"""

import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, connections, transaction

from applications.demo import tiny_pdf
from applications.models import Submission, SubmissionSequence
from applications.services.amounts import Amounts
from applications.services.submissions import submission_save, submission_start
from core.db import atomic_with_retry
from tests import services
from tests.factories import UserFactory

APPLICANTS = 12
OFFER = Amounts(offer_amount=Decimal("1250000"), offer_currency="KES")


def _in_threads(work, count):
    """Run ``work(i)`` in ``count`` threads released together; return their errors."""
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as error:  # noqa: BLE001 - reported below, by thread
            errors.append((i, repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


def _documents(call, tag):
    return {
        doc.pk: SimpleUploadedFile(f"{doc.name}.pdf", tiny_pdf(f"{doc.name} {tag}"))
        for doc in call.required_documents.all()
    }


@pytest.mark.services
def test_starts_saves_and_submits_on_one_call_at_once_all_succeed(
    transactional_db, django_db_serialized_rollback, consultancy_call, no_outbox_dispatch
):
    services.require_postgres(connection)
    call = consultancy_call
    applicants = [UserFactory(email=f"rush{i}@example.org") for i in range(APPLICANTS)]
    # Half have a draft already; the other half start theirs in the rush.
    for applicant in applicants[::2]:
        submission_start(call=call, applicant=applicant)

    def rush(i):
        applicant = applicants[i]
        submission = submission_start(call=call, applicant=applicant)
        submission = Submission.objects.select_related("call").get(pk=submission.pk)
        submission_save(
            submission=submission, user=applicant, uploads=_documents(call, i), amounts=OFFER
        )
        submission = Submission.objects.select_related("call").get(pk=submission.pk)
        submission_save(submission=submission, user=applicant, amounts=OFFER, submit=True)

    errors = _in_threads(rush, APPLICANTS)

    assert errors == []
    submitted = Submission.objects.filter(call=call)
    assert submitted.count() == APPLICANTS
    assert all(s.is_submitted for s in submitted)
    assert sorted(s.number for s in submitted) == list(range(1, APPLICANTS + 1))
    assert len({s.reference for s in submitted}) == APPLICANTS
    assert SubmissionSequence.objects.get(call=call).last_number == APPLICANTS


@pytest.mark.services
def test_a_real_deadlock_is_retried_and_both_transactions_commit(
    transactional_db, django_db_serialized_rollback, site_root
):
    """Two transactions take two rows in opposite orders: PostgreSQL aborts one
    (40P01), and ``atomic_with_retry`` runs it again instead of failing."""
    services.require_postgres(connection)
    from tests.factories import make_call

    calls = [make_call(site_root["calls"], title=f"Row {n}") for n in range(2)]
    for call in calls:
        SubmissionSequence.objects.create(call=call)
    first_locks = threading.Barrier(2)
    attempts = []

    def take(order):
        def work():
            attempts.append(order)
            first, second = order
            SubmissionSequence.objects.select_for_update().get(call=calls[first])
            try:
                first_locks.wait(timeout=5)  # both hold their first row now
            except threading.BrokenBarrierError:
                pass  # the retry: the other transaction has already finished
            bump = SubmissionSequence.objects.filter(call=calls[second])
            bump.update(last_number=bump.get().last_number + 1)

        atomic_with_retry(work)

    errors = _in_threads(lambda i: take((0, 1) if i == 0 else (1, 0)), 2)

    assert errors == []
    assert len(attempts) == 3  # one of the two was aborted as the deadlock victim, once
    assert sum(s.last_number for s in SubmissionSequence.objects.all()) == 2


@pytest.mark.services
def test_without_the_retry_the_same_deadlock_is_an_error(
    transactional_db, django_db_serialized_rollback, site_root
):
    """The control for the test above: the interleaving does deadlock."""
    services.require_postgres(connection)
    from tests.factories import make_call

    calls = [make_call(site_root["calls"], title=f"Row {n}") for n in range(2)]
    for call in calls:
        SubmissionSequence.objects.create(call=call)
    first_locks = threading.Barrier(2)

    def take(order):
        with transaction.atomic():
            first, second = order
            SubmissionSequence.objects.select_for_update().get(call=calls[first])
            first_locks.wait(timeout=5)
            SubmissionSequence.objects.select_for_update().get(call=calls[second])

    errors = _in_threads(lambda i: take((0, 1) if i == 0 else (1, 0)), 2)

    assert len(errors) == 1
    assert "deadlock" in errors[0][1].lower()
    assert OperationalError.__name__ in errors[0][1]
