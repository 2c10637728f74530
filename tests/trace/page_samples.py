"""A candy lot with its commissioning event, and the paths of its trace page and of its scan: shared by the
page cache tests (test_page_cache.py) and the front cache tests (test_front_cache.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models import Batch, EventType, Product
from services.policy import SYSTEM
from services.trace import events as trace
from services.trace.events import EventInput, QuantityData
from services.trace.identity import product_code
from tests.factories import make_batch, make_producer, make_product

T0 = dt.datetime(2019, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
RECALL = "mutation($input: RecallInput!) { recordRecall(input: $input) { errors { code } } }"


async def candy_lot(lot_code: str = "KD-190520", product: Product | None = None) -> tuple[Product, Batch]:
    if product is None:
        producer = await make_producer(name="Công ty Kẹo Dừa Phú Hưng (demo)", nameEn="Phu Hung Candy (demo)")
        product = await make_product(producer, name="Kẹo dừa lá dứa", nameEn="Pandan coconut candy")
    lot = await make_batch(product, lot_code)
    await trace.record_event(
        EventInput(EventType.OBJECT, T0, subjects=[QuantityData(lot.id, Decimal(4000), "H87")],
                   biz_step="commissioning", disposition="active"),
        SYSTEM, "https://ocop.test",
    )  # fmt: skip
    return product, lot


def page_of(product: Product, lot: str = "KD-190520") -> str:
    return f"/t/{product_code(product.id)}/{lot}"


def scan_of(product: Product, lot: str = "KD-190520") -> str:
    return f"/p/{product_code(product.id)}/10/{lot}"
