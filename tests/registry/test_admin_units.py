"""Administrative units before and after the 2025-07-01 reform, from the vietnam-provinces package."""

from __future__ import annotations

from httpx import AsyncClient

from tests.conftest import Database, gql

BEN_TRE = """
{
  administrativeUnit(level: PROVINCE, code: "83", era: LEGACY) {
    name validUntil children { code name } successors { code name era validFrom }
  }
}
"""


async def test_ben_tre_keeps_its_2019_districts_and_maps_to_the_merged_vinh_long(
    client: AsyncClient, db: Database
) -> None:
    unit = (await gql(client, BEN_TRE))["data"]["administrativeUnit"]
    assert unit["name"] == "Tỉnh Bến Tre"
    assert unit["validUntil"] == "2025-06-30"
    assert [(d["code"], d["name"]) for d in unit["children"]] == [
        ("829", "Thành phố Bến Tre"),
        ("831", "Huyện Châu Thành"),
        ("832", "Huyện Chợ Lách"),
        ("833", "Huyện Mỏ Cày Nam"),
        ("834", "Huyện Giồng Trôm"),
        ("835", "Huyện Bình Đại"),
        ("836", "Huyện Ba Tri"),
        ("837", "Huyện Thạnh Phú"),
        ("838", "Huyện Mỏ Cày Bắc"),
    ]
    assert unit["successors"] == [
        {"code": "86", "name": "Tỉnh Vĩnh Long", "era": "CURRENT", "validFrom": "2025-07-01"}
    ]


async def test_current_provinces_number_34_and_list_their_predecessors(
    client: AsyncClient, db: Database
) -> None:
    body = await gql(
        client, "{ provinces { code name predecessors { code } } legacy: provinces(era: LEGACY) { code } }"
    )
    current = {p["code"]: p for p in body["data"]["provinces"]}
    assert len(current) == 34
    assert len(body["data"]["legacy"]) == 63
    assert [p["code"] for p in current["86"]["predecessors"]] == [
        "83",
        "84",
        "86",
    ]  # Bến Tre, Trà Vinh and the old Vĩnh Long


async def test_a_2019_commune_maps_to_its_current_commune(client: AsyncClient, db: Database) -> None:
    query = '{ administrativeUnit(level: COMMUNE, code: "29044", era: LEGACY) { name parent { name } successors { name era } } }'
    unit = (await gql(client, query))["data"]["administrativeUnit"]
    assert unit["name"] == "Xã Hưng Nhượng"
    assert unit["parent"] == {"name": "Huyện Giồng Trôm"}
    assert unit["successors"]
    assert all(s["era"] == "CURRENT" for s in unit["successors"])
