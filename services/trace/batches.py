"""Lots (batches): creating one with its checks, and the lot query behind `batches` lists.

A lot belongs to one product; its code is unique per product and uses GS1 character set 82, as it is
printed in the Digital Link (AI 10)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import Batch, BatchStatus, LotHead, Product, UnitEra
from services.common import clock, page_cache
from services.common.errors import DomainError, FieldProblem, Problems
from services.common.text import nfc, nfc_or_none
from services.policy import Reach
from services.policy import registry as policy
from services.registry.manage import find_commune
from services.trace import snapshot
from services.trace.errors import TraceErrorCode
from services.trace.identity import is_lot_code

UNITS = ("KGM", "GRM", "LTR", "MLT", "H87")  # UN/ECE Rec 20: kg, g, l, ml, pieces


# Batch.quantity and EventQuantity.quantity are NUMERIC(14, 3): PostgreSQL refuses a larger number (a 500 if
# it got there) and SQLite would keep it, so both databases are held to the column here.
QUANTITY_PLACES = 3
QUANTITY_LIMIT = Decimal(10) ** (14 - QUANTITY_PLACES)
QUANTITY_MESSAGES = (
    f"Số lượng: một số nhỏ hơn 10^{14 - QUANTITY_PLACES}, tối đa {QUANTITY_PLACES} chữ số thập phân.",
    f"Quantity: a number below 10^{14 - QUANTITY_PLACES} with at most {QUANTITY_PLACES} decimal places.",
)


def quantity_fits(value: Decimal) -> bool:
    """Whether a quantity fits its column: finite (not NaN or Infinity), below 10^11 in size, and with at
    most 3 decimal places (PostgreSQL would round more away silently)."""
    if not value.is_finite() or abs(value) >= QUANTITY_LIMIT:
        return False
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -QUANTITY_PLACES


@dataclass(slots=True)
class BatchData:
    product_id: int
    lot_code: str
    production_date: dt.date | None = None
    harvest_date: dt.date | None = None
    expiry_date: dt.date | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    origin_commune_code: str | None = None
    origin_commune_era: UnitEra = UnitEra.CURRENT
    origin_place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    is_published: bool = True


def _error(field_name: str, code: TraceErrorCode, message: str, message_en: str) -> DomainError:
    return DomainError([FieldProblem(field_name, code, message, message_en)])


async def _managed_product(product_id: int, reach: Reach, field_name: str) -> Product:
    product = await Product.get_or_none(id=product_id).select_related("producer")
    if product is None or not policy.may_manage_producer(reach, product.producer):
        if reach.everything:
            raise _error(
                field_name, TraceErrorCode.NOT_FOUND, "Không tìm thấy sản phẩm.", "Product not found."
            )
        raise policy.deny(reach, field_name)
    return product


async def create_batch(data: BatchData, reach: Reach) -> Batch:
    product = await _managed_product(data.product_id, reach, "productId")
    problems = Problems()
    lot = nfc(data.lot_code)
    if not is_lot_code(lot):
        problems.add(
            "lotCode",
            TraceErrorCode.INVALID,
            "Mã lô gồm 1-20 ký tự thuộc bộ ký tự GS1 82 (chữ Latinh không dấu, số, một số dấu).",
            "A lot code has 1-20 characters of GS1 character set 82 (unaccented Latin letters, digits, some signs).",
        )
    elif await Batch.exists(product_id=product.id, lot_code=lot):
        problems.add(
            "lotCode", TraceErrorCode.UNIQUE, "Mã lô đã được dùng cho sản phẩm này.", "Lot code already used."
        )
    expiry = data.expiry_date
    if expiry is None and data.production_date and product.shelf_life_days:
        expiry = data.production_date + dt.timedelta(days=product.shelf_life_days)
    if expiry and data.production_date and expiry < data.production_date:
        problems.add(
            "expiryDate",
            TraceErrorCode.INVALID_DATE_RANGE,
            "Hạn dùng trước ngày sản xuất.",
            "Expiry before production.",
        )
    today = clock.today()
    for name, day in (("productionDate", data.production_date), ("harvestDate", data.harvest_date)):
        if day and day > today:
            problems.add(name, TraceErrorCode.OUT_OF_RANGE, "Ngày trong tương lai.", "A date in the future.")
    if data.quantity is not None and not quantity_fits(data.quantity):
        problems.add("quantity", TraceErrorCode.OUT_OF_RANGE, *QUANTITY_MESSAGES)
    elif data.quantity is not None and data.quantity < 0:
        problems.add("quantity", TraceErrorCode.OUT_OF_RANGE, "Số lượng không âm.", "Must not be negative.")
    if data.unit is not None and data.unit not in UNITS:
        problems.add(
            "unit", TraceErrorCode.INVALID, f"Đơn vị: {', '.join(UNITS)}.", f"Units: {', '.join(UNITS)}."
        )
    commune_id = None
    if data.origin_commune_code:
        commune = await find_commune(data.origin_commune_code, data.origin_commune_era)
        if commune is None:
            problems.add(
                "originCommuneCode", TraceErrorCode.NOT_FOUND, "Không có xã/phường này.", "No such commune."
            )
        else:
            commune_id = commune.id
    problems.raise_if_any()
    async with in_transaction() as conn:
        batch = await Batch.create(
            product_id=product.id,
            lot_code=lot,
            production_date=data.production_date,
            harvest_date=data.harvest_date,
            expiry_date=expiry,
            quantity=data.quantity,
            unit=data.unit,
            origin_commune_id=commune_id,
            origin_place=nfc_or_none(data.origin_place),
            latitude=data.latitude,
            longitude=data.longitude,
            is_published=data.is_published,
            using_db=conn,
        )
        # The lot's head from the start: no event yet, and the digest of what the trace page shows of it.
        await LotHead.create(
            batch_id=batch.id, event_count=0, chain_hash="", lot_digest=lot_digest(batch), using_db=conn
        )
        await snapshot.rebuild([batch.id])  # its trace page's snapshot, from the start
    await page_cache.invalidate_everywhere()
    return batch


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def lot_digest(batch: Batch) -> str:
    """sha256 of the lot's own fields that the trace page, the linkset or the API show: its product and lot
    code, dates, quantity, origin, position and status. Kept in its `LotHead` by the services that create or
    change a lot (this module, services.trace.events.record_recall); services.trace.integrity compares it, so
    an expiry date edited in the database shows as LOT_CHANGED. The same on both databases (a quantity is
    written with its 3 places, whatever the database returns)."""
    quantity = batch.quantity
    content: dict[str, Any] = {
        "product": batch.product_id,
        "lotCode": batch.lot_code,
        "productionDate": _day(batch.production_date),
        "harvestDate": _day(batch.harvest_date),
        "expiryDate": _day(batch.expiry_date),
        "quantity": None if quantity is None else f"{Decimal(quantity).quantize(Decimal('0.001')):f}",
        "unit": batch.unit,
        "originCommune": batch.origin_commune_id,
        "originPlace": batch.origin_place,
        "latitude": None if batch.latitude is None else repr(float(batch.latitude)),
        "longitude": None if batch.longitude is None else repr(float(batch.longitude)),
        "status": BatchStatus(batch.status).value,
    }
    material = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class BatchFilterData:
    product_id: int | None = None
    lot_code: str | None = None
    status: BatchStatus | None = None


def batch_query(filters: BatchFilterData, *, visibility: Q | None) -> QuerySet[Batch]:
    """Lots matching `filters` among those `visibility` lets the actor list (None: all; see
    services.policy.trace.batch_visibility)."""
    query = Batch.all()
    if visibility is not None:
        query = query.filter(visibility)
    if filters.product_id is not None:
        query = query.filter(product_id=filters.product_id)
    if filters.lot_code:
        query = query.filter(lot_code=filters.lot_code.strip())
    if filters.status is not None:
        query = query.filter(status=filters.status)
    return query


async def batch_of(batch_id: int) -> Batch | None:
    """The lot, whoever may see it: callers check visibility (services/policy/trace.py) with the rows they
    have loaded."""
    return await Batch.get_or_none(id=batch_id)
