"""Recompute the audit trail's hash chain, name the first broken link, and hold it to
the heads written down outside the database (checkpoints)."""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from applications.services.audit_chain import (
    audit_chain_extend,
    audit_chain_head,
    audit_chain_verify,
    checkpoints_off_the_chain,
    parse_checkpoint,
)

COMMENT = re.compile(r"\s*(#(?!\s*\d)|$)")  # "# a note" or blank; "#12 <hash>" is a checkpoint


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain from its first event to its head, and that "
        "it passes through every checkpoint given (a head copied from a receipt, a "
        "register or the daily checkpoint mail)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-extend",
            action="store_true",
            help="Do not first link events that committed but are not yet chained.",
        )
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help='A head written down earlier, as "#12 <hash>" or "12:<hash>"; repeatable.',
        )
        parser.add_argument(
            "--checkpoint-file",
            action="append",
            default=[],
            metavar="PATH",
            help="A file of checkpoints, one a line; blank lines and # notes are skipped.",
        )

    def handle(self, *args, no_extend=False, checkpoint=(), checkpoint_file=(), **options):
        checkpoints = self._checkpoints(checkpoint, checkpoint_file)
        if not no_extend:
            audit_chain_extend()
        verdict = audit_chain_verify()
        if not verdict.ok:
            raise CommandError(
                f"BROKEN at event #{verdict.broken_at}: {verdict.reason}. "
                f"{verdict.checked} events before it check out."
            )
        head = audit_chain_head()
        end = head.seq if head else 0
        off = checkpoints_off_the_chain(checkpoints)
        if off:
            raise CommandError(
                "; ".join(
                    f"checkpoint {c} is not on the chain"
                    + (f" (the chain ends at #{end})" if c.seq > end else "")
                    for c in off
                )
                + ". The trail was rewritten or cut short after that head was written down."
            )
        self.stdout.write(
            f"OK: {verdict.checked} events, chain intact"
            + (f"; {len(checkpoints)} checkpoints on the chain" if checkpoints else "")
            + (f"; head {head}" if head else "")
            + (f"; {verdict.unchained} not yet chained" if verdict.unchained else "")
        )

    def _checkpoints(self, given, files):
        lines = list(given)
        for path in files:
            try:
                text = Path(path).read_text()
            except OSError as error:
                raise CommandError(f"Cannot read checkpoints from {path}: {error}") from None
            lines += [line for line in text.splitlines() if not COMMENT.match(line)]
        try:
            return [parse_checkpoint(line) for line in lines]
        except ValueError as error:
            raise CommandError(str(error)) from None
