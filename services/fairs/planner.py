"""Automatic booth assignment as a pure function of the floor plan and the exhibitors: no database, no
clock, no randomness, every choice ordered by ids, codes or floor positions, so the same input always gives
the same plan.

1. Zones. Exhibitors are taken first come, first served (by application id). Each goes to the first zone
   with room, in this order of preference: its wanted zone if that zone hosts one of its product groups;
   the zones hosting the group of most of its products, then those hosting its other groups; zones open to
   every group (no group listed). If no zone hosts any of its groups, its wanted zone. An exhibitor that
   already has booths stays in their zone. When no zone has room for all its booths, it gets what the
   roomiest zone has left.
2. Booths, zone by zone. Exhibitors of one province are placed one after the other, each booth chosen by,
   in order: next to the exhibitor's own booths (for its first booth: where a free block holds all of
   them); the booth type it asked for; next to its province's booths; for the first of a province, the smallest run of free adjacent booths that holds the whole
   province; then the earliest booth along the zone's rows (left to right, then right to left, as one
   walks the aisles).
3. The report: every exhibitor that got no booth or fewer than it asked, and every request not met (zone,
   booth type, own booths apart, a province split within a zone)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from models import BoothType

EPSILON = 1e-6
TYPE_NAMES = {
    BoothType.STANDARD: ("tiêu chuẩn", "standard"),
    BoothType.CORNER: ("góc", "corner"),
    BoothType.PREMIUM: ("cao cấp", "premium"),
    BoothType.OUTDOOR: ("ngoài trời", "outdoor"),
}


@dataclass(frozen=True, slots=True)
class BoothSpot:
    id: int
    code: str
    zone_id: int
    booth_type: BoothType
    x: float
    y: float
    w: float
    d: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.d / 2)


@dataclass(frozen=True, slots=True)
class ZoneSpec:
    id: int
    code: str
    name: str
    groups: frozenset[str]  # OCOP product groups it hosts; empty: open to every group


@dataclass(frozen=True, slots=True)
class ExhibitorSpec:
    application_id: int
    name: str
    province_id: int | None
    province_name: str
    groups: tuple[str, ...]  # the product group of each product it shows
    wanted_zone_id: int | None
    wanted_type: BoothType
    booths_wanted: int


class ConflictKind(StrEnum):
    NOT_PLACED = "not_placed"  # no booth at all
    FEWER_BOOTHS = "fewer_booths"
    WANTED_ZONE = "wanted_zone"
    BOOTH_TYPE = "booth_type"
    BOOTHS_APART = "booths_apart"  # an exhibitor's own booths are not side by side
    PROVINCE_APART = "province_apart"  # a province's exhibitors are split within a zone


@dataclass(frozen=True, slots=True)
class Conflict:
    kind: ConflictKind
    message: str
    message_en: str
    application_id: int | None = None
    province_id: int | None = None


@dataclass(slots=True)
class Plan:
    placements: list[tuple[int, int]] = field(default_factory=list)  # (application id, booth id)
    conflicts: list[Conflict] = field(default_factory=list)


def touching(a: BoothSpot, b: BoothSpot) -> bool:
    """Booths of one zone that share a stretch of wall: side by side, or back to back."""
    if a.zone_id != b.zone_id or a.id == b.id:
        return False
    x_overlap = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    y_overlap = min(a.y + a.d, b.y + b.d) - max(a.y, b.y)
    side = (abs(a.x + a.w - b.x) < EPSILON or abs(b.x + b.w - a.x) < EPSILON) and y_overlap > EPSILON
    back = (abs(a.y + a.d - b.y) < EPSILON or abs(b.y + b.d - a.y) < EPSILON) and x_overlap > EPSILON
    return side or back


def walking_order(booths: Sequence[BoothSpot]) -> list[BoothSpot]:
    """Booths row by row (by their front edge), left to right then right to left: consecutive booths of
    a row are neighbours, and a row continues where the previous one ended."""
    rows: dict[float, list[BoothSpot]] = defaultdict(list)
    for booth in booths:
        rows[round(booth.y, 3)].append(booth)
    ordered: list[BoothSpot] = []
    for number, y in enumerate(sorted(rows)):
        row = sorted(rows[y], key=lambda b: (b.x, b.code))
        ordered.extend(reversed(row) if number % 2 else row)
    return ordered


def connected(booth_ids: Sequence[int], neighbours: Mapping[int, frozenset[int]]) -> bool:
    if len(booth_ids) <= 1:
        return True
    wanted = set(booth_ids)
    seen = {booth_ids[0]}
    stack = [booth_ids[0]]
    while stack:
        for other in neighbours[stack.pop()] & wanted:
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen == wanted


def _distance(a: BoothSpot, b: BoothSpot) -> float:
    (ax, ay), (bx, by) = a.center, b.center
    return math.hypot(ax - bx, ay - by)


def _nearest(candidates: list[BoothSpot], targets: Sequence[BoothSpot]) -> list[BoothSpot]:
    distances = [min(_distance(c, t) for t in targets) for c in candidates]
    best = min(distances)
    return [c for c, d in zip(candidates, distances, strict=True) if d <= best + EPSILON]


def eligible_zones(exhibitor: ExhibitorSpec, zones: Sequence[ZoneSpec]) -> list[ZoneSpec]:
    """The zones an exhibitor may go to, most preferred first (see the module's docstring)."""
    counts = Counter(exhibitor.groups)
    groups = sorted(counts, key=lambda g: (-counts[g], g))
    wanted = next((z for z in zones if z.id == exhibitor.wanted_zone_id), None)
    result: list[ZoneSpec] = []
    if wanted is not None and wanted.groups & counts.keys():
        result.append(wanted)
    for group in groups:
        result.extend(z for z in zones if group in z.groups and z not in result)
    result.extend(z for z in zones if not z.groups and z not in result)
    if not result and wanted is not None:
        result.append(wanted)
    return result


class _Planner:
    def __init__(
        self,
        zones: Sequence[ZoneSpec],
        booths: Sequence[BoothSpot],
        exhibitors: Sequence[ExhibitorSpec],
        taken: Mapping[int, int],
    ) -> None:
        self.zones = sorted(zones, key=lambda z: (z.code, z.id))
        self.zone_by_id = {z.id: z for z in self.zones}
        self.booth = {b.id: b for b in booths}
        self.exhibitors = sorted(exhibitors, key=lambda e: e.application_id)
        self.by_application = {e.application_id: e for e in self.exhibitors}
        self.in_zone: dict[int, list[BoothSpot]] = {z.id: [] for z in self.zones}
        for booth in sorted(booths, key=lambda b: (b.code, b.id)):
            self.in_zone.setdefault(booth.zone_id, []).append(booth)
        self.position: dict[int, int] = {}
        for zone_id, items in self.in_zone.items():
            self.in_zone[zone_id] = walking_order(items)
            self.position.update((b.id, i) for i, b in enumerate(self.in_zone[zone_id]))
        self.neighbours: dict[int, frozenset[int]] = {
            b.id: frozenset(o.id for o in self.in_zone[b.zone_id] if touching(b, o)) for b in booths
        }
        self.holder: dict[int, int] = dict(taken)  # booth id -> application id
        self.owned: dict[int, list[int]] = defaultdict(list)
        for booth_id, application_id in sorted(taken.items()):
            self.owned[application_id].append(booth_id)
        self.plan = Plan()
        self.placed_now: dict[int, list[int]] = defaultdict(list)

    def province_of(self, application_id: int) -> int | None:
        exhibitor = self.by_application.get(application_id)
        return exhibitor.province_id if exhibitor else None

    # -- 1. zones ----------------------------------------------------------------------------------------

    def choose_zones(self) -> dict[int, list[tuple[ExhibitorSpec, int]]]:
        free = {z: sum(1 for b in items if b.id not in self.holder) for z, items in self.in_zone.items()}
        reserved: dict[int, list[tuple[ExhibitorSpec, int]]] = defaultdict(list)
        for exhibitor in self.exhibitors:
            have = self.owned.get(exhibitor.application_id, [])
            need = exhibitor.booths_wanted - len(have)
            if need <= 0:
                continue
            if have:
                first = min((self.booth[i] for i in have), key=lambda b: (b.code, b.id))
                candidates = [self.zone_by_id[first.zone_id]] if first.zone_id in self.zone_by_id else []
            else:
                candidates = eligible_zones(exhibitor, self.zones)
            if not candidates:
                groups = ", ".join(sorted(set(exhibitor.groups))) or "—"
                self.conflict(
                    ConflictKind.NOT_PLACED,
                    exhibitor,
                    f"không khu nào dành cho nhóm sản phẩm {groups}.",
                    f"no zone hosts product group(s) {groups}.",
                )
                continue
            chosen = next((z for z in candidates if free[z.id] >= need), None)
            if chosen is None:
                chosen = max(candidates, key=lambda z: free[z.id])  # the first of the roomiest
            count = min(need, free[chosen.id])
            if count == 0:
                if not have:  # with booths already, the report says it got fewer than it asked
                    codes = ", ".join(z.code for z in candidates)
                    self.conflict(
                        ConflictKind.NOT_PLACED,
                        exhibitor,
                        f"hết gian trống trong khu {codes}.",
                        f"no free booth left in zone(s) {codes}.",
                    )
                continue
            free[chosen.id] -= count
            reserved[chosen.id].append((exhibitor, count))
        return reserved

    # -- 2. booths ---------------------------------------------------------------------------------------

    def province_booths(self, zone_id: int, province_id: int | None) -> list[BoothSpot]:
        if province_id is None:
            return []
        return [
            b
            for b in self.in_zone[zone_id]
            if (holder := self.holder.get(b.id)) is not None and self.province_of(holder) == province_id
        ]

    def anchor_run(self, zone_id: int, size: int) -> set[int]:
        """The smallest run of free, adjacent booths (in walking order) that holds `size` booths; the
        longest when none does."""
        runs: list[list[int]] = []
        current: list[int] = []
        for booth in self.in_zone[zone_id]:
            if booth.id in self.holder or (current and booth.id not in self.neighbours[current[-1]]):
                if current:
                    runs.append(current)
                current = []
            if booth.id not in self.holder:
                current.append(booth.id)
        if current:
            runs.append(current)
        if not runs:
            return set()
        fitting = [r for r in runs if len(r) >= size]
        best = (
            min(fitting, key=lambda r: (len(r), self.position[r[0]]))
            if fitting
            else max(runs, key=lambda r: (len(r), -self.position[r[0]]))
        )
        return set(best)

    def free_block_sizes(self, zone_id: int) -> dict[int, int]:
        """For each free booth of the zone, how many free booths it is connected to (itself included)."""
        free = {b.id for b in self.in_zone[zone_id] if b.id not in self.holder}
        sizes: dict[int, int] = {}
        for start in sorted(free):
            if start in sizes:
                continue
            block, stack = {start}, [start]
            while stack:
                for other in self.neighbours[stack.pop()] & free:
                    if other not in block:
                        block.add(other)
                        stack.append(other)
            sizes.update(dict.fromkeys(block, len(block)))
        return sizes

    def choose_booth(
        self, zone_id: int, exhibitor: ExhibitorSpec, own_remaining: int, province_remaining: int
    ) -> BoothSpot:
        candidates = [b for b in self.in_zone[zone_id] if b.id not in self.holder]
        own = [self.booth[i] for i in self.owned.get(exhibitor.application_id, [])]
        if own:
            own_ids = {b.id for b in own}
            beside = [b for b in candidates if self.neighbours[b.id] & own_ids]
            candidates = beside or _nearest(candidates, own)
        elif own_remaining > 1:  # room for the whole stand around its first booth
            sizes = self.free_block_sizes(zone_id)
            candidates = [b for b in candidates if sizes[b.id] >= own_remaining] or candidates
        typed = [b for b in candidates if b.booth_type == exhibitor.wanted_type]
        candidates = typed or candidates
        province = self.province_booths(zone_id, exhibitor.province_id)
        if province:
            ids = {b.id for b in province}
            beside = [b for b in candidates if self.neighbours[b.id] & ids]
            candidates = beside or _nearest(candidates, province)
        elif not own:
            run = self.anchor_run(zone_id, province_remaining)
            candidates = [b for b in candidates if b.id in run] or candidates
        return min(candidates, key=lambda b: self.position[b.id])

    def place(self, reserved: dict[int, list[tuple[ExhibitorSpec, int]]]) -> None:
        for zone in self.zones:
            entries = reserved.get(zone.id, [])
            groups: dict[tuple[int, int], list[tuple[ExhibitorSpec, int]]] = defaultdict(list)
            for exhibitor, count in entries:
                # Exhibitors of an unknown province form a group of their own.
                key = (
                    (0, exhibitor.province_id)
                    if exhibitor.province_id is not None
                    else (1, exhibitor.application_id)
                )
                groups[key].append((exhibitor, count))

            # Provinces already in the zone first (where their booths are), then the largest groups.
            rank: dict[tuple[int, int], tuple[int, int, int, int]] = {}
            for key, members in groups.items():
                present = self.province_booths(zone.id, key[1]) if key[0] == 0 else []
                rank[key] = (
                    (0, min(self.position[b.id] for b in present), 0, 0)
                    if present
                    else (1, -sum(count for _, count in members), key[0], key[1])
                )

            for key in sorted(groups, key=rank.__getitem__):
                members = sorted(
                    groups[key],
                    key=lambda e: (0 if self.owned.get(e[0].application_id) else 1, e[0].application_id),
                )
                remaining = sum(count for _, count in members)
                for exhibitor, count in members:
                    for left in range(count, 0, -1):
                        booth = self.choose_booth(zone.id, exhibitor, left, remaining)
                        self.holder[booth.id] = exhibitor.application_id
                        self.owned[exhibitor.application_id].append(booth.id)
                        self.placed_now[exhibitor.application_id].append(booth.id)
                        self.plan.placements.append((exhibitor.application_id, booth.id))
                        remaining -= 1

    # -- 3. report ---------------------------------------------------------------------------------------

    def conflict(self, kind: ConflictKind, exhibitor: ExhibitorSpec, message: str, message_en: str) -> None:
        self.plan.conflicts.append(
            Conflict(
                kind,
                f"{exhibitor.name}: {message}",
                f"{exhibitor.name}: {message_en}",
                exhibitor.application_id,
            )
        )

    def report(self) -> None:
        for exhibitor in self.exhibitors:
            have = self.owned.get(exhibitor.application_id, [])
            placed = [self.booth[i] for i in self.placed_now.get(exhibitor.application_id, [])]
            if have and len(have) < exhibitor.booths_wanted:
                code = self.zone_by_id[self.booth[have[0]].zone_id].code
                self.conflict(
                    ConflictKind.FEWER_BOOTHS,
                    exhibitor,
                    f"được {len(have)}/{exhibitor.booths_wanted} gian, khu {code} hết chỗ.",
                    f"got {len(have)} of {exhibitor.booths_wanted} booths, zone {code} is full.",
                )
            if not placed:
                continue
            zone = self.zone_by_id[placed[0].zone_id]
            wanted = self.zone_by_id.get(exhibitor.wanted_zone_id) if exhibitor.wanted_zone_id else None
            if wanted is not None and wanted.id != zone.id:
                hosts = wanted in eligible_zones(exhibitor, self.zones)
                self.conflict(
                    ConflictKind.WANTED_ZONE,
                    exhibitor,
                    f"xếp vào khu {zone.code} thay vì khu {wanted.code} "
                    + ("(hết chỗ)." if hosts else "(không dành cho nhóm sản phẩm của đơn vị)."),
                    f"placed in zone {zone.code} instead of zone {wanted.code} "
                    + ("(full)." if hosts else "(it does not host its product groups)."),
                )
            other = [b for b in placed if b.booth_type != exhibitor.wanted_type]
            if other:
                vi, en = TYPE_NAMES[exhibitor.wanted_type]
                codes = ", ".join(b.code for b in other)
                self.conflict(
                    ConflictKind.BOOTH_TYPE,
                    exhibitor,
                    f"hết gian loại {vi}, đã xếp gian {codes}.",
                    f"no {en} booth left, placed on {codes}.",
                )
            if not connected(have, self.neighbours):
                codes = ", ".join(sorted(self.booth[i].code for i in have))
                self.conflict(
                    ConflictKind.BOOTHS_APART,
                    exhibitor,
                    f"các gian {codes} không liền nhau.",
                    f"booths {codes} are not side by side.",
                )
        placed_provinces = {
            (self.booth[b].zone_id, self.province_of(a))
            for a, booths in self.placed_now.items()
            for b in booths
            if self.province_of(a) is not None
        }
        for zone in self.zones:
            for province_id in sorted(p for z, p in placed_provinces if z == zone.id and p is not None):
                booths = [b.id for b in self.province_booths(zone.id, province_id)]
                if not connected(booths, self.neighbours):
                    name = next(e.province_name for e in self.exhibitors if e.province_id == province_id)
                    self.plan.conflicts.append(
                        Conflict(
                            ConflictKind.PROVINCE_APART,
                            f"Các đơn vị {name} trong khu {zone.code} không ở liền nhau.",
                            f"Exhibitors of {name} in zone {zone.code} are not side by side.",
                            province_id=province_id,
                        )
                    )


_KIND_ORDER = {kind: n for n, kind in enumerate(ConflictKind)}


def plan(
    zones: Sequence[ZoneSpec],
    booths: Sequence[BoothSpot],
    exhibitors: Sequence[ExhibitorSpec],
    taken: Mapping[int, int],
) -> Plan:
    """Booths for approved exhibitors without (enough) booths. `taken` maps booths already assigned (kept
    as they are) to their application ids."""
    planner = _Planner(zones, booths, exhibitors, taken)
    planner.place(planner.choose_zones())
    planner.report()
    planner.plan.conflicts.sort(
        key=lambda c: (c.application_id is None, c.application_id or 0, _KIND_ORDER[c.kind])
    )
    return planner.plan
