"""The page pre-processing OCR reads through: the ruling lines found by morphology are exactly the runs of ink
at least a rule long (checked against a plain definition on random pages), letters smear into words along one
axis only, and the image handed to Tesseract is one bit a pixel with the rules gone and the text kept."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageDraw, ImageFilter

from appraiser.extract import ocr


def runs_by_definition(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Each pixel inside a straight run of ink at least ``length`` long along ``axis``, found run by run."""
    a = ink if axis == 1 else ink.T
    out = np.zeros_like(a)
    for r, row in enumerate(a):
        start = None
        for c, v in enumerate([*row, False]):
            if v and start is None:
                start = c
            elif not v and start is not None:
                if c - start >= length:
                    out[r, start:c] = True
                start = None
    return out if axis == 1 else out.T


def smear_by_definition(ink: np.ndarray, n: int, axis: int) -> np.ndarray:
    out = ink.copy()
    for s in range(1, n + 1):
        if axis == 1:
            out[:, s:] |= ink[:, :-s]
        else:
            out[s:, :] |= ink[:-s, :]
    return out


pages = arrays(np.bool_, st.tuples(st.integers(1, 40), st.integers(1, 40)),
               elements=st.booleans().map(bool)) | arrays(np.bool_, st.tuples(st.integers(1, 40), st.integers(1, 40)),
                                                          elements=st.sampled_from([True, True, True, False]))


@settings(max_examples=300, deadline=None)
@given(ink=pages, length=st.integers(1, 45), axis=st.sampled_from([0, 1]))
def test_runs_are_the_runs_at_least_a_rule_long(ink, length, axis):
    ink = np.ascontiguousarray(ink)
    got = ocr._runs(ink, length, axis)
    assert got.dtype == bool and got.shape == ink.shape
    assert np.array_equal(got, runs_by_definition(ink, length, axis))


@settings(max_examples=200, deadline=None)
@given(ink=pages, n=st.integers(1, 12), axis=st.sampled_from([0, 1]))
def test_smear_reaches_back_n_pixels_along_its_axis(ink, n, axis):
    ink = np.ascontiguousarray(ink)
    assert np.array_equal(ocr._smear(ink, n, axis), smear_by_definition(ink, n, axis))


def test_rules_go_and_text_stays_in_the_image_tesseract_reads():
    page = Image.new("L", (1200, 600), 255)
    draw = ImageDraw.Draw(page)
    draw.rectangle((100, 100, 1100, 103), fill=0)  # a table's rule, 4 px thick
    draw.rectangle((100, 100, 103, 500), fill=0)  # and its left border
    draw.rectangle((300, 200, 315, 240), fill=0)  # a letter's stem: shorter than a rule
    page = page.filter(ImageFilter.GaussianBlur(1))  # the grey edges of print as scanned
    binary, angle = ocr.binarize_skew(page, deskew=False)
    a = np.asarray(binary)
    assert binary.mode == "1" and angle == 0.0
    assert a[101, 600] and a[300, 101]  # white where the rules were
    assert not a[220, 307]  # the stem is still ink
    assert a[50, 50]  # the paper is white


# -- the doubtful words read again in the page's language -------------------------------------------------------

def _w(text, x0, x1, conf):
    return ocr.Word(text, x0, 100.0, x1, 110.0, 1, conf)


def test_a_doubtful_word_takes_the_surer_reading_over_it_and_keeps_its_place():
    first = _w("0110", 318.9, 334.8, 0.69)  # a decimal comma taken for a 1
    again = [_w("0,10", 319.5, 334.0, 0.93), _w("0,12", 360.0, 376.0, 0.95)]
    got = ocr._better_word(first, again)
    assert (got.text, got.conf) == ("0,10", 0.93)
    assert got.bbox == first.bbox  # columns do not move


def test_a_confident_word_or_a_less_sure_or_misplaced_reading_changes_nothing():
    sure = _w("Rechnung", 10.0, 60.0, 0.95)
    assert ocr._better_word(sure, [_w("Rechnunq", 10.0, 60.0, 0.99)]) is sure
    doubtful = _w("Kaufer", 10.0, 50.0, 0.6)
    assert ocr._better_word(doubtful, [_w("Käufer", 10.0, 50.0, 0.5)]) is doubtful  # less sure
    assert ocr._better_word(doubtful, [_w("Käufer", 45.0, 90.0, 0.9)]) is doubtful  # over another word
    assert ocr._better_word(doubtful, []) is doubtful


def test_only_lines_with_a_doubtful_word_are_read_again():
    assert ocr.doubtful([_w("Total", 0, 20, 0.95), _w("Gewlcht", 30, 60, 0.55)])
    assert not ocr.doubtful([_w("Total", 0, 20, 0.95), _w("|", 30, 31, 0.2)])  # no letter or digit in doubt
