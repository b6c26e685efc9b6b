"""The 7501 fee block: MPF and HMF read by their class codes (499, 501), the amount and never the rate printed
beside it, and only an amount plausible for the entered value."""
from decimal import Decimal
from pathlib import Path

import pytest

from appraiser.audit import revenue
from appraiser.extract import extract_file
from appraiser.extract.entry_summary import extract, plausible_fee
from appraiser.extract.load import load
from appraiser.fixtures.forms import entry_summary
from appraiser.fixtures.render import new_canvas, text

VALUE = Decimal("130535")
MPF = revenue.mpf(VALUE, "2026-03-03")  # 452.17
HMF = revenue.hmf(VALUE, "11")  # 163.17


def _form_data(fees):
    line = {"line_no": 1, "description": "STEEL BEAMS", "hts": "7216.33.0090", "gross_kg": Decimal("25000"),
            "quantity": Decimal("24500"), "unit": "KG", "entered_value": VALUE, "rate_text": "Free",
            "duty": Decimal("0.00"), "related": False, "invoice_number": "INV-77", "currency": "USD",
            "invoice_value": VALUE}
    total_fees = sum((f[2] for f in fees), Decimal(0))
    return {"entry_number": "ABC-1234567-6", "entry_type": "01", "summary_date_us": "03/10/2026",
            "port_code": "2704", "entry_date_us": "03/03/2026", "carrier": "MAERSK", "mode": "11",
            "origin": "KR", "import_date_us": "03/03/2026", "bl": "MAEU123", "mid": "KRPOSCO123SEO",
            "export_country": "KR", "export_date_us": "02/01/2026", "lading": "58023", "unlading": "2704",
            "location": "", "importer_no": "12-3456789", "reference": "", "importer_lines": ["ACME STEEL INC"],
            "lines": [line], "fees": fees, "total_entered_value": VALUE, "total_duty": Decimal("0.00"),
            "other_fees": total_fees, "total": total_fees}


def _read(path: Path):
    loaded = load(path, path.name)
    return extract(loaded.pages, path.name)[0]


def test_project_layout_reads_amounts_not_the_rates_beside_the_codes(tmp_path):
    pdf = tmp_path / "es.pdf"
    entry_summary(pdf, _form_data([("499", "MPF  0.3464", MPF), ("501", "HMF  0.125", HMF)]))
    fs = _read(pdf)
    assert fs.get("total_entered_value") == VALUE
    assert fs.get("mpf") == MPF and fs.get("hmf") == HMF
    prov = fs.field("mpf").prov
    assert prov is not None and prov.page == 1


def _columns_layout(path: Path, rows, value=VALUE, heading=True):
    """A broker's print of the fee block: codes, names, rates and amounts in columns, the rate beside."""
    c = new_canvas(path, "Entry Summary")
    text(c, 40, 40, "DEPARTMENT OF HOMELAND SECURITY", 8, bold=True)
    text(c, 300, 50, "ENTRY SUMMARY", 14, bold=True, center=True)
    text(c, 40, 80, "Filer Code/Entry No.", 7)
    text(c, 40, 92, "ABC-1234567-6", 9)
    text(c, 200, 80, "Entry Date", 7)
    text(c, 200, 92, "03/03/2026", 9)
    text(c, 40, 130, "Total Entered Value", 7)
    text(c, 40, 142, f"$ {value:,}", 9)
    top = 190
    if heading:
        text(c, 40, top, "Other Fee Summary", 9, bold=True)
        top += 16
        for x, head in ((40, "Class"), (90, "Description"), (330, "Rate"), (520, "Amount")):
            text(c, x, top, head, 8, bold=True)
    for row in rows:
        top += 14
        for x, cell in zip((40, 90, 330, 560), row):
            text(c, x, top, cell, 9, right=(x == 560))
    c.showPage()
    c.save()


def test_columns_layout_with_rates_beside(tmp_path):
    pdf = tmp_path / "broker.pdf"
    _columns_layout(pdf, [("499", "Merchandise Processing Fee", "0.3464", f"{MPF:,}"),
                          ("501", "Harbor Maintenance Fee", "0.125", f"{HMF:,}")])
    fs = _read(pdf)
    assert fs.get("mpf") == MPF and fs.get("hmf") == HMF


def test_rate_printed_with_percent_and_dollar_amounts(tmp_path):
    pdf = tmp_path / "pct.pdf"
    _columns_layout(pdf, [("499", "MPF", "0.3464%", f"$ {MPF:,}"), ("501", "HMF", "0.1250 %", f"${HMF:,}")])
    fs = _read(pdf)
    assert fs.get("mpf") == MPF and fs.get("hmf") == HMF


def test_rate_alone_is_no_fee(tmp_path):
    """A row with only the rate printed: the fee is absent, not 0.3464."""
    pdf = tmp_path / "rate_only.pdf"
    _columns_layout(pdf, [("499", "Merchandise Processing Fee", "0.3464", ""),
                          ("501", "Harbor Maintenance Fee", "0.125", "")])
    fs = _read(pdf)
    assert fs.get("mpf") is None and fs.get("hmf") is None


