"""What callers give the registry: producers and products to create or change (partial, with UNSET for
fields not sent), certifications, images and evaluations. Field names are the models' own; problems name
the input paths clients send (`addressLine`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from models import CriteriaSet, EvaluationStatus, ProducerKind, RecognisingLevel, UnitEra
from services.common.partial import UNSET, Partial, Unset


@dataclass(slots=True)
class CertificationData:
    scheme: str
    number: str | None = None
    issuer: str | None = None
    valid_until: dt.date | None = None


@dataclass(slots=True)
class ImageData:
    url: str
    caption: str | None = None


@dataclass(slots=True)
class EvaluationData:
    product_id: int
    criteria_set: CriteriaSet
    level: RecognisingLevel
    score_a: int
    score_b: int
    score_c: int
    status: EvaluationStatus = EvaluationStatus.DRAFT
    mandatory_passed: bool = True
    decision_number: str | None = None
    decision_date: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProducerChanges(Partial):
    """A producer to create (unsent fields are empty) or the fields of one to change."""

    name: str | Unset | None = UNSET
    kind: ProducerKind | Unset | None = UNSET
    address_line: str | Unset | None = UNSET
    commune_code: str | Unset | None = UNSET
    commune_era: UnitEra | Unset | None = UNSET
    name_en: str | Unset | None = UNSET
    tax_code: str | Unset | None = UNSET
    gln: str | Unset | None = UNSET
    representative: str | Unset | None = UNSET
    phone: str | Unset | None = UNSET
    email: str | Unset | None = UNSET
    website: str | Unset | None = UNSET
    logo_url: str | Unset | None = UNSET
    description: str | Unset | None = UNSET
    description_en: str | Unset | None = UNSET
    ocop_training_completed_on: dt.date | Unset | None = UNSET
    model_example_recognised_on: dt.date | Unset | None = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductChanges(Partial):
    """A product to create (with its producer) or the fields of one to change; lists sent replace the stored
    lists."""

    producer_id: int | Unset | None = UNSET
    name: str | Unset | None = UNSET
    group: str | Unset | None = UNSET
    criteria_set: CriteriaSet | Unset | None = UNSET
    subgroup: str | Unset | None = UNSET
    name_en: str | Unset | None = UNSET
    description: str | Unset | None = UNSET
    description_en: str | Unset | None = UNSET
    gtin: str | Unset | None = UNSET
    net_quantity: Decimal | Unset | None = UNSET
    net_unit: str | Unset | None = UNSET
    shelf_life_days: int | Unset | None = UNSET
    ingredients: str | Unset | None = UNSET
    ingredients_en: str | Unset | None = UNSET
    standards: Sequence[str] | Unset | None = UNSET
    certifications: Sequence[CertificationData] | Unset | None = UNSET
    images: Sequence[ImageData] | Unset | None = UNSET
    is_published: bool | Unset | None = UNSET
