"""The floor plan of a fair: zones and booths imported in bulk, from an organiser's spreadsheet.

An import is one transaction, all or nothing. Every bad row is reported, each problem naming its row
(`booths.3.code`: the index is 0-based as everywhere in the API; the message says "dòng 4", the row as a
spreadsheet numbers it). Rows whose code exists update that zone or booth, so importing the same file twice
changes nothing."""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import Booth, BoothType, Fair, Zone
from services.common.errors import Problems
from services.common.text import nfc_or_none
from services.fairs.common import error, managed_fair, require_not_closed
from services.fairs.errors import FairErrorCode
from services.policy import Reach

ZONE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,9}$")
BOOTH_CODE = re.compile(r"^[A-Z]{1,3}[0-9]{1,4}[A-Z]?$")  # A01, B12, OUT3, C07B
COLOR = re.compile(r"^#[0-9a-f]{6}$")
PRODUCT_GROUPS = ("1", "2", "3", "4", "5", "6")  # top-level OCOP groups (QĐ 148)
MAX_BOOTH_M = 50.0
MAX_PRICE_VND = 2_000_000_000  # also what GraphQL's 32-bit Int carries
EPSILON = 1e-6
# Light fills, one per zone in import order, when a row gives no colour.
PALETTE = ("#e8f1e4", "#fdebd3", "#e3edf7", "#f5e1ee", "#f3f0d7", "#e0f2f1", "#ede7f6", "#fbe9e7")


@dataclass(slots=True)
class ZoneRow:
    code: str
    name: str
    name_en: str | None = None
    product_groups: list[str] = field(default_factory=list)  # OCOP group codes it hosts, "1".."6"
    color: str | None = None
    x_m: float = 0.0
    y_m: float = 0.0
    width_m: float = 10.0
    depth_m: float = 10.0


@dataclass(slots=True)
class BoothRow:
    code: str
    zone_code: str
    booth_type: BoothType = BoothType.STANDARD
    width_m: float = 3.0
    depth_m: float = 3.0
    x_m: float = 0.0
    y_m: float = 0.0
    price_vnd: int | None = None


@dataclass(slots=True)
class ImportResult:
    zones_created: int = 0
    zones_updated: int = 0
    booths_created: int = 0
    booths_updated: int = 0


@dataclass(slots=True)
class _Rect:
    label: str  # the code, as messages name it
    x: float
    y: float
    w: float
    d: float

    def overlaps(self, other: _Rect) -> bool:
        return (
            self.x < other.x + other.w - EPSILON
            and other.x < self.x + self.w - EPSILON
            and self.y < other.y + other.d - EPSILON
            and other.y < self.y + self.d - EPSILON
        )

    def contains(self, other: _Rect) -> bool:
        return (
            other.x >= self.x - EPSILON
            and other.y >= self.y - EPSILON
            and other.x + other.w <= self.x + self.w + EPSILON
            and other.y + other.d <= self.y + self.d + EPSILON
        )


class _Rows:
    """Problems of one list of rows, each message prefixed with its row number."""

    def __init__(self, problems: Problems, name: str, what: str, what_en: str) -> None:
        self.problems, self.name, self.what, self.what_en = problems, name, what, what_en

    def add(self, index: int, key: str, code: FairErrorCode, message: str, message_en: str) -> None:
        self.problems.add(
            f"{self.name}.{index}.{key}",
            code,
            f"{self.what} dòng {index + 1}: {message}",
            f"{self.what_en} row {index + 1}: {message_en}",
        )


def _code(
    rows: _Rows, index: int, raw: str, pattern: re.Pattern[str], seen: Container[str], rule: str, rule_en: str
) -> str:
    """A zone's or booth's code in capitals; a problem when it breaks `pattern` (said by `rule`) or repeats
    one of the rows before it (`seen`)."""
    code = raw.strip().upper()
    if not pattern.match(code):
        rows.add(index, "code", FairErrorCode.INVALID, rule, rule_en)
    elif code in seen:
        what, what_en = rows.what.lower(), rows.what_en.lower()
        rows.add(
            index,
            "code",
            FairErrorCode.UNIQUE,
            f"mã {what} {code} lặp lại.",
            f"{what_en} {code} is repeated.",
        )
    return code


