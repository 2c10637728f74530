"""Demo data: the 2019 OCOP-Tourism fair of the Southwest and Southeast regions, in Bến Tre city.

Illustrative only, like ``services.demo_data``: the fair is the one the 2019 pilot plan announced (see
``../shared/domain/demo-data.md``), dated 6-10 June 2019 on Quảng trường Đồng Khởi; provinces, districts,
communes (legacy, pre-2025 GSO codes of ``vietnam_provinces.legacy``), craft villages, tourism sites and
product types are real; every producer, person, hamlet or street line, score, decision number and sponsor is
invented, and every producer and sponsor name ends with " (demo)". Strings are NFC.

Stars at the fair: a catalog shows a product's stars only while its certificate is valid on the fair's
first day (36 months from the decision). The producers of ``services.demo_data`` were first certified from
December 2019, so their products exhibit without stars; the new exhibitors' products mostly carry
provincial 3-4★ decisions of 2017-2019, recorded under the QĐ 1048 criteria set (the nearest the registry
knows: provinces rated on their own pilot sets before it), a few Quảng Ninh certificates of 2015-2016 had
expired by June 2019, and one An Giang product scored 91 in April 2019 (potential 5★).
"""

from __future__ import annotations

from typing import Any

SLUG = "hoi-cho-ocop-du-lich-2019"

FAIR: dict[str, Any] = {
    "slug": SLUG,
    "name": "Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ",
    "name_en": "OCOP-Tourism Fair 2019 of the Southwest and Southeast regions",
    "theme": "Sản phẩm OCOP – Tiềm năng và Phát triển",
    "theme_en": "OCOP products – Potential and Development",
    "kind": "ocop_tourism",
    "regions": ["Tây Nam Bộ", "Đông Nam Bộ"],
    "venue": "Quảng trường Đồng Khởi",
    "address": "Đại lộ Đồng Khởi, thành phố Bến Tre, tỉnh Bến Tre",
    "province_code": "83",  # Bến Tre, legacy unit
    "starts_on": "2019-06-06",
    "ends_on": "2019-06-10",
    "opening_hours": "08:00 – 22:00 hằng ngày (daily)",
    "organisers": [
        {
            "name": "Ủy ban nhân dân tỉnh Bến Tre",
            "name_en": "Bến Tre Provincial People's Committee",
            "role": "Đơn vị chủ trì",
            "role_en": "Host",
        },
        {
            "name": "Ban Tổ chức Hội chợ OCOP - Du lịch 2019 (demo)",
            "name_en": "Organising Committee of the OCOP-Tourism Fair 2019 (demo)",
            "role": "Đơn vị thực hiện",
            "role_en": "Organising agency",
        },
        {
            "name": "Tổ Điều phối Chương trình OCOP tỉnh Bến Tre (demo)",
            "name_en": "Bến Tre OCOP Programme Coordination Team (demo)",
            "role": "Đơn vị phối hợp",
            "role_en": "Co-organiser",
        },
    ],
    "foreword": (
        "Năm 2019, Bến Tre là một trong 12 tỉnh chỉ đạo điểm Chương trình Mỗi xã một sản phẩm (OCOP). "
        "Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ là nơi các chủ thể OCOP của hai vùng gặp "
        "nhà phân phối, doanh nghiệp du lịch và người tiêu dùng: thực phẩm, đồ uống, dược liệu, hàng thủ công "
        "mỹ nghệ, sinh vật cảnh và các mô hình du lịch cộng đồng gắn với làng nghề, lễ hội truyền thống. "
        "Ban tổ chức cảm ơn các tỉnh khách mời trong nhóm chỉ đạo điểm đã mang đặc sản của mình về xứ dừa."
    ),
    "foreword_en": (
        "In 2019 Bến Tre is one of the 12 pilot provinces of the One Commune One Product (OCOP) programme. "
        "The OCOP-Tourism Fair 2019 of the Southwest and Southeast regions brings the OCOP producers of both "
        "regions together with distributors, tour operators and consumers: food, beverages, herbal products, "
        "handicrafts, ornamental plants and community-tourism models built around craft villages and "
        "traditional festivals. The organisers thank the guest pilot provinces for bringing their "
        "specialties to the land of coconuts."
    ),
    "practical_info": (
        "Địa điểm: Quảng trường Đồng Khởi, thành phố Bến Tre. Mở cửa 08:00 – 22:00 từ ngày 06 đến ngày "
        "10/6/2019, vào cửa miễn phí. Gửi xe máy và ô tô tại bãi xe phía sau khu D. Quầy thông tin ở cổng "
        "chính: đăng ký tham quan làng nghề, nhận sơ đồ gian hàng. Liên hệ ban tổ chức: "
        "hoicho-ocop-2019@example.vn. Dữ liệu của hội chợ này là dữ liệu minh họa."
    ),
    "practical_info_en": (
        "Venue: Đồng Khởi Square, Bến Tre city. Open 08:00 – 22:00 from 6 to 10 June 2019, free entry. "
        "Motorbike and car parking behind zone D. Information desk at the main gate: craft-village tour "
        "sign-up, floor plans. Organisers: hoicho-ocop-2019@example.vn. This fair's data is illustrative."
    ),
    "floor_width_m": 92.0,
    "floor_depth_m": 40.0,
    "status": "published",
}

# Booth sizes (width x depth, metres) and list prices (VND) per type; a zone may override the price
# ("price_vnd": 0 for the guest provinces' pavilion, offered free by the host province).
BOOTH_SIZES: dict[str, tuple[float, float]] = {
    "standard": (3.0, 3.0),
    "corner": (3.0, 3.0),
    "premium": (6.0, 3.0),
    "outdoor": (5.0, 4.0),
}
BOOTH_PRICES_VND: dict[str, int] = {
    "standard": 4_000_000,
    "corner": 4_500_000,
    "premium": 8_500_000,
    "outdoor": 3_000_000,
}
ZONE_MARGIN_M = 1.0  # from the zone's edge to its first booths
AISLE_M = 3.0  # between two rows of booths

# Zones and their rows of booths, front to back: S standard, C corner, P premium, O outdoor. Booth codes
# follow the rows: A01, A02...
ZONES: list[dict[str, Any]] = [
    {
        "code": "A",
        "name": "Khu A – Thực phẩm",
        "name_en": "Zone A – Food",
        "product_groups": ["1"],
        "color": "#e8f1e4",
        "x_m": 2.0,
        "y_m": 2.0,
        "width_m": 38.0,
        "depth_m": 18.0,
        "rows": ["PSSSSSSSSP", "CSSSSSSSSSSC", "CSSSSSSSSSSC"],
    },
    {
        "code": "B",
        "name": "Khu B – Đồ uống",
        "name_en": "Zone B – Beverages",
        "product_groups": ["2"],
        "color": "#e3edf7",
        "x_m": 42.0,
        "y_m": 2.0,
        "width_m": 14.0,
        "depth_m": 11.0,
        "rows": ["CSSC", "CSSC"],
    },
    {
        "code": "C",
        "name": "Khu C – Dược liệu và mỹ phẩm thảo dược",
        "name_en": "Zone C – Herbal products and cosmetics",
        "product_groups": ["3"],
        "color": "#f5e1ee",
        "x_m": 58.0,
        "y_m": 2.0,
        "width_m": 14.0,
        "depth_m": 11.0,
        "rows": ["CSSC", "CSSC"],
    },
    {
        "code": "D",
        "name": "Khu D – Hàng thủ công mỹ nghệ",
        "name_en": "Zone D – Handicrafts",
        "product_groups": ["4"],
        "color": "#fdebd3",
        "x_m": 42.0,
        "y_m": 15.0,
        "width_m": 17.0,
        "depth_m": 11.0,
        "rows": ["CSSSC", "CSSSC"],
    },
    {
        "code": "E",
        "name": "Khu E – Sinh vật cảnh (ngoài trời)",
        "name_en": "Zone E – Ornamental plants (outdoor)",
        "product_groups": ["5"],
        "color": "#f3f0d7",
        "x_m": 2.0,
        "y_m": 22.0,
        "width_m": 27.0,
        "depth_m": 13.0,
        "rows": ["OOOOO", "OOOOO"],
    },
    {
        "code": "F",
        "name": "Khu F – Du lịch cộng đồng và điểm du lịch",
        "name_en": "Zone F – Community tourism and tourist sites",
        "product_groups": ["6"],
        "color": "#e0f2f1",
        "x_m": 61.0,
        "y_m": 15.0,
        "width_m": 17.0,
        "depth_m": 11.0,
        "rows": ["CPSC", "CSSSC"],
    },
    {
        "code": "G",
        "name": "Khu G – Tỉnh chỉ đạo điểm (khách mời)",
        "name_en": "Zone G – Guest pilot provinces",
        "product_groups": ["1", "2", "3"],
        "color": "#ede7f6",
        "x_m": 74.0,
        "y_m": 2.0,
        "width_m": 14.0,
        "depth_m": 11.0,
        "rows": ["CSSC", "CSSC"],
        "price_vnd": 0,
    },
]


def _producer(
    key: str,
    name: str,
    name_en: str,
    kind: str,
    commune_code: str,
    address_line: str,
    representative: str,
    description: str,
    description_en: str,
) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "commune_code": commune_code,
        "address_line": address_line,
        "representative": representative,
        "email": f"{key}@example.vn",
        "description": description,
        "description_en": description_en,
    }


