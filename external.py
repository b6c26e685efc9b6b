"""The external measure: every corpus under ``shared/corpus/external`` scored in one table.

Each corpus is a folder of documents nobody on this project wrote, with a ``truth.json`` in the SPEC §4 schema.
Factur-X / ZUGFeRD invoices are scored twice: as delivered (the embedded XML may be read) and with every
attachment removed (the page alone), the second on copies made in a temporary folder with pikepdf.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .evaluation import Counts, Report, evaluate

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "shared" / "corpus" / "external"

# corpus folder -> the fields its issue targets by name (scored apart in the table)
FOCUS: dict[str, tuple[str, ...]] = {
    "invoice2data": (),
    "facturx": (),
    "kleister-nda": ("parties[].name", "effective_date"),
    "mtc-scans": ("heat_number",),
    "en10168": (),
}


@dataclass
class Row:
    name: str
    documents: int
    doc_type: float
    fields: Counts
    lines: Counts
    focus: dict[str, Counts] = field(default_factory=dict)
    errors: int = 0

    def to_json(self) -> dict:
        return {"corpus": self.name, "documents": self.documents, "doc_type_accuracy": round(self.doc_type, 4),
                "fields": self.fields.to_json(), "line_items": self.lines.to_json(),
                "focus": {k: c.to_json() for k, c in self.focus.items()}, "errors": self.errors}


def strip_attachments(src: Path, dst: Path) -> None:
    """Copy a PDF without its embedded files: the catalog's EmbeddedFiles name tree, every /AF array and every
    file-attachment annotation go; the page content stays as it was."""
    import pikepdf

    with pikepdf.open(src) as pdf:
        names = pdf.Root.get("/Names")
        if names is not None and "/EmbeddedFiles" in names:
            del names["/EmbeddedFiles"]
        if "/AF" in pdf.Root:
            del pdf.Root["/AF"]
        for page in pdf.pages:
            if "/AF" in page.obj:
                del page.obj["/AF"]
            annots = page.obj.get("/Annots")
            if annots is not None:
                keep = [a for a in annots if a.get("/Subtype") != "/FileAttachment"]
                page.obj["/Annots"] = pikepdf.Array(keep)
        pdf.save(dst)


def _focus(rep: Report, names: tuple[str, ...]) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for name in names:
        c = Counts()
        for per in (*rep.by_type.values(), *rep.lines.values()):
            if name in per:
                c.add(per[name])
        out[name] = c
    return out


def _row(name: str, rep: Report, focus: tuple[str, ...]) -> Row:
    return Row(name, rep.documents, rep.doc_type_accuracy, rep.total("fields"), rep.total("lines"),
               _focus(rep, focus), len(rep.errors))


def corpora(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "truth.json").is_file()) if root.is_dir() else []


def page_only_copy(folder: Path, dest: Path) -> Path:
    """A copy of ``folder`` whose PDFs carry no attachments (the truth file copied beside them)."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in folder.iterdir():
        if f.suffix.lower() == ".pdf":
            strip_attachments(f, dest / f.name)
        elif f.is_file():
            shutil.copy(f, dest / f.name)
    return dest


def measure(root: Path = DEFAULT_ROOT, names: list[str] | None = None, workers: int | None = None) -> list[Row]:
    """Score every external corpus under ``root`` (or the ``names`` given); Factur-X also with its page only."""
    rows: list[Row] = []
    for name in names or corpora(root):
        folder = root / name
        focus = FOCUS.get(name, ())
        rows.append(_row(name, evaluate(folder, workers=workers), focus))
        if name == "facturx":
            with tempfile.TemporaryDirectory() as tmp:
                copy = page_only_copy(folder, Path(tmp) / name)
                rows.append(_row(f"{name} (page only)", evaluate(copy, workers=workers), focus))
    return rows


def format_rows(rows: list[Row]) -> list[str]:
    head = f"{'corpus':<22} {'docs':>4}  {'doc type':>8}  {'fields F1':>9}  {'lines F1':>8}  focus"
    out = [head, "-" * len(head)]
    for r in rows:
        focus = ", ".join(f"{k} {c.f1:.3f}" for k, c in r.focus.items())
        lines = f"{r.lines.f1:8.3f}" if r.lines.tp + r.lines.fn + r.lines.fp else f"{'—':>8}"
        err = f"  ({r.errors} errors)" if r.errors else ""
        out.append(f"{r.name:<22} {r.documents:>4}  {r.doc_type:8.3f}  {r.fields.f1:9.3f}  {lines}  {focus}{err}")
    return out
