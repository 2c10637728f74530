"""Nullable only where a value may be missing, and then saying when (issue 17, docs/frontend.md "Null"):
every nullable output field's description says when it is null, and a field read from a NOT NULL column is
non-null unless policy may hide it (named below with the reason). Read from the live schema, so a field added
without its "null when ..." fails here, not in a frontend's generated types."""

from __future__ import annotations

import re

from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

import models
from schema import schema

# The wording a nullable field's description must hold: "null" followed by its condition, at most two words
# apart (`null when the lot has no expiry date`, `Null until it is approved`, `null only for a province`).
WHEN_NULL = re.compile(
    r"\bnull\b,?\s+(?:\w+\s+){0,2}?"
    r"(when|if|unless|until|before|after|without|while|once|for|where|outside|otherwise)\b",
    re.IGNORECASE,
)

# GraphQL object types read from a model of another name.
MODEL_OF = {"ApiToken": "AccessToken", "MembershipType": "Membership", "AdministrativeUnit": "AdminUnit"}

# Fields read from a NOT NULL column that stay nullable, and why.
NULLABLE_ON_PURPOSE = {
    "PackagingDesign.product": "null when the caller may not see the product (an unpublished one)",
}


def nullable_fields(graphql_schema: GraphQLSchema) -> dict[str, str]:
    """Coordinate -> description of every nullable field of an output type."""
    return {
        f"{name}.{field_name}": field.description or ""
        for name, kind in graphql_schema.type_map.items()
        if not name.startswith("__") and isinstance(kind, GraphQLObjectType | GraphQLInterfaceType)
        for field_name, field in kind.fields.items()
        if not isinstance(field.type, GraphQLNonNull)
    }


def without_when(graphql_schema: GraphQLSchema) -> list[str]:
    return sorted(
        coordinate
        for coordinate, description in nullable_fields(graphql_schema).items()
        if not WHEN_NULL.search(description)
    )


def test_every_nullable_field_says_when_it_is_null() -> None:
    live = schema._schema
    assert len(nullable_fields(live)) > 100  # the check reads the real schema
    assert without_when(live) == []


def test_the_check_catches_a_field_that_does_not_say_when() -> None:
    sdl = """
    type Query {
      "The lot's expiry date."
      silent: String
      "The expiry date, or null."
      vague: String
      "The lot's expiry date; null when the lot has none."
      said: String
      "Null until it is approved."
      until: String
      "Always there."
      required: String!
    }
    """
    assert without_when(build_schema(sdl)) == ["Query.silent", "Query.vague"]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_a_field_read_from_a_not_null_column_is_non_null() -> None:
    """`Batch.product` is non-null because `batch.product_id` is: a nullable field over a NOT NULL column
    (or foreign key) is either a mistake or hidden by policy on purpose."""
    live = schema._schema
    checked = 0
    offenders = []
    for coordinate in nullable_fields(live):
        type_name, field_name = coordinate.split(".")
        model = getattr(models, MODEL_OF.get(type_name, type_name), None)
        if model is None or not hasattr(model, "_meta"):
            continue
        column = _snake(field_name)
        field = model._meta.fields_map.get(column)  # a foreign key by its relation name
        if field is None:
            continue  # computed, not a column
        checked += 1
        if not field.null and coordinate not in NULLABLE_ON_PURPOSE:
            offenders.append(coordinate)
    assert checked > 50
    assert offenders == []
