"""Reading an uploaded registry spreadsheet, in a job's child process (services/common/sandbox.py, with
time and memory limits): .xlsx streamed by openpyxl (`read_only=True`: one row in memory at a time) or CSV
(UTF-8, with or without a byte-order mark, comma or semicolon). Each row is cleaned (NFC text, codes
normalised) and checked on its own and against the other rows of the file: required cells, choices, tax
codes, GTIN check digits, scores and stars in their bands, dates, duplicates. What needs the database
(communes, existing producers and products, the officer's province) is `validate`'s.

`parse_file(source, progress)` returns JSON bytes: {"rows": [...], "problems": [...], "total": n}."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from models import CriteriaSet
from services.common import gs1
from services.common.text import fold, nfc
from services.registry import stars

from . import template

MAX_ROWS = 50_000
CSV_SAMPLE = 64 * 1024


@dataclass(frozen=True, slots=True)
class Source:
    path: str
    kind: str  # "xlsx" or "csv"
    max_rows: int = MAX_ROWS


class Rows:
    """Problems found while reading, each with its spreadsheet row and column."""

    def __init__(self) -> None:
        self.problems: list[dict[str, Any]] = []

    def add(self, row: int, column: str, code: str, message: str, message_en: str) -> None:
        header = template.BY_KEY[column].header if column in template.BY_KEY else ""
        self.problems.append(
            {
                "row": row,
                "column": column,
                "header": header,
                "code": code,
                "message": message,
                "message_en": message_en,
            }
        )


class FileRefused(Exception):
    """The file as a whole cannot be read (damaged, no header, too many rows)."""

    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message, self.message_en = code, message, message_en


# -- reading ---------------------------------------------------------------------------------------------------


def _xlsx_rows(path: str, max_rows: int) -> Iterator[tuple[object, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused(
            "invalid",
            "Không đọc được tệp .xlsx (hỏng hoặc không phải Excel).",
            f"The .xlsx file cannot be read ({type(exc).__name__}).",
        ) from exc
    try:
        sheet = book[template.SHEET_TITLE] if template.SHEET_TITLE in book.sheetnames else book.worksheets[0]
        declared = getattr(sheet, "max_row", None)  # the <dimension> tag: cheap, checked before reading
        if isinstance(declared, int) and declared > max_rows + template.HEADER_ROWS + 1:
            raise _too_many(max_rows)
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _csv_rows(path: str) -> Iterator[tuple[object, ...]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(CSV_SAMPLE)
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            for record in csv.reader(handle, dialect):
                yield tuple(record)
        except UnicodeDecodeError as exc:
            raise FileRefused(
                "invalid", "Tệp CSV phải được lưu với mã UTF-8.", "The CSV file must be saved as UTF-8."
            ) from exc


def _too_many(max_rows: int) -> FileRefused:
    return FileRefused(
        "out_of_range",
        f"Tệp có quá nhiều dòng: tối đa {max_rows:,}.".replace(",", "."),
        f"The file has too many rows: at most {max_rows:,}.",
    )


def _header_map(cells: tuple[object, ...]) -> dict[int, str]:
    names = {fold(c.header): c.key for c in template.COLUMNS} | {
        fold(c.header_en): c.key for c in template.COLUMNS
    }
    return {
        index: names[fold(str(cell))]
        for index, cell in enumerate(cells)
        if cell is not None and fold(str(cell)) in names
    }


# -- cleaning one cell -----------------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = nfc(template.cell_text(value)).strip()
    return text or None


def _digits(value: object, pad_to: int = 0) -> str | None:
    """Codes typed as numbers (Excel drops leading zeros): back to their digits."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)).zfill(pad_to)
    return _text(value)


