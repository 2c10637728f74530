"""Mutations of the registry: one input object each, a payload with the object and typed errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay

from models import Evaluation as EvaluationModel
from schema.audit import Audit, Refusals
from schema.context import Info
from schema.enums import CriteriaSet, EvaluationStatus, ProducerKind, RecognisingLevel, UnitEra
from schema.errors import RegistryError
from schema.ids import decode_id
from schema.registry.types import Evaluation, Producer, Product
from services.registry import manage as registry


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _changes(data: object, skip: tuple[str, ...] = ("id",)) -> registry.Changes:
    """The fields a client sent (UNSET ones are left out), keyed by their GraphQL names."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(data):  # type: ignore[arg-type]
        value = getattr(data, f.name)
        if f.name in skip or value is strawberry.UNSET:
            continue
        values[_camel(f.name)] = (
            value.value if hasattr(value, "value") and not isinstance(value, Decimal) else value
        )
    return registry.Changes.of(values)


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


@strawberry.type
class ProducerPayload:
    producer: Producer | None
    errors: list[RegistryError]


@strawberry.type
class ProductPayload:
    product: Product | None
    errors: list[RegistryError]


@strawberry.type
class EvaluationPayload:
    evaluation: Evaluation | None
    errors: list[RegistryError]


@strawberry.type
class RegistryMutation:
    @strawberry.mutation(description="Register a producer.", extensions=[Refusals(), Audit()])
    async def create_producer(self, info: Info, input: ProducerCreateInput) -> ProducerPayload:
        producer = await registry.create_producer(_changes(input), info.context.reach)
        return ProducerPayload(producer=Producer.from_model(producer), errors=[])

    @strawberry.mutation(description="Change a producer.", extensions=[Refusals(), Audit()])
    async def update_producer(self, info: Info, input: ProducerUpdateInput) -> ProducerPayload:
        producer_id = decode_id(input.id, "Producer", "id")
        producer = await registry.update_producer(producer_id, _changes(input), info.context.reach)
        return ProducerPayload(producer=Producer.from_model(producer), errors=[])

    @strawberry.mutation(
        description="Register a product with its certifications and images, in one transaction.",
        extensions=[Refusals(), Audit()],
    )
    async def create_product(self, info: Info, input: ProductCreateInput) -> ProductPayload:
        changes = _changes(input)
        changes.values["producerId"] = decode_id(input.producer_id, "Producer", "producerId")
        product = await registry.create_product(changes, info.context.reach)
        return ProductPayload(product=Product.from_model(product), errors=[])

    @strawberry.mutation(description="Change a product.", extensions=[Refusals(), Audit()])
    async def update_product(self, info: Info, input: ProductUpdateInput) -> ProductPayload:
        product_id = decode_id(input.id, "Product", "id")
        product = await registry.update_product(product_id, _changes(input), info.context.reach)
        return ProductPayload(product=Product.from_model(product), errors=[])

    @strawberry.mutation(
        description="Record an evaluation (a draft score, a potential 5★, a certificate or a revocation). "
        "Stars follow from the total and the criteria set's bands.",
        extensions=[Refusals(), Audit()],
    )
    async def record_evaluation(self, info: Info, input: EvaluationInput) -> EvaluationPayload:
        data = registry.EvaluationData(
            product_id=decode_id(input.product_id, "Product", "productId"),
            criteria_set=input.criteria_set,
            level=input.level,
            score_a=input.score_a,
            score_b=input.score_b,
            score_c=input.score_c,
            status=input.status,
            mandatory_passed=input.mandatory_passed,
            decision_number=input.decision_number,
            decision_date=input.decision_date,
            valid_from=input.valid_from,
            valid_until=input.valid_until,
            note=input.note,
        )
        evaluation: EvaluationModel = await registry.record_evaluation(data, info.context.reach)
        return EvaluationPayload(evaluation=Evaluation.from_model(evaluation, info.context.today), errors=[])
