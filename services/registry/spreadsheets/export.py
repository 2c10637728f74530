"""Writing the registry out in the import template (services/registry/spreadsheets/template.py): one row
per product and decision (certified or revoked, with its number), a product without one on a row of its
own. `read_rows` reads what the caller may see, filtered like `products` (in the job's prepare step, in
the server); `render_export` writes .xlsx (openpyxl `write_only=True`, streamed row by row) or CSV in the
job's child process. An export imports back unchanged."""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from models import AdminUnit, Evaluation, EvaluationStatus, Producer, ProductGroup
from services.policy import Reach
from services.policy import registry as policy
from services.registry import search
from services.registry.spreadsheets import template

CHUNK = 500


class ExportFormat(StrEnum):
    """The file format of a registry export."""

    XLSX = "xlsx"
    CSV = "csv"


FORMATS = tuple(fmt.value for fmt in ExportFormat)


@dataclass(frozen=True, slots=True)
class ExportData:
    format: str
    rows: list[dict[str, object]]


def _label(choices: dict[str, str], value: str) -> str:
    return next(label for label, stored in choices.items() if stored == value)


async def read_rows(filters: search.ProductFilterData, reach: Reach) -> list[dict[str, object]]:
    """The rows of the products `reach` may see that match `filters`, in producer and product name order."""
    query = await search.product_query(filters, visibility=policy.product_visibility(reach))
    products = await query.order_by("producer_id", "name_folded", "id")
    producer_ids = sorted({p.producer_id for p in products})
    producers: dict[int, Producer] = {}
    for start in range(0, len(producer_ids), CHUNK):
        for producer in await Producer.filter(id__in=producer_ids[start : start + CHUNK]):
            producers[producer.id] = producer
    communes = {
        u.id: u for u in await AdminUnit.filter(id__in=sorted({p.commune_id for p in producers.values()}))
    }
    groups = {g.id: g for g in await ProductGroup.all()}
    decisions: dict[int, list[Evaluation]] = {}
    product_ids = [p.id for p in products]
    for start in range(0, len(product_ids), CHUNK):
        for evaluation in await Evaluation.filter(
            product_id__in=product_ids[start : start + CHUNK],
            status__in=policy.PUBLIC_EVALUATION_STATUSES,
            decision_number__isnull=False,
        ).order_by("decision_date", "id"):
            decisions.setdefault(evaluation.product_id, []).append(evaluation)
    rows: list[dict[str, object]] = []
    for product in sorted(
        products, key=lambda p: (producers[p.producer_id].name_folded, p.name_folded, p.id)
    ):
        producer = producers[product.producer_id]
        commune = communes[producer.commune_id]
        subgroup = groups.get(product.subgroup_id) if product.subgroup_id else None
        base: dict[str, object] = {
            "tax_code": producer.tax_code,
            "producer_name": producer.name,
            "producer_kind": _label(template.PRODUCER_KINDS, str(producer.kind)),
            "commune_code": commune.code,
            "unit_era": _label(template.UNIT_ERAS, str(commune.era)),
            "address_line": producer.address_line,
            "product_name": product.name,
            "gtin": product.gtin,
            "product_criteria_set": str(product.criteria_set),
            "group": groups[product.group_id].code,
            "subgroup": subgroup.code if subgroup else None,
        }
        for evaluation in decisions.get(product.id, []) or [None]:  # type: ignore[list-item]
            row = dict(base, row_label=len(rows) + 1)
            if evaluation is not None:
                row |= _decision(evaluation)
            rows.append(row)
    return rows


def _decision(evaluation: Evaluation) -> dict[str, object]:
    return {
        "criteria_set": str(evaluation.criteria_set),
        "score_a": evaluation.score_a,
        "score_b": evaluation.score_b,
        "score_c": evaluation.score_c,
        "stars": evaluation.stars,
        "level": _label(template.LEVELS, str(evaluation.level)),
        "status": _label(template.STATUSES, str(EvaluationStatus(evaluation.status))),
        "decision_number": evaluation.decision_number,
        "decision_date": evaluation.decision_date,
    }


def xlsx_bytes(rows: list[dict[str, object]], progress: Any = None) -> bytes:
    """The rows under the template's two header rows, written row by row (`write_only`)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(template.SHEET_TITLE)
    for index, column in enumerate(template.COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = column.width
    sheet.append([c.header for c in template.COLUMNS])
    sheet.append([c.header_en for c in template.COLUMNS])
    for count, row in enumerate(rows, start=1):
        sheet.append([row.get(key) for key in template.KEYS])
        if progress is not None and count % 2000 == 0:
            progress(min(90, 5 + count * 85 // len(rows)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_export(data: ExportData, progress: Any = None) -> bytes:
    """The export job's render step, in the child process."""
    if data.format == "csv":
        return template.csv_bytes(data.rows)
    return xlsx_bytes(data.rows, progress)
