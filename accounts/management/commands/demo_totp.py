"""Print the code a demo account's authenticator app would show now."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import current_code


class Command(BaseCommand):
    help = "Show the current TOTP code of a demo account (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_totp is for the demo on a laptop, never production.")
        device = (
            TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CommandError(f"{email} has no authenticator enrolled.")
        code, seconds = current_code(device)
        self.stdout.write(f"{code}  (valid for {seconds} more seconds)")
