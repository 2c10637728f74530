"""GraphQL enums over the domain enums (values stay the stored strings)."""

from __future__ import annotations

from enum import Enum

import strawberry

from models import (
    CriteriaSet as CriteriaSetModel,
)
from models import (
    EvaluationStatus as EvaluationStatusModel,
)
from models import (
    ProducerKind as ProducerKindModel,
)
from models import (
    ProgrammeMetric as ProgrammeMetricModel,
)
from models import (
    RecognisingLevel as RecognisingLevelModel,
)
from models import (
    UnitEra as UnitEraModel,
)
from models import (
    UnitLevel as UnitLevelModel,
)
from services.catalog import ProductSortField as ProductSortFieldModel

ProducerKind = strawberry.enum(ProducerKindModel, description="Kind of OCOP producer (chủ thể OCOP).")
CriteriaSet = strawberry.enum(
    CriteriaSetModel,
    description="Criteria set of an evaluation: QĐ 1048/QĐ-TTg (2019) or QĐ 148/QĐ-TTg (2023).",
)
RecognisingLevel = strawberry.enum(RecognisingLevelModel, description="Level that recognised the rating.")
EvaluationStatus = strawberry.enum(
    EvaluationStatusModel,
    description="EXPIRED is never recorded: a certified evaluation reads as expired after its validity.",
)
UnitLevel = strawberry.enum(UnitLevelModel, description="Level of an administrative unit.")
UnitEra = strawberry.enum(
    UnitEraModel,
    description="LEGACY units were valid until 2025-06-30 (63 provinces, districts); CURRENT from 2025-07-01.",
)
ProgrammeMetric = strawberry.enum(ProgrammeMetricModel, description="What a programme target measures.")
ProductSortField = strawberry.enum(ProductSortFieldModel, description="Sort order of products.")


@strawberry.enum
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"
