"""The contract of compiled execution (schema/compiled/): on the demo data, on both databases, as each role
(anonymous, producer, province officer, central admin), the compiled answer equals graphql-core's byte for
byte after canonical JSON, errors included: for every query of docs/frontend.md and examples/operations/,
for targeted queries of the ocop schema (permissions that hide fields and rows, argument refusals, node
lookups of every type, fragments on Node), and for generated queries (hypothesis-graphql, derandomised:
`COMPILED_FUZZ_EXAMPLES` of them, a few hundred in `make test`, thousands in `make test-compiled-fuzz`)."""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import hypothesis.strategies as st
import orjson
import pytest
from graphql import (
    ArgumentNode,
    IntValueNode,
    ListValueNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import nodes, queries

from schema import schema
from services.accounts.auth import Actor
from services.demo import loader as demo
from tests.api.test_documented_operations import FAIR, doc_documents, example_documents
from tests.conftest import Database, _empty_mutable_tables
from tests.schema.compiled_harness import RACY, actors, differential, run

# Generated queries per database (spread over the four roles).
FUZZ_EXAMPLES = int(os.environ.get("COMPILED_FUZZ_EXAMPLES") or 120)

# The variables a client sends with each documented query (mutations and subscriptions are not compiled).
VARIABLES: dict[str, dict[str, Any]] = {
    "SearchProducts": {"search": "keo dua", "minStars": 4},
    "LotTrace": {"lotCode": "KDSR-190520"},
    "FairWithBooths": {"slug": FAIR},
    "CatalogJob": {"id": "Sm9iOjE="},
}


@pytest.fixture(scope="module")
async def world(database: Database) -> AsyncIterator[dict[str, Actor]]:
    """The demo data, loaded once for the module, and the four callers."""
    await demo.load(with_accounts=True, base_url="https://ocop.test")
    try:
        yield await actors()
    finally:
        # What the `db` fixture does after a test, once for the module.
        from services.api import trusted_documents
        from services.common import instance
        from services.labels import scans

        await _empty_mutable_tables(database.backend)
        scans.forget_counted()
        instance.forget()
        trusted_documents.forget()


def _kind(document: str, name: str) -> OperationType:
    for definition in parse(document).definitions:
        if (
            isinstance(definition, OperationDefinitionNode)
            and definition.name
            and definition.name.value == name
        ):
            return definition.operation
    raise AssertionError(name)


async def test_every_documented_query_compiles_and_agrees_for_every_role(world: dict[str, Actor]) -> None:
    documents = example_documents() + doc_documents()
    compiled = 0
    for name, document in documents:
        kind = _kind(document, name)
        for role, actor in world.items():
            if kind == OperationType.QUERY:
                await differential(document, actor, variables=VARIABLES.get(name, {}), operation_name=name)
                compiled += 1
            elif name == "Login" and role == "anonymous":
                # Mutations run on graphql-core and say so (run once: they write).
                variables = {"email": "producer@demo.ocop.vn", "password": "ocop-demo-2019"}
                outcome = await run(document, actor, compiled=True, operation_name=name, variables=variables)
                assert outcome.body["data"]["login"]["token"]
                assert (outcome.compiled, outcome.fallback) == (False, "mutation"), name
    assert compiled >= 4 * 6


TARGETED = [
    # The officer's listing, the benchmark's query, counts and cursors.
    "{ products(first: 50) { edges { cursor node { name stars producer { name } } } pageInfo { hasNextPage endCursor } totalCount } }",
    "{ producers(first: 20) { totalCount edges { node { id name province { code name } products { name gtin stars } } } } }",
    # Permissions that hide fields and rows: the caller's own account, audit log, tokens, packaging designs.
    "{ me { email displayName } }",
    "{ auditLog(first: 5) { edges { node { __typename } } } }",
    "{ apiTokens(first: 5) { edges { node { name } } } }",
    "{ packagingDesigns(first: 10) { edges { node { id __typename } } } }",
    # Argument refusals (errors with codes), aliases colliding on the same field with other arguments.
    "{ products(first: 1000) { totalCount } }",
    "{ a: products(first: 2) { totalCount } a: products(first: 2) { edges { node { name } } } b: products(first: 1) { totalCount } }",
    '{ node(id: "not-an-id") { id } }',
    '{ nodes(ids: ["UHJvZHVjdDoxMTg=", "bm9wZQ==", "UHJvZHVjZXI6MQ=="]) { __typename id ... on Product { name } ... on Producer { name } } }',
    # Fragments on the Node interface, @skip/@include with literals.
    "query { batches(first: 3) { edges { node { ...N lotCode @include(if: true) id @skip(if: true) } } } } fragment N on Node { __typename id ... on Batch { product { name } } }",
    "{ fairs(first: 2) { edges { node { name zones { name booths { code exhibitor { __typename } } } } } } }",
    "{ provinces { code name predecessors { code } } programmeProgress { __typename } }",
    "{ expiringCertificates(first: 5) { edges { node { __typename } } } }",
]


@pytest.mark.parametrize("query", TARGETED)
async def test_targeted_queries_agree_for_every_role(world: dict[str, Actor], query: str) -> None:
    for actor in world.values():
        await differential(query, actor)


# Listings a compiled plan answers from the rows the service read (schema/compiled/projection.py): every
# plain column type (text, nullable text, dates, times with their zone, booleans, integers), the stars
# computed from the latest certificate, the joined producer, cursors, aliases (two `edges` keys, one key
# merged from two selections), __typename at every level, fragments, @skip/@include, and the connection's
# other fields executed beside the projected edges; with filters that leave unpublished products to the
# officer, stars, provinces and searches that find nothing.
PROJECTED = [
    "{ products(first: 50) { edges { node { name stars isPublished producer { name } } } } }",
    "{ products(first: 30) { edges { cursor node { id name producer { id name } } } pageInfo { endCursor } } }",
    "{ products(first: 7) { __typename totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }"
    " edges { __typename cursor node { __typename name nameEn description descriptionEn gtin isPublished"
    " createdAt updatedAt stars producer { __typename name nameEn description createdAt ocopTrainingCompletedOn"
    " modelExampleRecognisedOn } } } } }",
    '{ products(first: 5, after: "bzox") { a: edges { cursor n: node { x: name y: name } }'
    " b: edges { node { stars } } edges { node { name } } edges { node { gtin } } } }",
    "query { products(first: 9, sortBy: {field: NAME, direction: DESC}) { edges { node { ...P"
    " stars @include(if: true) gtin @skip(if: true) } } } } fragment P on Product { name producer { ...Q } }"
    " fragment Q on Producer { name createdAt }",
    "{ products(first: 20, filter: {minStars: 4}) { edges { node { name stars } } } }",
    '{ products(first: 20, filter: {provinceCode: "83", search: "dừa"}) { edges { node { name isPublished } } } }',
    '{ products(first: 20, filter: {search: "no such product anywhere"}) { edges { node { name } } pageInfo { endCursor } } }',
]


@pytest.mark.parametrize("query", PROJECTED)
async def test_projected_listings_agree_byte_for_byte(world: dict[str, Actor], query: str) -> None:
    """The projected answer is graphql-core's, keys in the same order, for every role; and it was projected."""
    for role, actor in world.items():
        reference = await run(query, actor, compiled=False)
        outcome = await differential(query, actor)
        assert outcome.projected >= 1, (role, query)
        assert outcome.ordered == reference.ordered, role


async def test_a_listing_with_a_field_the_rows_do_not_hold_is_completed_field_by_field(
    world: dict[str, Actor],
) -> None:
    """A resolver field (displayName reads the language, group a loader) leaves the listing unprojected, and
    the answer is the same."""
    for query in (
        "{ products(first: 5) { edges { node { name displayName } } } }",
        "{ products(first: 5) { edges { node { name group { code } } } } }",
        "{ products(first: 5) { edges { node { name certificate { stars } } } } }",
        "{ products(last: 5) { edges { node { name } } } }",
    ):
        for actor in world.values():
            outcome = await differential(query, actor)
            assert outcome.projected == 0, query


SCALARS = {
    "Date": st.dates(
        min_value=__import__("datetime").date(2018, 1, 1), max_value=__import__("datetime").date(2027, 1, 1)
    ).map(nodes.String),
    "DateTime": st.just("2019-05-20T08:00:00+07:00").map(nodes.String),
    "Decimal": st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False).map(nodes.String),
    "JSON": st.just("{}").map(nodes.String),
}
ROOTS = ["products", "product", "producers", "producer", "provinces", "administrativeUnit", "batches",
         "fairs", "fair", "me", "productGroups", "node", "locations", "evaluations"]  # fmt: skip


