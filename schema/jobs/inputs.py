"""Inputs of `generateCatalog` and `startProgrammeReport`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from schema.registry.inputs import ReportPeriodInput, ReportScopeInput


@strawberry.input
class GenerateCatalogInput:
    fair_id: relay.GlobalID
    language: str = strawberry.field(
        default="vi", description="vi, en or bilingual (Vietnamese with English beside it)."
    )
    format: str = strawberry.field(default="A4", description="Paper size: A4 or A5.")


@strawberry.input(description="A printed programme report: its scope, period and language.")
class StartProgrammeReportInput:
    scope: ReportScopeInput
    period: ReportPeriodInput
    language: str = strawberry.field(
        default="vi", description="vi, en or bilingual (Vietnamese with English beside it)."
    )
