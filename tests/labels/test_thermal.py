"""Thermal printer programs (ZPL at 203 and 300 dpi, TSPL) and the single-code SVG / PNG downloads.

Golden files: the ZPL and TSPL of one fixed job are kept under tests/labels/golden/ and compared byte for
byte; a difference fails with a unified diff of a readable view (one printer command per line, the
downloaded graphic summarised by size and sha256). After an intended change, inspect the new output and
regenerate with

    OCOP_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/labels/test_thermal.py

(the text graphic is drawn by Pillow/FreeType: a Pillow upgrade can change its hash without any change here).

The other tests parse the programs back: every label's QR payload is its link, the module is at least GS1's
0.396 mm and within the printers' magnification range, and the code with its 4-module quiet zone fits the
label, clear of the text.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from services.labels import layout as lay
from services.labels import qr, thermal
from services.labels.templates import builtin
from tests.labels.factories import roll_template
from tests.labels.pdfcheck import ROLLS, job

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("OCOP_UPDATE_GOLDEN") == "1"
MIN_MODULE_MM = 0.396
MAX_MODULE_MM = 0.990
MAX_MAGNIFICATION = 10  # ZPL ^BQ magnification and TSPL QRCODE cell width: 1 to 10

GOLDEN_CONTENT = lay.LabelContent(
    product_name="Bánh phồng Sơn Đốc",
    producer_name="HTX Bánh phồng Sơn Đốc (demo)",
    lot_code="BP-2026-11",
    link="https://ocop.test/p/3F/10/BP-2026-11",
    production_date="2026-01-02",
    expiry_date="2027-01-02",
    net_quantity="500 g",
    stars=4,
)


def golden_job() -> lay.LabelJob:
    template = builtin("ROLL-40x25")  # the smallest roll: the tightest fit
    assert template is not None
    return lay.LabelJob(template, GOLDEN_CONTENT, 3, first_serial=998)


# -- readable views ----------------------------------------------------------------------------------------


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def zpl_view(program: bytes) -> list[str]:
    """One ZPL command per line; the graphic's hex data summarised."""
    out = []
    for command in re.split(r"(?=[\^~])", program.decode()):
        if not command.strip():
            continue
        graphic = re.fullmatch(r"(~DG[^,]+,\d+,\d+,)([0-9A-F]+)\n?", command)
        if graphic:
            data = bytes.fromhex(graphic[2])
            command = f"{graphic[1]}<{len(data)} bytes, sha256 {_digest(data)}>"
        out.append(command.rstrip("\n"))
    return out


_DOWNLOAD = re.compile(rb'DOWNLOAD "([^"]+)",(\d+),')


def tspl_parts(program: bytes) -> tuple[str, bytes]:
    """The program as text with the downloaded BMP cut out (and marked), and the BMP."""
    found = _DOWNLOAD.search(program)
    assert found, "no DOWNLOAD"
    start, size = found.end(), int(found[2])
    bmp = program[start : start + size]
    rest = program[:start] + b"<BMP>" + program[start + size :]
    return rest.decode(), bmp


def tspl_view(program: bytes) -> list[str]:
    text, bmp = tspl_parts(program)
    image = Image.open(io.BytesIO(bmp))
    summary = f"<BMP {image.width}x{image.height}, {len(bmp)} bytes, sha256 {_digest(bmp)}>"
    return text.replace("<BMP>", summary).split("\r\n")


def _zpl_203(j: lay.LabelJob) -> bytes:
    return thermal.zpl(j, 203)


def _zpl_300(j: lay.LabelJob) -> bytes:
    return thermal.zpl(j, 300)


def _tspl_203(j: lay.LabelJob) -> bytes:
    return thermal.tspl(j, 203)


def _tspl_300(j: lay.LabelJob) -> bytes:
    return thermal.tspl(j, 300)


OUTPUTS: dict[str, tuple[Callable[[lay.LabelJob], bytes], Callable[[bytes], list[str]]]] = {
    "roll-40x25-203.zpl": (_zpl_203, zpl_view),
    "roll-40x25-300.zpl": (_zpl_300, zpl_view),
    "roll-40x25-203.tspl": (_tspl_203, tspl_view),
    "roll-40x25-300.tspl": (_tspl_300, tspl_view),
}


