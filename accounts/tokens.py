"""The email-verification link's token: its own generator, its own lifetime.

Not the password-reset generator: a reset link must never confirm an
address, nor a confirmation link reset a password. The hash covers the
address and whether the account is active, so a link stops working once
used, or once the address changes.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "zabuni.accounts.tokens.EmailVerificationTokenGenerator"

    @property
    def timeout(self) -> int:
        return settings.EMAIL_VERIFICATION_TIMEOUT

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email.lower()}{int(user.is_active)}{timestamp}"

    def check_token(self, user, token) -> bool:
        """Genuine, made for this user as they are now, and younger than ``timeout``."""
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(
                self._make_token_with_timestamp(user, timestamp, secret), token
            ):
                break
        else:
            return False
        return 0 <= self._num_seconds(self._now()) - timestamp <= self.timeout


email_verification_token = EmailVerificationTokenGenerator()