# New producers (the 19 of services.demo_data exhibit too). Keys: province prefix, then the business.
PRODUCERS: list[dict[str, Any]] = [
    # ---------------------------------------------------------------- Bến Tre (83)
    _producer(
        "bt-thach-dua-mo-cay-bac",
        "Cơ sở Thạch Dừa Mỏ Cày Bắc (demo)",
        "Mo Cay Bac Coconut Jelly Workshop (demo)",
        "household_business",
        "28918",  # Xã Tân Thành Bình, huyện Mỏ Cày Bắc
        "Ấp Tân Lộc",
        "Nguyễn Thị Kim Yến",
        "Cơ sở làm thạch dừa từ nước dừa già thu mua ở các vựa dừa dọc sông Thom.",
        "A workshop making coconut jelly from mature coconut water bought from the Thom river coconut yards.",
    ),
    _producer(
        "bt-ruou-dua-cam-son",
        "Cơ sở Rượu Dừa Cẩm Sơn (demo)",
        "Cam Son Coconut Wine Workshop (demo)",
        "household_business",
        "28978",  # Xã Cẩm Sơn, huyện Mỏ Cày Nam
        "Ấp Tân Phú",
        "Lê Văn Lực",
        "Rượu nếp ủ trong trái dừa xiêm theo cách của nhà vườn Mỏ Cày.",
        "Glutinous-rice spirit aged inside green Siamese coconuts, the Mỏ Cày orchard way.",
    ),
    _producer(
        "bt-nuoc-dua-luong-quoi",
        "Công ty TNHH Nước Dừa Lương Quới (demo)",
        "Luong Quoi Coconut Water Co., Ltd. (demo)",
        "enterprise",
        "29002",  # Xã Lương Quới, huyện Giồng Trôm
        "Ấp 2",
        "Trương Minh Khôi",
        "Doanh nghiệp nhỏ đóng chai nước dừa xiêm xanh thu hoạch trong ngày.",
        "A small company bottling green Siamese coconut water harvested the same day.",
    ),
    _producer(
        "bt-xa-bong-dua-son-dong",
        "Cơ sở Xà Bông Dừa Sơn Đông (demo)",
        "Son Dong Coconut Soap Workshop (demo)",
        "household_business",
        "28783",  # Xã Sơn Đông, thành phố Bến Tre
        "Ấp 3",
        "Huỳnh Thị Mai",
        "Xà bông và dầu gội nấu thủ công từ dầu dừa ép lạnh và thảo mộc vườn nhà.",
        "Hand-made soap and shampoo from cold-pressed coconut oil and garden herbs.",
    ),
    _producer(
        "bt-luc-binh-tien-thuy",
        "Tổ hợp tác Đan Lục Bình Tiên Thủy (demo)",
        "Tien Thuy Water Hyacinth Weaving Group (demo)",
        "cooperative_group",
        "28861",  # Thị trấn Tiên Thủy, huyện Châu Thành
        "Khu phố 2",
        "Phan Thị Lệ",
        "Ba mươi hộ phụ nữ đan giỏ, thảm từ lục bình phơi khô vớt trên sông Hàm Luông.",
        "Thirty women's households weaving baskets and mats from dried water hyacinth of the Hàm Luông river.",
    ),
    _producer(
        "bt-bonsai-long-thoi",
        "Cơ sở Kiểng Bonsai Long Thới (demo)",
        "Long Thoi Bonsai Garden (demo)",
        "household_business",
        "28885",  # Xã Long Thới, huyện Chợ Lách
        "Ấp Long Hiệp",
        "Võ Văn Tâm",
        "Nhà vườn ba đời uốn kiểng bonsai, mai chiếu thủy và hoa giấy ở vùng Cái Mơn – Chợ Lách.",
        "A three-generation bonsai garden of the Cái Mơn – Chợ Lách area: wrightia and bougainvillea.",
    ),
    _producer(
        "bt-du-lich-cai-mon",
        "HTX Du Lịch Làng Hoa Cái Mơn (demo)",
        "Cai Mon Flower Village Tourism Co-operative (demo)",
        "cooperative",
        "28894",  # Xã Vĩnh Thành, huyện Chợ Lách
        "Ấp Vĩnh Hưng",
        "Nguyễn Văn Hậu",
        "Hợp tác xã của các nhà vườn đón khách tham quan làng hoa kiểng Cái Mơn bằng xuồng và xe đạp.",
        "A co-operative of garden owners welcoming visitors to the Cái Mơn flower village by boat and bicycle.",
    ),
    _producer(
        "bt-du-lich-song-thom",
        "Tổ hợp tác Du Lịch Chợ Nổi Sông Thom (demo)",
        "Thom River Floating Market Tourism Group (demo)",
        "cooperative_group",
        "28948",  # Xã Khánh Thạnh Tân, huyện Mỏ Cày Bắc
        "Ấp Phú Hữu",
        "Đặng Văn Phước",
        "Các hộ ven sông Thom đưa khách đi chợ nổi dừa và thăm xưởng chỉ xơ dừa, cơm dừa.",
        "Households along the Thom river taking visitors to the floating coconut market and coir workshops.",
    ),
    # ---------------------------------------------------------------- Tiền Giang (82)
    _producer(
        "tg-vu-sua-vinh-kim",
        "HTX Vú Sữa Lò Rèn Vĩnh Kim (demo)",
        "Vinh Kim Lo Ren Star Apple Co-operative (demo)",
        "cooperative",
        "28576",  # Xã Vĩnh Kim, huyện Châu Thành
        "Ấp Vĩnh Hòa",
        "Trần Văn Được",
        "Hợp tác xã trồng vú sữa Lò Rèn theo VietGAP, xuất trái đi siêu thị và xuất khẩu.",
        "A co-operative growing VietGAP Lò Rèn star apples for supermarkets and export.",
    ),
    _producer(
        "tg-thanh-long-quon-long",
        "HTX Thanh Long Quơn Long (demo)",
        "Quon Long Dragon Fruit Co-operative (demo)",
        "cooperative",
        "28618",  # Xã Quơn Long, huyện Chợ Gạo
        "Ấp Long Hòa",
        "Lê Thị Thu Ba",
        "Hợp tác xã trồng thanh long ruột đỏ trên đất giồng Chợ Gạo và sấy dẻo trái loại hai.",
        "A co-operative growing red-flesh dragon fruit on the Chợ Gạo sand ridges and drying second-grade fruit.",
    ),
    _producer(
        "tg-mam-tom-cha-go-cong",
        "Cơ sở Mắm Tôm Chà Bà Tư Gò Công (demo)",
        "Ba Tu Go Cong Shrimp Paste Workshop (demo)",
        "household_business",
        "28300",  # Phường 1, thành phố Gò Công
        "Đường Nguyễn Huệ",
        "Ngô Thị Tư",
        "Mắm tôm chà làm từ tôm đất, thịt ba rọi và gia vị, theo cách xứ Gò Công.",
        "Gò Công shrimp paste pounded from freshwater shrimp, pork belly and spices.",
    ),
    _producer(
        "tg-ruou-so-ri-tan-thanh",
        "Cơ sở Rượu Sơ Ri Tân Thành (demo)",
        "Tan Thanh Acerola Wine Workshop (demo)",
        "household_business",
        "28747",  # Xã Tân Thành, huyện Gò Công Đông
        "Ấp Giồng Nhỏ",
        "Phạm Văn Sang",
        "Lên men rượu và nước cốt từ sơ ri Gò Công trồng trên giồng cát ven biển.",
        "Wine and juice from Gò Công acerola cherries grown on the coastal sand ridges.",
    ),
    _producer(
        "tg-du-lich-thoi-son",
        "HTX Du Lịch Cù Lao Thới Sơn (demo)",
        "Thoi Son Islet Tourism Co-operative (demo)",
        "cooperative",
        "28591",  # Xã Thới Sơn, thành phố Mỹ Tho
        "Ấp Thới Thạnh",
        "Nguyễn Thị Hồng Nhung",
        "Các nhà vườn trên cù lao Thới Sơn đón khách: xuồng chèo trong rạch, vườn trái cây, đờn ca tài tử.",
        "Orchard owners of the Thới Sơn islet welcoming visitors: rowing boats, fruit gardens, folk music.",
    ),
    # ---------------------------------------------------------------- Vĩnh Long (86)
    _producer(
        "vl-buoi-nam-roi-my-hoa",
        "HTX Bưởi Năm Roi Mỹ Hòa (demo)",
        "My Hoa Nam Roi Pomelo Co-operative (demo)",
        "cooperative",
        "29815",  # Xã Mỹ Hòa, thị xã Bình Minh
        "Ấp Mỹ Lợi",
        "Võ Thành Nhân",
        "Hợp tác xã trồng bưởi Năm Roi trên vùng đất phù sa ven sông Hậu.",
        "A co-operative growing Năm Roi pomelos on the Hậu river alluvium.",
    ),
    _producer(
        "vl-khoai-lang-thanh-loi",
        "HTX Khoai Lang Thành Lợi (demo)",
        "Thanh Loi Sweet Potato Co-operative (demo)",
        "cooperative",
        "29791",  # Xã Thành Lợi, huyện Bình Tân
        "Ấp Thành Khương",
        "Lâm Văn Hòa",
        "Hợp tác xã trồng khoai lang tím Nhật trên đất cát giồng Bình Tân, sấy giòn khoai loại nhỏ.",
        "A co-operative growing Japanese purple sweet potatoes on Bình Tân sandy soil; small tubers are crisped.",
    ),
    _producer(
        "vl-gom-do-nhon-phu",
        "Cơ sở Gốm Đỏ Nhơn Phú (demo)",
        "Nhon Phu Red Pottery Workshop (demo)",
        "household_business",
        "29632",  # Xã Nhơn Phú, huyện Mang Thít
        "Ấp Phú Thạnh",
        "Trần Văn Lộc",
        "Lò gốm đỏ bên sông Cổ Chiên, làng nghề gạch gốm Mang Thít, nung bằng củi trấu.",
        "A red pottery kiln on the Cổ Chiên river in the Mang Thít brick and pottery village, fired with husks.",
    ),
    _producer(
        "vl-du-lich-an-binh",
        "HTX Du Lịch Cộng Đồng Cù Lao An Bình (demo)",
        "An Binh Islet Community Tourism Co-operative (demo)",
        "cooperative",
        "29587",  # Xã An Bình, huyện Long Hồ
        "Ấp Bình Hòa",
        "Huỳnh Thị Ngọc Lan",
        "Mười hai nhà vườn làm homestay trên cù lao An Bình, giữa sông Cổ Chiên.",
        "Twelve orchard homestays on the An Bình islet in the Cổ Chiên river.",
    ),
    # ---------------------------------------------------------------- Trà Vinh (84)
    _producer(
        "tv-dua-sap-hoa-tan",
        "HTX Dừa Sáp Hòa Tân (demo)",
        "Hoa Tan Macapuno Coconut Co-operative (demo)",
        "cooperative",
        "29320",  # Xã Hoà Tân, huyện Cầu Kè
        "Ấp Sóc Kha",
        "Thạch Thị Sa Rươl",
        "Hợp tác xã trồng dừa sáp Cầu Kè, loại dừa cơm dẻo đặc chỉ có ở vài xã của Trà Vinh.",
        "A co-operative growing Cầu Kè macapuno coconuts, whose thick soft flesh grows in a few communes only.",
    ),
    _producer(
        "tv-banh-tet-tra-cuon",
        "Cơ sở Bánh Tét Trà Cuôn Ba Liên (demo)",
        "Ba Lien Tra Cuon Rice Cake Workshop (demo)",
        "household_business",
        "29434",  # Xã Kim Hòa, huyện Cầu Ngang
        "Ấp Trà Cuôn",
        "Kim Thị Liên",
        "Lò bánh tét ở làng nghề Trà Cuôn, nhân đậu xanh, thịt mỡ và trứng muối, gói lá chuối.",
        "A rice cake kitchen in the Trà Cuôn craft village: mung bean, pork and salted egg in banana leaves.",
    ),
    _producer(
        "tv-tinh-dau-sa-tap-son",
        "Tổ hợp tác Tinh Dầu Sả Tập Sơn (demo)",
        "Tap Son Lemongrass Oil Group (demo)",
        "cooperative_group",
        "29467",  # Xã Tập Sơn, huyện Trà Cú
        "Ấp Đông Sơn",
        "Sơn Văn Thạch",
        "Tổ hợp tác của đồng bào Khmer trồng sả và chưng cất tinh dầu sả chanh.",
        "A Khmer farmers' group growing lemongrass and distilling its essential oil.",
    ),
    # ---------------------------------------------------------------- Đồng Tháp (87)
    _producer(
        "dt-xoai-my-xuong",
        "HTX Xoài Mỹ Xương (demo)",
        "My Xuong Mango Co-operative (demo)",
        "cooperative",
        "30121",  # Xã Mỹ Xương, huyện Cao Lãnh
        "Ấp Mỹ Thới",
        "Nguyễn Văn Thành",
        "Hợp tác xã trồng xoài cát Chu theo VietGAP, bao trái từ khi nhỏ.",
        "A co-operative growing VietGAP Cát Chu mangoes, bagged on the tree.",
    ),
    _producer(
        "dt-nem-lai-vung",
        "Cơ sở Nem Lai Vung Út Trinh (demo)",
        "Ut Trinh Lai Vung Fermented Pork Workshop (demo)",
        "household_business",
        "30208",  # Thị trấn Lai Vung, huyện Lai Vung
        "Khóm 1",
        "Lê Thị Trinh",
        "Nem Lai Vung gói lá chùm ruột, làm từ thịt heo đùi và bì trong ngày.",
        "Lai Vung fermented pork wrapped in gooseberry leaves, made from the day's pork and skin.",
    ),
    _producer(
        "dt-chieu-dinh-yen",
        "Tổ hợp tác Chiếu Định Yên (demo)",
        "Dinh Yen Sedge Mat Group (demo)",
        "cooperative_group",
        "30199",  # Xã Định Yên, huyện Lấp Vò
        "Ấp An Thạnh",
        "Đỗ Thị Hạnh",
        "Các hộ dệt chiếu lác trên khung máy và khung tay ở làng nghề chiếu Định Yên.",
        "Households weaving sedge mats on power and hand looms in the Định Yên mat village.",
    ),
    _producer(
        "dt-hoa-tan-quy-dong",
        "HTX Hoa Kiểng Tân Quy Đông (demo)",
        "Tan Quy Dong Flower Co-operative (demo)",
        "cooperative",
        "29917",  # Phường Tân Quy Đông, thành phố Sa Đéc
        "Khóm Tân Hòa",
        "Phạm Văn Cường",
        "Hợp tác xã của làng hoa Sa Đéc, trồng hoa hồng và kiểng lá trên giàn cao.",
        "A co-operative of the Sa Đéc flower village growing roses and foliage plants on raised beds.",
    ),
    # ---------------------------------------------------------------- Cần Thơ (92)
    _producer(
        "ct-gao-thanh-an",
        "HTX Lúa Gạo Thạnh An (demo)",
        "Thanh An Rice Co-operative (demo)",
        "cooperative",
        "31240",  # Xã Thạnh An, huyện Vĩnh Thạnh
        "Ấp Phụng Quới",
        "Trần Quốc Việt",
        "Hợp tác xã trên cánh đồng lớn Vĩnh Thạnh, xay xát và đóng túi gạo thơm, gạo lứt.",
        "A co-operative on the Vĩnh Thạnh large-field scheme milling and packing fragrant and brown rice.",
    ),
    _producer(
        "ct-tra-mang-cau-my-khanh",
        "Cơ sở Trà Mãng Cầu Mỹ Khánh (demo)",
        "My Khanh Soursop Tea Workshop (demo)",
        "household_business",
        "31312",  # Xã Mỹ Khánh, huyện Phong Điền
        "Ấp Mỹ Ái",
        "Nguyễn Thị Thanh Thảo",
        "Trà túi lọc từ lá và trái mãng cầu xiêm của vườn nhà.",
        "Tea bags from the leaves and fruit of the family's soursop orchard.",
    ),
    # ---------------------------------------------------------------- An Giang (89)
    _producer(
        "ag-thot-not-luong-phi",
        "HTX Thốt Nốt Lương Phi (demo)",
        "Luong Phi Palmyra Palm Co-operative (demo)",
        "cooperative",
        "30565",  # Xã Lương Phi, huyện Tri Tôn
        "Ấp Ô Tà Sóc",
        "Chau Sóc Khon",
        "Hợp tác xã của các hộ Khmer leo cây thốt nốt, nấu đường thốt nốt vùng Bảy Núi.",
        "A co-operative of Khmer households who climb palmyra palms and cook palm sugar in the Seven Mountains.",
    ),
    _producer(
        "ag-mam-chau-doc",
        "Cơ sở Mắm Châu Đốc Bà Bảy (demo)",
        "Ba Bay Chau Doc Fermented Fish Workshop (demo)",
        "household_business",
        "30325",  # Phường Núi Sam, thành phố Châu Đốc
        "Khóm Vĩnh Đông",
        "Lý Thị Bảy",
        "Mắm thái, mắm cá linh làm theo công thức gia truyền dưới chân núi Sam.",
        "Mắm thái and linh-fish mắm to a family recipe at the foot of Sam mountain.",
    ),
    _producer(
        "ag-lua-long-hung",
        "HTX Dệt Lụa Long Hưng (demo)",
        "Long Hung Silk Weaving Co-operative (demo)",
        "cooperative",
        "30377",  # Phường Long Hưng, thị xã Tân Châu
        "Khóm Long Quới",
        "Nguyễn Thị Ánh",
        "Hợp tác xã dệt lụa Tân Châu, nhuộm đen bằng trái mặc nưa.",
        "A co-operative weaving Tân Châu silk, dyed black with mặc nưa (ebony) fruit.",
    ),
    _producer(
        "ag-duoc-lieu-that-son",
        "Công ty TNHH Dược Liệu Thất Sơn (demo)",
        "That Son Medicinal Herbs Co., Ltd. (demo)",
        "enterprise",
        "30526",  # Xã An Cư, thị xã Tịnh Biên
        "Ấp Vồ Đầu",
        "Chau Thị Sóc Na",
        "Doanh nghiệp thu mua và chế biến dược liệu vùng Bảy Núi: khổ qua rừng, nhàu, chùm ngây.",
        "A company processing Seven Mountains herbs: wild bitter melon, noni, moringa.",
    ),
    # ---------------------------------------------------------------- Sóc Trăng (94)
    _producer(
        "st-banh-pia-phu-tam",
        "Cơ sở Bánh Pía Phú Tâm (demo)",
        "Phu Tam Pia Cake Bakery (demo)",
        "household_business",
        "31573",  # Xã Phú Tâm, huyện Châu Thành
        "Ấp Phú Hòa",
        "Quách Thị Huệ",
        "Lò bánh pía của người Hoa ở Phú Tâm: vỏ ngàn lớp, nhân sầu riêng, đậu xanh, trứng muối.",
        "A Chinese-Vietnamese pía bakery in Phú Tâm: flaky pastry with durian, mung bean and salted egg.",
    ),
    _producer(
        "st-hanh-tim-lac-hoa",
        "HTX Hành Tím Lạc Hòa (demo)",
        "Lac Hoa Shallot Co-operative (demo)",
        "cooperative",
        "31798",  # Xã Lạc Hòa, thị xã Vĩnh Châu
        "Ấp Hòa Giang",
        "Lâm Thị Sà Quan",
        "Hợp tác xã trồng hành tím Vĩnh Châu trên đất giồng cát ven biển.",
        "A co-operative growing Vĩnh Châu shallots on coastal sand ridges.",
    ),
    # ---------------------------------------------------------------- Long An (80)
    _producer(
        "la-ruou-go-den",
        "Tổ hợp tác Rượu Gò Đen Phước Lợi (demo)",
        "Phuoc Loi Go Den Rice Spirit Group (demo)",
        "cooperative_group",
        "28030",  # Xã Phước Lợi, huyện Bến Lức
        "Ấp 1",
        "Nguyễn Văn Hai",
        "Các lò nấu rượu nếp Gò Đen bằng men thuốc bắc, chưng cất trong nồi đồng.",
        "Gò Đen kilns brewing glutinous-rice spirit with herbal yeast, distilled in copper pots.",
    ),
    # ---------------------------------------------------------------- Kiên Giang (91)
    _producer(
        "kg-ruou-sim-ham-ninh",
        "Cơ sở Rượu Sim Hàm Ninh (demo)",
        "Ham Ninh Rose Myrtle Wine Workshop (demo)",
        "household_business",
        "31093",  # Xã Hàm Ninh, thành phố Phú Quốc
        "Ấp Rạch Hàm",
        "Đoàn Văn Tuấn",
        "Rượu và nước cốt từ trái sim rừng hái trên đồi Phú Quốc.",
        "Wine and juice from wild rose myrtle berries picked on the Phú Quốc hills.",
    ),
    # ---------------------------------------------------------------- Đồng Nai (75)
    _producer(
        "dn-buoi-tan-trieu",
        "HTX Bưởi Tân Triều Tân Bình (demo)",
        "Tan Binh Tan Trieu Pomelo Co-operative (demo)",
        "cooperative",
        "26194",  # Xã Tân Bình, huyện Vĩnh Cửu
        "Ấp Bình Thạch",
        "Lê Văn Bảy",
        "Hợp tác xã trồng bưởi đường lá cam ven sông Đồng Nai, vùng bưởi Tân Triều.",
        "A co-operative growing orange-leaf sugar pomelos along the Đồng Nai river, in the Tân Triều area.",
    ),
    _producer(
        "dn-gom-tan-van",
        "Cơ sở Gốm Mỹ Nghệ Tân Vạn (demo)",
        "Tan Van Art Pottery Workshop (demo)",
        "household_business",
        "26059",  # Phường Tân Vạn, thành phố Biên Hòa
        "Khu phố 3",
        "Lý Văn Khánh",
        "Lò gốm Biên Hòa với men xanh đồng trổ và hoa văn khắc chìm.",
        "A Biên Hòa pottery known for its copper-green crackle glaze and incised patterns.",
    ),
    # ---------------------------------------------------------------- Bình Dương (74)
    _producer(
        "bd-mang-cut-binh-nham",
        "HTX Măng Cụt Bình Nhâm (demo)",
        "Binh Nham Mangosteen Co-operative (demo)",
        "cooperative",
        "25984",  # Phường Bình Nhâm, thành phố Thuận An
        "Khu phố Bình Đức",
        "Nguyễn Thị Hoa",
        "Các vườn măng cụt lâu năm của vùng cây trái Lái Thiêu.",
        "Old mangosteen orchards of the Lái Thiêu fruit-garden area.",
    ),
    _producer(
        "bd-son-mai-tuong-binh-hiep",
        "Cơ sở Sơn Mài Tương Bình Hiệp (demo)",
        "Tuong Binh Hiep Lacquer Workshop (demo)",
        "household_business",
        "25771",  # Phường Tương Bình Hiệp, thành phố Thủ Dầu Một
        "Khu phố 3",
        "Đinh Công Thắng",
        "Xưởng sơn mài ở làng nghề Tương Bình Hiệp: tranh, hộp, khay khảm vỏ trứng và xà cừ.",
        "A workshop of the Tương Bình Hiệp lacquer village: paintings, boxes, trays inlaid with eggshell.",
    ),
    _producer(
        "bd-nam-duoc-lieu-phu-hoa",
        "Công ty TNHH Nấm Dược Liệu Phú Hòa (demo)",
        "Phu Hoa Medicinal Mushroom Co., Ltd. (demo)",
        "enterprise",
        "25750",  # Phường Phú Hòa, thành phố Thủ Dầu Một
        "Đường Lê Hồng Phong",
        "Trần Minh Tuấn",
        "Doanh nghiệp nuôi cấy đông trùng hạ thảo trong phòng sạch.",
        "A company growing cordyceps in clean rooms.",
    ),
    # ---------------------------------------------------------------- Tây Ninh (72)
    _producer(
        "tn-muoi-tom-long-thanh-trung",
        "Cơ sở Muối Tôm Long Thành Trung (demo)",
        "Long Thanh Trung Shrimp Salt Workshop (demo)",
        "household_business",
        "25645",  # Phường Long Thành Trung, thị xã Hòa Thành
        "Khu phố Long Trung",
        "Trịnh Thị Hương",
        "Muối tôm Tây Ninh rang củi từ tôm khô, ớt, tỏi và muối hột.",
        "Tây Ninh shrimp salt roasted over wood from dried shrimp, chilli, garlic and sea salt.",
    ),
    _producer(
        "tn-mang-cau-thanh-tan",
        "HTX Mãng Cầu Thạnh Tân (demo)",
        "Thanh Tan Sugar Apple Co-operative (demo)",
        "cooperative",
        "25471",  # Xã Thạnh Tân, thành phố Tây Ninh
        "Ấp Thạnh Trung",
        "Võ Văn Hiếu",
        "Hợp tác xã trồng mãng cầu ta dưới chân núi Bà Đen.",
        "A co-operative growing sugar apples at the foot of Bà Đen mountain.",
    ),
    # ---------------------------------------------------------------- Bà Rịa – Vũng Tàu (77)
    _producer(
        "br-nuoc-mam-phuoc-hai",
        "Cơ sở Nước Mắm Phước Hải Năm Lộc (demo)",
        "Nam Loc Phuoc Hai Fish Sauce Workshop (demo)",
        "household_business",
        "26689",  # Thị trấn Phước Hải, huyện Long Đất (huyện Đất Đỏ in 2019)
        "Khu phố Hải Trung",
        "Lê Văn Lộc",
        "Nước mắm cá cơm ủ chượp trong thùng gỗ từ mười hai đến mười tám tháng.",
        "Anchovy fish sauce fermented in wooden vats for twelve to eighteen months.",
    ),
    # ---------------------------------------------------------------- Bình Phước (70)
    _producer(
        "bp-dieu-minh-hung",
        "HTX Điều Minh Hưng (demo)",
        "Minh Hung Cashew Co-operative (demo)",
        "cooperative",
        "25408",  # Xã Minh Hưng, huyện Bù Đăng
        "Thôn 4",
        "Điểu Thị Hoa",
        "Hợp tác xã trồng và chế biến hạt điều của đồng bào S'tiêng và người Kinh ở Bù Đăng.",
        "A co-operative of S'tiêng and Kinh farmers growing and processing Bù Đăng cashews.",
    ),
    # ---------------------------------------------------------------- TP Hồ Chí Minh (79)
    _producer(
        "hcm-kho-ca-can-thanh",
        "Cơ sở Khô Cá Dứa Cần Thạnh (demo)",
        "Can Thanh Dried Catfish Workshop (demo)",
        "household_business",
        "27664",  # Thị trấn Cần Thạnh, huyện Cần Giờ
        "Khu phố Miễu Ba",
        "Nguyễn Thị Thu",
        "Khô cá dứa một nắng và tôm khô từ ghe đánh bắt ở cửa biển Cần Giờ.",
        "Sun-dried catfish and dried shrimp from the boats of the Cần Giờ estuary.",
    ),
    _producer(
        "hcm-sua-tan-thong-hoi",
        "HTX Bò Sữa Tân Thông Hội (demo)",
        "Tan Thong Hoi Dairy Co-operative (demo)",
        "cooperative",
        "27556",  # Xã Tân Thông Hội, huyện Củ Chi
        "Ấp Tân Tiến",
        "Phạm Văn Đông",
        "Hợp tác xã của hộ nuôi bò sữa Củ Chi, thanh trùng và đóng chai sữa tươi.",
        "A co-operative of Củ Chi dairy farmers pasteurising and bottling fresh milk.",
    ),
    _producer(
        "hcm-lan-phuoc-vinh-an",
        "HTX Hoa Lan Phước Vĩnh An (demo)",
        "Phuoc Vinh An Orchid Co-operative (demo)",
        "cooperative",
        "27535",  # Xã Phước Vĩnh An, huyện Củ Chi
        "Ấp 3",
        "Lê Thị Thúy",
        "Hợp tác xã trồng lan mokara cắt cành và lan hồ điệp chậu trong nhà lưới.",
        "A co-operative growing cut mokara and potted moth orchids under shade nets.",
    ),
    # ---------------------------------------------------------------- Quảng Ninh (22), guest pilot province
    _producer(
        "qn-cha-muc-hong-gai",
        "Công ty TNHH Chả Mực Hồng Gai (demo)",
        "Hong Gai Squid Cake Co., Ltd. (demo)",
        "enterprise",
        "06691",  # Phường Hồng Gai, thành phố Hạ Long
        "Tổ 3, khu 5",
        "Vũ Thị Hằng",
        "Chả mực giã tay từ mực vịnh Hạ Long và hải sản khô của vùng biển Quảng Ninh.",
        "Hand-pounded squid cakes from Hạ Long bay squid, and dried seafood of the Quảng Ninh coast.",
    ),
    _producer(
        "qn-tra-hoa-vang-thanh-son",
        "HTX Trà Hoa Vàng Thanh Sơn (demo)",
        "Thanh Son Golden Camellia Co-operative (demo)",
        "cooperative",
        "06973",  # Xã Thanh Sơn, huyện Ba Chẽ
        "Thôn Khe Lọng",
        "Triệu Văn Sinh",
        "Hợp tác xã của đồng bào Dao trồng trà hoa vàng, ba kích dưới tán rừng Ba Chẽ.",
        "A co-operative of Dao farmers growing golden camellia and morinda under the Ba Chẽ forest.",
    ),
    # ---------------------------------------------------------------- applications not approved
    _producer(
        "bt-ca-cao-luong-hoa",
        "Cơ sở Ca Cao Lương Hòa (demo)",
        "Luong Hoa Cocoa Workshop (demo)",
        "household_business",
        "28999",  # Xã Lương Hòa, huyện Giồng Trôm
        "Ấp 6",
        "Trần Thị Hồng",
        "Ca cao trồng xen dưới tán dừa, lên men và xay bột tại nhà.",
        "Cocoa grown under the coconut palms, fermented and ground at home.",
    ),
    _producer(
        "dn-chom-chom-binh-loc",
        "HTX Chôm Chôm Bình Lộc (demo)",
        "Binh Loc Rambutan Co-operative (demo)",
        "cooperative",
        "26089",  # Xã Bình Lộc, thành phố Long Khánh
        "Ấp 1",
        "Hoàng Văn Minh",
        "Hợp tác xã trồng chôm chôm Java trên đất đỏ bazan Long Khánh.",
        "A co-operative growing Java rambutans on the Long Khánh red basalt soil.",
    ),
    _producer(
        "hcm-my-pham-pho-thi",
        "Công ty TNHH Mỹ Phẩm Thảo Mộc Phố Thị (demo)",
        "Pho Thi Herbal Cosmetics Co., Ltd. (demo)",
        "enterprise",
        "27172",  # Phường 12, quận 10
        "Đường 3 Tháng 2",
        "Đỗ Thị Mỹ Linh",
        "Công ty thương mại phân phối mỹ phẩm thảo mộc.",
        "A trading company distributing herbal cosmetics.",
    ),
    _producer(
        "hg-khom-hoa-tien",
        "HTX Khóm Cầu Đúc Hỏa Tiến (demo)",
        "Hoa Tien Cau Duc Pineapple Co-operative (demo)",
        "cooperative",
        "31339",  # Xã Hoả Tiến, thành phố Vị Thanh, tỉnh Hậu Giang
        "Ấp 1",
        "Lê Văn Tiến",
        "Hợp tác xã trồng khóm Cầu Đúc trên đất phèn Vị Thanh.",
        "A co-operative growing Cầu Đúc pineapples on the acid soils of Vị Thanh.",
    ),
    _producer(
        "ag-banh-bo-tri-ton",
        "Tổ hợp tác Bánh Bò Thốt Nốt Tri Tôn (demo)",
        "Tri Ton Palm Sugar Sponge Cake Group (demo)",
        "cooperative_group",
        "30544",  # Thị trấn Tri Tôn, huyện Tri Tôn
        "Khóm 2",
        "Néang Sa Ry",
        "Bánh bò nướng bằng đường thốt nốt và nước cốt dừa.",
        "Baked sponge cakes of palm sugar and coconut milk.",
    ),
]


