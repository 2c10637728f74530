"""Writes to the OCOP registry: producers and products. Every input is cleaned (NFC text, normalised codes),
checked against the domain rules, and written in one transaction. Evaluations are
services.registry.evaluations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.vn import mst
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    AdminUnit,
    Certification,
    CriteriaSet,
    Producer,
    ProducerKind,
    Product,
    ProductGroup,
    ProductImage,
    UnitEra,
    UnitLevel,
)
from services.common import gs1
from services.common.errors import DomainError, Problems
from services.common.partial import Partial
from services.common.text import fold, nfc, nfc_or_none
from services.policy import Reach
from services.policy import registry as policy

# The registry's input dataclasses live in data.py; they are re-exported here, where callers find the
# functions that take them (registry.create_product(registry.ProductChanges(...))).
from services.registry.data import ImageData as ImageData
from services.registry.data import ProducerChanges as ProducerChanges
from services.registry.data import ProductChanges as ProductChanges
from services.registry.errors import RegistryErrorCode

NET_UNITS = ("g", "kg", "ml", "l", "piece")


def _camel(name: str) -> str:
    """The input path of a field in problems (`address_line` → `addressLine`), as clients send it."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# -- cleaning helpers ---------------------------------------------------------------------------------


def _text(
    problems: Problems, changes: Partial, attribute: str, max_length: int, *, required: bool
) -> str | None:
    raw = changes.get(attribute)
    name = _camel(attribute)
    value = nfc_or_none(raw) if isinstance(raw, str) else None
    if value is None:
        if required:
            problems.add(
                name, RegistryErrorCode.REQUIRED, "Trường này là bắt buộc.", "This field is required."
            )
        return None
    if len(value) > max_length:
        problems.add(
            name,
            RegistryErrorCode.TOO_LONG,
            f"Tối đa {max_length} ký tự.",
            f"At most {max_length} characters.",
        )
    return value


def clean_tax_code(problems: Problems, value: str | None, field_name: str = "taxCode") -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return str(mst.validate(value))
    except StdnumValidationError:
        problems.add(
            field_name,
            RegistryErrorCode.INVALID_TAX_CODE,
            "Mã số thuế không hợp lệ: cần 10 chữ số (hoặc 13 với mã chi nhánh) và chữ số kiểm tra đúng.",
            "Invalid tax code: 10 digits (or 13 with a branch suffix) with a correct check digit.",
        )
        return None


def clean_gtin(problems: Problems, value: str | None, field_name: str = "gtin") -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return gs1.normalize_gtin(value)
    except gs1.GS1KeyError as exc:
        if exc.code == "invalid_check_digit":
            problems.add(
                field_name,
                RegistryErrorCode.INVALID_CHECK_DIGIT,
                f"Chữ số kiểm tra của GTIN sai ({exc}).",
                f"The GTIN check digit is wrong ({exc}).",
            )
        else:
            problems.add(
                field_name,
                RegistryErrorCode.INVALID,
                "GTIN gồm 8, 12, 13 hoặc 14 chữ số.",
                "A GTIN has 8, 12, 13 or 14 digits.",
            )
        return None


def clean_gln(problems: Problems, value: str | None, field_name: str = "gln") -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return gs1.validate_gln(value)
    except gs1.GS1KeyError as exc:
        code = (
            RegistryErrorCode.INVALID_CHECK_DIGIT
            if exc.code == "invalid_check_digit"
            else RegistryErrorCode.INVALID_GLN
        )
        problems.add(field_name, code, f"GLN không hợp lệ ({exc}).", f"Invalid GLN ({exc}).")
        return None


IMAGE_URL_PREFIXES = ("https://", "http://", "/media/", "/static/")
IMAGE_URL_MAX = 500


def clean_image_url(problems: Problems, value: str | None, field_name: str) -> str | None:
    """A product image's or a producer logo's URL: an http(s) address, or one of our own files (`/media/...`
    uploads, `/static/...` the demo's pictures); no white space and no `..` (a path must stay in its
    folder). Printing (the catalog, designers' QR codes) reads only our own files, through the catalog's
    fetcher; other addresses are shown by browsers only."""
    if value is None or not value.strip():
        return None
    url = nfc(value.strip())
    if len(url) > IMAGE_URL_MAX:
        problems.add(
            field_name,
            RegistryErrorCode.TOO_LONG,
            f"Tối đa {IMAGE_URL_MAX} ký tự.",
            f"At most {IMAGE_URL_MAX} characters.",
        )
    elif (
        not url.startswith(IMAGE_URL_PREFIXES)
        or any(ch.isspace() for ch in url)
        or ".." in url.split("?", 1)[0].split("/")
    ):
        problems.add(
            field_name,
            RegistryErrorCode.INVALID,
            "Đường dẫn ảnh không hợp lệ: cần https:// hoặc tệp /media/, /static/ của hệ thống.",
            "Invalid image URL: https:// or one of our /media/ or /static/ files.",
        )
    return url


