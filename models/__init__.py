"""Tortoise models: tables, constraints and indexes; no business rules (those live in `services/`)."""

from __future__ import annotations

from models.accounts import AccessToken, AuditEntry, LoginAttempt, Membership, Role, TokenKind, User
from models.admin import REFORM_DATE, AdminUnit, AdminUnitSuccession, UnitEra, UnitLevel
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

__all__ = [
    "REFORM_DATE",
    "AccessToken",
    "AdminUnit",
    "AdminUnitSuccession",
    "AuditEntry",
    "Certification",
    "CriteriaSet",
    "Evaluation",
    "EvaluationStatus",
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
    "RecognisingLevel",
    "ReferenceData",
    "Role",
    "TokenKind",
    "UnitEra",
    "UnitLevel",
    "User",
]
