"""Exhibitor applications: a producer applies to a fair with products to show, and may withdraw; the fair's
organisers approve, wait-list or reject. An approved application makes the producer an exhibitor."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    ApplicationProduct,
    ApplicationStatus,
    BoothAssignment,
    BoothType,
    ExhibitorApplication,
    Fair,
    FairStatus,
    Producer,
    Product,
    Zone,
)
from services.common import clock
from services.common.errors import DomainError, Problems
from services.fairs.common import error, refuse_unreachable, require_authenticated, require_not_closed
from services.fairs.errors import FairErrorCode
from services.fairs.manage import text
from services.policy import Reach
from services.policy import fairs as fair_policy

MAX_PRODUCTS = 30
MAX_BOOTHS = 10  # also a CHECK constraint


class Decision(StrEnum):
    APPROVE = "approve"
    WAITLIST = "waitlist"
    REJECT = "reject"


DECIDED = {
    Decision.APPROVE: ApplicationStatus.APPROVED,
    Decision.WAITLIST: ApplicationStatus.WAITLISTED,
    Decision.REJECT: ApplicationStatus.REJECTED,
}


@dataclass(slots=True)
class ApplicationData:
    fair_id: int
    producer_id: int
    product_ids: list[int] = field(default_factory=list)
    wanted_zone_id: int | None = None
    wanted_booth_type: BoothType = BoothType.STANDARD
    booths_wanted: int = 1
    description: str | None = None  # a short text for the catalog
    description_en: str | None = None


def _already(field_name: str) -> DomainError:
    return error(
        field_name,
        FairErrorCode.UNIQUE,
        "Chủ thể này đã đăng ký tham gia hội chợ.",
        "This producer has already applied to the fair.",
    )


async def apply(data: ApplicationData, reach: Reach) -> ExhibitorApplication:
    """Apply to a fair that accepts applications, with published products of the producer's own. An
    application withdrawn earlier is submitted again (a producer has one application per fair)."""
    require_authenticated(reach)
    fair = await Fair.get_or_none(id=data.fair_id)
    if fair is None or not fair_policy.sees_fair(reach, fair):
        raise refuse_unreachable(reach, "fairId", "hội chợ", "fair")
    producer = await Producer.get_or_none(id=data.producer_id)
    if producer is None or not fair_policy.may_apply_for(reach, producer):
        raise refuse_unreachable(reach, "producerId", "chủ thể", "producer")
    if FairStatus(fair.status) != FairStatus.ACCEPTING:
        raise error(
            "fairId",
            FairErrorCode.NOT_ALLOWED,
            "Hội chợ hiện không nhận đăng ký.",
            "The fair is not accepting applications.",
        )
    problems = Problems()
    product_ids = list(dict.fromkeys(data.product_ids))
    if not product_ids:
        problems.add(
            "productIds",
            FairErrorCode.REQUIRED,
            "Chọn ít nhất một sản phẩm.",
            "Choose at least one product.",
        )
    elif len(product_ids) > MAX_PRODUCTS:
        problems.add(
            "productIds",
            FairErrorCode.OUT_OF_RANGE,
            f"Tối đa {MAX_PRODUCTS} sản phẩm.",
            f"At most {MAX_PRODUCTS} products.",
        )
    products = {p.id: p for p in await Product.filter(id__in=product_ids)}
    for index, product_id in enumerate(product_ids):
        product = products.get(product_id)
        if product is None or product.producer_id != producer.id:
            problems.add(
                f"productIds.{index}",
                FairErrorCode.NOT_ALLOWED,
                "Không phải sản phẩm của chủ thể này.",
                "Not a product of this producer.",
            )
        elif not product.is_published:
            problems.add(
                f"productIds.{index}",
                FairErrorCode.NOT_ALLOWED,
                "Sản phẩm chưa công bố.",
                "The product is not published.",
            )
    if data.wanted_zone_id is not None and not await Zone.exists(id=data.wanted_zone_id, fair_id=fair.id):
        problems.add(
            "wantedZoneId",
            FairErrorCode.NOT_FOUND,
            "Hội chợ không có khu này.",
            "No such zone at this fair.",
        )
    if not 1 <= data.booths_wanted <= MAX_BOOTHS:
        problems.add(
            "boothsWanted",
            FairErrorCode.OUT_OF_RANGE,
            f"Từ 1 đến {MAX_BOOTHS} gian.",
            f"1 to {MAX_BOOTHS} booths.",
        )
    description = text(problems, "description", data.description, 1000)
    description_en = text(problems, "descriptionEn", data.description_en, 1000)
    existing = await ExhibitorApplication.get_or_none(fair_id=fair.id, producer_id=producer.id)
    if existing is not None and ApplicationStatus(existing.status) != ApplicationStatus.CANCELLED:
        raise _already("producerId")
    problems.raise_if_any()
    values = {
        "wanted_zone_id": data.wanted_zone_id,
        "wanted_booth_type": data.wanted_booth_type,
        "booths_wanted": data.booths_wanted,
        "description": description,
        "description_en": description_en,
        "status": ApplicationStatus.SUBMITTED,
    }
    try:
        async with in_transaction() as conn:
            if existing is None:
                application = await ExhibitorApplication.create(
                    fair_id=fair.id, producer_id=producer.id, using_db=conn, **values
                )
            else:
                application = existing
                application.update_from_dict(
                    {
                        **values,
                        "submitted_at": clock.now(),
                        "decided_at": None,
                        "decided_by_id": None,
                    }
                )
                await application.save(using_db=conn)
                await ApplicationProduct.filter(application_id=application.id).using_db(conn).delete()
            await ApplicationProduct.bulk_create(
                [ApplicationProduct(application_id=application.id, product_id=i) for i in product_ids],
                using_db=conn,
            )
    except IntegrityError as exc:  # applied twice at the same moment
        raise _already("producerId") from exc
    return application


async def lock_application(application_id: int, conn: BaseDBAsyncClient) -> ExhibitorApplication | None:
    """The application, read again under a row lock: serialises a decision or a withdrawal with booth
    assignments to it (PostgreSQL; SQLite serialises writers anyway)."""
    return await ExhibitorApplication.filter(id=application_id).select_for_update().using_db(conn).first()


async def _application(application_id: int, reach: Reach) -> ExhibitorApplication:
    require_authenticated(reach)
    application = await ExhibitorApplication.get_or_none(id=application_id).select_related("fair", "producer")
    if application is None:
        raise refuse_unreachable(reach, "applicationId", "đơn đăng ký", "application")
    return application


async def withdraw(application_id: int, reach: Reach) -> ExhibitorApplication:
    """The producer withdraws: the application is cancelled and its booths freed."""
    application = await _application(application_id, reach)
    if not fair_policy.may_apply_for(reach, application.producer):
        raise refuse_unreachable(reach, "applicationId", "đơn đăng ký", "application")
    require_not_closed(application.fair)
    if ApplicationStatus(application.status) in (ApplicationStatus.CANCELLED, ApplicationStatus.REJECTED):
        raise error(
            "applicationId",
            FairErrorCode.NOT_ALLOWED,
            "Đơn đã bị từ chối hoặc đã rút.",
            "The application was rejected or already withdrawn.",
        )
    async with in_transaction() as conn:
        await lock_application(application.id, conn)
        await BoothAssignment.filter(application_id=application.id).using_db(conn).delete()
        application.status = ApplicationStatus.CANCELLED
        await application.save(using_db=conn, update_fields=["status"])
    return application


async def decide(
    application_id: int, decision: Decision, reach: Reach, actor_id: int | None = None
) -> ExhibitorApplication:
    """An organiser's decision; it may be changed until the fair closes. An exhibitor that is no longer
    approved loses its booths."""
    application = await _application(application_id, reach)
    if not fair_policy.may_manage_fair(reach, application.fair):
        raise refuse_unreachable(reach, "applicationId", "đơn đăng ký", "application")
    if FairStatus(application.fair.status) not in (FairStatus.ACCEPTING, FairStatus.PUBLISHED):
        raise error(
            "applicationId",
            FairErrorCode.NOT_ALLOWED,
            "Chỉ xét đơn khi hội chợ đang nhận đăng ký hoặc đã công bố.",
            "Applications are decided while the fair accepts applications or is published.",
        )
    if ApplicationStatus(application.status) == ApplicationStatus.CANCELLED:
        raise error(
            "applicationId", FairErrorCode.NOT_ALLOWED, "Đơn đã được rút.", "The application was withdrawn."
        )
    status = DECIDED[decision]
    if status == application.status:
        return application
    async with in_transaction() as conn:
        await lock_application(application.id, conn)
        if status != ApplicationStatus.APPROVED:
            await BoothAssignment.filter(application_id=application.id).using_db(conn).delete()
        application.status = status
        application.decided_at = clock.now()
        application.decided_by_id = actor_id
        await application.save(using_db=conn, update_fields=["status", "decided_at", "decided_by_id"])
    return application
