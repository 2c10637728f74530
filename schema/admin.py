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


@strawberry.type(description="A province, district or commune with its GSO code.")
class AdministrativeUnit:
    code: str = strawberry.field(description="GSO code: 2 digits province, 3 district, 5 commune.")
    name: str
    level: UnitLevel
    era: UnitEra
    division_type: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    unit_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, unit: AdminUnit) -> Self:
        return cls(
            code=unit.code,
            name=unit.name,
            level=unit.level,
            era=unit.era,
            division_type=unit.division_type,
            valid_from=unit.valid_from,
            valid_until=unit.valid_until,
            unit_id=unit.id,
            parent_id=unit.parent_id,
        )

    @strawberry.field(description="The district (legacy) or province that contains this unit.")
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
