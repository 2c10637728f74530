"""API limits: what one GraphQL document may ask for, and how refusals and errors reach the client.

- `limits_rule(limits)`: a graphql-core validation rule that measures every operation of a document (depth,
  aliases, cost, fragments expanded) and its shape (directives per location, a field repeated in one
  selection set) in one pass, and refuses it with `QUERY_TOO_COMPLEX`.
- `QueryCost`: a schema extension that prices the operation about to run again, now with its variables,
  refuses it above the budget and reports its cost in the response's `extensions`.
- `format_errors`: every error gets a stable `extensions.code`; in production unexpected errors are masked
  and graphql-core's "Did you mean ...?" suggestions and the schema names the client did not send are
  removed.

The cost of an operation is the sum over its fields of 1 × the sizes of the lists enclosing the field. A
connection's size is its `first`/`last` (the smaller when both are given; the default page size when
neither is), and it applies to the lists directly inside the connection (`edges`); `totalCount` and
`pageInfo` are paid once per connection. A list fetched by `ids` has one item per id; a list with a
`first` argument has that many (its default when not sent); any other list counts at the typical size its
field declares in `LIST_SIZES` (a design's versions 3, a province's children 30), `LIST_ESTIMATE` for a
field not listed there (a mutation payload's `errors`). Sizes were calibrated on the documentation's own
queries (tests/api/test_cost_model.py): a blanket 20 per list priced the reviewers' query of
docs/packaging.md at 6,923 for 20 designs and refused it at 30. Introspection fields (`__typename`, `__schema`, `__type`) are free and
not counted in the depth, as strawberry's depth limiter did (GraphiQL's introspection query is 13 deep).
Fields left out by `@skip`/`@include` cost nothing.

Variables are only known when the operation runs, and the validation cache is keyed by the document and the
rule classes alone. So validation prices a variable at its most favourable value (a size of 0, a field
skipped): it refuses only documents that are over budget whatever their variables, and its verdict can be
cached. `QueryCost` prices the chosen operation exactly just before execution.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from graphql import (
    SKIP,
    DirectiveNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    value_from_ast_untyped,
)
from graphql.language import VisitorAction
from strawberry.extensions import SchemaExtension
from strawberry.relay.types import GlobalIDValueError

from schema.ids import DEFAULT_PAGE_SIZE
from services.common.errors import DomainError

QUERY_TOO_COMPLEX: Final = "QUERY_TOO_COMPLEX"
# A list field that is neither a connection nor in `LIST_SIZES` (tests/api/test_limits.py keeps the table
# complete, so this is only a guard for fields added without a size).
LIST_ESTIMATE: Final = 20
# How many items a list that takes no `first` usually holds, field by field ("Type.field"): the figures of
# the programme (34 provinces since 2025, 63 before; a few versions per design) and of the demo data, rounded
# up. An argument name instead of a number: the list has as many items as that argument says
# (`Batch.lineage` one level per `depth`); a `first`/`last` argument, with its default, always wins.
LIST_SIZES: Final[Mapping[str, int | str]] = {
    "Query.provinces": 63,  # legacy era; 34 current provinces
    "Query.productGroups": 10,
    "Query.programmeProgress": 10,
    "Query.labelTemplates": 20,
    "AdministrativeUnit.children": 30,  # a legacy province's ~11 districts, a district's ~15 communes
    "AdministrativeUnit.successors": 2,
    "AdministrativeUnit.predecessors": 4,  # the 2025 reform merged up to 4 units into one
    "ProgrammeTarget.provinces": 5,
    "Producer.products": 10,
    "Product.evaluations": 5,  # one every three years
    "Product.certifications": 3,
    "Product.images": 5,
    "Product.packagingDesigns": 3,
    "User.memberships": 2,
    "Batch.events": 20,
    "Batch.lineage": "depth",
    "LineageLevel.batches": 10,
    "TraceEvent.documents": 2,
    "Fair.organisers": 3,
    "Fair.zones": 8,
    "Fair.booths": 100,
    "Fair.exhibitors": 100,
    "Fair.applications": 100,
    "Fair.programme": 20,
    "Fair.tourismOfferings": 10,
    "Fair.sponsors": 10,
    "Zone.booths": 20,
    "ExhibitorApplication.products": 5,
    "ExhibitorApplication.booths": 2,
    "AutoAssignReport.placed": 100,
    "AutoAssignReport.conflicts": 10,
    "PackagingDesign.versions": 3,
    "DesignVersion.files": 3,
    "DesignVersion.comments": 5,
    "DesignVersion.compliance": 8,
    "DeclaredContent.otherLanguages": 2,
    "DeclaredContent.mandatoryTextSizes": 10,
    "VersionDiff.changes": 10,
    "VersionDiff.filesAdded": 3,
    "VersionDiff.filesRemoved": 3,
    # A lot's event: its EPCIS entries (typed lists since issue 17), and a sensor element's reports: most
    # hold one or two; an event may hold up to 1,000 sensor reports in all (services/trace/events.py).
    "TraceEvent.bizTransactions": 2,
    "TraceEvent.sources": 2,
    "TraceEvent.destinations": 2,
    "TraceEvent.sensorElements": 2,
    "SensorElement.sensorReport": 10,
    "LabelRun.checksums": 3,  # PDF, ZPL, TSPL
    # The coordination offices' figures and spreadsheets (issue 19): a scope's targets, the star bands, the
    # six product groups, up to 63 provinces, years of the period, the 12 pilot provinces; an import report's
    # rows (a provincial decision lists tens to a few hundred products).
    "ProgrammeFigures.targets": 10,
    "ProgrammeFigures.byStars": 3,
    "ProgrammeFigures.byGroup": 6,
    "ProgrammeFigures.byProvince": 63,
    "ProgrammeFigures.byYear": 10,
    "ProgrammeFigures.pilots": 12,
    "ProgrammeProgress.byYear": 10,
    "RegistryImportReport.actions": 200,
    "RegistryImportReport.problems": 50,
    "SpreadsheetTemplate.columns": 22,
}
# Costs and alias counts saturate here: fragments spread twice in a chain double at every step, and the
# numbers must stay exact in JSON (2**53).
CEILING: Final = 10**15


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 30
    max_cost: int = 10_000
    # No field needs more than @include and @skip; graphql-cop sends 10 unknown directives on one field.
    max_directives: int = 5
    # The same response key selected more often than this in one selection set (graphql-cop sends 500).
    max_repeats: int = 10


def too_complex(message: str, nodes: Node | Sequence[Node] | None = None, **details: Any) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": QUERY_TOO_COMPLEX, **details})


def is_limit_error(error: GraphQLError) -> bool:
    return (error.extensions or {}).get("code") == QUERY_TOO_COMPLEX


# -- measuring -----------------------------------------------------------------------------------------


class Measure(NamedTuple):
    cost: int = 0
    depth: int = 0
    aliases: int = 0


class _Unknown:
    """A variable's value during validation, before any variables are known."""


