"""Names and readings as they are compared: width folded (NFKC), hiragana as katakana, spaces collapsed.

Pure, so that the HR file reader stores readings the same way the people search normalises what is typed.
"""

from __future__ import annotations

import unicodedata

HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}  # ぁ..ゖ → ァ..ヶ
KATAKANA_TO_HIRAGANA = {code + 0x60: code for code in range(0x3041, 0x3097)}


def normalise(text: str | None) -> str:
    """ｼﾐｽﾞ, しみず and シミズ all become シミズ; Ｅ１２ becomes E12; runs of spaces (also 　) one space."""
    folded = unicodedata.normalize("NFKC", text or "").translate(HIRAGANA_TO_KATAKANA)
    return " ".join(folded.split())


def reading(text: str | None) -> str | None:
    """A kana reading as it is stored (None when empty)."""
    return normalise(text)[:100] or None
