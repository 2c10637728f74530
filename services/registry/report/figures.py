"""The programme report's figures, for a scope (a province, a region or the whole country) and a period:
the one source of both the printed report (services/registry/report/document.py) and GraphQL
(`programmeFigures`, `expiringCertificates`).

Definitions (docs/coordination.md says the same to offices):
- a *certificate* is a certified evaluation (3-5★); one revoked later still counts as issued in its year;
- *new certificates*: decided within the period; *expired*: certified, validity ended within the period and
  before today (revoked ones are not "expired");
- *products by stars / by group / by province*: products whose latest certificate is valid on the period's
  last day (today for a period that has not ended);
- *expiring*: products whose latest certificate is valid today and ends within `within_days` days.

All figures are computed from the registry at the time of the request; nothing is typed in."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models import AdminUnit, Evaluation, EvaluationStatus, Producer, Product, ProductGroup, UnitLevel
from services.common.errors import DomainError, FieldProblem
from services.policy import Reach
from services.policy.registry import deny, may_follow_programme
from services.registry import programme
from services.registry.errors import RegistryErrorCode
from services.registry.report.regions import BY_CODE, PILOT_PROVINCES, REGIONS
from services.registry.search import province_scope

EXPIRING_DAYS = 90
MAX_EXPIRING_DAYS = 366
STARS = (3, 4, 5)


class ScopeKind(StrEnum):
    COUNTRY = "country"
    REGION = "region"
    PROVINCE = "province"


@dataclass(frozen=True, slots=True)
class Scope:
    kind: ScopeKind
    code: str  # "" for the country, a region code (regions.REGIONS) or a two-digit province code
    name: str
    name_en: str
    province_codes: tuple[str, ...]  # empty: the whole country


@dataclass(frozen=True, slots=True)
class YearFigures:
    year: int
    new_by_stars: tuple[int, int, int]  # 3★, 4★, 5★ decided that year (within the period)
    expired: int

    @property
    def new(self) -> int:
        return sum(self.new_by_stars)


@dataclass(frozen=True, slots=True)
class Share:
    """One row of a breakdown: a key (stars, a group code, a province code), its names and a count."""

    key: str
    name: str
    name_en: str
    count: int


@dataclass(frozen=True, slots=True)
class ProvinceFigures:
    code: str
    name: str
    products: int  # products with a valid certificate at the period's end
    new_certificates: int
    five_stars: int  # of `products`
    pilot: bool


@dataclass(frozen=True, slots=True)
class TargetFigures:
    programme: str
    metric: str
    scope_name: str
    period_start: dt.date
    period_end: dt.date
    target: str  # decimals as text: the figures pickle and hash the same everywhere
    actual: str
    ratio: str | None
    reached: bool


@dataclass(frozen=True, slots=True)
class Expiring:
    evaluation_id: int
    product: str
    producer: str
    province: str
    stars: int
    valid_until: dt.date
    days_left: int


@dataclass(frozen=True, slots=True)
class Figures:
    scope: Scope
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date  # the day products are counted on
    today: dt.date
    targets: tuple[TargetFigures, ...]
    products: int
    by_stars: tuple[Share, ...]
    by_group: tuple[Share, ...]
    new_certificates: int
    expired_certificates: int
    by_year: tuple[YearFigures, ...]
    by_province: tuple[ProvinceFigures, ...]
    pilots: tuple[ProvinceFigures, ...]
    expiring: tuple[Expiring, ...]
    expiring_within_days: int


@dataclass(frozen=True, slots=True)
class ReportData:
    """What the printed report needs, prepared in the server (services/registry/report/job.py): picklable,
    and hashed for the job's identity. Here, not in `document`, so the server never imports the charts."""

    figures: Figures
    language: str
    generated_on: dt.date


def _problem(field: str, vi: str, en: str) -> DomainError:
    return DomainError([FieldProblem(field, RegistryErrorCode.INVALID, vi, en)])


async def resolve_scope(kind: ScopeKind | str, code: str | None) -> Scope:
    """The scope named by a kind and a code; an unknown region or province is refused."""
    kind = ScopeKind(kind)
    code = (code or "").strip()
    if kind == ScopeKind.COUNTRY:
        return Scope(kind, "", "Toàn quốc", "Whole country", ())
    if kind == ScopeKind.REGION:
        region = BY_CODE.get(code.upper())
        if region is None:
            codes = ", ".join(r.code for r in REGIONS)
            raise _problem("scope.code", f"Vùng: một trong {codes}.", f"Region: one of {codes}.")
        return Scope(kind, region.code, f"Vùng {region.name}", region.name_en, region.provinces)
    await province_scope(code, "scope.code")  # refuses an unknown province
    unit = (
        await AdminUnit.filter(level=UnitLevel.PROVINCE, code=code.zfill(2)).order_by("era").first()
    )  # "current" sorts before "legacy"
    assert unit is not None
    return Scope(kind, unit.code, unit.name, unit.name, (unit.code,))


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise _problem(
            "period.end", "Ngày cuối kỳ phải sau ngày đầu kỳ.", "The period must end after it starts."
        )
    if end.year - start.year > 30:
        raise _problem("period", "Kỳ báo cáo tối đa 30 năm.", "A report covers at most 30 years.")


