"""Inputs of the registry's mutations, and how each becomes the registry service's dataclass."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay

from schema.enums import CriteriaSet, EvaluationStatus, ProducerKind, RecognisingLevel, UnitEra, describe_enum
from schema.mapping import InputMap
from schema.registry.filters import ProductFilter
from schema.registry.types import Evaluation, Producer, Product
from services.registry import evaluations
from services.registry import manage as registry
from services.registry.report.figures import ScopeKind
from services.registry.spreadsheets.export import ExportFormat


@strawberry.input(description="A new producer (chủ thể OCOP).")
class ProducerCreateInput:
    name: str = strawberry.field(description="Registered name, in Vietnamese.")
    kind: ProducerKind = strawberry.field(description="Legal form of the producer.")
    address_line: str = strawberry.field(description="Street address without commune and province.")
    commune_code: str = strawberry.field(description="5-digit GSO commune code of the given era.")
    commune_era: UnitEra = strawberry.field(
        default=UnitEra.CURRENT,
        description="Era of `communeCode`: CURRENT for the communes since the 2025 reform (the default), LEGACY for a code of a commune that existed before 2025-07-01.",
    )
    name_en: str | None = strawberry.field(
        default=None, description="Its name in English, when one was given (`name` is the Vietnamese one)."
    )
    tax_code: str | None = strawberry.field(
        default=None, description="Mã số thuế: 10 digits, or 13 with a branch."
    )
    gln: str | None = strawberry.field(
        default=None, description="GS1 GLN of the producer, 13 digits, check digit verified."
    )
    representative: str | None = strawberry.field(
        default=None,
        description="Legal representative (private: shown only to those with a role on the producer).",
    )
    phone: str | None = strawberry.field(default=None, description="Contact phone (private).")
    email: str | None = strawberry.field(default=None, description="Contact email (private).")
    website: str | None = strawberry.field(default=None, description="Website.")
    logo_url: str | None = strawberry.field(
        default=None,
        description="The producer's logo: an https:// address, or one of our files (/media/… an upload, "
        "/static/…). The fair catalog prints it beside the exhibitor and designers' QR codes put it in the "
        "centre (both print our own files only). At most 500 characters; INVALID otherwise.",
    )
    description: str | None = strawberry.field(
        default=None, description="Who the producer is, in Vietnamese."
    )
    description_en: str | None = strawberry.field(
        default=None, description="The description in English, when one was given."
    )
    ocop_training_completed_on: dt.date | None = strawberry.field(
        default=None, description="When it completed OCOP training."
    )
    model_example_recognised_on: dt.date | None = strawberry.field(
        default=None, description="When it was recognised as a model example."
    )


@strawberry.input(description="Only the fields sent are changed; null clears an optional field.")
class ProducerUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The producer to change.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New registered name.")
    kind: ProducerKind | None = strawberry.field(default=strawberry.UNSET, description="New legal form.")
    address_line: str | None = strawberry.field(default=strawberry.UNSET, description="New street address.")
    commune_code: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="New commune: a 5-digit GSO code of `communeEra`; the province follows.",
    )
    commune_era: UnitEra | None = strawberry.field(
        default=strawberry.UNSET, description="Era of `communeCode` (CURRENT by default)."
    )
    name_en: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Its name in English, when one was given (`name` is the Vietnamese one).",
    )
    tax_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="Tax code: 10 digits, or 13 with a branch."
    )
    gln: str | None = strawberry.field(default=strawberry.UNSET, description="GS1 GLN, 13 digits.")
    representative: str | None = strawberry.field(
        default=strawberry.UNSET, description="Legal representative (private)."
    )
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Contact phone (private).")
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Contact email (private).")
    website: str | None = strawberry.field(default=strawberry.UNSET, description="Website.")
    logo_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The producer's logo: an https:// address, or one of our files (/media/… an upload, "
        "/static/…). The fair catalog prints it beside the exhibitor and designers' QR codes put it in the "
        "centre (both print our own files only). At most 500 characters; INVALID otherwise.",
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Who the producer is, in Vietnamese."
    )
    description_en: str | None = strawberry.field(
        default=strawberry.UNSET, description="The description in English, when one was given."
    )
    ocop_training_completed_on: dt.date | None = strawberry.field(
        default=strawberry.UNSET, description="When it completed OCOP training."
    )
    model_example_recognised_on: dt.date | None = strawberry.field(
        default=strawberry.UNSET, description="When it was recognised as a model example."
    )


@strawberry.input(description="A certification other than OCOP.")
class CertificationInput:
    scheme: str = strawberry.field(description="VietGAP, HACCP, ISO 22000, organic...")
    number: str | None = strawberry.field(default=None, description="Certificate number.")
    issuer: str | None = strawberry.field(default=None, description="Body that issued it.")
    valid_until: dt.date | None = strawberry.field(default=None, description="Last day it is valid.")


@strawberry.input(description="A photo of the product.")
class ProductImageInput:
    url: str = strawberry.field(
        description="Address of the image: https, or one of this server's /media/ files."
    )
    caption: str | None = strawberry.field(default=None, description="What the photo shows.")


@strawberry.input(description="A new product of a producer, with its certifications and images.")
class ProductCreateInput:
    producer_id: relay.GlobalID = strawberry.field(description="The producer that makes it (its global ID).")
    name: str = strawberry.field(description="Product name in Vietnamese.")
    group: str = strawberry.field(description="Group code of the criteria set, e.g. '1'.")
    criteria_set: CriteriaSet = strawberry.field(
        default=CriteriaSet.QD_148,
        description="The criteria set its group codes belong to (QĐ 148 by default).",
    )
    subgroup: str | None = strawberry.field(
        default=None, description='Sub-group code of the criteria set, e.g. "1.2"; must belong to `group`.'
    )
    name_en: str | None = strawberry.field(
        default=None, description="Its name in English, when one was given (`name` is the Vietnamese one)."
    )
    description: str | None = strawberry.field(
        default=None, description="What the product is, in Vietnamese."
    )
    description_en: str | None = strawberry.field(
        default=None, description="The description in English, when one was given."
    )
    gtin: str | None = strawberry.field(default=None, description="GTIN-8/12/13/14; stored as GTIN-14.")
    net_quantity: Decimal | None = strawberry.field(
        default=None, description="Net quantity of one pack, in `netUnit`."
    )
    net_unit: str | None = strawberry.field(default=None, description="g, kg, ml, l or piece.")
    shelf_life_days: int | None = strawberry.field(
        default=None, description="Days from production to expiry."
    )
    ingredients: str | None = strawberry.field(default=None, description="Ingredients, in Vietnamese.")
    ingredients_en: str | None = strawberry.field(default=None, description="Ingredients, in English.")
    standards: list[str] = strawberry.field(
        default_factory=list, description="Standards it is made to (TCVN, TCCS numbers)."
    )
    certifications: list[CertificationInput] = strawberry.field(
        default_factory=list, description="Its certifications other than OCOP."
    )
    images: list[ProductImageInput] = strawberry.field(
        default_factory=list, description="Its photos, in order."
    )
    is_published: bool = strawberry.field(
        default=True, description="Show it to the public now (true by default)."
    )


@strawberry.input(description="Only the fields sent are changed; lists sent replace the stored lists.")
class ProductUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The product to change.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name in Vietnamese.")
    group: str | None = strawberry.field(default=strawberry.UNSET, description="New group code.")
    criteria_set: CriteriaSet | None = strawberry.field(
        default=strawberry.UNSET, description="New criteria set."
    )
    subgroup: str | None = strawberry.field(default=strawberry.UNSET, description="New sub-group code.")
    name_en: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Its name in English, when one was given (`name` is the Vietnamese one).",
    )
    description: str | None = strawberry.field(default=strawberry.UNSET, description="New description.")
    description_en: str | None = strawberry.field(
        default=strawberry.UNSET, description="The description in English, when one was given."
    )
    gtin: str | None = strawberry.field(
        default=strawberry.UNSET, description="New GTIN (8, 12, 13 or 14 digits, check digit verified)."
    )
    net_quantity: Decimal | None = strawberry.field(default=strawberry.UNSET, description="New net quantity.")
    net_unit: str | None = strawberry.field(
        default=strawberry.UNSET, description="New unit of the net quantity."
    )
    shelf_life_days: int | None = strawberry.field(
        default=strawberry.UNSET, description="New shelf life in days."
    )
    ingredients: str | None = strawberry.field(
        default=strawberry.UNSET, description="New ingredients, in Vietnamese."
    )
    ingredients_en: str | None = strawberry.field(
        default=strawberry.UNSET, description="New ingredients, in English."
    )
    standards: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The standards, replacing the stored list."
    )
    certifications: list[CertificationInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The certifications, replacing the stored ones."
    )
    images: list[ProductImageInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The images, replacing the stored ones."
    )
    is_published: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Show or hide it from the public."
    )


@strawberry.input(description="An evaluation of a product by an OCOP council.")
class EvaluationInput:
    product_id: relay.GlobalID = strawberry.field(description="The product evaluated.")
    criteria_set: CriteriaSet = strawberry.field(
        description="The criteria set it was scored against; bounds the part scores."
    )
    level: RecognisingLevel = strawberry.field(
        description="The council: district, province or central (5 stars only central)."
    )
    score_a: int = strawberry.field(description="Part A score (product and production organisation).")
    score_b: int = strawberry.field(description="Part B score (product development capacity).")
    score_c: int = strawberry.field(description="Part C score (product quality).")
    mandatory_passed: bool = strawberry.field(
        default=True, description="Whether the product met the mandatory minimum criteria (QĐ 148)."
    )
    status: EvaluationStatus = strawberry.field(
        default=EvaluationStatus.DRAFT,
        description="What is recorded: a draft score, a potential 5★, a certificate (3★ or more, with a decision) or a revocation.",
    )
    decision_number: str | None = strawberry.field(
        default=None, description="Number of the recognising decision; required to certify."
    )
    decision_date: dt.date | None = strawberry.field(
        default=None, description="Date of the decision; required to certify."
    )
    valid_from: dt.date | None = strawberry.field(default=None, description="Defaults to the decision date.")
    valid_until: dt.date | None = strawberry.field(
        default=None, description="Defaults to 36 months after the start of validity for a certificate."
    )
    note: str | None = strawberry.field(default=None, description="A free remark.")


CERTIFICATION = InputMap(CertificationInput, evaluations.CertificationData)
IMAGE = InputMap(ProductImageInput, registry.ImageData)
PRODUCER_CREATE = InputMap(
    ProducerCreateInput,
    registry.ProducerChanges,
    output=Producer,
    # Written as the commune's code; read as `commune { code }` and `province`.
    write_only=("commune_code", "commune_era"),
)
PRODUCER_UPDATE = InputMap(
    ProducerUpdateInput,
    registry.ProducerChanges,
    skipped=("id",),
    output=Producer,
    write_only=("commune_code", "commune_era"),
)
_PRODUCT_LISTS: dict[str, InputMap[Any, Any]] = {"certifications": CERTIFICATION, "images": IMAGE}
PRODUCT_CREATE = InputMap(
    ProductCreateInput,
    registry.ProductChanges,
    decoded=("producer_id",),
    nested=_PRODUCT_LISTS,
    output=Product,
    write_only=("producer_id",),  # read as `producer`
)
PRODUCT_UPDATE = InputMap(
    ProductUpdateInput,
    registry.ProductChanges,
    skipped=("id",),
    absent=("producer_id",),  # a product does not change producer
    nested=_PRODUCT_LISTS,
    output=Product,
)
EVALUATION = InputMap(
    EvaluationInput,
    evaluations.EvaluationData,
    decoded=("product_id",),
    output=Evaluation,
    write_only=("product_id",),  # read as `product`
)


@strawberry.input(description="An uploaded spreadsheet to import (see `registryImportUploadUrl`).")
class StartRegistryImportInput:
    file: str = strawberry.field(description="The `file` the upload URL answered, e.g. `3f…9a.xlsx`.")
    dry_run: bool = strawberry.field(
        default=True,
        description="true (the default): report every row's problems and what would change, write nothing. "
        "false: import at once, all or nothing.",
    )


@strawberry.input(description="A dry run to import for real.")
class ConfirmRegistryImportInput:
    job_id: relay.GlobalID = strawberry.field(description="A finished dry run without problems.")


describe_enum(
    ExportFormat,
    name="RegistryExportFormat",
    description="The file format of a registry export.",
    values={"XLSX": "An Excel workbook (.xlsx).", "CSV": "UTF-8 CSV, comma-separated."},
)


@strawberry.input(description="Which products to export, and in which file format.")
class StartRegistryExportInput:
    filter: ProductFilter | None = strawberry.field(default=None, description="As for `products`.")
    format: ExportFormat = strawberry.field(
        default=ExportFormat.XLSX, description="XLSX (the default) or CSV."
    )


@strawberry.input(description="Whose data to export.")
class ExportMyDataInput:
    producer_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The producer; may be left out by the member of a single producer (that producer).",
    )


@strawberry.input(
    description="What a programme report covers: the country, a region (code: TDMNPB, DBSH, "
    "BTBDHMT, TN, DNB or DBSCL) or a province (its two-digit GSO code)."
)
class ReportScopeInput:
    kind: ScopeKind = strawberry.field(description="The country, a region or a province.")
    code: str | None = strawberry.field(
        default=None, description="The region's code or the province's GSO code; none for the country."
    )


@strawberry.input(description="A report's period, both days included.")
class ReportPeriodInput:
    start: dt.date = strawberry.field(description="First day of the period (included).")
    end: dt.date = strawberry.field(description="Last day of the period (included).")
