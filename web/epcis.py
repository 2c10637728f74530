"""The EPCIS 2.0 REST interface (services/trace/epcis_query.py, epcis_capture.py): the events query and
capture. Its refusals are RFC 9457 problem documents with the EPCIS exception types, as GS1 requires."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.accounts import auth as accounts
from services.common.errors import DomainError
from services.policy import reach_of
from services.trace import epcis, epcis_problems, epcis_query
from services.trace.epcis_capture import CAPTURE_MAX_BYTES, CaptureJob, CaptureJobs, capture, may_capture
from web.middleware import BodyTooLarge, read_body
from web.responses import ORJSONResponse

_EPCIS_JSON_TYPES = ("application/json", "application/ld+json")


# The standards' versions, on every answer (EPCIS 2.0 REST bindings).
HEADERS = {"GS1-EPCIS-Version": epcis_query.EPCIS_VERSION, "GS1-CBV-Version": epcis_query.CBV_VERSION}
_STATUS = {
    epcis_problems.ProblemKind.QUERY_PARAMETER: 400,
    epcis_problems.ProblemKind.VALIDATION: 400,
    epcis_problems.ProblemKind.CAPTURE_LIMIT_EXCEEDED: 413,
    epcis_problems.ProblemKind.UNSUPPORTED_MEDIA_TYPE: 415,
    epcis_problems.ProblemKind.NO_SUCH_RESOURCE: 404,
    epcis_problems.ProblemKind.UNAUTHENTICATED: 401,
    epcis_problems.ProblemKind.FORBIDDEN: 403,
}


def _problem_document(problem: epcis_problems.Problem) -> dict[str, Any]:
    """RFC 9457: type, title, status, detail, then the problem's own members."""
    return {
        "type": problem.kind.exception_type,
        "title": problem.title,
        "status": _STATUS[problem.kind],
        "detail": problem.detail,
    } | problem.extra


def _problem_response(problem: epcis_problems.Problem) -> Response:
    headers = dict(HEADERS)
    if problem.kind is epcis_problems.ProblemKind.UNAUTHENTICATED:
        headers["WWW-Authenticate"] = "Bearer"
    if "captureID" in problem.extra:  # a failed capture job: its outcome stays readable
        headers["Location"] = f"/epcis/capture/{problem.extra['captureID']}"
    body = orjson.dumps(_problem_document(problem))
    return Response(body, _STATUS[problem.kind], headers, media_type="application/problem+json")


def _job_json(job: CaptureJob) -> dict[str, Any]:
    """A capture job as the OpenAPI's CaptureJob."""
    body: dict[str, Any] = {"captureID": job.capture_id, "createdAt": epcis.timestamp(job.created_at)}
    if job.finished_at is not None:
        body["finishedAt"] = epcis.timestamp(job.finished_at)
    return body | {
        "running": job.running,
        "success": job.success,
        "captureErrorBehaviour": "rollback",
        "errors": [_problem_document(problem) for problem in job.errors],
        "eventIDs": job.event_ids,
    }


async def _epcis_actor(request: Request) -> accounts.Actor:
    try:
        return await accounts.authenticate(request.headers.get("authorization"))
    except DomainError as exc:
        raise epcis_problems.problem_of(exc) from exc


async def epcis_events(request: Request) -> Response:
    """GET /epcis/events: a SimpleEventQuery answered with an EPCISQueryDocument, paged by perPage/Link."""
    try:
        actor = await _epcis_actor(request)
        params = list(request.query_params.multi_items())
        page = await epcis_query.query_events(
            params, await reach_of(actor), request.app.state.public_base_url
        )
    except epcis_problems.Problem as problem:
        return _problem_response(problem)
    headers = dict(HEADERS) | {"Vary": "Accept, Authorization"}
    if page.next_token is not None:
        kept = [(k, v) for k, v in params if k != "nextPageToken"] + [("nextPageToken", page.next_token)]
        # The public base URL, never the Host header: a spoofed Host must not reach a link handed out.
        base = request.app.state.public_base_url.rstrip("/")
        headers["Link"] = f'<{base}/epcis/events?{urlencode(kept)}>; rel="next"'
        headers["GS1-Next-Page-Token"] = page.next_token
    accept = request.headers.get("accept", "")
    media_type = "application/ld+json" if "application/ld+json" in accept else "application/json"
    return Response(orjson.dumps(page.document), 200, headers, media_type=media_type)


async def epcis_capture(request: Request) -> Response:
    """POST /epcis/capture: an EPCISDocument recorded all-or-nothing; 202 with the (finished) capture job. The
    caller is authenticated first and refused unread if it may record events of no lot, then the body is read
    up to CAPTURE_MAX_BYTES (a larger Content-Length is
    refused unread, a larger stream at the first chunk past it: 413) and parsed in a worker thread."""
    try:
        actor = await _epcis_actor(request)
        if not actor.is_authenticated:
            raise epcis_problems.unauthenticated_problem()
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type not in _EPCIS_JSON_TYPES:
            raise epcis_problems.unsupported_media_type()
        reach = await reach_of(actor)
        if not may_capture(reach):  # refused unread: `capture` records the failed job and raises FORBIDDEN
            await capture(
                None, actor, reach, request.app.state.public_base_url, request.app.state.capture_jobs
            )
        try:
            body = await read_body(request, CAPTURE_MAX_BYTES)
        except BodyTooLarge as exc:
            raise epcis_problems.capture_too_large(f"At most {CAPTURE_MAX_BYTES} bytes per capture.") from exc
        try:
            document = await asyncio.to_thread(orjson.loads, body)  # up to 5 MB: tens of ms
        except orjson.JSONDecodeError as exc:
            raise epcis_problems.validation_problem(f"The body is not JSON: {exc}", [str(exc)]) from exc
        job = await capture(
            document,
            actor,
            reach,
            request.app.state.public_base_url,
            request.app.state.capture_jobs,
        )
    except epcis_problems.Problem as problem:
        return _problem_response(problem)
    location = f"/epcis/capture/{job.capture_id}"
    return ORJSONResponse(_job_json(job), 202, headers=dict(HEADERS) | {"Location": location})


async def epcis_capture_job(request: Request) -> Response:
    """GET /epcis/capture/{captureID}: a capture job of this process, for the user who captured."""
    try:
        actor = await _epcis_actor(request)
        if not actor.is_authenticated:
            raise epcis_problems.unauthenticated_problem()
    except epcis_problems.Problem as problem:
        return _problem_response(problem)
    jobs: CaptureJobs = request.app.state.capture_jobs
    job = jobs.get(request.path_params["capture_id"], actor)
    if job is None:
        return _problem_response(epcis_problems.no_such_capture_job())
    return ORJSONResponse(_job_json(job), headers=dict(HEADERS))


routes: list[BaseRoute] = [
    Route("/epcis/events", epcis_events, methods=["GET"]),
    Route("/epcis/capture", epcis_capture, methods=["POST"]),
    Route("/epcis/capture/{capture_id}", epcis_capture_job, methods=["GET"]),
]
