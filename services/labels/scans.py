"""Scans of serialised labels: counted by the resolver, read by producers, and a signal for copied codes.

Privacy: no IP address is stored. A scan keeps its time, the reader's language, a coarse region when the
proxy in front of us supplies one (`OCOP_REGION_HEADER`, e.g. `CF-IPCountry` or a province code from a
GeoIP module; none by default; the proxy must set it, never pass a client's through) and a keyed hash of the
network prefix (IPv4 /24, IPv6 /48), enough to tell "many places" from "one shop" and nothing more.

A copied code shows as one serial scanned from many networks or regions in a short time: a genuine jar is
scanned by a handful of people, in one market. Only **distinct networks** make the warning, never a number of
scans, so one source cannot poison a genuine serial: a serial is flagged when, in the last
`scan_window_h`, it was scanned from at least `scan_flag_networks` networks, or from `scan_flag_regions`
regions and at least two networks. One source writes little: one scan per serial and network is counted per
`scan_network_interval_s`, at most `scan_network_max_per_hour` per network per hour and process, and only
scans of **issued** serials (within a serialised label run of the lot) are stored. A serial never issued is
not stored at all: the trace page it leads to says the code may be counterfeit (`serial_warning`). The
thresholds are settings (services/common/settings.py, docs/labels.md).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tortoise.functions import Count, Max, Min

from models import Batch, LabelRun, Producer, SerialScan
from services.common import bus, clock, metrics, settings, signing
from services.common.errors import DomainError, FieldProblem
from services.labels.errors import LabelErrorCode
from services.policy import Reach
from services.policy import registry as policy
from services.trace.identity import product_id_of


class ScanWarning(StrEnum):
    """What the trace page opened from a serial's QR code warns of."""

    COPY = "copy"  # scanned from too many networks or regions in a short time: maybe a copied code
    NOT_ISSUED = "not_issued"  # no label run of this lot issued this serial: a strong counterfeit signal


def _window() -> dt.timedelta:
    return dt.timedelta(hours=settings.current().scan_window_h)


def network_of(address: str | None) -> str:
    """A keyed hash of the address's network (/24 or /48): stable per network, meaningless outside."""
    try:
        ip = ipaddress.ip_address(address or "")
        prefix = 24 if ip.version == 4 else 48
        network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    except ValueError:
        network = "unknown"
    return signing.sign("scan-network", network, length=16)


_SERIAL = re.compile(r"[1-9][0-9]{0,17}")  # as label runs write them: str(first_serial + index)
_ISSUED: dict[tuple[int, str], tuple[float, bool]] = {}
ISSUED_CACHE_S = 60.0  # a yes is kept this long per process; a no only NOT_ISSUED_CACHE_S (a fresh run)
NOT_ISSUED_CACHE_S = 5.0
_COUNTED: dict[tuple[int, str, str], float] = {}  # (lot, serial, network) -> monotonic time counted
_PER_NETWORK: dict[str, tuple[float, int]] = {}  # network -> (hour started, scans counted)
_MEMO_MAX = 50_000


async def serial_issued(batch_id: int, serial: str) -> bool:
    """Whether a serialised label run of the lot issued `serial` (one query over the lot's runs, kept a
    minute per process)."""
    if not _SERIAL.fullmatch(serial):
        return False
    key = (batch_id, serial)
    now = time.monotonic()
    hit = _ISSUED.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    number = int(serial)
    runs = await LabelRun.filter(batch_id=batch_id, serialized=True, first_serial__lte=number).values_list(
        "first_serial", "count"
    )
    issued = any(first is not None and number < first + count for first, count in runs)
    if len(_ISSUED) > _MEMO_MAX:
        _ISSUED.clear()
    _ISSUED[key] = (now + (ISSUED_CACHE_S if issued else NOT_ISSUED_CACHE_S), issued)
    return issued


def _take_network_quota(network: str, now: float) -> bool:
    """One more counted scan for `network` this hour, unless it has had its `scan_network_max_per_hour`."""
    limit = settings.current().scan_network_max_per_hour
    started, used = _PER_NETWORK.get(network, (now, 0))
    if now - started >= 3600:
        started, used = now, 0
    if used >= limit:
        return False
    if len(_PER_NETWORK) > _MEMO_MAX:
        _PER_NETWORK.clear()
    _PER_NETWORK[network] = (started, used + 1)
    return True


