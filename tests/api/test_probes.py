"""graphql-cop's probes against the production configuration: each one is refused, with its own status and
error code, and the refusals reveal nothing of the schema or the server."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette

from models import Producer
from services.common.settings import Environment
from services.registry import listing
from services.registry import search as catalog
from tests.conftest import Database, gql, make_app
from tests.factories import HUNG_NHUONG, tax_code

CREATE = (
    'mutation { createProducer(input: {name: "HTX Thăm dò (demo)", kind: COOPERATIVE, addressLine: "Ấp 1",'
    f' communeCode: "{HUNG_NHUONG}", communeEra: LEGACY, taxCode: "{tax_code(902)}"}})'
    " { producer { id } errors { code } } }"
)


@pytest.fixture(scope="module")
def production_app() -> Starlette:
    return make_app(environment=Environment.PRODUCTION)


@pytest.fixture
async def prod(db: Database, production_app: Starlette, admin_token: str) -> AsyncIterator[AsyncClient]:
    """A client of the production app acting as a central admin: a probe that got through would write."""
    async with AsyncClient(
        transport=ASGITransport(app=production_app),
        base_url="http://ocop.test",
        headers={"authorization": f"Bearer {admin_token}"},
    ) as http:
        yield http


def only_error(body: dict[str, Any], code: str) -> dict[str, Any]:
    assert body["data"] is None
    assert len(body["errors"]) == 1, body["errors"]
    error: dict[str, Any] = body["errors"][0]
    assert error["extensions"]["code"] == code
    return error


async def test_the_production_app_serves_queries_and_mutations_over_json_post(
    prod: AsyncClient, db: Database
) -> None:
    # The control: what the probes below are refused is not refused for lack of a working server.
    body = await gql(prod, CREATE)
    assert body["data"]["createProducer"]["errors"] == []
    assert await Producer.all().count() == 1
    assert (await gql(prod, "{ __typename }"))["data"] == {"__typename": "Query"}


async def test_alias_overloading(prod: AsyncClient, db: Database) -> None:
    query = "query cop { " + " ".join(f"alias{i}: __typename" for i in range(200)) + " }"
    error = only_error(await gql(prod, query), "QUERY_TOO_COMPLEX")
    assert error["extensions"]["aliases"] == 200


async def test_batch_query(prod: AsyncClient, db: Database) -> None:
    response = await prod.post("/graphql", json=[{"query": CREATE}] * 10)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BATCHING_NOT_SUPPORTED"}
    assert await Producer.all().count() == 0


async def test_directive_overloading(prod: AsyncClient, db: Database) -> None:
    repeated = only_error(
        await gql(prod, "query cop { __typename " + "@include(if: true) " * 100 + "}"), "QUERY_TOO_COMPLEX"
    )
    assert repeated["extensions"]["directives"] == 100
    # graphql-cop counts one error per unknown directive as a server that processes them all.
    unknown = only_error(await gql(prod, "query cop { __typename " + "@aa " * 10 + "}"), "QUERY_TOO_COMPLEX")
    assert unknown["extensions"]["directives"] == 10


async def test_field_duplication(prod: AsyncClient, db: Database) -> None:
    error = only_error(await gql(prod, "query cop { " + "__typename " * 500 + "}"), "QUERY_TOO_COMPLEX")
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "repeats": 500, "maxRepeats": 10}


@pytest.mark.parametrize(
    "query",
    [
        "query cop { __schema { types { name fields { name } } } }",
        'query cop { __type(name: "Producer") { fields { name } } }',
    ],
)
async def test_introspection(prod: AsyncClient, db: Database, query: str) -> None:
    body = await gql(prod, query)
    assert body["data"] is None
    assert body["errors"]
    for error in body["errors"]:
        assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
        assert error["message"].startswith("GraphQL introspection has been disabled")
    assert "taxCode" not in str(body)


async def test_field_suggestions(prod: AsyncClient, db: Database) -> None:
    field = (await gql(prod, "{ products { edges { node { nmae } } } }"))["errors"][0]
    assert field == {
        "message": "Cannot query field 'nmae' on type '…'.",  # Product: not named by the client
        "locations": [{"line": 1, "column": 29}],
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
    }
    argument = (await gql(prod, "{ products(frist: 5) { totalCount } }"))["errors"][0]
    assert argument["message"] == "Unknown argument 'frist' on field 'Query.products'."
    # A value refused while the variables are coerced, at execution.
    enum = await gql(
        prod,
        "query($sort: ProductSort) { products(sortBy: $sort) { totalCount } }",
        {"sort": {"field": "NAM"}},
    )
    assert enum["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert "'NAM'" in enum["errors"][0]["message"]
    for body in (field, argument, enum):
        assert "Did you mean" not in str(body)
        assert "'name'" not in str(body)
        assert "'first'" not in str(body)
        assert "NAME" not in str(body)


async def test_get_mutation(prod: AsyncClient, db: Database) -> None:
    response = await prod.get("/graphql", params={"query": CREATE})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
    assert await Producer.all().count() == 0


async def test_get_query_and_graphiql(prod: AsyncClient, db: Database) -> None:
    query = await prod.get("/graphql", params={"query": "query cop { __typename }"})
    assert query.status_code == 405
    assert query.json()["errors"][0]["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
    graphiql = await prod.get("/graphql", headers={"accept": "text/html"})
    assert graphiql.status_code == 405
    assert graphiql.headers["content-type"] == "application/json"
    assert "<html" not in graphiql.text.lower()


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (f"query={CREATE}", "application/x-www-form-urlencoded"),
        (
            f'--b\r\nContent-Disposition: form-data; name="query"\r\n\r\n{CREATE}\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
        (json.dumps({"query": CREATE}), "text/plain"),
    ],
)
async def test_post_that_is_not_json(
    prod: AsyncClient, db: Database, content: str, content_type: str
) -> None:
    # The content types a browser form (or a "simple" cross-site request) can send without a preflight.
    response = await prod.post("/graphql", content=content.encode(), headers={"content-type": content_type})
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"] == {"code": "UNSUPPORTED_MEDIA_TYPE"}
    assert await Producer.all().count() == 0


async def test_mutation_in_the_query_string_of_a_post(prod: AsyncClient, db: Database) -> None:
    response = await prod.post("/graphql", params={"query": CREATE}, json={})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}
    assert await Producer.all().count() == 0


# A traceback, a source file, an exception class (RuntimeError, GraphQLError...) or the exception's text.
LEAKS = re.compile(r"Traceback|File \"|\.py\b|/work/|\w+(?:Error|Exception)\b|catalog is broken")


async def test_errors_do_not_leak_traces_or_internals(
    prod: AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the catalog is broken in /work/main/services/registry/search.py")

    monkeypatch.setattr(catalog, "product_query", broken)
    monkeypatch.setattr(listing, "read_product_rows", broken)  # the listing's forward pages
    response = await prod.post("/graphql?debug=1", json={"query": "query cop { products { totalCount } }"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"] == [
        {
            "message": "Internal server error",
            "locations": [{"line": 1, "column": 13}],
            "path": ["products"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": response.headers["x-request-id"]},
        }
    ]
    assert body["extensions"].keys() == {"cost"}  # no tracing, no debug
    # Neither an unhandled error nor the graphql-cop probes for tracing and debug modes show internals.
    for request in [
        {"query": "query cop { products { totalCount } }"},
        {"query": "query cop { __typenam }"},
        {"query": "query cop { products(first: 101) { totalCount } }"},
        {"query": "query cop {"},
        {"query": "query($f: Int) { products(first: $f) { totalCount } }", "variables": {"f": "x"}},
    ]:
        text = (await prod.post("/graphql", json=request)).text
        assert not LEAKS.search(text), text
        assert "tracing" not in text
