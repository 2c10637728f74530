"""The review workflow of packaging designs: designs of a product, numbered versions with their declared
label content and artwork files, submission, the review thread, requests for changes and approval. Reading
them (what an actor sees, the list query, differences between versions) is services.packaging.design_reads.

States of a version (models.DesignStatus):

    draft --submit--> submitted --(a reviewer's comment)--> in_review
    submitted | in_review --request changes--> changes_requested   (the producer adds a new version)
    submitted | in_review --approve--> approved --(another version approved)--> superseded

- A version is numbered 1, 2, ... within its design and copies nothing implicitly: its declared content,
  files and package figures are what the call gives. Versions are never edited; a new one is added.
- Submitting is done once: a version submitted again is refused (NOT_ALLOWED on `versionId`).
- Approval is refused while compliance (services/packaging/compliance.py) reports error findings, unless
  the approver overrides with a reason: recorded as an OVERRIDE comment and in `override_reason`.
  Approving supersedes the design's previously approved version; who approved and when is recorded.
- Writes that span rows (a version and its files; approval, its comment and the superseded version) happen
  in one transaction, with the design row locked on PostgreSQL so that two concurrent calls cannot both
  take the same number or both stay approved.

Who may do what: services/policy/packaging.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from tortoise.transactions import in_transaction

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
    VersionFile,
)
from services.common import clock
from services.common.errors import DomainError, FieldProblem, Problems
from services.common.text import nfc
from services.packaging import compliance
from services.packaging.declared import DeclaredContent
from services.packaging.errors import PackagingErrorCode
from services.packaging.findings import Finding
from services.policy import Reach
from services.policy import packaging as policy
from services.policy.registry import deny

MAX_NAME = 200
MAX_COMMENT = 5000
MAX_REASON = 2000
MAX_FILES = 30
MAX_SIDE_MM = 1000.0
MAX_TEXT = 120


class FileRole(StrEnum):
    """What a file of a design version is."""

    ARTWORK = "artwork"
    DIELINE = "dieline"
    PHOTO = "photo"


FILE_ROLES = tuple(role.value for role in FileRole)
REVIEWABLE = (DesignStatus.SUBMITTED, DesignStatus.IN_REVIEW)


def _problem(field_: str, code: PackagingErrorCode, vi: str, en: str) -> DomainError:
    return DomainError([FieldProblem(field_, code, vi, en)])


def _missing(reach: Reach, field_: str, vi: str, en: str) -> DomainError:
    """An object that does not exist or that the actor may not see: NOT_FOUND for those who would see it
    (central admins, consultants), else the same refusal as for one that exists (a guessed ID reveals
    nothing)."""
    if reach.everything or (reach.actor.is_authenticated and policy.is_consultant(reach)):
        return _problem(field_, PackagingErrorCode.NOT_FOUND, vi, en)
    return deny(reach, field_)


# -- loading with the producer, checked against the policy --------------------------------------------------


async def _design(design_id: int, reach: Reach, field_: str = "designId") -> PackagingDesign:
    design = await PackagingDesign.get_or_none(id=design_id).select_related("product__producer")
    if design is None or not policy.sees_designs(reach, design.product.producer):
        raise _missing(reach, field_, "Không tìm thấy thiết kế bao bì.", "Packaging design not found.")
    return design


async def find_version(version_id: int, reach: Reach, field_: str = "versionId") -> DesignVersion:
    version = await DesignVersion.get_or_none(id=version_id).select_related("design__product__producer")
    if version is None or not policy.sees_designs(reach, version.design.product.producer):
        raise _missing(reach, field_, "Không tìm thấy phiên bản thiết kế.", "Design version not found.")
    return version


def producer_of(version: DesignVersion) -> Producer:
    return version.design.product.producer


# -- designs -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DesignData:
    product_id: int
    name: str
    label_type: LabelProductType


async def create_design(data: DesignData, reach: Reach, *, user_id: int | None) -> PackagingDesign:
    """A design of one of the actor's products (its members, its province's officers, central admins)."""
    product = await Product.get_or_none(id=data.product_id).select_related("producer")
    if product is None or not policy.may_author(reach, product.producer):
        if reach.everything:
            raise _problem(
                "productId", PackagingErrorCode.NOT_FOUND, "Không tìm thấy sản phẩm.", "Product not found."
            )
        raise deny(reach, "productId")
    name = nfc(data.name).strip()
    problems = Problems()
    if not name:
        problems.add("name", PackagingErrorCode.REQUIRED, "Cần tên thiết kế.", "A name is required.")
    elif len(name) > MAX_NAME:
        problems.add(
            "name",
            PackagingErrorCode.TOO_LONG,
            f"Tối đa {MAX_NAME} ký tự.",
            f"At most {MAX_NAME} characters.",
        )
    problems.raise_if_any()
    return await PackagingDesign.create(
        product_id=product.id, name=name, label_type=LabelProductType(data.label_type), created_by_id=user_id
    )


# -- versions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileRef:
    file_id: int
    role: str = "artwork"


@dataclass(frozen=True, slots=True)
class VersionData:
    design_id: int
    package_type: PackageType
    declared: Mapping[str, Any]  # DeclaredContent as JSON (services/packaging/declared.py)
    name: str = ""
    width_mm: float | None = None
    height_mm: float | None = None
    depth_mm: float | None = None
    material: str | None = None
    print_method: str | None = None
    files: tuple[FileRef, ...] = field(default=())


_SNAKE = re.compile(r"_([a-z0-9])")


def camel_path(path: str) -> str:
    """A declared-content JSON path in the API's names: `qr.printed_size_mm` → `qr.printedSizeMm`."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), path)


