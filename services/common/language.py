"""The one language negotiation: Vietnamese or English for a request.

Every surface (GraphQL messages, the resolver's redirects and problems, the public pages, HTTP refusals)
answers in the same language for the same request. Vietnamese is the programme's language and the default;
English only when the client prefers it: `?lang=vi|en` overrides, else the Accept-Language tag of highest
q-value among vi and en wins (a tie keeps the one listed first, and q=0 means "not this one").
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache


class Language(StrEnum):
    VI = "vi"
    EN = "en"


def quality(params: str) -> float:
    """The q-value of one Accept-Language (or Accept) entry's parameters; 1 when absent, 0 when malformed."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


@lru_cache(maxsize=512)  # phones send few distinct headers, and every cached scan negotiates
def negotiate(query_lang: str | None, accept_language: str | None) -> Language:
    """The language of an answer: `?lang=` when it names one we speak, else the client's preference."""
    if query_lang in (Language.VI, Language.EN):
        return Language(query_lang)
    best, best_quality = Language.VI, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        q = quality(params)
        if primary in (Language.VI, Language.EN) and q > best_quality:
            best, best_quality = Language(primary), q
    return best
