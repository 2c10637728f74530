"""Inputs of the label mutations, and how each becomes the service's dataclass."""

from __future__ import annotations

import strawberry
from strawberry import relay

from models import TemplateKind
from schema.enums import Language
from schema.labels.types import LabelRun, LabelTemplate
from schema.mapping import InputMap
from services.labels import runs


@strawberry.input
class LabelRunInput:
    batch_id: relay.GlobalID
    template: str = strawberry.field(description="A label template code, see labelTemplates.")
    count: int
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


@strawberry.input
class LabelTemplateInput:
    code: str
    name: str
    kind: TemplateKind
    page_width_mm: float
    page_height_mm: float
    rows: int
    columns: int
    label_width_mm: float
    label_height_mm: float
    margin_top_mm: float = 0.0
    margin_left_mm: float = 0.0
    column_gap_mm: float = 0.0
    row_gap_mm: float = 0.0
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
