"""The one language negotiation: Vietnamese or English for a request.

Every surface (GraphQL messages, the resolver's redirects and problems, the public pages, HTTP refusals)
answers in the same language for the same request. Vietnamese is the programme's language and the default;
`?lang=vi|en` overrides, else the Accept-Language tag of highest q-value among vi and en wins (a tie keeps
the one listed first, and q=0 means "not this one"). A client that names languages but neither of ours (a
phone set to Korean, Chinese or French: `ko-KR,ko;q=0.9`) gets English, the one a foreign visitor is more
likely to read; no header, or only `*`, gets Vietnamese.
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
    foreign = False  # a language we do not speak is wanted
    for part in (accept_language or "").split(","):
        tag, _, params = part.partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        q = quality(params)
        if primary in (Language.VI, Language.EN):
            if q > best_quality:
                best, best_quality = Language(primary), q
        elif primary and primary != "*" and q > 0:
            foreign = True
    if best_quality == 0 and foreign:
        return Language.EN
    return best
