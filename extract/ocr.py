"""OCR of page images with Tesseract: grayscale, resolution to ~300 dpi, the page turned upright, deskew,
binarise, then one ``image_to_data`` call per page for words, boxes and confidences, returned as the same Word
records the PDF text layer gives (boxes in PDF points of the upright page).

A page scanned sideways or upside down is turned upright with Tesseract's orientation and script detection
(OSD), run only when the page needs it: when the lines of ink run down the page rather than across (a cheap
measure on a downscaled image), or when the first reading is too poor to be the page read the right way up.
The page is recognised once, with English and Spanish. When the words read show another Latin-script language
(its stop words and letters, a table below), only the doubtful lines are read again, in one call with that
language's model, and a doubtful word takes the surer reading; the whole page is read again only when OSD names
a script those models cannot read (Han). Pre-processing is array work (OpenCV's morphology and median, NumPy)
and the page goes to Tesseract at one bit a pixel, with its check for reversed print off."""
from __future__ import annotations

import math
import os
import re
import shutil
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tesseract's threads fight over cores; parallelism is per process

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from .budget import OverTime, call_timeout, over_time  # noqa: E402
from .pages import Word  # noqa: E402

TARGET_DPI = 300
MIN_RULE_INCH = 0.2  # a straight stroke shorter than this is a letter's (a large title's stems), not a rule
# The first reading of every page: English with Spanish alongside reads the trade's English pages no worse
# (better, on the fixture scans, than English alone) and Spanish ones without a second pass.
BASE_LANG = "eng+spa"
LANG = BASE_LANG  # kept for callers that name a language explicitly
# Tesseract's check for white-on-black text (each doubtful line read again inverted) is off: the page it reads is
# already binarised with its long runs of ink removed, which whitens a solid bar around reversed print along with
# the rules (the same words were read with it on, across the corpora, at a tenth more CPU).
_TESS = "-c preserve_interword_spaces=0 -c tessedit_do_invert=0"
CONFIG = f"--oem 1 --psm 3 {_TESS}"  # a page: its layout found by Tesseract
BAND_CONFIG = f"--oem 1 --psm 6 {_TESS}"  # a block of lines
LINE_CONFIG = f"--oem 1 --psm 7 {_TESS}"  # one line

# -- orientation ---------------------------------------------------------------------------------------------
# Lines of text smeared along their direction give long runs of ink; across it, runs as tall as the letters.
# The ratio of the two (across / down) is about 2-3 on an upright or upside-down page and about 0.6 on a page
# turned 90°; below SIDEWAYS_RATIO the page is checked with OSD before it is read.
DIRECTION_DPI = 150
SMEAR_MM = 1.35
SIDEWAYS_RATIO = 1.0
# A first reading this poor (too few confident words) may be a page upside down: OSD decides.
POOR_MEAN_CONF = 0.55
POOR_CONFIDENT_SHARE = 0.4
CONFIDENT = 0.8
MIN_OSD_CONF = 1.5  # OSD's orientation confidence below this is a guess: the page is left as it is
# What PIL's transpose does to turn an image clockwise by OSD's "rotate" degrees.
_TURN = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}

# -- language ------------------------------------------------------------------------------------------------
# Tesseract model per OSD script, where English's model cannot read the script at all.
SCRIPT_LANGS = {"Han": "chi_sim", "HanS": "chi_sim", "Hangul": "kor", "Japanese": "jpn", "Cyrillic": "rus",
                "Greek": "ell", "Arabic": "ara", "Hebrew": "heb", "Thai": "tha", "Devanagari": "hin"}
