"""The desk's keyed hashes, each under a key of its own derived from the app's secret (passed in: no Flask).

- counter_key: the row key of a person's anonymous questions on one day (allowance.py).
- claim_code: an anonymous question's claim code, drawn from the random receipt that the ask leaves in
  the asker's session for the next page. The cookie thus carries the receipt, never the code: a copy of
  the cookie (a proxy that logged it, say) opens nothing without the secret as well.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date

_COUNTER = b"learning.desk: anonymous questions per person and day"
_CLAIM = b"learning.desk: claim code from an ask's receipt"


def _derived(secret: str | bytes, purpose: bytes) -> bytes:
    """A key for one purpose only, so that the app's secret itself keys nothing stored or shown."""
    return hmac.new(secret.encode() if isinstance(secret, str) else secret, purpose, hashlib.sha256).digest()


def counter_key(secret: str | bytes, user_id: int, day: date) -> str:
    """HMAC-SHA-256 of "user id:day" (hex): the key of that person's count of anonymous questions that day."""
    return hmac.new(_derived(secret, _COUNTER), f"{user_id}:{day.isoformat()}".encode(), hashlib.sha256).hexdigest()


# Claim codes are copied by hand from the screen to paper and back: Crockford's base32 (no I, L, O or U;
# case does not matter; a typed O reads as 0 and I or L as 1), 25 characters shown in five groups of five.
# That is 125 bits: against guessing through the claim page, which lets one address try about four codes
# an hour once its ten free tries are used (throttle.CLAIM_CODE), even 10,000 addresses guessing for a year
# at 10,000 open codes hit one with a chance of about 1e-22. (The 32-character codes before were 192 bits;
# those already given out still open their questions: services.claim reads both forms.)
CLAIM_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CLAIM_LENGTH = 25
CLAIM_GROUP = 5
_TYPED_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐－ー―]+")  # spaces, ASCII and Japanese hyphens, long vowel marks typed by IME


def claim_code(secret: str | bytes, receipt: str) -> str:
    """The claim code that `receipt` stands for: 125 bits of the HMAC as 25 base32 characters, grouped."""
    digest = hmac.new(_derived(secret, _CLAIM), receipt.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:16], "big") >> 3  # 128 bits, the lowest 3 dropped: 125
    characters = []
    for _ in range(CLAIM_LENGTH):
        number, digit = divmod(number, 32)
        characters.append(CLAIM_ALPHABET[digit])
    return _grouped("".join(characters))


def typed_claim_code(typed: str) -> str | None:
    """A claim code as a person typed it (any case, spaces or hyphens, O for 0, I or L for 1, full-width
    characters from a Japanese keyboard) in its shown form; None if it cannot be one."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed or "")).upper().translate(_TYPED_AS)
    if len(text) != CLAIM_LENGTH or any(ch not in CLAIM_ALPHABET for ch in text):
        return None
    return _grouped(text)


def _grouped(code: str) -> str:
    return "-".join(code[i : i + CLAIM_GROUP] for i in range(0, len(code), CLAIM_GROUP))
