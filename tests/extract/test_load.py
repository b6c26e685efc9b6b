"""Loading: the file's kind from its bytes, text layers, OCR of images, office files, and every failure path
ending in a clear message instead of an exception."""
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from appraiser.extract import load as loader
from appraiser.extract.pages import Word

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
INVOICE = next(DEMO.rglob("CI DPP-2503-0117.pdf"))


def _pdf(path: Path, lines: list[str], **kw) -> Path:
    c = canvas.Canvas(str(path), pagesize=letter, **kw)
    y = 720
    for text in lines:
        c.drawString(72, y, text)
        y -= 18
    c.save()
    return path


def _png_of_page(pdf: Path, dest: Path, dpi: int = 300, fmt: str = "PNG") -> Path:
    img = loader._PdfRender(str(pdf), 0)(dpi)
    img.save(dest, format=fmt, dpi=(dpi, dpi))
    return dest


def test_sniff_reads_the_bytes_not_the_name():
    assert loader.sniff(b"%PDF-1.7\n") == "pdf"
    assert loader.sniff(b"\x89PNG\r\n\x1a\n....") == "png"
    assert loader.sniff(b"\xff\xd8\xff\xe0") == "jpeg"
    assert loader.sniff(b"II*\x00") == "tiff"
    assert loader.sniff(b"PK\x03\x04") == "zip"
    assert loader.sniff(b"Dear customer, please find") is None


def test_born_digital_pdf_gives_words_with_boxes_and_rules():
    got = loader.load(INVOICE, "ci.pdf")
    assert got.error is None and len(got.pages) == 1
    page = got.pages[0]
    assert page.method == "text" and len(page.words) > 50
    w = next(w for w in page.words if w.text == "DPP-2503-0117")
    assert 0 <= w.x0 < w.x1 <= page.width and 0 <= w.top < w.bottom <= page.height


def test_a_scan_saved_with_a_pdf_name_is_read_as_an_image(tmp_path):
    src = _pdf(tmp_path / "src.pdf", ["COMMERCIAL INVOICE", "Invoice No. QX-77120", "Total USD 4,512.80"])
    fake = _png_of_page(src, tmp_path / "scan.pdf", fmt="JPEG")
    got = loader.load(fake, "scan.pdf")
    assert got.error is None and got.ocr
    texts = [w.text for w in got.pages[0].words]
    assert "QX-77120" in texts and "4,512.80" in texts
    w = next(w for w in got.pages[0].words if w.text == "QX-77120")
    assert w.conf is not None and 0 < w.conf <= 1
    # OCR boxes are in points of the 8.5 × 11 in page, where the text was drawn (x = 72 pt, 72 pt from the top)
    first = got.pages[0].words[0]
    assert abs(got.pages[0].width - 612) < 2 and first.text == "COMMERCIAL"
    assert abs(first.x0 - 72) < 3 and abs(first.bottom - 72) < 4


def test_multi_page_tiff_gives_one_page_per_frame(tmp_path):
    a = _png_of_page(_pdf(tmp_path / "a.pdf", ["PACKING LIST", "Cartons 12"]), tmp_path / "a.png", dpi=200)
    b = _png_of_page(_pdf(tmp_path / "b.pdf", ["PAGE TWO", "Gross weight 310 kg"]), tmp_path / "b.png", dpi=200)
    from PIL import Image

    frames = [Image.open(a), Image.open(b)]
    tiff = tmp_path / "fax.tif"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(200, 200))
    got = loader.load(tiff, "fax.tif")
    assert got.error is None and [p.number for p in got.pages] == [1, 2]
    assert "TWO" in [w.text for w in got.pages[1].words]
    assert all(w.page == 2 for w in got.pages[1].words)


def test_image_without_text_layer_inside_a_pdf_is_ocred(tmp_path):
    png = _png_of_page(_pdf(tmp_path / "src.pdf", ["MILL TEST CERTIFICATE", "Heat No. H2509911"]),
                       tmp_path / "p.png")
    c = canvas.Canvas(str(tmp_path / "scan.pdf"), pagesize=letter)
    c.drawImage(str(png), 0, 0, width=612, height=792)
    c.save()
    got = loader.load(tmp_path / "scan.pdf", "scan.pdf")
    assert got.error is None and got.pages[0].method == "ocr"
    assert "H2509911" in [w.text for w in got.pages[0].words]