# AdminUnit.code is 5 characters: a longer code names no unit (and Tortoise would raise on it, a 500).
_ADMIN_CODE_MAX = 5


async def find_commune(code: str, era: UnitEra) -> AdminUnit | None:
    if len(code.strip()) > _ADMIN_CODE_MAX:
        return None
    return await AdminUnit.get_or_none(level=UnitLevel.COMMUNE, era=era, code=code.strip().zfill(5))


async def find_province(code: str, era: UnitEra | None = None) -> AdminUnit | None:
    if len(code.strip()) > _ADMIN_CODE_MAX:
        return None
    query = AdminUnit.filter(level=UnitLevel.PROVINCE, code=code.strip().zfill(2))
    if era is not None:
        query = query.filter(era=era)
    return await query.order_by("era").first()  # "current" sorts before "legacy"


async def _unique(
    problems: Problems, model: Any, field_name: str, column: str, value: Any, own_id: int | None
) -> None:
    if value is None:
        return
    query = model.filter(**{column: value})
    if own_id is not None:
        query = query.exclude(id=own_id)
    if await query.exists():
        problems.add(
            field_name, RegistryErrorCode.UNIQUE, "Giá trị này đã được dùng.", "This value is already in use."
        )


# -- producers ----------------------------------------------------------------------------------------


async def _producer_values(changes: ProducerChanges, own_id: int | None) -> dict[str, Any]:
    creating = own_id is None
    problems = Problems()
    values: dict[str, Any] = {}
    text_fields = {
        "name": (255, True),
        "name_en": (255, False),
        "address_line": (255, True),
        "representative": (150, False),
        "phone": (20, False),
        "email": (254, False),
        "website": (255, False),
        "description": (10_000, False),
        "description_en": (10_000, False),
    }
    for name, (max_length, required) in text_fields.items():
        if creating or changes.has(name):
            values[name] = _text(problems, changes, name, max_length, required=required)
    if values.get("name"):
        values["name_folded"] = fold(values["name"])
    if creating or changes.has("kind"):
        kind = changes.get("kind")
        if kind is None:
            problems.add(
                "kind",
                RegistryErrorCode.REQUIRED,
                "Cần chọn loại hình chủ thể.",
                "The producer kind is required.",
            )
        else:
            values["kind"] = ProducerKind(kind)
    if changes.has("tax_code"):
        values["tax_code"] = clean_tax_code(problems, changes.get("tax_code"))
        await _unique(problems, Producer, "taxCode", "tax_code", values["tax_code"], own_id)
    if changes.has("gln"):
        values["gln"] = clean_gln(problems, changes.get("gln"))
        await _unique(problems, Producer, "gln", "gln", values["gln"], own_id)
    if creating or changes.has("commune_code"):
        code = changes.get("commune_code")
        era = UnitEra(changes.get("commune_era") or UnitEra.CURRENT)
        if not code:
            problems.add(
                "communeCode",
                RegistryErrorCode.REQUIRED,
                "Cần mã xã/phường.",
                "The commune code is required.",
            )
        else:
            commune = await find_commune(str(code), era)
            if commune is None:
                problems.add(
                    "communeCode",
                    RegistryErrorCode.NOT_FOUND,
                    f"Không có xã/phường mã {code} ({'sau' if era == UnitEra.CURRENT else 'trước'} 01/7/2025).",
                    f"No commune with code {code} ({era.value} units).",
                )
            else:
                values["commune_id"] = commune.id
                values["province_id"] = commune.province_id
    if changes.has("logo_url"):
        values["logo_url"] = clean_image_url(problems, changes.get("logo_url"), "logoUrl")
    for date_field in ("ocop_training_completed_on", "model_example_recognised_on"):
        if changes.has(date_field):
            values[date_field] = changes.get(date_field)
    problems.raise_if_any()
    return values


async def create_producer(changes: ProducerChanges, reach: Reach) -> Producer:
    if not reach.actor.is_authenticated and not reach.everything:
        raise policy.deny(reach)
    values = await _producer_values(changes, None)
    if not policy.may_register_producer(reach, values["province_id"], values["commune_id"]):
        raise policy.deny(reach, "communeCode")
    try:
        async with in_transaction():
            return await Producer.create(**values)
    except IntegrityError as exc:
        raise _integrity_problem(exc) from exc


