"""Celery tasks for bids: linking the audit trail's hash chain and mailing its head."""

from celery import shared_task

from applications.services.audit_chain import audit_chain_extend
from applications.services.clean_copies import CLEAN_TASK, clean_copies_make
from tenders.models import CallPage


@shared_task(name="applications.tasks.chain_audit_trail", ignore_result=True)
def chain_audit_trail() -> int:
    """Run by beat: link events whose after-commit chaining did not run."""
    return audit_chain_extend()


@shared_task(name="applications.tasks.sweep_partial_uploads", ignore_result=True)
def sweep_partial_uploads() -> int:
    """Run by beat: uploads left unfinished for a day, and their bytes, are removed."""
    from applications.services.resumable import partial_uploads_sweep

    return partial_uploads_sweep()


@shared_task(name="applications.tasks.mail_audit_checkpoint", ignore_result=True)
def mail_audit_checkpoint() -> int:
    """Run by beat: the chain's head, mailed once a day to the opening committees."""
    from applications.services.audit_checkpoint import audit_checkpoint_mail

    return audit_checkpoint_mail()


@shared_task(name=CLEAN_TASK, ignore_result=True)
def make_clean_copies(call_id: int) -> int:
    """Queued when a call is opened: its files' copies without their authors' names,
    for blind review. Safe to run twice: a file that has its copy is skipped."""
    call = CallPage.objects.filter(pk=call_id).first()
    return clean_copies_make(call=call) if call is not None else 0
