"""The trace page's per-lot snapshot (`trace_snapshot`): what `services.trace.page.collect` reads of a lot
(~10 queries: product, producer, certificate, image, events, locations, partners' names, lineage,
certifications), kept as JSON, so that a first scan of a lot (a miss of the page caches) reads one row.

- Rebuilt in the transaction of every trace write of the lot (its creation, each event, recall and
  correction: `rebuild`, called where the lot's chain head moves), so a lot just recorded has its snapshot.
- Emptied by one query (`data` NULL, `version` + 1), in the writer's transaction, when a row it shows
  elsewhere changes (`stale_for_*`, from the Tortoise signals of products, producers, evaluations,
  certifications, images, lots, locations and partners' location names; lots made from other lots are
  emptied on any such write of the registry, since they show their inputs' names and origins). The next
  scan builds it again (`facts`) and stores it only if `version` has not moved meanwhile: on PostgreSQL the
  conditional UPDATE waits for the writer's row lock and then sees the new version, so an answer read
  before a write commits is never kept.
- Every lot created through the services has its row from the start (and migration 0018 gives existing
  lots theirs); a lot inserted behind the services' back gets one at its first scan.
- Not in it: the integrity check (it reads the events every time, so tampering still shows), the day, the
  language and the public base URL (`page.assemble` applies them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.signals import Signals

from models import (
    Batch,
    Certification,
    Evaluation,
    ExternalLocationName,
    Location,
    LotHead,
    Producer,
    Product,
    ProductImage,
    TraceSnapshot,
)

_STALE = "data = NULL, version = version + 1"


async def facts(batch: Batch, product: Product) -> dict[str, Any]:
    """The lot's page facts: its snapshot, or `page.collect`'s (then kept, if nothing changed meanwhile)."""
    from services.trace import page

    row = await TraceSnapshot.get_or_none(batch_id=batch.id).only("id", "version", "data")
    # Kept while it was read at the lot's current chain head and certificate (either moved behind the services'
    # back, by SQL or a QuerySet update: rebuilt, not trusted).
    if (
        row is not None
        and row.data is not None
        and _same_certificate(row.data, product)
        and row.data.get("head") == await head_of(batch.id)
    ):
        return row.data
    if row is None:  # a lot inserted behind the services' back: its row first, then build
        try:
            row = await TraceSnapshot.create(batch_id=batch.id, version=0, data=None)
        except IntegrityError:
            row = await TraceSnapshot.get(batch_id=batch.id).only("id", "version", "data")
    collected = await page.collect(batch, product)
    await TraceSnapshot.filter(id=row.id, version=row.version).update(
        data=collected, has_inputs=_has_inputs(collected)
    )
    return collected


async def build_missing(limit: int | None = None, chunk: int = 200) -> int:
    """Build the snapshots of published lots that have none or an emptied one (after the upgrade that adds
    them, or lots inserted behind the services' back), oldest first, `chunk` lots a transaction-free round;
    returns how many were built. Safe while serving: each is stored only if its version did not move."""
    built = 0
    last_id = 0
    while limit is None or built < limit:
        ready = TraceSnapshot.filter(data__not_isnull=True).values_list("batch_id", flat=True)
        ids = await (
            Batch.filter(id__gt=last_id, is_published=True)
            .exclude(id__in=await ready)
            .order_by("id")
            .limit(chunk)
            .values_list("id", flat=True)
        )
        if not ids:
            return built
        for batch in await Batch.filter(id__in=ids).select_related("product").order_by("id"):
            await facts(batch, batch.product)
            built += 1
        last_id = max(int(i) for i in ids)  # type: ignore[call-overload]  # flat values_list
    return built


async def head_of(batch_id: int) -> list[Any] | None:
    """The lot's chain head as [chain hash, event count] (JSON-shaped), None without one."""
    heads = await LotHead.filter(batch_id=batch_id).values_list("chain_hash", "event_count")
    return [heads[0][0], heads[0][1]] if heads else None


def _same_certificate(kept: dict[str, Any], product: Product) -> bool:
    certificate = kept["product"].get("latest_certificate_id")
    return bool(certificate == product.latest_certificate_id)


def _has_inputs(collected: dict[str, Any]) -> bool:
    return bool(collected["inputs"]) or collected["withheld"] > 0


async def rebuild(batch_ids: Iterable[int]) -> None:
    """Build the snapshots of these lots now, in the caller's transaction (a trace write of them)."""
    from services.trace import page

    for batch in await Batch.filter(id__in=set(batch_ids)).select_related("product"):
        collected = await page.collect(batch, batch.product)
        inputs = _has_inputs(collected)
        updated = await TraceSnapshot.filter(batch_id=batch.id).update(
            data=collected, has_inputs=inputs, version=F("version") + 1
        )
        if not updated:
            await TraceSnapshot.create(batch_id=batch.id, version=0, data=collected, has_inputs=inputs)


async def _stale(where: str, params: list[Any], using_db: Any = None) -> None:
    client = using_db or connections.get("default")
    placeholder = "$" if client.capabilities.dialect == "postgres" else "?"
    sql = f"UPDATE trace_snapshot SET {_STALE} WHERE {where}"  # noqa: S608 - our own fragments, values bound
    if placeholder == "$":
        for n in range(len(params), 0, -1):
            sql = sql.replace(f"?{n}", f"${n}")
    else:
        for n in range(len(params), 0, -1):
            sql = sql.replace(f"?{n}", "?")
    await client.execute_query(sql, params)


async def stale_for_products(product_ids: list[int], using_db: Any = None) -> None:
    """A product (or its certificate, image, certifications) changed: its lots' snapshots, and those of lots
    made from other lots, are rebuilt at their next scan."""
    marks = ", ".join(f"?{n + 1}" for n in range(len(product_ids)))
    await _stale(
        f"has_inputs OR batch_id IN (SELECT id FROM batch WHERE product_id IN ({marks}))",  # noqa: S608
        product_ids,
        using_db,
    )


async def stale_for_producer(producer_id: int, using_db: Any = None) -> None:
    await _stale(
        "has_inputs OR batch_id IN (SELECT b.id FROM batch b JOIN product p ON p.id = b.product_id "
        "WHERE p.producer_id = ?1)",
        [producer_id],
        using_db,
    )


async def stale_for_lot(batch_id: int, using_db: Any = None) -> None:
    await _stale("has_inputs OR batch_id = ?1", [batch_id], using_db)


async def stale_for_location(location_id: int, using_db: Any = None) -> None:
    """A location changed: the lots with an event there."""
    await _stale(
        "batch_id IN (SELECT q.batch_id FROM event_quantity q JOIN trace_event e ON e.id = q.event_id "
        "WHERE e.read_point_id = ?1 OR e.biz_location_id = ?2)",
        [location_id, location_id],
        using_db,
    )


async def _product_saved(_sender: type[Product], instance: Product, *args: Any) -> None:
    if not _created(args):  # a new product has no lot yet
        await stale_for_products([instance.id], _using(args))


async def _evaluation_saved(_sender: type[Evaluation], instance: Evaluation, *args: Any) -> None:
    if not _created(args):  # a new one shows once the product points at it (refresh_latest_certificate)
        await stale_for_products([instance.product_id], _using(args))


async def _child_saved(_sender: type[Any], instance: Any, *args: Any) -> None:
    await stale_for_products([instance.product_id], _using(args))


async def _producer_saved(_sender: type[Producer], instance: Producer, *args: Any) -> None:
    if not _created(args):  # a new producer has no lot yet
        await stale_for_producer(instance.id, _using(args))


async def _lot_saved(_sender: type[Batch], instance: Batch, *args: Any) -> None:
    if not _created(args):  # a new lot is nobody's input yet; its own snapshot is built by create_batch
        await stale_for_lot(instance.id, _using(args))


async def _location_saved(_sender: type[Location], instance: Location, *args: Any) -> None:
    if not _created(args):  # a new place is on no page yet
        await stale_for_location(instance.id, _using(args))


async def _name_saved(
    _sender: type[ExternalLocationName], instance: ExternalLocationName, *args: Any
) -> None:
    await stale_for_producer(instance.producer_id, _using(args))


def _created(args: tuple[Any, ...]) -> bool:
    """post_save's `created` (post_delete has none: a deletion is not a creation)."""
    return bool(args) and args[0] is True


def _using(args: tuple[Any, ...]) -> Any:
    """The connection a signal's save used (post_save: created, using_db, update_fields; post_delete:
    using_db)."""
    for arg in args:
        if hasattr(arg, "execute_query"):
            return arg
    return None


for _signal in (Signals.post_save, Signals.post_delete):
    Product.register_listener(_signal, _product_saved)
    Evaluation.register_listener(_signal, _evaluation_saved)
    for _child in (Certification, ProductImage):
        _child.register_listener(_signal, _child_saved)
    Producer.register_listener(_signal, _producer_saved)
    Batch.register_listener(_signal, _lot_saved)
    Location.register_listener(_signal, _location_saved)
    ExternalLocationName.register_listener(_signal, _name_saved)
