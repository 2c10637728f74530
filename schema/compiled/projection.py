"""Projections: a compiled plan's connection answered straight from the rows its service read.

A page of 50 products through the resolvers builds 50 records of every column, 50 strawberry objects, the
DataLoaders' primed futures, and then completes each field of each object one by one (with the compiled
executor's per-field dispatch): about three quarters of the CPU of an officer's listing. Where a connection
is lazy (`Connection.lazy`: its resolver ran as always, but its nodes are built only when `edges` is
resolved) and its plan's selection under `edges` reads only what the rows hold, the executor asks the
projector of that plan for the `edges` list instead: one dict per edge, in the plan's order of response
keys, each value read from its row and serialised by its leaf type, as graphql-core would have.

What a selection may hold, declared by the types that know their rows (`declare`, `connection`):
- `__typename`, anywhere;
- a node type's plain fields: strawberry's basic fields (no resolver, no extension, no permission: graphql-core
  reads the attribute) that the node's row object copies from a stored column of its model;
- the fields a type declares as computed from the row by the same service function its resolver calls
  (`Computed`: a product's `stars`) or as a joined object read from the same row (`Joined`: its `producer`);
- the edge's `cursor` and `node`.
Anything else (an argument, a resolver, a list, an abstract type) leaves the plan unprojected: the executor
completes it field by field, as before. The other fields of the connection itself (`pageInfo`,
`totalCount`) are executed as always beside the projected `edges`.

A projection never produces an error. A value it cannot complete as graphql-core would without one (a null
in a non-null field, a value the leaf type does not serialise) makes it give up the whole `edges` list
(`MISSING`) before anything is written, and the executor completes that connection field by field, which
reports the error exactly as graphql-core does. tests/schema/test_compiled_differential.py holds the
projected answers to graphql-core's, byte for byte, for every role, on both databases."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from graphql import GraphQLLeafType
from graphql.pyutils import Undefined
from tortoise.models import Model

from schema.compiled.plan import LEAF, LIST, NON_NULL, OBJECT, Completion, FieldPlan, ObjectPlan
from services.common import rows

MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Computed:
    """A leaf field computed from the row by `read(row, prefix, postgres, context)`, the same service function
    its resolver calls; `needs` names the flag of the rows' source that says the row holds its columns."""

    read: Callable[[dict[str, Any], str, bool, Any], Any]  # (row, the object's prefix, postgres, context)
    needs: str | None
    # The attributes it reads, by the prefix of their relation in the row.
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The strawberry field it stands for, when not the type's own of that name (relay's `id` is Node's `_id`).
    python_name: str | None = None


@dataclass(frozen=True, slots=True)
class Joined:
    """An object field read from the same row: the columns of `type_name`'s model under `prefix`."""

    type_name: str
    prefix: str
    needs: str


@dataclass(frozen=True, slots=True)
class RowType:
    """A GraphQL object type whose values are rows of `model`."""

    model: type[Model]
    # Attributes its row object does not copy from the row (from_model computes them).
    not_copied: frozenset[str]
    special: dict[str, Computed | Joined] = field(default_factory=dict)


def node_id(origin: type[Any]) -> Computed:
    """The Relay `id` of a type whose rows hold its node id as `id`: what strawberry's Node.id resolver gives
    for a type that keeps Node's own `resolve_id` (the id attribute) and `resolve_typename` (the type's name)."""
    from strawberry import relay

    for hook in ("resolve_id", "resolve_typename", "resolve_id_attr"):
        if getattr(origin, hook).__func__ is not getattr(relay.Node, hook).__func__:
            raise TypeError(f"{origin.__name__}.{hook} is its own: its id cannot be projected")
    if origin.resolve_id_attr() != "id":
        raise TypeError(f"{origin.__name__}'s node id is not its `id`")
    type_name = origin.__strawberry_definition__.name

    def read(row: dict[str, Any], prefix: str, _postgres: bool, _context: Any) -> Any:
        return relay.GlobalID(type_name=type_name, node_id=str(row[prefix + "id"]))

    return Computed(read, None, python_name="_id")


ROW_TYPES: dict[str, RowType] = {}


