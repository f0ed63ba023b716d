"""Recompute the audit trail's hash chain and name the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from applications.services.audit_chain import (
    audit_chain_extend,
    audit_chain_head,
    audit_chain_verify,
)


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain from its first event to its head."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-extend",
            action="store_true",
            help="Do not first link events that committed but are not yet chained.",
        )

    def handle(self, *args, no_extend=False, **options):
        if not no_extend:
            audit_chain_extend()
        verdict = audit_chain_verify()
        if not verdict.ok:
            raise CommandError(
                f"BROKEN at event #{verdict.broken_at}: {verdict.reason}. "
                f"{verdict.checked} events before it check out."
            )
        head = audit_chain_head()
        self.stdout.write(
            f"OK: {verdict.checked} events, chain intact"
            + (f"; head {head}" if head else "")
            + (f"; {verdict.unchained} not yet chained" if verdict.unchained else "")
        )