MIN_SCRIPT_CONF = 3.0
# Words and letters that show a Latin-script language on a page read with the English model: short function
# words of running text and of document labels, and the language's own letters (which the English model
# sometimes keeps). A page is read again in the language that shows clearly more of them than English.
LANGUAGE_MARKERS: dict[str, dict[str, tuple[str, ...]]] = {
    "eng": {"words": ("the", "of", "and", "to", "for", "with", "from", "by", "is", "are", "this", "that", "on",
                      "at", "as", "be", "has", "been", "per", "shall", "which", "we", "our", "your", "no", "date")},
    "spa": {"words": ("el", "la", "los", "las", "del", "de", "y", "en", "por", "para", "con", "una", "un", "que",
                      "factura", "fecha", "cantidad", "precio", "importe", "descripcion", "descripción", "total",
                      "peso", "colada", "lista", "empaque", "envio"),
            "letters": "ñáíóú¿¡"},
    "deu": {"words": ("der", "die", "das", "und", "von", "mit", "für", "fur", "den", "dem", "des", "ein", "eine",
                      "ist", "zu", "auf", "rechnung", "datum", "menge", "preis", "betrag", "gesamt", "nr",
                      "lieferung", "schmelze", "gewicht", "bestellung", "steuer"),
            "letters": "äöüß"},
    "fra": {"words": ("le", "la", "les", "des", "du", "de", "et", "en", "pour", "avec", "une", "un", "sur", "au",
                      "aux", "facture", "date", "quantité", "quantite", "prix", "montant", "coulée", "poids",
                      "livraison", "commande", "taux"),
            "letters": "éèêàçùâîô"},
    "ita": {"words": ("il", "lo", "la", "gli", "le", "di", "del", "della", "e", "per", "con", "una", "un", "che",
                      "fattura", "data", "quantità", "quantita", "prezzo", "importo", "totale", "colata", "peso",
                      "consegna", "ordine"),
            "letters": "àèìòù"},
    "por": {"words": ("o", "a", "os", "as", "do", "da", "dos", "das", "de", "e", "em", "para", "com", "um", "uma",
                      "não", "nao", "fatura", "data", "quantidade", "preço", "preco", "valor", "corrida", "peso",
                      "pedido"),
            "letters": "ãõçáéíóúâê"},
    "nld": {"words": ("de", "het", "een", "en", "van", "voor", "met", "op", "te", "bij", "factuur", "datum",
                      "aantal", "prijs", "bedrag", "totaal", "gewicht", "levering", "bestelling"),
            "letters": "ĳ"},
    "tur": {"words": ("ve", "bir", "ile", "için", "icin", "bu", "da", "de", "fatura", "tarih", "miktar", "fiyat",
                      "tutar", "toplam", "döküm", "dokum", "ağırlık", "agirlik", "sipariş", "siparis", "no"),
            "letters": "şğıİçöü"},
}
LANG_MARGIN = 3  # another language must show this many more markers than English to be read again
MIN_LANG_MARKERS = 4


BLANK_SIDE = 200  # pixels of the thumbnail a page is judged blank on
BLANK_INK = 48  # a thumbnail pixel this much darker than the page's background is ink


def blank_image(image: Image.Image) -> bool:
    """Whether a page image is blank: no thumbnail pixel clearly darker (or, on a dark page, lighter) than the
    background. The thumbnail averages pixels (a box filter), so a scanner's specks fade while a line of print
    stays dark enough to count."""
    gray = ImageOps.grayscale(image)
    factor = max(1, max(gray.size) // BLANK_SIDE)
    small = np.asarray(gray.reduce(factor) if factor > 1 else gray, dtype=np.int16)
    if small.size == 0:
        return True
    background = int(np.median(small))
    return not bool((np.abs(small - background) > BLANK_INK).any())


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (OSError, RuntimeError):  # TesseractNotFoundError (OSError), TesseractError: no languages; OCR says so
        return frozenset()


def _otsu(a: np.ndarray) -> int:
    hist = np.bincount(a.ravel(), minlength=256).astype(np.float64)
    total = a.size
    sum_all = np.dot(np.arange(256), hist)
    w_b = sum_b = 0.0
    best, best_t = -1.0, 127
    for t in range(256):
        w_b += hist[t]
        if w_b == 0:
            continue
        w_f = total - w_b
        if w_f == 0:
            break
        sum_b += t * hist[t]
        m_b, m_f = sum_b / w_b, (sum_all - sum_b) / w_f
        between = w_b * w_f * (m_b - m_f) ** 2
        if between > best:
            best, best_t = between, t
    return best_t


def skew_angle(gray: Image.Image, limit: float = 3.0, step: float = 0.2) -> float:
    """The text's skew in degrees, by the rotation that makes the rows' ink profile sharpest."""
    small = gray.copy()
    small.thumbnail((900, 900))
    a = np.asarray(small, dtype=np.uint8)
    ink = Image.fromarray(((a < _otsu(a)) * 255).astype(np.uint8))
    best, best_score = 0.0, -1.0
    angle = -limit
    while angle <= limit + 1e-9:
        rot = np.asarray(ink.rotate(angle, resample=Image.NEAREST, fillcolor=0), dtype=np.float64)
        profile = rot.sum(axis=1)
        score = float(np.var(profile))
        if score > best_score:
            best, best_score = angle, score
        angle += step
    return round(best, 2)


def grayscale(image: Image.Image, dpi: int) -> tuple[Image.Image, float]:
    """The page in gray at about TARGET_DPI, and the scale from the original's pixels to these."""
    gray = ImageOps.grayscale(image.convert("RGB") if image.mode not in ("L", "RGB") else image)
    scale = 1.0
    if dpi < 250 or dpi > 400:
        scale = TARGET_DPI / dpi
        gray = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))), Image.LANCZOS)
    return gray, scale