@dataclass(frozen=True, slots=True)
class ConnectionType:
    node: str
    # The class of the rows' source its lazy connections carry.
    source: type[Any]
    # The prefixes of the relations in a row, in the order the service takes their wanted columns.
    prefixes: tuple[str, ...]


CONNECTIONS: dict[str, ConnectionType] = {}


def declare(
    type_name: str,
    model: type[Model],
    *,
    not_copied: tuple[str, ...] = (),
    special: dict[str, Computed | Joined] | None = None,
) -> None:
    """Say how values of the GraphQL type `type_name` are read from rows of `model`."""
    ROW_TYPES[type_name] = RowType(model, frozenset(not_copied), dict(special or {}))


def connection(type_name: str, node: str, source: type[Any], prefixes: tuple[str, ...]) -> None:
    """Say that lazy connections of `type_name` carry a `source` of rows of `node` values, whose service can
    read only some columns of the relations under `prefixes` (`columns`)."""
    CONNECTIONS[type_name] = ConnectionType(node, source, prefixes)


@dataclass(slots=True)
class _Compiling:
    needs: set[str] = field(default_factory=set)
    columns: dict[str, set[str]] = field(default_factory=dict)
    # False once a non-null field reads a column that may hold NULL: the whole row is read then, so that
    # the connection can still be completed field by field (which reports the null) if the projection gives up.
    narrowable: bool = True


# -- compiling ----------------------------------------------------------------------------------------
# A step: (kind, response key, value). Kinds:
TYPENAME, COLUMN, COMPUTED, JOINED = range(4)


class _NotProjectable(Exception):
    pass


def _strawberry(field: FieldPlan) -> Any:
    return field.definition.extensions.get("strawberry-definition")


def _unwrap(completion: Completion) -> tuple[Completion, bool]:
    if completion.kind == NON_NULL:
        assert completion.inner is not None
        return completion.inner, True
    return completion, False


def _edges_resolver(field: FieldPlan) -> bool:
    from schema.pagination import _edges

    definition = _strawberry(field)
    resolver = getattr(definition, "base_resolver", None)
    return getattr(resolver, "wrapped_func", None) is _edges


@dataclass(slots=True)
class Projector:
    """The projection of one connection plan's `edges` (one response key; several keys that select edges
    each get one)."""

    source: type[Any]
    # Each projected `edges` key and the function that builds one edge (`_generate`).
    edges: list[tuple[str, Callable[[Any, bool, Any, Any], Any]]]
    needs: frozenset[str]
    # The columns the steps read, in the order of the connection's prefixes: what the resolver may read
    # alone when the executor promises this projection (`promised`); None: every column.
    columns: tuple[frozenset[str], ...] | None

    def __call__(self, result: Any, context: Any) -> dict[str, Any] | Any:
        """{edges key: the list of edge dicts}, or MISSING to complete the connection field by field."""
        source = result.source
        if type(source) is not self.source or result.edges_value is not None:
            return MISSING
        if source.columns is not None and source.columns != self.columns:
            return MISSING  # read for another projection (cannot happen: promises are per field and plan)
        for flag in self.needs:
            if not getattr(source, flag):
                return MISSING
        postgres = source.postgres
        cursors = result.cursors
        try:
            out = {}
            for key, project in self.edges:
                built = []
                for row, cursor in zip(source.rows, cursors, strict=True):
                    edge = project(row, postgres, context, cursor)
                    if edge is MISSING:
                        return MISSING
                    built.append(edge)
                out[key] = built
        except Exception:  # a value graphql-core would report: let it
            return MISSING
        return out


