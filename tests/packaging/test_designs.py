"""The review workflow of packaging designs (services/packaging/designs.py): states, role rules, typed errors,
approval against compliance findings, supersession and differences between versions."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pytest

from models import (
    CommentKind,
    DesignStatus,
    DesignVersion,
    LabelProductType,
    PackageType,
    PackagingDesign,
    Producer,
    Product,
    ReviewComment,
    Role,
    StoredFile,
    UnitEra,
)
from services.accounts.auth import Actor, Grant
from services.common.errors import DomainError
from services.packaging import design_reads, designs
from services.packaging.errors import PackagingErrorCode
from services.policy import Reach, reach_of
from services.registry.manage import find_province
from tests.conftest import Database
from tests.factories import make_producer, make_product, make_user

_emails = itertools.count(1)

FOOD: dict[str, Any] = {
    "product_name": {"text": "Kẹo dừa Giồng Trôm", "type_size_mm": 6},
    "responsible_party": {
        "name": "HTX P1 Giồng Trôm (demo)",
        "address": "Ấp 1, xã Hưng Nhượng, huyện Giồng Trôm, tỉnh Bến Tre",
    },
    "origin_wording": "Sản xuất tại Việt Nam",
    "net_quantity": "400 g",
    "manufacture_date_format": "dd/mm/yyyy",
    "expiry": "12 tháng kể từ NSX",
    "ingredients": "Cơm dừa, mạch nha, đường",
    "warnings": "Không dùng cho người dị ứng dừa",
    "instructions_use": "Dùng ngay sau khi mở gói",
    "instructions_storage": "Nơi khô ráo, thoáng mát",
    "mandatory_text_sizes": {"net_quantity": 2.5},
    "qr": {"link": "https://ocop.test/01/08936131800023", "printed_size_mm": 20},
}
# A spirits label without its ethanol content: an error finding (missing_item on ethanol_content).
SPIRITS: dict[str, Any] = {
    **{k: v for k, v in FOOD.items() if k not in ("ingredients", "instructions_use", "instructions_storage")},
    "product_name": {"text": "Rượu Phú Lễ", "type_size_mm": 6},
    "net_quantity": "500 ml",
    "lot_code_position": "In trên cổ chai",
}


async def reach_for(role: Role, **scope: Any) -> Reach:
    user = await make_user(f"{role}.{next(_emails)}@designs.test", role, **scope)
    grant = Grant(role, scope.get("province_id"), scope.get("producer_id"), scope.get("fair_scope"))
    return await reach_of(Actor(user_id=user.id, email=user.email, grants=(grant,)))


@dataclass
class World:
    p1: Producer  # Bến Tre
    p2: Producer  # Đồng Tháp
    x1: Product  # of P1
    member1: Reach
    member2: Reach
    officer: Reach  # Bến Tre
    officer_dongthap: Reach
    consultant: Reach
    admin: Reach
    public: Reach


async def world() -> World:
    p1 = await make_producer(name="HTX P1 Giồng Trôm (demo)")
    p2 = await make_producer(name="HTX P2 Tháp Mười (demo)", communeCode="29869")
    x1 = await make_product(p1, name="Kẹo dừa P1")
    bentre = await find_province("83", UnitEra.LEGACY)
    dongthap = await find_province("87", UnitEra.LEGACY)
    assert bentre is not None
    assert dongthap is not None
    return World(
        p1=p1,
        p2=p2,
        x1=x1,
        member1=await reach_for(Role.PRODUCER_MEMBER, producer_id=p1.id),
        member2=await reach_for(Role.PRODUCER_MEMBER, producer_id=p2.id),
        officer=await reach_for(Role.PROVINCE_OFFICER, province_id=bentre.id),
        officer_dongthap=await reach_for(Role.PROVINCE_OFFICER, province_id=dongthap.id),
        consultant=await reach_for(Role.CONSULTANT),
        admin=await reach_for(Role.CENTRAL_ADMIN),
        public=Reach(),
    )


def uid(reach: Reach) -> int | None:
    return reach.actor.user_id


async def new_design(w: World, label_type: LabelProductType = LabelProductType.FOOD) -> PackagingDesign:
    return await designs.create_design(
        designs.DesignData(product_id=w.x1.id, name="Hộp 400 g", label_type=label_type),
        w.member1,
        user_id=uid(w.member1),
    )


async def new_version(
    w: World, design: PackagingDesign, declared: dict[str, Any] | None = None, **extra: Any
) -> DesignVersion:
    figures: dict[str, Any] = {"width_mm": 90, "height_mm": 120, **extra}
    data = designs.VersionData(
        design_id=design.id,
        package_type=PackageType.BOX,
        declared=FOOD if declared is None else declared,
        **figures,
    )
    return await designs.add_version(data, w.member1, user_id=uid(w.member1))


async def status(version_id: int) -> DesignStatus:
    return DesignStatus((await DesignVersion.get(id=version_id)).status)


def codes(exc: pytest.ExceptionInfo[DomainError]) -> list[tuple[str, StrEnum]]:
    return [(p.field, p.code) for p in exc.value.problems]


async def test_the_workflow_from_draft_to_superseded(db: Database) -> None:
    w = await world()
    design = await new_design(w)
    v1 = await new_version(w, design)
    assert (v1.number, v1.status) == (1, DesignStatus.DRAFT)
    assert v1.name == "Hộp 400 g v1"
    await designs.submit_version(v1.id, w.member1)
    assert await status(v1.id) == DesignStatus.SUBMITTED
    # The producer's reply changes nothing; a reviewer's comment starts the review.
    await designs.comment(v1.id, "Chúng tôi đã gửi bản in thử.", w.member1)
    assert await status(v1.id) == DesignStatus.SUBMITTED
    await designs.comment(v1.id, "Cỡ chữ định lượng hơi nhỏ.", w.consultant)
    assert await status(v1.id) == DesignStatus.IN_REVIEW
    await designs.request_changes(v1.id, "Tăng cỡ chữ định lượng lên 3 mm.", w.consultant)
    assert await status(v1.id) == DesignStatus.CHANGES_REQUESTED
    thread = await ReviewComment.filter(version_id=v1.id).order_by("id")
    assert [(c.kind, c.author_role) for c in thread] == [
        (CommentKind.COMMENT, "producer_member"),
        (CommentKind.COMMENT, "consultant"),
        (CommentKind.CHANGES_REQUESTED, "consultant"),
    ]
    # A version sent back is not approved; the producer answers with a new version.
    with pytest.raises(DomainError) as refused:
        await designs.approve(v1.id, w.officer)
    assert codes(refused) == [("versionId", PackagingErrorCode.NOT_ALLOWED)]

    v2 = await new_version(w, design, {**FOOD, "mandatory_text_sizes": {"net_quantity": 3}})
    assert v2.number == 2
    await designs.submit_version(v2.id, w.member1)
    approved = await designs.approve(v2.id, w.officer)
    assert approved.status == DesignStatus.APPROVED
    row = await DesignVersion.get(id=v2.id)
    assert row.status == DesignStatus.APPROVED
    assert row.approved_at is not None
    assert row.approved_by_id == uid(w.officer)
    assert row.override_reason is None
    last = await ReviewComment.filter(version_id=v2.id).order_by("-id").first()
    assert last is not None
    assert (last.kind, last.author_role, last.author_id) == (
        CommentKind.APPROVAL,
        "province_officer",
        uid(w.officer),
    )

    # Approving a later version supersedes the approved one, which keeps who approved it and when.
    v3 = await new_version(w, design, {**FOOD, "net_quantity": "450 g"})
    await designs.submit_version(v3.id, w.member1)
    await designs.approve(v3.id, w.admin)
    assert await status(v3.id) == DesignStatus.APPROVED
    superseded = await DesignVersion.get(id=v2.id)
    assert superseded.status == DesignStatus.SUPERSEDED
    assert superseded.approved_at == row.approved_at
    assert superseded.approved_by_id == uid(w.officer)
    assert await DesignVersion.filter(design_id=design.id, status=DesignStatus.APPROVED).count() == 1
    assert await status(v1.id) == DesignStatus.CHANGES_REQUESTED


async def test_a_version_submitted_twice_is_a_typed_error(db: Database) -> None:
    w = await world()
    v1 = await new_version(w, await new_design(w))
    await designs.submit_version(v1.id, w.member1)
    with pytest.raises(DomainError) as again:
        await designs.submit_version(v1.id, w.member1)
    assert codes(again) == [("versionId", PackagingErrorCode.NOT_ALLOWED)]
    assert "already submitted" in again.value.problems[0].message_en
    await designs.approve(v1.id, w.officer)
    with pytest.raises(DomainError) as after_approval:
        await designs.submit_version(v1.id, w.member1)
    assert codes(after_approval) == [("versionId", PackagingErrorCode.NOT_ALLOWED)]


async def test_role_rules(db: Database) -> None:
    w = await world()
    design = await new_design(w)
    v1 = await new_version(w, design)
    await designs.submit_version(v1.id, w.member1)

    async def refused(call: Any) -> list[StrEnum]:
        with pytest.raises(DomainError) as exc:
            await call
        return [p.code for p in exc.value.problems]

    forbidden, unauthenticated = [PackagingErrorCode.FORBIDDEN], [PackagingErrorCode.UNAUTHENTICATED]
    # Consultants advise: they comment and request changes, never approve.
    assert await refused(designs.approve(v1.id, w.consultant)) == forbidden
    assert await refused(designs.approve(v1.id, w.consultant, override_reason="tôi đồng ý")) == forbidden
    # A producer's member edits its own designs only, and never approves its own.
    data = designs.VersionData(design_id=design.id, package_type=PackageType.BOX, declared=FOOD)
    assert await refused(designs.add_version(data, w.member2, user_id=uid(w.member2))) == forbidden
    other = designs.DesignData(product_id=w.x1.id, name="Túi", label_type=LabelProductType.FOOD)
    assert await refused(designs.create_design(other, w.member2, user_id=uid(w.member2))) == forbidden
    assert await refused(designs.submit_version(v1.id, w.member2)) == forbidden
    assert await refused(designs.comment(v1.id, "xin chào", w.member2)) == forbidden
    assert await refused(designs.approve(v1.id, w.member1)) == forbidden
    assert await refused(designs.request_changes(v1.id, "sửa", w.member1)) == forbidden
    # Officers of another province neither see nor decide; consultants do not author.
    assert await refused(designs.approve(v1.id, w.officer_dongthap)) == forbidden
    assert await refused(designs.comment(v1.id, "?", w.officer_dongthap)) == forbidden
    assert await refused(designs.add_version(data, w.consultant, user_id=uid(w.consultant))) == forbidden
    # The public: nothing.
    assert await refused(designs.comment(v1.id, "?", w.public)) == unauthenticated
    assert await refused(designs.create_design(other, w.public, user_id=None)) == unauthenticated
    assert await status(v1.id) == DesignStatus.SUBMITTED
    assert await DesignVersion.filter(design_id=design.id).count() == 1
    # Who sees the design.
    seen = {
        name: v1.id in await design_reads.visible_versions([v1.id], reach)
        for name, reach in vars(w).items()
        if isinstance(reach, Reach)
    }
    assert seen == {
        "member1": True,
        "member2": False,
        "officer": True,
        "officer_dongthap": False,
        "consultant": True,
        "admin": True,
        "public": False,
    }
    # A missing version: NOT_FOUND for those who see every design, the same refusal as for a hidden one
    # for the others.
    assert await refused(designs.comment(10**6, "?", w.consultant)) == [PackagingErrorCode.NOT_FOUND]
    assert await refused(designs.comment(10**6, "?", w.member2)) == forbidden


async def test_approval_with_an_error_finding_needs_a_reason(db: Database) -> None:
    w = await world()
    design = await new_design(w, LabelProductType.SPIRITS)
    v1 = await new_version(w, design, SPIRITS)
    await designs.submit_version(v1.id, w.member1)
    errors = await designs.error_findings(v1.id)
    assert [(f.code, f.field) for f in errors] == [("missing_item", "ethanol_content")]
    for reason in (None, "", "   "):
        with pytest.raises(DomainError) as refused:
            await designs.approve(v1.id, w.officer, override_reason=reason)
        assert codes(refused) == [("overrideReason", PackagingErrorCode.NOT_ALLOWED)]
        assert "missing_item" in refused.value.problems[0].message_en
    assert await status(v1.id) == DesignStatus.SUBMITTED
    assert not await ReviewComment.filter(version_id=v1.id).exists()

    reason = "Độ cồn in trên nắp chai (đã kiểm tra mẫu thật)."
    await designs.approve(v1.id, w.officer, override_reason=reason)
    row = await DesignVersion.get(id=v1.id)
    assert row.status == DesignStatus.APPROVED
    assert row.override_reason == reason
    comment = await ReviewComment.get(version_id=v1.id)
    assert comment.kind == CommentKind.OVERRIDE
    assert comment.body.startswith(reason)
    assert "missing_item" in comment.body


async def test_a_clean_version_is_approved_without_a_reason(db: Database) -> None:
    w = await world()
    v1 = await new_version(w, await new_design(w))
    await designs.submit_version(v1.id, w.member1)
    assert await designs.error_findings(v1.id) == []
    await designs.approve(v1.id, w.officer, override_reason="nothing to override")
    row = await DesignVersion.get(id=v1.id)
    assert row.status == DesignStatus.APPROVED
    assert row.override_reason is None
    assert (await ReviewComment.get(version_id=v1.id)).kind == CommentKind.APPROVAL


async def stored(owner: Reach, n: int) -> StoredFile:
    return await StoredFile.create(
        sha256=f"{n:064x}",
        media_type="application/pdf",
        size_bytes=1000 + n,
        pages=1,
        original_name=f"artwork-{n}.pdf",
        uploaded_by_id=uid(owner),
    )


async def test_diff_of_two_versions(db: Database) -> None:
    w = await world()
    design = await new_design(w)
    kept, dropped, added = [await stored(w.member1, n) for n in (1, 2, 3)]
    v1 = await new_version(
        w,
        design,
        files=(designs.FileRef(kept.id), designs.FileRef(dropped.id, "dieline")),
        material="Giấy Ivory",
    )
    changed = {
        **FOOD,
        "net_quantity": "450 g",
        "qr": {**FOOD["qr"], "printed_size_mm": 22},
        "ocop_mark": {"present": True, "stars": 4},
    }
    del changed["warnings"]
    v2 = await new_version(
        w, design, changed, files=(designs.FileRef(kept.id), designs.FileRef(added.id)), material="Giấy Ivory"
    )
    diff = await design_reads.diff(v1.id, v2.id, w.consultant)
    assert [(c.field, c.old, c.new) for c in diff.changes] == [
        ("netQuantity", "400 g", "450 g"),
        ("ocopMark.present", None, True),
        ("ocopMark.stars", None, 4),
        ("qr.printedSizeMm", 20.0, 22.0),
        ("warnings", "Không dùng cho người dị ứng dừa", None),
    ]
    assert [f.id for f in diff.files_added] == [added.id]
    assert [f.id for f in diff.files_removed] == [dropped.id]
    same = await design_reads.diff(v1.id, v1.id, w.member1)
    assert (same.changes, same.files_added, same.files_removed) == ((), (), ())
    # Package figures count as changes too.
    v3 = await new_version(w, design, changed, files=(designs.FileRef(kept.id),), material="Kraft")
    diff = await design_reads.diff(v2.id, v3.id, w.member1)
    assert [(c.field, c.old, c.new) for c in diff.changes] == [("material", "Giấy Ivory", "Kraft")]
    assert [f.id for f in diff.files_removed] == [added.id]
    with pytest.raises(DomainError):
        await design_reads.diff(v1.id, v2.id, w.member2)


async def test_versions_copy_nothing_and_attach_only_usable_files(db: Database) -> None:
    w = await world()
    design = await new_design(w)
    mine = await stored(w.member1, 10)
    theirs = await stored(w.member2, 11)
    v1 = await new_version(w, design, files=(designs.FileRef(mine.id),), material="Giấy")
    v2 = await new_version(w, design, {"product_name": {"text": "Kẹo dừa"}})
    row = await DesignVersion.get(id=v2.id)
    assert row.declared == {"product_name": {"text": "Kẹo dừa"}}
    assert (row.material, row.print_method) == (None, None)
    assert await design_reads.files_of(v2.id) == []
    assert [f.id for f in await design_reads.files_of(v1.id)] == [mine.id]
    # Another user's upload (its ID guessed) is refused as if it did not exist; a file of an earlier
    # version of the same design may be listed again by anyone who edits it (the officer here).
    with pytest.raises(DomainError) as refused:
        await new_version(w, design, files=(designs.FileRef(theirs.id), designs.FileRef(mine.id, "poster")))
    assert codes(refused) == [
        ("files.0.fileId", PackagingErrorCode.NOT_FOUND),
        ("files.1.role", PackagingErrorCode.INVALID),
    ]
    carried = designs.VersionData(
        design_id=design.id, package_type=PackageType.BOX, declared=FOOD, files=(designs.FileRef(mine.id),)
    )
    v3 = await designs.add_version(carried, w.officer, user_id=uid(w.officer))
    assert [f.id for f in await design_reads.files_of(v3.id)] == [mine.id]
    assert await DesignVersion.filter(design_id=design.id).count() == 3
    # Who sees a stored file: its uploader, and those who see a version it is attached to.
    ids = [mine.id, theirs.id]
    assert set(await design_reads.visible_files(ids, w.member1)) == {mine.id}
    assert set(await design_reads.visible_files(ids, w.member2)) == {theirs.id}
    assert set(await design_reads.visible_files(ids, w.consultant)) == {mine.id}
    assert set(await design_reads.visible_files(ids, w.admin)) == {mine.id, theirs.id}
    assert await design_reads.visible_files(ids, w.public) == {}


async def test_version_input_is_validated_with_api_paths(db: Database) -> None:
    w = await world()
    design = await new_design(w)
    bad = {**FOOD, "qr": {"link": "https://ocop.test/x", "printed_size_mm": -1}, "colour": "red"}
    with pytest.raises(DomainError) as refused:
        await new_version(w, design, bad, depth_mm=0.0)
    assert sorted(codes(refused)) == sorted(
        [
            ("depthMm", PackagingErrorCode.OUT_OF_RANGE),
            ("declared.colour", PackagingErrorCode.INVALID),
            ("declared.qr.printedSizeMm", PackagingErrorCode.OUT_OF_RANGE),
        ]
    )
    with pytest.raises(DomainError) as empty_name:
        await designs.create_design(
            designs.DesignData(product_id=w.x1.id, name="  ", label_type=LabelProductType.FOOD),
            w.member1,
            user_id=uid(w.member1),
        )
    assert codes(empty_name) == [("name", PackagingErrorCode.REQUIRED)]
    assert not await DesignVersion.exists()


async def test_concurrent_versions_get_distinct_numbers(db: Database) -> None:
    w = await world()
    design = await new_design(w)
    made = await asyncio.gather(*(new_version(w, design) for _ in range(4)))
    assert sorted(v.number for v in made) == [1, 2, 3, 4]