def _cert(a: int, b: int, c: int, number: str, date: str, level: str = "province") -> dict[str, Any]:
    """A certified evaluation under QĐ 1048's 35/25/40 parts."""
    return {
        "criteria_set": "1048",
        "level": level,
        "score_a": a,
        "score_b": b,
        "score_c": c,
        "status": "certified",
        "decision_number": number,
        "decision_date": date,
    }


def _product(
    producer: str,
    name: str,
    name_en: str,
    subgroup: str,
    description: str,
    description_en: str,
    *evaluations: dict[str, Any],
) -> dict[str, Any]:
    return {
        "producer": producer,
        "name": name,
        "name_en": name_en,
        "group": subgroup.split(".", 1)[0],
        "subgroup": subgroup,
        "description": description,
        "description_en": description_en,
        "evaluations": list(evaluations),
    }


# Decisions of the provincial people's committees (invented numbers), by province.
_TG, _TG2 = ("2961/QĐ-UBND", "2018-10-24"), ("1127/QĐ-UBND", "2019-04-22")
_VL = ("3051/QĐ-UBND", "2018-12-14")
_TV = ("2413/QĐ-UBND", "2018-11-30")
_DT = ("1298/QĐ-UBND.HC", "2018-11-06")
_CT = ("3720/QĐ-UBND", "2018-12-21")
_AG, _AG17 = ("2892/QĐ-UBND", "2018-12-07"), ("3175/QĐ-UBND", "2017-12-15")
_ST = ("3389/QĐ-UBND", "2018-12-28")
_LA = ("4463/QĐ-UBND", "2018-12-10")
_KG = ("2780/QĐ-UBND", "2018-12-20")
_DN = ("4321/QĐ-UBND", "2018-11-28")
_BD = ("3655/QĐ-UBND", "2018-12-25")
_TN = ("2928/QĐ-UBND", "2018-11-23")
_BR = ("3706/QĐ-UBND", "2018-12-12")
_BP = ("2987/QĐ-UBND", "2018-11-27")
_HCM = ("5112/QĐ-UBND", "2018-11-29")
_QN15, _QN16A, _QN16B = (
    ("3602/QĐ-UBND", "2015-11-30"),
    ("125/QĐ-UBND", "2016-01-15"),
    ("1509/QĐ-UBND", "2016-05-10"),
)
_QN17, _QN18 = ("4084/QĐ-UBND", "2017-10-25"), ("3265/QĐ-UBND", "2018-08-31")

