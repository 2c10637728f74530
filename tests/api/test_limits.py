"""A client asking too much gets one typed error (QUERY_TOO_COMPLEX, TIMEOUT...) and nothing runs: depth,
aliases and cost are measured through fragments, the cost with the request's variables."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from strawberry.extensions.validation_cache import _get_validate_cache

from models import Producer
from schema import build_schema
from services.registry import search as catalog
from tests.conftest import Database, gql, make_app
from tests.factories import HUNG_NHUONG, tax_code

UNIT = 'administrativeUnit(level: COMMUNE, code: "29044", era: LEGACY)'


@contextlib.asynccontextmanager
async def client_of(**overrides: Any) -> AsyncIterator[AsyncClient]:
    """A client of a development app with these settings."""
    app = make_app(**overrides)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://ocop.test") as http:
        yield http


def parents(depth: int) -> str:
    """A query `depth` levels deep that costs little: a commune and its parents, one object a level."""
    return "{ " + UNIT + " { " + "parent { " * (depth - 1) + "code" + " }" * (depth - 1) + " } }"


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    """The one error of a refused document."""
    assert body["data"] is None
    assert len(body["errors"]) == 1, body["errors"]
    error: dict[str, Any] = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    return error


# -- depth ----------------------------------------------------------------------------------------------


async def test_twelve_levels_are_served_and_thirteen_refused(client: AsyncClient, db: Database) -> None:
    assert "errors" not in await gql(client, parents(12))
    error = refusal(await gql(client, parents(13)))
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "depth": 13, "maxDepth": 12}
    assert "exceeds maximum operation depth of 12" in error["message"]


async def test_a_query_fifty_levels_deep_is_refused(client: AsyncClient, db: Database) -> None:
    error = refusal(await gql(client, parents(50)))
    assert error["extensions"]["depth"] == 50


async def test_depth_counts_through_fragments(client: AsyncClient, db: Database) -> None:
    fragments = " ".join(
        f"fragment P{i} on AdministrativeUnit {{ parent {{ ...P{i + 1} }} }}" for i in range(19)
    )
    query = f"{{ {UNIT} {{ ...P0 }} }} {fragments} fragment P19 on AdministrativeUnit {{ parent {{ code }} }}"
    error = refusal(await gql(client, query))
    assert error["extensions"]["depth"] == 21  # administrativeUnit and 20 parents


# -- aliases --------------------------------------------------------------------------------------------


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


async def test_thirty_aliases_are_served_and_more_refused(client: AsyncClient, db: Database) -> None:
    assert len((await gql(client, aliases(30)))["data"]) == 30
    assert refusal(await gql(client, aliases(31)))["extensions"]["aliases"] == 31
    error = refusal(await gql(client, aliases(200)))
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "aliases": 200, "maxAliases": 30}


async def test_aliases_in_a_fragment_count_each_time_it_is_spread(client: AsyncClient, db: Database) -> None:
    names = " ".join(f"n{i}: name" for i in range(10))
    query = (
        f"{{ u1: {UNIT} {{ ...Names }} u2: {UNIT} {{ ...Names }} u3: {UNIT} {{ ... on AdministrativeUnit"
        f" {{ ...Names }} }} }} fragment Names on AdministrativeUnit {{ {names} }}"
    )
    assert refusal(await gql(client, query))["extensions"]["aliases"] == 33


async def test_a_fragment_cycle_is_refused_and_analysis_ends(client: AsyncClient, db: Database) -> None:
    fragments = " ".join(
        f"fragment F{i} on AdministrativeUnit {{ parent {{ ...F{(i + 1) % 20} }} }}" for i in range(20)
    )
    error = refusal(await gql(client, f"{{ {UNIT} {{ ...F0 }} }} {fragments}"))
    assert "F0 → F1 → F2" in error["message"]
    assert "F19 → F0" in error["message"]


async def test_fragments_spread_exponentially_are_measured_in_linear_time(
    client: AsyncClient, db: Database
) -> None:
    # 2**30 aliases once expanded: strawberry's own alias and depth rules walked every expansion (4.6 s
    # for 2**20), a denial of service from a 1 KB document.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    query = f"{{ ...F0 }} {fragments} fragment F30 on Query {{ a: __typename }}"
    started = time.perf_counter()
    error = refusal(await gql(client, query))
    assert time.perf_counter() - started < 2
    assert error["extensions"]["aliases"] == 2**30


# -- cost -----------------------------------------------------------------------------------------------

# 100 products × (node, producer, 20 products × (producer, 20 products × name)) = 44302.
EXPENSIVE = """
query($n: Int) { products(first: $n) { edges { node { producer {
  products { producer { products { name } } } } } } } }
