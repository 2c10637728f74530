"""EPCIS 2.0 query subscriptions over REST and WebSocket (services/trace/epcis_subscriptions.py):

- `GET|POST /epcis/queries/{queryName}/subscriptions`: the query's webhook subscriptions, or a new one (201,
  Location); `GET|DELETE /epcis/queries/{queryName}/subscriptions/{subscriptionID}`; the dead letters of a
  subscription (`.../deadLetters`) and sending one again (`POST .../deadLetters/{deliveryID}/retry`), our
  addition: the OpenAPI leaves failed deliveries to the implementation.
- WebSocket `/epcis/queries/{queryName}/events?stream=true` (or schedule fields as query parameters): each
  matching EPCISQueryDocument as a text message, for as long as the connection lasts.
Authorization is the named query's (its owner's bearer token); refusals are the EPCIS problem documents."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from services.accounts import auth as accounts
from services.common.errors import DomainError
from services.trace import epcis_problems
from services.trace import epcis_subscriptions as subscriptions
from web.epcis import HEADERS, _epcis, _json_answer, _problem_document
from web.middleware import BodyTooLarge, read_body

SUBSCRIPTION_MAX_BYTES = 16_384


def _location(name: str, subscription_id: str) -> str:
    return f"/epcis/queries/{name}/subscriptions/{subscription_id}"


async def query_subscriptions(request: Request, actor: accounts.Actor) -> Response:
    """GET: the query's subscriptions; POST: subscribe a webhook (201, Location)."""
    name = request.path_params["query_name"]
    if request.method == "GET":
        views = await subscriptions.subscriptions(actor, name)
        return _json_answer(request, [view.json() for view in views])
    try:
        body: Any = orjson.loads(await read_body(request, SUBSCRIPTION_MAX_BYTES))
    except BodyTooLarge as exc:
        raise subscriptions.controls_problem(f"At most {SUBSCRIPTION_MAX_BYTES} bytes.") from exc
    except orjson.JSONDecodeError as exc:
        raise subscriptions.controls_problem(f"The body is not JSON: {exc}.") from exc
    view = await subscriptions.subscribe(actor, name, body)
    return _json_answer(request, view.json(), 201, {"Location": _location(name, view.subscription_id)})


async def query_subscription(request: Request, actor: accounts.Actor) -> Response:
    """GET: one subscription (is it still active, when was it last notified); DELETE: unsubscribe (204)."""
    name, sid = request.path_params["query_name"], request.path_params["subscription_id"]
    if request.method == "DELETE":
        await subscriptions.unsubscribe(actor, name, sid)
        return Response(status_code=204, headers=dict(HEADERS))
    return _json_answer(request, (await subscriptions.subscription(actor, name, sid)).json())


async def dead_letters(request: Request, actor: accounts.Actor) -> Response:
    """GET: the deliveries that never got through, newest first."""
    name, sid = request.path_params["query_name"], request.path_params["subscription_id"]
    letters = await subscriptions.dead_letters(actor, name, sid)
    return _json_answer(request, [letter.json() for letter in letters])


async def retry_dead_letter(request: Request, actor: accounts.Actor) -> Response:
    """POST: send a dead letter again, now, with a fresh series of retries."""
    name, sid = request.path_params["query_name"], request.path_params["subscription_id"]
    try:
        delivery_id = int(request.path_params["delivery_id"])
    except ValueError:
        raise epcis_problems.no_such_name("dead letter", request.path_params["delivery_id"]) from None
    view = await subscriptions.redeliver(actor, name, sid, delivery_id)
    return _json_answer(request, view.json())


# WebSocket close codes: 1008 (policy violation) for who-may-not, 4400 for a request we cannot serve.
_CLOSE = {
    epcis_problems.ProblemKind.UNAUTHENTICATED: 1008,
    epcis_problems.ProblemKind.FORBIDDEN: 1008,
}


async def query_events_socket(websocket: WebSocket) -> None:
    """WebSocket /epcis/queries/{queryName}/events: a stream or scheduled subscription for as long as the
    connection lasts. A refusal is sent as the problem document, then the connection is closed."""
    await websocket.accept()
    try:
        actor = await accounts.authenticate(websocket.headers.get("authorization"))
        request = subscriptions.websocket_request(dict(websocket.query_params))
        feed = await subscriptions.websocket_feed(
            actor, websocket.path_params["query_name"], request, websocket.app.state.public_base_url
        )
    except DomainError as exc:
        problem = epcis_problems.problem_of(exc)
        await websocket.send_text(orjson.dumps(_problem_document(problem)).decode())
        await websocket.close(1008)
        return
    except epcis_problems.Problem as problem:
        await websocket.send_text(orjson.dumps(_problem_document(problem)).decode())
        await websocket.close(_CLOSE.get(problem.kind, 4400))
        return

    async def until_closed() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return

    closed = asyncio.create_task(until_closed())
    try:
        async for document in feed:
            if closed.done():
                break
            await websocket.send_text(document)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the subscriber went away while we were sending
    finally:
        closed.cancel()
        await feed.aclose()
        with contextlib.suppress(RuntimeError):
            await websocket.close()


routes: list[BaseRoute] = [
    Route("/epcis/queries/{query_name}/subscriptions", _epcis(query_subscriptions), methods=["GET", "POST"]),
    Route(
        "/epcis/queries/{query_name}/subscriptions/{subscription_id}",
        _epcis(query_subscription),
        methods=["GET", "DELETE"],
    ),
    Route(
        "/epcis/queries/{query_name}/subscriptions/{subscription_id}/deadLetters",
        _epcis(dead_letters),
        methods=["GET"],
    ),
    Route(
        "/epcis/queries/{query_name}/subscriptions/{subscription_id}/deadLetters/{delivery_id}/retry",
        _epcis(retry_dead_letter),
        methods=["POST"],
    ),
    WebSocketRoute("/epcis/queries/{query_name}/events", query_events_socket),
]
