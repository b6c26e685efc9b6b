"""OCR's cost against Tesseract's own: the pages of the invoice2data PDFs (an external corpus in the shared
folder) rendered to 300-dpi PNGs and read twice, by ``appraiser run --workers 1`` and by ``tesseract IMG -``
page by page; the CPU seconds (user + system of the processes started, Tesseract single-threaded) per page of
each and their ratio, against the target of 1.15."""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import Figure

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "corpus" / "external" / "invoice2data"
DPI = 300
TARGET = 1.15


def add_arguments(ap) -> None:
    ap.add_argument("--ocr-pages", type=Path, default=PAGES,
                    help="the folder of PDFs whose pages the OCR figure renders and reads (default: the shared "
                         "invoice2data corpus)")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _cpu(cmd: list[str], env: dict[str, str]) -> float:
    """CPU seconds of ``cmd`` and every process it started and waited for."""
    before = _children_cpu()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return _children_cpu() - before


def render(pdfs: list[Path], folder: Path) -> list[Path]:
    """Each page of each PDF as a PNG at DPI in ``folder``."""
    for pdf in pdfs:
        subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(folder / pdf.stem)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return sorted(folder.glob("*.png"))


def run(args) -> list[Figure]:
    source = getattr(args, "ocr_pages", PAGES)
    pdfs = sorted(source.glob("*.pdf")) if source.is_dir() else []
    if not pdfs:
        return [Figure("OCR against tesseract", f"skipped: no PDFs in {source} (the shared corpus is absent)")]
    missing = [tool for tool in ("pdftoppm", "tesseract") if shutil.which(tool) is None]
    if missing:
        return [Figure("OCR against tesseract", f"skipped: {', '.join(missing)} not installed")]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    appraiser = [sys.executable, "-m", "appraiser.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        images = render(pdfs, pages)
        ours = _cpu([*appraiser, "run", str(pages), "--workers", "1", "--db", str(Path(tmp) / "bench.db")], env)
        theirs = sum(_cpu(["tesseract", str(img), "-"], env) for img in images)
    n = len(images)
    ratio = ours / theirs if theirs else float("inf")
    return [Figure("OCR, appraiser run --workers 1", f"{ours / n:.2f} s CPU per page ({n} pages at {DPI} dpi)"),
            Figure("OCR, tesseract IMG -", f"{theirs / n:.2f} s CPU per page"),
            Figure("OCR CPU against tesseract", f"{ratio:.2f}x", f"<= {TARGET:.2f}x", ratio <= TARGET)]
