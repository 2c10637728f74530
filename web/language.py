"""The one language negotiation of the HTTP surfaces: Vietnamese unless Accept-Language prefers English.

It is the resolver's (q-values weighed, cached per header value); when `services/common/language.py`
exists, this is the one line to point at it."""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request

from services.trace.resolver import preferred_language

type Language = Literal["vi", "en"]


def language_of(request: Request) -> Language:
    return preferred_language(request.headers.get("accept-language", ""))
