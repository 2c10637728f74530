"""What a packaging label declares (`DesignVersion.declared`), as a typed value with JSON round-trip.

The JSON form is a dict with the keys below; absent keys and `null` mean "not on the label". Text is stored
NFC (names and short items with white space collapsed, long items keeping their line breaks); sizes are
type sizes in millimetres (cap height as measured on the artwork).

    {
      "product_name": {"text": "Bánh phồng Sơn Đốc", "type_size_mm": 6},
      "responsible_party": {"name": "HTX ...", "address": "Ấp 1, xã Hưng Nhượng, ..."},
      "origin_wording": "Sản xuất tại Việt Nam",
      "net_quantity": "500 g",
      "manufacture_date_format": "dd/mm/yyyy",
      "expiry": "12 tháng kể từ NSX",
      "ingredients": "...", "instructions_use": "...", "instructions_storage": "...", "warnings": "...",
      "ethanol_content": "29,5% vol",
      "lot_code_position": "in trên đáy hộp",
      "health_supplement_statements": ["Thực phẩm bảo vệ sức khỏe", "..."],
      "other_languages": [{"language": "en", "text": "Son Doc puffed rice cake", "type_size_mm": 4,
                           "item": "product_name"}],
      "mandatory_text_sizes": {"net_quantity": 3, "responsible_party": 2},
      "ocop_mark": {"present": true, "stars": 4},
      "qr": {"link": "https://...", "printed_size_mm": 18, "error_correction": "M"}
    }

`other_languages[].item` (optional) names the mandatory item the text translates; without it the text is
compared with the largest Vietnamese text. Field paths in problems are the JSON paths above
(`qr.printed_size_mm`, `other_languages[1].type_size_mm`), without a prefix.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from services.common.errors import DomainError, FieldProblem
from services.common.text import nfc
from services.packaging.errors import PackagingErrorCode


class ErrorCorrection(StrEnum):
    """QR error correction levels (ISO/IEC 18004): L 7 %, M 15 %, Q 25 %, H 30 % of the symbol recoverable."""

    L = "L"
    M = "M"
    Q = "Q"
    H = "H"


ERROR_CORRECTION_LEVELS: Final = tuple(level.value for level in ErrorCorrection)
DEFAULT_ERROR_CORRECTION: Final = "M"  # GS1 point of sale
MAX_TYPE_SIZE_MM: Final = 1000.0
MAX_QR_SIZE_MM: Final = 1000.0

# Every mandatory item a rule table may name, in label order. Each is a field of DeclaredContent.
ITEM_FIELDS: Final = (
    "product_name",
    "responsible_party",
    "origin_wording",
    "net_quantity",
    "manufacture_date_format",
    "expiry",
    "ingredients",
    "instructions_use",
    "instructions_storage",
    "warnings",
    "ethanol_content",
    "lot_code_position",
    "health_supplement_statements",
)
# The items that are one plain text each, in label order: all but the structured name and responsible party
# and the list of health-supplement statements. The preview (services/packaging/preview.py) prints each as
# a line of its own.
TEXT_ITEMS: Final = tuple(
    i for i in ITEM_FIELDS if i not in ("product_name", "responsible_party", "health_supplement_statements")
)
_SHORT_TEXT = (
    "origin_wording",
    "net_quantity",
    "manufacture_date_format",
    "expiry",
    "ethanol_content",
    "lot_code_position",
)
_LONG_TEXT = ("ingredients", "instructions_use", "instructions_storage", "warnings")
_KEYS = frozenset(
    (*ITEM_FIELDS, "other_languages", "mandatory_text_sizes", "ocop_mark", "qr"),
)


def long_text(value: str) -> str:
    """NFC, each line trimmed with inner white space collapsed, blank lines dropped: line breaks stay."""
    lines = (nfc(line) for line in unicodedata.normalize("NFC", value).splitlines())
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True, slots=True)
class ProductName:
    text: str
    type_size_mm: float | None = None


@dataclass(frozen=True, slots=True)
class ResponsibleParty:
    name: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class OtherLanguage:
    language: str  # BCP 47 tag or a plain name: "en", "zh", "English"
    text: str
    type_size_mm: float | None = None
    item: str | None = None  # the mandatory item it translates (one of ITEM_FIELDS)


@dataclass(frozen=True, slots=True)
class OcopMark:
    present: bool = False
    stars: int | None = None


@dataclass(frozen=True, slots=True)
class QrDeclaration:
    link: str | None = None
    printed_size_mm: float | None = None  # side of the printed symbol, quiet zone included
    error_correction: str = DEFAULT_ERROR_CORRECTION


@dataclass(frozen=True, slots=True)
class DeclaredContent:
    """What one version of a label declares. Build it with `from_json` (raises) or `parse` (collects)."""

    product_name: ProductName | None = None
    responsible_party: ResponsibleParty | None = None
    origin_wording: str | None = None
    net_quantity: str | None = None
    manufacture_date_format: str | None = None
    expiry: str | None = None
    ingredients: str | None = None
    instructions_use: str | None = None
    instructions_storage: str | None = None
    warnings: str | None = None
    ethanol_content: str | None = None
    lot_code_position: str | None = None
    health_supplement_statements: tuple[str, ...] = ()
    other_languages: tuple[OtherLanguage, ...] = ()
    mandatory_text_sizes: Mapping[str, float] = field(default_factory=dict)
    ocop_mark: OcopMark | None = None
    qr: QrDeclaration | None = None

    # ---- reading and writing -------------------------------------------------------------------------

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None) -> tuple[DeclaredContent, list[FieldProblem]]:
        """Read a JSON dict leniently: a value of the wrong type is dropped (as if absent) and reported."""
        return _Reader(data or {}).read()

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> DeclaredContent:
        """Read a JSON dict, raising DomainError with every problem found."""
        content, problems = cls.parse(data)
        if problems:
            raise DomainError(problems)
        return content

    def to_json(self) -> dict[str, Any]:
        """The JSON dict stored in `DesignVersion.declared`; absent items are left out."""
        out: dict[str, Any] = {}
        if self.product_name is not None:
            out["product_name"] = _drop_none(
                {"text": self.product_name.text, "type_size_mm": self.product_name.type_size_mm}
            )
        if self.responsible_party is not None:
            out["responsible_party"] = _drop_none(
                {"name": self.responsible_party.name, "address": self.responsible_party.address}
            )
        for name in (*_SHORT_TEXT, *_LONG_TEXT):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.health_supplement_statements:
            out["health_supplement_statements"] = list(self.health_supplement_statements)
        if self.other_languages:
            out["other_languages"] = [
                _drop_none(
                    {"language": o.language, "text": o.text, "type_size_mm": o.type_size_mm, "item": o.item}
                )
                for o in self.other_languages
            ]
        if self.mandatory_text_sizes:
            out["mandatory_text_sizes"] = dict(self.mandatory_text_sizes)
        if self.ocop_mark is not None:
            out["ocop_mark"] = _drop_none({"present": self.ocop_mark.present, "stars": self.ocop_mark.stars})
        if self.qr is not None:
            out["qr"] = _drop_none(
                {
                    "link": self.qr.link,
                    "printed_size_mm": self.qr.printed_size_mm,
                    "error_correction": self.qr.error_correction,
                }
            )
        return out

    def normalized(self) -> DeclaredContent:
        """The same content with every text NFC (a value built in code goes through the JSON reader)."""
        return DeclaredContent.from_json(self.to_json())

    def problems(self) -> list[FieldProblem]:
        """Problems of shape and range (not of label law: that is services.packaging.compliance)."""
        return DeclaredContent.parse(self.to_json())[1]

    def validate(self) -> DeclaredContent:
        """Raise DomainError when `problems()` finds any; return the NFC-normalised content."""
        return DeclaredContent.from_json(self.to_json())

    # ---- questions the compliance check asks ---------------------------------------------------------

    def missing_parts(self, item: str) -> list[str]:
        """Paths of `item` that the label lacks: `[item]` when it is absent altogether, the missing
        sub-fields when it is partly given (`responsible_party.address`), `[]` when it is present."""
        if item not in ITEM_FIELDS:
            raise ValueError(f"unknown label item {item!r}")
        if item == "responsible_party":
            party = self.responsible_party
            if party is None or (not party.name and not party.address):
                return [item]
            return [f"{item}.{sub}" for sub in ("name", "address") if not getattr(party, sub)]
        if item == "product_name":
            return [] if self.product_name is not None and self.product_name.text else [item]
        value = getattr(self, item)
        return [] if value else [item]

    def vietnamese_size(self, item: str) -> float | None:
        """The declared type size of a mandatory item's Vietnamese text."""
        if item == "product_name":
            return self.product_name.type_size_mm if self.product_name else None
        return self.mandatory_text_sizes.get(item)


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class _Reader:
    """One pass over a JSON dict, collecting every problem."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[FieldProblem] = []

    def problem(self, path: str, code: PackagingErrorCode, vi: str, en: str) -> None:
        self.problems.append(FieldProblem(path, code, vi, en))

    def wrong_type(self, path: str, expected_vi: str, expected_en: str) -> None:
        self.problem(path, PackagingErrorCode.INVALID, f"Phải là {expected_vi}.", f"Must be {expected_en}.")

    def text(self, value: Any, path: str, clean: Callable[[str], str] = nfc) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.wrong_type(path, "một chuỗi ký tự", "a string")
            return None
        return clean(value) or None

    def size(self, value: Any, path: str, upper: float = MAX_TYPE_SIZE_MM) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.wrong_type(path, "một số (mm)", "a number (mm)")
            return None
        if not 0 < value <= upper:
            self.problem(
                path,
                PackagingErrorCode.OUT_OF_RANGE,
                f"Kích thước phải lớn hơn 0 và không quá {upper:g} mm.",
                f"The size must be above 0 and at most {upper:g} mm.",
            )
            return None
        return float(value)

    def obj(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.wrong_type(path, "một đối tượng", "an object")
            return None
        return value

    def unknown_keys(self, value: Mapping[str, Any], allowed: frozenset[str], prefix: str = "") -> None:
        for key in sorted(set(value) - allowed, key=str):
            self.problem(
                f"{prefix}{key}",
                PackagingErrorCode.INVALID,
                "Mục không có trong mẫu nội dung nhãn.",
                "Not a field of the declared label content.",
            )

    def read(self) -> tuple[DeclaredContent, list[FieldProblem]]:
        data = self.data
        if not isinstance(data, Mapping):
            self.wrong_type("", "một đối tượng", "an object")
            return DeclaredContent(), self.problems
        self.unknown_keys(data, _KEYS)
        values: dict[str, Any] = {
            "product_name": self.product_name(data.get("product_name")),
            "responsible_party": self.responsible_party(data.get("responsible_party")),
            "health_supplement_statements": self.statements(data.get("health_supplement_statements")),
            "other_languages": self.other_languages(data.get("other_languages")),
            "mandatory_text_sizes": self.sizes(data.get("mandatory_text_sizes")),
            "ocop_mark": self.ocop_mark(data.get("ocop_mark")),
            "qr": self.qr(data.get("qr")),
        }
        for name in _SHORT_TEXT:
            values[name] = self.text(data.get(name), name)
        for name in _LONG_TEXT:
            values[name] = self.text(data.get(name), name, long_text)
        return DeclaredContent(**values), self.problems

    def product_name(self, value: Any) -> ProductName | None:
        raw = self.obj(value, "product_name")
        if raw is None:
            return None
        self.unknown_keys(raw, frozenset({"text", "type_size_mm"}), "product_name.")
        text = self.text(raw.get("text"), "product_name.text")
        size = self.size(raw.get("type_size_mm"), "product_name.type_size_mm")
        return ProductName(text, size) if text else None

    def responsible_party(self, value: Any) -> ResponsibleParty | None:
        raw = self.obj(value, "responsible_party")
        if raw is None:
            return None
        self.unknown_keys(raw, frozenset({"name", "address"}), "responsible_party.")
        name = self.text(raw.get("name"), "responsible_party.name")
        address = self.text(raw.get("address"), "responsible_party.address")
        return ResponsibleParty(name, address) if name or address else None

    def statements(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.wrong_type("health_supplement_statements", "một danh sách chuỗi", "a list of strings")
            return ()
        out = []
        for i, item in enumerate(value):
            text = self.text(item, f"health_supplement_statements[{i}]")
            if text:
                out.append(text)
        return tuple(out)

    def other_languages(self, value: Any) -> tuple[OtherLanguage, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.wrong_type("other_languages", "một danh sách", "a list")
            return ()
        out = []
        for i, entry in enumerate(value):
            path = f"other_languages[{i}]"
            raw = self.obj(entry, path)
            if raw is None:
                continue
            self.unknown_keys(raw, frozenset({"language", "text", "type_size_mm", "item"}), f"{path}.")
            language = self.text(raw.get("language"), f"{path}.language")
            text = self.text(raw.get("text"), f"{path}.text", long_text)
            size = self.size(raw.get("type_size_mm"), f"{path}.type_size_mm")
            item = self.text(raw.get("item"), f"{path}.item")
            if item is not None and item not in ITEM_FIELDS:
                self.problem(
                    f"{path}.item",
                    PackagingErrorCode.INVALID,
                    "Không phải một nội dung bắt buộc của nhãn.",
                    "Not a mandatory label item.",
                )
                item = None
            if not language:
                self.problem(
                    f"{path}.language", PackagingErrorCode.REQUIRED, "Cần ghi ngôn ngữ.", "Name the language."
                )
                continue
            if not text:
                self.problem(
                    f"{path}.text", PackagingErrorCode.REQUIRED, "Cần ghi nội dung.", "Give the text."
                )
                continue
            out.append(OtherLanguage(language, text, size, item))
        return tuple(out)

    def sizes(self, value: Any) -> dict[str, float]:
        raw = self.obj(value, "mandatory_text_sizes")
        if raw is None:
            return {}
        out: dict[str, float] = {}
        for key, size in raw.items():
            path = f"mandatory_text_sizes.{key}"
            if key not in ITEM_FIELDS or key == "product_name":
                self.problem(
                    path,
                    PackagingErrorCode.INVALID,
                    "Không phải một nội dung bắt buộc khác tên hàng hóa (cỡ chữ tên hàng ghi ở product_name).",
                    "Not a mandatory item other than the product name (its size goes in product_name).",
                )
                continue
            checked = self.size(size, path)
            if checked is not None:
                out[key] = checked
        return out

    def ocop_mark(self, value: Any) -> OcopMark | None:
        raw = self.obj(value, "ocop_mark")
        if raw is None:
            return None
        self.unknown_keys(raw, frozenset({"present", "stars"}), "ocop_mark.")
        present = raw.get("present", False)
        if not isinstance(present, bool):
            self.wrong_type("ocop_mark.present", "true hoặc false", "true or false")
            present = False
        stars = raw.get("stars")
        if stars is not None and (
            isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5
        ):
            self.problem(
                "ocop_mark.stars",
                PackagingErrorCode.OUT_OF_RANGE,
                "Số sao phải là số nguyên từ 1 đến 5.",
                "Stars must be a whole number from 1 to 5.",
            )
            stars = None
        return OcopMark(present, stars)

    def qr(self, value: Any) -> QrDeclaration | None:
        raw = self.obj(value, "qr")
        if raw is None:
            return None
        self.unknown_keys(raw, frozenset({"link", "printed_size_mm", "error_correction"}), "qr.")
        link_value = raw.get("link")
        link = None
        if link_value is not None:
            if isinstance(link_value, str):
                link = unicodedata.normalize("NFC", link_value).strip() or None
            else:
                self.wrong_type("qr.link", "một chuỗi ký tự", "a string")
        size = self.size(raw.get("printed_size_mm"), "qr.printed_size_mm", MAX_QR_SIZE_MM)
        level = raw.get("error_correction", DEFAULT_ERROR_CORRECTION)
        if level is None:
            level = DEFAULT_ERROR_CORRECTION
        if not isinstance(level, str) or level.strip().upper() not in ERROR_CORRECTION_LEVELS:
            self.problem(
                "qr.error_correction",
                PackagingErrorCode.INVALID,
                "Mức sửa lỗi QR phải là L, M, Q hoặc H.",
                "QR error correction must be L, M, Q or H.",
            )
            level = DEFAULT_ERROR_CORRECTION
        return QrDeclaration(link, size, level.strip().upper())