UNKNOWN: Final = _Unknown()


class Meter:
    """Measures operations of one document, fragments expanded. Each fragment is measured once per page size
    it is spread under, so a document that spreads fragments exponentially is measured in linear time."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        self.schema = schema
        self.variables = variables  # None during validation
        self.defaults: dict[str, ValueNode] = {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[tuple[str, int | None], Measure] = {}
        self.open: list[str] = []  # the fragments being measured, outermost first
        self.cycles: dict[str, list[str]] = {}

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        self.defaults = {
            v.variable.name.value: v.default_value
            for v in operation.variable_definitions or ()
            if v.default_value is not None
        }
        root = self.schema.get_root_type(operation.operation)
        return self.selections(operation.selection_set, root, None)

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, page: int | None
    ) -> Measure:
        """`page`: the size of the connection whose selection set this is (its lists are that long)."""
        cost = depth = aliases = 0
        fields = parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
        for selection in selection_set.selections:
            if selection.directives and not self.included(selection.directives):
                continue
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    aliases += 1
                name = selection.name.value
                if selection.selection_set is None:  # a leaf
                    cost += not name.startswith("__")
                    continue
                inner = self.field(selection, fields.get(name), page, parent)
                if name.startswith("__"):  # introspection: free, not counted in the depth
                    aliases += inner.aliases
                    continue
                cost += inner.cost
                depth = max(depth, inner.depth)
            elif isinstance(selection, InlineFragmentNode):
                inner = self.selections(selection.selection_set, self.condition(selection, parent), page)
                cost += inner.cost
                depth = max(depth, inner.depth)
            else:
                assert isinstance(selection, FragmentSpreadNode)
                inner = self.fragment(selection.name.value, page)
                cost += inner.cost
                depth = max(depth, inner.depth)
            aliases += inner.aliases
        return Measure(min(cost, CEILING), depth, min(aliases, CEILING))

    def field(
        self,
        node: FieldNode,
        definition: GraphQLField | None,
        page: int | None,
        parent: GraphQLNamedType | None,
    ) -> Measure:
        """The measure of a field with a selection set, the field included."""
        assert node.selection_set is not None
        if definition is None:  # unknown: reported by FieldsOnCorrectTypeRule
            inner = self.selections(node.selection_set, None, None)
            return Measure(min(1 + inner.cost, CEILING), 1 + inner.depth, inner.aliases)
        named = get_named_type(definition.type)
        size = 1
        inner_page = None
        if isinstance(named, GraphQLObjectType) and "edges" in named.fields and "pageInfo" in named.fields:
            inner_page = self.size(node, definition, DEFAULT_PAGE_SIZE)
        elif isinstance(get_nullable_type(definition.type), GraphQLList):
            typical = LIST_SIZES.get(f"{parent.name if parent else ''}.{node.name.value}", LIST_ESTIMATE)
            if page is not None:
                size = page
            elif isinstance(typical, str):
                size = self.size(node, definition, LIST_ESTIMATE, typical)
            else:
                size = self.size(node, definition, typical)
        inner = self.selections(node.selection_set, named, inner_page)
        return Measure(min(1 + size * inner.cost, CEILING), 1 + inner.depth, inner.aliases)

    def fragment(self, name: str, page: int | None) -> Measure:
        key = (name, page)
        if key in self.measured:
            return self.measured[key]
        definition = self.fragments.get(name)
        if definition is None:  # reported by KnownFragmentNamesRule
            return Measure()
        if name in self.open:
            self.cycles.setdefault(name, self.open[self.open.index(name) :])
            return Measure()
        self.open.append(name)
        try:
            parent = self.schema.get_type(definition.type_condition.name.value)
            measure = self.selections(definition.selection_set, parent, page)
        finally:
            self.open.pop()
        self.measured[key] = measure
        return measure

    def condition(self, node: InlineFragmentNode, parent: GraphQLNamedType | None) -> GraphQLNamedType | None:
        return self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent

    def size(self, node: FieldNode, definition: GraphQLField, default: int, counted: str = "") -> int:
        """How many items a list field returns: its `first`/`last` (or the `counted` argument), sent or by
        default, one per id of `ids`, else `default`."""
        sizes: list[int] = []
        names = ("first", "last", "ids", counted)
        sent = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name, argument in definition.args.items():
            if name in names and name not in sent and isinstance(argument.default_value, int):
                sizes.append(max(argument.default_value, 0))
        for name, value_node in sent.items():
            if name not in names:
                continue
            value = self.value(value_node)
            if value is UNKNOWN:
                return 0
            if name == "ids":
                if isinstance(value, list):
                    sizes.append(len(value))
            elif isinstance(value, int) and not isinstance(value, bool):
                sizes.append(max(value, 0))
        return min(sizes) if sizes else default

    def included(self, directives: Sequence[DirectiveNode] | None) -> bool:
        for directive in directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
            value = self.value(condition) if condition is not None else None
            if value is UNKNOWN or value is (name == "skip"):
                return False
        return True

    def value(self, node: ValueNode) -> object:
        if isinstance(node, VariableNode):
            if self.variables is None:
                return UNKNOWN
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            default = self.defaults.get(name)
            return value_from_ast_untyped(default) if default is not None else None
        if self.variables is None and _has_variables(node):
            return UNKNOWN
        return value_from_ast_untyped(node, dict(self.variables or {}))


def _has_variables(node: ValueNode) -> bool:
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, VariableNode):
            return True
        stack.extend(getattr(item, "values", ()))
        stack.extend(f.value for f in getattr(item, "fields", ()))
    return False


def shape_errors(document: DocumentNode, limits: Limits) -> Iterator[GraphQLError]:
    """Directives per location and fields repeated in one selection set, node by node (no expansion)."""
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        directives = getattr(node, "directives", None) or ()
        if len(directives) > limits.max_directives:
            yield too_complex(
                f"{len(directives)} directives on one {_location(node)}, more than the"
                f" {limits.max_directives} allowed.",
                node,
                directives=len(directives),
                maxDirectives=limits.max_directives,
            )
        selection_set = getattr(node, "selection_set", None)
        if selection_set is None:
            continue
        seen: dict[str, int] = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                seen[key] = seen.get(key, 0) + 1
            stack.append(selection)
        for key, repeats in seen.items():
            if repeats > limits.max_repeats:
                yield too_complex(
                    f"The field '{key}' is selected {repeats} times in one selection set, more than the"
                    f" {limits.max_repeats} allowed.",
                    selection_set,
                    repeats=repeats,
                    maxRepeats=limits.max_repeats,
                )


def _location(node: Node) -> str:
    if isinstance(node, OperationDefinitionNode):
        return "operation"
    if isinstance(node, FragmentDefinitionNode | FragmentSpreadNode | InlineFragmentNode):
        return "fragment"
    return "field"


def limit_errors(schema: GraphQLSchema, document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """Every limit a document breaks, whatever its variables."""
    errors = list(shape_errors(document, limits))
    meter = Meter(schema, document)
    measured: list[GraphQLError] = []
    try:
        for operation in document.definitions:
            if isinstance(operation, OperationDefinitionNode):
                measured += operation_errors(operation, meter.operation(operation), limits)
    except RecursionError:
        return [*errors, too_complex("The query nests fields or fragments too deeply to be analysed.")]
    if not meter.cycles:
        return errors + measured
    # The depth and cost measured up to where a cycle was cut mean nothing: report the cycles alone.
    for name, path in meter.cycles.items():
        cycle = " → ".join([*path, name])
        errors.append(
            too_complex(
                f"The fragment '{name}' spreads itself ({cycle}): the query would be infinitely deep.",
                meter.fragments[name],
                fragment=name,
            )
        )
    return errors


def operation_errors(
    operation: OperationDefinitionNode, measure: Measure, limits: Limits
) -> list[GraphQLError]:
    name = f"'{operation.name.value}'" if operation.name else "The operation"
    errors = []
    if measure.depth > limits.max_depth:
        errors.append(
            too_complex(
                f"{name} is {measure.depth} levels deep: it exceeds maximum operation depth of {limits.max_depth}.",
                operation,
                depth=measure.depth,
                maxDepth=limits.max_depth,
            )
        )
    if measure.aliases > limits.max_aliases:
        errors.append(
            too_complex(
                f"{name} uses {measure.aliases} aliases, more than the {limits.max_aliases} allowed"
                " (fragments counted each time they are spread).",
                operation,
                aliases=measure.aliases,
                maxAliases=limits.max_aliases,
            )
        )
    if measure.cost > limits.max_cost:
        errors.append(cost_error(operation, measure.cost, limits.max_cost))
    return errors


def cost_error(operation: OperationDefinitionNode, cost: int, max_cost: int) -> GraphQLError:
    return too_complex(
        f"The query costs {cost}, more than the maximum of {max_cost}. Each field costs 1 for every item"
        " of the lists around it (a connection has `first`/`last` items, 20 by default; other lists their"
        " typical size, docs/frontend.md): ask for smaller pages or fewer nested lists.",
        operation,
        cost=cost,
        maxCost=max_cost,
    )


@functools.cache
def limits_rule(limits: Limits) -> type[ValidationRule]:
    """The validation rule enforcing `limits`: one class per `Limits` value, created once, since the
    validation cache is keyed by the rule classes (a class made per request would never hit it)."""

    class QueryLimitsRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> VisitorAction:
            # Everything is measured here, before the other rules report: graphql-core stops validating
            # after 100 errors, and an abusive document produces that many (one per repeated directive).
            for error in limit_errors(self.context.schema, node, limits):
                self.report_error(error)
            return SKIP

    return QueryLimitsRule


# -- at execution --------------------------------------------------------------------------------------


class QueryCost(SchemaExtension):
    """Prices the operation about to run with its variables, refuses it above the budget (nothing runs) and
    reports `{"cost": {"requested": N, "maximum": M}}` in the response's extensions.

    List it after `ValidationCache`: its `on_validate` trims the cached validation errors of a refused
    document to the limit errors alone (a document with 100 repeated directives would otherwise be
    answered with 100 errors)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cost: int | None = None

    def on_validate(self) -> Iterator[None]:
        # The operation about to be validated, named for metrics and traces (web/graphql.py), refused or not.
        context = self.execution_context
        operation = (
            _operation(context.graphql_document, context.operation_name) if context.graphql_document else None
        )
        if operation is not None and hasattr(context.context, "operation"):
            context.context.operation = (
                operation.name.value if operation.name else None,
                operation.operation.value,
            )
        errors = self.execution_context.pre_execution_errors
        if errors and any(is_limit_error(e) for e in errors):
            self.execution_context.pre_execution_errors = [e for e in errors if is_limit_error(e)]
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = _operation(document, context.operation_name) if document else None
        if document is not None and operation is not None:
            meter = Meter(context.schema._schema, document, context.variables or {})
            self.cost = meter.operation(operation).cost
            if self.cost > self.limits.max_cost:
                error = cost_error(operation, self.cost, self.limits.max_cost)
                if operation.operation == OperationType.SUBSCRIPTION:
                    raise error  # strawberry answers a subscription that raises here with this error alone
                # A result set before execution makes strawberry skip it.
                context.result = ExecutionResult(None, [error])
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requested": self.cost, "maximum": self.limits.max_cost}}


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


