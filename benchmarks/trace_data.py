"""The trace benchmark's data: a small registry, the probe lot and its ancestry recorded through
services.trace (real hashes and chain), and the bulk fill that grows the trace tables to their full size
with the same shape (lots of EVENTS_PER_BATCH events in chains of CHAIN lots), written with bulk inserts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from benchmarks.session import BenchError

BASE_URL = "https://ocop.bench.invalid"
EVENTS_PER_BATCH = 10
CHAIN = 11  # lots per transformation chain: the last one has ten levels of ancestry
STEPS = ("packing", "inspecting", "storing", "shipping", "receiving", "storing", "retail_selling")
FILL_CHUNK = 1000  # lots per round of bulk inserts


@dataclass(slots=True)
class Probe:
    batch_id: int
    product_id: int
    lot_code: str
    path: str  # /p/{code}/10/{lot}
    products: list[int]
    locations: list[int]


async def seed_registry() -> tuple[list[int], int, list[int]]:
    """A small registry (30 producers, 200 products) and four locations: the published products, the one
    without a GTIN that carries the probe lot (its link is then /p/{code}/10/{lot}), and the locations."""
    from benchmarks import seed
    from models import Location, LocationKind, Product
    from services.registry import reference

    await reference.sync_all()
    await seed.seed(30, 200)
    products = [p.id for p in await Product.filter(is_published=True).order_by("id").only("id")]
    bare = await Product.filter(is_published=True, gtin=None).order_by("id").first()
    if bare is None:
        raise BenchError("no published product without a GTIN to carry the probe lot")
    locations = []
    for n, kind in enumerate(
        (LocationKind.FARM, LocationKind.FACILITY, LocationKind.WAREHOUSE, LocationKind.SHOP)
    ):
        location = await Location.create(name=f"Điểm {n + 1} Bến Tre", kind=kind, address_line="Bến Tre")
        locations.append(location.id)
    return products, bare.id, locations


async def record_probe(products: list[int], probe_product: int, locations: list[int]) -> Probe:
    """The probe lot and its ancestry, recorded through services.trace: real CBV hashes and chain."""
    from models import EventAction, EventType
    from services.common import clock
    from services.policy import SYSTEM
    from services.trace import events as trace
    from services.trace.batches import BatchData, create_batch
    from services.trace.identity import batch_link

    made = dt.date.today() - dt.timedelta(days=60)
    lots = []
    for level in range(CHAIN):
        product_id = probe_product if level == CHAIN - 1 else products[level % len(products)]
        data = BatchData(
            product_id=product_id,
            lot_code=f"PROBE{level:02d}",
            production_date=made,
            quantity=Decimal(100),
            unit="KGM",
            origin_place="Giồng Trôm, Bến Tre",
        )
        lots.append(await create_batch(data, SYSTEM))
    start = clock.vietnam_now().replace(microsecond=0) - dt.timedelta(days=30)
    await trace.record_event(
        trace.EventInput(
            event_type=EventType.OBJECT,
            event_time=start,
            subjects=[trace.QuantityData(lots[0].id, Decimal(100), "KGM")],
            action=EventAction.ADD,
            biz_step="commissioning",
            read_point_id=locations[0],
        ),
        SYSTEM,
        BASE_URL,
    )
    for level in range(1, CHAIN):
        await trace.record_event(
            trace.EventInput(
                event_type=EventType.TRANSFORMATION,
                event_time=start + dt.timedelta(hours=level),
                inputs=[trace.QuantityData(lots[level - 1].id, Decimal(100), "KGM")],
                outputs=[trace.QuantityData(lots[level].id, Decimal(90), "KGM")],
                biz_step="creating_class_instance",
                read_point_id=locations[level % len(locations)],
            ),
            SYSTEM,
            BASE_URL,
        )
    probe = lots[-1]
    for n in range(EVENTS_PER_BATCH - 1):  # the transformation that made it, then nine more
        await trace.record_event(
            trace.EventInput(
                event_type=EventType.OBJECT,
                event_time=start + dt.timedelta(days=1 + n),
                subjects=[trace.QuantityData(probe.id)],
                biz_step=STEPS[n % len(STEPS)],
                read_point_id=locations[n % len(locations)],
                note=f"Bước {n + 1}",
            ),
            SYSTEM,
            BASE_URL,
        )
    link = batch_link(BASE_URL, product_id=probe_product, gtin=None, lot_code=probe.lot_code)
    return Probe(probe.id, probe_product, probe.lot_code, link.removeprefix(BASE_URL), products, locations)


async def _next_id(table_name: str) -> int:
    from tortoise import connections

    rows = await connections.get("default").execute_query_dict(
        f"SELECT COALESCE(MAX(id), 0) + 1 AS n FROM {table_name}"  # noqa: S608 (a constant table name)
    )
    return int(rows[0]["n"])


async def bulk_fill(lots: int, probe: Probe, serial: int) -> dict[str, int]:
    """Bulk-insert `lots` lots with EVENTS_PER_BATCH events each, in chains of CHAIN lots: the first lot of a
    chain is commissioned, each next one is made from the previous one by a transformation. The hashes are
    unique placeholders (not CBV hashes); the rows are otherwise what services.trace stores."""
    from tortoise import connections

    from models import Batch, EventAction, EventQuantity, EventType, QuantityRole, TraceEvent

    batch_id, event_id, quantity_id = (
        await _next_id("batch"),
        await _next_id("trace_event"),
        await _next_id("event_quantity"),
    )
    made = dt.date.today() - dt.timedelta(days=90)
    base_time = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(days=80)
    counts = {"batches": 0, "events": 0, "quantities": 0}
    for first in range(0, lots, FILL_CHUNK):
        batches: list[Batch] = []
        events: list[TraceEvent] = []
        quantities: list[EventQuantity] = []
        for n in range(first, min(lots, first + FILL_CHUNK)):
            bid = batch_id + n
            batches.append(
                Batch(
                    id=bid,
                    product_id=probe.products[n % len(probe.products)],
                    lot_code=f"L{serial}X{n:08d}",
                    production_date=made,
                    quantity=Decimal(500),
                    unit="KGM",
                    origin_place="Bến Tre",
                )
            )
            previous: str | None = None
            for k in range(EVENTS_PER_BATCH):
                eid = event_id + n * EVENTS_PER_BATCH + k
                transformation = k == 0 and n % CHAIN != 0
                chain = f"{eid:064x}"
                events.append(
                    TraceEvent(
                        id=eid,
                        event_type=EventType.TRANSFORMATION if transformation else EventType.OBJECT,
                        action=None
                        if transformation
                        else (EventAction.ADD if k == 0 else EventAction.OBSERVE),
                        biz_step="creating_class_instance"
                        if transformation
                        else "commissioning"
                        if k == 0
                        else STEPS[k % len(STEPS)],
                        event_time=base_time + dt.timedelta(minutes=n % 50_000, hours=k),
                        time_zone_offset="+07:00",
                        read_point_id=probe.locations[(n + k) % len(probe.locations)],
                        event_hash=f"ni:///sha-256;bench{eid:020d}?ver=CBV2.0",
                        chain_hash=chain,
                    )
                )
                roles = (
                    [(bid - 1, QuantityRole.INPUT, None), (bid, QuantityRole.OUTPUT, previous)]
                    if transformation
                    else [(bid, QuantityRole.SUBJECT, previous)]
                )
                for lot, role, prev in roles:
                    quantities.append(
                        EventQuantity(
                            id=quantity_id + counts["quantities"] + len(quantities),
                            event_id=eid,
                            batch_id=lot,
                            role=role,
                            quantity=Decimal(10),
                            unit="KGM",
                            previous_chain_hash=prev,
                        )
                    )
                previous = chain
        await Batch.bulk_create(batches, batch_size=FILL_CHUNK)
        await TraceEvent.bulk_create(events, batch_size=5000)
        await EventQuantity.bulk_create(quantities, batch_size=5000)
        counts["batches"] += len(batches)
        counts["events"] += len(events)
        counts["quantities"] += len(quantities)
    conn = connections.get("default")
    for table_name in ("batch", "trace_event", "event_quantity"):
        await conn.execute_script(
            f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), (SELECT MAX(id) FROM {table_name}))"  # noqa: S608
        )
    for table_name in ("batch", "trace_event", "event_quantity"):
        await conn.execute_script(f"VACUUM (ANALYZE) {table_name}")
    return counts


async def table_counts() -> dict[str, int]:
    from models import Batch, EventQuantity, TraceEvent

    return {
        "batches": await Batch.all().count(),
        "events": await TraceEvent.all().count(),
        "quantities": await EventQuantity.all().count(),
    }
