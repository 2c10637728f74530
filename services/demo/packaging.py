"""Demo packaging designs (`services.demo.load` calls `load` after the accounts): designs of several demo
products in each state of the review, written through services/packaging/designs.py as the demo accounts
(so every rule applies and the thread shows who said what):

- Kẹo dừa truyền thống Phú Hưng: v1 sent back by the Bến Tre officer (net quantity too small), v2 APPROVED;
- Rượu Phú Lễ: v1 IN_REVIEW, declared without its ethanol content (an error finding: approval refused
  unless overridden), with the consultant's comment;
- Dừa xiêm xanh Giồng Trôm: v1 DRAFT of the demo producer account's cooperative;
- Nước màu dừa Phước Long: v1 CHANGES_REQUESTED by the consultant, with the producer's reply.

Idempotent: a design that exists (same product and name) is left alone. Without the demo accounts (they
are made only outside production) the system acts and comments carry no author.
"""

from __future__ import annotations

from typing import Any

import structlog
from tortoise.transactions import in_transaction

from models import (
    AdminUnit,
    DesignStatus,
    DesignVersion,
    LabelProductType,
    Membership,
    PackageType,
    PackagingDesign,
    Product,
    User,
)
from services.accounts.auth import Actor, Grant
from services.common import clock
from services.packaging import designs
from services.policy import SYSTEM, Reach, reach_of
from services.registry.stars import current_stars
from services.trace.identity import product_code

log = structlog.get_logger("ocop.demo")

CONSULTANT = "consultant@demo.ocop.vn"
OFFICER = "officer.bentre@demo.ocop.vn"
PRODUCER = "producer@demo.ocop.vn"


async def _reach(email: str) -> tuple[Reach, int | None]:
    """The demo account's reach and user id; the system's when the account is not there."""
    user = await User.get_or_none(email=email)
    if user is None:
        return SYSTEM, None
    grants = tuple(
        Grant(m.role, m.province_id, m.producer_id, m.fair_scope)
        for m in await Membership.filter(user_id=user.id)
    )
    return await reach_of(Actor(user_id=user.id, email=user.email, grants=grants)), user.id


def _link(base_url: str, product: Product) -> str:
    key = f"/01/{product.gtin}" if product.gtin else f"/p/{product_code(product.id)}"
    return base_url.rstrip("/") + key


def _common(product: Product, producer_name: str, address: str, base_url: str) -> dict[str, Any]:
    return {
        "product_name": {"text": product.name, "type_size_mm": 6},
        "responsible_party": {"name": producer_name, "address": address},
        "origin_wording": "Sản xuất tại Việt Nam",
        "qr": {"link": _link(base_url, product), "printed_size_mm": 20},
    }


async def _product(name: str) -> Product | None:
    return await Product.filter(name=name).select_related("producer", "latest_certificate").first()


async def _address(product: Product) -> str:
    """The producer's postal address: its line, then its commune and the units above it."""
    producer = product.producer
    parts = [producer.address_line]
    unit = await AdminUnit.get_or_none(id=producer.commune_id)
    while unit is not None:
        parts.append(unit.name)
        parent = unit.parent_id
        unit = await AdminUnit.get_or_none(id=parent) if parent else None
    return ", ".join(parts)


def _ocop(product: Product) -> dict[str, Any]:
    """The OCOP mark, declared only while the product's certificate is valid (else compliance errs)."""
    stars = current_stars(product.latest_certificate, clock.today())
    return {"ocop_mark": {"present": True, "stars": stars}} if stars else {}


async def _design(
    product: Product, name: str, label_type: LabelProductType, author: tuple[Reach, int | None]
) -> PackagingDesign | None:
    if await PackagingDesign.exists(product_id=product.id, name=name):
        return None
    reach, user_id = author
    return await designs.create_design(
        designs.DesignData(product_id=product.id, name=name, label_type=label_type), reach, user_id=user_id
    )


async def _version(
    design: PackagingDesign,
    declared: dict[str, Any],
    author: tuple[Reach, int | None],
    *,
    package_type: PackageType,
    width_mm: float,
    height_mm: float,
    **figures: Any,
) -> int:
    reach, user_id = author
    version = await designs.add_version(
        designs.VersionData(
            design_id=design.id,
            package_type=package_type,
            declared=declared,
            width_mm=width_mm,
            height_mm=height_mm,
            **figures,
        ),
        reach,
        user_id=user_id,
    )
    return version.id


