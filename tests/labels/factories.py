"""Label runs for the label tests, made as a script or the demo makes them: by the system, for no user."""

from __future__ import annotations

from models import LabelRun, TemplateKind
from services.labels import runs
from services.labels.runs import LabelRunData
from services.labels.templates import Template
from services.policy import SYSTEM

BASE = "https://ocop.test"


async def system_run(data: LabelRunData) -> LabelRun:
    return await runs.create_label_run(data, SYSTEM, user_id=None, base_url=BASE)


def roll_template(
    code: str, width_mm: float, height_mm: float, name: str = "", name_en: str = ""
) -> Template:
    """An organisation's own thermal roll of one label `width_mm` × `height_mm`, without margins or gaps."""
    return Template(
        code=code,
        name=name,
        name_en=name_en,
        kind=TemplateKind.ROLL,
        page_width_mm=width_mm,
        page_height_mm=height_mm,
        rows=1,
        columns=1,
        label_width_mm=width_mm,
        label_height_mm=height_mm,
        margin_top_mm=0,
        margin_left_mm=0,
        column_gap_mm=0,
        row_gap_mm=0,
        builtin=False,
    )
