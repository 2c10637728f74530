"""Packaging files: artwork uploads to a signed URL (services/packaging/uploads.py) and a design version's
true-size preview (services/packaging/preview.py)."""

from __future__ import annotations

import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from strawberry import relay

from services.common.errors import DomainError, ErrorCode
from services.packaging import design_reads
from services.packaging import preview as packaging_preview
from services.packaging import uploads as packaging_uploads
from web.access import download_reach, link_expired
from web.refusals import not_found, path_int, refuse, refuse_problems, render_failed
from web.responses import ORJSONResponse, file_answer

log = structlog.get_logger("ocop")

# The status of a refused upload: the size and the type have their own; every other refusal is the file's.
_UPLOAD_STATUS = {packaging_uploads.Refusal.TOO_LARGE: 413, packaging_uploads.Refusal.UNSUPPORTED_TYPE: 415}


def _no_version(request: Request) -> Response:
    return not_found(request, "Không tìm thấy phiên bản thiết kế.", "No such design version.")


async def design_preview(request: Request) -> Response:
    """GET /packaging/versions/{id}/preview.{pdf|png}: a design version's declared label panel at true size
    (services/packaging/preview.py), with the signed query of `DesignVersion.previewPdfUrl`/`previewPngUrl`
    or the bearer token of someone who sees the design. Rendered in a child process, then served from its
    file; the ETag is its sha256."""
    fmt = request.path_params["fmt"]
    version_id = path_int(request, "version_id")
    if version_id is None:
        return _no_version(request)
    if fmt not in packaging_preview.FORMATS:
        return not_found(request, "Các định dạng: pdf, png.", "Formats: pdf, png.")
    reach = await download_reach(
        request, lambda expires, sig: packaging_preview.verify_url(version_id, fmt, expires, sig)
    )
    if isinstance(reach, Response):
        return reach
    if await design_reads.visible_version(version_id, reach) is None:
        return _no_version(request)
    panel = await packaging_preview.version_panel(version_id)
    if panel is None:
        return refuse(
            request,
            422,
            ErrorCode.REQUIRED,
            "Phiên bản không khai báo chiều rộng và chiều cao: không có bản xem trước.",
            "The version declares no width and height: no preview.",
            field="dimensions",
        )
    try:
        output = await packaging_preview.render(panel, fmt)
    except packaging_preview.PreviewFailed as exc:
        log.warning("preview failed", version_id=version_id, fmt=fmt, error=str(exc))
        return render_failed(request, "Không tạo được bản xem trước.", "The preview could not be made.")
    return await file_answer(
        request,
        output.key,
        sha256=output.sha256,
        cache_control="private, max-age=3600",
        media_type=packaging_preview.CONTENT_TYPES[fmt],
        filename=f"preview-version-{version_id}.{fmt}",
        disposition="inline",
    )


async def upload_file(request: Request) -> Response:
    """PUT (or POST) /uploads?token=...[&name=...]: one artwork file as the raw body, to the signed URL of
    `packaging_uploads.upload_url`. The token, not a cookie or header, names the user, so a cross-site form
    cannot upload in someone's name (GraphQL multipart uploads are not offered for that reason). The body
    is streamed into `store_upload` (refused at the first byte past the limit); the answer is the stored
    file's relay ID, sha256, detected media type and size."""
    user_id = await packaging_uploads.uploader_of(request.query_params.get("token", ""))
    if user_id is None:
        return link_expired(request)
    try:
        packaging_uploads.check_declared_size(request.headers.get("content-length"))
        stored = await packaging_uploads.store_upload(
            request.stream(), declared_name=request.query_params.get("name"), user_id=user_id
        )
    except packaging_uploads.UploadRefused as refused:
        return refuse_problems(request, _UPLOAD_STATUS.get(refused.reason, 400), refused.problems)
    except DomainError as exc:
        return refuse_problems(request, 400, exc.problems)
    return ORJSONResponse(
        {
            "fileId": relay.to_base64("StoredFile", stored.id),
            "sha256": stored.sha256,
            "mediaType": stored.media_type,
            "size": stored.size_bytes,
        },
        headers={"Cache-Control": "no-store"},
    )


routes: list[BaseRoute] = [
    Route("/packaging/versions/{version_id}/preview.{fmt}", design_preview, methods=["GET"]),
    Route("/uploads", upload_file, methods=["PUT", "POST"]),
]
