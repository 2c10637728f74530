"""The demo data set, loaded in order by `load()`: the registry (producers, products, plans, targets), the
trace histories, the demo accounts, the 2019 OCOP-Tourism fair, then the packaging designs. Each part has
its loader beside this one (registry.py, fair.py, packaging.py) reading its files under
services/demo/data/ (see the README there), and writes through the same services users call, so every rule
applies. Idempotent: rows that exist (by natural key) are left alone.
"""

from __future__ import annotations

from models import Producer
from services.demo import fair, packaging, registry


async def is_empty() -> bool:
    return not await Producer.exists()


async def load(*, with_accounts: bool = True, base_url: str = "http://127.0.0.1:8000") -> dict[str, int]:
    """Load what is missing; returns how many rows of each kind were created. Demo accounts (a published
    password) are created only when `with_accounts` (never in production)."""
    counts = dict.fromkeys(
        ("producers", "products", "evaluations", "plans", "targets", "batches", "accounts"), 0
    )
    producers = await registry.load_registry(counts)
    counts["batches"] = await registry.load_trace(producers, base_url)
    if with_accounts:
        counts["accounts"] = await registry.load_accounts(producers)
    # The fair builds on the producers and accounts above. Its new producers, products and evaluations
    # count here; the rest it logs itself.
    fair_counts = await fair.load(producers)
    for key in ("producers", "products", "evaluations"):
        counts[key] += fair_counts.get(key, 0)
    # Packaging designs: one per review state, by the demo accounts; it logs what it creates (the counts
    # above stay the registry's).
    await packaging.load(base_url)
    return counts
