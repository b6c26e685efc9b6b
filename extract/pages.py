"""The page records every loader produces, whether words came from a PDF text layer or from OCR.

Coordinates are PDF points (1/72 inch) with the origin at the page's top-left, as pdfplumber gives them
(``x0, top, x1, bottom``). OCR words are converted from pixels at the image's resolution, so a box means the
same thing on both paths and nothing after loading needs to know which produced it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    page: int  # 1-based
    conf: float = 1.0  # 0..1; 1.0 for the PDF text layer

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0, self.top, self.x1, self.bottom)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def xmid(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def ymid(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class Rule:
    """A ruling line (table border) or the edge of a rectangle, in points."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return abs(self.bottom - self.top) <= abs(self.x1 - self.x0)


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    method: str = "text"  # "text" or "ocr"
    render: Callable[[int], "object"] | None = field(default=None, repr=False, compare=False)
    # an OCR page read turned upright or deskewed: how its boxes map back to the page as stored
    # (``extract.ocr.Placement``); None when they lie on it as they are
    placement: "object | None" = field(default=None, repr=False, compare=False)

    def stored_box(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A box of this page's words where it lies on the page as stored (the file's page, as rendered)."""
        return self.placement.stored(box) if self.placement is not None else box

    def image(self, dpi: int = 150):
        """The page as a PIL image, rendered on demand (for OCR, report crops)."""
        if self.render is None:
            raise ValueError("this page has no image source")
        return self.render(dpi)

    @property
    def text(self) -> str:
        from .layout import lines_of  # local import: layout depends on this module

        return "\n".join(" ".join(w.text for w in ln) for ln in lines_of(self.words))


@dataclass(slots=True)
class Loaded:
    """A file turned into pages, or the reason it could not be."""

    path: str
    pages: list[Page] = field(default_factory=list)
    error: str | None = None
    einvoice: "object | None" = None  # an e-invoice XML the file is or carries (extract/einvoice.py InvoiceXml)
    warnings: list[str] = field(default_factory=list)

    @property
    def ocr(self) -> bool:
        return any(p.method == "ocr" for p in self.pages)

    @property
    def text(self) -> str:
        return "\n\f".join(p.text for p in self.pages)


def provenance(path: str, words: "list[Word]", method: str = "text", text: str | None = None):
    """The provenance of a value read from ``words``: their union box, page, mean confidence, text."""
    from ..models.records import Provenance

    if not words:
        return None
    return Provenance(
        path=path,
        page=words[0].page,
        bbox=(min(w.x0 for w in words), min(w.top for w in words),
              max(w.x1 for w in words), max(w.bottom for w in words)),
        method=method,
        confidence=sum(w.conf for w in words) / len(words),
        text=text if text is not None else " ".join(w.text for w in words),
    )
