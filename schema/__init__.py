"""The GraphQL schema: root types merged from each domain, with caches and limits as extensions."""

from __future__ import annotations

import strawberry
from graphql import ASTValidationRule
from strawberry import relay
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema import fast
from schema.accounts.operations import AccountMutation, AccountQuery
from schema.accounts.types import UserType
from schema.auth import RequireValidCredentials
from schema.programme import ProgrammeQuery
from schema.registry.mutations import RegistryMutation
from schema.registry.queries import RegistryQuery
from schema.registry.types import Evaluation, Producer, Product


@strawberry.type
class NodeQuery:
    node: relay.Node = relay.node(description="Any object by its global ID.")
    nodes: list[relay.Node] = relay.node(description="Objects by their global IDs, in the same order.")


# Built once: the validation cache is keyed by the rule classes, and QueryDepthLimiter/MaxAliasesLimiter
# create new classes per instance, which made every request miss the cache.
LIMIT_RULES: list[type[ASTValidationRule]] = [max_depth_rule(12, None), max_aliases_rule(30)]

Query = merge_types("Query", (NodeQuery, RegistryQuery, ProgrammeQuery, AccountQuery))
Mutation = merge_types("Mutation", (RegistryMutation, AccountMutation))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[Product, Producer, Evaluation, UserType],
    config=StrawberryConfig(auto_camel_case=True),
    extensions=[
        lambda: ParserCache(maxsize=512),
        lambda: MaxTokensLimiter(max_token_count=5000),
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: ValidationCache(maxsize=512),
        RequireValidCredentials,
    ],
)

fast.install(schema)


def sdl() -> str:
    return schema.as_str() + "\n"
