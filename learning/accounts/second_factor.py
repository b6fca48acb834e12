"""TOTP (RFC 6238) for privileged roles: enrolment, verification without replay, a QR code as inline SVG."""

from __future__ import annotations

import hmac
import io
import unicodedata
from dataclasses import dataclass
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


@dataclass(frozen=True)
class CodeCheck:
    step: int | None  # the time step the code belongs to, when it may be used now
    reused: bool = False  # the code is right but its step was used already (a replay)


def normalised(code: str) -> str:
    """The code as typed, with the Japanese IME's full-width digits made ASCII (NFKC) and every kind of
    space (the ideographic one too) and hyphen taken out: "１２３ ４５６" is 123456."""
    folded = unicodedata.normalize("NFKC", code or "")
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-‐")


def check_code(secret: str, code: str, at: datetime, last_step: int | None) -> CodeCheck:
    """Whether `code` is valid now (within a step either side) and newer than the last step used.
    Compared in constant time, so the time taken says nothing about how many digits were right."""
    code = normalised(code)
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return CodeCheck(None)
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at)
    for step in range(current - STEP_WINDOW, current + STEP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                return CodeCheck(None, reused=True)
            return CodeCheck(step)
    return CodeCheck(None)


def current_code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)
