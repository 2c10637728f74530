"""Inputs of `generateCatalog` and `startProgrammeReport`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from schema.enums import describe_enum
from schema.registry.inputs import ReportPeriodInput, ReportScopeInput
from services.fairs.catalog.job import CatalogLanguage, CatalogPaper

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


@strawberry.input(description="A catalog to render.")
class GenerateCatalogInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair (one you organise).")
    language: CatalogLanguage = strawberry.field(
        default=CatalogLanguage.VI, description="VI, EN or BILINGUAL (Vietnamese with English beside it)."
    )
    format: CatalogPaper = strawberry.field(default=CatalogPaper.A4, description="Paper size.")


@strawberry.input(description="A printed programme report: its scope, period and language.")
class StartProgrammeReportInput:
    scope: ReportScopeInput
    period: ReportPeriodInput
    language: str = strawberry.field(
        default="vi", description="vi, en or bilingual (Vietnamese with English beside it)."
    )
