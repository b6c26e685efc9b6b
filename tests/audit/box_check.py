"""The measure of evidence boxes: whether the box of each finding's evidence sits on the words it cites, on the
page as stored (the page the report crops and the binder draws on).

For each evidence with a page and a box, the words inside the box are read from the stored file: a page with a
text layer gives its pdfplumber characters (a character is inside when its centre is); a scanned page is rendered as the
report renders it and the box's crop is read with Tesseract (a word is inside when its centre is). A box is right
when

* it holds at least one word of the value the evidence cites: the tokens of its text with digits when it has
  some, else the words of its text after the last colon (the whole text when there is none); and
* the words it holds are the evidence's own: at least ``OWN_SHARE`` of them occur in the evidence's text (a box
  that straddles a second amount, or sits on a letterhead, holds words the evidence does not cite), unless the
  box holds nearly all the evidence's words (``COVER_SHARE``: a party's block cited by its name) or the
  evidence cites a line of a table ("line 2: ...", whose box is the row).

Dates count as the same token in any of the documents' writings (2024-12-14, 12/14/2024, 14 December 2024).
OCR tokens match with a tolerance (rapidfuzz ratio ≥ ``FUZZY``). Run it on the corpus splits with
``.venv/bin/python -m tests.audit.box_check [dev] [check]`` (prints right / total per split and the wrong boxes).
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "corpus"
OWN_SHARE = 0.7
COVER_SHARE = 0.8
FUZZY = 65
OCR_DPI = 300
PAD = 4.0  # points of the page read around a box on a scan, so that its edge words are read whole
STOP = {"the", "of", "and", "a", "an", "to", "in", "on", "for", "by", "is", "are", "at", "as", "be", "or"}


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_US = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_LONG = re.compile(r"\b(\d{1,2})\.?\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.I)
_MONTH_FIRST = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})\b", re.I)


def _numeric(m) -> str:
    a, b = int(m[1]), int(m[2])
    month, day = (b, a) if a > 12 else (a, b)  # 31/01/2025 is day first; 01/31/2025 and 12/14/2024 month first
    return f"{m[3]}-{month:02d}-{day:02d}"


def dates(text: str) -> str:
    """``text`` with its dates written one way (ISO)."""
    text = _US.sub(_numeric, text)
    text = _MONTH_FIRST.sub(lambda m: f"{m[3]}-{MONTHS.index(m[1].lower()) + 1:02d}-{int(m[2]):02d}", text)
    return _LONG.sub(lambda m: f"{m[3]}-{MONTHS.index(m[2].lower()) + 1:02d}-{int(m[1]):02d}", text)


def tokens(text: str) -> list[str]:
    """Lower-case letters and digits of each word, empty ones dropped."""
    out = []
    for t in dates(text).split():
        n = re.sub(r"[^0-9a-z]", "", t.casefold())
        if n:
            out.append(n)
    return out


def cited(text: str) -> list[str]:
    """The tokens of the value an evidence text cites (see the module's docstring)."""
    digits = [t for t in tokens(text) if any(c.isdigit() for c in t)]
    toks = tokens(text.rsplit(": ", 1)[-1] if ": " in text else text)
    return digits or [t for t in toks if t not in STOP] or toks


def _match(tok: str, pool: list[str], fuzzy: bool) -> bool:
    if tok in pool:
        return True
    if not fuzzy or len(tok) < 3:
        return False
    from rapidfuzz import fuzz

    return any(fuzz.ratio(tok, p) >= FUZZY for p in pool)


def judge(box_words: list[str], text: str, fuzzy: bool = False) -> bool:
    """Whether a box holding ``box_words`` sits on what an evidence of ``text`` cites."""
    held = tokens(" ".join(box_words))
    if not held:
        return False
    row = re.match(r"line \d+: ", text)
    value = [t for t in tokens(text[row.end():]) if t not in STOP] if row else cited(text)
    if not any(_match(t, held, fuzzy) for t in value):
        return False
    if row:
        return True
    own = tokens(text)
    if sum(_match(t, own, fuzzy) for t in held) >= OWN_SHARE * len(held):
        return True
    return sum(_match(t, held, fuzzy) for t in own) >= COVER_SHARE * len(own)


class Pages:
    """The stored pages of a corpus folder, opened once each: text-layer words, or a rendered image to OCR."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[tuple[str, int], tuple[str, object]] = {}

    def page(self, path: str, page: int) -> tuple[str, object]:
        key = (path, page)
        if key not in self.cache:
            self.cache[key] = self._open(self.root / path, page)
        return self.cache[key]

    @staticmethod
    def _open(file: Path, page: int) -> tuple[str, object]:
        from appraiser.extract.load import _ImageRender, _PdfRender, image_dpi

        if file.suffix.lower() == ".pdf":
            import pdfplumber

            with pdfplumber.open(file) as pdf:
                chars = [(c["text"], c["x0"], c["top"], c["x1"], c["bottom"]) for c in pdf.pages[page - 1].chars]
            if any(t.strip() for t, *_ in chars):
                return "text", chars
            return "image", _PdfRender(str(file), page - 1)(OCR_DPI)
        from PIL import Image

        with Image.open(file) as im:
            dpi = image_dpi(im.info)
        return "image", _ImageRender(str(file), page - 1, dpi)(OCR_DPI)

    def words_in(self, path: str, page: int, bbox) -> tuple[list[str], bool]:
        """The words inside ``bbox`` on the stored page, and whether they were read by OCR."""
        kind, data = self.page(path, page)
        x0, top, x1, bottom = bbox
        if kind == "text":
            return text_box(data, bbox), False
        return ocr_box(data, bbox), True


def text_box(chars, bbox) -> list[str]:
    """The words of the text layer's characters whose centre lies inside ``bbox``, in reading order (a gap wider
    than a fifth of a character's height, or a space, parts two words; a label run into its value,
    "Commencement:February", is two words when the box holds only the value)."""
    x0, top, x1, bottom = bbox
    inside = sorted(((round((b + d) / 2), a, c, t, d - b) for t, a, b, c, d in chars
                     if x0 <= (a + c) / 2 <= x1 and top <= (b + d) / 2 <= bottom), key=lambda k: (k[0], k[1]))
    words: list[str] = []
    last = None
    for y, a, c, t, h in inside:
        if not t.strip():
            last = None
            continue
        if last is None or abs(y - last[0]) > h / 2 or a - last[1] > h / 5:
            words.append(t)
        else:
            words[-1] += t
        last = (y, c)
    return words


def ocr_box(image, bbox, turn: int = 0) -> list[str]:
    """The words Tesseract reads whose centre lies inside ``bbox`` (points) of a page image at OCR_DPI; the crop
    turned clockwise by ``turn`` degrees first (the words of a page stored sideways run down it)."""
    import pytesseract
    from PIL import ImageOps

    from appraiser.extract.ocr import turn as turned, turn_box

    px = OCR_DPI / 72
    x0, top, x1, bottom = bbox
    crop = (max(0, int((x0 - PAD) * px)), max(0, int((top - PAD) * px)),
            min(image.width, int((x1 + PAD) * px)), min(image.height, int((bottom + PAD) * px)))
    if crop[2] - crop[0] < 4 or crop[3] - crop[1] < 4:
        return []
    gray = ImageOps.grayscale(image.crop(crop))
    inside = turn_box((x0 * px - crop[0], top * px - crop[1], x1 * px - crop[0], bottom * px - crop[1]),
                      gray.width, gray.height, turn)
    gray = ImageOps.expand(turned(gray, turn), border=20, fill=255)
    d = pytesseract.image_to_data(gray, lang="eng", config="--oem 1 --psm 6",
                                  output_type=pytesseract.Output.DICT)
    out = []
    for i, t in enumerate(d["text"]):
        t = (t or "").strip()
        if not t or float(d["conf"][i]) < 0:
            continue
        cx = d["left"][i] + d["width"][i] / 2 - 20
        cy = d["top"][i] + d["height"][i] / 2 - 20
        if inside[0] - px <= cx <= inside[2] + px and inside[1] - px <= cy <= inside[3] + px:
            out.append(t)
    return out


@dataclass
class Tally:
    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0


def check(root: Path, findings, tally: Tally | None = None) -> Tally:
    """Judge the boxes of ``findings`` (Finding records or their JSON) against the files under ``root``."""
    tally = tally or Tally()
    pages = Pages(root)
    for f in findings:
        data = f if isinstance(f, dict) else f.to_json()
        for ev in data.get("evidence") or []:
            if not ev.get("page") or not ev.get("bbox"):
                continue
            tally.total += 1
            words, fuzzy = pages.words_in(ev["path"], ev["page"], ev["bbox"])
            if judge(words, ev["text"], fuzzy):
                tally.right += 1
            else:
                tally.wrong.append(f"{data['code']} {ev['path']} p{ev['page']}: cites {ev['text'][:60]!r}, "
                                   f"box holds {' '.join(words)[:60]!r}")
    return tally


def findings_of(root: Path, db: Path, paths: set[str] | None = None) -> list:
    """Scan the documents under ``root`` (those of its truth, or ``paths``) into ``db`` and audit them."""
    from appraiser import pipeline
    from appraiser.models.store import Store

    if paths is None:
        paths = {d["path"] for d in json.loads((root / "truth.json").read_text(encoding="utf-8"))["documents"]}
    store = Store(db)
    try:
        pipeline.scan(root, store, workers=1, only=paths)
        tariff = root / "tariff.csv"
        pipeline.audit_store(store, tariff=tariff if tariff.is_file() else None)
        return store.findings()
    finally:
        store.close()


def measure(split: str, db: Path | None = None) -> Tally:
    root = CORPUS / split
    with tempfile.TemporaryDirectory() as tmp:
        return check(root, findings_of(root, db or Path(tmp) / "boxes.db"))


def main(argv: list[str]) -> int:
    for split in argv or ["dev", "check"]:
        t = measure(split)
        print(f"{split}: evidence boxes right {t.right} / {t.total} ({t.share:.3f})")
        for w in t.wrong:
            print("   wrong:", w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
