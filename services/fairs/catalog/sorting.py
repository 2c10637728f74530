"""Vietnamese alphabetical order for the catalog's directory and indexes.

The Vietnamese alphabet has 29 letters, a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y: Ă, Â, Đ, Ê,
Ô, Ơ and Ư are letters of their own that sort after A, Ă, D, E, O, Ô and U, not accented variants. Tones
(huyền, hỏi, ngã, sắc, nặng) are secondary: words are compared without them first, and only a tie is broken
by the tones in dictionary order (none, grave, hook, tilde, acute, dot below), then by case (lower first).
That is ICU's `vi` collation (CLDR); PyICU is not used because it only installs from source (libicu-dev and
a C++ compiler on every machine).

Spaces and punctuation sort before digits and letters ("An Giang" before "Anh", as ICU's default), digits
before letters, and letters outside the alphabet (f, j, w, z in foreign names) at their Latin place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

__all__ = ["collation_key", "initial", "sort_vietnamese"]

# f, j, w, z are not Vietnamese letters but appear in names ("Cà phê Fin", "Zen"): Latin order.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_WEIGHT = {letter: 1000 + 10 * i for i, letter in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # grave hook tilde acute dot
_LETTER_MARKS = frozenset({"\u0306", "\u0302", "\u031b"})  # breve, circumflex, horn: part of the letter
_SPACE_WEIGHT = 1
_PUNCT_BASE = 10  # punctuation and symbols: 10..99, by a stable hash of the code point range
_DIGIT_BASE = 100  # 100..109

type CollationKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str]


@lru_cache(maxsize=8192)
def _char_weights(ch: str) -> tuple[int, int, int] | None:
    """(primary, secondary, tertiary) of one NFC character; None for an ignorable one."""
    if ch.isspace():
        return _SPACE_WEIGHT, 0, 0
    tertiary = 1 if ch != ch.lower() else 0
    decomposed = unicodedata.normalize("NFD", ch.lower())
    base, marks = decomposed[0], decomposed[1:]
    if base == "đ" or ch.lower() == "đ":  # đ does not decompose
        base = "đ"
    if unicodedata.category(base).startswith("M"):  # a stray combining mark
        return None
    letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
    tone = 0
    other = 0
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark not in _LETTER_MARKS:
            other += 1  # a foreign accent (ü, ç): after the plain letter and Vietnamese tones
    secondary = tone + 10 * other
    if letter in _LETTER_WEIGHT:
        return _LETTER_WEIGHT[letter], secondary, tertiary
    if base in _LETTER_WEIGHT:  # a letter with a mark outside Vietnamese (e.g. ŭ): its base letter
        return _LETTER_WEIGHT[base], secondary + 100, tertiary
    if base.isdigit():
        return _DIGIT_BASE + unicodedata.digit(base, 0), secondary, tertiary
    category = unicodedata.category(base)
    if category[0] in "PSZC":
        return _PUNCT_BASE + ord(base) % 89, 0, 0
    return 10_000 + ord(base), secondary, tertiary  # other scripts: after Latin, by code point


def collation_key(text: str) -> CollationKey:
    """Sort key of `text` in Vietnamese order: compare primary weights (letters), then tones, then case,
    then the NFC text itself so that the order is total."""
    normal = unicodedata.normalize("NFC", text).strip()
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for ch in normal:
        weights = _char_weights(ch)
        if weights is None:
            continue
        p, s, t = weights
        if p == _SPACE_WEIGHT and primary and primary[-1] == _SPACE_WEIGHT:
            continue  # runs of white space count once
        primary.append(p)
        secondary.append(s)
        tertiary.append(t)
    return tuple(primary), tuple(secondary), tuple(tertiary), normal


def sort_vietnamese[T](items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """`items` sorted in Vietnamese order of `key(item)`."""
    return sorted(items, key=lambda item: collation_key(key(item)))


def initial(text: str) -> str:
    """The letter a name is listed under: its first letter, upper case, with its letter marks but no tone
    ("Ấp Bắc" -> "Â", "đường" -> "Đ", "Ống" -> "Ô"); "#" for a name starting with a digit or symbol."""
    for ch in unicodedata.normalize("NFC", text).strip():
        weights = _char_weights(ch)
        if weights is None or weights[0] == _SPACE_WEIGHT:
            continue
        if weights[0] < 1000 or weights[0] >= 10_000:
            return "#"
        decomposed = unicodedata.normalize("NFD", ch.lower())
        letter = "đ" if ch.lower() == "đ" else decomposed[0]
        letter += "".join(m for m in decomposed[1:] if m in _LETTER_MARKS)
        return unicodedata.normalize("NFC", letter).upper()
    return "#"
