"""Mill certificates as they arrive: scanned, turned on the page, a heats table with element-symbol columns in
decimal commas under a heat column named in the mill's language; and the real scanned EN 10204 3.1
certificates of ../shared when they are there."""
import json
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from appraiser.evaluation import score
from appraiser.extract import extract_pages
from appraiser.extract import load as loader
from appraiser.extract import ocr
from appraiser.extract.mill_certificate import _rate_header, chem_value

ROOT = Path(__file__).resolve().parents[2]
MTC_SCANS = (ROOT / ".." / "shared" / "corpus" / "external" / "mtc-scans").resolve()


def test_chemistry_cells_as_printed():
    assert chem_value("0,039") == Decimal("0.039")
    assert str(chem_value("0,0080")) == "0.0080"  # trailing zeros kept
    assert chem_value("0.18") == Decimal("0.18")  # either separator: a percentage never reaches a thousand
    assert chem_value("1,234") == Decimal("1.234")
    assert chem_value("| 0,17 |") == Decimal("0.17")
    assert chem_value("<0,001") is None  # a bound is no analysis
    assert chem_value("n.a.") is None and chem_value("") is None and chem_value("abc 12x") is None


def test_a_scans_lost_decimal_comma_and_letter_o():
    assert chem_value("043", scanned=True) == Decimal("0.43")
    assert chem_value("0039", scanned=True) == Decimal("0.039")
    assert chem_value("00071", scanned=True) == Decimal("0.0071")
    assert chem_value("O,13", scanned=True) == Decimal("0.13")
    # printed without a separator on a text layer: as printed (some mills print hundredths)
    assert chem_value("043") == Decimal("43")
    assert chem_value("19", scanned=True) == Decimal("19")


def test_a_mass_per_length_is_no_weight_column():
    assert _rate_header("Weight per") and _rate_header("Weight kg/m") and _rate_header("Masse pro m")
    assert not _rate_header("Weight (kg)") and not _rate_header("Net weight")


HEATS = [("A41237", ["0,21", "0,19", "0,031", "0,018", "0,74"]),
         ("A41238", ["0,20", "0,22", "0,027", "0,021", "0,69"]),
         ("A41240", ["0,18", "0,17", "0,035", "0,016", "0,81"])]


def _certificate(path: Path, heat_label: str) -> Path:
    """A one-page inspection certificate with a ruled heats table (landscape), like a mill prints it."""
    w, h = 11 * 72, 8.5 * 72
    c = canvas.Canvas(str(path), pagesize=(w, h))
    c.setFont("Helvetica-Bold", 12)
    c.drawString(50, h - 50, "ANADOLU CELIK HADDE SANAYI A.S.")
    c.drawString(260, h - 80, "INSPECTION CERTIFICATE EN 10204 3.1")
    c.setFont("Helvetica", 10)
    c.drawString(50, h - 110, "SPECIFICATION : ASTM A615 GRADE 60")
    xs = [50, 150, 210, 270, 330, 390, 450]
    top = h - 150
    c.drawString(xs[0] + 4, top - 14, heat_label)
    for x, sym in zip(xs[1:], ["C", "Si", "S", "P", "Mn"]):
        c.drawString(x + 22, top - 14, sym)
    rows = len(HEATS)
    for k in range(rows + 2):
        c.line(xs[0], top - 20 * k, xs[-1], top - 20 * k)
    for x in xs:
        c.line(x, top, x, top - 20 * (rows + 1))
    for r, (heat, values) in enumerate(HEATS):
        y = top - 20 * (r + 1) - 14
        c.drawString(xs[0] + 4, y, heat)
        for x, v in zip(xs[1:], values):
            c.drawString(x + 12, y, v)
    c.save()
    return path


@pytest.mark.skipif(not ocr.ocr_available(), reason="Tesseract is not installed")
@pytest.mark.parametrize("heat_label", ["Cast No.", "Döküm No"])
def test_sideways_scanned_certificate_gives_its_heats_and_chemistry(tmp_path, heat_label):
    pdf = _certificate(tmp_path / "cert.pdf", heat_label)
    upright = loader._PdfRender(str(pdf), 0)(200)
    scan = tmp_path / "cert.png"
    ocr.turn(upright, 270).save(scan, dpi=(200, 200))  # scanned with the landscape page turned on the glass
    loaded = loader.load(scan, scan.name)
    assert loaded.error is None and loaded.pages[0].width > loaded.pages[0].height
    doc = extract_pages(loaded, scan.name)
    assert doc.doc_type == "mill_certificate"
    assert doc.fields.get("certificate_type") == "EN 10204 3.1"
    items = [li.fields for li in doc.line_items]
    assert [f.get("heat_number") for f in items] == [h for h, _ in HEATS]
    for f, (_, values) in zip(items, HEATS):
        chem = f.get("chemistry")
        assert [chem.get(s) for s in ("C", "Si", "S", "P", "Mn")] == [Decimal(v.replace(",", ".")) for v in values]
    assert all(f.get("weight_kg") is None for f in items)  # nothing on the page gives a heat's weight


SAMPLE = 4  # of the twenty scans (a full run takes minutes): every fifth, which spans the three scan scales


@pytest.fixture(scope="module")
def mtc_scans():
    if not (MTC_SCANS / "truth.json").is_file():
        pytest.skip("external corpus ../shared/corpus/external/mtc-scans is absent")
    if not ocr.ocr_available():
        pytest.skip("Tesseract is not installed")
    truth = json.loads((MTC_SCANS / "truth.json").read_text(encoding="utf-8"))
    docs = truth["documents"][::len(truth["documents"]) // SAMPLE][:SAMPLE]
    predicted = []
    for d in docs:
        doc = extract_pages(loader.load(MTC_SCANS / d["path"], d["path"]), d["path"])
        predicted.append(doc.to_json(with_provenance=False))
    return {**truth, "documents": docs}, predicted


def test_real_scanned_certificates_read_upright(mtc_scans):
    truth, predicted = mtc_scans
    rep = score(truth, {"documents": predicted})
    assert rep.doc_type_accuracy == 1.0
    heats = rep.lines["mill_certificate"]["heat_number"]
    assert heats.f1 >= 0.95
    chem = [c for k, c in rep.lines["mill_certificate"].items() if k.startswith("chemistry")]
    tp, total = sum(c.tp for c in chem), sum(c.tp + c.fn for c in chem)
    assert tp / total >= 0.88
    fields = rep.by_type["mill_certificate"]
    assert fields["certificate_type"].f1 == 1.0 and fields["mill.name"].f1 == 1.0
