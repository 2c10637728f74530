"""Refuses an operation sent with credentials that are not valid (wrong scheme, unknown, expired or revoked
token): the client meant to act as a user, so it must not silently get the public's view."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension


class RequireValidCredentials(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        error = getattr(context, "auth_error", None)
        if error is not None:
            problem = error.problems[0]
            language = getattr(context, "language", "vi")
            raise GraphQLError(
                problem.message_in(language),
                extensions={"code": problem.code.value.upper()},
            )
        yield
