"""Inputs of the registry's mutations, and how each becomes the registry service's dataclass."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay

from schema.enums import CriteriaSet, EvaluationStatus, ProducerKind, RecognisingLevel, UnitEra
from schema.mapping import InputMap
from schema.registry.filters import ProductFilter
from schema.registry.types import Evaluation, Producer, Product
from services.registry import evaluations
from services.registry import manage as registry
from services.registry.report.figures import ScopeKind


@strawberry.input
class ProducerCreateInput:
    name: str
    kind: ProducerKind
    address_line: str
    commune_code: str = strawberry.field(description="5-digit GSO commune code of the given era.")
    commune_era: UnitEra = UnitEra.CURRENT
    name_en: str | None = None
    tax_code: str | None = strawberry.field(
        default=None, description="Mã số thuế: 10 digits, or 13 with a branch."
    )
    gln: str | None = None
    representative: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    logo_url: str | None = strawberry.field(
        default=None,
        description="The producer's logo: an https:// address, or one of our files (/media/… an upload, "
        "/static/…). The fair catalog prints it beside the exhibitor and designers' QR codes put it in the "
        "centre (both print our own files only). At most 500 characters; INVALID otherwise.",
    )
    description: str | None = None
    description_en: str | None = None
    ocop_training_completed_on: dt.date | None = None
    model_example_recognised_on: dt.date | None = None


@strawberry.input(description="Only the fields sent are changed; null clears an optional field.")
class ProducerUpdateInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    kind: ProducerKind | None = strawberry.UNSET
    address_line: str | None = strawberry.UNSET
    commune_code: str | None = strawberry.UNSET
    commune_era: UnitEra | None = strawberry.UNSET
    name_en: str | None = strawberry.UNSET
    tax_code: str | None = strawberry.UNSET
    gln: str | None = strawberry.UNSET
    representative: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    logo_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The producer's logo: an https:// address, or one of our files (/media/… an upload, "
        "/static/…). The fair catalog prints it beside the exhibitor and designers' QR codes put it in the "
        "centre (both print our own files only). At most 500 characters; INVALID otherwise.",
    )
    description: str | None = strawberry.UNSET
    description_en: str | None = strawberry.UNSET
    ocop_training_completed_on: dt.date | None = strawberry.UNSET
    model_example_recognised_on: dt.date | None = strawberry.UNSET


@strawberry.input
class CertificationInput:
    scheme: str = strawberry.field(description="VietGAP, HACCP, ISO 22000, organic...")
    number: str | None = None
    issuer: str | None = None
    valid_until: dt.date | None = None


@strawberry.input
class ProductImageInput:
    url: str
    caption: str | None = None


@strawberry.input
class ProductCreateInput:
    producer_id: relay.GlobalID
    name: str
    group: str = strawberry.field(description="Group code of the criteria set, e.g. '1'.")
    criteria_set: CriteriaSet = CriteriaSet.QD_148
    subgroup: str | None = None
    name_en: str | None = None
    description: str | None = None
    description_en: str | None = None
    gtin: str | None = strawberry.field(default=None, description="GTIN-8/12/13/14; stored as GTIN-14.")
    net_quantity: Decimal | None = None
    net_unit: str | None = strawberry.field(default=None, description="g, kg, ml, l or piece.")
    shelf_life_days: int | None = None
    ingredients: str | None = None
    ingredients_en: str | None = None
    standards: list[str] = strawberry.field(default_factory=list)
    certifications: list[CertificationInput] = strawberry.field(default_factory=list)
    images: list[ProductImageInput] = strawberry.field(default_factory=list)
    is_published: bool = True


@strawberry.input(description="Only the fields sent are changed; lists sent replace the stored lists.")
class ProductUpdateInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    group: str | None = strawberry.UNSET
    criteria_set: CriteriaSet | None = strawberry.UNSET
    subgroup: str | None = strawberry.UNSET
    name_en: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    description_en: str | None = strawberry.UNSET
    gtin: str | None = strawberry.UNSET
    net_quantity: Decimal | None = strawberry.UNSET
    net_unit: str | None = strawberry.UNSET
    shelf_life_days: int | None = strawberry.UNSET
    ingredients: str | None = strawberry.UNSET
    ingredients_en: str | None = strawberry.UNSET
    standards: list[str] | None = strawberry.UNSET
    certifications: list[CertificationInput] | None = strawberry.UNSET
    images: list[ProductImageInput] | None = strawberry.UNSET
    is_published: bool | None = strawberry.UNSET


@strawberry.input
class EvaluationInput:
    product_id: relay.GlobalID
    criteria_set: CriteriaSet
    level: RecognisingLevel
    score_a: int
    score_b: int
    score_c: int
    mandatory_passed: bool = True
    status: EvaluationStatus = EvaluationStatus.DRAFT
    decision_number: str | None = None
    decision_date: dt.date | None = None
    valid_from: dt.date | None = strawberry.field(default=None, description="Defaults to the decision date.")
    valid_until: dt.date | None = strawberry.field(
        default=None, description="Defaults to 36 months after the start of validity for a certificate."
    )
    note: str | None = None


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


@strawberry.input
class ConfirmRegistryImportInput:
    job_id: relay.GlobalID = strawberry.field(description="A finished dry run without problems.")


@strawberry.input
class StartRegistryExportInput:
    filter: ProductFilter | None = strawberry.field(default=None, description="As for `products`.")
    format: str = strawberry.field(default="xlsx", description="xlsx or csv.")


@strawberry.input(
    description="What a programme report covers: the country, a region (code: TDMNPB, DBSH, "
    "BTBDHMT, TN, DNB or DBSCL) or a province (its two-digit GSO code)."
)
class ReportScopeInput:
    kind: ScopeKind
    code: str | None = None


@strawberry.input(description="A report's period, both days included.")
class ReportPeriodInput:
    start: dt.date
    end: dt.date
