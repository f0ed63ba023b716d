"""Encrypting in place the bids of calls published before calls were keyed (issue 23,
item 6): ``manage.py seal_open_calls``.

A call not yet opened, and never keyed, gets its key once its committee is complete and
every member has an opening key (``call_keys``); then each file stored in the clear is
encrypted to it as a new object, the row pointed at the new object in a short
transaction of its own (only if it still names the old object), and the old object
deleted after the commit; each bid's amounts are sealed too. Running it again finds
nothing left to do. Each call's sealing is one event in the audit trail.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from applications.choices import AuditAction
from applications.models import (
    Answer,
    OpeningCommittee,
    ReplacedObject,
    Submission,
    SubmissionFile,
)
from applications.models.submissions import new_object_name
from applications.sealed_files import binding, store_sealed
from applications.services.amounts import apply_amounts, stored_amounts
from applications.services.answers import Sealing, answer_write
from applications.services.audit import audit_record
from applications.services.call_keys import (
    call_is_keyed_era,
    call_key_ensure,
    call_key_in_use,
    holder_problems,
)
from core.storage import delete_quietly, private_storage
from tenders.application_form import form_questions
from tenders.choices import CallOutcome
from tenders.models import CallPage


@dataclass
class Sealed:
    call: CallPage
    files: int = 0
    amounts: int = 0
    answers: int = 0
    problem: str = ""


def calls_to_seal():
    """Published calls not opened nor cancelled, with anything stored in the clear or
    never keyed."""
    return (
        CallPage.objects.originals()
        .filter(first_published_at__isnull=False, opening__isnull=True)
        .exclude(outcome=CallOutcome.CANCELLED)
        .order_by("pk")
    )


def call_seal_in_place(call: CallPage, *, dry_run: bool = False) -> Sealed:
    result = Sealed(call=call)
    plain_files = SubmissionFile.objects.filter(
        submission__call=call, call_key__isnull=True, purged_at__isnull=True
    )
    plain_amounts = Submission.objects.filter(call=call, amounts_key__isnull=True).exclude(
        offer_amount__isnull=True, amount_requested__isnull=True
    )
    plain_answers = Answer.objects.filter(
        submission__call=call, call_key__isnull=True, sealed__isnull=True
    )
    key = call_key_in_use(call.pk)
    if key is None:
        committee = OpeningCommittee.objects.filter(call=call).first()
        if committee is None:
            result.problem = _("no opening committee")
            return result
        members = list(committee.members.filter(is_active=True))
        problems = holder_problems(committee, members)
        if problems:
            result.problem = " ".join(problems)
            return result
        if call_is_keyed_era(call.pk):
            result.problem = _("its committee is being changed")
            return result
        if not dry_run:
            key = call_key_ensure(committee, members=members)
    if dry_run:
        result.files, result.amounts = plain_files.count(), plain_amounts.count()
        result.answers = sum(1 for a in plain_answers if a.value not in ("", [], None))
        return result
    while batch := list(plain_files.order_by("pk")[:100]):  # until none is left
        for item in batch:
            result.files += _seal_file(item, key)
    for submission in plain_amounts.order_by("pk"):
        with transaction.atomic():
            locked = Submission.objects.select_for_update().get(pk=submission.pk)
            if locked.amounts_key_id is None and apply_amounts(locked, stored_amounts(locked)):
                locked.save()
                result.amounts += 1
    sealing = Sealing(
        call_key=key, own_key=None, questions={q.id: q for q in form_questions(call)}, call=call
    )
    for answer in plain_answers.order_by("pk"):
        with transaction.atomic():
            locked = Answer.objects.select_for_update().filter(pk=answer.pk).first()
            if locked and locked.sealed is None and locked.value not in ("", [], None):
                answer_write(locked, locked.value, sealing)
                result.answers += 1
    if result.files or result.amounts or result.answers:
        audit_record(
            actor=None,
            action=AuditAction.CALL_KEYED,
            call=call,
            detail=f"Encrypted in place to key {key.fingerprint}: "
            f"{result.files} files, {result.amounts} bids' amounts, {result.answers} answers",
        )
    return result


def _seal_file(item: SubmissionFile, key) -> int:
    with private_storage().open(item.object_name, "rb") as plain:
        name, sealed_key = store_sealed(
            plain,
            object_name=new_object_name(item.submission.call_id),
            call_public_key=key.public_key,
            bound_to=binding(item.submission_id, item.sha256),
        )
    with transaction.atomic():
        changed = SubmissionFile.objects.filter(
            pk=item.pk, object_name=item.object_name, call_key__isnull=True
        ).update(object_name=name, call_key=key, sealed_key=sealed_key)
        old = item.object_name if changed else name  # replaced meanwhile: drop ours
        # Noted in the same commit: if this process dies before deleting it, the next
        # run does (``replaced_objects_delete``).
        ReplacedObject.objects.create(name=old)
        transaction.on_commit(lambda: replaced_objects_delete([old]), robust=True)
    return changed


def replaced_objects_delete(names=None) -> int:
    """Delete the objects noted as replaced (those named, or all): each note goes once
    its object is gone. The number deleted."""
    notes = ReplacedObject.objects.all()
    if names is not None:
        notes = notes.filter(name__in=names)
    deleted = 0
    for note in list(notes):
        if delete_quietly([note.name], what="file encrypted in place"):
            note.delete()
            deleted += 1
    return deleted
