"""What an uploaded artwork file is, decided from its bytes, and the checks that run on them in a child
process (services/common/sandbox.py): images decoded and re-encoded, PDFs opened and their first page
thumbnailed, SVGs parsed and checked. services/packaging/uploads.py streams, stores and records.

This module imports the standard library only at the top: the sandbox's child imports it (and
services/packaging/__init__.py, which must stay free of imports) before running `inspect`, and every module
it imports counts against the child's memory limit. Pillow and pypdfium2 are imported inside the child.

SVG policy: **refused, never rewritten.** An SVG is parsed with expat (no internal DTD subset, no entity
declarations, no external entities: XXE and "billion laughs" fail at the first declaration) and refused
with NOT_ALLOWED if it holds anything that can run or fetch: <script>, <foreignObject>, HTML elements,
animation (<set>, <animate*>, which can rewrite an href), on* event attributes, `javascript:` anywhere,
an href/src that is not a #fragment or a raster data: image, a CSS url()/src() to anything else,
@import, image-set() or <?xml-stylesheet?>. A print master is kept byte for byte as the designer made it
(its sha256 is the designer's file's), rather than as a sanitiser's guess of what was meant.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import resource
import struct
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

# -- kinds ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    media_type: str
    extension: str


KINDS = {
    "pdf": Kind("pdf", "application/pdf", "pdf"),
    "png": Kind("png", "image/png", "png"),
    "jpeg": Kind("jpeg", "image/jpeg", "jpg"),
    "svg": Kind("svg", "image/svg+xml", "svg"),
}
BY_MEDIA_TYPE = {kind.media_type: kind for kind in KINDS.values()}
SNIFF_BYTES = 1024  # enough for an XML declaration and a generator's comment before <svg

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_XML_START = re.compile(rb"\s*(?:<\?xml[\s?]|<svg[\s>/]|<!--|<!DOCTYPE\s+svg[\s>])", re.IGNORECASE)


def sniff(head: bytes) -> str | None:
    """The kind of a file from its first bytes (magic numbers, not its name): "pdf", "png", "jpeg", "svg"
    (a candidate: only the full parse knows), or None for anything else (HTML, ZIP, executables, ...)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_PNG_SIGNATURE):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    text = _xml_head(head)
    if text is not None and _XML_START.match(text):
        return "svg"
    return None


def _xml_head(head: bytes) -> bytes | None:
    """The first bytes as ASCII-compatible text (a UTF-16 file is decoded), or None."""
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(codec, errors="ignore").encode("utf-8", errors="ignore")
    return head


# -- refusals ------------------------------------------------------------------------------------------------


class Refused(Exception):
    """The file is refused. `code` is a services.packaging.errors.PackagingErrorCode value (kept as text: this module imports
    nothing of the project's), with a message in Vietnamese and in English."""

    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message = message
        self.message_en = message_en


def _invalid(kind: str) -> Refused:
    return Refused(
        "invalid",
        f"Tệp bị hỏng hoặc không phải tệp {kind.upper()} hợp lệ.",
        f"The file is damaged or not a valid {kind.upper()}.",
    )


# -- SVG -----------------------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SVG_MAX_DEPTH = 256
# Elements that run code, embed other documents or (animation) can rewrite an attribute such as href.
_SVG_FORBIDDEN_ELEMENTS = frozenset(
    {
        "script",
        "foreignobject",
        "handler",
        "listener",
        "iframe",
        "embed",
        "object",
        "audio",
        "video",
        "animate",
        "animatemotion",
        "animatetransform",
        "animatecolor",
        "set",
        "discard",
    }
)
_URL_ATTRIBUTES = frozenset({"href", "src"})
_SAFE_DATA = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp)[;,]", re.IGNORECASE)
_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
# A CSS function token is its name directly followed by "(" ("url (" is not one); escapes are decoded and
# comments removed before this is searched.
_CSS_FUNCTION = re.compile(r"(?<![\w-])(-webkit-image-set|image-set|cross-fade|url|src)\(", re.IGNORECASE)
_NUMBER = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px)?\s*")


