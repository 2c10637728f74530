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


def _no_file(request: Request) -> Response:
    return not_found(request, "Không tìm thấy tệp.", "No such file.")


async def stored_upload(request: Request) -> Response:
    """GET /uploads/{fileId} and /uploads/{fileId}/thumbnail: an uploaded file (as stored: re-encoded
    images, PDFs and SVGs as uploaded) or its PNG thumbnail, from the shared store, for the bearer token of
    someone who sees it (its uploader, a reviewer of a design version it belongs to, central admins).
    `fileId` is the relay ID the upload answered. The ETag is the sha256; an SVG is sent as an attachment."""
    try:
        type_name, raw_id = relay.from_base64(request.path_params["file_id"])
        file_id = int(raw_id) if type_name == "StoredFile" and raw_id.isascii() and raw_id.isdigit() else None
    except (ValueError, TypeError):
        file_id = None
    if file_id is None or file_id > 2**31 - 1:
        return _no_file(request)
    reach = await download_reach(request, lambda expires, sig: False)  # a bearer token only
    if isinstance(reach, Response):
        return reach
    stored = (await design_reads.visible_files({file_id}, reach)).get(file_id)
    if stored is None:
        return _no_file(request)
    if request.path_params.get("variant") == "thumbnail":
        key, sha, media_type = packaging_uploads.thumbnail_key(stored), stored.thumbnail_sha256, "image/png"
        name = f"thumbnail-{stored.id}.png"
    else:
        key, sha, media_type = packaging_uploads.key_of(stored), stored.sha256, stored.media_type
        name = stored.original_name or key.rsplit("/", 1)[-1]
    if key is None or sha is None:
        return _no_file(request)
    return await file_answer(
        request,
        key,
        sha256=sha,
        cache_control="private, max-age=86400, immutable",
        media_type=media_type,
        filename=name,
        disposition="attachment" if media_type == "image/svg+xml" else "inline",
    )


async def stored_thumbnail(request: Request) -> Response:
    request.path_params["variant"] = "thumbnail"
    return await stored_upload(request)


routes: list[BaseRoute] = [
    Route("/packaging/versions/{version_id}/preview.{fmt}", design_preview, methods=["GET"]),
    Route("/uploads", upload_file, methods=["PUT", "POST"]),
    Route("/uploads/{file_id}", stored_upload, methods=["GET", "HEAD"]),
    Route("/uploads/{file_id}/thumbnail", stored_thumbnail, methods=["GET", "HEAD"]),
]