@pytest.mark.parametrize("name", OUTPUTS)
def test_output_matches_its_golden_file(name: str) -> None:
    render, view = OUTPUTS[name]
    actual = render(golden_job())
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual)
    assert path.exists(), f"{path} is missing: run with OCOP_UPDATE_GOLDEN=1 to write it"
    expected = path.read_bytes()
    if actual != expected:
        diff = "\n".join(
            difflib.unified_diff(view(expected), view(actual), f"golden/{name}", "now", lineterm="")
        )
        pytest.fail(
            f"{name} differs from its golden file (OCOP_UPDATE_GOLDEN=1 to accept):\n"
            + (diff or "(same readable view: the bytes differ in something the view leaves out)")
        )


def test_the_golden_view_shows_a_change_readably() -> None:
    """The diff a changed program produces names the changed command, not a wall of hex."""
    j = golden_job()
    before = thermal.zpl(j, 203)
    after = before.replace(b"^BQN,2,4^", b"^BQN,2,5^", 1)
    diff = list(difflib.unified_diff(zpl_view(before), zpl_view(after), lineterm=""))
    changed = [ln for ln in diff if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert changed == ["-^BQN,2,4", "+^BQN,2,5"]
    assert max(len(ln) for ln in zpl_view(before)) < 200


# -- ZPL parsed back ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Symbol:
    x: int
    y: int
    magnification: int
    link: str


def fits(
    s: Symbol,
    dpi: int,
    width: int,
    height: int,
    where: str,
    text_box: tuple[int, int, int, int] | None = None,
) -> None:
    """GS1 module size, printer range, and the code with its quiet zone inside the label and clear of the
    text graphic's ink (x0, y0, x1, y1 in dots)."""
    dot_mm = 25.4 / dpi
    assert 1 <= s.magnification <= MAX_MAGNIFICATION, where
    assert s.magnification * dot_mm >= MIN_MODULE_MM, where
    assert s.magnification * dot_mm <= MAX_MODULE_MM, where
    modules = qr.encode(s.link).size
    quiet = 4 * s.magnification
    zone = (
        s.x - quiet,
        s.y - quiet,
        s.x + (modules + 4) * s.magnification,
        s.y + (modules + 4) * s.magnification,
    )
    assert zone[0] >= 0, where
    assert zone[1] >= 0, where
    assert zone[2] <= width, where
    assert zone[3] <= height, where
    if text_box is not None:
        assert text_box[0] >= zone[2] or text_box[1] >= zone[3], f"{where}: text {text_box} in {zone}"
        assert text_box[2] <= width, where
        assert text_box[3] <= height, where


def zpl_graphic(program: str) -> tuple[str, Image.Image]:
    graphics = re.findall(r"~DG(R:\w+\.GRF),(\d+),(\d+),([0-9A-F]+)", program)
    assert len(graphics) == 1, "the shared text is downloaded once"
    name, total, per_row, data = graphics[0]
    raw = bytes.fromhex(data)
    assert len(raw) == int(total)
    assert int(total) % int(per_row) == 0
    rows = int(total) // int(per_row)
    # ZPL: 1 = black dot. Image "1" mode: nonzero = set, so getbbox() finds the ink.
    return name, Image.frombytes("1", (int(per_row) * 8, rows), raw)


CASES = [(code, dpi, s) for code in ROLLS for dpi in thermal.DPIS for s in (False, True)]


@pytest.mark.parametrize(("code", "dpi", "serialized"), CASES)
def test_zpl_labels_carry_their_links_at_a_readable_size(code: str, dpi: int, serialized: bool) -> None:
    j = job(code, 4, serialized=serialized, first_serial=49_998)
    program = thermal.zpl(j, dpi).decode()
    assert program.count("^XA") == program.count("^XZ") == j.count + 1
    blocks = re.findall(r"\^XA.*?\^XZ", program, re.S)
    assert len(blocks) == j.count + 1
    assert all(b.startswith("^XA^CI28") for b in blocks)  # UTF-8 everywhere
    width, height = (round(mm / 25.4 * dpi) for mm in (j.template.label_width_mm, j.template.label_height_mm))
    assert f"^PW{width}^LL{height}" in blocks[0]
    name, graphic = zpl_graphic(program)
    assert program.index("~DG") < program.index("^XG")
    ink = graphic.getbbox()
    assert ink is not None
    for index, block in enumerate(blocks[1:]):
        where = f"{code} {dpi} dpi label {index + 1}"
        (placed,) = re.findall(r"\^FO(\d+),(\d+)\^XG" + re.escape(name) + r",1,1\^FS", block)
        tx, ty = int(placed[0]), int(placed[1])
        (found,) = re.findall(r"\^FO(\d+),(\d+)\^BQN,2,(\d+)\^FDMA,(.+?)\^FS", block)
        symbol = Symbol(int(found[0]), int(found[1]), int(found[2]), found[3])
        assert symbol.link == j.link(index), where
        fits(symbol, dpi, width, height, where, (tx + ink[0], ty + ink[1], tx + ink[2], ty + ink[3]))
        serial = j.serial(index)
        if serial is not None:
            assert f"^FDS/N: {serial}^FS" in block, where
            assert re.search(rf"\^FD[^^]*/21/{serial}\^FS", block), f"{where}: readable link"
    if code == "ROLL-40x25":  # the domain notes' figures for the smallest roll
        magnifications = {int(m) for m in re.findall(r"\^BQN,2,(\d+)", program)}
        if dpi == 203:
            assert magnifications == {4}
        else:
            assert min(magnifications) >= 5


@pytest.mark.parametrize(("code", "dpi", "serialized"), CASES)
def test_tspl_labels_carry_their_links_at_a_readable_size(code: str, dpi: int, serialized: bool) -> None:
    j = job(code, 4, serialized=serialized, first_serial=49_998)
    text, bmp = tspl_parts(thermal.tspl(j, dpi))
    t = j.template
    assert text.startswith(f"SIZE {t.label_width_mm:g} mm,{t.label_height_mm:g} mm\r\n")
    assert "\r\nCODEPAGE UTF-8\r\n" in text
    assert text.count("DOWNLOAD ") == 1
    width, height = (round(mm / 25.4 * dpi) for mm in (t.label_width_mm, t.label_height_mm))
    graphic = Image.open(io.BytesIO(bmp))
    ink = Image.eval(graphic.convert("L"), lambda v: 255 - v).getbbox()  # BMP: black is ink
    assert ink is not None
    labels = re.findall(r"(?<=\r\n)CLS\r\n.*?\r\nPRINT 1,1\r\n", text, re.S)
    assert len(labels) == text.count("CLS") == text.count("PRINT") == j.count
    assert text.endswith(labels[-1])
    for index, label in enumerate(labels):
        where = f"{code} {dpi} dpi label {index + 1}"
        (placed,) = re.findall(r'PUTBMP (\d+),(\d+),"OCOPTXT.BMP"', label)
        tx, ty = int(placed[0]), int(placed[1])
        (found,) = re.findall(r'QRCODE (\d+),(\d+),M,(\d+),A,0,M2,"([^"]+)"', label)
        symbol = Symbol(int(found[0]), int(found[1]), int(found[2]), found[3])
        assert symbol.link == j.link(index), where
        fits(symbol, dpi, width, height, where, (tx + ink[0], ty + ink[1], tx + ink[2], ty + ink[3]))
        texts = re.findall(r'TEXT (\d+),(\d+),"1",0,(\d+),(\d+),"([^"]*)"', label)
        serial = j.serial(index)
        if serial is not None:
            assert any(s == f"S/N: {serial}" for *_, s in texts), where
        # Font "1" is 8 x 12 dots, fixed pitch: the link under the code and the serial stay on the label.
        for x, y, mx, my, s in texts:
            assert int(x) + len(s) * 8 * int(mx) <= width, f"{where}: {s!r} runs off the label"
            assert int(y) + 12 * int(my) <= height, f"{where}: {s!r} runs off the label"
            assert s.endswith(f"/21/{serial}" if serial and s.startswith("ocop") else s[-3:]), where


def test_a_large_custom_label_stays_within_the_printers_magnification_range() -> None:
    """A 4 × 6 inch shipping label (an organisation's own template) leaves room for a ~1 mm module: at
    300 dpi that would be 11 dots, beyond what ^BQ and QRCODE accept (1-10)."""
    template = roll_template("SHIP-100x150", 100, 150, "Nhãn vận chuyển 100 × 150", "Shipping 100 × 150")
    j = lay.LabelJob(template, GOLDEN_CONTENT, 1, first_serial=1)
    for dpi in thermal.DPIS:
        width, height = round(100 / 25.4 * dpi), round(150 / 25.4 * dpi)
        zpl = thermal.zpl(j, dpi).decode()
        (found,) = re.findall(r"\^FO(\d+),(\d+)\^BQN,2,(\d+)\^FDMA,(.+?)\^FS", zpl)
        fits(Symbol(int(found[0]), int(found[1]), int(found[2]), found[3]), dpi, width, height, f"ZPL {dpi}")
        text, _ = tspl_parts(thermal.tspl(j, dpi))
        (found,) = re.findall(r'QRCODE (\d+),(\d+),M,(\d+),A,0,M2,"([^"]+)"', text)
        fits(Symbol(int(found[0]), int(found[1]), int(found[2]), found[3]), dpi, width, height, f"TSPL {dpi}")


# -- single codes for designers ------------------------------------------------------------------------------

LINKS = ["https://ocop.test/p/3F/10/BP-2026-11", "https://ocop.test/p/3F/10/BP-2026-11/21/49999"]
SVG = "{http://www.w3.org/2000/svg}"


def decode(image: Image.Image) -> list[tuple[str, str]]:
    return [
        (c.text, c.ec_level)
        for c in zxingcpp.read_barcodes(image)
        if c.format == zxingcpp.BarcodeFormat.QRCode
    ]


@pytest.mark.parametrize("module_mm", [0.396, 0.5, 0.99])
@pytest.mark.parametrize("link", LINKS)
def test_svg_is_a_drawing_of_the_code_at_its_printed_size(link: str, module_mm: float) -> None:
    matrix = qr.encode(link)
    root = ET.fromstring(qr.svg(matrix, module_mm=module_mm))  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    side = matrix.size + 8  # the symbol and its quiet zone, 4 modules a side
    assert root.get("width") == root.get("height")
    width = root.get("width") or ""
    assert width.endswith("mm")
    assert float(width[:-2]) == pytest.approx(side * module_mm, abs=0.001)
    assert root.get("viewBox") == f"0 0 {side} {side}"
    # Paint the path (runs "M x y h n v1 h-n z") and read it like a phone would.
    (path,) = root.iter(f"{SVG}path")
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.get("d") or "")
    assert "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in runs) == path.get("d")
    scale = 6
    image = Image.new("L", (side * scale, side * scale), 255)
    cells = [(int(x), int(y), int(n)) for x, y, n in runs]
    # Every dark module lies in the symbol, none in the 4-module quiet zone.
    assert min(x for x, _, _ in cells) == min(y for _, y, _ in cells) == 4
    assert max(x + n for x, _, n in cells) == max(y + 1 for _, y, _ in cells) == side - 4
    for x, y, n in cells:
        image.paste(0, (x * scale, y * scale, (x + n) * scale, (y + 1) * scale))
    assert decode(image) == [(link, "M")]


@pytest.mark.parametrize("link", LINKS)
def test_png_reads_back_to_the_link(link: str) -> None:
    matrix = qr.encode(link)
    image = Image.open(io.BytesIO(qr.png(matrix)))
    assert image.size == ((matrix.size + 8) * 8, (matrix.size + 8) * 8)
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    assert decode(image) == [(link, "M")]
    # The quiet zone is white: 4 modules (32 px) all round.
    grey = image.convert("L")
    band = 4 * 8
    for box in (
        (0, 0, grey.width, band),
        (0, grey.height - band, grey.width, grey.height),
        (0, 0, band, grey.height),
        (grey.width - band, 0, grey.width, grey.height),
    ):
        assert grey.crop(box).getextrema() == (255, 255)
