"""Scans of serialised labels: counted by the resolver, read by producers, and a signal for copied codes.

Privacy: no IP address is stored. A scan keeps its time, the reader's language, a coarse region when the
proxy in front of us supplies one (`OCOP_REGION_HEADER`, e.g. `CF-IPCountry` or a province code from a
GeoIP module; none by default) and a keyed hash of the network prefix (IPv4 /24, IPv6 /48), enough to tell
"many places" from "one shop" and nothing more.

A copied code shows as one serial scanned from many networks or regions in a short time: a genuine jar is
scanned by a handful of people, in one market. The thresholds are data below; a serial is flagged when, in
the last `WINDOW`, it was scanned from at least `FLAG_NETWORKS` networks or `FLAG_REGIONS` regions.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.functions import Count, Max, Min

from models import Batch, SerialScan
from services.common import clock, signing
from services.trace.identity import product_id_of

WINDOW = dt.timedelta(hours=24)
FLAG_NETWORKS = 5
FLAG_REGIONS = 3
FLAG_SCANS = 50  # ... or this many scans of one unit in the window


def network_of(address: str | None) -> str:
    """A keyed hash of the address's network (/24 or /48): stable per network, meaningless outside."""
    try:
        ip = ipaddress.ip_address(address or "")
        prefix = 24 if ip.version == 4 else 48
        network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    except ValueError:
        network = "unknown"
    return signing.sign("scan-network", network, length=16)


async def record_scan(
    batch_id: int,
    serial: str,
    *,
    address: str | None,
    language: str | None,
    region: str | None,
    at: dt.datetime | None = None,
) -> None:
    await SerialScan.create(
        batch_id=batch_id,
        serial=serial[:20],
        scanned_at=at or clock.now(),
        language=(language or None) and language[:5],
        region=(region or None) and region[:32],
        network=network_of(address),
    )


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
        return (
            self.recent_networks >= FLAG_NETWORKS
            or self.recent_regions >= FLAG_REGIONS
            or self.recent_scans >= FLAG_SCANS
        )

    @property
    def reason(self) -> str | None:
        if self.recent_networks >= FLAG_NETWORKS:
            return f"scanned from {self.recent_networks} networks within {WINDOW.total_seconds() / 3600:g} h"
        if self.recent_regions >= FLAG_REGIONS:
            return f"scanned in {self.recent_regions} regions within {WINDOW.total_seconds() / 3600:g} h"
        if self.recent_scans >= FLAG_SCANS:
            return f"scanned {self.recent_scans} times within {WINDOW.total_seconds() / 3600:g} h"
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
        for row in await query.filter(scanned_at__gte=now - WINDOW)
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


_FLAGS: dict[tuple[str, str, str], tuple[float, bool]] = {}
FLAG_CACHE_S = 60.0


async def flagged_serial(product_code: str, lot_code: str, serial: str) -> bool:
    """Whether the serial of a published lot (by product code and lot, as in trace links) is flagged; kept
    a minute per process, so that a crowd scanning one code costs one check a minute."""
    key = (product_code, lot_code, serial)
    now = time.monotonic()
    hit = _FLAGS.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    product_id = product_id_of(product_code)
    batch = None
    if product_id is not None and product_id <= 2**31 - 1:
        batch = await Batch.filter(product_id=product_id, lot_code=lot_code).only("id").first()
    flagged = batch is not None and await is_flagged(batch.id, serial)
    if len(_FLAGS) > 10_000:
        _FLAGS.clear()
    _FLAGS[key] = (now + FLAG_CACHE_S, flagged)
    return flagged
