"""Per-page and per-document figures on a fixture corpus: born-digital milliseconds per page, OCR seconds per
page, documents per second on one core and on all cores, and a broker's review of one born-digital shipment."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from . import Figure

ROOT = Path(__file__).resolve().parent.parent


def add_arguments(ap) -> None:
    ap.add_argument("--corpus", type=Path, default=ROOT / "fixtures" / "corpus" / "dev",
                    help="the corpus whose documents the corpus figures time (default: the dev split)")
    ap.add_argument("--limit", type=int, default=40, help="documents of the corpus to time (default 40)")


def _per_page(corpus: Path, docs: list[dict]) -> tuple[float, int, float, int]:
    from ..extract import extract_file

    text_s = ocr_s = 0.0
    text_pages = ocr_pages = 0
    for d in docs:
        doc, seconds = extract_file(corpus / d["path"], d["path"])
        if doc.ocr:
            ocr_s, ocr_pages = ocr_s + seconds, ocr_pages + max(1, doc.pages)
        else:
            text_s, text_pages = text_s + seconds, text_pages + max(1, doc.pages)
    return text_s, text_pages, ocr_s, ocr_pages


def _throughput(corpus: Path, listed: set[str], workers: int) -> tuple[int, float]:
    from .. import pipeline
    from ..models.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        try:
            start = time.perf_counter()
            stats = pipeline.scan(corpus, store, workers=workers, only=listed)
            return stats.extracted, time.perf_counter() - start
        finally:
            store.close()


def _review() -> Figure:
    """A broker's pre-filing review of one born-digital shipment (the demo's text-layer files)."""
    from .. import pipeline

    demo = ROOT / "fixtures" / "demo"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "shipment"
        n = 0
        for f in sorted(demo.rglob("*.pdf")):
            if "scan" in f.name.lower():
                continue
            dest = folder / f.relative_to(demo)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, dest)
            n += 1
        start = time.perf_counter()
        result = pipeline.review(folder)
        seconds = time.perf_counter() - start
    return Figure(f"review of a {n}-document born-digital shipment",
                  f"{seconds:.2f} s ({len(result.audit.findings)} findings)")


def run(args) -> list[Figure]:
    truth = json.loads((args.corpus / "truth.json").read_text(encoding="utf-8"))
    docs = truth["documents"][: args.limit]
    text_s, text_pages, ocr_s, ocr_pages = _per_page(args.corpus, docs)
    figures = []
    if text_pages:
        figures.append(Figure("born-digital (corpus)", f"{1000 * text_s / text_pages:.0f} ms per page "
                                                        f"({text_pages} pages)"))
    if ocr_pages:
        figures.append(Figure("OCR (corpus)", f"{ocr_s / ocr_pages:.2f} s per page ({ocr_pages} pages)"))
    listed = {d["path"] for d in docs}
    for workers in sorted({1, os.cpu_count() or 1}):
        n, seconds = _throughput(args.corpus, listed, workers)
        figures.append(Figure(f"{workers} worker{'s' if workers > 1 else ''} (corpus)",
                              f"{n / seconds:.2f} documents per second ({n} documents in {seconds:.1f} s)"))
    figures.append(_review())
    return figures
