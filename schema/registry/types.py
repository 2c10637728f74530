"""GraphQL types of the OCOP registry. Each is built from a model row by `from_model`; relations resolve
through the request's DataLoaders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Self, cast

import strawberry
from strawberry import relay

from models import AdminUnit as AdminUnitModel
from models import Evaluation as EvaluationModel
from models import Producer as ProducerModel
from models import Product as ProductModel
from models import ProductGroup as ProductGroupModel
from schema.admin import AdministrativeUnit
from schema.compiled import projection
from schema.context import Info
from schema.enums import (
    CriteriaSet,
    EvaluationStatus,
    ProducerKind,
    ProgrammeMetric,
    RecognisingLevel,
    describe_enum,
)
from schema.fast import direct
from schema.jobs.types import Job
from schema.lookahead import now_or_later
from schema.mapping import from_row
from schema.pagination import After, Before, Connection, First, Last, deprecated_list
from services.common import rows
from services.policy import registry as policy
from services.registry import listing, programme
from services.registry import stars as star_rules
from services.registry.errors import RegistryErrorCode
from services.registry.report import figures as report_figures
from services.trace.identity import product_code, product_page_url

if TYPE_CHECKING:
    from schema.packaging.types import PackagingDesign
    from schema.trace.types import BatchConnection


def _pick(language: str, vi: str | None, en: str | None) -> str | None:
    return en if language == "en" and en else vi


@strawberry.type(description="OCOP product group or sub-group of a criteria set.")
class ProductGroup:
    code: str = strawberry.field(
        description='Code in the criteria set: "1" to "6" for groups, "1.2" style for sub-groups.'
    )
    name: str = strawberry.field(description='Name in Vietnamese (e.g. "Thực phẩm").')
    name_en: str = strawberry.field(description='Name in English (e.g. "Food").')
    criteria_set: CriteriaSet = strawberry.field(description="The criteria set this group belongs to.")
    uncertain: bool = strawberry.field(
        description="True where the code is not confirmed by a published source."
    )

    @classmethod
    def from_model(cls, group: ProductGroupModel) -> Self:
        return from_row(cls, group)


@strawberry.type(description="A certification other than OCOP (VietGAP, HACCP, ISO 22000, organic...).")
class Certification:
    scheme: str = strawberry.field(
        description="The certification scheme: VietGAP, HACCP, ISO 22000, organic..."
    )
    number: str | None = strawberry.field(description="Certificate number, when known. Null when not known.")
    issuer: str | None = strawberry.field(description="Body that issued it. Null when not given.")
    valid_until: dt.date | None = strawberry.field(
        description="Last day the certificate is valid. Null when it has no end date or it is not known."
    )


@strawberry.type(description="A photo of a product.")
class ProductImage:
    url: str = strawberry.field(
        description="Address of the image (https, or one of this server's /media/ files)."
    )
    caption: str | None = strawberry.field(description="What the photo shows. Null when not given.")


@strawberry.type(description="An OCOP evaluation: part scores, stars and the recognising decision.")
class Evaluation(relay.Node):
    id: relay.NodeID[int]
    criteria_set: CriteriaSet = strawberry.field(description="The criteria set it was scored against.")
    level: RecognisingLevel = strawberry.field(
        description="The council that evaluated and recognised it: district, province or central."
    )
    score_a: int = strawberry.field(description="Score of part A (product and production organisation).")
    score_b: int = strawberry.field(description="Score of part B (product development capacity).")
    score_c: int = strawberry.field(description="Score of part C (product quality).")
    total: int = strawberry.field(
        description="Total score (A + B + C, out of 100); the stars follow from it."
    )
    mandatory_passed: bool = strawberry.field(description="Passed the mandatory minimum criteria (QĐ 148).")
    stars: int = strawberry.field(description="Stars earned by the score (1-5); only 3-5★ can be certified.")
    status: EvaluationStatus = strawberry.field(
        description="Where the evaluation stands: draft, potential 5 stars, certified, expired or revoked."
    )
    decision_number: str | None = strawberry.field(
        description="Number of the recognising decision (the OCOP certificate number). Null until a decision recognises it (an evaluation in progress, a failed or potential 5-star one)."
    )
    decision_date: dt.date | None = strawberry.field(
        description="Date of the recognising decision. Null until a decision recognises it."
    )
    valid_from: dt.date | None = strawberry.field(
        description="First day the certificate is valid. Null until a decision recognises it."
    )
    valid_until: dt.date | None = strawberry.field(
        description="Last day the certificate is valid (36 months after the decision by default). Null until a decision recognises it."
    )
    note: str | None = strawberry.field(description="A free remark of the council. Null when not given.")
    product_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, e: EvaluationModel, today: dt.date) -> Self:
        return from_row(cls, e, status=star_rules.effective_status(e, today))

    @strawberry.field(description="True while the certificate is valid today.")
    def is_valid(self, info: Info) -> bool:
        return self.status == EvaluationStatus.CERTIFIED and bool(
            self.valid_until and self.valid_until >= info.context.today
        )

    @strawberry.field(
        description="Alias of decisionNumber: the number on the OCOP certificate. Null until a decision recognises it."
    )
    def number(self) -> str | None:
        return self.decision_number

    @strawberry.field(description="The product evaluated.")
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


@strawberry.type(
    description="A producer in the OCOP programme (chủ thể OCOP): an enterprise, cooperative, cooperative group "
    "or registered household business of a commune, which registers products for evaluation."
)
class Producer(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(
        description='Registered name of the producer (e.g. "HTX Dừa Xanh Giồng Trôm").'
    )
    name_en: str | None = strawberry.field(
        description="Its name in English, when one was given (`name` is the Vietnamese one). Null when no English one was given."
    )
    kind: ProducerKind = strawberry.field(
        description="Its legal form: enterprise, cooperative, cooperative group or household business."
    )
    tax_code: str | None = strawberry.field(
        description="Mã số thuế (Vietnamese tax code): 10 digits, or 13 for a branch. Null when not given (a household business may have none)."
    )
    gln: str | None = strawberry.field(
        description="GS1 Global Location Number of the producer (13 digits), when it has one. Null when it has none."
    )
    address_line: str = strawberry.field(
        description="Street address (house, street, hamlet), without commune and province."
    )
    website: str | None = strawberry.field(description="Its website. Null when not given.")
    logo_url: str | None = strawberry.field(
        description="The producer's logo (an https:// address or one of our /media/, /static/ files); null "
        "when it has none (the fair catalog then prints an initials tile)."
    )
    representative_value: strawberry.Private[str | None]
    phone_value: strawberry.Private[str | None]
    email_value: strawberry.Private[str | None]
    description: str | None = strawberry.field(
        description="Who the producer is, in Vietnamese. Null when not given."
    )
    description_en: str | None = strawberry.field(
        description="The description in English, when one was given. Null when no English one was given."
    )
    ocop_training_completed_on: dt.date | None = strawberry.field(
        description="When the producer completed OCOP training (counted by the training target of programme progress). Null until it completes the training (or when not recorded)."
    )
    model_example_recognised_on: dt.date | None = strawberry.field(
        description="When it was recognised as a model example (điển hình) of the programme. Null unless it was recognised."
    )
    created_at: dt.datetime = strawberry.field(description="When it was created (Viet Nam time).")
    updated_at: dt.datetime = strawberry.field(description="When it was last changed.")
    commune_id: strawberry.Private[int]
    province_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, p: ProducerModel) -> Self:
        # Contact fields are private here: their GraphQL fields show them only to those allowed.
        return from_row(
            cls, p, representative_value=p.representative, phone_value=p.phone, email_value=p.email
        )

    @strawberry.field(
        description="The commune (xã/phường, the lowest administrative unit) where it is registered."
    )
    @direct
    def commune(self, info: Info) -> AdministrativeUnit:
        return now_or_later(info.context.loaders.admin_unit.load(self.commune_id), _unit)

    @strawberry.field(description="The province of its commune.")
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

    @strawberry.field(
        description="Products of this producer the caller may see (published ones for the public), by name; "
        "all of them, unpaged.",
        deprecation_reason=deprecated_list("productsConnection"),
    )
    async def products(self, info: Info) -> list[Product]:
        return [Product.from_model(p) for p in await self._products(info)]

    @strawberry.field(
        description="Products of this producer the caller may see (published ones for the public; all for "
        "those who manage it), by name, a page at a time."
    )
    async def products_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[Product]:
        from services.registry.search import ProductFilterData, product_query

        visible = await product_query(
            ProductFilterData(), visibility=policy.product_visibility(info.context.reach)
        )
        loader = info.context.loaders.child_pages(
            "Producer.products", visible, "producer_id", ("name_folded", "id"), (first, after, last, before)
        )
        page = await loader.load(self.id)
        return Connection.of(page, [Product.from_model(p) for p in page.rows])

    async def _products(self, info: Info) -> list[ProductModel]:
        loader = info.context.loaders.products_by_producer(policy.product_visibility(info.context.reach))
        return await loader.load(self.id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.producer.load_many([int(i) for i in node_ids])
        return [cls.from_model(r) if r else None for r in rows]


@strawberry.type(
    description="An OCOP product: a product of Viet Nam's One Commune One Product programme (Mỗi xã một sản "
    "phẩm), evaluated by a council against a national criteria set and rated 1 to 5 stars; 3 stars or more "
    "earns an OCOP certificate, valid 36 months."
)
class Product(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(
        description='The product\'s name in Vietnamese, as registered (e.g. "Kẹo dừa sầu riêng lá dứa").'
    )
    name_en: str | None = strawberry.field(
        description="Its name in English, when one was given (`name` is the Vietnamese one). Null when no English one was given."
    )
    description: str | None = strawberry.field(
        description="What the product is, in Vietnamese. Null when not given."
    )
    description_en: str | None = strawberry.field(
        description="The description in English, when one was given. Null when no English one was given."
    )
    criteria_set: CriteriaSet = strawberry.field(
        description="The OCOP criteria set the product is evaluated against (QĐ 1048 of 2019 or QĐ 148 of 2023); its group codes belong to that set."
    )
    gtin: str | None = strawberry.field(
        description="The product's GS1 Global Trade Item Number (the barcode number), as GTIN-14 "
        "(GTIN-8/12/13 are stored left-padded with zeros). Null for a product without a barcode number (its links then use its public code)."
    )
    net_quantity: Decimal | None = strawberry.field(
        description='Net quantity of one pack, in `netUnit` (e.g. "400" g). Null when not given.'
    )
    net_unit: str | None = strawberry.field(
        description="Unit of `netQuantity`: g, kg, ml, l or piece. Null when the net quantity was not given."
    )
    shelf_life_days: int | None = strawberry.field(
        description="Days from production to expiry; a new lot's expiry date defaults to its production date plus this. Null when not given (new lots then get no default expiry date)."
    )
    ingredients: str | None = strawberry.field(
        description="Ingredients as printed on the label, in Vietnamese. Null when not given."
    )
    ingredients_en: str | None = strawberry.field(
        description="Ingredients in English, when given. Null when no English one was given."
    )
    standards: list[str] = strawberry.field(
        description="Standards the product is made to, e.g. a TCVN or a company standard (TCCS) number."
    )
    is_published: bool = strawberry.field(
        description="Whether the public sees it: unpublished products are shown only to those who manage them."
    )
    created_at: dt.datetime = strawberry.field(description="When it was created (Viet Nam time).")
    updated_at: dt.datetime = strawberry.field(description="When it was last changed.")
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

    @strawberry.field(description="The OCOP producer (chủ thể OCOP) that makes it.")
    @direct
    def producer(self, info: Info) -> Producer:
        return now_or_later(info.context.loaders.producer.load(self.producer_id), _producer)

    @strawberry.field(description='Its OCOP product group (e.g. "1" food) in its criteria set.')
    @direct
    def group(self, info: Info) -> ProductGroup:
        return now_or_later(info.context.loaders.product_group.load(self.group_id), _group)

    @strawberry.field(
        description='Its OCOP product sub-group (e.g. "1.2" processed food), when set. Null when no sub-group was set.'
    )
    @direct
    def subgroup(self, info: Info) -> ProductGroup | None:
        if self.subgroup_id is None:
            return None
        return now_or_later(info.context.loaders.product_group.load(self.subgroup_id), _group)

    @strawberry.field(
        description="Current OCOP stars (1-5, the rating of the product's evaluation; 3 or more is certified): "
        "those of the latest certificate while valid; null when it has no valid certificate."
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
        description="Latest OCOP certificate (certified evaluation), also when expired: see isValid and status. Null when the product was never certified."
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

    @strawberry.field(
        description="Its certifications other than OCOP (VietGAP, HACCP, ISO 22000, organic...)."
    )
    async def certifications(self, info: Info) -> list[Certification]:
        rows = await info.context.loaders.certifications_by_product.load(self.id)
        return [
            Certification(scheme=c.scheme, number=c.number, issuer=c.issuer, valid_until=c.valid_until)
            for c in rows
        ]

    @strawberry.field(description="Photos of the product, in order.")
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
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
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
    programme: str = strawberry.field(
        description="Name of the programme or plan that set it (e.g. the national OCOP programme 2021-2025)."
    )
    source: str | None = strawberry.field(
        description="The decision or document it comes from. Null when not given."
    )
    metric: ProgrammeMetric = strawberry.field(description="What it measures.")
    target_value: Decimal = strawberry.field(
        description="The figure to reach: a count, or a percent for share metrics."
    )
    period_start: dt.date = strawberry.field(description="First day of the period it covers.")
    period_end: dt.date = strawberry.field(description="Last day of the period it covers.")
    scope_name: str = strawberry.field(description='Where it applies: "national" or the province\'s name.')
    provinces: list[AdministrativeUnit] = strawberry.field(description="Empty for a national target.")


@strawberry.type(description="Progress towards a target, computed from the registry at request time.")
class ProgrammeProgress:
    target: ProgrammeTarget = strawberry.field(description="The target measured.")
    actual: Decimal = strawberry.field(description="Count, or percent for share metrics.")
    numerator: int = strawberry.field(description="What was counted (products, producers, provinces).")
    denominator: int | None = strawberry.field(
        description="For share metrics: how many were counted. Null for count metrics (only share metrics have one)."
    )
    ratio: Decimal | None = strawberry.field(
        description="actual / target (1 means reached). Null when the target is zero."
    )
    reached: bool = strawberry.field(description="Whether the actual figure reached the target value.")
    target_row: strawberry.Private[Any]

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
            target_row=target,
        )

    @strawberry.field(
        description="The count year by year of the target's period (a product in the year of its first "
        "certificate in the period: the years add up to `numerator`); empty for share metrics."
    )
    async def by_year(self) -> list[YearCount]:
        return [YearCount(year=y, count=n) for y, n in await programme.by_year(self.target_row)]


@strawberry.type(description="A count in one calendar year.")
class YearCount:
    year: int = strawberry.field(description="The calendar year (e.g. 2024).")
    count: int = strawberry.field(description="What was counted in that year (products or producers).")


describe_enum(
    report_figures.ScopeKind,
    name="ReportScopeKind",
    description="What a programme report covers: the whole country, one of the six socio-economic regions or "
    "a province.",
    values={
        "COUNTRY": "The whole of Viet Nam; no code.",
        "REGION": "A socio-economic region (vùng kinh tế - xã hội): TDMNPB, DBSH, BTBDHMT, TN, DNB or DBSCL.",
        "PROVINCE": "A province or centrally governed city, by its two-digit GSO code (e.g. `01` Hà Nội).",
    },
)


@strawberry.type(
    description="One row of a breakdown: stars (`3`, `4`, `5`), a product group code or a province."
)
class FigureShare:
    key: str = strawberry.field(
        description="What the row counts: a star rating (`3`, `4`, `5`), a product group code (`1` to `6`) or "
        "a province's two-digit GSO code."
    )
    name: str = strawberry.field(description='The row\'s label in Vietnamese (e.g. "4 sao", "Thực phẩm").')
    name_en: str = strawberry.field(description='The row\'s label in English (e.g. "4 stars", "Food").')
    count: int = strawberry.field(description="Products with a valid OCOP certificate in that row.")


@strawberry.type(description="Certificates of one calendar year within the period.")
class YearFigures:
    year: int = strawberry.field(description="The calendar year (e.g. 2024).")
    new: int = strawberry.field(description="Certificates decided that year (3-5★, revoked later or not).")
    new_three_stars: int = strawberry.field(description="Of `new`, certificates rated 3★.")
    new_four_stars: int = strawberry.field(description="Of `new`, certificates rated 4★.")
    new_five_stars: int = strawberry.field(
        description="Of `new`, certificates rated 5★ (recognised by the central council)."
    )
    expired: int = strawberry.field(description="Certificates whose validity ended that year (before today).")

    @classmethod
    def of(cls, y: report_figures.YearFigures) -> Self:
        three, four, five = y.new_by_stars
        return cls(
            year=y.year,
            new=y.new,
            new_three_stars=three,
            new_four_stars=four,
            new_five_stars=five,
            expired=y.expired,
        )


@strawberry.type(description="A province's figures in a programme report.")
class ProvinceFigures:
    code: str = strawberry.field(description="The province's two-digit GSO code (e.g. `01` Hà Nội).")
    name: str = strawberry.field(description="The province's name in Vietnamese.")
    products: int = strawberry.field(description="Products with a valid certificate at the period's end.")
    new_certificates: int = strawberry.field(description="Certificates decided within the period.")
    five_stars: int = strawberry.field(description="Of `products`, those at 5★.")
    pilot: bool = strawberry.field(description="One of the 12 provinces of the 2019 pilot plan.")


@strawberry.type(description="A target's progress as a report shows it.")
class TargetFigures:
    programme: str = strawberry.field(
        description="Name of the programme or plan that set the target (e.g. the national OCOP programme "
        "2021-2025)."
    )
    metric: ProgrammeMetric = strawberry.field(description="What the target measures.")
    scope_name: str = strawberry.field(
        description='Where the target applies: "national" or a province\'s name.'
    )
    period_start: dt.date = strawberry.field(description="First day of the target's period.")
    period_end: dt.date = strawberry.field(description="Last day of the target's period.")
    target: Decimal = strawberry.field(
        description="The figure to reach: a count, or a percent for share metrics."
    )
    actual: Decimal = strawberry.field(
        description="The figure reached so far, counted from the registry: a count, or a percent for share "
        "metrics."
    )
    ratio: Decimal | None = strawberry.field(
        description="actual / target (1 means reached); null when the target is zero."
    )
    reached: bool = strawberry.field(description="Whether the actual figure reached the target.")

    @classmethod
    def of(cls, t: report_figures.TargetFigures) -> Self:
        return from_row(
            cls,
            t,
            metric=ProgrammeMetric(t.metric),
            target=Decimal(t.target),
            actual=Decimal(t.actual),
            ratio=None if t.ratio is None else Decimal(t.ratio),
        )


@strawberry.type(
    description="The figures of a programme report for a scope and a period, computed from the registry at "
    "request time: the same figures the printed report (`startProgrammeReport`) shows."
)
class ProgrammeFigures:
    scope_kind: report_figures.ScopeKind = strawberry.field(
        description="What the report covers: the country, a region or a province."
    )
    scope_code: str = strawberry.field(
        description="The region's code (e.g. DBSCL) or the province's two-digit GSO code; empty for the country."
    )
    scope_name: str = strawberry.field(description='The scope\'s name in Vietnamese (e.g. "Toàn quốc").')
    scope_name_en: str = strawberry.field(description='The scope\'s name in English (e.g. "Whole country").')
    period_start: dt.date = strawberry.field(description="First day of the reporting period (included).")
    period_end: dt.date = strawberry.field(description="Last day of the reporting period (included).")
    as_of: dt.date = strawberry.field(
        description="The day products are counted on: the period's end, or today if it has not ended."
    )
    targets: list[TargetFigures] = strawberry.field(
        description="Targets whose period overlaps this one and whose scope meets it (national ones always)."
    )
    products: int = strawberry.field(description="Products with a valid certificate on `asOf`.")
    by_stars: list[FigureShare] = strawberry.field(description="`products` by stars: 3, 4, 5.")
    by_group: list[FigureShare] = strawberry.field(description="`products` by product group, largest first.")
    new_certificates: int = strawberry.field(
        description="OCOP certificates (3-5★) whose recognising decision falls within the period."
    )
    expired_certificates: int = strawberry.field(
        description="Certificates whose validity ended within the period (before today), not renewed by then."
    )
    by_year: list[YearFigures] = strawberry.field(description="Each year of the period.")
    by_province: list[ProvinceFigures] = strawberry.field(
        description="Provinces of the scope with products or new certificates, most products first."
    )
    pilots: list[ProvinceFigures] = strawberry.field(
        description="The 2019 pilot provinces within the scope, in the plan's order."
    )
    expiring_count: int = strawberry.field(
        description="Certificates ending within `expiringWithinDays` days of today (the list: "
        "`expiringCertificates`, for officers)."
    )
    expiring_within_days: int = strawberry.field(
        description="The window of `expiringCount`, in days from today, as asked."
    )

    @classmethod
    def of(cls, f: report_figures.Figures) -> Self:
        return cls(
            scope_kind=f.scope.kind,
            scope_code=f.scope.code,
            scope_name=f.scope.name,
            scope_name_en=f.scope.name_en,
            period_start=f.period_start,
            period_end=f.period_end,
            as_of=f.as_of,
            targets=[TargetFigures.of(t) for t in f.targets],
            products=f.products,
            by_stars=[from_row(FigureShare, s) for s in f.by_stars],
            by_group=[from_row(FigureShare, s) for s in f.by_group],
            new_certificates=f.new_certificates,
            expired_certificates=f.expired_certificates,
            by_year=[YearFigures.of(y) for y in f.by_year],
            by_province=[from_row(ProvinceFigures, p) for p in f.by_province],
            pilots=[from_row(ProvinceFigures, p) for p in f.pilots],
            expiring_count=len(f.expiring),
            expiring_within_days=f.expiring_within_days,
        )


# -- spreadsheets (issue 19) -------------------------------------------------------------------------------------


@strawberry.type(description="A column of the registry spreadsheet template.")
class SpreadsheetColumn:
    key: str = strawberry.field(description="The column's name in import reports (`column`).")
    header: str = strawberry.field(description="Vietnamese header (row 1).")
    header_en: str = strawberry.field(description="English header (row 2).")
    description: str = strawberry.field(description="What to write in the column, in Vietnamese.")
    description_en: str = strawberry.field(description="What to write in the column, in English.")
    required: bool = strawberry.field(
        description="Whether every data row must fill it (a row without a decision may leave the decision "
        "columns empty)."
    )
    choices: list[str] = strawberry.field(description="The values a cell may take; empty when free.")


@strawberry.type(
    description="The registry spreadsheet template (docs/coordination.md): one row per product and OCOP "
    "decision, with its producer; Vietnamese headers in row 1, English in row 2, a filled example in row 3."
)
class SpreadsheetTemplate:
    xlsx_url: str = strawberry.field(
        description="Where to download the template as an Excel workbook (.xlsx)."
    )
    csv_url: str = strawberry.field(description="Where to download the template as UTF-8 CSV.")
    columns: list[SpreadsheetColumn] = strawberry.field(description="The template's columns, left to right.")


@strawberry.type(description="A problem with one cell (or row) of an imported spreadsheet.")
class RegistryImportProblem:
    row: int = strawberry.field(description="The spreadsheet's row number (1: the header; 0: the file).")
    column: str = strawberry.field(description="The column's key (`SpreadsheetColumn.key`); empty for a row.")
    header: str = strawberry.field(description="The column's Vietnamese header.")
    code: RegistryErrorCode = strawberry.field(
        description="What is wrong, as the registry's mutations would say it (e.g. INVALID, NOT_FOUND)."
    )
    message: str = strawberry.field(description="In the request's language.")
    message_vi: str = strawberry.field(description="The problem in Vietnamese.")
    message_en: str = strawberry.field(description="The problem in English.")


@strawberry.type(description="How many records an import creates, updates and leaves as they are.")
class ImportActionCounts:
    create: int = strawberry.field(description="Records the import creates (or would, in a dry run).")
    update: int = strawberry.field(description="Existing records whose values it changes.")
    unchanged: int = strawberry.field(
        description="Existing records the file matches exactly: left as they are."
    )


@strawberry.type(
    description="What an import does, by kind of record: OCOP producers, products and evaluations "
    "(an evaluation is a row's OCOP decision: its stars, decision number and validity)."
)
class RegistryImportCounts:
    producers: ImportActionCounts = strawberry.field(description="OCOP producers (chủ thể OCOP).")
    products: ImportActionCounts = strawberry.field(description="OCOP products.")
    evaluations: ImportActionCounts = strawberry.field(
        description="Evaluations: the OCOP decisions (stars, decision number and date, validity) of the rows."
    )


@strawberry.type(description="What an import does with one row: create, update or unchanged.")
class RegistryImportRow:
    row: int = strawberry.field(description="The spreadsheet's row number.")
    producer: str = strawberry.field(
        description="What happens to the row's producer: create, update or unchanged."
    )
    product: str = strawberry.field(
        description="What happens to the row's product: create, update or unchanged."
    )
    evaluation: str | None = strawberry.field(description="Null for a row without a decision.")


WindowFirst = Annotated[int, strawberry.argument(description="How many items at most (10,000 at most).")]
WindowOffset = Annotated[
    int, strawberry.argument(description="How many items to skip from the first (0: none).")
]


def _window(items: list[dict[str, Any]], first: int, offset: int) -> list[dict[str, Any]]:
    """At most `first` items (10,000 at most) from `offset`."""
    start = max(0, offset)
    return items[start : start + min(max(0, first), 10_000)]


@strawberry.type(description="The report of an import job: a dry run's, or a confirmed import's.")
class RegistryImportReport:
    dry_run: bool = strawberry.field(
        description="Whether the job was a dry run: it checked every row and counted what would change, writing "
        "nothing."
    )
    applied: bool = strawberry.field(
        description="Whether the rows were written (a confirmed import with no problem); all or nothing."
    )
    rows: int = strawberry.field(description="Data rows read (headers and the example row not counted).")
    problem_count: int = strawberry.field(
        description="How many problems were found in all; the import is applied only when there are none."
    )
    counts: RegistryImportCounts = strawberry.field(
        description="How many producers, products and evaluations it creates, updates or leaves unchanged."
    )
    data: strawberry.Private[dict[str, Any]]
    language: strawberry.Private[str]

    @strawberry.field(description="Problems in row order; at most `first` (200 by default) from `offset`.")
    def problems(self, first: WindowFirst = 200, offset: WindowOffset = 0) -> list[RegistryImportProblem]:
        return [
            RegistryImportProblem(
                row=p["row"],
                column=p["column"],
                header=p["header"],
                code=RegistryErrorCode(p["code"]),
                message=p["message_en"] if self.language == "en" else p["message"],
                message_vi=p["message"],
                message_en=p["message_en"],
            )
            for p in _window(self.data["problems"], first, offset)
        ]

    @strawberry.field(description="Each row's actions in row order; at most `first` from `offset`.")
    def actions(self, first: WindowFirst = 200, offset: WindowOffset = 0) -> list[RegistryImportRow]:
        return [RegistryImportRow(**a) for a in _window(self.data["actions"], first, offset)]

    @classmethod
    def from_report(cls, report: dict[str, Any], language: str) -> RegistryImportReport:
        counts = report["counts"]
        return cls(
            dry_run=report["mode"] == "dry_run",
            applied=bool(report["applied"]),
            rows=int(report["rows"]),
            problem_count=len(report["problems"]),
            counts=RegistryImportCounts(
                producers=ImportActionCounts(**counts["producers"]),
                products=ImportActionCounts(**counts["products"]),
                evaluations=ImportActionCounts(**counts["evaluations"]),
            ),
            data=report,
            language=language,
        )


@strawberry.type(description="An import job and, once it has finished, its report.")
class RegistryImport:
    job: Job = strawberry.field(description="The background job: its state, and its timing.")
    report: RegistryImportReport | None = strawberry.field(
        description="The report once the job has finished; null while it is queued or running."
    )


# How a page of the product listing is projected from its rows by compiled plans (schema/compiled/projection.py):
# a product's and its producer's plain fields are their columns; `stars` is what the resolver computes from
# the latest certificate read in the same row; `producer` is the producer read in the same row.
_STARS_READ = ("stars", "status", "valid_from", "valid_until", "decision_date")  # by star_rules.current_stars


def _stars_of_row(row: dict[str, Any], _prefix: str, postgres: bool, context: Any) -> int | None:
    certificate = rows.record_at(row, EvaluationModel, "e__", postgres, _STARS_READ)
    return star_rules.current_stars(cast(Any, certificate), context.today)


projection.declare(
    "Product",
    ProductModel,
    not_copied=("standards", "certificate_id"),
    special={
        "id": projection.node_id(Product),
        "stars": projection.Computed(_stars_of_row, "with_certificate", {"e__": _STARS_READ}),
        "producer": projection.Joined("Producer", "pr__", needs="with_producer"),
    },
)
projection.declare(
    "Producer",
    ProducerModel,
    not_copied=("representative_value", "phone_value", "email_value"),
    special={"id": projection.node_id(Producer)},
)
projection.connection("ProductConnection", "Product", listing.ProductRows, ("", "pr__", "e__"))
