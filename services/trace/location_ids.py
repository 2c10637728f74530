"""GS1 identifiers of a physical location, as partners name their read points and business locations in EPCIS
events: the SGLN EPC URI (`urn:epc:id:sgln:{company prefix}.{location reference}.{extension}`, GS1 EPC Tag
Data Standard; extension `0` means none) and the GLN Digital Link (`https://{host}[/{prefix}]/414/{gln}`,
optionally `/254/{extension}`; GS1 Digital Link standard, AI 414 with its key qualifier 254). `parse()` checks
the syntax, the GLN check digit and the extension (1 to 20 characters of GS1 character set 82) and raises
`LocationIdError` (English and Vietnamese) otherwise.

The identifier string itself is what is stored and written back (services.trace.locations keeps a partner's
identifier as an external location): the event hash covers it. `LocationIdentifier.place` is the GLN with its
extension, the same for both spellings of one place (names given to it are kept by place).

Nothing here touches the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from services.common.gs1 import check_digit
from services.trace.epcis import is_absolute_uri

MAX_IDENTIFIER_LENGTH = 255  # the column; a GS1 location identifier is far shorter

_SGLN_PREFIX = "urn:epc:id:sgln:"
_SGLN = re.compile(r"([0-9]+)\.([0-9]*)\.(.*)", re.DOTALL)
# The EPC URI's GS3A3 characters (TDS: digits, letters, !'()*+,-.:;=_ and the escapes of "%&/<>?).
_GS3A3 = re.compile(r"(?:[0-9A-Za-z!'()*+,\-.:;=_]|%(?:22|25|26|2[Ff]|3[CcEeFf]))+")
# GS1 character set 82 (AI 254).
_SET_82 = re.compile(r"""[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+""")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_EXAMPLES = (
    "urn:epc:id:sgln:{company prefix}.{location reference}.{extension} or https://id.gs1.org/414/{GLN}"
)


class LocationIdError(ValueError):
    """Not a well-formed GS1 location identifier."""

    def __init__(self, message_en: str, message_vi: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi


@dataclass(frozen=True, slots=True)
class LocationIdentifier:
    uri: str  # as given: stored and written back unchanged
    form: Literal["sgln", "digital_link"]
    gln: str  # 13 digits, check digit verified (computed for an SGLN)
    extension: str | None = None  # AI 254, decoded

    @property
    def place(self) -> str:
        """The GLN and its extension: one place, whichever way it is spelled (13 digits, then the extension)."""
        return self.gln + (self.extension or "")

    def hri(self) -> str:
        """GS1's human readable interpretation: `(414) 0614141007776 (254) 12`."""
        return f"(414) {self.gln}" + (f" (254) {self.extension}" if self.extension else "")

    def label(self, lang: str) -> str:
        """How a page names it: `GLN 0614141007776`, or `GLN 0614141007776, extension 12`."""
        if not self.extension:
            return f"GLN {self.gln}"
        word = "mở rộng" if lang == "vi" else "extension"
        return f"GLN {self.gln}, {word} {self.extension}"


def _bad(message_en: str, message_vi: str) -> LocationIdError:
    return LocationIdError(message_en, message_vi)


def _extension(value: str) -> str:
    if not (1 <= len(value) <= 20 and _SET_82.fullmatch(value)):
        raise _bad(
            f"A GLN extension (AI 254) is 1 to 20 characters of GS1 character set 82, not {value!r}.",
            f"Phần mở rộng GLN (AI 254) gồm 1 đến 20 ký tự thuộc bộ ký tự GS1 82, không phải {value!r}.",
        )
    return value


def _sgln(uri: str) -> LocationIdentifier:
    match = _SGLN.fullmatch(uri[len(_SGLN_PREFIX) :])
    if match is None:
        raise _bad(
            "An SGLN is urn:epc:id:sgln:{company prefix}.{location reference}.{extension}.",
            "SGLN có dạng urn:epc:id:sgln:{tiền tố doanh nghiệp}.{mã địa điểm}.{phần mở rộng}.",
        )
    prefix, reference, extension = match.groups()
    if not 6 <= len(prefix) <= 12 or len(prefix) + len(reference) != 12:
        raise _bad(
            "In an SGLN the company prefix (6 to 12 digits) and the location reference have 12 digits together, "
            f"not {len(prefix) + len(reference)}.",
            "Trong SGLN, tiền tố doanh nghiệp (6 đến 12 chữ số) và mã địa điểm cộng lại có 12 chữ số, "
            f"không phải {len(prefix) + len(reference)}.",
        )
    if not _GS3A3.fullmatch(extension):
        raise _bad(
            "An SGLN extension has letters, digits and !'()*+,-.:;=_ (and %22 %25 %26 %2F %3C %3E %3F), "
            f"not {extension!r}.",
            "Phần mở rộng của SGLN gồm chữ, số và !'()*+,-.:;=_ (cùng %22 %25 %26 %2F %3C %3E %3F), "
            f"không phải {extension!r}.",
        )
    digits = prefix + reference
    decoded = unquote(extension)
    return LocationIdentifier(
        uri, "sgln", digits + check_digit(digits), None if decoded == "0" else _extension(decoded)
    )


def _digital_link(uri: str) -> LocationIdentifier:
    parts = urlsplit(uri)
    if parts.query or parts.fragment or uri.endswith(("?", "#")):
        raise _bad(
            "A GLN Digital Link that names a location has no query string or fragment.",
            "Digital Link GLN dùng làm địa điểm không có chuỗi truy vấn hay phân đoạn (#).",
        )
    segments = parts.path.split("/")
    extension: str | None = None
    if len(segments) >= 5 and segments[-2] == "254":
        raw = segments[-1]
        if _BAD_ESCAPE.search(raw):
            raise _bad(
                "The GLN extension has a '%' that does not start a percent-encoded byte.",
                "Phần mở rộng GLN có dấu '%' không mã hoá ký tự nào.",
            )
        extension = _extension(unquote(raw))
        segments = segments[:-2]
    if len(segments) < 3 or segments[-2] != "414":
        raise _bad(
            "A GLN Digital Link ends with /414/{GLN} or /414/{GLN}/254/{extension}.",
            "Digital Link GLN kết thúc bằng /414/{GLN} hoặc /414/{GLN}/254/{phần mở rộng}.",
        )
    gln = segments[-1]
    if not (len(gln) == 13 and gln.isascii() and gln.isdigit()):
        raise _bad(f"A GLN has 13 digits, not {gln!r}.", f"GLN gồm 13 chữ số, không phải {gln!r}.")
    if check_digit(gln[:-1]) != gln[-1]:
        expected = check_digit(gln[:-1])
        raise _bad(
            f"GLN {gln} has a wrong check digit (expected {expected}).",
            f"GLN {gln} sai số kiểm tra (đúng là {expected}).",
        )
    return LocationIdentifier(uri, "digital_link", gln, extension)


def parse(uri: str) -> LocationIdentifier:
    """A partner's location identifier, checked: an SGLN EPC URI or a GLN Digital Link (http or https, any
    host and path prefix). Raises LocationIdError for anything else, saying what is wrong."""
    if len(uri) > MAX_IDENTIFIER_LENGTH:
        raise _bad(
            f"A location identifier has at most {MAX_IDENTIFIER_LENGTH} characters.",
            f"Mã địa điểm tối đa {MAX_IDENTIFIER_LENGTH} ký tự.",
        )
    if not is_absolute_uri(uri):
        raise _bad(
            f"Not a URI: a location is named by {_EXAMPLES}.",
            f"Không phải một URI: địa điểm được gọi bằng {_EXAMPLES}.",
        )
    lowered = uri.lower()
    if lowered.startswith(_SGLN_PREFIX):
        return _sgln(uri)
    if lowered.startswith("urn:epc:id:pgln:"):
        raise _bad(
            "A PGLN names a party (who), not a location (where): use an SGLN or a GLN Digital Link.",
            "PGLN là mã của một bên (ai), không phải địa điểm (ở đâu): dùng SGLN hoặc Digital Link GLN.",
        )
    scheme = lowered.split(":", 1)[0]
    if scheme in ("http", "https"):
        segments = urlsplit(uri).path.split("/")
        if "417" in segments and "414" not in segments:
            raise _bad(
                "AI 417 is a party GLN (who), not a location (where): use /414/{GLN}.",
                "AI 417 là GLN của một bên (ai), không phải địa điểm (ở đâu): dùng /414/{GLN}.",
            )
        return _digital_link(uri)
    raise _bad(
        f"Not a GS1 location identifier: a location is named by {_EXAMPLES}.",
        f"Không phải mã địa điểm GS1: địa điểm được gọi bằng {_EXAMPLES}.",
    )


def is_other_place(uri: str) -> bool:
    """Whether `uri` names a place in no GS1 scheme (a `geo:` URI, a partner's own URI): any absolute URI up to
    MAX_IDENTIFIER_LENGTH that does not try to be a GS1 identifier (no `urn:epc:` or GS1 Digital Link key, not on
    id.gs1.org). EPCIS accepts any URI as a read point or business location; such a place is kept as received,
    named by its URI, and cannot be given a name (names are per GLN)."""
    if len(uri) > MAX_IDENTIFIER_LENGTH or not is_absolute_uri(uri):
        return False
    lowered = uri.lower()
    if lowered.startswith(("urn:epc:", "urn:epcglobal:")):
        return False
    if lowered.split(":", 1)[0] in ("http", "https"):
        parts = urlsplit(uri)
        segments = parts.path.split("/")
        return parts.netloc.lower() != "id.gs1.org" and not {"414", "417", "254"} & set(segments)
    return True


def parse_or_none(uri: str) -> LocationIdentifier | None:
    try:
        return parse(uri)
    except LocationIdError:
        return None
