"""Compile a validated operation into a plan: the tree of what to resolve and how to complete each value,
built once per document (and values of the variables its @skip/@include read) and reused by every request.

graphql-core decides per request, per object, per field what the executor could know in advance: which
fields an object's selection collects through fragments and directives (`collect_subfields`, memoised per
request only), each field's definition, resolver, constant arguments, the chain of its return type
(non-null, list, leaf, object, abstract), the message of a null in a non-null field. A plan holds all of
that. The plan reuses graphql-core's own `collect_fields`/`collect_subfields` so that the fields, their
order, their merging under one response key and the nodes an error is located at are exactly graphql-core's.

What the plan does not do (`Unsupported` names it; the operation then runs on graphql-core): mutations
(serial execution, the `Refusals`/`Audit` field extensions), subscriptions, fragment arguments, directives
on fields other than @skip/@include, schema middleware (an extension with a `resolve` hook), and operations
that disable error propagation."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import (
    FieldDetailsList,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.language import Visitor
from graphql.type.introspection import TypeNameMetaFieldDef

# Kinds of value completion, dispatched on an int (cheaper than isinstance chains per value).
NON_NULL, LIST, LEAF, OBJECT, ABSTRACT = range(5)

PLAN_CACHE_SIZE = 512


class Unsupported(Exception):
    """The operation uses something the compiler does not reproduce; its message is the reason given in the
    debug extension."""


@dataclass(slots=True)
class Completion:
    """How to complete a value of one output type."""

    kind: int
    type: GraphQLOutputType
    inner: Completion | None = None  # NON_NULL, LIST
    leaf: GraphQLLeafType | None = None  # LEAF
    object: ObjectPlan | None = None  # OBJECT
    # ABSTRACT: the object plans per runtime type, compiled on first use.
    abstract: GraphQLAbstractType | None = None
    by_type: dict[str, ObjectPlan] = field(default_factory=dict)
    details: FieldDetailsList | None = None


@dataclass(slots=True)
class FieldPlan:
    """One response key of an object's selection."""

    key: str
    name: str
    parent: GraphQLObjectType
    definition: GraphQLField
    details: FieldDetailsList
    nodes: list[FieldNode]
    resolve: Any
    # The resolver is strawberry's plain attribute read: it takes no info (strawberry passes None itself).
    default: bool
    typename: bool
    # Arguments that read no variable are coerced once; None: coerce per request.
    args: dict[str, Any] | None
    return_type: GraphQLOutputType
    completion: Completion
    null_message: str
    # A plain attribute read of a leaf (possibly non-null): completed inline, without a path unless it fails.
    fast_leaf: bool = False
    non_null: bool = False
    leaf: GraphQLLeafType | None = None
    # The projection of the connection this field returns, promised to its resolver (projection.py) so that
    # it reads only the columns the projection needs; None: no promise.
    projector: Any = None


@dataclass(slots=True)
class ObjectPlan:
    """The fields of one object type's selection."""

    type: GraphQLObjectType
    fields: list[FieldPlan]
    # strawberry's generated is_type_of (an isinstance check, ignoring info), another is_type_of, or none.
    is_type_of: Any
    is_type_of_needs_info: bool
    # A connection's projection of its edges (projection.py), compiled when first needed; None: none.
    projector: Any = None
    projector_compiled: bool = False


@dataclass(slots=True)
class Plan:
    operation: OperationDefinitionNode
    root: ObjectPlan
    # The schema the plan was compiled against (one process may serve several, e.g. tests).
    schema: GraphQLSchema


