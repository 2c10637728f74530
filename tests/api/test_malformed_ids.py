"""Every argument of type ID in the schema (directly, or inside an input object), sent malformed: never an
INTERNAL_SERVER_ERROR. Queries answer a coded error (INVALID, NOT_FOUND) or nothing; mutations refuse an
anonymous caller with UNAUTHENTICATED before looking at the ID, and a signed-in one with a typed error in
the payload's `errors`."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)
from httpx import AsyncClient

from models import Role
from schema import schema as app_schema
from tests.conftest import Database, gql
from tests.factories import token_for


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


MALFORMED = {
    "garbage": "!!!",
    "unknown type": _b64(b"Foo:x"),
    "huge number": _b64(b"Product:" + b"9" * 40),
    "past int64": _b64(b"Product:9223372036854775808"),
    "not UTF-8": _b64(b"\xff\xfe\xfd:1"),
    "empty": "",
}
SAMPLES: dict[str, Any] = {
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Date": "2026-01-01",
    "DateTime": "2026-01-01T00:00:00+07:00",
    "Decimal": "1",
    "JSON": {},
}


@dataclass(frozen=True)
class Probe:
    kind: str  # query or mutation
    field: str
    path: str  # where the ID goes, e.g. input.batchId
    document: str
    variables: dict[str, Any]

    def with_id(self, value: str) -> dict[str, Any]:
        replaced: dict[str, Any] = _replace(self.variables, value)
        return replaced


_MARK = object()


def _replace(value: Any, new: str) -> Any:
    if value is _MARK:
        return new
    if isinstance(value, dict):
        return {k: _replace(v, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, new) for v in value]
    return value


def _sample(type_: GraphQLInputType, depth: int = 0) -> Any:
    """A valid-looking value of a required input."""
    if isinstance(type_, GraphQLNonNull):
        return _sample(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return [_sample(type_.of_type, depth)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: _sample(f.type, depth + 1)
            for name, f in type_.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
        }
    if isinstance(type_, GraphQLScalarType):
        if type_.name == "ID":
            return _b64(b"Product:1")
        return SAMPLES[type_.name]
    raise AssertionError(type_)


def _id_paths(type_: GraphQLInputType, seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, Any]]:
    """(path, value with _MARK where a malformed ID goes) for every ID reachable in `type_`."""
    nullable = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(nullable, GraphQLList):
        for path, value in _id_paths(nullable.of_type, seen):
            yield f"[]{path}", [value]
        return
    if isinstance(nullable, GraphQLScalarType) and nullable.name == "ID":
        yield "", _MARK
        return
    if isinstance(nullable, GraphQLInputObjectType) and nullable.name not in seen:
        base = _sample(nullable)
        for name, f in nullable.fields.items():
            for path, value in _id_paths(f.type, seen | {nullable.name}):
                yield f".{name}{path}", {**base, name: value}


def _selection(field: GraphQLField) -> str:
    named = get_named_type(field.type)
    if not isinstance(named, GraphQLObjectType):
        return ""
    if "errors" in named.fields:
        return " { __typename errors { field code } }"
    return " { __typename }"


def probes() -> Iterator[Probe]:
    core = app_schema._schema
    for kind, root in (("query", core.query_type), ("mutation", core.mutation_type)):
        assert root is not None
        for field_name, field in root.fields.items():
            for arg_name, arg in field.args.items():
                for path, marked in _id_paths(arg.type):
                    variables: dict[str, Any] = {}
                    declared, passed = [], []
                    for other_name, other in field.args.items():
                        if other_name == arg_name:
                            variables[other_name] = marked
                        elif isinstance(other.type, GraphQLNonNull) and other.default_value is Undefined:
                            variables[other_name] = _sample(other.type)
                        else:
                            continue
                        declared.append(f"${other_name}: {other.type}")
                        passed.append(f"{other_name}: ${other_name}")
                    document = f"{kind}({', '.join(declared)}) {{ {field_name}({', '.join(passed)}){_selection(field)} }}"
                    yield Probe(kind, field_name, f"{arg_name}{path}", document, variables)


PROBES = list(probes())


def test_the_schema_has_id_arguments() -> None:
    fields = {(p.kind, p.field) for p in PROBES}
    assert ("query", "node") in fields
    assert ("query", "nodes") in fields
    assert sum(1 for kind, _ in fields if kind == "mutation") >= 10


# An anonymous mutation: UNAUTHENTICATED in its payload; or, when the ID is not a global ID at all (the
# arguments do not fit the schema, no resolver runs), as the request's only error.
ANONYMOUS = (["UNAUTHENTICATED"], ["top:UNAUTHENTICATED"])


TYPED = {"INVALID", "NOT_FOUND", "top:INVALID"}


def _codes(body: dict[str, Any], field: str) -> list[str]:
    codes = [f"top:{e['extensions']['code']}" for e in body.get("errors") or []]
    payload = (body.get("data") or {}).get(field)
    if isinstance(payload, dict):
        codes += [e["code"] for e in payload.get("errors") or []]
    return codes


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
async def test_malformed_ids_are_typed_errors(client: AsyncClient, db: Database, signed_in: bool) -> None:
    token = await token_for(Role.CENTRAL_ADMIN) if signed_in else None
    failures: list[tuple[object, ...]] = []
    for probe in PROBES:
        for label, value in MALFORMED.items():
            body = await gql(client, probe.document, probe.with_id(value), token=token)
            codes = _codes(body, probe.field)
            if "top:INTERNAL_SERVER_ERROR" in codes:
                failures.append((probe.kind, probe.field, probe.path, label, "500", body["errors"]))
            elif (probe.kind == "mutation" and not signed_in and codes not in ANONYMOUS) or (
                probe.kind == "mutation" and signed_in and not set(codes) & TYPED
            ):
                failures.append((probe.kind, probe.field, probe.path, label, codes))
    assert not failures, "\n".join(map(str, failures))


# -- every mutation, anonymously ------------------------------------------------------------------------


def _mutations() -> Iterator[tuple[str, str, dict[str, Any], list[str]]]:
    """(field, document, well-formed variables, paths of its ID and enum arguments) of every mutation
    but login and logout; the variables carry every argument, required or not."""
    core = app_schema._schema
    assert core.mutation_type is not None
    for name, field in core.mutation_type.fields.items():
        if name in {"login", "logout"}:
            continue
        declared = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
        passed = ", ".join(f"{a}: ${a}" for a in field.args)
        document = f"mutation{f'({declared})' if declared else ''} {{ {name}{f'({passed})' if passed else ''}{_selection(field)} }}"
        variables = {a: _sample(arg.type) for a, arg in field.args.items()}
        yield name, document, variables, [a for a, arg in field.args.items() if _has_id_or_enum(arg.type)]


def _has_id_or_enum(type_: GraphQLInputType, seen: frozenset[str] = frozenset()) -> bool:
    named = get_named_type(type_)
    if isinstance(named, GraphQLEnumType) or (isinstance(named, GraphQLScalarType) and named.name == "ID"):
        return True
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        return any(_has_id_or_enum(f.type, seen | {named.name}) for f in named.fields.values())
    return False


def _spoil(type_: GraphQLInputType, value: Any, seen: frozenset[str] = frozenset()) -> Any:
    """`value` with every ID replaced by garbage and every enum by a value the enum does not have, the
    optional fields of input objects included."""
    nullable = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(nullable, GraphQLList):
        return [_spoil(nullable.of_type, v, seen) for v in (value or [None])]
    if isinstance(nullable, GraphQLEnumType):
        return "NO_SUCH_VALUE"
    if isinstance(nullable, GraphQLScalarType):
        return "!!!" if nullable.name == "ID" else value
    if isinstance(nullable, GraphQLInputObjectType):
        spoiled = dict(value or {})
        for name, f in nullable.fields.items():
            if nullable.name not in seen and _has_id_or_enum(f.type, seen | {nullable.name}):
                spoiled[name] = _spoil(f.type, spoiled.get(name), seen | {nullable.name})
        return spoiled
    raise AssertionError(type_)


def _literal(value: Any) -> str:
    """A variable's value written into the document (an enum position gets a string: invalid too)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return json.dumps(value)