async def update_producer(producer_id: int, changes: ProducerChanges, reach: Reach) -> Producer:
    producer = await Producer.get_or_none(id=producer_id)
    if producer is None or not policy.may_manage_producer(reach, producer):
        # The same answer for a missing and an unreachable producer: a guessed ID reveals nothing.
        raise not_found("id", "chủ thể", "producer") if reach.everything else policy.deny(reach, "id")
    values = await _producer_values(changes, producer_id)
    if "commune_id" in values and not policy.may_register_producer(
        reach, values["province_id"], values["commune_id"]
    ):
        raise policy.deny(reach, "communeCode")
    try:
        async with in_transaction():
            producer.update_from_dict(values)
            await producer.save()
    except IntegrityError as exc:
        raise _integrity_problem(exc) from exc
    return producer


# -- products -----------------------------------------------------------------------------------------


async def _group(
    problems: Problems, criteria_set: CriteriaSet, code: str | None, field_name: str, *, required: bool
) -> ProductGroup | None:
    if not code:
        if required:
            problems.add(
                field_name,
                RegistryErrorCode.REQUIRED,
                "Cần chọn nhóm sản phẩm.",
                "The product group is required.",
            )
        return None
    group = await ProductGroup.get_or_none(criteria_set=criteria_set, code=code.strip())
    if group is None:
        problems.add(
            field_name,
            RegistryErrorCode.NOT_FOUND,
            f"Bộ tiêu chí {criteria_set.value} không có nhóm {code}.",
            f"Criteria set {criteria_set.value} has no group {code}.",
        )
    return group


async def _product_values(changes: ProductChanges, current: Product | None) -> dict[str, Any]:
    creating = current is None
    problems = Problems()
    values: dict[str, Any] = {}
    for name, max_length, required in (
        ("name", 255, True),
        ("name_en", 255, False),
        ("description", 20_000, False),
        ("description_en", 20_000, False),
        ("ingredients", 5_000, False),
        ("ingredients_en", 5_000, False),
    ):
        if creating or changes.has(name):
            values[name] = _text(problems, changes, name, max_length, required=required)
    if values.get("name"):
        values["name_folded"] = fold(values["name"])
    if creating:
        producer_id = changes.get("producer_id")
        if producer_id is None or not await Producer.exists(id=producer_id):
            problems.add(
                "producerId", RegistryErrorCode.NOT_FOUND, "Không tìm thấy chủ thể.", "Producer not found."
            )
        else:
            values["producer_id"] = producer_id
    criteria_set = CriteriaSet(
        changes.get("criteria_set") or (current.criteria_set if current else CriteriaSet.QD_148)
    )
    if creating or changes.has("criteria_set") or changes.has("group") or changes.has("subgroup"):
        values["criteria_set"] = criteria_set
        group_code = changes.get("group") if changes.has("group") else None
        if group_code is None and current is not None:
            group_code = (await ProductGroup.get(id=current.group_id)).code
        group = await _group(problems, criteria_set, group_code, "group", required=True)
        subgroup = await _group(problems, criteria_set, changes.get("subgroup"), "subgroup", required=False)
        if group is not None:
            values["group_id"] = group.id
        values["subgroup_id"] = subgroup.id if subgroup else None
        if group is not None and subgroup is not None and subgroup.parent_id != group.id:
            problems.add(
                "subgroup",
                RegistryErrorCode.INVALID,
                f"Nhóm con {subgroup.code} không thuộc nhóm {group.code}.",
                f"Sub-group {subgroup.code} is not part of group {group.code}.",
            )
    if changes.has("gtin"):
        values["gtin"] = clean_gtin(problems, changes.get("gtin"))
        await _unique(problems, Product, "gtin", "gtin", values["gtin"], current.id if current else None)
    if changes.has("net_quantity") or changes.has("net_unit"):
        quantity, unit = changes.get("net_quantity"), changes.get("net_unit")
        try:
            amount = Decimal(str(quantity)) if quantity is not None else None
        except InvalidOperation:
            amount = Decimal(-1)
        if amount is not None and amount <= 0:
            problems.add(
                "netQuantity",
                RegistryErrorCode.OUT_OF_RANGE,
                "Định lượng phải lớn hơn 0.",
                "Must be positive.",
            )
        if (amount is None) != (unit is None):
            problems.add(
                "netUnit",
                RegistryErrorCode.REQUIRED,
                "Định lượng cần cả số và đơn vị.",
                "Give both quantity and unit.",
            )
        if unit is not None and unit not in NET_UNITS:
            problems.add(
                "netUnit",
                RegistryErrorCode.INVALID,
                f"Đơn vị: {', '.join(NET_UNITS)}.",
                f"Units: {NET_UNITS}.",
            )
        values["net_quantity"], values["net_unit"] = amount, unit
    if changes.has("shelf_life_days"):
        days = changes.get("shelf_life_days")
        if days is not None and days <= 0:
            problems.add(
                "shelfLifeDays",
                RegistryErrorCode.OUT_OF_RANGE,
                "Hạn dùng phải lớn hơn 0 ngày.",
                "Must be positive.",
            )
        values["shelf_life_days"] = days
    if changes.has("standards"):
        values["standards"] = [s for s in (nfc(x) for x in changes.get("standards") or []) if s]
    if changes.has("is_published"):
        values["is_published"] = bool(changes.get("is_published"))
    for index, cert in enumerate(changes.get("certifications") or []):
        if not nfc_or_none(cert.scheme):
            problems.add(
                f"certifications.{index}.scheme",
                RegistryErrorCode.REQUIRED,
                "Cần tên chứng nhận.",
                "Scheme is required.",
            )
    for index, image in enumerate(changes.get("images") or []):
        if clean_image_url(problems, str(image.url), f"images.{index}.url") is None:
            problems.add(
                f"images.{index}.url",
                RegistryErrorCode.INVALID,
                "Cần đường dẫn ảnh.",
                "The image URL is required.",
            )
    problems.raise_if_any()
    return values


