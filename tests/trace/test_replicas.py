"""Two replicas on one PostgreSQL database (`server.py serve` processes, as deployed): a recall recorded
through replica A shows on replica B's trace page, which B had kept in its caches (the page is re-rendered,
not served until its TTL), and reaches a `lotEvents` subscriber connected to B. The latency distribution is
measured by benchmarks/replicas.py, not here."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import quote

import httpx
from strawberry.relay import to_base64
from tortoise import connections

from benchmarks.replicas import RECALL, RECALL_BANNER
from benchmarks.servers import Server
from models import Role
from services.trace.identity import product_code
from tests.conftest import Database
from tests.factories import make_batch, make_product, token_for
from tests.live import connected, receive, subscribe

LOT_EVENTS = "subscription ($lot: ID!) { lotEvents(lotId: $lot) { disposition } }"


async def test_a_recall_on_one_replica_shows_on_the_others_cached_page(
    replicas: tuple[Server, Server], db: Database
) -> None:
    a, b = replicas
    product = await make_product(name="Kẹo dừa Bến Tre", isPublished=True)
    lot = await make_batch(product, "KD-LIVE")
    other = await make_batch(product, "KD-LIVE-2")
    admin = await token_for(Role.CENTRAL_ADMIN)
    path = f"/t/{product_code(product.id)}/{quote(lot.lot_code, safe='')}"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{b.port}") as on_b:
        first = await on_b.get(path)
        assert first.status_code == 200
        assert "Kẹo dừa Bến Tre" in first.text
        assert RECALL_BANNER.decode() not in first.text
        # Behind the bus's back (no message): B keeps answering from its caches.
        await connections.get("default").execute_query(
            "UPDATE product SET name = $1 WHERE id = $2", ["Kẹo dừa sáp", product.id]
        )
        assert "Kẹo dừa Bến Tre" in (await on_b.get(path)).text

        ws = await connected(f"ws://127.0.0.1:{b.port}/graphql", admin)
        await subscribe(ws, "1", LOT_EVENTS, {"lot": to_base64("Batch", other.id)})
        await asyncio.sleep(0.5)  # the subscription is in place on B

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{a.port}") as on_a:
            for recalled in (lot.id, other.id):
                answer = await on_a.post(
                    "/graphql",
                    json={"query": RECALL, "variables": {"input": {"batchId": to_base64("Batch", recalled), "reason": "Thử"}}},
                    headers={"authorization": f"Bearer {admin}"},
                )  # fmt: skip
                assert answer.json()["data"] == {"recordRecall": {"errors": []}}
        start = time.monotonic()
        while RECALL_BANNER.decode() not in (page := (await on_b.get(path)).text):
            assert time.monotonic() - start < 10, "the recall never showed on replica B"
            await asyncio.sleep(0.02)
        assert "Kẹo dừa sáp" in page  # re-rendered: the cached page was invalidated, not kept until its TTL

        event = await receive(ws)  # recorded through A, delivered by B
        assert event["payload"]["data"]["lotEvents"] == {"disposition": "recalled"}
        await ws.close()

        scrape = {"authorization": f"Bearer {b.env['OCOP_METRICS_TOKEN']}"}  # production: behind its token
        metrics = (await on_b.get("/metrics", headers=scrape)).text
        assert "ocop_bus_listening 1.0" in metrics
        received = next(line for line in metrics.splitlines() if line.startswith("ocop_bus_received_total"))
        assert float(received.split()[1]) >= 2