def _declared_json(value: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    """The declared content normalised through DeclaredContent (NFC text, known fields only). Its problems
    are reported under `declared.` with camelCase paths (`declared.qr.printedSizeMm`)."""
    content, found = DeclaredContent.parse(dict(value))
    for p in found:
        path = f"declared.{camel_path(p.field)}" if p.field else "declared"
        problems.add(path, p.code, p.message, p.message_en)
    return content.to_json()


def _optional_text(value: str | None, field_: str, problems: Problems) -> str | None:
    if value is None:
        return None
    text = nfc(value).strip()
    if len(text) > MAX_TEXT:
        problems.add(
            field_,
            PackagingErrorCode.TOO_LONG,
            f"Tối đa {MAX_TEXT} ký tự.",
            f"At most {MAX_TEXT} characters.",
        )
    return text or None


async def _attachable_files(
    design: PackagingDesign, refs: Iterable[FileRef], reach: Reach, user_id: int | None, problems: Problems
) -> list[FileRef]:
    """Files the actor may attach: its own uploads, and files already on a version of this design (carried
    over explicitly). Another user's upload, whose ID could be guessed, is refused as if it did not exist."""
    refs = list(refs)
    if len(refs) > MAX_FILES:
        problems.add(
            "files",
            PackagingErrorCode.OUT_OF_RANGE,
            f"Tối đa {MAX_FILES} tệp.",
            f"At most {MAX_FILES} files.",
        )
        return []
    ids = [r.file_id for r in refs]
    found = {f.id: f for f in await StoredFile.filter(id__in=ids)} if ids else {}
    on_design: set[int] = set()
    if ids:
        rows = await VersionFile.filter(version__design_id=design.id, file_id__in=ids).values_list(
            "file_id", flat=True
        )
        on_design = {int(cast(int, r)) for r in rows}
    seen: set[int] = set()
    out: list[FileRef] = []
    for n, ref in enumerate(refs):
        stored = found.get(ref.file_id)
        usable = stored is not None and (
            reach.everything
            or ref.file_id in on_design
            or (user_id is not None and stored.uploaded_by_id == user_id)
        )
        if not usable:
            problems.add(
                f"files.{n}.fileId", PackagingErrorCode.NOT_FOUND, "Không tìm thấy tệp.", "File not found."
            )
        elif ref.role not in FILE_ROLES:
            problems.add(
                f"files.{n}.role",
                PackagingErrorCode.INVALID,
                f"Vai trò tệp: {', '.join(FILE_ROLES)}.",
                f"File role: {', '.join(FILE_ROLES)}.",
            )
        elif ref.file_id in seen:
            problems.add(f"files.{n}.fileId", PackagingErrorCode.UNIQUE, "Tệp bị lặp.", "File listed twice.")
        else:
            seen.add(ref.file_id)
            out.append(ref)
    return out


async def add_version(data: VersionData, reach: Reach, *, user_id: int | None) -> DesignVersion:
    """A new draft version, numbered after the design's last one, with its files, in one transaction."""
    design = await _design(data.design_id, reach)
    if not policy.may_author(reach, design.product.producer):
        raise deny(reach, "designId")
    problems = Problems()
    name = nfc(data.name).strip()
    if len(name) > MAX_NAME:
        problems.add(
            "name",
            PackagingErrorCode.TOO_LONG,
            f"Tối đa {MAX_NAME} ký tự.",
            f"At most {MAX_NAME} characters.",
        )
    for field_, value in (
        ("widthMm", data.width_mm),
        ("heightMm", data.height_mm),
        ("depthMm", data.depth_mm),
    ):
        if value is not None and not (math.isfinite(value) and 0 < value <= MAX_SIDE_MM):
            problems.add(
                field_,
                PackagingErrorCode.OUT_OF_RANGE,
                f"Từ 0 đến {MAX_SIDE_MM:g} mm.",
                f"Between 0 and {MAX_SIDE_MM:g} mm.",
            )
    material = _optional_text(data.material, "material", problems)
    print_method = _optional_text(data.print_method, "printMethod", problems)
    declared = _declared_json(data.declared, problems)
    files = await _attachable_files(design, data.files, reach, user_id, problems)
    problems.raise_if_any()
    async with in_transaction():
        # Lock the design (PostgreSQL; SQLite serialises writers) so that concurrent versions get distinct
        # numbers.
        await PackagingDesign.filter(id=design.id).select_for_update().first()
        last = await DesignVersion.filter(design_id=design.id).order_by("-number").first()
        number = (last.number if last else 0) + 1
        version = await DesignVersion.create(
            design_id=design.id,
            number=number,
            name=name or f"{design.name} v{number}",
            package_type=PackageType(data.package_type),
            width_mm=data.width_mm,
            height_mm=data.height_mm,
            depth_mm=data.depth_mm,
            material=material,
            print_method=print_method,
            declared=declared,
            created_by_id=user_id,
        )
        if files:
            await VersionFile.bulk_create(
                [VersionFile(version_id=version.id, file_id=f.file_id, role=f.role) for f in files]
            )
        await PackagingDesign.filter(id=design.id).update(updated_at=clock.now())
    version.design = design
    return version


# -- the review ----------------------------------------------------------------------------------------------


def _not_allowed(vi: str, en: str, field_: str = "versionId") -> DomainError:
    return _problem(field_, PackagingErrorCode.NOT_ALLOWED, vi, en)


async def submit_version(version_id: int, reach: Reach) -> DesignVersion:
    """Hand a draft to the reviewers. A version is submitted once: a second submission is refused."""
    version = await find_version(version_id, reach)
    if not policy.may_author(reach, producer_of(version)):
        raise deny(reach, "versionId")
    async with in_transaction():
        # The status test is in the UPDATE itself: of two concurrent submissions, one changes the row.
        moment = clock.now()
        changed = await DesignVersion.filter(id=version.id, status=DesignStatus.DRAFT).update(
            status=DesignStatus.SUBMITTED, submitted_at=moment
        )
        if not changed:
            raise _not_allowed(
                "Phiên bản này đã được gửi duyệt; hãy tạo phiên bản mới để gửi lại.",
                "This version was already submitted; add a new version to submit again.",
            )
    version.status = DesignStatus.SUBMITTED
    version.submitted_at = moment
    return version


def _body(text: str, field_: str = "body", limit: int = MAX_COMMENT) -> str:
    body = nfc(text).strip()
    if not body:
        raise _problem(field_, PackagingErrorCode.REQUIRED, "Cần nội dung.", "Text is required.")
    if len(body) > limit:
        raise _problem(
            field_, PackagingErrorCode.TOO_LONG, f"Tối đa {limit} ký tự.", f"At most {limit} characters."
        )
    return body


async def _start_review(version: DesignVersion) -> None:
    """A reviewer's first word on a submitted version puts it in review."""
    if version.status == DesignStatus.SUBMITTED:
        await DesignVersion.filter(id=version.id, status=DesignStatus.SUBMITTED).update(
            status=DesignStatus.IN_REVIEW
        )
        version.status = DesignStatus.IN_REVIEW


async def comment(version_id: int, text: str, reach: Reach) -> ReviewComment:
    """A comment in a version's thread: reviewers (consultants, officers, central admins) and the producer's
    members (replies). A reviewer's comment on a submitted version starts its review."""
    version = await find_version(version_id, reach)
    producer = producer_of(version)
    if not policy.may_comment(reach, producer):
        raise deny(reach, "versionId")
    body = _body(text)
    async with in_transaction():
        row = await ReviewComment.create(
            version_id=version.id,
            author_id=reach.actor.user_id,
            author_role=policy.acting_role(reach, producer).value,
            kind=CommentKind.COMMENT,
            body=body,
        )
        if (
            policy.is_reviewer(reach, producer)
            and policy.acting_role(reach, producer) != Role.PRODUCER_MEMBER
        ):
            await _start_review(version)
    return row


async def request_changes(version_id: int, text: str, reach: Reach) -> tuple[DesignVersion, ReviewComment]:
    """Consultants, the province's officers and central admins send a submitted version back, saying what to
    change (a CHANGES_REQUESTED comment). The producer answers with a new version."""
    version = await find_version(version_id, reach)
    producer = producer_of(version)
    if not policy.may_request_changes(reach, producer):
        raise deny(reach, "versionId")
    body = _body(text)
    async with in_transaction():
        changed = await DesignVersion.filter(id=version.id, status__in=list(REVIEWABLE)).update(
            status=DesignStatus.CHANGES_REQUESTED
        )
        if not changed:
            raise _not_allowed(
                "Chỉ yêu cầu sửa phiên bản đang chờ duyệt.",
                "Only a version awaiting review can be sent back.",
            )
        row = await ReviewComment.create(
            version_id=version.id,
            author_id=reach.actor.user_id,
            author_role=policy.acting_role(reach, producer).value,
            kind=CommentKind.CHANGES_REQUESTED,
            body=body,
        )
    version.status = DesignStatus.CHANGES_REQUESTED
    return version, row


async def error_findings(version_id: int) -> list[Finding]:
    """The compliance findings of severity error (services/packaging/compliance.py)."""
    return [f for f in await compliance.version_findings(version_id) if f.severity == "error"]


async def approve(version_id: int, reach: Reach, *, override_reason: str | None = None) -> DesignVersion:
    """Officers of the product's province and central admins approve a version awaiting review. Error
    findings refuse it unless `override_reason` says why it is approved anyway (an OVERRIDE comment). The
    design's previously approved version becomes SUPERSEDED."""
    version = await find_version(version_id, reach)
    producer = producer_of(version)
    if not policy.may_approve(reach, producer):
        raise deny(reach, "versionId")
    if version.status not in REVIEWABLE:
        raise _not_allowed(
            "Chỉ duyệt được phiên bản đang chờ duyệt.", "Only a version awaiting review can be approved."
        )
    reason = nfc(override_reason or "").strip()
    errors = await error_findings(version.id)
    if errors and not reason:
        codes = ", ".join(sorted({f.code for f in errors}))
        raise _problem(
            "overrideReason",
            PackagingErrorCode.NOT_ALLOWED,
            f"Thiết kế còn {len(errors)} lỗi tuân thủ ({codes}): sửa lại, hoặc ghi lý do phê duyệt vượt quyền.",
            f"The design has {len(errors)} compliance error(s) ({codes}): fix them, or give a reason to "
            "override.",
        )
    if len(reason) > MAX_REASON:
        raise _problem(
            "overrideReason",
            PackagingErrorCode.TOO_LONG,
            f"Tối đa {MAX_REASON} ký tự.",
            f"At most {MAX_REASON} characters.",
        )
    overriding = bool(errors)
    moment = clock.now()
    role = policy.acting_role(reach, producer).value
    async with in_transaction():
        await PackagingDesign.filter(id=version.design_id).select_for_update().first()
        changed = await DesignVersion.filter(id=version.id, status__in=list(REVIEWABLE)).update(
            status=DesignStatus.APPROVED,
            approved_at=moment,
            approved_by_id=reach.actor.user_id,
            override_reason=reason if overriding else None,
        )
        if not changed:
            raise _not_allowed(
                "Phiên bản đã được xử lý bởi người khác.",
                "The version was decided by someone else meanwhile.",
            )
        await (
            DesignVersion.filter(design_id=version.design_id, status=DesignStatus.APPROVED)
            .exclude(id=version.id)
            .update(status=DesignStatus.SUPERSEDED)
        )
        if overriding:
            codes = ", ".join(sorted({f.code for f in errors}))
            body = f"{reason}\n\n[{codes}]"
        else:
            body = reason or "Phê duyệt / Approved"
        await ReviewComment.create(
            version_id=version.id,
            author_id=reach.actor.user_id,
            author_role=role,
            kind=CommentKind.OVERRIDE if overriding else CommentKind.APPROVAL,
            body=body,
        )
    version.status = DesignStatus.APPROVED
    version.approved_at = moment
    version.approved_by_id = reach.actor.user_id
    version.override_reason = reason if overriding else None  # type: ignore[assignment]
    return version
