"""When /graphql runs an operation compiled (OCOP_GRAPHQL_COMPILED: off, registered, seen) and what
OCOP_GRAPHQL_DEBUG=1 tells the caller: `extensions.execution: {compiled, fallback}`. The answer is the same
either way (the differential tests hold the details); limits still refuse a document before execution."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from httpx import AsyncClient

from schema.compiled import policy
from services.common import settings
from services.common.settings import GraphQLCompiled, load_settings
from tests.api.test_trusted_documents import client_of, register
from tests.conftest import Database

PROVINCES = "query Provinces($era: UnitEra) { provinces(era: $era) { code name } }"
LOGOUT = "mutation Logout { logout { ok } }"


def sha(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


async def post(client: AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json=fields)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_mistyped_mode_or_count_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="off, registered or seen"):
        load_settings({"OCOP_GRAPHQL_COMPILED": "always"})
    with pytest.raises(ValueError, match="OCOP_GRAPHQL_COMPILED_AFTER"):
        load_settings({"OCOP_GRAPHQL_COMPILED_AFTER": "0"})
    with pytest.raises(ValueError, match="OCOP_GRAPHQL_DEBUG"):
        load_settings({"OCOP_GRAPHQL_DEBUG": "maybe"})
    loaded = load_settings({"OCOP_GRAPHQL_COMPILED": " Seen ", "OCOP_GRAPHQL_COMPILED_AFTER": "5"})
    assert (loaded.graphql_compiled, loaded.graphql_compiled_after) == (GraphQLCompiled.SEEN, 5)
    assert load_settings({}).graphql_compiled == GraphQLCompiled.SEEN
    assert not load_settings({}).graphql_debug


async def test_registered_documents_run_compiled_and_free_form_ones_do_not(db: Database) -> None:
    await register(PROVINCES, LOGOUT)
    with settings.overridden(graphql_debug=True, graphql_compiled=GraphQLCompiled.REGISTERED):
        async with client_of() as client:
            by_hash = await post(client, documentId=f"sha256:{sha(PROVINCES)}")
            free = await post(client, query=PROVINCES)
            mutation = await post(client, documentId=f"sha256:{sha(LOGOUT)}")
    assert by_hash["extensions"]["execution"] == {"compiled": True, "fallback": None, "projected": 0}
    assert free["extensions"]["execution"] == {
        "compiled": False,
        "fallback": "not a registered document",
        "projected": 0,
    }
    assert by_hash["data"] == free["data"]
    assert by_hash["data"]["provinces"]
    assert mutation["extensions"]["execution"]["compiled"] is False


async def test_off_never_compiles_and_without_debug_nothing_is_said(db: Database) -> None:
    await register(PROVINCES)
    with settings.overridden(graphql_debug=True, graphql_compiled=GraphQLCompiled.OFF):
        async with client_of() as client:
            body = await post(client, documentId=f"sha256:{sha(PROVINCES)}")
    assert body["extensions"]["execution"] == {
        "compiled": False,
        "fallback": "OCOP_GRAPHQL_COMPILED=off",
        "projected": 0,
    }
    with settings.overridden(graphql_debug=False):
        async with client_of() as client:
            body = await post(client, documentId=f"sha256:{sha(PROVINCES)}")
    assert "execution" not in body["extensions"]


async def test_seen_compiles_a_document_after_its_count(db: Database) -> None:
    policy.reset()
    query = "query Seen { provinces { code } }"
    with settings.overridden(
        graphql_debug=True, graphql_compiled=GraphQLCompiled.SEEN, graphql_compiled_after=2
    ):
        async with client_of() as client:
            answers = [await post(client, query=query) for _ in range(3)]
    assert [a["extensions"]["execution"]["compiled"] for a in answers] == [False, False, True]
    assert answers[0]["extensions"]["execution"]["fallback"] == "seen fewer than 2 times"
    assert answers[0]["data"] == answers[2]["data"]


async def test_limits_refuse_a_registered_document_before_it_runs(db: Database) -> None:
    query = "query Many { products(first: 100) { edges { node { name producer { name } } } } }"
    await register(query)
    with settings.overridden(graphql_debug=True):
        async with client_of(max_query_cost=50) as client:
            body = await post(client, documentId=f"sha256:{sha(query)}")
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert body["extensions"]["execution"] == {"compiled": False, "fallback": "not executed", "projected": 0}
