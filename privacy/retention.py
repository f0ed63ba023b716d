"""Applying the retention policy: each rule in turn, each purge on the record.

Every batch a rule removes is audited (which rule, how many, which call), so the
trail says what the policy deleted and when, without naming anyone. A rule that
fails (a store down) is logged, audited with what it had done before it stopped,
and left for the next run; the others still run.
"""

import logging
from dataclasses import dataclass

from django.utils import timezone

from applications.choices import AuditAction
from applications.services.audit import audit_record
from core.storage import STORAGE_ERRORS
from privacy.rules import RULES, Batch, Rule
from tenders.models import CallPage

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    rule: Rule
    batch: Batch
    removed: int = 0
    error: str = ""


def retention_plan(*, now=None) -> list[Outcome]:
    """What each rule would remove now, without removing anything."""
    now = now or timezone.now()
    return [Outcome(rule, batch) for rule in RULES for batch in rule.batches(now)]


def retention_apply(*, now=None) -> list[Outcome]:
    """Remove what each rule finds past its period; what was removed, batch by batch."""
    now = now or timezone.now()
    outcomes = []
    for rule in RULES:
        for batch in rule.batches(now):
            outcome = Outcome(rule, batch)
            try:
                outcome.removed = rule.apply(batch, now)
            except Exception as exc:  # noqa: BLE001 - one rule's failure stops no other
                # The kind only: an error's text can quote a value (an address, a name).
                outcome.error = type(exc).__name__
                outcome.removed = rule.done(batch)
                if isinstance(exc, STORAGE_ERRORS):
                    logger.warning("Retention rule %s stopped: the store failed", rule.code)
                else:
                    logger.error("Retention rule %s stopped: %s", rule.code, outcome.error)
            if outcome.removed or outcome.error:
                stopped = f", then stopped ({outcome.error})" if outcome.error else ""
                audit_record(
                    actor=None,
                    action=AuditAction.RETENTION_PURGED,
                    call=_call(batch.call_id),
                    detail=f"{rule.code}: {outcome.removed}{stopped}",
                )
            outcomes.append(outcome)
    return outcomes


def _call(call_id):
    return None if call_id is None else CallPage.objects.filter(pk=call_id).first()
