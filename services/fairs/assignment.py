"""Booth assignments. An organiser assigns, reassigns and frees booths by hand; automatic assignment places
approved exhibitors that lack booths (the rules are in services/fairs/planner.py) and reports what it could
not do.

One exhibitor per booth is a unique index, and an assignment's booth and exhibitor belong to its fair
(composite foreign keys on PostgreSQL, triggers on SQLite: migration 0005). The checks here explain a
refusal in words; the database keeps the rules when two organisers act at once, and its refusals come back
as the same typed errors."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    AdminUnit,
    ApplicationProduct,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    BoothType,
    CriteriaSet,
    ExhibitorApplication,
    Fair,
    Zone,
)
from services.common.errors import DomainError
from services.fairs import planner
from services.fairs.applications import lock_application
from services.fairs.common import (
    error,
    managed_fair,
    not_found,
    refuse_unreachable,
    require_authenticated,
    require_not_closed,
)
from services.fairs.errors import FairErrorCode
from services.policy import Reach
from services.policy import fairs as fair_policy

# Zones name the groups of QĐ 148. Products rated under QĐ 1048 count in the 148 group that took theirs
# over: fabric and garments (4) and souvenirs, furniture, decoration (5) are handicrafts (4) under 148.
GROUPS_1048_AS_148 = {"1": "1", "2": "2", "3": "3", "4": "4", "5": "4", "6": "6"}


def zone_group(group_code: str, criteria_set: str) -> str:
    """The top-level QĐ 148 group a product counts in when zones are matched."""
    top = group_code.split(".", 1)[0]
    return GROUPS_1048_AS_148.get(top, top) if criteria_set == CriteriaSet.QD_1048 else top


def _booth_taken() -> DomainError:
    return error(
        "boothId",
        FairErrorCode.UNIQUE,
        "Gian này đã có đơn vị khác.",
        "Another exhibitor has this booth.",
    )


async def _managed_booth(booth_id: int, reach: Reach) -> Booth:
    require_authenticated(reach)
    booth = await Booth.get_or_none(id=booth_id).select_related("fair")
    if booth is None or not fair_policy.may_manage_fair(reach, booth.fair):
        raise refuse_unreachable(reach, "boothId", "gian hàng", "booth")
    require_not_closed(booth.fair, "boothId")
    return booth


async def _holder(booth_id: int, conn: BaseDBAsyncClient) -> BoothAssignment | None:
    return await BoothAssignment.filter(booth_id=booth_id).using_db(conn).first()


async def assign_booth(
    booth_id: int, application_id: int, reach: Reach, actor_id: int | None = None, *, replace: bool = False
) -> BoothAssignment:
    """Put an approved exhibitor on a booth of its fair. A booth taken by another exhibitor is refused,
    unless `replace`: then that exhibitor loses it. Assignments made here are manual: automatic assignment
    keeps them."""
    booth = await _managed_booth(booth_id, reach)
    if not await ExhibitorApplication.exists(id=application_id, fair_id=booth.fair.id):
        raise not_found("applicationId", "đơn đăng ký ở hội chợ này", "application at this fair")
    try:
        async with in_transaction() as conn:
            application = await lock_application(application_id, conn)
            if application is None or ApplicationStatus(application.status) != ApplicationStatus.APPROVED:
                raise error(
                    "applicationId",
                    FairErrorCode.NOT_ALLOWED,
                    "Chỉ xếp gian cho đơn vị đã được duyệt.",
                    "Only approved exhibitors get booths.",
                )
            holder = await _holder(booth.id, conn)
            if holder is not None and holder.application_id == application.id:
                holder.manual = True
                holder.assigned_by_id = actor_id
                await holder.save(using_db=conn, update_fields=["manual", "assigned_by_id"])
                return holder
            if holder is not None:
                if not replace:
                    raise _booth_taken()
                await holder.delete(using_db=conn)
            return await BoothAssignment.create(
                fair_id=booth.fair.id,
                booth_id=booth.id,
                application_id=application.id,
                assigned_by_id=actor_id,
                manual=True,
                using_db=conn,
            )
    except IntegrityError as exc:  # taken meanwhile by a concurrent assignment
        raise _booth_taken() from exc


async def unassign_booth(booth_id: int, reach: Reach) -> Booth:
    """Free a booth."""
    booth = await _managed_booth(booth_id, reach)
    if not await BoothAssignment.filter(booth_id=booth.id).delete():
        raise error("boothId", FairErrorCode.NOT_FOUND, "Gian đang trống.", "The booth is free.")
    return booth


@dataclass(slots=True)
class AutoAssignResult:
    assignments: list[BoothAssignment]  # made by this run
    conflicts: list[planner.Conflict]


async def auto_assign(
    fair_id: int, reach: Reach, actor_id: int | None = None, *, replan: bool = False
) -> AutoAssignResult:
    """Place the approved exhibitors that have fewer booths than they asked for. Every existing assignment
    is kept; with `replan`, automatic ones are made again from scratch (manual ones are always kept)."""
    fair = await managed_fair(fair_id, reach)
    require_not_closed(fair)
    try:
        async with in_transaction() as conn:
            # One run at a time per fair (PostgreSQL row lock; SQLite serialises writers anyway).
            await Fair.filter(id=fair.id).select_for_update().using_db(conn).first()
            if replan:
                await BoothAssignment.filter(fair_id=fair.id, manual=False).using_db(conn).delete()
            result = await _plan(fair, conn)
            rows = [
                BoothAssignment(
                    fair_id=fair.id,
                    booth_id=booth_id,
                    application_id=application_id,
                    assigned_by_id=actor_id,
                    manual=False,
                )
                for application_id, booth_id in result.placements
            ]
            if rows:
                await BoothAssignment.bulk_create(rows, using_db=conn)
            booth_ids = [booth_id for _, booth_id in result.placements]
            made = await BoothAssignment.filter(booth_id__in=booth_ids).using_db(conn) if booth_ids else []
    except IntegrityError as exc:
        raise error(
            "fairId",
            FairErrorCode.UNIQUE,
            "Sơ đồ gian vừa được thay đổi, hãy chạy lại.",
            "Booths were assigned meanwhile; run it again.",
        ) from exc
    order = {booth_id: n for n, booth_id in enumerate(booth_ids)}
    return AutoAssignResult(sorted(made, key=lambda a: order[a.booth_id]), result.conflicts)


def booth_spot(booth: Booth) -> planner.BoothSpot:
    """A booth as the planner sees it: where it stands, how large it is, of which type and zone."""
    return planner.BoothSpot(
        booth.id,
        booth.code,
        booth.zone_id,
        BoothType(booth.booth_type),
        booth.x_m,
        booth.y_m,
        booth.width_m,
        booth.depth_m,
    )


async def _plan(fair: Fair, conn: BaseDBAsyncClient) -> planner.Plan:
    zones = await Zone.filter(fair_id=fair.id).using_db(conn)
    booths = await Booth.filter(fair_id=fair.id).using_db(conn)
    taken = dict(
        await BoothAssignment.filter(fair_id=fair.id).using_db(conn).values_list("booth_id", "application_id")
    )
    applications = (
        await ExhibitorApplication.filter(fair_id=fair.id, status=ApplicationStatus.APPROVED)
        .select_related("producer")
        .using_db(conn)
    )
    groups: dict[int, list[str]] = {a.id: [] for a in applications}
    if applications:
        shown = (
            await ApplicationProduct.filter(application_id__in=list(groups))
            .using_db(conn)
            .order_by("id")
            .values_list("application_id", "product__group__code", "product__criteria_set")
        )
        for application_id, code, criteria_set in shown:
            groups[application_id].append(zone_group(code, criteria_set))
    province_ids = sorted({a.producer.province_id for a in applications})
    provinces = {u.id: u.name for u in await AdminUnit.filter(id__in=province_ids).using_db(conn)}
    return planner.plan(
        [planner.ZoneSpec(z.id, z.code, z.name, frozenset(z.product_groups or [])) for z in zones],
        [booth_spot(b) for b in booths],
        [
            planner.ExhibitorSpec(
                application_id=a.id,
                name=a.producer.name,
                province_id=a.producer.province_id,
                province_name=provinces.get(a.producer.province_id, ""),
                groups=tuple(groups[a.id]),
                wanted_zone_id=a.wanted_zone_id,
                wanted_type=BoothType(a.wanted_booth_type),
                booths_wanted=a.booths_wanted,
            )
            for a in applications
        ],
        taken,
    )
