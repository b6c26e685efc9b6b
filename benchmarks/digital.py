"""The born-digital path against its peer: ``appraiser run`` over the invoice2data corpus's PDFs (a fresh
database, so every file is extracted) timed against the invoice2data command line on the same files (its built-in
templates) and against ``pdftotext -layout`` file by file, in the same run. Target: the run's wall time at most
1.0 × invoice2data's."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import Figure

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT.parent / "shared" / "corpus" / "external" / "invoice2data"
TARGET = 1.0  # appraiser run's wall time over invoice2data's, at most


def add_arguments(ap) -> None:
    ap.add_argument("--digital-folder", type=Path, default=FOLDER,
                    help="the folder whose PDFs the digital figures time (default: the external invoice2data corpus)")
    ap.add_argument("--digital-repeat", type=int, default=3,
                    help="runs of each command; the fastest is kept (default 3)")


# both tools as installed: single-threaded Tesseract, and their compiled modules kept (a shell that forbids writing
# them would have every run of an editable install compile its sources again)
_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "OMP_THREAD_LIMIT": "1"}


def _tool(name: str) -> str | None:
    """A command of this environment (beside the running Python) or of the PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.is_file() else shutil.which(name)


def _wall(cmd: list[str], repeat: int, before=None) -> float:
    """The fastest wall time of ``cmd`` over ``repeat`` runs (``before`` is called ahead of each, untimed)."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=_ENV)
        best = min(best, time.perf_counter() - start)
    return best


def run(args) -> list[Figure]:
    folder = args.digital_folder
    pdfs = sorted(folder.glob("*.pdf")) if folder.is_dir() else []
    if not pdfs:
        return [Figure("digital", f"skipped: no PDFs in {folder} (the external corpora live in ../shared beside "
                                  "the project)")]
    appraiser = _tool("appraiser")
    if appraiser is None:
        return [Figure("digital", "skipped: the appraiser command is not installed")]
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "pdfs"
        work.mkdir()
        for f in pdfs:
            shutil.copy(f, work / f.name)
        db = Path(tmp) / "bench.db"

        def fresh() -> None:
            for p in Path(tmp).glob("bench.db*"):
                p.unlink()

        ours = _wall([appraiser, "run", str(work), "--db", str(db)], args.digital_repeat, fresh)
        figures.append(Figure(f"appraiser run ({len(pdfs)} PDFs, fresh database)", f"{ours:.2f} s"))
        peer = _tool("invoice2data")
        if peer is None:
            figures.append(Figure("invoice2data", "not installed (pip install -e '.[bench]'): no ratio"))
        else:
            theirs = _wall([peer, "--output-format", "none", *map(str, sorted(work.glob("*.pdf")))],
                           args.digital_repeat)
            figures.append(Figure("invoice2data CLI (built-in templates)", f"{theirs:.2f} s"))
            ratio = ours / theirs
            figures.append(Figure("appraiser run / invoice2data", f"{ratio:.2f}×", f"≤ {TARGET:.1f}×",
                                  ratio <= TARGET))
        pdftotext = shutil.which("pdftotext")
        if pdftotext is None:
            figures.append(Figure("pdftotext -layout", "not installed (poppler-utils)"))
        else:
            total = 0.0
            for f in sorted(work.glob("*.pdf")):
                total += _wall([pdftotext, "-layout", str(f), str(Path(tmp) / "out.txt")], args.digital_repeat)
            figures.append(Figure("pdftotext -layout, file by file", f"{total:.2f} s"))
    return figures
