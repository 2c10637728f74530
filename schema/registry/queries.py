"""Root query fields of the registry: arguments decoded, the search service asked, the rows paged."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, cast

import strawberry
from strawberry import relay
from tortoise.queryset import QuerySet

from schema.admin import AdministrativeUnit
from schema.compiled import projection
from schema.context import Info
from schema.enums import CriteriaSet, ProductSortField, SortDirection, UnitEra, UnitLevel
from schema.ids import decode_id, decode_optional_id, encode_cursor, page_window
from schema.jobs.types import Job
from schema.lookahead import selects
from schema.pagination import After, Before, Connection, First, Last, Page, fetch_page
from schema.registry.filters import (
    EVALUATION_FILTER,
    PRODUCER_FILTER,
    PRODUCT_FILTER,
    EvaluationFilter,
    ProducerFilter,
    ProductFilter,
    ProductSort,
)
from schema.registry.inputs import ReportPeriodInput, ReportScopeInput
from schema.registry.types import (
    Evaluation,
    Producer,
    Product,
    ProductGroup,
    ProgrammeFigures,
    ProgrammeProgress,
    RegistryImport,
    RegistryImportReport,
    SpreadsheetColumn,
    SpreadsheetTemplate,
    visible_product,
)
from services.common import rows
from services.policy import registry as policy
from services.registry import listing, programme, search
from services.registry.report import figures as report_figures
from services.registry.spreadsheets import job as spreadsheet_jobs
from services.registry.spreadsheets import template as spreadsheet_template

PageArgs = tuple[int | None, str | None, int | None, str | None]


async def _product_page(info: Info, query: QuerySet[Any], order: list[str], args: PageArgs) -> Page[Any]:
    """The page's products read in one statement with the relations the query selects, then the loaders
    primed with them (and the producers' provinces loaded in one batch), so that the items' relation
    fields resolve without awaiting."""
    node = ("edges", "node")
    with_producer = selects(info, *node, "producer")
    with_certificate = selects(info, *node, "stars") or selects(info, *node, "certificate")

    async def fetch(ids: list[int]) -> list[Any]:
        return await rows.fetch_products(ids, with_producer=with_producer, with_certificate=with_certificate)

    page: Page[Any] = await fetch_page(query, order, *args, fetch=fetch)
    _prime(info, page, with_producer, with_certificate)
    if with_producer and selects(info, *node, "producer", "province"):
        await info.context.loaders.admin_unit.load_many(sorted({r.producer.province_id for r in page.rows}))
    return page


def _prime(info: Info, page: Page[Any], with_producer: bool, with_certificate: bool) -> None:
    loaders = info.context.loaders
    loaders.prime(loaders.product, page.rows)
    if with_producer:
        loaders.prime(loaders.producer, [r.producer for r in page.rows])
    if with_certificate:
        loaders.prime(loaders.evaluation, [r.latest_certificate for r in page.rows if r.latest_certificate])


async def _listed_connection(
    info: Info,
    filters: search.ProductFilterData,
    order: list[str],
    first: int | None,
    after: str | None,
    query: Callable[[], Awaitable[QuerySet[Any]]],
) -> Connection[Product]:
    """A forward page of products read by services/registry/listing.py. Its nodes are built (and the loaders
    primed with their rows, as `_product_page` primes them) only when `edges` is resolved: a compiled plan
    that projects the page (schema/compiled/projection.py) reads the rows as they came."""
    node = ("edges", "node")
    with_producer = selects(info, *node, "producer")
    with_certificate = selects(info, *node, "stars") or selects(info, *node, "certificate")
    window = page_window(first, after, None, None, None)
    # Under a compiled plan that projects this page, only the columns the projection reads.
    promised = projection.promised(info.context, info.path)
    found = await listing.read_product_rows(
        filters,
        visibility=policy.product_scope(info.context.reach),
        order=order,
        offset=window.offset,
        limit=window.limit + 1,  # one more than asked tells whether a next page exists
        with_producer=with_producer,
        with_certificate=with_certificate,
        today=info.context.today,
        columns=cast(Any, promised.columns) if promised is not None else None,
    )
    shown = dataclasses.replace(found, rows=found.rows[: window.limit])
    page: Page[Any] = Page(
        rows=shown.rows,
        cursors=[encode_cursor(window.offset + i) for i in range(len(shown.rows))],
        has_next_page=len(found.rows) > window.limit,
        has_previous_page=window.offset > 0,
        total=None,
    )
    if with_producer and selects(info, *node, "producer", "province"):
        await info.context.loaders.admin_unit.load_many(sorted({r["pr__province_id"] for r in shown.rows}))

    def build() -> list[Product]:
        records = shown.records()
        _prime(info, dataclasses.replace(page, rows=records), with_producer, with_certificate)
        return [Product.from_model(cast(Any, r)) for r in records]

    return Connection[Product].lazy(page, shown, build, query)


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="Published OCOP products, filtered and sorted; at most 100 per page.")
    async def products(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            ProductFilter | None,
            strawberry.argument(description="Which products: all given filters must match."),
        ] = None,
        sort_by: Annotated[
            ProductSort | None, strawberry.argument(description="The order (by name by default).")
        ] = None,
    ) -> Connection[Product]:
        f = filter or ProductFilter()
        producer_id = decode_id(f.producer_id, "Producer", "filter.producerId") if f.producer_id else None
        filters = PRODUCT_FILTER(f, producer_id=producer_id)
        reach, today = info.context.reach, info.context.today
        sort = sort_by or ProductSort(field=ProductSortField.NAME)
        order = search.ordering(sort.field, sort.direction == SortDirection.DESC)

        async def query() -> QuerySet[Any]:
            visibility = policy.product_visibility(reach)
            return await search.product_query(filters, visibility=visibility, today=today)

        if last is None and before is None:  # forward: one statement (services/registry/listing.py)
            return await _listed_connection(info, filters, order, first, after, query)
        counted = await query()
        page = await _product_page(info, counted, order, (first, after, last, before))
        return Connection[Product].of(page, [Product.from_model(r) for r in page.rows], counted)

    @strawberry.field(
        description="One product by its global ID. Null when no product has this ID or the caller may not see it (unpublished)."
    )
    async def product(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The product's global ID.")],
    ) -> Product | None:
        return await visible_product(info, decode_id(id, "Product", "id"))

    @strawberry.field(description="Producers, filtered; at most 100 per page.")
    async def producers(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[ProducerFilter | None, strawberry.argument(description="Which producers.")] = None,
    ) -> Connection[Producer]:
        query = await search.producer_query(PRODUCER_FILTER(filter or ProducerFilter()))
        page: Page[Any] = await fetch_page(query, ("name_folded", "id"), first, after, last, before)
        info.context.loaders.prime(info.context.loaders.producer, page.rows)
        return Connection[Producer].of(page, [Producer.from_model(r) for r in page.rows], query)

    @strawberry.field(
        description="One producer by its global ID. Null when no producer has this ID or the caller may not see it."
    )
    async def producer(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The producer's global ID.")],
    ) -> Producer | None:
        row = await info.context.loaders.producer.load(decode_id(id, "Producer", "id"))
        return Producer.from_model(row) if row else None

    @strawberry.field(description="Evaluations, newest decision first.")
    async def evaluations(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            EvaluationFilter | None, strawberry.argument(description="Which evaluations.")
        ] = None,
    ) -> Connection[Evaluation]:
        f = filter or EvaluationFilter()
        product_id = decode_optional_id(f.product_id, "Product", "filter.productId")
        today = info.context.today
        query = search.evaluation_query(
            EVALUATION_FILTER(f, product_id=product_id),
            visibility=policy.evaluation_visibility(info.context.reach),
            today=today,
        )
        page: Page[Any] = await fetch_page(query, ("-decision_date", "-id"), first, after, last, before)
        return Connection[Evaluation].of(page, [Evaluation.from_model(r, today) for r in page.rows], query)

    @strawberry.field(description="Provinces and centrally governed cities of an era (current by default).")
    async def provinces(
        self,
        era: Annotated[
            UnitEra,
            strawberry.argument(
                description="CURRENT (34 provinces since 2025-07-01) or LEGACY (the 63 before)."
            ),
        ] = UnitEra.CURRENT,
    ) -> list[AdministrativeUnit]:
        return [AdministrativeUnit.from_model(u) for u in await search.provinces(era)]

    @strawberry.field(
        description="One administrative unit by level, GSO code and era. Null when no unit has this level, code and era."
    )
    async def administrative_unit(
        self,
        level: Annotated[UnitLevel, strawberry.argument(description="Province, district or commune.")],
        code: Annotated[str, strawberry.argument(description="Its GSO code.")],
        era: Annotated[
            UnitEra, strawberry.argument(description="The era the code belongs to.")
        ] = UnitEra.CURRENT,
    ) -> AdministrativeUnit | None:
        unit = await search.administrative_unit(level, code, era)
        return AdministrativeUnit.from_model(unit) if unit else None

    @strawberry.field(description="Product groups and sub-groups of a criteria set.")
    async def product_groups(
        self,
        criteria_set: Annotated[
            CriteriaSet, strawberry.argument(description="The criteria set.")
        ] = CriteriaSet.QD_148,
    ) -> list[ProductGroup]:
        return [ProductGroup.from_model(g) for g in await search.product_groups(criteria_set)]

    @strawberry.field(
        description="Progress of every programme target, optionally only those of one programme or one "
        "province (a target covers a province when its scope includes it, or it is national)."
    )
    async def programme_progress(
        self,
        programme_name: Annotated[
            str | None, strawberry.argument(description="Only the targets of this programme.")
        ] = None,
        province_code: Annotated[
            str | None, strawberry.argument(description="Only the targets covering this province (GSO code).")
        ] = None,
    ) -> list[ProgrammeProgress]:
        found = await programme.targets(programme_name, province_code)
        return [ProgrammeProgress.of(await programme.progress(target)) for target in found]

    @strawberry.field(
        description="The registry spreadsheet template: where to download it (.xlsx with lists to pick from "
        "and a filled example row, or CSV) and its columns. docs/coordination.md explains them."
    )
    def spreadsheet_template(self, info: Info) -> SpreadsheetTemplate:
        base = info.context.base_url.rstrip("/")
        return SpreadsheetTemplate(
            xlsx_url=f"{base}/registry/spreadsheet-template.xlsx",
            csv_url=f"{base}/registry/spreadsheet-template.csv",
            columns=[
                SpreadsheetColumn(
                    key=c.key,
                    header=c.header,
                    header_en=c.header_en,
                    description=c.note,
                    description_en=c.note_en,
                    required=c.required,
                    choices=list(c.choices),
                )
                for c in spreadsheet_template.COLUMNS
            ],
        )

    @strawberry.field(
        description="A spreadsheet import job (yours) and, once it has finished, its report; null when there "
        "is no such import job or it is not yours."
    )
    async def registry_import(
        self,
        info: Info,
        job_id: Annotated[
            relay.GlobalID,
            strawberry.argument(
                description="The import job's global ID, as `startRegistryImport` returned it."
            ),
        ],
    ) -> RegistryImport | None:
        ctx = info.context
        job = await spreadsheet_jobs.visible_import(decode_id(job_id, "Job", "jobId"), ctx.reach)
        if job is None:
            return None
        report = await spreadsheet_jobs.import_report(job)
        return RegistryImport(
            job=Job.from_model(job),
            report=RegistryImportReport.from_report(report, ctx.language) if report is not None else None,
        )

    @strawberry.field(
        description="The figures of a programme report for a scope and a period (both days included): "
        "targets' progress, products by stars, group and province, new and expired certificates by year, "
        "the 2019 pilot provinces compared, and how many certificates end within `expiringWithinDays` days. "
        "The same figures the printed report shows."
    )
    async def programme_figures(
        self,
        info: Info,
        scope: Annotated[
            ReportScopeInput,
            strawberry.argument(description="What the figures cover: the country, a region or a province."),
        ],
        period: Annotated[
            ReportPeriodInput,
            strawberry.argument(description="The reporting period, both days included."),
        ],
        expiring_within_days: Annotated[
            int,
            strawberry.argument(
                description="The window of `expiringCount`: certificates ending within this many days of today."
            ),
        ] = 90,
    ) -> ProgrammeFigures:
        found = await report_figures.figures(
            await report_figures.resolve_scope(scope.kind, scope.code),
            period.start,
            period.end,
            info.context.today,
            expiring_within_days,
        )
        return ProgrammeFigures.of(found)

    @strawberry.field(
        description="Certificates still valid that end within `withinDays` days (90 by default), soonest "
        "first: each the latest of its product. For a province's officers (their province) and central "
        "admins (any province, or the whole country without `provinceCode`)."
    )
    async def expiring_certificates(
        self,
        info: Info,
        province_code: Annotated[
            str | None,
            strawberry.argument(
                description="The province's two-digit GSO code; for officers their own province, for central "
                "admins any province or none (the whole country)."
            ),
        ] = None,
        within_days: Annotated[
            int, strawberry.argument(description="How many days ahead of today to look (90 by default).")
        ] = 90,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Evaluation]:
        today = info.context.today
        query = await report_figures.expiring_for(info.context.reach, province_code, today, within_days)
        page: Page[Any] = await fetch_page(query, ("valid_until", "id"), first, after, last, before)
        return Connection[Evaluation].of(page, [Evaluation.from_model(r, today) for r in page.rows], query)
