"""Every unbounded list is a Relay connection (issue 17): paged forward and backward over the demo data on
both databases, each page's cursors and flags right, the whole walk equal to the deprecated plain list it
replaces; and a page of parents with their child connections costs the same SQL statements as a smaller
page (DataLoaders, no query per parent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient
from strawberry.relay import to_base64

from models import Batch, Product, Role
from services.demo import loader as demo
from tests.conftest import Database, SQLCounter, gql
from tests.factories import make_batch, make_producer, make_product, token_for

Data = dict[str, Any]
FAIR = "hoi-cho-ocop-du-lich-2019"
PAGE = (
    "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }"
)


@dataclass(frozen=True)
class Case:
    """A connection field and the deprecated list it replaces, on the parent of the demo data whose list is
    longest."""

    name: str
    candidates: str  # a query listing parents: each with `id` and `plain { id }`
    parents: Callable[[Data], list[Data]]  # from its `data` to those parents
    fields: str  # on the parent: `plain: <list> { id }` and `conn: <connection>({args}) { PAGE }`
    level: Callable[[Data], Data] = lambda node: node  # from the parent to the object holding both


def on_fair(field: str, extra: str = "") -> Case:
    args, plain = (f"{extra}, ", f"({extra})") if extra else ("", "")
    return Case(
        f"Fair.{field}",
        f'query {{ fair(slug: "{FAIR}") {{ id plain: {field}{plain} {{ id }} }} }}',
        lambda data: [data["fair"]],
        f"... on Fair {{ plain: {field}{plain} {{ id }} conn: {field}Connection({args}{{args}}) {{ {PAGE} }} }}",
    )


def nodes_of(connection: str) -> Callable[[Data], list[Data]]:
    return lambda data: [edge["node"] for edge in data[connection]["edges"]]


CASES = [
    on_fair("booths"),
    on_fair("booths", 'zoneCode: "A"'),
    on_fair("exhibitors"),
    on_fair("applications"),
    on_fair("applications", "status: APPROVED"),
    Case(
        "Zone.booths",
        f'query {{ fair(slug: "{FAIR}") {{ zones {{ id plain: booths {{ id }} }} }} }}',
        lambda data: data["fair"]["zones"],
        f"... on Zone {{ plain: booths {{ id }} conn: boothsConnection({{args}}) {{ {PAGE} }} }}",
    ),
    Case(
        "Producer.products",
        "query { producers(first: 100) { edges { node { id plain: products { id } } } } }",
        nodes_of("producers"),
        f"... on Producer {{ plain: products {{ id }} conn: productsConnection({{args}}) {{ {PAGE} }} }}",
    ),
    Case(
        "Batch.events",
        "query { batches(first: 100) { edges { node { id plain: events { id } } } } }",
        nodes_of("batches"),
        f"... on Batch {{ plain: events {{ id }} conn: eventsConnection({{args}}) {{ {PAGE} }} }}",
    ),
    Case(
        "LineageLevel.batches",
        "query { batches(first: 100) { edges { node { id lineage(direction: FORWARD, depth: 1) "
        "{ plain: batches { id } } } } } }",
        lambda data: [
            {"id": e["node"]["id"], "plain": level["plain"]}
            for e in data["batches"]["edges"]
            for level in e["node"]["lineage"]
        ],
        "... on Batch { lineage(direction: FORWARD, depth: 1) { plain: batches { id } "
        f"conn: batchesConnection({{args}}) {{ {PAGE} }} }} }}",
        lambda node: node["lineage"][0],
    ),
    Case(
        "PackagingDesign.versions",
        "query { packagingDesigns(first: 100) { edges { node { id plain: versions { id } } } } }",
        nodes_of("packagingDesigns"),
        f"... on PackagingDesign {{ plain: versions {{ id }} conn: versionsConnection({{args}}) {{ {PAGE} }} }}",
    ),
    Case(
        "DesignVersion.comments",
        "query { packagingDesigns(first: 100) { edges { node { versions { id plain: comments { id: body } } } } } }",
        lambda data: [v for e in data["packagingDesigns"]["edges"] for v in e["node"]["versions"]],
        "... on DesignVersion { plain: comments { id: body } "
        f"conn: commentsConnection({{args}}) {{ {PAGE.replace('node { id }', 'node { id: body }')} }} }}",
    ),
]


async def _answer(client: AsyncClient, token: str, query: str, variables: Data | None = None) -> Data:
    body = await gql(client, query, variables, token=token)
    assert "errors" not in body, (query, body["errors"])
    data: Data = body["data"]
    return data


async def _walk(client: AsyncClient, token: str, case: Case) -> None:
    parents = case.parents(await _answer(client, token, case.candidates))
    parent = max(parents, key=lambda p: len(p["plain"]))
    query = "query($id: ID!) { node(id: $id) { %s } }" % case.fields  # noqa: UP031 - braces of GraphQL

    async def ask(args: str) -> Data:
        node = (await _answer(client, token, query.replace("{args}", args), {"id": parent["id"]}))["node"]
        return case.level(node)

    whole = await ask("first: 100")
    expected = [item["id"] for item in whole["plain"]]
    assert len(expected) >= 2, f"{case.name}: the demo data should give a list of 2 or more to page over"
    assert _ids(whole["conn"]) == expected, case.name  # the deprecated list is the connection's nodes
    assert whole["conn"]["totalCount"] == len(expected)
    size = max(1, len(expected) // 3)

    forward: list[str] = []
    after = ""
    while True:
        page = (await ask(f"first: {size}{after}"))["conn"]
        assert page["totalCount"] == len(expected)
        assert page["pageInfo"]["hasPreviousPage"] == bool(forward), case.name
        forward += _ids(page)
        assert page["pageInfo"]["hasNextPage"] == (len(forward) < len(expected)), (case.name, len(forward))
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = f', after: "{page["pageInfo"]["endCursor"]}"'
    assert forward == expected, case.name

    backward: list[str] = []
    before = ""
    while True:
        page = (await ask(f"last: {size}{before}"))["conn"]
        assert page["pageInfo"]["hasNextPage"] == bool(backward), case.name
        backward = _ids(page) + backward
        assert page["pageInfo"]["hasPreviousPage"] == (len(backward) < len(expected)), case.name
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = f', before: "{page["pageInfo"]["startCursor"]}"'
    assert backward == expected, case.name

    # The first edge's cursor, given as `after`, starts the page at the second item.
    second = await ask(f'first: 1, after: "{whole["conn"]["edges"][0]["cursor"]}"')
    assert _ids(second["conn"]) == expected[1:2]
    empty = (await ask("first: 0"))["conn"]
    assert empty["edges"] == []
    assert empty["pageInfo"]["startCursor"] is None
    assert empty["totalCount"] == len(expected)


def _ids(connection: Data) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


TRANSFORM = """mutation($input: TransformationInput!) { recordTransformation(input: $input) {
  errors { field code } } }"""


async def _split_a_lot(client: AsyncClient, token: str) -> None:
    """The demo's lineage levels hold one lot each: a lot split into five gives a level worth paging."""
    lot = await Batch.filter(lot_code="KDSR-190520").get()
    product = await Product.get(id=lot.product_id)
    parts = [await make_batch(product, f"KDSR-190520-{n}") for n in range(1, 6)]
    made = {
        "eventTime": "2019-06-01T09:00:00+07:00",
        "inputs": [{"batchId": to_base64("Batch", lot.id)}],
        "outputs": [{"batchId": to_base64("Batch", part.id)} for part in parts],
    }
    answer = await _answer(client, token, TRANSFORM, {"input": made})
    assert answer["recordTransformation"]["errors"] == []