def _generate(steps: list[tuple[int, str, Any, Any, bool]]) -> Callable[[Any, bool, Any, Any], Any]:
    """A Python function `(row, postgres, context, cursor) -> edge dict or MISSING` that does what the steps
    say, as straight-line code (graphql-jit's idea): no loop over steps, no dispatch on their kind, the
    response keys and type names as constants, strings and booleans passed through when they are already
    what the leaf type serialises them to. The source is built from the steps alone: keys are written with
    repr(), everything else is bound by name."""
    names: dict[str, Any] = {"MISSING": MISSING, "Undefined": Undefined}
    lines = ["def project(row, postgres, context, cursor):"]

    def bind(value: Any) -> str:
        name = f"v{len(names)}"
        names[name] = value
        return name

    def emit(steps: list[tuple[int, str, Any, Any, bool]], target: str, depth: int) -> None:
        pad = "    " * depth
        lines.append(f"{pad}{target} = {{}}")
        for kind, key, value, leaf, non_null in steps:
            slot = f"{target}[{key!r}]"
            if kind == TYPENAME:
                lines.append(f"{pad}{slot} = {value!r}")
                continue
            if kind == JOINED:
                inner = f"o{depth}_{len(lines)}"
                if leaf:  # an object read from the same row (a LEFT JOIN's may be absent)
                    lines.append(f"{pad}if row[{(leaf + 'id')!r}] is None:")
                    lines.append(f"{pad}    " + ("return MISSING" if non_null else f"{slot} = None"))
                    lines.append(f"{pad}else:")
                    emit(value, inner, depth + 1)
                    lines.append(f"{pad}    {slot} = {inner}")
                else:
                    emit(value, inner, depth)
                    lines.append(f"{pad}{slot} = {inner}")
                continue
            if kind == COLUMN:
                read = (
                    "cursor"
                    if value is None
                    else f"({bind(value[1])}(row) if postgres else {bind(value[0])}(row))"
                )
            else:  # COMPUTED
                read = f"{bind(value[0])}(row, {value[1]!r}, postgres, context)"
            lines.append(f"{pad}raw = {read}")
            lines.append(f"{pad}if raw is None:")
            lines.append(f"{pad}    " + ("return MISSING" if non_null else f"{slot} = None"))
            native = {"String": "str", "Boolean": "bool"}.get(getattr(leaf, "name", ""))
            serialize = bind(leaf.serialize)
            if native is not None:
                lines.append(f"{pad}elif type(raw) is {native}:")
                lines.append(f"{pad}    {slot} = raw")
            lines.append(f"{pad}else:")
            lines.append(f"{pad}    raw = {serialize}(raw)")
            lines.append(f"{pad}    if raw is None or raw is Undefined:")
            lines.append(f"{pad}        return MISSING")
            lines.append(f"{pad}    {slot} = raw")

    emit(steps, "out", 1)
    lines.append("    return out")
    exec(compile_source("\n".join(lines)), names)  # noqa: S102 - source made above from the plan's steps
    return cast(Callable[[Any, bool, Any, Any], Any], names["project"])


def compile_source(source: str) -> Any:
    return builtins.compile(source, "<projection>", "exec")


def compile(plan: ObjectPlan) -> Projector | None:
    """The projector of a connection's plan, or None when its selection is not projectable."""
    declared = CONNECTIONS.get(plan.type.name)
    if declared is None:
        return None
    compiling = _Compiling()
    edges = []
    try:
        for field_plan in plan.fields:
            if field_plan.typename or field_plan.name != "edges":
                continue  # executed as always
            if not _edges_resolver(field_plan):
                return None
            listed, _ = _unwrap(field_plan.completion)
            if listed.kind != LIST or listed.inner is None:
                return None
            item, _ = _unwrap(listed.inner)
            if item.kind != OBJECT or item.object is None:
                return None
            edges.append((field_plan.key, _generate(_edge_steps(item.object, declared.node, compiling))))
    except _NotProjectable:
        return None
    if not edges:
        return None
    columns = None
    if compiling.narrowable:
        columns = tuple(frozenset(compiling.columns.get(prefix, ())) for prefix in declared.prefixes)
    return Projector(declared.source, edges, frozenset(compiling.needs), columns)


def _leaf(field_plan: FieldPlan) -> tuple[GraphQLLeafType, bool]:
    completion, non_null = _unwrap(field_plan.completion)
    if completion.kind != LEAF or completion.leaf is None:
        raise _NotProjectable
    return completion.leaf, non_null


def _basic(field_plan: FieldPlan) -> str:
    """The attribute graphql-core reads for a basic field (no resolver, extension or permission)."""
    definition = _strawberry(field_plan)
    if definition is None or not definition.is_basic_field or field_plan.definition.args:
        raise _NotProjectable
    if not field_plan.default:
        raise _NotProjectable
    return str(definition.python_name)


