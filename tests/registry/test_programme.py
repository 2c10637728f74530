"""A coordination office follows the 2019 pilot targets; progress is computed from the registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from httpx import AsyncClient

from models import ProgrammeMetric, ProgrammeTarget, ProvincialPlan, UnitEra
from services.registry.manage import find_province
from tests.conftest import Database, gql
from tests.factories import certify, make_producer, make_product

PROGRESS = """
query($province: String) {
  programmeProgress(provinceCode: $province) {
    target { metric targetValue scopeName provinces { code } }
    actual numerator denominator ratio reached
  }
}
"""


async def pilot_target(
    metric: ProgrammeMetric, value: str, *codes: str, end: dt.date = dt.date(2020, 12, 31)
) -> None:
    target = await ProgrammeTarget.create(
        programme="Kế hoạch chỉ đạo điểm OCOP 2019",
        metric=metric,
        target_value=Decimal(value),
        period_start=dt.date(2019, 1, 1),
        period_end=end,
        scope_name="Tỉnh chỉ đạo điểm" if codes else "Toàn quốc",
    )
    for code in codes:
        province = await find_province(code, UnitEra.LEGACY)
        assert province is not None
        await target.provinces.add(province)


async def test_provincial_level_products_are_counted_from_certificates_in_the_period(
    client: AsyncClient, db: Database
) -> None:
    await pilot_target(ProgrammeMetric.PROVINCIAL_LEVEL_PRODUCTS, "4", "83", "46")
    bentre = await make_producer()
    hue = await make_producer(communeCode="19879")
    await certify(await make_product(bentre, name="Kẹo dừa"), stars=4, decided=dt.date(2019, 12, 20))
    await certify(await make_product(hue, name="Tinh dầu tràm"), stars=3, decided=dt.date(2020, 6, 1))
    await certify(
        await make_product(bentre, name="Bưởi"), stars=3, decided=dt.date(2021, 1, 5)
    )  # after the period
    hanoi = await make_producer(communeCode="00001")  # Hà Nội is not in this target's scope
    await certify(await make_product(hanoi, name="Trà"), stars=4, decided=dt.date(2020, 3, 1))
    body = await gql(client, PROGRESS)
    progress = body["data"]["programmeProgress"][0]
    assert progress["numerator"] == 2
    assert progress["actual"] == "2"
    assert progress["ratio"] == "0.5000"
    assert progress["reached"] is False


async def test_shares_of_trained_producers_and_provinces_with_a_plan(
    client: AsyncClient, db: Database
) -> None:
    await pilot_target(ProgrammeMetric.PARTICIPANTS_TRAINED_SHARE, "100", "83")
    await pilot_target(ProgrammeMetric.PROVINCES_WITH_PLAN_SHARE, "100", "83", "46", end=dt.date(2019, 6, 30))
    trained = await make_producer(ocopTrainingCompletedOn=dt.date(2019, 4, 1))
    await make_product(trained)
    untrained = await make_producer()
    await make_product(untrained)
    await make_producer(ocopTrainingCompletedOn=dt.date(2019, 4, 1))  # no product: not a participant yet
    bentre = await find_province("83", UnitEra.LEGACY)
    assert bentre is not None
    await ProvincialPlan.create(
        province_id=bentre.id, document_number="01/KH-UBND", approved_on=dt.date(2019, 3, 1)
    )
    body = await gql(client, PROGRESS, {"province": "83"})
    by_metric = {p["target"]["metric"]: p for p in body["data"]["programmeProgress"]}
    trained_share = by_metric["PARTICIPANTS_TRAINED_SHARE"]
    assert (trained_share["numerator"], trained_share["denominator"], trained_share["actual"]) == (
        1,
        2,
        "50.0",
    )
    plans = by_metric["PROVINCES_WITH_PLAN_SHARE"]
    assert (plans["numerator"], plans["denominator"], plans["actual"]) == (1, 2, "50.0")


async def test_a_province_sees_its_targets_and_the_national_ones(client: AsyncClient, db: Database) -> None:
    await pilot_target(ProgrammeMetric.MODEL_EXAMPLES, "40", "46")
    await pilot_target(ProgrammeMetric.NATIONAL_LEVEL_PRODUCTS, "100")
    body = await gql(client, PROGRESS, {"province": "83"})
    assert [p["target"]["scopeName"] for p in body["data"]["programmeProgress"]] == ["Toàn quốc"]
