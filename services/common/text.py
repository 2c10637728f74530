"""Vietnamese text: NFC storage and folding for search (case- and diacritic-insensitive, đ→d)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """Text as stored: NFC, trimmed, inner runs of white space collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def nfc_or_none(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = nfc(text)
    return cleaned or None


def fold(text: str) -> str:
    """Search key: "Bánh phồng Sơn Đốc" -> "banh phong son doc". The same key is stored in *_folded
    columns and computed for queries, so both databases compare plain ASCII with LIKE."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def search_terms(query: str) -> list[str]:
    """Folded words of a search query, each once, in order; every word must match. Linear in the query."""
    return list(dict.fromkeys(t for t in fold(query).split(" ") if t))


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, tones after
# the base letter (none, grave, hook, tilde, acute, dot below).
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_BASE_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: they make letters, not tones


def sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Key for Vietnamese collation: Ă after A, Đ after D, tones as a secondary key."""
    letters: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFC", text.casefold()):
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        marks = decomposed[1:]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _BASE_MARKS))
        tone = next((_TONES[m] for m in marks if m in _TONES), 0)
        idx = _ALPHABET.find(letter)
        letters.append(100 + idx if idx >= 0 else 1000 + ord(letter))
        tones.append(tone)
    return tuple(letters), tuple(tones)
