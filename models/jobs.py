"""Durable background jobs: one row per job, whatever its kind (catalog renders, label renders)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.accounts import User


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Job(Model):
    """A durable background job (catalog renders). A running job whose worker died is run again once."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=40)
    params: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    input_hash = fields.CharField(max_length=64, db_index=True)  # same input, same output: reuse it
    status = fields.CharEnumField(JobStatus, max_length=9, default=JobStatus.QUEUED, db_index=True)
    progress = fields.IntField(default=0)  # percent
    attempts = fields.IntField(default=0)
    result_sha256 = fields.CharField(max_length=64, null=True)
    result_name = fields.CharField(max_length=255, null=True)
    error = fields.TextField(null=True)
    worker = fields.CharField(max_length=100, null=True)
    heartbeat_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job"
        constraints = (
            CheckConstraint(check="progress >= 0 AND progress <= 100", name="job_progress"),
            CheckConstraint(check="attempts >= 0", name="job_attempts"),
        )
