"""Overpayments (audit/overpaid.py): MPF_OVERPAID and DUTY_REFUNDABLE found, their refund exact, their remedy and
deadline from the entry's liquidation triage, kept out of every loss total and of the prior disclosure, and listed
in their own schedule (refunds.csv / refunds.xlsx), the report's "Refunds due" and the run summary's."""
import csv
import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from appraiser import pipeline
from appraiser.audit import audit
from appraiser.audit.disclose import NothingAccepted, draft_disclosure
from appraiser.audit.overpaid import refunds
from appraiser.audit.report import collect, write_report
from appraiser.audit.revenue import load_tariff
from appraiser.audit.rules import BY_CODE, spec_problems
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "corpus" / "dev"
ENTRY = "7QM-1166299-8"  # Cascade: no finding; entered value 29,807.00, MPF 103.25 due and declared
SUMMARY = "Cascade/2025-10 Dongguan/7501 7QM-1166299-8.pdf"
AS_OF = date(2026, 3, 1)
CODES = ("MPF_OVERPAID", "DUTY_REFUNDABLE", "METAL_CONTENT_OVERSTATED", "PREFERENCE_UNCLAIMED")


def entry_summary(mpf, entered, when, additional=(), liquidation=None, number="ABC-1234567-6", spi=None,
                  totals=True):
    own = (D(entered) * D("0.025")).quantize(D("0.01"))  # 2.5 %
    line = {"line_no": 1, "hts": "3926.90.9985", "entered_value": D(entered), "duty_rate": D("2.5"), "duty": own,
            "additional": list(additional)}
    if spi:
        line["spi"] = spi
    fields = {"entry_number": number, "entry_date": when, "total_entered_value": D(entered), "mode_of_transport": "40",
              "entry_type": "01", "mpf": D(mpf)}
    duty = own + sum((a.get("duty") or D(0) for a in additional), D(0))  # the totals a second reading of the MPF rests on
    if totals:
        fields["total_duty"], fields["total"] = duty, duty + D(mpf)
    if liquidation:
        fields["liquidation_status"], fields["liquidation_date"] = "liquidated", liquidation
    return Document.of("7501.pdf", "entry_summary", fields, [line])


def overpaid(result):
    return [f for f in result.findings if f.direction == "overpaid"]


def test_the_specs_are_complete_and_overpaid():
    for code in CODES:
        assert spec_problems(BY_CODE[code]) == [] and BY_CODE[code].direction == "overpaid"


# --- MPF_OVERPAID --------------------------------------------------------------------------------------------------

def test_mpf_above_the_maximum_is_refundable_to_the_cent_and_no_loss():
    # 0.3464 % of 500,000 = 1,732.00, capped at the FY2026 maximum 651.50; 700.00 paid: 48.50 over
    result = audit([entry_summary("700.00", "500000", "2026-01-15")])
    [f] = overpaid(result)
    assert f.code == "MPF_OVERPAID" and f.status == "open"
    assert f.fees_delta == D("-48.50") and f.duty_delta == D("0.00") and f.loss_of_revenue == D("0.00")
    assert f.revenue.mpf_before == D("700.00") and f.revenue.mpf_after == D("651.50")
    assert "(the maximum)" in f.title + f.explanation
    assert not [x for x in result.findings if x.code == "MPF_MISCALCULATED"]
    assert any("confirmed by the total" in r for r in f.confidence_reasons)
    assert result.entry_totals["ABC-1234567-6"]["loss_of_revenue"] == "0.00"  # nothing in the entry's loss


def test_mpf_on_exempt_originating_goods_is_refundable():
    # an SPI CO line is MPF-exempt: nothing is due, the whole fee paid is refundable
    [f] = overpaid(audit([entry_summary("64.05", "18491", "2025-06-18", spi="CO")]))
    assert f.code == "MPF_OVERPAID" and f.fees_delta == D("-64.05")


def test_a_fee_above_the_maximum_no_total_confirms_is_to_verify():
    doc = entry_summary("700.00", "500000", "2026-01-15", totals=False)
    [f] = overpaid(audit([doc]))
    assert f.status == "to_verify" and any("above any year's maximum" in v for v in f.verify)


def test_a_cent_of_rounding_and_a_fee_short_are_no_refund():
    assert not overpaid(audit([entry_summary("69.29", "20000", "2025-05-01")]))  # 69.28 due
    assert not overpaid(audit([entry_summary("60.00", "20000", "2025-05-01")]))


