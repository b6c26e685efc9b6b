"""OCR of page images with Tesseract: grayscale, resolution to ~300 dpi, deskew, binarise, then one
``image_to_data`` call per page for words, boxes and confidences, returned as the same Word records the
PDF text layer gives (boxes in PDF points of the original page)."""
from __future__ import annotations

import os
import shutil

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tesseract's threads fight over cores; parallelism is per process

import numpy as np  # noqa: E402
from PIL import Image, ImageFilter, ImageOps  # noqa: E402

from .pages import Word  # noqa: E402

TARGET_DPI = 300
LANG = "eng+spa"
CONFIG = "--oem 1 --psm 3 -c preserve_interword_spaces=0"


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


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


def prepare(image: Image.Image, dpi: int) -> tuple[Image.Image, float]:
    """The image Tesseract reads and the scale from its pixels to the original's pixels."""
    gray = ImageOps.grayscale(image.convert("RGB") if image.mode not in ("L", "RGB") else image)
    scale = 1.0
    if dpi < 250 or dpi > 400:
        scale = TARGET_DPI / dpi
        gray = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))), Image.LANCZOS)
    angle = skew_angle(gray)
    if abs(angle) >= 0.1:
        gray = gray.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    gray = gray.filter(ImageFilter.MedianFilter(3))
    a = np.asarray(gray, dtype=np.uint8)
    ink = a < _otsu(a)
    ink &= ~ruling_lines(ink, max(25, round(gray.width / 40)))
    binary = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8))
    return binary, scale


def _runs(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels that belong to an unbroken run of ``length`` ink pixels along ``axis``."""
    a = ink if axis == 1 else ink.T
    n = a.shape[1]
    if n < length:
        return np.zeros_like(ink)
    cs = np.concatenate([np.zeros((a.shape[0], 1), dtype=np.int32), np.cumsum(a, axis=1, dtype=np.int32)], axis=1)
    full = (cs[:, length:] - cs[:, :-length]) == length  # run of `length` starting at j
    fc = np.concatenate([np.zeros((a.shape[0], 1), dtype=np.int32), np.cumsum(full, axis=1, dtype=np.int32)], axis=1)
    # pixel k is covered when a full run starts in [k - length + 1, k]
    k = np.arange(n)
    hi = np.minimum(k + 1, full.shape[1])
    lo = np.clip(k - length + 1, 0, full.shape[1])
    covered = (fc[:, hi] - fc[:, lo]) > 0
    return covered if axis == 1 else covered.T


def ruling_lines(ink: np.ndarray, length: int) -> np.ndarray:
    """Table borders and form lines (long straight runs of ink), to be whitened before OCR: Tesseract reads
    text in ruled tables far better without them."""
    lines = _runs(ink, length, 1) | _runs(ink, length, 0)
    # thicken by one pixel so anti-aliased edges go too
    grown = lines.copy()
    grown[1:, :] |= lines[:-1, :]
    grown[:-1, :] |= lines[1:, :]
    grown[:, 1:] |= lines[:, :-1]
    grown[:, :-1] |= lines[:, 1:]
    return grown


def ocr_image(image: Image.Image, dpi: int, page_no: int, lang: str = LANG) -> list[Word]:
    """Words of one page image, boxes in PDF points (72 per inch of the original image)."""
    import pytesseract

    if not ocr_available():
        raise RuntimeError("Tesseract is not installed: install the tesseract-ocr package (make setup does)")
    prepared, scale = prepare(image, dpi)
    data = pytesseract.image_to_data(prepared, lang=lang, config=CONFIG, output_type=pytesseract.Output.DICT)
    to_pt = 72.0 / (dpi * scale)
    words: list[Word] = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y, w, h = data["left"][i], data["top"][i], data["width"][i], data["height"][i]
        words.append(Word(text, x * to_pt, y * to_pt, (x + w) * to_pt, (y + h) * to_pt, page_no,
                          max(0.0, min(1.0, conf / 100.0))))
    return words
