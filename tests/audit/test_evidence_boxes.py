"""Evidence boxes sit on the words they cite, on the page as stored (the page the report crops and the binder
draws on): OCR boxes of a scan read turned upright and deskewed are mapped back to it, each charge of an invoice
has its own row's box, a condition-of-sale finding points at the clause's sentence, a related-party finding at the
statement's words. The measure is ``tests/audit/box_check.py``; its figures on the corpus are in FLOORS."""
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from appraiser.extract import extract_file, extract_pages
from appraiser.extract import load as loader
from appraiser.extract import ocr
from appraiser.extract.agreement import _CONDITION, _NOT_CONDITION, clause_of

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.audit import box_check  # noqa: E402

DEV = box_check.CORPUS / "dev"
needs_ocr = pytest.mark.skipif(not ocr.ocr_available(), reason="Tesseract is not installed")


# --- the measure itself -----------------------------------------------------------------------------------

def test_the_measure_tells_a_right_box_from_a_wrong_one():
    assert box_check.judge(["12,500.00"], "assist cost 12,500.00")
    assert not box_check.judge(["1,850.00", "142.50"], "charge: Ocean freight 1,850.00")  # straddles two
    assert not box_check.judge(["142.50"], "invoice SAI-255061: total USD 13,985.50")  # the line below
    assert not box_check.judge(["CONDITION", "OF", "SALE"], "payment a condition of sale: yes")  # the heading
    letterhead = "Officine Meccaniche Bresciane S.p.A. Via dell'Industria 88 · 25030 Castel Mella (BS) · Italy"
    statement = ("Intercompany sale: Officine Meccaniche Bresciane S.p.A. and Keystone Valve & Fitting Co. are "
                 "both wholly owned by Meridian Industrial Holdings, which controls the pricing between them.")
    assert not box_check.judge(letterhead.split(), statement)
    assert box_check.judge(statement.split()[2:], statement)
    assert box_check.judge(["12/14/2024"], "effective 2024-12-14")  # a date in another writing
    assert box_check.judge(["ISD", "2.039.614"], "payment FT1 USD 2039.61: fee", fuzzy=True)  # OCR's misreadings
    assert not box_check.judge([], "total 1.00")


# --- boxes through the turn and the deskew of a scan --------------------------------------------------------

def _mark(size=(600, 800), box=(420, 90, 470, 110)) -> Image.Image:
    im = Image.new("L", size, 255)
    im.paste(0, box)
    return im


def _ink_box(im: Image.Image) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(np.asarray(im) < 128)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("skew", [0.0, 1.7, -2.3])
def test_a_box_read_upright_and_deskewed_is_mapped_back_to_the_stored_page(rotate, skew):
    """The stored scan is turned and deskewed as OCR turns it (PIL's transpose and rotate); the mark's box read on
    that image, mapped back, lies on the mark of the stored page within a pixel or two (the deskew's box is the
    box around the mark's turned corners, so it grows by the turn)."""
    stored = _mark()
    read = ocr.turn(stored, rotate)
    if skew:
        read = read.rotate(skew, resample=Image.NEAREST, fillcolor=255)
    placement = ocr.Placement(read.width, read.height, rotate, skew)
    got = placement.stored(_ink_box(read))
    want = (420, 90, 470, 110)
    grow = 2 + abs(np.sin(np.radians(skew))) * 50  # the corners of a 50 x 20 box turned by the skew
    assert all(abs(g - w) <= grow for g, w in zip(got, want)), (got, want)
    assert got[0] <= want[0] + 2 and got[1] <= want[1] + 2 and got[2] >= want[2] - 2 and got[3] >= want[3] - 2


def test_unskew_leaves_a_page_read_straight_as_it_is():
    assert ocr.unskew_box((1.0, 2.0, 3.0, 4.0), 100, 100, 0.0) == (1.0, 2.0, 3.0, 4.0)
    assert ocr.Placement(100, 100).stored((1.0, 2.0, 3.0, 4.0)) == (1.0, 2.0, 3.0, 4.0)


PAGE = (5 * 72, 4 * 72)
LINES = ["COMMERCIAL INVOICE", "Invoice No. CX-2291 dated 12 March 2025", "Seller: Harbour Steel Works Ltd",
         "Ocean freight 1,850.00", "Marine insurance 142.50", "Invoice total USD 13,985.50"]


@pytest.fixture(scope="module")
def upright_page(tmp_path_factory) -> Image.Image:
    pdf = tmp_path_factory.mktemp("page") / "page.pdf"
    c = canvas.Canvas(str(pdf), pagesize=PAGE)
    c.setFont("Helvetica", 12)
    y = PAGE[1] - 36
    for text in LINES:
        c.drawString(30, y, text)
        y -= 24
    c.save()
    return loader._PdfRender(str(pdf), 0)(300)


