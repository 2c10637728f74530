"""Tortoise models: tables, constraints and indexes; no business rules (those live in `services/`)."""

from __future__ import annotations

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
    "AdminUnit",
    "AdminUnitSuccession",
    "Certification",
    "CriteriaSet",
    "Evaluation",
    "EvaluationStatus",
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
    "UnitEra",
    "UnitLevel",
]
