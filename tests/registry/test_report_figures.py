"""A coordination office reads its programme figures and the certificates about to expire (issue 19)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from models import Role, UnitEra
from services.registry.manage import find_province
from tests.conftest import Database, gql
from tests.factories import token_for
from tests.registry.report_data import FIGURES, seed_report_registry

PERIOD_2019_2021 = {"start": "2019-01-01", "end": "2021-12-31"}


async def figures(client: AsyncClient, scope: dict[str, Any], period: dict[str, str]) -> dict[str, Any]:
    body = await gql(client, FIGURES, {"scope": scope, "period": period})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["programmeFigures"]
    return result


async def test_country_figures_by_stars_group_year_and_province(client: AsyncClient, db: Database) -> None:
    await seed_report_registry()
    found = await figures(client, {"kind": "COUNTRY"}, PERIOD_2019_2021)
    assert found["asOf"] == "2021-12-31"
    assert found["products"] == 4  # the four certified by the end of 2021, all still valid then
    assert {s["key"]: s["count"] for s in found["byStars"]} == {"3": 2, "4": 2, "5": 0}
    assert {g["key"]: g["count"] for g in found["byGroup"]} == {"1": 3, "3": 1}
    years = {y["year"]: (y["newThreeStars"], y["newFourStars"], y["newFiveStars"]) for y in found["byYear"]}
    assert years == {2019: (0, 1, 0), 2020: (1, 1, 0), 2021: (1, 0, 0)}
    assert found["newCertificates"] == 4
    assert found["expiredCertificates"] == 0
    provinces = {p["code"]: (p["products"], p["pilot"]) for p in found["byProvince"]}
    assert provinces == {"83": (2, True), "46": (1, True), "01": (1, True)}
    assert [p["code"] for p in found["pilots"]][:3] == ["02", "01", "22"]  # all 12, in the plan's order
    assert len(found["pilots"]) == 12
    # The 2019 plan's target (2019-2020): the 3-4★ products certified in its provinces in its period.
    [target] = found["targets"]
    assert (target["metric"], target["target"], target["actual"]) == ("PROVINCIAL_LEVEL_PRODUCTS", "900", "3")


async def test_a_region_and_a_province_count_only_their_producers(client: AsyncClient, db: Database) -> None:
    await seed_report_registry()
    mekong = await figures(client, {"kind": "REGION", "code": "DBSCL"}, PERIOD_2019_2021)
    assert mekong["scopeName"] == "Vùng Đồng bằng sông Cửu Long"
    assert mekong["products"] == 2
    assert [p["code"] for p in mekong["pilots"]] == ["87", "83"]
    hue = await figures(client, {"kind": "PROVINCE", "code": "46"}, PERIOD_2019_2021)
    assert (hue["products"], hue["newCertificates"]) == (1, 1)
    assert [p["code"] for p in hue["pilots"]] == ["46"]


async def test_expired_certificates_are_counted_in_the_year_they_end(
    client: AsyncClient, db: Database
) -> None:
    seeded = await seed_report_registry()
    found = await figures(client, {"kind": "COUNTRY"}, {"start": "2022-01-01", "end": "2024-12-31"})
    # Kẹo dừa ends 2022-12-19, Trà sen 2023-02-28, Tinh dầu 2023-05-31, Bưởi 2024-01-04.
    assert {y["year"]: y["expired"] for y in found["byYear"]} == {2022: 1, 2023: 2, 2024: 1}
    assert found["expiredCertificates"] == 4
    # The one ending soon was decided three years ago, less 21 days.
    decided = seeded.ending_soon.decision_date
    assert decided is not None
    assert found["newCertificates"] == (1 if 2022 <= decided.year <= 2024 else 0)


async def test_bad_scopes_and_periods_are_refused_with_a_field(client: AsyncClient, db: Database) -> None:
    for scope, period, field in (
        ({"kind": "REGION", "code": "XYZ"}, PERIOD_2019_2021, "scope.code"),
        ({"kind": "PROVINCE", "code": "99"}, PERIOD_2019_2021, "scope.code"),
        ({"kind": "COUNTRY"}, {"start": "2021-01-01", "end": "2020-01-01"}, "period.end"),
    ):
        body = await gql(client, FIGURES, {"scope": scope, "period": period})
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["field"] == field, body


EXPIRING = """
query($province: String, $days: Int!) {
  expiringCertificates(provinceCode: $province, withinDays: $days, first: 10) {
    totalCount edges { node { stars validUntil product { name } } }
  }
}
"""


async def test_officers_see_the_certificates_expiring_in_their_province(
    client: AsyncClient, db: Database
) -> None:
    seeded = await seed_report_registry()
    bentre = await find_province("83", UnitEra.LEGACY)
    hue = await find_province("46", UnitEra.LEGACY)
    assert bentre is not None
    assert hue is not None
    officer = await token_for(Role.PROVINCE_OFFICER, province_id=bentre.id)
    body = await gql(client, EXPIRING, {"province": "83", "days": 90}, token=officer)
    connection = body["data"]["expiringCertificates"]
    assert connection["totalCount"] == 1
    node = connection["edges"][0]["node"]
    assert (node["product"]["name"], node["stars"], node["validUntil"]) == (
        "Rượu Phú Lễ",
        5,
        seeded.ending_soon_until.isoformat(),
    )
    assert (await gql(client, EXPIRING, {"province": "83", "days": 10}, token=officer))["data"][
        "expiringCertificates"
    ]["totalCount"] == 0  # it ends in 20 days
    other = await token_for(Role.PROVINCE_OFFICER, province_id=hue.id)
    for token in (other, None):
        refused = await gql(client, EXPIRING, {"province": "83", "days": 90}, token=token)
        assert refused["data"] is None
        assert refused["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
    # The whole country: central admins only.
    refused = await gql(client, EXPIRING, {"province": None, "days": 90}, token=officer)
    assert refused["data"] is None
    admin = await token_for(Role.CENTRAL_ADMIN)
    body = await gql(client, EXPIRING, {"province": None, "days": 90}, token=admin)
    assert body["data"]["expiringCertificates"]["totalCount"] == 1
    figures_now = await gql(
        client,
        FIGURES,
        {"scope": {"kind": "PROVINCE", "code": "83"}, "period": {"start": "2019-01-01", "end": "2030-12-31"}},
    )
    assert figures_now["data"]["programmeFigures"]["expiringCount"] == 1


async def test_programme_progress_counts_each_target_year_by_year(client: AsyncClient, db: Database) -> None:
    await seed_report_registry()
    body = await gql(client, "{ programmeProgress { numerator byYear { year count } } }")
    [progress] = body["data"]["programmeProgress"]
    # Kẹo dừa (2019), Tinh dầu tràm and Trà sen (2020): the years add up to the numerator.
    assert progress["byYear"] == [{"year": 2019, "count": 1}, {"year": 2020, "count": 2}]
    assert sum(y["count"] for y in progress["byYear"]) == progress["numerator"] == 3
