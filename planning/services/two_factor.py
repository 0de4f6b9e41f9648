"""The second factor at sign-in: who must give one, enrolling an authenticator app, codes.

Built on django-otp: a confirmed `TOTPDevice` per enrolled user (the app's secret, the
last time step used, so a code works once, and its throttling: each wrong code doubles the
wait before the next is checked) and a `StaticDevice` with ten one-time backup codes.
Whether a session has given its code is django-otp's (`request.user.is_verified()`, by
`OTPMiddleware`); whether it must is decided here when the user signs in
(`sign_in_noted`) and kept in the session, so a page costs no query for it.
"""

import base64
import binascii

import django_otp
import segno
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from organisations.selectors import two_factor_required

# In the session: whether this sign-in needs a second factor (True/False), and the secret
# of an authenticator app being enrolled, until its first code confirms it.
NEEDED_SESSION_KEY = "two_factor_needed"
ENROL_KEY_SESSION_KEY = "two_factor_enrol_key"
BACKUP_CODES = 10


def two_factor_needed(*, user: AbstractBaseUser) -> bool:
    """Whether `user` must give a code after the password: when required of them
    (`organisations.selectors.two_factor_required`), or when they enrolled an app."""
    return two_factor_required(user) or django_otp.user_has_device(user)


def sign_in_noted(*, request: HttpRequest, user: AbstractBaseUser) -> None:
    """Note in the fresh session whether this sign-in needs a second factor (on every
    sign-in: the staff login, the admin's, tests' `force_login`): planning/middleware.py
    reads it on every request. A change to who must use it counts from the next sign-in."""
    request.session[NEEDED_SESSION_KEY] = two_factor_needed(user=user)


def has_app(*, user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def device_for_code(*, user: AbstractBaseUser, code: str) -> Device | None:
    """The device of `user` that accepts `code` (the app's six digits, or a backup code,
    which is then used up), or None. Each device checks under its row lock and throttles
    wrong codes (django-otp's `verify_token`)."""
    code = "".join(code.split()).lower()
    if not code or len(code) > 16:
        return None
    for device in django_otp.devices_for_user(user):
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def verified(*, request: HttpRequest, device: Device) -> None:
    """Mark the session as signed in with its second factor, under a new session key."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[NEEDED_SESSION_KEY] = True


# ENROLMENT -------------------------------------------------------------------------------


def enrol_key(*, request: HttpRequest) -> str:
    """The secret being enrolled in this session (hex, 20 bytes), made on first use."""
    key = request.session.get(ENROL_KEY_SESSION_KEY)
    if not key:
        key = request.session[ENROL_KEY_SESSION_KEY] = random_hex(20)
    return key


def secret_text(key: str) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in fours."""
    text = base64.b32encode(binascii.unhexlify(key)).decode()
    return " ".join(text[start : start + 4] for start in range(0, len(text), 4))


def qr_code_svg(*, user: AbstractBaseUser, key: str) -> str:
    """The `otpauth://` address of the secret as an inline SVG QR code (segno)."""
    config_url = TOTPDevice(user=user, key=key).config_url  # unsaved: only the address
    return segno.make(config_url, error="m").svg_inline(scale=5, svgclass="qr-code")


def _code_matches(key: str, code: str) -> int | None:
    """The time step at which `code` is the key's, within one step either side, or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = TOTP(binascii.unhexlify(key))
    return totp.t() if totp.verify(int(code), tolerance=1) else None


@transaction.atomic
def app_enrol(*, request: HttpRequest, user: AbstractBaseUser, code: str) -> list[str] | None:
    """Confirm the app being enrolled with its first code: its device is saved (the
    code cannot be used again), ten backup codes are made, and the session counts as
    verified. Returns the backup codes (shown once), or None if the code was wrong.

    Enrolling again replaces the user's app and backup codes.
    """
    key = enrol_key(request=request)
    step = _code_matches(key, code)
    if step is None:
        return None
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name="Authenticator app", key=key, confirmed=True, last_t=step
    )
    backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    del request.session[ENROL_KEY_SESSION_KEY]
    verified(request=request, device=device)
    return codes
