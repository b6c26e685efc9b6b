"""Loading: any file into pages of words and ruling lines, from the PDF text layer (pdfplumber) or from
OCR (Tesseract) for scanned pages and images. A bad file becomes an error message, never an exception.

The file type is sniffed from its first bytes, never from its extension: a scan saved as ``.pdf`` that is
really a JPEG is read as a JPEG. Plain text (a SWIFT message, an exported advice) is read as one page of words
at their character columns; a text file named ``.pdf`` or as another binary format is reported as unsupported,
and so is a legacy (OLE) Office file. Macro-enabled and template Office files are read as their plain
counterparts; nothing a file holds (macros, scripts, actions) is ever run.
"""
from __future__ import annotations

import math
import re
import warnings
import zipfile
from pathlib import Path, PurePosixPath

from .budget import DEFAULT, Budget, OverTime, cut, over_time
from .pages import Loaded, Page, Rule, Word

MIN_TEXT_WORDS = 3  # fewer real words than this: the page has no usable text layer
OCR_DPI = 300
IMAGE_DEFAULT_DPI = 300.0
THIN = 2.0  # a rectangle thinner than this (points) is a drawn line
_CID = re.compile(r"\(cid:\d+\)")


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound document: legacy .doc, .xls, .ppt, .msg
OLE_ERROR = ("unsupported file type (a legacy Microsoft Office file: Word .doc, Excel .xls, Outlook .msg or a "
             "password-protected Office file; save it as PDF, .docx or .xlsx to have it read)")


def sniff(head: bytes) -> str | None:
    """The kind of file from its first bytes: "pdf", "png", "jpeg", "tiff", "image", "zip", "ole", "xml" or
    None."""
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if (head.startswith(b"BM") and len(head) >= 26) or head[:6] in (b"GIF87a", b"GIF89a") \
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    from .einvoice import looks_like_xml

    if looks_like_xml(head):
        return "xml"
    return None


def _describe(head: bytes) -> str:
    """A short human description of content that is not a supported type."""
    sample = head[:512]
    if sample.startswith(b"PK\x03\x04"):
        return "zip archive"
    if sample.lstrip()[:1] in (b"<",) and b"html" in sample[:200].lower():
        return "HTML"
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and all(c.isprintable() or c in "\t\r\n" for c in text.rstrip("\x00")):
        return "plain text"
    return "binary data"


def load(path: Path, rel: str, budget: Budget | None = None) -> Loaded:
    """Read ``path`` into pages; ``rel`` is the name reported in the result. Never raises for a bad file. The
    ``budget`` bounds the pages (or frames) looked at and the pixels of one page image; the seconds are those of
    the current ``budget.clock``."""
    from . import open_regular

    path = Path(path)
    budget = budget or DEFAULT
    try:
        with open_regular(path) as fh:
            head = fh.read(4096)
    except PermissionError:
        return Loaded(rel, error="cannot read file: Permission denied")
    except IsADirectoryError:
        return Loaded(rel, error="cannot read file: is a directory")
    except OSError as exc:
        return Loaded(rel, error=f"cannot read file: {exc.strerror or exc}")
    if not head:
        return Loaded(rel, error="empty file (0 bytes)")
    kind = sniff(head)
    try:
        if kind == "pdf":
            return _with_einvoice(_load_pdf(path, rel, budget), path)
        if kind == "xml":
            return _load_xml(path, rel)
        if kind == "ole":
            return Loaded(rel, error=OLE_ERROR)
        if kind == "zip":
            office = _load_office(path, rel)
            if office is not None:
                return office
        elif kind is not None:
            return _load_image(path, rel, budget)
        elif _plain_text(head) and not promises_binary(path.name):
            return _load_text(path, rel)
    except PermissionError:
        return Loaded(rel, error="cannot read file: Permission denied")
    except MemoryError:
        return Loaded(rel, error=f"file too large to load: out of memory; {budget.memory_note()}")
    return Loaded(rel, error=f"unsupported file type ({_describe(head)}; not a PDF, an image or an office file)")


