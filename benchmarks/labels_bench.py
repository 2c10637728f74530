"""Label printing benchmark: 10,000 serialised labels on 65-per-sheet A4 (L7651) as a PDF, and as ZPL, each
as a ratio of the naive way measured in the same run.

Naive: one HTML document of labels (absolutely positioned on the same grid, each with an inline SVG QR from
a pure-Python encoder choosing its mask, segno) rendered by WeasyPrint: what the project measured before it
started (~77 labels/s). It runs on `--naive-labels` labels (650 = 10 sheets by default: its rate does not
improve with size, and 10,000 would take minutes and gigabytes).

Ours: services/labels (zxing-cpp encoder, ReportLab, inline 1-bit QR masks, shared text as a form XObject),
in a child process so that its peak memory (ru_maxrss) is its own. ZPL: services/labels/thermal at 203 dpi
on 50 × 30 mm rolls.

Targets (issue 5): PDF ≥ 15× the naive rate with peak memory < 300 MB; ZPL ≥ 50× the naive PDF rate.
Every page of our PDF's first and last sheet is decoded with zxing-cpp as a sanity check.

    .venv/bin/python benchmarks/labels_bench.py [--labels 10000] [--naive-labels 650]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.child import in_child  # noqa: E402

CONTENT = {
    "product_name": "Bánh phồng Sơn Đốc (demo)",
    "producer_name": "HTX Bánh phồng Sơn Đốc (demo)",
    "lot_code": "BP-2611-A",
    "link": "https://ocop.example.vn/01/08935001234566/10/BP-2611-A",
    "production_date": "2026-11-20",
    "expiry_date": "2027-05-20",
    "net_quantity": "500 g",
    "stars": 4,
    "language": "vi",
}


def _job(count: int, template: str = "L7651") -> Any:
    from services.labels.layout import LabelContent, LabelJob
    from services.labels.templates import builtin

    t = builtin(template)
    assert t is not None
    return LabelJob(t, LabelContent.from_json(CONTENT), count, first_serial=1)


def naive_html(count: int) -> str:
    """The naive document: every label a positioned block with its own inline SVG QR."""
    import segno

    from services.labels.templates import builtin

    t = builtin("L7651")
    assert t is not None
    blocks = []
    for i in range(count):
        link = f"{CONTENT['link']}/21/{i + 1}"
        svg = segno.make(link, error="m", boost_error=False).svg_inline(scale=1, border=4)
        page, slot = divmod(i, t.per_page)
        x, y = t.slot_origin(slot)
        blocks.append(
            f'<div class="l" style="left:{x}mm;top:{y + page * t.page_height_mm}mm">'
            f'<div class="q">{svg}</div><b>{CONTENT["product_name"]}</b><br>{CONTENT["producer_name"]}<br>'
            f"Lô: {CONTENT['lot_code']}<br>NSX 20/11/2026<br>HSD 20/05/2027<br>S/N: {i + 1}<br>"
            f'<span class="u">{link.split("://")[1]}</span></div>'
        )
    pages = (count + t.per_page - 1) // t.per_page
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "@page{size:A4;margin:0} body{margin:0;font-family:'DejaVu Sans';font-size:4.5pt;position:relative;"
        f"height:{pages * 297}mm}}"
        ".l{position:absolute;width:38.1mm;height:21.2mm;overflow:hidden;padding-left:19mm;box-sizing:border-box}"
        ".q{position:absolute;left:1mm;top:1mm;width:17mm;height:17mm}.q svg{width:17mm;height:17mm}"
        ".u{position:absolute;left:1mm;bottom:0.5mm;font-size:3.6pt}"
        "</style></head><body>" + "".join(blocks) + "</body></html>"
    )


def run_naive(count: int, queue: Any) -> None:
    from services.fairs.catalog.weasy import HTML

    start = time.perf_counter()
    html = naive_html(count)
    pdf = HTML(string=html).write_pdf()
    seconds = time.perf_counter() - start
    queue.put({"seconds": seconds, "bytes": len(pdf or b""), "peak_mb": _peak_mb()})


def run_ours_pdf(count: int, out_path: str, queue: Any) -> None:
    from services.labels.pdf import render_labels

    job = _job(count)
    start = time.perf_counter()
    with open(out_path, "wb") as out:
        render_labels(job, out)
    seconds = time.perf_counter() - start
    queue.put({"seconds": seconds, "bytes": Path(out_path).stat().st_size, "peak_mb": _peak_mb()})


def run_ours_zpl(count: int, queue: Any) -> None:
    from services.labels import thermal

    job = _job(count, "ROLL-50x30")
    start = time.perf_counter()
    size = 0
    for line in thermal.zpl_lines(job, 203):
        size += len(line.encode())
    seconds = time.perf_counter() - start
    queue.put({"seconds": seconds, "bytes": size, "peak_mb": _peak_mb()})


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check_decodes(path: str, count: int) -> int:
    """Decode every QR on the first and last sheet; return how many matched their expected link."""
    import pypdfium2
    import zxingcpp

    job = _job(count)
    per = job.template.per_page
    document = pypdfium2.PdfDocument(path)
    matched = 0
    for page_index in sorted({0, len(document) - 1}):
        image = document[page_index].render(scale=300 / 72, grayscale=True).to_pil()
        found = sorted(b.text for b in zxingcpp.read_barcodes(image))
        first = page_index * per
        expected = sorted(job.link(i) for i in range(first, min(count, first + per)))
        if found != expected:
            raise RuntimeError(f"page {page_index + 1}: decoded {len(found)} codes, expected {len(expected)}")
        matched += len(found)
    return matched


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--naive-labels", type=int, default=650)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "labels.json")
    args = parser.parse_args()

    print(f"naive: {args.naive_labels} labels as one WeasyPrint HTML document (segno SVG QR codes) ...")
    naive = in_child(run_naive, args.naive_labels)
    naive_rate = args.naive_labels / naive["seconds"]
    print(f"ours:  {args.labels} serialised labels, L7651, PDF ...")
    out_pdf = str(ROOT / "var" / "bench-labels.pdf")
    Path(out_pdf).parent.mkdir(exist_ok=True)
    ours = in_child(run_ours_pdf, args.labels, out_pdf)
    pdf_rate = args.labels / ours["seconds"]
    print(f"ours:  {args.labels} serialised labels, ZPL 203 dpi ...")
    zpl = in_child(run_ours_zpl, args.labels)
    zpl_rate = args.labels / zpl["seconds"]
    decoded = check_decodes(out_pdf, args.labels)

    rows = [
        ("naive WeasyPrint PDF", naive_rate, 1.0, naive["peak_mb"], ""),
        ("ours PDF", pdf_rate, pdf_rate / naive_rate, ours["peak_mb"], "target ≥ 15×, < 300 MB"),
        ("ours ZPL", zpl_rate, zpl_rate / naive_rate, zpl["peak_mb"], "target ≥ 50×"),
    ]
    print()
    print(f"{'':24}{'labels/s':>10}{'× naive':>10}{'peak MB':>10}")
    for name, rate, ratio, peak, target in rows:
        print(f"{name:24}{rate:10.0f}{ratio:10.1f}{peak:10.0f}  {target}")
    pdf_ok = pdf_rate / naive_rate >= 15 and ours["peak_mb"] < 300
    zpl_ok = zpl_rate / naive_rate >= 50
    print()
    print(
        f"PDF target {'met' if pdf_ok else 'MISSED'}; ZPL target {'met' if zpl_ok else 'MISSED'}; "
        f"{decoded} QR codes on the first and last sheet decoded to their links."
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "naive": {**naive, "labels": args.naive_labels, "rate": naive_rate},
                "pdf": {**ours, "labels": args.labels, "rate": pdf_rate, "ratio": pdf_rate / naive_rate},
                "zpl": {**zpl, "labels": args.labels, "rate": zpl_rate, "ratio": zpl_rate / naive_rate},
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
