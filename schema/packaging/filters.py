"""Filter of the packaging designs list, and how it becomes the service's filter."""

from __future__ import annotations

import strawberry
from strawberry import relay

from models import DesignStatus, LabelProductType
from schema.mapping import InputMap
from services.packaging import design_reads


@strawberry.input(description="Packaging design filters; all given filters must match.")
class PackagingDesignFilter:
    product_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those of this product (its global ID)."
    )
    producer_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those of this producer (its global ID)."
    )
    label_type: LabelProductType | None = strawberry.field(
        default=None, description="Only designs of this product type."
    )
    version_status: DesignStatus | None = strawberry.field(
        default=None, description="Designs with a version in this status (SUBMITTED: work for reviewers)."
    )


DESIGN_FILTER = InputMap(
    PackagingDesignFilter, design_reads.DesignFilterData, decoded=("product_id", "producer_id")
)
