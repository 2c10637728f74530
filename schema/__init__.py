"""The GraphQL schema: root types merged from each domain, with caches and limits as extensions."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.programme import ProgrammeQuery
from schema.registry.mutations import RegistryMutation
from schema.registry.queries import RegistryQuery
from schema.registry.types import Evaluation, Producer, Product


@strawberry.type
class NodeQuery:
    node: relay.Node = relay.node(description="Any object by its global ID.")
    nodes: list[relay.Node] = relay.node(description="Objects by their global IDs, in the same order.")


Query = merge_types("Query", (NodeQuery, RegistryQuery, ProgrammeQuery))
Mutation = merge_types("Mutation", (RegistryMutation,))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[Product, Producer, Evaluation],
    config=StrawberryConfig(auto_camel_case=True),
    extensions=[
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: QueryDepthLimiter(max_depth=12),
        lambda: MaxAliasesLimiter(max_alias_count=30),
        lambda: MaxTokensLimiter(max_token_count=5000),
    ],
)


def sdl() -> str:
    return schema.as_str() + "\n"
