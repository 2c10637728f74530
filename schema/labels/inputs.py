"""Inputs of the label mutations, and how each becomes the service's dataclass."""

from __future__ import annotations

import strawberry
from strawberry import relay

from models import TemplateKind
from schema.enums import Language
from schema.labels.types import LabelRun, LabelTemplate
from schema.mapping import InputMap
from services.labels import runs


@strawberry.input(description="Labels to print for a lot.")
class LabelRunInput:
    batch_id: relay.GlobalID = strawberry.field(description="The lot (one you manage).")
    template: str = strawberry.field(description="A label template code, see labelTemplates.")
    count: int = strawberry.field(description="How many labels (1 to 10,000).")
    serialized: bool = strawberry.field(
        default=False, description="One serial (GS1 AI 21) per label, to count scans and catch copies."
    )
    start_slot: int = strawberry.field(
        default=1, description="First slot to use on a part-used sheet (1-based)."
    )
    language: Language | None = strawberry.field(default=None, description="Defaults to the caller's.")
    confirm_expired: bool = strawberry.field(
        default=False,
        description="Print labels for a lot past its expiry date anyway (refused with LOT_EXPIRED without it).",
    )


@strawberry.input(description="A new label layout.")
class LabelTemplateInput:
    code: str = strawberry.field(description="Stable code, unique (letters, digits, hyphens).")
    name: str = strawberry.field(description="Its name.")
    kind: TemplateKind = strawberry.field(description="A sheet or a roll.")
    page_width_mm: float = strawberry.field(description="Sheet (or roll) width, in millimetres.")
    page_height_mm: float = strawberry.field(
        description="Sheet height (or a roll label's height), in millimetres."
    )
    rows: int = strawberry.field(description="Rows of labels on a sheet (1 for a roll).")
    columns: int = strawberry.field(description="Columns of labels on a sheet.")
    label_width_mm: float = strawberry.field(description="Label width, in millimetres.")
    label_height_mm: float = strawberry.field(description="Label height, in millimetres.")
    margin_top_mm: float = strawberry.field(default=0.0, description="Top margin, in millimetres.")
    margin_left_mm: float = strawberry.field(default=0.0, description="Left margin, in millimetres.")
    column_gap_mm: float = strawberry.field(default=0.0, description="Gap between columns, in millimetres.")
    row_gap_mm: float = strawberry.field(default=0.0, description="Gap between rows, in millimetres.")
    producer_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The producer that owns it; central admins may add shared ones without."
    )


LABEL_RUN = InputMap(
    LabelRunInput,
    runs.LabelRunData,
    decoded=("batch_id", "language"),  # the language defaults to the request's
    output=LabelRun,
    write_only=("batch_id", "confirm_expired"),  # read as `batch`; a confirmation is no property of a run
)
LABEL_TEMPLATE = InputMap(
    LabelTemplateInput,
    runs.TemplateData,
    decoded=("producer_id",),
    output=LabelTemplate,
    write_only=("producer_id",),  # a template shows its owner nowhere
)