PRODUCTS: list[dict[str, Any]] = [
    # Bến Tre: its first OCOP round came in December 2019, after the fair.
    _product("bt-thach-dua-mo-cay-bac", "Thạch dừa nha đam", "Coconut jelly with aloe vera", "1.2",
             "Thạch dừa cắt hạt lựu ngâm nha đam, đóng hũ 500 g.", "Diced coconut jelly with aloe vera, 500 g jar."),
    _product("bt-thach-dua-mo-cay-bac", "Thạch dừa sợi", "Coconut jelly strips", "1.2",
             "Thạch dừa cắt sợi dùng làm chè và trà sữa.", "Coconut jelly strips for desserts and milk tea."),
    _product("bt-ruou-dua-cam-son", "Rượu dừa Cẩm Sơn", "Cam Son coconut wine", "2.1",
             "Rượu nếp 29 độ ủ trong trái dừa xiêm, uống lạnh.", "29% glutinous-rice spirit aged in a coconut; serve chilled."),
    _product("bt-nuoc-dua-luong-quoi", "Nước dừa xiêm đóng chai", "Bottled green coconut water", "2.2",
             "Nước dừa xiêm nguyên chất, thanh trùng, chai 330 ml.", "Pure green coconut water, pasteurised, 330 ml."),
    _product("bt-xa-bong-dua-son-dong", "Xà bông dừa thiên nhiên", "Natural coconut soap", "3.3",
             "Xà bông nấu nguội từ dầu dừa ép lạnh, nghệ và sả.", "Cold-process soap of virgin coconut oil, turmeric and lemongrass."),
    _product("bt-xa-bong-dua-son-dong", "Dầu gội bồ kết dừa", "Honey locust and coconut shampoo", "3.3",
             "Dầu gội từ bồ kết, vỏ bưởi và dầu dừa.", "Shampoo of honey locust pods, pomelo peel and coconut oil."),
    _product("bt-luc-binh-tien-thuy", "Giỏ đan lục bình", "Woven water hyacinth basket", "4.1",
             "Giỏ đan tay từ cọng lục bình phơi khô, nhiều cỡ.", "Hand-woven baskets of dried water hyacinth, several sizes."),
    _product("bt-luc-binh-tien-thuy", "Thảm lục bình", "Water hyacinth rug", "4.1",
             "Thảm tròn đan bện lục bình, đường kính 90 cm.", "Round braided water hyacinth rug, 90 cm across."),
    _product("bt-bonsai-long-thoi", "Bonsai mai chiếu thủy", "Wrightia bonsai", "5.2",
             "Mai chiếu thủy uốn dáng trực, chậu gốm men.", "Upright-style wrightia bonsai in a glazed pot."),
    _product("bt-bonsai-long-thoi", "Hoa giấy bonsai", "Bougainvillea bonsai", "5.2",
             "Hoa giấy ghép nhiều màu, dáng bonsai để bàn.", "Multi-coloured grafted bougainvillea, table bonsai."),
    _product("bt-du-lich-cai-mon", "Tour làng hoa kiểng Cái Mơn – Chợ Lách", "Cái Mơn – Chợ Lách flower village tour", "6.1",
             "Nửa ngày đi xuồng qua vườn kiểng, học ghép cây, ăn trái cây tại vườn.",
             "Half a day by boat through the gardens, a grafting lesson, fruit in the orchard."),
    _product("bt-du-lich-song-thom", "Du lịch chợ nổi dừa sông Thom", "Thom river floating coconut market tour", "6.1",
             "Đi ghe ra chợ nổi dừa lúc sáng sớm, thăm xưởng chỉ xơ dừa và lò kẹo.",
             "An early boat ride to the floating coconut market, coir and candy workshops."),
    # Tiền Giang
    _product("tg-vu-sua-vinh-kim", "Vú sữa Lò Rèn Vĩnh Kim", "Vinh Kim Lo Ren star apple", "1.1",
             "Vú sữa Lò Rèn vỏ mỏng, thịt trắng sữa, trái 250-350 g.", "Thin-skinned Lò Rèn star apples with milky flesh, 250-350 g.",
             _cert(27, 19, 30, *_TG)),
    _product("tg-thanh-long-quon-long", "Thanh long ruột đỏ Chợ Gạo", "Cho Gao red-flesh dragon fruit", "1.1",
             "Thanh long ruột đỏ VietGAP, trái từ 400 g.", "VietGAP red-flesh dragon fruit from 400 g.",
             _cert(22, 15, 26, *_TG)),
    _product("tg-thanh-long-quon-long", "Thanh long sấy dẻo", "Soft-dried dragon fruit", "1.2",
             "Thanh long ruột đỏ sấy dẻo không đường.", "Soft-dried red dragon fruit, no added sugar.",
             _cert(21, 14, 24, *_TG2)),
    _product("tg-mam-tom-cha-go-cong", "Mắm tôm chà Gò Công", "Go Cong pounded shrimp paste", "1.2",
             "Mắm tôm chà đỏ au, ăn với thịt luộc, cơm nóng.", "Bright red shrimp paste for boiled pork and hot rice.",
             _cert(25, 18, 29, *_TG)),
    _product("tg-ruou-so-ri-tan-thanh", "Rượu sơ ri Gò Công", "Go Cong acerola wine", "2.1",
             "Rượu trái cây lên men từ sơ ri, 13 độ.", "Fermented acerola fruit wine, 13%.",
             _cert(20, 14, 25, *_TG2)),
    _product("tg-ruou-so-ri-tan-thanh", "Nước cốt sơ ri", "Acerola juice concentrate", "2.2",
             "Nước cốt sơ ri pha với nước và đá.", "Acerola concentrate to mix with water and ice.",
             _cert(19, 13, 24, *_TG2)),
    _product("tg-du-lich-thoi-son", "Du lịch sinh thái cù lao Thới Sơn", "Thoi Son islet eco-tour", "6.1",
             "Chèo xuồng trong rạch dừa nước, nghe đờn ca tài tử, ăn trái cây tại vườn.",
             "Rowing through nipa-palm canals, folk music, fruit in the orchard.",
             _cert(22, 16, 26, *_TG2)),
    # Vĩnh Long
    _product("vl-buoi-nam-roi-my-hoa", "Bưởi Năm Roi Bình Minh", "Binh Minh Nam Roi pomelo", "1.1",
             "Bưởi Năm Roi ráo nước, ngọt thanh, ít hạt.", "Dry-fleshed, mildly sweet, nearly seedless Năm Roi pomelo.",
             _cert(26, 18, 30, *_VL)),
    _product("vl-khoai-lang-thanh-loi", "Khoai lang tím Bình Tân", "Binh Tan purple sweet potato", "1.1",
             "Khoai lang tím Nhật trồng trên đất cát, bở và ngọt.", "Japanese purple sweet potatoes from sandy soil, floury and sweet.",
             _cert(23, 15, 27, *_VL)),
    _product("vl-khoai-lang-thanh-loi", "Khoai lang tím sấy giòn", "Crispy purple sweet potato chips", "1.2",
             "Khoai lang tím cắt lát sấy chân không.", "Vacuum-fried purple sweet potato slices.",
             _cert(21, 14, 25, *_VL)),
    _product("vl-gom-do-nhon-phu", "Chậu gốm đỏ Mang Thít", "Mang Thit red clay pot", "4.2",
             "Chậu trồng cây bằng gốm đỏ không men, nhiều cỡ.", "Unglazed red clay planters, several sizes.",
             _cert(22, 15, 26, *_VL)),
    _product("vl-gom-do-nhon-phu", "Bình gốm đỏ trang trí", "Decorative red clay vase", "4.2",
             "Bình gốm đỏ khắc hoa văn sông nước.", "Red clay vase incised with river motifs.",
             _cert(25, 18, 28, *_VL)),
    _product("vl-du-lich-an-binh", "Homestay miệt vườn cù lao An Bình", "An Binh islet orchard homestay", "6.1",
             "Nghỉ đêm trong nhà vườn, đạp xe quanh cù lao, nấu ăn cùng chủ nhà.",
             "A night in an orchard house, cycling round the islet, cooking with the hosts.",
             _cert(26, 18, 27, *_VL)),
    # Trà Vinh
    _product("tv-dua-sap-hoa-tan", "Dừa sáp Cầu Kè", "Cau Ke macapuno coconut", "1.1",
             "Trái dừa sáp cơm dày, dẻo như sáp, ăn với đá và đường.", "Macapuno coconuts with thick waxy flesh, eaten with ice and sugar.",
             _cert(27, 19, 31, *_TV)),
    _product("tv-dua-sap-hoa-tan", "Mứt dừa sáp", "Macapuno coconut jam", "1.2",
             "Mứt sên từ cơm dừa sáp và đường phèn.", "Jam cooked from macapuno flesh and rock sugar.",
             _cert(21, 15, 25, *_TV)),
    _product("tv-banh-tet-tra-cuon", "Bánh tét Trà Cuôn", "Tra Cuon rice cake", "1.2",
             "Bánh tét nhân đậu xanh, mỡ heo, trứng muối; đòn 1 kg.", "Rice cake with mung bean, pork fat and salted egg; 1 kg roll.",
             _cert(26, 18, 28, *_TV)),
    _product("tv-banh-tet-tra-cuon", "Bánh tét lá cẩm Trà Cuôn", "Tra Cuon purple rice cake", "1.2",
             "Bánh tét nếp nhuộm lá cẩm tím.", "Rice cake of glutinous rice dyed with magenta leaves.",
             _cert(22, 15, 26, *_TV)),
    _product("tv-tinh-dau-sa-tap-son", "Tinh dầu sả chanh Trà Vinh", "Tra Vinh lemongrass essential oil", "3.4",
             "Tinh dầu sả chanh chưng cất hơi nước, chai 50 ml.", "Steam-distilled lemongrass oil, 50 ml.",
             _cert(21, 14, 24, *_TV)),
    # Đồng Tháp
    _product("dt-xoai-my-xuong", "Xoài cát Chu Cao Lãnh", "Cao Lanh Cat Chu mango", "1.1",
             "Xoài cát Chu bao trái, thơm và ngọt đậm.", "Bagged Cát Chu mangoes, fragrant and rich.",
             _cert(27, 18, 30, *_DT)),
    _product("dt-xoai-my-xuong", "Xoài sấy dẻo Cao Lãnh", "Cao Lanh soft-dried mango", "1.2",
             "Xoài cát Chu sấy dẻo ít đường.", "Soft-dried Cát Chu mango, low sugar.",
             _cert(22, 15, 25, *_DT)),
    _product("dt-nem-lai-vung", "Nem Lai Vung", "Lai Vung fermented pork", "1.2",
             "Nem chua gói lá chùm ruột, chín sau hai ngày.", "Sour pork wrapped in gooseberry leaves, ready in two days.",
             _cert(26, 17, 29, *_DT)),
    _product("dt-chieu-dinh-yen", "Chiếu lác in hoa Định Yên", "Dinh Yen printed sedge mat", "4.1",
             "Chiếu lác nhuộm màu, in hoa văn chữ Phúc, Thọ.", "Dyed sedge mat with printed longevity patterns.",
             _cert(23, 15, 26, *_DT)),
    _product("dt-chieu-dinh-yen", "Túi xách lác Định Yên", "Dinh Yen sedge handbag", "4.1",
             "Túi xách may từ chiếu lác, quai da.", "Handbag sewn from sedge matting, leather handles.",
             _cert(21, 15, 24, *_DT)),
    _product("dt-hoa-tan-quy-dong", "Hoa hồng Sa Đéc", "Sa Dec roses", "5.1",
             "Hồng cổ Sa Đéc trồng chậu, nhiều màu.", "Potted heritage Sa Đéc roses, many colours.",
             _cert(22, 16, 25, *_DT)),
    _product("dt-hoa-tan-quy-dong", "Kiểng lá Sa Đéc", "Sa Dec foliage plants", "5.2",
             "Kiểng lá để bàn và trang trí sân vườn.", "Table and garden foliage plants.",
             _cert(21, 14, 24, *_DT)),
    # Cần Thơ
    _product("ct-gao-thanh-an", "Gạo thơm Vĩnh Thạnh", "Vinh Thanh fragrant rice", "1.2",
             "Gạo thơm hạt dài, túi 5 kg.", "Long-grain fragrant rice, 5 kg bag.",
             _cert(23, 15, 27, *_CT)),
    _product("ct-gao-thanh-an", "Gạo lứt huyết rồng Vĩnh Thạnh", "Vinh Thanh red brown rice", "1.2",
             "Gạo lứt đỏ huyết rồng, túi 2 kg.", "Huyết rồng red brown rice, 2 kg bag.",
             _cert(22, 14, 26, *_CT)),
    _product("ct-tra-mang-cau-my-khanh", "Trà mãng cầu xiêm Mỹ Khánh", "My Khanh soursop tea", "3.4",
             "Trà túi lọc từ lá và trái mãng cầu xiêm sấy.", "Tea bags of dried soursop leaves and fruit.",
             _cert(22, 15, 25, *_CT)),
    # An Giang
    _product("ag-thot-not-luong-phi", "Đường thốt nốt Bảy Núi", "Seven Mountains palm sugar", "1.2",
             "Đường thốt nốt nấu từ nước thốt nốt trong ngày, đóng bánh.", "Palm sugar cooked from the day's sap, in cakes.",
             _cert(29, 20, 33, *_AG17),
             {"criteria_set": "1048", "level": "province", "score_a": 33, "score_b": 22, "score_c": 36,
              "status": "potential_5_star", "decision_number": None, "decision_date": None,
              "note": "Hội đồng tỉnh chấm 91 điểm (tháng 4/2019), đề nghị Trung ương xét công nhận 5 sao."}),
    _product("ag-thot-not-luong-phi", "Đường thốt nốt dạng cát", "Granulated palm sugar", "1.2",
             "Đường thốt nốt đánh tơi thành hạt, túi 500 g.", "Palm sugar beaten into granules, 500 g.",
             _cert(24, 16, 28, *_AG)),
    _product("ag-mam-chau-doc", "Mắm thái Châu Đốc", "Chau Doc mam thai", "1.2",
             "Mắm cá lóc trộn đu đủ bào và thính, hộp 500 g.", "Fermented snakehead with shredded papaya, 500 g.",
             _cert(26, 18, 29, *_AG)),
    _product("ag-mam-chau-doc", "Mắm cá linh Châu Đốc", "Chau Doc linh fish mam", "1.2",
             "Mắm cá linh mùa nước nổi.", "Linh fish mắm from the flood season.",
             _cert(23, 15, 26, *_AG)),
    _product("ag-lua-long-hung", "Lụa Tân Châu nhuộm trái mặc nưa", "Tan Chau silk dyed with ebony fruit", "4.3",
             "Lụa tơ tằm dệt trơn, nhuộm đen bóng bằng trái mặc nưa.", "Plain silk dyed glossy black with mặc nưa fruit.",
             _cert(27, 19, 30, *_AG)),
    _product("ag-lua-long-hung", "Khăn choàng lụa Tân Châu", "Tan Chau silk scarf", "4.3",
             "Khăn choàng lụa nhiều màu, dệt hoa văn.", "Patterned silk scarves in several colours.",
             _cert(23, 16, 27, *_AG)),
    _product("ag-duoc-lieu-that-son", "Trà khổ qua rừng Bảy Núi", "Seven Mountains wild bitter melon tea", "3.4",
             "Trà túi lọc từ khổ qua rừng sấy.", "Tea bags of dried wild bitter melon.",
             _cert(22, 15, 26, *_AG)),
    # Sóc Trăng
    _product("st-banh-pia-phu-tam", "Bánh pía sầu riêng trứng muối", "Durian and salted egg pia cake", "1.2",
             "Bánh pía vỏ ngàn lớp, nhân sầu riêng, đậu xanh, trứng muối.", "Flaky pía with durian, mung bean and salted egg.",
             _cert(26, 19, 29, *_ST)),
    _product("st-banh-pia-phu-tam", "Bánh pía kim sa đậu xanh", "Mung bean custard pia cake", "1.2",
             "Bánh pía nhân đậu xanh, kim sa chảy.", "Pía with mung bean and a molten custard centre.",
             _cert(23, 16, 27, *_ST)),
    _product("st-hanh-tim-lac-hoa", "Hành tím Vĩnh Châu", "Vinh Chau shallots", "1.1",
             "Hành tím củ nhỏ, thơm nồng, phơi khô.", "Small pungent sun-dried shallots.",
             _cert(24, 15, 27, *_ST)),
    _product("st-hanh-tim-lac-hoa", "Hành tím phi Vĩnh Châu", "Vinh Chau fried shallots", "1.2",
             "Hành tím phi giòn, hũ 200 g.", "Crispy fried shallots, 200 g jar.",
             _cert(21, 14, 25, *_ST)),
    # Long An
    _product("la-ruou-go-den", "Rượu nếp Gò Đen", "Go Den glutinous rice spirit", "2.1",
             "Rượu nếp 40 độ chưng cất hai lần.", "Double-distilled 40% glutinous-rice spirit.",
             _cert(25, 18, 28, *_LA)),
    # Kiên Giang
    _product("kg-ruou-sim-ham-ninh", "Rượu sim rừng Phú Quốc", "Phu Quoc wild rose myrtle wine", "2.1",
             "Rượu vang sim rừng 13 độ.", "13% wild rose myrtle wine.",
             _cert(22, 16, 26, *_KG)),
    _product("kg-ruou-sim-ham-ninh", "Nước cốt sim Phú Quốc", "Phu Quoc rose myrtle juice", "2.2",
             "Nước cốt trái sim, không cồn.", "Non-alcoholic rose myrtle juice.",
             _cert(21, 14, 24, *_KG)),
    # Đồng Nai
    _product("dn-buoi-tan-trieu", "Bưởi đường lá cam Tân Triều", "Tan Trieu orange-leaf sugar pomelo", "1.1",
             "Bưởi đường lá cam múi hồng, ngọt, hơi the.", "Pink-segmented sugar pomelo, sweet with a light tang.",
             _cert(27, 18, 30, *_DN)),
    _product("dn-gom-tan-van", "Chậu gốm men xanh đồng trổ Biên Hòa", "Bien Hoa copper-green crackle pot", "4.2",
             "Chậu gốm men xanh đồng trổ bông, khắc chìm.", "Copper-green crackle-glazed incised pot.",
             _cert(23, 16, 27, *_DN)),
    # Bình Dương
    _product("bd-mang-cut-binh-nham", "Măng cụt Lái Thiêu", "Lai Thieu mangosteen", "1.1",
             "Măng cụt vườn già, cơm trắng, ít hạt.", "Old-orchard mangosteens, white flesh, few seeds.",
             _cert(23, 15, 27, *_BD)),
    _product("bd-son-mai-tuong-binh-hiep", "Tranh sơn mài phong cảnh Nam Bộ", "Southern landscape lacquer painting", "4.1",
             "Tranh sơn mài cẩn vỏ trứng, cảnh sông nước Nam Bộ.", "Eggshell-inlaid lacquer painting of southern waterways.",
             _cert(26, 19, 29, *_BD)),
    _product("bd-son-mai-tuong-binh-hiep", "Hộp sơn mài khảm trứng", "Eggshell-inlaid lacquer box", "4.1",
             "Hộp đựng trà sơn mài khảm vỏ trứng.", "Lacquer tea box inlaid with eggshell.",
             _cert(23, 16, 26, *_BD)),
    _product("bd-nam-duoc-lieu-phu-hoa", "Đông trùng hạ thảo sấy thăng hoa", "Freeze-dried cordyceps", "3.1",
             "Quả thể đông trùng hạ thảo sấy thăng hoa, hộp 10 g.", "Freeze-dried cordyceps fruiting bodies, 10 g.",
             _cert(27, 18, 31, *_BD)),
    # Tây Ninh
    _product("tn-muoi-tom-long-thanh-trung", "Muối tôm hạt to Tây Ninh", "Tay Ninh coarse shrimp salt", "1.2",
             "Muối tôm rang củi hạt to, hũ 200 g.", "Wood-roasted coarse shrimp salt, 200 g jar.",
             _cert(26, 18, 29, *_TN)),
    _product("tn-muoi-tom-long-thanh-trung", "Muối tôm hạt nhuyễn Tây Ninh", "Tay Ninh fine shrimp salt", "1.2",
             "Muối tôm hạt nhuyễn chấm trái cây.", "Fine shrimp salt for fruit.",
             _cert(23, 15, 26, *_TN)),
    _product("tn-mang-cau-thanh-tan", "Mãng cầu Bà Đen", "Ba Den sugar apple", "1.1",
             "Mãng cầu ta trái to, múi dày, ngọt.", "Large sweet sugar apples with thick segments.",
             _cert(24, 16, 27, *_TN)),
    _product("tn-mang-cau-thanh-tan", "Mãng cầu sấy dẻo", "Soft-dried sugar apple", "1.2",
             "Mãng cầu ta sấy dẻo, túi 200 g.", "Soft-dried sugar apple, 200 g bag.",
             _cert(21, 14, 25, *_TN)),
    # Bà Rịa – Vũng Tàu
    _product("br-nuoc-mam-phuoc-hai", "Nước mắm cá cơm Phước Hải", "Phuoc Hai anchovy fish sauce", "1.2",
             "Nước mắm nhĩ cá cơm 35 độ đạm, chai 500 ml.", "First-press anchovy fish sauce, 35° protein, 500 ml.",
             _cert(26, 18, 30, *_BR)),
    _product("br-nuoc-mam-phuoc-hai", "Mắm ruốc Phước Hải", "Phuoc Hai shrimp paste", "1.2",
             "Mắm ruốc ủ muối, hũ 300 g.", "Salt-fermented krill paste, 300 g jar.",
             _cert(22, 15, 25, *_BR)),
    # Bình Phước
    _product("bp-dieu-minh-hung", "Hạt điều rang muối Bình Phước", "Binh Phuoc salted roasted cashews", "1.2",
             "Hạt điều còn vỏ lụa rang muối, hũ 500 g.", "Skin-on salted roasted cashews, 500 g.",
             _cert(27, 19, 30, *_BP)),
    _product("bp-dieu-minh-hung", "Hạt điều rang tỏi ớt", "Garlic and chilli cashews", "1.2",
             "Hạt điều rang với tỏi và ớt sấy.", "Cashews roasted with garlic and dried chilli.",
             _cert(23, 16, 27, *_BP)),
    # TP Hồ Chí Minh
    _product("hcm-kho-ca-can-thanh", "Khô cá dứa một nắng Cần Giờ", "Can Gio sun-dried catfish", "1.2",
             "Cá dứa phơi một nắng, đóng túi hút chân không.", "Catfish dried for one day of sun, vacuum packed.",
             _cert(23, 16, 27, *_HCM)),
    _product("hcm-kho-ca-can-thanh", "Tôm khô Cần Giờ", "Can Gio dried shrimp", "1.2",
             "Tôm đất phơi khô, lột vỏ, túi 250 g.", "Peeled sun-dried shrimp, 250 g.",
             _cert(22, 15, 26, *_HCM)),
    _product("hcm-sua-tan-thong-hoi", "Sữa tươi thanh trùng Củ Chi", "Cu Chi pasteurised fresh milk", "2.2",
             "Sữa bò tươi thanh trùng, chai 1 lít.", "Pasteurised fresh cow's milk, 1 litre.",
             _cert(25, 18, 30, *_HCM)),
    _product("hcm-lan-phuoc-vinh-an", "Lan mokara cắt cành Củ Chi", "Cu Chi cut mokara orchids", "5.1",
             "Lan mokara cắt cành nhiều màu, bó 10 cành.", "Cut mokara orchids in many colours, 10 stems.",
             _cert(26, 18, 28, *_HCM)),
    _product("hcm-lan-phuoc-vinh-an", "Lan hồ điệp chậu", "Potted moth orchid", "5.1",
             "Lan hồ điệp chậu sứ, ba cành hoa.", "Moth orchid in a porcelain pot, three spikes.",
             _cert(22, 16, 25, *_HCM)),
    # Quảng Ninh (guest): two certificates of 2015-2016 expired before the fair; their products show no stars.
    _product("qn-cha-muc-hong-gai", "Chả mực giã tay Hạ Long", "Ha Long hand-pounded squid cake", "1.2",
             "Chả mực giã tay bằng cối đá, chiên vàng.", "Squid cake pounded in a stone mortar, fried golden.",
             _cert(28, 19, 31, *_QN17)),
    _product("qn-cha-muc-hong-gai", "Sá sùng khô", "Dried peanut worms", "1.2",
             "Sá sùng phơi khô, dùng nấu nước dùng phở.", "Dried peanut worms for noodle-soup broth.",
             _cert(25, 17, 28, *_QN15)),
    _product("qn-tra-hoa-vang-thanh-son", "Trà hoa vàng Ba Chẽ", "Ba Che golden camellia tea", "3.4",
             "Bông trà hoa vàng sấy lạnh, hộp 50 g.", "Cold-dried golden camellia flowers, 50 g.",
             _cert(22, 15, 26, *_QN16B)),
    _product("qn-tra-hoa-vang-thanh-son", "Rượu ba kích Ba Chẽ", "Ba Che morinda liqueur", "2.1",
             "Rượu ngâm rễ ba kích tím, 29 độ.", "Purple morinda root liqueur, 29%.",
             _cert(21, 15, 25, *_QN16A)),
    _product("qn-tra-hoa-vang-thanh-son", "Ba kích tím ngâm mật ong", "Purple morinda in honey", "3.1",
             "Rễ ba kích tím rút lõi ngâm mật ong rừng.", "Cored purple morinda roots steeped in wild honey.",
             _cert(23, 15, 27, *_QN18)),
    # Products of applications that were not approved: in the registry, never in the fair's catalog.
    _product("bt-ca-cao-luong-hoa", "Bột ca cao nguyên chất Giồng Trôm", "Giong Trom pure cocoa powder", "1.2",
             "Bột ca cao lên men, rang và xay tại nhà.", "Fermented, roasted and ground cocoa powder."),
    _product("dn-chom-chom-binh-loc", "Chôm chôm Java Long Khánh", "Long Khanh Java rambutan", "1.1",
             "Chôm chôm Java tróc vỏ, cơm giòn.", "Free-stone Java rambutans with crisp flesh.",
             _cert(23, 15, 26, *_DN)),
    _product("hcm-my-pham-pho-thi", "Kem dưỡng da thảo mộc", "Herbal face cream", "3.3",
             "Kem dưỡng da chiết xuất thảo mộc.", "Face cream with herbal extracts."),
    _product("hg-khom-hoa-tien", "Khóm Cầu Đúc", "Cau Duc pineapple", "1.1",
             "Khóm Cầu Đúc trái nhỏ, mắt lồi, ngọt đậm.", "Small, sweet Cầu Đúc pineapples.",
             _cert(23, 15, 27, "3170/QĐ-UBND", "2018-12-18")),
    _product("ag-banh-bo-tri-ton", "Bánh bò thốt nốt", "Palm sugar sponge cake", "1.2",
             "Bánh bò nướng từ bột gạo, đường thốt nốt, nước cốt dừa.", "Baked cake of rice flour, palm sugar, coconut milk."),
]  # fmt: skip

