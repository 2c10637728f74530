"""Input of `generateCatalog`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from services.fairs.catalog.job import CatalogLanguage, CatalogPaper

strawberry.enum(CatalogLanguage, description="The language of a printed fair catalog.")
strawberry.enum(CatalogPaper, name="CatalogFormat", description="The paper size of a printed fair catalog.")


@strawberry.input
class GenerateCatalogInput:
    fair_id: relay.GlobalID
    language: CatalogLanguage = strawberry.field(
        default=CatalogLanguage.VI, description="VI, EN or BILINGUAL (Vietnamese with English beside it)."
    )
    format: CatalogPaper = strawberry.field(default=CatalogPaper.A4, description="Paper size.")
