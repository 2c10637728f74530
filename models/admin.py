"""Administrative units of Viet Nam, before and after the 2025-07-01 reform (data from `vietnam-provinces`)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

REFORM_DATE = dt.date(2025, 7, 1)


class UnitLevel(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"  # only before the reform: districts were abolished on 2025-07-01
    COMMUNE = "commune"  # xã, phường, thị trấn (and đặc khu after the reform)


class UnitEra(StrEnum):
    LEGACY = "legacy"  # valid until 2025-06-30: 63 provinces, districts, communes
    CURRENT = "current"  # valid from 2025-07-01: 34 provinces, communes, no districts


class AdminUnit(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=5)  # GSO code, zero-padded: 2 digits province, 3 district, 5 commune
    level = fields.CharEnumField(UnitLevel, max_length=10)
    era = fields.CharEnumField(UnitEra, max_length=10)
    name = fields.CharField(max_length=100)  # with the division type: "Tỉnh Bến Tre", "Xã Hưng Nhượng"
    division_type = fields.CharField(max_length=40)
    name_folded = fields.CharField(max_length=100)
    parent: fields.ForeignKeyNullableRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name="children", null=True, on_delete=fields.RESTRICT, db_index=True
    )
    parent_id: int | None
    province: fields.ForeignKeyNullableRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    province_id: int | None

    class Meta:
        table = "admin_unit"
        unique_together = (("era", "level", "code"),)
        indexes = (("level", "era"),)

    @property
    def valid_from(self) -> dt.date | None:
        return REFORM_DATE if self.era == UnitEra.CURRENT else None

    @property
    def valid_until(self) -> dt.date | None:
        return REFORM_DATE - dt.timedelta(days=1) if self.era == UnitEra.LEGACY else None

    def __str__(self) -> str:
        return self.name


class AdminUnitSuccession(Model):
    """A legacy unit merged (wholly or partly) into a current one."""

    id = fields.IntField(primary_key=True)
    predecessor: fields.ForeignKeyRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name="successions", on_delete=fields.CASCADE, db_index=True
    )
    predecessor_id: int
    successor: fields.ForeignKeyRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name="predecessions", on_delete=fields.CASCADE, db_index=True
    )
    successor_id: int
    partial = fields.BooleanField(default=False)

    class Meta:
        table = "admin_unit_succession"
        unique_together = (("predecessor", "successor"),)
