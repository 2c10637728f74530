"""Input of `generateCatalog`."""

from __future__ import annotations

import strawberry
from strawberry import relay


@strawberry.input(description="A catalog to render.")
class GenerateCatalogInput:
    fair_id: relay.GlobalID = strawberry.field(description="The fair (one you organise).")
    language: str = strawberry.field(
        default="vi", description="vi, en or bilingual (Vietnamese with English beside it)."
    )
    format: str = strawberry.field(default="A4", description="Paper size: A4 or A5.")