# --- DUTY_REFUNDABLE -----------------------------------------------------------------------------------------------

def test_ieepa_duty_declared_is_refundable_per_line():
    adds = [{"hts": "9903.01.24", "rate": D("20"), "value": D("22492"), "duty": D("4498.40")},
            {"hts": "9903.88.15", "rate": D("7.5"), "value": D("22492"), "duty": D("1686.90")}]
    [f] = overpaid(audit([entry_summary("77.91", "22492", "2025-04-14", adds)]))
    assert f.code == "DUTY_REFUNDABLE" and f.line_no == 1 and f.status == "open"
    assert f.duty_delta == D("-4498.40") and f.fees_delta == D("0.00") and f.loss_of_revenue == D("0.00")
    assert "9903.01.24" in f.title and "9903.88.15" not in f.title  # Section 301 is not IEEPA


def test_ieepa_duty_without_its_amount_is_rate_times_value():
    adds = [{"hts": "9903.02.01", "rate": D("10"), "value": D("1234.56")}]
    [f] = overpaid(audit([entry_summary("32.71", "1234.56", "2025-04-14", adds)]))
    assert f.duty_delta == D("-123.46") and f.confidence < 0.95  # uncorroborated: computed, not declared


def test_ieepa_duty_that_disagrees_with_its_rate_is_to_verify():
    adds = [{"hts": "9903.01.24", "rate": D("20"), "value": D("22492"), "duty": D("44984.00")}]
    [f] = overpaid(audit([entry_summary("77.91", "22492", "2025-04-14", adds)]))
    assert f.status == "to_verify" and any("9903.01.24" in v for v in f.verify)
    assert not refunds([f], {}, AS_OF)  # a refund to verify is in no schedule


# --- remedy and deadline from the triage ---------------------------------------------------------------------------

@pytest.mark.parametrize("when,liquidation,status,remedy,deadline", [
    ("2025-05-07", None, "psc_window", "post_summary_correction", "2026-03-03"),  # 300 days from entry
    ("2025-04-14", "2026-01-23", "protest_window", "protest", "2026-07-22"),  # 180 days from liquidation
    ("2025-04-14", "2025-08-01", "liquidated_final", "time_barred", None),
])
def test_the_remedy_and_deadline_follow_the_triage(when, liquidation, status, remedy, deadline):
    adds = [{"hts": "9903.01.24", "rate": D("20"), "value": D("22492"), "duty": D("4498.40")}]
    result = audit([entry_summary("77.91", "22492", when, adds, liquidation)])
    [r] = refunds(result.findings, {e.entry_number: e for e in result.entries}, AS_OF)
    assert (r.triage_status, r.remedy, r.deadline) == (status, remedy, deadline)
    assert r.refund == D("4498.40") and r.duty == D("4498.40") and r.fees == D("0.00")


# --- the corpus, modified: not in the loss, the disclosure or its schedule; in the refunds --------------------------

@pytest.fixture(scope="module")
def modified(tmp_path_factory):
    """The dev truth documents with IEEPA duty of 5,961.40 and an MPF 12.09 over on one entry (liquidated on
    2026-01-23), audited and stored with every open finding accepted; also the loss the unmodified corpus gives."""
    truth = json.loads((DEV / "truth.json").read_text(encoding="utf-8"))
    tariff = load_tariff(DEV / truth["meta"]["tariff"])
    plain = audit([document_from_json(d) for d in truth["documents"] if not d.get("error")], tariff=tariff)
    for d in truth["documents"]:
        if d["path"] == SUMMARY:
            f = d["fields"]
            f["mpf"], f["total"] = "115.34", str(D(f["total"]) + D("12.09") + D("5961.40"))
            f["total_duty"] = str(D(f["total_duty"]) + D("5961.40"))
            f["liquidation_status"], f["liquidation_date"] = "liquidated", "2026-01-23"
            d["line_items"][0]["additional"].append(
                {"hts": "9903.01.24", "rate": "20", "value": "29807.00", "duty": "5961.40"})
    docs = [document_from_json(d) for d in truth["documents"] if not d.get("error")]
    result = audit(docs, tariff=tariff)
    tmp = tmp_path_factory.mktemp("overpaid")
    store = Store(tmp / "audit.db")
    for d in docs:
        store.save_document(d, "truth", cache=False)
    pipeline.save_result(store, result)
    for f in store.findings():
        if f.status == "open":
            assert store.decide(f.id, "accepted", "reviewer", None)
    yield plain, result, store, tmp
    store.close()