# -- errors as the client sees them ----------------------------------------------------------------------

INTERNAL_SERVER_ERROR: Final = "INTERNAL_SERVER_ERROR"
# graphql-core's own errors about the document and its variables (`error_code`).
_ABOUT_THE_REQUEST: Final = frozenset({"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"})
# graphql-core's suggestions: " Did you mean 'a', 'b', or 'c'?" (schema names never hold a "?"), anywhere
# in the message: input-value errors go on with " Found: {value}." after them.
_SUGGESTION = re.compile(r"\s*Did you mean\b[^?]*\?")
_QUOTED = re.compile(r"'([^']*)'")
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
# GraphQL's own names (built-in scalars, the conventional root types), not ours to hide.
_BUILT_IN: Final = frozenset({"String", "Int", "Float", "Boolean", "ID", "Query", "Mutation"})


def error_code(error: GraphQLError) -> str:
    """The error's own code; else GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED for graphql-core's
    errors about the request (syntax, validation, variables: no path, no foreign exception behind them);
    else INTERNAL_SERVER_ERROR: an exception nobody turned into a coded error, a bug. An argument that is
    not a global ID (strawberry cannot parse it before any resolver runs) is INVALID."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if isinstance(error.original_error, GlobalIDValueError):
        return "INVALID"  # an argument that is not a global ID at all (strawberry refuses it)
    if error.path is None and (
        error.original_error is None or isinstance(error.original_error, GraphQLError)
    ):
        return "GRAPHQL_VALIDATION_FAILED"
    return INTERNAL_SERVER_ERROR


def logged_code(error: GraphQLError) -> str:
    """`error_code`, also for an error a query's DomainError raised (strawberry logs errors before
    `QueryRefusals` gives them their code): what the log says of an error, INTERNAL_SERVER_ERROR when it
    is the server's."""
    if isinstance(error.original_error, DomainError):
        return error.original_error.problems[0].code.value.upper()
    return error_code(error)


