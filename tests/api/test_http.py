"""What an operator and a frontend see over HTTP: health, readiness, JSON, GraphiQL, the exported SDL."""

from __future__ import annotations

from httpx import AsyncClient

import schema
from tests.conftest import ROOT, Database
from tests.factories import make_producer, make_product


async def test_health_and_readiness(client: AsyncClient, db: Database) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "reason": "ok"}


async def test_vietnamese_is_sent_as_utf8_not_escaped(client: AsyncClient, db: Database) -> None:
    await make_product(await make_producer(name="HTX Bánh phồng Sơn Đốc (demo)"))
    response = await client.post("/graphql", json={"query": "{ products { edges { node { name } } } }"})
    assert response.headers["content-type"].startswith("application/json")
    assert "Bánh phồng Sơn Đốc".encode() in response.content
    assert b"\\u" not in response.content
    assert response.headers["x-request-id"]


async def test_graphiql_is_served_in_development(client: AsyncClient, db: Database) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_schema_graphql_is_the_current_sdl() -> None:
    on_disk = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert on_disk == schema.sdl(), "schema.graphql is stale: run `make schema` and commit it"


async def test_a_query_too_deep_is_refused(client: AsyncClient, db: Database) -> None:
    deep = "{ provinces { " + "children { " * 12 + "code" + " }" * 12 + " } }"
    body = (await client.post("/graphql", json={"query": deep})).json()
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_only_json_posts_are_executed(client: AsyncClient, db: Database) -> None:
    mutation = 'mutation { createProducer(input: {name: "X", kind: COOPERATIVE, addressLine: "Ấp 1", communeCode: "29044", communeEra: LEGACY}) { errors { code } } }'
    form = await client.post(
        "/graphql", content=f"query={mutation}", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code == 415
    bad = await client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    assert "query" in bad.json()["errors"][0]["message"]
    from models import Producer

    assert await Producer.all().count() == 0
