"""MPF_MISCALCULATED: the fee due against the fee declared, with the fiscal year's limits."""
import json
from decimal import Decimal as D
from pathlib import Path

from appraiser.audit import audit
from appraiser.audit.revenue import load_tariff
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "corpus" / "dev"


def entry_summary(mpf, entered, date, spi=None, number="ABC-1234567-6"):
    line = {"line_no": 1, "hts": "7325.99.1000", "entered_value": D(entered), "duty_rate": D("0")}
    if spi:
        line["spi"] = spi
    fields = {"entry_number": number, "entry_date": date, "total_entered_value": D(entered), "mode_of_transport": "40"}
    if mpf is not None:
        fields["mpf"] = D(mpf)
    return Document.of("7501.pdf", "entry_summary", fields, [line])


def mpf_findings(*docs):
    return [f for f in audit(list(docs)).findings if f.code == "MPF_MISCALCULATED"]


def test_the_planted_fee_in_the_corpus_with_its_loss():
    truth = json.loads((DEV / "truth.json").read_text())
    docs = [document_from_json(d) for d in truth["documents"]]
    result = audit(docs, tariff=load_tariff(DEV / "tariff.csv"))
    found = [(f.entry_number, f.loss_of_revenue) for f in result.findings if f.code == "MPF_MISCALCULATED"]
    expected = [(f["entry_number"], D(f["loss_of_revenue"])) for f in truth["findings"]
                if f["code"] == "MPF_MISCALCULATED"]
    assert found == expected and expected


def test_last_years_minimum_on_an_entry_of_the_new_fiscal_year():
    # FY2026 starts on 1 October 2025: its minimum is 33.58, not FY2025's 32.71
    [f] = mpf_findings(entry_summary("32.71", "3030", "2025-10-01"))
    assert f.fees_delta == D("0.87") and f.loss_of_revenue == D("0.87") and f.duty_delta == D("0")
    assert "fiscal year 2026" in f.explanation and "another fiscal year" in f.explanation
    assert not mpf_findings(entry_summary("32.71", "3030", "2025-09-30"))  # the last day of FY2025


def test_fee_within_the_limits_and_at_the_maximum():
    assert not mpf_findings(entry_summary("69.28", "20000", "2025-05-01"))  # 0.3464 % of 20,000
    [f] = mpf_findings(entry_summary("600.00", "500000", "2026-01-15"))
    assert f.fees_delta == D("51.50")  # the FY2026 maximum 651.50
    assert "(the maximum)" in f.title or "(the maximum)" in f.explanation


def test_a_cent_of_rounding_is_no_finding_and_an_overpayment_is_a_refund_not_a_miscalculation():
    assert not mpf_findings(entry_summary("69.27", "20000", "2025-05-01"))
    assert not mpf_findings(entry_summary("90.00", "20000", "2025-05-01"))
    [f] = [f for f in audit([entry_summary("90.00", "20000", "2025-05-01")]).findings if f.direction == "overpaid"]
    assert f.code == "MPF_OVERPAID" and f.loss_of_revenue == D("0.00") and f.fees_delta == D("-20.72")


def test_originating_goods_are_left_out_of_the_fee_base():
    # a CO line is MPF-exempt: nothing is due on it
    assert not mpf_findings(entry_summary("0.00", "18491", "2025-06-18", spi="CO"))
    assert not mpf_findings(entry_summary("64.05", "18491", "2025-06-18", spi="CO"))  # MPF_OVERPAID's


def test_no_declared_fee_is_no_finding():
    assert not mpf_findings(entry_summary(None, "20000", "2025-05-01"))
    assert not mpf_findings(entry_summary("10.00", "0", "2025-05-01"))
