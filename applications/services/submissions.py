"""Starting, saving, submitting and withdrawing submissions."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from wagtail.models import Page

from applications.choices import APPLICANT_EDITABLE, AuditAction, SubmissionStatus
from applications.models import Submission, SubmissionFile
from applications.permissions import can_apply, can_edit_submission
from applications.services.audit import audit_record
from applications.uploads import StagedFile, check_upload, discard_staged, store_upload
from core.clock import db_now
from core.errors import DeadlinePassed, NotAllowed, Refused
from core.storage import private_storage
from notifications.services import outbox_enqueue
from tenders.choices import CallKind
from tenders.models import CallPage, RequiredDocument


@dataclass
class Amounts:
    offer_amount: Decimal | None = None
    offer_currency: str = ""
    amount_requested: Decimal | None = None


def submission_start(*, call: CallPage, applicant) -> Submission:
    """The applicant's submission to ``call``: their existing one, or a new draft."""
    existing = Submission.objects.filter(call=call, applicant=applicant).first()
    if existing:
        return existing
    if not can_apply(applicant, call):
        raise DeadlinePassed(_("This call is not open for applications."))
    with transaction.atomic():
        lock_call(call)
        if db_now() >= CallPage.objects.values_list("closes_at", flat=True).get(pk=call.pk):
            raise DeadlinePassed(_("The deadline for this call has passed."))
        submission, _created = Submission.objects.get_or_create(call=call, applicant=applicant)
    return submission


def lock_call(call) -> None:
    """Serialise writes that number or open a call's submissions."""
    list(Page.objects.select_for_update().filter(pk=call.pk).values_list("pk", flat=True))


def _stage(call, uploads) -> list[tuple[RequiredDocument, StagedFile]]:
    """Check every upload, then store them. One bad file refuses them all."""
    requirements = {r.pk: r for r in call.required_documents.all()}
    checked = []
    for requirement_id, uploaded in uploads.items():
        requirement = requirements.get(int(requirement_id))
        if requirement is None:
            raise Refused(_("That document is not part of this call."))
        name = check_upload(
            uploaded,
            accepted=requirement.accepted_type_list,
            max_bytes=requirement.max_size_bytes,
            label=requirement.name,
        )
        checked.append((requirement, uploaded, name))
    staged = []
    try:
        for requirement, uploaded, name in checked:
            staged.append(
                (requirement, store_upload(uploaded, call_id=call.pk, display_name=name))
            )
    except BaseException:
        discard_staged([s for _r, s in staged])
        raise
    return staged


def _check_amounts(call, amounts: Amounts) -> None:
    if call.kind == CallKind.CONSULTANCY:
        if amounts.offer_amount is None or amounts.offer_amount <= 0:
            raise Refused(_("Enter the amount of your financial offer."))
        if not amounts.offer_currency:
            raise Refused(_("Choose the currency of your financial offer."))
    else:
        if amounts.amount_requested is None or amounts.amount_requested <= 0:
            raise Refused(_("Enter the amount you request."))
        if call.budget_ceiling and amounts.amount_requested > call.budget_ceiling:
            raise Refused(
                _("The amount requested is above this call's ceiling of %(ceiling)s %(cur)s.")
                % {"ceiling": f"{call.budget_ceiling:,.0f}", "cur": call.currency}
            )


def _apply_amounts(submission, amounts: Amounts) -> bool:
    changed = False
    for field in ("offer_amount", "offer_currency", "amount_requested"):
        value = getattr(amounts, field)
        if field == "offer_currency":
            value = value or ""
        if getattr(submission, field) != value:
            setattr(submission, field, value)
            changed = True
    return changed


def submission_save(
    *,
    submission: Submission,
    user,
    uploads: dict | None = None,
    amounts: Amounts | None = None,
    submit: bool = False,
    request=None,
) -> tuple[Submission, bool]:
    """Save a draft (``submit=False``) or submit it, with any new files.

    Files are checked and stored first; then, in one transaction that also
    reads the database clock, the rows are written. A refusal at any step
    (a bad file, the deadline, a missing document) leaves nothing behind.
    Returns the submission and whether anything changed.
    """
    if not can_edit_submission(user, submission):
        raise NotAllowed(_("This submission can no longer be changed."))
    call = submission.call
    amounts = amounts or Amounts()
    staged = _stage(call, uploads or {})
    try:
        with transaction.atomic():
            result = _save_locked(submission.pk, call.pk, staged, amounts, submit, request, user)
    except BaseException:
        discard_staged([s for _r, s in staged])
        raise
    return result


