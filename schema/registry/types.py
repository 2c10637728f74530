"""GraphQL types of the OCOP registry. Each is built from a model row by `from_model`; relations resolve
through the request's DataLoaders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Self, cast

import strawberry
from strawberry import relay

from models import AdminUnit as AdminUnitModel
from models import Evaluation as EvaluationModel
from models import Producer as ProducerModel
from models import Product as ProductModel
from models import ProductGroup as ProductGroupModel
from schema.admin import AdministrativeUnit
from schema.context import Info
from schema.enums import CriteriaSet, EvaluationStatus, ProducerKind, ProgrammeMetric, RecognisingLevel
from schema.fast import direct
from schema.lookahead import now_or_later
from schema.mapping import from_row
from services.policy import registry as policy
from services.registry import programme
from services.registry import stars as star_rules
from services.trace.identity import product_code, product_page_url

if TYPE_CHECKING:
    from schema.packaging.types import PackagingDesign
    from schema.trace.types import BatchConnection


def _pick(language: str, vi: str | None, en: str | None) -> str | None:
    return en if language == "en" and en else vi


@strawberry.type(description="OCOP product group or sub-group of a criteria set.")
class ProductGroup:
    code: str
    name: str
    name_en: str
    criteria_set: CriteriaSet
    uncertain: bool = strawberry.field(
        description="True where the code is not confirmed by a published source."
    )

    @classmethod
    def from_model(cls, group: ProductGroupModel) -> Self:
        return from_row(cls, group)


@strawberry.type(description="A certification other than OCOP (VietGAP, HACCP, ISO 22000, organic...).")
class Certification:
    scheme: str
    number: str | None
    issuer: str | None
    valid_until: dt.date | None


@strawberry.type
class ProductImage:
    url: str
    caption: str | None


@strawberry.type(description="An OCOP evaluation: part scores, stars and the recognising decision.")
class Evaluation(relay.Node):
    id: relay.NodeID[int]
    criteria_set: CriteriaSet
    level: RecognisingLevel
    score_a: int
    score_b: int
    score_c: int
    total: int
    mandatory_passed: bool = strawberry.field(description="Passed the mandatory minimum criteria (QĐ 148).")
    stars: int = strawberry.field(description="Stars earned by the score (1-5); only 3-5★ can be certified.")
    status: EvaluationStatus
    decision_number: str | None
    decision_date: dt.date | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    note: str | None
    product_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, e: EvaluationModel, today: dt.date) -> Self:
        return from_row(cls, e, status=star_rules.effective_status(e, today))

    @strawberry.field(description="True while the certificate is valid today.")
    def is_valid(self, info: Info) -> bool:
        return self.status == EvaluationStatus.CERTIFIED and bool(
            self.valid_until and self.valid_until >= info.context.today
        )

    @strawberry.field(description="Alias of decisionNumber: the number on the OCOP certificate.")
    def number(self) -> str | None:
        return self.decision_number

    @strawberry.field
    async def product(self, info: Info) -> Product:
        product = await info.context.loaders.product.load(self.product_id)
        assert product is not None
        return Product.from_model(product)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.evaluation.load_many([int(i) for i in node_ids])
        return [cast(Self | None, await _visible_evaluation(info, r)) for r in rows]


@strawberry.type(description="A producer in the OCOP programme (chủ thể OCOP).")
class Producer(relay.Node):
    id: relay.NodeID[int]
    name: str
    name_en: str | None
    kind: ProducerKind
    tax_code: str | None
    gln: str | None
    address_line: str
    website: str | None
    logo_url: str | None = strawberry.field(
        description="The producer's logo (an https:// address or one of our /media/, /static/ files), or "
        "null: the fair catalog then prints an initials tile."
    )
    representative_value: strawberry.Private[str | None]
    phone_value: strawberry.Private[str | None]
    email_value: strawberry.Private[str | None]
    description: str | None
    description_en: str | None
    ocop_training_completed_on: dt.date | None
    model_example_recognised_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    commune_id: strawberry.Private[int]
    province_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, p: ProducerModel) -> Self:
        # Contact fields are private here: their GraphQL fields show them only to those allowed.
        return from_row(
            cls, p, representative_value=p.representative, phone_value=p.phone, email_value=p.email
        )

    @strawberry.field
    @direct
    def commune(self, info: Info) -> AdministrativeUnit:
        return now_or_later(info.context.loaders.admin_unit.load(self.commune_id), _unit)

    @strawberry.field
    @direct
    def province(self, info: Info) -> AdministrativeUnit:
        return now_or_later(info.context.loaders.admin_unit.load(self.province_id), _unit)

    def _private(self, info: Info, value: str | None) -> str | None:
        reach = info.context.reach
        return (
            value if policy.sees_private_contacts(reach, self.id, self.province_id, self.commune_id) else None
        )

    @strawberry.field(description="Private: null unless the caller has a role on this producer.")
    @direct
    def representative(self, info: Info) -> str | None:
        return self._private(info, self.representative_value)

    @strawberry.field(description="Private: null unless the caller has a role on this producer.")
    @direct
    def phone(self, info: Info) -> str | None:
        return self._private(info, self.phone_value)

    @strawberry.field(description="Private: null unless the caller has a role on this producer.")
    @direct
    def email(self, info: Info) -> str | None:
        return self._private(info, self.email_value)

    @strawberry.field(description="Full postal address: line, commune, district (legacy units), province.")
    async def address(self, info: Info) -> str:
        parts = [self.address_line]
        unit = await info.context.loaders.admin_unit.load(self.commune_id)
        while unit is not None:
            parts.append(unit.name)
            parent_id = unit.parent_id
            unit = await info.context.loaders.admin_unit.load(parent_id) if parent_id else None
        return ", ".join(parts)

    @strawberry.field(description="Products of this producer (published ones), by name.")
    async def products(self, info: Info) -> list[Product]:
        from services.registry.search import ProductFilterData, product_query

        query = await product_query(
            ProductFilterData(producer_id=self.id), visibility=policy.product_visibility(info.context.reach)
        )
        return [Product.from_model(p) for p in await query.order_by("name_folded", "id")]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.producer.load_many([int(i) for i in node_ids])
        return [cls.from_model(r) if r else None for r in rows]


@strawberry.type(description="An OCOP product.")
class Product(relay.Node):
    id: relay.NodeID[int]
    name: str
    name_en: str | None
    description: str | None
    description_en: str | None
    criteria_set: CriteriaSet
    gtin: str | None = strawberry.field(
        description="GTIN-14 (GTIN-8/12/13 are stored left-padded with zeros)."
    )
    net_quantity: Decimal | None
    net_unit: str | None
    shelf_life_days: int | None
    ingredients: str | None
    ingredients_en: str | None
    standards: list[str]
    is_published: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    producer_id: strawberry.Private[int]
    group_id: strawberry.Private[int]
    subgroup_id: strawberry.Private[int | None]
    certificate_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, p: ProductModel) -> Self:
        return from_row(
            cls,
            p,
            standards=list(p.standards or []),
            certificate_id=p.latest_certificate_id,
        )

    @strawberry.field(description="Name in the request's language (English when asked and available).")
    def display_name(self, info: Info) -> str:
        return _pick(info.context.language, self.name, self.name_en) or self.name

    @strawberry.field
    @direct
    def producer(self, info: Info) -> Producer:
        return now_or_later(info.context.loaders.producer.load(self.producer_id), _producer)

    @strawberry.field
    @direct
    def group(self, info: Info) -> ProductGroup:
        return now_or_later(info.context.loaders.product_group.load(self.group_id), _group)

    @strawberry.field
    @direct
    def subgroup(self, info: Info) -> ProductGroup | None:
        if self.subgroup_id is None:
            return None
        return now_or_later(info.context.loaders.product_group.load(self.subgroup_id), _group)

    @strawberry.field(
        description="Current OCOP stars: those of the latest certificate while valid, else null."
    )
    @direct
    def stars(self, info: Info) -> int | None:
        if self.certificate_id is None:
            return None
        today = info.context.today
        return now_or_later(
            info.context.loaders.evaluation.load(self.certificate_id),
            lambda c: star_rules.current_stars(c, today),
        )

    @strawberry.field(
        description="Latest OCOP certificate (certified evaluation), also when expired: see isValid and status."
    )
    @direct
    def certificate(self, info: Info) -> Evaluation | None:
        if self.certificate_id is None:
            return None
        today = info.context.today
        return now_or_later(
            info.context.loaders.evaluation.load(self.certificate_id),
            lambda c: Evaluation.from_model(c, today) if c else None,
        )

    @strawberry.field(description="Every evaluation of the product, newest decision first.")
    async def evaluations(self, info: Info) -> list[Evaluation]:
        rows = await info.context.loaders.evaluations_by_product.load(self.id)
        producer = await info.context.loaders.producer.load(self.producer_id)
        assert producer is not None
        reach = info.context.reach
        return [
            Evaluation.from_model(e, info.context.today)
            for e in rows
            if policy.sees_evaluation(reach, e, producer)
        ]

    @strawberry.field
    async def certifications(self, info: Info) -> list[Certification]:
        rows = await info.context.loaders.certifications_by_product.load(self.id)
        return [
            Certification(scheme=c.scheme, number=c.number, issuer=c.issuer, valid_until=c.valid_until)
            for c in rows
        ]

    @strawberry.field
    async def images(self, info: Info) -> list[ProductImage]:
        rows = await info.context.loaders.images_by_product.load(self.id)
        return [ProductImage(url=i.url, caption=i.caption) for i in rows]

    @strawberry.field(
        description="The short code of the product in our links (`/products/{code}`, `/t/{code}/{lot}`, and "
        "`/p/{code}/10/{lot}` printed on lots of a product without a GTIN). Never changes."
    )
    def public_code(self) -> str:
        return product_code(self.id)

    @strawberry.field(description="The public product page; add `?lang=en` for English.")
    def page_url(self, info: Info) -> str:
        return product_page_url(info.context.base_url, self.id)

    @strawberry.field(
        description="Its lots, newest first: published ones for the public, every one for those who manage its "
        "producer. Each lot's `traceUrl` is its trace page."
    )
    async def lots(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Annotated[BatchConnection, strawberry.lazy("schema.trace.types")]:
        from schema.trace.types import lots_of_product

        return await lots_of_product(info, self.id, first, after, last, before)

    @strawberry.field(
        description="Its packaging designs: for the producer's members, officers of its province, consultants "
        "and central admins; empty for everyone else."
    )
    async def packaging_designs(
        self, info: Info
    ) -> list[Annotated[PackagingDesign, strawberry.lazy("schema.packaging.types")]]:
        from schema.packaging.types import designs_of_product

        return await designs_of_product(info, self.id, self.producer_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return [cast(Self | None, await visible_product(info, int(i))) for i in node_ids]


async def visible_product(info: Info, product_id: int) -> Product | None:
    """A product if it exists and the caller may see it (published, or a role on its producer)."""
    row = await info.context.loaders.product.load(product_id)
    if row is None:
        return None
    producer = await info.context.loaders.producer.load(row.producer_id)
    assert producer is not None
    return Product.from_model(row) if policy.sees_product(info.context.reach, row, producer) else None


async def _visible_evaluation(info: Info, row: EvaluationModel | None) -> Evaluation | None:
    if row is None:
        return None
    product = await info.context.loaders.product.load(row.product_id)
    assert product is not None
    producer = await info.context.loaders.producer.load(product.producer_id)
    assert producer is not None
    reach = info.context.reach
    if not (policy.sees_evaluation(reach, row, producer) and policy.sees_product(reach, product, producer)):
        return None
    return Evaluation.from_model(row, info.context.today)


def _unit(unit: AdminUnitModel | None) -> AdministrativeUnit:
    assert unit is not None
    return AdministrativeUnit.from_model(unit)


def _producer(producer: ProducerModel | None) -> Producer:
    assert producer is not None
    return Producer.from_model(producer)


def _group(group: ProductGroupModel | None) -> ProductGroup:
    assert group is not None
    return ProductGroup.from_model(group)


@strawberry.type(description="A target of an OCOP programme or plan.")
class ProgrammeTarget:
    programme: str
    source: str | None
    metric: ProgrammeMetric
    target_value: Decimal
    period_start: dt.date
    period_end: dt.date
    scope_name: str
    provinces: list[AdministrativeUnit] = strawberry.field(description="Empty for a national target.")


@strawberry.type(description="Progress towards a target, computed from the registry at request time.")
class ProgrammeProgress:
    target: ProgrammeTarget
    actual: Decimal = strawberry.field(description="Count, or percent for share metrics.")
    numerator: int
    denominator: int | None = strawberry.field(description="For share metrics: how many were counted.")
    ratio: Decimal | None = strawberry.field(description="actual / target (1 means reached).")
    reached: bool

    @classmethod
    def of(cls, result: programme.Progress) -> Self:
        target = result.target
        return from_row(
            cls,
            result,
            target=from_row(
                ProgrammeTarget,
                target,
                provinces=[AdministrativeUnit.from_model(p) for p in target.provinces],
            ),
        )
