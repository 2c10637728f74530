"""Mutations of the registry: one input object each, a payload with the object and typed errors."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import ERRORS, INPUT, RegistryError
from schema.ids import decode_id, decode_optional_id
from schema.jobs.types import Job
from schema.registry.filters import PRODUCT_FILTER
from schema.registry.inputs import (
    EVALUATION,
    PRODUCER_CREATE,
    PRODUCER_UPDATE,
    PRODUCT_CREATE,
    PRODUCT_UPDATE,
    ConfirmRegistryImportInput,
    EvaluationInput,
    ExportMyDataInput,
    ProducerCreateInput,
    ProducerUpdateInput,
    ProductCreateInput,
    ProductUpdateInput,
    StartRegistryExportInput,
    StartRegistryImportInput,
)
from schema.registry.types import Evaluation, Producer, Product
from services.registry import evaluations, search
from services.registry import manage as registry
from services.registry.portability import job as portability
from services.registry.spreadsheets import job as spreadsheet_jobs


@strawberry.type(description="The result of a producer mutation.")
class ProducerPayload:
    producer: Producer | None = strawberry.field(description="The producer as saved; null when refused.")
    errors: list[RegistryError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of a product mutation.")
class ProductPayload:
    product: Product | None = strawberry.field(description="The product as saved; null when refused.")
    errors: list[RegistryError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of recording an evaluation.")
class EvaluationPayload:
    evaluation: Evaluation | None = strawberry.field(
        description="The evaluation as recorded; null when refused."
    )
    errors: list[RegistryError] = strawberry.field(description=ERRORS)


@strawberry.type
class RegistryMutation:
    @strawberry.mutation(description="Register a producer.", extensions=[Refusals(), Audit()])
    async def create_producer(
        self, info: Info, input: Annotated[ProducerCreateInput, strawberry.argument(description=INPUT)]
    ) -> ProducerPayload:
        producer = await registry.create_producer(PRODUCER_CREATE(input), info.context.reach)
        return ProducerPayload(producer=Producer.from_model(producer), errors=[])

    @strawberry.mutation(description="Change a producer.", extensions=[Refusals(), Audit()])
    async def update_producer(
        self, info: Info, input: Annotated[ProducerUpdateInput, strawberry.argument(description=INPUT)]
    ) -> ProducerPayload:
        producer_id = decode_id(input.id, "Producer", "id")
        producer = await registry.update_producer(producer_id, PRODUCER_UPDATE(input), info.context.reach)
        return ProducerPayload(producer=Producer.from_model(producer), errors=[])

    @strawberry.mutation(
        description="Register a product with its certifications and images, in one transaction.",
        extensions=[Refusals(), Audit()],
    )
    async def create_product(
        self, info: Info, input: Annotated[ProductCreateInput, strawberry.argument(description=INPUT)]
    ) -> ProductPayload:
        producer_id = decode_id(input.producer_id, "Producer", "producerId")
        product = await registry.create_product(
            PRODUCT_CREATE(input, producer_id=producer_id), info.context.reach
        )
        return ProductPayload(product=Product.from_model(product), errors=[])

    @strawberry.mutation(description="Change a product.", extensions=[Refusals(), Audit()])
    async def update_product(
        self, info: Info, input: Annotated[ProductUpdateInput, strawberry.argument(description=INPUT)]
    ) -> ProductPayload:
        product_id = decode_id(input.id, "Product", "id")
        product = await registry.update_product(product_id, PRODUCT_UPDATE(input), info.context.reach)
        return ProductPayload(product=Product.from_model(product), errors=[])

    @strawberry.mutation(
        description="Record an evaluation (a draft score, a potential 5★, a certificate or a revocation). "
        "Stars follow from the total and the criteria set's bands.",
        extensions=[Refusals(), Audit()],
    )
    async def record_evaluation(
        self, info: Info, input: Annotated[EvaluationInput, strawberry.argument(description=INPUT)]
    ) -> EvaluationPayload:
        product_id = decode_id(input.product_id, "Product", "productId")
        evaluation = await evaluations.record_evaluation(
            EVALUATION(input, product_id=product_id), info.context.reach
        )
        return EvaluationPayload(evaluation=Evaluation.from_model(evaluation, info.context.today), errors=[])


@strawberry.type(description="Where to upload a registry spreadsheet before importing it.")
class SpreadsheetUploadUrlPayload:
    url: str | None = strawberry.field(
        description="PUT (or POST) the file's raw bytes here within 15 minutes; the answer's `file` names it. Null when `errors` is not empty."
    )
    errors: list[RegistryError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The background job of a spreadsheet import or export, or of a data export.")
class RegistryJobPayload:
    job: Job | None = strawberry.field(
        description="The background job; follow it until SUCCEEDED. Null when refused."
    )
    errors: list[RegistryError] = strawberry.field(description=ERRORS)


@strawberry.type
class RegistrySpreadsheetMutation:
    @strawberry.mutation(
        description="A signed URL to upload one registry spreadsheet (.xlsx or UTF-8 CSV, in the template of "
        "`spreadsheetTemplate`); for province officers and central admins.",
        extensions=[Refusals(), Audit()],
    )
    async def registry_import_upload_url(self, info: Info) -> SpreadsheetUploadUrlPayload:
        url = spreadsheet_jobs.upload_url(info.context.reach, info.context.base_url)
        return SpreadsheetUploadUrlPayload(url=url, errors=[])

    @strawberry.mutation(
        description="Import an uploaded spreadsheet as a background job: a dry run by default (its report, "
        "through `registryImport`, lists every row's problems and what would be created, updated or left "
        "unchanged), then `confirmRegistryImport`. Officers import rows of their province only.",
        extensions=[Refusals(), Audit()],
    )
    async def start_registry_import(
        self, info: Info, input: Annotated[StartRegistryImportInput, strawberry.argument(description=INPUT)]
    ) -> RegistryJobPayload:
        ctx = info.context
        job = await spreadsheet_jobs.start_import(
            input.file, ctx.reach, dry_run=input.dry_run, user_id=ctx.actor.user_id
        )
        return RegistryJobPayload(job=Job.from_model(job), errors=[])

    @strawberry.mutation(
        description="Import for real the file of a dry run that found no problem: a new job, all or nothing "
        "(checked again against the registry as it is now).",
        extensions=[Refusals(), Audit()],
    )
    async def confirm_registry_import(
        self, info: Info, input: Annotated[ConfirmRegistryImportInput, strawberry.argument(description=INPUT)]
    ) -> RegistryJobPayload:
        ctx = info.context
        job_id = decode_id(input.job_id, "Job", "jobId")
        job = await spreadsheet_jobs.confirm_import(job_id, ctx.reach, user_id=ctx.actor.user_id)
        return RegistryJobPayload(job=Job.from_model(job), errors=[])

    @strawberry.mutation(
        description="Export the products you may see (filtered like `products`) in the spreadsheet template, "
        "as a background job; its `downloadUrl` is the file once it has succeeded.",
        extensions=[Refusals(), Audit()],
    )
    async def start_registry_export(
        self, info: Info, input: Annotated[StartRegistryExportInput, strawberry.argument(description=INPUT)]
    ) -> RegistryJobPayload:
        ctx = info.context
        given = input.filter
        filters = (
            PRODUCT_FILTER(
                given,
                producer_id=decode_optional_id(given.producer_id, "Producer", "filter.producerId"),
            )
            if given is not None
            else search.ProductFilterData()
        )
        job = await spreadsheet_jobs.start_export(
            filters, input.format.value, ctx.reach, user_id=ctx.actor.user_id
        )
        return RegistryJobPayload(job=Job.from_model(job), errors=[])

    @strawberry.mutation(
        description="Export a producer's own data as a zip, for portability: its products, lots, locations "
        "and label runs (JSON, with the label files rendered so far) and its lots' events as an EPCIS 2.0 "
        "document (another producer's lot an event names is redacted). A background job; its "
        "`downloadUrl` is the zip once it has succeeded. For the producer's members and central admins.",
        extensions=[Refusals(), Audit()],
    )
    async def export_my_data(
        self, info: Info, input: Annotated[ExportMyDataInput, strawberry.argument(description=INPUT)]
    ) -> RegistryJobPayload:
        ctx = info.context
        producer_id = decode_optional_id(input.producer_id, "Producer", "producerId")
        job = await portability.start_export(
            producer_id, ctx.reach, user_id=ctx.actor.user_id, base_url=ctx.base_url
        )
        return RegistryJobPayload(job=Job.from_model(job), errors=[])
