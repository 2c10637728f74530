"""Trusted documents as GraphQL sees them: the check a document must pass to be registered
(services/api/trusted_documents.py knows no schema, so the caller hands it this one) and the mutation a
central administrator (or a frontend's deployment, with such an administrator's API token) registers a
manifest with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry
from graphql import DocumentNode, GraphQLError, specified_rules, validate
from strawberry.scalars import JSON

from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import ERRORS, INPUT, ApiError
from schema.limits import Limits, limits_rule
from services.api import trusted_documents
from services.api.trusted_documents import Validate
from services.common import settings


def validator(schema: strawberry.Schema, limits: Limits) -> Validate:
    """graphql-core's rules and our limits (depth, aliases, cost whatever the variables), as at execution."""
    rules = [*specified_rules, limits_rule(limits)]

    def check(document: DocumentNode) -> Sequence[GraphQLError]:
        return validate(schema._schema, document, rules)

    return check


@strawberry.input(description="A client's manifest of trusted documents.")
class TrustedDocumentsRegisterInput:
    manifest: JSON = strawberry.field(
        description='graphql-codegen\'s client preset `persisted-documents.json` (`{"<sha256>": "<body>"}`) '
        'or Apollo\'s persisted-query manifest (`{format: "apollo-persisted-query-manifest", version: 1, '
        "operations: [{id, name, type, body}]}`), as the JSON value itself."
    )


@strawberry.type(description="The result of registering trusted documents.")
class TrustedDocumentsRegisterPayload:
    added: int = strawberry.field(default=0, description="Documents registered now.")
    already: int = strawberry.field(default=0, description="Documents of the manifest registered before.")
    errors: list[ApiError] = strawberry.field(description=ERRORS)


@strawberry.type
class TrustedDocumentMutation:
    @strawberry.mutation(
        description="Register the documents of a client's manifest, all or none (central administrators): "
        "each document's hash must be the SHA-256 of its body and the document valid against this schema "
        'and its limits. Registered documents run by `documentId: "sha256:<hash>"` (docs/frontend.md).',
        extensions=[Refusals(), Audit()],
    )
    async def register_trusted_documents(
        self,
        info: Info,
        input: Annotated[TrustedDocumentsRegisterInput, strawberry.argument(description=INPUT)],
    ) -> TrustedDocumentsRegisterPayload:
        entries = trusted_documents.read_manifest(input.manifest)
        limits = Limits(max_cost=settings.current().max_query_cost)
        outcome = await trusted_documents.register(
            entries,
            validate=validator(info.schema, limits),
            reach=info.context.reach,
            registered_by=info.context.actor.email or f"user {info.context.actor.user_id}",
        )
        return TrustedDocumentsRegisterPayload(added=outcome.added, already=outcome.already, errors=[])