@dataclass(slots=True)
class SvgInfo:
    width: int | None = None
    height: int | None = None


def _safe_reference(value: str) -> bool:
    """An href/src/url() target that fetches nothing and runs nothing: a #fragment, a raster data: image
    or empty (the document itself). Browsers drop tabs and newlines inside URLs ("java\tscript:"), so
    the check reads the value without them."""
    compact = _CONTROL_AND_SPACE.sub("", value)
    return compact == "" or compact.startswith("#") or _SAFE_DATA.match(compact) is not None


def _css_unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return match.group(2) if match.group(2) != "\n" else ""

    return _CSS_ESCAPE.sub(one, text)


def css_problem(text: str) -> str | None:
    """Why a style sheet or style attribute is refused (in English, for the message), or None."""
    css = _CSS_COMMENT.sub(" ", _css_unescape(text))
    lowered = _CONTROL_AND_SPACE.sub("", css).lower()
    if "javascript:" in lowered or "vbscript:" in lowered:
        return "a javascript: link"
    if "@import" in lowered:
        return "an @import of another style sheet"
    if "expression(" in lowered or "-moz-binding" in lowered or "behavior:" in lowered:
        return "a style that runs code"
    for match in _CSS_FUNCTION.finditer(css):
        name = match.group(1).lower()
        if name not in ("url", "src"):
            return f"{name}(), which can load an external image"
        rest = css[match.end() :].lstrip()
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            end = rest.find(quote, 1)
            target = rest[1:end] if end > 0 else rest[1:]
        else:
            end = rest.find(")")
            target = rest[:end] if end >= 0 else rest
        if not _safe_reference(target):
            return f"a reference to an external resource ({name}({target.strip()[:60]}))"
    return None


def _dimension(value: str | None) -> float | None:
    """A length in user units (plain number or px); None for %, mm, em, ... (not pixels)."""
    if value is None:
        return None
    match = _NUMBER.fullmatch(value)
    return float(match.group(1)) if match else None


class _SvgChecker:
    def __init__(self) -> None:
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.entity
        self.parser.UnparsedEntityDeclHandler = self.unparsed_entity
        self.parser.ExternalEntityRefHandler = self.external_entity
        self.parser.ProcessingInstructionHandler = self.processing_instruction
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.stack: list[str] = []
        self.style: list[str] | None = None
        self.info = SvgInfo()

    @staticmethod
    def refuse(what: str, vi: str) -> Refused:
        return Refused(
            "not_allowed",
            f"SVG không được chứa {vi}: hãy xuất lại tệp chỉ gồm hình vẽ.",
            f"The SVG holds {what}, which is not allowed: export it again with drawing content only.",
        )

    def doctype(self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: int) -> None:
        if has_internal_subset:
            raise self.refuse("a DTD with declarations (entities)", "khai báo DTD (thực thể)")

    def entity(self, *args: Any) -> None:
        raise self.refuse("an entity declaration", "khai báo thực thể (entity)")

    def unparsed_entity(self, *args: Any) -> None:
        raise self.refuse("an entity declaration", "khai báo thực thể (entity)")

    def external_entity(self, *args: Any) -> int:
        raise self.refuse("an external entity", "thực thể bên ngoài")

    def processing_instruction(self, target: str, data: str) -> None:
        if target.lower() == "xml-stylesheet":
            raise self.refuse("an external style sheet (<?xml-stylesheet?>)", "bảng kiểu bên ngoài")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        lowered = local.lower()
        if not self.stack and (namespace != SVG_NS or local != "svg"):
            raise Refused(
                "invalid",
                "Tệp không phải SVG (phần tử gốc không phải <svg>).",
                "The file is not an SVG (its root element is not <svg>).",
            )
        if namespace == XHTML_NS:
            raise self.refuse(f"an HTML element (<{local}>)", f"phần tử HTML (<{local}>)")
        if lowered in _SVG_FORBIDDEN_ELEMENTS:
            raise self.refuse(f"a <{local}> element", f"phần tử <{local}>")
        if len(self.stack) >= SVG_MAX_DEPTH:
            raise Refused(
                "out_of_range",
                f"SVG lồng nhau quá sâu (tối đa {SVG_MAX_DEPTH} cấp).",
                f"The SVG is nested too deeply (at most {SVG_MAX_DEPTH} levels).",
            )
        for qualified, value in attributes.items():
            attribute = qualified.rpartition(" ")[2].lower()
            if attribute.startswith("on"):
                raise self.refuse(f"an event handler ({attribute}=)", f"thuộc tính sự kiện ({attribute}=)")
            if attribute in _URL_ATTRIBUTES and not _safe_reference(value):
                shown = value.strip()[:60]
                raise self.refuse(
                    f"a link to an external resource ({attribute}={shown!r})",
                    f"liên kết tới tài nguyên bên ngoài ({attribute}={shown!r})",
                )
            problem = css_problem(value)
            if problem:
                raise self.refuse(problem, f"nội dung không an toàn trong thuộc tính {attribute}")
        if not self.stack:
            self.root_size(attributes)
        self.stack.append(lowered)
        if lowered == "style":
            self.style = []

    def end(self, name: str) -> None:
        local = self.stack.pop()
        if local == "style" and self.style is not None:
            problem = css_problem("".join(self.style))
            self.style = None
            if problem:
                raise self.refuse(problem, "nội dung không an toàn trong <style>")

    def text(self, data: str) -> None:
        if self.style is not None:
            self.style.append(data)

    def root_size(self, attributes: dict[str, str]) -> None:
        width, height = _dimension(attributes.get("width")), _dimension(attributes.get("height"))
        box = attributes.get("viewBox", "").replace(",", " ").split()
        if (width is None or height is None) and len(box) == 4:
            with contextlib.suppress(ValueError):
                width, height = float(box[2]), float(box[3])
        if width is not None and height is not None and 0 < width < 1e6 and 0 < height < 1e6:
            self.info = SvgInfo(max(1, round(width)), max(1, round(height)))


