"""The GraphQL schema: root types merged from each domain, with caches and limits as extensions."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable

import strawberry
import structlog
from graphql import ASTValidationRule, GraphQLError
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from schema import fast
from schema.accounts.mutations import AccountMutation
from schema.accounts.queries import AccountQuery
from schema.accounts.types import UserType
from schema.auth import AnonymousMutations, RequireValidCredentials
from schema.compiled.executor import CompiledExecutor
from schema.errors import QueryRefusals
from schema.fairs.mutations import FairMutation
from schema.fairs.queries import FairQuery
from schema.fairs.types import Booth, ExhibitorApplication, Fair, Zone
from schema.ids import MAX_NODE_IDS, MaxNodeIds
from schema.jobs.mutations import JobMutation
from schema.jobs.subscriptions import JobSubscription
from schema.jobs.types import Job
from schema.labels.mutations import LabelMutation
from schema.labels.queries import LabelQuery
from schema.labels.subscriptions import LabelSubscription
from schema.labels.types import LabelRun
from schema.limits import INTERNAL_SERVER_ERROR, Limits, QueryCost, limits_rule, logged_code
from schema.packaging.mutations import PackagingMutation
from schema.packaging.queries import PackagingQuery
from schema.packaging.types import DesignVersion, PackagingDesign, StoredFile
from schema.registry.mutations import RegistryMutation, RegistrySpreadsheetMutation
from schema.registry.queries import RegistryQuery
from schema.registry.types import Evaluation, Producer, Product
from schema.scalars import SCALAR_OVERRIDES
from schema.trace.mutations import TraceMutation
from schema.trace.queries import TraceQuery
from schema.trace.subscriptions import TraceSubscription
from schema.trace.types import Batch, TraceEventType
from schema.trusted import TrustedDocumentMutation


@strawberry.type
class NodeQuery:
    node: relay.Node | None = relay.node(
        description="Any object by its global ID; null when it does not exist or the caller may not see it."
    )
    nodes: list[relay.Node | None] = relay.node(
        description=f"Objects by their global IDs (at most {MAX_NODE_IDS}), in the same order; null for those "
        "not visible.",
        extensions=[MaxNodeIds()],
    )


LIMITS = Limits()


# merge_types without its one shortcoming: a merged type takes no description.
@strawberry.type(
    description="What can be read: the OCOP registry (products, producers, evaluations, administrative units, "
    "programme progress), traceability (lots and their EPCIS events, locations), labels, fairs, packaging "
    "designs, and your account. Public data needs no token; the rest follows the caller's roles."
)
class Query(NodeQuery, RegistryQuery, AccountQuery, TraceQuery, LabelQuery, FairQuery, PackagingQuery):
    pass


@strawberry.type(
    description="What can be changed. Every mutation takes one `input` and answers a payload with the changed "
    "object and `errors` (empty on success); nothing is written when there is any error. All but `login` "
    "need a token (`Authorization: Bearer <token>`)."
)
class Mutation(
    RegistryMutation,
    RegistrySpreadsheetMutation,
    AccountMutation,
    TraceMutation,
    LabelMutation,
    JobMutation,
    FairMutation,
    PackagingMutation,
    TrustedDocumentMutation,
):
    pass


# Served over graphql-transport-ws only (web/subscriptions.py); POST /graphql refuses them.
@strawberry.type(
    description="Live updates over WebSocket /graphql (graphql-transport-ws; the token goes in connection_init): "
    "a job's progress, a lot's new events, scans of a producer's labels. Each answers what its query would, "
    "as it changes."
)
class Subscription(JobSubscription, TraceSubscription, LabelSubscription):
    pass


def _extensions(
    production: bool, limits: Limits
) -> tuple[type[SchemaExtension] | Callable[[], SchemaExtension], ...]:
    # One rule class per Limits, built once: the validation cache is keyed by the rule classes, and
    # strawberry's QueryDepthLimiter/MaxAliasesLimiter create new classes per instance (every request missed
    # the cache). Ours also measures through fragments in linear time (theirs took seconds on a fragment
    # spread twice at each of 20 levels) and answers QUERY_TOO_COMPLEX (schema/limits.py).
    rules: list[type[ASTValidationRule]] = [limits_rule(limits)]
    return (
        lambda: ParserCache(maxsize=512),
        lambda: MaxTokensLimiter(max_token_count=5000),
        lambda: AddValidationRules(rules),
        # A class, made per request; its rule is graphql-core's module-level NoSchemaIntrospectionCustomRule,
        # so the validation cache keeps hitting.
        *([DisableIntrospection] if production else []),
        lambda: ValidationCache(maxsize=512),
        lambda: QueryCost(limits),  # after ValidationCache: it trims the cached errors of a refused document
        AnonymousMutations,  # after both: it replaces a refused document's errors with UNAUTHENTICATED
        RequireValidCredentials,
        QueryRefusals,
    )


log = structlog.get_logger("ocop")


class OcopSchema(strawberry.Schema):
    """Strawberry's schema, logging errors by whose they are: a client's mistake (a refused argument such as
    `first: 101`, a cost or depth refusal, a validation or syntax error, a malformed ID, a timeout) at INFO
    as `graphql refused` with its code and no traceback; anything else, a server error, at ERROR with its
    traceback (strawberry's own logger), as before."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            code = logged_code(error)
            if code == INTERNAL_SERVER_ERROR:
                StrawberryLogger.error(error, execution_context)
            else:
                log.info("graphql refused", code=code, message=error.message, path=error.path)


schema = OcopSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[
        Product,
        Producer,
        Evaluation,
        UserType,
        Batch,
        TraceEventType,
        LabelRun,
        Job,
        Fair,
        Zone,
        Booth,
        ExhibitorApplication,
        PackagingDesign,
        DesignVersion,
        StoredFile,
    ],
    config=StrawberryConfig(auto_camel_case=True),
    scalar_overrides=SCALAR_OVERRIDES,
    extensions=_extensions(False, LIMITS),
    # graphql-core's executor, running a compiled plan when schema/compiled/policy.py says so.
    execution_context_class=CompiledExecutor,
)

fast.install(schema)


@functools.cache
def build_schema(*, production: bool = False, max_cost: int = LIMITS.max_cost) -> strawberry.Schema:
    """The schema an app serves: `schema` itself, or a variant with other extensions (in production
    introspection is refused too; another cost budget). Strawberry cannot convert the same types into a
    second Schema (relay's `node` fields are bound by the first), so a variant is a shallow copy: the same
    GraphQL types and resolvers, its own extensions."""
    limits = Limits(max_cost=max_cost)
    if not production and limits == LIMITS:
        return schema
    variant = copy.copy(schema)
    variant.extensions = _extensions(production, limits)
    return variant


def sdl() -> str:
    return schema.as_str() + "\n"
