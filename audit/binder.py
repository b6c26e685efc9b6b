"""The exhibit binder: one PDF of the pages the draft's exhibits cite, for counsel.

The exhibits are the draft's own (:attr:`Disclosure.exhibits`, numbered as the draft cites them). Each cited page
of a PDF is copied as it is (born-digital pages stay vector) with every accepted finding's evidence box on it drawn
over it; a page of an image file, or a PDF page shown rotated, is rendered at :data:`IMAGE_DPI` (as it is seen,
where its boxes are) and placed on a page of its size. A cover index comes first (exhibit, findings, entry,
document, page, Bates number), and every page of the binder, the index too, is stamped with a sequential Bates
number (a prefix and six digits: ``ABC000001``).

The boxes are the stored evidence boxes (PDF points from the page's top left, as the extractors record them). A
document with no page (an e-invoice XML, an Office file) or a file no longer in the scanned folder is listed in the
index as not in the binder, with the reason.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from ..models.fold import path_of, path_text

IMAGE_DPI = 150  # a page of an image file, rendered for the binder
BOX_COLOR = (0.86, 0.12, 0.12)  # the evidence box outline (red, as the report's crops)
BOX_PAD = 2.0  # points around the evidence bbox
BOX_WIDTH = 1.5  # points
BATES_DIGITS = 6


class BinderError(Exception):
    """The binder cannot be made (no page to bind, or the scanned folder is unknown)."""


@dataclass
class BinderPage:
    """One exhibit page of the binder."""

    exhibit: int
    path: str  # the document, as stored (relative to the scanned folder)
    page: int  # 1-based page of the document
    findings: list[str]  # the draft's finding references (F1, F2, ...) whose evidence is on this page
    entries: list[str]
    boxes: list[tuple[float, float, float, float]]  # evidence boxes (x0, top, x1, bottom), points
    bates: str = ""


@dataclass
class Binder:
    """What was bound: the index pages' count, the exhibit pages in order, and what could not be bound."""

    out: Path
    index_pages: int
    pages: list[BinderPage]
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (document, why it is not in the binder)
    first_bates: str = ""
    last_bates: str = ""

    @property
    def page_count(self) -> int:
        return self.index_pages + len(self.pages)


def bates(prefix: str, n: int) -> str:
    return f"{prefix}{n:0{BATES_DIGITS}d}"


def plan(disclosure) -> tuple[list[BinderPage], list[tuple[str, str]]]:
    """The binder's exhibit pages in the draft's exhibit order (each cited page once, its boxes from every finding
    citing it), and the documents cited without a page."""
    refs = {f.id: f"F{i + 1}" for i, f in enumerate(disclosure.findings)}  # as the draft numbers them
    pages: list[BinderPage] = []
    left_out: list[tuple[str, str]] = []
    for x in disclosure.exhibits:
        if not x.pages:
            left_out.append((x.path, f"Exhibit {x.number}: no page recorded (not a paged document)"))
            continue
        for pg in x.pages:
            bp = BinderPage(x.number, x.path, pg, [], [], [])
            for f in disclosure.findings:
                evs = [ev for ev in f.evidence if ev.path == x.path and ev.page == pg]
                if not evs:
                    continue
                if refs[f.id] not in bp.findings:
                    bp.findings.append(refs[f.id])
                if f.entry_number not in bp.entries:
                    bp.entries.append(f.entry_number)
                bp.boxes += [tuple(ev.bbox) for ev in evs if ev.bbox and tuple(ev.bbox) not in bp.boxes]
            pages.append(bp)
    return pages, left_out


