"""One error model: each domain's mutations answer a refused input with that domain's error type and code enum
(`RegistryError`/`RegistryErrorCode`...), the message in the request's language; the codes of every domain
mean the same thing everywhere."""

from __future__ import annotations

import ast
from enum import StrEnum
from pathlib import Path

from httpx import AsyncClient

from schema.errors import ERROR_CODES
from services.common.errors import CommonErrorCode, ErrorCode
from tests.conftest import Database, gql

ROOT = Path(__file__).resolve().parents[2]

CREATE_PRODUCER = """
mutation($input: ProducerCreateInput!) {
  createProducer(input: $input) { producer { id } errors { __typename field code message } }
}
"""


async def test_a_refused_input_gets_its_domains_error_type_in_the_requests_language(
    admin_client: AsyncClient, db: Database
) -> None:
    variables = {"input": {"name": " ", "kind": "COOPERATIVE", "addressLine": "Ấp 5", "communeCode": "99999"}}
    english = (await gql(admin_client, CREATE_PRODUCER, variables, lang="en-GB,en;q=0.9"))["data"]
    vietnamese = (await gql(admin_client, CREATE_PRODUCER, variables))["data"]
    assert english["createProducer"]["producer"] is None
    name_en = next(e for e in english["createProducer"]["errors"] if e["field"] == "name")
    name_vi = next(e for e in vietnamese["createProducer"]["errors"] if e["field"] == "name")
    assert name_en == {
        "__typename": "RegistryError",
        "field": "name",
        "code": "REQUIRED",
        "message": "This field is required.",
    }
    assert name_vi == {**name_en, "message": "Trường này là bắt buộc."}


async def test_a_refusal_of_an_account_mutation_is_an_account_error(
    client: AsyncClient, db: Database
) -> None:
    body = await gql(client, "mutation { logout { ok errors { __typename field code } } }")
    assert body["data"]["logout"] == {
        "ok": False,
        "errors": [{"__typename": "AccountError", "field": "", "code": "UNAUTHENTICATED"}],
    }


def test_every_domain_enum_speaks_the_one_vocabulary_and_holds_the_shared_codes() -> None:
    vocabulary = {code.name: code.value for code in ErrorCode}
    for error_type, codes in ERROR_CODES.items():
        for code in codes:
            assert vocabulary.get(code.name) == code.value, (
                f"{codes.__name__}.{code.name} differs from ErrorCode"
            )
        missing = {c.name for c in CommonErrorCode} - {c.name for c in codes}
        assert not missing, f"{error_type.__name__}: {codes.__name__} lacks the shared codes {missing}"


def _codes_in(node: ast.AST) -> set[str]:
    """The members named as `<Something>ErrorCode.MEMBER` inside a piece of code."""
    return {
        n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id.endswith("ErrorCode")
    }


def test_a_domain_enum_holds_the_codes_of_other_domains_helpers_it_calls() -> None:
    """A service may report a problem found by another domain's helper (trace checks a GLN with registry's
    clean_gln): the payload converts the code by value into its own enum, so the enum must hold it."""
    enums: dict[str, type[StrEnum]] = {
        codes.__module__.split(".")[1]: codes for codes in ERROR_CODES.values()
    }
    for domain, codes in enums.items():
        own = {c.name for c in codes}
        for module in (ROOT / "services" / domain).rglob("*.py"):
            tree = ast.parse(module.read_text(encoding="utf-8"))
            assert _codes_in(tree) <= own, f"{module} raises codes {codes.__name__} lacks"
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("services."):
                    continue
                other = (node.module or "").split(".")[1]
                if other == domain or other not in enums:
                    continue
                source = ROOT / (node.module or "").replace(".", "/")
                path = (
                    source.with_suffix(".py")
                    if source.with_suffix(".py").exists()
                    else source / "__init__.py"
                )
                if not path.exists():
                    continue  # a package import (`from services.labels import qr`): its modules are scanned below
                helpers = {alias.name for alias in node.names}
                for definition in ast.parse(path.read_text(encoding="utf-8")).body:
                    if (
                        isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef)
                        and definition.name in helpers
                    ):
                        reached = _codes_in(definition) - own
                        assert not reached, (
                            f"{domain} calls {node.module}.{definition.name}, raising {reached}"
                        )


async def test_a_refused_query_argument_is_a_graphql_error_with_its_code_field_and_language(
    client: AsyncClient, db: Database
) -> None:
    query = '{ product(id: "UHJvZHVjZXI6MQ==") { id } }'  # Producer:1, not a product
    english = (await client.post("/graphql", json={"query": query}, headers={"accept-language": "en"})).json()
    vietnamese = (await client.post("/graphql", json={"query": query})).json()
    for body in (english, vietnamese):
        assert body["data"] == {"product": None}
        [error] = body["errors"]
        assert error["path"] == ["product"]
        assert error["extensions"] == {"code": "INVALID", "field": "id"}
    assert english["errors"][0]["message"] != vietnamese["errors"][0]["message"]
    assert english["errors"][0]["message"].isascii()
