"""Production errors name nothing of the schema the client did not send: no "Did you mean" (also where
graphql-core goes on with " Found: {value}."), no field, type or enum value that was not in the request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette

from schema.limits import without_schema_names
from services.common.settings import Environment
from tests.conftest import Database, gql, make_app


@pytest.fixture(scope="module")
def production_app() -> Starlette:
    return make_app(environment=Environment.PRODUCTION)


@pytest.fixture
async def prod(db: Database, production_app: Starlette) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=production_app), base_url="http://ocop.test") as http:
        yield http


# (query, variables, schema names the answer must not hold)
LEAKS: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    # An unknown input field in a variable: "... Did you mean 'search'? Found: {...}." escaped the filter.
    (
        "query($f: ProducerFilter) { producers(filter: $f) { totalCount } }",
        {"f": {"serch": "x"}},
        ("'search'", "provinceCode", "Did you mean"),
    ),
    # An unknown enum value in a variable and inline.
    (
        "query($s: ProductSort) { products(sortBy: $s) { totalCount } }",
        {"s": {"field": "NAM"}},
        ("'NAME'", "ProductSortField", "Did you mean"),
    ),
    (
        "{ products(sortBy: {field: NAM}) { totalCount } }",
        {},
        ("'NAME'", "ProductSortField", "Did you mean"),
    ),
    # A required input field left out names the field and its type.
    (
        "{ products(sortBy: {direction: ASC}) { totalCount } }",
        {},
        ("ProductSort.field", "ProductSortField", "'field'"),
    ),
    # An unknown field inline in an input object.
    (
        '{ producers(filter: {serch: "x"}) { totalCount } }',
        {},
        ("'search'", "ProducerFilter", "Did you mean"),
    ),
    # A field on a type the client never named.
    ("{ products { edges { node { nmae } } } }", {}, ("'name'", "'Product'", "Did you mean")),
]


@pytest.mark.parametrize(("query", "variables", "hidden"), LEAKS)
async def test_no_schema_names_in_production_errors(
    prod: AsyncClient, query: str, variables: dict[str, Any], hidden: tuple[str, ...]
) -> None:
    body = await gql(prod, query, variables)
    assert body["errors"], body
    for error in body["errors"]:
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", error
        for name in hidden:
            assert name not in error["message"], error["message"]


async def test_development_keeps_the_suggestions(client: AsyncClient) -> None:
    body = await gql(client, '{ producers(filter: {serch: "x"}) { totalCount } }')
    assert "Did you mean 'search'?" in body["errors"][0]["message"]


def test_what_the_client_sent_stays() -> None:
    message = (
        "Variable '$f' got invalid value {'serch': 'x'}; Expected value of type 'ProducerFilter' not to"
        " include unknown field 'serch'. Did you mean 'search'? Found: {'serch': 'x'}."
    )
    sent = 'query($f: ProducerFilter) { producers(filter: $f) { totalCount } }{"f":{"serch":"x"}}'
    assert without_schema_names(message, sent) == (
        "Variable '$f' got invalid value {'serch': 'x'}; Expected value of type 'ProducerFilter' not to"
        " include unknown field 'serch'. Found: {'serch': 'x'}."
    )
    assert without_schema_names(
        "Field 'ProductSort.field' of required type 'ProductSortField!' was not provided.", "{ products }"
    ) == ("Field '…' of required type '…' was not provided.")
