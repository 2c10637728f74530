"""The GS1 Digital Link resolver of our own identifiers (GS1 resolver standard; the statements are listed in
`../shared/domain/gs1-traceability.md`). Nothing here knows Starlette: `answer()` turns a request (path,
query, headers) into an `Answer` (status, headers, body) that `server.py` sends as it is.

Identifiers resolved (`services.trace.identity` prints them):
- `/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]`: GTIN-8/12/13/14 (compared as GTIN-14, check digit
  verified); the deprecated `/gtin/`, `/cpv/`, `/lot/`, `/ser/` are read as `/01/`, `/22/`, `/10/`, `/21/`.
- `/p/{productCode}[/10/{lot}][/21/{serial}]`: our non-GS1 key for products without a GTIN (the code is
  `services.trace.identity.product_code`, base 36 of the product id). It keeps resolving after a GTIN is added.
- Compressed Digital Links (`/{base64url}` or `/01/{gtin}/{base64url}`, GS1 Digital Link compression):
  decompressed for the AIs of a GTIN and its usual attributes, answered as the uncompressed URI, which the
  `Link` header names with `rel="owl:sameAs"`.

Targets (all on `OCOP_PUBLIC_BASE_URL`; `{code}` is the product code, `{lot}` percent-encoded, so a page
route must take the lot from the raw path or a `{lot:path}` parameter since a lot may contain "/"):
- `gs1:traceability` (the default of a lot and of a serial): the public trace page `{base}/t/{code}/{lot}`,
  in English `{base}/t/{code}/{lot}?lang=en`.
- `gs1:pip` (the default of a product): the product page `{base}/products/{code}` (`?lang=en`).
- `gs1:certificationInfo` (only while the OCOP certificate is valid): `{base}/products/{code}#ocop`.
- `gs1:recallStatus` (every lot; the title says whether it is recalled): the recall section of the trace
  page, `{base}/t/{code}/{lot}#recall`, and for machines the EPCIS query of the lot's recall events,
  `{base}/epcis/events?MATCH_epcClass={lot link}&EQ_disposition=recalled` (empty when not recalled).
- `gs1:epcis`: `{base}/epcis/events?MATCH_epcClass={lot link}` (for a serial: `MATCH_epc={serial link}`).

One SQL statement per resolution: the lot with its product and the product's latest certificate, or the
product with its certificate."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote, urlencode

import orjson
from jsonschema import Draft7Validator

from models import Batch, BatchStatus, Evaluation, Product
from services.common import clock, page_cache
from services.common.gs1 import GS1KeyError, normalize_gtin
from services.common.language import Language as LanguageTag
from services.common.language import negotiate, quality
from services.registry import stars
from services.trace.identity import batch_link, product_code, product_id_of

type JSONObject = dict[str, Any]
type Language = Literal["vi", "en"]

VOC = "https://ref.gs1.org/voc/"  # GS1 Web Vocabulary: link relation types are VOC + name
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
LINKSET_MEDIA_TYPE = "application/linkset+json"
SCHEMA_PATH = Path(__file__).resolve().parent / "reference" / "gs1-linkset-schema.json"
METHODS = "GET, HEAD, OPTIONS"
CORS_HEADERS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": METHODS,
    "access-control-expose-headers": "Link, Location, Content-Type, Content-Length, Vary",
}
_MAX_ID = 2**31 - 1  # ids are 32-bit integers: a longer product code names no product

# Link types we serve, with their titles for /.well-known/gs1resolver.
LINK_TYPES: dict[str, tuple[str, str, str]] = {
    # name: (English title, Vietnamese title, English description)
    "traceability": (
        "Traceability information",
        "Truy xuất nguồn gốc",
        "The public trace page of the lot: origin, stages, producer, OCOP stars, recall banner.",
    ),
    "pip": ("Product Information Page", "Thông tin sản phẩm", "The public page of the OCOP product."),
    "epcis": (
        "EPC Information Services (EPCIS) repository",
        "Dữ liệu sự kiện EPCIS",
        "The EPCIS 2.0 events of the lot (or of the serialised unit), as an EPCIS query document.",
    ),
    "certificationInfo": (
        "Certification Information",
        "Chứng nhận OCOP",
        "The product's OCOP star certificate, listed only while it is valid.",
    ),
    "recallStatus": (
        "Recall status",
        "Tình trạng thu hồi",
        "Whether the lot has been recalled: the trace page's recall section, and the lot's recall events.",
    ),
    "defaultLink": ("Default link", "Liên kết mặc định", "Where a scan goes when no link type is asked for."),
}


# -- parsing --------------------------------------------------------------------------------------------------


class LinkSyntaxError(ValueError):
    """A request path that is not a well-formed Digital Link (answered with 400)."""

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
        return f"{self.product_path()}/10/{_encode(self.lot)}"

    def path(self) -> str:
        """The canonical uncompressed path: numeric AIs, qualifiers in the order 22, 10, 21 (or 235)."""
        path = self.product_path()
        for ai, value in (("22", self.cpv), ("10", self.lot), ("21", self.serial), ("235", self.tpx)):
            if value is not None:
                path += f"/{ai}/{_encode(value)}"
        return path

    def attribute_query(self) -> str:
        return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in self.attributes)


_ALIASES = {"gtin": "01", "cpv": "22", "lot": "10", "ser": "21"}
# Key qualifiers of AI 01 and their place in the path: 22 -> 10 -> 21 (or 235).
_QUALIFIER_RANK = {"22": 0, "10": 1, "21": 2, "235": 2}
_QUALIFIER_MAX = {"22": 20, "10": 20, "21": 20, "235": 28}
_QUALIFIER_NAMES = {"22": "CPV", "10": "lot", "21": "serial", "235": "TPX"}
# GS1 character set 82 (AI 10, 21, 22 and 235 values).
_SET_82 = re.compile(r"""[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+""")
_DIGITS = re.compile(r"[0-9]+")
_PRODUCT_CODE = re.compile(r"[0-9A-Za-z]{1,13}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _encode(value: str) -> str:
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
        raise LinkSyntaxError(f"Invalid GTIN {value}: {exc}.", f"GTIN {value} không hợp lệ: {exc}.") from exc


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
    if not _BASE64URL.fullmatch(segment):
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
    if _BASE64URL.fullmatch(value):
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


# -- resolution -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    link_type: str  # the GS1 Web Vocabulary name: "pip", "traceability"...
    href: str
    title: str
    language: Language | None = None  # hreflang, for pages that exist in Vietnamese and English
    media_type: str = "text/html"

    def json(self) -> JSONObject:
        out: JSONObject = {"href": self.href, "title": self.title, "type": self.media_type}
        if self.language:
            out["hreflang"] = [self.language]
        return out


@dataclass(frozen=True, slots=True)
class Level:
    """One level of the identifier hierarchy (serial, lot or product) and its links."""

    anchor: str
    description: str
    links: tuple[Link, ...]
    default_type: str  # the link type a plain scan of this URI goes to

    def of_type(self, link_type: str) -> list[Link]:
        return [link for link in self.links if link.link_type == link_type]


@dataclass(frozen=True, slots=True)
class Resolution:
    levels: tuple[Level, ...]  # the requested level first, then up the hierarchy to the product
    batch_id: int | None = None  # the lot, when the link names one

    def default_type(self) -> str:
        return self.levels[0].default_type

    def find(self, link_type: str, language: Language) -> Link | None:
        """The link of this type at the most specific level that has one, in `language` if it exists there."""
        for level in self.levels:
            links = level.of_type(link_type)
            if links:
                for wanted in (language, "vi", None):
                    for link in links:
                        if link.language == wanted:
                            return link
                return links[0]
        return None

    def default_link(self, level: Level) -> Link:
        """The one default link of a level: its default type's Vietnamese (or only) link, found from this
        level up."""
        index = self.levels.index(level)
        found = Resolution(self.levels[index:]).find(level.default_type, "vi")
        assert found is not None, level.default_type
        return found


@dataclass(frozen=True, slots=True)
class NotFound:
    message_en: str
    message_vi: str


def _date_vi(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _bilingual(
    link_type: str, href: str, title_vi: str, title_en: str, *, suffix: str = ""
) -> tuple[Link, Link]:
    """A page in Vietnamese and English (`?lang=en`), with an optional fragment."""
    return (
        Link(link_type, href + suffix, title_vi, "vi"),
        Link(link_type, href + "?lang=en" + suffix, title_en, "en"),
    )


def _product_level(product: Product, anchor: str, base: str, today: dt.date) -> Level:
    code = product_code(product.id)
    name, name_en = product.name, product.name_en or product.name
    page = f"{base}/products/{code}"
    links = [
        *_bilingual("pip", page, f"Thông tin sản phẩm: {name}", f"Product information: {name_en}"),
    ]
    certificate: Evaluation | None = product.latest_certificate
    if certificate is not None and stars.is_valid_on(certificate, today):
        assert certificate.valid_until is not None
        number_vi = f", số {certificate.decision_number}" if certificate.decision_number else ""
        number_en = f", decision {certificate.decision_number}" if certificate.decision_number else ""
        links += _bilingual(
            "certificationInfo",
            page,
            f"Chứng nhận OCOP {certificate.stars} sao{number_vi}, hiệu lực đến "
            f"{_date_vi(certificate.valid_until)}",
            f"OCOP {certificate.stars}-star certificate{number_en}, valid until {certificate.valid_until}",
            suffix="#ocop",
        )
    return Level(anchor, name, tuple(links), "pip")


def _lot_level(batch: Batch, product: Product, anchor: str, base: str) -> Level:
    code = product_code(product.id)
    lot = batch.lot_code
    name, name_en = product.name, product.name_en or product.name
    page = f"{base}/t/{code}/{_encode(lot)}"
    epc_class = _encode(batch_link(base, product_id=product.id, gtin=product.gtin, lot_code=lot))
    recalled = batch.status == BatchStatus.RECALLED
    recall_vi = "ĐÃ BỊ THU HỒI" if recalled else "không bị thu hồi"
    recall_en = "RECALLED" if recalled else "not recalled"
    links = (
        *_bilingual(
            "traceability",
            page,
            f"Truy xuất nguồn gốc lô {lot}: {name}",
            f"Traceability of lot {lot}: {name_en}",
        ),
        Link(
            "epcis",
            f"{base}/epcis/events?MATCH_epcClass={epc_class}",
            f"Sự kiện EPCIS 2.0 của lô {lot}",
            media_type="application/ld+json",
        ),
        *_bilingual(
            "recallStatus",
            page,
            f"Tình trạng thu hồi lô {lot}: {recall_vi}",
            f"Recall status of lot {lot}: {recall_en}",
            suffix="#recall",
        ),
        Link(
            "recallStatus",
            f"{base}/epcis/events?MATCH_epcClass={epc_class}&EQ_disposition=recalled",
            f"Sự kiện thu hồi (EPCIS) của lô {lot}: {recall_vi}",
            media_type="application/ld+json",
        ),
    )
    return Level(anchor, f"{name}, lô {lot}", links, "traceability")


def _serial_level(product: Product, link: ParsedLink, anchor: str, base: str) -> Level:
    assert link.lot is not None
    assert link.serial is not None
    unit = batch_link(base, product_id=product.id, gtin=product.gtin, lot_code=link.lot, serial=link.serial)
    epcis = Link(
        "epcis",
        f"{base}/epcis/events?MATCH_epc={_encode(unit)}",
        f"Sự kiện EPCIS 2.0 của sản phẩm số sê-ri {link.serial}",
        media_type="application/ld+json",
    )
    description = f"{product.name}, lô {link.lot}, số sê-ri {link.serial}"
    # The unit's own trace page: the lot's, told which serial was scanned, so that it can warn when the
    # code looks copied (services/labels/scans.py).
    page = f"{base}/t/{product_code(product.id)}/{_encode(link.lot)}?{urlencode({'serial': link.serial})}"
    name_en = product.name_en or product.name
    trace = (
        Link("traceability", page, f"Truy xuất nguồn gốc: {description}", "vi"),
        Link(
            "traceability",
            page + "&lang=en",
            f"Traceability of {name_en}, lot {link.lot}, serial {link.serial}",
            "en",
        ),
    )
    return Level(anchor, description, (*trace, epcis), "traceability")


async def resolve(link: ParsedLink, base_url: str, today: dt.date | None = None) -> Resolution | NotFound:
    """The links of each level of `link` (the requested level first), or NotFound. Unpublished products
    and lots are not found. One SQL statement."""
    base = base_url.rstrip("/")
    today = today or clock.today()
    not_found = NotFound(
        "No published product or lot has this identifier.",
        "Không có sản phẩm hay lô nào đã công bố mang mã này.",
    )
    if link.cpv is not None or link.tpx is not None:
        return NotFound(
            "No consumer product variant (AI 22) or TPX (AI 235) is issued here.",
            "Không cấp mã biến thể (AI 22) hay TPX (AI 235) ở đây.",
        )
    if link.serial is not None and link.lot is None:
        return NotFound(
            "Serial numbers are issued within a lot: /10/{lot}/21/{serial}.",
            "Số sê-ri được cấp trong một lô: /10/{lô}/21/{số sê-ri}.",
        )
    if link.key == "01":
        product_filter: dict[str, Any] = {"gtin": link.key_value}
    else:
        product_id = product_id_of(link.key_value)
        if product_id is None or not 0 < product_id <= _MAX_ID or product_code(product_id) != link.key_value:
            return not_found
        product_filter = {"id": product_id}
    product_anchor = base + link.product_path()
    if link.lot is None:
        product = (
            await Product.filter(**product_filter, is_published=True)
            .select_related("latest_certificate")
            .first()
        )
        if product is None:
            return not_found
        return Resolution((_product_level(product, product_anchor, base, today),))
    batch = (
        await Batch.filter(
            lot_code=link.lot,
            is_published=True,
            product__is_published=True,
            **{f"product__{k}": v for k, v in product_filter.items()},
        )
        .select_related("product__latest_certificate")
        .first()
    )
    if batch is None:
        return not_found
    product = batch.product
    levels = [
        _lot_level(batch, product, base + link.lot_path(), base),
        _product_level(product, product_anchor, base, today),
    ]
    if link.serial is not None:
        levels.insert(0, _serial_level(product, link, base + link.path(), base))
    return Resolution(tuple(levels), batch_id=batch.id)


# -- linkset --------------------------------------------------------------------------------------------------


def linkset(resolution: Resolution) -> JSONObject:
    """The RFC 9264 linkset (JSON) of a resolution: one context object per level, each with its links by
    GS1 link type and exactly one default link."""
    items = []
    for level in resolution.levels:
        item: JSONObject = {"anchor": level.anchor, "itemDescription": level.description}
        for link in level.links:
            item.setdefault(VOC + link.link_type, []).append(link.json())
        default = resolution.default_link(level)
        item[VOC + "defaultLink"] = [
            {"href": default.href, "title": default.title, "type": default.media_type}
        ]
        items.append(item)
    return {"linkset": items}


@cache
def linkset_schema() -> JSONObject:
    """The vendored GS1 linkset JSON Schema (services/trace/reference/gs1-linkset-schema.json)."""
    loaded: JSONObject = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def _linkset_validator() -> Draft7Validator:
    Draft7Validator.check_schema(linkset_schema())
    return Draft7Validator(linkset_schema())


def validate_linkset(document: Mapping[str, Any]) -> list[str]:
    """Every violation of the GS1 linkset schema, as `/pointer: message`; empty when valid."""
    errors = sorted(
        _linkset_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]
    )
    return [f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}" for error in errors]


# -- HTTP answers ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolverRequest:
    method: str
    raw_path: str  # percent-encoded, as received
    query: str  # the raw query string
    accept: str
    accept_language: str
    base_url: str


@dataclass(slots=True)
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    media_type: str | None = None
    # Set on the redirect of a serialised unit (/21/{serial}): the server counts the scan.
    batch_id: int | None = None
    serial: str | None = None


def preferred_language(accept_language: str) -> Language:
    """Vietnamese or English from an Accept-Language header (the one negotiation in services/common)."""
    return "en" if negotiate(None, accept_language) is LanguageTag.EN else "vi"


@lru_cache(maxsize=512)
def wants_linkset(accept: str) -> bool:
    for part in accept.split(","):
        media_type, _, params = part.partition(";")
        if media_type.strip().lower() == LINKSET_MEDIA_TYPE and quality(params) > 0:
            return True
    return False


def _query_pairs(query: str) -> tuple[str | None, list[str]]:
    """The requested linkType and the other raw `key=value` pairs of the query string (kept as sent)."""
    link_type = None
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if unquote(key.replace("+", " ")) == "linkType":
            if link_type is None:
                link_type = unquote(value.replace("+", " "))
            continue
        kept.append(pair)
    return link_type, kept


def _link_type_name(requested: str) -> str | None:
    for prefix in ("gs1:", VOC, "https://gs1.org/voc/", "http://gs1.org/voc/"):
        if requested.startswith(prefix) and requested != prefix:
            return requested[len(prefix) :]
    return None


def _with_query(href: str, query: str) -> str:
    if not query:
        return href
    target, hash_mark, fragment = href.partition("#")
    joined = target + ("&" if "?" in target else "?") + query
    return joined + hash_mark + fragment


def _problem(status: int, message_en: str, message_vi: str, language: Language) -> Answer:
    title = {400: "Bad Request", 404: "Not Found"}.get(status, "Error")
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": message_en if language == "en" else message_vi,
    }
    headers = {**CORS_HEADERS, "vary": "Accept, Accept-Language"}
    return Answer(status, headers, orjson.dumps(body), "application/problem+json")


def options_answer() -> Answer:
    return Answer(
        204,
        {
            **CORS_HEADERS,
            "allow": METHODS,
            "access-control-allow-headers": "Accept, Accept-Language, Content-Type",
            "access-control-max-age": "86400",
        },
    )


async def answer(request: ResolverRequest, today: dt.date | None = None) -> Answer:
    """The resolver's answer to a GET, HEAD or OPTIONS of a Digital Link path."""
    if request.method == "OPTIONS":
        return options_answer()
    language = preferred_language(request.accept_language)
    segments = request.raw_path.strip("/").split("/")
    if len(segments) == 1 and not _BASE64URL.fullmatch(segments[0]):
        # Not a Digital Link at all (say /favicon.ico): an unknown page, not a malformed identifier.
        return _problem(404, "Not found.", "Không tìm thấy.", language)
    try:
        link = parse(request.raw_path)
    except LinkSyntaxError as error:
        return _problem(400, error.message_en, error.message_vi, language)
    resolution = await resolve(link, request.base_url, today)
    if isinstance(resolution, NotFound):
        return _problem(404, resolution.message_en, resolution.message_vi, language)
    base = request.base_url.rstrip("/")
    uri = base + link.path()
    link_header = [
        f'<{uri}?linkType=linkset>; rel="linkset"; type="{LINKSET_MEDIA_TYPE}"',
        f'<{LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"',
    ]
    if link.compressed:
        same = _with_query(uri, link.attribute_query())
        link_header.append(f'<{same}>; rel="owl:sameAs"')
    headers = {**CORS_HEADERS, "link": ", ".join(link_header), "vary": "Accept, Accept-Language"}
    requested, kept = _query_pairs(request.query)
    if requested in ("linkset", "all") or (requested is None and wants_linkset(request.accept)):
        body = orjson.dumps(linkset(resolution))
        return Answer(200, headers, body, LINKSET_MEDIA_TYPE)
    if requested is None:
        link_type: str | None = resolution.default_type()
    else:
        link_type = _link_type_name(requested)
        if link_type == "defaultLink":
            link_type = resolution.default_type()
    target = resolution.find(link_type, language) if link_type else None
    if target is None:
        return _problem(
            404,
            f"This item has no link of type {requested}.",
            f"Mục này không có liên kết loại {requested}.",
            language,
        )
    query = "&".join(q for q in (link.attribute_query(), "&".join(kept)) if q)
    headers["location"] = _with_query(target.href, query)
    return Answer(307, headers, batch_id=resolution.batch_id, serial=link.serial)


def cache_key(
    raw_path: str, query: str, accept: str, accept_language: str, base_url: str, today: dt.date
) -> tuple[object, ...]:
    """What the answer to a GET or HEAD (a ResolverRequest of these values) depends on: the path (one
    trailing slash is tolerated, as `parse` does), the query string (passed on to the target), whether
    Accept asks for a linkset, the language chosen from Accept-Language, the public base URL and the day
    (certificate validity)."""
    if raw_path.endswith("/") and len(raw_path) > 1:
        raw_path = raw_path[:-1]
    return (raw_path, query, wants_linkset(accept), preferred_language(accept_language), base_url, today)


def keep_for(status: int) -> float:
    """Seconds the page cache (services/common/page_cache.py) keeps an answer. A redirect (what a phone's scan
    gets: its Location does not depend on the lot's recall status) as long as the trace page it leads to,
    a 404 briefly. A linkset never: it states the lot's recall status to machines (partner systems poll
    it), so it is read fresh every time, on every worker. Other errors are not kept either."""
    if status == 307:
        return page_cache.TRACE_PAGE_MAX_AGE
    return page_cache.NOT_FOUND_TTL if status == 404 else 0


def description(base_url: str) -> JSONObject:
    """/.well-known/gs1resolver: what this resolver serves (modelled on GS1's resolver description file)."""
    base = base_url.rstrip("/")
    return {
        "name": "ocop-hub GS1 Digital Link resolver",
        "resolverRoot": base,
        "supportedPrimaryKeys": ["01", "p"],
        "nonGS1PrimaryKeys": [
            {
                "key": "p",
                "title": "OCOP product code (products without a GTIN)",
                "pattern": f"{base}/p/{{productCode}}[/10/{{lot}}][/21/{{serial}}]",
                "description": "A non-GS1 key of this service: the product code is base 36 of the product's "
                "id, never reused. It takes the key qualifiers of a GTIN (10, 21).",
            }
        ],
        "supportedLinkType": [{"namespace": VOC, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeAll": False,
        "supportsLanguageVariants": True,
        "supportedLanguages": ["vi", "en"],
        "supportsSemanticInterpretation": False,
        "validatesAIcombinations": True,
        "supportsCompressedLinks": True,
        "defaultLinkTypes": {"product": "gs1:pip", "lot": "gs1:traceability", "serial": "gs1:traceability"},
        "activeLinkTypes": {
            "en": {
                f"gs1:{name}": {"title": en, "description": about, "url": VOC + name}
                for name, (en, _vi, about) in LINK_TYPES.items()
            },
            "vi": {
                f"gs1:{name}": {"title": vi, "url": VOC + name}
                for name, (_en, vi, _about) in LINK_TYPES.items()
            },
        },
    }


def description_answer(method: str, base_url: str) -> Answer:
    if method == "OPTIONS":
        return options_answer()
    return Answer(200, dict(CORS_HEADERS), orjson.dumps(description(base_url)), "application/json")
