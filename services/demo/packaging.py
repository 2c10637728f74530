"""Demo packaging designs (services/demo/data/packaging/designs.toml; `services.demo.loader.load` calls
`load` after the accounts): designs of several demo products in each state of the review, written through
services/packaging/designs.py as the demo accounts (so every rule applies and the thread shows who said
what):

- Kẹo dừa truyền thống Phú Hưng: v1 sent back by the Bến Tre officer (net quantity too small), v2 APPROVED;
- Rượu Phú Lễ: v1 IN_REVIEW, declared without its ethanol content (an error finding: approval refused
  unless overridden), with the consultant's comment;
- Dừa xiêm xanh Giồng Trôm: v1 DRAFT of the demo producer account's cooperative;
- Nước màu dừa Phước Long: v1 CHANGES_REQUESTED by the consultant, with the producer's reply.

Idempotent: a design that exists (same product and name) is left alone. Without the demo accounts (they
are made only outside production) the system acts and comments carry no author.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from services.demo import files
from services.packaging import designs
from services.policy import SYSTEM, Reach, reach_of
from services.registry.stars import current_stars
from services.trace.identity import product_code

log = structlog.get_logger("ocop.demo")

DESIGNS = "packaging/designs.toml"
OCOP_WHILE_CERTIFIED = "while certified"  # in `declared`: the OCOP mark goes here while it is valid
SYSTEM_AUTHOR = "system"


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
    package_type: PackageType,
    figures: Mapping[str, Any],
) -> int:
    reach, user_id = author
    version = await designs.add_version(
        designs.VersionData(design_id=design.id, package_type=package_type, declared=declared, **figures),
        reach,
        user_id=user_id,
    )
    return version.id


def _declared(parts: list[Mapping[str, Any]], product: Product) -> dict[str, Any]:
    """A version's declared content from the file's parts, in their order, the OCOP mark (when valid) where
    a part asks for it."""
    declared: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key == "ocop_mark" and value == OCOP_WHILE_CERTIFIED:
                declared.update(_ocop(product))
            else:
                declared[key] = value
    return declared


async def _step(
    version_id: int, step: Mapping[str, Any], authors: Mapping[str, tuple[Reach, int | None]]
) -> None:
    reach = authors[str(step["by"])][0]
    act = str(step["act"])
    if act == "submit":
        await designs.submit_version(version_id, reach)
    elif act == "comment":
        await designs.comment(version_id, str(step["text"]), reach)
    elif act == "request_changes":
        await designs.request_changes(version_id, str(step["text"]), reach)
    elif act == "approve":
        await designs.approve(version_id, reach)
    else:
        raise ValueError(f"{DESIGNS}: unknown step {act!r}")


async def _load_design(
    row: Mapping[str, Any], authors: Mapping[str, tuple[Reach, int | None]], base_url: str
) -> bool:
    """One design with its versions and their steps, in one transaction; False when its product is not
    there or the design exists."""
    product = await _product(str(row["product"]))
    if product is None:
        return False
    async with in_transaction():
        author = authors[str(row["author"])]
        design = await _design(product, str(row["name"]), LabelProductType(str(row["label_type"])), author)
        if design is None:
            return False
        common = _common(product, product.producer.name, await _address(product), base_url)
        for version in row["version"]:
            figures = {
                key: version[key]
                for key in ("width_mm", "height_mm", "depth_mm", "material", "print_method")
                if key in version
            }
            version_id = await _version(
                design,
                _declared([common, row.get("declared", {}), version.get("declared", {})], product),
                author,
                PackageType(str(version["package_type"])),
                figures,
            )
            for step in version.get("steps", []):
                await _step(version_id, step, authors)
    return True


async def load(base_url: str = "http://127.0.0.1:8000") -> int:
    """Create the demo designs that are missing; returns how many were created."""
    document = files.read_toml(DESIGNS)
    authors: dict[str, tuple[Reach, int | None]] = {SYSTEM_AUTHOR: (SYSTEM, None)}
    for name, email in document["accounts"].items():
        authors[name] = await _reach(str(email))
    created = 0
    for row in document["design"]:
        created += int(await _load_design(row, authors, base_url))
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
