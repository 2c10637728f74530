"""Fair catalog benchmark: a 350-booth, 1,000-product fair (benchmarks/catalog_sample.py, built directly as
CatalogData) rendered to PDF the naive way and ours, in the same run, each in its own process.

Naive: the whole catalog as one WeasyPrint document with an inline SVG QR code per product (a floated
figure), in one process. Ours: `services.fairs.catalog.render` (PNG QR codes painted as backgrounds, the
book cut into documents laid out and drawn by two worker processes, then joined with the folio laid
over). Same template and data otherwise; the QR codes' placement makes the page counts differ a little.

Target: ours ≥ 2× faster, each of our processes ≤ 400 MB peak RSS. Exits 0 whenever the benchmark ran.
Wall-clock times count what else the machine runs: the CPU seconds and load average are printed too.

    .venv/bin/python benchmarks/catalog_bench.py [--products 1000] [--booths 350] [--paper A4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.child import in_child  # noqa: E402

TARGET_RATIO = 2.0
MEMORY_LIMIT_MB = 400


def _data(args: dict[str, Any]) -> Any:
    os.environ["OCOP_MEDIA_DIR"] = args["media"]
    from benchmarks.catalog_sample import sample_catalog

    return sample_catalog(
        booths=args["booths"],
        products=args["products"],
        paper=args["paper"],
        language=args["language"],
        media=Path(args["media"]),
    )


def run_naive(args: dict[str, Any], queue: Any) -> None:
    from services.fairs.catalog.document import BASE_URL, Part, build_html
    from services.fairs.catalog.fetcher import CatalogFetcher
    from services.fairs.catalog.weasy import HTML
    from services.fairs.catalog.worker import cpu_seconds, peak_rss_mb

    data = _data(args)
    start = time.perf_counter()
    cpu = cpu_seconds()
    part = Part.whole(data)
    html = build_html(data, Part(part.sections, part.exhibitors, qr_inline_svg=True))
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=CatalogFetcher()).render()
    pdf = document.write_pdf()
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    Path(args["out"] + ".naive.pdf").write_bytes(pdf)
    queue.put(
        {
            "seconds": seconds,
            "cpu": cpu,
            "pages": len(document.pages),
            "bytes": len(pdf),
            "rss": {"naive": peak_rss_mb()},
        }
    )


def run_ours(args: dict[str, Any], queue: Any) -> None:
    from services.fairs.catalog.render import render_catalog_with_stats

    data = _data(args)
    start = time.perf_counter()
    pdf, stats = render_catalog_with_stats(data)
    seconds = time.perf_counter() - start
    Path(args["out"] + ".pdf").write_bytes(pdf)
    queue.put(
        {
            "seconds": seconds,
            "cpu": sum(stats.cpu_seconds.values()),
            "pages": stats.pages,
            "bytes": len(pdf),
            "rss": stats.peak_rss_mb,
            "mode": stats.mode,
            "documents": stats.documents,
        }
    )


def pdf_pages(path: str) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--booths", type=int, default=350)
    parser.add_argument("--paper", choices=("A4", "A5"), default="A4")
    parser.add_argument("--language", choices=("vi", "en", "bilingual"), default="vi")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "catalog"))
    options = parser.parse_args(argv)
    Path(options.output).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as media:
        args = {
            "products": options.products,
            "booths": options.booths,
            "paper": options.paper,
            "language": options.language,
            "media": media,
            "out": options.output,
        }
        print(
            f"catalog of {options.booths} booths, {options.products} products, {options.paper}, "
            f"{options.language}, on {os.cpu_count()} cores",
            flush=True,
        )
        naive = in_child(run_naive, args)
        print(
            f"naive: {naive['seconds']:.1f} s ({naive['cpu']:.1f} s CPU), {naive['pages']} pages, {naive['bytes'] / 1e6:.1f} MB, "
            f"peak RSS {naive['rss']['naive']:.0f} MB",
            flush=True,
        )
        ours = in_child(run_ours, args)
        rss = ", ".join(f"{name} {mb:.0f} MB" for name, mb in sorted(ours["rss"].items()))
        print(
            f"ours:  {ours['seconds']:.1f} s ({ours['cpu']:.1f} s CPU in all processes), {ours['pages']} pages, {ours['bytes'] / 1e6:.1f} MB, "
            f"{ours['mode']} in {ours['documents']} documents, peak RSS {rss}",
            flush=True,
        )
    ratio = naive["seconds"] / ours["seconds"]
    peak = max(ours["rss"].values())
    load = os.getloadavg()[0]
    print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores (other work slows both ways)")
    print(
        f"ratio: {ratio:.2f}× (target ≥ {TARGET_RATIO:.0f}×: {'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    print(
        f"peak RSS of our largest process: {peak:.0f} MB (limit {MEMORY_LIMIT_MB} MB: "
        f"{'met' if peak <= MEMORY_LIMIT_MB else 'NOT met'}); naive: {naive['rss']['naive']:.0f} MB"
    )
    print(
        f"pages: ours {pdf_pages(options.output + '.pdf')}, naive {pdf_pages(options.output + '.naive.pdf')}; "
        f"PDFs in {options.output}.pdf and .naive.pdf"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
