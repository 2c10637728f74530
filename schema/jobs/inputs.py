"""Inputs of `generateCatalog` and `startProgrammeReport`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from schema.enums import describe_enum
from schema.registry.inputs import ReportPeriodInput, ReportScopeInput
from services.fairs.catalog.job import CatalogLanguage, CatalogPaper
from services.registry.report.job import ReportLanguage

describe_enum(
    CatalogLanguage,
    description="The language of a printed fair catalog.",
    values={
        "VI": "In Vietnamese.",
        "EN": "In English.",
        "BILINGUAL": "In Vietnamese with English beside it.",
    },
)
describe_enum(
    CatalogPaper,
    name="CatalogFormat",
    description="The paper size of a printed fair catalog.",
    values={"A4": "A4 paper.", "A5": "A5 paper."},
)
describe_enum(
    ReportLanguage,
    description="The language of a printed programme report.",
    values={
        "VI": "In Vietnamese.",
        "EN": "In English.",
        "BILINGUAL": "In Vietnamese with English beside it.",
    },
)


@strawberry.input(description="A catalog to render.")
class GenerateCatalogInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair (one you organise).")
    language: CatalogLanguage = strawberry.field(
        default=CatalogLanguage.VI, description="VI, EN or BILINGUAL (Vietnamese with English beside it)."
    )
    format: CatalogPaper = strawberry.field(default=CatalogPaper.A4, description="Paper size.")


@strawberry.input(description="A printed programme report: its scope, period and language.")
class StartProgrammeReportInput:
    scope: ReportScopeInput = strawberry.field(
        description="What the report covers: the country, a region or a province."
    )
    period: ReportPeriodInput = strawberry.field(
        description="The reporting period (both days included): certificates decided or expired within it "
        "are counted, products with a valid certificate on its last day (or today, if it has not ended)."
    )
    language: ReportLanguage = strawberry.field(
        default=ReportLanguage.VI,
        description="VI (the default), EN or BILINGUAL (Vietnamese with English beside it).",
    )
