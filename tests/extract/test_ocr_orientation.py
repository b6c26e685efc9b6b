"""Scans the way they arrive: pages turned sideways or upside down are read upright (words, page size and
render in the upright page's frame), upright pages pay no orientation check, and the language models follow
the page's language."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from appraiser.extract import load as loader
from appraiser.extract import ocr
from appraiser.extract.pages import Word

pytestmark = pytest.mark.skipif(not ocr.ocr_available(), reason="Tesseract is not installed")

PAGE = (5 * 72, 4 * 72)  # a portrait-less small page: wider than tall, so a quarter turn shows in its size
ENGLISH = ["COMMERCIAL INVOICE", "Invoice No. CX-2291 dated 12 March 2025",
           "Seller: Harbour Steel Works Ltd, 14 Quay Road",
           "Goods: hot rolled steel coils of the quality ordered",
           "Total weight of the shipment 24,500 kg net",
           "Payment by wire transfer within thirty days of the date"]
SPANISH = ["FACTURA COMERCIAL", "Factura No. 4471 de fecha 12 de marzo de 2025",
           "Vendedor: Aceros del Pacífico, S.A. de C.V.",
           "Descripción de la mercancía y el precio unitario por tonelada",
           "Cantidad total de la factura en pesos con el importe neto",
           "Condiciones de pago: transferencia a treinta días de la fecha"]


def _page_image(tmp_path: Path, lines: list[str], dpi: int = 300) -> Image.Image:
    pdf = tmp_path / "page.pdf"
    c = canvas.Canvas(str(pdf), pagesize=PAGE)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(24, PAGE[1] - 40, lines[0])
    c.setFont("Helvetica", 11)
    y = PAGE[1] - 70
    for text in lines[1:]:
        c.drawString(24, y, text)
        y -= 20
    c.save()
    return loader._PdfRender(str(pdf), 0)(dpi)


def _words(words: list[Word]) -> set[str]:
    return {w.text.strip(".,:;").lower() for w in words if w.conf >= 0.5}


@pytest.fixture(scope="module")
def upright(tmp_path_factory):
    return _page_image(tmp_path_factory.mktemp("upright"), ENGLISH)


@pytest.fixture(scope="module")
def upright_reading(upright):
    return ocr.ocr_page(upright, 300, 1)


def test_upright_page_is_read_once_without_an_orientation_check(upright, monkeypatch):
    def no_osd(*a, **k):
        raise AssertionError("OSD ran on an upright page")

    monkeypatch.setattr(ocr, "detect_orientation", no_osd)
    got = ocr.ocr_page(upright, 300, 1)
    assert (got.rotate, got.osd, got.passes, got.lang) == (0, 0, 1, ocr.BASE_LANG)
    assert {"commercial", "invoice", "harbour", "steel", "coils"} <= _words(got.words)


@pytest.mark.parametrize("turned", [90, 180, 270])
def test_turned_page_reads_the_same_words_upright(tmp_path, upright, upright_reading, turned):
    # the scan lies turned: to read it, it must be turned back by the rest of the circle
    scan = tmp_path / f"scan{turned}.png"
    ocr.turn(upright, turned).save(scan, dpi=(300, 300))
    got = loader.load(scan, scan.name)
    assert got.error is None
    page = got.pages[0]
    ref = _words(upright_reading.words)
    read = _words(page.words)
    assert len(ref & read) >= 0.9 * len(ref)
    # the page is the upright page: its size, its word boxes and its render
    assert (round(page.width), round(page.height)) == PAGE
    title = next(w for w in page.words if w.text.upper() == "COMMERCIAL")
    assert title.x0 < 0.3 * page.width and title.top < 0.25 * page.height
    assert all(0 <= w.x0 < w.x1 <= page.width + 1 and 0 <= w.top < w.bottom <= page.height + 1 for w in page.words)
    img = page.image(72)
    assert abs(img.width - PAGE[0]) <= 2 and abs(img.height - PAGE[1]) <= 2
    ink = np.asarray(img.convert("L")) < 128
    ys, xs = np.nonzero(ink)
    assert ys.min() < 0.25 * img.height and xs.min() < 0.3 * img.width  # the title's ink is top left


def test_a_sideways_page_is_turned_before_its_only_reading(upright):
    got = ocr.ocr_page(ocr.turn(upright, 90), 300, 1)
    assert got.rotate == 270 and got.osd == 1 and got.passes == 1


def test_line_direction_tells_upright_from_sideways(upright):
    gray, _ = ocr.grayscale(upright, 300)
    assert ocr.line_direction(gray) > ocr.SIDEWAYS_RATIO
    assert ocr.line_direction(ocr.turn(gray, 90)) < ocr.SIDEWAYS_RATIO
    assert ocr.line_direction(Image.new("L", (600, 400), 255)) is None  # a blank page cannot tell


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_turn_box_follows_the_turned_image(rotate):
    w, h = 60, 40
    a = np.full((h, w), 255, np.uint8)
    a[5:12, 10:30] = 0  # a box (x0=10, top=5, x1=30, bottom=12)
    turned = np.asarray(ocr.turn(Image.fromarray(a), rotate)) < 128
    ys, xs = np.nonzero(turned)
    assert ocr.turn_box((10, 5, 30, 12), w, h, rotate) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)


def test_blank_page_reads_nothing_and_does_not_raise():
    got = ocr.ocr_page(Image.new("RGB", (900, 600), "white"), 300, 1)
    assert got.words == [] and got.rotate == 0


def test_language_of_a_page_from_its_words():
    def words(text):
        return [Word(t, 0, 0, 1, 1, 1, 0.9) for t in text.split()]

    assert ocr.page_language(words("The seller of the goods and the buyer agree to the terms")) == "eng"
    assert ocr.page_language(words("Factura de la mercancía con el precio por tonelada de acero")) == "spa"
    assert ocr.page_language(words("Rechnung über die Lieferung der Ware mit dem Preis für das Stück")) == "deu"
    # a Spanish name on an English page does not make it Spanish
    assert ocr.page_language(words("Invoice of the goods from Aceros del Norte to the buyer by sea")) == "eng"
    assert ocr.page_language([]) == "eng"


GERMAN = ["HANDELSRECHNUNG", "Rechnung Nr. 4471 vom 12. März 2025 für die Lieferung",
          "Verkäufer: Schwäbische Stahlwerke GmbH und Co. KG",
          "Die Ware wird mit dem Schiff an den Käufer geliefert",
          "Der Preis ist in Euro und die Zahlung erfolgt in dreißig Tagen",
          "Gewicht der Lieferung und Menge der Stücke auf der Rechnung"]


def test_spanish_page_is_read_once_by_the_first_models(tmp_path):
    got = ocr.ocr_page(_page_image(tmp_path, SPANISH), 300, 1)
    assert "spa" in got.lang.split("+") and got.passes == 1 and got.osd == 0
    assert {"factura", "mercancía", "descripción"} & _words(got.words)


@pytest.mark.skipif("deu" not in ocr.installed_languages(), reason="no German model installed")
def test_german_page_has_its_doubtful_lines_read_again_with_the_german_model(tmp_path):
    got = ocr.ocr_page(_page_image(tmp_path, GERMAN), 300, 1)
    # one reading of the page; the lines the first models read with little confidence, again in one more call
    assert "deu" in got.lang.split("+") and got.passes == 1 and got.osd == 0
    assert 1 <= got.lines_reread < len(GERMAN)
    assert {"verkäufer", "käufer", "dreißig"} & _words(got.words)


def test_english_page_keeps_the_first_models(upright_reading):
    assert upright_reading.lang == ocr.BASE_LANG and upright_reading.passes == 1