async def producers_of(scope: Scope) -> Subquery | None:
    """The producers of a scope (None: every producer)."""
    if not scope.province_codes:
        return None
    where = Q()
    for index, code in enumerate(scope.province_codes):
        part = await province_scope(code, "scope.code")
        where = part if index == 0 else where | part
    return Subquery(Producer.filter(where).values("id"))


def _in_scope(query: QuerySet[Any], producers: Subquery | None, prefix: str) -> QuerySet[Any]:
    return query if producers is None else query.filter(**{f"{prefix}producer_id__in": producers})


def expiring_query(
    producers: Subquery | None, today: dt.date, within_days: int = EXPIRING_DAYS
) -> QuerySet[Evaluation]:
    """Certificates valid today that end within `within_days` days and are their product's latest (a
    product already re-certified is not reminded)."""
    latest = Product.filter(latest_certificate_id__isnull=False)
    if producers is not None:
        latest = latest.filter(producer_id__in=producers)
    return Evaluation.filter(
        id__in=Subquery(latest.values("latest_certificate_id")),
        status=EvaluationStatus.CERTIFIED,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=within_days),
    ).filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))


def check_within_days(within_days: int) -> None:
    if not 1 <= within_days <= MAX_EXPIRING_DAYS:
        raise _problem(
            "withinDays",
            f"Số ngày từ 1 đến {MAX_EXPIRING_DAYS}.",
            f"Days: from 1 to {MAX_EXPIRING_DAYS}.",
        )


async def expiring_rows(query: QuerySet[Evaluation], today: dt.date) -> list[Expiring]:
    rows = await query.order_by("valid_until", "id").values(
        "id",
        "stars",
        "valid_until",
        product_name="product__name",
        producer_name="product__producer__name",
        province_name="product__producer__province__name",
    )
    return [
        Expiring(
            evaluation_id=r["id"],
            product=r["product_name"],
            producer=r["producer_name"],
            province=r["province_name"],
            stars=int(r["stars"]),
            valid_until=r["valid_until"],
            days_left=(r["valid_until"] - today).days,
        )
        for r in rows
    ]


def _latest_valid(certificates: list[dict[str, Any]], day: dt.date) -> list[dict[str, Any]]:
    """Per product, its latest certificate decided by `day`, kept when valid on `day`."""
    latest: dict[int, dict[str, Any]] = {}
    for row in certificates:
        if row["status"] != EvaluationStatus.CERTIFIED or row["decision_date"] > day:
            continue
        held = latest.get(row["product_id"])
        if held is None or (row["decision_date"], row["id"]) > (held["decision_date"], held["id"]):
            latest[row["product_id"]] = row
    return [
        row
        for row in latest.values()
        if (row["valid_from"] or row["decision_date"]) <= day <= row["valid_until"]
    ]


async def _targets(scope: Scope, start: dt.date, end: dt.date) -> tuple[TargetFigures, ...]:
    """Targets whose period overlaps the report's and whose scope meets it (national targets always)."""
    found = []
    for target in await programme.targets():
        if target.period_end < start or target.period_start > end:
            continue
        codes = {p.code for p in target.provinces}
        if codes and scope.province_codes and not codes & set(scope.province_codes):
            continue
        progress = await programme.progress(target)
        found.append(
            TargetFigures(
                programme=target.programme,
                metric=str(target.metric),
                scope_name=target.scope_name,
                period_start=target.period_start,
                period_end=target.period_end,
                target=format(target.target_value.normalize(), "f"),
                actual=str(progress.actual),
                ratio=None if progress.ratio is None else str(progress.ratio),
                reached=progress.reached,
            )
        )
    return tuple(found)


