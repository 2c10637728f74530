"""One language negotiation for every surface: Vietnamese unless the client prefers English."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from schema.context import language_of
from services.common.language import Language, negotiate
from services.trace.resolver import preferred_language
from web.language import language_of as web_language_of


@pytest.mark.parametrize(
    ("query_lang", "accept_language", "expected"),
    [
        (None, None, Language.VI),
        (None, "", Language.VI),
        (None, "en", Language.EN),
        (None, "en-US,en;q=0.9", Language.EN),
        (None, "vi-VN,vi;q=0.9,en;q=0.8", Language.VI),
        # q-values, not the order, decide; an equal q keeps the first listed.
        (None, "vi;q=0.5, en;q=0.8", Language.EN),
        (None, "en;q=0.7, vi;q=0.7", Language.EN),
        (None, "en;q=0", Language.VI),
        (None, "en;q=oops", Language.VI),
        # A language we do not speak is skipped, not taken for Vietnamese.
        (None, "fr-FR, en;q=0.5", Language.EN),
        (None, "fr-FR, vi;q=0.5", Language.VI),
        # Only languages we do not speak (a phone set to French, Korean, Chinese): English, not Vietnamese.
        (None, "fr", Language.EN),
        (None, "ko-KR,ko;q=0.9", Language.EN),
        (None, "zh-Hans-CN, zh;q=0.8", Language.EN),
        (None, "ja, vi;q=0", Language.EN),
        (None, "*", Language.VI),
        (None, "ko;q=0", Language.VI),
        # ?lang= overrides the header, but only when it names a language we speak.
        ("vi", "en", Language.VI),
        ("en", "vi", Language.EN),
        ("de", "en", Language.EN),
        ("EN", None, Language.VI),
    ],
)
def test_negotiate(query_lang: str | None, accept_language: str | None, expected: Language) -> None:
    assert negotiate(query_lang, accept_language) is expected


@pytest.mark.parametrize("header", ["en-GB", "vi;q=0.2, en", "fr, vi", ""])
def test_every_surface_agrees(header: str) -> None:
    """The resolver, the HTTP refusals and GraphQL answer in the same language for the same header."""

    request = Request(
        {"type": "http", "query_string": b"", "headers": [(b"accept-language", header.encode())]}
    )
    expected = negotiate(None, header).value
    assert preferred_language(header) == expected
    assert language_of(request) == expected
    assert web_language_of(request) == expected
