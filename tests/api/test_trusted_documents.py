"""Trusted documents (issue 17 item 4): a client's manifest is registered (graphql-codegen's client preset or
Apollo's format), its documents run by hash over POST and, for queries, over GET with ETag and Cache-Control;
OCOP_TRUSTED_DOCUMENTS decides whether anonymous callers may still send free-form documents."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

import schema as graphql_schema
import server
from models import Role, TrustedDocument
from schema.trusted import validator
from services.api import trusted_documents
from services.common.errors import DomainError
from services.common.settings import Environment, TrustedDocuments, load_settings
from services.policy import SYSTEM, Reach
from tests.conftest import Database, gql, make_app
from tests.factories import token_for
from web.commands import load_manifest, trusted_documents_command

PROVINCES = "query Provinces($era: UnitEra) { provinces(era: $era) { code name } }"
LOGOUT = "mutation Logout { logout { ok } }"


VALIDATE = validator(graphql_schema.schema, graphql_schema.LIMITS)


def sha(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


async def register(*bodies: str) -> trusted_documents.Registration:
    entries = trusted_documents.read_manifest({sha(b): b for b in bodies})
    return await trusted_documents.register(entries, validate=VALIDATE, reach=SYSTEM, registered_by="test")


@contextlib.asynccontextmanager
async def client_of(**overrides: Any) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(
        transport=ASGITransport(app=make_app(**overrides)), base_url="http://ocop.test"
    ) as http:
        yield http


def code_of(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code


# -- registering ---------------------------------------------------------------------------------------


async def cli_register(
    tmp_path: Path, manifest: object, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    args = argparse.Namespace(action="register", file=path)
    status = await trusted_documents_command(args, load_manifest(path))
    out, err = capsys.readouterr()
    return status, out + err


async def test_the_client_presets_manifest_registers_from_the_command_line(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = {sha(PROVINCES): PROVINCES, f"sha256:{sha(LOGOUT)}": LOGOUT}
    status, said = await cli_register(tmp_path, manifest, capsys)
    assert (status, said) == (0, "2 documents registered, 0 already registered\n")
    rows = {row.sha256: row for row in await TrustedDocument.all()}
    assert rows[sha(PROVINCES)].body == PROVINCES
    assert (rows[sha(PROVINCES)].operation_type, rows[sha(PROVINCES)].operation_name) == (
        "query",
        "Provinces",
    )
    assert (rows[sha(LOGOUT)].operation_type, rows[sha(LOGOUT)].operation_name) == ("mutation", "Logout")
    assert rows[sha(LOGOUT)].registered_by.startswith("cli:")
    # Registering the same manifest again (a redeploy) adds nothing.
    assert (await cli_register(tmp_path, manifest, capsys))[
        1
    ] == "0 documents registered, 2 already registered\n"


async def test_apollos_manifest_registers(db: Database) -> None:
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": sha(PROVINCES), "name": "Provinces", "type": "query", "body": PROVINCES},
            {"id": sha(LOGOUT), "name": "Logout", "type": "mutation", "body": LOGOUT},
        ],
    }
    entries = trusted_documents.read_manifest(manifest)
    outcome = await trusted_documents.register(entries, validate=VALIDATE, reach=SYSTEM, registered_by="test")
    assert (outcome.added, outcome.already) == (2, 0)
    found = await trusted_documents.find(sha(PROVINCES))
    assert found is not None
    assert found.operation_type == "query"
    assert found.body == PROVINCES


async def test_a_wrong_hash_or_an_invalid_document_registers_nothing(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown_field = "query Nope { provinces { nope } }"
    manifest = {
        sha(PROVINCES): PROVINCES,  # fine, but not written: all or none
        sha(PROVINCES + " "): LOGOUT,  # the hash of another body
        sha(unknown_field): unknown_field,
        sha("query {"): "query {",
        "abc": "{ provinces { code } }",
    }
    status, said = await cli_register(tmp_path, manifest, capsys)
    assert status == 2
    assert await TrustedDocument.all().count() == 0
    assert "abc: The hash is not a SHA-256" in said
    entries = trusted_documents.read_manifest({k: v for k, v in manifest.items() if k != "abc"})
    with pytest.raises(DomainError) as refused:
        await trusted_documents.register(entries, validate=VALIDATE, reach=SYSTEM, registered_by="test")
    problems = {p.field: p.message_en for p in refused.value.problems}
    assert problems[sha(PROVINCES + " ")].startswith(
        f"The hash does not match the body: the body's SHA-256 is {sha(LOGOUT)}"
    )
    assert "Cannot query field 'nope'" in problems[sha(unknown_field)]
    assert problems[sha("query {")].startswith("Invalid document: Syntax Error")
    assert sha(PROVINCES) not in problems


async def test_a_document_over_the_cost_budget_is_not_registered(db: Database) -> None:
    costly = "query Deep { provinces { children { children { children { code } } } } }"
    with pytest.raises(DomainError) as refused:
        await register(costly)
    assert "costs" in refused.value.problems[0].message_en


async def test_only_the_central_administration_registers(db: Database) -> None:
    entries = trusted_documents.read_manifest({sha(PROVINCES): PROVINCES})
    with pytest.raises(DomainError) as refused:
        await trusted_documents.register(entries, validate=VALIDATE, reach=Reach(), registered_by="x")
    assert refused.value.problems[0].code.value == "forbidden"
    assert await TrustedDocument.all().count() == 0


def test_a_manifest_of_another_shape_is_refused() -> None:
    for data in ([PROVINCES], {"format": "other", "operations": []}):
        with pytest.raises(DomainError):
            trusted_documents.read_manifest(data)


# -- running by hash -------------------------------------------------------------------------------------


async def test_a_registered_document_runs_by_document_id_and_by_apqs_hash(
    client: AsyncClient, db: Database
) -> None:
    await register(PROVINCES)
    free = (await client.post("/graphql", json={"query": PROVINCES, "variables": {"era": "CURRENT"}})).json()
    by_id = await client.post(
        "/graphql", json={"documentId": f"sha256:{sha(PROVINCES)}", "variables": {"era": "CURRENT"}}
    )
    apq = {"persistedQuery": {"version": 1, "sha256Hash": sha(PROVINCES)}}
    by_apq = await client.post("/graphql", json={"extensions": apq, "variables": {"era": "CURRENT"}})
    assert by_id.status_code == by_apq.status_code == 200
    assert by_id.json() == by_apq.json() == free
    assert len(free["data"]["provinces"]) == 34
    assert free["extensions"]["cost"]["requested"] > 0


async def test_an_unknown_hash_is_persisted_query_not_found(client: AsyncClient, db: Database) -> None:
    response = await client.post("/graphql", json={"documentId": f"sha256:{sha(PROVINCES)}"})
    assert response.status_code == 200
    assert code_of(response.json()) == "PERSISTED_QUERY_NOT_FOUND"
    assert "server.py trusted-documents register" in response.json()["errors"][0]["message"]
    # Apollo's automatic persisted queries then send the query with its hash: it runs (mode allow)...
    apq = {"persistedQuery": {"version": 1, "sha256Hash": sha(PROVINCES)}}
    answer = (await client.post("/graphql", json={"query": PROVINCES, "extensions": apq})).json()
    assert "errors" not in answer
    # ...but is not registered by being sent, and a hash that is not the query's is refused.
    assert await TrustedDocument.all().count() == 0
    wrong = await client.post("/graphql", json={"query": LOGOUT, "extensions": apq})
    assert (wrong.status_code, code_of(wrong.json())) == (400, "BAD_REQUEST")
    malformed = await client.post("/graphql", json={"documentId": "md5:abc"})
    assert (malformed.status_code, code_of(malformed.json())) == (400, "BAD_REQUEST")


async def test_only_mode_refuses_anonymous_free_form_documents(db: Database) -> None:
    await register(PROVINCES)
    token = await token_for(Role.CENTRAL_ADMIN)
    async with client_of(trusted_documents=TrustedDocuments.ONLY) as http:
        refused = await http.post("/graphql", json={"query": PROVINCES}, headers={"accept-language": "en"})
        assert refused.status_code == 400
        assert code_of(refused.json()) == "PERSISTED_QUERY_ID_REQUIRED"
        assert "registered documents" in refused.json()["errors"][0]["message"]
        vietnamese = await http.post("/graphql", json={"query": PROVINCES})
        assert "tài liệu đã đăng ký" in vietnamese.json()["errors"][0]["message"]
        registered = await http.post("/graphql", json={"documentId": f"sha256:{sha(PROVINCES)}"})
        assert "errors" not in registered.json()
        assert registered.json()["data"]["provinces"]
        # Apollo's retry with the query does not get around it.
        apq = {"persistedQuery": {"version": 1, "sha256Hash": sha(LOGOUT)}}
        retry = await http.post("/graphql", json={"query": LOGOUT, "extensions": apq})
        assert code_of(retry.json()) == "PERSISTED_QUERY_ID_REQUIRED"
        # Free-form GET (development's strawberry view) is refused as well.
        get = await http.get("/graphql", params={"query": PROVINCES})
        assert code_of(get.json()) == "PERSISTED_QUERY_ID_REQUIRED"
        # A signed-in caller may still send its own documents.
        signed_in = await http.post(
            "/graphql", json={"query": PROVINCES}, headers={"authorization": f"Bearer {token}"}
        )
        assert "errors" not in signed_in.json()


async def test_off_mode_refuses_hashes(db: Database) -> None:
    await register(PROVINCES)
    async with client_of(trusted_documents=TrustedDocuments.OFF) as http:
        refused = await http.post("/graphql", json={"documentId": f"sha256:{sha(PROVINCES)}"})
        assert (refused.status_code, code_of(refused.json())) == (400, "PERSISTED_QUERY_NOT_SUPPORTED")
        assert "errors" not in (await http.post("/graphql", json={"query": PROVINCES})).json()


def test_a_bad_mode_stops_the_start_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_settings({"OCOP_TRUSTED_DOCUMENTS": "ONLY"}).trusted_documents == TrustedDocuments.ONLY
    assert load_settings({}).trusted_documents == TrustedDocuments.ALLOW
    with pytest.raises(ValueError, match="set it to off, allow or only"):
        load_settings({"OCOP_TRUSTED_DOCUMENTS": "strict"})
    monkeypatch.setenv("OCOP_TRUSTED_DOCUMENTS", "strict")
    assert server.main(["export-schema"]) == 2
    assert (
        "OCOP_TRUSTED_DOCUMENTS='strict' is not a mode: set it to off, allow or only"
        in capsys.readouterr().err
    )


# -- GET -----------------------------------------------------------------------------------------------


async def test_a_registered_query_over_get_is_cacheable(db: Database) -> None:
    await register(PROVINCES, LOGOUT)
    params = {"documentId": f"sha256:{sha(PROVINCES)}", "variables": json.dumps({"era": "CURRENT"})}
    async with client_of(environment=Environment.PRODUCTION, trusted_documents_max_age_s=120) as http:
        first = await http.get("/graphql", params=params)
        assert first.status_code == 200
        assert len(first.json()["data"]["provinces"]) == 34
        etag = first.headers["etag"]
        assert etag == f'"{hashlib.sha256(first.content).hexdigest()}"'
        assert first.headers["cache-control"] == "public, max-age=120"
        assert first.headers["vary"] == "Accept-Language, Authorization"
        again = await http.get("/graphql", params=params, headers={"if-none-match": etag})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
        # Other variables, another answer and another ETag.
        legacy = await http.get("/graphql", params={**params, "variables": json.dumps({"era": "LEGACY"})})
        assert len(legacy.json()["data"]["provinces"]) == 63
        assert legacy.headers["etag"] != etag
        # Apollo's GET form works as well.
        apq = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha(PROVINCES)}})
        by_apq = await http.get("/graphql", params={"extensions": apq, "variables": params["variables"]})
        assert by_apq.headers["etag"] == etag
        # A caller with credentials gets a private answer; an answer with errors is not shared either.
        private = await http.get("/graphql", params=params, headers={"authorization": "Bearer nope"})
        assert private.headers["cache-control"] == "private, no-store"
        bad = await http.get("/graphql", params={**params, "variables": json.dumps({"era": "NEVER"})})
        assert "errors" in bad.json()
        assert bad.headers["cache-control"] == "private, no-store"
        # Free-form queries stay off over GET in production.
        assert (await http.get("/graphql", params={"query": PROVINCES})).status_code == 405


async def test_a_registered_mutation_is_refused_over_get(db: Database) -> None:
    await register(LOGOUT)
    async with client_of() as http:
        response = await http.get("/graphql", params={"documentId": f"sha256:{sha(LOGOUT)}"})
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert code_of(response.json()) == "METHOD_NOT_ALLOWED"
        unknown = await http.get("/graphql", params={"documentId": f"sha256:{sha('x')}"})
        assert code_of(unknown.json()) == "PERSISTED_QUERY_NOT_FOUND"
        assert unknown.headers["cache-control"] == "no-store"


# -- the mutation ----------------------------------------------------------------------------------------

REGISTER = """
mutation($manifest: JSON!) {
  registerTrustedDocuments(input: {manifest: $manifest}) { added already errors { __typename field code message } }
}
"""


async def test_a_central_administrator_registers_a_manifest_through_the_api(
    admin_client: AsyncClient, db: Database
) -> None:
    manifest = {sha(PROVINCES): PROVINCES}
    body = await gql(admin_client, REGISTER, {"manifest": manifest})
    assert body["data"]["registerTrustedDocuments"] == {"added": 1, "already": 0, "errors": []}
    row = await TrustedDocument.get(sha256=sha(PROVINCES))
    assert row.registered_by.endswith("@test.ocop.vn")
    ran = await admin_client.post("/graphql", json={"documentId": f"sha256:{sha(PROVINCES)}"})
    assert "errors" not in ran.json()
    wrong = await gql(admin_client, REGISTER, {"manifest": {sha(LOGOUT): PROVINCES}}, lang="en")
    assert wrong["data"]["registerTrustedDocuments"]["errors"] == [
        {
            "__typename": "ApiError",
            "field": sha(LOGOUT),
            "code": "INVALID",
            "message": f"The hash does not match the body: the body's SHA-256 is {sha(PROVINCES)}.",
        }
    ]


async def test_nobody_else_registers_through_the_api(client: AsyncClient, db: Database) -> None:
    manifest = {sha(PROVINCES): PROVINCES}
    officer = await token_for(Role.CONSULTANT)
    refused = await gql(client, REGISTER, {"manifest": manifest}, token=officer)
    assert [e["code"] for e in refused["data"]["registerTrustedDocuments"]["errors"]] == ["FORBIDDEN"]
    anonymous = await gql(client, REGISTER, {"manifest": manifest})
    assert [e["code"] for e in anonymous["data"]["registerTrustedDocuments"]["errors"]] == ["UNAUTHENTICATED"]
    assert await TrustedDocument.all().count() == 0