# Exhibitor applications. "booths": one entry per booth, the zone's code, "*" for a premium booth; booths
# are handed out in code order, so the list order (by province inside each zone) is the floor order.
# Products are named as in the registry (services.demo_data or PRODUCTS above).
EXHIBITORS: list[dict[str, Any]] = [
    # ---------------------------------------------------------------- Zone A, food
    {"producer": "htx-buoi-son-dinh", "booths": ["A*"], "products": ["Bưởi da xanh Chợ Lách"],
     "description": "Bưởi da xanh Chợ Lách trong vùng chỉ dẫn địa lý “Bến Tre”, có tem truy xuất nguồn gốc.",
     "description_en": "Chợ Lách green-skin pomelos from the “Bến Tre” geographical indication area, with trace labels."},
    {"producer": "cty-keo-dua-phu-hung", "booths": ["A*"],
     "products": ["Kẹo dừa truyền thống Phú Hưng", "Kẹo dừa sầu riêng lá dứa", "Kẹo dừa ca cao", "Kẹo dừa gừng"],
     "description": "Ra mắt Kẹo dừa sầu riêng lá dứa; xem gói kẹo bằng tay tại gian hàng.",
     "description_en": "Launching the durian-pandan coconut candy; watch candies wrapped by hand at the booth."},
    {"producer": "tht-banh-phong-son-doc", "booths": ["A"],
     "products": ["Bánh phồng Sơn Đốc sữa dừa", "Bánh phồng Sơn Đốc nếp lá dứa"],
     "description": "Bánh phồng Sơn Đốc nướng tại chỗ; đăng ký tour về làng nghề ngày 9/6.",
     "description_en": "Sơn Đốc puffed rice cakes grilled on the spot; sign up for the craft-village tour on 9 June."},
    {"producer": "hkd-banh-trang-my-long", "booths": ["A"], "products": ["Bánh tráng Mỹ Lồng nước dừa"]},
    {"producer": "htx-dua-xanh-giong-trom", "booths": ["A"],
     "products": ["Nước màu dừa Phước Long", "Dừa xiêm xanh Giồng Trôm"]},
    {"producer": "htx-cai-mon", "booths": ["A", "E", "E"], "products": ["Sầu riêng Cái Mơn", "Mai vàng bonsai Cái Mơn"],
     "description": "Sầu riêng Cái Mơn ở khu thực phẩm, mai vàng bonsai ở khu sinh vật cảnh.",
     "description_en": "Cái Mơn durian in the food zone, yellow apricot bonsai in the ornamental zone."},
    {"producer": "hkd-tep-rang-dua-my-hung", "booths": ["A"], "products": ["Tép rang dừa Mỹ Hưng"]},
    {"producer": "htx-my-an-thanh-phu", "booths": ["A", "D"], "products": ["Gạo sạch Thạnh Phú", "Chổi cọng dừa Mỹ An"]},
    {"producer": "htx-cu-lao-tam-hiep", "booths": ["A", "F"],
     "products": ["Nhãn sấy Tam Hiệp", "Tắc sấy dẻo Tam Hiệp", "Homestay vườn nhãn cù lao Tam Hiệp"]},
    {"producer": "hkd-banh-dua-giong-luong", "booths": ["A"], "products": ["Bánh dừa Giồng Luông"]},
    {"producer": "bt-thach-dua-mo-cay-bac", "booths": ["A"], "products": ["Thạch dừa nha đam", "Thạch dừa sợi"],
     "description": "Thạch dừa của huyện Mỏ Cày Bắc, vùng dừa ven sông Thom.",
     "description_en": "Coconut jelly from Mỏ Cày Bắc district, coconut country along the Thom river."},
    {"producer": "tg-vu-sua-vinh-kim", "booths": ["A"], "products": ["Vú sữa Lò Rèn Vĩnh Kim"]},
    {"producer": "tg-thanh-long-quon-long", "booths": ["A"], "products": ["Thanh long ruột đỏ Chợ Gạo", "Thanh long sấy dẻo"]},
    {"producer": "tg-mam-tom-cha-go-cong", "booths": ["A"], "products": ["Mắm tôm chà Gò Công"]},
    {"producer": "vl-buoi-nam-roi-my-hoa", "booths": ["A"], "products": ["Bưởi Năm Roi Bình Minh"]},
    {"producer": "vl-khoai-lang-thanh-loi", "booths": ["A"], "products": ["Khoai lang tím Bình Tân", "Khoai lang tím sấy giòn"]},
    {"producer": "tv-dua-sap-hoa-tan", "booths": ["A"], "products": ["Dừa sáp Cầu Kè", "Mứt dừa sáp"]},
    {"producer": "tv-banh-tet-tra-cuon", "booths": ["A"], "products": ["Bánh tét Trà Cuôn", "Bánh tét lá cẩm Trà Cuôn"]},
    {"producer": "dt-xoai-my-xuong", "booths": ["A"], "products": ["Xoài cát Chu Cao Lãnh", "Xoài sấy dẻo Cao Lãnh"]},
    {"producer": "dt-nem-lai-vung", "booths": ["A"], "products": ["Nem Lai Vung"]},
    {"producer": "ct-gao-thanh-an", "booths": ["A"], "products": ["Gạo thơm Vĩnh Thạnh", "Gạo lứt huyết rồng Vĩnh Thạnh"]},
    {"producer": "ag-thot-not-luong-phi", "booths": ["A"], "products": ["Đường thốt nốt Bảy Núi", "Đường thốt nốt dạng cát"],
     "description": "Đường thốt nốt Bảy Núi, sản phẩm tiềm năng 5 sao của An Giang.",
     "description_en": "Seven Mountains palm sugar, An Giang's potential 5-star product."},
    {"producer": "ag-mam-chau-doc", "booths": ["A"], "products": ["Mắm thái Châu Đốc", "Mắm cá linh Châu Đốc"]},
    {"producer": "st-banh-pia-phu-tam", "booths": ["A"], "products": ["Bánh pía sầu riêng trứng muối", "Bánh pía kim sa đậu xanh"]},
    {"producer": "st-hanh-tim-lac-hoa", "booths": ["A"], "products": ["Hành tím Vĩnh Châu", "Hành tím phi Vĩnh Châu"]},
    {"producer": "dn-buoi-tan-trieu", "booths": ["A"], "products": ["Bưởi đường lá cam Tân Triều"]},
    {"producer": "bd-mang-cut-binh-nham", "booths": ["A"], "products": ["Măng cụt Lái Thiêu"]},
    {"producer": "tn-muoi-tom-long-thanh-trung", "booths": ["A"], "products": ["Muối tôm hạt to Tây Ninh", "Muối tôm hạt nhuyễn Tây Ninh"]},
    {"producer": "tn-mang-cau-thanh-tan", "booths": ["A"], "products": ["Mãng cầu Bà Đen", "Mãng cầu sấy dẻo"]},
    {"producer": "br-nuoc-mam-phuoc-hai", "booths": ["A"], "products": ["Nước mắm cá cơm Phước Hải", "Mắm ruốc Phước Hải"]},
    {"producer": "bp-dieu-minh-hung", "booths": ["A"], "products": ["Hạt điều rang muối Bình Phước", "Hạt điều rang tỏi ớt"]},
    {"producer": "hcm-kho-ca-can-thanh", "booths": ["A"], "products": ["Khô cá dứa một nắng Cần Giờ", "Tôm khô Cần Giờ"]},
    # ---------------------------------------------------------------- Zone B, beverages
    {"producer": "tht-ruou-phu-le", "booths": ["B"], "products": ["Rượu Phú Lễ"],
     "description": "Rượu Phú Lễ nấu từ nếp và men lá của xã Phú Lễ, huyện Ba Tri.",
     "description_en": "Phú Lễ rice spirit brewed from glutinous rice and leaf yeast in Phú Lễ commune, Ba Tri."},
    {"producer": "bt-ruou-dua-cam-son", "booths": ["B"], "products": ["Rượu dừa Cẩm Sơn"]},
    {"producer": "bt-nuoc-dua-luong-quoi", "booths": ["B"], "products": ["Nước dừa xiêm đóng chai"]},
    {"producer": "tg-ruou-so-ri-tan-thanh", "booths": ["B"], "products": ["Rượu sơ ri Gò Công", "Nước cốt sơ ri"]},
    {"producer": "la-ruou-go-den", "booths": ["B"], "products": ["Rượu nếp Gò Đen"]},
    {"producer": "kg-ruou-sim-ham-ninh", "booths": ["B"], "products": ["Rượu sim rừng Phú Quốc", "Nước cốt sim Phú Quốc"]},
    {"producer": "hcm-sua-tan-thong-hoi", "booths": ["B"], "products": ["Sữa tươi thanh trùng Củ Chi"]},
    # ---------------------------------------------------------------- Zone C, herbal products and cosmetics
    {"producer": "cty-my-pham-dua-dong-khoi", "booths": ["C"], "products": ["Mặt nạ dưỡng da từ nước dừa"]},
    {"producer": "bt-xa-bong-dua-son-dong", "booths": ["C"], "products": ["Xà bông dừa thiên nhiên", "Dầu gội bồ kết dừa"]},
    {"producer": "htx-sen-thap-muoi", "booths": ["C"], "products": ["Trà tim sen Tháp Mười"]},
    {"producer": "tv-tinh-dau-sa-tap-son", "booths": ["C"], "products": ["Tinh dầu sả chanh Trà Vinh"]},
    {"producer": "ct-tra-mang-cau-my-khanh", "booths": ["C"], "products": ["Trà mãng cầu xiêm Mỹ Khánh"]},
    {"producer": "ag-duoc-lieu-that-son", "booths": ["C"], "products": ["Trà khổ qua rừng Bảy Núi"]},
    {"producer": "bd-nam-duoc-lieu-phu-hoa", "booths": ["C"], "products": ["Đông trùng hạ thảo sấy thăng hoa"]},
    # ---------------------------------------------------------------- Zone D, handicrafts
    {"producer": "htx-gao-dua-thanh-tan", "booths": ["D"], "products": ["Bộ chén muỗng gáo dừa"],
     "description": "Gáo dừa mỹ nghệ của xã Thanh Tân, huyện Mỏ Cày Bắc: chén, muỗng, bình trà.",
     "description_en": "Coconut-shell crafts from Thanh Tân commune, Mỏ Cày Bắc district: bowls, spoons, teapots."},
    {"producer": "bt-luc-binh-tien-thuy", "booths": ["D"], "products": ["Giỏ đan lục bình", "Thảm lục bình"]},
    {"producer": "vl-gom-do-nhon-phu", "booths": ["D"], "products": ["Chậu gốm đỏ Mang Thít", "Bình gốm đỏ trang trí"]},
    {"producer": "dt-chieu-dinh-yen", "booths": ["D"], "products": ["Chiếu lác in hoa Định Yên", "Túi xách lác Định Yên"]},
    {"producer": "ag-lua-long-hung", "booths": ["D"], "products": ["Lụa Tân Châu nhuộm trái mặc nưa", "Khăn choàng lụa Tân Châu"]},
    {"producer": "bd-son-mai-tuong-binh-hiep", "booths": ["D"], "products": ["Tranh sơn mài phong cảnh Nam Bộ", "Hộp sơn mài khảm trứng"]},
    {"producer": "dn-gom-tan-van", "booths": ["D"], "products": ["Chậu gốm men xanh đồng trổ Biên Hòa"]},
    # ---------------------------------------------------------------- Zone E, ornamental plants (outdoor)
    {"producer": "bt-bonsai-long-thoi", "booths": ["E", "E"], "products": ["Bonsai mai chiếu thủy", "Hoa giấy bonsai"]},
    {"producer": "dt-hoa-tan-quy-dong", "booths": ["E", "E"], "products": ["Hoa hồng Sa Đéc", "Kiểng lá Sa Đéc"]},
    {"producer": "hcm-lan-phuoc-vinh-an", "booths": ["E"], "products": ["Lan mokara cắt cành Củ Chi", "Lan hồ điệp chậu"]},
    # ---------------------------------------------------------------- Zone F, community tourism
    {"producer": "cty-du-lich-con-phung", "booths": ["F*"], "products": ["Điểm du lịch sinh thái Cồn Phụng"],
     "description": "Đặt tour Cồn Phụng bằng thuyền chiều 9/6; đờn ca tài tử tại gian hàng mỗi tối.",
     "description_en": "Book the Cồn Phụng boat tour on the afternoon of 9 June; folk music at the booth every evening."},
    {"producer": "bt-du-lich-cai-mon", "booths": ["F"], "products": ["Tour làng hoa kiểng Cái Mơn – Chợ Lách"]},
    {"producer": "bt-du-lich-song-thom", "booths": ["F"], "products": ["Du lịch chợ nổi dừa sông Thom"]},
    {"producer": "tg-du-lich-thoi-son", "booths": ["F"], "products": ["Du lịch sinh thái cù lao Thới Sơn"]},
    {"producer": "vl-du-lich-an-binh", "booths": ["F"], "products": ["Homestay miệt vườn cù lao An Bình"]},
    # ---------------------------------------------------------------- Zone G, guest pilot provinces
    {"producer": "htx-cau-dat-xuan-truong", "booths": ["G", "G"], "products": ["Cà phê Arabica Cầu Đất", "Trà atiso Đà Lạt"],
     "description": "Khách mời từ tỉnh Lâm Đồng: cà phê Arabica Cầu Đất, trà atiso.",
     "description_en": "Guest from Lâm Đồng province: Cầu Đất Arabica coffee, artichoke tea."},
    {"producer": "cty-duoc-lieu-ngoc-linh", "booths": ["G"], "products": ["Cao sâm Ngọc Linh"],
     "description": "Khách mời từ tỉnh Quảng Nam: sản phẩm từ sâm Ngọc Linh trồng dưới tán rừng.",
     "description_en": "Guest from Quảng Nam province: products of Ngọc Linh ginseng grown under the forest."},
    {"producer": "cty-nem-xu-thanh", "booths": ["G"], "products": ["Nem chua Thanh Hóa"],
     "description": "Khách mời từ tỉnh Thanh Hóa: nem chua gói lá chuối, lá đinh lăng.",
     "description_en": "Guest from Thanh Hóa province: fermented pork rolls in banana and polyscias leaves."},
    {"producer": "htx-tinh-dau-tram-phong-dien", "booths": ["G"], "products": ["Tinh dầu tràm Phong Điền"],
     "description": "Khách mời từ tỉnh Thừa Thiên-Huế, một trong 12 tỉnh chỉ đạo điểm OCOP năm 2019.",
     "description_en": "Guest from Thừa Thiên-Huế province, one of the 12 OCOP pilot provinces of 2019."},
    {"producer": "qn-cha-muc-hong-gai", "booths": ["G"], "products": ["Chả mực giã tay Hạ Long", "Sá sùng khô"],
     "description": "Khách mời từ tỉnh Quảng Ninh, nơi khởi đầu chương trình OCOP từ năm 2013.",
     "description_en": "Guest from Quảng Ninh province, where the OCOP programme began in 2013."},
    {"producer": "qn-tra-hoa-vang-thanh-son", "booths": ["G"],
     "products": ["Trà hoa vàng Ba Chẽ", "Rượu ba kích Ba Chẽ", "Ba kích tím ngâm mật ong"]},
]  # fmt: skip

