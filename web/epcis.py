"""The EPCIS 2.0 REST interface (services/trace/epcis_query.py): the events query and capture. Its refusals
are RFC 9457 problem documents with the EPCIS exception types, as GS1 requires."""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.accounts import auth as accounts
from services.common.errors import DomainError
from services.policy import reach_of
from services.trace import epcis_query as epcis_rest
from web.responses import ORJSONResponse

_EPCIS_JSON_TYPES = ("application/json", "application/ld+json")


def _problem_response(problem: epcis_rest.Problem) -> Response:
    headers = dict(epcis_rest.HEADERS)
    if problem.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if "captureID" in problem.extra:  # a failed capture job: its outcome stays readable
        headers["Location"] = f"/epcis/capture/{problem.extra['captureID']}"
    return Response(
        orjson.dumps(problem.body()), problem.status, headers, media_type="application/problem+json"
    )


async def _epcis_actor(request: Request) -> accounts.Actor:
    try:
        return await accounts.authenticate(request.headers.get("authorization"))
    except DomainError as exc:
        raise epcis_rest.problem_of(exc) from exc


async def epcis_events(request: Request) -> Response:
    """GET /epcis/events: a SimpleEventQuery answered with an EPCISQueryDocument, paged by perPage/Link."""
    try:
        actor = await _epcis_actor(request)
        params = list(request.query_params.multi_items())
        page = await epcis_rest.query_events(params, await reach_of(actor), request.app.state.public_base_url)
    except epcis_rest.Problem as problem:
        return _problem_response(problem)
    headers = dict(epcis_rest.HEADERS) | {"Vary": "Accept, Authorization"}
    if page.next_token is not None:
        kept = [(k, v) for k, v in params if k != "nextPageToken"] + [("nextPageToken", page.next_token)]
        headers["Link"] = f'<{request.url.replace(query=urlencode(kept))}>; rel="next"'
        headers["GS1-Next-Page-Token"] = page.next_token
    accept = request.headers.get("accept", "")
    media_type = "application/ld+json" if "application/ld+json" in accept else "application/json"
    return Response(orjson.dumps(page.document), 200, headers, media_type=media_type)


async def epcis_capture(request: Request) -> Response:
    """POST /epcis/capture: an EPCISDocument recorded all-or-nothing; 202 with the (finished) capture job."""
    try:
        actor = await _epcis_actor(request)
        if not actor.is_authenticated:
            raise epcis_rest.security_problem(401, "Authentication required (Authorization: Bearer ...).")
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type not in _EPCIS_JSON_TYPES:
            raise epcis_rest.Problem(
                415,
                "epcisException:UnsupportedMediaType",
                "Unsupported media type",
                "Send the EPCISDocument as application/ld+json or application/json.",
            )
        body = await request.body()
        if len(body) > epcis_rest.CAPTURE_MAX_BYTES:
            raise epcis_rest.capture_too_large(f"At most {epcis_rest.CAPTURE_MAX_BYTES} bytes per capture.")
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise epcis_rest.validation_problem(f"The body is not JSON: {exc}", [str(exc)]) from exc
        job = await epcis_rest.capture(
            document,
            actor,
            await reach_of(actor),
            request.app.state.public_base_url,
            request.app.state.capture_jobs,
        )
    except epcis_rest.Problem as problem:
        return _problem_response(problem)
    location = f"/epcis/capture/{job.capture_id}"
    return ORJSONResponse(job.json(), 202, headers=dict(epcis_rest.HEADERS) | {"Location": location})


async def epcis_capture_job(request: Request) -> Response:
    """GET /epcis/capture/{captureID}: a capture job of this process, for the user who captured."""
    try:
        actor = await _epcis_actor(request)
        if not actor.is_authenticated:
            raise epcis_rest.security_problem(401, "Authentication required (Authorization: Bearer ...).")
    except epcis_rest.Problem as problem:
        return _problem_response(problem)
    jobs: epcis_rest.CaptureJobs = request.app.state.capture_jobs
    job = jobs.get(request.path_params["capture_id"], actor)
    if job is None:
        return _problem_response(
            epcis_rest.Problem(
                404,
                "epcisException:NoSuchResourceException",
                "No such capture job",
                "Unknown capture id (jobs are kept per server process and lost on restart).",
            )
        )
    return ORJSONResponse(job.json(), headers=dict(epcis_rest.HEADERS))


routes: list[BaseRoute] = [
    Route("/epcis/events", epcis_events, methods=["GET"]),
    Route("/epcis/capture", epcis_capture, methods=["POST"]),
    Route("/epcis/capture/{capture_id}", epcis_capture_job, methods=["GET"]),
]