def check_svg(data: bytes) -> SvgInfo:
    """Parse an SVG and refuse it (`Refused`) if it is not a well-formed SVG document or holds anything
    active or external (see the module's docstring). Its size in pixels when its root says so."""
    checker = _SvgChecker()
    try:
        checker.parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Refused(
            "invalid",
            f"Tệp SVG không hợp lệ (XML lỗi ở dòng {exc.lineno}).",
            f"The SVG is not well-formed XML (line {exc.lineno}: {expat.ErrorString(exc.code)}).",
        ) from exc
    return checker.info


# -- what the child reports ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Inspection:
    """The outcome of `inspect`: a refusal, or what was learnt and made. `body` is the file to keep when it
    is not the upload itself (re-encoded images); `thumbnail` a PNG of at most THUMBNAIL_PX a side."""

    refusal: tuple[str, str, str] | None = None  # (code, Vietnamese, English)
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    body: bytes | None = None
    thumbnail: bytes | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def pack(self) -> bytes:
        """One byte string for the sandbox to write: a length-prefixed JSON header, then the blobs."""
        header = {
            "refusal": self.refusal,
            "width": self.width,
            "height": self.height,
            "pages": self.pages,
            "body": len(self.body) if self.body is not None else None,
            "thumbnail": len(self.thumbnail) if self.thumbnail is not None else None,
            "notes": self.notes,
        }
        encoded = json.dumps(header).encode()
        return struct.pack(">I", len(encoded)) + encoded + (self.body or b"") + (self.thumbnail or b"")

    @classmethod
    def unpack(cls, packed: bytes) -> Inspection:
        (size,) = struct.unpack(">I", packed[:4])
        header = json.loads(packed[4 : 4 + size])
        offset = 4 + size
        blobs: dict[str, bytes | None] = {}
        for name in ("body", "thumbnail"):
            length = header[name]
            blobs[name] = None if length is None else packed[offset : offset + length]
            offset += length or 0
        refusal = header["refusal"]
        return cls(
            refusal=tuple(refusal) if refusal else None,
            width=header["width"],
            height=header["height"],
            pages=header["pages"],
            body=blobs["body"],
            thumbnail=blobs["thumbnail"],
            notes=header["notes"],
        )


