"""The floor of the benchmark: the least a Python server can do to answer the benchmarked GraphQL query.

One Starlette endpoint, one SQL query through an asyncpg pool, the rows serialised with orjson into the
exact JSON the GraphQL API returns for

    { products(first: 50) { edges { node { name stars producer { name } } } } }

No GraphQL, no ORM, no middleware. Run with `python benchmarks/floor_app.py`; configured by the
environment: FLOOR_DSN (asyncpg DSN), FLOOR_SCHEMA (search_path), FLOOR_POOL_SIZE (default 5, Tortoise's
default pool size), HOST, PORT.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# Stars as the API defines them (services.stars.current_stars): those of the latest certificate while it
# is valid on today's date in Viet Nam (validity starts at valid_from, or the decision date without one).
PRODUCTS_SQL = """
SELECT p.name,
       CASE WHEN e.status = 'certified'
             AND COALESCE(e.valid_from, e.decision_date) <= t.today
             AND e.valid_until >= t.today
            THEN e.stars END AS stars,
       pr.name AS producer_name
FROM product AS p
JOIN producer AS pr ON pr.id = p.producer_id
LEFT JOIN evaluation AS e ON e.id = p.latest_certificate_id
CROSS JOIN (SELECT (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS today) AS t
WHERE p.is_published
ORDER BY p.name_folded, p.id
"""
PAGE_SIZE = 50
PAGE_SQL = f"{PRODUCTS_SQL}LIMIT {PAGE_SIZE}"


def edges(rows: Sequence[asyncpg.Record]) -> list[dict[str, Any]]:
    """Rows of PRODUCTS_SQL as GraphQL edges, keys in the query's field order."""
    return [{"node": {"name": r[0], "stars": r[1], "producer": {"name": r[2]}}} for r in rows]


def render(rows: Sequence[asyncpg.Record]) -> bytes:
    return orjson.dumps({"data": {"products": {"edges": edges(rows)}}})


async def create_pool(dsn: str, schema: str, size: int) -> asyncpg.Pool[asyncpg.Record]:
    return await asyncpg.create_pool(dsn, min_size=1, max_size=size, server_settings={"search_path": schema})


def create_app(dsn: str, schema: str, pool_size: int = 5) -> Starlette:
    pool: asyncpg.Pool[asyncpg.Record] | None = None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal pool
        pool = await create_pool(dsn, schema, pool_size)
        try:
            yield
        finally:
            await pool.close()

    async def products(request: Request) -> Response:
        await request.body()  # read the GraphQL request as the API does; its content is fixed
        assert pool is not None
        rows = await pool.fetch(PAGE_SQL)
        return Response(render(rows), media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(
        routes=[Route("/graphql", products, methods=["POST"]), Route("/healthz", healthz)],
        lifespan=lifespan,
    )


def main() -> int:
    import uvicorn

    app = create_app(
        os.environ["FLOOR_DSN"], os.environ["FLOOR_SCHEMA"], int(os.environ.get("FLOOR_POOL_SIZE", "5"))
    )
    uvicorn.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8001")),
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
