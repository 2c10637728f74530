"""Label-law check of a packaging design version: what its declared content lacks or gets wrong.

`check()` is pure and deterministic: the declared content, the label's product type, the product's
certificate and a rule table in, findings out (in a fixed order). The rule table (mandatory items per
product type, Decree 43/2017 as amended by Decree 111/2021, Annex I) is data: `label_rules.json` beside this
module, read by `load_rules()` (services/packaging/label_rules.py). Rows the domain notes mark uncertain
(cosmetics, handicrafts, non-alcoholic drinks) carry `uncertain: true` and give warnings instead of errors.
To try an edited table, take `default_rules_json()`, change it and pass it (or `rules_from(it)`) as
`rules=`; to change the table for everyone, edit the JSON file (see docs/packaging.md). The findings are
services/packaging/findings.py.

`version_findings()` loads a version, its design's product and the product's latest certificate, and runs
`check()` against today's validity.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Mapping
from typing import Any, Final, Literal

from models import DesignVersion, LabelProductType
from services.common import clock
from services.common.errors import DomainError, FieldProblem
from services.common.text import fold
from services.labels import qr as qrcode
from services.packaging.declared import DeclaredContent
from services.packaging.errors import PackagingErrorCode
from services.packaging.findings import Finding, FindingCode, Severity
from services.packaging.label_rules import LabelRules, load_rules, rules_from
from services.registry.stars import is_valid_on

_EPS: Final = 1e-9


# ---- the check -----------------------------------------------------------------------------------------


def _mm(value: float, *, lang: str, digits: int = 2) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def _up_to_tenth(value: float) -> float:
    """The printed size to suggest: the minimum rounded up to a tenth of a millimetre."""
    return math.ceil(value * 10 - 1e-6) / 10


class _Check:
    def __init__(self, declared: DeclaredContent, label_type: LabelProductType, rules: LabelRules) -> None:
        self.declared = declared
        self.label_type = LabelProductType(label_type)
        self.rules = rules
        self.findings: list[Finding] = []
        self.missing: set[str] = set()

    def add(self, code: FindingCode, severity: Severity, field: str, vi: str, en: str) -> None:
        self.findings.append(Finding(code.value, severity, field, vi, en))

    def run(self, certified_stars: int | None, certificate_valid: bool) -> list[Finding]:
        self.mandatory_items()
        self.product_name_size()
        self.foreign_texts()
        self.origin()
        self.dates()
        self.health_statements()
        self.ethanol()
        self.ocop_mark(certified_stars, certificate_valid)
        self.qr()
        return self.findings

    def mandatory_items(self) -> None:
        type_rules = self.rules.types[self.label_type]
        for row in self.rules.mandatory(self.label_type):
            name_vi, name_en = self.rules.name(row.field)
            severity: Severity = "warning" if row.uncertain else "error"
            note_vi = (
                f" (quy định cho loại hàng “{type_rules.name_vi}” chưa được xác nhận)"
                if row.uncertain
                else ""
            )
            note_en = (
                f" (the rule for {type_rules.name_en.lower()} is not confirmed)" if row.uncertain else ""
            )
            for path in self.declared.missing_parts(row.field):
                self.missing.add(path)
                part = path.partition(".")[2]
                part_vi, part_en = {"name": ("tên", "the name"), "address": ("địa chỉ", "the address")}.get(
                    part, ("", "")
                )
                if part:
                    vi = f"Thiếu {part_vi} trong nội dung bắt buộc “{name_vi}”{note_vi}."
                    en = f"{name_en}: {part_en} is missing{note_en}."
                else:
                    vi = f"Thiếu nội dung bắt buộc: {name_vi}{note_vi}."
                    en = f"Missing mandatory item: {name_en}{note_en}."
                self.add(FindingCode.MISSING_ITEM, severity, path, vi, en)

    def product_name_size(self) -> None:
        name = self.declared.product_name
        if name is None:
            return
        if name.type_size_mm is None:
            self.add(
                FindingCode.TYPE_SIZE_MISSING,
                "warning",
                "product_name.type_size_mm",
                "Chưa khai cỡ chữ của tên hàng hóa: không kiểm tra được tên có cỡ chữ lớn nhất hay không.",
                "The product name's type size is not declared: whether it is the largest cannot be checked.",
            )
            return
        sizes = self.declared.mandatory_text_sizes
        larger = [
            (row.field, sizes[row.field])
            for row in self.rules.mandatory(self.label_type)
            if row.field != "product_name"
            and row.field in sizes
            and sizes[row.field] > name.type_size_mm + _EPS
        ]
        if not larger:
            return
        item, size = max(larger, key=lambda pair: pair[1])
        item_vi, item_en = self.rules.name(item)
        self.add(
            FindingCode.NAME_NOT_LARGEST,
            "error",
            "product_name.type_size_mm",
            f"Tên hàng hóa ({_mm(name.type_size_mm, lang='vi')} mm) phải có cỡ chữ lớn nhất trong các nội dung "
            f"bắt buộc; “{item_vi}” đang lớn hơn ({_mm(size, lang='vi')} mm).",
            f"The product name ({_mm(name.type_size_mm, lang='en')} mm) must be the largest mandatory text; "
            f"{item_en} is larger ({_mm(size, lang='en')} mm).",
        )

    def foreign_texts(self) -> None:
        declared = self.declared
        vietnamese = [
            size
            for size in (
                declared.product_name.type_size_mm if declared.product_name else None,
                *declared.mandatory_text_sizes.values(),
            )
            if size is not None
        ]
        for i, other in enumerate(declared.other_languages):
            if other.type_size_mm is None:
                continue
            if other.item is not None:
                counterpart = declared.vietnamese_size(other.item)
                what_vi, what_en = self.rules.name(other.item)
            else:
                counterpart = max(vietnamese, default=None)
                what_vi, what_en = "nội dung tiếng Việt lớn nhất", "the largest Vietnamese text"
            if counterpart is None or other.type_size_mm <= counterpart + _EPS:
                continue
            self.add(
                FindingCode.FOREIGN_TEXT_LARGER,
                "error",
                f"other_languages[{i}].type_size_mm",
                f"Chữ tiếng nước ngoài ({other.language}, {_mm(other.type_size_mm, lang='vi')} mm) không được lớn "
                f"hơn chữ tiếng Việt tương ứng ({what_vi}: {_mm(counterpart, lang='vi')} mm).",
                f"Text in another language ({other.language}, {_mm(other.type_size_mm, lang='en')} mm) must not "
                f"be larger than the Vietnamese ({what_en}: {_mm(counterpart, lang='en')} mm).",
            )

    def origin(self) -> None:
        wording = self.declared.origin_wording
        if not wording:
            return
        origin = self.rules.origin
        folded = fold(wording)
        country = ""
        found_prefix = False
        for prefix in origin.prefixes:
            match = re.search(rf"(?<!\w){re.escape(prefix)}(?!\w)", folded)
            if match:
                found_prefix = True
                country = folded[match.end() :]
                break
        if not found_prefix:
            self.add(
                FindingCode.ORIGIN_WORDING,
                "warning",
                "origin_wording",
                f"Xuất xứ nên ghi “Sản xuất tại …” hoặc “Xuất xứ: …” kèm tên nước (đang ghi: “{wording}”).",
                f"Origin should read “Sản xuất tại …” or “Xuất xứ: …” with the country's name (now: “{wording}”).",
            )
            country = folded
        country = country.strip(" :-–.,")
        if not country:
            self.add(
                FindingCode.ORIGIN_COUNTRY_MISSING,
                "error",
                "origin_wording",
                "Xuất xứ phải ghi tên nước sản xuất, ví dụ “Sản xuất tại Việt Nam”.",
                "The origin must name the country, e.g. “Sản xuất tại Việt Nam”.",
            )
            return
        if any(re.search(rf"(?<!\w){re.escape(c)}(?!\w)", country) for c in origin.countries):
            return
        if any(w.replace(".", "") in origin.abbreviations for w in re.findall(r"[a-z0-9.]+", country)):
            self.add(
                FindingCode.ORIGIN_COUNTRY_ABBREVIATED,
                "error",
                "origin_wording",
                f"Tên nước không được viết tắt: ghi đầy đủ, ví dụ “Việt Nam” (đang ghi: “{wording}”).",
                f"The country must not be abbreviated: write it in full, e.g. “Việt Nam” (now: “{wording}”).",
            )
            return
        self.add(
            FindingCode.ORIGIN_COUNTRY_UNKNOWN,
            "warning",
            "origin_wording",
            f"Không nhận ra tên nước trong “{wording}”: xuất xứ phải ghi tên nước đầy đủ (không phải tỉnh, "
            "vùng hay tên viết tắt).",
            f"No country name recognised in “{wording}”: the origin must name the country in full (not a "
            "province, a region or an abbreviation).",
        )

    def dates(self) -> None:
        for item in ("manufacture_date_format", "expiry"):
            value = getattr(self.declared, item)
            if not value:
                continue
            verdict = _date_verdict(value, period_allowed=item == "expiry")
            name_vi, name_en = self.rules.name(item)
            if verdict == "not_dmy":
                self.add(
                    FindingCode.DATE_NOT_DMY,
                    "error",
                    item,
                    f"{name_vi} phải ghi theo thứ tự ngày/tháng/năm (ví dụ dd/mm/yyyy); đang ghi “{value}”.",
                    f"{name_en} must be written day/month/year (e.g. dd/mm/yyyy); now “{value}”.",
                )
            elif verdict == "unrecognised":
                self.add(
                    FindingCode.DATE_FORMAT_UNRECOGNISED,
                    "warning",
                    item,
                    f"Không nhận ra cách ghi {name_vi.lower()} “{value}”: ghi theo ngày/tháng/năm"
                    + (
                        " hoặc thời hạn kể từ ngày sản xuất (ví dụ “12 tháng kể từ NSX”)."
                        if item == "expiry"
                        else "."
                    ),
                    f"Cannot read the {name_en.lower()} format “{value}”: write day/month/year"
                    + (
                        " or a period from the manufacture date (e.g. “12 tháng kể từ NSX”)."
                        if item == "expiry"
                        else "."
                    ),
                )

    def health_statements(self) -> None:
        required = self.rules.types[self.label_type].required_statements
        if not required or "health_supplement_statements" in self.missing:
            return
        declared = [_statement_key(s) for s in self.declared.health_supplement_statements]
        for statement in required:
            key = _statement_key(statement)
            if any(key in d for d in declared):
                continue
            self.add(
                FindingCode.HEALTH_STATEMENT_MISSING,
                "error",
                "health_supplement_statements",
                f"Nhãn thực phẩm bảo vệ sức khỏe phải có dòng chữ “{statement}”.",
                f"A health-supplement label must carry the statement “{statement}”.",
            )

    def ethanol(self) -> None:
        value = self.declared.ethanol_content
        if value and not re.search(r"\d+(?:[.,]\d+)?\s*%", value):
            self.add(
                FindingCode.ETHANOL_FORMAT,
                "warning",
                "ethanol_content",
                f"Hàm lượng etanol nên ghi theo phần trăm thể tích, ví dụ “29,5% vol” (đang ghi “{value}”).",
                f"Ethanol content should be a percentage by volume, e.g. “29,5% vol” (now “{value}”).",
            )

    def ocop_mark(self, certified_stars: int | None, certificate_valid: bool) -> None:
        mark = self.declared.ocop_mark
        if mark is None or not mark.present:
            return
        if certified_stars is None:
            self.add(
                FindingCode.OCOP_MARK_NO_CERTIFICATE,
                "error",
                "ocop_mark",
                "Sản phẩm chưa có giấy chứng nhận OCOP: không được in biểu trưng OCOP và hạng sao.",
                "The product has no OCOP certificate: the OCOP logo and stars must not be printed.",
            )
            return
        if not certificate_valid:
            self.add(
                FindingCode.OCOP_MARK_CERTIFICATE_INVALID,
                "error",
                "ocop_mark",
                "Giấy chứng nhận OCOP của sản phẩm đã hết hiệu lực: không được in biểu trưng OCOP và hạng sao.",
                "The product's OCOP certificate is no longer valid: the OCOP logo and stars must not be printed.",
            )
            return
        if mark.stars is None:
            self.add(
                FindingCode.OCOP_MARK_STARS_MISSING,
                "warning",
                "ocop_mark.stars",
                f"Chưa khai số sao in kèm biểu trưng OCOP (sản phẩm đạt {certified_stars} sao).",
                f"The stars printed with the OCOP logo are not declared (the product holds {certified_stars}★).",
            )
        elif mark.stars > certified_stars:
            self.add(
                FindingCode.OCOP_MARK_STARS_EXCEED,
                "error",
                "ocop_mark.stars",
                f"Nhãn in {mark.stars} sao nhưng sản phẩm chỉ được chứng nhận {certified_stars} sao.",
                f"The label shows {mark.stars}★ but the product is certified {certified_stars}★.",
            )
        elif mark.stars < certified_stars:
            self.add(
                FindingCode.OCOP_MARK_STARS_BELOW,
                "info",
                "ocop_mark.stars",
                f"Nhãn in {mark.stars} sao, ít hơn hạng {certified_stars} sao đã được chứng nhận.",
                f"The label shows {mark.stars}★, fewer than the {certified_stars}★ certified.",
            )

    def qr(self) -> None:
        qr = self.declared.qr
        if qr is None or (not qr.link and qr.printed_size_mm is None):
            return
        if not qr.link:
            self.add(
                FindingCode.QR_LINK_MISSING,
                "warning",
                "qr.link",
                "Chưa khai đường dẫn của mã QR: không kiểm tra được kích thước tối thiểu.",
                "The QR code's link is not declared: its minimum size cannot be checked.",
            )
            return
        try:
            matrix = qrcode.encode(qr.link, qr.error_correction)
        except ValueError:
            self.add(
                FindingCode.QR_UNENCODABLE,
                "error",
                "qr.link",
                f"Đường dẫn quá dài để mã hóa thành mã QR ở mức sửa lỗi {qr.error_correction}.",
                f"The link is too long for a QR code at error correction {qr.error_correction}.",
            )
            return
        modules = matrix.size
        minimum = matrix.min_symbol_mm()
        passing = _up_to_tenth(minimum)
        module_vi = _mm(qrcode.MIN_MODULE_MM, lang="vi", digits=3)
        module_en = _mm(qrcode.MIN_MODULE_MM, lang="en", digits=3)
        basis_vi = f"({modules} + 8 mô-đun vùng trống) × {module_vi} mm = {_mm(minimum, lang='vi')} mm"
        basis_en = f"({modules} + 8 quiet-zone modules) × {module_en} mm = {_mm(minimum, lang='en')} mm"
        size = qr.printed_size_mm
        if size is None:
            self.add(
                FindingCode.QR_SIZE_MISSING,
                "warning",
                "qr.printed_size_mm",
                f"Chưa khai kích thước in của mã QR; cần ≥ {_mm(passing, lang='vi')} mm ({basis_vi}).",
                f"The QR code's printed size is not declared; it needs ≥ {_mm(passing, lang='en')} mm ({basis_en}).",
            )
        elif size + _EPS < minimum:
            self.add(
                FindingCode.QR_TOO_SMALL,
                "error",
                "qr.printed_size_mm",
                f"Mã QR in {_mm(size, lang='vi')} mm nhỏ hơn mức tối thiểu GS1; cần in ≥ {_mm(passing, lang='vi')} "
                f"mm ({basis_vi}), hoặc rút ngắn đường dẫn.",
                f"The QR code printed at {_mm(size, lang='en')} mm is below the GS1 minimum; print it "
                f"≥ {_mm(passing, lang='en')} mm ({basis_en}), or shorten the link.",
            )
        elif size > (modules + 2 * qrcode.QUIET_ZONE) * qrcode.MAX_MODULE_MM + _EPS:
            largest = (modules + 2 * qrcode.QUIET_ZONE) * qrcode.MAX_MODULE_MM
            self.add(
                FindingCode.QR_MODULE_ABOVE_MAX,
                "info",
                "qr.printed_size_mm",
                f"Mã QR in {_mm(size, lang='vi')} mm có mô-đun lớn hơn {_mm(qrcode.MAX_MODULE_MM, lang='vi')} mm "
                f"(mức tối đa GS1 cho điểm bán); tối đa {_mm(largest, lang='vi')} mm.",
                f"The QR code printed at {_mm(size, lang='en')} mm has modules above the GS1 point-of-sale "
                f"maximum of {_mm(qrcode.MAX_MODULE_MM, lang='en')} mm; at most {_mm(largest, lang='en')} mm.",
            )


def check(
    declared: DeclaredContent,
    label_type: LabelProductType,
    *,
    certified_stars: int | None,
    certificate_valid: bool,
    rules: LabelRules | Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Findings for a label's declared content under the rule table (the built-in one by default).

    `certified_stars` are the stars of the product's latest certificate (None: never certified) and
    `certificate_valid` whether that certificate is valid on the day of the check."""
    table = rules if isinstance(rules, LabelRules) else load_rules() if rules is None else rules_from(rules)
    return _Check(declared, label_type, table).run(certified_stars, certificate_valid)


