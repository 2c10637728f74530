"""Refuses an operation sent with credentials that are not valid (wrong scheme, unknown, expired or revoked
token): the client meant to act as a user, so it must not silently get the public's view. Refuses an
anonymous mutation whose arguments do not fit the schema with UNAUTHENTICATED, not with what is wrong in
them (`AnonymousMutations`)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.relay.types import GlobalIDValueError

from schema.audit import ANONYMOUS_MUTATIONS
from schema.errors import query_error
from services.common.errors import unauthenticated

ANONYMOUS_FIELDS = ANONYMOUS_MUTATIONS | {"__typename"}


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


def _root_fields(document: DocumentNode, operation: OperationDefinitionNode) -> Iterator[str]:
    """The names of the root fields an operation selects, through fragments."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    pending = list(operation.selection_set.selections)
    seen: set[str] = set()
    while pending:
        selection = pending.pop()
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            pending.extend(selection.selection_set.selections)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                pending.extend(fragment.selection_set.selections)


class AnonymousMutations(SchemaExtension):
    """An anonymous mutation (but `login`, `logout`) answers UNAUTHENTICATED before anything else: a
    well-formed one in its payload's `errors` (schema/audit.py `Refusals`); one whose arguments do not fit
    the schema (a malformed global ID or enum value, inline or in the variables) as the request's only
    error, instead of the validation error that would tell an anonymous caller about the input. Looked at
    after the validation and the execution: only a refused request pays for the check."""

    def _refused(self) -> bool:
        context = self.execution_context
        document = context.graphql_document
        if document is None or getattr(context.context, "actor", None) is None:
            return False
        if context.context.actor.is_authenticated:
            return False
        operation = get_operation_ast(document, context.operation_name)
        if operation is None or operation.operation != OperationType.MUTATION:
            return False
        return any(name not in ANONYMOUS_FIELDS for name in _root_fields(document, operation))

    def _error(self) -> GraphQLError:
        return query_error(unauthenticated(), getattr(self.execution_context.context, "language", "vi"))

    def on_validate(self) -> Iterator[None]:
        # Before the yield, after ValidationCache's (which validates before its own yield): the errors are
        # read by strawberry before any hook's code after the yield runs. A new list: the cache keeps its own.
        if self.execution_context.pre_execution_errors and self._refused():
            self.execution_context.pre_execution_errors = [self._error()]
        yield

    def on_execute(self) -> Iterator[None]:
        yield
        # Variables that do not fit (graphql-core's coercion: no path) or an argument strawberry cannot read
        # as a global ID (raised before the field's extensions, so before `Refusals`): no resolver ran.
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors or not self._refused():
            return
        if all(e.path is None or isinstance(e.original_error, GlobalIDValueError) for e in errors):
            result.data, result.errors = None, [self._error()]