def test_encrypted_pdf_is_reported(tmp_path):
    p = _pdf(tmp_path / "locked.pdf", ["COMMERCIAL INVOICE"], encrypt="s3cret")
    got = loader.load(p, "locked.pdf")
    assert got.error == "encrypted PDF (password required)" and not got.pages


@pytest.mark.parametrize("content,expected", [
    (b"", "empty file (0 bytes)"),
    (b"Invoice 123\nTotal 10.00\n", "unsupported file type (plain text"),
    (b"<html><body>invoice</body></html>", "unsupported file type (HTML"),
    (bytes(range(256)) * 8, "unsupported file type (binary data"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "corrupt"),
])
def test_bad_content_gives_a_message(tmp_path, content, expected):
    p = tmp_path / "x.pdf"
    p.write_bytes(content)
    got = loader.load(p, "x.pdf")
    assert got.error is not None and got.error.startswith(expected), got.error
    assert not got.pages


def test_truncated_pdf_and_directory(tmp_path):
    data = INVOICE.read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: len(data) // 4])
    got = loader.load(p, "cut.pdf")
    assert got.error and ("corrupt or truncated" in got.error or "unsupported" not in got.error)
    d = tmp_path / "folder.pdf"
    d.mkdir()
    assert loader.load(d, "folder.pdf").error == "cannot read file: is a directory"


def test_a_zip_that_is_no_office_file_is_unsupported(tmp_path):
    import zipfile

    p = tmp_path / "docs.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hello")
    got = loader.load(p, "docs.zip")
    assert got.error.startswith("unsupported file type (zip archive")


def test_word_invoice_is_read_into_words(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("COMMERCIAL INVOICE")
    d.add_paragraph("Invoice No.: WD-2025-0042")
    t = d.add_table(rows=2, cols=3)
    for i, cell in enumerate(["Description", "Qty", "Amount"]):
        t.rows[0].cells[i].text = cell
    for i, cell in enumerate(["Brass fittings", "1,200", "3,480.00"]):
        t.rows[1].cells[i].text = cell
    p = tmp_path / "inv.docx"
    d.save(p)
    got = loader.load(p, "inv.docx")
    assert got.error is None and got.pages[0].method == "text"
    words = got.pages[0].words
    assert "WD-2025-0042" in [w.text for w in words]
    qty = next(w for w in words if w.text == "1,200")
    head = next(w for w in words if w.text == "Qty")
    assert abs(qty.x0 - head.x0) < 1 and qty.top > head.top  # the column stays a column


def test_spreadsheet_keeps_exact_numbers(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Part", "Qty", "Unit price"])
    ws.append(["HB-2201", 12000, 2.15])
    p = tmp_path / "pl.xlsx"
    wb.save(p)
    got = loader.load(p, "pl.xlsx")
    texts = [w.text for w in got.pages[0].words]
    assert "2.15" in texts and "12000" in texts
    assert Decimal(next(t for t in texts if t.startswith("2.1"))) == Decimal("2.15")


def test_unmapped_glyphs_are_not_a_text_layer():
    def words(texts):
        return [Word(t, 0, 0, 1, 1, 1) for t in texts]

    assert loader.usable_text(words(["Invoice", "No.", "123"]))
    assert not loader.usable_text(words(["(cid:12)(cid:7)", "(cid:3)", "(cid:44)", "ab"]))
    assert not loader.usable_text(words(["--", "|"]))


def test_image_dpi_falls_back_when_missing_or_implausible():
    assert loader.image_dpi({"dpi": (200, 200)}) == 200
    assert loader.image_dpi({}) == loader.IMAGE_DEFAULT_DPI
    assert loader.image_dpi({"dpi": (1, 1)}) == loader.IMAGE_DEFAULT_DPI
    assert loader.image_dpi({"dpi": ("x", "y")}) == loader.IMAGE_DEFAULT_DPI
