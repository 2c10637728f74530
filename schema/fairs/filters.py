"""Filter of the fairs list, and how it becomes the service's filter."""

from __future__ import annotations

import datetime as dt

import strawberry

from models import FairKind, FairStatus
from schema.mapping import InputMap
from services.fairs import reads


@strawberry.input(description="Fair filters; all given filters must match.")
class FairFilter:
    status: FairStatus | None = strawberry.field(default=None, description="Only fairs in this status.")
    kind: FairKind | None = strawberry.field(default=None, description="Only fairs of this kind.")
    province_code: str | None = strawberry.field(
        default=None, description="GSO code of the province where it is held."
    )
    on_or_after: dt.date | None = strawberry.field(
        default=None, description="Fairs ending on or after this day."
    )
    on_or_before: dt.date | None = strawberry.field(
        default=None, description="Fairs starting on or before this day."
    )


FAIR_FILTER = InputMap(FairFilter, reads.FairFilterData)