"""


async def test_the_cost_of_a_query_is_reported(client: AsyncClient, db: Database) -> None:
    body = await gql(client, "{ products(first: 5) { totalCount edges { node { name } } } }")
    # products 1 + totalCount 1 + edges 1 + 5 × (node 1 + name 1)
    assert body["extensions"] == {"cost": {"requested": 13, "maximum": 10000}}


async def test_a_query_over_budget_is_refused_with_its_cost(client: AsyncClient, db: Database) -> None:
    literal = EXPENSIVE.replace("query($n: Int) ", "").replace("$n", "100")
    error = refusal(await gql(client, literal))
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 12302, "maxCost": 10000}
    assert error["message"].startswith("The query costs 12302, more than the maximum of 10000.")


async def test_the_cost_is_computed_with_the_variables(client: AsyncClient, db: Database) -> None:
    error = refusal(await gql(client, EXPENSIVE, {"n": 100}))
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 12302, "maxCost": 10000}
    small = await gql(client, EXPENSIVE, {"n": 2})
    assert "errors" not in small
    assert small["extensions"]["cost"] == {"requested": 248, "maximum": 10000}
    default_page = await gql(client, EXPENSIVE)
    # 20 products, the default page; a producer's products count 10 (LIST_SIZES):
    # products 1 + edges 1 + 20 × (node 1 + producer 1 + products 1 + 10 × (producer 1 + products 1 + 10 × name 1))
    assert default_page["extensions"]["cost"]["requested"] == 2462


async def test_the_budget_is_a_setting(db: Database) -> None:
    async with client_of(max_query_cost=100) as http:
        assert "errors" not in await gql(http, "{ products(first: 5) { edges { node { name } } } }")
        error = refusal(await gql(http, "{ products(first: 50) { edges { node { name } } } }"))
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 102, "maxCost": 100}


CREATE = """
mutation($input: ProducerCreateInput!, $deep: Boolean!) {
  createProducer(input: $input) {
    producer { name province { children @include(if: $deep) { children { children { code name } } } } }
    errors { code }
  }
}
"""


def producer_input() -> dict[str, Any]:
    return {
        "name": "HTX Thử giới hạn (demo)",
        "kind": "COOPERATIVE",
        "addressLine": "Ấp 1",
        "communeCode": HUNG_NHUONG,
        "communeEra": "LEGACY",
        "taxCode": tax_code(901),
    }


async def test_a_mutation_over_budget_writes_nothing(admin_client: AsyncClient, db: Database) -> None:
    literal = CREATE.replace(", $deep: Boolean!", "").replace(" @include(if: $deep)", "")
    error = refusal(await gql(admin_client, literal, {"input": producer_input()}))
    assert error["extensions"]["cost"] > 10000
    # Affordable at validation (the children may be left out), over budget with $deep: refused before running.
    error = refusal(await gql(admin_client, CREATE, {"input": producer_input(), "deep": True}))
    # createProducer 1 + producer 1 + name 1 + province 1
    # + children 1 + 30 × (children 1 + 30 × (children 1 + 30 × (code 1 + name 1))) + errors 1 + 20 × code 1
    # (an administrative unit's children count 30, a payload's errors 20: LIST_SIZES, LIST_ESTIMATE)
    assert error["extensions"]["cost"] == 54956
    assert await Producer.all().count() == 0
    served = await gql(admin_client, CREATE, {"input": producer_input(), "deep": False})
    assert served["data"]["createProducer"]["errors"] == []
    assert await Producer.all().count() == 1


def test_limit_rules_keep_the_validation_cache_hitting() -> None:
    # The LRU cache that strawberry's ValidationCache(maxsize=512) instances share.
    cache: Any = _get_validate_cache(512)
    for production in (False, True):
        served = build_schema(production=production)
        assert served.execute_sync("{ a: __typename }").errors is None
        hits = cache.cache_info().hits
        assert served.execute_sync("{ a: __typename }").errors is None
        assert cache.cache_info().hits == hits + 1
    assert build_schema(production=True) is build_schema(production=True)


# -- time, batches, methods -------------------------------------------------------------------------------


async def test_a_request_is_stopped_after_its_timeout(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(5)

    monkeypatch.setattr(catalog, "product_query", slow)
    async with client_of(request_timeout_s=0.05) as http:
        response = await http.post("/graphql", json={"query": "{ products { totalCount } }"})
    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The request took longer than 0.05 s and was stopped.",
                "extensions": {"code": "TIMEOUT", "requestId": response.headers["x-request-id"]},
            }
        ],
    }


async def test_a_batch_is_refused_and_none_of_it_runs(admin_client: AsyncClient, db: Database) -> None:
    operation = {"query": CREATE, "variables": {"input": producer_input(), "deep": False}}
    response = await admin_client.post("/graphql", json=[operation, operation])
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BATCHING_NOT_SUPPORTED"}
    assert "one operation per request" in response.json()["errors"][0]["message"]
    assert await Producer.all().count() == 0


async def test_mutations_are_refused_over_get_in_development(admin_client: AsyncClient, db: Database) -> None:
    query = await admin_client.get("/graphql", params={"query": "{ provinces { code } }"})
    assert query.status_code == 200
    assert query.json()["data"]["provinces"]
    mutation = CREATE.replace("$deep: Boolean!", "").replace(" @include(if: $deep)", "")
    variables = json.dumps({"input": producer_input()})
    response = await admin_client.get("/graphql", params={"query": mutation, "variables": variables})
    assert response.status_code == 400
    assert response.text == "mutations are not allowed when using GET"
    assert await Producer.all().count() == 0


async def test_malformed_requests_are_bad_requests(client: AsyncClient, db: Database) -> None:
    for body, message in [
        ({"query": ""}, 'Request data is missing a "query" value'),
        ({"query": "query A { __typename }", "operationName": "B"}, 'Unknown operation named "B".'),
        ({"query": "{ __typename }", "variables": [1]}, "The body must be a JSON object"),
        ({"query": "{ __typename }", "operationName": 1}, "The body must be a JSON object"),
        ({"variables": {}}, "The body must be a JSON object"),
    ]:
        response = await client.post("/graphql", json=body)
        assert response.status_code == 400, body
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_REQUEST"}
        assert error["message"].startswith(message)


# -- error codes in development ---------------------------------------------------------------------------


async def test_every_error_has_a_code_and_development_keeps_the_details(
    client: AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    syntax = (await gql(client, "{ products { "))["errors"][0]
    assert syntax["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    unknown = (await gql(client, "{ products { edges { node { nmae } } } }"))["errors"][0]
    assert unknown["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert unknown["message"] == "Cannot query field 'nmae' on type 'Product'. Did you mean 'name'?"

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the catalog is broken")

    monkeypatch.setattr(catalog, "product_query", broken)
    response = await client.post("/graphql", json={"query": "{ products { totalCount } }"})
    error = response.json()["errors"][0]
    assert error["message"] == "the catalog is broken"
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": response.headers["x-request-id"],
    }
