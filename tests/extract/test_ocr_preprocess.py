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
