"""Each test starts with empty page caches (services/common/page_cache.py), as it starts with empty tables.

Also the resolver's sample catalogue (a `catalogue` fixture) and the helpers that read its answers, shared by
test_resolver.py and test_digital_link.py; and the `front` fixture (the application's front cache), shared by
test_page_cache.py and test_front_cache.py."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from httpx import Response
from starlette.applications import Starlette

from models import Batch, Product
from services.common import page_cache
from services.trace import resolver
from services.trace.identity import product_code
from tests.conftest import Database
from tests.factories import certify, make_batch, make_product
from web import public
from web.responses import CachedResponse


@pytest.fixture(autouse=True)
def empty_page_caches() -> None:
    page_cache.clear()


@pytest.fixture
def front(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> page_cache.FrontCache[CachedResponse]:
    """The application's front cache, its statistics and the inner caches' counted from this test on."""
    cache: page_cache.FrontCache[CachedResponse] = app.state.front_cache
    monkeypatch.setattr(cache, "stats", page_cache.FrontStats())
    for inner in (public.answers, public.pages):
        monkeypatch.setattr(inner, "stats", page_cache.Stats())
    return cache


BASE = "https://ocop.test"  # the test app's public base URL
GTIN13 = "8934563138165"  # a Vietnamese GTIN-13
GTIN14 = "0" + GTIN13
CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
VOC = "https://ref.gs1.org/voc/"
LINKSET = "application/linkset+json"


@dataclass
class Catalogue:
    """A certified product with a GTIN and a lot, and a product without a GTIN with a lot."""

    candy: Product
    candy_lot: Batch
    puffed: Product  # no GTIN: /p/{code}
    puffed_lot: Batch

    @property
    def candy_code(self) -> str:
        return product_code(self.candy.id)

    @property
    def puffed_code(self) -> str:
        return product_code(self.puffed.id)


@pytest.fixture
async def catalogue(db: Database) -> Catalogue:
    candy = await make_product(name="Kẹo dừa lá dứa", nameEn="Pandan coconut candy", gtin=GTIN13)
    await certify(candy, stars=4, decided=dt.date.today() - dt.timedelta(days=30))
    candy_lot = await make_batch(candy, "KD-2024/07")  # a "/" in the lot: %2F in the path
    puffed = await make_product(name="Bánh phồng Sơn Đốc")
    puffed_lot = await make_batch(puffed, "BP-01")
    return Catalogue(candy, candy_lot, puffed, puffed_lot)


def lot_path(lot: str = "KD-2024/07", gtin: str = GTIN14) -> str:
    return f"/01/{gtin}/10/{quote(lot, safe='')}"


def trace_page(code: str, lot: str) -> str:
    return f"{BASE}/t/{code}/{quote(lot, safe='')}"


def link_header(response: Response) -> dict[str, str]:
    """rel -> target of the Link header."""
    out = {}
    for part in response.headers["link"].split(", <"):
        target, _, params = part.lstrip("<").partition(">")
        rel = next(p.split("=", 1)[1].strip('"') for p in params.split(";") if p.strip().startswith("rel="))
        out[rel] = target
    return out


def valid_linkset(response: Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == LINKSET
    body: dict[str, Any] = json.loads(response.content)
    assert resolver.validate_linkset(body) == []
    return body