async def load(base_url: str = "http://127.0.0.1:8000") -> int:
    """Create the demo designs that are missing; returns how many were created."""
    consultant = await _reach(CONSULTANT)
    officer = await _reach(OFFICER)
    member = await _reach(PRODUCER)
    system = (SYSTEM, None)
    created = 0

    # Kẹo dừa: sent back once, then approved by the province.
    product = await _product("Kẹo dừa truyền thống Phú Hưng")
    if product is not None:
        async with in_transaction():
            design = await _design(product, "Hộp giấy 400 g", LabelProductType.FOOD, system)
            if design is not None:
                base = {
                    **_common(product, product.producer.name, await _address(product), base_url),
                    "manufacture_date_format": "dd/mm/yyyy",
                    "expiry": "12 tháng kể từ NSX",
                    "ingredients": "Cơm dừa 55%, mạch nha, đường mía, bơ",
                    "warnings": "Không dùng cho người dị ứng với dừa.",
                    "instructions_use": "Dùng ngay; bóc giấy bánh tráng nếu không muốn ăn kèm.",
                    "instructions_storage": "Nơi khô ráo, thoáng mát, tránh ánh nắng trực tiếp.",
                    **_ocop(product),
                }
                figures: dict[str, Any] = {
                    "package_type": PackageType.BOX,
                    "width_mm": 90,
                    "height_mm": 120,
                    "depth_mm": 40,
                }
                first = await _version(
                    design,
                    {**base, "net_quantity": "400 g", "mandatory_text_sizes": {"net_quantity": 1.2}},
                    system,
                    material="Giấy Ivory 300 gsm",
                    print_method="In offset 4 màu",
                    **figures,
                )
                await designs.submit_version(first, SYSTEM)
                await designs.comment(
                    first,
                    "Bố cục rõ ràng. Lưu ý cỡ chữ định lượng 1,2 mm hơi nhỏ so với mặt hộp 90 × 120 mm.",
                    consultant[0],
                )
                await designs.request_changes(
                    first, "Đề nghị tăng cỡ chữ định lượng (400 g) lên ít nhất 2 mm rồi gửi lại.", officer[0]
                )
                second = await _version(
                    design,
                    {**base, "net_quantity": "400 g", "mandatory_text_sizes": {"net_quantity": 2.5}},
                    system,
                    material="Giấy Ivory 300 gsm",
                    print_method="In offset 4 màu",
                    **figures,
                )
                await designs.submit_version(second, SYSTEM)
                await designs.approve(second, officer[0])
                created += 1

    # Rượu Phú Lễ: in review, without its ethanol content.
    product = await _product("Rượu Phú Lễ")
    if product is not None:
        async with in_transaction():
            design = await _design(product, "Nhãn chai 500 ml", LabelProductType.SPIRITS, system)
            if design is not None:
                version = await _version(
                    design,
                    {
                        **_common(product, product.producer.name, await _address(product), base_url),
                        "net_quantity": "500 ml",
                        "warnings": "Không dành cho người dưới 18 tuổi và phụ nữ mang thai. Đã uống rượu bia "
                        "không lái xe.",
                        "lot_code_position": "In trên cổ chai",
                        "mandatory_text_sizes": {"net_quantity": 2.5},
                        **_ocop(product),
                    },
                    system,
                    package_type=PackageType.BOTTLE,
                    width_mm=80,
                    height_mm=100,
                    material="Giấy decal chống nước",
                    print_method="In kỹ thuật số",
                )
                await designs.submit_version(version, SYSTEM)
                await designs.comment(
                    version,
                    "Nhãn rượu phải ghi hàm lượng etanol (ví dụ 40% vol); hiện chưa thấy trên nhãn.",
                    consultant[0],
                )
                created += 1

    # Dừa xiêm xanh: a draft of the demo producer account.
    product = await _product("Dừa xiêm xanh Giồng Trôm")
    if product is not None:
        async with in_transaction():
            design = await _design(product, "Tem treo trái dừa", LabelProductType.FOOD, member)
            if design is not None:
                await _version(
                    design,
                    {
                        **_common(product, product.producer.name, await _address(product), base_url),
                        "net_quantity": "1 trái",
                        "instructions_storage": "Bảo quản nơi thoáng mát, dùng trong 15 ngày.",
                    },
                    member,
                    package_type=PackageType.HANG_TAG,
                    width_mm=50,
                    height_mm=80,
                    material="Giấy kraft",
                )
                created += 1

    # Nước màu dừa: sent back by the consultant, the producer replied.
    product = await _product("Nước màu dừa Phước Long")
    if product is not None:
        async with in_transaction():
            design = await _design(product, "Nhãn chai 250 ml", LabelProductType.FOOD, member)
            if design is not None:
                version = await _version(
                    design,
                    {
                        **_common(product, product.producer.name, await _address(product), base_url),
                        "net_quantity": "250 ml",
                        "manufacture_date_format": "mm/yyyy",
                        "expiry": "18 tháng kể từ NSX",
                        "ingredients": "Nước dừa tươi cô đặc, đường thốt nốt",
                        "warnings": "Sản phẩm có đường.",
                        "instructions_use": "Dùng kho cá, kho thịt.",
                        "instructions_storage": "Đậy kín nắp sau khi dùng.",
                        "mandatory_text_sizes": {"net_quantity": 2},
                    },
                    member,
                    package_type=PackageType.BOTTLE,
                    width_mm=70,
                    height_mm=90,
                    material="Decal giấy",
                )
                await designs.submit_version(version, member[0])
                await designs.request_changes(
                    version,
                    "Ngày sản xuất cần ghi theo thứ tự ngày, tháng, năm (dd/mm/yyyy).",
                    consultant[0],
                )
                await designs.comment(version, "Cảm ơn chuyên gia, HTX sẽ sửa và gửi phiên bản 2.", member[0])
                created += 1
    if created:
        log.info("demo packaging designs loaded", designs=created)
    return created


async def statuses() -> dict[str, DesignStatus]:
    """The status of each design's latest version, by product name (tests, `make demo` output)."""
    out: dict[str, DesignStatus] = {}
    for design in await PackagingDesign.all().select_related("product").order_by("id"):
        latest = await DesignVersion.filter(design_id=design.id).order_by("-number").first()
        if latest is not None:
            out[design.product.name] = DesignStatus(latest.status)
    return out
