"""Extractors on the demo documents (born-digital and scanned PDFs written by the fixture generator)."""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from appraiser.evaluation import score
from appraiser.extract import extract_file
from appraiser.extract.classify import classify
from appraiser.extract.labels import match_line
from appraiser.extract.pages import Page, Word
from appraiser.extract.tables import find_tables
from appraiser.extract.labels import Reader

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
TRUTH = json.loads((DEMO / "truth.json").read_text())


@pytest.fixture(scope="module")
def extracted():
    return {t["path"]: extract_file(DEMO / t["path"], t["path"])[0] for t in TRUTH["documents"]}


def truth_of(doc_type):
    return [t for t in TRUTH["documents"] if t["doc_type"] == doc_type]


def test_every_demo_document_is_classified_right(extracted):
    for t in TRUTH["documents"]:
        d = extracted[t["path"]]
        assert d.error is None, (t["path"], d.error)
        assert d.doc_type == t["doc_type"], t["path"]
        assert d.classification_confidence > 0.5


def test_demo_fields_score_high(extracted):
    predicted = {"documents": [d.to_json(with_provenance=False) for d in extracted.values()],
                 "entries": [], "findings": []}
    report = score({"documents": TRUTH["documents"], "entries": [], "findings": []}, predicted)
    # floors at the scores measured when this test was written: they only go up
    assert report.total("fields").f1 >= 0.99, report.total("fields")
    assert report.total("lines").f1 >= 0.97, report.total("lines")
    assert report.doc_type_accuracy == 1.0


def test_entry_summary_lines_rates_and_chapter_99(extracted):
    [t] = [t for t in truth_of("entry_summary") if t["fields"].get("hmf")]
    d = extracted[t["path"]]
    assert d.get("entry_number") == t["fields"]["entry_number"]
    assert d.get("mode_of_transport") == "11"
    assert d.get("mpf") == Decimal(t["fields"]["mpf"]) and d.get("hmf") == Decimal(t["fields"]["hmf"])
    assert d.get("total_entered_value") == Decimal(t["fields"]["total_entered_value"])
    [line] = d.line_items
    assert line.get("duty_rate") == Decimal("5.3")
    assert line.get("hts") == "3926.90.9985"
    [extra] = line.get("additional")
    assert extra["hts"] == "9903.88.15" and extra["rate"] == Decimal("7.5")


def test_comma_decimals_and_day_first_dates(extracted):
    [t] = [t for t in truth_of("commercial_invoice") if t["fields"]["currency"] == "EUR"]
    d = extracted[t["path"]]
    assert d.get("total") == Decimal(t["fields"]["total"])
    assert d.get("invoice_date") == t["fields"]["invoice_date"]
    assert [li.get("unit_price") for li in d.line_items] == [Decimal(li["unit_price"]) for li in t["line_items"]]


def test_packing_list_in_pounds_is_converted_to_kilograms(extracted):
    [t] = [t for t in truth_of("packing_list") if t["path"].startswith("2025-03")]
    d = extracted[t["path"]]
    assert d.get("total_net_weight_kg") == Decimal(t["fields"]["total_net_weight_kg"])
    assert [li.get("net_weight_kg") for li in d.line_items] == [Decimal(li["net_weight_kg"]) for li in t["line_items"]]


def test_scanned_mill_certificate_heats_with_ocr_provenance(extracted):
    [t] = truth_of("mill_certificate")
    d = extracted[t["path"]]
    assert d.ocr
    assert [li.get("heat_number") for li in d.line_items] == [h["heat_number"] for h in t["line_items"]]
    assert [li.get("weight_kg") for li in d.line_items] == [Decimal(h["weight_kg"]) for h in t["line_items"]]
    assert d.get("melt_country") == "MX"
    prov = d.fields.prov("certificate_number")
    assert prov.method == "ocr" and 0 < prov.confidence <= 1 and prov.page == 1


def test_every_value_keeps_its_box(extracted):
    for d in extracted.values():
        for f in d.fields:
            if f.prov is None:
                continue
            x0, top, x1, bottom = f.prov.bbox
            assert 0 <= x0 <= x1 <= 612 + 1 and 0 <= top <= bottom <= 792 + 1, (d.path, f.name)
            assert f.prov.path == d.path and f.prov.page >= 1


def _line(words, top=100.0, page=1, conf=1.0):
    out, x = [], 50.0
    for w in words:
        out.append(Word(w, x, top, x + 6 * len(w), top + 10, page, conf))
        x += 6 * len(w) + 4
    return out


def test_labels_longest_wins_bilingual_merge_and_ocr_damage():
    hits = match_line(_line(["Total", "Net", "Weight:", "12"]), ["total", "total_net_weight"])
    assert [h.key for h in hits] == ["total_net_weight"]
    hits = match_line(_line(["Käufer", "/", "Buyer"]), ["buyer"])
    assert len(hits) == 1 and hits[0].text == "Käufer / Buyer"
    hits = match_line(_line(["lnvoice", "Number:", "A-1"]), ["invoice_number"], fuzzy=True)
    assert hits and hits[0].key == "invoice_number" and hits[0].fuzzy
    # a short word must not be taken fuzzily: "Certificate EN" is not "Certificate No"
    assert not match_line(_line(["certificate", "EN", "10204"]), ["certificate_number"], fuzzy=True)


def test_table_rows_continue_descriptions_and_keep_totals_out():
    words = _line(["Qty", "Description", "Amount"], top=100)
    words += _line(["2", "Steel", "bracket", "10.00"], top=115)
    words += _line(["zinc", "plated"], top=127)
    words += _line(["Total", "10.00"], top=145)
    # put the columns where the header is
    fixed = []
    for w in words:
        col = {"Qty": 50, "2": 50, "Description": 100, "Steel": 100, "bracket": 140, "zinc": 100, "plated": 130,
               "Amount": 260, "10.00": 260, "Total": 100}[w.text]
        fixed.append(Word(w.text, col, w.top, col + 6 * len(w.text), w.bottom, 1))
    page = Page(1, 612, 792, fixed)
    reader = Reader([page], "t.pdf", [])
    [table] = find_tables(reader, ["quantity", "description", "amount"], anchors=["quantity", "amount"])
    assert len(table.rows) == 1
    assert table.rows[0].text("description") == "Steel bracket zinc plated"
    assert table.summary and "Total" in table.summary[0][0]


def test_an_unrelated_page_is_other():
    page = Page(1, 612, 792, _line(["Dear", "colleague,", "the", "meeting", "moves", "to", "Tuesday."]))
    assert classify([page])[0] == "other"
