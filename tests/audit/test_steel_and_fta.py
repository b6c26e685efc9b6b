"""Section 232 (content value, melt and pour, undeclared lines) and FTA claims (audit/section232.py, audit/fta.py)."""
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from appraiser.audit import audit as _audit
from appraiser.extract.facts import with_facts
from appraiser.audit.revenue import Tariff, load_tariff, section232_rate
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document, Party


def audit(documents, **kw):
    """The audit of documents built by hand or read from a truth file, with the facts extraction reads from
    their prose (``extract.facts.with_facts``), as the pipeline gives it."""
    return _audit([with_facts(d) for d in documents], **kw)

ROOT = Path(__file__).resolve().parents[2]
CODES = ("METAL_CONTENT_MISSTATED", "MELT_POUR_MISMATCH", "SECTION232_UNDECLARED", "FTA_CLAIM_UNSUPPORTED")


@pytest.mark.parametrize("split", ["dev", "check"])
def test_planted_findings_with_their_loss_and_no_others(split):
    folder = ROOT / "fixtures" / "corpus" / split
    truth = json.loads((folder / "truth.json").read_text())
    result = audit([document_from_json(d) for d in truth["documents"]], tariff=load_tariff(folder / "tariff.csv"))
    expected = sorted((f["entry_number"], f["code"], D(f["loss_of_revenue"]), D(f["value_delta"]))
                      for f in truth["findings"] if f["code"] in CODES)
    found = sorted((f.entry_number, f.code, f.loss_of_revenue, f.value_delta)
                   for f in result.findings if f.code in CODES)
    assert found == expected and len(expected) == 4
    assert not result.errors


def test_section232_rates_by_date_metal_and_country():
    assert section232_rate("7308.90.9590", "2025-06-03")[0] == D(25)
    assert section232_rate("7308.90.9590", "2025-06-04")[0] == D(50)
    assert section232_rate("7610.90.0080", "2025-03-01")[0] == D(10)
    assert section232_rate("7308.90.9590", "2025-10-01", "GB")[0] == D(25)
    assert section232_rate("3926.90.9985", "2025-10-01") is None


def steel_entry(lines, **header):
    total = sum((ln["entered_value"] for ln in lines), D(0))
    return Document.of("7501.pdf", "entry_summary", {"entry_number": "ABC-1234567-6", "entry_date": "2025-10-14",
                                                     "mode_of_transport": "40", "total_entered_value": total,
                                                     "invoice_numbers": ["A-1"], **header}, lines)


def test_content_value_under_both_readings_against_the_higher():
    lines = [{"line_no": 1, "hts": "7308.90.9590", "entered_value": D("9000"), "duty_rate": D("0"),
              "additional": [{"hts": "9903.81.91", "rate": "50", "value": "9000"}]},
             {"line_no": 2, "hts": "7308.90.9590", "entered_value": D("1000"), "duty_rate": D("0")}]
    inv = Document.of("inv.pdf", "commercial_invoice", {"invoice_number": "A-1", "currency": "USD", "total": D("10000")},
                      notes=["Non-steel components (paint, bolts) amount to USD 400.00; the rest is steel.",
                             "The price paid for the steel was USD 9,300.00."])
    [f] = [f for f in audit([steel_entry(lines), inv]).findings if f.code == "METAL_CONTENT_MISSTATED"]
    # (a) 9,300; (b) 10,000 − 400 = 9,600: the higher, 9,600, less 9,000 declared
    assert f.value_delta == D("600.00") and f.duty_delta == D("300.00") and f.fees_delta == D("0")
    assert any("reading (a)" in s and "9,300.00" in s for s in f.arithmetic)


def test_undeclared_steel_and_the_declared_line_that_is_not():
    lines = [{"line_no": 1, "hts": "7325.99.1000", "entered_value": D("15540"), "duty_rate": D("0")}]
    [f] = [f for f in audit([steel_entry(lines)]).findings if f.code == "SECTION232_UNDECLARED"]
    assert f.duty_delta == D("7770.00") and f.fees_delta == D("0")
    declared = [{"line_no": 1, "hts": "7325.99.1000", "entered_value": D("15540"), "duty_rate": D("0"),
                 "additional": [{"hts": "9903.81.91", "rate": "50", "value": "15540"}]}]
    assert not [f for f in audit([steel_entry(declared)]).findings if f.code == "SECTION232_UNDECLARED"]