# -- PDF -------------------------------------------------------------------------------------------------

class _PdfRender:
    """Renders one PDF page on demand. Keeps only the path and the page index, so it holds no open file
    and can be pickled; the document is opened inside each call."""

    def __init__(self, path: str, index: int, max_pixels: int = DEFAULT.max_pixels) -> None:
        self.path, self.index, self.max_pixels = path, index, max_pixels

    def __call__(self, dpi: int):
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(self.path)
        try:
            page = pdf[self.index]
            try:
                width, height = page.get_size()
                dpi = min(dpi, fitting_dpi(width, height, self.max_pixels))  # never more pixels than the budget
                return page.render(scale=dpi / 72).to_pil().convert("RGB")
            finally:
                page.close()
        finally:
            pdf.close()

    def __repr__(self) -> str:
        return f"_PdfRender({self.path!r}, {self.index}, {self.max_pixels})"


def usable_text(words: list[Word]) -> bool:
    """Whether words from a text layer are real text: enough words with letters or digits, and not mostly
    unmapped glyphs (``(cid:N)``) or replacement characters, which is what fonts without a Unicode map give."""
    if not words:
        return False
    real = 0
    garbage = 0
    for w in words:
        t = w.text
        if _CID.search(t) or "\ufffd" in t or any(0xE000 <= ord(c) <= 0xF8FF for c in t):
            garbage += 1
        elif any(c.isalnum() for c in t):
            real += 1
    return real >= MIN_TEXT_WORDS and garbage <= real


def _rules_of(p) -> list[Rule]:
    rules: list[Rule] = []
    for ln in p.lines:
        rules.append(Rule(float(ln["x0"]), float(ln["top"]), float(ln["x1"]), float(ln["bottom"])))
    for r in p.rects:
        x0, top, x1, bottom = float(r["x0"]), float(r["top"]), float(r["x1"]), float(r["bottom"])
        if x1 - x0 < THIN or bottom - top < THIN:
            rules.append(Rule(x0, top, x1, bottom))
        else:
            rules += [Rule(x0, top, x1, top), Rule(x0, bottom, x1, bottom),
                      Rule(x0, top, x0, bottom), Rule(x1, top, x1, bottom)]
    return rules


def _image_cover(p, width: float, height: float) -> float:
    """The largest fraction of the page one image covers (clipped to the page)."""
    best = 0.0
    for im in p.images:
        x0, x1 = max(0.0, float(im["x0"])), min(width, float(im["x1"]))
        top, bottom = max(0.0, float(im["top"])), min(height, float(im["bottom"]))
        if x1 > x0 and bottom > top:
            best = max(best, (x1 - x0) * (bottom - top) / max(1.0, width * height))
    return best