@functools.cache
def _folded_choices(choices: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Labels and stored values, as typed and folded (no case, no diacritics), to what is stored."""
    found = {label: value for label, value in choices} | {value: value for _, value in choices}
    return found | {fold(key): value for key, value in found.items()}


def _choice(rows: Rows, line: int, key: str, value: str | None, choices: dict[str, str]) -> str | None:
    if value is None:
        return None
    folded = _folded_choices(tuple(choices.items()))
    found = folded.get(value) or folded.get(fold(value))
    if found is not None:
        return found
    listed = ", ".join(choices)
    rows.add(
        line,
        key,
        "invalid",
        f"Giá trị '{value}' không có trong danh sách: {listed}.",
        f"'{value}' is not one of: {listed}.",
    )
    return None


def _integer(rows: Rows, line: int, key: str, value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", ".")) if not isinstance(value, int | float) else value
    except ValueError:
        number = None
    if number is None or not float(number).is_integer():
        rows.add(
            line, key, "invalid", f"'{value}' không phải số nguyên.", f"'{value}' is not a whole number."
        )
        return None
    return int(number)


def _date(rows: Rows, line: int, key: str, value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    rows.add(
        line,
        key,
        "invalid",
        f"Ngày '{text}' không hợp lệ: dùng ngày/tháng/năm.",
        f"Invalid date '{text}': use day/month/year.",
    )
    return None


# -- one row ---------------------------------------------------------------------------------------------------


def _tax_code(rows: Rows, line: int, value: str | None) -> str | None:
    if value is None:
        return None
    from stdnum.exceptions import ValidationError
    from stdnum.vn import mst

    try:
        return str(mst.validate(value))
    except ValidationError:
        rows.add(
            line,
            "tax_code",
            "invalid_tax_code",
            f"Mã số thuế '{value}' không hợp lệ: cần 10 chữ số (hoặc 13) và chữ số kiểm tra đúng.",
            f"Invalid tax code '{value}': 10 digits (or 13) with a correct check digit.",
        )
        return None


def _gtin(rows: Rows, line: int, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return gs1.normalize_gtin(value)
    except gs1.GS1KeyError as exc:
        if exc.code == "invalid_check_digit":
            rows.add(
                line,
                "gtin",
                "invalid_check_digit",
                f"Chữ số kiểm tra của GTIN '{value}' sai.",
                f"The check digit of GTIN '{value}' is wrong.",
            )
        else:
            rows.add(
                line,
                "gtin",
                "invalid",
                f"GTIN '{value}' phải có 8, 12, 13 hoặc 14 chữ số.",
                f"GTIN '{value}' must have 8, 12, 13 or 14 digits.",
            )
        return None


def _evaluation(rows: Rows, line: int, raw: dict[str, object]) -> dict[str, Any] | None:
    if all(_text(raw.get(key)) is None for key in template.EVALUATION_KEYS):
        return None
    before = len(rows.problems)
    criteria_set = _text(raw.get("criteria_set"))
    if criteria_set not in template.CRITERIA_SETS:
        rows.add(
            line,
            "criteria_set",
            "required" if criteria_set is None else "invalid",
            "Cần bộ tiêu chí chấm: 1048 hoặc 148.",
            "The evaluation criteria set is required: 1048 or 148.",
        )
        criteria_set = None
    scores: dict[str, int | None] = {}
    for part in "abc":
        key = f"score_{part}"
        score = _integer(rows, line, key, raw.get(key))
        if score is None and _text(raw.get(key)) is None:
            rows.add(line, key, "required", "Cần điểm của phần này.", "The part's score is required.")
        maximum = stars.RULES[CriteriaSet(criteria_set)].part_maxima[part.upper()] if criteria_set else None
        if score is not None and maximum is not None and not 0 <= score <= maximum:
            rows.add(
                line,
                key,
                "out_of_range",
                f"Điểm phần {part.upper()} theo QĐ {criteria_set} phải từ 0 đến {maximum}.",
                f"Part {part.upper()} under decision {criteria_set} must be between 0 and {maximum}.",
            )
            score = None
        scores[key] = score
    given = _integer(rows, line, "stars", raw.get("stars"))
    if given is None and _text(raw.get("stars")) is None:
        rows.add(line, "stars", "required", "Cần số sao.", "The stars are required.")
    elif given is not None and not 1 <= given <= 5:
        rows.add(
            line,
            "stars",
            "out_of_range",
            f"Số sao {given} ngoài khoảng 1 đến 5.",
            f"{given} stars is outside 1 to 5.",
        )
        given = None
    if given is not None and criteria_set and all(v is not None for v in scores.values()):
        total = sum(v for v in scores.values() if v is not None)
        earned = stars.stars_for(CriteriaSet(criteria_set), total)
        if earned != given:
            rows.add(
                line,
                "stars",
                "out_of_range",
                f"{total} điểm tương ứng {earned} sao, không phải {given} sao.",
                f"{total} points is {earned} stars, not {given}.",
            )
    level = _choice(rows, line, "level", _text(raw.get("level")), template.LEVELS)
    if level is None and _text(raw.get("level")) is None:
        rows.add(line, "level", "required", "Cần cấp công nhận.", "The recognising level is required.")
    status = _choice(rows, line, "status", _text(raw.get("status")), template.STATUSES) or "certified"
    if given is not None and given < stars.CERTIFIED_MIN_STARS:
        rows.add(
            line,
            "stars",
            "not_allowed",
            "Chỉ sản phẩm từ 3 sao mới được công nhận OCOP.",
            "Only 3★ and above are certified OCOP products.",
        )
    if given == 5 and level is not None and level != "central":
        rows.add(
            line,
            "level",
            "not_allowed",
            "Sản phẩm 5 sao do Trung ương công nhận.",
            "5★ products are recognised by the central council.",
        )
    decision_number = _text(raw.get("decision_number"))
    if decision_number is None:
        rows.add(
            line,
            "decision_number",
            "required",
            "Cần số quyết định công nhận.",
            "The decision number is required.",
        )
    elif len(decision_number) > 100:
        rows.add(line, "decision_number", "too_long", "Tối đa 100 ký tự.", "At most 100 characters.")
    decision_date = _date(rows, line, "decision_date", raw.get("decision_date"))
    if decision_date is None and _text(raw.get("decision_date")) is None:
        rows.add(line, "decision_date", "required", "Cần ngày quyết định.", "The decision date is required.")
    evaluation_date = _date(rows, line, "evaluation_date", raw.get("evaluation_date"))
    if decision_date and evaluation_date and decision_date < evaluation_date:
        rows.add(
            line,
            "decision_date",
            "invalid_date_range",
            f"Ngày quyết định {decision_date:%d/%m/%Y} trước ngày chấm điểm {evaluation_date:%d/%m/%Y}.",
            f"The decision date {decision_date:%d/%m/%Y} is before the evaluation on "
            f"{evaluation_date:%d/%m/%Y}.",
        )
    if len(rows.problems) > before:
        return None
    return {
        "criteria_set": criteria_set,
        **scores,
        "stars": given,
        "level": level,
        "status": status,
        "decision_number": decision_number,
        "decision_date": decision_date,
    }


def _row(rows: Rows, line: int, raw: dict[str, object]) -> dict[str, Any] | None:
    before = len(rows.problems)
    for column in template.COLUMNS:
        if column.required and _text(raw.get(column.key)) is None:
            rows.add(
                line,
                column.key,
                "required",
                f"Cột '{column.header}' là bắt buộc.",
                f"Column '{column.header_en}' is required.",
            )
    for key, limit in (("producer_name", 255), ("address_line", 255), ("product_name", 255)):
        text = _text(raw.get(key))
        if text is not None and len(text) > limit:
            rows.add(line, key, "too_long", f"Tối đa {limit} ký tự.", f"At most {limit} characters.")
    kind = _choice(rows, line, "producer_kind", _text(raw.get("producer_kind")), template.PRODUCER_KINDS)
    era = _choice(rows, line, "unit_era", _text(raw.get("unit_era")), template.UNIT_ERAS) or "current"
    commune = _digits(raw.get("commune_code"), 5)
    if commune is not None and (not commune.isdigit() or len(commune) > 5):
        rows.add(
            line,
            "commune_code",
            "not_found",
            f"Không có xã/phường mã {commune}.",
            f"No commune with code {commune}.",
        )
        commune = None
    product_set = _text(raw.get("product_criteria_set"))
    if product_set is not None and product_set not in template.CRITERIA_SETS:
        rows.add(
            line,
            "product_criteria_set",
            "invalid",
            "Bộ tiêu chí: 1048 hoặc 148.",
            "Criteria set: 1048 or 148.",
        )
    tax_code = _tax_code(rows, line, _digits(raw.get("tax_code"), 10))
    gtin = _gtin(rows, line, _digits(raw.get("gtin")))
    evaluation = _evaluation(rows, line, raw)
    if len(rows.problems) > before:
        return None
    return {
        "row": line,
        "tax_code": tax_code,
        "producer_name": _text(raw.get("producer_name")),
        "producer_kind": kind,
        "commune_code": commune,
        "unit_era": era,
        "address_line": _text(raw.get("address_line")),
        "product_name": _text(raw.get("product_name")),
        "gtin": gtin,
        "product_criteria_set": product_set,
        "group": _text(raw.get("group")),
        "subgroup": _text(raw.get("subgroup")),
        "evaluation": evaluation,
    }


def producer_key(row: dict[str, Any]) -> str:
    """Producers are the same by tax code; without one, by commune and folded name."""
    return (
        f"tax:{row['tax_code']}"
        if row["tax_code"]
        else f"name:{row['commune_code']}:{fold(row['producer_name'])}"
    )


def product_key(row: dict[str, Any]) -> str:
    """Products are the same by GTIN; without one, by producer and folded name."""
    return f"gtin:{row['gtin']}" if row["gtin"] else f"{producer_key(row)}/{fold(row['product_name'])}"


_PRODUCER_FIELDS = ("producer_name", "producer_kind", "commune_code", "unit_era", "address_line")
_PRODUCT_FIELDS = ("product_name", "product_criteria_set", "group", "subgroup")


_EXAMPLE_FOLDED = fold(template.EXAMPLE_MARK)


def _same(value: object) -> str:
    return str(value).casefold()


def _cross_check(rows: Rows, cleaned: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Duplicates within the file (the same product and decision twice) and rows that give one producer or
    product two different descriptions: the later row is reported (and left out)."""
    producers: dict[str, dict[str, Any]] = {}
    products: dict[str, dict[str, Any]] = {}
    decisions: dict[tuple[str, str], int] = {}
    bad: set[int] = set()
    for row in cleaned:
        line, p_key, pr_key = row["row"], producer_key(row), product_key(row)
        first = producers.setdefault(p_key, row)
        differing = [f for f in _PRODUCER_FIELDS if _same(first[f]) != _same(row[f])]
        if differing:
            rows.add(
                line,
                differing[0],
                "invalid",
                f"Chủ thể này đã có ở dòng {first['row']} với thông tin khác.",
                f"This producer is on row {first['row']} with different details.",
            )
            bad.add(line)
        first_product = products.setdefault(pr_key, row)
        differing = [f for f in _PRODUCT_FIELDS if _same(first_product[f]) != _same(row[f])]
        if first_product is not row and producer_key(first_product) != p_key:
            differing = ["gtin"]
        if differing:
            rows.add(
                line,
                differing[0],
                "invalid",
                f"Sản phẩm này đã có ở dòng {first_product['row']} với thông tin khác.",
                f"This product is on row {first_product['row']} with different details.",
            )
            bad.add(line)
        evaluation = row["evaluation"]
        key = (pr_key, _same(evaluation["decision_number"]) if evaluation else "")
        if key in decisions:
            rows.add(
                line,
                "decision_number" if evaluation else "product_name",
                "unique",
                f"Dòng trùng với dòng {decisions[key]}.",
                f"Duplicate of row {decisions[key]}.",
            )
            bad.add(line)
        else:
            decisions[key] = line
    return [row for row in cleaned if row["row"] not in bad]


def parse_file(source: Source, progress: Any = None) -> bytes:
    """The sandboxed render step of an import job: the file's rows, cleaned, and its problems, as JSON."""
    rows = Rows()
    cleaned: list[dict[str, Any]] = []
    total = 0
    try:
        reader = _xlsx_rows(source.path, source.max_rows) if source.kind == "xlsx" else _csv_rows(source.path)
        header = next(reader, None)
        columns = _header_map(header or ())
        missing = [c for c in template.COLUMNS if c.required and c.key not in columns.values()]
        if header is None or missing:
            names = ", ".join(c.header for c in missing) or "—"
            raise FileRefused(
                "required",
                f"Dòng 1 phải là tiêu đề của mẫu; thiếu cột: {names}.",
                f"Row 1 must hold the template's headers; missing: "
                f"{', '.join(c.header_en for c in missing) or '—'}.",
            )
        for line, cells in zip(itertools.count(2), reader, strict=False):
            raw = {key: cells[index] for index, key in columns.items() if index < len(cells)}
            values = [v for v in raw.values() if _text(v) is not None]
            if not values:
                continue
            if line == 2 and len(_header_map(cells)) >= len(values) // 2 + 1:
                continue  # the English header row
            label = raw.get("row_label")
            if isinstance(label, str) and fold(label) == _EXAMPLE_FOLDED:
                continue
            total += 1
            if total > source.max_rows:
                raise _too_many(source.max_rows)
            row = _row(rows, line, raw)
            if row is not None:
                cleaned.append(row)
            if progress is not None and total % 2000 == 0:
                progress(min(60, 5 + total * 55 // max(1, source.max_rows)))
    except FileRefused as refused:
        rows.problems.insert(
            0,
            {
                "row": 1,
                "column": "",
                "header": "",
                "code": refused.code,
                "message": refused.message,
                "message_en": refused.message_en,
            },
        )
        cleaned = []
    except UnicodeDecodeError:
        rows.problems.insert(
            0,
            {
                "row": 1,
                "column": "",
                "header": "",
                "code": "invalid",
                "message": "Tệp CSV phải được lưu với mã UTF-8.",
                "message_en": "The CSV file must be saved as UTF-8.",
            },
        )
        cleaned = []
    cleaned = _cross_check(rows, cleaned)
    if progress is not None:
        progress(70)
    return orjson.dumps({"rows": cleaned, "problems": rows.problems, "total": total})


def read_bytes(data: bytes, kind: str) -> list[tuple[object, ...]]:
    """All rows of a small file held in memory (tests and the demo check), as the importer reads them."""
    if kind == "csv":
        return [tuple(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