def without_schema_names(message: str, sent: str) -> str:
    """`message` with graphql-core's suggestions cut, and every quoted name the client did not send itself
    (in `sent`, the query and its variables) replaced by '…': "Did you mean 'taxCode'?", "Field
    'ProducerInput.name' of required type 'String!' was not provided" or "Value 'X' does not exist in
    'ProductStatus' enum" would reveal the schema with introspection off."""
    message = _SUGGESTION.sub("", message)
    if "'" not in message:
        return message
    known = set(_NAME.findall(sent)) | _BUILT_IN

    def redact(match: re.Match[str]) -> str:
        names = _NAME.findall(match.group(1))
        return match.group(0) if all(name in known for name in names) else "'…'"

    return _QUOTED.sub(redact, message)


def format_errors(
    errors: Sequence[GraphQLError], *, production: bool, request_id: str | None, sent: str = ""
) -> list[dict[str, Any]]:
    """Errors as sent to clients. In production an INTERNAL_SERVER_ERROR keeps only its location, path and
    the request id (its text, class and traceback are in the server's log under the same request id), and
    graphql-core's messages about the request lose their suggestions and the schema names the client did
    not send (`without_schema_names`; `sent` is the query and its variables as received)."""
    formatted: list[dict[str, Any]] = []
    for error in errors:
        item: dict[str, Any] = dict(error.formatted)
        code = error_code(error)
        extensions = {**(item.get("extensions") or {}), "code": code}
        if code == INTERNAL_SERVER_ERROR:
            extensions["requestId"] = request_id
            if production:
                item["message"] = "Internal server error"
                extensions = {"code": code, "requestId": request_id}
        elif production and code in _ABOUT_THE_REQUEST:
            item["message"] = without_schema_names(item["message"], sent)
        elif production:
            item["message"] = _SUGGESTION.sub("", item["message"])
        item["extensions"] = extensions
        formatted.append(item)
    return formatted
