"""The scorer itself, on hand-written truth and predictions (the corpus scores are pinned elsewhere)."""
from decimal import Decimal

from appraiser.evaluation import Counts, equal, score


def _doc(path, fields, lines=(), doc_type="commercial_invoice", ocr=False):
    return {"path": path, "doc_type": doc_type, "ocr": ocr, "fields": fields, "line_items": list(lines)}


def test_equalities_of_spec_section_5():
    assert equal("money", "1234.50", "1234.5")
    assert not equal("money", "1234.50", "1234.51")
    assert equal("id", "INV-2025/001", "inv2025001")
    assert equal("text", "Acme Forge S.A. de C.V.", "ACME FORGE S.A. DE C.V")
    assert not equal("text", "Acme Forge", "Apex Foundry")
    assert equal("hts", "7308.90.9590", "7308909590")
    assert not equal("date", "2025-03-12", "2025-12-03")
    assert not equal("bool", True, "yes")


def test_field_counts_and_partial_scope():
    truth = {"documents": [_doc("a.pdf", {"invoice_number": "A1", "total": "10.00",
                                          "seller": {"name": "Acme", "country": "MX"}})]}
    pred = {"documents": [_doc("a.pdf", {"invoice_number": "A1", "total": "10.01", "currency": "USD",
                                         "seller": {"name": "Acme", "country": "MX"}})]}
    full = score(truth, pred)
    c = full.total()
    assert (c.tp, c.fp, c.fn) == (3, 2, 1)  # wrong total is fp+fn; currency not in truth is fp
    truth["meta"] = {"scope": "partial"}
    c = score(truth, pred).total()
    assert (c.tp, c.fp, c.fn) == (3, 1, 1)  # unstated currency not scored


def test_line_items_matched_in_order_and_methods_split():
    truth = {"documents": [_doc("s.png", {"total": "5"}, [{"quantity": "1", "amount": "2"},
                                                          {"quantity": "3", "amount": "3"}], ocr=True)]}
    pred = {"documents": [_doc("s.png", {"total": "5"}, [{"quantity": "1", "amount": "2"}])]}
    rep = score(truth, pred)
    lines = rep.total("lines")
    assert (lines.tp, lines.fn) == (2, 2)
    assert rep.by_method["scanned"].tp == 1 and "born_digital" not in rep.by_method


def test_findings_matched_on_code_and_entry_with_loss_tolerance():
    truth = {"documents": [], "findings": [
        {"code": "ASSIST_UNDECLARED", "entry_number": "7DX-1234567-0", "loss_of_revenue": "100.00"},
        {"code": "MPF_MISCALCULATED", "entry_number": "7DX-1234567-0", "loss_of_revenue": "5.00"}]}
    pred = {"documents": [], "findings": [
        {"code": "ASSIST_UNDECLARED", "entry_number": "7DX1234567-0", "loss_of_revenue": "100.99"},
        {"code": "HTS_MISMATCH", "entry_number": "7DX-1234567-0", "loss_of_revenue": "0.00"},
        {"code": "MPF_MISCALCULATED", "entry_number": "7DX-1234567-0", "loss_of_revenue": "9.00",
         "status": "dismissed"}]}
    rep = score(truth, pred)
    assert (rep.findings.tp, rep.findings.fp, rep.findings.fn) == (1, 1, 1)
    assert rep.loss_within == rep.loss_matched == 1


def test_counts_f1():
    c = Counts(tp=8, fp=2, fn=2)
    assert round(c.f1, 3) == 0.8
    assert Decimal("1") == Decimal("1.00")
