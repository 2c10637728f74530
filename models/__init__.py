"""Tortoise models: tables, constraints and indexes; no business rules (those live in `services/`)."""

from __future__ import annotations

from models.accounts import AccessToken, AuditEntry, LoginAttempt, Membership, Role, TokenKind, User
from models.admin import REFORM_DATE, AdminUnit, AdminUnitSuccession, UnitEra, UnitLevel
from models.labels import LabelRun, LabelTemplate, SerialCounter, SerialScan, TemplateKind
from models.registry import (
    Certification,
    CriteriaSet,
    Evaluation,
    EvaluationStatus,
    Producer,
    ProducerKind,
    Product,
    ProductGroup,
    ProductImage,
    ProgrammeMetric,
    ProgrammeTarget,
    ProvincialPlan,
    RecognisingLevel,
)
from models.system import ReferenceData
from models.trace import (
    Batch,
    BatchStatus,
    EventAction,
    EventQuantity,
    EventType,
    Location,
    LocationKind,
    QuantityRole,
    TraceEvent,
)

__all__ = [
    "REFORM_DATE",
    "AccessToken",
    "AdminUnit",
    "AdminUnitSuccession",
    "AuditEntry",
    "Batch",
    "BatchStatus",
    "Certification",
    "CriteriaSet",
    "Evaluation",
    "EvaluationStatus",
    "EventAction",
    "EventQuantity",
    "EventType",
    "LabelRun",
    "LabelTemplate",
    "Location",
    "LocationKind",
    "LoginAttempt",
    "Membership",
    "Producer",
    "ProducerKind",
    "Product",
    "ProductGroup",
    "ProductImage",
    "ProgrammeMetric",
    "ProgrammeTarget",
    "ProvincialPlan",
    "QuantityRole",
    "RecognisingLevel",
    "ReferenceData",
    "Role",
    "SerialCounter",
    "SerialScan",
    "TemplateKind",
    "TokenKind",
    "TraceEvent",
    "UnitEra",
    "UnitLevel",
    "User",
]