def _index_pdf(binder_pages: list[BinderPage], left_out: list[tuple[str, str]], title: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    rows = [["Exhibit", "Finding", "Entry", "Document", "Page", "Bates"]]
    for p in binder_pages:
        rows.append([str(p.exhibit), ", ".join(p.findings), Paragraph(escape(", ".join(p.entries)), cell),
                     Paragraph(escape(p.path), cell), str(p.page), p.bates])
    table = Table(rows, colWidths=[45, 55, 95, 215, 35, 70], repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                               ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                               ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    story = [Paragraph(escape(title), styles["Heading2"]),
             Paragraph("Each page cited as evidence by the accepted findings, numbered as the draft's exhibits; the "
                       "evidence is outlined in red on its page. Every page of this binder carries a Bates number.",
                       styles["BodyText"]), Spacer(1, 8), table]
    if left_out:
        story += [Spacer(1, 10), Paragraph("Cited but not in this binder:", styles["Heading4"])]
        story += [Paragraph(escape(f"{doc}: {why}"), cell) for doc, why in left_out]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=letter, leftMargin=36, rightMargin=36, topMargin=48, bottomMargin=48,
                      title=title).build(story)
    return buf.getvalue()


def _overlay(width: float, height: float, boxes, stamp: str) -> bytes:
    """One page of the given size: the evidence boxes (top-left coordinates) outlined and the Bates stamp."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height))
    c.setStrokeColorRGB(*BOX_COLOR)
    c.setLineWidth(BOX_WIDTH)
    for x0, top, x1, bottom in boxes:
        c.rect(x0 - BOX_PAD, height - bottom - BOX_PAD, (x1 - x0) + 2 * BOX_PAD, (bottom - top) + 2 * BOX_PAD,
               stroke=1, fill=0)
    size = 9
    w = c.stringWidth(stamp, "Helvetica-Bold", size)
    x, y = width - w - 18, 12
    c.setFillColorRGB(1, 1, 1)
    c.rect(x - 3, y - 3, w + 6, size + 5, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica-Bold", size)
    c.drawString(x, y, stamp)
    c.showPage()
    c.save()
    return buf.getvalue()


def _image_page(file: Path, page: int, size: tuple[float, float] | None = None) -> bytes:
    """A page as it is seen (an image file's frame, a rotated PDF page) as a one-page PDF of its size, rendered at
    IMAGE_DPI, as the report renders it for its crops."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from ..extract.load import _ImageRender, _PdfRender, image_dpi

    if file.suffix.lower() == ".pdf":
        img = _PdfRender(str(file), page - 1)(IMAGE_DPI)
    else:
        with Image.open(file) as im:
            dpi = image_dpi(im.info)
        img = _ImageRender(str(file), page - 1, dpi)(IMAGE_DPI)
    w, h = size or (img.width * 72 / IMAGE_DPI, img.height * 72 / IMAGE_DPI)  # a PDF page: its own size, in points
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(w, h))
    c.drawImage(ImageReader(img), 0, 0, w, h)
    c.showPage()
    c.save()
    return buf.getvalue()


def _stamp(page, boxes, stamp: str) -> None:
    import pikepdf

    mb = [float(v) for v in page.mediabox]
    width, height = mb[2] - mb[0], mb[3] - mb[1]
    over = pikepdf.Pdf.open(io.BytesIO(_overlay(width, height, boxes, stamp)))
    page.add_overlay(over.pages[0], pikepdf.Rectangle(*mb))


def write_binder(disclosure, root: str | Path | None, out: Path, prefix: str = "", start: int = 1) -> Binder:
    """Write the binder of ``disclosure``'s exhibits, reading the documents from ``root`` (the scanned folder)."""
    import pikepdf

    if root is None:
        raise BinderError("the scanned folder is not known: the evidence pages cannot be read")
    root = Path(root)
    planned, left_out = plan(disclosure)
    opened: dict[str, object] = {}
    try:
        return _bind(disclosure, root, out, prefix, start, planned, left_out, opened)
    finally:
        for p in opened.values():
            p.close()


def _bind(disclosure, root: Path, out: Path, prefix: str, start: int, planned, left_out, opened) -> Binder:
    import pikepdf

    sources: list[tuple[BinderPage, object]] = []
    for bp in planned:
        file = root / path_of(bp.path)
        if not file.is_file():
            left_out.append((bp.path, f"Exhibit {bp.exhibit}: no longer in {path_text(str(root))}"))
            continue
        try:
            src, size = None, None
            if file.suffix.lower() == ".pdf":
                if bp.path not in opened:
                    opened[bp.path] = pikepdf.Pdf.open(file)
                src = opened[bp.path].pages[bp.page - 1]
                turn = int(src.obj.get("/Rotate", 0)) % 360
                if turn:  # the boxes are where the page is seen: render it so
                    x0, y0, x1, y1 = (float(v) for v in src.mediabox)
                    size = (abs(y1 - y0), abs(x1 - x0)) if turn in (90, 270) else (abs(x1 - x0), abs(y1 - y0))
                    src = None
            if src is None:
                key = f"{bp.path}\0{bp.page}"  # kept open until the binder is saved
                opened[key] = pikepdf.Pdf.open(io.BytesIO(_image_page(file, bp.page, size)))
                src = opened[key].pages[0]
        except Exception as exc:  # a file that no longer opens: listed, never a failed binder
            left_out.append((bp.path, f"Exhibit {bp.exhibit}: page {bp.page} cannot be read ({type(exc).__name__})"))
            continue
        sources.append((bp, src))
    if not sources:
        raise BinderError("no evidence page to bind" + (f" ({left_out[0][1]})" if left_out else ""))
    pages = [bp for bp, _ in sources]
    title = f"Exhibit binder: {disclosure.importer}; entries {', '.join(e.entry_number for e in disclosure.entries)}"
    n_index = 0
    while True:  # the index lists the Bates numbers that follow it: settle its own page count first
        for i, bp in enumerate(pages):
            bp.bates = bates(prefix, start + n_index + i)
        index = pikepdf.Pdf.open(io.BytesIO(_index_pdf(pages, left_out, title)))
        if len(index.pages) == n_index:
            break
        n_index = len(index.pages)
    pdf = pikepdf.Pdf.new()
    for i, page in enumerate(index.pages):
        pdf.pages.append(page)
        _stamp(pdf.pages[-1], [], bates(prefix, start + i))
    for bp, src in sources:
        pdf.pages.append(src)
        _stamp(pdf.pages[-1], bp.boxes, bp.bates)
    pdf.docinfo["/Title"] = title
    pdf.docinfo["/Subject"] = "Exhibits to the prior disclosure (draft)"
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(out)
    return Binder(out, n_index, pages, left_out, bates(prefix, start), bates(prefix, start + n_index + len(pages) - 1))
