"""TOTP devices: the user's confirmed authenticator and checking a code against it."""

from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def device_verify(device: TOTPDevice, code: str) -> bool:
    """A 6-digit code checked against the device (django-otp throttles repeated failures)."""
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 6):
        return False
    allowed, _data = device.verify_is_allowed()
    return bool(allowed) and device.verify_token(code)
