"""Text as search compares it, and the excerpt shown for a hit. Pure: no database, no Flask.

Matching folds width (NFKC: ﾀｸｿｳ and タクソウ, Ｅ１２ and E12), hiragana into katakana (たくそう and タクソウ)
and case, the same way for what is indexed and what is typed (`accounts.kana.normalise`, plus lower case).
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise

from learning.accounts.kana import HIRAGANA_TO_KATAKANA
from learning.accounts.kana import normalise as _kana

MAX_QUERY = 100  # characters typed that are read
MAX_WORDS = 5
EXCERPT = 90  # characters of body around the first hit


def normalise(text: str | None) -> str:
    return _kana(text).lower()


def words(query: str | None) -> list[str]:
    """The words of a query, normalised, longest first (the most selective one leads), at most MAX_WORDS."""
    found = list(dict.fromkeys(normalise((query or "")[:MAX_QUERY]).split()))[:MAX_WORDS]
    return sorted(found, key=len, reverse=True)


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` folded character by character, and for each folded character the index it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = " " if char.isspace() else unicodedata.normalize("NFKC", char).translate(HIRAGANA_TO_KATAKANA).lower()
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


def _spans(text: str, found: list[str]) -> list[tuple[int, int]]:
    """Where the words occur in `text` (original indexes), merged, in order."""
    folded, origin = _folded(text)
    spans = []
    for word in found:
        start = folded.find(word)
        while start != -1:
            end = start + len(word)
            spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(word, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, found: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is a hit) pairs; the template escapes each piece and wraps hits in <mark>."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in _spans(text, found):
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def excerpt(body: str, found: list[str], width: int = EXCERPT) -> list[tuple[str, bool]]:
    """About `width` characters of `body` around its first hit (its start when the hit is in the title only),
    with an ellipsis where it was cut, as (piece, is a hit) pairs."""
    text = " ".join(body.split())
    spans = _spans(text, found)
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(text), start + width)
    cut = text[start:end]
    pieces = marked(cut, found)
    if start > 0:
        pieces.insert(0, ("…", False))
    if end < len(text):
        pieces.append(("…", False))
    return pieces


def grams(normalised: str) -> list[str]:
    """The distinct pairs of neighbouring characters of a normalised text, each as 12 hex digits (two code
    points of 6), the last character paired with a space: a word of two characters occurs in the text exactly
    when its pair is among these, a word of one character when a pair starts with it. The bigram index
    (`search_grams`, `SearchEntry.grams`) is built of them, for the words too short for a trigram."""
    text = normalised + " "
    return sorted({f"{ord(a):06x}{ord(b):06x}" for a, b in pairwise(text)})


def gram_query(word: str) -> str:
    """A word of one or two characters as the bigram index matches it: its pair, or its character's prefix."""
    if len(word) == 2:
        return f"{ord(word[0]):06x}{ord(word[1]):06x}"
    return f"{ord(word):06x}"
