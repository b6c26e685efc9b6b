"""Section 232 rules (audit/section232.py) and the Section 232 tables of audit/revenue.py:
METAL_CONTENT_MISSTATED, MELT_POUR_MISMATCH, SECTION232_UNDECLARED."""
import json
from decimal import Decimal as D
from functools import lru_cache
from pathlib import Path

import pytest

from appraiser.audit import audit as _audit
from appraiser.audit import revenue
from appraiser.extract.facts import with_facts
from appraiser.audit.revenue import load_tariff, section232_covered, section232_on_content, section232_rate
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document, Party


def audit(documents, **kw):
    """The audit of documents built by hand or read from a truth file, with the facts extraction reads from
    their prose (``extract.facts.with_facts``), as the pipeline gives it."""
    return _audit([with_facts(d) for d in documents], **kw)

ROOT = Path(__file__).resolve().parents[2]
CODES = ("METAL_CONTENT_MISSTATED", "MELT_POUR_MISMATCH", "SECTION232_UNDECLARED")


@lru_cache(maxsize=None)
def corpus(split):
    folder = ROOT / "fixtures" / "corpus" / split
    truth = json.loads((folder / "truth.json").read_text())
    result = audit([document_from_json(d) for d in truth["documents"]], tariff=load_tariff(folder / "tariff.csv"))
    return truth, result


# --- the corpus: every planted finding, to the cent, and nothing on the other entries --------------------

@pytest.mark.parametrize("split", ["dev", "check"])
@pytest.mark.parametrize("code", CODES)
def test_planted_section232_findings_to_the_cent_and_no_others(split, code):
    truth, result = corpus(split)
    expected = sorted((f["entry_number"], D(f["value_delta"]), D(f["duty_delta"]), D(f["fees_delta"]),
                       D(f["loss_of_revenue"])) for f in truth["findings"] if f["code"] == code)
    found = sorted((f.entry_number, f.value_delta, f.duty_delta, f.fees_delta, f.loss_of_revenue)
                   for f in result.findings if f.code == code)
    assert expected and found == expected
    assert not [e for e in result.errors if code in e]


@pytest.mark.parametrize("split", ["dev", "check"])
def test_clean_entries_and_entries_planted_with_other_codes_get_no_section232_finding(split):
    truth, result = corpus(split)
    planted = {f["entry_number"] for f in truth["findings"] if f["code"] in CODES}
    stray = [(f.code, f.entry_number) for f in result.findings if f.code in CODES and f.entry_number not in planted]
    assert stray == []


def test_corpus_content_finding_reports_its_reading_evidence_and_no_fee_change():
    truth, result = corpus("dev")
    [f] = [f for f in result.findings if f.code == "METAL_CONTENT_MISSTATED"]
    assert f.line_no == 1 and f.fees_delta == D("0.00")
    assert any(s.startswith("reading (a)") for s in f.arithmetic)
    assert any(s.startswith("reading (b)") and "−" in s for s in f.arithmetic)
    assert any("non-steel components" in e.text for e in f.evidence)  # the statement it rests on
    assert any(e.path.endswith(".pdf") and "7501" in e.path for e in f.evidence)


# --- builders ----------------------------------------------------------------------------------------

def entry(lines, date="2025-10-14", origin="CN", mode="40", folder="s", **header):
    total = sum((ln.get("entered_value") or D(0) for ln in lines), D(0))
    fields = {"entry_number": "ABC-1234567-6", "entry_date": date, "mode_of_transport": mode,
              "total_entered_value": total, "invoice_numbers": ["A-1"], "country_of_origin": origin, **header}
    return Document.of(f"{folder}/7501.pdf", "entry_summary", {k: v for k, v in fields.items() if v is not None},
                       lines)


def invoice(notes=(), folder="s", **fields):
    base = {"invoice_number": "A-1", "po_number": "P-1", "currency": "USD", "seller": Party("Acme Steel Works Ltd")}
    return Document.of(f"{folder}/inv.pdf", "commercial_invoice", {**base, **fields}, notes=list(notes))


def certificate(melt, pour=None, heats=(), folder="s"):
    fields = {"po_number": "P-1", "mill": Party("Big Mill S.A.")}
    if melt:
        fields["melt_country"] = melt
    if pour or melt:
        fields["pour_country"] = pour or melt
    return Document.of(f"{folder}/mtc.pdf", "mill_certificate", fields, heats)