def test_the_corpus_finds_both_refunds_and_nothing_else_changes(modified):
    plain, result, _, _ = modified
    got = {(f.code, f.entry_number): f for f in overpaid(result)}
    assert set(got) == {("MPF_OVERPAID", ENTRY), ("DUTY_REFUNDABLE", ENTRY)}
    assert got["MPF_OVERPAID", ENTRY].fees_delta == D("-12.09")
    assert got["DUTY_REFUNDABLE", ENTRY].duty_delta == D("-5961.40")
    assert all(f.status == "open" for f in got.values())
    assert plain.entry_totals == result.entry_totals  # the refunds offset no entry's loss
    assert not overpaid(plain)  # the corpus as it is has no overpayment


def test_refunds_are_not_disclosed_nor_tendered(modified):
    plain, result, store, _ = modified
    importer = "Cascade Home Goods, Inc."
    d = draft_disclosure(store, importer=importer)
    assert not [f for f in d.findings if f.direction == "overpaid"]
    assert not [r for r in d.schedule if r.finding.direction == "overpaid"]
    mine = {e.entry_number for e in plain.entries
                 if getattr(e.header.get("importer"), "name", None) == importer}
    expected = sum((D(t["loss_of_revenue"]) for n, t in plain.entry_totals.items() if n in mine), D(0))
    assert d.total == expected and d.total > 0
    assert ENTRY not in {e.entry_number for e in d.entries}  # an entry with only a refund is not disclosed
    assert "5,961.40" not in "\n".join(str(b.text) for b in d.blocks)


def test_the_report_and_the_refunds_schedule(modified):
    plain, _, store, tmp = modified
    data = collect(store, tender_date=AS_OF)
    assert data.total_loss == sum((D(t["loss_of_revenue"]) for t in plain.entry_totals.values()), D(0))
    assert not [r for r in data.schedule.rows if r.finding.direction == "overpaid"]
    assert all(c not in data.by_code for c in CODES)
    paths = write_report(store, tmp / "report", tender_date=AS_OF)
    assert paths["refunds_csv"].name == "refunds.csv" and paths["refunds_xlsx"].name == "refunds.xlsx"
    rows = list(csv.DictReader(paths["refunds_csv"].open(encoding="utf-8")))
    body = {r["finding_code"]: r for r in rows if r["entry_number"] == ENTRY}
    assert (body["DUTY_REFUNDABLE"]["refund"], body["MPF_OVERPAID"]["refund"]) == ("5961.40", "12.09")
    assert body["MPF_OVERPAID"]["fees_refundable"] == "12.09"
    for r in body.values():
        assert (r["triage_status"], r["remedy"], r["deadline"]) == ("protest_window", "protest", "2026-07-22")
    assert rows[-1]["entry_number"] == "TOTAL" and rows[-1]["refund"] == "5973.49"
    sched = list(csv.DictReader((tmp / "report" / "schedule.csv").open(encoding="utf-8")))
    assert not [r for r in sched if r["finding_code"] in CODES]
    ws = load_workbook(paths["refunds_xlsx"]).active
    assert [c.value for c in ws[1]][:3] == ["entry_number", "line_no", "finding_id"]
    total = [c.value for c in ws[ws.max_row]]
    assert total[0] == "TOTAL" and str(total[7]).startswith("=SUM(")
    html = paths["html"].read_text(encoding="utf-8")
    assert 'id="refunds"' in html and "5,973.49" in html and "2026-07-22" in html
    # each refund's card is headed by its refund, not by a loss of revenue of 0.00
    assert html.count(" · refund USD 5,961.40</h3>") == 1 and " · refund USD 12.09</h3>" in html


def test_the_run_summary_lists_refunds_apart(modified):
    _, result, _, _ = modified
    lines = list(pipeline.refund_lines(result.findings, result.entries, AS_OF))
    assert lines[0].startswith("Refunds due") and lines[-1] == "Total refunds due: USD 5,973.49"
    assert any("DUTY_REFUNDABLE" in ln and "5,961.40" in ln and "protest by 2026-07-22" in ln for ln in lines)


# --- METAL_CONTENT_OVERSTATED --------------------------------------------------------------------------------------

