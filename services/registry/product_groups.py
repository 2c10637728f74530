"""OCOP product groups and sub-groups, versioned by criteria set. Kept as reference data in the database
so that an uncertain row (148's finer sub-groups) is corrected by data, not by code."""

from __future__ import annotations

from typing import NamedTuple

from tortoise.transactions import in_transaction

from models import CriteriaSet, ProductGroup


class GroupRow(NamedTuple):
    code: str
    name: str
    name_en: str
    uncertain: bool = False


_GROUPS_148 = [
    GroupRow("1", "Thực phẩm", "Food"),
    GroupRow("1.1", "Thực phẩm tươi sống", "Fresh produce"),
    GroupRow("1.2", "Thực phẩm chế biến", "Processed food"),
    GroupRow("2", "Đồ uống", "Beverages"),
    GroupRow("2.1", "Đồ uống có cồn", "Alcoholic beverages"),
    GroupRow("2.2", "Đồ uống không cồn", "Non-alcoholic beverages"),
    GroupRow("3", "Dược liệu và sản phẩm từ dược liệu", "Medicinal herbs and herbal products"),
    GroupRow("3.1", "Thực phẩm chức năng, thực phẩm bảo vệ sức khỏe", "Functional food", True),
    GroupRow("3.2", "Thuốc dược liệu, thuốc y học cổ truyền", "Herbal medicine", True),
    GroupRow("3.3", "Mỹ phẩm có thành phần từ dược liệu", "Herbal cosmetics", True),
    GroupRow("3.4", "Tinh dầu và trà dược liệu", "Essential oils and herbal teas", True),
    GroupRow("4", "Hàng thủ công mỹ nghệ", "Handicrafts"),
    GroupRow("4.1", "Thủ công mỹ nghệ từ gỗ, sợi, mây tre, dừa", "Wood, fibre, rattan, coconut", True),
    GroupRow("4.2", "Thủ công mỹ nghệ từ gốm sứ, kim loại, đá", "Ceramics, metal, stone", True),
    GroupRow("4.3", "Dệt may, thêu", "Textiles and embroidery", True),
    GroupRow("5", "Sinh vật cảnh", "Ornamentals"),
    GroupRow("5.1", "Hoa", "Flowers", True),
    GroupRow("5.2", "Cây cảnh, bonsai", "Ornamental plants and bonsai", True),
    GroupRow("5.3", "Động vật cảnh", "Ornamental animals", True),
    GroupRow(
        "6",
        "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
        "Community tourism, eco-tourism and tourist sites",
    ),
    GroupRow("6.1", "Dịch vụ và điểm du lịch", "Tourism services and sites", True),
]
_GROUPS_1048 = [
    GroupRow("1", "Thực phẩm", "Food"),
    GroupRow("1.1", "Nông sản tươi sống", "Fresh produce"),
    GroupRow("1.2", "Thực phẩm chế biến", "Processed food"),
    GroupRow("2", "Đồ uống", "Beverages"),
    GroupRow("2.1", "Đồ uống có cồn", "Alcoholic beverages"),
    GroupRow("2.2", "Đồ uống không cồn", "Non-alcoholic beverages"),
    GroupRow("3", "Thảo dược", "Herbs"),
    GroupRow("4", "Vải và may mặc", "Fabric and garments"),
    GroupRow("5", "Lưu niệm - nội thất - trang trí", "Souvenirs, furniture and decoration"),
    GroupRow("6", "Dịch vụ du lịch nông thôn, bán hàng", "Rural tourism services and sales"),
]
GROUPS: dict[CriteriaSet, list[GroupRow]] = {
    CriteriaSet.QD_148: _GROUPS_148,
    CriteriaSet.QD_1048: _GROUPS_1048,
}


def parent_code(code: str) -> str | None:
    return code.split(".", 1)[0] if "." in code else None


async def sync() -> None:
    """Insert missing groups and refresh names; existing ids never change."""
    async with in_transaction():
        for criteria_set, rows in GROUPS.items():
            ids: dict[str, int] = {}
            for row in rows:
                parent = parent_code(row.code)
                group, _ = await ProductGroup.update_or_create(
                    defaults={
                        "name": row.name,
                        "name_en": row.name_en,
                        "uncertain": row.uncertain,
                        "parent_id": ids[parent] if parent else None,
                    },
                    criteria_set=criteria_set,
                    code=row.code,
                )
                ids[row.code] = group.id
