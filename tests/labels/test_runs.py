"""Label runs in the service layer: who may print, serial allocation, the frozen content, refusals."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from pathlib import Path

import pytest

from models import BatchStatus, LabelRun, Role, TemplateKind
from services.accounts.auth import Actor, Grant
from services.common import storage
from services.common.errors import DomainError
from services.labels import runs
from services.labels.errors import LabelErrorCode
from services.labels.runs import LabelRunData
from services.policy import SYSTEM, reach_of
from services.trace.identity import product_code
from tests.factories import certify, make_batch, make_product, make_user
from tests.labels.factories import BASE, system_run


def codes(error: DomainError) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in error.problems}


async def test_lot_level_run_freezes_what_the_label_says(db: object) -> None:
    product = await make_product(name="Bánh phồng Sơn Đốc", netQuantity="500", netUnit="g")
    await certify(product, stars=4, decided=dt.date(2025, 3, 1))
    batch = await make_batch(product, "BP-2026-11", expiry_date=dt.date(2027, 5, 1))
    run = await system_run(LabelRunData(batch_id=batch.id, template="L7160", count=30))
    assert run.first_serial is None
    assert run.content["stars"] == 4
    assert run.content["product_name"] == "Bánh phồng Sơn Đốc"
    assert run.content["link"] == f"{BASE}/p/{product_code(product.id)}/10/BP-2026-11"
    assert run.content["net_quantity"] == "500 g"
    # A later rename does not change what was printed.
    product.name = "Tên mới"
    await product.save()
    again = await LabelRun.get(id=run.id)
    assert again.content["product_name"] == "Bánh phồng Sơn Đốc"


async def test_expired_certificate_prints_no_stars(db: object) -> None:
    product = await make_product()
    await certify(product, stars=4, decided=dt.date(2019, 6, 20))  # valid until 2022
    batch = await make_batch(product, "OLD-1")
    run = await system_run(LabelRunData(batch_id=batch.id, template="L7163", count=1))
    assert run.content["stars"] is None


async def test_serials_follow_on_and_are_never_shared(db: object) -> None:
    batch = await make_batch(await make_product(), "SER-1")
    data = LabelRunData(batch_id=batch.id, template="L7651", count=65, serialized=True)
    first = await system_run(data)
    second = await system_run(data)
    assert (first.first_serial, second.first_serial) == (1, 66)
    concurrent = await asyncio.gather(*(system_run(data) for _ in range(6)))
    ranges = sorted((r.first_serial, r.first_serial + r.count - 1) for r in [first, second, *concurrent])
    for (_, end), (start, _) in itertools.pairwise(ranges):
        assert start == end + 1  # no overlap, no gap
    assert ranges[-1][1] == 8 * 65


async def test_refusals(db: object) -> None:
    product = await make_product()
    batch = await make_batch(product, "R-1")
    with pytest.raises(DomainError) as e:
        await system_run(LabelRunData(batch_id=batch.id, template="NOPE", count=0))
    assert codes(e.value) == {("template", LabelErrorCode.NOT_FOUND), ("count", LabelErrorCode.OUT_OF_RANGE)}
    with pytest.raises(DomainError) as e:
        await system_run(LabelRunData(batch_id=batch.id, template="L7651", count=1, start_slot=66))
    assert codes(e.value) == {("startSlot", LabelErrorCode.OUT_OF_RANGE)}
    batch.status = BatchStatus.RECALLED
    await batch.save()
    with pytest.raises(DomainError) as e:
        await system_run(LabelRunData(batch_id=batch.id, template="L7160", count=1))
    assert codes(e.value) == {("batchId", LabelErrorCode.NOT_ALLOWED)}
    hidden = await make_batch(product, "R-2", is_published=False)
    with pytest.raises(DomainError) as e:
        await system_run(LabelRunData(batch_id=hidden.id, template="L7160", count=1))
    assert codes(e.value) == {("batchId", LabelErrorCode.NOT_ALLOWED)}
    assert await LabelRun.all().count() == 0


async def test_a_template_too_small_for_the_code_is_refused_with_the_size_that_would_do(db: object) -> None:
    batch = await make_batch(await make_product(), "TINY-1")
    await runs.create_template(
        runs.TemplateData(
            code="TINY",
            name="Nhãn 30 × 12",
            kind=TemplateKind.ROLL,
            page_width_mm=30,
            page_height_mm=12,
            rows=1,
            columns=1,
            label_width_mm=30,
            label_height_mm=12,
        ),
        SYSTEM,
    )
    with pytest.raises(DomainError) as e:
        await system_run(LabelRunData(batch_id=batch.id, template="TINY", count=5, serialized=True))
    (problem,) = e.value.problems
    assert problem.field == "template"
    assert "at least" in problem.message_en
    assert "mm" in problem.message_en
    assert await LabelRun.all().count() == 0


async def test_a_producer_member_prints_only_its_own_lots(db: object) -> None:
    mine = await make_product()
    theirs = await make_product()
    my_batch = await make_batch(mine, "MINE-1")
    their_batch = await make_batch(theirs, "THEIRS-1")
    producer_id = mine.producer_id
    user = await make_user("member@test.ocop.vn", Role.PRODUCER_MEMBER, producer_id=producer_id)
    reach = await reach_of(
        Actor(user_id=user.id, grants=(Grant(Role.PRODUCER_MEMBER, producer_id=producer_id),))
    )
    run = await runs.create_label_run(
        LabelRunData(batch_id=my_batch.id, template="L7160", count=3), reach, user_id=user.id, base_url=BASE
    )
    assert run.created_by_id == user.id
    with pytest.raises(DomainError) as e:
        await runs.create_label_run(
            LabelRunData(batch_id=their_batch.id, template="L7160", count=3),
            reach,
            user_id=user.id,
            base_url=BASE,
        )
    assert codes(e.value) == {("batchId", LabelErrorCode.FORBIDDEN)}


async def test_outputs_are_kept_by_checksum_and_reproducible(db: object, media: Path) -> None:
    batch = await make_batch(await make_product(), "OUT-1")
    run = await system_run(LabelRunData(batch_id=batch.id, template="L7651", count=70, serialized=True))
    key, sha = await runs.output(run, "pdf")
    store = storage.current()
    first = await store.read_bytes(key)
    assert first.startswith(b"%PDF")
    assert (
        store.local_path(key) == media / "labels" / sha[:2] / f"{sha}.pdf"
    )  # the layout var/media always had
    stored = await LabelRun.get(id=run.id)
    assert stored.checksums == {"pdf": sha}
    await store.delete(key)  # the file is lost: a re-render gives the same bytes
    key2, sha2 = await runs.output(stored, "pdf")
    assert sha2 == sha
    assert await store.read_bytes(key2) == first
