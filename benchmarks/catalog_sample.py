"""A large fair catalog built directly as `CatalogData` (no database): 350 booths, about 300 exhibitors
from Southwest and Southeast provinces and 1,000 products with Vietnamese names, descriptions, stars
(some expired, so shown without), and a photo for a third of them. Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

from models import Booth, Zone
from services.fairs.catalog.data import (
    BoothInfo,
    CatalogData,
    Exhibitor,
    FairInfo,
    FloorInfo,
    Offering,
    Organiser,
    ProductEntry,
    Session,
    SponsorInfo,
    Text,
    ZoneInfo,
)
from services.fairs.catalog.sorting import sort_vietnamese
from services.trace.identity import product_code

PROVINCES = [
    (
        "Tỉnh Bến Tre",
        "Bến Tre",
        ["Giồng Trôm", "Mỏ Cày Bắc", "Mỏ Cày Nam", "Chợ Lách", "Ba Tri", "Thạnh Phú"],
    ),
    ("Tỉnh Đồng Tháp", "Đồng Tháp", ["Cao Lãnh", "Sa Đéc", "Lai Vung", "Tháp Mười"]),
    ("Tỉnh Tiền Giang", "Tiền Giang", ["Cái Bè", "Chợ Gạo", "Gò Công Đông"]),
    ("Tỉnh Vĩnh Long", "Vĩnh Long", ["Bình Minh", "Trà Ôn", "Long Hồ"]),
    ("Tỉnh An Giang", "An Giang", ["Châu Đốc", "Tịnh Biên", "Chợ Mới"]),
    ("Thành phố Cần Thơ", "Cần Thơ", ["Phong Điền", "Cờ Đỏ", "Ninh Kiều"]),
    ("Tỉnh Sóc Trăng", "Sóc Trăng", ["Mỹ Xuyên", "Vĩnh Châu"]),
    ("Tỉnh Đồng Nai", "Đồng Nai", ["Long Khánh", "Xuân Lộc"]),
    ("Tỉnh Bình Dương", "Bình Dương", ["Thủ Dầu Một", "Bến Cát"]),
    ("Tỉnh Tây Ninh", "Tây Ninh", ["Trảng Bàng", "Hòa Thành"]),
    ("Tỉnh Lâm Đồng", "Lâm Đồng", ["Đà Lạt", "Bảo Lộc"]),
    ("Tỉnh Quảng Nam", "Quảng Nam", ["Nam Trà My", "Hội An"]),
    ("Tỉnh Thừa Thiên Huế", "Thừa Thiên-Huế", ["Hương Trà", "Phú Vang"]),
]
KINDS = ["cooperative", "enterprise", "household_business", "cooperative_group"]
PREFIX = {
    "cooperative": "HTX",
    "enterprise": "Công ty TNHH",
    "household_business": "Cơ sở",
    "cooperative_group": "Tổ hợp tác",
}
WORDS = [
    "Dừa Xanh", "Sơn Đốc", "Ánh Dương", "Đồng Quê", "Phú Lễ", "Mỹ Lồng", "Cái Mơn", "Hưng Nhượng",
    "Ấp Bắc", "Ông Hai", "Bà Ba", "Ơn Quê", "Ưu Việt", "Ê Đê", "Ân Phú", "Ăn Ngon", "Đất Mũi", "Duyên Hải",
    "Tân Thạch", "Cồn Phụng", "Tam Hiệp", "Giồng Luông", "Thanh Long", "Sen Hồng", "Trà Xanh", "Gạo Thơm",
]  # fmt: skip
PRODUCTS = [
    ("1", "Thực phẩm", "Food", "Kẹo dừa sầu riêng lá dứa"),
    ("1", "Thực phẩm", "Food", "Bánh phồng Sơn Đốc"),
    ("1", "Thực phẩm", "Food", "Bưởi da xanh Chợ Lách"),
    ("1", "Thực phẩm", "Food", "Bánh tráng Mỹ Lồng"),
    ("1", "Thực phẩm", "Food", "Nước màu dừa"),
    ("1", "Thực phẩm", "Food", "Tép rang dừa"),
    ("1", "Thực phẩm", "Food", "Nhãn sấy"),
    ("2", "Đồ uống", "Beverages", "Rượu Phú Lễ"),
    ("2", "Đồ uống", "Beverages", "Trà sen"),
    ("3", "Dược liệu và sản phẩm từ dược liệu", "Medicinal herbs and herbal products", "Mặt nạ nước dừa"),
    ("4", "Hàng thủ công mỹ nghệ", "Handicrafts", "Chổi Mỹ An"),
    ("4", "Hàng thủ công mỹ nghệ", "Handicrafts", "Bộ ấm gáo dừa"),
    ("5", "Sinh vật cảnh", "Ornamentals", "Hoa kiểng Cái Mơn"),
]
DESCRIPTION = (
    "Sản phẩm được làm thủ công theo công thức truyền thống của làng nghề, nguyên liệu tươi từ vườn dừa "
    "địa phương, không chất bảo quản, đóng gói hút chân không và có mã truy xuất nguồn gốc trên từng lô."
)
DESCRIPTION_EN = (
    "Made by hand to the craft village's traditional recipe from fresh local coconuts, without "
    "preservatives, vacuum packed, with a traceability code on every lot."
)


def _photos(media: Path, count: int, rng: random.Random) -> list[str]:
    from PIL import Image

    media.mkdir(parents=True, exist_ok=True)
    urls = []
    for i in range(count):
        img = Image.new("RGB", (480, 360), (rng.randrange(90, 230), rng.randrange(120, 230), 90))
        for _ in range(30):
            x, y = rng.randrange(480), rng.randrange(360)
            img.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), (x, y, x + 40, y + 30))
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=80)
        (media / f"sample-{i}.jpg").write_bytes(out.getvalue())
        urls.append(f"/media/sample-{i}.jpg")
    return urls


def sample_catalog(
    *,
    booths: int = 350,
    products: int = 1000,
    language: str = "vi",
    paper: str = "A4",
    media: Path | None = None,
    seed: int = 2019,
) -> CatalogData:
    """A fair of `booths` booths and `products` products. With `media`, a third of the products get one
    of 20 JPEG photos written there (that folder must be the fetcher's media folder)."""
    rng = random.Random(seed)
    photos = _photos(media, 20, rng) if media is not None else []
    base = "https://ocop.example.vn"
    first_day = dt.date(2019, 6, 6)
    zone_names = [
        ("A", "Thực phẩm", "Food", "#f3ead2"),
        ("B", "Đồ uống", "Beverages", "#e3eef7"),
        ("C", "Dược liệu và mỹ phẩm", "Herbal and cosmetics", "#efe3f1"),
        ("D", "Thủ công mỹ nghệ", "Handicrafts", "#f5e2d8"),
        ("E", "Sinh vật cảnh", "Ornamentals", "#e2f1de"),
        ("F", "Du lịch", "Tourism", "#dff0ee"),
    ]
    zones = tuple(
        ZoneInfo(code, Text(vi, en), color, (str(i + 1),))
        for i, (code, vi, en, color) in enumerate(zone_names)
    )
    zone_models = [
        Zone(
            id=i + 1,
            code=z.code,
            name=z.name.vi,
            name_en=z.name.en,
            color=z.color,
            product_groups=list(z.product_groups),
            x_m=(i % 3) * 33.0 + 1,
            y_m=(i // 3) * 30.0 + 1,
            width_m=31.0,
            depth_m=28.0,
        )
        for i, z in enumerate(zones)
    ]
    zones = tuple(
        ZoneInfo(z.code, z.name, z.color, z.product_groups, m.x_m, m.y_m, m.width_m, m.depth_m)
        for z, m in zip(zones, zone_models, strict=True)
    )
    booth_models = []
    per_zone = -(-booths // len(zones))
    for n in range(booths):
        zone = zone_models[n // per_zone]
        k = n % per_zone
        booth_models.append(
            Booth(
                id=n + 1,
                code=f"{zone.code}{k + 1:02d}",
                zone_id=zone.id,
                x_m=zone.x_m + 1 + (k % 9) * 3.2,
                y_m=zone.y_m + 3 + (k // 9) * 3.2,
                width_m=3.0,
                depth_m=3.0,
                booth_type="standard",
            )
        )
    # About 300 exhibitors: most with one booth, some with two; products spread 1 to 6 each.
    exhibitor_count = max(1, round(booths * 0.86))
    counts = [1] * exhibitor_count
    for _ in range(products - exhibitor_count):
        counts[rng.randrange(exhibitor_count)] += 1
    booth_codes = [b.code for b in booth_models]
    booth_names: dict[int, str] = {}
    exhibitors = []
    product_id = 1000
    booth_index = 0
    for i in range(exhibitor_count):
        province, province_sort, districts = PROVINCES[i % len(PROVINCES)]
        kind = KINDS[i % len(KINDS)]
        name = f"{PREFIX[kind]} {rng.choice(WORDS)} {rng.choice(districts)} {i + 1} (demo)"
        taken = 2 if booth_index + exhibitor_count - i < booths and i % 7 == 0 else 1
        own = tuple(booth_codes[booth_index : booth_index + taken])
        for n in range(booth_index, booth_index + len(own)):
            booth_names[n + 1] = name
        booth_index += len(own)
        entries = []
        for _ in range(counts[i]):
            product_id += 1
            group_code, group_vi, group_en, product_name = rng.choice(PRODUCTS)
            code = product_code(product_id)
            valid = rng.random() < 0.7
            star_count = rng.choice((3, 3, 3, 4, 4, 5)) if valid else None
            entries.append(
                ProductEntry(
                    id=product_id,
                    anchor=f"p-{product_id}",
                    code=code,
                    name=Text(f"{product_name} {rng.choice(WORDS)}", f"{product_name} (EN)"),
                    group_code=group_code,
                    group=Text(group_vi, group_en),
                    stars=star_count,
                    certificate_number=f"{product_id}/QĐ-UBND" if valid else None,
                    certificate_valid_until=dt.date(2021, 6, 19) if valid else None,
                    description=Text(DESCRIPTION, DESCRIPTION_EN),
                    image_url=photos[product_id % len(photos)] if photos and product_id % 3 == 0 else None,
                    link=f"{base}/products/{code}",
                )
            )
        exhibitors.append(
            Exhibitor(
                id=i + 1,
                anchor=f"e-{i + 1}",
                name=Text(name),
                kind=kind,
                address=f"Ấp {i % 9 + 1}, Xã Hưng Nhượng, Huyện {rng.choice(districts)}, {province}",
                province=province,
                province_sort=province_sort,
                website=f"https://demo-{i + 1}.example.vn" if i % 3 == 0 else None,
                logo_url=None,
                booths=own,
                description=Text(
                    "Đơn vị sản xuất các sản phẩm đặc sản địa phương đạt chuẩn OCOP, liên kết với nông dân"
                    " trồng dừa và làng nghề truyền thống.",
                    "A producer of certified OCOP specialties working with coconut farmers and craft villages.",
                ),
                products=tuple(sort_vietnamese(entries, key=lambda p: p.name.vi)),
            )
        )
    sessions = tuple(
        Session(
            kind=kind,
            title=Text(title, title_en),
            day=first_day + dt.timedelta(days=day),
            starts=start,
            ends=end,
            place="Hội trường A",
            speakers=("Nguyễn Văn An", "Trần Thị Bình"),
            description=None,
        )
        for day, kind, start, end, title, title_en in [
            (0, "ceremony", "08:00", "09:30", "Lễ khai mạc", "Opening ceremony"),
            (0, "seminar", "14:00", "16:30", "Hội thảo kết nối cung cầu", "Supply-demand matching seminar"),
            (1, "seminar", "08:30", "11:00", "Xây dựng thương hiệu OCOP", "Building OCOP brands"),
            (2, "tour", "07:30", "12:00", "Tham quan làng nghề bánh phồng Sơn Đốc", "Tour of Sơn Đốc"),
            (4, "ceremony", "16:00", "17:00", "Lễ bế mạc", "Closing ceremony"),
        ]
    )
    fair = FairInfo(
        id=1,
        slug="ocop-du-lich-2019",
        name=Text(
            "Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ",
            "OCOP-Tourism Fair 2019 of the Southwest and Southeast regions",
        ),
        theme=Text("Sản phẩm OCOP – Tiềm năng và Phát triển", "OCOP products: potential and growth"),
        starts_on=first_day,
        ends_on=dt.date(2019, 6, 10),
        opening_hours="8:00 – 22:00",
        venue="Quảng trường Đồng Khởi",
        address="Đường Đồng Khởi, Phường 3",
        province="Tỉnh Bến Tre",
        organisers=(
            Organiser(Text("UBND tỉnh Bến Tre", "Ben Tre People's Committee"), Text("Đơn vị tổ chức")),
            Organiser(Text("Sở Công Thương tỉnh Bến Tre"), None),
        ),
        foreword=Text(
            "Hội chợ là dịp giới thiệu sản phẩm OCOP của các tỉnh vùng Tây Nam Bộ và Đông Nam Bộ.\n\n"
            "Ban tổ chức trân trọng cảm ơn các đơn vị tham gia.",
            "The fair presents OCOP products of the Southwest and Southeast provinces.",
        ),
        practical_info=Text(
            "Gửi xe miễn phí tại bãi xe phía bắc quảng trường.", "Free parking north of the square."
        ),
    )
    return CatalogData(
        language=language,  # type: ignore[arg-type]
        paper=paper,  # type: ignore[arg-type]
        base_url=base,
        edition_date=dt.date(2019, 6, 1),
        fair=fair,
        sessions=sessions,
        zones=zones,
        floor=FloorInfo(  # the models are not saved (no database): the zone is the code's letter
            100.0,
            60.0,
            tuple(
                BoothInfo(
                    b.code, b.code[0], "standard", b.x_m, b.y_m, b.width_m, b.depth_m, booth_names.get(b.id)
                )
                for b in booth_models
            ),
        ),
        exhibitors=tuple(sort_vietnamese(exhibitors, key=lambda x: x.name.vi)),
        offerings=(
            Offering(
                "community_tourism",
                Text("Điểm du lịch Cồn Phụng", "Cồn Phụng islet"),
                "Xã Tân Thạch, Huyện Châu Thành, Tỉnh Bến Tre",
                None,
                Text("Du lịch sinh thái trên cồn, làng nghề kẹo dừa."),
                "0275 000 0000",
                None,
                f"{base}/products/{product_code(999)}",
            ),
            Offering(
                "homestay",
                Text("Homestay cù lao Tam Hiệp"),
                "Huyện Bình Đại, Tỉnh Bến Tre",
                None,
                Text("Nghỉ tại nhà vườn, thưởng thức nhãn, tắc."),
                None,
                None,
                None,
            ),
        ),
        sponsors=(
            SponsorInfo("Ngân hàng Nông nghiệp (demo)", "gold", None, "https://agri.example.vn"),
            SponsorInfo("Công ty Dừa Việt (demo)", "partner", None, None),
        ),
    )
