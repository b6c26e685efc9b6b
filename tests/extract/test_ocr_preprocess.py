"""The page pre-processing before Tesseract, in array operations, against the per-pixel and per-level reference
behaviour it replaces (written out here): Otsu's threshold, the skew angle, ruling lines; and the
rules that choose a page's languages and whether it gets an orientation check."""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from appraiser.extract import ocr
from appraiser.extract.pages import Word


def reference_otsu(a: np.ndarray) -> int:
    """Otsu's threshold level by level, as first written."""
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


def reference_runs(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels in a run of ``length`` ink pixels along ``axis``, pixel by pixel."""
    a = ink if axis == 1 else ink.T
    out = np.zeros_like(a)
    for i in range(a.shape[0]):
        run = 0
        for j in range(a.shape[1]):
            run = run + 1 if a[i, j] else 0
            if run >= length:
                out[i, j - length + 1:j + 1] = True
    return out if axis == 1 else out.T


def text_page(angle: float = 0.0, ruled: bool = False) -> Image.Image:
    """A gray page of dark text lines (blocks of letter-sized marks) on light paper, turned by ``angle``."""
    img = Image.new("L", (1200, 900), 235)
    d = ImageDraw.Draw(img)
    for row in range(12):
        y = 80 + row * 60
        x = 80
        for word in range(9):
            for letter in range(3 + (row + word) % 4):
                d.rectangle((x, y, x + 9, y + 22), fill=30)
                x += 14
            x += 26
    if ruled:
        for y in (60, 420, 840):
            d.rectangle((40, y, 1160, y + 2), fill=30)
        d.rectangle((40, 60, 42, 842), fill=30)
    return img.rotate(angle, resample=Image.BICUBIC, fillcolor=235) if angle else img


def test_otsu_of_a_two_level_image_splits_the_levels():
    a = np.full((40, 60), 200, np.uint8)
    a[10:30, 10:50] = 40
    ink = a < ocr._otsu(a)
    assert ink[10:30, 10:50].all() and ink.sum() == 20 * 40  # the dark level is the ink, the light the paper


def test_a_bilevel_scan_keeps_its_ink():
    # a fax-style page of pure black and white: the black is ink (the level-by-level reference's "a < t" read
    # such a page as blank)
    a = np.full((40, 60), 255, np.uint8)
    a[5:9, 5:50] = 0
    assert ocr._otsu(a) == reference_otsu(a) + 1 == 1
    assert (a < ocr._otsu(a)).sum() == 4 * 45
    out = np.asarray(ocr.binarize(Image.fromarray(a), deskew=False))
    assert not out[6:8, 6:49].any()  # black


@pytest.mark.parametrize("seed", range(12))
def test_otsu_matches_the_level_by_level_reference(seed):
    rng = np.random.default_rng(seed)
    parts = [rng.normal(rng.uniform(0, 255), rng.uniform(1, 40), rng.integers(1, 4000)) for _ in range(3)]
    a = np.concatenate(parts).clip(0, 255).astype(np.uint8)
    hist = np.bincount(a.ravel(), minlength=256)
    assert ocr.otsu_threshold(hist) == ocr._otsu(a) == reference_otsu(a)


def test_otsu_of_a_flat_image_is_the_middle():
    assert ocr._otsu(np.full((5, 5), 9, np.uint8)) == reference_otsu(np.full((5, 5), 9, np.uint8)) == 127


@pytest.mark.parametrize("angle", [-2.4, -1.0, 0.0, 0.6, 1.8])
def test_known_skew_is_recovered(angle):
    # the page turned by `angle` is levelled by turning it back: skew_angle gives that turn
    got = ocr.skew_angle(text_page(angle))
    assert got == pytest.approx(-angle, abs=0.25)


def test_levelled_page_is_not_turned_again():
    assert ocr.skew_angle(text_page()) == 0.0
    assert ocr.skew_angle(Image.new("L", (300, 200), 255)) == 0.0  # no ink: nothing to level


@pytest.mark.parametrize("seed", range(6))
def test_runs_match_the_pixel_by_pixel_reference(seed):
    rng = np.random.default_rng(seed)
    ink = rng.random((30, 50)) < rng.uniform(0.5, 0.97)
    for length in (1, 2, 5, 13):
        for axis in (0, 1):
            assert np.array_equal(ocr._runs(ink, length, axis), reference_runs(ink, length, axis))


def test_ruling_lines_are_removed_and_text_kept():
    page = text_page(ruled=True)
    binary = ~np.asarray(ocr.binarize(page, deskew=False))
    plain = ~np.asarray(ocr.binarize(text_page(), deskew=False))
    assert not binary[61, 300:900].any()  # the horizontal rule's row, between and above the words
    assert not binary[600:700, 41].any()  # the vertical rule
    assert binary[81:102, 81:89].all()  # the first letter (its corners rounded by the median)
    # every letter stays where it was: the ruled page reads as the unruled one, but for the rules' pixels
    assert (binary != plain).sum() < 0.01 * plain.sum()


def test_binarize_removes_specks_and_keeps_black_on_white():
    page = text_page()
    d = ImageDraw.Draw(page)
    d.point([(600, 870), (20, 20)], fill=0)  # lone specks
    out = ocr.binarize(page, deskew=False)
    a = np.asarray(out)
    assert out.mode == "1"
    assert a[870, 600] and a[20, 20]  # white
    assert not a[81:102, 81:89].any()  # black


def _words(text: str, conf: float = 0.9) -> list[Word]:
    return [Word(t, 0, 0, 1, 1, 1, conf) for t in text.split()]


def test_first_reading_is_english_with_spanish():
    assert ocr.BASE_LANG == "eng+spa"


def test_a_second_language_only_when_the_words_show_it():
    assert ocr.page_language(_words("Invoice number date of the shipment to the buyer")) == "eng"
    assert ocr.page_language(_words("Factura de la mercancia con el precio por tonelada")) == "spa"
    assert ocr.page_language(_words("Facture de la marchandise avec le prix pour une commande")) == "fra"
    # doubtful words are not evidence of a language
    assert ocr.page_language(_words("Factura de la mercancia con el precio por tonelada", 0.3)) == "eng"


def test_a_second_language_is_read_alongside_english(monkeypatch):
    monkeypatch.setattr(ocr, "installed_languages", lambda: frozenset({"eng", "spa", "deu", "osd"}))
    assert ocr._lang_for("deu") == "eng+spa+deu"
    assert ocr._lang_for("spa") == "eng+spa"
    assert ocr._lang_for("jpn") == "eng+spa"  # not installed: the first reading's models


def test_orientation_check_only_for_a_poor_first_reading():
    assert not ocr.poor(_words("Commercial invoice of the goods", 0.92))
    assert ocr.poor(_words("Commercial invoice of the goods", 0.4))  # low mean confidence
    assert ocr.poor([])  # nothing read
    mixed = _words("a b c d e f", 0.95) + _words("h i j k l m n o p q r", 0.6)
    assert ocr.poor(mixed)  # few words read confidently
