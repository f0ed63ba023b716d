"""Starting, saving, submitting and withdrawing submissions."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.choices import APPLICANT_EDITABLE, AuditAction, SubmissionStatus
from applications.models import Submission, SubmissionFile
from applications.permissions import can_apply, can_edit_submission, is_invited, is_owner
from applications.services.amounts import (
    Amounts,
    apply_amounts,
    check_amounts,
    stored_amounts,
)
from applications.services.answers import (
    AnswersIncomplete,
    Sealing,
    answers_fingerprint_of,
    answers_promote,
    answers_store,
    answers_submit_problems,
)
from applications.services.audit import audit_record
from applications.services.audit_chain import audit_chain_head
from applications.services.call_keys import (
    call_key_hold,
    call_key_hold_clear,
    sealing_key_for,
)
from applications.services.deadline import (
    late_message,
    next_reference_number,
    require_not_opened,
    require_received_in_time,
)
from applications.services.double_click import post_digest
from applications.services.staging import FilesRefused, stage_uploads
from applications.uploads import discard_staged
from core.clock import db_now
from core.db import atomic_with_retry
from core.errors import DeadlinePassed, NotAllowed, Refused
from core.page_text import rows_with_text
from core.storage import delete_quietly
from notifications.services import outbox_enqueue
from tenders.application_form import form_questions
from tenders.models import CallPage

CANNOT_CHANGE = gettext_lazy("This submission can no longer be changed.")


def require_editable(user, submission, received_at: datetime) -> None:
    """Refuse a change the owner may no longer make: after the deadline with both
    times, otherwise (another's bid, a bid in evaluation) plainly."""
    if can_edit_submission(user, submission, now=received_at):
        return
    if is_owner(user, submission) and received_at >= submission.call.closes_at:
        raise DeadlinePassed(late_message(submission.call.closes_at, received_at))
    if is_owner(user, submission) and not is_invited(user, submission.call):
        raise NotAllowed(by_invitation_message(submission.call))
    raise NotAllowed(str(CANNOT_CHANGE))


def by_invitation_message(call) -> str:
    return _(
        "This call is by invitation: only applicants shortlisted in %(first)s may bid on it."
    ) % {"first": call.first_stage.reference_code if call.first_stage_id else ""}


def submission_start(*, call: CallPage, applicant, received_at: datetime | None = None):
    """The applicant's submission to ``call``: their existing one, or a new draft.

    Takes no lock: the one-submission-per-applicant constraint settles a double
    click. ``received_at`` is the request's time of receipt (``core.receipt``).
    """
    existing = Submission.objects.filter(call=call, applicant=applicant).first()
    if existing:
        return existing
    received_at = received_at or db_now()
    if not is_invited(applicant, call):
        raise NotAllowed(by_invitation_message(call))
    if not can_apply(applicant, call, now=received_at):
        if received_at >= call.closes_at:
            raise DeadlinePassed(_("The deadline for this call has passed."))
        raise DeadlinePassed(_("This call is not open for applications."))

    def start():
        require_received_in_time(call_id=call.pk, received_at=received_at)
        return Submission.objects.get_or_create(call=call, applicant=applicant)[0]

    return atomic_with_retry(start)


def submission_save(
    *,
    submission: Submission,
    user,
    uploads: dict | None = None,
    amounts: Amounts | None = None,
    answers: dict | None = None,
    submit: bool = False,
    request=None,
    received_at: datetime | None = None,
    form_token: str = "",
    own_key: bytes | None = None,
) -> tuple[Submission, bool]:
    """Save a draft (``submit=False``) or submit it, with any new files.

    ``received_at`` is when the whole request had arrived (``core.receipt``);
    it, not the end of processing, is judged against the deadline. Files are
    checked and stored first; then, in one transaction, the rows are written.
    A transaction that loses a race is run again (``atomic_with_retry``). A
    refusal (the deadline, a missing document) leaves nothing behind, except
    that a bad file never costs the good ones: they are saved, nothing is
    submitted, and ``FilesRefused`` says which were kept. Returns the
    submission and whether anything changed. ``amounts=None`` leaves the
    amounts as they are: a save of files only. ``answers`` (by question id) are
    the application form's; ``None`` leaves them as they are. Submit with an
    answer that cannot be submitted saves everything and raises ``AnswersIncomplete``.
    ``own_key`` is the applicant's key for their copy of sealed answers (from their
    browser, ``applications.answer_keys``).
    """
    received_at = received_at or db_now()
    require_editable(user, submission, received_at)
    call = submission.call
    if amounts is not None and not amounts.given and submission.amounts_sealed:
        amounts = None  # the field left blank: the sealed amounts stay as they are
    questions = form_questions(call)
    if answers is not None:
        known = {q.id for q in questions}
        answers = {qid: value for qid, value in answers.items() if qid in known}
    staged, refusals = stage_uploads(call, uploads or {}, submission.pk)
    if refusals and not staged and not answers:
        raise FilesRefused(refusals=refusals, kept=[])
    answer_problems, missing, amount_problem = {}, [], ""
    if submit and questions:
        # Every problem at once (answers, documents, amounts); all that was sent is
        # saved all the same, as a plain save, and nothing is lost.
        answer_problems, missing = answers_submit_problems(
            submission,
            questions,
            answers,
            staged_ids={r.pk for r, _i in staged},
            own_key=own_key,
        )
        try:
            check_amounts(call, amounts or stored_amounts(submission))
        except Refused as refusal:
            amount_problem = refusal.message
    # With a bad file, the good ones are kept as a plain save, never a submit.
    submit = submit and not (refusals or answer_problems or missing or amount_problem)
    try:
        submission, changed, duplicates = atomic_with_retry(
            lambda: _save_locked(
                submission.pk,
                call,
                staged,
                _Changes(
                    amounts=amounts,
                    answers=answers,
                    questions=questions,
                    form_token=post_digest(
                        form_token, submit=submit, amounts=amounts, answers=answers, staged=staged
                    ),
                    own_key=own_key,
                ),
                submit,
                request,
                user,
                received_at,
            )
        )
    except BaseException:
        discard_staged([s for _r, s in staged])
        raise
    # Not inside the transaction: a retried attempt must still find them.
    discard_staged([item for _r, item in staged if item.object_name in duplicates])
    if refusals:
        raise FilesRefused(refusals=refusals, kept=[requirement for requirement, _i in staged])
    if answer_problems or missing or amount_problem:
        raise AnswersIncomplete(answer_problems, missing, amount_problem)
    return submission, changed


@dataclass
class _Changes:
    amounts: Amounts | None
    answers: dict | None
    questions: list
    form_token: str = ""
    own_key: bytes | None = None


def _save_locked(submission_id, call, staged, changes, submit, request, user, received_at):
    amounts = changes.amounts
    # Lock 1: this submission's row only (see services/deadline.py for the order).
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    submission.call = call  # the deadline itself is read fresh, just below
    if amounts is None:  # a save of files only: the amounts stay as they are
        amounts = stored_amounts(submission)
    require_received_in_time(call_id=call.pk, received_at=received_at)
    require_not_opened(call.pk)
    if submission.status not in APPLICANT_EDITABLE:
        raise NotAllowed(str(CANNOT_CHANGE))
    if changes.form_token and submission.form_token == changes.form_token:
        # The same rendering of the form posted again (a double click): the first post
        # went through; this one changes nothing, and its uploads are dropped.
        return submission, False, [item.object_name for _r, item in staged]
    if changes.form_token:
        submission.form_token = changes.form_token
        Submission.objects.filter(pk=submission.pk).update(form_token=changes.form_token)

    for key_id in {item.call_key_id for _r, item in staged if item.call_key_id}:
        call_key_hold(key_id)
    if any(item.call_key_id is None for _r, item in staged):
        call_key_hold_clear(call.pk)
    already_submitted = submission.status == SubmissionStatus.SUBMITTED
    changed = False
    doomed_objects = []  # files this save replaces: deleted after commit
    duplicates = []  # uploads identical to the current file: deleted once the save is done
    for requirement, item in staged:
        current = {f.pending: f for f in submission.files.filter(requirement=requirement)}
        live = current.get(True) or current.get(False)
        if live and live.sha256 == item.sha256 and live.original_name == item.original_name:
            duplicates.append(item.object_name)  # the same file again: a double click
            continue
        # A submitted bid keeps its current file until Resubmit; a draft or a
        # withdrawn bid takes the newest upload, dropping any older pending one.
        replaced = [current.get(True)] + ([] if already_submitted else [current.get(False)])
        for old in filter(None, replaced):
            doomed_objects.append(old.object_name)
            old.delete()
        SubmissionFile.objects.create(
            submission=submission,
            requirement=requirement,
            document_name=requirement.name,
            envelope=requirement.envelope,
            object_name=item.object_name,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            pending=already_submitted,
            call_key_id=item.call_key_id,
            sealed_key=item.sealed_key,
            sealed_format=item.sealed_format,
        )
        changed = True
        audit_record(
            actor=user,
            action=AuditAction.FILE_UPLOADED,
            request=request,
            submission=submission,
            detail=requirement.name,
        )

    if changes.answers:
        key = sealing_key_for(call.pk)
        if key is not None:
            call_key_hold(key.pk)  # in this transaction: no re-key until it commits
        sealing = key and Sealing(
            call_key=key,
            own_key=changes.own_key,
            questions={q.id: q for q in changes.questions},
            call=call,
        )
        if answers_store(
            submission,
            changes.answers,
            pending=already_submitted,
            own_key=changes.own_key,
            sealing=sealing,
        ):
            changed = True
            if not already_submitted:
                submission.save(update_fields=["updated_at"])
    if not submit:
        if not already_submitted and apply_amounts(submission, amounts):
            submission.save()
            changed = True
    else:
        check_amounts(call, amounts)
        files = list(submission.files.all())
        have = {f.requirement_id for f in files}
        missing = [
            r.text.name
            for r in rows_with_text(call, "required_documents")
            if r.is_required and r.pk not in have
        ]
        if missing:
            raise Refused(
                _("Add the required documents before submitting: %(missing)s.")
                % {"missing": ", ".join(missing)}
            )
        pending = [f for f in files if f.pending]
        amounts_changed = apply_amounts(submission, amounts)
        answers_changed = answers_promote(submission)
        if (
            already_submitted
            and not pending
            and not amounts_changed
            and not answers_changed
            and not changed
        ):
            return submission, False, duplicates  # a repeated click, not a resubmission
        for new in pending:
            for old in files:
                if old.requirement_id == new.requirement_id and not old.pending:
                    doomed_objects.append(old.object_name)
                    old.delete()
            new.pending = False
            new.save(update_fields=["pending"])
        if submission.number is None:
            submission.number = next_reference_number(call.pk)  # lock 2
            submission.reference = f"{call.reference_code}-{submission.number:04d}"
        known = {q.id for q in changes.questions}
        submission.answers_sha256 = (
            answers_fingerprint_of(submission, known) if changes.questions else ""
        )
        submission.move_to(SubmissionStatus.SUBMITTED)
        submission.submitted_at = received_at
        submission.withdrawn_at = None
        submission.save()
        changed = True
        audit_record(
            actor=user,
            action=AuditAction.SUBMITTED,
            request=request,
            submission=submission,
        )
        receipt_files = list(
            submission.files.filter(pending=False).order_by(
                "requirement__sort_order", "document_name"
            )
        )
        outbox_enqueue(
            to=submission.applicant.email,
            template="applications/emails/submission_receipt",
            context={
                "submission": submission,
                "call": call,
                # The amounts as given, for the bidder's copy: the row holds them sealed.
                "amounts": amounts,
                "files": receipt_files,
                # Written down outside the database: the bidder's copy of the chain's head.
                "audit_head": audit_chain_head(),
            },
            dedupe_key=f"receipt:{submission.pk}:{received_at.isoformat()}",
            confidential=True,
        )
    transaction.on_commit(
        lambda: delete_quietly(doomed_objects, what="replaced file"), robust=True
    )
    return submission, changed, duplicates