async def record_scan(
    batch_id: int,
    serial: str,
    *,
    address: str | None,
    language: str | None,
    region: str | None,
    at: dt.datetime | None = None,
) -> bool:
    """Count one scan of a serialised label, if it is to be counted: the serial was issued for the lot, its
    network has not been counted for it within `scan_network_interval_s` (in this process, then in the
    table, for other processes), and the network is within its hourly quota. Returns whether a row was
    written."""
    if not await serial_issued(batch_id, serial):
        metrics.QR_SCANS.labels("not_issued").inc()
        return False  # never issued: the page warns, nothing is stored (an anonymous request writes nothing)
    network = network_of(address)
    interval = settings.current().scan_network_interval_s
    now = time.monotonic()
    key = (batch_id, serial, network)
    counted = _COUNTED.get(key)
    if counted is not None and now - counted < interval:
        metrics.QR_SCANS.labels("repeat").inc()
        return False
    moment = at or clock.now()
    if await SerialScan.exists(
        batch_id=batch_id,
        serial=serial,
        network=network,
        scanned_at__gt=moment - dt.timedelta(seconds=interval),
        scanned_at__lte=moment,
    ):
        _COUNTED[key] = now
        metrics.QR_SCANS.labels("repeat").inc()
        return False
    if not _take_network_quota(network, now):
        metrics.QR_SCANS.labels("over_quota").inc()
        return False
    if len(_COUNTED) > _MEMO_MAX:
        _COUNTED.clear()
    _COUNTED[key] = now
    await SerialScan.create(
        batch_id=batch_id,
        serial=serial,
        scanned_at=moment,
        language=(language or None) and language[:5],
        region=(region or None) and region[:32],
        network=network,
    )
    metrics.QR_SCANS.labels("counted").inc()
    producer_id = await _producer_of(batch_id)
    if producer_id is not None:  # `producerScans` subscribers re-read the serial's figures
        await bus.publish(producer_scans_topic(producer_id), {"lot": batch_id, "serial": serial})
    return True


def producer_scans_topic(producer_id: int) -> str:
    """The bus topic of a producer's counted scans (services/common/bus.py)."""
    return f"producer:{producer_id}:scans"


_PRODUCER_OF: dict[int, int] = {}  # lot -> its producer (never changes)


async def _producer_of(batch_id: int) -> int | None:
    producer_id = _PRODUCER_OF.get(batch_id)
    if producer_id is None:
        batch = await Batch.get_or_none(id=batch_id).select_related("product")
        if batch is None:
            return None
        if len(_PRODUCER_OF) > _MEMO_MAX:
            _PRODUCER_OF.clear()
        producer_id = _PRODUCER_OF[batch_id] = batch.product.producer_id
    return producer_id


def forget_counted() -> None:
    """Empty the per-process memos (tests; a process that changed its settings)."""
    _ISSUED.clear()
    _COUNTED.clear()
    _PER_NETWORK.clear()
    _FLAGS.clear()
    _PRODUCER_OF.clear()


@dataclass(frozen=True, slots=True)
class SerialStats:
    serial: str
    scans: int
    first_scan_at: dt.datetime
    last_scan_at: dt.datetime
    recent_scans: int  # in the last WINDOW
    recent_networks: int
    recent_regions: int

    @property
    def flagged(self) -> bool:
        return self.reason is not None

    @property
    def reason(self) -> str | None:
        """Why the serial looks copied: distinct networks (or regions from at least two networks), never a
        number of scans, which one source could make."""
        config = settings.current()
        hours = f"{config.scan_window_h:g} h"
        if self.recent_networks >= config.scan_flag_networks:
            return f"scanned from {self.recent_networks} networks within {hours}"
        if self.recent_regions >= config.scan_flag_regions and self.recent_networks >= 2:
            return f"scanned in {self.recent_regions} regions from {self.recent_networks} networks within {hours}"
        return None


