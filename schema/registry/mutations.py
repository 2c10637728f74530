"""Mutations of the registry: one input object each, a payload with the object and typed errors."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.audit import Audit, Refusals
from schema.context import Info
from schema.errors import ERRORS, INPUT, RegistryError
from schema.ids import decode_id
from schema.registry.inputs import (
    EVALUATION,
    PRODUCER_CREATE,
    PRODUCER_UPDATE,
    PRODUCT_CREATE,
    PRODUCT_UPDATE,
    EvaluationInput,
    ProducerCreateInput,
    ProducerUpdateInput,
    ProductCreateInput,
    ProductUpdateInput,
)
from schema.registry.types import Evaluation, Producer, Product
from services.registry import evaluations
from services.registry import manage as registry


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
