"""Before any load, the GraphQL benchmark checks that its comparison is sound: the app and the floor answer
the benchmarked query with the same JSON, and the app, read page by page, agrees with the floor's SQL on
every published product. Any difference aborts the run with the differences."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from benchmarks import floor_app
from benchmarks.servers import Server, graphql, request
from benchmarks.session import BenchError

QUERY = "{ products(first: 50) { edges { node { name stars producer { name } } } } }"
FULL_QUERY = """query ($after: String) {
  products(first: 100, after: $after) {
    edges { node { name stars producer { name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def expected_products(dsn: str, schema: str) -> list[dict[str, Any]]:
    """Every published product as the floor's SQL sees it, in page order."""
    pool = await floor_app.create_pool(dsn, schema, 1)
    try:
        return floor_app.edges(await pool.fetch(floor_app.PRODUCTS_SQL))
    finally:
        await pool.close()


def describe_differences(app_edges: list[Any], floor_edges: list[Any], limit: int = 10) -> list[str]:
    lines: list[str] = []
    if len(app_edges) != len(floor_edges):
        lines.append(f"app has {len(app_edges)} edges, floor has {len(floor_edges)}")
    for index, (app_edge, floor_edge) in enumerate(zip(app_edges, floor_edges, strict=False)):
        if app_edge != floor_edge:
            app_text, floor_text = orjson.dumps(app_edge).decode(), orjson.dumps(floor_edge).decode()
            lines.append(f"edge {index}: app={app_text} floor={floor_text}")
            if len(lines) >= limit:
                lines.append("...")
                break
    return lines


def edges_of(document: Any) -> list[Any]:
    try:
        edges = document["data"]["products"]["edges"]
    except (KeyError, TypeError):
        return []
    return edges if isinstance(edges, list) else []


def verify(app: Server, floor: Server, dsn: str, schema: str) -> dict[str, Any]:
    body = orjson.dumps({"query": QUERY})
    app_status, app_raw = request("POST", app.port, "/graphql", body)
    floor_status, floor_raw = request("POST", floor.port, "/graphql", body)
    if app_status != 200 or floor_status != 200:
        raise BenchError(
            f"benchmarked query failed: app HTTP {app_status} {app_raw[:300]!r}, "
            f"floor HTTP {floor_status} {floor_raw[:300]!r}"
        )
    app_doc, floor_doc = orjson.loads(app_raw), orjson.loads(floor_raw)
    # The app adds `extensions.cost` (the query cost it charged); the data must be the same.
    if isinstance(app_doc, dict):
        app_doc.pop("extensions", None)
    if app_doc != floor_doc:
        details = describe_differences(edges_of(app_doc), edges_of(floor_doc))
        if isinstance(app_doc, dict) and "errors" in app_doc:
            details.insert(0, f"app errors: {orjson.dumps(app_doc['errors']).decode()[:1000]}")
        raise BenchError(
            "the app and the floor disagree on the benchmarked query; the comparison would be "
            "meaningless:\n  " + "\n  ".join(details or ["documents differ outside the edges"])
        )
    page = edges_of(app_doc)
    with_stars = sum(1 for e in page if e["node"]["stars"] is not None)
    if len(page) != floor_app.PAGE_SIZE or not 0 < with_stars < len(page):
        raise BenchError(
            f"unexpected page: {len(page)} edges, {with_stars} with stars; is the data set seeded?"
        )

    # Beyond the first page: the app, page by page, against the floor's SQL over every published product.
    expected = asyncio.run(expected_products(dsn, schema))
    got: list[Any] = []
    after: str | None = None
    while True:
        _, doc = graphql(app.port, FULL_QUERY, {"after": after} if after else None)
        if "errors" in doc:
            raise BenchError(f"app errors while paging: {orjson.dumps(doc['errors']).decode()[:1000]}")
        got += edges_of(doc)
        info = doc["data"]["products"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    if got != expected:
        raise BenchError(
            "the app disagrees with the floor's SQL beyond the first page:\n  "
            + "\n  ".join(describe_differences(got, expected))
        )
    ready_status, ready_raw = request("GET", app.port, "/readyz")
    return {
        "identical_bytes": app_raw == floor_raw,
        "identical_json": True,
        "response_bytes": len(app_raw),
        "page_edges": len(page),
        "page_with_stars": with_stars,
        "all_published_checked": len(got),
        "all_published_with_stars": sum(1 for e in got if e["node"]["stars"] is not None),
        "app_readyz": f"{ready_status} {ready_raw.decode('utf-8', 'replace')}",
    }