async def figures(
    scope: Scope, start: dt.date, end: dt.date, today: dt.date, within_days: int = EXPIRING_DAYS
) -> Figures:
    check_period(start, end)
    check_within_days(within_days)
    producers = await producers_of(scope)
    as_of = min(end, today)
    certificates = list(
        await _in_scope(
            Evaluation.filter(status__in=(EvaluationStatus.CERTIFIED, EvaluationStatus.REVOKED)),
            producers,
            "product__",
        )
        .filter(decision_date__lte=end)
        .values(
            "id",
            "product_id",
            "stars",
            "status",
            "decision_date",
            "valid_from",
            "valid_until",
            group_id="product__group_id",
            province_id="product__producer__province_id",
        )
    )
    new = [c for c in certificates if start <= c["decision_date"] <= end]
    expired = [
        c
        for c in certificates
        if c["status"] == EvaluationStatus.CERTIFIED
        and start <= c["valid_until"] <= end
        and c["valid_until"] < today
    ]
    held = _latest_valid(certificates, as_of)

    by_year = []
    for year in range(start.year, end.year + 1):
        stars = Counter(c["stars"] for c in new if c["decision_date"].year == year)
        by_year.append(
            YearFigures(
                year,
                (stars[3], stars[4], stars[5]),
                sum(1 for c in expired if c["valid_until"].year == year),
            )
        )

    star_counts = Counter(int(c["stars"]) for c in held)
    by_stars = tuple(Share(str(s), f"{s} sao", f"{s} stars", star_counts[s]) for s in STARS)

    group_counts = Counter(c["group_id"] for c in held)
    groups = {g.id: g for g in await ProductGroup.filter(id__in=list(group_counts))}
    by_group = tuple(
        Share(groups[i].code, groups[i].name, groups[i].name_en, n)
        for i, n in sorted(group_counts.items(), key=lambda item: (-item[1], groups[item[0]].code))
    )

    province_held = Counter(c["province_id"] for c in held)
    province_five = Counter(c["province_id"] for c in held if c["stars"] == 5)
    province_new = Counter(c["province_id"] for c in new)
    units = {u.id: u for u in await AdminUnit.filter(id__in=list(set(province_held) | set(province_new)))}
    by_province = tuple(
        sorted(
            (
                ProvinceFigures(
                    units[i].code,
                    units[i].name,
                    province_held[i],
                    province_new[i],
                    province_five[i],
                    units[i].code in PILOT_PROVINCES and units[i].era == "legacy",
                )
                for i in units
            ),
            key=lambda p: (-p.products, -p.new_certificates, p.code),
        )
    )
    pilots = await _pilots(scope, by_province)
    expiring = await expiring_rows(expiring_query(producers, today, within_days), today)
    return Figures(
        scope=scope,
        period_start=start,
        period_end=end,
        as_of=as_of,
        today=today,
        targets=await _targets(scope, start, end),
        products=len(held),
        by_stars=by_stars,
        by_group=by_group,
        new_certificates=len(new),
        expired_certificates=len(expired),
        by_year=tuple(by_year),
        by_province=by_province,
        pilots=pilots,
        expiring=tuple(expiring),
        expiring_within_days=within_days,
    )


async def _pilots(scope: Scope, by_province: tuple[ProvinceFigures, ...]) -> tuple[ProvinceFigures, ...]:
    """The 2019 pilot provinces in the scope, in the seed article's order, each with its figures (zero
    when it has none). Counted on the legacy province a producer is registered in."""
    codes = [c for c in PILOT_PROVINCES if not scope.province_codes or c in scope.province_codes]
    if not codes:
        return ()
    found = {p.code: p for p in by_province if p.pilot}
    names = dict(
        await AdminUnit.filter(level=UnitLevel.PROVINCE, era="legacy", code__in=codes).values_list(
            "code", "name"
        )
    )
    return tuple(found.get(c) or ProvinceFigures(c, str(names.get(c, c)), 0, 0, 0, True) for c in codes)


async def scope_unit_ids(scope: Scope) -> list[int] | None:
    """The province units (either era) of a province scope, for the policy; None for a region or the
    country."""
    if scope.kind != ScopeKind.PROVINCE:
        return None
    return [u.id for u in await AdminUnit.filter(level=UnitLevel.PROVINCE, code=scope.code).only("id")]


async def expiring_for(
    reach: Reach, province_code: str | None, today: dt.date, within_days: int = EXPIRING_DAYS
) -> QuerySet[Evaluation]:
    """The expiring certificates of one province (None: the whole country) for an officer of it or a
    central admin; refused to anyone else."""
    check_within_days(within_days)
    scope = await resolve_scope(ScopeKind.PROVINCE if province_code else ScopeKind.COUNTRY, province_code)
    if not may_follow_programme(reach, await scope_unit_ids(scope)):
        raise deny(reach, "provinceCode")
    return expiring_query(await producers_of(scope), today, within_days)
