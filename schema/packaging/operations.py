"""Packaging designs: the list for reviewers and producers, and the mutations of the review workflow
(services/packaging/designs.py): create a design, add and submit versions, comment, request changes,
approve, and the signed upload URL for artwork files."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from tortoise.expressions import Subquery

from models import DesignStatus, LabelProductType, PackageType
from models import DesignVersion as VersionModel
from models import PackagingDesign as DesignModel
from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import PackagingError
from schema.ids import decode_id
from schema.packaging.types import DesignVersion, LabelItem, PackagingDesign, ReviewComment
from schema.pagination import Connection, Page, fetch_page
from services.packaging import designs, uploads
from services.policy import packaging as policy
from services.policy.registry import deny

# -- declared content as input -----------------------------------------------------------------------------------


@strawberry.input
class ProductNameInput:
    text: str
    type_size_mm: float | None = strawberry.field(default=None, description="Cap height in mm.")


@strawberry.input
class ResponsiblePartyInput:
    name: str | None = None
    address: str | None = None


@strawberry.input
class OtherLanguageInput:
    language: str = strawberry.field(description="BCP 47 tag (en, zh) or the language's name.")
    text: str
    type_size_mm: float | None = None
    item: LabelItem | None = strawberry.field(default=None, description="The mandatory item it translates.")


@strawberry.input
class TextSizeInput:
    item: LabelItem
    type_size_mm: float


@strawberry.input
class OcopMarkInput:
    present: bool = True
    stars: int | None = None


@strawberry.input
class QrInput:
    link: str | None = None
    printed_size_mm: float | None = strawberry.field(
        default=None, description="Side of the printed symbol, quiet zone included."
    )
    error_correction: str = strawberry.field(default="M", description="L, M, Q or H.")


@strawberry.input(
    description="What the label declares; leave out what is not on it. Sizes are cap heights in mm."
)
class DeclaredContentInput:
    product_name: ProductNameInput | None = None
    responsible_party: ResponsiblePartyInput | None = None
    origin_wording: str | None = strawberry.field(default=None, description='E.g. "Sản xuất tại Việt Nam".')
    net_quantity: str | None = None
    manufacture_date_format: str | None = strawberry.field(default=None, description='E.g. "dd/mm/yyyy".')
    expiry: str | None = None
    ingredients: str | None = None
    instructions_use: str | None = None
    instructions_storage: str | None = None
    warnings: str | None = None
    ethanol_content: str | None = strawberry.field(default=None, description='Spirits, e.g. "29,5% vol".')
    lot_code_position: str | None = None
    health_supplement_statements: list[str] | None = None
    other_languages: list[OtherLanguageInput] | None = None
    mandatory_text_sizes: list[TextSizeInput] | None = None
    ocop_mark: OcopMarkInput | None = None
    qr: QrInput | None = None


def declared_json(d: DeclaredContentInput | None) -> dict[str, Any]:
    """The JSON form read by services/packaging/declared.py."""
    if d is None:
        return {}
    out: dict[str, Any] = {}
    if d.product_name is not None:
        out["product_name"] = {"text": d.product_name.text, "type_size_mm": d.product_name.type_size_mm}
    if d.responsible_party is not None:
        out["responsible_party"] = {"name": d.responsible_party.name, "address": d.responsible_party.address}
    for name in (
        "origin_wording",
        "net_quantity",
        "manufacture_date_format",
        "expiry",
        "ingredients",
        "instructions_use",
        "instructions_storage",
        "warnings",
        "ethanol_content",
        "lot_code_position",
    ):
        if getattr(d, name) is not None:
            out[name] = getattr(d, name)
    if d.health_supplement_statements:
        out["health_supplement_statements"] = list(d.health_supplement_statements)
    if d.other_languages:
        out["other_languages"] = [
            {
                "language": o.language,
                "text": o.text,
                "type_size_mm": o.type_size_mm,
                "item": o.item.value if o.item else None,
            }
            for o in d.other_languages
        ]
    if d.mandatory_text_sizes:
        out["mandatory_text_sizes"] = {s.item.value: s.type_size_mm for s in d.mandatory_text_sizes}
    if d.ocop_mark is not None:
        out["ocop_mark"] = {"present": d.ocop_mark.present, "stars": d.ocop_mark.stars}
    if d.qr is not None:
        out["qr"] = {
            "link": d.qr.link,
            "printed_size_mm": d.qr.printed_size_mm,
            "error_correction": d.qr.error_correction,
        }
    return out


# -- inputs and payloads -------------------------------------------------------------------------------------------


@strawberry.input
class PackagingDesignFilter:
    product_id: relay.GlobalID | None = None
    producer_id: relay.GlobalID | None = None
    label_type: LabelProductType | None = None
    version_status: DesignStatus | None = strawberry.field(
        default=None, description="Designs with a version in this status (SUBMITTED: work for reviewers)."
    )


@strawberry.input
class CreatePackagingDesignInput:
    product_id: relay.GlobalID
    name: str
    label_type: LabelProductType = strawberry.field(description="Which label rules apply.")


@strawberry.input(description="An artwork file uploaded with createUploadUrl's link.")
class VersionFileInput:
    file_id: relay.GlobalID = strawberry.field(description="A StoredFile ID (the upload's answer).")
    role: str = strawberry.field(default="artwork", description="artwork, dieline or photo.")


@strawberry.input(
    description="A new version: nothing is copied from earlier versions (list the files to keep again)."
)
class AddDesignVersionInput:
    design_id: relay.GlobalID
    package_type: PackageType
    declared: DeclaredContentInput
    name: str | None = strawberry.field(default=None, description='Defaults to "{design name} v{number}".')
    width_mm: float | None = strawberry.field(
        default=None, description="The label panel's width (preview page)."
    )
    height_mm: float | None = strawberry.field(default=None, description="The label panel's height.")
    depth_mm: float | None = None
    material: str | None = None
    print_method: str | None = None
    files: list[VersionFileInput] | None = None


@strawberry.input
class DesignVersionInput:
    version_id: relay.GlobalID


@strawberry.input
class DesignCommentInput:
    version_id: relay.GlobalID
    body: str


@strawberry.input
class ApproveDesignVersionInput:
    version_id: relay.GlobalID
    override_reason: str | None = strawberry.field(
        default=None, description="Required to approve despite ERROR findings: why, recorded in the thread."
    )


@strawberry.type
class PackagingDesignPayload:
    design: PackagingDesign | None
    errors: list[PackagingError]


@strawberry.type
class DesignVersionPayload:
    version: DesignVersion | None
    errors: list[PackagingError]


@strawberry.type
class ReviewCommentPayload:
    version: DesignVersion | None
    comment: ReviewComment | None
    errors: list[PackagingError]


@strawberry.type
class UploadUrlPayload:
    url: str | None = strawberry.field(
        description="PUT the file's raw bytes here within 15 minutes (add `&name=` for its display name); "
        "the answer's `fileId` goes into addDesignVersion's files."
    )
    max_bytes: int | None
    errors: list[PackagingError]


def _version_id(value: relay.GlobalID) -> int:
    return decode_id(value, "DesignVersion", "versionId")


# -- queries and mutations ---------------------------------------------------------------------------------------


@strawberry.type
class PackagingQuery:
    @strawberry.field(
        description="Packaging designs, last changed first: those of your producers (members, province "
        "officers), every one for consultants and central admins, none for the public."
    )
    async def packaging_designs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: PackagingDesignFilter | None = None,
    ) -> Connection[PackagingDesign]:
        f = filter or PackagingDesignFilter()
        reach = info.context.reach
        query = DesignModel.all()
        if not reach.actor.is_authenticated:
            query = query.filter(id__lt=0)
        elif (visibility := policy.design_visibility(reach)) is not None:
            query = query.filter(visibility)
        if f.product_id is not None:
            query = query.filter(product_id=decode_id(f.product_id, "Product", "filter.productId"))
        if f.producer_id is not None:
            query = query.filter(
                product__producer_id=decode_id(f.producer_id, "Producer", "filter.producerId")
            )
        if f.label_type is not None:
            query = query.filter(label_type=f.label_type)
        if f.version_status is not None:
            query = query.filter(
                id__in=Subquery(VersionModel.filter(status=f.version_status).values("design_id"))
            )
        page: Page[Any] = await fetch_page(query, ("-updated_at", "-id"), first, after, None, None)
        return Connection[PackagingDesign].of(page, [PackagingDesign.from_model(d) for d in page.rows], query)


@strawberry.type
class PackagingMutation:
    @strawberry.mutation(
        description="Start the packaging design of one of your products (members of its producer, officers "
        "of its province, central admins).",
        extensions=[Refusals(), Audit()],
    )
    async def create_packaging_design(
        self, info: Info, input: CreatePackagingDesignInput
    ) -> PackagingDesignPayload:
        ctx = info.context
        design = await designs.create_design(
            designs.DesignData(
                product_id=decode_id(input.product_id, "Product", "productId"),
                name=input.name,
                label_type=input.label_type,
            ),
            ctx.reach,
            user_id=ctx.actor.user_id,
        )
        return PackagingDesignPayload(design=PackagingDesign.from_model(design), errors=[])

    @strawberry.mutation(
        description="Add a numbered draft version: its declared label content, package figures and files.",
        extensions=[Refusals(), Audit()],
    )
    async def add_design_version(self, info: Info, input: AddDesignVersionInput) -> DesignVersionPayload:
        ctx = info.context
        files = tuple(
            designs.FileRef(decode_id(item.file_id, "StoredFile", f"files.{n}.fileId"), item.role)
            for n, item in enumerate(input.files or [])
        )
        version = await designs.add_version(
            designs.VersionData(
                design_id=decode_id(input.design_id, "PackagingDesign", "designId"),
                package_type=input.package_type,
                declared=declared_json(input.declared),
                name=input.name or "",
                width_mm=input.width_mm,
                height_mm=input.height_mm,
                depth_mm=input.depth_mm,
                material=input.material,
                print_method=input.print_method,
                files=files,
            ),
            ctx.reach,
            user_id=ctx.actor.user_id,
        )
        return DesignVersionPayload(version=DesignVersion.from_model(version), errors=[])

    @strawberry.mutation(
        description="Submit a draft version for review. A version is submitted once (NOT_ALLOWED after).",
        extensions=[Refusals(), Audit()],
    )
    async def submit_design_version(self, info: Info, input: DesignVersionInput) -> DesignVersionPayload:
        ctx = info.context
        version = await designs.submit_version(_version_id(input.version_id), ctx.reach)
        return DesignVersionPayload(version=DesignVersion.from_model(version), errors=[])

    @strawberry.mutation(
        description="Comment in a version's review thread: reviewers (consultants, officers, central admins) "
        "and the producer's members. A reviewer's comment on a SUBMITTED version puts it IN_REVIEW.",
        extensions=[Refusals(), Audit()],
    )
    async def comment_on_design_version(self, info: Info, input: DesignCommentInput) -> ReviewCommentPayload:
        ctx = info.context
        version_id = _version_id(input.version_id)
        row = await designs.comment(version_id, input.body, ctx.reach)
        version = await designs.visible_version(version_id, ctx.reach)
        return ReviewCommentPayload(
            version=DesignVersion.from_model(version) if version else None,
            comment=ReviewComment.from_model(row),
            errors=[],
        )

    @strawberry.mutation(
        description="Send a version awaiting review back to the producer, saying what to change (consultants, "
        "officers of the product's province, central admins).",
        extensions=[Refusals(), Audit()],
    )
    async def request_design_changes(self, info: Info, input: DesignCommentInput) -> ReviewCommentPayload:
        ctx = info.context
        version, row = await designs.request_changes(_version_id(input.version_id), input.body, ctx.reach)
        return ReviewCommentPayload(
            version=DesignVersion.from_model(version), comment=ReviewComment.from_model(row), errors=[]
        )

    @strawberry.mutation(
        description="Approve a version awaiting review (officers of the product's province, central admins; "
        "not consultants). Refused while compliance has ERROR findings unless overrideReason says why. The "
        "design's previously approved version becomes SUPERSEDED.",
        extensions=[Refusals(), Audit()],
    )
    async def approve_design_version(
        self, info: Info, input: ApproveDesignVersionInput
    ) -> DesignVersionPayload:
        ctx = info.context
        version = await designs.approve(
            _version_id(input.version_id), ctx.reach, override_reason=input.override_reason
        )
        return DesignVersionPayload(version=DesignVersion.from_model(version), errors=[])

    @strawberry.mutation(
        description="A signed URL to PUT one artwork file to (valid 15 minutes), for those who may author "
        "designs (producer members, province officers, central admins).",
        extensions=[Refusals(), Audit()],
    )
    async def create_upload_url(self, info: Info) -> UploadUrlPayload:
        ctx = info.context
        if ctx.actor.user_id is None or not policy.may_upload(ctx.reach):
            raise deny(ctx.reach)
        return UploadUrlPayload(
            url=uploads.upload_url(ctx.base_url, ctx.actor.user_id), max_bytes=uploads.max_bytes(), errors=[]
        )
