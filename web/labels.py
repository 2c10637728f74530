"""QR label downloads (services/labels/): a label run's outputs, and a template's calibration page."""

from __future__ import annotations

import asyncio

import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from services.common import sandbox
from services.common.errors import ErrorCode
from services.labels import design_qr
from services.labels import pdf as label_pdf
from services.labels import runs as label_runs
from services.labels.templates import find_template as find_label_template
from web.access import download_reach
from web.refusals import not_found, path_int, refuse, render_failed
from web.responses import file_answer

log = structlog.get_logger("ocop")


def _no_run(request: Request) -> Response:
    return not_found(request, "Không tìm thấy lượt in nhãn.", "No such label run.")


async def label_run_output(request: Request) -> Response:
    """One output of a label run: /labels/runs/{id}/{format} with the signed query of `LabelRun.pdfUrl`
    (and the other `...Url` fields), or a bearer token of someone who manages the lot. Rendered on first
    request in a child process, then served from its file; the ETag is its sha256."""
    fmt = request.path_params["fmt"]
    run_id = path_int(request, "run_id")
    if run_id is None:
        return _no_run(request)
    if fmt not in label_runs.FORMATS:
        formats = ", ".join(label_runs.FORMATS)
        return not_found(request, f"Các định dạng: {formats}.", f"Formats: {formats}.")
    reach = await download_reach(
        request, lambda expires, sig: label_runs.verify_download(run_id, fmt, expires, sig)
    )
    if isinstance(reach, Response):
        return reach
    run = (await label_runs.runs_by_ids({run_id}, reach)).get(run_id)
    if run is None:
        return _no_run(request)
    problem = label_runs.format_problem(await label_runs.job_of(run), fmt)
    if problem:
        return refuse(
            request,
            422,
            ErrorCode.LABEL_TOO_SMALL,
            f"Nhãn quá nhỏ cho định dạng {fmt}: {problem}.",
            f"{fmt}: {problem}.",
            field="format",
        )
    try:
        key, sha = await label_runs.output(run, fmt)
    except sandbox.ChildFailed as failed:
        log.warning("label render failed", run_id=run_id, fmt=fmt, error=str(failed))
        return render_failed(
            request, f"Không tạo được tệp nhãn: {failed}.", f"The labels could not be produced: {failed}."
        )
    except label_runs.OutputMismatch as mismatch:
        # A re-render that differs from the bytes first delivered: never hand out different labels.
        log.error("label output mismatch", run_id=run_id, fmt=fmt, error=str(mismatch))
        return refuse(
            request,
            500,
            ErrorCode.RENDER_FAILED,
            "Bản dựng lại của tệp nhãn khác với bản đã giao lần đầu: tệp không được gửi, hãy báo quản trị viên.",
            "A new render of these labels differs from the file first delivered: it is not sent; "
            "tell an administrator.",
        )
    return await file_answer(
        request,
        key,
        sha256=sha,
        cache_control="private, max-age=86400, immutable",
        media_type=label_runs.content_type(fmt),
        filename=label_runs.file_name(run, fmt),
        disposition="inline" if fmt in ("pdf", "qr-svg", "qr-png") else "attachment",
    )


async def label_calibration(request: Request) -> Response:
    """A template's calibration page: every label's outline and number, and a 100 mm scale (public)."""
    template = await find_label_template(request.path_params["code"])
    if template is None:
        return not_found(request, "Không tìm thấy mẫu nhãn.", "No such label template.")
    body = await asyncio.to_thread(label_pdf.calibration_pdf, template)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="calibration-{template.code}.pdf"',
            "Cache-Control": "public, max-age=3600",
        },
    )


async def design_qr_file(request: Request) -> Response:
    """A lot's QR code for designers (`designQr { svgUrl pngUrl }`): /labels/batches/{id}/design-qr.{svg|png}
    with the signed query, or a bearer token of someone who manages the lot (`?logo={file id}`: their own
    upload; `?logo=none`: no logo; neither: the producer's registry logo, if it has one). Drawn in a thread:
    `qrcode` and the logo take ~0.1 s of CPU."""
    fmt = request.path_params["fmt"]
    batch_id = path_int(request, "batch_id")
    logo_param = request.query_params.get("logo")
    plain = logo_param == design_qr.PLAIN
    logo_id = int(logo_param) if logo_param and logo_param.isascii() and logo_param.isdigit() else None
    if logo_id is not None and logo_id > 2**31 - 1:  # no such row; PostgreSQL would refuse the number
        logo_id = None
    if (
        batch_id is None
        or fmt not in design_qr.FORMATS
        or (logo_param is not None and logo_id is None and not plain)
    ):
        return not_found(request, "Không tìm thấy mã QR này.", "No such QR code.")
    reach = await download_reach(
        request,
        lambda expires, sig: design_qr.verify_download(
            batch_id, fmt, design_qr.PLAIN if plain else logo_id, expires, sig
        ),
    )
    if isinstance(reach, Response):
        return reach
    source = await design_qr.design_source(
        batch_id,
        reach,
        base_url=request.app.state.public_base_url,
        logo_file_id=logo_id,
        producer_logo=not plain,
    )
    if source is None:
        return not_found(request, "Không tìm thấy mã QR này.", "No such QR code.")
    try:
        body = await asyncio.to_thread(design_qr.render_source, source, fmt)
    except (design_qr.LogoUnusable, OSError) as failed:
        log.warning("design qr failed", batch_id=batch_id, fmt=fmt, error=str(failed))
        return render_failed(request, "Không đọc được logo.", "The logo could not be read.")
    return Response(
        body,
        media_type=design_qr.CONTENT_TYPES[fmt],
        headers={
            "Content-Disposition": f'inline; filename="{design_qr.file_name(source, fmt)}"',
            "Cache-Control": "private, max-age=3600",
        },
    )


routes: list[BaseRoute] = [
    Route("/labels/runs/{run_id}/{fmt}", label_run_output, methods=["GET"]),
    Route("/labels/templates/{code}/calibration.pdf", label_calibration, methods=["GET"]),
    Route("/labels/batches/{batch_id}/design-qr.{fmt}", design_qr_file, methods=["GET"]),
]
