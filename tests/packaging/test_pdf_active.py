"""PDFs that can run or reach outside the page are refused wherever the script or action sits
(services/packaging/files.py `check_pdf_active_content`, run in the upload check's child): one hostile PDF
per vector, built with pikepdf; benign PDFs, web links included, still pass."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from httpx import AsyncClient

from models import StoredFile
from services.packaging import files, uploads
from services.packaging.errors import PackagingErrorCode
from tests.conftest import Database
from tests.packaging.upload_samples import raw_pdf, reportlab_pdf, stored_files

pytestmark = pytest.mark.usefixtures("media")

Edit = Callable[[pikepdf.Pdf], object]


def _js(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
    )


def _launch(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("C:\\Windows\\System32\\cmd.exe"))


def _annotation(pdf: pikepdf.Pdf, **entries: Any) -> pikepdf.Object:
    page = pdf.pages[0].obj
    annot = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Rect=pikepdf.Array([10, 10, 60, 60]), **entries)
    )
    page.Annots = pikepdf.Array([annot])
    return annot


def _form_field(pdf: pikepdf.Pdf) -> None:
    field = _annotation(
        pdf,
        Subtype=pikepdf.Name.Widget,
        FT=pikepdf.Name.Tx,
        T=pikepdf.String("tên"),
        AA=pikepdf.Dictionary(E=_js(pdf)),
    )
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))


def _embedded_file(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    stream = pikepdf.Stream(pdf, b"MZ payload")
    stream.Type = pikepdf.Name.EmbeddedFile
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec, F=pikepdf.String("a.exe"), EF=pikepdf.Dictionary(F=stream)
    )


VECTORS: dict[str, tuple[Edit, str]] = {
    "open action JavaScript": (lambda pdf: setattr(pdf.Root, "OpenAction", _js(pdf)), "JavaScript"),
    "open action Launch": (lambda pdf: setattr(pdf.Root, "OpenAction", _launch(pdf)), "Launch action"),
    "document additional action": (
        lambda pdf: setattr(pdf.Root, "AA", pikepdf.Dictionary(WC=_js(pdf))),
        "JavaScript",
    ),
    "page additional action": (
        lambda pdf: setattr(pdf.pages[0].obj, "AA", pikepdf.Dictionary(O=_launch(pdf))),
        "Launch action",
    ),
    "link annotation Launch": (
        lambda pdf: _annotation(pdf, Subtype=pikepdf.Name.Link, A=_launch(pdf)),
        "Launch action",
    ),
    "form field additional action": (_form_field, "JavaScript"),
    "link annotation URI to a file": (
        lambda pdf: _annotation(
            pdf,
            Subtype=pikepdf.Name.Link,
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("file:///etc/passwd")),
        ),
        "scheme other than http(s)",
    ),
    "link annotation GoToR": (
        lambda pdf: _annotation(
            pdf,
            Subtype=pikepdf.Name.Link,
            A=pikepdf.Dictionary(
                S=pikepdf.Name.GoToR, F=pikepdf.String("\\\\evil\\share\\x.pdf"), D=pikepdf.Array([0])
            ),
        ),
        "GoToR action",
    ),
    "embedded files name tree": (
        lambda pdf: setattr(
            pdf.Root,
            "Names",
            pikepdf.Dictionary(
                EmbeddedFiles=pikepdf.Dictionary(
                    Names=pikepdf.Array([pikepdf.String("a"), _embedded_file(pdf)])
                )
            ),
        ),
        "embedded file",
    ),
    "file attachment annotation": (
        lambda pdf: _annotation(pdf, Subtype=pikepdf.Name.FileAttachment, FS=_embedded_file(pdf)),
        "embedded file",
    ),
}


def hostile(edit: Edit, *, object_streams: bool = False) -> bytes:
    with pikepdf.open(io.BytesIO(reportlab_pdf(1))) as pdf:
        edit(pdf)
        out = io.BytesIO()
        mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.preserve
        pdf.save(out, object_stream_mode=mode)
        return out.getvalue()


@pytest.mark.parametrize("vector", list(VECTORS))
def test_each_active_vector_is_refused(vector: str) -> None:
    edit, words = VECTORS[vector]
    for object_streams in (False, True):  # also when the objects sit compressed in object streams
        with pytest.raises(files.Refused) as refused:
            files.check_pdf_active_content(hostile(edit, object_streams=object_streams))
        assert refused.value.code == "not_allowed"
        assert words in refused.value.message_en
        assert "PDF" in refused.value.message


def test_javascript_in_an_object_nothing_refers_to_is_refused() -> None:
    """pdfium looks for scripts where a viewer runs them; the walk looks at every object of the file (an
    editor or a later incremental update can make an orphan reachable)."""
    orphan = raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>",
            b"<< /S /JavaScript /JS (app.alert(1);) >>",
        ]
    )
    with pytest.raises(files.Refused) as refused:
        files.check_pdf_active_content(orphan)
    assert (refused.value.code, "JavaScript (/JS)" in refused.value.message_en) == ("not_allowed", True)


def test_escaped_names_are_read_as_pikepdf_decodes_them() -> None:
    escaped = raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Java#53cript /#4A#53 (app.alert(1)) >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>",
        ]
    )
    with pytest.raises(files.Refused) as refused:
        files.check_pdf_active_content(escaped)
    assert refused.value.code == "not_allowed"


@pytest.mark.parametrize(
    "vector", ["open action JavaScript", "page additional action", "file attachment annotation"]
)
async def test_upload_of_an_active_pdf_is_refused_in_the_child(
    db: Database, media: Path, vector: str
) -> None:
    edit, words = VECTORS[vector]
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.store_upload(hostile(edit), declared_name="nhãn.pdf", user_id=None)
    problem = refused.value.problems[0]
    assert (problem.field, problem.code) == ("file", PackagingErrorCode.NOT_ALLOWED)
    assert words in problem.message_en
    assert stored_files(media) == []
    assert await StoredFile.all().count() == 0


def _benign(pdf: pikepdf.Pdf) -> None:
    """What a designer's export may hold: a web link, a mailto link, a go-to within the document, an outline."""
    _annotation(
        pdf,
        Subtype=pikepdf.Name.Link,
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://ocop.gov.vn/")),
    )
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    pdf.pages[0].obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit]))
    )
    pdf.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array([])))


def test_benign_pdfs_pass() -> None:
    files.check_pdf_active_content(reportlab_pdf(2))
    files.check_pdf_active_content(hostile(_benign))
    files.check_pdf_active_content(hostile(_benign, object_streams=True))


async def test_upload_of_a_benign_pdf_with_links_is_kept(db: Database) -> None:
    stored = await uploads.store_upload(hostile(_benign), declared_name="hộp.pdf", user_id=None)
    assert (stored.media_type, stored.pages) == ("application/pdf", 1)


async def test_healthz_answers_while_hostile_pdfs_are_checked(db: Database, client: AsyncClient) -> None:
    """The check runs in the sandboxed child: the event loop keeps answering /healthz meanwhile."""

    async def upload(vector: str) -> None:
        with pytest.raises(uploads.UploadRefused):
            await uploads.store_upload(hostile(VECTORS[vector][0]), declared_name=None, user_id=None)

    checks = asyncio.gather(
        *(upload(vector) for vector in ("open action Launch", "embedded files name tree"))
    )
    slowest = 0.0
    while not checks.done():
        started = time.monotonic()
        assert (await client.get("/healthz")).status_code == 200
        slowest = max(slowest, time.monotonic() - started)
        await asyncio.sleep(0.05)
    await checks
    assert slowest < 1.0