def _save_locked(submission_id, call_id, staged, amounts, submit, request, user):
    submission = (
        Submission.objects.select_for_update().select_related("call").get(pk=submission_id)
    )
    call = submission.call
    now = db_now()
    closes_at = CallPage.objects.values_list("closes_at", flat=True).get(pk=call_id)
    if now >= closes_at:
        raise DeadlinePassed(
            _("The deadline for this call passed at %(deadline)s. Nothing was saved.")
            % {"deadline": closes_at.strftime("%Y-%m-%d %H:%M:%S UTC")}
        )
    if submission.status not in APPLICANT_EDITABLE:
        raise NotAllowed(_("This submission can no longer be changed."))

    already_submitted = submission.status == SubmissionStatus.SUBMITTED
    changed = False
    doomed_objects = []
    storage = private_storage()
    for requirement, item in staged:
        current = {f.pending: f for f in submission.files.filter(requirement=requirement)}
        live = current.get(True) or current.get(False)
        if live and live.sha256 == item.sha256 and live.original_name == item.original_name:
            storage.delete(item.object_name)  # the same file again: a double click
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
        )
        changed = True
        audit_record(
            actor=user,
            action=AuditAction.FILE_UPLOADED,
            request=request,
            submission=submission,
            detail=requirement.name,
        )

    if not submit:
        if not already_submitted and _apply_amounts(submission, amounts):
            submission.save()
            changed = True
    else:
        _check_amounts(call, amounts)
        files = list(submission.files.all())
        have = {f.requirement_id for f in files}
        missing = [
            r.name for r in call.required_documents.all() if r.is_required and r.pk not in have
        ]
        if missing:
            raise Refused(
                _("Add the required documents before submitting: %(missing)s.")
                % {"missing": ", ".join(missing)}
            )
        pending = [f for f in files if f.pending]
        amounts_changed = _apply_amounts(submission, amounts)
        if already_submitted and not pending and not amounts_changed and not changed:
            return submission, False  # nothing new: a repeated click, not a resubmission
        for new in pending:
            for old in files:
                if old.requirement_id == new.requirement_id and not old.pending:
                    doomed_objects.append(old.object_name)
                    old.delete()
            new.pending = False
            new.save(update_fields=["pending"])
        if submission.number is None:
            lock_call(call)
            last = Submission.objects.filter(call=call).aggregate(n=Max("number"))["n"] or 0
            submission.number = last + 1
            submission.reference = f"{call.reference_code}-{submission.number:04d}"
        submission.move_to(SubmissionStatus.SUBMITTED)
        submission.submitted_at = now
        submission.withdrawn_at = None
        submission.save()
        changed = True
        audit_record(
            actor=user,
            action=AuditAction.SUBMITTED,
            request=request,
            submission=submission,
        )
        receipt_files = list(submission.files.filter(pending=False).order_by("document_name"))
        outbox_enqueue(
            to=submission.applicant.email,
            template="applications/emails/submission_receipt",
            context={"submission": submission, "call": call, "files": receipt_files},
            dedupe_key=f"receipt:{submission.pk}:{now.isoformat()}",
        )
    transaction.on_commit(lambda: [storage.delete(name) for name in doomed_objects])
    return submission, changed


def submission_withdraw(*, submission: Submission, user, request=None) -> Submission:
    """Withdraw a submitted bid before the deadline. It may be submitted again."""
    if not can_edit_submission(user, submission):
        raise NotAllowed(_("This submission can no longer be changed."))
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update().select_related("call").get(pk=submission.pk)
        )
        now = db_now()
        if now >= CallPage.objects.values_list("closes_at", flat=True).get(pk=locked.call_id):
            raise DeadlinePassed(_("The deadline has passed; the bid stands as submitted."))
        if locked.status != SubmissionStatus.SUBMITTED:
            return locked
        locked.move_to(SubmissionStatus.WITHDRAWN)
        locked.withdrawn_at = now
        locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
        audit_record(actor=user, action=AuditAction.WITHDRAWN, request=request, submission=locked)
        outbox_enqueue(
            to=locked.applicant.email,
            template="applications/emails/submission_withdrawn",
            context={"submission": locked, "call": locked.call},
            dedupe_key=f"withdrawn:{locked.pk}:{now.isoformat()}",
        )
    return locked
