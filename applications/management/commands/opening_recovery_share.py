"""Give the recovery key's share of a call's key, in place of a member who lost their
passphrase (issue 23):

    manage.py opening_recovery_share DC-CFC-2026-001 < recovery-key.txt

The private half is read from standard input (typed, or from the paper's transcription),
never from the command line, where the shell's history would keep it. It unlocks only
the recovery key's share of this call's key; the call still opens only when the quorum
of members has confirmed. The act is in the audit trail.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from nacl.public import PrivateKey

from applications.services.opening import recovery_share_give
from core.errors import Refused
from core.keys import key_from_words
from tenders.models import CallPage


def read_private(text: str) -> PrivateKey:
    raw = key_from_words(text)
    if raw is None:
        raise CommandError("That is not a recovery key: 52 letters and digits.")
    return PrivateKey(raw)


class Command(BaseCommand):
    help = "Give the recovery key's share of a call's key (the private half on stdin)."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the call's reference code")

    def handle(self, *args, reference, **options):
        call = CallPage.objects.originals().filter(reference_code=reference).first()
        if call is None:
            raise CommandError(f"No call has the reference {reference}.")
        if sys.stdin.isatty():
            self.stdout.write("Type the recovery key's private half, then Enter:")
        private = read_private(sys.stdin.readline())
        try:
            opening = recovery_share_give(call=call, private=private)
        except Refused as refusal:
            raise CommandError(refusal.message) from refusal
        if opening is not None:
            self.stdout.write(f"The recovery key's share is given, and {reference} is opened.")
        else:
            self.stdout.write(
                f"The recovery key's share is given. {reference} opens when its quorum of "
                "members has confirmed."
            )
