"""Speed figures (not a test): ``python -m appraiser.bench [CORPUS]`` prints born-digital milliseconds per page,
OCR seconds per page, and documents per second on one core and on all cores, for the documents of a corpus
(default: the dev split of the fixture corpus). Tesseract runs single-threaded (OMP_THREAD_LIMIT=1);
parallelism comes from processes."""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

HERE = Path(__file__).resolve().parent


def _per_page(corpus: Path, docs: list[dict]) -> tuple[float, int, float, int]:
    from .extract import extract_file

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
    from . import pipeline
    from .models.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        try:
            start = time.perf_counter()
            stats = pipeline.scan(corpus, store, workers=workers, only=listed)
            return stats.extracted, time.perf_counter() - start
        finally:
            store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m appraiser.bench", description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=HERE / "fixtures" / "corpus" / "dev")
    ap.add_argument("--limit", type=int, default=40, help="documents to time (default 40)")
    args = ap.parse_args(argv)
    truth = json.loads((args.corpus / "truth.json").read_text(encoding="utf-8"))
    docs = truth["documents"][: args.limit]
    text_s, text_pages, ocr_s, ocr_pages = _per_page(args.corpus, docs)
    print(f"corpus {args.corpus} ({len(docs)} documents)")
    if text_pages:
        print(f"born-digital: {1000 * text_s / text_pages:.0f} ms per page ({text_pages} pages)")
    if ocr_pages:
        print(f"OCR: {ocr_s / ocr_pages:.2f} s per page ({ocr_pages} pages)")
    listed = {d["path"] for d in docs}
    cores = os.cpu_count() or 1
    for workers in sorted({1, cores}):
        n, seconds = _throughput(args.corpus, listed, workers)
        print(f"{workers} worker{'s' if workers > 1 else ''}: {n / seconds:.2f} documents per second "
              f"({n} documents in {seconds:.1f} s)")
    _review_figure()
    return 0


def _review_figure() -> None:
    """A broker's pre-filing review of one 10-document born-digital shipment (the demo's text-layer files)."""
    import shutil

    from . import pipeline

    demo = HERE / "fixtures" / "demo"
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
    print(f"review of a {n}-document born-digital shipment: {seconds:.2f} s "
          f"({len(result.audit.findings)} findings)")


if __name__ == "__main__":
    raise SystemExit(main())
