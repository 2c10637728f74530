"""Trade fairs: zones, booths, exhibitor applications, booth assignments, programme, tourism offerings,
sponsors; and the durable jobs table that renders catalogs out of the request path."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.accounts import User
from models.admin import AdminUnit
from models.registry import Producer, Product


class FairKind(StrEnum):
    OCOP = "ocop"
    OCOP_TOURISM = "ocop_tourism"
    AGRICULTURE = "agriculture"
    TRADE = "trade"


class FairStatus(StrEnum):
    DRAFT = "draft"
    ACCEPTING = "accepting"  # accepting applications
    PUBLISHED = "published"  # exhibitors and programme public
    CLOSED = "closed"


class BoothType(StrEnum):
    STANDARD = "standard"
    CORNER = "corner"
    PREMIUM = "premium"
    OUTDOOR = "outdoor"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class SessionKind(StrEnum):
    CEREMONY = "ceremony"
    SEMINAR = "seminar"
    BUSINESS_MATCHING = "business_matching"
    TOUR = "tour"
    OTHER = "other"


class OfferingKind(StrEnum):
    COMMUNITY_TOURISM = "community_tourism"
    CRAFT_VILLAGE = "craft_village"
    HOMESTAY = "homestay"
    TOUR = "tour"


class Fair(Model):
    """A trade fair, e.g. the 2019 OCOP-Tourism fair in Ben Tre"""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=100, unique=True)  # the organisers' membership scope
    name = fields.CharField(max_length=255)
    name_en = fields.CharField(max_length=255, null=True)
    theme = fields.CharField(max_length=255, null=True)
    theme_en = fields.CharField(max_length=255, null=True)
    kind = fields.CharEnumField(FairKind, max_length=14)
    regions: fields.Field[list[str]] = fields.JSONField(default=list)
    venue = fields.CharField(max_length=255)
    address = fields.CharField(max_length=255, null=True)
    province: fields.ForeignKeyNullableRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    province_id: int | None
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    opening_hours = fields.CharField(max_length=100, null=True)
    organisers: fields.Field[list[dict[str, str]]] = fields.JSONField(default=list)
    foreword = fields.TextField(null=True)
    foreword_en = fields.TextField(null=True)
    practical_info = fields.TextField(null=True)
    practical_info_en = fields.TextField(null=True)
    floor_width_m = fields.FloatField(default=100)
    floor_depth_m = fields.FloatField(default=60)
    status = fields.CharEnumField(FairStatus, max_length=10, default=FairStatus.DRAFT, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "fair"
        constraints = (CheckConstraint(check="ends_on >= starts_on", name="fair_dates"),)


class Zone(Model):
    """An area of the fair floor hosting some product groups"""

    id = fields.IntField(primary_key=True)
    fair: fields.ForeignKeyRelation[Fair] = fields.ForeignKeyField(
        "models.Fair", related_name="zones", on_delete=fields.CASCADE, db_index=True
    )
    fair_id: int
    code = fields.CharField(max_length=10)
    name = fields.CharField(max_length=120)
    name_en = fields.CharField(max_length=120, null=True)
    product_groups: fields.Field[list[str]] = fields.JSONField(default=list)  # OCOP group codes, "1".."6"
    color = fields.CharField(max_length=7, default="#e8f1e4")
    x_m = fields.FloatField(default=0)
    y_m = fields.FloatField(default=0)
    width_m = fields.FloatField(default=10)
    depth_m = fields.FloatField(default=10)

    class Meta:
        table = "fair_zone"
        unique_together = (("fair", "code"),)


class Booth(Model):
    """A booth on the floor plan. (fair, id) is unique so that assignments can reference both."""

    id = fields.IntField(primary_key=True)
    fair: fields.ForeignKeyRelation[Fair] = fields.ForeignKeyField(
        "models.Fair", related_name="booths", on_delete=fields.CASCADE, db_index=True
    )
    fair_id: int
    zone: fields.ForeignKeyRelation[Zone] = fields.ForeignKeyField(
        "models.Zone", related_name="booths", on_delete=fields.RESTRICT, db_index=True
    )
    zone_id: int
    code = fields.CharField(max_length=12)
    booth_type = fields.CharEnumField(BoothType, max_length=8, default=BoothType.STANDARD)
    width_m = fields.FloatField(default=3)
    depth_m = fields.FloatField(default=3)
    x_m = fields.FloatField(default=0)
    y_m = fields.FloatField(default=0)
    price_vnd = fields.BigIntField(null=True)

    class Meta:
        table = "fair_booth"
        unique_together = (("fair", "code"), ("id", "fair"))
        constraints = (
            CheckConstraint(check="width_m > 0 AND depth_m > 0", name="fair_booth_size"),
            CheckConstraint(check="price_vnd IS NULL OR price_vnd >= 0", name="fair_booth_price"),
        )


class ExhibitorApplication(Model):
    """An application of a producer to exhibit at a fair. Approved, it makes the producer an exhibitor"""

    id = fields.IntField(primary_key=True)
    fair: fields.ForeignKeyRelation[Fair] = fields.ForeignKeyField(
        "models.Fair", related_name="applications", on_delete=fields.CASCADE, db_index=True
    )
    fair_id: int
    producer: fields.ForeignKeyRelation[Producer] = fields.ForeignKeyField(
        "models.Producer", related_name=False, on_delete=fields.RESTRICT, db_index=True
    )
    producer_id: int
    wanted_zone: fields.ForeignKeyNullableRelation[Zone] = fields.ForeignKeyField(
        "models.Zone", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    wanted_zone_id: int | None
    wanted_booth_type = fields.CharEnumField(BoothType, max_length=8, default=BoothType.STANDARD)
    booths_wanted = fields.IntField(default=1)
    description = fields.TextField(null=True)  # short text for the catalog
    description_en = fields.TextField(null=True)
    status = fields.CharEnumField(
        ApplicationStatus, max_length=10, default=ApplicationStatus.SUBMITTED, db_index=True
    )
    submitted_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    decided_by_id: int | None

    class Meta:
        table = "fair_application"
        unique_together = (("fair", "producer"), ("id", "fair"))
        constraints = (
            CheckConstraint(
                check="booths_wanted >= 1 AND booths_wanted <= 10", name="fair_application_booths"
            ),
        )


class ApplicationProduct(Model):
    """A product an exhibitor shows at the fair"""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[ExhibitorApplication] = fields.ForeignKeyField(
        "models.ExhibitorApplication", related_name="products", on_delete=fields.CASCADE, db_index=True
    )
    application_id: int
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    product_id: int

    class Meta:
        table = "fair_application_product"
        unique_together = (("application", "product"),)


class BoothAssignment(Model):
    """An exhibitor on a booth, one exhibitor per booth

    Booth and exhibitor belong to the assignment's fair: composite foreign keys on PostgreSQL, triggers
    on SQLite (see migration 0005)."""

    id = fields.IntField(primary_key=True)
    fair: fields.ForeignKeyRelation[Fair] = fields.ForeignKeyField(
        "models.Fair", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    fair_id: int
    booth: fields.OneToOneRelation[Booth] = fields.OneToOneField(
        "models.Booth", related_name="assignment", on_delete=fields.CASCADE
    )
    booth_id: int
    application: fields.ForeignKeyRelation[ExhibitorApplication] = fields.ForeignKeyField(
        "models.ExhibitorApplication", related_name="assignments", on_delete=fields.CASCADE, db_index=True
    )
    application_id: int
    assigned_at = fields.DatetimeField(auto_now_add=True)
    assigned_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    assigned_by_id: int | None
    manual = fields.BooleanField(default=False)  # set by an organiser, kept by automatic assignment

    class Meta:
        table = "fair_booth_assignment"


class ProgrammeSession(Model):
    """A ceremony, seminar, business-matching session or tour of the fair programme"""

    id = fields.IntField(primary_key=True)
    fair: fields.ForeignKeyRelation[Fair] = fields.ForeignKeyField(
        "models.Fair", related_name="sessions", on_delete=fields.CASCADE, db_index=True
    )
    fair_id: int
    kind = fields.CharEnumField(SessionKind, max_length=17)
    title = fields.CharField(max_length=255)
    title_en = fields.CharField(max_length=255, null=True)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    place = fields.CharField(max_length=255, null=True)
    speakers: fields.Field[list[str]] = fields.JSONField(default=list)
    description = fields.TextField(null=True)
    description_en = fields.TextField(null=True)

    class Meta:
        table = "fair_session"
        constraints = (CheckConstraint(check="ends_at >= starts_at", name="fair_session_times"),)


class TourismOffering(Model):
    """A community-tourism site, craft village, homestay or tour presented at a fair"""

    id = fields.IntField(primary_key=True)
    fair: fields.ForeignKeyRelation[Fair] = fields.ForeignKeyField(
        "models.Fair", related_name="tourism_offerings", on_delete=fields.CASCADE, db_index=True
    )
    fair_id: int
    kind = fields.CharEnumField(OfferingKind, max_length=17)
    name = fields.CharField(max_length=255)
    name_en = fields.CharField(max_length=255, null=True)
    commune: fields.ForeignKeyNullableRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    commune_id: int | None
    address = fields.CharField(max_length=255, null=True)
    description = fields.TextField(null=True)
    description_en = fields.TextField(null=True)
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )  # its OCOP group 6 product, where there is one
    product_id: int | None
    contact = fields.CharField(max_length=255, null=True)
    image_url = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "fair_tourism_offering"


class Sponsor(Model):
    """A sponsor of a fair, shown in the catalog"""

    id = fields.IntField(primary_key=True)
    fair: fields.ForeignKeyRelation[Fair] = fields.ForeignKeyField(
        "models.Fair", related_name="sponsors", on_delete=fields.CASCADE, db_index=True
    )
    fair_id: int
    name = fields.CharField(max_length=255)
    level = fields.CharField(max_length=20, default="partner")  # diamond, gold, silver, partner
    logo_url = fields.CharField(max_length=500, null=True)
    website = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "fair_sponsor"
