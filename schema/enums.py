"""The domain enums exposed in GraphQL (registered once here; values stay the stored strings)."""

from __future__ import annotations

from enum import Enum

import strawberry

from models import (
    CriteriaSet,
    EvaluationStatus,
    ProducerKind,
    ProgrammeMetric,
    RecognisingLevel,
    UnitEra,
    UnitLevel,
)
from services.common.language import Language
from services.packaging.declared import ErrorCorrection
from services.registry.search import ProductSortField

# strawberry.enum registers the class in place, so fields are annotated with the domain enums themselves.
strawberry.enum(ProducerKind, description="Kind of OCOP producer (chủ thể OCOP).")
strawberry.enum(
    CriteriaSet, description="Criteria set of an evaluation: QĐ 1048/QĐ-TTg (2019) or QĐ 148/QĐ-TTg (2023)."
)
strawberry.enum(RecognisingLevel, description="Level that recognised the rating.")
strawberry.enum(
    EvaluationStatus,
    description="EXPIRED is never recorded: a certified evaluation reads as expired after its validity.",
)
strawberry.enum(UnitLevel, description="Level of an administrative unit.")
strawberry.enum(
    UnitEra,
    description="LEGACY units were valid until 2025-06-30 (63 provinces, districts); CURRENT from 2025-07-01.",
)
strawberry.enum(ProgrammeMetric, description="What a programme target measures.")
strawberry.enum(ProductSortField, description="Sort order of products.")
strawberry.enum(
    ErrorCorrection,
    name="QrErrorCorrection",
    description="QR error correction (labels, designers' codes): L 7 %, M 15 % (GS1's level for retail), Q 25 %, "
    "H 30 % of the symbol may be damaged or covered.",
)
strawberry.enum(Language, description="A language we write in: VI Vietnamese, EN English.")


@strawberry.enum
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


__all__ = [
    "CriteriaSet",
    "ErrorCorrection",
    "EvaluationStatus",
    "Language",
    "ProducerKind",
    "ProductSortField",
    "ProgrammeMetric",
    "RecognisingLevel",
    "SortDirection",
    "UnitEra",
    "UnitLevel",
]
