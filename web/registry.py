"""The registry's spreadsheet files (issue 19): the import template to download, and the upload of a
spreadsheet to the signed URL of `registryImportUploadUrl` (services/registry/spreadsheets/)."""

from __future__ import annotations

import asyncio
import functools

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.common.errors import DomainError
from services.registry.spreadsheets import template, uploads
from web.access import link_expired
from web.refusals import not_found, refuse_problems
from web.responses import ORJSONResponse

_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@functools.cache
def _template(fmt: str) -> bytes:
    return template.template_xlsx() if fmt == "xlsx" else template.template_csv()


async def spreadsheet_template(request: Request) -> Response:
    """GET /registry/spreadsheet-template.{xlsx|csv}: the import template, with a filled example row."""
    fmt = request.path_params["fmt"]
    if fmt not in _TYPES:
        return not_found(request, "Các định dạng: xlsx, csv.", "Formats: xlsx, csv.")
    body = await asyncio.to_thread(_template, fmt)
    return Response(
        body,
        media_type=_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="mau-danh-sach-ocop.{fmt}"',
            "Cache-Control": "public, max-age=3600",
        },
    )


async def upload_spreadsheet(request: Request) -> Response:
    """PUT (or POST) /registry/imports/upload?token=...: one spreadsheet as the raw body, streamed to disk
    (refused at the first byte past the size limit: 413; not .xlsx or CSV: 415). Answers the `file` that
    `startRegistryImport` takes."""
    user_id = await uploads.uploader_of(request.query_params.get("token", ""))
    if user_id is None:
        return link_expired(request)
    try:
        uploads.check_declared_size(request.headers.get("content-length"))
        stored = await uploads.store_spreadsheet(request.stream())
    except uploads.SpreadsheetRefused as refused:
        return refuse_problems(request, 413 if refused.too_large else 415, refused.problems)
    except DomainError as exc:
        return refuse_problems(request, 400, exc.problems)
    return ORJSONResponse(
        {"file": stored.file, "format": stored.kind, "size": stored.size},
        headers={"Cache-Control": "no-store"},
    )


routes: list[BaseRoute] = [
    Route("/registry/spreadsheet-template.{fmt}", spreadsheet_template, methods=["GET", "HEAD"]),
    Route("/registry/imports/upload", upload_spreadsheet, methods=["PUT", "POST"]),
]