def _out_of_memory(exc: BaseException) -> bool:
    """Whether a reader's exception is running out of memory (pdfplumber wraps pdfminer's exceptions)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
    return isinstance(exc, MemoryError) or isinstance(inner, MemoryError) or isinstance(exc.__cause__, MemoryError)


def _pdf_error(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    name = type(inner).__name__
    if "Password" in name or "password" in str(inner).lower() or "encrypt" in str(inner).lower():
        return "encrypted PDF (password required)"
    detail = str(inner).strip().splitlines()[0] if str(inner).strip() else ""
    return f"corrupt or truncated PDF: {name}{': ' + detail if detail else ''}"[:300]


def fitting_dpi(width: float, height: float, max_pixels: int) -> int:
    """The highest resolution at which a page of ``width`` x ``height`` points has at most ``max_pixels``."""
    return int(72 * math.sqrt(max_pixels / max(1.0, width * height)))


MIN_OCR_DPI = 100  # a page that fits the pixel budget only below this is not read: its print would be unreadable


def page_ranges(numbers: list[int]) -> str:
    """Page numbers as ranges: [1, 2, 3, 7] -> "1-3, 7"."""
    out: list[str] = []
    for n in numbers:
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in out)


def _blank_pdf_page(p, words: list[Word], rules: list[Rule]) -> bool:
    """A page with nothing drawn on it: no text, no image, no line, rectangle or curve, no annotation. Found from
    its content stream alone, never rendered."""
    return not words and not p.chars and not rules and not p.images and not p.curves and not p.annots


class _DrawnObjects:
    """A second opinion on a page the text layer finds empty: the page objects the renderer parses from it (a
    damaged stream, e.g. a ``/Length`` past the end, reads as empty to one parser and whole to the other). The
    document is opened once, on the first page asked about, and nothing is rendered."""

    def __init__(self, path: str) -> None:
        self.path, self.pdf = path, None

    def any(self, index: int) -> bool:
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        try:
            if self.pdf is None:
                self.pdf = pdfium.PdfDocument(self.path)
            page = self.pdf[index]
        # a page the renderer cannot open either: nothing it could show, so the page stays blank
        except pdfium.PdfiumError:
            return False
        try:
            return raw.FPDFPage_CountObjects(page.raw) > 0
        finally:
            page.close()

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _budgeted(rel: str, pages: list[Page], total: int, looked: int, blank: list[int], notes: list[str],
              stopped: str | None, budget: Budget, unit: str) -> Loaded:
    """The pages read, with what the budget left unread said as warnings (or as the error when nothing was read):
    pages over the page budget, pages left when the seconds ran out, pages too large to render, blank pages."""
    left = [stopped] if stopped else [budget.page_note(looked, total, unit)] if looked < total else []
    if left or notes:
        cut()
    if any(p.words for p in pages) or (pages and len(blank) < len(pages)):
        # text was read (or pages were read in which OCR found nothing: the extractors decide, as for any page)
        warnings = left + notes + ([f"blank {unit} not read: {page_ranges(blank)}"] if blank else [])
        return Loaded(rel, pages, warnings=warnings)
    if pages:  # every page looked at is blank
        if left:
            what = f"{unit} {page_ranges(blank)} of {total} blank"
            left = [stopped] if stopped else [f"page budget {budget.max_pages} (--max-pages)"]
        else:
            what = f"{len(blank)} blank {unit if len(blank) > 1 else unit[:-1]}"
        return Loaded(rel, error="no text: " + "; ".join([what, *left, *notes]))
    return Loaded(rel, error="no page read: " + "; ".join([*notes, *left] or ["nothing to read"]))


def _load_pdf(path: Path, rel: str, budget: Budget = DEFAULT) -> Loaded:
    import pdfplumber

    from .ocr import blank_image, ocr_page

    try:
        pdf = pdfplumber.open(path)
    # the boundary of one file: pdfminer raises many kinds (PDFSyntaxError, PSEOF, KeyError, TypeError, …) on a
    # damaged or encrypted file; recorded as the document's error with its type, the run goes on (out of memory
    # is the budget's, said by ``load``)
    except Exception as exc:
        if _out_of_memory(exc):
            raise MemoryError from exc
        return Loaded(rel, error=_pdf_error(exc))
    pages: list[Page] = []
    blank: list[int] = []
    notes: list[str] = []
    stopped: str | None = None
    drawn: _DrawnObjects | None = None
    try:
        try:
            plumber_pages = pdf.pages
        except Exception as exc:  # the same boundary as opening: recorded with its type
            if _out_of_memory(exc):
                raise MemoryError from exc
            return Loaded(rel, error=_pdf_error(exc))
        if not plumber_pages:
            return Loaded(rel, error="corrupt or truncated PDF: no pages")
        total = len(plumber_pages)
        looked = min(total, budget.max_pages)
        drawn = _DrawnObjects(str(path))
        for i, p in enumerate(plumber_pages[:looked]):
            number = i + 1
            if over_time():
                stopped = _time_note(i, total, budget, "pages")
                break
            try:
                raw = p.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False,
                                      use_text_flow=True, extra_attrs=[])
                words = [Word(w["text"], float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]),
                              number) for w in raw]
                rules = _rules_of(p)
                width, height = float(p.width), float(p.height)
                cover = _image_cover(p, width, height)
                empty = _blank_pdf_page(p, words, rules) and not drawn.any(i)
            except Exception as exc:  # a page pdfminer cannot parse: the file's error, with the type and page
                if _out_of_memory(exc):  # a page too large for the memory budget: said by ``load``
                    raise MemoryError from exc
                return Loaded(rel, error=f"{_pdf_error(exc)} (page {number})")
            finally:
                p.close()
            render = _PdfRender(str(path), i, budget.max_pixels)
            if empty:  # nothing drawn: never rendered, never read
                blank.append(number)
                pages.append(Page(number, width, height, [], rules, "text", render))
                continue
            scanned = cover > 0.5 and len(words) < 10
            if usable_text(words) and not scanned:
                pages.append(Page(number, width, height, words, rules, "text", render))
                continue
            dpi = min(OCR_DPI, fitting_dpi(width, height, budget.max_pixels))
            if dpi < MIN_OCR_DPI:
                notes.append(f"page {number} not read: {width:g} x {height:g} pt is "
                             f"{_megapixels(width * height * (OCR_DPI / 72) ** 2)} pixels at {OCR_DPI} dpi; "
                             f"{budget.pixels_note()}")
                continue
            if dpi < OCR_DPI:
                notes.append(f"page {number} read at {dpi} dpi, not {OCR_DPI}: {budget.pixels_note()}")
            try:
                img = render(dpi)
            except Exception as exc:  # pdfium/PIL failures of a damaged page: the file's error, with the type
                if _out_of_memory(exc):
                    raise MemoryError from exc
                return Loaded(rel, error=f"cannot render page {number} for OCR: {type(exc).__name__}: {exc}")
            if blank_image(img):  # drawn, but nothing shows (white on white, an empty form): not read
                blank.append(number)
                pages.append(Page(number, width, height, [], rules, "text", render))
                continue
            # the rendered image is the page at dpi, so OCR boxes come back in this page's points, turned
            # upright when the scan lies sideways or upside down (the page, its rules and its render with it)
            try:
                ocr = ocr_page(img, dpi, number)
            except OverTime:
                stopped = _time_note(i, total, budget, "pages", during=number)
                break
            pages.append(_upright_page(number, width, height, ocr, rules, render))
    except RuntimeError as exc:  # Tesseract missing or failing
        return Loaded(rel, error=str(exc))
    finally:
        if drawn is not None:
            drawn.close()
        try:
            pdf.close()
        # closing a damaged file (pdfplumber walks the page tree again, raising pdfminer's kinds): what was read,
        # or the error already said, stands
        except Exception:
            pass
    return _budgeted(rel, pages, total, looked, blank, notes, stopped, budget, "pages")


def _time_note(read: int, total: int, budget: Budget, unit: str, during: int | None = None) -> str:
    """What the seconds left unread: "read pages 1-37 of 500; time budget 120 s (--max-seconds) ran out"."""
    done = f"read {unit} 1-{read} of {total}" if read else f"no {unit[:-1]} of {total} read"
    return f"{done}; {budget.seconds_note()} ran out" + (f" reading {unit[:-1]} {during}" if during else "")


def _megapixels(n: float) -> str:
    return f"{n / 1e6:,.0f} M" if n >= 1e7 else f"{n / 1e6:.1f} M"


# -- e-invoice XML (standalone, or carried by a PDF) -------------------------------------------------------

def _load_xml(path: Path, rel: str) -> Loaded:
    """A standalone XML file: an e-invoice (no pages), or an error naming what it is instead."""
    from .einvoice import EInvoiceError, standalone

    try:
        return Loaded(rel, einvoice=standalone(path))
    except EInvoiceError as exc:
        return Loaded(rel, error=str(exc))


def _with_einvoice(loaded: Loaded, path: Path) -> Loaded:
    """The loaded PDF with the e-invoice XML it carries as an attachment, if any; pages that failed to load do
    not lose an invoice the XML states."""
    from .einvoice import embedded

    source, warnings = embedded(path)
    loaded.warnings.extend(warnings)
    if source is not None:
        loaded.einvoice = source
        if loaded.error:
            loaded.warnings.append(f"the pages are not read ({loaded.error}); the embedded e-invoice XML is")
            loaded.error = None
    return loaded


def _upright_page(number: int, width: float, height: float, ocr, rules: list[Rule], render) -> Page:
    """An OCR page as it reads: a page OCR turned upright gets the turned size, rules and render; a page turned
    or deskewed before it was read renders as it was read and keeps how its boxes map back to the page as
    stored (its placement)."""
    from .ocr import Placement, UprightRender, turn_box

    if not ocr.rotate and not ocr.skew:
        return Page(number, width, height, ocr.words, rules, "ocr", render)
    rules = [Rule(*turn_box((r.x0, r.top, r.x1, r.bottom), width, height, ocr.rotate)) for r in rules]
    if ocr.rotate in (90, 270):
        width, height = height, width
    return Page(number, width, height, ocr.words, rules, "ocr",
                UprightRender(render, ocr.rotate, ocr.skew) if render is not None else None,
                Placement(width, height, ocr.rotate, ocr.skew))


# -- images ----------------------------------------------------------------------------------------------

class _ImageRender:
    """Renders one frame of an image file at a dpi (the frame resized from its own resolution)."""

    def __init__(self, path: str, frame: int, dpi: float) -> None:
        self.path, self.frame, self.dpi = path, frame, dpi

    def __call__(self, dpi: int):
        from PIL import Image

        with Image.open(self.path) as im:
            im.seek(self.frame)
            img = im.convert("RGB")
        scale = dpi / self.dpi
        if abs(scale - 1) < 1e-6:
            return img
        return img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.LANCZOS)

    def __repr__(self) -> str:
        return f"_ImageRender({self.path!r}, {self.frame}, {self.dpi})"


def image_dpi(info: dict) -> float:
    """The horizontal resolution recorded in an image, or the default when missing or implausible."""
    value = info.get("dpi") or info.get("resolution")
    try:
        dpi = float(value[0] if isinstance(value, (tuple, list)) else value)
    except (TypeError, ValueError, IndexError):
        return IMAGE_DEFAULT_DPI
    if not 70 <= dpi <= 2400:
        return IMAGE_DEFAULT_DPI
    return dpi


# what Pillow raises on a damaged image or frame
_DAMAGED_IMAGE = (OSError, SyntaxError, ValueError, EOFError)


def _frame(im, index: int | None = None):
    """Pillow's frame count (``index`` None) or a seek to frame ``index``, where a damaged TIFF frame without its
    dimensions (Pillow's TypeError) is a damaged file like any other."""
    try:
        if index is None:
            return getattr(im, "n_frames", 1)
        im.seek(index)
    except TypeError as exc:
        raise OSError(str(exc)) from exc


def _load_image(path: Path, rel: str, budget: Budget = DEFAULT) -> Loaded:
    from PIL import Image, UnidentifiedImageError

    from .ocr import blank_image, ocr_page

    pages: list[Page] = []
    blank: list[int] = []
    notes: list[str] = []
    stopped: str | None = None
    total = looked = number = 0
    try:
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None  # opening reads only the header: each frame's size is checked below
        try:
            im = Image.open(path)
        finally:
            Image.MAX_IMAGE_PIXELS = saved
        with im, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's complaints about a damaged file: its error or notes say it
            try:
                total = _frame(im)
            except _DAMAGED_IMAGE:  # a damaged frame chain: its frames are read until the damage (noted below)
                total = budget.max_pages
                notes.append("the frames cannot be counted: the file's frame chain is damaged")
            looked = min(total, budget.max_pages)
            for i in range(looked):
                number = i + 1
                if over_time():
                    stopped = _time_note(i, total, budget, "frames")
                    break
                _frame(im, i)
                w, h = im.size
                if w * h > budget.max_pixels:  # a decompression bomb, or a frame too large: never decoded
                    notes.append(f"frame {number} not read: {w} x {h} is {_megapixels(w * h)} pixels; "
                                 f"{budget.pixels_note()}")
                    continue
                dpi = image_dpi(im.info)
                # decoded straight to gray (what OCR reads; the same pixels as through RGB)
                img = im.convert("L") if im.mode in ("L", "RGB") else im.convert("RGB").convert("L")
                size = (img.width * 72 / dpi, img.height * 72 / dpi)
                if blank_image(img):
                    blank.append(number)
                    pages.append(Page(number, *size, [], [], "text", None))
                    continue
                try:
                    ocr = ocr_page(img, round(dpi), number)
                except OverTime:
                    stopped = _time_note(i, total, budget, "frames", during=number)
                    break
                pages.append(_upright_page(number, *size, ocr, [], _ImageRender(str(path), i, dpi)))
    except UnidentifiedImageError:
        return Loaded(rel, error="corrupt image: cannot be decoded")
    except RuntimeError as exc:  # Tesseract missing or failing
        return Loaded(rel, error=str(exc))
    except Image.DecompressionBombError:
        cut()
        return Loaded(rel, error=f"image too large to load: {budget.pixels_note()}")
    except _DAMAGED_IMAGE as exc:
        if not pages:
            return Loaded(rel, error=f"corrupt or truncated image: {exc}")
        # a damaged later frame: keep the frames that were read
        notes.append(f"frame {number} and after not read: corrupt or truncated image: {exc}")
        total = looked
    return _budgeted(rel, pages, total, looked, blank, notes, stopped, budget, "frames")


# -- office files (optional) -----------------------------------------------------------------------------

CHAR_W = 6.0  # synthetic layout: points per character
LINE_H = 14.0
MARGIN = 36.0


def _layout(rows: list[list[str]]) -> Page:
    """One page of words at synthetic coordinates: one line per row, cells in aligned columns."""
    ncols = max((len(r) for r in rows), default=0)
    widths = [0.0] * ncols
    for r in rows:
        for j, cell in enumerate(r):
            widths[j] = max(widths[j], len(cell) * CHAR_W + 3 * CHAR_W if cell else 0.0)
    lefts = [MARGIN]
    for w in widths[:-1]:
        lefts.append(lefts[-1] + w)
    words: list[Word] = []
    top = MARGIN
    for r in rows:
        if not any(c.strip() for c in r):
            top += LINE_H
            continue
        for j, cell in enumerate(r):
            x = lefts[j]
            for m in re.finditer(r"\S+", cell):
                x0 = x + m.start() * CHAR_W
                words.append(Word(m.group(), x0, top, x0 + len(m.group()) * CHAR_W, top + 10.0, 1))
        top += LINE_H
    width = max(612.0, (lefts[-1] + widths[-1] + MARGIN) if ncols else 612.0)
    height = max(792.0, top + MARGIN)
    return Page(1, width, height, words, [], "text", None)


TEXT_MAX_BYTES = 5_000_000
# names that promise a binary format: text inside such a file is a wrong or broken file, reported as unsupported
BINARY_SUFFIXES = frozenset((".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".docx",
                             ".xlsx", ".zip", ".doc", ".xls"))
TAB = 8


def promises_binary(name: str) -> bool:
    """Whether a file's name promises a binary format (then text inside it is refused): the one way a name, not
    only the content, decides what is read."""
    return PurePosixPath(name).suffix.lower() in BINARY_SUFFIXES


def _plain_text(head: bytes) -> bool:
    """Plain text in UTF-8 or a single-byte encoding (Latin-1 / Windows-1252): no NULs or control bytes, and
    not markup (XML and HTML have their own readers or none)."""
    if b"\x00" in head or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return False
    return not any(b < 32 and b not in (9, 10, 12, 13) for b in head)


def _load_text(path: Path, rel: str) -> Loaded:
    """A plain-text file (a SWIFT message, an exported advice) as one page: each line a row of words placed
    by their character column, so columns the text aligns with spaces stay aligned as boxes."""
    data = path.read_bytes()[:TEXT_MAX_BYTES]
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    words: list[Word] = []
    top = MARGIN
    width = 612.0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n"):
        line = line.expandtabs(TAB)
        for m in re.finditer(r"\S+", line):
            x0 = MARGIN + m.start() * CHAR_W
            words.append(Word(m.group(), x0, top, x0 + len(m.group()) * CHAR_W, top + 10.0, 1))
            width = max(width, x0 + len(m.group()) * CHAR_W + MARGIN)
        top += LINE_H
    if not words:
        return Loaded(rel, error="text file without text")
    return Loaded(rel, [Page(1, width, max(792.0, top + MARGIN), words, [], "text", None)])


# the main parts of Word files python-docx does not open as they are (macro-enabled, templates): the same
# WordprocessingML; read as a plain document, their macros (vbaProject.bin) never looked at
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_WORD_VARIANTS = ("application/vnd.ms-word.document.macroEnabled.main+xml",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
                  "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")


def _as_plain_docx(path: Path):
    """The .docx to read: the file itself, or for a .docm/.dotx/.dotm a copy in memory whose main part is
    declared a plain document."""
    import io

    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode("utf-8", errors="replace")
        if not any(v in types for v in _WORD_VARIANTS):
            return str(path)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
            for info in z.infolist():
                data = z.read(info)
                if info.filename == "[Content_Types].xml":
                    for v in _WORD_VARIANTS:
                        types = types.replace(v, _WORD_MAIN)
                    data = types.encode("utf-8")
                copy.writestr(info, data)
    out.seek(0)
    return out


def _docx_rows(path: Path) -> list[list[str]]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    d = docx.Document(_as_plain_docx(path))
    rows: list[list[str]] = []
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            rows.append([Paragraph(child, d).text])
        elif tag == "tbl":
            for row in Table(child, d).rows:
                cells: list[str] = []
                for c in row.cells:
                    text = " ".join(c.text.split())
                    if not cells or cells[-1] != text:  # merged cells repeat their text
                        cells.append(text)
                rows.append(cells)
    return rows


def _xlsx_rows(path: Path) -> list[list[str]]:
    from decimal import Decimal

    import openpyxl

    # opened from a file object: openpyxl refuses a path whose name does not end .xlsx/.xlsm (a workbook renamed
    # or saved without its extension); macros (vbaProject.bin) are never loaded
    fh = open(path, "rb")
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_vba=False)
    except BaseException:
        fh.close()
        raise
    rows: list[list[str]] = []
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells = []
                for v in row:
                    if v is None:
                        cells.append("")
                    elif isinstance(v, float):
                        cells.append(format(Decimal(repr(v)).normalize(), "f"))  # shortest exact digits
                    else:
                        cells.append(str(v))
                while cells and not cells[-1]:
                    cells.pop()
                rows.append(cells)
            rows.append([])
    finally:
        wb.close()
        fh.close()
    return rows


def _load_office(path: Path, rel: str) -> Loaded | None:
    """A .docx or .xlsx as one text page; None when the zip is neither."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError):
        return Loaded(rel, error="corrupt or truncated zip archive")
    try:
        if "word/document.xml" in names:
            rows = _docx_rows(path)
        elif "xl/workbook.xml" in names:
            rows = _xlsx_rows(path)
        else:
            return None
    # the boundary of one file: zipfile, ElementTree and the readers raise many kinds on a damaged Office file;
    # recorded as the document's error with its type
    except Exception as exc:
        return Loaded(rel, error=f"corrupt office file: {type(exc).__name__}: {exc}"[:300])
    page = _layout(rows)
    if not page.words:
        return Loaded(rel, error="office file without text")
    return Loaded(rel, [page])