def _geometry(rows: _Rows, index: int, x: float, y: float, w: float, d: float, max_size: float) -> bool:
    ok = True
    for key, size in (("widthM", w), ("depthM", d)):
        if not 0 < size <= max_size:
            rows.add(
                index, key, FairErrorCode.OUT_OF_RANGE, f"từ 0 đến {max_size:g} m.", f"0 to {max_size:g} m."
            )
            ok = False
    for key, value in (("xM", x), ("yM", y)):
        if value < 0:
            rows.add(index, key, FairErrorCode.OUT_OF_RANGE, "không âm.", "must not be negative.")
            ok = False
    return ok


async def import_layout(
    fair_id: int, zones: Sequence[ZoneRow], booths: Sequence[BoothRow], reach: Reach
) -> ImportResult:
    """Create or update the zones and booths of a fair, all or nothing."""
    fair = await managed_fair(fair_id, reach)
    require_not_closed(fair)
    if len(zones) > 200 or len(booths) > 5000:
        raise error(
            "booths",
            FairErrorCode.OUT_OF_RANGE,
            "Tối đa 200 khu và 5000 gian.",
            "At most 200 zones and 5000 booths.",
        )
    existing_zones = {z.code: z for z in await Zone.filter(fair_id=fair.id)}
    existing_booths = {b.code: b for b in await Booth.filter(fair_id=fair.id)}
    zone_ids = {z.id: z.code for z in existing_zones.values()}
    problems = Problems()
    floor = _Rect("", 0, 0, fair.floor_width_m, fair.floor_depth_m)

    zone_rows = _Rows(problems, "zones", "Khu", "Zone")
    clean_zones: dict[str, ZoneRow] = {}
    zone_index: dict[str, int] = {}
    for index, row in enumerate(zones):
        code = _code(
            zone_rows,
            index,
            row.code,
            ZONE_CODE,
            clean_zones,
            "mã khu gồm chữ, số (vd. A).",
            "a zone code is letters and digits (e.g. A).",
        )
        name = nfc_or_none(row.name)
        if name is None:
            zone_rows.add(index, "name", FairErrorCode.REQUIRED, "cần tên khu.", "a name is required.")
        elif len(name) > 120:
            zone_rows.add(
                index, "name", FairErrorCode.TOO_LONG, "tên tối đa 120 ký tự.", "at most 120 characters."
            )
        name_en = nfc_or_none(row.name_en)
        if name_en is not None and len(name_en) > 120:
            zone_rows.add(
                index, "nameEn", FairErrorCode.TOO_LONG, "tên tối đa 120 ký tự.", "at most 120 characters."
            )
        groups = sorted({g.strip() for g in row.product_groups})
        if bad := [g for g in groups if g not in PRODUCT_GROUPS]:
            zone_rows.add(
                index,
                "productGroups",
                FairErrorCode.INVALID,
                f"nhóm sản phẩm OCOP không hợp lệ: {', '.join(bad)} (1-6).",
                f"not OCOP product groups: {', '.join(bad)} (1-6).",
            )
        color = (row.color or "").strip().lower() or None
        if color is not None and not COLOR.match(color):
            zone_rows.add(index, "color", FairErrorCode.INVALID, "màu dạng #rrggbb.", "a colour is #rrggbb.")
        if _geometry(zone_rows, index, row.x_m, row.y_m, row.width_m, row.depth_m, 2000.0):
            rect = _Rect(code, row.x_m, row.y_m, row.width_m, row.depth_m)
            if not floor.contains(rect):
                zone_rows.add(
                    index,
                    "xM",
                    FairErrorCode.OUT_OF_RANGE,
                    f"khu vượt ra ngoài mặt bằng {fair.floor_width_m:g} × {fair.floor_depth_m:g} m.",
                    f"the zone lies outside the {fair.floor_width_m:g} × {fair.floor_depth_m:g} m floor.",
                )
        if code and code not in clean_zones:
            zone_index[code] = index
            clean_zones[code] = ZoneRow(
                code=code,
                name=name or "",
                name_en=name_en,
                product_groups=groups,
                color=color or (existing_zones[code].color if code in existing_zones else None),
                x_m=row.x_m,
                y_m=row.y_m,
                width_m=row.width_m,
                depth_m=row.depth_m,
            )

    # The zones as they will be: those not in the import keep their place.
    final_zones: dict[str, _Rect] = {
        code: _Rect(code, z.x_m, z.y_m, z.width_m, z.depth_m) for code, z in existing_zones.items()
    }
    for code, zrow in clean_zones.items():
        final_zones[code] = _Rect(code, zrow.x_m, zrow.y_m, zrow.width_m, zrow.depth_m)
    zone_codes = sorted(final_zones)
    for i, code in enumerate(zone_codes):
        for other in zone_codes[i + 1 :]:
            if final_zones[code].overlaps(final_zones[other]):
                at = max(zone_index.get(code, -1), zone_index.get(other, -1))
                if at >= 0:
                    zone_rows.add(
                        at,
                        "xM",
                        FairErrorCode.INVALID,
                        f"khu {code} chồng lên khu {other}.",
                        f"zone {code} overlaps zone {other}.",
                    )

    booth_rows = _Rows(problems, "booths", "Gian", "Booth")
    clean_booths: dict[str, BoothRow] = {}
    booth_index: dict[str, int] = {}
    for index, brow in enumerate(booths):
        code = _code(
            booth_rows,
            index,
            brow.code,
            BOOTH_CODE,
            clean_booths,
            "mã gian gồm 1-3 chữ cái và số (vd. A01).",
            "a booth code is 1-3 letters and a number (e.g. A01).",
        )
        zone_code = brow.zone_code.strip().upper()
        if zone_code not in final_zones:
            booth_rows.add(
                index,
                "zoneCode",
                FairErrorCode.NOT_FOUND,
                f"không có khu {zone_code}.",
                f"no zone {zone_code}.",
            )
        if brow.price_vnd is not None and not 0 <= brow.price_vnd <= MAX_PRICE_VND:
            booth_rows.add(
                index,
                "priceVnd",
                FairErrorCode.OUT_OF_RANGE,
                "giá từ 0 đến 2 tỷ đồng.",
                "a price of 0 to 2 billion VND.",
            )
        if _geometry(booth_rows, index, brow.x_m, brow.y_m, brow.width_m, brow.depth_m, MAX_BOOTH_M):
            rect = _Rect(code, brow.x_m, brow.y_m, brow.width_m, brow.depth_m)
            if zone_code in final_zones and not final_zones[zone_code].contains(rect):
                booth_rows.add(
                    index,
                    "xM",
                    FairErrorCode.OUT_OF_RANGE,
                    f"gian nằm ngoài khu {zone_code}.",
                    f"the booth lies outside zone {zone_code}.",
                )
        if code and code not in clean_booths:
            booth_index[code] = index
            clean_booths[code] = BoothRow(
                code=code,
                zone_code=zone_code,
                booth_type=brow.booth_type,
                width_m=brow.width_m,
                depth_m=brow.depth_m,
                x_m=brow.x_m,
                y_m=brow.y_m,
                price_vnd=brow.price_vnd,
            )

    # Booths as they will be: existing ones not in the import stay where they are, in their zone.
    final_booths: dict[str, tuple[str, _Rect]] = {
        code: (zone_ids[b.zone_id], _Rect(code, b.x_m, b.y_m, b.width_m, b.depth_m))
        for code, b in existing_booths.items()
    }
    for code, b_row in clean_booths.items():
        final_booths[code] = (
            b_row.zone_code,
            _Rect(code, b_row.x_m, b_row.y_m, b_row.width_m, b_row.depth_m),
        )
    for code, (zone_code, placed) in final_booths.items():
        if (
            code not in clean_booths
            and zone_code in zone_index
            and not final_zones[zone_code].contains(placed)
        ):
            zone_rows.add(
                zone_index[zone_code],
                "xM",
                FairErrorCode.OUT_OF_RANGE,
                f"gian {code} đã có sẽ nằm ngoài khu.",
                f"existing booth {code} would lie outside the zone.",
            )
    # Overlaps, checked within each zone (zones do not overlap), rows sorted by x to stop early.
    by_zone: dict[str, list[_Rect]] = {}
    for zone_code, placed in final_booths.values():
        by_zone.setdefault(zone_code, []).append(placed)
    for rects in by_zone.values():
        rects.sort(key=lambda r: (r.x, r.y, r.label))
        for i, first in enumerate(rects):
            for second in rects[i + 1 :]:
                if second.x >= first.x + first.w - EPSILON:
                    break
                if first.overlaps(second):
                    # On the later of the two rows (an existing booth has no row).
                    at = max((booth_index.get(r.label, -1) for r in (first, second)), default=-1)
                    if at >= 0:
                        booth_rows.add(
                            at,
                            "xM",
                            FairErrorCode.INVALID,
                            f"gian {second.label} chồng lên gian {first.label}.",
                            f"booth {second.label} overlaps booth {first.label}.",
                        )
    problems.raise_if_any()
    return await _write(fair, existing_zones, existing_booths, clean_zones, clean_booths)