def generated(count: int) -> list[str]:
    """`count` queries from hypothesis-graphql over the main roots, the same ones every run."""
    found: list[str] = []
    strategy = queries(schema._schema, fields=ROOTS, custom_scalars=SCALARS, allow_x00=False)

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(query: str) -> None:
        found.append(query)

    collect()
    return found


class Realistic(Visitor):
    """Turns a generated query's arguments into ones a client would send, so that the resolvers below the
    root run too: pages of 0 to 5, no cursors, IDs of demo objects, the demo fair's slug, Bến Tre's code.
    Half of the queries keep their random arguments (the refusals are compared too)."""

    def __init__(self, rng: random.Random, ids: list[str]) -> None:
        super().__init__()
        self.rng, self.ids = rng, ids

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        name = node.name.value
        if name in ("first", "last"):
            return ArgumentNode(name=node.name, value=IntValueNode(value=str(self.rng.randint(0, 5))))
        if name in ("after", "before"):
            return self.REMOVE
        if name in ID_NAMES and isinstance(node.value, StringValueNode | IntValueNode):
            return ArgumentNode(name=node.name, value=StringValueNode(value=self.rng.choice(self.ids)))
        if name == "ids":
            values = [StringValueNode(value=self.rng.choice(self.ids)) for _ in range(self.rng.randint(0, 4))]
            return ArgumentNode(name=node.name, value=ListValueNode(values=tuple(values)))
        if name == "slug":
            return ArgumentNode(name=node.name, value=StringValueNode(value=FAIR))
        if name in ("code", "provinceCode") and isinstance(node.value, StringValueNode):
            return ArgumentNode(
                name=node.name, value=StringValueNode(value=self.rng.choice(["83", "86", "01"]))
            )
        return None

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> Any:
        if node.name.value in ID_NAMES and isinstance(node.value, StringValueNode | IntValueNode):
            return ObjectFieldNode(name=node.name, value=StringValueNode(value=self.rng.choice(self.ids)))
        return None


