"""Label runs (printed QR labels of a lot), serial counters, custom label templates and serial scans."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.accounts import User
from models.registry import Producer
from models.trace import Batch


class TemplateKind(StrEnum):
    SHEET = "sheet"  # A4 label sheets for office printers
    ROLL = "roll"  # one label per page: thermal printer rolls


class LabelTemplate(Model):
    """A label template an organisation added (the built-in ones are reference data in services)"""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=120)
    kind = fields.CharEnumField(TemplateKind, max_length=5)
    page_width_mm = fields.DecimalField(max_digits=6, decimal_places=2)
    page_height_mm = fields.DecimalField(max_digits=6, decimal_places=2)
    rows = fields.IntField()
    columns = fields.IntField()
    label_width_mm = fields.DecimalField(max_digits=6, decimal_places=2)
    label_height_mm = fields.DecimalField(max_digits=6, decimal_places=2)
    margin_top_mm = fields.DecimalField(max_digits=6, decimal_places=2)
    margin_left_mm = fields.DecimalField(max_digits=6, decimal_places=2)
    column_gap_mm = fields.DecimalField(max_digits=6, decimal_places=2)
    row_gap_mm = fields.DecimalField(max_digits=6, decimal_places=2)
    producer: fields.ForeignKeyNullableRelation[Producer] = fields.ForeignKeyField(
        "models.Producer", related_name=False, null=True, on_delete=fields.CASCADE, db_index=True
    )
    producer_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "label_template"
        constraints = (
            CheckConstraint(check="rows >= 1 AND columns >= 1", name="label_template_grid"),
            CheckConstraint(
                check="label_width_mm > 0 AND label_height_mm > 0 AND page_width_mm > 0 AND page_height_mm > 0",
                name="label_template_sizes",
            ),
        )


class SerialCounter(Model):
    """The next free serial (GS1 AI 21) of a lot: serials are allocated from it and never reused."""

    id = fields.IntField(primary_key=True)
    batch: fields.OneToOneRelation[Batch] = fields.OneToOneField(
        "models.Batch", related_name=False, on_delete=fields.RESTRICT
    )
    batch_id: int
    next_serial = fields.BigIntField(default=1)

    class Meta:
        table = "serial_counter"


class LabelRun(Model):
    """One print job of labels for a lot: what was printed is frozen in `content` so that a download
    months later gives the same bytes."""

    id = fields.IntField(primary_key=True)
    batch: fields.ForeignKeyRelation[Batch] = fields.ForeignKeyField(
        "models.Batch", related_name="label_runs", on_delete=fields.RESTRICT, db_index=True
    )
    batch_id: int
    template_code = fields.CharField(max_length=32)
    count = fields.IntField()
    serialized = fields.BooleanField(default=False)
    first_serial = fields.BigIntField(null=True)
    start_slot = fields.IntField(default=1)
    language = fields.CharField(max_length=5, default="vi")
    print_date = fields.DateField()
    content: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    # sha256 of each output produced so far, by format ("pdf", "zpl-203", "tspl-300", ...)
    checksums: fields.Field[dict[str, str]] = fields.JSONField(default=dict)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "label_run"
        constraints = (
            CheckConstraint(check="count >= 1 AND count <= 100000", name="label_run_count"),
            CheckConstraint(check="start_slot >= 1", name="label_run_start_slot"),
            CheckConstraint(
                check="(serialized AND first_serial >= 1) OR (NOT serialized AND first_serial IS NULL)",
                name="label_run_serials",
            ),
        )


class SerialScan(Model):
    """One resolver hit on a serialised code. No IP address is stored: only a coarse region and a keyed
    hash of the network prefix, enough to tell many places from one."""

    id = fields.BigIntField(primary_key=True)
    batch: fields.ForeignKeyRelation[Batch] = fields.ForeignKeyField(
        "models.Batch", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    batch_id: int
    serial = fields.CharField(max_length=20)
    scanned_at = fields.DatetimeField()
    language = fields.CharField(max_length=5, null=True)
    region = fields.CharField(max_length=32, null=True)
    network = fields.CharField(max_length=16)

    class Meta:
        table = "serial_scan"
        indexes = (("batch_id", "serial", "scanned_at"),)


class ScanQuota(Model):
    """Counted scans of one network (the keyed hash SerialScan keeps) in one clock hour, shared by every
    replica on PostgreSQL: services/labels/scans.py increments it atomically (one upsert) up to
    OCOP_SCAN_NETWORK_MAX_PER_HOUR. Rows of past hours are deleted as the hours go by."""

    id = fields.BigIntField(primary_key=True)
    network = fields.CharField(max_length=16)
    hour = fields.BigIntField()  # Unix time // 3600
    used = fields.IntField(default=0)

    class Meta:
        table = "scan_quota"
        unique_together = (("network", "hour"),)
