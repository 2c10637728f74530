"""Background jobs' files (services/jobs/queue.py): a job's result for those who may read it, and the
public catalog of a published fair."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from models import Job
from services.common.errors import DomainError, ErrorCode
from services.fairs.catalog import job as catalog_job
from services.jobs import queue as jobs
from web.access import download_reach
from web.refusals import not_found, path_int, refuse, refuse_problems, render_failed
from web.responses import ORJSONResponse, file_answer


async def _job_file(request: Request, job: Job, *, public: bool) -> Response:
    """A succeeded job's file; its ETag is the file's sha256 (a public catalog's URL stays while its data
    changes, hence a short max-age there)."""
    media_type = jobs.content_type(job)
    return await file_answer(
        request,
        cast(str, jobs.result_key(job)),
        sha256=cast(str, job.result_sha256),
        cache_control="public, max-age=300" if public else "private, max-age=86400, immutable",
        media_type=media_type,
        filename=job.result_name,
        disposition="inline" if media_type == "application/pdf" else "attachment",
    )


def _no_job(request: Request) -> Response:
    return not_found(request, "Không tìm thấy công việc.", "No such job.")


async def job_result(request: Request) -> Response:
    """GET /jobs/{id}/result: a succeeded job's file, with the signed query of `Job.downloadUrl` or the
    bearer token of someone who may read the job (its creator; for a catalog, the fair's organisers)."""
    job_id = path_int(request, "job_id")
    if job_id is None:
        return _no_job(request)
    reach = await download_reach(request, lambda expires, sig: jobs.verify_download(job_id, expires, sig))
    if isinstance(reach, Response):
        return reach
    job = (await jobs.jobs_by_ids({job_id}, reach)).get(job_id)
    if job is None:
        return _no_job(request)
    if job.status != "succeeded":
        return refuse(
            request,
            409,
            ErrorCode.NOT_READY,
            f"Công việc đang ở trạng thái {job.status} ({job.progress}%): chưa có kết quả.",
            f"The job is {job.status} ({job.progress}%): no result yet.",
        )
    if not await jobs.result_kept(job):
        return refuse(
            request,
            410,
            ErrorCode.GONE,
            "Tệp không còn được lưu: hãy tạo lại.",
            "The file is no longer kept: generate it again.",
        )
    return await _job_file(request, job, public=False)


async def fair_catalog_pdf(request: Request) -> Response:
    """GET /fairs/{slug}/catalog.pdf?lang=vi|en|bilingual&paper=A4|A5: the printable catalog of a published
    fair, for anyone. 200 with the PDF made from the current data; 202 while it is being made (the first
    request after a change queues it); 503 when its render failed; 404 for a fair not published."""
    query = request.query_params
    try:
        job = await catalog_job.public_catalog(
            request.path_params["slug"],
            query.get("lang", "vi"),
            query.get("paper", "A4"),
            request.app.state.public_base_url,
        )
    except DomainError as exc:
        return refuse_problems(request, 400, exc.problems)
    if job is None:
        return not_found(
            request, "Hội chợ này chưa có catalogue được công bố.", "No published catalog for this fair."
        )
    if job.status == "succeeded":
        return await _job_file(request, job, public=True)
    if job.status == "failed":
        return render_failed(
            request,
            "Không tạo được catalogue từ dữ liệu hiện tại: ban tổ chức có thể tạo lại.",
            "The catalog of the current data could not be made: its organisers can generate it again.",
            headers={"retry-after": "600"},
        )
    return ORJSONResponse(
        {"status": job.status, "progress": job.progress},
        202,
        headers={"Retry-After": "5", "Cache-Control": "no-store"},
    )


routes: list[BaseRoute] = [
    Route("/jobs/{job_id}/result", job_result, methods=["GET", "HEAD"]),
    Route("/fairs/{slug}/catalog.pdf", fair_catalog_pdf, methods=["GET", "HEAD"]),
]
