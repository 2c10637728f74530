"""GraphQL type of background jobs (catalog renders): the `Job` node."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import Self

import strawberry
from strawberry import relay

from models import Job as JobModel
from models import JobStatus
from schema.context import Info
from schema.enums import describe_enum
from schema.ids import nodes_by_ids
from schema.mapping import from_row
from services.fairs.catalog import job as catalog_job
from services.jobs import queue as jobs
from services.registry.portability import job as portability_job
from services.registry.report import job as report_job
from services.registry.spreadsheets import job as spreadsheet_jobs

describe_enum(
    JobStatus,
    name="JobStatus",
    description="queued: waiting for a worker; running; succeeded: the result can be downloaded; failed: "
    "see `error`.",
    values={
        "QUEUED": "Waiting for a worker.",
        "RUNNING": "A worker is making it: see progress.",
        "SUCCEEDED": "Done: download the result from downloadUrl.",
        "FAILED": "Failed: see error.",
    },
)


class JobKind(Enum):
    """One member per kind registered in services (services.jobs.queue.KINDS); tests/jobs/test_jobs.py holds
    the two lists together."""

    CATALOG = catalog_job.CATALOG
    PROGRAMME_REPORT = report_job.PROGRAMME_REPORT
    REGISTRY_IMPORT = spreadsheet_jobs.IMPORT
    REGISTRY_EXPORT = spreadsheet_jobs.EXPORT
    PRODUCER_EXPORT = portability_job.EXPORT


describe_enum(
    JobKind,
    description="What a job makes: a fair's printed catalog, a programme report, a registry spreadsheet "
    "import or export, or a producer's data export.",
    values={
        "CATALOG": "A fair's printable catalog (PDF).",
        "PROGRAMME_REPORT": "A printed OCOP programme report (PDF) for a scope and a period.",
        "REGISTRY_IMPORT": "A registry spreadsheet import: a dry run's report, or the rows written.",
        "REGISTRY_EXPORT": "A registry spreadsheet export (.xlsx or CSV) of the products the caller sees.",
        "PRODUCER_EXPORT": "A producer's own data as a zip (exportMyData): products, lots, labels, EPCIS events.",
    },
)


@strawberry.type(
    description="A background job, e.g. a catalog render. Poll it through `node(id)` until it has "
    "succeeded (then `downloadUrl` is set) or failed (then `error` says why). Readable by whoever asked for "
    "it and, for a catalog, by those who manage the fair."
)
class Job(relay.Node):
    id: relay.NodeID[int]
    status: JobStatus = strawberry.field(description="Where the job stands.")
    progress: int = strawberry.field(
        description="Percent done, 0 to 100: input read, then pages laid out, pages drawn and parts joined; "
        "updated about every second while the job runs."
    )
    error: str | None = strawberry.field(
        description="Why it failed (in English), or a note on a retry. Null while the job runs and after it succeeded without a retry."
    )
    created_at: dt.datetime = strawberry.field(description="When it was asked for.")
    finished_at: dt.datetime | None = strawberry.field(
        description="When it succeeded or failed. Null until it succeeds or fails."
    )
    model: strawberry.Private[JobModel]

    @classmethod
    def from_model(cls, job: JobModel) -> Self:
        return from_row(cls, job, status=JobStatus(job.status), model=job)

    @strawberry.field(description="What the job makes.")
    def kind(self) -> JobKind:
        # Read when asked: a job of a kind registered at run time only (tests' kinds) is still a Job.
        return JobKind(self.model.kind)

    @strawberry.field(
        description="Estimated seconds until a running job is done, from its progress so far; null when it "
        "is not running or has not reported progress yet."
    )
    def eta_seconds(self) -> int | None:
        return jobs.eta_seconds(self.model)

    @strawberry.field(
        description="A link to the result that needs no token, valid for a week; null until the job has "
        "succeeded."
    )
    def download_url(self, info: Info) -> str | None:
        if not jobs.has_result(self.model):
            return None
        return jobs.download_url(info.context.base_url, self.id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return await nodes_by_ids(
            node_ids, lambda ids: jobs.jobs_by_ids(set(ids), info.context.reach), cls.from_model
        )