MUTATIONS = list(_mutations())


async def test_every_anonymous_mutation_answers_unauthenticated_whatever_its_arguments(
    client: AsyncClient, db: Database
) -> None:
    """Introspected, so a new mutation is covered: sent anonymously, well formed, with a garbage ID or an
    unknown enum value in its variables, or inline in the document, it answers UNAUTHENTICATED and nothing
    else (no INVALID that would describe the input to a caller who may not send it)."""
    core = app_schema._schema
    assert core.mutation_type is not None
    assert len(MUTATIONS) == len(core.mutation_type.fields) - 2
    assert sum(1 for *_, spoilable in MUTATIONS if spoilable) >= 20
    failures: list[tuple[object, ...]] = []
    for name, document, variables, spoilable in MUTATIONS:
        field = core.mutation_type.fields[name]
        cases = [("well formed", document, variables)]
        for arg in spoilable:
            spoiled = {**variables, arg: _spoil(field.args[arg].type, variables[arg])}
            cases.append((f"{arg} spoiled", document, spoiled))
            # inline: a literal that fails the document's validation rather than the variables' coercion
            literal = _literal(spoiled[arg])
            inline = f"mutation {{ {name}({arg}: {literal}){_selection(field)} }}"
            if len(field.args) == 1:
                cases.append((f"{arg} spoiled inline", inline, {}))
        for label, text, values in cases:
            body = await gql(client, text, values, lang="en")
            codes = _codes(body, name)
            if codes not in ANONYMOUS:
                failures.append((name, label, codes, body.get("errors")))
            elif codes == ["top:UNAUTHENTICATED"]:
                assert body["data"] is None
                assert body["errors"][0]["message"].startswith("Authentication required")
    assert not failures, "\n".join(map(str, failures))


async def test_a_signed_in_caller_still_hears_what_is_wrong_with_the_input(
    client: AsyncClient, db: Database
) -> None:
    token = await token_for(Role.CENTRAL_ADMIN)
    document = "mutation($i: ApiTokenRevokeInput!) { revokeApiToken(input: $i) { __typename } }"
    body = await gql(client, document, {"i": {"id": "!!!"}}, token=token)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID"]
    anonymous = await gql(client, document, {"i": {"id": "!!!"}})
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]
    assert anonymous["errors"][0]["message"] == "Cần đăng nhập (Authorization: Bearer ...)."
    # A query is not a mutation: its malformed ID is INVALID, anonymous or not.
    query = await gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": "!!!"})
    assert [e["extensions"]["code"] for e in query["errors"]] == ["INVALID"]
    # login stays open to anonymous callers, and its validation errors are its own.
    login = await gql(client, "mutation { login(input: {}) { __typename } }")
    assert {e["extensions"]["code"] for e in login["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
