"""A producer records what happens to each lot; a province officer traces and recalls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import Batch, BatchStatus, EventAction, EventQuantity, EventType, Role, TraceEvent, UnitEra
from services.accounts.auth import Actor, Grant
from services.common.errors import DomainError
from services.policy import SYSTEM, reach_of
from services.registry.manage import find_province
from services.trace import epcis_validation
from services.trace import events as trace
from services.trace.events import EventInput, QuantityData
from services.trace.identity import product_code
from services.trace.integrity import integrity
from services.trace.lineage import lineage
from tests.conftest import Database
from tests.factories import make_batch, make_producer, make_product

BASE = "https://ocop.test"
T0 = dt.datetime(2019, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


async def candy_from_coconut() -> tuple[Batch, Batch, Batch]:
    """Coconut (from a farm in Giồng Trôm) and sugar lots made into a lot of kẹo dừa."""
    farm = await make_producer(name="HTX Dừa Giồng Trôm (demo)")
    factory = await make_producer(name="Cơ sở Kẹo dừa Bến Tre (demo)")
    coconut = await make_batch(
        await make_product(farm, name="Dừa xiêm xanh", subgroup="1.1"),
        "DX-2019-05",
        harvest_date=dt.date(2019, 5, 10),
        production_date=None,
        origin_commune_code="29044",
        origin_commune_era=UnitEra.LEGACY,
        origin_place="Vườn ông Tư, ấp 3",
    )
    sugar = await make_batch(await make_product(factory, name="Đường"), "DUONG-19")
    candy = await make_batch(await make_product(factory, name="Kẹo dừa sầu riêng lá dứa"), "KD-2019-07")
    await trace.record_event(
        EventInput(EventType.OBJECT, T0, subjects=[QuantityData(coconut.id, Decimal(500), "KGM")], action=EventAction.ADD,
                   biz_step="commissioning", disposition="active"),
        SYSTEM, BASE,
    )  # fmt: skip
    await trace.record_event(
        EventInput(
            EventType.TRANSFORMATION,
            T0 + dt.timedelta(days=2),
            inputs=[
                QuantityData(coconut.id, Decimal(300), "KGM"),
                QuantityData(sugar.id, Decimal(50), "KGM"),
            ],
            outputs=[QuantityData(candy.id, Decimal(2000), "H87")],
            biz_step="creating_class_instance",
        ),
        SYSTEM,
        BASE,
    )
    await trace.record_event(
        EventInput(
            EventType.OBJECT,
            T0 + dt.timedelta(days=5),
            subjects=[QuantityData(candy.id, Decimal(500), "H87")],
            biz_step="shipping",
            disposition="in_transit",
            destinations=[{"type": "location", "destination": "https://ocop.test/locations/fair-booth-A01"}],
        ),
        SYSTEM,
        BASE,
    )
    return coconut, sugar, candy


async def test_a_candy_lot_traces_back_to_its_coconut_farm_and_forward_again(db: Database) -> None:
    coconut, _sugar, candy = await candy_from_coconut()
    backward = await lineage([candy.id], backward=True)
    assert [[b.lot_code for b in level] for level in backward] == [["DX-2019-05", "DUONG-19"]]
    assert backward[0][0].origin_place == "Vườn ông Tư, ấp 3"
    forward = await lineage([coconut.id], backward=False)
    assert [[b.lot_code for b in level] for level in forward] == [["KD-2019-07"]]


async def test_the_recall_of_a_coconut_lot_reaches_the_candy_made_from_it(db: Database) -> None:
    coconut, _sugar, _candy = await candy_from_coconut()
    impact = await trace.record_recall(coconut.id, "Phát hiện dư lượng thuốc BVTV vượt ngưỡng", SYSTEM, BASE)
    assert {b.lot_code for b in impact.batches} == {"DX-2019-05", "KD-2019-07"}
    assert impact.holders == [
        {"type": "location", "destination": "https://ocop.test/locations/fair-booth-A01"}
    ]
    statuses = {b.lot_code: b.status for b in await Batch.all()}
    assert statuses == {"DX-2019-05": "recalled", "KD-2019-07": "recalled", "DUONG-19": "active"}
    recall_events = await TraceEvent.filter(disposition="recalled").count()
    assert recall_events == 2


async def test_integrity_holds_and_any_edit_of_a_stored_event_is_detected(db: Database) -> None:
    coconut, sugar, candy = await candy_from_coconut()
    for batch in (coconut, sugar, candy):
        assert (await integrity(batch.id, BASE)).valid
    transformation = await TraceEvent.get(event_type="TransformationEvent")
    await EventQuantity.filter(event_id=transformation.id, role="input", batch_id=coconut.id).update(
        quantity=Decimal(30)
    )
    broken = await integrity(candy.id, BASE)
    assert not broken.valid
    assert broken.broken_at is not None
    assert broken.broken_at.id == transformation.id
    shipping = await TraceEvent.get(biz_step="shipping")
    await TraceEvent.filter(id=shipping.id).update(biz_step="receiving")
    assert not (await integrity(candy.id, BASE)).valid
    assert (await integrity(sugar.id, BASE)).broken_at.id == transformation.id  # type: ignore[union-attr]


async def test_each_event_has_its_cbv_hash_as_event_id(db: Database) -> None:
    await candy_from_coconut()
    hashes = [e.event_hash for e in await TraceEvent.all()]
    assert len(set(hashes)) == 3
    assert all(h.startswith("ni:///sha-256;") and h.endswith("?ver=CBV2.0") for h in hashes)


async def codes(call: object) -> list[tuple[str, str]]:
    with pytest.raises(DomainError) as caught:
        await call  # type: ignore[misc]
    return [(p.field, p.code.value) for p in caught.value.problems]


async def test_bad_events_are_refused_and_nothing_is_written(db: Database) -> None:
    coconut, _sugar, candy = await candy_from_coconut()
    before = await TraceEvent.all().count()
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert await codes(
        trace.record_event(
            EventInput(EventType.OBJECT, future, subjects=[QuantityData(candy.id)]), SYSTEM, BASE
        )
    ) == [("eventTime", "out_of_range")]
    too_early = dt.datetime(2019, 4, 1, tzinfo=dt.UTC)
    assert ("eventTime", "out_of_range") in await codes(
        trace.record_event(
            EventInput(EventType.OBJECT, too_early, subjects=[QuantityData(coconut.id)]), SYSTEM, BASE
        )
    )
    negative = EventInput(
        EventType.OBJECT, T0 + dt.timedelta(days=6), subjects=[QuantityData(candy.id, Decimal(-5), "H87")]
    )
    assert await codes(trace.record_event(negative, SYSTEM, BASE)) == [
        ("subjects.0.quantity", "out_of_range")
    ]
    unknown_word = EventInput(
        EventType.OBJECT, T0 + dt.timedelta(days=6), subjects=[QuantityData(candy.id)], biz_step="harvesting"
    )
    assert await codes(trace.record_event(unknown_word, SYSTEM, BASE)) == [("bizStep", "invalid")]
    unknown_lot = EventInput(
        EventType.TRANSFORMATION,
        T0 + dt.timedelta(days=6),
        inputs=[QuantityData(999999)],
        outputs=[QuantityData(candy.id)],
    )
    assert ("inputs.0.batchId", "not_found") in await codes(trace.record_event(unknown_lot, SYSTEM, BASE))
    cycle = EventInput(
        EventType.TRANSFORMATION,
        T0 + dt.timedelta(days=6),
        inputs=[QuantityData(candy.id)],
        outputs=[QuantityData(coconut.id)],
    )
    assert await codes(trace.record_event(cycle, SYSTEM, BASE)) == [("outputs", "not_allowed")]
    assert await TraceEvent.all().count() == before


async def test_lot_codes_follow_gs1_character_set_82_and_are_unique_per_product(db: Database) -> None:
    product = await make_product()
    await make_batch(product, "L2019-07")
    assert await codes(make_batch(product, "Lô 1")) == [("lotCode", "invalid")]
    assert await codes(make_batch(product, "L2019-07")) == [("lotCode", "unique")]
    assert await codes(make_batch(product, "X" * 21)) == [("lotCode", "invalid")]


async def test_only_those_with_a_role_on_the_lot_record_or_recall(db: Database) -> None:
    coconut, _, _ = await candy_from_coconut()
    dong_thap = await find_province("87", UnitEra.LEGACY)
    assert dong_thap is not None
    officer = await reach_of(
        Actor(user_id=1, grants=(Grant(Role.PROVINCE_OFFICER, province_id=dong_thap.id),))
    )
    other_member = await reach_of(Actor(user_id=2, grants=(Grant(Role.PRODUCER_MEMBER, producer_id=10**6),)))
    event = EventInput(EventType.OBJECT, T0 + dt.timedelta(days=7), subjects=[QuantityData(coconut.id)])
    assert await codes(trace.record_event(event, other_member, BASE)) == [("batchId", "forbidden")]
    assert await codes(trace.record_recall(coconut.id, "nghi nhiễm", officer, BASE)) == [
        ("batchId", "forbidden")
    ]
    assert (await Batch.get(id=coconut.id)).status == BatchStatus.ACTIVE


async def test_a_lots_history_is_a_valid_epcis_document(db: Database) -> None:
    _, _, candy = await candy_from_coconut()
    document = await trace.batch_document(candy.id, BASE)
    assert epcis_validation.validate(document) == []
    events = document["epcisBody"]["eventList"]
    assert [e["type"] for e in events] == ["TransformationEvent", "ObjectEvent"]
    candy_product = await candy.product
    expected = f"{BASE}/p/{product_code(candy_product.id)}/10/KD-2019-07"
    assert events[0]["outputQuantityList"][0]["epcClass"] == expected
    assert all(e["eventID"].startswith("ni:///sha-256;") for e in events)


async def test_a_wrong_event_is_declared_and_corrected_without_changing_it(db: Database) -> None:
    _, _, candy = await candy_from_coconut()
    shipping = await TraceEvent.get(biz_step="shipping")
    corrective = EventInput(
        EventType.OBJECT,
        T0 + dt.timedelta(days=6),
        subjects=[QuantityData(candy.id, Decimal(450), "H87")],
        biz_step="shipping",
        disposition="in_transit",
    )
    declaration, corrected_by = await trace.declare_error(
        trace.Correction(shipping.id, "incorrect_data", corrective), SYSTEM, BASE
    )
    assert corrected_by is not None
    assert declaration.event_hash == shipping.event_hash  # EPCIS: the same eventID, with errorDeclaration
    assert (await TraceEvent.get(id=shipping.id)).biz_step == "shipping"  # the original is untouched
    assert (await integrity(candy.id, BASE)).valid
    document = await trace.batch_document(candy.id, BASE)
    assert epcis_validation.validate(document) == []
    declared = [e for e in document["epcisBody"]["eventList"] if "errorDeclaration" in e]
    assert declared[0]["errorDeclaration"]["reason"] == "incorrect_data"
    assert declared[0]["errorDeclaration"]["correctiveEventIDs"] == [corrected_by.event_hash]
    assert await codes(
        trace.declare_error(trace.Correction(shipping.id, "incorrect_data"), SYSTEM, BASE)
    ) == [("eventId", "not_allowed")]
    transformation = await TraceEvent.get(event_type="TransformationEvent")
    assert await codes(trace.declare_error(trace.Correction(transformation.id, "because"), SYSTEM, BASE)) == [
        ("reason", "invalid")
    ]


async def test_a_lots_events_come_in_time_order_whatever_their_offsets(db: Database) -> None:
    product = await make_product()
    lot = await make_batch(product, "TZ-1")
    utc = dt.UTC
    later_in_utc = dt.datetime(2019, 5, 20, 2, 0, tzinfo=utc)  # 09:00 in Viet Nam
    earlier_local = dt.datetime(2019, 5, 20, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))  # 01:30 UTC
    for moment, step in ((later_in_utc, "shipping"), (earlier_local, "packing")):
        await trace.record_event(
            EventInput(EventType.OBJECT, moment, subjects=[QuantityData(lot.id)], biz_step=step), SYSTEM, BASE
        )
    assert [e.biz_step for e in await trace.events_of(lot.id)] == ["packing", "shipping"]
