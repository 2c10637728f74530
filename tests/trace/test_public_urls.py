"""Absolute URLs handed out (the EPCIS `Link: rel="next"`, the resolver's links and redirects) are built on
the public base URL (https://ocop.test in tests), never on the request's Host header."""

from __future__ import annotations

import datetime as dt

from httpx import AsyncClient

from models import EventType
from services.common.gs1 import check_digit
from services.policy import SYSTEM
from services.trace import events as trace
from services.trace.events import EventInput, QuantityData
from tests.conftest import Database
from tests.factories import make_batch, make_product

EVIL = {"host": "evil.example"}


async def test_the_epcis_next_link_ignores_the_host_header(client: AsyncClient, db: Database) -> None:
    batch = await make_batch(await make_product(), "LOT-LINK")
    for day in (1, 2):
        await trace.record_event(
            EventInput(
                EventType.OBJECT,
                dt.datetime(2026, 1, day, 8, 0, tzinfo=dt.UTC),
                subjects=[QuantityData(batch.id)],
                biz_step="storing",
            ),
            SYSTEM,
            "https://ocop.test",
        )
    response = await client.get("/epcis/events", params={"perPage": "1"}, headers=EVIL)
    assert response.status_code == 200, response.text
    link = response.headers["link"]
    assert link.startswith("<https://ocop.test/epcis/events?"), link
    assert "evil.example" not in link


async def test_resolver_answers_ignore_the_host_header(client: AsyncClient, db: Database) -> None:
    gtin = "0893613180002" + check_digit("0893613180002")
    product = await make_product(gtin=gtin)
    await make_batch(product, "LOT-HOST")
    path = f"/01/{gtin}/10/LOT-HOST"
    for accept in ("text/html", "application/linkset+json"):
        response = await client.get(path, headers=EVIL | {"accept": accept})
        assert response.status_code in (200, 307), response.text
        assert "evil.example" not in str(response.headers)
        assert "evil.example" not in response.text
