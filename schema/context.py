"""Per-request GraphQL context: loaders, the request's language and 'today' in Viet Nam."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from schema.loaders import Loaders
from services.catalog import vietnam_today


@dataclass
class Context:
    request: Request | None
    language: str = "vi"
    today: dt.date = field(default_factory=vietnam_today)
    loaders: Loaders = field(default_factory=Loaders)


def language_of(request: Request | None) -> str:
    """English when the client prefers it (Accept-Language: en...), Vietnamese otherwise."""
    if request is None:
        return "vi"
    header = request.headers.get("accept-language", "")
    first = header.split(",", 1)[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


async def build_context(request: Request | None) -> Context:
    """The context of one GraphQL request (the HTTP layer calls this once per request)."""
    return Context(request=request, language=language_of(request))


Info = StrawberryInfo[Context, None]
