"""Apply the retention policy now, or list what it would remove (``--dry-run``)."""

from datetime import datetime, time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.retention import retention_apply, retention_plan
from privacy.rules import RULES


class Command(BaseCommand):
    help = "Delete what the retention policy says has been kept long enough (docs/retention.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go, and why; delete nothing."
        )
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help=(
                "Act as if it were that day: with --dry-run anywhere, for real only where "
                "DEBUG is on (the demo, a laptop)."
            ),
        )

    def handle(self, *args, dry_run=False, as_of=None, **options):
        now = self._now(as_of, dry_run)
        outcomes = retention_plan(now=now) if dry_run else retention_apply(now=now)
        when = f"{now:%Y-%m-%d %H:%M}"
        self.stdout.write(("What would go on " if dry_run else "Applied on ") + when)
        for rule in RULES:
            self.stdout.write(f"\n{rule.label} [{rule.code}]\n  why: {rule.reason}")
            mine = [o for o in outcomes if o.rule is rule]
            if not mine:
                self.stdout.write("  nothing is past its period")
            for outcome in mine:
                batch = outcome.batch
                count = batch.count if dry_run else outcome.removed
                where = f"call {batch.call_id}" if batch.call_id else "outside any call"
                line = f"  {rule.acts[0 if dry_run else 1]} {count} ({where})"
                if outcome.error:
                    line += f"; stopped: {outcome.error}, left for the next run"
                self.stdout.write(line)

    def _now(self, as_of, dry_run):
        if not as_of:
            return timezone.now()
        if not (dry_run or settings.DEBUG):
            raise CommandError(
                "--as-of moves the clock: it deletes for real only where DEBUG is on; "
                "with --dry-run it only shows what that day would remove."
            )
        try:
            day = datetime.strptime(as_of, "%Y-%m-%d").date()
        except ValueError as exc:
            raise CommandError(f"{as_of!r} is not a date: write YYYY-MM-DD.") from exc
        return timezone.make_aware(datetime.combine(day, time(12)))