# ---- dates ---------------------------------------------------------------------------------------------

_DATE_GROUP = re.compile(r"(?<![0-9a-z])[0-9a-z]+(?:\s*[/.\-]\s*[0-9a-z]+){1,2}(?![0-9a-z])")
_WORD_PART = {
    "d": "D",
    "dd": "D",
    "ngay": "D",
    "day": "D",
    "m": "M",
    "mm": "M",
    "thang": "M",
    "month": "M",
    "y": "Y",
    "yy": "Y",
    "yyyy": "Y",
    "nam": "Y",
    "year": "Y",
}
_PERIOD = re.compile(r"\d+\s*(?:ngay|tuan|thang|nam|day|week|month|year)")
_ORDER = "DMY"


def _part_options(token: str) -> set[str] | None:
    """Which of day (D), month (M), year (Y) a token may be; None when it is no date part at all."""
    if token in _WORD_PART:
        return {_WORD_PART[token]}
    if not token.isdigit():
        return None
    if len(token) == 4:
        return {"Y"}
    if len(token) > 2:
        return None
    n = int(token)
    if n == 0:
        return None
    if n <= 12:
        return {"D", "M", "Y"}
    return {"D", "Y"} if n <= 31 else {"Y"}


def _in_dmy_order(options: list[set[str]]) -> bool:
    for parts in itertools.product(*options):
        positions = [_ORDER.index(p) for p in parts]
        if all(a < b for a, b in itertools.pairwise(positions)):
            return True
    return False


