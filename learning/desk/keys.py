"""The desk's keyed hashes, each under a key of its own derived from the app's secret (passed in: no Flask).

- counter_key: the row key of a person's anonymous questions on one day (allowance.py).
- claim_code: an anonymous question's claim code, drawn from the random receipt that the ask leaves in
  the asker's session for the next page. The cookie thus carries the receipt, never the code: a copy of
  the cookie (a proxy that logged it, say) opens nothing without the secret as well.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date

_COUNTER = b"learning.desk: anonymous questions per person and day"
_CLAIM = b"learning.desk: claim code from an ask's receipt"


def _derived(secret: str | bytes, purpose: bytes) -> bytes:
    """A key for one purpose only, so that the app's secret itself keys nothing stored or shown."""
    return hmac.new(secret.encode() if isinstance(secret, str) else secret, purpose, hashlib.sha256).digest()


def counter_key(secret: str | bytes, user_id: int, day: date) -> str:
    """HMAC-SHA-256 of "user id:day" (hex): the key of that person's count of anonymous questions that day."""
    return hmac.new(_derived(secret, _COUNTER), f"{user_id}:{day.isoformat()}".encode(), hashlib.sha256).hexdigest()


def claim_code(secret: str | bytes, receipt: str) -> str:
    """The claim code that `receipt` stands for: 32 URL-safe characters (192 bits of the HMAC)."""
    digest = hmac.new(_derived(secret, _CLAIM), receipt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()