def test_implausible_fee_is_left_out(tmp_path):
    """An MPF twenty times what the entered value allows, an HMF above 0.125 %: left out."""
    pdf = tmp_path / "implausible.pdf"
    _columns_layout(pdf, [("499", "MPF", "0.3464", "9,043.40"), ("501", "HMF", "0.125", "1,631.70")])
    fs = _read(pdf)
    assert fs.get("mpf") is None and fs.get("hmf") is None


def test_two_codes_on_one_line(tmp_path):
    pdf = tmp_path / "one_line.pdf"
    c = new_canvas(pdf, "Entry Summary")
    text(c, 300, 50, "ENTRY SUMMARY", 14, bold=True, center=True)
    text(c, 40, 130, "Total Entered Value", 7)
    text(c, 40, 142, f"$ {VALUE:,}", 9)
    text(c, 40, 200, "39. Other Fee Summary:", 8, bold=True)
    text(c, 150, 200, f"499 MPF  0.3464%  ${MPF:,}", 9)
    text(c, 360, 200, f"501 HMF  0.125%  ${HMF:,}", 9)
    c.showPage()
    c.save()
    fs = _read(pdf)
    assert fs.get("mpf") == MPF and fs.get("hmf") == HMF


def test_plausibility_against_the_fee_table():
    _, lo, hi, _ = revenue.mpf_limits("2026-03-03")
    # the minimum, the maximum and the straight percentage are plausible
    assert plausible_fee("mpf", lo, Decimal("1000"), "2026-03-03")
    assert plausible_fee("mpf", hi, Decimal("5000000"), "2026-03-03")
    assert plausible_fee("mpf", MPF, VALUE, "2026-03-03")
    # an overpayment at 0.3464 % above the maximum stays plausible (the audit reports it)
    assert plausible_fee("mpf", revenue.q2(Decimal("5000000") * revenue.MPF_RATE / 100), Decimal("5000000"),
                         "2026-03-03")
    # a rate read as an amount, or an amount far above what the value allows, is not
    assert not plausible_fee("mpf", revenue.MPF_RATE, VALUE, "2026-03-03")
    assert not plausible_fee("mpf", MPF * 10, VALUE, "2026-03-03")
    assert not plausible_fee("hmf", HMF * 2, VALUE, "2026-03-03")
    assert plausible_fee("hmf", HMF, VALUE, "2026-03-03")
    assert not plausible_fee("hmf", Decimal("0"), VALUE, None)


def test_fees_survive_extraction_end_to_end(tmp_path):
    pdf = tmp_path / "es2.pdf"
    entry_summary(pdf, _form_data([("499", "MPF", MPF), ("501", "HMF", HMF)]), layout="2024")
    doc, _ = extract_file(pdf, pdf.name)
    assert doc.error is None and doc.doc_type == "entry_summary"
    assert doc.get("mpf") == MPF and doc.get("hmf") == HMF


@pytest.mark.parametrize("garbage", [b"", b"%PDF-1.4 broken", b"\x00" * 64])
def test_bad_input_never_raises(tmp_path, garbage):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(garbage)
    doc, _ = extract_file(bad, bad.name)
    assert doc.get("mpf") is None


def test_rightmost_plausible_figure_of_the_row(tmp_path):
    """The fee's base printed after the fee ("499-MPF 452.17 on 130,535.00"): the base is no fee."""
    pdf = tmp_path / "base.pdf"
    _columns_layout(pdf, [("499-MPF", "0.3464%", f"{MPF:,}", f"{VALUE:,}.00"),
                          ("501HMF", "0.125%", f"{HMF:,}", f"{VALUE:,}.00")])
    fs = _read(pdf)
    assert fs.get("mpf") == MPF and fs.get("hmf") == HMF


def test_fees_per_line_and_their_summary(tmp_path):
    """Fees printed under each line and again in the summary: the summary's, the sum of the lines'."""
    pdf = tmp_path / "per_line.pdf"
    first = Decimal("300.00")
    _columns_layout(pdf, [("499", "MPF line 1", "0.3464%", f"{first:,}"),
                          ("499", "MPF line 2", "0.3464%", f"{MPF - first:,}"),
                          ("", "", "", ""), ("499", "MPF total", "", f"{MPF:,}")], heading=False)
    fs = _read(pdf)
    assert fs.get("mpf") == MPF


def test_different_fees_with_no_summary_are_left_out(tmp_path):
    """Two different MPF amounts, neither the summary nor the sum of the other: not guessed."""
    pdf = tmp_path / "two.pdf"
    _columns_layout(pdf, [("499", "MPF", "0.3464%", "300.00"), ("499", "MPF", "0.3464%", "100.00")], heading=False)
    assert _read(pdf).get("mpf") is None


def test_a_quantity_of_499_is_no_fee(tmp_path):
    """"499 PCS" on a description line, with a duty in cents beside it: no class code, no MPF."""
    pdf = tmp_path / "qty.pdf"
    _columns_layout(pdf, [("499", "PCS STEEL BRACKETS", "", "56.78")], heading=False)
    assert _read(pdf).get("mpf") is None
