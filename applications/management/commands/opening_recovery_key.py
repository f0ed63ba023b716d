"""Make the organisation's offline recovery key and print its private half, once.

    manage.py opening_recovery_key [--replace]

The server keeps only the public half. Print or copy the private half onto paper or
an offline medium, put it in a safe, and clear the terminal: nobody can print it
again. With a recovery key already in use, ``--replace`` makes a new one (calls
already keyed keep their shares for the old one, which stays recorded as replaced).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from nacl.public import PrivateKey

from applications.models import RecoveryKey
from core.keys import key_words


class Command(BaseCommand):
    help = "Make the offline recovery key for openings; print its private half once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--replace", action="store_true", help="replace the recovery key in use"
        )

    def handle(self, *args, replace=False, **options):
        private = PrivateKey.generate()
        with transaction.atomic():
            current = RecoveryKey.objects.select_for_update().filter(replaced_at=None).first()
            if current is not None and not replace:
                raise CommandError(
                    f"A recovery key is in use ({current.fingerprint}, made "
                    f"{current.created_at:%Y-%m-%d}). Its private half cannot be printed "
                    "again; to make a new one, run this with --replace."
                )
            if current is not None:
                current.replaced_at = timezone.now()
                current.save(update_fields=["replaced_at"])
            key = RecoveryKey.objects.create(public_key=bytes(private.public_key))
        groups = key_words(bytes(private))
        self.stdout.write(
            "The recovery key for openings is made. Its fingerprint is "
            f"{key.fingerprint}.\n\n"
            "Private half (shown only now; the server does not keep it):\n\n"
            f"    {groups}\n\n"
            "Write it down or print it, keep it in a safe, and clear this terminal.\n"
        )
