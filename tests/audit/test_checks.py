"""HTS, quantity and arithmetic consistency (audit/hts.py, quantity.py, arithmetic.py; shared helpers in audit/crosscheck.py) on the corpus truth and on made-up entries."""
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from appraiser.audit import audit
from appraiser.audit.revenue import Tariff, load_tariff
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document

ROOT = Path(__file__).resolve().parents[2]
CODES = ("HTS_MISMATCH", "QUANTITY_MISMATCH", "ARITHMETIC_ERROR")


def _corpus(split):
    folder = ROOT / "fixtures" / "corpus" / split
    truth = json.loads((folder / "truth.json").read_text())
    result = audit([document_from_json(d) for d in truth["documents"]], tariff=load_tariff(folder / "tariff.csv"))
    return truth, result


@pytest.mark.parametrize("split", ["dev", "check"])
def test_planted_consistency_findings_and_no_others(split):
    truth, result = _corpus(split)
    expected = sorted((f["entry_number"], f["code"], D(f["loss_of_revenue"])) for f in truth["findings"]
                      if f["code"] in CODES)
    found = sorted((f.entry_number, f.code, f.loss_of_revenue) for f in result.findings if f.code in CODES)
    assert found == expected and len(expected) == 3
    assert not result.errors


def entry(lines, number="ABC-1234567-6", **header):
    fields = {"entry_number": number, "entry_date": "2025-05-01", "mode_of_transport": "40",
              "total_entered_value": sum((D(ln["entered_value"]) for ln in lines), D(0)), **header}
    return Document.of("7501.pdf", "entry_summary", fields, lines)


def invoice(items, **fields):
    return Document.of("inv.pdf", "commercial_invoice", {"invoice_number": "A-1", "currency": "USD", **fields}, items)


def codes(*docs, tariff=None):
    return {f.code: f for f in audit(list(docs), tariff=tariff).findings if f.code in CODES}


LINE = {"line_no": 1, "hts": "8483.90.5000", "description": "GEAR PARTS", "entered_value": D("10000"),
        "duty_rate": D("2.8"), "quantity": D("100"), "unit": "PCS"}


def test_a_six_digit_invoice_hts_consistent_with_the_declaration_is_no_mismatch():
    inv = invoice([{"line_no": 1, "hts": "8483.90", "quantity": D("100"), "unit": "PCS", "unit_price": D("100"),
                    "amount": D("10000")}], total=D("10000"), invoice_number="A-1")
    assert "HTS_MISMATCH" not in codes(entry([LINE], invoice_numbers=["A-1"]), inv)


def test_an_hts_with_a_higher_rate_owes_the_difference_on_the_line_value():
    inv = invoice([{"line_no": 1, "hts": "8483.40.5010", "quantity": D("100"), "unit": "PCS",
                    "unit_price": D("100"), "amount": D("10000")}], total=D("10000"))
    tariff = Tariff({"8483405010": "5.7%"}, {})
    f = codes(entry([LINE], invoice_numbers=["A-1"]), inv, tariff=tariff)["HTS_MISMATCH"]
    assert f.duty_delta == D("290.00") and f.fees_delta == D("0") and f.loss_of_revenue == D("290.00")
    assert not f.rate_unknown
    # without a schedule the rate is unknown: the difference is reported with no amount
    g = codes(entry([LINE], invoice_numbers=["A-1"]), inv)["HTS_MISMATCH"]
    assert g.rate_unknown and g.loss_of_revenue == D("0.00")


def test_quantities_in_pieces_and_in_weights():
    inv = invoice([{"line_no": 1, "part_number": "G-1", "hts": "8483.90.5000", "quantity": D("100"), "unit": "PCS",
                    "unit_price": D("100"), "amount": D("10000")}], total=D("10000"))
    pl = Document.of("pl.pdf", "packing_list", {"invoice_number": "A-1"},
                     [{"line_no": 1, "part_number": "G-1", "quantity": D("100"), "unit": "PCS"}])
    assert "QUANTITY_MISMATCH" not in codes(entry([LINE], invoice_numbers=["A-1"]), inv, pl)
    short = Document.of("pl.pdf", "packing_list", {"invoice_number": "A-1"},
                        [{"line_no": 1, "part_number": "G-1", "quantity": D("90"), "unit": "PCS"}])
    f = codes(entry([LINE], invoice_numbers=["A-1"]), inv, short)["QUANTITY_MISMATCH"]
    assert "100" in f.explanation and "90" in f.explanation and f.loss_of_revenue == D("0.00")
    # dozens against pieces are not compared without a factor
    doz = Document.of("pl.pdf", "packing_list", {"invoice_number": "A-1"},
                      [{"line_no": 1, "part_number": "G-1", "quantity": D("9"), "unit": "DOZ"}])
    assert "QUANTITY_MISMATCH" not in codes(entry([LINE], invoice_numbers=["A-1"]), inv, doz)


def test_weights_within_rounding_are_consistent():
    pl = Document.of("pl.pdf", "packing_list", {"invoice_number": "A-1", "total_net_weight_kg": D("1000.4")}, [])
    mtc = Document.of("mtc.pdf", "mill_certificate", {"invoice_number": "A-1", "total_weight_kg": D("1000")}, [])
    inv = invoice([], total=D("10000"))
    assert "QUANTITY_MISMATCH" not in codes(entry([LINE], invoice_numbers=["A-1"]), inv, pl, mtc)
    heavy = Document.of("mtc.pdf", "mill_certificate", {"invoice_number": "A-1", "total_weight_kg": D("1100")}, [])
    assert "QUANTITY_MISMATCH" in codes(entry([LINE], invoice_numbers=["A-1"]), inv, pl, heavy)


def test_arithmetic_tolerates_rounding_and_finds_real_errors():
    ok = invoice([{"line_no": 1, "quantity": D("3"), "unit_price": D("0.3333"), "amount": D("1.00")},
                  {"line_no": 2, "quantity": D("10"), "unit_price": D("2.50"), "amount": D("25.00")}],
                 subtotal=D("26.00"), total=D("126.00"),
                 charges=[{"kind": "freight", "description": "Freight", "amount": "100.00"}])
    assert "ARITHMETIC_ERROR" not in codes(entry([LINE], invoice_numbers=["A-1"]), ok)
    bad = invoice([{"line_no": 1, "quantity": D("10"), "unit_price": D("2.50"), "amount": D("52.00")}],
                  total=D("52.00"))
    f = codes(entry([LINE], invoice_numbers=["A-1"]), bad)["ARITHMETIC_ERROR"]
    assert "10 × 2.50 = 25.00, shown 52.00" in f.explanation and f.loss_of_revenue == D("0.00")


def test_missing_fields_stay_silent():
    inv = invoice([{"line_no": 1}, {"line_no": 2, "quantity": D("1")}])
    assert not codes(entry([{"line_no": 1, "hts": "8483.90.5000", "entered_value": D("1")}], invoice_numbers=["A-1"]),
                     inv)