# Applications in other states: not exhibitors, never in the catalog. "wanted": the zone asked for.
OTHER_APPLICATIONS: list[dict[str, Any]] = [
    {"producer": "bt-ca-cao-luong-hoa", "status": "submitted", "wanted": "A",
     "products": ["Bột ca cao nguyên chất Giồng Trôm"], "submitted_at": "2019-06-01T16:20:00+07:00",
     "description": "Xin tham gia muộn: ca cao trồng dưới tán dừa Giồng Trôm."},
    {"producer": "ag-banh-bo-tri-ton", "status": "submitted", "wanted": "A",
     "products": ["Bánh bò thốt nốt"], "submitted_at": "2019-06-03T09:05:00+07:00"},
    {"producer": "dn-chom-chom-binh-loc", "status": "waitlisted", "wanted": "A",
     "products": ["Chôm chôm Java Long Khánh"], "submitted_at": "2019-05-28T10:00:00+07:00",
     "decided_at": "2019-05-30T15:00:00+07:00",
     "description": "Chờ gian trống ở khu thực phẩm."},
    {"producer": "hcm-my-pham-pho-thi", "status": "rejected", "wanted": "C",
     "products": ["Kem dưỡng da thảo mộc"], "submitted_at": "2019-05-10T11:30:00+07:00",
     "decided_at": "2019-05-20T09:00:00+07:00",
     "description": "Mỹ phẩm thảo mộc nhập về phân phối."},
    {"producer": "hg-khom-hoa-tien", "status": "cancelled", "wanted": "A",
     "products": ["Khóm Cầu Đúc"], "submitted_at": "2019-04-25T08:45:00+07:00",
     "decided_at": "2019-05-31T17:00:00+07:00",
     "description": "Rút đơn: trùng vụ thu hoạch khóm."},
]  # fmt: skip
# Approved applications arrived from mid-April, a few hours apart; decided and placed in May.
APPROVED_SUBMITTED_FROM = "2019-04-15T08:00:00+07:00"
APPROVED_DECIDED_AT = "2019-05-20T10:00:00+07:00"
ASSIGNED_AT = "2019-05-25T14:00:00+07:00"