async def serial_stats(
    batch_id: int, serials: Sequence[str] | None = None, *, now: dt.datetime | None = None
) -> list[SerialStats]:
    """Scan figures per serial of a lot (two grouped queries), most scanned first."""
    now = now or clock.now()
    query = SerialScan.filter(batch_id=batch_id)
    if serials is not None:
        query = query.filter(serial__in=list(serials))
    totals = (
        await query.annotate(scans=Count("id"), first=Min("scanned_at"), last=Max("scanned_at"))
        .group_by("serial")
        .values("serial", "scans", "first", "last")
    )
    recent = {
        row["serial"]: row
        for row in await query.filter(scanned_at__gte=now - _window())
        .annotate(
            scans=Count("id"),
            networks=Count("network", distinct=True),
            regions=Count("region", distinct=True),
        )
        .group_by("serial")
        .values("serial", "scans", "networks", "regions")
    }
    stats = [
        SerialStats(
            serial=row["serial"],
            scans=int(row["scans"]),
            first_scan_at=_aware(row["first"]),
            last_scan_at=_aware(row["last"]),
            recent_scans=int(recent.get(row["serial"], {}).get("scans", 0)),
            recent_networks=int(recent.get(row["serial"], {}).get("networks", 0)),
            recent_regions=int(recent.get(row["serial"], {}).get("regions", 0)),
        )
        for row in totals
    ]
    return sorted(stats, key=lambda s: (-s.scans, s.serial))


def _aware(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):  # SQLite aggregates come back as text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def is_flagged(batch_id: int, serial: str) -> bool:
    found = await serial_stats(batch_id, [serial])
    return bool(found and found[0].flagged)


_FLAGS: dict[tuple[str, str, str], tuple[float, ScanWarning | None]] = {}
FLAG_CACHE_S = 60.0


async def serial_warning(product_code: str, lot_code: str, serial: str) -> ScanWarning | None:
    """What the trace page of a published lot (by product code and lot, as in trace links), opened from
    `serial`'s QR code, warns of: a serial never issued for the lot, or one scanned from too many places.
    Kept a minute per process, so that a crowd scanning one code costs one check a minute; nothing is
    written."""
    key = (product_code, lot_code, serial)
    now = time.monotonic()
    hit = _FLAGS.get(key)
    if hit is not None and hit[0] > now:
        _count_warning(hit[1])
        return hit[1]
    product_id = product_id_of(product_code)
    batch = None
    if product_id is not None and product_id <= 2**31 - 1:
        batch = await Batch.filter(product_id=product_id, lot_code=lot_code).only("id").first()
    warning: ScanWarning | None = None
    keep = FLAG_CACHE_S
    if batch is not None:
        if not await serial_issued(batch.id, serial):
            warning, keep = ScanWarning.NOT_ISSUED, NOT_ISSUED_CACHE_S
        elif await is_flagged(batch.id, serial):
            warning = ScanWarning.COPY
    if len(_FLAGS) > 10_000:
        _FLAGS.clear()
    _FLAGS[key] = (now + keep, warning)
    _count_warning(warning)
    return warning


def _count_warning(warning: ScanWarning | None) -> None:
    if warning is not None:
        metrics.COPY_FLAGS.labels(warning.value).inc()


@dataclass(frozen=True, slots=True)
class ScanUpdate:
    """A counted scan of one of a producer's serials, with the serial's figures after it."""

    batch_id: int
    stats: SerialStats


async def watch_scans(producer_id: int, reach: Reach) -> AsyncIterator[ScanUpdate]:
    """The producer's serials as they are scanned, for `producerScans`: each counted scan (announced on the
    bus by whichever replica counted it) with the serial's figures and copy flag. For those who manage the
    producer (its members, its province's officers, central admins); refused (NOT_FOUND) otherwise,
    before anything is sent."""
    producer = await Producer.get_or_none(id=producer_id)
    if producer is None or not policy.may_manage_producer(reach, producer):
        raise DomainError(
            [
                FieldProblem(
                    "producerId", LabelErrorCode.NOT_FOUND, "Không tìm thấy cơ sở.", "No such producer."
                )
            ]
        )
    return _scans(producer_id)


async def _scans(producer_id: int) -> AsyncIterator[ScanUpdate]:
    async with bus.subscribe(producer_scans_topic(producer_id)) as messages:
        async for message in messages:
            if message.is_flush:  # scans counted meanwhile show in the next update of their serial
                continue
            batch_id, serial = int(message.payload["lot"]), str(message.payload["serial"])
            found = await serial_stats(batch_id, [serial])
            if found:
                yield ScanUpdate(batch_id, found[0])
