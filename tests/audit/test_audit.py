"""Linking and the audit rules on records (and on the demo's extracted documents)."""
from decimal import Decimal
from pathlib import Path

import pytest

from appraiser.audit import audit
from appraiser.audit.link import link, load_declared_csv
from appraiser.models.records import Document, Party

ROOT = Path(__file__).resolve().parents[2]


def doc(path, doc_type, fields, items=()):
    return Document.of(path, doc_type, fields, items)


IMPORTER = Party(name="Lakeshore Industrial Supply, Inc.", number="34-2817465-00")
MAKER = Party(name="Dongguan Precision Plastics Co., Ltd.", country="CN")


def entry(number, date, value, invoice="INV-1", mode="11", rate="5.3"):
    return doc(f"{number}.pdf", "entry_summary", {
        "entry_number": number, "entry_date": date, "mode_of_transport": mode, "importer": IMPORTER,
        "invoice_numbers": [invoice], "total_entered_value": Decimal(value), "currency": "USD"},
        [{"line_no": 1, "hts": "3926.90.9985", "entered_value": Decimal(value), "duty_rate": Decimal(rate)}])


def invoice(number, total, qty):
    return doc(f"{number}.pdf", "commercial_invoice", {
        "invoice_number": number, "seller": MAKER, "buyer": IMPORTER, "currency": "USD", "total": Decimal(total)},
        [{"part_number": "HB-2201", "quantity": Decimal(qty), "hts": "3926.90.9985", "amount": Decimal(total)}])


def mould(production=None):
    f = {"invoice_number": "KD-1", "supplier": Party(name="Keda Mould"), "buyer": IMPORTER, "ship_to": MAKER,
         "currency": "USD", "total": Decimal("10000.00"), "part_numbers": ["HB-2201"], "assist_kind": "mould"}
    if production:
        f["production_quantity"] = Decimal(production)
    return doc("mould.pdf", "assist_invoice", f)


def test_assist_goes_in_full_to_the_first_entry_without_a_production_quantity():
    docs = [entry("D4K-0000001-1", "2025-03-01", "20000", "A-1"), invoice("A-1", "20000.00", "10000"),
            entry("D4K-0000002-1", "2025-05-01", "20000", "A-2"), invoice("A-2", "20000.00", "10000"), mould()]
    result = audit(docs)
    [f] = [f for f in result.findings if f.code == "ASSIST_UNDECLARED"]
    assert f.entry_number == "D4K-0000001-1"
    assert f.value_delta == Decimal("10000.00")
    assert f.duty_delta == Decimal("530.00")
    assert any("first entry" in step for step in f.arithmetic)


def test_assist_apportioned_per_unit_over_the_production_quantity():
    docs = [entry("D4K-0000001-1", "2025-03-01", "20000", "A-1", mode="40"), invoice("A-1", "20000.00", "10000"),
            entry("D4K-0000002-1", "2025-05-01", "20000", "A-2", mode="40"), invoice("A-2", "20000.00", "30000"),
            mould(production="40000")]
    result = audit(docs)
    found = {f.entry_number: f for f in result.findings if f.code == "ASSIST_UNDECLARED"}
    assert found["D4K-0000001-1"].value_delta == Decimal("2500.00")  # 10000 / 40000 × 10000
    assert found["D4K-0000002-1"].value_delta == Decimal("7500.00")
    # air: no HMF; MPF 0.3464 % of 20,000 = 69.28 -> of 27,500 = 95.26
    assert found["D4K-0000002-1"].fees_delta == Decimal("25.98")


def test_assist_already_in_the_entered_value_is_not_a_finding():
    docs = [entry("D4K-0000001-1", "2025-03-01", "30000", "A-1"), invoice("A-1", "20000.00", "10000"), mould()]
    assert not [f for f in audit(docs).findings if f.code == "ASSIST_UNDECLARED"]


def test_entry_without_its_invoice_is_a_missing_document():
    result = audit([entry("D4K-0000001-1", "2025-03-01", "20000", "A-1")])
    [f] = result.findings
    assert f.code == "DOCUMENT_MISSING" and f.loss_of_revenue == Decimal("0")


def test_links_keep_their_reasons():
    docs = [entry("D4K-0000001-1", "2025-03-01", "20000", "A-1"), invoice("A-1", "20000.00", "10000"), mould()]
    linked = link(docs)
    [e] = linked.entries
    reasons = {lk.path: lk.reason for lk in e.links}
    assert "invoice number" in reasons["A-1.pdf"]
    assert "HB2201" in reasons["mould.pdf"] or "producer" in reasons["mould.pdf"]


def test_declared_values_csv(tmp_path):
    csv = tmp_path / "ace.csv"
    csv.write_text("entry_number,entry_date,mode_of_transport,line_no,hts,entered_value,duty_rate,invoice_number\n"
                   "ABC-1234567-6,2025-03-01,11,1,3926909985,20000,5.3%,A-1\n"
                   "ABC-1234567-6,2025-03-01,11,2,3926.90.9985,1000,Free,A-1\n")
    [e] = load_declared_csv(csv)
    assert e.entry_number == "ABC-1234567-6"
    assert e.header.get("total_entered_value") == Decimal("21000")
    assert [ln.get("duty_rate") for ln in e.lines] == [Decimal("5.3"), Decimal("0")]
    bad = tmp_path / "bad.csv"
    bad.write_text("entry,value\n1,2\n")
    with pytest.raises(ValueError, match="missing columns"):
        load_declared_csv(bad)