# The programme (times in Viet Nam, UTC+7).
SESSIONS: list[dict[str, Any]] = [
    {
        "kind": "ceremony",
        "title": "Lễ khai mạc Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ",
        "title_en": "Opening ceremony of the OCOP-Tourism Fair 2019",
        "starts_at": "2019-06-06T08:00:00+07:00",
        "ends_at": "2019-06-06T09:30:00+07:00",
        "place": "Sân khấu chính, Quảng trường Đồng Khởi",
        "speakers": ["Đại diện lãnh đạo UBND tỉnh Bến Tre", "Đại diện các tỉnh có gian hàng tham gia"],
        "description": "Khai mạc, cắt băng, tham quan các khu gian hàng; biểu diễn đờn ca tài tử Nam Bộ.",
        "description_en": "Opening, ribbon cutting, a walk through the zones; đờn ca tài tử music.",
    },
    {
        "kind": "seminar",
        "title": "Hội thảo kết nối cung – cầu sản phẩm OCOP vùng Tây Nam Bộ và Đông Nam Bộ",
        "title_en": "Seminar: matching OCOP supply and demand across the Southwest and Southeast",
        "starts_at": "2019-06-06T14:00:00+07:00",
        "ends_at": "2019-06-06T16:30:00+07:00",
        "place": "Nhà hội thảo, khu hội chợ",
        "speakers": ["ThS. Phan Thị Mỹ Duyên (demo), chuyên gia phân phối bán lẻ",
                     "Ông Nguyễn Hữu Phát (demo), đại diện một chuỗi siêu thị"],
        "description": "Yêu cầu của siêu thị và nhà phân phối với sản phẩm OCOP: sản lượng ổn định, bao bì, "
        "mã vạch, truy xuất nguồn gốc; đặt hàng giữa hai vùng.",
        "description_en": "What supermarkets and distributors ask of OCOP products: steady volumes, packaging, "
        "barcodes, traceability; orders between the two regions.",
    },
    {
        "kind": "seminar",
        "title": "Xây dựng thương hiệu và bao bì cho sản phẩm OCOP",
        "title_en": "Seminar: building brands and packaging for OCOP products",
        "starts_at": "2019-06-07T08:30:00+07:00",
        "ends_at": "2019-06-07T11:00:00+07:00",
        "place": "Nhà hội thảo, khu hội chợ",
        "speakers": ["TS. Lê Hoàng Nam (demo), chuyên gia thương hiệu",
                     "Trần Quốc Bảo (demo), nhà thiết kế bao bì"],
        "description": "Câu chuyện sản phẩm, nhãn hàng hóa theo Nghị định 43/2017/NĐ-CP, chỉ dẫn địa lý và "
        "nhãn hiệu tập thể (bưởi da xanh Bến Tre, dừa xiêm xanh).",
        "description_en": "Product stories, labelling under Decree 43/2017/NĐ-CP, geographical indications and "
        "collective marks (Bến Tre green-skin pomelo, green coconut).",
    },
    {
        "kind": "business_matching",
        "title": "Phiên kết nối giao thương: chủ thể OCOP gặp doanh nghiệp phân phối và xuất khẩu",
        "title_en": "Business matching: OCOP producers meet distributors and exporters",
        "starts_at": "2019-06-07T14:00:00+07:00",
        "ends_at": "2019-06-07T17:00:00+07:00",
        "place": "Khu kết nối giao thương, cạnh khu A",
        "speakers": ["Điều phối: Nguyễn Thanh Tùng (demo)"],
        "description": "Gặp gỡ theo lịch hẹn đăng ký trước giữa các chủ thể OCOP và doanh nghiệp thu mua; "
        "ký kết biên bản ghi nhớ.",
        "description_en": "Pre-booked meetings between OCOP producers and buyers; memoranda signed on site.",
    },
    {
        "kind": "seminar",
        "title": "Khởi nghiệp từ sản phẩm OCOP: từ ý tưởng đến thị trường",
        "title_en": "Seminar: OCOP start-ups, from idea to market",
        "starts_at": "2019-06-08T08:30:00+07:00",
        "ends_at": "2019-06-08T11:00:00+07:00",
        "place": "Nhà hội thảo, khu hội chợ",
        "speakers": ["Võ Thị Ngọc Trâm (demo), nhà sáng lập một doanh nghiệp khởi nghiệp từ dừa",
                     "Đại diện Quỹ hỗ trợ khởi nghiệp nông thôn (demo)"],
        "description": "Đăng ký ý tưởng sản phẩm, lập phương án kinh doanh theo chu trình OCOP, vốn vay ưu đãi.",
        "description_en": "Registering a product idea, writing the business plan of the OCOP cycle, soft loans.",
    },
    {
        "kind": "seminar",
        "title": "Phát triển du lịch nông thôn gắn với sản phẩm OCOP",
        "title_en": "Seminar: rural tourism built on OCOP products",
        "starts_at": "2019-06-08T14:00:00+07:00",
        "ends_at": "2019-06-08T16:30:00+07:00",
        "place": "Nhà hội thảo, khu hội chợ",
        "speakers": ["ThS. Đoàn Thị Phương Thảo (demo), giảng viên du lịch",
                     "Đại diện HTX Du Lịch Làng Hoa Cái Mơn (demo)"],
        "description": "Bốn mô hình du lịch cộng đồng gắn với làng nghề và lễ hội truyền thống; tuyến Giồng Trôm "
        "– Ba Tri: làng nghề bánh phồng Sơn Đốc, khu tưởng niệm Nguyễn Đình Chiểu, lò Rượu Phú Lễ.",
        "description_en": "Four community-tourism models built on craft villages and traditional festivals; the "
        "Giồng Trôm – Ba Tri route: the Sơn Đốc puffed rice cake village, the Nguyễn Đình Chiểu memorial, "
        "the Phú Lễ rice spirit kilns.",
    },
    {
        "kind": "other",
        "title": "Đêm giao lưu đờn ca tài tử Nam Bộ",
        "title_en": "Evening of southern đờn ca tài tử music",
        "starts_at": "2019-06-08T19:30:00+07:00",
        "ends_at": "2019-06-08T21:30:00+07:00",
        "place": "Sân khấu chính, Quảng trường Đồng Khởi",
        "speakers": ["Các câu lạc bộ đờn ca tài tử của Bến Tre và Tiền Giang"],
        "description": "Giao lưu văn nghệ giữa các câu lạc bộ đờn ca tài tử, di sản văn hóa phi vật thể của nhân loại.",
        "description_en": "Clubs of đờn ca tài tử, UNESCO intangible cultural heritage, play together.",
    },
    {
        "kind": "tour",
        "title": "Tham quan làng nghề bánh phồng Sơn Đốc và khu tưởng niệm Nguyễn Đình Chiểu",
        "title_en": "Tour: the Sơn Đốc puffed rice cake village and the Nguyễn Đình Chiểu memorial",
        "starts_at": "2019-06-09T06:30:00+07:00",
        "ends_at": "2019-06-09T12:00:00+07:00",
        "place": "Xuất phát từ cổng chính hội chợ",
        "speakers": ["Hướng dẫn viên: Lê Thị Kim Thoa (demo)"],
        "description": "Xe đưa đón. Xem nướng và phơi bánh phồng ở xã Hưng Nhượng (Giồng Trôm), viếng khu tưởng niệm "
        "Nguyễn Đình Chiểu ở xã An Đức (Ba Tri), ghé lò Rượu Phú Lễ. Đăng ký tại quầy thông tin.",
        "description_en": "Coach transfer. Puffed rice cakes grilled and sun-dried in Hưng Nhượng (Giồng Trôm), a "
        "visit to the Nguyễn Đình Chiểu memorial in An Đức (Ba Tri), the Phú Lễ rice spirit kilns. Sign up "
        "at the information desk.",
    },
    {
        "kind": "tour",
        "title": "Tham quan Cồn Phụng bằng thuyền",
        "title_en": "Tour: Cồn Phụng islet by boat",
        "starts_at": "2019-06-09T14:00:00+07:00",
        "ends_at": "2019-06-09T17:30:00+07:00",
        "place": "Bến thuyền du lịch, thành phố Bến Tre",
        "speakers": ["Hướng dẫn viên của Công ty TNHH Du Lịch Sinh Thái Cồn Phụng Xanh (demo)"],
        "description": "Thuyền qua sông Tiền, đi xuồng ba lá trong rạch dừa, thăm lò kẹo dừa và xưởng gáo dừa.",
        "description_en": "A boat across the Tiền river, sampans through coconut canals, candy and "
        "coconut-shell workshops.",
    },
    {
        "kind": "ceremony",
        "title": "Lễ bế mạc và trao giải gian hàng đẹp",
        "title_en": "Closing ceremony and best-booth awards",
        "starts_at": "2019-06-10T16:00:00+07:00",
        "ends_at": "2019-06-10T17:00:00+07:00",
        "place": "Sân khấu chính, Quảng trường Đồng Khởi",
        "speakers": ["Ban Tổ chức Hội chợ OCOP - Du lịch 2019 (demo)"],
        "description": "Tổng kết, trao giải gian hàng đẹp và sản phẩm được khách tham quan yêu thích.",
        "description_en": "Summary, awards for the best booths and the visitors' favourite products.",
    },
]  # fmt: skip

