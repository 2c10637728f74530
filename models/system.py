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


class Instance(Model):
    """This installation's identity, one row (id 1), written at its first start: the public base URL its
    identifiers were minted with. Hashed EPCIS identifiers (a lot without a GTIN is `{base}/p/{code}/10/{lot}`,
    a location without a GLN `{base}/locations/{id}`) always use it, whatever OCOP_PUBLIC_BASE_URL says later
    (services/common/instance.py)."""

    id = fields.IntField(primary_key=True)
    minted_base_url = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "instance"
