"""`generateCatalog` (a fair's printable catalog) and `startProgrammeReport` (a coordination office's
programme report): PDFs rendered as background jobs."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import ERRORS, INPUT, JobError
from schema.ids import decode_id
from schema.jobs.inputs import GenerateCatalogInput, StartProgrammeReportInput
from schema.jobs.types import Job
from services.fairs.catalog import job as catalog_job
from services.registry.report import job as report_job


@strawberry.type(description="The job that renders the catalog.")
class GenerateCatalogPayload:
    job: Job | None = strawberry.field(
        description="The background job; follow it until SUCCEEDED. Null when refused."
    )
    errors: list[JobError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The job that renders the programme report.")
class StartProgrammeReportPayload:
    job: Job | None = strawberry.field(
        description="The background job; follow it until SUCCEEDED. Null when refused."
    )
    errors: list[JobError] = strawberry.field(description=ERRORS)


@strawberry.type
class JobMutation:
    @strawberry.mutation(
        description="Render a fair's printable catalog (PDF) in the background; for the fair's organisers "
        "and central admins. Returns at once with the job: the same data, language and format give the "
        "same job, already succeeded when that catalog was made before. The public downloads published "
        "catalogs from /fairs/{slug}/catalog.pdf.",
        extensions=[Refusals(), Audit()],
    )
    async def generate_catalog(
        self, info: Info, input: Annotated[GenerateCatalogInput, strawberry.argument(description=INPUT)]
    ) -> GenerateCatalogPayload:
        ctx = info.context
        job = await catalog_job.generate_catalog(
            decode_id(input.fair_id, "Fair", "fairId"),
            input.language.value,
            input.format.value,
            ctx.reach,
            user_id=ctx.actor.user_id,
            base_url=ctx.base_url,
        )
        return GenerateCatalogPayload(job=Job.from_model(job), errors=[])

    @strawberry.mutation(
        description="Render a programme report (PDF, A4) in the background: progress against targets, "
        "products by stars and group, new and expired certificates, the 2019 pilot provinces compared and the "
        "certificates about to expire, each figure a chart beside its table (the figures of "
        "`programmeFigures`). For a province's officers (their province) and central admins (any scope). "
        "Returns at once with the job; poll it with `node(id)` until `downloadUrl` is set.",
        extensions=[Refusals(), Audit()],
    )
    async def start_programme_report(
        self, info: Info, input: Annotated[StartProgrammeReportInput, strawberry.argument(description=INPUT)]
    ) -> StartProgrammeReportPayload:
        ctx = info.context
        job = await report_job.start_programme_report(
            ctx.reach,
            input.scope.kind,
            input.scope.code,
            input.period.start,
            input.period.end,
            input.language.value,
            user_id=ctx.actor.user_id,
        )
        return StartProgrammeReportPayload(job=Job.from_model(job), errors=[])