async def test_the_public_pages_only_what_it_may_see(client: AsyncClient, db: Database) -> None:
    """A connection pages the list the caller may see, not the table: the public's pages of a producer's
    products skip its unpublished product, and their total says so."""
    producer = await make_producer()
    names = ["Bánh phồng tôm", "Kẹo dừa", "Mắm tôm", "Nước mắm", "Trà sen"]
    for name in names:
        await make_product(producer, name=name)
    await Product.filter(producer_id=producer.id, name="Kẹo dừa").update(is_published=False)
    query = """query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Producer {
      products { name }
      productsConnection(first: $first, after: $after) {
        totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } } } }"""
    variables: Data = {"id": to_base64("Producer", producer.id), "first": 2}
    producer_data = (await gql(client, query, variables))["data"]["node"]
    page = producer_data["productsConnection"]
    assert page["totalCount"] == 4
    assert [e["node"]["name"] for e in page["edges"]] == ["Bánh phồng tôm", "Mắm tôm"]
    assert page["pageInfo"]["hasNextPage"] is True
    variables["after"] = page["pageInfo"]["endCursor"]
    rest = (await gql(client, query, variables))["data"]["node"]["productsConnection"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["Nước mắm", "Trà sen"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert [p["name"] for p in producer_data["products"]] == [
        "Bánh phồng tôm",
        "Mắm tôm",
        "Nước mắm",
        "Trà sen",
    ]


COUNTED = """query($n: Int!, $fair: String!) {
  products(first: $n) { edges { node { name lots(first: 2) { totalCount edges { node { lotCode } } } } } }
  producers(first: $n) { edges { node { name productsConnection(first: 2) { totalCount edges { node { name } } } } } }
  batches(first: $n) { edges { node { lotCode eventsConnection(last: 2) { totalCount edges { node { eventTime } } } } } }
  fair(slug: $fair) {
    zones { code boothsConnection(first: 3) { totalCount edges { node { code } } } }
    boothsConnection(first: 5) { totalCount }
    exhibitorsConnection(first: $n) { totalCount edges { node { producer { name } } } }
    applicationsConnection(first: $n) { totalCount }
  }
  packagingDesigns(first: $n) { edges { node { name versionsConnection(last: 1) { totalCount edges { node {
    number commentsConnection(first: 2) { totalCount } } } } } } }
}"""


async def test_child_connections_page_both_ways_equal_their_lists_and_cost_fixed_statements(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    """One demo load (the slow part) for both checks."""
    await demo.load(with_accounts=True, base_url="https://ocop.test")
    token = await token_for(Role.CENTRAL_ADMIN)
    await _split_a_lot(client, token)
    for case in CASES:
        await _walk(client, token, case)
    templates = await _answer(
        client,
        token,
        "{ labelTemplates { code } labelTemplatesConnection(last: 3) { totalCount edges { node { code } } } }",
    )
    codes = [t["code"] for t in templates["labelTemplates"]]
    assert templates["labelTemplatesConnection"]["totalCount"] == len(codes) > 3
    assert [e["node"]["code"] for e in templates["labelTemplatesConnection"]["edges"]] == codes[-3:]
    await _a_page_of_parents_costs_a_fixed_number_of_statements(client, token, sql_counter)


async def _a_page_of_parents_costs_a_fixed_number_of_statements(
    client: AsyncClient, token: str, sql_counter: SQLCounter
) -> None:
    """20 producers, lots, exhibitors and designs with their child connections cost the statements of 2."""
    product = await Product.get(id=(await Batch.filter(lot_code="KDSR-190520").get()).product_id)
    for n in range(11):
        await make_batch(product, f"KDSR-2019-{n}")  # 4 demo lots + 5 split + 11 = 20
    counts = []
    for n in (2, 20):
        # The first run warms the process caches of reference data.
        await gql(client, COUNTED, {"n": n, "fair": FAIR}, token=token)
        sql_counter.statements.clear()
        body = await gql(client, COUNTED, {"n": n, "fair": FAIR}, token=token)
        assert "errors" not in body, body["errors"]
        data = body["data"]
        assert len(data["producers"]["edges"]) == n
        assert len(data["batches"]["edges"]) == n
        assert len(data["products"]["edges"]) == n
        zones = data["fair"]["zones"]
        assert max(z["boothsConnection"]["totalCount"] for z in zones) > 3  # longer than its page
        assert sum(len(z["boothsConnection"]["edges"]) for z in zones) == 3 * len(zones)
        counts.append(len(sql_counter.statements))
    assert counts[0] == counts[1], (counts, sql_counter.statements)


LOTS = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { node(id: $id) {
  ... on Product { lots(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { lotCode } } } } } }"""


async def test_a_products_lots_page_in_sql_both_ways(client: AsyncClient, db: Database) -> None:
    """`Product.lots` reads only the page's rows of each product (a window per product in SQL): newest
    first, the public's pages skip an unpublished lot, forward and backward pages meet, other products'
    lots never leak in."""
    product = await make_product(name="Bánh phồng Sơn Đốc")
    codes = [f"BP-{n:02}" for n in range(1, 9)]
    for code in codes:
        await make_batch(product, code, is_published=code != "BP-04")
    other = await make_product(name="Kẹo dừa")
    await make_batch(other, "KD-01")
    visible = [code for code in reversed(codes) if code != "BP-04"]  # newest first
    gid = to_base64("Product", product.id)

    async def page(**args: Any) -> Data:
        body = await gql(client, LOTS, {"id": gid, **args})
        assert "errors" not in body, body["errors"]
        lots: Data = body["data"]["node"]["lots"]
        assert lots["totalCount"] == len(visible)
        return lots

    forward: list[str] = []
    after = None
    while True:
        lots = await page(first=3, after=after)
        assert lots["pageInfo"]["hasPreviousPage"] == bool(forward)
        forward += [e["node"]["lotCode"] for e in lots["edges"]]
        if not lots["pageInfo"]["hasNextPage"]:
            break
        after = lots["pageInfo"]["endCursor"]
    assert forward == visible
    backward: list[str] = []
    before = None
    while True:
        lots = await page(last=3, before=before)
        assert lots["pageInfo"]["hasNextPage"] == bool(backward)
        backward = [e["node"]["lotCode"] for e in lots["edges"]] + backward
        if not lots["pageInfo"]["hasPreviousPage"]:
            break
        before = lots["pageInfo"]["startCursor"]
    assert backward == visible
    refused = await gql(client, LOTS, {"id": gid, "first": 101})
    assert refused["errors"][0]["extensions"]["field"] == "first"