def split_lines(content="9000", rest="1000", hts="7308.90.9590", rate="50", melt="CN", number="9903.81.91"):
    first = {"line_no": 1, "hts": hts, "entered_value": D(content), "duty_rate": D(0),
             "additional": [{"hts": number, "rate": D(rate), "value": D(content)}]}
    second = {"line_no": 2, "hts": hts, "entered_value": D(rest), "duty_rate": D(0)}
    if melt:
        first["melt_country"] = second["melt_country"] = melt
    return [first, second]


def findings(docs, code, **kw):
    result = audit(docs, **kw)
    assert not result.errors, result.errors
    return [f for f in result.findings if f.code == code]


# --- METAL_CONTENT_MISSTATED ---------------------------------------------------------------------------

def test_both_readings_reported_and_the_shortfall_taken_against_the_higher():
    docs = [entry(split_lines(), mode="11"), invoice(["Non-steel components (paint, bolts) amount to USD 400.00.",
                                                      "The price paid for the steel was USD 9,300.00."])]
    [f] = findings(docs, "METAL_CONTENT_MISSTATED")
    # (a) 9,300; (b) 10,000 − 400 = 9,600: the higher, 9,600, less 9,000 declared = 600 at 50 %
    assert (f.value_delta, f.duty_delta, f.fees_delta, f.loss_of_revenue) == (D("600.00"), D("300.00"), D("0.00"),
                                                                             D("300.00"))
    assert any("reading (a)" in s and "9,300.00" in s for s in f.arithmetic)
    assert any("reading (b)" in s and "9,600.00" in s for s in f.arithmetic)
    assert any("HMF" in s and "after" in s for s in f.arithmetic)  # a vessel entry: fees computed, unchanged
    # the other way round the metal cost is the higher reading
    docs = [entry(split_lines()), invoice(["Non-steel components amount to USD 900.00.",
                                           "The price paid for the steel was USD 9,450.00."])]
    [f] = findings(docs, "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("450.00") and f.duty_delta == D("225.00")


def test_a_statement_repeated_in_two_documents_counts_once():
    note = "Of the invoice value, non-steel components amount to USD 400.00; the balance is steel content."
    packing = Document.of("s/pl.pdf", "packing_list", {"invoice_number": "A-1", "po_number": "P-1"}, notes=[note])
    [f] = findings([entry(split_lines()), invoice([note]), packing], "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("600.00")


def test_distinct_components_in_one_document_add_up_and_a_repeated_one_does_not():
    notes = ["Non-steel components: coating USD 250.00.", "Non-steel components: fasteners USD 150.00.",
             "Non-steel components: coating USD 250.00."]  # the same line again on the next page
    [f] = findings([entry(split_lines()), invoice(notes)], "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("600.00")  # 10,000 − (250 + 150) − 9,000


def test_a_cost_breakdown_filed_beside_the_entry_is_read():
    breakdown = Document.of("s/cost breakdown.pdf", "other", {},
                            notes=["Non-steel components (labour, paint) amount to USD 400.00."])
    [f] = findings([entry(split_lines()), invoice(), breakdown], "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("600.00") and any(e.path == "s/cost breakdown.pdf" for e in f.evidence)


def test_in_a_folder_shared_by_entries_a_breakdown_counts_only_for_the_invoice_it_names():
    other_entry = Document.of("s/7501-b.pdf", "entry_summary", {
        "entry_number": "ABC-7654321-0", "entry_date": "2025-10-14", "total_entered_value": D("10000"),
        "invoice_numbers": ["B-2"]}, split_lines())
    other_invoice = invoice(invoice_number="B-2", po_number="P-2")
    other_invoice.path = "s/inv-b.pdf"
    named = Document.of("s/cost.pdf", "other", {},
                        notes=["Invoice A-1: non-steel components amount to USD 400.00."])
    result = audit([entry(split_lines()), invoice(), other_entry, other_invoice, named])
    assert [f.entry_number for f in result.findings if f.code == "METAL_CONTENT_MISSTATED"] == ["ABC-1234567-6"]
    unnamed = Document.of("s/cost.pdf", "other", {}, notes=["Non-steel components amount to USD 400.00."])
    result = audit([entry(split_lines()), invoice(), other_entry, other_invoice, unnamed])
    assert not [f for f in result.findings if f.code == "METAL_CONTENT_MISSTATED"]


def test_amounts_in_the_invoice_currency_are_converted_at_the_entry_rate():
    docs = [entry(split_lines(), currency="MXN", exchange_rate=D("0.05")),
            invoice(["Non-steel components amount to MXN 8,000.00."], currency="MXN")]
    [f] = findings(docs, "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("600.00")  # 10,000 − 8,000 × 0.05 = 9,600; less 9,000


def test_the_mills_invoice_to_the_fabricator_is_the_price_paid_for_the_metal():
    mill_invoice = Document.of("s/mill-invoice.pdf", "commercial_invoice", {
        "invoice_number": "M-9", "po_number": "P-1", "currency": "USD", "seller": Party("Big Mill SA"),
        "buyer": Party("Acme Steel Works"), "total": D("9500")})
    [f] = findings([entry(split_lines()), invoice(), certificate("CN"), mill_invoice], "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("500.00") and f.duty_delta == D("250.00")
    # a mill invoice for another order (no shared PO or invoice number) is not this metal
    other = Document.of("s/mill-invoice.pdf", "commercial_invoice", {
        "invoice_number": "M-9", "po_number": "P-77", "currency": "USD", "seller": Party("Big Mill SA"),
        "buyer": Party("Acme Steel Works"), "total": D("9500")})
    assert not findings([entry(split_lines()), invoice(), certificate("CN"), other], "METAL_CONTENT_MISSTATED")


def test_a_content_value_stated_outright():
    docs = [entry(split_lines()), invoice(["Steel content value: USD 9,700.00 per the cost breakdown."])]
    [f] = findings(docs, "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("700.00") and "content value of USD 9,700.00" in f.explanation


def test_without_a_document_stating_the_metals_value_there_is_no_finding():
    assert not findings([entry(split_lines()), invoice()], "METAL_CONTENT_MISSTATED")
    # documents supporting no more than was declared: nothing either
    assert not findings([entry(split_lines()), invoice(["Non-steel components amount to USD 1,000.00."])],
                        "METAL_CONTENT_MISSTATED")


def test_chapter_72_and_goods_entered_before_4_june_2025_pay_on_their_full_value():
    # chapter 72 steel articles: the whole 10,000 is the content, whatever the documents split off
    lines = split_lines(hts="7208.51.0030", number="9903.81.87")
    [f] = findings([entry(lines), invoice(["Non-steel components amount to USD 400.00."])],
                   "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("1000.00") and f.duty_delta == D("500.00") and "full value" in f.explanation
    # chapter 73 before 4 June 2025: full value, at the 25 % then in force
    [f] = findings([entry(split_lines(rate="25", number="9903.81.90"), date="2025-05-01")],
                   "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("1000.00") and f.duty_delta == D("250.00") and "before 4 June 2025" in f.explanation


def test_no_content_finding_where_the_goods_owed_no_section232_duty():
    note = ["Non-steel components amount to USD 400.00."]
    # a chapter 73 derivative before 12 March 2025: not yet covered, whatever was declared
    assert not findings([entry(split_lines(rate="25"), date="2024-11-01"), invoice(note)], "METAL_CONTENT_MISSTATED")
    # a derivative declared as made of US-melted steel, no certificate saying otherwise: exempt
    assert not findings([entry(split_lines(rate="0", melt="US", number="9903.81.92")), invoice(note)],
                        "METAL_CONTENT_MISSTATED")


def test_the_rate_is_the_one_in_force_for_the_goods_origin():
    # products of the United Kingdom stay at 25 % after 4 June 2025
    docs = [entry(split_lines(rate="25", melt="GB", number="9903.81.96"), origin="GB"),
            invoice(["The price paid for the steel was USD 9,400."])]
    [f] = findings(docs, "METAL_CONTENT_MISSTATED")
    assert f.value_delta == D("400.00") and f.duty_delta == D("100.00")


def test_the_content_shortfall_and_the_undeclared_line_are_different_money():
    lines = split_lines() + [{"line_no": 3, "hts": "7307.99.5045", "entered_value": D("2000"), "duty_rate": D("4.3")}]
    docs = [entry(lines), invoice(["Non-steel components of the structures amount to USD 400.00."])]
    result = audit(docs)
    codes = sorted(f.code for f in result.findings if f.code in CODES)
    assert codes == ["METAL_CONTENT_MISSTATED", "SECTION232_UNDECLARED"]
    # the two findings' money both count in the entry total: 600 × 50 % + 2,000 × 50 %
    assert result.entry_totals["ABC-1234567-6"]["loss_of_revenue"] == "1300.00"


# --- MELT_POUR_MISMATCH ---------------------------------------------------------------------------------

def test_a_different_country_with_the_same_rate_is_a_finding_with_no_loss():
    lines = [{"line_no": 1, "hts": "7307.99.5045", "entered_value": D("10000"), "duty_rate": D("4.3"),
              "melt_country": "MX", "additional": [{"hts": "9903.81.91", "rate": D(50), "value": D("10000")}]}]
    [f] = findings([entry(lines, origin="MX"), invoice(), certificate("CN")], "MELT_POUR_MISMATCH")
    assert f.loss_of_revenue == D("0.00") and f.duty_delta == D("0.00") and f.line_no == 1
    assert "CN" in f.title and "MX" in f.title and "no duty" in f.explanation
    assert any(e.path == "s/mtc.pdf" for e in f.evidence)
    # the same country, written as a name on the certificate: nothing
    assert not findings([entry(lines, origin="MX"), invoice(), certificate("Mexico")], "MELT_POUR_MISMATCH")


def test_steel_declared_as_melted_in_the_united_states_owes_the_duty_it_escaped():
    lines = [{"line_no": 1, "hts": "7308.90.9590", "entered_value": D("10000"), "duty_rate": D("0"),
              "melt_country": "US", "additional": [{"hts": "9903.81.92", "rate": D(0), "value": D("10000")}]}]
    [f] = findings([entry(lines), invoice(), certificate("China")], "MELT_POUR_MISMATCH")
    assert (f.value_delta, f.duty_delta, f.loss_of_revenue) == (D("10000.00"), D("5000.00"), D("5000.00"))
    assert f.fees_delta == D("0.00")


def test_one_heat_melted_elsewhere_is_a_mismatch():
    lines = [{"line_no": 1, "hts": "7308.90.9590", "entered_value": D("10000"), "duty_rate": D("0"),
              "melt_country": "MX", "additional": [{"hts": "9903.81.91", "rate": D(50), "value": D("10000")}]}]
    heats = [{"heat_number": "H1", "melt_country": "MX", "pour_country": "MX"},
             {"heat_number": "H2", "melt_country": "VN", "pour_country": "VN"}]
    [f] = findings([entry(lines, origin="MX"), invoice(), certificate(None, heats=heats)], "MELT_POUR_MISMATCH")
    assert "VN" in f.title


def test_mexicos_melt_and_pour_condition_before_march_2025():
    # a Mexican pipe (a steel article) of September 2024 declared melted in Mexico, melted in China per the
    # certificate: 25 % on its value, counted once, in the undeclared-line finding
    lines = [{"line_no": 1, "hts": "7306.30.5055", "entered_value": D("10000"), "duty_rate": D("0"),
              "melt_country": "MX"}]
    result = audit([entry(lines, date="2024-09-10", origin="MX"), invoice(), certificate("CN")])
    by_code = {f.code: f for f in result.findings}
    assert by_code["SECTION232_UNDECLARED"].duty_delta == D("2500.00")
    assert by_code["MELT_POUR_MISMATCH"].loss_of_revenue == D("0.00")
    assert "counted once" in by_code["MELT_POUR_MISMATCH"].explanation
    assert result.entry_totals["ABC-1234567-6"]["loss_of_revenue"] == "2500.00"
    # melted in Mexico as declared: exempt, nothing to report
    assert not [f for f in audit([entry(lines, date="2024-09-10", origin="MX"), invoice(),
                                  certificate("MX")]).findings if f.code in CODES]


def test_no_certificate_or_no_declared_country_is_no_melt_finding():
    lines = [{"line_no": 1, "hts": "7308.90.9590", "entered_value": D("10000"), "duty_rate": D("0"),
              "melt_country": "MX", "additional": [{"hts": "9903.81.91", "rate": D(50), "value": D("10000")}]}]
    assert not findings([entry(lines), invoice()], "MELT_POUR_MISMATCH")
    del lines[0]["melt_country"]
    assert not findings([entry(lines), invoice(), certificate("CN")], "MELT_POUR_MISMATCH")


# --- SECTION232_UNDECLARED ------------------------------------------------------------------------------

def test_undeclared_goods_owe_the_rate_on_their_whole_value_or_on_the_documented_content():
    lines = [{"line_no": 1, "hts": "7325.99.1000", "entered_value": D("15540"), "duty_rate": D("0")}]
    [f] = findings([entry(lines, mode="11")], "SECTION232_UNDECLARED")
    assert (f.value_delta, f.duty_delta, f.fees_delta, f.loss_of_revenue) == (D("15540.00"), D("7770.00"),
                                                                             D("0.00"), D("7770.00"))
    assert any("whole value" in s or "no non-steel value" in s for s in [f.explanation] + f.arithmetic)
    [f] = findings([entry(lines), invoice(["Non-steel parts (rubber seals) amount to USD 540.00."])],
                   "SECTION232_UNDECLARED")
    assert f.value_delta == D("15000.00") and f.duty_delta == D("7500.00")


def test_the_rate_in_force_on_the_entry_date():
    lines = [{"line_no": 1, "hts": "7325.99.1000", "entered_value": D("1000"), "duty_rate": D("0")}]
    assert findings([entry(lines, date="2025-06-03")], "SECTION232_UNDECLARED")[0].duty_delta == D("250.00")
    assert findings([entry(lines, date="2025-06-04")], "SECTION232_UNDECLARED")[0].duty_delta == D("500.00")
    assert findings([entry(lines, date="2025-10-01", origin="GB")], "SECTION232_UNDECLARED")[0].duty_delta == D("250.00")


def test_goods_the_proclamations_did_not_cover_on_the_entry_date_are_not_reported():
    castings = [{"line_no": 1, "hts": "7325.99.1000", "entered_value": D("1000"), "duty_rate": D("0")}]
    assert not findings([entry(castings, date="2024-11-01")], "SECTION232_UNDECLARED")  # derivative not yet listed
    scrap = [{"line_no": 1, "hts": "7204.41.0000", "entered_value": D("1000"), "duty_rate": D("0")}]
    assert not findings([entry(scrap)], "SECTION232_UNDECLARED")
    plastics = [{"line_no": 1, "hts": "3926.90.9985", "entered_value": D("1000"), "duty_rate": D("5.3")}]
    assert not findings([entry(plastics)], "SECTION232_UNDECLARED")
    # Canadian steel was exempt until 12 March 2025
    pipe = [{"line_no": 1, "hts": "7306.30.5055", "entered_value": D("1000"), "duty_rate": D("0")}]
    assert not findings([entry(pipe, date="2024-06-01", origin="CA")], "SECTION232_UNDECLARED")
    assert findings([entry(pipe, date="2025-03-12", origin="CA")], "SECTION232_UNDECLARED")[0].duty_delta == D("250.00")


def test_declared_united_states_melt_is_believed_until_a_certificate_says_otherwise():
    lines = [{"line_no": 1, "hts": "7308.90.9590", "entered_value": D("10000"), "duty_rate": D("0"),
              "melt_country": "US"}]
    assert not findings([entry(lines), invoice()], "SECTION232_UNDECLARED")
    result = audit([entry(lines), invoice(), certificate("CN")])
    by_code = {f.code: f for f in result.findings}
    assert by_code["SECTION232_UNDECLARED"].duty_delta == D("5000.00")
    assert by_code["MELT_POUR_MISMATCH"].loss_of_revenue == D("0.00")
    assert result.entry_totals["ABC-1234567-6"]["loss_of_revenue"] == "5000.00"


def test_a_declared_line_is_not_undeclared():
    lines = [{"line_no": 1, "hts": "7325.99.1000", "entered_value": D("15540"), "duty_rate": D("0"),
              "additional": [{"hts": "9903.81.91", "rate": D(50), "value": D("15540")}]}]
    assert not findings([entry(lines)], "SECTION232_UNDECLARED")


# --- the tables in revenue.py -----------------------------------------------------------------------------

@pytest.mark.parametrize("hts,date,origin,melt,rate", [
    ("7308.90.9590", "2025-06-03", None, None, "25"),
    ("7308.90.9590", "2025-06-04", None, None, "50"),
    ("7610.90.0080", "2025-03-11", None, None, "10"),
    ("7610.90.0080", "2025-03-12", None, None, "25"),
    ("7308.90.9590", "2025-10-01", "GB", None, "25"),  # products of the United Kingdom
    ("7308.90.9590", "2025-10-01", "CN", "GB", "50"),  # melted in the UK is not a product of the UK
    ("7308.90.9590", "2025-10-01", "MX", "US", "0"),  # derivative of US-melted steel
    ("7208.51.0030", "2025-10-01", "KR", "US", "50"),  # a steel article: no such exemption
    ("7610.90.0080", "2025-10-01", "CA", "RU", "200"),  # aluminium smelted in Russia
    ("7306.30.5055", "2024-09-10", "MX", {"MX"}, "0"),
    ("7306.30.5055", "2024-09-10", "MX", {"MX", "CN"}, "25"),
    ("7306.30.5055", "2024-06-10", "MX", "CN", "0"),  # before the July 2024 condition
    ("7306.30.5055", "2024-09-10", "CA", "CN", "0"),
    ("7306.30.5055", "2025-03-12", "CA", None, "25"),
    ("7306.30.5055", "2017-12-01", None, None, "0"),
])
def test_section232_rate_by_date_metal_origin_and_melt(hts, date, origin, melt, rate):
    assert section232_rate(hts, date, origin, melt)[0] == D(rate)


def test_section232_scope_and_value_basis():
    assert section232_rate("3926.90.9985", "2025-10-01") is None
    assert section232_rate("7602.00.0030", "2025-10-01") is None  # aluminium scrap
    assert section232_covered("7325.99.1000", "2025-03-12")[0] and not section232_covered("7325.99.1000", "2025-03-11")[0]
    assert section232_covered("7317.00.5503", "2021-01-04")[0]  # nails: a derivative since 2020
    assert section232_covered("7306.30.5055", "2019-01-02")[0]  # pipe: an article since 2018
    assert not section232_on_content("7208.51.0030", "2025-10-01")
    assert not section232_on_content("7308.90.9590", "2025-06-03") and section232_on_content("7308.90.9590", "2025-06-04")
    assert section232_on_content("8708.10.3050", "2025-04-01")  # derivatives outside 73/76: content only


def test_change_with_a_section232_rate_leaves_the_fees_alone():
    ctx = revenue.EntryContext("ABC-1234567-6", "2025-10-14", "11", D("25597"))
    r = revenue.compute(ctx, [revenue.Change(1, D("3071"), [D(50)], "232", fee_base_delta=D(0))])
    assert r.duty_delta == D("1535.50") and r.fees_delta == D("0.00") and r.mpf_before == r.mpf_after


# --- what extraction may leave out --------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    {"line_no": 1, "hts": "7308.90.9590"},
    {"line_no": 1, "entered_value": D("100")},
    {"line_no": 1, "hts": "7308.90.9590", "entered_value": D("100"), "additional": [{"hts": "9903.81.91"}]},
    {"line_no": 1, "hts": "7308.90.9590", "entered_value": D("100"), "additional": [{"rate": "x", "value": "y"}]},
    {"line_no": 1, "hts": "7308.90.9590", "entered_value": D("100"), "melt_country": "??",
     "additional": [{"hts": "9903.81.91", "rate": "abc", "value": "n/a"}]},
    {"hts": "7308.90", "entered_value": D("0")},
])
def test_missing_or_garbled_fields_do_not_crash(line):
    docs = [entry([line], date=None, origin=None), invoice(["Non-steel components amount to USD 40.00."]),
            certificate("CN", heats=[{"heat_number": "H1"}, {"melt_country": "Narnia"}]),
            Document.of("s/mtc2.pdf", "mill_certificate", {}), Document.of("s/inv2.pdf", "commercial_invoice", {})]
    result = audit(docs)
    assert not [e for e in result.errors if any(c in e for c in CODES)]