def steel_entry(content="9000", rest="1000", hts="7308.90.9590", number="9903.81.91", rate="50", when="2025-10-14"):
    """A steel article entered in two lines (the content under the 232 number at ``rate`` %, the rest apart)."""
    from appraiser.models.records import Party

    first = {"line_no": 1, "hts": hts, "entered_value": D(content), "duty_rate": D(0), "melt_country": "CN",
             "additional": [{"hts": number, "rate": D(rate), "value": D(content)}]}
    lines = [first]
    if D(rest):
        lines.append({"line_no": 2, "hts": hts, "entered_value": D(rest), "duty_rate": D(0), "melt_country": "CN"})
    total = D(content) + D(rest)
    fields = {"entry_number": "ABC-1234567-6", "entry_date": when, "mode_of_transport": "40",
              "total_entered_value": total, "invoice_numbers": ["A-1"], "country_of_origin": "CN",
              "importer": Party("Cascade Home Goods, Inc.")}
    return Document.of("s/7501.pdf", "entry_summary", fields, lines)


def steel_invoice(*notes):
    from appraiser.models.records import Party

    return Document.of("s/inv.pdf", "commercial_invoice",
                       {"invoice_number": "A-1", "po_number": "P-1", "currency": "USD",
                        "seller": Party("Acme Steel Works Ltd")}, notes=list(notes))


def audit_prose(docs):
    from appraiser.extract.facts import with_facts

    result = audit([with_facts(d) for d in docs])
    assert not result.errors, result.errors
    return result


def test_metal_content_overstated_refunds_the_232_duty_on_the_excess():
    # (a) 8,200 paid for the steel; (b) 10,000 − 1,500 non-steel = 8,500, the higher: 9,000 declared is 500 over,
    # at the 50 % the line paid: 250.00 refundable
    result = audit_prose([steel_entry(), steel_invoice("Non-steel components (paint, bolts) amount to USD 1,500.00.",
                                                       "The price paid for the steel was USD 8,200.00.")])
    [f] = overpaid(result)
    assert f.code == "METAL_CONTENT_OVERSTATED" and f.line_no == 1 and f.status == "open"
    assert (f.duty_delta, f.fees_delta, f.loss_of_revenue) == (D("-250.00"), D("0.00"), D("0.00"))
    assert "overstated by USD 500.00" in f.title and not f.rate_unknown
    assert any("reading (b)" in s and "8,500.00" in s for s in f.arithmetic)
    assert any("non-steel components" in e.text.lower() for e in f.evidence)
    assert any(e.path == "s/7501.pdf" for e in f.evidence)
    assert not [x for x in result.findings if x.code == "METAL_CONTENT_MISSTATED"]  # one fact, one code
    assert result.entry_totals.get("ABC-1234567-6", {}).get("loss_of_revenue", "0.00") == "0.00"
    [r] = refunds(result.findings, {e.entry_number: e for e in result.entries}, AS_OF)
    # unliquidated, entered 2025-10-14: a post-summary correction within 300 days
    assert (r.code, r.refund, r.triage_status, r.remedy, r.deadline) == (
        "METAL_CONTENT_OVERSTATED", D("250.00"), "psc_window", "post_summary_correction", "2026-08-10")


def test_232_duty_paid_on_the_full_value_of_goods_taxed_on_their_content():
    # one line, the whole 10,000 declared as content; the documents put 2,000 down to non-steel parts
    result = audit_prose([steel_entry(content="10000", rest="0"),
                          steel_invoice("Non-steel components amount to USD 2,000.00.")])
    [f] = overpaid(result)
    assert f.code == "METAL_CONTENT_OVERSTATED" and f.duty_delta == D("-1000.00")


def test_no_overstatement_where_the_documents_do_not_support_it():
    # no document states the metal's worth
    assert not overpaid(audit_prose([steel_entry(), steel_invoice()]))
    # the documents support exactly what was declared
    assert not overpaid(audit_prose([steel_entry(), steel_invoice("Non-steel components amount to USD 1,000.00.")]))
    # the documents support more: the underpayment alone, never both
    result = audit_prose([steel_entry(), steel_invoice("Non-steel components amount to USD 400.00.")])
    assert not overpaid(result) and [f.code for f in result.findings if f.code.startswith("METAL_")] == [
        "METAL_CONTENT_MISSTATED"]
    # chapter 72 articles pay on their full value: declaring it all is right, whatever the split
    assert not overpaid(audit_prose([steel_entry(content="10000", rest="0", hts="7208.51.0030", number="9903.81.87"),
                                     steel_invoice("Non-steel components amount to USD 2,000.00.")]))