@dataclass(slots=True)
class Compiler:
    """Builds plans for one executor's document and variables (the variables only choose @skip/@include
    branches, which are part of the plan's key)."""

    schema: GraphQLSchema
    fragments: dict[str, FragmentDetails]
    variable_values: VariableValues
    operation: OperationDefinitionNode
    hide_suggestions: bool

    def object_plan(self, type_: GraphQLObjectType, details: FieldDetailsList | None) -> ObjectPlan:
        if details is None:
            collected = collect_fields(
                self.schema,
                self.fragments,
                self.variable_values,
                type_,
                self.operation,
                self.hide_suggestions,
            )
        else:
            collected = collect_subfields(
                self.schema,
                self.fragments,
                self.variable_values,
                self.operation,
                type_,
                details,
                self.hide_suggestions,
            )
        grouped, defers, _forbidden = collected
        if defers:
            raise Unsupported("@defer")
        fields = []
        for key, field_details in grouped.items():
            plan = self.field_plan(type_, key, field_details)
            if plan is not None:
                fields.append(plan)
        is_type_of = type_.is_type_of
        needs_info = is_type_of is not None and "_get_is_type_of" not in getattr(
            is_type_of, "__qualname__", ""
        )
        return ObjectPlan(type_, fields, is_type_of, needs_info)

    def field_plan(self, parent: GraphQLObjectType, key: str, details: FieldDetailsList) -> FieldPlan | None:
        first = details[0]
        for item in details:
            if item.fragment_variable_values is not None:
                raise Unsupported("fragment arguments")
            for directive in item.node.directives or ():
                if directive.name.value not in ("skip", "include"):
                    raise Unsupported(f"directive @{directive.name.value}")
        node = first.node
        name = node.name.value
        definition = self.schema.get_field(parent, name)
        if definition is None:
            return None  # graphql-core leaves an unknown field out too (validation refuses it first)
        resolve = definition.resolve
        if resolve is None:
            raise Unsupported(f"{parent.name}.{name} has no resolver of its own")
        args: dict[str, Any] | None
        if not (definition.args or node.arguments):
            args = {}
        elif _reads_variables(node):
            args = None
        else:
            try:
                args = get_argument_values(definition, node, None, None, self.hide_suggestions)
            except GraphQLError:
                args = None  # raised again per request, located as graphql-core locates it
        return_type = definition.type
        completion = self.completion(return_type, details)
        leaf = completion.inner if completion.kind == NON_NULL else completion
        default = bool(getattr(resolve, "_is_default", False))
        return_object = (completion.inner if completion.kind == NON_NULL else completion) or completion
        projector = None
        if return_object.kind == OBJECT and return_object.object is not None:
            from schema.compiled import projection  # it reads this module's plans

            projector = projection.of(return_object.object)
            if projector is not None and projector.columns is None:
                projector = None
        return FieldPlan(
            key=key,
            name=name,
            parent=parent,
            definition=definition,
            details=details,
            nodes=[item.node for item in details],
            resolve=resolve,
            default=default,
            typename=definition is TypeNameMetaFieldDef,
            args=args,
            return_type=return_type,
            completion=completion,
            null_message=f"Cannot return null for non-nullable field {parent.name}.{name}.",
            fast_leaf=default and leaf is not None and leaf.kind == LEAF,
            non_null=completion.kind == NON_NULL,
            leaf=leaf.leaf if leaf is not None else None,
            projector=projector,
        )

    def completion(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Completion:
        if is_non_null_type(type_):
            assert isinstance(type_, GraphQLNonNull)
            return Completion(NON_NULL, type_, inner=self.completion(type_.of_type, details))
        if is_list_type(type_):
            assert isinstance(type_, GraphQLList)
            return Completion(LIST, type_, inner=self.completion(type_.of_type, details))
        if is_leaf_type(type_):
            return Completion(LEAF, type_, leaf=type_)
        if is_abstract_type(type_):
            return Completion(ABSTRACT, type_, abstract=type_, details=details)
        if is_object_type(type_):
            assert isinstance(type_, GraphQLObjectType)
            return Completion(OBJECT, type_, object=self.object_plan(type_, details))
        raise Unsupported(f"output type {type_}")


def _reads_variables(node: FieldNode) -> bool:
    found = False

    class Finder(Visitor):
        def enter_variable(self, *_: Any) -> Any:
            nonlocal found
            found = True
            return Visitor.BREAK

    for argument in node.arguments or ():
        visit(argument, Finder())
        if found:
            return True
    return False


def directive_variables(nodes: list[Any]) -> tuple[str, ...]:
    """The variables that @skip/@include read in the operation and fragments: their values choose the plan."""
    names: set[str] = set()

    class Finder(Visitor):
        def enter_directive(self, node: Any, *_: Any) -> Any:
            if node.name.value in ("skip", "include"):
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)

    for node in nodes:
        visit(node, Finder())
    return tuple(sorted(names))


def source_hash(source: str) -> str:
    """The SHA-256 of the document's text, as trusted documents name it (the last few are remembered:
    the same text object comes back from the parser cache)."""
    cached = _HASHES.get(source)
    if cached is None:
        cached = hashlib.sha256(source.encode()).hexdigest()
        if len(_HASHES) >= PLAN_CACHE_SIZE:
            _HASHES.clear()
        _HASHES[source] = cached
    return cached


_HASHES: dict[str, str] = {}


class PlanCache:
    """Plans by (document hash, operation name, @skip/@include variable values), least recently used out;
    a refusal (`Unsupported`) is kept too, so an unsupported document is not compiled again."""

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self.size = size
        self._plans: OrderedDict[tuple[Any, ...], Plan | str] = OrderedDict()
        self._directive_variables: dict[tuple[str, str | None], tuple[str, ...]] = {}

    def key(
        self,
        digest: str,
        operation: OperationDefinitionNode,
        fragments: dict[str, Any],
        coerced: dict[str, Any],
    ) -> tuple[Any, ...]:
        name = operation.name.value if operation.name else None
        names = self._directive_variables.get((digest, name))
        if names is None:
            names = directive_variables([operation, *fragments.values()])
            if len(self._directive_variables) >= self.size:
                self._directive_variables.clear()
            self._directive_variables[(digest, name)] = names
        return (digest, name, tuple(bool(coerced.get(n)) for n in names))

    def get(self, key: tuple[Any, ...]) -> Plan | str | None:
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
        return plan

    def put(self, key: tuple[Any, ...], plan: Plan | str) -> None:
        self._plans[key] = plan
        self._plans.move_to_end(key)
        while len(self._plans) > self.size:
            self._plans.popitem(last=False)

    def clear(self) -> None:
        self._plans.clear()
        self._directive_variables.clear()


def compile_operation(compiler: Compiler) -> Plan:
    """The plan of the compiler's operation, or `Unsupported`."""
    operation = compiler.operation
    if operation.operation != OperationType.QUERY:
        raise Unsupported(operation.operation.value)
    for directive in operation.directives or ():
        raise Unsupported(f"operation directive @{directive.name.value}")
    root = compiler.schema.query_type
    if root is None:
        raise Unsupported("no query type")
    try:
        return Plan(operation, compiler.object_plan(root, None), compiler.schema)
    except RecursionError:
        raise Unsupported("selections nested too deeply") from None