def _date_verdict(value: str, *, period_allowed: bool) -> Literal["ok", "not_dmy", "unrecognised"]:
    folded = fold(value)
    groups = []
    for match in _DATE_GROUP.finditer(folded):
        options = [_part_options(t.strip()) for t in re.split(r"[/.\-]", match.group())]
        if all(o is not None for o in options):
            groups.append([o for o in options if o is not None])
    if groups:
        return "ok" if all(_in_dmy_order(g) for g in groups) else "not_dmy"
    if period_allowed and _PERIOD.search(folded):
        return "ok"
    return "unrecognised"


def _statement_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", fold(text)).strip()


# ---- a stored version ----------------------------------------------------------------------------------


async def version_findings(
    version_id: int,
    *,
    today: dt.date | None = None,
    rules: LabelRules | Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Findings for a stored design version: its declared content under its design's label type, against
    the product's latest certificate as valid today (Viet Nam time). Parts of the stored content that do not
    read (a wrong type) come first as `invalid_declaration` errors; the rest is checked as if they were
    absent."""
    version = await DesignVersion.get_or_none(id=version_id).select_related(
        "design__product__latest_certificate"
    )
    if version is None:
        raise DomainError(
            [
                FieldProblem(
                    "versionId",
                    PackagingErrorCode.NOT_FOUND,
                    "Không tìm thấy phiên bản thiết kế.",
                    "Design version not found.",
                )
            ]
        )
    design = version.design
    certificate = design.product.latest_certificate
    declared, problems = DeclaredContent.parse(version.declared)
    findings = [
        Finding(FindingCode.INVALID_DECLARATION.value, "error", p.field, p.message, p.message_en)
        for p in problems
    ]
    findings += check(
        declared,
        LabelProductType(design.label_type),
        certified_stars=int(certificate.stars) if certificate is not None else None,
        certificate_valid=certificate is not None and is_valid_on(certificate, today or clock.today()),
        rules=rules,
    )
    return findings