def rule_length(width: int, dpi: float = TARGET_DPI) -> int:
    """The shortest straight run of ink taken for a ruling line: longer than a large title's letters."""
    return max(25, round(MIN_RULE_INCH * dpi), round(width / 40))


def binarize(gray: Image.Image, deskew: bool = True, dpi: float = TARGET_DPI) -> Image.Image:
    """Deskewed, denoised, black text on white with the ruling lines removed: the image Tesseract reads."""
    return binarize_skew(gray, deskew, dpi)[0]


def binarize_skew(gray: Image.Image, deskew: bool = True, dpi: float = TARGET_DPI) -> tuple[Image.Image, float]:
    """``binarize``'s image (1 bit a pixel: Tesseract reads it as it is, with no thresholding of its own) and the
    angle it was deskewed by (degrees counter-clockwise about the image's centre, as PIL's ``rotate`` turns; 0.0
    when it was not)."""
    angle = skew_angle(gray) if deskew else 0.0
    if abs(angle) < 0.1:
        angle = 0.0
    else:
        gray = gray.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    a = cv2.medianBlur(np.asarray(gray, dtype=np.uint8), 3)  # specks out, edges kept
    ink = a < _otsu(a)
    ink &= ~ruling_lines(ink, rule_length(gray.width, dpi))
    return Image.fromarray(~ink), angle


def prepare(image: Image.Image, dpi: int) -> tuple[Image.Image, float]:
    """The image Tesseract reads and the scale from its pixels to the original's pixels."""
    gray, scale = grayscale(image, dpi)
    return binarize(gray), scale


