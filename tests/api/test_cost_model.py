"""The cost model on real queries (issue 17 item 2): a list counts at its requested size (`first`/`last`,
with their defaults), else at the typical size its field declares in `LIST_SIZES`, not a blanket 20; the
documentation's own queries are measured and served."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import (
    GraphQLList,
    GraphQLObjectType,
    OperationDefinitionNode,
    get_named_type,
    get_nullable_type,
    parse,
)
from httpx import AsyncClient

from schema import schema
from schema.limits import LIST_SIZES, Meter
from tests.conftest import Database, gql

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```graphql\n(.*?)```", re.DOTALL)


def costs(query: str) -> list[int]:
    """The cost of each operation of `query`, as it runs without variables."""
    document = parse(query)
    meter = Meter(schema._schema, document, {})
    return [meter.operation(d).cost for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def cost(query: str) -> int:
    return costs(query)[0]


def reviewer_query(first: int) -> str:
    """The reviewers' query of docs/packaging.md, asking for `first` designs."""
    text = (ROOT / "docs" / "packaging.md").read_text(encoding="utf-8")
    block: str = next(b for b in BLOCK.findall(text) if "packagingDesigns(first: 20" in b)
    return block.replace("first: 20", f"first: {first}")


def test_every_list_of_objects_has_a_size() -> None:
    """A list field outside connections and mutation payloads says how long it usually is, and the table
    names only real fields: a new list cannot silently fall back to a guess."""
    lists = {
        f"{type_.name}.{name}"
        for type_ in schema._schema.type_map.values()
        if isinstance(type_, GraphQLObjectType)
        and not type_.name.startswith("__")
        and not type_.name.endswith(("Connection", "Payload"))
        for name, field in type_.fields.items()
        if isinstance(get_nullable_type(field.type), GraphQLList)
        and isinstance(get_named_type(field.type), GraphQLObjectType)
        and name != "nodes"  # one item per id of `ids`
    }
    interface_lists = {"Query.nodes"}
    assert lists - set(LIST_SIZES) == set()
    assert set(LIST_SIZES) - lists - interface_lists == set()


def test_a_list_counts_at_its_requested_or_typical_size() -> None:
    # A design's versions: 3, a version's files: 3 (LIST_SIZES), not 20 each.
    assert cost("{ packagingDesigns(first: 2) { edges { node { versions { files { role } } } } } }") == (
        1 + 1 + 2 * (1 + 1 + 3 * (1 + 3 * 1))
    )
    # `first` sent, and the connection's default page when not sent (20).
    assert cost('{ serialScans(batchId: "QmF0Y2g6MQ==", first: 7) { edges { node { serial } } } }') == (
        1 + 1 + 7 * (1 + 1)
    )
    assert cost('{ serialScans(batchId: "QmF0Y2g6MQ==") { edges { node { serial } } } }') == 1 + 1 + 20 * 2
    # A lot's lineage has one level per `depth` (10 by default).
    assert cost('{ batch(id: "QmF0Y2g6MQ==") { lineage(depth: 2) { batches { lotCode } } } }') == (
        1 + 1 + 2 * (1 + 10 * 1)
    )
    assert cost('{ batch(id: "QmF0Y2g6MQ==") { lineage { batches { lotCode } } } }') == 1 + 1 + 10 * (1 + 10)


def test_the_documentations_queries_fit_the_budget() -> None:
    measured = {}
    for path in sorted((ROOT / "docs").glob("*.md")):
        for number, block in enumerate(BLOCK.findall(path.read_text(encoding="utf-8"))):
            for index, value in enumerate(costs(block)):
                measured[f"{path.name} block {number} operation {index}"] = value
    assert len(measured) >= 18
    assert {name: value for name, value in measured.items() if value > 5_000} == {}
    # The reviewers' query cost 6,923 at first: 20 and was refused at first: 30 (10,383) with a blanket 20.
    assert cost(reviewer_query(20)) == 2223
    assert cost(reviewer_query(30)) == 3333


async def test_the_reviewers_query_is_served_at_thirty(admin_client: AsyncClient, db: Database) -> None:
    body = await gql(admin_client, reviewer_query(30))
    assert "errors" not in body, body
    assert body["extensions"]["cost"] == {"requested": 3333, "maximum": 10000}
