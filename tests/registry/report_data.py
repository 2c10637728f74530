"""A small registry for the programme report's tests: three provinces, certificates from 2019 on, one
certificate ending soon (relative to today, so the test data does not age), its product named in NFD."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from models import Evaluation, ProgrammeMetric, ProgrammeTarget, UnitEra
from services.common import clock
from services.registry.manage import find_province
from tests.factories import certify, make_producer, make_product

FIGURES = """
query($scope: ReportScopeInput!, $period: ReportPeriodInput!) {
  programmeFigures(scope: $scope, period: $period) {
    scopeName asOf products newCertificates expiredCertificates expiringCount expiringWithinDays
    targets { programme metric target actual ratio reached }
    byStars { key count } byGroup { key name nameEn count }
    byYear { year new newThreeStars newFourStars newFiveStars expired }
    byProvince { code name products newCertificates fiveStars pilot }
    pilots { code name products newCertificates fiveStars }
  }
}
"""


@dataclass(frozen=True, slots=True)
class Seeded:
    ending_soon: Evaluation
    ending_soon_until: dt.date


async def seed_report_registry() -> Seeded:
    target = await ProgrammeTarget.create(
        programme="Kế hoạch chỉ đạo điểm Chương trình OCOP năm 2019",
        metric=ProgrammeMetric.PROVINCIAL_LEVEL_PRODUCTS,
        target_value=Decimal(900),
        period_start=dt.date(2019, 1, 1),
        period_end=dt.date(2020, 12, 31),
        scope_name="12 tỉnh chỉ đạo điểm",
    )
    for code in ("83", "46", "01"):
        province = await find_province(code, UnitEra.LEGACY)
        assert province is not None
        await target.provinces.add(province)
    bentre = await make_producer(name="HTX Dừa Xanh Giồng Trôm (demo)")
    hue = await make_producer(name="HTX Tinh dầu tràm Huế (demo)", communeCode="19879")
    hanoi = await make_producer(name="Công ty Trà Hà Nội (demo)", communeCode="00001")
    await certify(
        await make_product(bentre, name="Kẹo dừa sầu riêng lá dứa"), stars=4, decided=dt.date(2019, 12, 20)
    )
    await certify(
        await make_product(bentre, name="Bưởi da xanh Chợ Lách"), stars=3, decided=dt.date(2021, 1, 5)
    )
    await certify(
        await make_product(hue, name="Tinh dầu tràm", group="3", subgroup=None),
        stars=3,
        decided=dt.date(2020, 6, 1),
    )
    await certify(await make_product(hanoi, name="Trà sen"), stars=4, decided=dt.date(2020, 3, 1))
    # Valid for 36 months: decided so that it ends in 20 days.
    today = clock.today()
    decided = today.replace(year=today.year - 3) + dt.timedelta(days=21)
    ending = await certify(
        await make_product(bentre, name=unicodedata.normalize("NFD", "Rượu Phú Lễ")), stars=5, decided=decided
    )
    assert ending.valid_until is not None
    return Seeded(ending, ending.valid_until)
