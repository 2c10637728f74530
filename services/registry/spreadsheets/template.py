"""The registry spreadsheet's template: one row per product and (optionally) one of its OCOP decisions, with
its producer. Row 1 holds the Vietnamese headers, row 2 the English ones, row 3 a filled example (its first
cell says "Ví dụ", and such rows are skipped on import). The same columns are written by the export, so an
export imports back unchanged. This module imports no database code: the job's child process reads it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

EXAMPLE_MARK = "Ví dụ"
SHEET_TITLE = "Danh sách OCOP"
LISTS_TITLE = "Danh mục"
HEADER_ROWS = 2  # Vietnamese, English


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str  # Vietnamese
    header_en: str
    note: str  # what goes in it, Vietnamese
    note_en: str
    required: bool = False
    choices: tuple[str, ...] = ()  # a data-validation list in the .xlsx
    width: int = 16


PRODUCER_KINDS = {
    "Doanh nghiệp": "enterprise",
    "Hợp tác xã": "cooperative",
    "Tổ hợp tác": "cooperative_group",
    "Hộ kinh doanh": "household_business",
}
UNIT_ERAS = {"Trước 01/7/2025": "legacy", "Từ 01/7/2025": "current"}
LEVELS = {"Huyện": "district", "Tỉnh": "province", "Trung ương": "central"}
STATUSES = {"Công nhận": "certified", "Thu hồi": "revoked"}
CRITERIA_SETS = ("1048", "148")

COLUMNS: tuple[Column, ...] = (
    Column(
        "row_label",
        "STT",
        "No.",
        "Số thứ tự (không bắt buộc); 'Ví dụ' = dòng mẫu, bỏ qua.",
        "Row number (optional); 'Ví dụ' marks the example row, skipped.",
        width=7,
    ),
    Column(
        "tax_code",
        "Mã số thuế",
        "Tax code",
        "10 chữ số, hoặc 13 với mã chi nhánh; dùng để nhận ra chủ thể.",
        "10 digits, or 13 with a branch suffix; identifies the producer.",
        width=14,
    ),
    Column(
        "producer_name",
        "Tên chủ thể",
        "Producer name",
        "Tên doanh nghiệp, HTX, tổ hợp tác hoặc hộ.",
        "Name of the enterprise, co-operative, group or household.",
        required=True,
        width=36,
    ),
    Column(
        "producer_kind",
        "Loại hình chủ thể",
        "Producer kind",
        "Chọn trong danh sách.",
        "Pick from the list.",
        required=True,
        choices=tuple(PRODUCER_KINDS),
        width=16,
    ),
    Column(
        "commune_code",
        "Mã xã/phường",
        "Commune code",
        "Mã GSO 5 chữ số của xã/phường.",
        "The commune's 5-digit GSO code.",
        required=True,
        width=12,
    ),
    Column(
        "unit_era",
        "Đơn vị hành chính",
        "Administrative units",
        "Mã xã theo đơn vị trước hay từ 01/7/2025 (mặc định: từ 01/7/2025).",
        "Whether the commune code is of the units before or from 2025-07-01 (default: from).",
        choices=tuple(UNIT_ERAS),
        width=16,
    ),
    Column(
        "address_line",
        "Địa chỉ (ấp, số nhà)",
        "Address (hamlet, street)",
        "Số nhà, đường, ấp.",
        "House number, street, hamlet.",
        required=True,
        width=24,
    ),
    Column(
        "product_name",
        "Tên sản phẩm",
        "Product name",
        "Tên sản phẩm OCOP.",
        "The OCOP product's name.",
        required=True,
        width=36,
    ),
    Column(
        "gtin",
        "Mã GTIN (mã vạch)",
        "GTIN (barcode)",
        "8, 12, 13 hoặc 14 chữ số, chữ số kiểm tra đúng.",
        "8, 12, 13 or 14 digits with a correct check digit.",
        width=16,
    ),
    Column(
        "product_criteria_set",
        "Bộ tiêu chí của nhóm SP",
        "Product group criteria set",
        "Bộ tiêu chí mà mã nhóm sản phẩm thuộc về: 1048 hoặc 148.",
        "The criteria set of the product group codes: 1048 or 148.",
        required=True,
        choices=CRITERIA_SETS,
        width=10,
    ),
    Column(
        "group",
        "Nhóm sản phẩm",
        "Product group",
        "Mã nhóm, ví dụ 1 (Thực phẩm).",
        "Group code, e.g. 1 (food).",
        required=True,
        width=9,
    ),
    Column(
        "subgroup", "Phân nhóm", "Sub-group", "Mã phân nhóm, ví dụ 1.2.", "Sub-group code, e.g. 1.2.", width=9
    ),
    Column(
        "criteria_set",
        "Bộ tiêu chí chấm",
        "Evaluation criteria set",
        "Bộ tiêu chí của lần đánh giá: 1048 (2019) hoặc 148 (2023).",
        "The criteria set of the evaluation: 1048 (2019) or 148 (2023).",
        choices=CRITERIA_SETS,
        width=10,
    ),
    Column(
        "score_a",
        "Điểm phần A",
        "Score part A",
        "Sản phẩm và sức mạnh cộng đồng.",
        "Product and community strength.",
        width=8,
    ),
    Column("score_b", "Điểm phần B", "Score part B", "Khả năng tiếp thị.", "Marketing ability.", width=8),
    Column("score_c", "Điểm phần C", "Score part C", "Chất lượng sản phẩm.", "Product quality.", width=8),
    Column(
        "stars",
        "Số sao",
        "Stars",
        "1 đến 5, phải khớp tổng điểm.",
        "1 to 5, must match the total score.",
        width=7,
    ),
    Column(
        "level",
        "Cấp công nhận",
        "Recognising level",
        "Chọn trong danh sách.",
        "Pick from the list.",
        choices=tuple(LEVELS),
        width=12,
    ),
    Column(
        "status",
        "Trạng thái",
        "Status",
        "Công nhận (mặc định) hoặc Thu hồi.",
        "Certified (default) or revoked.",
        choices=tuple(STATUSES),
        width=12,
    ),
    Column(
        "decision_number",
        "Số quyết định",
        "Decision number",
        "Ví dụ 2816/QĐ-UBND.",
        "E.g. 2816/QĐ-UBND.",
        width=16,
    ),
    Column(
        "decision_date", "Ngày quyết định", "Decision date", "Ngày/tháng/năm.", "Day/month/year.", width=13
    ),
    Column(
        "evaluation_date",
        "Ngày chấm điểm",
        "Evaluation date",
        "Ngày hội đồng chấm (chỉ để kiểm tra: không trước ngày quyết định).",
        "The council's scoring day (checked only: not after the decision).",
        width=13,
    ),
)

KEYS = tuple(c.key for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
EVALUATION_KEYS = (
    "criteria_set",
    "score_a",
    "score_b",
    "score_c",
    "stars",
    "level",
    "status",
    "decision_number",
    "decision_date",
    "evaluation_date",
)

EXAMPLE: dict[str, object] = {
    "row_label": EXAMPLE_MARK,
    "tax_code": "1300790174",
    "producer_name": "Công ty TNHH Kẹo Dừa Phú Hưng (demo)",
    "producer_kind": "Doanh nghiệp",
    "commune_code": "28786",
    "unit_era": "Trước 01/7/2025",
    "address_line": "Ấp 1",
    "product_name": "Kẹo dừa truyền thống Phú Hưng",
    "gtin": "8936131800016",
    "product_criteria_set": "148",
    "group": "1",
    "subgroup": "1.2",
    "criteria_set": "1048",
    "score_a": 27,
    "score_b": 18,
    "score_c": 32,
    "stars": 4,
    "level": "Tỉnh",
    "status": "Công nhận",
    "decision_number": "2816/QĐ-UBND",
    "decision_date": dt.date(2019, 12, 20),
    "evaluation_date": dt.date(2019, 11, 28),
}


def cell_text(value: object) -> str:
    """A value as a CSV (and comparison) text: dates as dd/mm/yyyy, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def csv_bytes(rows: list[dict[str, object]]) -> bytes:
    """The header rows and `rows` as UTF-8 CSV with a byte-order mark (Excel opens it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow([c.header_en for c in COLUMNS])
    for row in rows:
        writer.writerow([cell_text(row.get(key)) for key in KEYS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _style_headers(sheet: object) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8F0D8")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        for row in (1, 2):
            cell = sheet.cell(row=row, column=index)
            cell.font = bold if row == 1 else Font(italic=True)
            cell.fill = fill
    sheet.freeze_panes = "C3"


def template_xlsx(example: bool = True) -> bytes:
    """The template workbook: headers (Vietnamese, English), a comment per header saying what goes in the
    column, lists to pick from (data validation, kept on a second sheet), and the filled example row."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append([c.header for c in COLUMNS])
    sheet.append([c.header_en for c in COLUMNS])
    if example:
        sheet.append([EXAMPLE.get(key) for key in KEYS])
        for index, key in enumerate(KEYS, start=1):
            if isinstance(EXAMPLE.get(key), dt.date):
                sheet.cell(row=3, column=index).number_format = "DD/MM/YYYY"
    lists = book.create_sheet(LISTS_TITLE)
    list_column = 0
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).comment = Comment(
            f"{column.note}\n{column.note_en}" + ("\n(Bắt buộc / required)" if column.required else ""),
            "ocop-hub",
        )
        if column.choices:
            list_column += 1
            letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=column.header)
            for offset, choice in enumerate(column.choices, start=2):
                lists.cell(row=offset, column=list_column, value=choice)
            validation = DataValidation(
                type="list",
                formula1=f"'{LISTS_TITLE}'!${letter}$2:${letter}${len(column.choices) + 1}",
                allow_blank=not column.required,
            )
            validation.add(f"{get_column_letter(index)}3:{get_column_letter(index)}20000")
            sheet.add_data_validation(validation)
    _style_headers(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    return csv_bytes([EXAMPLE])
