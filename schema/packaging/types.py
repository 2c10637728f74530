"""GraphQL types of packaging designs: designs, their versions with the declared label content, artwork files,
the review thread, compliance findings, previews and differences between versions.

Who sees them (services/policy/packaging.py): the producer's members, officers of its province, consultants
and central admins; for anyone else a design does not exist (null by ID, absent from lists)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any, Self, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models import CommentKind, DesignStatus, LabelProductType, PackageType, Role
from models import DesignVersion as VersionModel
from models import PackagingDesign as DesignModel
from models import ReviewComment as CommentModel
from models import StoredFile as StoredFileModel
from schema.context import Info
from schema.enums import describe_enum
from schema.ids import nodes_by_ids
from schema.mapping import from_row
from schema.packaging.loaders import packaging_loaders
from schema.pagination import After, Before, Connection, First, Last, deprecated_list, list_connection
from schema.registry.types import Product, visible_product
from services.packaging import compliance, design_reads, designs, preview
from services.packaging import declared as dc
from services.packaging.findings import Finding
from services.policy import packaging as policy

describe_enum(
    PackageType,
    description="The kind of package a design is for.",
    values={
        "BAG": "A bag or pouch.",
        "BOX": "A box.",
        "JAR": "A jar.",
        "BOTTLE": "A bottle.",
        "CAN": "A can or tin.",
        "WRAP": "A wrapper or sleeve.",
        "HANG_TAG": "A hang tag (handicrafts).",
    },
)
describe_enum(
    designs.FileRole,
    name="DesignFileRole",
    description="What a file of a design version is.",
    values={
        "ARTWORK": "The print artwork.",
        "DIELINE": "The dieline: the cutting and folding outline of the package.",
        "PHOTO": "A photo of a printed sample or mock-up.",
    },
)
describe_enum(
    LabelProductType,
    description="The product type whose label rules apply (Decree 43/2017 as amended, Annex I).",
    values={
        "FOOD": "Food: the general food label items.",
        "GRAIN": "Grain and cereals.",
        "HEALTH_SUPPLEMENT": "Health supplements: with their mandatory statements.",
        "SPIRITS": "Spirits and other alcoholic drinks: ethanol content and warnings.",
        "NON_ALCOHOLIC_DRINK": "Non-alcoholic drinks.",
        "COSMETICS": "Cosmetics.",
        "HANDICRAFT": "Handicrafts and other non-food goods.",
    },
)
describe_enum(
    DesignStatus,
    name="DesignStatus",
    description="DRAFT → SUBMITTED → IN_REVIEW → CHANGES_REQUESTED or APPROVED; an approved version becomes "
    "SUPERSEDED when a later one of its design is approved.",
    values={
        "DRAFT": "Being prepared by the producer.",
        "SUBMITTED": "Sent for review, not yet picked up.",
        "IN_REVIEW": "A reviewer has commented on it.",
        "CHANGES_REQUESTED": "Sent back to the producer with what to change.",
        "APPROVED": "Approved: fit for evaluation or a fair.",
        "SUPERSEDED": "Was approved, replaced by a later approved version.",
    },
)
describe_enum(
    CommentKind,
    name="ReviewCommentKind",
    description="What a comment of a review thread is.",
    values={
        "COMMENT": "A comment.",
        "CHANGES_REQUESTED": "A request for changes: the version goes back to the producer.",
        "APPROVAL": "The approval.",
        "OVERRIDE": "An approval despite ERROR findings, with its reason.",
    },
)


class LabelItem(StrEnum):
    PRODUCT_NAME = "product_name"
    RESPONSIBLE_PARTY = "responsible_party"
    ORIGIN_WORDING = "origin_wording"
    NET_QUANTITY = "net_quantity"
    MANUFACTURE_DATE_FORMAT = "manufacture_date_format"
    EXPIRY = "expiry"
    INGREDIENTS = "ingredients"
    INSTRUCTIONS_USE = "instructions_use"
    INSTRUCTIONS_STORAGE = "instructions_storage"
    WARNINGS = "warnings"
    ETHANOL_CONTENT = "ethanol_content"
    LOT_CODE_POSITION = "lot_code_position"
    HEALTH_SUPPLEMENT_STATEMENTS = "health_supplement_statements"


describe_enum(
    LabelItem,
    description="A mandatory item of a label (a field of the declared content).",
    values={
        "PRODUCT_NAME": "The product name.",
        "RESPONSIBLE_PARTY": "Name and address of the party responsible for the goods.",
        "ORIGIN_WORDING": "The origin.",
        "NET_QUANTITY": "The net quantity.",
        "MANUFACTURE_DATE_FORMAT": "The production date.",
        "EXPIRY": "The expiry date.",
        "INGREDIENTS": "The ingredients.",
        "INSTRUCTIONS_USE": "Instructions for use.",
        "INSTRUCTIONS_STORAGE": "Storage instructions.",
        "WARNINGS": "Warnings.",
        "ETHANOL_CONTENT": "Ethanol content (spirits).",
        "LOT_CODE_POSITION": "The lot code.",
        "HEALTH_SUPPLEMENT_STATEMENTS": "The statements of a health supplement.",
    },
)


assert {i.value for i in LabelItem} == set(dc.ITEM_FIELDS), "LabelItem must list declared.ITEM_FIELDS"


class FindingSeverity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


describe_enum(
    FindingSeverity,
    description="How serious a compliance finding is: an ERROR refuses approval (unless overridden).",
    values={
        "ERROR": "Breaks a label rule: approval is refused unless overridden with a reason.",
        "WARNING": "Probably wrong; approval is possible.",
        "INFO": "For information.",
    },
)


# -- the declared content (typed) ---------------------------------------------------------------------------------


@strawberry.type(description="The product name as declared, with its type size (cap height, mm).")
class DeclaredProductName:
    text: str = strawberry.field(description="The name as printed.")
    type_size_mm: float | None = strawberry.field(
        description="Its cap height, in millimetres. Null when the design does not say."
    )


@strawberry.type(description="Name and address of the organisation responsible for the goods.")
class DeclaredResponsibleParty:
    name: str | None = strawberry.field(
        description="The organisation's name. Null when the design does not say."
    )
    address: str | None = strawberry.field(description="Its address. Null when the design does not say.")


@strawberry.type(description="A text of the label in another language.")
class DeclaredOtherLanguage:
    language: str = strawberry.field(description="BCP 47 tag (en, zh) or the language's name.")
    text: str = strawberry.field(description="The text.")
    type_size_mm: float | None = strawberry.field(
        description="Its cap height, in millimetres. Null when the design does not say."
    )
    item: LabelItem | None = strawberry.field(
        description="The mandatory item it translates, if said. Null when the design does not say."
    )


@strawberry.type(description="The declared type size (cap height, mm) of a mandatory item's text.")
class DeclaredTextSize:
    item: LabelItem = strawberry.field(description="The mandatory item.")
    type_size_mm: float = strawberry.field(description="Its cap height, in millimetres.")


@strawberry.type(description="The OCOP mark (logo with stars) printed on the label.")
class DeclaredOcopMark:
    present: bool = strawberry.field(description="Whether the label carries the OCOP mark.")
    stars: int | None = strawberry.field(
        description="Stars the mark shows; must be those of the product's valid certificate. Null when the design does not say."
    )


@strawberry.type(description="The QR code printed on the label.")
class DeclaredQr:
    link: str | None = strawberry.field(
        description="The address the code carries (a lot's Digital Link). Null when the design does not say."
    )
    printed_size_mm: float | None = strawberry.field(
        description="Side of the printed symbol, quiet zone included. Null when the design does not say."
    )
    error_correction: dc.ErrorCorrection = strawberry.field(
        description="Error-correction level: L, M, Q or H."
    )


@strawberry.type(
    description="What a label declares (services/packaging/declared.py); null: not on the label."
)
class DeclaredContent:
    product_name: DeclaredProductName | None = strawberry.field(
        description="The product name as printed, with its type size. Null when the design does not declare it."
    )
    responsible_party: DeclaredResponsibleParty | None = strawberry.field(
        description="Who is responsible for the goods: name and address. Null when the design does not declare it."
    )
    origin_wording: str | None = strawberry.field(
        description='The origin as printed, e.g. "Sản xuất tại Việt Nam". Null when the design does not declare it.'
    )
    net_quantity: str | None = strawberry.field(
        description='Net quantity as printed, e.g. "400 g". Null when the design does not declare it.'
    )
    manufacture_date_format: str | None = strawberry.field(
        description='How the production date is printed, e.g. "dd/mm/yyyy". Null when the design does not declare it.'
    )
    expiry: str | None = strawberry.field(
        description="The expiry date or shelf life as printed. Null when the design does not declare it."
    )
    ingredients: str | None = strawberry.field(
        description="Ingredients as printed. Null when the design does not declare it."
    )
    instructions_use: str | None = strawberry.field(
        description="Instructions for use. Null when the design does not declare it."
    )
    instructions_storage: str | None = strawberry.field(
        description="Storage instructions. Null when the design does not declare it."
    )
    warnings: str | None = strawberry.field(
        description="Warnings and safety information. Null when the design does not declare it."
    )
    ethanol_content: str | None = strawberry.field(
        description='Ethanol content of spirits, e.g. "29,5% vol". Null when the design does not declare it (only spirits must).'
    )
    lot_code_position: str | None = strawberry.field(
        description="Where on the pack the lot code is printed. Null when the design does not declare it."
    )
    health_supplement_statements: list[str] = strawberry.field(
        description="The mandatory statements of a health supplement."
    )
    other_languages: list[DeclaredOtherLanguage] = strawberry.field(description="Texts in other languages.")
    mandatory_text_sizes: list[DeclaredTextSize] = strawberry.field(
        description="Type sizes of the mandatory items' texts."
    )
    ocop_mark: DeclaredOcopMark | None = strawberry.field(
        description="The OCOP mark printed, if any. Null when the design prints no OCOP mark."
    )
    qr: DeclaredQr | None = strawberry.field(
        description="The QR code printed, if any. Null when the design prints no QR code."
    )

    @classmethod
    def of(cls, d: dc.DeclaredContent) -> Self:
        return from_row(
            cls,
            d,
            product_name=DeclaredProductName(
                text=d.product_name.text, type_size_mm=d.product_name.type_size_mm
            )
            if d.product_name
            else None,
            responsible_party=DeclaredResponsibleParty(
                name=d.responsible_party.name, address=d.responsible_party.address
            )
            if d.responsible_party
            else None,
            health_supplement_statements=list(d.health_supplement_statements),
            other_languages=[
                DeclaredOtherLanguage(
                    language=o.language,
                    text=o.text,
                    type_size_mm=o.type_size_mm,
                    item=LabelItem(o.item) if o.item else None,
                )
                for o in d.other_languages
            ],
            mandatory_text_sizes=[
                DeclaredTextSize(item=LabelItem(k), type_size_mm=v) for k, v in d.mandatory_text_sizes.items()
            ],
            ocop_mark=DeclaredOcopMark(present=d.ocop_mark.present, stars=d.ocop_mark.stars)
            if d.ocop_mark
            else None,
            qr=DeclaredQr(
                link=d.qr.link,
                printed_size_mm=d.qr.printed_size_mm,
                error_correction=dc.ErrorCorrection(d.qr.error_correction),
            )
            if d.qr
            else None,
        )


# -- files, comments, findings, differences ---------------------------------------------------------------------


@strawberry.type(
    description="An uploaded artwork file, kept under its sha256 (uploaded with the signed PUT URL of "
    "createUploadUrl, then attached to a version by this ID)."
)
class StoredFile(relay.Node):
    id: relay.NodeID[int]
    sha256: str = strawberry.field(description="SHA-256 of the content, hex: the file's identity.")
    media_type: str = strawberry.field(description="Detected from the content: application/pdf, image/png...")
    size_bytes: int = strawberry.field(description="Size, in bytes.")
    width_px: int | None = strawberry.field(
        description="Width in pixels (images). Null for files other than images."
    )
    height_px: int | None = strawberry.field(
        description="Height in pixels (images). Null for files other than images."
    )
    pages: int | None = strawberry.field(description="Pages (PDF). Null for files other than PDFs.")
    original_name: str | None = strawberry.field(
        description="The name it was uploaded with (display only). Null when it was uploaded without a name."
    )
    thumbnail_sha256: str | None = strawberry.field(
        description="sha256 of its PNG thumbnail (PDF, PNG, JPEG; null for SVG, its own preview)."
    )
    created_at: dt.datetime = strawberry.field(description="When it was uploaded.")

    @classmethod
    def from_model(cls, f: StoredFileModel) -> Self:
        return from_row(cls, f, size_bytes=int(f.size_bytes))

    @strawberry.field(description="Whether it has a thumbnail.")
    def has_thumbnail(self) -> bool:
        return self.thumbnail_sha256 is not None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return await nodes_by_ids(
            node_ids, lambda ids: design_reads.visible_files(ids, info.context.reach), cls.from_model
        )


@strawberry.type(description="A file of a version, with its role (artwork, dieline or photo).")
class DesignFile:
    role: designs.FileRole = strawberry.field(description="artwork, dieline or photo.")
    file: StoredFile = strawberry.field(description="The file.")


@strawberry.type(description="One message of a version's review thread.")
class ReviewComment:
    kind: CommentKind = strawberry.field(
        description="A comment, a request for changes, an approval or an approval despite errors."
    )
    body: str = strawberry.field(description="The text.")
    author_role: Role = strawberry.field(description="The role the author spoke in.")
    created_at: dt.datetime = strawberry.field(description="When it was written.")
    author_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, c: CommentModel) -> Self:
        return from_row(cls, c, author_role=Role(c.author_role))

    @strawberry.field(description="The author's display name (null once the account is deleted).")
    async def author_name(self, info: Info) -> str | None:
        if self.author_id is None:
            return None
        user = await packaging_loaders(info).user.load(self.author_id)
        return user.display_name if user else None


@strawberry.type(description="A problem the label-law check found in the declared content.")
class ComplianceFinding:
    code: str = strawberry.field(description="A stable code, e.g. missing_item, qr_too_small.")
    severity: FindingSeverity = strawberry.field(description="How serious it is.")
    field: str = strawberry.field(description="Path in the declared content, e.g. `qr.printedSizeMm`.")
    message: str = strawberry.field(description="In the caller's language.")

    @classmethod
    def of(cls, f: Finding, language: str) -> Self:
        return cls(
            code=f.code,
            severity=FindingSeverity(f.severity),
            field=designs.camel_path(f.field),
            message=f.message_en if language == "en" else f.message_vi,
        )


@strawberry.type(description="A declared field (or package figure) that differs between two versions.")
class FieldChange:
    field: str = strawberry.field(
        description="camelCase path, e.g. `netQuantity`, `qr.printedSizeMm`, `widthMm`."
    )
    old: JSON | None = strawberry.field(
        description="The value in the version compared from. Null when the field was empty in the version compared from."
    )
    new: JSON | None = strawberry.field(
        description="The value in the version compared to. Null when the field is empty in the version compared to."
    )


@strawberry.type(description="What changed from one version (`fromVersion`) to another (`toVersion`).")
class VersionDiff:
    changes: list[FieldChange] = strawberry.field(
        description="Declared fields and package figures that differ."
    )
    files_added: list[StoredFile] = strawberry.field(
        description="Files the newer version has and the older one had not."
    )
    files_removed: list[StoredFile] = strawberry.field(
        description="Files the older version had and the newer one has not."
    )
    from_version: relay.GlobalID = strawberry.field(description="The version compared from.")
    to_version: relay.GlobalID = strawberry.field(description="The version compared to.")

    @classmethod
    def of(cls, d: design_reads.VersionDiff) -> Self:
        return cls(
            changes=[
                FieldChange(field=c.field, old=cast(JSON, c.old), new=cast(JSON, c.new)) for c in d.changes
            ],
            files_added=[StoredFile.from_model(f) for f in d.files_added],
            files_removed=[StoredFile.from_model(f) for f in d.files_removed],
            from_version=relay.GlobalID("DesignVersion", str(d.old_id)),
            to_version=relay.GlobalID("DesignVersion", str(d.new_id)),
        )


# -- versions and designs -------------------------------------------------------------------------------------------


@strawberry.type(
    description="One numbered version of a packaging design: what its label declares, its files and review."
)
class DesignVersion(relay.Node):
    id: relay.NodeID[int]
    number: int = strawberry.field(description="Its number in the design, from 1.")
    name: str = strawberry.field(description='Its name (by default "{design name} v{number}").')
    status: DesignStatus = strawberry.field(description="Where it stands in review.")
    package_type: PackageType = strawberry.field(description="The kind of package.")
    width_mm: float | None = strawberry.field(
        description="Width of the label panel, in millimetres. Null when the version does not give its size."
    )
    height_mm: float | None = strawberry.field(
        description="Height of the label panel, in millimetres. Null when the version does not give its size."
    )
    depth_mm: float | None = strawberry.field(
        description="Depth of the package, in millimetres. Null for a flat label, or when not given."
    )
    material: str | None = strawberry.field(
        description="Packaging material (e.g. kraft paper, PET). Null when not given."
    )
    print_method: str | None = strawberry.field(
        description="Printing method (e.g. offset, flexo, digital). Null when not given."
    )
    submitted_at: dt.datetime | None = strawberry.field(
        description="When it was submitted for review. Null until it is submitted."
    )
    approved_at: dt.datetime | None = strawberry.field(
        description="When it was approved. Null until it is approved."
    )
    override_reason: str | None = strawberry.field(
        description="Why it was approved despite error findings (null for a plain approval)."
    )
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    design_id: strawberry.Private[int]
    approved_by_id: strawberry.Private[int | None]
    declared_json: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_model(cls, v: VersionModel) -> Self:
        return from_row(cls, v, declared_json=dict(v.declared or {}))

    @strawberry.field(description="What the label declares.")
    def declared(self) -> DeclaredContent:
        content, _ = dc.DeclaredContent.parse(self.declared_json)
        return DeclaredContent.of(content)

    @strawberry.field(description="The design it is a version of.")
    async def design(self, info: Info) -> PackagingDesign:
        row = await packaging_loaders(info).design.load(self.design_id)
        assert row is not None  # a non-null foreign key; whoever sees a version sees its design
        return PackagingDesign.from_model(row)

    @strawberry.field(description="Its artwork files, in the order they were attached.")
    async def files(self, info: Info) -> list[DesignFile]:
        links = await packaging_loaders(info).files_by_version.load(self.id)
        return [
            DesignFile(role=designs.FileRole(link.role), file=StoredFile.from_model(link.file))
            for link in links
        ]

    @strawberry.field(
        description="The review thread, oldest first; all of it, unpaged.",
        deprecation_reason=deprecated_list("commentsConnection"),
    )
    async def comments(self, info: Info) -> list[ReviewComment]:
        rows = await packaging_loaders(info).comments_by_version.load(self.id)
        return [ReviewComment.from_model(c) for c in rows]

    @strawberry.field(
        description="The review thread (comments of the producer, consultants and officers on this version), "
        "oldest first, a page at a time."
    )
    async def comments_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[ReviewComment]:
        rows = await packaging_loaders(info).comments_by_version.load(self.id)
        return list_connection(rows, ReviewComment.from_model, first, after, last, before)

    @strawberry.field(
        description="Who approved it (display name), when approved. Null until it is approved, or when the approver's account is gone."
    )
    async def approved_by(self, info: Info) -> str | None:
        if self.approved_by_id is None:
            return None
        user = await packaging_loaders(info).user.load(self.approved_by_id)
        return user.display_name if user else None

    @strawberry.field(
        description="The label-law check of the declared content (today's certificate validity), in the "
        "caller's language. ERROR findings refuse approval unless overridden with a reason."
    )
    async def compliance(self, info: Info) -> list[ComplianceFinding]:
        language = info.context.language
        return [ComplianceFinding.of(f, language) for f in await compliance.version_findings(self.id)]

    @strawberry.field(
        description="The declared label panel at true size as a PDF (page = widthMm × heightMm): a signed "
        "link valid for a day. Null without both dimensions."
    )
    def preview_pdf_url(self, info: Info) -> str | None:
        return self._preview(info, "pdf")

    @strawberry.field(description="The same panel as a PNG at 300 dpi; null when previewPdfUrl is.")
    def preview_png_url(self, info: Info) -> str | None:
        return self._preview(info, "png")

    def _preview(self, info: Info, fmt: str) -> str | None:
        if not self.width_mm or not self.height_mm:
            return None
        return preview.preview_url(info.context.base_url, self.id, fmt)

    @strawberry.field(
        description="What changed from `other` (the older version, usually) to this one: declared fields with "
        "their old and new values, and files added or removed. Null when `other` is not visible."
    )
    async def diff(
        self,
        info: Info,
        other: Annotated[
            relay.GlobalID,
            strawberry.argument(description="Another version of the same design (usually the older one)."),
        ],
    ) -> VersionDiff | None:
        from schema.ids import decode_id
        from services.common.errors import DomainError

        try:
            other_id = decode_id(other, "DesignVersion", "other")
            result = await design_reads.diff(other_id, self.id, info.context.reach)
        except DomainError as exc:
            if exc.problems[0].code.value in ("not_found", "forbidden", "unauthenticated"):
                return None
            raise  # answered by schema.errors.QueryRefusals
        return VersionDiff.of(result)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return await nodes_by_ids(
            node_ids, lambda ids: design_reads.visible_versions(ids, info.context.reach), cls.from_model
        )


@strawberry.type(description="The packaging of a product, in numbered versions under review.")
class PackagingDesign(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description='Its name, e.g. "Hộp kẹo dừa 400 g".')
    label_type: LabelProductType = strawberry.field(
        description="The product type whose label rules (Decree 43/2017) the check applies."
    )
    created_at: dt.datetime = strawberry.field(description="When it was created (Viet Nam time).")
    updated_at: dt.datetime = strawberry.field(description="When it was last changed.")
    product_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, d: DesignModel) -> Self:
        return from_row(cls, d)

    @strawberry.field(description="The product (null if the caller may not see it: an unpublished product).")
    async def product(self, info: Info) -> Product | None:
        return await visible_product(info, self.product_id)

    @strawberry.field(
        description="Its versions, oldest (number 1) first; all of them, unpaged.",
        deprecation_reason=deprecated_list("versionsConnection"),
    )
    async def versions(self, info: Info) -> list[DesignVersion]:
        rows = await packaging_loaders(info).versions_by_design.load(self.id)
        return [DesignVersion.from_model(v) for v in rows]

    @strawberry.field(
        description="Its versions (each upload of revised artwork is a new version), oldest (number 1) first, "
        "a page at a time: `last: 1` is the newest."
    )
    async def versions_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[DesignVersion]:
        rows = await packaging_loaders(info).versions_by_design.load(self.id)
        return list_connection(rows, DesignVersion.from_model, first, after, last, before)

    @strawberry.field(description="The version with the highest number. Null until a first version is added.")
    async def latest_version(self, info: Info) -> DesignVersion | None:
        rows = await packaging_loaders(info).versions_by_design.load(self.id)
        return DesignVersion.from_model(rows[-1]) if rows else None

    @strawberry.field(description="The version approved now (null before any approval).")
    async def approved_version(self, info: Info) -> DesignVersion | None:
        rows = await packaging_loaders(info).versions_by_design.load(self.id)
        approved = [v for v in rows if v.status == DesignStatus.APPROVED]
        return DesignVersion.from_model(approved[-1]) if approved else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return await nodes_by_ids(
            node_ids, lambda ids: design_reads.visible_designs(ids, info.context.reach), cls.from_model
        )


async def designs_of_product(info: Info, product_id: int, producer_id: int) -> list[PackagingDesign]:
    """`Product.packagingDesigns`: the product's designs for those who see its producer's designs."""
    producer = await info.context.loaders.producer.load(producer_id)
    if producer is None or not policy.sees_designs(info.context.reach, producer):
        return []
    rows = await packaging_loaders(info).designs_by_product.load(product_id)
    return [PackagingDesign.from_model(d) for d in rows]
