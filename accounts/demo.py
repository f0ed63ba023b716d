"""Demo authenticators: the demo's staff, panel and committee have TOTP enrolled,
and ``manage.py demo_totp <email>`` shows the code their app would show."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

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