def test_metal_content_overstated_is_in_refunds_csv_not_the_loss_nor_the_disclosure(tmp_path):
    docs = [steel_entry(), steel_invoice("Non-steel components (paint, bolts) amount to USD 1,500.00.")]
    from appraiser.extract.facts import with_facts

    docs = [with_facts(d) for d in docs]
    result = audit(docs)
    store = Store(tmp_path / "audit.db")
    try:
        for d in docs:
            store.save_document(d, "truth", cache=False)
        pipeline.save_result(store, result)
        [f] = [f for f in store.findings() if f.code == "METAL_CONTENT_OVERSTATED"]
        assert store.decide(f.id, "accepted", "reviewer", None)
        data = collect(store, tender_date=AS_OF)
        assert data.total_loss == D("0.00") and "METAL_CONTENT_OVERSTATED" not in data.by_code
        paths = write_report(store, tmp_path / "report", tender_date=AS_OF)
        rows = list(csv.DictReader(paths["refunds_csv"].open(encoding="utf-8")))
        [row] = [r for r in rows if r["finding_code"] == "METAL_CONTENT_OVERSTATED"]
        assert (row["refund"], row["remedy"], row["deadline"]) == ("250.00", "post_summary_correction",
                                                                   "2026-08-10")
        sched = (tmp_path / "report" / "schedule.csv").read_text(encoding="utf-8")
        assert "METAL_CONTENT_OVERSTATED" not in sched
        # the refund, accepted, is the importer's only finding: nothing to disclose
        with pytest.raises(NothingAccepted):
            draft_disclosure(store, importer="Cascade Home Goods, Inc.")
    finally:
        store.close()


# --- PREFERENCE_UNCLAIMED ------------------------------------------------------------------------------------------

IMPORTER, SELLER = "Cascade Home Goods, Inc.", "Confecciones Andinas S.A.S."


def preference_docs(spi=None, duty="3051.02", when="2026-02-10", **cert_fields):
    """T-shirts of Colombia entered at the general 16.5 % without SPI, with a CTPA blanket certification."""
    from appraiser.models.records import Party

    line = {"line_no": 1, "hts": "6109.10.0012", "description": "MEN'S COTTON T-SHIRTS", "entered_value": D("18491"),
            "duty_rate": D("16.5")}
    if duty is not None:
        line["duty"] = D(duty)
    if spi:
        line["spi"] = spi
    es = Document.of("ship/7501.pdf", "entry_summary",
                     {"entry_number": "ABC-1234567-6", "entry_date": when, "mode_of_transport": "40",
                      "total_entered_value": D("18491"), "invoice_numbers": ["A-1"], "importer": Party(IMPORTER)},
                     [line])
    inv = Document.of("ship/inv.pdf", "commercial_invoice", {"invoice_number": "A-1", "currency": "USD",
                                                             "seller": Party(SELLER), "total": D("18491")})
    fields = {"agreement": "CTPA", "blanket_period_from": "2025-11-23", "blanket_period_to": "2026-11-22",
              "importer": Party(IMPORTER), "exporter": Party(SELLER), "producer": Party(SELLER),
              "goods": [{"description": "Men's cotton t-shirts", "hts": "6109.10", "origin_criterion": "B"}]}
    fields.update(cert_fields)
    coo = Document.of("ship/coo.pdf", "certificate_of_origin", {k: v for k, v in fields.items() if v is not None})
    return [es, inv, coo]


def tshirt_tariff(special="Free (A,AU,CO,MX,KR)"):
    from appraiser.extract.tariff import Tariff

    return Tariff({"61091000": "16.5%"}, {"61091000": special} if special else {})


def test_originating_goods_entered_without_spi_refund_the_duty_less_the_preferential():
    result = audit(preference_docs(), tariff=tshirt_tariff())
    [f] = overpaid(result)
    assert f.code == "PREFERENCE_UNCLAIMED" and f.line_no == 1 and f.status == "open" and not f.rate_unknown
    # 16.5 % paid (3,051.02 declared), CO free in the special column: all of it refundable
    assert (f.duty_delta, f.fees_delta, f.loss_of_revenue) == (D("-3051.02"), D("0.00"), D("0.00"))
    assert "CTPA" in f.title and "free" in " ".join(f.arithmetic) and "1520(d)" in f.explanation
    assert any(e.path == "ship/coo.pdf" for e in f.evidence)
    assert not [x for x in result.findings if x.code == "FTA_CLAIM_UNSUPPORTED"]
    entries = {e.entry_number: e for e in result.entries}
    [r] = refunds(result.findings, entries, AS_OF)
    # the post-importation claim: within one year after importation (the date of entry stands for it)
    assert (r.refund, r.remedy, r.deadline) == (D("3051.02"), "post_importation_claim", "2027-02-10")
    [late] = refunds(result.findings, entries, date(2027, 2, 11))
    assert (late.remedy, late.deadline) == ("time_barred", None)
    [last] = refunds(result.findings, entries, date(2027, 2, 10))
    assert last.remedy == "post_importation_claim"


