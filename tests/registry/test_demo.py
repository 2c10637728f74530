"""The demo data set a newcomer sees on the first `make run`."""

from __future__ import annotations

from httpx import AsyncClient

from models import Evaluation, Producer, Product
from services import demo
from tests.conftest import Database, gql

STARS = """
query($search: String!) { products(filter: {search: $search}) { edges { node { name stars certificate { status } } } } }
"""


async def stars_of(client: AsyncClient, name: str) -> list[tuple[str, int | None]]:
    body = await gql(client, STARS, {"search": name})
    return [(e["node"]["name"], e["node"]["stars"]) for e in body["data"]["products"]["edges"]]


async def test_the_demo_loads_once_and_tells_its_story(client: AsyncClient, db: Database) -> None:
    first = await demo.load()
    assert first["producers"] >= 14
    assert first["products"] >= 30
    again = await demo.load()
    assert again == {"producers": 0, "products": 0, "evaluations": 0, "plans": 0, "targets": 0, "accounts": 0}
    assert await Producer.exclude(name__endswith="(demo)").count() == 0, (
        "demo producers must be marked as fictional"
    )
    # Certified under 1048 in 2020 only: the certificate expired in 2023, so no stars today.
    assert await stars_of(client, "banh trang my long nuoc dua") == [("Bánh tráng Mỹ Lồng nước dừa", None)]
    # Its 2025 score of 91 awaits the central council: it keeps the 4★ of its 2023 certificate.
    assert await stars_of(client, "keo dua sau rieng la dua") == [("Kẹo dừa sầu riêng lá dứa", 4)]
    # The 5★ product recognised by the central council under QĐ 148 (Quảng Nam).
    assert await stars_of(client, "cao sam ngoc linh") == [("Cao sâm Ngọc Linh", 5)]
    assert await Evaluation.filter(status="revoked").count() == 1
    assert await Product.filter(latest_certificate_id__isnull=True).count() >= 2
