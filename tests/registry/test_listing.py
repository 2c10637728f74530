"""The product listing's one-statement SQL (services/registry/listing.py) finds exactly what the ORM query of
services/registry/search.py finds, in the same order, for every role and every filter a client can send:
random combinations of search words (with LIKE's own characters), groups, provinces across the 2025
reform, stars, producer kinds and producers, four orders and windows, on both databases. A visitor, an
officer and a producer's member must never see a product through one path that the other would hide."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable
from typing import Any, cast

from models import ProducerKind, Role, UnitEra
from services.accounts.auth import PUBLIC, Actor, Grant
from services.common.clock import today as vietnam_today
from services.common.errors import DomainError
from services.policy import reach_of
from services.policy import registry as policy
from services.registry import listing, search
from services.registry.manage import find_province
from tests.conftest import Database
from tests.factories import certify, make_producer, make_product

PLACES = [
    ("29044", UnitEra.LEGACY),  # Bến Tre (legacy 83)
    ("28889", UnitEra.LEGACY),  # Bến Tre (legacy 83)
    ("19879", UnitEra.LEGACY),  # Thừa Thiên Huế (legacy 46)
    ("28756", UnitEra.CURRENT),  # Vĩnh Long (current 86), which Bến Tre merged into
]
WORDS = ["Kẹo dừa", "Bánh phồng", "Bưởi", "Tinh dầu", "Rượu", "Mắm 50%", "Trà_xanh", "Dừa sáp"]
KINDS = ["cooperative", "household_business", "cooperative_group"]


async def seed(rng: random.Random) -> list[int]:
    producers = []
    for n in range(9):
        commune, era = PLACES[n % len(PLACES)]
        producers.append(
            await make_producer(
                name=f"{rng.choice(['HTX', 'Cơ sở', 'Tổ hợp tác'])} {rng.choice(WORDS)} {n} (demo)",
                kind=KINDS[n % len(KINDS)],
                communeCode=commune,
                communeEra=era,
            )
        )
    today = vietnam_today()
    for n in range(60):
        group, subgroup = rng.choice([("1", "1.2"), ("1", "1.1"), ("2", "2.1"), ("3", "3.4")])
        product = await make_product(
            rng.choice(producers),
            name=f"{rng.choice(WORDS)} {rng.choice(['đặc biệt', 'loại 1', 'hữu cơ', ''])} {n}".strip(),
            group=group,
            subgroup=subgroup,
            isPublished=rng.random() < 0.75,
        )
        if rng.random() < 0.6:
            # Some certificates still valid, some expired (decided more than 36 months ago).
            await certify(
                product, stars=rng.randint(3, 5), decided=today - dt.timedelta(days=rng.randint(0, 1400))
            )
    return [p.id for p in producers]


async def actors(producer_ids: list[int]) -> dict[str, Actor]:
    bentre = await find_province("83", UnitEra.LEGACY)
    vinh_long = await find_province("86", UnitEra.CURRENT)
    assert bentre is not None
    assert vinh_long is not None
    return {
        "public": PUBLIC,
        "admin": Actor(user_id=1, email="a@x.vn", grants=(Grant(Role.CENTRAL_ADMIN),)),
        "officer of legacy Bến Tre": Actor(
            user_id=2, email="b@x.vn", grants=(Grant(Role.PROVINCE_OFFICER, province_id=bentre.id),)
        ),
        "officer of current Vĩnh Long": Actor(
            user_id=3, email="c@x.vn", grants=(Grant(Role.PROVINCE_OFFICER, province_id=vinh_long.id),)
        ),
        "member": Actor(
            user_id=4, email="d@x.vn", grants=(Grant(Role.PRODUCER_MEMBER, producer_id=producer_ids[1]),)
        ),
    }


def random_filters(rng: random.Random, producer_ids: list[int]) -> search.ProductFilterData:
    filters = search.ProductFilterData()
    if rng.random() < 0.5:
        words = rng.choice(WORDS).split()
        filters.search = " ".join(rng.sample(words, rng.randint(1, len(words))))
        if rng.random() < 0.2:
            filters.search += " " + rng.choice(["demo", "50%", "_", "1", "HTX"])
    if rng.random() < 0.3:
        filters.group = rng.choice(["1", "2", "3", "1.2", "3.4", "9"])
    if rng.random() < 0.3:
        filters.province_code = rng.choice(["83", "86", "46", "48", "99"])  # 99: no such province
    if rng.random() < 0.3:
        filters.min_stars = rng.randint(0, 6)  # 0 and 6 are refused (OUT_OF_RANGE) by both
    if rng.random() < 0.2:
        filters.producer_kind = ProducerKind(rng.choice(KINDS))
    if rng.random() < 0.15:
        filters.producer_id = rng.choice(producer_ids)
    return filters


async def orm_ids(
    filters: search.ProductFilterData, actor: Actor, order: list[str], offset: int, limit: int
) -> list[int]:
    query = await search.product_query(filters, visibility=policy.product_visibility(await reach_of(actor)))
    ids = await query.order_by(*order).offset(offset).limit(limit).values_list("id", flat=True)
    return cast(list[int], ids)


async def sql_ids(
    filters: search.ProductFilterData,
    actor: Actor,
    order: list[str],
    offset: int,
    limit: int,
    with_certificate: bool = True,
) -> list[int]:
    """The listing's ids; with or without the certificates read beside the page (a minimum of stars is
    then checked on the one or on a join of its own)."""
    found = await listing.read_product_rows(
        filters,
        visibility=policy.product_scope(await reach_of(actor)),
        order=order,
        offset=offset,
        limit=limit,
        with_producer=True,
        with_certificate=with_certificate,
    )
    return [r.id for r in found.records()]


async def outcome(read: Awaitable[list[int]]) -> list[int] | tuple[Any, ...]:
    """The ids read, or the problems of the DomainError the read raised."""
    try:
        return await read
    except DomainError as refused:
        return refused.problems


async def test_the_listing_finds_what_the_orm_query_finds(db: Database) -> None:
    rng = random.Random(2019)
    producer_ids = await seed(rng)
    who = await actors(producer_ids)
    orders = [
        search.ordering(field, descending)
        for field in search.ProductSortField
        for descending in (False, True)
    ]
    compared = nonempty = refused = 0
    for _ in range(150):
        filters = random_filters(rng, producer_ids)
        order = rng.choice(orders)
        offset, limit = rng.choice([(0, 5), (0, 61), (3, 10), (40, 30)])
        certificates = rng.random() < 0.5
        for name, actor in who.items():
            expected = await outcome(orm_ids(filters, actor, order, offset, limit))
            found = await outcome(sql_ids(filters, actor, order, offset, limit, certificates))
            assert found == expected, (name, filters, certificates)
            compared += 1
            nonempty += bool(expected) and isinstance(expected, list)
            refused += isinstance(expected, tuple)
    # The comparison means something only if many filters found products.
    assert compared == 750
    assert nonempty > compared // 3
    assert 0 < refused < compared // 4  # refusals (bad stars, unknown province) are compared too


async def test_the_records_carry_what_the_page_shows(db: Database) -> None:
    """Each row's producer and certificate come from the same statement, read as the models read them."""
    producer = await make_producer(name="HTX Dừa Phú Khương (demo)", kind="cooperative")
    product = await make_product(producer, name="Kẹo dừa sầu riêng lá dứa")
    certificate = await certify(product, stars=4, decided=vietnam_today() - dt.timedelta(days=10))
    await make_product(producer, name="Bánh tráng dừa")
    found = (
        await listing.read_product_rows(
            search.ProductFilterData(search="keo dua"),
            visibility=None,
            order=search.ordering(search.ProductSortField.NAME, False),
            offset=0,
            limit=10,
            with_producer=True,
            with_certificate=True,
        )
    ).records()
    assert [r.name for r in found] == ["Kẹo dừa sầu riêng lá dứa"]
    record: Any = found[0]
    assert record.producer.name == "HTX Dừa Phú Khương (demo)"
    assert record.is_published is True
    assert isinstance(record.created_at, dt.datetime)
    assert record.latest_certificate.id == certificate.id
    assert record.latest_certificate.stars == 4
    assert record.latest_certificate.valid_until == certificate.valid_until
