"""What the API benchmark's phases send (benchmarks/run.py), prepared before any load: the distinct anonymous
queries (random search words, filters and cursors over the seeded registry), a province officer's token, and
the lots of the cold-scan phase (each scanned once)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
from pathlib import Path
from typing import Any

import orjson

from benchmarks.servers import graphql
from benchmarks.session import BenchError, connected
from benchmarks.verify import FULL_QUERY

SEED = 2026
DISTINCT = """query Distinct($first: Int, $after: String, $filter: ProductFilter) {
  products(first: $first, after: $after, filter: $filter) { edges { node { name stars producer { name } } } }
}"""
# The officer's listing: every product of their province, published or not (no response cache: signed in).
OFFICER = "{ products(first: 50) { edges { node { name stars isPublished producer { name } } } } }"


async def facts(dsn: str, schema: str) -> dict[str, list[str]]:
    """Words of product names, product group codes and province codes of the seeded registry."""
    from models import AdminUnit, Product, ProductGroup

    async with connected(dsn, schema):
        names = await Product.filter(is_published=True).values_list("name", flat=True)
        groups = await ProductGroup.filter(parent_id=None).values_list("code", flat=True)
        province_ids = await Product.filter(is_published=True).values_list("producer__province_id", flat=True)
        provinces = await AdminUnit.filter(id__in=set(province_ids)).values_list("code", flat=True)
    words = sorted({w.strip("(),.-").lower() for n in names for w in str(n).split() if len(w) > 2})
    return {
        "words": words,
        "groups": sorted({str(g) for g in groups}),
        "provinces": sorted({str(p) for p in provinces}),
    }


def cursors(port: int) -> list[str]:
    """The endCursor of each page of 100 published products, read from the app."""
    found: list[str] = []
    after = None
    while True:
        _, document = graphql(port, FULL_QUERY, {"after": after})
        info = document["data"]["products"]["pageInfo"]
        if info["endCursor"]:
            found.append(info["endCursor"])
        if not info["hasNextPage"]:
            return found
        after = info["endCursor"]


def distinct_bodies(known: dict[str, list[str]], pages: list[str], count: int) -> list[dict[str, Any]]:
    """`count` anonymous requests of DISTINCT, each a random mix of a search word, a group, a province, a
    minimum of stars and a cursor (repeats happen, as with real visitors, but rarely)."""
    rng = random.Random(SEED)
    bodies = []
    for _ in range(count):
        filters: dict[str, Any] = {}
        if rng.random() < 0.6:
            filters["search"] = rng.choice(known["words"])
        if rng.random() < 0.3 and known["groups"]:
            filters["group"] = rng.choice(known["groups"])
        if rng.random() < 0.3 and known["provinces"]:
            filters["provinceCode"] = rng.choice(known["provinces"])
        if rng.random() < 0.3:
            filters["minStars"] = rng.randint(3, 5)
        variables: dict[str, Any] = {"first": rng.choice((10, 20, 50))}
        if filters:
            variables["filter"] = filters
        elif pages and rng.random() < 0.7:
            variables["after"] = rng.choice(pages)
        bodies.append({"query": DISTINCT, "variables": variables})
    return bodies


def write_bodies(path: Path, bodies: list[dict[str, Any]]) -> Path:
    path.write_bytes(orjson.dumps(bodies))
    return path


async def officer_token(dsn: str, schema: str, secret_key: str) -> str:
    """A session of a province officer of the province with the most products, for the app whose
    OCOP_SECRET_KEY is `secret_key` (token hashes are keyed by it)."""
    from models import Membership, Product, Role, User
    from services.accounts import auth

    async with connected(dsn, schema):
        provinces = await Product.all().values_list("producer__province_id", flat=True)
        if not provinces:
            raise BenchError("no product to list for the officer")
        province = max(set(provinces), key=provinces.count)
        user = await User.create(
            email="officer@bench.invalid",
            display_name="Cán bộ tỉnh",
            password_hash=auth.hash_password("bench-officer-password"),
        )
        await Membership.create(user_id=user.id, role=Role.PROVINCE_OFFICER, province_id=province)
        previous = os.environ.get("OCOP_SECRET_KEY")
        os.environ["OCOP_SECRET_KEY"] = secret_key  # read by services.common.signing through settings
        try:
            return await auth.issue_session(user.id)
        finally:
            if previous is None:
                del os.environ["OCOP_SECRET_KEY"]
            else:
                os.environ["OCOP_SECRET_KEY"] = previous


async def register_officer_document(dsn: str, schema: str) -> str:
    """Register the officer's listing as a trusted document (as a frontend's deployment would), so that the
    app runs it on a compiled plan (OCOP_GRAPHQL_COMPILED=registered, the default); its documentId."""
    from schema import LIMITS
    from schema import schema as graphql_schema
    from schema.trusted import validator
    from services.api import trusted_documents
    from services.policy import SYSTEM

    sha = hashlib.sha256(OFFICER.encode()).hexdigest()
    async with connected(dsn, schema):
        entries = trusted_documents.read_manifest({sha: OFFICER})
        validate = validator(graphql_schema, LIMITS)
        await trusted_documents.register(entries, validate=validate, reach=SYSTEM, registered_by="bench")
    return f"sha256:{sha}"


async def seed_real_lots(dsn: str, schema: str, count: int) -> list[str]:
    """`count` lots recorded through services.trace as a producer records them (the lot, a commissioning and
    a packing event with real CBV hashes and chain, so each page's integrity check passes and each lot has
    its snapshot from its writes); their Digital Link paths, shuffled (the cold scans' targets)."""
    from decimal import Decimal

    from benchmarks.trace_data import BASE_URL
    from models import EventAction, EventType, Location, LocationKind, Product
    from services.common import clock
    from services.policy import SYSTEM
    from services.trace import events as trace
    from services.trace.batches import BatchData, create_batch
    from services.trace.identity import batch_link

    links = []
    async with connected(dsn, schema):
        products = await Product.filter(is_published=True).order_by("id").values_list("id", "gtin")
        farm = await Location.create(name="Vườn Giồng Trôm", kind=LocationKind.FARM, address_line="Bến Tre")
        plant = await Location.create(
            name="Xưởng đóng gói", kind=LocationKind.FACILITY, address_line="Bến Tre"
        )
        start = clock.vietnam_now().replace(microsecond=0) - dt.timedelta(days=20)
        made = start.date()
        for n in range(count):
            product_id, gtin = products[n % len(products)]
            data = BatchData(
                product_id=product_id,
                lot_code=f"C{n:06d}",
                production_date=made,
                quantity=Decimal(100),
                unit="KGM",
                origin_place="Giồng Trôm, Bến Tre",
            )
            lot = await create_batch(data, SYSTEM)
            for hours, (step, place, note) in enumerate(
                (("commissioning", farm.id, "Thu hoạch"), ("packing", plant.id, "Đóng gói 10 kg"))
            ):
                await trace.record_event(
                    trace.EventInput(
                        event_type=EventType.OBJECT,
                        event_time=start + dt.timedelta(hours=hours),
                        subjects=[trace.QuantityData(lot.id, Decimal(100), "KGM")],
                        action=EventAction.ADD if hours == 0 else EventAction.OBSERVE,
                        biz_step=step,
                        read_point_id=place,
                        note=note,
                    ),
                    SYSTEM,
                    BASE_URL,
                )
            link = batch_link(BASE_URL, product_id=product_id, gtin=gtin, lot_code=lot.lot_code)
            links.append(link.removeprefix(BASE_URL))
    random.Random(SEED).shuffle(links)
    return links


async def seed_lots(dsn: str, schema: str, lots: int, *, snapshots: bool = True) -> list[str]:
    """A probe lot recorded through services.trace and `lots` bulk lots (benchmarks/trace_data.py); the
    Digital Link paths of every published lot, shuffled (the cold scans' targets)."""
    from benchmarks.scan_load import scan_targets
    from benchmarks.trace_data import bulk_fill, record_probe
    from models import Location, LocationKind, Product

    async with connected(dsn, schema):
        products = [p.id for p in await Product.filter(is_published=True).order_by("id").only("id")]
        bare = await Product.filter(is_published=True, gtin=None).order_by("id").first()
        if bare is None:
            raise BenchError("no published product without a GTIN to carry the probe lot")
        locations = []
        for n, kind in enumerate((LocationKind.FARM, LocationKind.FACILITY, LocationKind.WAREHOUSE)):
            location = await Location.create(name=f"Kho {n + 1}", kind=kind, address_line="Bến Tre")
            locations.append(location.id)
        probe = await record_probe(products, bare.id, locations)
        await bulk_fill(lots, probe, 0)
        if snapshots:  # as `server.py trace-snapshots` does after an upgrade (bulk lots bypass the services)
            from services.trace import snapshot

            await snapshot.build_missing()
    targets = await scan_targets(dsn, schema, probe)
    return targets.hot + targets.cold
