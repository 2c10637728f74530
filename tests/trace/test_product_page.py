"""The product page a QR code's gs1:pip link opens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from httpx import AsyncClient

from services.common.clock import today as vietnam_today
from services.trace.identity import product_code
from tests.conftest import Database
from tests.factories import certify, make_producer, make_product


async def test_the_product_page_shows_the_product_and_its_valid_stars(
    client: AsyncClient, db: Database
) -> None:
    producer = await make_producer(name="Công ty Kẹo Dừa Phú Hưng (demo)")
    product = await make_product(
        producer,
        name="Kẹo dừa sầu riêng lá dứa",
        nameEn="Durian pandan coconut candy",
        netQuantity=Decimal("400"),
        netUnit="g",
        ingredients="Cơm dừa, mạch nha, sầu riêng, lá dứa",
    )
    await certify(
        product, stars=4, decided=vietnam_today() - dt.timedelta(days=30), decision_number="12/QĐ-UBND"
    )
    html = (await client.get(f"/products/{product_code(product.id)}")).text
    for text in (
        "Kẹo dừa sầu riêng lá dứa",
        "Công ty Kẹo Dừa Phú Hưng (demo)",
        "400 g",
        "★★★★",
        "12/QĐ-UBND",
        'id="ocop"',
    ):
        assert text in html, text
    english = await client.get(f"/products/{product_code(product.id)}?lang=en")
    assert "Durian pandan coconut candy" in english.text


async def test_the_resolvers_product_link_is_served(client: AsyncClient, db: Database) -> None:
    product = await make_product(gtin="8934563138165")
    redirect = await client.get("/01/08934563138165?linkType=gs1:pip")
    assert redirect.status_code == 307
    page = await client.get(redirect.headers["location"].removeprefix("https://ocop.test"))
    assert page.status_code == 200
    assert product.name in page.text


async def test_unpublished_or_unknown_products_are_not_found(client: AsyncClient, db: Database) -> None:
    hidden = await make_product(isPublished=False)
    assert (await client.get(f"/products/{product_code(hidden.id)}")).status_code == 404
    assert (await client.get("/products/ZZZZZZ")).status_code == 404