@needs_ocr
@pytest.mark.parametrize("turned, skew", [(90, 1.6), (0, -2.0)])
def test_ocr_words_boxes_lie_on_the_scan_as_stored(tmp_path, upright_page, turned, skew):
    """A scan stored sideways (or straight) and skewed: the words are read upright and deskewed, and each word's
    box, mapped back, holds that word on the stored image (read again from the crop alone)."""
    stored = ocr.turn(upright_page, turned).rotate(skew, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    scan = tmp_path / "scan.png"
    stored.save(scan, dpi=(300, 300))
    page = loader.load(scan, scan.name).pages[0]
    assert page.placement is not None and page.placement.rotate == (360 - turned) % 360
    scale = box_check.OCR_DPI / 300
    image = stored.resize((round(stored.width * scale), round(stored.height * scale)))
    checked = 0
    for want in ("CX-2291", "1,850.00", "142.50", "13,985.50"):
        word = next(w for w in page.words if w.text == want)
        held = box_check.ocr_box(image, page.stored_box(word.bbox), page.placement.rotate)
        assert box_check.judge(held, want, fuzzy=True), (want, held)
        checked += 1
    assert checked == 4


# --- each charge its own box; the clause's sentence ----------------------------------------------------------

@needs_ocr
def test_each_charge_of_a_scanned_invoice_has_its_own_box_on_its_amount():
    rel = "Cascade/2025-08 Saigon/invoice SAI-255061 scan.png"
    doc, _ = extract_file(DEV / rel, rel)
    charges = doc.get("charges")
    parts = [doc.fields.part("charges", i) for i in range(len(charges))]
    assert len(charges) == 2 and all(p is not None for p in parts)
    assert parts[0].bbox != parts[1].bbox
    pages = box_check.Pages(DEV)
    for c, p in zip(charges, parts):
        held, fuzzy = pages.words_in(rel, p.page, p.bbox)
        assert box_check.judge(held, f"{c['description']} {c['amount']:,}", fuzzy), (c, held)
    total = doc.fields.prov("total")
    held, fuzzy = pages.words_in(rel, total.page, total.bbox)
    assert box_check.judge(held, "total 13,985.50", fuzzy), held


def test_parts_survive_the_store():
    from appraiser.models.convert import document_from_json
    from appraiser.models.records import Document, Provenance

    doc = Document(path="a.pdf", sha256="x", doc_type="commercial_invoice")
    rows = [Provenance("a.pdf", 1, (1.0, 2.0, 3.0, 4.0)), Provenance("a.pdf", 1, (1.0, 6.0, 3.0, 8.0))]
    doc.fields.set("charges", [{"kind": "freight", "amount": 1}, {"kind": "insurance", "amount": 2}], rows[0], rows)
    back = document_from_json(doc.to_json())
    assert [back.fields.part("charges", i).bbox for i in (0, 1)] == [(1.0, 2.0, 3.0, 4.0), (1.0, 6.0, 3.0, 8.0)]
    assert back.fields.part("charges", 2) is None


def test_clause_of_is_the_sentence_not_the_heading():
    flat = ("within thirty days. 4. CONDITION OF SALE 4.1 The manufacturer has agreed not to sell the goods unless "
            "paid. Payment of the royalty is a condition of the sale of the Licensed Products to Licensee. 5. RECORDS")
    assert clause_of(flat, _CONDITION) == \
        "Payment of the royalty is a condition of the sale of the Licensed Products to Licensee."
    denied = "7. NO CONDITION The Licensee may buy the goods without paying the fee. Other terms apply."
    assert clause_of(denied, _NOT_CONDITION) == "The Licensee may buy the goods without paying the fee."
    assert clause_of("CONDITION OF SALE", _CONDITION) == "CONDITION OF SALE"  # only a heading: itself


def test_the_condition_of_sale_box_holds_the_clause():
    rel = "Cascade/2025-04 Xiamen/agreement LA-2025-23.pdf"
    doc = extract_pages(loader.load(DEV / rel, rel), rel)
    p = doc.fields.prov("condition_of_sale")
    assert doc.get("condition_of_sale") is True
    assert p.text == "Payment of the royalty is a condition of the sale of the Licensed Products to Licensee."
    held, _ = box_check.Pages(DEV).words_in(rel, p.page, p.bbox)
    assert "CONDITION" not in held and {"Payment", "royalty", "condition"} <= set(held)


# --- the findings' boxes, end to end ---------------------------------------------------------------------------

# measured with `.venv/bin/python -m tests.audit.box_check dev check` (every finding's boxes on a whole split, some
# minutes of OCR each, so not run here): before these fixes dev 56 / 64, check 52 / 57; after them dev 63 / 64 and
# check 62 / 64 (the boxes left are agreements' titles, right, cited by the kind they name: "selling commission
# agreement" on "SALES REPRESENTATION AGREEMENT"). The entries below rest on each class of fix; all their boxes
# are right.
FLOORS = {"few": 1.0}
FOLDERS = ("Cascade/2025-08 Saigon", "Keystone/2026-01 Officine", "Cascade/2025-04 Xiamen")


@needs_ocr
def test_the_boxes_of_a_few_entries_findings(tmp_path):
    """Three entries whose findings rest on a skewed scan (a deduction, its charges and total), a related-party
    statement and a royalty agreement's clause: every box right."""
    import json

    truth = json.loads((DEV / "truth.json").read_text(encoding="utf-8"))
    paths = {d["path"] for d in truth["documents"] if d["path"].rsplit("/", 1)[0] in FOLDERS}
    findings = box_check.findings_of(DEV, tmp_path / "boxes.db", paths)
    assert {f.code for f in findings} >= {"DEDUCTION_UNSUPPORTED", "RELATED_PARTY_UNDECLARED", "ROYALTY_UNDECLARED"}
    tally = box_check.check(DEV, findings)
    assert tally.total >= 14
    assert tally.share >= FLOORS["few"], tally.wrong
