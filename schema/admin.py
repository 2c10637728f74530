"""Administrative units (province / district / commune), before and after the 2025-07-01 reform."""

from __future__ import annotations

import datetime as dt
from typing import Self

import strawberry

from models import AdminUnit
from schema.context import Info
from schema.enums import UnitEra, UnitLevel
from schema.fast import direct
from schema.lookahead import now_or_later
from schema.mapping import from_row


@strawberry.type(
    description="An administrative unit of Viet Nam with its GSO code: a province, a district (until the 2025 "
    "reform) or a commune (xã, phường, thị trấn: the lowest unit, the one OCOP is named after). Units of the "
    "two eras coexist: legacy ones until 2025-06-30, current ones since."
)
class AdministrativeUnit:
    code: str = strawberry.field(description="GSO code: 2 digits province, 3 district, 5 commune.")
    name: str = strawberry.field(
        description='Official name with its type, e.g. "Tỉnh Bến Tre", "Xã Sơn Định".'
    )
    level: UnitLevel = strawberry.field(description="Province, district (legacy only) or commune.")
    era: UnitEra = strawberry.field(
        description="LEGACY (valid until 2025-06-30) or CURRENT (since the 2025 reform)."
    )
    division_type: str = strawberry.field(
        description="Its type in Vietnamese: tỉnh, thành phố, huyện, quận, xã, phường, thị trấn..."
    )
    valid_from: dt.date | None = strawberry.field(
        description="First day the unit existed, when known. Null when the founding date is not known."
    )
    valid_until: dt.date | None = strawberry.field(
        description="Last day the unit existed (2025-06-30 for legacy units); null while it exists."
    )
    unit_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, unit: AdminUnit) -> Self:
        return from_row(cls, unit, unit_id=unit.id)

    @strawberry.field(
        description="The district (legacy) or province that contains this unit. Null for a province (the top level)."
    )
    @direct
    def parent(self, info: Info) -> AdministrativeUnit | None:
        if self.parent_id is None:
            return None
        return now_or_later(
            info.context.loaders.admin_unit.load(self.parent_id),
            lambda u: AdministrativeUnit.from_model(u) if u else None,
        )

    @strawberry.field(description="Districts (legacy provinces) or communes directly under this unit.")
    async def children(self, info: Info) -> list[AdministrativeUnit]:
        return [
            AdministrativeUnit.from_model(u)
            for u in await info.context.loaders.children_by_unit.load(self.unit_id)
        ]

    @strawberry.field(description="Current units this legacy unit was merged into (2025 reform).")
    async def successors(self, info: Info) -> list[AdministrativeUnit]:
        units = await info.context.loaders.successors_by_unit.load(self.unit_id)
        return [AdministrativeUnit.from_model(u) for u in units]

    @strawberry.field(description="Legacy units merged into this current unit (2025 reform).")
    async def predecessors(self, info: Info) -> list[AdministrativeUnit]:
        units = await info.context.loaders.predecessors_by_unit.load(self.unit_id)
        return [AdministrativeUnit.from_model(u) for u in units]
