"""What the response cache (services/api/response_cache.py) may keep, read from the document: a query
(never a mutation or a subscription) that selects no field marked `PER_CALLER` (its answer describes who
asks: `me`, `apiTokens`, `viewerCanManage`), and the entity groups its answer reads: the domain
(`schema/<domain>/`, as `models/<domain>.py` names it) of every type it selects and of the class that
defines every field it selects. Computed once per document text and operation name (a bounded memo)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    is_abstract_type,
    parse,
    visit,
)
from strawberry import Schema

from services.api.response_cache import EVERYTHING

PER_CALLER = "ocop_per_caller"  # strawberry.field(metadata={PER_CALLER: True}): never cached
per_caller = {PER_CALLER: True}

# schema/<module>.py at the root → group; a type of a module not named here, nor a domain package,
# reads EVERYTHING (dropped by any write). Types of `pagination` (PageInfo) and `scalars` read nothing.
_ROOT_MODULES = {"admin": "admin", "audit": "accounts", "trusted": "api", "pagination": None, "scalars": None}
_DOMAINS = frozenset({"registry", "trace", "labels", "packaging", "fairs", "accounts", "jobs"})
MEMO_SIZE = 4096  # documents whose analysis is kept


@dataclass(frozen=True, slots=True)
class Cacheability:
    cacheable: bool
    groups: frozenset[str] = frozenset()
    reason: str = ""  # why not, for the debug log


def _group_of_module(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "schema":
        return EVERYTHING if not module.startswith(("strawberry", "graphql")) else None
    if parts[1] in _DOMAINS:
        return parts[1]
    return _ROOT_MODULES.get(parts[1], EVERYTHING)


def _groups_of_type(schema: GraphQLSchema, named: GraphQLNamedType) -> set[str]:
    types = list(schema.get_possible_types(named)) if is_abstract_type(named) else [named]
    groups: set[str] = set()
    for each in types:
        definition = each.extensions.get("strawberry-definition")
        origin = getattr(definition, "origin", None)
        if origin is None:
            continue  # scalars, enums, introspection types
        group = _group_of_module(origin.__module__)
        if group is not None:
            groups.add(group)
    return groups


class _Reader(Visitor):
    def __init__(self, schema: GraphQLSchema, type_info: TypeInfo) -> None:
        super().__init__()
        self.schema = schema
        self.type_info = type_info
        self.groups: set[str] = set()
        self.per_caller: str | None = None

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        field = self.type_info.get_field_def()
        if field is None:
            return
        definition = field.extensions.get("strawberry-definition")
        metadata = getattr(definition, "metadata", None) or {}
        if metadata.get(PER_CALLER):
            self.per_caller = node.name.value
        origin = getattr(definition, "origin", None)
        if origin is not None and (group := _group_of_module(origin.__module__)) is not None:
            self.groups.add(group)
        self.groups |= _groups_of_type(self.schema, get_named_type(field.type))


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def cacheability(schema: Schema, query: str, operation_name: str | None) -> Cacheability:
    return _analyse(schema._schema, query, operation_name)


@functools.lru_cache(maxsize=MEMO_SIZE)
def _analyse(schema: GraphQLSchema, query: str, operation_name: str | None) -> Cacheability:
    try:
        document = parse(query)
    except GraphQLError:
        return Cacheability(False, reason="syntax error")
    operation = _operation(document, operation_name)
    if operation is None:
        return Cacheability(False, reason="no single operation")
    if operation.operation != OperationType.QUERY:
        return Cacheability(False, reason=operation.operation.value)
    type_info = TypeInfo(schema)
    reader = _Reader(schema, type_info)
    visit(document, TypeInfoVisitor(type_info, reader))
    if reader.per_caller is not None:
        return Cacheability(False, reason=f"{reader.per_caller} depends on the caller")
    return Cacheability(True, frozenset(reader.groups) or frozenset({EVERYTHING}))
