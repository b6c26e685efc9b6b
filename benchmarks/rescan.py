"""The re-scan of an unchanged folder of 1,000 documents (target: 3 s), and the same re-scan hashing every file
(``--rehash``) beside it.

The store is built without extracting 1,000 documents: the born-digital files of the demo are extracted once, then
copied with distinct bytes (a numbered comment after the end of the PDF) and each copy recorded with the
extraction of its original, as a scan would record it. A first scan then hashes every copy and records its
fingerprint; the figures time the scans after it."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from . import Figure

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 3.0


def add_arguments(ap) -> None:
    ap.add_argument("--rescan-documents", type=int, default=1000,
                    help="documents of the folder the re-scan figures time (default 1000)")


def _originals() -> list[Path]:
    demo = ROOT / "fixtures" / "demo"
    return [f for f in sorted(demo.rglob("*.pdf")) if "scan" not in f.name.lower()]


def build(folder: Path, store, n: int) -> None:
    """``n`` distinct copies of the demo's born-digital files under ``folder``, recorded in ``store`` with their
    originals' extractions, their modification times an hour back (old enough to be trusted)."""
    from ..extract import extract_file, extraction_key, sha256_of

    originals = _originals()
    extracted = {p: extract_file(p, p.name)[0] for p in originals}
    store.enter(folder)
    past = time.time_ns() - 3600 * 10**9
    for i in range(n):
        original = originals[i % len(originals)]
        rel = f"{i // 100:02d}/{i:04d}-{original.name}"
        dest = folder / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(original.read_bytes() + f"\n% copy {i}\n".encode())
        os.utime(dest, ns=(past, past))
        doc = extracted[original]
        doc.path, doc.sha256, doc.size = rel, sha256_of(dest), dest.stat().st_size
        store.save_document(doc, extraction_key(rel))


def _timed(folder: Path, store, rehash: bool):
    from .. import pipeline

    start = time.perf_counter()
    stats = pipeline.scan(folder, store, rehash=rehash)
    return stats, time.perf_counter() - start


def run(args) -> list[Figure]:
    from ..models.store import Store

    n = args.rescan_documents
    with tempfile.TemporaryDirectory(prefix="appraiser-rescan-") as tmp:
        folder = Path(tmp) / "folder"
        store = Store(Path(tmp) / "rescan.db")
        try:
            build(folder, store, n)
            first, _ = _timed(folder, store, rehash=True)  # every copy hashed once, its fingerprint recorded
            if first.extracted:
                raise RuntimeError(f"the built store missed {first.extracted} documents")
            unchanged, seconds = _timed(folder, store, rehash=False)
            hashed, hashed_seconds = _timed(folder, store, rehash=True)
        finally:
            store.close()
    return [
        Figure(f"unchanged re-scan of {n} documents", f"{seconds:.2f} s ({unchanged.cached} unchanged, "
               f"{unchanged.extracted} extracted)", target=f"<= {TARGET_SECONDS:g} s",
               met=seconds <= TARGET_SECONDS and unchanged.cached == n),
        Figure(f"re-scan of {n} documents with --rehash (every file hashed)",
               f"{hashed_seconds:.2f} s ({hashed.cached} unchanged, {hashed.extracted} extracted)"),
    ]
