"""The domain enums exposed in GraphQL (registered once here; values stay the stored strings)."""

from __future__ import annotations

from collections.abc import Mapping
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


def describe_enum[E: type[Enum]](
    cls: E, *, description: str, values: Mapping[str, str], name: str | None = None
) -> E:
    """Registers a domain enum (defined in `models/` or `services/`, which know no GraphQL, so their
    members cannot be `strawberry.enum_value`s) with the description of the type and of every value.
    A value left undescribed, or a description of a value the enum does not have, is a start-up error."""
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    names = {value.name for value in definition.values}
    if names != set(values):
        raise ValueError(
            f"{cls.__name__}: describe {sorted(names - set(values))}, unknown {sorted(set(values) - names)}"
        )
    for value in definition.values:
        value.description = values[value.name]
    return cls


# strawberry.enum registers the class in place, so fields are annotated with the domain enums themselves.
describe_enum(
    ProducerKind,
    description="Kind of OCOP producer (chủ thể OCOP).",
    values={
        "ENTERPRISE": "An enterprise (doanh nghiệp).",
        "COOPERATIVE": "A cooperative (hợp tác xã, HTX).",
        "COOPERATIVE_GROUP": "A cooperative group (tổ hợp tác).",
        "HOUSEHOLD_BUSINESS": "A registered household business (hộ sản xuất có đăng ký kinh doanh).",
    },
)
describe_enum(
    CriteriaSet,
    description="Criteria set of an evaluation: QĐ 1048/QĐ-TTg (2019) or QĐ 148/QĐ-TTg (2023).",
    values={
        "QD_1048": "QĐ 1048/QĐ-TTg (2019): the first national OCOP criteria (parts A 35, B 25, C 40 points).",
        "QD_148": "QĐ 148/QĐ-TTg (2023): the current criteria (parts A 40, B 25, C 35 points), with mandatory minimum criteria.",
    },
)
describe_enum(
    RecognisingLevel,
    description="Level that recognised the rating.",
    values={
        "DISTRICT": "A district council (legacy units, until 2025-06-30).",
        "PROVINCE": "A provincial council: may certify 3 and 4 stars, and propose 5.",
        "CENTRAL": "The central council: the only one that certifies 5 stars.",
    },
)
describe_enum(
    EvaluationStatus,
    description="EXPIRED is never recorded: a certified evaluation reads as expired after its validity.",
    values={
        "DRAFT": "Scored but not decided.",
        "POTENTIAL_5_STAR": "Rated 5 stars by a province and sent to the central council (potential 5★).",
        "CERTIFIED": "Recognised by a decision: an OCOP certificate with 3 to 5 stars.",
        "EXPIRED": "A certificate past its validity (read, never recorded).",
        "REVOKED": "A certificate withdrawn before its end.",
    },
)
describe_enum(
    UnitLevel,
    description="Level of an administrative unit.",
    values={
        "PROVINCE": "A province or centrally governed city (tỉnh, thành phố trực thuộc trung ương).",
        "DISTRICT": "A district (huyện, quận, thị xã): a level that existed until 2025-06-30 only.",
        "COMMUNE": 'A commune, ward or township (xã, phường, thị trấn): the level OCOP is named after ("one commune, one product").',
    },
)
describe_enum(
    UnitEra,
    description="LEGACY units were valid until 2025-06-30 (63 provinces, districts); CURRENT from 2025-07-01.",
    values={
        "LEGACY": "Units valid until 2025-06-30: 63 provinces, their districts and communes.",
        "CURRENT": "Units since 2025-07-01: 34 provinces and their communes, without districts.",
    },
)
describe_enum(
    ProgrammeMetric,
    description="What a programme target measures.",
    values={
        "PROVINCIAL_LEVEL_PRODUCTS": "Products certified 3 stars or more (provincial level and above) in the period.",
        "NATIONAL_LEVEL_PRODUCTS": "Products certified 5 stars (national level) in the period.",
        "MODEL_EXAMPLES": "Producers recognised as model examples in the period.",
        "PARTICIPANTS_TRAINED_SHARE": "Percent of participating producers that completed OCOP training.",
        "PROVINCES_WITH_PLAN_SHARE": "Percent of provinces with an approved OCOP plan.",
    },
)
describe_enum(
    ProductSortField,
    description="Sort order of products.",
    values={
        "NAME": "By name (Vietnamese collation, without diacritics).",
        "CREATED_AT": "By registration time.",
        "UPDATED_AT": "By last change.",
    },
)
describe_enum(
    ErrorCorrection,
    name="QrErrorCorrection",
    description="QR error correction (labels, designers' codes): L 7 %, M 15 % (GS1's level for retail), Q 25 %, "
    "H 30 % of the symbol may be damaged or covered.",
    values={
        "L": "Low: 7 % of the symbol may be damaged.",
        "M": "Medium: 15 %, GS1's level for retail.",
        "Q": "Quartile: 25 %.",
        "H": "High: 30 %, the level for a code with a logo in its centre.",
    },
)
describe_enum(
    Language,
    description="A language we write in: VI Vietnamese, EN English.",
    values={"VI": "Vietnamese.", "EN": "English."},
)


@strawberry.enum(description="Sort direction.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("asc", description="Ascending: A to Z, oldest first.")
    DESC = strawberry.enum_value("desc", description="Descending: Z to A, newest first.")


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