@dataclass(frozen=True, slots=True)
class Params:
    """What the child is told: where the upload is, what kind it looked like, and the limits."""

    path: str
    kind: str
    max_pixels: int
    max_pages: int
    max_page_pt: float
    thumbnail_px: int


def inspect(params: Params, progress: Any = None) -> bytes:
    """Entry point in the sandbox's child: check one upload and return a packed `Inspection`. Expected
    refusals (damaged file, decompression bomb, too many pages, script in an SVG) come back as a refusal;
    a file that breaks the child's memory or time limit kills it (the parent reports that)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a decoder that aborts leaves no core dump behind
    try:
        with open(params.path, "rb") as source:
            data = source.read()
        if params.kind == "svg":
            info = check_svg(data)
            result = Inspection(width=info.width, height=info.height)
        elif params.kind == "pdf":
            result = _inspect_pdf(data, params)
        else:
            result = _inspect_image(data, params)
    except Refused as refused:
        result = Inspection(refusal=(refused.code, refused.message, refused.message_en))
    except MemoryError:
        result = Inspection(refusal=too_big_to_process())
    except ImportError:
        raise  # the server lacks a library (pypdfium2): its fault, not the file's
    except Exception as exc:  # any other error of a decoder on this input: a damaged or crafted file
        damaged = _invalid(params.kind)
        result = Inspection(
            refusal=(damaged.code, damaged.message, damaged.message_en),
            notes={"error": f"{type(exc).__name__}: {exc}"[:300]},
        )
    return result.pack()


def too_big_to_process() -> tuple[str, str, str]:
    return (
        "out_of_range",
        "Tệp cần quá nhiều bộ nhớ hoặc thời gian để xử lý (có thể là 'bom giải nén').",
        "The file needs more memory or time to process than allowed (possibly a decompression bomb).",
    )


# -- images --------------------------------------------------------------------------------------------------


def _inspect_image(data: bytes, params: Params) -> Inspection:
    import warnings

    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = params.max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    fmt = "PNG" if params.kind == "png" else "JPEG"
    try:
        image = Image.open(io.BytesIO(data), formats=[fmt])
        width, height = image.size  # the header only: nothing is decoded yet
        if width * height > params.max_pixels:
            raise Image.DecompressionBombError(f"{width}x{height}")
        image.load()
        body, kept = _reencode(image, params.kind)
        thumbnail = _thumbnail(kept, params.thumbnail_px)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        megapixels = params.max_pixels / 1_000_000
        raise Refused(
            "out_of_range",
            f"Ảnh quá lớn: tối đa {megapixels:g} triệu điểm ảnh.",
            f"The image is too large: at most {megapixels:g} megapixels ({exc}).",
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise _invalid(params.kind) from exc
    return Inspection(
        width=kept.width,
        height=kept.height,
        body=body,
        thumbnail=thumbnail,
        notes={"mode": kept.mode},
    )


def _reencode(image: Any, kind: str) -> tuple[bytes, Any]:
    """The image written again by Pillow: EXIF (GPS, camera, ...), XMP, IPTC, comments and text chunks are
    left behind; kept are the pixels, the ICC colour profile and the resolution (dpi), which print needs.
    An EXIF orientation is applied to the pixels first, so the image still looks as it did."""
    from PIL import ImageOps

    icc = image.info.get("icc_profile")
    dpi = image.info.get("dpi")
    transparency = image.info.get("transparency")
    orientation = image.getexif().get(0x0112, 1)
    upright = ImageOps.exif_transpose(image) if orientation not in (None, 1) else image
    upright.info = {}  # nothing of the original's metadata is carried over implicitly
    options: dict[str, Any] = {}
    if icc:
        options["icc_profile"] = icc
    if dpi:
        options["dpi"] = tuple(round(float(d)) for d in dpi)
    out = io.BytesIO()
    if kind == "png":
        if transparency is not None:
            options["transparency"] = transparency
        upright.save(out, "PNG", compress_level=6, **options)
        return out.getvalue(), upright
    if upright.mode not in ("L", "RGB", "CMYK"):
        upright = upright.convert("RGB")
    try:
        # The original's quantisation tables and subsampling: as little loss as a re-encode can have.
        upright.save(out, "JPEG", quality="keep", subsampling="keep", **options)
    except (ValueError, TypeError, AttributeError):
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=92, **options)
    return out.getvalue(), upright


def _thumbnail(image: Any, size: int) -> bytes | None:
    from PIL import Image

    try:
        small = image.copy()
        if small.mode == "P":
            small = small.convert("RGBA")
        elif small.mode not in ("RGB", "RGBA", "L", "LA"):
            small = small.convert("RGBA" if "A" in small.getbands() else "RGB")
        small.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "PNG", optimize=True)
        return out.getvalue()
    except (OSError, ValueError):
        return None  # the file is fine, only its preview could not be made


# -- PDF -----------------------------------------------------------------------------------------------------


def _inspect_pdf(data: bytes, params: Params) -> Inspection:
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise Refused(
                "invalid",
                "Tệp PDF có mật khẩu: hãy tải lên bản không khoá.",
                "The PDF is password-protected: upload an unlocked copy.",
            ) from exc
        raise _invalid("pdf") from exc
    try:
        pages = len(document)
        if pages < 1:
            raise _invalid("pdf")
        if pages > params.max_pages:
            raise Refused(
                "out_of_range",
                f"Tệp PDF có {pages} trang: tối đa {params.max_pages} trang.",
                f"The PDF has {pages} pages: at most {params.max_pages}.",
            )
        limit_mm = round(params.max_page_pt / 72 * 25.4)
        for index in range(pages):
            width, height = document.get_page_size(index)
            if not (0 < width <= params.max_page_pt and 0 < height <= params.max_page_pt):
                raise Refused(
                    "out_of_range",
                    f"Trang {index + 1} của PDF quá lớn: mỗi cạnh tối đa {limit_mm} mm.",
                    f"Page {index + 1} of the PDF is too large: at most {limit_mm} mm a side.",
                )
        if pdfium_c.FPDFDoc_GetJavaScriptActionCount(document.raw) > 0:
            raise _active_pdf("JavaScript", "JavaScript")
        check_pdf_active_content(data)
        page = document[0]
        width, height = page.get_size()
        scale = min(params.thumbnail_px / max(width, height), 4.0)
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil()
        out = io.BytesIO()
        image.save(out, "PNG", optimize=True)
        return Inspection(pages=pages, thumbnail=out.getvalue(), notes={"page_pt": [width, height]})
    except pypdfium2.PdfiumError as exc:
        raise _invalid("pdf") from exc
    finally:
        document.close()


# -- PDF active content --------------------------------------------------------------------------------------

# Action types (/S) that run code, open or send to other files or programs, or read form data from a file.
# GoTo (within the document) and URI to http(s)/mailto are kept: a print master may carry a web link.
_PDF_SCRIPT_ACTIONS = frozenset({"/JavaScript", "/Rendition"})
_PDF_FILE_ACTIONS = frozenset({"/Launch", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm"})
_PDF_SAFE_URI = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
_PDF_EMBEDDING_ANNOTS = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"})
_PDF_MAX_OBJECTS = 2_000_000  # qpdf reads the cross-reference table lazily; the walk is bounded anyway


def _active_pdf(what_vi: str, what_en: str) -> Refused:
    return Refused(
        "not_allowed",
        f"Tệp PDF chứa {what_vi}: hãy xuất lại (ví dụ PDF/X) không có mã lệnh, hành động hay tệp đính kèm.",
        f"The PDF holds {what_en}: export it again (PDF/X, for instance) without scripts, actions or "
        "attached files.",
    )


def check_pdf_active_content(data: bytes) -> None:
    """Refuse a PDF that holds anything that can run or reach outside the page, wherever it sits: every
    object of the file is walked (also those in object streams, and those no page refers to), not only the
    document's Names tree. Refused: a /JS entry anywhere; an action (in /OpenAction, a document, page,
    form-field or annotation /AA, an annotation's /A, an outline item, ...) of type JavaScript, Rendition,
    Launch, GoToR, GoToE, ImportData or SubmitForm, or a URI action to anything but http(s) or
    mailto; embedded files (/EmbeddedFiles, /EF file specifications, /EmbeddedFile streams) and
    FileAttachment, RichMedia, Movie, Sound, Screen and 3D annotations; XFA forms. Names are compared after
    pikepdf decodes them, so `/J#53` is `/JS`. Raises Refused (not_allowed); a file pikepdf cannot open is
    invalid."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise Refused(
            "invalid",
            "Tệp PDF có mật khẩu: hãy tải lên bản không khoá.",
            "The PDF is password-protected: upload an unlocked copy.",
        ) from exc
    except pikepdf.PdfError as exc:
        raise _invalid("pdf") from exc
    with pdf:
        for count, obj in enumerate(pdf.objects):
            if count > _PDF_MAX_OBJECTS:
                raise Refused(
                    "out_of_range",
                    "Tệp PDF có quá nhiều đối tượng.",
                    f"The PDF has more than {_PDF_MAX_OBJECTS} objects.",
                )
            _check_pdf_object(obj, pikepdf, root=True)
        _check_pdf_object(pdf.trailer, pikepdf, root=True)


