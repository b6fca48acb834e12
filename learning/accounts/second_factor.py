"""TOTP (RFC 6238) for privileged roles: enrolment, verification without replay, a QR code as inline SVG."""

from __future__ import annotations

import io
from datetime import datetime

import pyotp
import segno

ISSUER = "Conduct Rules Portal"
STEP_WINDOW = 1  # accept the previous and next 30-second step too (clock drift between phone and server)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an SVG QR code, inlined in the page (no data: URL, no outside service)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgclass="qr", lineclass=None)
    return buffer.getvalue().decode()


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if valid now and newer than the last one used; else None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at)
    for step in range(current - STEP_WINDOW, current + STEP_WINDOW + 1):
        if totp.generate_otp(step) == code and (last_step is None or step > last_step):
            return step
    return None


def current_code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)