def _edge_steps(
    plan: ObjectPlan, node_name: str, compiling: _Compiling
) -> list[tuple[int, str, Any, Any, bool]]:
    steps: list[tuple[int, str, Any, Any, bool]] = []
    for field_plan in plan.fields:
        if field_plan.typename:
            steps.append((TYPENAME, field_plan.key, plan.type.name, None, False))
            continue
        name = _basic(field_plan)
        if name == "cursor":
            leaf, non_null = _leaf(field_plan)
            steps.append((COLUMN, field_plan.key, None, leaf, non_null))  # None: the edge's cursor
        elif name == "node":
            completion, non_null = _unwrap(field_plan.completion)
            if (
                completion.kind != OBJECT
                or completion.object is None
                or completion.object.type.name != node_name
            ):
                raise _NotProjectable
            steps.append((JOINED, field_plan.key, _row_steps(completion.object, "", compiling), "", non_null))
        else:
            raise _NotProjectable
    return steps


def _row_steps(plan: ObjectPlan, prefix: str, compiling: _Compiling) -> list[tuple[int, str, Any, Any, bool]]:
    row_type = ROW_TYPES.get(plan.type.name)
    if row_type is None:
        raise _NotProjectable
    steps: list[tuple[int, str, Any, Any, bool]] = []
    for field_plan in plan.fields:
        if field_plan.typename:
            steps.append((TYPENAME, field_plan.key, plan.type.name, None, False))
            continue
        definition = _strawberry(field_plan)
        special = row_type.special.get(field_plan.name)  # by GraphQL name
        if isinstance(special, Computed):
            if field_plan.definition.args:
                raise _NotProjectable
            if (
                special.python_name is not None
                and getattr(definition, "python_name", None) != special.python_name
            ):
                raise _NotProjectable
            leaf, non_null = _leaf(field_plan)
            if special.needs is not None:
                compiling.needs.add(special.needs)
            for relation, attributes in special.columns.items():
                compiling.columns.setdefault(relation, set()).update(attributes)
            steps.append((COMPUTED, field_plan.key, (special.read, prefix), leaf, non_null))
            continue
        if isinstance(special, Joined):
            completion, non_null = _unwrap(field_plan.completion)
            if completion.kind != OBJECT or completion.object is None or field_plan.definition.args:
                raise _NotProjectable
            if completion.object.type.name != special.type_name:
                raise _NotProjectable
            compiling.needs.add(special.needs)
            nested = _row_steps(completion.object, special.prefix, compiling)
            steps.append((JOINED, field_plan.key, nested, special.prefix, non_null))
            continue
        attribute = _basic(field_plan)
        if attribute in row_type.not_copied:
            raise _NotProjectable
        readers = (
            rows.reader(row_type.model, attribute, prefix, False),
            rows.reader(row_type.model, attribute, prefix, True),
        )
        if readers[0] is None or readers[1] is None:
            raise _NotProjectable
        leaf, non_null = _leaf(field_plan)
        compiling.columns.setdefault(prefix, set()).add(attribute)
        if non_null and rows.nullable(row_type.model, attribute):
            compiling.narrowable = False
        steps.append((COLUMN, field_plan.key, readers, leaf, non_null))
    return steps


def of(plan: ObjectPlan) -> Projector | None:
    """The plan's projector, compiled once."""
    if not plan.projector_compiled:
        plan.projector = compile(plan)
        plan.projector_compiled = True
    return plan.projector  # type: ignore[no-any-return]


def promise(context: Any, path: Any, projector: Projector) -> None:
    """The executor's word to the resolver of the field at `path`: its connection will be projected by
    `projector`, so the resolver may read only `projector.columns`."""
    promised = getattr(context, "projections", None)
    if promised is not None:
        promised[path] = projector


def promised(context: Any, path: Any) -> Projector | None:
    """What the executor promised for the field at `path` (None under graphql-core, or no promise)."""
    found = getattr(context, "projections", None)
    return found.get(path) if found else None
