"""Small factories for test data, built through the same services users call."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from models import (
    Batch,
    CriteriaSet,
    Evaluation,
    EvaluationStatus,
    Membership,
    Producer,
    Product,
    RecognisingLevel,
    Role,
    UnitEra,
    User,
)
from services.accounts import auth as accounts
from services.policy import SYSTEM
from services.registry import evaluations
from services.registry import manage as registry
from services.registry.evaluations import EvaluationData
from services.registry.manage import ProducerChanges, ProductChanges

# Legacy (pre-2025) communes of Bến Tre used across tests.
HUNG_NHUONG = "29044"  # xã Hưng Nhượng, huyện Giồng Trôm, tỉnh Bến Tre
_tax_codes = itertools.count(1)
# Names with stacked diacritics (ờ, ữ, ễ) from the demo fair: text folding (tests/services/test_text.py) and the
# printed catalog (tests/fairs/test_catalog_pdf.py) must both keep each one whole.
MUST_RENDER = [
    "Hội chợ OCOP - Du lịch 2019 vùng Tây Nam Bộ và Đông Nam Bộ",
    "Bưởi da xanh Chợ Lách",
    "Bánh phồng Sơn Đốc",
    "Mỏ Cày Bắc",
    "Nguyễn Đình Chiểu",
    "Thừa Thiên-Huế",
    "Rượu Phú Lễ",
    "Kẹo dừa sầu riêng lá dứa",
]


def _snake(values: dict[str, Any]) -> dict[str, Any]:
    """Overrides are written as clients send them (`taxCode=`); the service takes `tax_code`."""
    return {re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), k): v for k, v in values.items()}


def tax_code(n: int) -> str:
    """A valid 10-digit Vietnamese tax code (weights 31,29,23,19,17,13,7,5,3 -> check digit 10 - sum mod 11)."""
    base = f"13{n:07d}"
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    check = 10 - sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 11
    if check == 10:
        return tax_code(n + 1000)
    return base + str(check)


async def make_producer(**overrides: Any) -> Producer:
    values: dict[str, Any] = {
        "name": f"HTX Thử nghiệm {next(_tax_codes)} (demo)",
        "kind": "cooperative",
        "addressLine": "Ấp 1",
        "communeCode": HUNG_NHUONG,
        "communeEra": UnitEra.LEGACY,
    }
    values.update(overrides)
    return await registry.create_producer(ProducerChanges(**_snake(values)), SYSTEM)


async def make_product(producer: Producer | None = None, **overrides: Any) -> Product:
    producer = producer or await make_producer()
    values: dict[str, Any] = {
        "producerId": producer.id,
        "name": "Bánh phồng Sơn Đốc",
        "criteriaSet": CriteriaSet.QD_148,
        "group": "1",
        "subgroup": "1.2",
    }
    values.update(overrides)
    return await registry.create_product(ProductChanges(**_snake(values)), SYSTEM)


async def certify(
    product: Product,
    *,
    stars: int = 4,
    decided: dt.date = dt.date(2024, 6, 20),
    criteria_set: CriteriaSet = CriteriaSet.QD_148,
    **overrides: Any,
) -> Evaluation:
    """A certified evaluation whose total gives `stars` under `criteria_set`."""
    # Part scores within both sets' maxima (1048: 35/25/40, 148: 40/25/35).
    a, b, c = {3: (20, 15, 25), 4: (30, 20, 30), 5: (33, 24, 35)}[stars]
    data = EvaluationData(
        product_id=product.id,
        criteria_set=criteria_set,
        level=RecognisingLevel.CENTRAL if stars == 5 else RecognisingLevel.PROVINCE,
        score_a=a,
        score_b=b,
        score_c=c,
        status=EvaluationStatus.CERTIFIED,
        decision_number=f"{product.id}/QĐ-UBND",
        decision_date=decided,
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return await evaluations.record_evaluation(data, SYSTEM)


PASSWORD = "correct horse battery"
_password_hash: list[str] = []


async def make_user(email: str, role: Role | None = None, **scope: Any) -> User:
    """A user with the password PASSWORD, and one membership when `role` is given (scope: province_id,
    producer_id, fair_scope). The argon2 hash is computed once per run: it is slow on purpose."""
    if not _password_hash:
        _password_hash.append(accounts.hash_password(PASSWORD))
    user = await User.create(
        email=email, display_name=email.split("@", 1)[0], password_hash=_password_hash[0]
    )
    if role is not None:
        await Membership.create(user_id=user.id, role=role, **scope)
    return user


async def token_for(role: Role | None, email: str | None = None, **scope: Any) -> str:
    """A session token of a new user with `role` in `scope`."""
    user = await make_user(email or f"{role or 'user'}.{next(_tax_codes)}@test.ocop.vn", role, **scope)
    return await accounts.issue_session(user.id)


async def make_batch(product: Product, lot_code: str, **overrides: Any) -> Batch:
    from services.trace.batches import BatchData, create_batch

    data = BatchData(product_id=product.id, lot_code=lot_code, production_date=dt.date(2019, 5, 1))
    for key, value in overrides.items():
        setattr(data, key, value)
    return await create_batch(data, SYSTEM)
