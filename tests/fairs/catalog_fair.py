"""A small published fair for catalog tests, built with the ORM and the registry services: five approved
exhibitors from Bến Tre and Đồng Tháp (names starting with B, C, D, Đ and E so that Vietnamese order
shows), one rejected and one waiting application, certificates valid and expired on the opening day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models import (
    ApplicationProduct,
    ApplicationStatus,
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    Fair,
    FairKind,
    FairStatus,
    OfferingKind,
    Producer,
    Product,
    ProductImage,
    ProgrammeSession,
    SessionKind,
    Sponsor,
    TourismOffering,
    UnitEra,
    UnitLevel,
    Zone,
)
from services.registry.admin_units import unit_id
from tests.factories import certify, make_producer, make_product

FAIR_NAME = "Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ"
OPENING = dt.date(2019, 6, 6)
VALID = dt.date(2018, 1, 10)  # decided then, valid until 2021-01-09: valid at the fair
EXPIRED = dt.date(2015, 3, 2)  # valid until 2018-03-01: expired before the fair
VN = dt.timezone(dt.timedelta(hours=7))

# Legacy communes (GSO codes)
HUNG_NHUONG = "29044"  # Giồng Trôm, Bến Tre
THANH_NGAI = "28909"  # Mỏ Cày Bắc, Bến Tre
SON_DINH = "28876"  # Chợ Lách, Bến Tre
PHU_LE = "29146"  # Ba Tri, Bến Tre


@dataclass
class CatalogFair:
    fair: Fair
    exhibitors: dict[str, Producer] = field(default_factory=dict)  # approved, by name
    hidden_exhibitors: dict[str, Producer] = field(default_factory=dict)  # not approved
    products: dict[str, Product] = field(default_factory=dict)  # shown in the catalog, by name
    hidden_products: dict[str, Product] = field(default_factory=dict)  # unpublished or not listed
    stars: dict[str, int | None] = field(default_factory=dict)  # expected stars of shown products
    booths: dict[str, list[str]] = field(default_factory=dict)  # exhibitor -> booth codes
    applications: dict[str, ExhibitorApplication] = field(default_factory=dict)


async def _dong_thap_commune() -> str:
    from models import AdminUnit

    unit = (
        await AdminUnit.filter(
            era=UnitEra.LEGACY,
            level=UnitLevel.COMMUNE,
            province_id=unit_id(UnitEra.LEGACY, UnitLevel.PROVINCE, 87),
        )
        .order_by("code")
        .first()
    )
    assert unit is not None
    return unit.code


async def build_catalog_fair(image_url: str | None = "/media/catalog-test/keo-dua.png") -> CatalogFair:
    fair = await Fair.create(
        slug="ocop-du-lich-2019",
        name=FAIR_NAME,
        name_en="OCOP-Tourism Fair 2019 of the Southwest and Southeast",
        theme="Sản phẩm OCOP – Tiềm năng và Phát triển",
        theme_en="OCOP products: potential and growth",
        kind=FairKind.OCOP_TOURISM,
        venue="Quảng trường Đồng Khởi",
        address="Đường Đồng Khởi, Phường 3, thành phố Bến Tre, tỉnh Bến Tre",  # names the province already
        province_id=unit_id(UnitEra.LEGACY, UnitLevel.PROVINCE, 83),
        starts_on=OPENING,
        ends_on=dt.date(2019, 6, 10),
        opening_hours="8:00 – 22:00 hằng ngày (daily)",  # as organisers write it
        organisers=[{"name": "UBND tỉnh Bến Tre", "role": "Đơn vị tổ chức", "name_en": "Ben Tre PC"}],
        foreword="Quê hương của nhà thơ Nguyễn Đình Chiểu chào đón quý khách.",
        foreword_en="The home of the poet Nguyễn Đình Chiểu welcomes you.",
        practical_info="Gửi xe miễn phí phía bắc quảng trường.",
        practical_info_en="Free parking north of the square.",
        status=FairStatus.PUBLISHED,
    )
    world = CatalogFair(fair)
    food = await Zone.create(fair=fair, code="A", name="Thực phẩm", name_en="Food", product_groups=["1"])
    drinks = await Zone.create(
        fair=fair,
        code="B",
        name="Đồ uống",
        name_en="Beverages",
        product_groups=["2"],
        x_m=20,
        color="#e3eef7",
    )
    booths = {}
    for zone, codes in ((food, ["A01", "A02", "A03", "A04", "A05", "A06"]), (drinks, ["B01", "B02", "B03"])):
        for n, code in enumerate(codes):
            booths[code] = await Booth.create(fair=fair, zone=zone, code=code, x_m=zone.x_m + 3 * n, y_m=5)
    await ProgrammeSession.create(
        fair=fair,
        kind=SessionKind.CEREMONY,
        title="Lễ khai mạc",
        title_en="Opening ceremony",
        starts_at=dt.datetime(2019, 6, 6, 8, 0, tzinfo=VN),
        ends_at=dt.datetime(2019, 6, 6, 9, 30, tzinfo=VN),
        place="Sân khấu chính",
    )
    await ProgrammeSession.create(
        fair=fair,
        kind=SessionKind.SEMINAR,
        title="Hội thảo kết nối cung – cầu sản phẩm OCOP",
        title_en="Seminar: matching OCOP supply and demand",
        starts_at=dt.datetime(2019, 6, 6, 14, 0, tzinfo=VN),
        ends_at=dt.datetime(2019, 6, 6, 16, 30, tzinfo=VN),
        speakers=["ThS. Phan Thị Mỹ Duyên (demo)"],
    )
    await ProgrammeSession.create(
        fair=fair,
        kind=SessionKind.TOUR,
        title="Tham quan làng nghề bánh phồng Sơn Đốc",
        title_en="Tour: the Sơn Đốc puffed rice cake village",
        starts_at=dt.datetime(2019, 6, 7, 7, 30, tzinfo=VN),
        ends_at=dt.datetime(2019, 6, 7, 11, 0, tzinfo=VN),
        speakers=["Hướng dẫn viên: Lê Thị Kim Thoa (demo)"],
    )
    await Sponsor.create(fair=fair, name="Ngân hàng Dừa Xanh (demo)", level="gold")
    dong_thap = await _dong_thap_commune()

    async def exhibitor(
        name: str,
        commune: str,
        kind: str,
        booth_codes: list[str],
        products: list[tuple[str, str, dt.date | None, int]],
        *,
        status: ApplicationStatus = ApplicationStatus.APPROVED,
        description: str | None = None,
        **producer: str,
    ) -> ExhibitorApplication:
        p = await make_producer(name=name, communeCode=commune, kind=kind, **producer)
        application = await ExhibitorApplication.create(
            fair=fair, producer=p, status=status, description=description
        )
        world.applications[name] = application
        (world.exhibitors if status == ApplicationStatus.APPROVED else world.hidden_exhibitors)[name] = p
        world.booths[name] = booth_codes
        for code in booth_codes:
            await BoothAssignment.create(fair=fair, booth=booths[code], application=application)
        for product_name, group, decided, stars in products:
            product = await make_product(p, name=product_name, group=group, subgroup=f"{group}.2")
            if decided is not None:
                await certify(product, stars=stars, decided=decided)
            await ApplicationProduct.create(application=application, product=product)
            if status == ApplicationStatus.APPROVED:
                world.products[product_name] = product
                world.stars[product_name] = stars if decided == VALID else None
            else:
                world.hidden_products[product_name] = product
        return application

    son_doc = await exhibitor(
        "HTX Bánh phồng Sơn Đốc (demo)",
        HUNG_NHUONG,
        "cooperative",
        ["A01", "A02"],
        [("Bánh phồng Sơn Đốc", "1", VALID, 4), ("Bánh phồng tôm Sơn Đốc", "1", EXPIRED, 4)],
        description="Làng nghề bánh phồng Sơn Đốc, di sản văn hóa phi vật thể quốc gia.",
        phone="0275 123 4567",
        email="sondoc@demo.ocop.vn",
        website="https://sondoc.demo.ocop.vn",
        representative="Nguyễn Văn Sơn",
    )
    await exhibitor(
        "Cơ sở Kẹo dừa Thanh Long (demo)",
        THANH_NGAI,
        "household_business",
        ["A03"],
        [("Kẹo dừa sầu riêng lá dứa", "1", VALID, 3)],
        description="Kẹo dừa Mỏ Cày Bắc, làm tay mỗi ngày.",
    )
    await exhibitor(
        "Dừa Xanh Chợ Lách (demo)",
        SON_DINH,
        "cooperative_group",
        ["A04"],
        [("Bưởi da xanh Chợ Lách", "1", None, 0)],
        description="Bưởi da xanh bán tại Thừa Thiên-Huế và Hà Nội.",
    )
    await exhibitor(
        "Đồng Tháp Sen Hồng (demo)",
        dong_thap,
        "enterprise",
        ["B01"],
        [("Trà sen Tháp Mười", "2", VALID, 5)],
    )
    await exhibitor(
        "Em Út Phú Lễ (demo)", PHU_LE, "household_business", ["B02"], [("Rượu Phú Lễ", "2", VALID, 4)]
    )
    await exhibitor(
        "HTX Bị Từ Chối (demo)",
        HUNG_NHUONG,
        "cooperative",
        [],
        [("Nước mắm Bị Từ Chối", "1", VALID, 3)],
        status=ApplicationStatus.REJECTED,
    )
    await exhibitor(
        "Cơ sở Chờ Duyệt (demo)", PHU_LE, "household_business", [], [], status=ApplicationStatus.SUBMITTED
    )
    # A published product of an exhibitor that it did not list, and a listed one that is not published.
    son_doc_producer = world.exhibitors["HTX Bánh phồng Sơn Đốc (demo)"]
    world.hidden_products["Bánh tráng Mỹ Lồng"] = await make_product(
        son_doc_producer, name="Bánh tráng Mỹ Lồng"
    )
    unpublished = await make_product(son_doc_producer, name="Bánh phồng nội bộ", isPublished=False)
    await ApplicationProduct.create(application=son_doc, product=unpublished)
    world.hidden_products["Bánh phồng nội bộ"] = unpublished
    if image_url is not None:
        await ProductImage.create(product=world.products["Kẹo dừa sầu riêng lá dứa"], url=image_url)
    await TourismOffering.create(
        fair=fair,
        kind=OfferingKind.COMMUNITY_TOURISM,
        name="Điểm du lịch Cồn Phụng",
        name_en="Cồn Phụng islet",
        description="Du lịch sinh thái trên cồn, xem làm kẹo dừa.",
        contact="0275 000 0000",
    )
    return world
