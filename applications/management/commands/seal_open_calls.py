"""Encrypt in place what calls published before calls were keyed still hold in the clear
(issue 23, item 6):

    manage.py seal_open_calls [--dry-run]

For each call not yet opened: make its key (once its committee is complete and every
member has an opening key), then encrypt each stored file and each bid's amounts to it.
Calls that cannot be keyed yet are listed with what is missing. It also drops the
bodies of mail about bids already delivered. Safe to run again: what is sealed is left
as it is. Each call's sealing is in the audit trail.
"""

from django.core.management.base import BaseCommand

from applications.services.seal_in_place import (
    call_seal_in_place,
    calls_to_seal,
    replaced_objects_delete,
)
from notifications.services import delivered_confidential_bodies_drop


class Command(BaseCommand):
    help = (
        "Encrypt in place the files, amounts and answers of calls published before calls "
        "were keyed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be sealed")

    def handle(self, *args, dry_run=False, **options):
        verb = "would seal" if dry_run else "sealed"
        waiting = 0
        if not dry_run:
            left = replaced_objects_delete()
            if left:
                self.stdout.write(f"Plain files left by an interrupted run: {left} deleted.")
        for call in calls_to_seal():
            result = call_seal_in_place(call, dry_run=dry_run)
            if result.problem:
                waiting += 1
                self.stdout.write(f"{call.reference_code}: not keyed yet: {result.problem}")
            elif result.files or result.amounts or result.answers:
                self.stdout.write(
                    f"{call.reference_code}: {verb} {result.files} files, "
                    f"{result.amounts} bids' amounts and {result.answers} answers"
                )
        if not dry_run:
            dropped = delivered_confidential_bodies_drop()
            self.stdout.write(f"Mail about bids already delivered: {dropped} bodies dropped.")
        self.stdout.write(
            f"{waiting} calls wait for their committee's keys."
            if waiting
            else "Every call not yet opened is sealed to its committee's keys."
        )
