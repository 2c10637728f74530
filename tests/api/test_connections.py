"""Every unbounded list is a Relay connection of one shape (first/after, last/before, edges, pageInfo,
totalCount), and a product links to its lots and their trace pages."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from strawberry.relay import to_base64

from models import AuditEntry, Role
from services.accounts import auth as accounts
from tests.conftest import Database, gql
from tests.factories import make_batch, make_product, make_user, token_for

PAGE = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
TOKENS = f"""query($first: Int, $after: String, $last: Int, $before: String) {{
  apiTokens(first: $first, after: $after, last: $last, before: $before) {{ {PAGE} edges {{ node {{ prefix }} }} }}
}}"""


def prefixes(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["prefix"] for e in connection["edges"]]


async def test_api_tokens_page_forwards_and_backwards_over_the_same_list(
    client: AsyncClient, db: Database
) -> None:
    user = await make_user("lan@test.ocop.vn")
    sessions = [await accounts.issue_session(user.id) for _ in range(5)]
    await token_for(None)  # someone else's token is never listed
    token = sessions[0]
    everything = (await gql(client, TOKENS, {"first": 10}, token=token))["data"]["apiTokens"]
    assert everything["totalCount"] == 5
    newest_first = prefixes(everything)
    assert len(set(newest_first)) == 5
    assert all(s.startswith(p) for s, p in zip(reversed(sessions), newest_first, strict=True))

    backwards: list[str] = []
    before: str | None = None
    pages = []
    while True:
        page = (await gql(client, TOKENS, {"last": 2, "before": before}, token=token))["data"]["apiTokens"]
        pages.append({**page["pageInfo"], "size": len(page["edges"])})
        backwards = prefixes(page) + backwards
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backwards == newest_first
    assert [p["size"] for p in pages] == [2, 2, 1]
    assert pages[0]["hasNextPage"] is False
    assert pages[0]["hasPreviousPage"] is True

    forwards = (await gql(client, TOKENS, {"first": 2}, token=token))["data"]["apiTokens"]
    assert prefixes(forwards) == newest_first[:2]
    assert forwards["pageInfo"]["hasNextPage"] is True
    assert forwards["pageInfo"]["hasPreviousPage"] is False
    after = forwards["pageInfo"]["endCursor"]
    second = (await gql(client, TOKENS, {"first": 2, "after": after}, token=token))["data"]["apiTokens"]
    assert prefixes(second) == newest_first[2:4]

    public = (await gql(client, TOKENS, {"first": 10}))["data"]["apiTokens"]
    assert (public["totalCount"], public["edges"], public["pageInfo"]["hasNextPage"]) == (0, [], False)


async def test_the_audit_log_has_page_info_and_a_total(client: AsyncClient, db: Database) -> None:
    admin_user = await make_user("admin@test.ocop.vn", Role.CENTRAL_ADMIN)
    for n in range(3):
        await AuditEntry.create(user_id=admin_user.id, action=f"action{n}", succeeded=True)
    admin = await accounts.issue_session(admin_user.id)
    query = f"""query($after: String) {{
      auditLog(first: 2, after: $after) {{ {PAGE} edges {{ cursor node {{ action }} }} }} }}"""
    first = (await gql(client, query, token=admin))["data"]["auditLog"]
    assert first["totalCount"] == 3
    assert [e["node"]["action"] for e in first["edges"]] == ["action2", "action1"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    rest = (await gql(client, query, {"after": first["pageInfo"]["endCursor"]}, token=admin))["data"]
    assert [e["node"]["action"] for e in rest["auditLog"]["edges"]] == ["action0"]
    assert rest["auditLog"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": rest["auditLog"]["edges"][0]["cursor"],
        "endCursor": rest["auditLog"]["edges"][0]["cursor"],
    }
    last = (await gql(client, "{ auditLog(last: 1) { edges { node { action } } } }", token=admin))["data"]
    assert [e["node"]["action"] for e in last["auditLog"]["edges"]] == ["action0"]


PRODUCT_LOTS = f"""query($id: ID!) {{ product(id: $id) {{
  publicCode pageUrl
  lots(first: 10) {{ {PAGE} edges {{ node {{ lotCode isPublished traceUrl product {{ id }} }} }} }}
}} }}"""


async def test_a_product_lists_its_lots_the_public_only_published_ones(
    client: AsyncClient, db: Database
) -> None:
    product = await make_product(name="Bánh phồng Sơn Đốc")
    await make_batch(product, "BP-01")
    await make_batch(product, "BP/02")
    await make_batch(product, "BP-HIDDEN", is_published=False)
    other = await make_product(name="Kẹo dừa")
    await make_batch(other, "KD-01")
    gid = to_base64("Product", product.id)

    public = (await gql(client, PRODUCT_LOTS, {"id": gid}))["data"]["product"]
    lots = [e["node"] for e in public["lots"]["edges"]]
    assert [lot["lotCode"] for lot in lots] == ["BP/02", "BP-01"]  # newest first
    assert public["lots"]["totalCount"] == 2
    assert {lot["product"]["id"] for lot in lots} == {gid}
    code = public["publicCode"]
    assert public["pageUrl"] == f"https://ocop.test/products/{code}"
    assert lots[0]["traceUrl"] == f"https://ocop.test/t/{code}/BP%2F02"
    # The links lead somewhere: the product page and each listed lot's trace page answer.
    for url in [public["pageUrl"], *(lot["traceUrl"] for lot in lots)]:
        response = await client.get(url.removeprefix("https://ocop.test"))
        assert response.status_code == 200, url
        assert "Bánh phồng Sơn Đốc" in response.text

    member = await token_for(Role.PRODUCER_MEMBER, producer_id=product.producer_id)
    mine = (await gql(client, PRODUCT_LOTS, {"id": gid}, token=member))["data"]["product"]
    assert [e["node"]["lotCode"] for e in mine["lots"]["edges"]] == ["BP-HIDDEN", "BP/02", "BP-01"]
    assert mine["lots"]["edges"][0]["node"]["isPublished"] is False
    hidden = await client.get(mine["lots"]["edges"][0]["node"]["traceUrl"].removeprefix("https://ocop.test"))
    assert hidden.status_code == 404