# Community-tourism offerings; "product" names the OCOP group 6 product, where there is one.
OFFERINGS: list[dict[str, Any]] = [
    {
        "kind": "community_tourism",
        "name": "Điểm du lịch sinh thái Cồn Phụng",
        "name_en": "Cồn Phụng islet eco-tourism site",
        "commune_code": "28804",  # Xã Tân Thạch, huyện Châu Thành
        "address": "Cồn Phụng, xã Tân Thạch, huyện Châu Thành, tỉnh Bến Tre",
        "description": "Cồn giữa sông Tiền: xuồng ba lá trong rạch dừa, đờn ca tài tử, lò kẹo dừa, xưởng gáo dừa.",
        "description_en": "An islet in the Tiền river: sampans in coconut canals, folk music, candy and "
        "coconut-shell workshops.",
        "product": ("cty-du-lich-con-phung", "Điểm du lịch sinh thái Cồn Phụng"),
        "contact": "Công ty TNHH Du Lịch Sinh Thái Cồn Phụng Xanh (demo)",
    },
    {
        "kind": "craft_village",
        "name": "Làng hoa kiểng Cái Mơn – Chợ Lách",
        "name_en": "Cái Mơn – Chợ Lách flower and bonsai village",
        "commune_code": "28894",  # Xã Vĩnh Thành, huyện Chợ Lách
        "address": "Huyện Chợ Lách, tỉnh Bến Tre",
        "description": "Làng nghề hoa kiểng, giống cây ăn trái hơn trăm năm; mùa sầu riêng từ tháng 5 đến tháng 7.",
        "description_en": "A century-old village of flowers, bonsai and fruit-tree nurseries; durian season May to July.",
        "product": ("bt-du-lich-cai-mon", "Tour làng hoa kiểng Cái Mơn – Chợ Lách"),
        "contact": "HTX Du Lịch Làng Hoa Cái Mơn (demo)",
    },
    {
        "kind": "craft_village",
        "name": "Làng nghề bánh phồng Sơn Đốc",
        "name_en": "Sơn Đốc puffed rice cake village",
        "commune_code": "29044",  # Xã Hưng Nhượng, huyện Giồng Trôm
        "address": "Xã Hưng Nhượng, huyện Giồng Trôm, tỉnh Bến Tre",
        "description": "Nghề làm bánh phồng Sơn Đốc, di sản văn hóa phi vật thể quốc gia (2018): quết bột nếp, "
        "cán bánh, phơi trên giàn tre.",
        "description_en": "The Sơn Đốc puffed rice cake craft, national intangible heritage (2018): pounding "
        "glutinous rice, rolling, drying on bamboo racks.",
        "product": None,
        "contact": "Tổ hợp tác Bánh Phồng Sơn Đốc Hưng Nhượng (demo)",
    },
    {
        "kind": "homestay",
        "name": "Homestay cù lao Tam Hiệp",
        "name_en": "Tam Hiệp islet homestay",
        "commune_code": "29053",  # Xã Tam Hiệp, huyện Bình Đại
        "address": "Xã Tam Hiệp, huyện Bình Đại, tỉnh Bến Tre",
        "description": "Nghỉ trong vườn nhãn, sấy nhãn và tắc cùng chủ nhà, đạp xe quanh cù lao.",
        "description_en": "Stay in a longan orchard, dry longans and kumquats with the hosts, cycle round the islet.",
        "product": ("htx-cu-lao-tam-hiep", "Homestay vườn nhãn cù lao Tam Hiệp"),
        "contact": "HTX Nông sản Cù lao Tam Hiệp (demo)",
    },
    {
        "kind": "community_tourism",
        "name": "Chợ nổi dừa sông Thom",
        "name_en": "Thom river floating coconut market",
        "commune_code": "28951",  # Xã An Thạnh, huyện Mỏ Cày Nam (the Mỏ Cày Bắc bank: Khánh Thạnh Tân)
        "address": "Sông Thom, xã An Thạnh (Mỏ Cày Nam) và xã Khánh Thạnh Tân (Mỏ Cày Bắc), tỉnh Bến Tre",
        "description": "Chợ mua bán dừa trên ghe, họp đông nhất lúc sáng sớm; hai bờ là xưởng chỉ xơ dừa, cơm dừa.",
        "description_en": "Coconuts traded from boats, busiest at dawn; coir and copra workshops line both banks.",
        "product": ("bt-du-lich-song-thom", "Du lịch chợ nổi dừa sông Thom"),
        "contact": "Tổ hợp tác Du Lịch Chợ Nổi Sông Thom (demo)",
    },
    {
        "kind": "tour",
        "name": "Tuyến Giồng Trôm – Ba Tri: bánh phồng Sơn Đốc, khu tưởng niệm Nguyễn Đình Chiểu, Rượu Phú Lễ",
        "name_en": "Giồng Trôm – Ba Tri route: Sơn Đốc cakes, the Nguyễn Đình Chiểu memorial, Phú Lễ spirit",
        "commune_code": "29173",  # Xã An Đức, huyện Ba Tri
        "address": "Huyện Giồng Trôm và huyện Ba Tri, tỉnh Bến Tre",
        "description": "Một ngày theo cụm du lịch Giồng Trôm – Ba Tri, khởi hành từ thành phố Bến Tre.",
        "description_en": "A day along the Giồng Trôm – Ba Tri tourism cluster, from Bến Tre city.",
        "product": None,
        "contact": "Quầy thông tin hội chợ",
    },
    {
        "kind": "community_tourism",
        "name": "Cù lao Thới Sơn",
        "name_en": "Thới Sơn islet",
        "commune_code": "28591",  # Xã Thới Sơn, thành phố Mỹ Tho, tỉnh Tiền Giang
        "address": "Xã Thới Sơn, thành phố Mỹ Tho, tỉnh Tiền Giang",
        "description": "Cù lao trên sông Tiền đối diện Cồn Phụng: vườn trái cây, nuôi ong, đờn ca tài tử.",
        "description_en": "An islet in the Tiền river across from Cồn Phụng: orchards, bee farms, folk music.",
        "product": ("tg-du-lich-thoi-son", "Du lịch sinh thái cù lao Thới Sơn"),
        "contact": "HTX Du Lịch Cù Lao Thới Sơn (demo)",
    },
    {
        "kind": "homestay",
        "name": "Homestay cù lao An Bình",
        "name_en": "An Bình islet homestay",
        "commune_code": "29587",  # Xã An Bình, huyện Long Hồ, tỉnh Vĩnh Long
        "address": "Xã An Bình, huyện Long Hồ, tỉnh Vĩnh Long",
        "description": "Nhà vườn đón khách nghỉ đêm giữa sông Cổ Chiên.",
        "description_en": "Orchard houses taking overnight guests in the Cổ Chiên river.",
        "product": ("vl-du-lich-an-binh", "Homestay miệt vườn cù lao An Bình"),
        "contact": "HTX Du Lịch Cộng Đồng Cù Lao An Bình (demo)",
    },
]

SPONSORS: list[dict[str, Any]] = [
    {"name": "Ngân hàng Nông Nghiệp Xanh Miền Tây (demo)", "level": "gold",
     "website": "https://nganhang-xanh.example.vn"},
    {"name": "Công ty CP Bao Bì Xứ Dừa (demo)", "level": "silver", "website": "https://baobi-xudua.example.vn"},
    {"name": "Công ty TNHH Vận Tải Lạnh Cửu Long (demo)", "level": "partner", "website": None},
    {"name": "Chuỗi Cửa Hàng Đặc Sản Vùng Miền (demo)", "level": "partner", "website": None},
]  # fmt: skip

# Strings readers must see exactly (../shared/domain/demo-data.md).
MUST_RENDER: tuple[str, ...] = (
    "Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ",
    "Bưởi da xanh Chợ Lách",
    "Bánh phồng Sơn Đốc",
    "Mỏ Cày Bắc",
    "Nguyễn Đình Chiểu",
    "Thừa Thiên-Huế",
    "Rượu Phú Lễ",
    "Kẹo dừa sầu riêng lá dứa",
)
