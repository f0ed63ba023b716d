"""Celery tasks for bids: linking the audit trail's hash chain and mailing its head."""

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


@shared_task(name="applications.tasks.mail_audit_checkpoint", ignore_result=True)
def mail_audit_checkpoint() -> int:
    """Run by beat: the chain's head, mailed once a day to the opening committees."""
    from applications.services.audit_checkpoint import audit_checkpoint_mail

    return audit_checkpoint_mail()
