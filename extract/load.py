"""Loading: any file into pages of words and ruling lines, from the PDF text layer (pdfplumber) or from
OCR (Tesseract) for scanned pages and images. A bad file becomes an error message, never an exception."""
from __future__ import annotations

from pathlib import Path

from .pages import Loaded, Page, Rule, Word

MIN_TEXT_WORDS = 3
OCR_DPI = 300


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"BM") or head[:6] in (b"GIF87a", b"GIF89a") or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    return None


def load(path: Path, rel: str) -> Loaded:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2048)
    except PermissionError:
        return Loaded(rel, error="cannot read file: Permission denied")
    except OSError as exc:
        return Loaded(rel, error=f"cannot read file: {exc.strerror or exc}")
    if not head:
        return Loaded(rel, error="empty file (0 bytes)")
    kind = sniff(head)
    if kind == "pdf":
        return _load_pdf(path, rel)
    if kind is not None:
        return _load_image(path, rel)
    what = "text" if all(32 <= b < 127 or b in (9, 10, 13) for b in head[:512]) else "binary data"
    return Loaded(rel, error=f"unsupported file type ({what}, not a PDF or an image)")


class _PdfRender:
    """Renders one PDF page on demand (picklable: keeps only the path and the page index)."""

    def __init__(self, path: str, index: int) -> None:
        self.path, self.index = path, index

    def __call__(self, dpi: int):
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(self.path)
        try:
            page = pdf[self.index]
            return page.render(scale=dpi / 72).to_pil()
        finally:
            pdf.close()


def _usable(words: list[Word]) -> bool:
    real = [w for w in words if any(c.isalnum() for c in w.text) and "(cid:" not in w.text]
    return len(real) >= MIN_TEXT_WORDS


def _load_pdf(path: Path, rel: str) -> Loaded:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    from .ocr import ocr_image

    pages: list[Page] = []
    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, PDFPasswordIncorrect) or "password" in str(inner).lower():
            return Loaded(rel, error="encrypted PDF (password required)")
        return Loaded(rel, error=f"corrupt or truncated PDF: {type(inner).__name__} {inner}".strip())
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        return Loaded(rel, error=f"corrupt or truncated PDF: {type(exc).__name__} {exc}".strip())
    try:
        try:
            n = len(pdf.pages)
        except Exception as exc:
            return Loaded(rel, error=f"corrupt or truncated PDF: {type(exc).__name__} {exc}".strip())
        if n == 0:
            return Loaded(rel, error="PDF without pages")
        for i, p in enumerate(pdf.pages):
            number = i + 1
            render = _PdfRender(str(path), i)
            try:
                raw = p.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False)
                words = [Word(w["text"], float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]), number)
                         for w in raw]
                rules = [Rule(float(ln["x0"]), float(ln["top"]), float(ln["x1"]), float(ln["bottom"])) for ln in p.lines]
                for r in p.rects:
                    x0, top, x1, bottom = float(r["x0"]), float(r["top"]), float(r["x1"]), float(r["bottom"])
                    if x1 - x0 < 2 or bottom - top < 2:
                        rules.append(Rule(x0, top, x1, bottom))
                    else:
                        rules += [Rule(x0, top, x1, top), Rule(x0, bottom, x1, bottom),
                                  Rule(x0, top, x0, bottom), Rule(x1, top, x1, bottom)]
                width, height = float(p.width), float(p.height)
                image_cover = sum((float(im["x1"]) - float(im["x0"])) * (float(im["bottom"]) - float(im["top"]))
                                  for im in p.images) / max(1.0, width * height)
            except Exception as exc:
                return Loaded(rel, pages, error=f"corrupt or truncated PDF: page {number}: {type(exc).__name__} {exc}")
            finally:
                p.close()
            if not _usable(words) or (image_cover > 0.5 and len(words) < 10):
                img = render(OCR_DPI)
                words = ocr_image(img, OCR_DPI, number)
                # OCR boxes are in points of the rendered page: the same space as the PDF's
                pages.append(Page(number, width, height, words, rules if words else [], "ocr", render))
            else:
                pages.append(Page(number, width, height, words, rules, "text", render))
    except RuntimeError as exc:
        return Loaded(rel, pages, error=str(exc))
    finally:
        pdf.close()
    return Loaded(rel, pages)


class _ImageRender:
    def __init__(self, path: str, frame: int, dpi: float) -> None:
        self.path, self.frame, self.dpi = path, frame, dpi

    def __call__(self, dpi: int):
        from PIL import Image

        with Image.open(self.path) as im:
            im.seek(self.frame)
            img = im.convert("RGB")
        scale = dpi / self.dpi
        return img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))))


def _load_image(path: Path, rel: str) -> Loaded:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from .ocr import ocr_image

    pages: list[Page] = []
    try:
        with Image.open(path) as im:
            for i, frame in enumerate(ImageSequence.Iterator(im)):
                dpi_info = frame.info.get("dpi") or im.info.get("dpi") or (0, 0)
                try:
                    dpi = float(dpi_info[0])
                except (TypeError, ValueError, IndexError):
                    dpi = 0.0
                if not 70 <= dpi <= 1200:
                    dpi = 300.0
                img = frame.convert("RGB")
                words = ocr_image(img, round(dpi), i + 1)
                pages.append(Page(i + 1, img.width * 72 / dpi, img.height * 72 / dpi, words, [], "ocr",
                                  _ImageRender(str(path), i, dpi)))
    except UnidentifiedImageError:
        return Loaded(rel, error="corrupt image: cannot be decoded")
    except RuntimeError as exc:
        return Loaded(rel, pages, error=str(exc))
    except (OSError, SyntaxError, ValueError) as exc:
        if pages:
            return Loaded(rel, pages)  # a truncated last frame: keep what was read
        return Loaded(rel, error=f"corrupt image: {exc}")
    return Loaded(rel, pages)
