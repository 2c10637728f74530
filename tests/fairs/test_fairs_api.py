"""The fairs API: an organiser sets up its fair, a producer applies, booths are assigned and the public
reads the published fair; drafts and exhibitors stay hidden until their time."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from strawberry.relay import to_base64

from models import (
    ApplicationProduct,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    Fair,
    FairStatus,
    Producer,
    Product,
    ProductGroup,
    Role,
    UnitEra,
    Zone,
)
from services.common.text import fold
from services.registry.manage import find_commune
from tests.conftest import Database, SQLCounter, gql
from tests.factories import HUNG_NHUONG, make_producer, make_product, token_for
from tests.fairs.factories import DEMO_FAIR, booth_row, make_exhibitor, make_fair, make_layout, zone

CREATE = """
mutation($input: FairCreateInput!) { createFair(input: $input) {
  fair { id slug name status viewerCanManage province { code } organisers { name role } } errors { field code message } } }
"""
STATUS = "mutation($id: ID!, $s: FairStatus!) { updateFairStatus(input: {fairId: $id, status: $s}) { fair { status } errors { field code } } }"
IMPORT = """
mutation($input: LayoutImportInput!) { importZonesAndBooths(input: $input) {
  zonesCreated boothsCreated errors { field code message } } }
"""
APPLY = """
mutation($input: ApplicationInput!) { applyToFair(input: $input) {
  application { id status products { name } } errors { field code } } }
"""
DECIDE = """
mutation($id: ID!, $d: ApplicationDecision!) { decideApplication(input: {applicationId: $id, decision: $d}) {
  application { status } errors { field code } } }
"""
AUTO = """
mutation($id: ID!) { autoAssignBooths(input: {fairId: $id}) {
  report { placed { booth { code } exhibitor { producer { name } } } conflicts { kind message } } errors { code } } }