def test_melt_and_pour_against_the_mill_certificate():
    lines = [{"line_no": 1, "hts": "7307.99.5045", "entered_value": D("10000"), "duty_rate": D("4.3"),
              "melt_country": "MX", "additional": [{"hts": "9903.81.91", "rate": "50", "value": "10000"}]}]
    mtc = Document.of("mtc.pdf", "mill_certificate", {"invoice_number": "A-1", "melt_country": "CN", "pour_country": "CN"})
    inv = Document.of("inv.pdf", "commercial_invoice", {"invoice_number": "A-1", "currency": "USD", "total": D("10000")})
    mtc.fields.set("po_number", "A-1")
    inv.fields.set("po_number", "A-1")
    [f] = [f for f in audit([steel_entry(lines), inv, mtc]).findings if f.code == "MELT_POUR_MISMATCH"]
    assert f.loss_of_revenue == D("0.00") and "CN" in f.title and "MX" in f.title
    same = Document.of("mtc.pdf", "mill_certificate", {"po_number": "A-1", "melt_country": "MX", "pour_country": "MX"})
    assert not [f for f in audit([steel_entry(lines), inv, same]).findings if f.code == "MELT_POUR_MISMATCH"]


def fta_docs(cert_period=None, folder="ship"):
    es = Document.of(f"{folder}/7501.pdf", "entry_summary", {
        "entry_number": "ABC-1234567-6", "entry_date": "2026-02-10", "mode_of_transport": "40",
        "total_entered_value": D("18491"), "mpf": D("0"), "invoice_numbers": ["A-1"],
        "importer": Party("Magnolia Apparel Group, Inc.")},
        [{"line_no": 1, "hts": "6109.10.0012", "description": "MEN'S COTTON T-SHIRTS", "entered_value": D("18491"),
          "duty_rate": D("0"), "spi": "CO"}])
    docs = [es]
    if cert_period:
        docs.append(Document.of(f"{folder}/coo.pdf", "certificate_of_origin", {
            "agreement": "CTPA", "blanket_period_from": cert_period[0], "blanket_period_to": cert_period[1],
            "importer": Party("Magnolia Apparel Group, Inc."),
            "goods": [{"description": "Men's cotton t-shirts", "hts": "6109.10", "origin_criterion": "B"}]}))
    return docs


TARIFF = Tariff({"6109100012": "16.5%"}, {})


def test_a_covering_certification_supports_the_claim():
    assert not [f for f in audit(fta_docs(("2025-11-23", "2026-11-22")), tariff=TARIFF).findings
                if f.code == "FTA_CLAIM_UNSUPPORTED"]


def test_an_expired_certification_fails_the_claim_which_owes_duty_and_mpf():
    [f] = [f for f in audit(fta_docs(("2024-10-05", "2025-10-04")), tariff=TARIFF).findings
           if f.code == "FTA_CLAIM_UNSUPPORTED"]
    assert f.duty_delta == D("3051.02") and f.fees_delta == D("64.05") and f.loss_of_revenue == D("3115.07")
    assert "does not cover the entry date" in f.explanation


def test_without_a_tariff_schedule_the_rate_is_unknown():
    [f] = [f for f in audit(fta_docs()).findings if f.code == "FTA_CLAIM_UNSUPPORTED"]
    assert f.rate_unknown and f.value_delta == D("18491.00") and f.duty_delta == D("0.00")


def test_a_blanket_certification_kept_with_another_shipment_is_named_as_a_possible_cure():
    docs = fta_docs() + fta_docs(("2025-11-23", "2026-11-22"), folder="other")[1:]
    [f] = [f for f in audit(docs, tariff=TARIFF).findings if f.code == "FTA_CLAIM_UNSUPPORTED"]
    assert "other/coo.pdf" in f.explanation and f.confidence < 0.7


def test_regional_value_content_from_a_cost_statement():
    from appraiser.audit.revenue import rvc_build_down, rvc_build_up

    assert rvc_build_down(D("18491"), D("12000")) == D("35.10") and rvc_build_up(D("6491"), D("18491")) == D("35.10")
    low = fta_docs(("2025-11-23", "2026-11-22"))
    low.append(Document.of("ship/cost.pdf", "commercial_invoice", {"invoice_number": "A-1", "currency": "USD"},
                           notes=["Cost statement: non-originating materials used amount to USD 12,000.00."]))
    [f] = [f for f in audit(low, tariff=TARIFF).findings if f.code == "FTA_CLAIM_UNSUPPORTED"]
    assert "35.10 %" in f.explanation and "45 %" in f.explanation and f.loss_of_revenue == D("3115.07")
    high = fta_docs(("2025-11-23", "2026-11-22"))
    high.append(Document.of("ship/cost.pdf", "commercial_invoice", {"invoice_number": "A-1", "currency": "USD"},
                            notes=["Cost statement: non-originating materials used amount to USD 5,000.00."]))
    assert not [f for f in audit(high, tariff=TARIFF).findings if f.code == "FTA_CLAIM_UNSUPPORTED"]

