"""Reads of fairs: the list a client filters, and one fair by its slug, each within what the actor may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from models import Booth, ExhibitorApplication, Fair, FairKind, FairStatus
from services.policy import Reach
from services.policy import fairs as fair_policy


@dataclass(frozen=True, slots=True)
class FairFilterData:
    status: FairStatus | None = None
    kind: FairKind | None = None
    province_code: str | None = None
    on_or_after: dt.date | None = None  # fairs ending on or after this day
    on_or_before: dt.date | None = None  # fairs starting on or before this day


def fair_query(filters: FairFilterData, reach: Reach) -> QuerySet[Fair]:
    query = Fair.all()
    if (visibility := fair_policy.fair_visibility(reach)) is not None:
        query = query.filter(visibility)
    if filters.status is not None:
        query = query.filter(status=filters.status)
    if filters.kind is not None:
        query = query.filter(kind=filters.kind)
    if filters.province_code:
        query = query.filter(province__code=filters.province_code.strip().zfill(2))
    if filters.on_or_after is not None:
        query = query.filter(ends_on__gte=filters.on_or_after)
    if filters.on_or_before is not None:
        query = query.filter(starts_on__lte=filters.on_or_before)
    return query


async def fair_by_slug(slug: str, reach: Reach) -> Fair | None:
    """The fair, or None when it does not exist or the actor may not see it (the same answer for both)."""
    row = await Fair.get_or_none(slug=slug.strip().lower())
    return row if row is not None and fair_policy.sees_fair(reach, row) else None


async def fair_of(fair_id: int) -> Fair:
    """A fair a service has just written or checked (its mutation answers with it)."""
    return await Fair.get(id=fair_id)


async def fair_of_application(application: ExhibitorApplication) -> Fair:
    return await Fair.get(id=application.fair_id)


async def booth_with_fair(booth_id: int) -> Booth:
    """A booth with its fair (whether its exhibitor shows depends on the fair)."""
    return await Booth.get(id=booth_id).select_related("fair")