"""
READ = """
query($slug: String!) { fair(slug: $slug) {
  name status zones { code name productGroups }
  booths { code boothType zone { code } assignment { manual exhibitor { producer { name } products { name } } } }
  exhibitors { producer { name } booths { code } }
  applications { status producer { name } }
  floorPlanSvg
} }
"""


def gid(kind: str, pk: int) -> str:
    return to_base64(kind, pk)


def fair_input(**overrides: Any) -> dict[str, Any]:
    values = {
        "slug": DEMO_FAIR,
        "name": "Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ",
        "nameEn": "OCOP - Tourism Fair 2019",
        "theme": "Sản phẩm OCOP – Tiềm năng và Phát triển",
        "kind": "OCOP_TOURISM",
        "regions": ["Tây Nam Bộ", "Đông Nam Bộ"],
        "venue": "Quảng trường Đồng Khởi",
        "address": "Đường Đồng Khởi, TP Bến Tre",
        "provinceCode": "83",
        "provinceEra": "LEGACY",
        "startsOn": "2019-06-06",
        "endsOn": "2019-06-10",
        "openingHours": "8:00 – 22:00",
        "organisers": [{"name": "UBND tỉnh Bến Tre", "role": "Đơn vị chủ trì"}],
        "foreword": "Hội chợ giới thiệu sản phẩm OCOP của các tỉnh Tây Nam Bộ và Đông Nam Bộ.",
        "practicalInfo": "Vào cửa tự do.",
    }
    return {**values, **overrides}


async def test_an_organiser_runs_its_fair_from_draft_to_published(client: AsyncClient, db: Database) -> None:
    organiser = await token_for(Role.FAIR_ORGANISER, fair_scope=DEMO_FAIR)
    created = (await gql(client, CREATE, {"input": fair_input()}, token=organiser))["data"]["createFair"]
    assert created["errors"] == []
    fair = created["fair"]
    assert (fair["status"], fair["viewerCanManage"], fair["province"]) == ("DRAFT", True, {"code": "83"})
    assert fair["organisers"] == [{"name": "UBND tỉnh Bến Tre", "role": "Đơn vị chủ trì"}]
    assert (await gql(client, READ, {"slug": DEMO_FAIR}))["data"]["fair"] is None  # a draft: not public

    layout = {
        "fairId": fair["id"],
        "zones": [
            {
                "code": "A",
                "name": "Khu ẩm thực",
                "nameEn": "Food",
                "productGroups": ["1"],
                "widthM": 30,
                "depthM": 12,
            },
            {
                "code": "B",
                "name": "Khu đồ uống",
                "productGroups": ["2"],
                "xM": 40,
                "widthM": 30,
                "depthM": 12,
            },
        ],
        "booths": [
            {"code": "A01", "zoneCode": "A", "boothType": "CORNER", "priceVnd": 6000000},
            {"code": "A02", "zoneCode": "A", "xM": 3, "priceVnd": 4500000},
            {"code": "B01", "zoneCode": "B", "xM": 40},
        ],
    }
    imported = (await gql(client, IMPORT, {"input": layout}, token=organiser))["data"]["importZonesAndBooths"]
    assert imported == {"zonesCreated": 2, "boothsCreated": 3, "errors": []}
    moved = await gql(client, STATUS, {"id": fair["id"], "s": "ACCEPTING"}, token=organiser)
    assert moved["data"]["updateFairStatus"] == {"fair": {"status": "ACCEPTING"}, "errors": []}

    producer = await make_producer(name="HTX Dừa Xanh Giồng Trôm (demo)")
    candy = await make_product(producer, name="Kẹo dừa sầu riêng lá dứa")
    member = await token_for(Role.PRODUCER_MEMBER, producer_id=producer.id)
    applied = await gql(
        client,
        APPLY,
        {"input": {"fairId": fair["id"], "producerId": gid("Producer", producer.id),
                   "productIds": [gid("Product", candy.id)], "wantedBoothType": "CORNER",
                   "description": "Kẹo dừa Bến Tre"}},
        token=member,
    )  # fmt: skip
    application = applied["data"]["applyToFair"]["application"]
    assert application["status"] == "SUBMITTED"
    assert application["products"] == [{"name": "Kẹo dừa sầu riêng lá dứa"}]
    assert (await gql(client, DECIDE, {"id": application["id"], "d": "APPROVE"}, token=member))["data"][
        "decideApplication"
    ]["errors"] == [{"field": "applicationId", "code": "FORBIDDEN"}]
    decided = await gql(client, DECIDE, {"id": application["id"], "d": "APPROVE"}, token=organiser)
    assert decided["data"]["decideApplication"] == {"application": {"status": "APPROVED"}, "errors": []}
    report = (await gql(client, AUTO, {"id": fair["id"]}, token=organiser))["data"]["autoAssignBooths"]
    assert report["report"] == {
        "placed": [
            {"booth": {"code": "A01"}, "exhibitor": {"producer": {"name": "HTX Dừa Xanh Giồng Trôm (demo)"}}}
        ],
        "conflicts": [],
    }

    # Accepting applications: the fair is public, its exhibitors not yet.
    public = (await gql(client, READ, {"slug": DEMO_FAIR}))["data"]["fair"]
    assert public["status"] == "ACCEPTING"
    assert public["exhibitors"] == []
    assert public["applications"] == []
    assert all(b["assignment"] is None for b in public["booths"])
    assert "Dừa Xanh" not in public["floorPlanSvg"]
    own = (await gql(client, READ, {"slug": DEMO_FAIR}, token=member))["data"]["fair"]
    assert own["applications"] == [
        {"status": "APPROVED", "producer": {"name": "HTX Dừa Xanh Giồng Trôm (demo)"}}
    ]

    assert (await gql(client, STATUS, {"id": fair["id"], "s": "PUBLISHED"}, token=organiser))["data"][
        "updateFairStatus"
    ]["errors"] == []
    published = (await gql(client, READ, {"slug": DEMO_FAIR}))["data"]["fair"]
    assert published["exhibitors"] == [
        {"producer": {"name": "HTX Dừa Xanh Giồng Trôm (demo)"}, "booths": [{"code": "A01"}]}
    ]
    a01 = next(b for b in published["booths"] if b["code"] == "A01")
    assert a01 == {
        "code": "A01",
        "boothType": "CORNER",
        "zone": {"code": "A"},
        "assignment": {
            "manual": False,
            "exhibitor": {
                "producer": {"name": "HTX Dừa Xanh Giồng Trôm (demo)"},
                "products": [{"name": "Kẹo dừa sầu riêng lá dứa"}],
            },
        },
    }
    assert "A01" in published["floorPlanSvg"]
    assert "Dừa Xanh" in published["floorPlanSvg"]
    assert published["applications"] == []  # applications stay private; exhibitors are public


async def test_the_public_does_not_see_drafts(client: AsyncClient, db: Database) -> None:
    draft = await make_fair(DEMO_FAIR, FairStatus.DRAFT)
    await make_fair("hoi-cho-nong-nghiep-dbscl-2019", FairStatus.PUBLISHED)
    await make_fair("hoi-cho-ocop-2018", FairStatus.CLOSED)
    listing = "{ fairs { totalCount edges { node { slug } } } }"
    public = (await gql(client, listing))["data"]["fairs"]
    assert public["totalCount"] == 2
    assert DEMO_FAIR not in {e["node"]["slug"] for e in public["edges"]}
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await gql(client, node, {"id": gid("Fair", draft.id)}))["data"]["node"] is None
    other = await token_for(Role.FAIR_ORGANISER, fair_scope="hoi-cho-khac-2019")
    assert (await gql(client, READ, {"slug": DEMO_FAIR}, token=other))["data"]["fair"] is None

    organiser = await token_for(Role.FAIR_ORGANISER, fair_scope=DEMO_FAIR)
    own = (await gql(client, listing, token=organiser))["data"]["fairs"]
    assert own["totalCount"] == 3
    assert (await gql(client, node, {"id": gid("Fair", draft.id)}, token=organiser))["data"][
        "node"
    ] is not None
    filtered = '{ fairs(filter: {status: CLOSED, provinceCode: "83"}) { edges { node { slug } } } }'
    assert (await gql(client, filtered))["data"]["fairs"]["edges"] == [
        {"node": {"slug": "hoi-cho-ocop-2018"}}
    ]


async def test_the_organiser_of_another_fair_changes_nothing(client: AsyncClient, db: Database) -> None:
    fair = await make_fair()
    booths = await make_layout(fair, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 2))
    submitted = await make_exhibitor(fair, status=ApplicationStatus.SUBMITTED)
    approved = await make_exhibitor(fair)
    other = await token_for(Role.FAIR_ORGANISER, fair_scope="hoi-cho-khac-2019")
    fair_id = gid("Fair", fair.id)
    attempts: list[tuple[str, dict[str, Any], str]] = [
        (STATUS, {"id": fair_id, "s": "PUBLISHED"}, "updateFairStatus"),
        (IMPORT, {"input": {"fairId": fair_id, "booths": [{"code": "A03", "zoneCode": "A", "xM": 6}]}},
         "importZonesAndBooths"),
        (DECIDE, {"id": gid("ExhibitorApplication", submitted.id), "d": "REJECT"}, "decideApplication"),
        ("mutation($b: ID!, $a: ID!) { assignBooth(input: {boothId: $b, applicationId: $a}) { errors { code } } }",
         {"b": gid("Booth", booths["A01"].id), "a": gid("ExhibitorApplication", approved.id)}, "assignBooth"),
        (AUTO, {"id": fair_id}, "autoAssignBooths"),
        ('mutation($id: ID!) { createSponsor(input: {fairId: $id, name: "Ngân hàng (demo)"}) { errors { code } } }',
         {"id": fair_id}, "createSponsor"),
    ]  # fmt: skip
    for document, variables, name in attempts:
        body = await gql(client, document, variables, token=other)
        assert [e["code"] for e in body["data"][name]["errors"]] == ["FORBIDDEN"], name
    assert (await Fair.get(id=fair.id)).status == FairStatus.ACCEPTING
    assert await Booth.filter(fair_id=fair.id).count() == 2
    assert (await ExhibitorApplication.get(id=submitted.id)).status == ApplicationStatus.SUBMITTED
    assert not await BoothAssignment.exists()


async def test_a_bad_import_row_is_named_in_the_callers_language(client: AsyncClient, db: Database) -> None:
    fair = await make_fair()
    organiser = await token_for(Role.FAIR_ORGANISER, fair_scope=DEMO_FAIR)
    rows = {"fairId": gid("Fair", fair.id), "zones": [{"code": "A", "name": "Khu ẩm thực", "productGroups": ["1"]}],
            "booths": [{"code": "A01", "zoneCode": "A"}, {"code": "A02", "zoneCode": "A", "xM": 3},
                       {"code": "A03", "zoneCode": "Z", "xM": 6}]}  # fmt: skip
    for lang, message in (("vi", "Gian dòng 3: không có khu Z."), ("en", "Booth row 3: no zone Z.")):
        body = await gql(client, IMPORT, {"input": rows}, token=organiser, lang=lang)
        assert body["data"]["importZonesAndBooths"]["errors"] == [
            {"field": "booths.2.zoneCode", "code": "NOT_FOUND", "message": message}
        ]
    assert not await Zone.exists(fair_id=fair.id)
    assert not await Booth.exists(fair_id=fair.id)


async def _crowded_fair(booth_count: int) -> Fair:
    """A published fair whose booths each hold an exhibitor showing two products, written in bulk."""
    fair = await make_fair(status=FairStatus.PUBLISHED)
    zone_row = await Zone.create(fair_id=fair.id, code="A", name="Khu ẩm thực", product_groups=["1"],
                                 width_m=100, depth_m=60)  # fmt: skip
    commune = await find_commune(HUNG_NHUONG, UnitEra.LEGACY)
    assert commune is not None
    group = await ProductGroup.get(criteria_set="148", code="1")
    await Producer.bulk_create(
        [
            Producer(name=f"HTX Gian {n} (demo)", name_folded=fold(f"HTX Gian {n} (demo)"), kind="cooperative",
                     address_line="Ấp 1", commune_id=commune.id, province_id=commune.province_id)
            for n in range(booth_count)
        ]
    )  # fmt: skip
    producers = await Producer.filter(name__startswith="HTX Gian ").order_by("id")
    await Product.bulk_create(
        [
            Product(producer_id=p.id, name=f"Kẹo dừa {k}", name_folded=f"keo dua {k}", criteria_set="148",
                    group_id=group.id)
            for p in producers for k in range(2)
        ]
    )  # fmt: skip
    await Booth.bulk_create(
        [Booth(fair_id=fair.id, zone_id=zone_row.id, code=f"A{n:02d}", x_m=3 * (n % 30), y_m=3 * (n // 30) * 2)
         for n in range(booth_count)]
    )  # fmt: skip
    await ExhibitorApplication.bulk_create(
        [
            ExhibitorApplication(fair_id=fair.id, producer_id=p.id, status=ApplicationStatus.APPROVED)
            for p in producers
        ]
    )
    applications = await ExhibitorApplication.filter(fair_id=fair.id).order_by("id")
    products = await Product.filter(producer_id__in=[p.id for p in producers]).order_by("id")
    by_producer = {a.producer_id: a.id for a in applications}
    await ApplicationProduct.bulk_create(
        [ApplicationProduct(application_id=by_producer[p.producer_id], product_id=p.id) for p in products]
    )
    booths = await Booth.filter(fair_id=fair.id).order_by("code")
    await BoothAssignment.bulk_create(
        [
            BoothAssignment(fair_id=fair.id, booth_id=b.id, application_id=a.id)
            for b, a in zip(booths, applications, strict=True)
        ]
    )
    return fair


async def test_listing_booths_with_exhibitors_costs_a_fixed_number_of_queries(
    client: AsyncClient, db: Database, sql_counter: SQLCounter
) -> None:
    query = """
    query($slug: String!) { fair(slug: $slug) { booths { code zone { code }
      assignment { exhibitor { producer { name province { name } } products { name stars group { code } } } } } } }
    """
    counts = []
    for size in (2, 50):
        fair = await _crowded_fair(size)
        await gql(client, query, {"slug": fair.slug})  # warms the process caches of reference data
        sql_counter.statements.clear()
        body = await gql(client, query, {"slug": fair.slug})
        booths = body["data"]["fair"]["booths"]
        assert len(booths) == size
        assert all(len(b["assignment"]["exhibitor"]["products"]) == 2 for b in booths)
        counts.append(len(sql_counter.statements))
        await Fair.filter(id=fair.id).delete()
        await Product.filter(name__startswith="Kẹo dừa ").delete()
        await Producer.filter(name__startswith="HTX Gian ").delete()
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, sql_counter.statements


async def test_zones_and_booths_by_node_id_are_seen_only_where_their_fair_is(
    client: AsyncClient, db: Database
) -> None:
    fair = await make_fair(DEMO_FAIR, FairStatus.DRAFT)
    booths = await make_layout(fair, [zone("A", "Khu ẩm thực", ["1"], 0, 0)], booth_row("A", 1))
    ids = [gid("Zone", (await Zone.get(fair_id=fair.id)).id), gid("Booth", booths["A01"].id)]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Zone { code } ... on Booth { code } } }"
    assert (await gql(client, query, {"ids": ids}))["data"]["nodes"] == [None, None]  # a draft is hidden
    organiser = await token_for(Role.FAIR_ORGANISER, fair_scope=DEMO_FAIR)
    seen = (await gql(client, query, {"ids": ids}, token=organiser))["data"]["nodes"]
    assert seen == [{"code": "A"}, {"code": "A01"}]