def test_a_preferential_rate_not_free_and_one_unknown():
    # 5 % under CO: 18,491 × 5 % = 924.55 due at the preference; 3,051.02 − 924.55 = 2,126.47 refundable
    [f] = overpaid(audit(preference_docs(), tariff=tshirt_tariff("5% (CO) Free (A,AU,MX,KR)")))
    assert f.duty_delta == D("-2126.47") and "5 %" in " ".join(f.arithmetic)
    # no special rate for CO in the tariff file, or no file: the rate is unknown, no amount is guessed
    for tariff in (tshirt_tariff(special="Free (A,AU,MX,KR)"), None):
        [f] = overpaid(audit(preference_docs(), tariff=tariff))
        assert f.code == "PREFERENCE_UNCLAIMED" and f.rate_unknown and f.duty_delta == D("0.00")
        assert "unknown" in f.title


def test_no_preference_unclaimed_where_the_documents_do_not_support_it():
    tariff = tshirt_tariff()
    assert not overpaid(audit(preference_docs(spi="CO"), tariff=tariff))  # the preference was claimed
    assert not overpaid(audit(preference_docs(goods=[{"hts": "6205.20", "description": "Men's woven shirts"}]),
                              tariff=tariff))  # another good
    assert not overpaid(audit(preference_docs(importer=None, exporter=None, producer=None,
                                              blanket_period_to="2026-01-31"), tariff=tariff))  # period over
    from appraiser.models.records import Party

    assert not overpaid(audit(preference_docs(importer=Party("Other Importer LLC")), tariff=tariff))
    assert not overpaid(audit(preference_docs(agreement="Certificate"), tariff=tariff))  # no agreement named
    assert not overpaid(audit(preference_docs()[:2], tariff=tariff))  # no certification at all


def test_preference_unclaimed_in_refunds_csv_not_the_loss_nor_the_disclosure(tmp_path):
    docs = preference_docs()
    result = audit(docs, tariff=tshirt_tariff())
    store = Store(tmp_path / "audit.db")
    try:
        for d in docs:
            store.save_document(d, "truth", cache=False)
        pipeline.save_result(store, result)
        [f] = [f for f in store.findings() if f.code == "PREFERENCE_UNCLAIMED"]
        assert store.decide(f.id, "accepted", "reviewer", None)
        data = collect(store, tender_date=AS_OF)
        assert data.total_loss == D("0.00") and "PREFERENCE_UNCLAIMED" not in data.by_code
        paths = write_report(store, tmp_path / "report", tender_date=AS_OF)
        rows = list(csv.DictReader(paths["refunds_csv"].open(encoding="utf-8")))
        [row] = [r for r in rows if r["finding_code"] == "PREFERENCE_UNCLAIMED"]
        assert (row["refund"], row["remedy"], row["deadline"]) == ("3051.02", "post_importation_claim",
                                                                   "2027-02-10")
        assert "PREFERENCE_UNCLAIMED" not in (tmp_path / "report" / "schedule.csv").read_text(encoding="utf-8")
        with pytest.raises(NothingAccepted):
            draft_disclosure(store, importer=IMPORTER)
    finally:
        store.close()


def test_refunds_computed_rather_than_declared_are_believed_less():
    # no duty declared: 16.5 % × 18,491 = 3,051.015, rounded to 3,051.02, believed less than a declared duty
    [f] = overpaid(audit(preference_docs(duty=None), tariff=tshirt_tariff()))
    assert f.duty_delta == D("-3051.02") and f.confidence < 0.85
    assert any("no duty declared" in r for r in f.confidence_reasons)
    # a 232 line stating no rate: the rate in force (50 % on 2025-10-14) on the 500.00 excess, believed less
    doc = steel_entry()
    doc.line_items[0].get("additional")[0].pop("rate")
    [f] = overpaid(audit_prose([doc, steel_invoice("Non-steel components amount to USD 1,500.00.")]))
    assert f.duty_delta == D("-250.00") and any("no rate declared" in r for r in f.confidence_reasons)
