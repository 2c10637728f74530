"""Response shapes shared by the surfaces: orjson bodies and the one ETag -> 304 -> file answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import orjson
from starlette.requests import Request
from starlette.responses import FileResponse, Response


class ORJSONResponse(Response):
    # orjson: Vietnamese stays UTF-8 (not \u-escaped), and it is several times faster than json.
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def file_answer(
    request: Request,
    path: Path,
    *,
    sha256: str,
    cache_control: str,
    media_type: str,
    filename: str | None,
    disposition: Literal["inline", "attachment"],
) -> Response:
    """A stored file whose ETag is its sha256: 304 when the client already has these bytes (the same
    ETag and Cache-Control, no body), the file otherwise."""
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return FileResponse(
        path, media_type=media_type, filename=filename, headers=headers, content_disposition_type=disposition
    )
