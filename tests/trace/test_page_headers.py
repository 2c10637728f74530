"""Every public HTML page (trace page, product page, their not-found pages) carries a Content-Security-Policy
without script or 'unsafe-inline' (its <style> elements allowed by hash), frame-ancestors 'none', nosniff
and a Referrer-Policy; the page cache's 304 and the front cache's replay carry them too."""

from __future__ import annotations

import base64
import hashlib
import re

from httpx import AsyncClient, Response

from services.common import page_cache
from services.trace.identity import product_code
from tests.conftest import Database
from tests.trace.page_samples import candy_lot, page_of
from web.responses import CachedResponse

PHONE = {"accept": "text/html,*/*;q=0.8", "accept-language": "vi-VN,vi;q=0.9"}


def check_headers(response: Response) -> None:
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "script-src" not in policy  # default-src 'none' forbids every script
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    if response.status_code == 304:
        return
    assert "<script" not in response.text
    assert " style=" not in response.text  # style attributes would need 'unsafe-hashes'
    styles = re.findall(r"<style>(.*?)</style>", response.text, re.DOTALL)
    assert styles
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


async def test_public_pages_carry_the_security_headers(
    client: AsyncClient, db: Database, front: page_cache.FrontCache[CachedResponse]
) -> None:
    product, _ = await candy_lot()
    paths = {
        "trace page": (page_of(product), 200),
        "product page": (f"/products/{product_code(product.id)}", 200),
        "unknown lot": (page_of(product, "NO-SUCH-LOT"), 404),
        "unknown product": ("/products/ZZZZZZ", 404),
    }
    for name, (path, status) in paths.items():
        first = await client.get(path, headers=PHONE)
        assert first.status_code == status, (name, first.text)
        check_headers(first)
        replayed = await client.get(path, headers=PHONE)  # the front cache or the page cache
        check_headers(replayed)
        if status == 200:
            not_modified = await client.get(path, headers=PHONE | {"if-none-match": first.headers["etag"]})
            assert not_modified.status_code == 304
            check_headers(not_modified)
    assert front.stats.hits >= 2


def test_the_style_elements_hashed_are_those_a_browser_applies() -> None:
    """The policy's hashes come from `<style>` elements found by bytes.find (faster than a regular expression
    over a whole page): the same elements as `<style>(.*?)</style>` finds, also when tags are cut, nested,
    unclosed or repeated."""
    import random

    from web.responses import _styles

    pattern = re.compile(rb"<style>(.*?)</style>", re.DOTALL)
    rng = random.Random(7)
    parts = [b"<style>", b"</style>", b"a{}", b"<st", b"yle>", b"\n", b"</sty", b"le>", "ừ".encode()]
    for _ in range(5000):
        body = b"".join(rng.choice(parts) for _ in range(rng.randint(0, 14)))
        assert _styles(body) == pattern.findall(body), body
