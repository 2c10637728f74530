"""What a producer's export holds, read from the database: plain, picklable data for the job's child.

Only the producer's own rows. Its lots' events may name another producer's lot (a raw material bought from
it, a transformation's input): that lot keeps its quantity but not its identity (`epcis.REDACTED_LOT`, as
the public trace page and EPCIS queries redact what a reader may not see); the eventID stays the hash of
the whole event, so a receiver can still check it against the original. Label runs come with the files
rendered so far (`{OCOP_MEDIA_DIR}/labels`), found through services/backup/files.py (`local_copy`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import orjson

from models import Batch, EventQuantity, LabelRun, Location, Producer, Product, TraceEvent
from services.backup import files as stored_files
from services.common import instance
from services.labels import runs as label_runs
from services.trace import epcis
from services.trace.events import event_jsons, identifiers_of
from services.trace.identity import batch_link

FORMAT = "ocop-hub-producer-export"
VERSION = 1


@dataclass(frozen=True, slots=True)
class ExportData:
    producer_id: int
    producer_name: str
    documents: tuple[tuple[str, bytes], ...]  # (name in the zip, JSON bytes)
    events: bytes  # the EPCIS JSON of its events, a list (the document is made in the child)
    files: tuple[tuple[str, str, str], ...]  # (name in the zip, stored file's name, a local path holding it)
    counts: dict[str, int]
    missing: tuple[str, ...]  # label outputs never rendered (not in the zip)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)


async def producer_events(producer_id: int, base_url: str) -> list[dict[str, Any]]:
    """The EPCIS JSON of every event of the producer's lots, oldest first, other producers' lots redacted."""
    own = set(await Batch.filter(product__producer_id=producer_id).values_list("id", flat=True))
    linked = await EventQuantity.filter(batch_id__in=own).values_list("event_id", flat=True)
    event_ids = sorted({int(cast(int, i)) for i in linked})
    if not event_ids:
        return []
    events = await TraceEvent.filter(id__in=event_ids).order_by("event_time", "id")
    bodies = await event_jsons(events, base_url)
    foreign = (
        await EventQuantity.filter(event_id__in=event_ids)
        .exclude(batch_id__in=own)
        .select_related("batch__product")
    )
    identifiers = await identifiers_of(event_ids)
    minted = await instance.identity_base(base_url)

    def redact() -> list[dict[str, Any]]:
        lots: dict[int, set[str]] = {}
        batches: dict[int, set[int]] = {}
        for q in foreign:
            product = q.batch.product
            lots.setdefault(q.event_id, set()).add(
                batch_link(minted, product_id=product.id, gtin=product.gtin, lot_code=q.batch.lot_code)
            )
            batches.setdefault(q.event_id, set()).add(q.batch_id)
        out = []
        for event, body in zip(events, bodies, strict=True):
            hidden = batches.get(event.id)
            if hidden:
                serials = {
                    r.received or r.value for r in identifiers.get(event.id, ()) if r.batch_id in hidden
                }
                body = epcis.redact_lots(epcis.redact_identifiers(body, serials), lots[event.id])
            out.append(body)
        return out

    return await asyncio.to_thread(redact)


async def read(producer_id: int, base_url: str) -> ExportData:
    """Everything the export holds. LookupError when the producer does not exist."""
    producer = await Producer.filter(id=producer_id).values()
    if not producer:
        raise LookupError(f"no producer {producer_id}")
    products = await Product.filter(producer_id=producer_id).order_by("id").values()
    lots = await Batch.filter(product__producer_id=producer_id).order_by("id").values()
    locations = await Location.filter(producer_id=producer_id).order_by("id").values()
    runs = await LabelRun.filter(batch__product__producer_id=producer_id).order_by("id").values()
    events = await producer_events(producer_id, base_url)
    root = stored_files.media_root()
    wanted = [
        (
            f"label-runs/{run['id']}/labels-{fmt}{path.suffix}",
            path.relative_to(root).as_posix(),
            run["id"],
            fmt,
        )
        for run in runs
        for fmt, sha in sorted(dict(run["checksums"] or {}).items())
        for path in [label_runs.media_path(sha, fmt)]
    ]

    kept: list[tuple[str, str, str]] = []  # (name in the zip, stored name, a local path holding it)
    missing: list[str] = []
    for zip_name, name, run_id, fmt in wanted:
        try:
            kept.append((zip_name, name, str(await stored_files.local_copy(name))))
        except FileNotFoundError:
            missing.append(f"label run {run_id}: {fmt}")

    def build() -> ExportData:
        documents = (
            ("producer.json", dumps(producer[0])),
            ("products.json", dumps(products)),
            ("lots.json", dumps(lots)),
            ("locations.json", dumps(locations)),
            ("label-runs.json", dumps(runs)),
        )
        counts = {"products": len(products), "lots": len(lots), "locations": len(locations),
                  "events": len(events), "label_runs": len(runs), "label_files": len(kept)}  # fmt: skip
        return ExportData(
            producer_id, str(producer[0]["name"]), documents, orjson.dumps(events, default=_default), tuple(kept), counts,
            tuple(missing),
        )  # fmt: skip

    return await asyncio.to_thread(build)


def assemble(export: ExportData, created: dt.datetime) -> list[tuple[str, bytes]]:
    """The zip's JSON parts, manifest first, with the moment the export is made (in the job's child: the
    prepared data holds no clock, so the same data is the same job and its zip is reused)."""
    events = orjson.loads(export.events)
    documents = [*export.documents, ("events.epcis.json", dumps(epcis.document(events, created)))]
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": created.isoformat(),
        "producer": {"id": export.producer_id, "name": export.producer_name},
        "counts": export.counts,
        "documents": [
            {"name": name, "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}
            for name, body in documents
        ],
        "label_files": [
            {"name": zip_name, "sha256": stored_files.addressed_sha(name)}
            for zip_name, name, _ in export.files
        ],
        "label_files_not_rendered": list(export.missing),
    }
    return [("manifest.json", dumps(manifest)), *documents]
