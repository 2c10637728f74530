"""Bookkeeping of the reference data sets loaded into the database."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ReferenceData(Model):
    name = fields.CharField(max_length=50, primary_key=True)
    version = fields.CharField(max_length=50)
    loaded_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "reference_data"