async def _write(
    fair: Fair,
    existing_zones: dict[str, Zone],
    existing_booths: dict[str, Booth],
    zones: dict[str, ZoneRow],
    booths: dict[str, BoothRow],
) -> ImportResult:
    result = ImportResult()
    try:
        async with in_transaction() as conn:
            ids = {code: z.id for code, z in existing_zones.items()}
            for n, (code, zrow) in enumerate(zones.items()):
                values = {
                    "name": zrow.name,
                    "name_en": zrow.name_en,
                    "product_groups": zrow.product_groups,
                    "color": zrow.color or PALETTE[(len(existing_zones) + n) % len(PALETTE)],
                    "x_m": zrow.x_m,
                    "y_m": zrow.y_m,
                    "width_m": zrow.width_m,
                    "depth_m": zrow.depth_m,
                }
                if code in existing_zones:
                    zone = existing_zones[code]
                    zone.update_from_dict(values)
                    await zone.save(using_db=conn)
                    result.zones_updated += 1
                else:
                    zone = await Zone.create(fair_id=fair.id, code=code, using_db=conn, **values)
                    ids[code] = zone.id
                    result.zones_created += 1
            new: list[Booth] = []
            for code, brow in booths.items():
                values = {
                    "zone_id": ids[brow.zone_code],
                    "booth_type": brow.booth_type,
                    "width_m": brow.width_m,
                    "depth_m": brow.depth_m,
                    "x_m": brow.x_m,
                    "y_m": brow.y_m,
                    "price_vnd": brow.price_vnd,
                }
                if code in existing_booths:
                    booth = existing_booths[code]
                    booth.update_from_dict(values)
                    await booth.save(using_db=conn)
                    result.booths_updated += 1
                else:
                    new.append(Booth(fair_id=fair.id, code=code, **values))
            if new:
                await Booth.bulk_create(new, using_db=conn)
            result.booths_created = len(new)
    except IntegrityError as exc:  # a concurrent import of the same codes
        raise error(
            "booths",
            FairErrorCode.UNIQUE,
            "Sơ đồ vừa được người khác thay đổi, hãy nhập lại.",
            "The floor plan was changed meanwhile; import again.",
        ) from exc
    return result
