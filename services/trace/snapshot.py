"""The trace page's per-lot snapshot (`trace_snapshot`): what `services.trace.page.collect` reads of a lot
(~10 queries: product, producer, certificate, image, events, locations, partners' names, lineage,
certifications), kept as JSON, so that a first scan of a lot (a miss of the page caches) reads one row, and
the page rendered from it, so that such a scan is one statement and stored bytes.

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
- Not in its facts: the integrity check, the day, the language and the public base URL (`page.assemble` applies
  them). Beside them the row keeps the lot's last valid integrity verdict with the fingerprint of the rows it
  was computed from (PostgreSQL; services/trace/integrity.py, "the stored verdict": it stands only while those
  rows are unchanged, whoever changes them) and the page rendered in each language with the key of everything
  it was rendered from (`page.page_key`: the snapshot's `version`, the lot's and product's fields, the chain
  head, the verdict, the day, the base URL, the templates). `rebuild` renders both for the day and base URL of
  the write; a scan whose key differs renders and stores its own (`keep_page`, only if `version` has not moved).
  Emptying the snapshot empties its pages; the verdict stays (its fingerprint says when it no longer holds).
- A scan reads all of it in one statement (`scan_state`): the lot, its product, the row, the chain head and
  the rows' fingerprint now.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
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
from services.common import settings

_STALE = "data = NULL, version = version + 1, page_key_vi = NULL, page_vi = NULL, page_key_en = NULL, page_en = NULL"


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


async def rebuild(batch_ids: Iterable[int], base_url: str | None = None) -> None:
    """Build the snapshots of these lots now, in the caller's transaction (a trace write of them): the facts,
    the integrity verdict (checked here, in the transaction) and, when it is valid, the page in both languages
    for today and `base_url` (the public base URL, by default the configured one)."""
    from services.trace import integrity, page

    base = base_url or settings.current().public_base_url
    for batch in await Batch.filter(id__in=set(batch_ids)).select_related("product"):
        collected = await page.collect(batch, batch.product)
        # Locked to the end of the caller's transaction: a concurrent emptying (`_stale`) moves the version after.
        row = await TraceSnapshot.filter(batch_id=batch.id).select_for_update().only("id", "version").first()
        version = 0 if row is None else row.version + 1
        checked = await integrity.check_now(batch.id, base)
        written: dict[str, Any] = {
            "data": collected,
            "has_inputs": _has_inputs(collected),
            "version": version,
        }
        written |= _NO_PAGES | {"verdict": integrity.stored_form(checked), "fingerprint": checked.fingerprint}
        if checked.valid:
            today = page.today()
            for lang in ("vi", "en"):
                written[f"page_key_{lang}"] = page.page_key(
                    version,
                    collected["lot"],
                    collected["product"],
                    collected["head"],
                    checked,
                    lang,
                    base,
                    today,
                )
                assembled = page.assemble(collected, lang, base, today, checked)
                written[f"page_{lang}"] = await asyncio.to_thread(page.render, assembled)
        # One write of the row (each write of it leaves a dead version of its JSON and pages behind).
        if row is None:
            await TraceSnapshot.create(batch_id=batch.id, **written)
        else:
            await TraceSnapshot.filter(id=row.id).update(**written)


_NO_PAGES: dict[str, None] = dict.fromkeys(("page_key_vi", "page_vi", "page_key_en", "page_en"))


@dataclass(slots=True)
class ScanState:
    """What a scan of a lot reads in one statement (`scan_state`)."""

    batch: Batch
    product: Product
    snapshot_id: int | None  # None: the lot has no snapshot row (inserted behind the services' back)
    version: int | None
    head: list[Any] | None  # [chain hash, event count], as `head_of`
    verdict: dict[str, Any] | None  # the stored verdict and its fingerprint (services/trace/integrity.py)
    fingerprint: str | None
    rows_now: str | None  # PostgreSQL: the fingerprint of the rows the integrity check reads, now
    page_key: str | None  # the stored page of the language asked for, and its key
    page: str | None


def _columns(model: type[Batch] | type[Product], alias: str) -> str:
    return ", ".join(f'{alias}."{c}" AS "{alias}_{c}"' for c in sorted(model._meta.db_fields))


def _model[M: (Batch, Product)](model: type[M], alias: str, row: dict[str, Any]) -> M:
    prefix = f"{alias}_"
    return model._init_from_db(**{c: row[prefix + c] for c in model._meta.db_fields})


@cache
def _scan_sql(postgres: bool, lang: str, by_gtin: bool = False) -> str:
    from services.trace import integrity

    rows_now = integrity.fingerprint_sql("b.id") if postgres else "NULL"
    sql = (
        f"SELECT {_columns(Batch, 'b')}, {_columns(Product, 'p')}, s.id AS s_id, s.version AS s_version, "  # noqa: S608
        f"s.verdict AS s_verdict, s.fingerprint AS s_fingerprint, s.page_key_{lang} AS s_page_key, "
        f"s.page_{lang} AS s_page, h.chain_hash AS h_chain_hash, h.event_count AS h_event_count, "
        f"{rows_now} AS rows_now "
        "FROM batch b JOIN product p ON p.id = b.product_id "
        "LEFT JOIN trace_snapshot s ON s.batch_id = b.id LEFT JOIN lot_head h ON h.batch_id = b.id "
        + (
            "WHERE p.gtin = $1 AND b.lot_code = $2"
            if by_gtin
            else "WHERE b.product_id = $1 AND b.lot_code = $2"
        )
    )
    return sql if postgres else sql.replace("$1", "?").replace("$2", "?")  # each once, in order


async def scan_state(product: int | str, lot_code: str, lang: str) -> ScanState | None:
    """The lot `lot_code` of the product (its id, or its GTIN-14 as a string: the resolver's key), with its
    product, its snapshot row's version, stored verdict and page in `lang`, its chain head and (PostgreSQL)
    the fingerprint of the rows its integrity check reads: one SQL statement. None when there is no such
    lot."""
    from services.trace import integrity

    client = connections.get("default")
    by_gtin = isinstance(product, str)
    rows = await client.execute_query_dict(
        _scan_sql(integrity.fingerprinted(client), lang, by_gtin), [product, lot_code]
    )
    if not rows:
        return None
    row = rows[0]
    verdict = row["s_verdict"]
    if isinstance(verdict, str):
        verdict = json.loads(verdict)
    head = None if row["h_chain_hash"] is None else [row["h_chain_hash"], row["h_event_count"]]
    return ScanState(
        _model(Batch, "b", row),
        _model(Product, "p", row),
        row["s_id"],
        row["s_version"],
        head,
        verdict,
        row["s_fingerprint"],
        row["rows_now"],
        row["s_page_key"],
        row["s_page"],
    )


async def keep_page(snapshot_id: int, version: int, lang: str, key: str, html: str) -> None:
    """Store a page rendered at a scan, if the snapshot's version has not moved meanwhile (as `facts` does)."""
    await TraceSnapshot.filter(id=snapshot_id, version=version).update(
        **{f"page_key_{lang}": key, f"page_{lang}": html}
    )


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
