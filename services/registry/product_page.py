"""The public product page (`gs1:pip` in the resolver): what a consumer or a buyer at a fair reads about an
OCOP product. Server-rendered like the trace page, no JavaScript, Vietnamese or English."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models import Certification, Evaluation, Producer, Product, ProductGroup, ProductImage
from services.registry import stars
from services.trace.identity import product_id_of
from services.trace.page import PARTS_LABELS, environment, place_name

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        **PARTS_LABELS["vi"],
        "group": "Nhóm sản phẩm",
        "net": "Định lượng",
        "ingredients": "Thành phần",
    },
    "en": {
        **PARTS_LABELS["en"],
        "group": "Product group",
        "net": "Net quantity",
        "ingredients": "Ingredients",
    },
}


@dataclass(slots=True)
class ProductPage:
    lang: str
    labels: dict[str, str]
    name: str
    description: str | None
    image: str | None
    producer_name: str
    producer_address: str
    group: str
    net: str | None
    ingredients: str | None
    shelf_life_days: int | None
    stars: int | None
    certificate: str | None
    certificate_until: str | None
    standards: list[str] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)
    other_language_href: str = ""


async def find_product(code: str) -> Product | None:
    product_id = product_id_of(code)
    if product_id is None or product_id > 2**31 - 1:
        return None
    product = await Product.get_or_none(id=product_id)
    return product if product is not None and product.is_published else None


async def build(product: Product, lang: str, today: dt.date) -> ProductPage:
    en = lang == "en"
    producer = await Producer.get(id=product.producer_id)
    group = await ProductGroup.get(id=product.group_id)
    certificate = (
        await Evaluation.get_or_none(id=product.latest_certificate_id)
        if product.latest_certificate_id
        else None
    )
    current = stars.current_stars(certificate, today)
    image = await ProductImage.filter(product_id=product.id).order_by("position", "id").first()
    address = ", ".join(p for p in (producer.address_line, await place_name(producer.commune_id)) if p)
    net = (
        f"{product.net_quantity.normalize():f} {product.net_unit}"
        if product.net_quantity and product.net_unit
        else None
    )
    return ProductPage(
        lang=lang,
        labels=LABELS[lang],
        name=(product.name_en or product.name) if en else product.name,
        description=(product.description_en or product.description) if en else product.description,
        image=image.url if image else None,
        producer_name=(producer.name_en or producer.name) if en else producer.name,
        producer_address=address,
        group=group.name_en if en else group.name,
        net=net,
        ingredients=(product.ingredients_en or product.ingredients) if en else product.ingredients,
        shelf_life_days=product.shelf_life_days,
        stars=current,
        certificate=certificate.decision_number if current and certificate else None,
        certificate_until=certificate.valid_until.strftime("%d/%m/%Y")
        if current and certificate and certificate.valid_until
        else None,
        standards=list(product.standards or []),
        certifications=[c.scheme for c in await Certification.filter(product_id=product.id).order_by("id")],
        other_language_href="?lang=vi" if en else "?lang=en",
    )


def render(page: ProductPage) -> str:
    return environment().get_template("product.html").render(page=page, labels=page.labels)
