"""The OCOP registry: producers, products, evaluations (star ratings) and programme targets."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.admin import AdminUnit


class ProducerKind(StrEnum):
    ENTERPRISE = "enterprise"  # doanh nghiệp
    COOPERATIVE = "cooperative"  # hợp tác xã (HTX)
    COOPERATIVE_GROUP = "cooperative_group"  # tổ hợp tác (THT)
    HOUSEHOLD_BUSINESS = "household_business"  # hộ kinh doanh / hộ sản xuất


class CriteriaSet(StrEnum):
    QD_1048 = "1048"  # QĐ 1048/QĐ-TTg (2019), amended by QĐ 781/QĐ-TTg (2020)
    QD_148 = "148"  # QĐ 148/QĐ-TTg (2023)


class RecognisingLevel(StrEnum):
    DISTRICT = "district"
    PROVINCE = "province"
    CENTRAL = "central"


class EvaluationStatus(StrEnum):
    DRAFT = "draft"
    POTENTIAL_5_STAR = "potential_5_star"  # provincial score >= 90, waiting for the central council
    CERTIFIED = "certified"
    EXPIRED = "expired"  # never stored: a certified evaluation past its validity reads as expired
    REVOKED = "revoked"


class Timestamped(Model):
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class ProductGroup(Model):
    """OCOP product group or sub-group, versioned by criteria set (groups differ between 1048 and 148)."""

    id = fields.IntField(primary_key=True)
    criteria_set = fields.CharEnumField(CriteriaSet, max_length=8)
    code = fields.CharField(max_length=10)  # "1", "1.2"
    name = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200)
    parent: fields.ForeignKeyNullableRelation[ProductGroup] = fields.ForeignKeyField(
        "models.ProductGroup", related_name="subgroups", null=True, on_delete=fields.RESTRICT, db_index=True
    )
    parent_id: int | None
    uncertain = fields.BooleanField(default=False)  # sub-group codes of 148 are not confirmed by a source

    class Meta:
        table = "product_group"
        unique_together = (("criteria_set", "code"),)


class Producer(Timestamped):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=255)
    name_en = fields.CharField(max_length=255, null=True)
    name_folded = fields.CharField(max_length=255, db_index=True)
    kind = fields.CharEnumField(ProducerKind, max_length=20, db_index=True)
    tax_code = fields.CharField(max_length=13, null=True, unique=True)  # 10 digits, or 13 with a branch
    gln = fields.CharField(max_length=13, null=True, unique=True)
    address_line = fields.CharField(max_length=255)  # house number, street, hamlet (ấp)
    commune: fields.ForeignKeyRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, on_delete=fields.RESTRICT, db_index=True
    )
    commune_id: int
    # The commune's province, kept here so that filters by province need no join through the unit tree.
    province: fields.ForeignKeyRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, on_delete=fields.RESTRICT, db_index=True
    )
    province_id: int
    representative = fields.CharField(max_length=150, null=True)
    phone = fields.CharField(max_length=20, null=True)
    email = fields.CharField(max_length=254, null=True)
    website = fields.CharField(max_length=255, null=True)
    # The producer's logo: https, or our own /static/ or /media/ file (the catalog and designers' QR codes
    # print only our own files, read through the catalog's fetcher).
    logo_url = fields.CharField(max_length=500, null=True)
    description = fields.TextField(null=True)
    description_en = fields.TextField(null=True)
    ocop_training_completed_on = fields.DateField(null=True)  # trained in the OCOP cycle
    model_example_recognised_on = fields.DateField(null=True)  # "mô hình tiêu biểu"

    class Meta:
        table = "producer"


class Product(Timestamped):
    id = fields.IntField(primary_key=True)
    producer: fields.ForeignKeyRelation[Producer] = fields.ForeignKeyField(
        "models.Producer", related_name="products", on_delete=fields.RESTRICT, db_index=True
    )
    producer_id: int
    name = fields.CharField(max_length=255)
    name_en = fields.CharField(max_length=255, null=True)
    name_folded = fields.CharField(max_length=255, db_index=True)
    description = fields.TextField(null=True)
    description_en = fields.TextField(null=True)
    criteria_set = fields.CharEnumField(CriteriaSet, max_length=8)
    group: fields.ForeignKeyRelation[ProductGroup] = fields.ForeignKeyField(
        "models.ProductGroup", related_name=False, on_delete=fields.RESTRICT, db_index=True
    )
    group_id: int
    subgroup: fields.ForeignKeyNullableRelation[ProductGroup] = fields.ForeignKeyField(
        "models.ProductGroup", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    subgroup_id: int | None
    gtin = fields.CharField(max_length=14, null=True, unique=True)  # always GTIN-14
    net_quantity = fields.DecimalField(max_digits=12, decimal_places=3, null=True)
    net_unit = fields.CharField(max_length=10, null=True)
    shelf_life_days = fields.IntField(null=True)
    ingredients = fields.TextField(null=True)
    ingredients_en = fields.TextField(null=True)
    standards: fields.Field[list[str]] = fields.JSONField(
        default=list
    )  # "TCCS 01:2019/HTX", "TCVN 12345:2018"
    is_published = fields.BooleanField(default=True, db_index=True)
    # Latest certified evaluation (revoked ones excluded), kept by services.registry in the same
    # transaction as the evaluation; whether it is still valid is decided at read time.
    latest_certificate: fields.ForeignKeyNullableRelation[Evaluation] = fields.ForeignKeyField(
        "models.Evaluation", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    latest_certificate_id: int | None

    class Meta:
        table = "product"
        constraints = (
            CheckConstraint(
                check="shelf_life_days IS NULL OR shelf_life_days > 0", name="product_shelf_life"
            ),
            CheckConstraint(check="net_quantity IS NULL OR net_quantity > 0", name="product_net_quantity"),
        )


class Certification(Model):
    """A certification of the product other than OCOP: VietGAP, HACCP, ISO 22000, organic..."""

    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="certifications", on_delete=fields.CASCADE, db_index=True
    )
    product_id: int
    scheme = fields.CharField(max_length=50)
    number = fields.CharField(max_length=100, null=True)
    issuer = fields.CharField(max_length=255, null=True)
    valid_until = fields.DateField(null=True)

    class Meta:
        table = "certification"


class ProductImage(Model):
    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="images", on_delete=fields.CASCADE, db_index=True
    )
    product_id: int
    url = fields.CharField(max_length=500)
    caption = fields.CharField(max_length=255, null=True)
    position = fields.SmallIntField(default=0)

    class Meta:
        table = "product_image"


class Evaluation(Timestamped):
    """One evaluation of a product against a criteria set: part scores, stars and the recognising decision."""

    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="evaluations", on_delete=fields.RESTRICT, db_index=True
    )
    product_id: int
    criteria_set = fields.CharEnumField(CriteriaSet, max_length=8)
    level = fields.CharEnumField(RecognisingLevel, max_length=10)
    score_a = fields.SmallIntField()
    score_b = fields.SmallIntField()
    score_c = fields.SmallIntField()
    total = fields.SmallIntField()
    mandatory_passed = fields.BooleanField(default=True)
    stars = fields.SmallIntField()
    status = fields.CharEnumField(EvaluationStatus, max_length=20, db_index=True)
    decision_number = fields.CharField(max_length=100, null=True)
    decision_date = fields.DateField(null=True)
    valid_from = fields.DateField(null=True)
    valid_until = fields.DateField(null=True)
    note = fields.TextField(null=True)

    class Meta:
        table = "evaluation"
        constraints = (
            # Part maxima per criteria set (services.stars holds the same table for messages).
            CheckConstraint(
                check="score_a >= 0 AND score_b >= 0 AND score_c >= 0 AND ("
                "(criteria_set = '1048' AND score_a <= 35 AND score_b <= 25 AND score_c <= 40) OR "
                "(criteria_set = '148' AND score_a <= 40 AND score_b <= 25 AND score_c <= 35))",
                name="evaluation_part_maxima",
            ),
            CheckConstraint(check="total = score_a + score_b + score_c", name="evaluation_total"),
            CheckConstraint(check="stars BETWEEN 1 AND 5", name="evaluation_stars"),
            CheckConstraint(
                check="valid_until IS NULL OR valid_from IS NULL OR valid_until > valid_from",
                name="evaluation_validity",
            ),
            CheckConstraint(
                check="status <> 'certified' OR (decision_date IS NOT NULL AND valid_until IS NOT NULL "
                "AND stars >= 3)",
                name="evaluation_certified",
            ),
            CheckConstraint(check="status <> 'expired'", name="evaluation_expired_is_derived"),
        )


class ProvincialPlan(Model):
    """An approved provincial OCOP plan (đề án / kế hoạch), evidence for the 'provinces with a plan' target."""

    id = fields.IntField(primary_key=True)
    province: fields.ForeignKeyRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, on_delete=fields.RESTRICT, db_index=True
    )
    province_id: int
    document_number = fields.CharField(max_length=100)
    approved_on = fields.DateField()
    title = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "provincial_plan"
        unique_together = (("province", "document_number"),)


class ProgrammeMetric(StrEnum):
    PROVINCIAL_LEVEL_PRODUCTS = "provincial_level_products"  # certified 3-4★ in the period
    NATIONAL_LEVEL_PRODUCTS = "national_level_products"  # certified 5★ in the period
    MODEL_EXAMPLES = "model_examples"
    PARTICIPANTS_TRAINED_SHARE = "participants_trained_share"  # percent
    PROVINCES_WITH_PLAN_SHARE = "provinces_with_plan_share"  # percent


class ProgrammeTarget(Model):
    """A target of an OCOP programme or plan, whose progress is always computed from the registry."""

    id = fields.IntField(primary_key=True)
    programme = fields.CharField(max_length=255)  # "Kế hoạch chỉ đạo điểm OCOP 2019"
    source = fields.CharField(max_length=255, null=True)  # the decision or article the target comes from
    metric = fields.CharEnumField(ProgrammeMetric, max_length=40)
    target_value = fields.DecimalField(max_digits=10, decimal_places=2)
    period_start = fields.DateField()
    period_end = fields.DateField()
    # Scope: no provinces means national; one province; or a group such as the 12 pilot provinces.
    scope_name = fields.CharField(max_length=255)
    provinces: fields.ManyToManyRelation[AdminUnit] = fields.ManyToManyField(
        "models.AdminUnit", related_name="programme_targets", through="programme_target_province"
    )

    class Meta:
        table = "programme_target"
        constraints = (
            CheckConstraint(check="period_end >= period_start", name="programme_target_period"),
            CheckConstraint(check="target_value >= 0", name="programme_target_value"),
        )


class ReminderDigest(Model):
    """One expiry-reminder e-mail to one recipient (a province officer or a producer) for one ISO week
    (services/registry/report/reminders.py). The unique key (recipient, week) is the guarantee of "at most
    one a week": a sender claims the row before sending, so two workers never both send; a failed send
    deletes its claim so that a later run may try again."""

    id = fields.IntField(primary_key=True)
    recipient = fields.CharField(max_length=254)  # lower-case
    week = fields.DateField()  # the Monday of the week (Viet Nam time)
    certificates = fields.IntField(default=0)  # how many the e-mail lists
    claimed_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "reminder_digest"
        unique_together = (("recipient", "week"),)