def _check_pdf_object(obj: Any, pikepdf: Any, *, root: bool) -> None:
    """Check one object and its direct (not indirect) children; indirect ones are checked on their own
    turn of the walk over all objects, so a cycle is never followed."""
    pending = [obj]
    first = root
    while pending:
        current = pending.pop()
        if not isinstance(current, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
            continue  # numbers, names, strings: scalars pikepdf gives as Python values or leaves
        if not first and current.is_indirect:
            continue
        first = False
        if isinstance(current, pikepdf.Stream):
            current = current.stream_dict  # only the dictionary: the stream's bytes are not decoded
        if isinstance(current, pikepdf.Dictionary):
            _check_pdf_dictionary(current)
            pending.extend(current.values())
        elif isinstance(current, pikepdf.Array):
            pending.extend(current)


def _check_pdf_dictionary(entry: Any) -> None:
    keys = set(entry.keys())
    if "/JS" in keys:
        raise _active_pdf("JavaScript (/JS)", "JavaScript (/JS)")
    if "/EmbeddedFiles" in keys or "/EF" in keys:
        raise _active_pdf("tệp đính kèm (/EmbeddedFiles)", "embedded files (/EmbeddedFiles)")
    if "/XFA" in keys:
        raise _active_pdf("biểu mẫu XFA", "an XFA form")
    kind = str(entry.get("/Type", ""))
    if kind == "/EmbeddedFile":
        raise _active_pdf("tệp đính kèm", "an embedded file")
    subtype = str(entry.get("/Subtype", ""))
    if kind in ("", "/Annot") and subtype in _PDF_EMBEDDING_ANNOTS:
        raise _active_pdf(
            f"chú thích {subtype[1:]} (tệp hoặc đa phương tiện đính kèm)",
            f"a {subtype[1:]} annotation (embedded files or media)",
        )
    action = str(entry.get("/S", ""))
    if kind not in ("", "/Action"):
        return
    if action in _PDF_SCRIPT_ACTIONS:
        raise _active_pdf(f"hành động {action[1:]}", f"a {action[1:]} action")
    if action in _PDF_FILE_ACTIONS:
        raise _active_pdf(
            f"hành động {action[1:]} (mở tệp hoặc chương trình khác)",
            f"a {action[1:]} action (it opens or sends to another file or program)",
        )
    if action == "/URI":
        target = entry.get("/URI")
        text = bytes(target).decode("latin-1") if target is not None else ""
        if not _PDF_SAFE_URI.match(_CONTROL_AND_SPACE.sub("", text)):
            raise _active_pdf(
                "liên kết tới tệp hoặc giao thức không phải http(s)",
                "a link to a file or a scheme other than http(s)",
            )
