"""Per-request GraphQL context: who is asking (actor and what it reaches), loaders, the request's language
and 'today' in Viet Nam."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from schema.loaders import Loaders
from services.accounts import auth as accounts
from services.accounts.auth import PUBLIC, Actor
from services.common import clock
from services.common.errors import DomainError
from services.common.language import negotiate
from services.policy import Reach, reach_of


@dataclass
class Context:
    request: Request | None
    language: str = "vi"
    today: dt.date = field(default_factory=clock.today)
    loaders: Loaders = field(default_factory=Loaders)
    actor: Actor = PUBLIC
    reach: Reach = field(default_factory=Reach)
    # The public address printed in QR codes and EPCIS identifiers (OCOP_PUBLIC_BASE_URL).
    base_url: str = "http://127.0.0.1:8000"
    # Set when the request carried credentials that are not valid: the operation is refused as a whole.
    auth_error: DomainError | None = None
    # The operation run, (name or None, "query" | "mutation" | "subscription"), once the document is parsed
    # and valid (schema/limits.py QueryCost): metrics and traces name it (web/graphql.py).
    operation: tuple[str | None, str] | None = None
    # The compiled executor's promises to connection resolvers, by response path: the projection that will
    # answer their edges (schema/compiled/projection.py), so they read only the columns it needs.
    projections: dict[Any, Any] = field(default_factory=dict)

    @property
    def client_address(self) -> str:
        if self.request is None or self.request.client is None:
            return "unknown"
        return self.request.client.host


def language_of(request: Request | None) -> str:
    """English when the client prefers it (Accept-Language), Vietnamese otherwise."""
    header = request.headers.get("accept-language") if request is not None else None
    return negotiate(None, header).value


async def build_context(request: Request | None) -> Context:
    """The context of one GraphQL request (the HTTP layer calls this once per request)."""
    context = Context(request=request, language=language_of(request))
    if request is not None:
        context.base_url = getattr(request.app.state, "public_base_url", context.base_url)
    authorization = request.headers.get("authorization") if request is not None else None
    try:
        context.actor = await accounts.authenticate(authorization)
    except DomainError as exc:
        context.auth_error = exc
        return context
    context.reach = await reach_of(context.actor)
    return context


Info = StrawberryInfo[Context, None]
