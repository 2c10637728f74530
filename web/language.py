"""The language of an HTTP answer: the one negotiation (services/common/language.py) applied to a request."""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request

from services.common.language import Language, negotiate

type LanguageCode = Literal["vi", "en"]


def language_of(request: Request) -> LanguageCode:
    """Vietnamese unless `?lang=en` or Accept-Language prefers English."""
    chosen = negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    return "en" if chosen is Language.EN else "vi"