def _runs(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels that belong to an unbroken run of ``length`` ink pixels along ``axis`` (1: across, 0: down): a
    morphological opening by a line ``length`` long, as an erosion that keeps each run's first pixel and a
    dilation that grows it back over the run."""
    if ink.shape[axis] < length:
        return np.zeros_like(ink)
    line = np.ones((1, length) if axis == 1 else (length, 1), np.uint8)
    first = cv2.erode(ink.view(np.uint8), line, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    end = (length - 1, 0) if axis == 1 else (0, length - 1)
    return cv2.dilate(first, line, anchor=end, borderType=cv2.BORDER_CONSTANT, borderValue=0).view(bool)


_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


def ruling_lines(ink: np.ndarray, length: int) -> np.ndarray:
    """Table borders and form lines (long straight runs of ink), to be whitened before OCR: Tesseract reads
    text in ruled tables far better without them."""
    lines = _runs(ink, length, 1) | _runs(ink, length, 0)
    return cv2.dilate(lines.view(np.uint8), _CROSS).view(bool)  # one pixel more all round: anti-aliased edges go too


# -- orientation -----------------------------------------------------------------------------------------

def _mean_run(ink: np.ndarray, axis: int) -> float:
    """Mean length of the runs of ink along ``axis`` (1: across, 0: down)."""
    a = ink if axis == 1 else ink.T
    starts = int((a[:, 1:] & ~a[:, :-1]).sum() + a[:, 0].sum())
    return float(a.sum()) / starts if starts else 0.0


def _smear(ink: np.ndarray, n: int, axis: int) -> np.ndarray:
    """Each pixel ORed with the ``n`` before it along ``axis``: letters run together into words."""
    line = np.ones((1, n + 1) if axis == 1 else (n + 1, 1), np.uint8)
    end = (n, 0) if axis == 1 else (0, n)
    return cv2.dilate(ink.view(np.uint8), line, anchor=end, borderType=cv2.BORDER_CONSTANT, borderValue=0).view(bool)


def line_direction(gray: Image.Image, dpi: float = TARGET_DPI) -> float | None:
    """How much more the ink runs across the page than down it, once letters are smeared into words: about
    2-3 for lines of text across the page, well under 1 when the lines run down it (a page turned 90°).
    None for a page with too little ink to tell. Costs a few hundredths of a second."""
    factor = max(1, round(dpi / DIRECTION_DPI))
    small = gray.reduce(factor) if factor > 1 else gray
    a = np.asarray(small, dtype=np.uint8)
    ink = a < _otsu(a)
    if ink.mean() < 0.002:
        return None
    ink &= ~ruling_lines(ink, rule_length(small.width, dpi / factor))
    n = max(2, round(SMEAR_MM / 25.4 * dpi / factor))
    across, down = _mean_run(_smear(ink, n, 1), 1), _mean_run(_smear(ink, n, 0), 0)
    return across / down if down else None


@dataclass
class Orientation:
    rotate: int = 0  # degrees to turn the page clockwise to read it
    confidence: float = 0.0
    script: str | None = None
    script_confidence: float = 0.0


def detect_orientation(image: Image.Image) -> Orientation:
    """Tesseract OSD on a page image; a page OSD cannot judge (too few letters) is left as it is."""
    import pytesseract

    try:
        d = pytesseract.image_to_osd(image, config="--psm 0", output_type=pytesseract.Output.DICT,
                                     timeout=call_timeout())
    # TesseractError: too few characters, or the osd model missing; the time budget run out (the reading after
    # it says so)
    except (RuntimeError, OSError, ValueError):
        return Orientation()
    rotate = int(d.get("rotate", 0)) % 360
    conf = float(d.get("orientation_conf", 0.0))
    return Orientation(rotate if rotate in _TURN and conf >= MIN_OSD_CONF else 0, conf,
                       d.get("script"), float(d.get("script_conf", 0.0)))


def turn(image: Image.Image, rotate: int) -> Image.Image:
    """The image turned clockwise by ``rotate`` degrees (0, 90, 180 or 270), exactly."""
    return image.transpose(_TURN[rotate]) if rotate in _TURN else image


def turn_box(box: tuple[float, float, float, float], width: float, height: float,
             rotate: int) -> tuple[float, float, float, float]:
    """A box (x0, top, x1, bottom) on a page of ``width`` × ``height`` where it lies once the page is turned
    clockwise by ``rotate`` degrees."""
    x0, top, x1, bottom = box
    if rotate == 90:
        return (height - bottom, x0, height - top, x1)
    if rotate == 180:
        return (width - x1, height - bottom, width - x0, height - top)
    if rotate == 270:
        return (top, width - x1, bottom, width - x0)
    return box


def unskew_box(box: tuple[float, float, float, float], width: float, height: float,
               angle: float) -> tuple[float, float, float, float]:
    """A box read on a page image deskewed by ``angle`` (degrees counter-clockwise about the centre of a page of
    ``width`` × ``height``, as ``binarize_skew`` turns it) where it lies on the page before the deskew: the box
    around its four corners turned back."""
    if not angle:
        return box
    t = math.radians(angle)
    cos, sin = math.cos(t), math.sin(t)
    cx, cy = width / 2, height / 2
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
        dx, dy = x - cx, y - cy  # y grows down the page: a counter-clockwise turn seen on the page
        xs.append(cx + dx * cos - dy * sin)
        ys.append(cy + dx * sin + dy * cos)
    return (max(0.0, min(xs)), max(0.0, min(ys)), min(width, max(xs)), min(height, max(ys)))


@dataclass(frozen=True)
class Placement:
    """How an OCR page's boxes (points of the page turned upright and deskewed, as read) lie on the page as
    stored (as the report crops it and the binder draws on it): the deskew to undo on the upright page of
    ``width`` × ``height``, then the turn (clockwise ``rotate`` degrees) to undo."""

    width: float
    height: float
    rotate: int = 0
    skew: float = 0.0

    def stored(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        box = unskew_box(box, self.width, self.height, self.skew)
        if self.rotate in _TURN:
            box = turn_box(box, self.width, self.height, (360 - self.rotate) % 360)
        return box


class UprightRender:
    """A page's renderer turned upright and deskewed as OCR read it: the image its words' boxes are on (a band
    read again lies where the page's first reading put it). Holds only the inner renderer, the turn and the
    skew, so it pickles when the inner one does."""

    def __init__(self, inner, rotate: int, skew: float = 0.0) -> None:
        self.inner, self.rotate, self.skew = inner, rotate, skew

    def __call__(self, dpi: int):
        image = turn(self.inner(dpi), self.rotate)
        if self.skew:
            white = 255 if image.mode in ("L", "1") else (255,) * len(image.getbands())
            image = image.rotate(self.skew, resample=Image.BICUBIC, fillcolor=white)
        return image

    def __repr__(self) -> str:
        return f"UprightRender({self.inner!r}, {self.rotate}, {self.skew})"


# -- language --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def language_scores(words: list[Word]) -> dict[str, int]:
    """How many markers of each language the words show (stop words and label words, the language's letters)."""
    vocab = {lang: frozenset(m.get("words", ())) for lang, m in LANGUAGE_MARKERS.items()}
    scores = dict.fromkeys(LANGUAGE_MARKERS, 0)
    for w in words:
        if w.conf < 0.5:
            continue
        for tok in _TOKEN.findall(w.text):
            low = tok.lower()
            for lang, m in LANGUAGE_MARKERS.items():
                if low in vocab[lang]:
                    scores[lang] += 1
                letters = m.get("letters", "")
                if letters and any(c in letters for c in tok):
                    scores[lang] += 1
    return scores


def page_language(words: list[Word]) -> str:
    """The language a first (English) reading shows: English unless another shows clearly more markers."""
    scores = language_scores(words)
    eng = scores.get("eng", 0)
    best = max((lang for lang in scores if lang != "eng"), key=lambda k: scores[k], default="eng")
    if scores.get(best, 0) >= MIN_LANG_MARKERS and scores[best] >= eng + LANG_MARGIN:
        return best
    return "eng"


# -- reading ---------------------------------------------------------------------------------------------

@dataclass
class OcrPage:
    """One page read: its words (boxes in points of the upright page), the turn that made it upright, the
    language models used, and how many recognition and OSD passes it took."""

    words: list[Word] = field(default_factory=list)
    rotate: int = 0
    skew: float = 0.0  # degrees the upright page was deskewed by before it was read (see ``binarize_skew``)
    lang: str = BASE_LANG
    passes: int = 0  # readings of the whole page
    osd: int = 0
    lines_reread: int = 0  # doubtful lines that took a reading in the page's own language (``reread_lines``)


def _read_lines(binary: Image.Image, lang: str, page_no: int, to_pt: float, config: str = CONFIG,
                origin: tuple[int, int] = (0, 0)) -> list[list[Word]]:
    """Tesseract's words, line by line as it laid them out, with their boxes (pixels from ``origin`` in the page
    image, times ``to_pt``) and confidences."""
    import pytesseract

    try:
        data = pytesseract.image_to_data(binary, lang=lang, config=config, output_type=pytesseract.Output.DICT,
                                         timeout=call_timeout())
    except RuntimeError as exc:  # pytesseract kills a call that overruns the document's seconds
        if "timeout" in str(exc).lower() and over_time():
            raise OverTime("the time budget ran out") from exc
        raise
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y = data["left"][i] + origin[0], data["top"][i] + origin[1]
        w, h = data["width"][i], data["height"][i]
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append(Word(text, x * to_pt, y * to_pt, (x + w) * to_pt, (y + h) * to_pt,
                                              page_no, max(0.0, min(1.0, conf / 100.0))))
    return list(lines.values())


def _read(binary: Image.Image, lang: str, page_no: int, to_pt: float, config: str = CONFIG,
          origin: tuple[int, int] = (0, 0)) -> list[Word]:
    """Tesseract's words in reading order (see ``_read_lines``)."""
    return _flat(_read_lines(binary, lang, page_no, to_pt, config, origin))


def _quality(words: list[Word]) -> tuple[float, float]:
    """Mean confidence of the words with letters or digits, and the share of them read confidently."""
    real = [w for w in words if any(c.isalnum() for c in w.text)]
    if not real:
        return 0.0, 0.0
    return sum(w.conf for w in real) / len(real), sum(w.conf >= CONFIDENT for w in real) / len(real)


def poor(words: list[Word]) -> bool:
    mean, share = _quality(words)
    return mean < POOR_MEAN_CONF or share < POOR_CONFIDENT_SHARE


def _score(words: list[Word]) -> float:
    """Which of two readings of the same page is better: the confident letters it gives."""
    return sum(w.conf * sum(c.isalnum() for c in w.text) for w in words if w.conf >= 0.5)


def doubtful(line: list[Word]) -> bool:
    """A line the first models may have misread: a word read with little confidence."""
    return any(w.conf < CONFIDENT and any(c.isalnum() for c in w.text) for w in line)


def reread_lines(binary: Image.Image, lines: list[list[Word]], lang: str, page_no: int,
                 to_pt: float) -> tuple[list[list[Word]], int]:
    """The doubtful lines of a page read again with ``lang``'s models, in one Tesseract call: each line's strip
    of the page image stacked under the last with a line's height of white between them (read as a block of
    lines, ``--psm 6``), the words mapped back to the page by the strip they fall in. A doubtful word takes the
    surer reading over it (``_better_word``). The lines, and how many of them changed."""
    picked = [i for i, line in enumerate(lines) if doubtful(line)]
    if not picked:
        return lines, 0
    boxes = []
    for i in picked:
        line = lines[i]
        x0, top = min(w.x0 for w in line) / to_pt, min(w.top for w in line) / to_pt
        x1, bottom = max(w.x1 for w in line) / to_pt, max(w.bottom for w in line) / to_pt
        pad = max(4, round((bottom - top) * 0.35))
        boxes.append((max(0, int(x0) - pad), max(0, int(top) - pad), min(binary.width, int(x1) + pad + 1),
                      min(binary.height, int(bottom) + pad + 1)))
    gap = max(b[3] - b[1] for b in boxes)
    width = max(b[2] - b[0] for b in boxes) + 2 * gap
    offsets, y = [], gap
    for b in boxes:
        offsets.append(y)
        y += (b[3] - b[1]) + gap
    stack = Image.new(binary.mode, (width, y), 255)  # white, at one bit a pixel or eight
    for b, oy in zip(boxes, offsets):
        stack.paste(binary.crop(b), (gap, oy))
    again: list[list[Word]] = [[] for _ in picked]
    for w in _read(stack, lang, page_no, 1.0, BAND_CONFIG):
        middle = (w.top + w.bottom) / 2
        k = bisect_right(offsets, middle) - 1  # the strip starting last above the word's middle
        if k < 0 or middle >= offsets[k] + boxes[k][3] - boxes[k][1]:  # in the white between two strips
            continue
        dx, dy = boxes[k][0] - gap, boxes[k][1] - offsets[k]
        again[k].append(Word(w.text, (w.x0 + dx) * to_pt, (w.top + dy) * to_pt, (w.x1 + dx) * to_pt,
                             (w.bottom + dy) * to_pt, page_no, w.conf))
    out, changed = list(lines), 0
    for i, words in zip(picked, again):
        line = [_better_word(w, words) for w in lines[i]]
        if line != lines[i]:
            out[i], changed = line, changed + 1
    return out, changed


def _better_word(word: Word, again: list[Word]) -> Word:
    """``word`` with the text and confidence of the second reading's word over it (most of either's width), when
    that one is more confident: the language's model mends letters, and decimal commas a first reading took
    for a 1; where each word stands stays as first read, so columns and boxes do not move."""
    if word.conf >= CONFIDENT:
        return word
    width = max(word.x1 - word.x0, 1e-6)
    over = [(min(word.x1, n.x1) - max(word.x0, n.x0), n) for n in again]
    share, best = max(over, key=lambda o: o[0], default=(0.0, None))
    if best is None or share < 0.6 * max(width, best.x1 - best.x0) or best.conf <= word.conf:
        return word
    return Word(best.text, word.x0, word.top, word.x1, word.bottom, word.page, best.conf)


def _lang_for(lang: str) -> str:
    """``lang`` with English alongside, limited to the installed models (English alone when none is)."""
    have = installed_languages()
    parts = [p for p in dict.fromkeys([*BASE_LANG.split("+"), *lang.split("+")]) if not have or p in have]
    return "+".join(parts) or BASE_LANG


def _script_lang(orient: Orientation, current: str) -> str:
    """The models for the script OSD names, when it is sure and English cannot read that script."""
    model = SCRIPT_LANGS.get(orient.script or "")
    if orient.script_confidence >= MIN_SCRIPT_CONF and model and model in installed_languages():
        return _lang_for(model)
    return current


def ocr_page(image: Image.Image, dpi: int, page_no: int, lang: str | None = None) -> OcrPage:
    """A page image read upright, boxes in PDF points of the upright page (72 per inch of the original image).
    ``lang`` fixes the language models; by default they are chosen per page."""
    if not ocr_available():
        raise RuntimeError("Tesseract is not installed: install the tesseract-ocr package (make setup does)")
    gray, scale = grayscale(image, dpi)
    to_pt = 72.0 / (dpi * scale)
    result = OcrPage(lang=lang or BASE_LANG)
    orient: Orientation | None = None
    ratio = line_direction(gray, dpi * scale)
    if ratio is not None and ratio < SIDEWAYS_RATIO:  # lines run down the page: ask OSD before reading
        orient = detect_orientation(gray)
        result.osd += 1
        result.rotate = orient.rotate
    if lang is None and orient is not None:
        result.lang = _script_lang(orient, result.lang)
    binary, result.skew = binarize_skew(turn(gray, result.rotate), dpi=dpi * scale)
    lines = _read_lines(binary, result.lang, page_no, to_pt)
    result.passes += 1
    words = _flat(lines)
    if poor(words) and orient is None:  # upside down, sideways where the ink could not tell, or another script
        orient = detect_orientation(binary)
        result.osd += 1
        lang2 = _script_lang(orient, result.lang) if lang is None else result.lang
        if orient.rotate or lang2 != result.lang:
            binary2, skew2 = (binarize_skew(turn(gray, orient.rotate), dpi=dpi * scale) if orient.rotate
                              else (binary, result.skew))
            lines2 = _read_lines(binary2, lang2, page_no, to_pt)
            result.passes += 1
            words2 = _flat(lines2)
            if _score(words2) > _score(words):
                lines, words, binary, result.rotate, result.lang, result.skew = (lines2, words2, binary2,
                                                                                 orient.rotate, lang2, skew2)
    if lang is None and result.lang == BASE_LANG:
        # a page in another Latin-script language: only its doubtful lines are read again, with that language's
        # model alone (a second reading of the whole page costs as much as the first, and each model alongside
        # costs as much again); a word keeps the first models' reading unless the new one is surer
        other = page_language(words)
        if other not in BASE_LANG.split("+") and other in installed_languages():
            lines, result.lines_reread = reread_lines(binary, lines, other, page_no, to_pt)
            if result.lines_reread:
                result.lang = _lang_for(other)
                words = _flat(lines)
    result.words = words
    return result


def _flat(lines: list[list[Word]]) -> list[Word]:
    return [w for line in lines for w in line]


def ocr_image(image: Image.Image, dpi: int, page_no: int, lang: str | None = None) -> list[Word]:
    """Words of one page image, boxes in PDF points of the upright page (see ``ocr_page``)."""
    return ocr_page(image, dpi, page_no, lang).words


def read_band(page, top: float, bottom: float, lang: str = BASE_LANG, x0: float = 0.0, x1: float | None = None,
              line: bool = False) -> list[list[Word]]:
    """Readings of a band of an OCR page (``top``..``bottom``, ``x0``..``x1`` in points) read again on its own.
    The page's full reading lays the whole page out first: it drops what looks like specks (a table header's
    one- and two-letter cells "C", "Si", "V") and, in small print, takes a 1 for a 4 or a 7 more often than a
    line read alone. A block (``line=False``) is read twice, in gray as scanned and binarised without its
    ruling lines (each reads some small cells the other misses); one line of a table (``line=True``) once,
    binarised. Boxes are in the page's points; no readings when the page cannot be rendered or read."""
    top, bottom = max(0.0, top), min(float(page.height), bottom)
    x1 = float(page.width) if x1 is None else min(float(page.width), x1)
    if page.render is None or bottom - top < 4 or x1 - x0 < 4 or not ocr_available():
        return []
    try:
        image = page.image(TARGET_DPI)
        px = image.width / float(page.width)  # pixels per point of the rendered page
        box = (max(0, int(x0 * px)), max(0, int(top * px)), min(image.width, int(round(x1 * px))),
               min(image.height, int(round(bottom * px))))
        gray = ImageOps.grayscale(image.crop(box))
        if line:
            return [_read(binarize(gray, deskew=False), lang, page.number, 1 / px, LINE_CONFIG, box[:2])]
        return [_read(b, lang, page.number, 1 / px, BAND_CONFIG, box[:2])
                for b in (gray, binarize(gray, deskew=False))]
    # a render failure (pypdfium2's PdfiumError is a RuntimeError; PIL raises OSError, ValueError or its
    # decompression-bomb error) or a TesseractError leaves the page as first read
    except (RuntimeError, OSError, ValueError, Image.DecompressionBombError):
        return []

