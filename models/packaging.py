"""Packaging designs: numbered versions with declared label content, artwork files stored by content hash,
review comments and approvals."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.accounts import User
from models.registry import Product


class PackageType(StrEnum):
    BAG = "bag"
    BOX = "box"
    JAR = "jar"
    BOTTLE = "bottle"
    CAN = "can"
    WRAP = "wrap"
    HANG_TAG = "hang_tag"


class LabelProductType(StrEnum):
    """The rows of the label-law rule table (Decree 43/2017, Annex I)."""

    FOOD = "food"
    GRAIN = "grain"
    HEALTH_SUPPLEMENT = "health_supplement"
    SPIRITS = "spirits"
    NON_ALCOHOLIC_DRINK = "non_alcoholic_drink"
    COSMETICS = "cosmetics"
    HANDICRAFT = "handicraft"


class DesignStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class CommentKind(StrEnum):
    COMMENT = "comment"
    CHANGES_REQUESTED = "changes_requested"
    APPROVAL = "approval"
    OVERRIDE = "override"  # approval despite error findings, with a reason


class StoredFile(Model):
    """An uploaded file kept under its sha256, never under the name a user gave it"""

    id = fields.IntField(primary_key=True)
    sha256 = fields.CharField(max_length=64, unique=True)
    media_type = fields.CharField(max_length=60)  # detected from the content
    size_bytes = fields.BigIntField()
    width_px = fields.IntField(null=True)
    height_px = fields.IntField(null=True)
    pages = fields.IntField(null=True)
    thumbnail_sha256 = fields.CharField(max_length=64, null=True)
    original_name = fields.CharField(max_length=255, null=True)  # shown to people, never used as a path
    uploaded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    uploaded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "stored_file"
        constraints = (CheckConstraint(check="size_bytes >= 0", name="stored_file_size"),)


class PackagingDesign(Model):
    """The packaging of a product, in numbered versions"""

    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="packaging_designs", on_delete=fields.CASCADE, db_index=True
    )
    product_id: int
    name = fields.CharField(max_length=200)
    label_type = fields.CharEnumField(LabelProductType, max_length=19)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "packaging_design"


class DesignVersion(Model):
    """One version of a packaging design with what its label declares"""

    id = fields.IntField(primary_key=True)
    design: fields.ForeignKeyRelation[PackagingDesign] = fields.ForeignKeyField(
        "models.PackagingDesign", related_name="versions", on_delete=fields.CASCADE, db_index=True
    )
    design_id: int
    number = fields.IntField()
    name = fields.CharField(max_length=200)
    status = fields.CharEnumField(DesignStatus, max_length=17, default=DesignStatus.DRAFT, db_index=True)
    package_type = fields.CharEnumField(PackageType, max_length=8)
    width_mm = fields.FloatField(null=True)
    height_mm = fields.FloatField(null=True)
    depth_mm = fields.FloatField(null=True)
    material = fields.CharField(max_length=120, null=True)
    print_method = fields.CharField(max_length=120, null=True)
    # The declared label content (services/packaging: product name and its type size, responsible party,
    # origin wording, net quantity, date formats, ingredients, ..., OCOP mark, QR).
    declared: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    submitted_at = fields.DatetimeField(null=True)
    approved_at = fields.DatetimeField(null=True)
    approved_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    approved_by_id: int | None
    override_reason = fields.TextField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "design_version"
        unique_together = (("design", "number"),)
        constraints = (
            CheckConstraint(check="number >= 1", name="design_version_number"),
            CheckConstraint(
                check="(status = 'approved') = (approved_at IS NOT NULL) OR status = 'superseded'",
                name="design_version_approval",
            ),
        )


class VersionFile(Model):
    """An artwork file of a design version"""

    id = fields.IntField(primary_key=True)
    version: fields.ForeignKeyRelation[DesignVersion] = fields.ForeignKeyField(
        "models.DesignVersion", related_name="files", on_delete=fields.CASCADE, db_index=True
    )
    version_id: int
    file: fields.ForeignKeyRelation[StoredFile] = fields.ForeignKeyField(
        "models.StoredFile", related_name=False, on_delete=fields.RESTRICT, db_index=True
    )
    file_id: int
    role = fields.CharField(max_length=20, default="artwork")  # artwork, dieline, photo

    class Meta:
        table = "design_version_file"
        unique_together = (("version", "file"),)


class ReviewComment(Model):
    """A comment in the review thread of a design version"""

    id = fields.IntField(primary_key=True)
    version: fields.ForeignKeyRelation[DesignVersion] = fields.ForeignKeyField(
        "models.DesignVersion", related_name="comments", on_delete=fields.CASCADE, db_index=True
    )
    version_id: int
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    author_id: int | None
    author_role = fields.CharField(max_length=20)
    kind = fields.CharEnumField(CommentKind, max_length=17, default=CommentKind.COMMENT)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "review_comment"
