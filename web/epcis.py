"""The EPCIS 2.0 REST interface (services/trace/epcis_query.py, epcis_named_queries.py, epcis_capture.py): the
events query and its resources (`/events/{eventID}`, `/eventTypes/{t}/events`, `/epcs/{epc}/events`,
`/bizSteps/…`, `/bizLocations/…`, `/readPoints/…`, `/dispositions/…`), named queries (`/queries`), capture.
Its refusals are RFC 9457 problem documents with the EPCIS exception types, as GS1 requires; every answer
carries the GS1-EPCIS-*/GS1-CBV-* version headers and GS1-Extensions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote, unquote, urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.accounts import auth as accounts
from services.common.errors import DomainError
from services.policy import reach_of
from services.trace import epcis, epcis_named_queries, epcis_problems, epcis_query, epcis_query_params
from services.trace.epcis_capture import CAPTURE_MAX_BYTES, CaptureJob, CaptureJobs, capture, may_capture
from web.middleware import BodyTooLarge, read_body
from web.responses import ORJSONResponse

_EPCIS_JSON_TYPES = ("application/json", "application/ld+json")


# The standards' versions and our extension's prefix, on every answer (EPCIS 2.0 REST bindings).
HEADERS = epcis_query.VERSION_HEADERS
_STATUS = {
    epcis_problems.ProblemKind.QUERY_PARAMETER: 400,
    epcis_problems.ProblemKind.VALIDATION: 400,
    epcis_problems.ProblemKind.SUBSCRIPTION_CONTROLS: 400,
    epcis_problems.ProblemKind.CAPTURE_LIMIT_EXCEEDED: 413,
    epcis_problems.ProblemKind.QUERY_TOO_LARGE: 413,
    epcis_problems.ProblemKind.QUERY_TOO_COMPLEX: 413,
    epcis_problems.ProblemKind.UNSUPPORTED_MEDIA_TYPE: 415,
    epcis_problems.ProblemKind.NO_SUCH_RESOURCE: 404,
    epcis_problems.ProblemKind.NO_SUCH_NAME: 404,
    epcis_problems.ProblemKind.UNAUTHENTICATED: 401,
    epcis_problems.ProblemKind.FORBIDDEN: 403,
    epcis_problems.ProblemKind.NOT_ACCEPTABLE: 406,
    epcis_problems.ProblemKind.RESOURCE_ALREADY_EXISTS: 409,
    epcis_problems.ProblemKind.IMPLEMENTATION: 500,
    epcis_problems.ProblemKind.NOT_IMPLEMENTED: 501,
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


def _prefixes(request: Request) -> dict[str, str]:
    """The prefixes of the request's GS1-Extensions header, for extension field names in queries."""
    return epcis_query_params.parse_extensions_header(request.headers.get("gs1-extensions"))


def _negotiate(request: Request) -> None:
    """NotAcceptableException when the request's Accept or GS1 version headers exclude what we answer."""
    versions = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("gs1-")}
    problem = epcis_query.negotiation_problem(request.headers.get("accept"), versions)
    if problem is not None:
        raise problem


