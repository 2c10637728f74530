"""The registry's spreadsheet jobs, registered with the generic queue (services/jobs/queue.py):

- `registry_import`: `prepare` names the uploaded file; `render` (services/registry/spreadsheets/parse.py)
  reads and cleans its rows in the job's child process, under time and memory limits; `finish` checks them
  against the database and the officer's province (`validate`) and, for a confirmed import, writes them
  all or nothing (`apply`). The job's result is the report (JSON): every row's problems and what the
  import creates, updates or leaves unchanged. A dry run writes nothing; `confirm_import` runs the same
  file again, for real, and writes nothing either if any row has a problem.
- `registry_export`: `prepare` reads the products the caller may see (filtered like `products`); `render`
  writes them in the template (.xlsx or CSV).

Both carry the caller's reach in their parameters (as it was when they were asked for), since a worker has
no request."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import importlib.metadata
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import structlog
from tortoise.exceptions import IntegrityError

from models import Job, JobStatus
from services.accounts import audit
from services.common import storage
from services.common.errors import DomainError, FieldProblem
from services.jobs import queue as jobs
from services.policy import Reach
from services.policy.registry import deny, may_import_spreadsheets
from services.registry import search
from services.registry.errors import RegistryErrorCode
from services.registry.spreadsheets import export, parse, uploads
from services.registry.spreadsheets.apply import apply_plan
from services.registry.spreadsheets.validate import plan_import

log = structlog.get_logger("ocop.registry.spreadsheets")

IMPORT = "registry_import"
EXPORT = "registry_export"
DRY_RUN, APPLY = "dry_run", "apply"
REPORT_NAME = "registry-import-report.json"


@functools.cache
def _version() -> str:
    return f"openpyxl {importlib.metadata.version('openpyxl')}; template 1"


def reach_params(reach: Reach) -> dict[str, Any]:
    return {
        "everything": reach.everything,
        "producer_ids": sorted(reach.producer_ids),
        "province_ids": sorted(reach.province_ids),
        "commune_ids": sorted(reach.commune_ids),
    }


def reach_from(params: Mapping[str, Any]) -> Reach:
    given = params["reach"]
    return Reach(
        everything=bool(given["everything"]),
        producer_ids=frozenset(given["producer_ids"]),
        province_ids=frozenset(given["province_ids"]),
        commune_ids=frozenset(given["commune_ids"]),
    )


def upload_url(reach: Reach, base_url: str) -> str:
    """A signed URL to upload a spreadsheet to, for those who may import."""
    if reach.actor.user_id is None or not may_import_spreadsheets(reach):
        raise deny(reach)
    return uploads.upload_url(base_url, reach.actor.user_id)


# -- import --------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ImportInput:
    source: parse.Source
    nonce: str  # every import runs: the database it is checked against changes


async def _prepare_import(params: Mapping[str, Any]) -> ImportInput:
    path = await uploads.path_of(str(params["file"]))
    if path is None:
        raise LookupError("the uploaded spreadsheet is no longer kept")
    return ImportInput(parse.Source(str(path), uploads.kind_of(str(params["file"]))), str(params["nonce"]))


def render_import(data: ImportInput, progress: Any = None) -> bytes:
    """The import's render step, in the child process: read and clean the rows."""
    return parse.parse_file(data.source, progress)


async def _finish_import(job: Job, data: ImportInput, parsed_path: Path) -> bytes:
    parsed = orjson.loads(await asyncio.to_thread(parsed_path.read_bytes))
    rows = parse.Rows()
    rows.problems = list(parsed["problems"])
    mode = str(job.params["mode"])
    plan = await plan_import(parsed["rows"], reach_from(job.params), rows)
    applied = False
    if mode == APPLY and not rows.problems:
        try:
            await apply_plan(plan)
            applied = True
        except IntegrityError as exc:  # a concurrent write took a tax code or GTIN meanwhile
            log.warning("import conflicted", job_id=job.id, error=str(exc))
            rows.add(
                0,
                "",
                "unique",
                "Dữ liệu vừa bị thay đổi bởi người khác: hãy chạy thử lại.",
                "The registry changed meanwhile: run the dry run again.",
            )
        if job.created_by_id is not None:
            await audit.record(
                job.created_by_id,
                None,
                "applyRegistryImport",
                "Job",
                job.id,
                error_codes=[] if applied else ["unique"],
                request_id=None,
            )
    report = {
        "mode": mode,
        "applied": applied,
        "rows": parsed["total"],
        "problems": sorted(rows.problems, key=lambda p: (p["row"], p["column"])),
        "counts": plan.counts(),
        "actions": plan.actions,
        "file": job.params["file"],
    }
    return orjson.dumps(report)


