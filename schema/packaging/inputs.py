"""Inputs of the packaging mutations: declared label content (in the JSON form the services read) and the
review workflow's inputs, and how each becomes the service's dataclass."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from models import LabelProductType, PackageType
from schema.enums import ErrorCorrection
from schema.ids import decode_id
from schema.mapping import InputMap
from schema.packaging.types import DesignVersion, LabelItem, PackagingDesign
from services.packaging import designs

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
    error_correction: ErrorCorrection = ErrorCorrection.M


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
            "error_correction": d.qr.error_correction.value,
        }
    return out


# -- the review workflow ------------------------------------------------------------------------------------------


@strawberry.input
class CreatePackagingDesignInput:
    product_id: relay.GlobalID
    name: str
    label_type: LabelProductType = strawberry.field(description="Which label rules apply.")


@strawberry.input(description="An artwork file uploaded with createUploadUrl's link.")
class VersionFileInput:
    file_id: relay.GlobalID = strawberry.field(description="A StoredFile ID (the upload's answer).")
    role: designs.FileRole = designs.FileRole.ARTWORK


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


DESIGN_CREATE = InputMap(
    CreatePackagingDesignInput,
    designs.DesignData,
    decoded=("product_id",),
    output=PackagingDesign,
    write_only=("product_id",),  # read as `product`
)
VERSION_FILE = InputMap(VersionFileInput, designs.FileRef, decoded=("file_id",))
VERSION_ADD = InputMap(
    AddDesignVersionInput,
    designs.VersionData,
    # The design's ID, the declared content as JSON, the name's default and the files' IDs.
    decoded=("design_id", "declared", "name", "files"),
    output=DesignVersion,
    write_only=("design_id",),  # read as `design`
)


def version_data(input: AddDesignVersionInput) -> designs.VersionData:
    files = tuple(
        VERSION_FILE(item, file_id=decode_id(item.file_id, "StoredFile", f"files.{n}.fileId"))
        for n, item in enumerate(input.files or [])
    )
    return VERSION_ADD(
        input,
        design_id=decode_id(input.design_id, "PackagingDesign", "designId"),
        declared=declared_json(input.declared),
        name=input.name or "",
        files=files,
    )
