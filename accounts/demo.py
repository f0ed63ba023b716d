"""Demo authenticators: the demo's staff, panel and committee have TOTP enrolled,
and ``manage.py demo_totp <email>`` shows the code their app would show."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.opening_keys import opening_key_create, opening_key_of

# django-two-factor-auth signs in with the device named "default".
DEMO_DEVICE = "default"


def enrol_demo_authenticator(user) -> int:
    """Give ``user`` a confirmed TOTP device (once); return how many were made."""
    _device, created = TOTPDevice.objects.get_or_create(
        user=user, name=DEMO_DEVICE, defaults={"confirmed": True}
    )
    return int(created)


def current_code(device) -> tuple[str, int]:
    """The code ``device`` accepts now, and the seconds it stays valid."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    code = f"{totp.token():0{device.digits}d}"
    return code, int(device.step - (totp.time - device.t0) % device.step)


# The demo committee's opening keys are locked with this passphrase (printed by the
# loader): a demo, not a secret.
DEMO_OPENING_PASSPHRASE = "zabuni opening demo passphrase"


def enrol_demo_opening_key(user) -> int:
    """Give ``user`` an opening key under the demo passphrase (once)."""
    if opening_key_of(user) is not None:
        return 0
    opening_key_create(user=user, passphrase=DEMO_OPENING_PASSPHRASE)
    return 1