IMPORT_KIND = jobs.register(
    jobs.JobKind(
        name=IMPORT,
        prepare=_prepare_import,
        render=render_import,
        version=_version,
        file_name=lambda params: REPORT_NAME,
        # Memory is the bound that matters (the reader streams); 20,000 rows take ~1 min of CPU on a busy
        # core (benchmarks/spreadsheet_bench.py), so the time limit is generous.
        timeout_s=900.0,
        memory_mb=1024,
        finish=_finish_import,
    )
)


def _not_found(field: str) -> DomainError:
    return DomainError(
        [
            FieldProblem(
                field,
                RegistryErrorCode.NOT_FOUND,
                "Không tìm thấy tệp hoặc công việc.",
                "No such file or job.",
            )
        ]
    )


async def start_import(file: str, reach: Reach, *, dry_run: bool, user_id: int | None) -> Job:
    """Queue an import of an uploaded spreadsheet: a dry run (the report only) or, at once, for real."""
    if not may_import_spreadsheets(reach):
        raise deny(reach, "file")
    if not await uploads.is_kept(file):
        raise _not_found("file")
    params = {
        "file": file,
        "mode": DRY_RUN if dry_run else APPLY,
        "reach": reach_params(reach),
        "nonce": secrets.token_hex(8),
    }
    return await jobs.submit(IMPORT, params, user_id=user_id)


async def confirm_import(job_id: int, reach: Reach, *, user_id: int | None) -> Job:
    """Apply the file of a succeeded dry run (of this caller's) whose report has no problem. The rows are
    checked again against the database as it is now: a row that became wrong writes nothing at all."""
    job = (await jobs.jobs_by_ids({job_id}, reach)).get(job_id)
    if job is None or job.kind != IMPORT:
        raise _not_found("jobId")
    report = await import_report(job)
    if report is None or report["mode"] != DRY_RUN:
        raise DomainError(
            [
                FieldProblem(
                    "jobId",
                    RegistryErrorCode.NOT_ALLOWED,
                    "Chỉ xác nhận được một lần chạy thử đã xong.",
                    "Only a finished dry run can be confirmed.",
                )
            ]
        )
    if report["problems"]:
        raise DomainError(
            [
                FieldProblem(
                    "jobId",
                    RegistryErrorCode.NOT_ALLOWED,
                    f"Lần chạy thử có {len(report['problems'])} lỗi: hãy sửa tệp và chạy thử lại.",
                    f"The dry run found {len(report['problems'])} problems: fix the file and try again.",
                )
            ]
        )
    return await start_import(str(job.params["file"]), reach, dry_run=False, user_id=user_id)


async def import_report(job: Job) -> dict[str, Any] | None:
    """A finished import job's report; None while it runs, or for another kind."""
    if job.kind != IMPORT or job.status != JobStatus.SUCCEEDED or not await jobs.result_kept(job):
        return None
    key = jobs.result_key(job)
    assert key is not None
    report: dict[str, Any] = orjson.loads(await storage.current().read_bytes(key))
    return report


async def visible_import(job_id: int, reach: Reach) -> Job | None:
    job = (await jobs.jobs_by_ids({job_id}, reach)).get(job_id)
    return job if job is not None and job.kind == IMPORT else None


# -- export --------------------------------------------------------------------------------------------------


async def _prepare_export(params: Mapping[str, Any]) -> export.ExportData:
    filters = search.ProductFilterData(**params["filter"])
    return export.ExportData(str(params["format"]), await export.read_rows(filters, reach_from(params)))


def render_export(data: export.ExportData, progress: Any = None) -> bytes:
    return export.render_export(data, progress)


EXPORT_KIND = jobs.register(
    jobs.JobKind(
        name=EXPORT,
        prepare=_prepare_export,
        render=render_export,
        version=_version,
        file_name=lambda params: f"ocop-registry.{params['format']}",
        timeout_s=300.0,
        memory_mb=1024,
    )
)


async def start_export(
    filters: search.ProductFilterData, fmt: str, reach: Reach, *, user_id: int | None
) -> Job:
    """Queue an export of the registry as the caller sees it; the same data in the same format is the same
    job (its file reused)."""
    if not reach.actor.is_authenticated:
        raise deny(reach)
    if fmt not in export.FORMATS:
        raise DomainError(
            [
                FieldProblem(
                    "format", RegistryErrorCode.INVALID, "Định dạng: xlsx hoặc csv.", "Format: xlsx or csv."
                )
            ]
        )
    search.checked_terms(filters.search)
    params = {"filter": dataclasses.asdict(filters), "format": fmt, "reach": reach_params(reach)}
    return await jobs.submit(EXPORT, params, user_id=user_id)
