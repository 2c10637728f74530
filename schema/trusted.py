"""Trusted documents as GraphQL sees them: the check a document must pass to be registered
(services/api/trusted_documents.py knows no schema, so the caller hands it this one)."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from graphql import DocumentNode, GraphQLError, specified_rules, validate

from schema.limits import Limits, limits_rule
from services.api.trusted_documents import Validate


def validator(schema: strawberry.Schema, limits: Limits) -> Validate:
    """graphql-core's rules and our limits (depth, aliases, cost whatever the variables), as at execution."""
    rules = [*specified_rules, limits_rule(limits)]

    def check(document: DocumentNode) -> Sequence[GraphQLError]:
        return validate(schema._schema, document, rules)

    return check
