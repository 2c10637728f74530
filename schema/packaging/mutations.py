"""Mutations of the packaging review workflow (services/packaging/designs.py): create a design, add and
submit versions, comment, request changes, approve, and the signed upload URL for artwork files."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import ERRORS, INPUT, PackagingError
from schema.ids import decode_id
from schema.packaging.inputs import (
    DESIGN_CREATE,
    AddDesignVersionInput,
    ApproveDesignVersionInput,
    CreatePackagingDesignInput,
    DesignCommentInput,
    DesignVersionInput,
    version_data,
)
from schema.packaging.types import DesignVersion, PackagingDesign, ReviewComment
from services.packaging import design_reads, designs, uploads
from services.policy import packaging as policy
from services.policy.registry import deny


@strawberry.type(description="The result of creating a packaging design.")
class PackagingDesignPayload:
    design: PackagingDesign | None = strawberry.field(description="The new design; null when refused.")
    errors: list[PackagingError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of a design version mutation.")
class DesignVersionPayload:
    version: DesignVersion | None = strawberry.field(
        description="The version as it is now; null when refused."
    )
    errors: list[PackagingError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of a review comment.")
class ReviewCommentPayload:
    version: DesignVersion | None = strawberry.field(
        description="The version as it is now. Null when `errors` is not empty."
    )
    comment: ReviewComment | None = strawberry.field(description="The comment written; null when refused.")
    errors: list[PackagingError] = strawberry.field(description=ERRORS)


@strawberry.type(description="Where to upload an artwork file.")
class UploadUrlPayload:
    url: str | None = strawberry.field(
        description="PUT the file's raw bytes here within 15 minutes (add `&name=` for its display name); "
        "the answer's `fileId` goes into addDesignVersion's files. Null when `errors` is not empty."
    )
    max_bytes: int | None = strawberry.field(
        description="Largest file accepted, in bytes. Null when `errors` is not empty."
    )
    errors: list[PackagingError] = strawberry.field(description=ERRORS)


def _version_id(value: relay.GlobalID) -> int:
    return decode_id(value, "DesignVersion", "versionId")


@strawberry.type
class PackagingMutation:
    @strawberry.mutation(
        description="Start the packaging design of one of your products (members of its producer, officers "
        "of its province, central admins).",
        extensions=[Refusals(), Audit()],
    )
    async def create_packaging_design(
        self, info: Info, input: Annotated[CreatePackagingDesignInput, strawberry.argument(description=INPUT)]
    ) -> PackagingDesignPayload:
        ctx = info.context
        product_id = decode_id(input.product_id, "Product", "productId")
        design = await designs.create_design(
            DESIGN_CREATE(input, product_id=product_id), ctx.reach, user_id=ctx.actor.user_id
        )
        return PackagingDesignPayload(design=PackagingDesign.from_model(design), errors=[])

    @strawberry.mutation(
        description="Add a numbered draft version: its declared label content, package figures and files.",
        extensions=[Refusals(), Audit()],
    )
    async def add_design_version(
        self, info: Info, input: Annotated[AddDesignVersionInput, strawberry.argument(description=INPUT)]
    ) -> DesignVersionPayload:
        ctx = info.context
        version = await designs.add_version(version_data(input), ctx.reach, user_id=ctx.actor.user_id)
        return DesignVersionPayload(version=DesignVersion.from_model(version), errors=[])

    @strawberry.mutation(
        description="Submit a draft version for review. A version is submitted once (NOT_ALLOWED after).",
        extensions=[Refusals(), Audit()],
    )
    async def submit_design_version(
        self, info: Info, input: Annotated[DesignVersionInput, strawberry.argument(description=INPUT)]
    ) -> DesignVersionPayload:
        ctx = info.context
        version = await designs.submit_version(_version_id(input.version_id), ctx.reach)
        return DesignVersionPayload(version=DesignVersion.from_model(version), errors=[])

    @strawberry.mutation(
        description="Comment in a version's review thread: reviewers (consultants, officers, central admins) "
        "and the producer's members. A reviewer's comment on a SUBMITTED version puts it IN_REVIEW.",
        extensions=[Refusals(), Audit()],
    )
    async def comment_on_design_version(
        self, info: Info, input: Annotated[DesignCommentInput, strawberry.argument(description=INPUT)]
    ) -> ReviewCommentPayload:
        ctx = info.context
        version_id = _version_id(input.version_id)
        row = await designs.comment(version_id, input.body, ctx.reach)
        version = await design_reads.visible_version(version_id, ctx.reach)
        return ReviewCommentPayload(
            version=DesignVersion.from_model(version) if version else None,
            comment=ReviewComment.from_model(row),
            errors=[],
        )

    @strawberry.mutation(
        description="Send a version awaiting review back to the producer, saying what to change (consultants, "
        "officers of the product's province, central admins).",
        extensions=[Refusals(), Audit()],
    )
    async def request_design_changes(
        self, info: Info, input: Annotated[DesignCommentInput, strawberry.argument(description=INPUT)]
    ) -> ReviewCommentPayload:
        ctx = info.context
        version, row = await designs.request_changes(_version_id(input.version_id), input.body, ctx.reach)
        return ReviewCommentPayload(
            version=DesignVersion.from_model(version), comment=ReviewComment.from_model(row), errors=[]
        )

    @strawberry.mutation(
        description="Approve a version awaiting review (officers of the product's province, central admins; "
        "not consultants). Refused while compliance has ERROR findings unless overrideReason says why. The "
        "design's previously approved version becomes SUPERSEDED.",
        extensions=[Refusals(), Audit()],
    )
    async def approve_design_version(
        self, info: Info, input: Annotated[ApproveDesignVersionInput, strawberry.argument(description=INPUT)]
    ) -> DesignVersionPayload:
        ctx = info.context
        version = await designs.approve(
            _version_id(input.version_id), ctx.reach, override_reason=input.override_reason
        )
        return DesignVersionPayload(version=DesignVersion.from_model(version), errors=[])

    @strawberry.mutation(
        description="A signed URL to PUT one artwork file to (valid 15 minutes), for those who may author "
        "designs (producer members, province officers, central admins).",
        extensions=[Refusals(), Audit()],
    )
    async def create_upload_url(self, info: Info) -> UploadUrlPayload:
        ctx = info.context
        if ctx.actor.user_id is None or not policy.may_upload(ctx.reach):
            raise deny(ctx.reach)
        return UploadUrlPayload(
            url=uploads.upload_url(ctx.base_url, ctx.actor.user_id), max_bytes=uploads.max_bytes(), errors=[]
        )