async def _replace_children(product: Product, changes: ProductChanges) -> None:
    if changes.has("certifications"):
        await Certification.filter(product_id=product.id).delete()
        await Certification.bulk_create(
            [
                Certification(
                    product_id=product.id,
                    scheme=nfc(c.scheme),
                    number=nfc_or_none(c.number),
                    issuer=nfc_or_none(c.issuer),
                    valid_until=c.valid_until,
                )
                for c in changes.get("certifications") or []
            ]
        )
    if changes.has("images"):
        await ProductImage.filter(product_id=product.id).delete()
        await ProductImage.bulk_create(
            [
                ProductImage(product_id=product.id, url=i.url, caption=nfc_or_none(i.caption), position=n)
                for n, i in enumerate(changes.get("images") or [])
            ]
        )


async def create_product(changes: ProductChanges, reach: Reach) -> Product:
    producer = await Producer.get_or_none(id=changes.get("producer_id") or 0)
    if producer is not None and not policy.may_manage_producer(reach, producer):
        raise policy.deny(reach, "producerId")
    if producer is None and not reach.everything:
        raise policy.deny(reach, "producerId")
    values = await _product_values(changes, None)
    try:
        async with in_transaction():
            product = await Product.create(**values)
            await _replace_children(product, changes)
    except IntegrityError as exc:
        raise _integrity_problem(exc) from exc
    return product


async def update_product(product_id: int, changes: ProductChanges, reach: Reach) -> Product:
    product = await Product.get_or_none(id=product_id).select_related("producer")
    if product is None or not policy.may_manage_producer(reach, product.producer):
        raise not_found("id", "sản phẩm", "product") if reach.everything else policy.deny(reach, "id")
    values = await _product_values(changes, product)
    try:
        async with in_transaction():
            product.update_from_dict(values)
            await product.save()
            await _replace_children(product, changes)
    except IntegrityError as exc:
        raise _integrity_problem(exc) from exc
    return product


# -- errors -------------------------------------------------------------------------------------------


def not_found(field_name: str, what_vi: str, what_en: str) -> DomainError:
    problems = Problems()
    problems.add(field_name, RegistryErrorCode.NOT_FOUND, f"Không tìm thấy {what_vi}.", f"No such {what_en}.")
    return DomainError(problems.items)


def _integrity_problem(exc: IntegrityError) -> DomainError:
    """A constraint the checks above missed (e.g. a concurrent insert of the same tax code)."""
    text = str(exc).lower()
    field_name = next(
        (f for f, col in (("taxCode", "tax_code"), ("gln", "gln"), ("gtin", "gtin")) if col in text), ""
    )
    problems = Problems()
    problems.add(
        field_name,
        RegistryErrorCode.UNIQUE,
        "Dữ liệu trùng với một bản ghi khác.",
        "This conflicts with another record.",
    )
    return DomainError(problems.items)