ID_NAMES = {"id", "batchId", "producerId", "productId", "fairId", "jobId"}


async def demo_ids(actor: Actor) -> list[str]:
    """Global IDs of demo objects of several types (products, producers, lots, fairs, evaluations)."""
    query = (
        "{ products(first: 5) { edges { node { id producer { id } certificate { id } } } }"
        " batches(first: 5) { edges { node { id } } } fairs(first: 1) { edges { node { id } } } }"
    )
    body = (await run(query, actor, compiled=False)).body
    assert "errors" not in body, body
    return sorted({match for match in re.findall(r'"id": ?"([^"]+)"', orjson.dumps(body).decode())})


async def test_generated_queries_agree_for_every_role(world: dict[str, Actor]) -> None:
    roles = list(world.values())
    ids = await demo_ids(world["admin"])
    assert len(ids) >= 10, ids
    outcomes: Counter[str] = Counter()
    for index, generated_query in enumerate(generated(FUZZ_EXAMPLES)):
        query = generated_query
        if index % 2 == 0:
            query = print_ast(visit(parse(generated_query), Realistic(random.Random(index), ids)))
        outcome = await differential(query, roles[index % len(roles)], must_compile=False)
        outcomes["compiled" if outcome.compiled else f"fell back: {outcome.fallback}"] += 1
        outcomes["with errors" if "errors" in outcome.body else "without errors"] += 1
    outcomes["racy in graphql-core too"] = len(RACY)
    print(f"generated queries: {dict(outcomes)}")  # shown with -s (make test-compiled-fuzz)
    # Most generated documents pass validation and the cost budget and run compiled; the rest are refused
    # before execution by both alike.
    assert outcomes["compiled"] >= FUZZ_EXAMPLES // 4, outcomes
    # and a good part of them answer without errors, so the resolvers below the root ran.
    assert outcomes["without errors"] >= FUZZ_EXAMPLES // 5, outcomes
