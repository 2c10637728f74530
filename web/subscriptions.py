"""WebSocket /graphql: GraphQL subscriptions (`jobProgress`, `lotEvents`, `producerScans`) over the
graphql-transport-ws protocol (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md), through
strawberry's handler with our rules around it:

- Authenticated in `connection_init`: its payload carries the same bearer token as POST /graphql, in any of
  the usual shapes (`{"Authorization": "Bearer …"}`, `{"authorization": …}`, `{"headers": {"Authorization":
  …}}`, `{"token": "…"}`, `{"authToken": "…"}`). None: closed 4401; not valid (unknown, expired, revoked):
  closed 4403. No `connection_init` within `ws_init_timeout_s`: closed 4408 (the protocol's own rule).
- At most `ws_max_connections` open connections per account, across every server process
  (services/accounts/seats.py: PostgreSQL advisory locks): one more is closed 4429 right after its
  `connection_init`.
- At most `ws_max_subscriptions` operations at once per connection: one more is answered with an `error`
  message (code TOO_MANY_SUBSCRIPTIONS), the connection and the others go on.
- Subscriptions only: a query or mutation sent here gets an `error` message (POST /graphql serves them).
- The same validation as queries (depth, aliases, cost, directives: schema/limits.py) and the same
  policy (services/policy, through the services' watchers); errors carry `extensions.code`, with
  DomainErrors in the connection's language (Accept-Language of the handshake) and unexpected errors masked
  in production, as on POST.
- Heartbeats: the server pings every `ws_heartbeat_s`; a connection that has not answered a ping with a
  pong by the next one is closed 4408. Clients may ping too (answered with a pong).

Which messages a subscription sees comes from the bus (services/common/bus.py): on PostgreSQL from every
replica and worker."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

import structlog
from graphql import GraphQLError, GraphQLFormattedError
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    NextMessage,
    NextMessagePayload,
    PongMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.utils.aio import aclosing

from schema.context import Context
from schema.errors import query_error
from schema.limits import format_errors
from services.accounts import auth as accounts
from services.accounts.seats import Seats
from services.common.errors import DomainError
from services.common.language import negotiate
from services.policy import reach_of

log = structlog.get_logger("ocop")

UNAUTHORIZED = 4401  # connection_init carried no token
FORBIDDEN = 4403  # its token is not valid
TIMEOUT = 4408  # no connection_init in time, or no pong to a ping
TOO_MANY = 4429  # the account has too many connections open
TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"


def token_of(payload: Mapping[str, Any]) -> str | None:
    """The `Authorization` value a connection_init payload carries, in any of the usual shapes."""
    headers = payload.get("headers")
    sources = [payload, headers] if isinstance(headers, Mapping) else [payload]
    for source in sources:
        for key, value in source.items():
            if (
                isinstance(value, str)
                and value.strip()
                and key.lower() in ("authorization", "token", "authtoken")
            ):
                value = value.strip()
                return value if " " in value else f"Bearer {value}"
    return None


class LiveOperation(Operation[Context, None]):
    """An operation whose errors are formatted as on POST /graphql (codes, language, masking)."""

    __slots__ = ()

    def _formatted(self, errors: list[GraphQLError]) -> list[GraphQLFormattedError]:
        handler = cast(LiveHandler, self.handler)
        language = handler.context.language
        located = [_with_code(error, language) for error in errors]
        formatted = format_errors(
            located, production=handler.view.production, request_id=None, sent=self.query
        )
        return cast(list[GraphQLFormattedError], formatted)

    async def send_initial_errors(self, errors: list[GraphQLError]) -> None:
        await self.send_operation_message(
            ErrorMessage(id=self.id, type="error", payload=self._formatted(errors))
        )

    async def send_next(self, execution_result: ExecutionResult) -> None:
        payload = NextMessagePayload(data=execution_result.data)
        if execution_result.errors:
            payload["errors"] = self._formatted(execution_result.errors)
        await self.send_operation_message(NextMessage(id=self.id, type="next", payload=payload))


def _with_code(error: GraphQLError, language: str) -> GraphQLError:
    if not isinstance(error.original_error, DomainError):
        return error
    refused = query_error(error.original_error, language)
    return GraphQLError(
        refused.message, error.nodes, error.source, error.positions, error.path, extensions=refused.extensions
    )


class LiveHandler(BaseGraphQLTransportWSHandler[Context, None]):
    view: LiveView

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id: int | None = None
        self.seat = 0
        self.heartbeat: asyncio.Task[None] | None = None
        self.ponged = True

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if self.connection_timed_out:
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            await self.websocket.close(code=4400, reason="Invalid connection init payload")
            return
        if self.connection_init_received:
            await self.websocket.close(code=4429, reason="Too many initialisation requests")
            return
        self.connection_init_received = True
        authorization = token_of(payload)
        if authorization is None:
            await self.websocket.close(UNAUTHORIZED, "Unauthorized: connection_init carries no bearer token")
            return
        try:
            actor = await accounts.authenticate(authorization)
        except DomainError:
            await self.websocket.close(
                FORBIDDEN, "Forbidden: the token is not valid (unknown, expired or revoked)"
            )
            return
        assert actor.user_id is not None
        seat = await self.view.seats.take(actor.user_id)
        if seat is None:
            log.info("websocket refused: too many connections", user_id=actor.user_id)
            await self.websocket.close(
                TOO_MANY, f"Too many connections: at most {self.view.seats.limit} per account"
            )
            return
        self.user_id, self.seat = actor.user_id, seat
        self.context.actor = actor
        self.context.reach = await reach_of(actor)
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True
        self.heartbeat = asyncio.create_task(self._beat(), name="ws-heartbeat")

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.view.heartbeat_s)
            if not self.ponged:
                log.info("websocket closed: no pong", user_id=self.user_id)
                await self.websocket.close(TIMEOUT, "Heartbeat timeout: no pong to the last ping")
                return
            self.ponged = False
            await self.send_message({"type": "ping"})

    async def handle_pong(self, message: PongMessage) -> None:
        self.ponged = True

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged:
            await self.websocket.close(code=4401, reason="Unauthorized")
            return
        if message["id"] in self.operations:
            await self.websocket.close(code=4409, reason=f"Subscriber for {message['id']} already exists")
            return
        if len(self.operations) >= self.view.max_subscriptions:
            error = GraphQLError(
                f"Too many subscriptions on this connection: at most {self.view.max_subscriptions}",
                extensions={"code": TOO_MANY_SUBSCRIPTIONS, "maxSubscriptions": self.view.max_subscriptions},
            )
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[error.formatted]))
            return
        payload = message["payload"]
        operation = LiveOperation(
            self, message["id"], payload["query"], payload.get("variables"), payload.get("operationName")
        )
        operation.task = asyncio.create_task(self.run_operation(operation))
        operation.task.add_done_callback(self._task_done)
        self.operations[message["id"]] = operation

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """As strawberry's, but subscriptions only (`Schema.subscribe`): queries and mutations go to POST."""
        try:
            source = await self.schema.subscribe(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context,
                operation_name=operation.operation_name,
            )
            async with aclosing(source):
                await self._send_result_stream(operation, source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if type(error).__name__ == "_OperationStreamClosed":
                return
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)

    async def shutdown(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # a ping to a socket gone meanwhile
                await self.heartbeat
        if self.user_id is not None:
            await self.view.seats.give_back(self.user_id, self.seat)
            self.user_id = None
        await super().shutdown()


class LiveView(GraphQL[Context, None]):
    """Strawberry's ASGI view for WebSockets only, speaking graphql-transport-ws (not the legacy
    graphql-ws: a client asking for it is closed 4406)."""

    graphql_transport_ws_handler_class = LiveHandler

    def __init__(
        self,
        schema: Schema,
        *,
        production: bool,
        max_subscriptions: int,
        max_connections: int,
        heartbeat_s: float,
        init_timeout_s: float,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=dt.timedelta(seconds=init_timeout_s),
            max_subscriptions_per_connection=max_subscriptions,
        )
        self.production = production
        self.max_subscriptions = max_subscriptions
        self.heartbeat_s = heartbeat_s
        self.seats = Seats(max_connections)

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        language = negotiate(None, request.headers.get("accept-language")).value
        context = Context(request=None, language=language)
        context.base_url = getattr(request.app.state, "public_base_url", context.base_url)
        return context