def _json_answer(
    request: Request, body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    accept = request.headers.get("accept", "")
    media_type = "application/ld+json" if "application/ld+json" in accept else "application/json"
    return Response(orjson.dumps(body), status, dict(HEADERS) | dict(headers or {}), media_type=media_type)


def _page_answer(request: Request, page: epcis_query.Page, params: list[tuple[str, str]]) -> Response:
    headers = {"Vary": "Accept, Authorization"}
    if page.next_token is not None:
        kept = [(k, v) for k, v in params if k != "nextPageToken"] + [("nextPageToken", page.next_token)]
        # The public base URL, never the Host header: a spoofed Host must not reach a link handed out.
        base = request.app.state.public_base_url.rstrip("/")
        path = quote(
            request.scope.get("raw_path", b"").decode("latin-1") or request.url.path, safe="/%:;=@!$&'()*+,~"
        )
        headers["Link"] = f'<{base}{path}?{urlencode(kept)}>; rel="next"'
        headers["GS1-Next-Page-Token"] = page.next_token
    return _json_answer(request, page.document, headers=headers)


type _Handler = Callable[[Request, accounts.Actor], Awaitable[Response]]


def _epcis(handler: _Handler) -> Callable[[Request], Awaitable[Response]]:
    """A route: the caller authenticated, Accept and versions negotiated, a Problem answered as one."""

    async def endpoint(request: Request) -> Response:
        try:
            _negotiate(request)
            return await handler(request, await _epcis_actor(request))
        except epcis_problems.Problem as problem:
            return _problem_response(problem)

    endpoint.__doc__ = handler.__doc__
    return endpoint


async def _events(
    request: Request,
    actor: accounts.Actor,
    resource: Mapping[str, str] | None = None,
    *,
    any_identifier: str | None = None,
) -> Response:
    params = list(request.query_params.multi_items())
    page = await epcis_query.query_events(
        params + list((resource or {}).items()),
        await reach_of(actor),
        request.app.state.public_base_url,
        prefixes=_prefixes(request),
        any_identifier=any_identifier,
    )
    return _page_answer(request, page, params)


async def epcis_events(request: Request, actor: accounts.Actor) -> Response:
    """GET /epcis/events: a SimpleEventQuery answered with an EPCISQueryDocument, paged by perPage/Link."""
    return await _events(request, actor)


def _raw_segment(request: Request, prefix: str, suffix: str = "") -> str:
    """The resource identifier between `prefix` and `suffix` of the path as sent, decoded once: a lot's `%2F`
    inside an identifier that was itself percent-encoded survives (the routed path is decoded twice over)."""
    raw = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    inner = raw[len(prefix) :]
    if suffix and inner.endswith(suffix):
        inner = inner[: -len(suffix)]
    return unquote(inner)


async def epcis_event(request: Request, actor: accounts.Actor) -> Response:
    """GET /epcis/events/{eventID}: the event and its error declarations."""
    event_id = _raw_segment(request, "/epcis/events/")
    document = await epcis_query.event_document(
        event_id, await reach_of(actor), request.app.state.public_base_url
    )
    return _json_answer(request, document)


# The resources whose events are a SimpleEventQuery of one parameter: (path prefix, the parameter).
_RESOURCES = {
    "eventTypes": "eventType",
    "bizSteps": "EQ_bizStep",
    "dispositions": "EQ_disposition",
    "bizLocations": "EQ_bizLocation",
    "readPoints": "EQ_readPoint",
}


def _resource_events(collection: str) -> _Handler:
    parameter = _RESOURCES[collection]

    async def handler(request: Request, actor: accounts.Actor) -> Response:
        value = _raw_segment(request, f"/epcis/{collection}/", "/events")
        if any(key == parameter for key, _ in request.query_params.multi_items()):
            raise epcis_problems.query_problem(
                parameter, f"{parameter} is the resource's own ({collection})."
            )
        return await _events(request, actor, {parameter: value.replace("|", "%7C")})

    handler.__doc__ = f"GET /epcis/{collection}/{{value}}/events: the events of {parameter}={{value}}."
    return handler


async def epcis_epc_events(request: Request, actor: accounts.Actor) -> Response:
    """GET /epcis/epcs/{epc}/events: the events naming an identifier, as an instance (MATCH_anyEPC) or a class
    (MATCH_anyEPCClass)."""
    return await _events(request, actor, any_identifier=_raw_segment(request, "/epcis/epcs/", "/events"))


async def epcis_queries(request: Request, actor: accounts.Actor) -> Response:
    """GET /epcis/queries: the caller's named queries, by name, paged by perPage/nextPageToken (the last name);
    POST: create one (201, Location)."""
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type not in _EPCIS_JSON_TYPES:
            raise epcis_problems.unsupported_media_type("Send the named query as application/json.")
        try:
            body = await read_body(request, QUERY_MAX_BYTES)
            definition = orjson.loads(body)
        except BodyTooLarge as exc:
            raise epcis_problems.query_too_complex(f"At most {QUERY_MAX_BYTES} bytes per query.") from exc
        except orjson.JSONDecodeError as exc:
            raise epcis_problems.validation_problem(
                f"The body is not JSON: {exc}", [str(exc)], title="The named query was rejected"
            ) from exc
        view = await epcis_named_queries.create_named_query(actor, definition, _prefixes(request))
        return _json_answer(request, view.json(), 201, {"Location": f"/epcis/queries/{view.name}"})
    params = list(request.query_params.multi_items())
    page = epcis_query_params.parse([(k, v) for k, v in params if k in epcis_query_params.PAGE_PARAMETERS])
    for key, _ in params:
        if key not in epcis_query_params.PAGE_PARAMETERS:
            raise epcis_problems.query_problem(key, f"{key}: /queries takes perPage and nextPageToken.")
    views, more = await epcis_named_queries.named_queries(
        actor, after=page.next_page_token, limit=page.per_page
    )
    headers: dict[str, str] = {}
    if more:
        kept = [(k, v) for k, v in params if k != "nextPageToken"] + [("nextPageToken", views[-1].name)]
        base = request.app.state.public_base_url.rstrip("/")
        headers["Link"] = f'<{base}/epcis/queries?{urlencode(kept)}>; rel="next"'
    return _json_answer(request, [view.json() for view in views], headers=headers)


async def epcis_named_query(request: Request, actor: accounts.Actor) -> Response:
    """GET /epcis/queries/{queryName}: the definition; DELETE: forget it (204)."""
    name = request.path_params["query_name"]
    if request.method == "DELETE":
        await epcis_named_queries.delete_named_query(actor, name)
        return Response(status_code=204, headers=dict(HEADERS))
    return _json_answer(request, (await epcis_named_queries.named_query(actor, name)).json())


async def epcis_named_query_events(request: Request, actor: accounts.Actor) -> Response:
    """GET /epcis/queries/{queryName}/events: a page of the named query's events."""
    params = list(request.query_params.multi_items())
    page = await epcis_named_queries.named_query_events(
        actor,
        await reach_of(actor),
        request.path_params["query_name"],
        params,
        request.app.state.public_base_url,
        _prefixes(request),
    )
    return _page_answer(request, page, params)


async def epcis_next_page_token(request: Request, actor: accounts.Actor) -> Response:
    """DELETE /epcis/nextPageToken/{token}: 204. A token is a position in the results, not a server resource:
    there is nothing to release."""
    return Response(status_code=204, headers=dict(HEADERS))


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


QUERY_MAX_BYTES = 64 * 1024  # a named query's definition


async def epcis_options(request: Request) -> Response:
    """OPTIONS on any EPCIS resource: 204 with the versions, extensions and methods (the OpenAPI's discovery)."""
    return Response(status_code=204, headers=dict(HEADERS) | {"Allow": "OPTIONS, GET, POST, DELETE"})


routes: list[BaseRoute] = [
    Route("/epcis/events", _epcis(epcis_events), methods=["GET"]),
    Route("/epcis/events/{event_id:path}", _epcis(epcis_event), methods=["GET"]),
    Route("/epcis/epcs/{epc:path}/events", _epcis(epcis_epc_events), methods=["GET"]),
    *(
        Route(
            f"/epcis/{collection}/{{value:path}}/events",
            _epcis(_resource_events(collection)),
            methods=["GET"],
        )
        for collection in _RESOURCES
    ),
    Route("/epcis/queries", _epcis(epcis_queries), methods=["GET", "POST"]),
    Route("/epcis/queries/{query_name}", _epcis(epcis_named_query), methods=["GET", "DELETE"]),
    Route("/epcis/queries/{query_name}/events", _epcis(epcis_named_query_events), methods=["GET"]),
    Route("/epcis/nextPageToken/{token}", _epcis(epcis_next_page_token), methods=["DELETE"]),
    Route("/epcis/{path:path}", epcis_options, methods=["OPTIONS"]),
    Route("/epcis/capture", epcis_capture, methods=["POST"]),
    Route("/epcis/capture/{capture_id}", epcis_capture_job, methods=["GET"]),
]
