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


@strawberry.input(description="The product name as printed.")
class ProductNameInput:
    text: str = strawberry.field(description="The name.")
    type_size_mm: float | None = strawberry.field(default=None, description="Cap height in mm.")


@strawberry.input(description="Name and address of the party responsible for the goods.")
class ResponsiblePartyInput:
    name: str | None = strawberry.field(default=None, description="The organisation's name.")
    address: str | None = strawberry.field(default=None, description="Its address.")


@strawberry.input(description="A text of the label in another language.")
class OtherLanguageInput:
    language: str = strawberry.field(description="BCP 47 tag (en, zh) or the language's name.")
    text: str = strawberry.field(description="The text.")
    type_size_mm: float | None = strawberry.field(default=None, description="Its cap height, in millimetres.")
    item: LabelItem | None = strawberry.field(default=None, description="The mandatory item it translates.")


@strawberry.input(description="The type size of a mandatory item's text.")
class TextSizeInput:
    item: LabelItem = strawberry.field(description="The item.")
    type_size_mm: float = strawberry.field(description="Its cap height, in millimetres.")


@strawberry.input(description="The OCOP mark on the label.")
class OcopMarkInput:
    present: bool = strawberry.field(default=True, description="Whether the label carries it.")
    stars: int | None = strawberry.field(default=None, description="Stars it shows.")


@strawberry.input(description="The QR code printed on the label.")
class QrInput:
    link: str | None = strawberry.field(default=None, description="The address it carries.")
    printed_size_mm: float | None = strawberry.field(
        default=None, description="Side of the printed symbol, quiet zone included."
    )
    error_correction: ErrorCorrection = strawberry.field(
        default=ErrorCorrection.M, description="Its error-correction level."
    )


@strawberry.input(
    description="What the label declares; leave out what is not on it. Sizes are cap heights in mm."
)
class DeclaredContentInput:
    product_name: ProductNameInput | None = strawberry.field(
        default=None, description="The product name as printed."
    )
    responsible_party: ResponsiblePartyInput | None = strawberry.field(
        default=None, description="Who is responsible for the goods."
    )
    origin_wording: str | None = strawberry.field(default=None, description='E.g. "Sản xuất tại Việt Nam".')
    net_quantity: str | None = strawberry.field(
        default=None, description='Net quantity as printed, e.g. "400 g".'
    )
    manufacture_date_format: str | None = strawberry.field(default=None, description='E.g. "dd/mm/yyyy".')
    expiry: str | None = strawberry.field(default=None, description="Expiry date or shelf life as printed.")
    ingredients: str | None = strawberry.field(default=None, description="Ingredients as printed.")
    instructions_use: str | None = strawberry.field(default=None, description="Instructions for use.")
    instructions_storage: str | None = strawberry.field(default=None, description="Storage instructions.")
    warnings: str | None = strawberry.field(default=None, description="Warnings.")
    ethanol_content: str | None = strawberry.field(default=None, description='Spirits, e.g. "29,5% vol".')
    lot_code_position: str | None = strawberry.field(
        default=None, description="Where the lot code is printed."
    )
    health_supplement_statements: list[str] | None = strawberry.field(
        default=None, description="The mandatory statements of a health supplement."
    )
    other_languages: list[OtherLanguageInput] | None = strawberry.field(
        default=None, description="Texts in other languages."
    )
    mandatory_text_sizes: list[TextSizeInput] | None = strawberry.field(
        default=None, description="Type sizes of the mandatory items' texts."
    )
    ocop_mark: OcopMarkInput | None = strawberry.field(default=None, description="The OCOP mark, if printed.")
    qr: QrInput | None = strawberry.field(default=None, description="The QR code, if printed.")


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


@strawberry.input(description="A new packaging design for one of your products.")
class CreatePackagingDesignInput:
    product_id: relay.GlobalID = strawberry.field(description="The product.")
    name: str = strawberry.field(description="Its name.")
    label_type: LabelProductType = strawberry.field(description="Which label rules apply.")


@strawberry.input(description="An artwork file uploaded with createUploadUrl's link.")
class VersionFileInput:
    file_id: relay.GlobalID = strawberry.field(description="A StoredFile ID (the upload's answer).")
    role: designs.FileRole = strawberry.field(
        default=designs.FileRole.ARTWORK, description="What the file is: artwork, dieline or photo."
    )


@strawberry.input(
    description="A new version: nothing is copied from earlier versions (list the files to keep again)."
)
class AddDesignVersionInput:
    design_id: relay.GlobalID = strawberry.field(description="The design.")
    package_type: PackageType = strawberry.field(description="The kind of package.")
    declared: DeclaredContentInput = strawberry.field(description="What its label declares.")
    name: str | None = strawberry.field(default=None, description='Defaults to "{design name} v{number}".')
    width_mm: float | None = strawberry.field(
        default=None, description="The label panel's width (preview page)."
    )
    height_mm: float | None = strawberry.field(default=None, description="The label panel's height.")
    depth_mm: float | None = strawberry.field(
        default=None, description="Depth of the package, in millimetres."
    )
    material: str | None = strawberry.field(default=None, description="Packaging material.")
    print_method: str | None = strawberry.field(default=None, description="Printing method.")
    files: list[VersionFileInput] | None = strawberry.field(
        default=None, description="Its files (uploaded StoredFiles), with their roles."
    )


@strawberry.input(description="The version to submit.")
class DesignVersionInput:
    version_id: relay.GlobalID = strawberry.field(description="A draft version of a design you manage.")


@strawberry.input(description="A message of a version's review thread.")
class DesignCommentInput:
    version_id: relay.GlobalID = strawberry.field(description="The version.")
    body: str = strawberry.field(description="The text (at most 5,000 characters).")


@strawberry.input(description="The version to approve.")
class ApproveDesignVersionInput:
    version_id: relay.GlobalID = strawberry.field(description="A version awaiting review.")
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
