"""Label templates as data: page size, grid, label size, margins and gaps, in millimetres.

The built-in ones (`templates.json`: three A4 sheet families and three thermal roll sizes) are reference data;
organisations add their own (table `label_template`). Positions are measured from the page's top-left corner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from models import LabelTemplate, TemplateKind

_FILE = Path(__file__).with_name("templates.json")
TOLERANCE_MM = 0.05


@dataclass(frozen=True, slots=True)
class Template:
    code: str
    name: str
    name_en: str
    kind: TemplateKind
    page_width_mm: float
    page_height_mm: float
    rows: int
    columns: int
    label_width_mm: float
    label_height_mm: float
    margin_top_mm: float
    margin_left_mm: float
    column_gap_mm: float
    row_gap_mm: float
    builtin: bool = True
    producer_id: int | None = None

    @property
    def per_page(self) -> int:
        return self.rows * self.columns

    def slot_origin(self, slot: int) -> tuple[float, float]:
        """Top-left corner (x, y) in mm of slot `slot` (0-based, row by row) on its page."""
        row, column = divmod(slot % self.per_page, self.columns)
        x = self.margin_left_mm + column * (self.label_width_mm + self.column_gap_mm)
        y = self.margin_top_mm + row * (self.label_height_mm + self.row_gap_mm)
        return x, y

    def geometry_problems(self) -> list[tuple[str, str, str]]:
        """(field, Vietnamese, English) for a grid that does not fit on its page."""
        problems = []
        right = (
            self.margin_left_mm + self.columns * self.label_width_mm + (self.columns - 1) * self.column_gap_mm
        )
        bottom = self.margin_top_mm + self.rows * self.label_height_mm + (self.rows - 1) * self.row_gap_mm
        if right > self.page_width_mm + TOLERANCE_MM:
            problems.append(
                (
                    "columns",
                    f"Các cột nhãn rộng {right:.2f} mm, quá khổ giấy {self.page_width_mm:g} mm.",
                    f"The columns reach {right:.2f} mm, beyond the {self.page_width_mm:g} mm page.",
                )
            )
        if bottom > self.page_height_mm + TOLERANCE_MM:
            problems.append(
                (
                    "rows",
                    f"Các hàng nhãn cao {bottom:.2f} mm, quá khổ giấy {self.page_height_mm:g} mm.",
                    f"The rows reach {bottom:.2f} mm, beyond the {self.page_height_mm:g} mm page.",
                )
            )
        return problems

    def as_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def _from_json(entry: dict[str, Any]) -> Template:
    values: dict[str, Any] = {k: float(entry[k]) for k in _MM_FIELDS}
    return Template(
        code=entry["code"],
        name=entry["name"],
        name_en=entry["name_en"],
        kind=TemplateKind(entry["kind"]),
        rows=int(entry["rows"]),
        columns=int(entry["columns"]),
        **values,
    )


_MM_FIELDS = (
    "page_width_mm",
    "page_height_mm",
    "label_width_mm",
    "label_height_mm",
    "margin_top_mm",
    "margin_left_mm",
    "column_gap_mm",
    "row_gap_mm",
)


@cache
def builtin_templates() -> tuple[Template, ...]:
    data = json.loads(_FILE.read_text(encoding="utf-8"))
    return tuple(_from_json(t) for t in data["templates"])


def from_model(row: LabelTemplate) -> Template:
    values: dict[str, Any] = {k: float(getattr(row, k)) for k in _MM_FIELDS}
    return Template(
        code=row.code,
        name=row.name,
        name_en=row.name,
        kind=TemplateKind(row.kind),
        rows=row.rows,
        columns=row.columns,
        builtin=False,
        producer_id=row.producer_id,
        **values,
    )


def to_model_values(t: Template) -> dict[str, Any]:
    return {
        "code": t.code,
        "name": t.name,
        "kind": t.kind,
        "rows": t.rows,
        "columns": t.columns,
        "producer_id": t.producer_id,
        **{k: Decimal(str(round(getattr(t, k), 2))) for k in _MM_FIELDS},
    }


def builtin(code: str) -> Template | None:
    return next((t for t in builtin_templates() if t.code == code), None)


async def find_template(code: str) -> Template | None:
    """A built-in template or one an organisation added, by code (codes are unique across both)."""
    found = builtin(code)
    if found is not None:
        return found
    row = await LabelTemplate.get_or_none(code=code)
    return from_model(row) if row else None


async def all_templates(producer_ids: frozenset[int] | None = None) -> list[Template]:
    """Built-in templates, then custom ones: all of them, or those of the given producers (None: all)."""
    query = LabelTemplate.all().order_by("code")
    if producer_ids is not None:
        query = query.filter(producer_id__in=list(producer_ids))
    return [*builtin_templates(), *[from_model(r) for r in await query]]
