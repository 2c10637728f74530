"""GS1 Digital Link URIs of our identifiers, as the resolver reads them (GS1 Digital Link standard):
`parse()` turns a request path into a `ParsedLink` (or a `LinkSyntaxError` in Vietnamese and English), and
`compress()`/`decompress()` implement the standard's compression of a GTIN and its usual attributes.
services/trace/resolver.py says which paths are resolved and where they lead."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from services.common.gs1 import GS1KeyError, check_digit, normalize_gtin

# -- parsing --------------------------------------------------------------------------------------------------


class LinkSyntaxError(ValueError):
    """A request path that is not a well-formed Digital Link (a MALFORMED refusal)."""

    def __init__(self, message_en: str, message_vi: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi


@dataclass(frozen=True, slots=True)
class ParsedLink:
    key: Literal["01", "p"]
    key_value: str  # a GTIN-14, or a product code in its canonical (upper case) form
    cpv: str | None = None  # AI 22
    lot: str | None = None  # AI 10
    serial: str | None = None  # AI 21
    tpx: str | None = None  # AI 235 (instead of 21)
    compressed: bool = False
    # Data attributes and other key=value pairs carried inside a compressed link: they belong to the query
    # string of the uncompressed URI.
    attributes: tuple[tuple[str, str], ...] = ()

    def product_path(self) -> str:
        return f"/{self.key}/{self.key_value}"

    def lot_path(self) -> str:
        assert self.lot is not None
        return f"{self.product_path()}/10/{encode(self.lot)}"

    def path(self) -> str:
        """The canonical uncompressed path: numeric AIs, qualifiers in the order 22, 10, 21 (or 235)."""
        path = self.product_path()
        for ai, value in (("22", self.cpv), ("10", self.lot), ("21", self.serial), ("235", self.tpx)):
            if value is not None:
                path += f"/{ai}/{encode(value)}"
        return path

    def attribute_query(self) -> str:
        return "&".join(f"{encode(k)}={encode(v)}" for k, v in self.attributes)


_ALIASES = {"gtin": "01", "cpv": "22", "lot": "10", "ser": "21"}
# Key qualifiers of AI 01 and their place in the path: 22 -> 10 -> 21 (or 235).
_QUALIFIER_RANK = {"22": 0, "10": 1, "21": 2, "235": 2}
_QUALIFIER_MAX = {"22": 20, "10": 20, "21": 20, "235": 28}
_QUALIFIER_NAMES = {"22": "CPV", "10": "lot", "21": "serial", "235": "TPX"}
# GS1 character set 82 (AI 10, 21, 22 and 235 values).
_SET_82 = re.compile(r"""[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+""")
_DIGITS = re.compile(r"[0-9]+")
_PRODUCT_CODE = re.compile(r"[0-9A-Za-z]{1,13}")
BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def encode(value: str) -> str:
    return quote(value, safe="")


def _decode(raw: str, what: str) -> str:
    if _BAD_ESCAPE.search(raw):
        raise LinkSyntaxError(
            f"The {what} has a '%' that does not start a percent-encoded byte.",
            f"Giá trị {what} có dấu '%' không mã hoá ký tự nào.",
        )
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError as exc:
        raise LinkSyntaxError(
            f"The {what} is not UTF-8 once percent-decoded.", f"Giá trị {what} không phải UTF-8."
        ) from exc


def _qualifier_value(ai: str, value: str) -> str:
    name = _QUALIFIER_NAMES[ai]
    limit = _QUALIFIER_MAX[ai]
    if not (1 <= len(value) <= limit and _SET_82.fullmatch(value)):
        raise LinkSyntaxError(
            f"AI {ai} ({name}) takes 1 to {limit} characters of GS1 character set 82, not {value!r}.",
            f"AI {ai} ({name}) gồm 1 đến {limit} ký tự thuộc bộ ký tự GS1 82, không phải {value!r}.",
        )
    return value


def _gtin(value: str) -> str:
    if not _DIGITS.fullmatch(value):
        raise LinkSyntaxError(
            f"A GTIN has digits only, not {value!r}.", f"GTIN chỉ gồm chữ số, không phải {value!r}."
        )
    try:
        return normalize_gtin(value)
    except GS1KeyError as exc:
        if exc.code == "invalid_check_digit":
            why_vi = f"sai số kiểm tra, đúng ra là {check_digit(value[:-1])}"
        else:
            why_vi = "GTIN có 8, 12, 13 hoặc 14 chữ số"
        raise LinkSyntaxError(
            f"Invalid GTIN {value}: {exc}.", f"GTIN {value} không hợp lệ: {why_vi}."
        ) from exc


def _qualifiers(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Key qualifiers in path order, checked: only 22, 10, 21/235, each once, in that order."""
    found: dict[str, str] = {}
    rank = -1
    for ai, value in pairs:
        if ai not in _QUALIFIER_RANK:
            raise LinkSyntaxError(
                f"AI {ai} is not a key qualifier of a GTIN (01): only 22, 10 and 21 (or 235) may follow it.",
                f"AI {ai} không phải thuộc tính khoá của GTIN (01): chỉ 22, 10 và 21 (hoặc 235).",
            )
        if _QUALIFIER_RANK[ai] <= rank:
            raise LinkSyntaxError(
                "Key qualifiers come in the order 22, 10, 21 (or 235), each at most once.",
                "Các thuộc tính khoá theo thứ tự 22, 10, 21 (hoặc 235), mỗi loại một lần.",
            )
        rank = _QUALIFIER_RANK[ai]
        found[ai] = _qualifier_value(ai, value)
    return found


def _link(
    key: Literal["01", "p"],
    key_value: str,
    qualifiers: Mapping[str, str],
    *,
    compressed: bool = False,
    attributes: Sequence[tuple[str, str]] = (),
) -> ParsedLink:
    return ParsedLink(
        key,
        key_value,
        cpv=qualifiers.get("22"),
        lot=qualifiers.get("10"),
        serial=qualifiers.get("21"),
        tpx=qualifiers.get("235"),
        compressed=compressed,
        attributes=tuple(attributes),
    )


def parse(raw_path: str) -> ParsedLink:
    """A request path (still percent-encoded) as a ParsedLink, or LinkSyntaxError. One trailing slash is
    tolerated; values are percent-decoded."""
    path = raw_path[:-1] if raw_path.endswith("/") and len(raw_path) > 1 else raw_path
    segments = path.split("/")[1:] if path.startswith("/") else []
    if not segments or any(s == "" for s in segments):
        raise LinkSyntaxError("Not a GS1 Digital Link path.", "Không phải đường dẫn GS1 Digital Link.")
    if len(segments) == 1:
        return _from_compressed(decompress(segments[0]), None)
    key: Literal["01", "p"]
    if _ALIASES.get(segments[0], segments[0]) == "01":
        key = "01"
        key_value = _gtin(_decode(segments[1], "GTIN"))
        if len(segments) == 3:  # partially compressed: the GTIN, then its qualifiers compressed
            return _from_compressed(decompress(segments[2]), key_value)
        rest = segments[2:]
    elif segments[0] == "p":
        key = "p"
        code = _decode(segments[1], "product code")
        if not _PRODUCT_CODE.fullmatch(code):
            raise LinkSyntaxError(
                f"A product code has 1 to 13 letters and digits, not {code!r}.",
                f"Mã sản phẩm gồm 1 đến 13 chữ cái và chữ số, không phải {code!r}.",
            )
        key_value = code.upper()
        rest = segments[2:]
    else:
        raise LinkSyntaxError(
            f"Primary key {segments[0]!r} is not resolved here: use /01/{{gtin}} or /p/{{productCode}}.",
            f"Khoá {segments[0]!r} không được phân giải ở đây: dùng /01/{{gtin}} hoặc /p/{{mã sản phẩm}}.",
        )
    if len(rest) % 2:
        raise LinkSyntaxError(
            "Every key qualifier needs a value: /10/{lot}, /21/{serial}.",
            "Mỗi thuộc tính khoá cần một giá trị: /10/{lô}, /21/{số sê-ri}.",
        )
    pairs = []
    for index in range(0, len(rest), 2):
        ai = _ALIASES.get(rest[index], rest[index])
        name = _QUALIFIER_NAMES.get(ai, f"AI {ai}")
        pairs.append((ai, _decode(rest[index + 1], name)))
    return _link(key, key_value, _qualifiers(pairs))


# -- GS1 Digital Link compression (GS1 Digital Link standard, section on compression) ----------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_HEX = "0123456789ABCDEF"


@dataclass(frozen=True, slots=True)
class _Part:
    numeric: bool
    length: int  # the fixed length, or the maximum length when not fixed
    fixed: bool


def _n(length: int, fixed: bool = True) -> tuple[_Part, ...]:
    return (_Part(True, length, fixed),)


def _x(length: int) -> tuple[_Part, ...]:
    return (_Part(False, length, False),)


# The AIs a GTIN link may carry (key qualifiers, then attributes), with their value formats
# (../shared/reference/gs1-syntax-dictionary.txt). Others are refused with a message.
_AI_FORMATS: dict[str, tuple[_Part, ...]] = {
    "01": _n(14),
    "10": _x(20),
    "21": _x(20),
    "22": _x(20),
    "235": _x(28),
    **{ai: _n(6) for ai in ("11", "12", "13", "15", "16", "17")},
    "30": _n(8, fixed=False),
    **{f"3{kind}0{d}": _n(6) for kind in ("1", "2") for d in range(6)},  # 3100-3105 kg, 3200-3205 lb
    "422": _n(3),
    "7003": _n(10),
    "91": _x(90),
}
# Length of an AI from its first two digits (AIs of the ranges above).
_AI_LENGTH = {"01": 2, "10": 2, "11": 2, "12": 2, "13": 2, "15": 2, "16": 2, "17": 2, "21": 2, "22": 2}
_AI_LENGTH |= {"23": 3, "30": 2, "31": 4, "32": 4, "42": 3, "70": 4, "91": 2}
# Optimisation codes: one byte standing for a sequence of AIs.
_OPTIMISATIONS: dict[str, tuple[str, ...]] = {
    "0A": ("01", "22"),
    "0B": ("01", "10"),
    "0C": ("01", "21"),
    "0D": ("01", "17"),
    "0E": ("01", "7003"),
    "0F": ("01", "30"),
    "1A": ("01", "10", "21", "17"),
    "1B": ("01", "15"),
    "1C": ("01", "11"),
    "1D": ("01", "16"),
    "1E": ("01", "91"),
    "1F": ("01", "10", "15"),
    **{f"2{h}": ("01", f"310{i}") for i, h in enumerate("ABCDEF")},
    **{f"3{h}": ("01", f"320{i}") for i, h in enumerate("ABCDEF")},
}


def _value_bits(digits: int) -> int:
    return math.ceil(digits * math.log(10) / math.log(2) + 0.01)


def _length_bits(max_length: int) -> int:
    return math.ceil(math.log(max_length) / math.log(2) + 0.01)


def _corrupt(detail: str) -> LinkSyntaxError:
    return LinkSyntaxError(
        f"Not a valid compressed GS1 Digital Link: {detail}.",
        f"Không phải GS1 Digital Link nén hợp lệ: {detail}.",
    )


class _BitReader:
    def __init__(self, text: str) -> None:
        self.bits = "".join(f"{_B64.index(c):06b}" for c in text)
        self.position = 0

    @property
    def remaining(self) -> int:
        return len(self.bits) - self.position

    def read(self, count: int) -> int:
        if count > self.remaining:
            raise _corrupt("it ends in the middle of a value")
        chunk = self.bits[self.position : self.position + count]
        self.position += count
        return int(chunk, 2) if chunk else 0

    def text(self, encoding: int, count: int) -> str:
        if encoding == 0:  # digits, as one binary number
            value = str(self.read(_value_bits(count)))
            if len(value) > count:
                raise _corrupt("a number is longer than its length says")
            return value.zfill(count)
        if encoding in (1, 2):  # hexadecimal, lower or upper case
            digits = "".join(_HEX[self.read(4)] for _ in range(count))
            return digits.lower() if encoding == 1 else digits
        if encoding == 3:  # URI-safe base 64
            return "".join(_B64[self.read(6)] for _ in range(count))
        if encoding == 4:  # 7-bit ASCII
            return "".join(chr(self.read(7)) for _ in range(count))
        raise _corrupt(f"unknown value encoding {encoding}")


def _read_value(reader: _BitReader, ai: str) -> str:
    parts = _AI_FORMATS.get(ai)
    if parts is None:
        raise LinkSyntaxError(
            f"The compressed link carries AI {ai}, which this resolver does not decompress.",
            f"Liên kết nén chứa AI {ai}, trình phân giải này không giải nén AI đó.",
        )
    value = ""
    for part in parts:
        if part.numeric:
            count = part.length if part.fixed else reader.read(_length_bits(part.length))
            if not 1 <= count <= part.length:
                raise _corrupt(f"AI {ai} has a length of {count}")
            value += reader.text(0, count)
        else:
            encoding = reader.read(3)
            count = part.length if part.fixed else reader.read(_length_bits(part.length))
            if not 1 <= count <= part.length:
                raise _corrupt(f"AI {ai} has a length of {count}")
            value += reader.text(encoding, count)
    return value


@dataclass(frozen=True, slots=True)
class Decompressed:
    ais: tuple[tuple[str, str], ...]  # (AI, value) in the order found
    others: tuple[tuple[str, str], ...] = ()  # non-GS1 key=value pairs


def decompress(segment: str) -> Decompressed:
    """The AIs (and non-GS1 key=value pairs) of a compressed Digital Link path segment."""
    if not BASE64URL.fullmatch(segment):
        raise _corrupt("it has characters outside the URI-safe base 64 alphabet")
    reader = _BitReader(segment)
    ais: dict[str, str] = {}
    others: list[tuple[str, str]] = []

    def add(ai: str) -> None:
        if ai in ais:
            raise _corrupt(f"AI {ai} appears twice")
        ais[ai] = _read_value(reader, ai)

    while reader.remaining > 8:
        h1, h2 = reader.read(4), reader.read(4)
        if h1 <= 9 and h2 <= 9:
            prefix = f"{h1}{h2}"
            length = _AI_LENGTH.get(prefix)
            if length is None:
                raise LinkSyntaxError(
                    f"The compressed link carries an AI starting with {prefix}, which this resolver does "
                    "not decompress.",
                    f"Liên kết nén chứa một AI bắt đầu bằng {prefix}, trình phân giải này không giải nén.",
                )
            ai = prefix
            for _ in range(length - 2):
                digit = reader.read(4)
                if digit > 9:
                    raise _corrupt("an AI has a non-digit")
                ai += str(digit)
            add(ai)
        elif (code := f"{h1:X}{h2:X}") in _OPTIMISATIONS:
            for ai in _OPTIMISATIONS[code]:
                add(ai)
        elif h1 == 0xF:  # a non-GS1 key=value pair: 7 bits of key length (h2 and 3 more bits)
            key_length = (h2 << 3) | reader.read(3)
            key = "".join(_B64[reader.read(6)] for _ in range(key_length))
            encoding = reader.read(3)
            value = reader.text(encoding, reader.read(7))
            others.append((key, value))
        else:
            raise _corrupt(f"unknown code {code}")
    if not ais and not others:
        raise _corrupt("it holds no data")
    return Decompressed(tuple(ais.items()), tuple(others))


def _from_compressed(data: Decompressed, gtin: str | None) -> ParsedLink:
    values = dict(data.ais)
    if gtin is None:
        if "01" not in values:
            raise LinkSyntaxError(
                "The compressed link does not hold a GTIN (AI 01), the only GS1 key resolved here.",
                "Liên kết nén không chứa GTIN (AI 01), khoá GS1 duy nhất được phân giải ở đây.",
            )
        gtin = _gtin(values["01"])
    elif "01" in values:
        raise _corrupt("a partially compressed link repeats the GTIN")
    qualifiers = {ai: _qualifier_value(ai, v) for ai, v in data.ais if ai in _QUALIFIER_RANK}
    if "21" in qualifiers and "235" in qualifiers:
        raise LinkSyntaxError("AI 21 and AI 235 exclude each other.", "AI 21 và AI 235 loại trừ nhau.")
    attributes = [(ai, v) for ai, v in data.ais if ai != "01" and ai not in _QUALIFIER_RANK]
    return _link("01", gtin, qualifiers, compressed=True, attributes=[*attributes, *data.others])


def _best_encoding(value: str) -> int:
    if _DIGITS.fullmatch(value) and (len(value) == 1 or value[0] != "0"):  # leading zeros: not as a number
        return 0
    if re.fullmatch(r"[0-9a-f]+", value):
        return 1
    if re.fullmatch(r"[0-9A-F]+", value):
        return 2
    if BASE64URL.fullmatch(value):
        return 3
    return 4


def compress(
    gtin: str,
    *,
    lot: str | None = None,
    serial: str | None = None,
    cpv: str | None = None,
    with_gtin: bool = True,
) -> str:
    """The compressed path segment of `/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]` (AIs in numeric
    order, no optimisation codes): `{base}/{segment}` is a shorter URI for the same item. Without the GTIN
    (`with_gtin=False`) it is the partially compressed form, `{base}/01/{gtin}/{segment}`."""
    bits = ""
    qualifiers = [(ai, v) for ai, v in (("10", lot), ("21", serial), ("22", cpv)) if v]
    items = [("01", normalize_gtin(gtin)), *qualifiers] if with_gtin else qualifiers
    for ai, value in items:
        bits += "".join(f"{int(d):04b}" for d in ai)
        if ai == "01":
            bits += f"{int(value):0{_value_bits(14)}b}"
            continue
        value = _qualifier_value(ai, value)
        encoding = _best_encoding(value)
        bits += f"{encoding:03b}{len(value):0{_length_bits(20)}b}"
        if encoding == 0:
            bits += f"{int(value):0{_value_bits(len(value))}b}"
        elif encoding in (1, 2):
            bits += "".join(f"{_HEX.index(c.upper()):04b}" for c in value)
        elif encoding == 3:
            bits += "".join(f"{_B64.index(c):06b}" for c in value)
        else:
            bits += "".join(f"{ord(c):07b}" for c in value)
    bits += "0" * (-len(bits) % 6)
    return "".join(_B64[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))
