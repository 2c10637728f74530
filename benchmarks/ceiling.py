"""The ceiling graphql-core alone puts on the app: the benchmark's query executed by graphql-core over
in-memory dicts shaped like the real response, with no database, HTTP, ORM or strawberry. Whatever the app
does, it cannot serve a request in less CPU time than this."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
)


def _schema(data: dict[str, Any]) -> GraphQLSchema:
    producer = GraphQLObjectType("Producer", {"name": GraphQLField(GraphQLNonNull(GraphQLString))})
    product = GraphQLObjectType(
        "Product",
        {
            "name": GraphQLField(GraphQLNonNull(GraphQLString)),
            "stars": GraphQLField(GraphQLInt),
            "producer": GraphQLField(GraphQLNonNull(producer)),
        },
    )
    edge = GraphQLObjectType("ProductEdge", {"node": GraphQLField(GraphQLNonNull(product))})
    connection = GraphQLObjectType(
        "ProductConnection", {"edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(edge))))}
    )

    async def products(_root: Any, _info: GraphQLResolveInfo[Any], first: int | None = None) -> Any:
        return data

    query = GraphQLObjectType(
        "Query",
        {
            "products": GraphQLField(
                GraphQLNonNull(connection), args={"first": GraphQLArgument(GraphQLInt)}, resolve=products
            )
        },
    )
    return GraphQLSchema(query)


def _field(source: Any, info: GraphQLResolveInfo[Any], **_args: Any) -> Any:
    return source[info.field_name]


def graphql_core_ms(query: str, response: dict[str, Any], rounds: int = 400) -> float:
    """CPU milliseconds per execution of `query` by graphql-core over the data of `response`."""
    schema = _schema(response["data"]["products"])
    document = parse(query)

    async def run() -> float:
        for _ in range(50):
            await execute(schema, document, field_resolver=_field)  # type: ignore[misc]
        started = time.process_time()
        for _ in range(rounds):
            result = await execute(schema, document, field_resolver=_field)  # type: ignore[misc]
        elapsed = time.process_time() - started
        assert result.errors is None
        assert result.data == response["data"], "the ceiling must produce the same data"
        return 1000 * elapsed / rounds

    return asyncio.run(run())
