"""Every type, field, argument, input field and enum value of the GraphQL schema has a description (issue 17
item 2): GraphiQL's docs and the generated client types are a frontend's manual. `make schema-lint` checks the
exported SDL too (graphql-eslint's require-description); this test needs no Node and names what is missing."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from schema import schema
from tests.conftest import ROOT

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def undescribed(graphql_schema: GraphQLSchema) -> list[str]:
    missing = []
    for name, named in graphql_schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not (named.description or "").strip():
            missing.append(name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({arg_name})"
                    for arg_name, arg in field.args.items()
                    if not (arg.description or "").strip()
                ]
        elif isinstance(named, GraphQLInputObjectType):
            missing += [
                f"{name}.{f}" for f, value in named.fields.items() if not (value.description or "").strip()
            ]
        elif isinstance(named, GraphQLEnumType):
            missing += [
                f"{name}.{v}" for v, value in named.values.items() if not (value.description or "").strip()
            ]
    return missing


def test_every_schema_element_is_described() -> None:
    assert undescribed(schema._schema) == []


def test_the_check_names_what_lacks_a_description() -> None:
    sdl = '''
    """Reads."""
    type Query {
      """A lot."""
      batch(id: ID!): Batch
    }
    type Batch {
      lotCode: String!
    }
    """Statuses."""
    enum BatchStatus { ACTIVE }
    '''
    assert undescribed(build_schema(sdl)) == [
        "Query.batch(id)",
        "Batch",
        "Batch.lotCode",
        "BatchStatus.ACTIVE",
    ]


def test_the_exported_sdl_carries_the_descriptions() -> None:
    assert undescribed(build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))) == []
