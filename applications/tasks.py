"""Celery tasks for bids: linking the audit trail's hash chain."""

from celery import shared_task

from applications.services.audit_chain import audit_chain_extend


@shared_task(name="applications.tasks.chain_audit_trail", ignore_result=True)
def chain_audit_trail() -> int:
    """Run by beat: link events whose after-commit chaining did not run."""
    return audit_chain_extend()


@shared_task(name="applications.tasks.sweep_partial_uploads", ignore_result=True)
def sweep_partial_uploads() -> int:
    """Run by beat: uploads left unfinished for a day, and their bytes, are removed."""
    from applications.services.resumable import partial_uploads_sweep

    return partial_uploads_sweep()
