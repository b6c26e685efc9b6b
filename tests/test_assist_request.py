"""``appraiser assist-request``: the U.S. exporter's request to CBP for assistance (80 FR 34924) drafted from the
export sale's PDFs in ``fixtures/assist`` and its facts file; read back from the Word draft with python-docx."""
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as Word
from docx.enum.text import WD_COLOR_INDEX

from appraiser.cli import main
from appraiser.exporter import FactsError, NoInvoice, draft_request, read_documents, read_facts
from appraiser.exporter.request import AGREEMENT

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "fixtures" / "assist"
FACTS = FOLDER / "facts.json"
D = Decimal


@pytest.fixture(scope="module")
def documents():
    return read_documents(FOLDER, workers=1)


@pytest.fixture(scope="module")
def facts():
    return read_facts(FACTS)


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    out = tmp_path_factory.mktemp("assist") / "request.docx"
    res = CliRunner().invoke(main, ["assist-request", str(FOLDER), "--facts", str(FACTS), "--out", str(out),
                                    "--workers", "1", "--author", "Export Counsel LLP"])
    assert res.exit_code == 0, res.output
    return res.output, out


def _tables(doc) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def _table(doc, first_header: str) -> list[list[str]]:
    return next(t for t in _tables(doc) if t[0][0] == first_header)


def _text(doc) -> str:
    return "\n".join([p.text for p in doc.paragraphs] + [c for t in _tables(doc) for r in t for c in r])


# --- the command on the fixture -------------------------------------------------------------------------------

def test_the_money_is_read_from_the_pdfs_to_the_cent(drafted):
    output, out = drafted
    doc = Word(str(out))
    money = {r[0]: r[1] for r in _table(doc, "Figure")[1:]}
    assert money["Price of the goods"] == "33,741.00"
    assert money["Freight to the port of importation"] == "1,850.00"
    assert money["Insurance"] == "118.09"
    assert money["CIF value (transaction value with Article 8.2 costs)"] == "35,709.09"
    assert money["Paid by the buyer (payment records)"] == "35,709.09"
    assert money["Difference (value imposed − CIF value)"] == "8,410.91"
    assert any(k.startswith("Value imposed by") and v == "44,120.00" for k, v in money.items())
    invoice = _table(doc, "Invoice")
    assert invoice[1][:6] == ["AFC-25-1187", "33,741.00", "1,850.00", "118.09", "35,709.09", "35,709.09"]
    assert invoice[1][6] == "invoice AFC-25-1187.pdf, p. 1"
    assert "CIF value USD 35,709.09 (goods 33,741.00 + freight 1,850.00 + insurance 118.09)" in output
    # none of these figures is in the facts file: they come from the documents
    raw = FACTS.read_text(encoding="utf-8")
    assert not any(x in raw for x in ("33741", "35709", "1850", "118.09"))


def test_the_methods_in_their_order_with_their_reasons(drafted):
    doc = Word(str(drafted[1]))
    methods = _table(doc, "Article")
    assert [r[0] for r in methods[1:]] == ["Article 1", "Article 2", "Article 3", "Article 5", "Article 6",
                                           "Article 7"]
    assert [r[0] for r in methods[1:]] == [m["article"] for m in AGREEMENT["methods"]]
    assert methods[1][2] == "yes" and "four conditions of Article 1.1 are met" in methods[1][3]
    assert "the buyer paid USD 35,709.09, the invoiced total" in methods[1][3]
    for row in methods[2:]:
        assert row[2] == "no" and row[3].startswith("Not reached")
    assert "(f) minimum customs values" in methods[-1][3] and "(g) arbitrary or fictitious values" in methods[-1][3]
    conditions = _table(doc, "Provision")
    assert [r[0] for r in conditions[1:]] == ["Art. 1.1(a)", "Art. 1.1(b)", "Art. 1.1(c)", "Art. 1.1(d), 1.2, 15.4"]
    assert all(r[2] == "yes" for r in conditions[1:])
    adjustments = [t for t in _tables(doc) if t[0] == ["Provision", "Element", "Finding"]][0]
    assert adjustments[-1][0] == "Art. 8.2" and "CIF value USD 35,709.09 includes them" in adjustments[-1][2]


def test_the_classification_facts_and_the_decision(drafted):
    doc = Word(str(drafted[1]))
    cls = _table(doc, "")
    assert cls[1][:3] == ["Declared", "84.81", "8481.80"] and cls[2][:3] == ["Imposed", "84.81", "8481.40"]
    assert cls[2][3] == "Safety or relief valves"
    text = _text(doc)
    assert "Gate valve, cast carbon steel A216 WCB, 4 in, class 300, flanged (HS 8481.80 on invoice AFC-25-1187)" in text
    assert "Function: Manual on-off isolation" in text
    decision = {r[0]: r[1] for r in _table(doc, "Item")[1:]}
    assert decision["Decision reference"] == "DIAN-CTG-LIQ-2025-004417" and decision["Decision date"] == "2025-10-02"
    assert decision["HS declared → imposed"] == "8481.80 → 8481.40"
    assert "80 FR 34924 (June 18, 2015)" in text
    assert "departs from the WTO Customs Valuation Agreement and from the Harmonized System" in text


def test_the_foia_request_the_exhibits_and_the_marks(drafted):
    output, out = drafted
    doc = Word(str(out))
    text = _text(doc)
    assert "5 U.S.C. 552(b)(4)" in text and "19 CFR 103.35" in text and "Request for confidential treatment" in text
    exhibits = [p.text for p in doc.paragraphs if p.text.startswith("Exhibit ")]
    assert exhibits[:3] == ["Exhibit 1: commercial invoice AFC-25-1187 — invoice AFC-25-1187.pdf, p. 1",
                            "Exhibit 2: packing list PL-AFC-25-1187 — packing list PL-AFC-25-1187.pdf, p. 1",
                            "Exhibit 3: payment record FT250916-40713 — payment FT250916-40713.pdf, p. 1"]
    marked = [r.text for p in doc.paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert marked and all(m.startswith("[[CLIENT TO CONFIRM: ") and m.endswith("]]") for m in marked)
    assert "[[CLIENT TO CONFIRM: a copy of the decision, with an English translation]]" in marked
    unmarked = [r.text for p in doc.paragraphs for r in p.runs
                if "[[" in r.text and r.font.highlight_color != WD_COLOR_INDEX.YELLOW]
    assert unmarked == []
    assert "PRIVILEGED AND CONFIDENTIAL" in doc.sections[0].header.paragraphs[0].text
    assert "19 CFR 103.35" in doc.sections[0].header.paragraphs[0].text
    cp = doc.core_properties
    assert cp.author == "Export Counsel LLP" and cp.title.startswith("Request for assistance to CBP (draft)")
    md = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "**[[CLIENT TO CONFIRM: a copy of the decision, with an English translation]]**" in md
    assert "| CIF value (transaction value with Article 8.2 costs) | 35,709.09 |" in md
    assert f"md: {out.with_suffix('.md')}" in output


def test_the_buyer_named_engineering_leaves_the_invoice_a_commercial_invoice(documents):
    kinds = sorted(d.doc_type for d in documents)
    assert kinds == ["commercial_invoice", "packing_list", "payment_record"]


# --- the API: what the facts change ------------------------------------------------------------------------------

def test_the_api_returns_the_figures_as_decimals(documents, facts):
    req = draft_request(FOLDER, facts, documents=documents)
    m = req.money
    assert (m.goods, m.freight, m.insurance, m.cif, m.paid, m.imposed, m.difference, m.uplift_percent) == (
        D("33741.00"), D("1850.00"), D("118.09"), D("35709.09"), D("35709.09"), D("44120.00"), D("8410.91"),
        D("23.55"))
    assert all(isinstance(x, Decimal) for x in (m.goods, m.cif, m.difference))
    assert [x.applies for x in req.methods] == [True, False, False, False, False, False]


def test_related_parties_without_the_circumstances_of_sale_leave_article_1_open(documents, facts):
    f = json.loads(json.dumps(facts, default=str))
    f["importer"]["relation"] = "related"
    del f["importer"]["relation_detail"]
    f["methods"] = {"computed_value": "The exporter, as producer, will give its cost of materials and fabrication"}
    req = draft_request(FOLDER, f, documents=documents)
    assert req.conditions[3].met is False and "Article 1.2(a)" in req.conditions[3].reason
    assert "[[CLIENT TO CONFIRM: the circumstances of the sale" in req.conditions[3].reason
    assert req.methods[0].applies is False and "not met (Art. 1.1(d), 1.2, 15.4)" in req.methods[0].reason
    assert [x.applies for x in req.methods[1:]] == [None] * 5
    assert all(x.reason.startswith("Reached only if Article 1 does not apply.") for x in req.methods[1:])
    assert "[[CLIENT TO CONFIRM: the data for Article 2 (transaction value of identical goods)" in req.methods[1].reason
    assert req.methods[4].article == "Article 6"
    assert req.methods[4].reason.endswith("will give its cost of materials and fabrication.")


def test_unstated_conditions_are_placeholders_and_article_1_waits_for_them(documents, facts):
    f = json.loads(json.dumps(facts, default=str))
    del f["transaction"]
    req = draft_request(FOLDER, f, documents=documents)
    assert [c.met for c in req.conditions] == [None, None, None, True]
    assert req.methods[0].applies is None
    assert any(p.startswith("[[CLIENT TO CONFIRM: whether no restrictions") for p in req.placeholders)
    adj = {a[0]: a[2] for a in req.adjustments}
    assert adj["Art. 8.1(b)"].startswith("[[CLIENT TO CONFIRM: whether there are assists")


def test_a_value_imposed_in_another_currency_gives_no_difference(documents, facts):
    f = json.loads(json.dumps(facts, default=str))
    f["decision"]["value_imposed"] = {"amount": "182500000", "currency": "COP"}
    req = draft_request(FOLDER, f, documents=documents)
    assert req.money.imposed == D("182500000.00") and req.money.difference is None
    assert any("in COP, the invoices in USD" in n for n in req.notes)


def test_several_invoices_are_totalled_and_what_does_not_add_up_goes_to_counsel(facts):
    from appraiser.models.records import Document

    def charge(kind, amount):
        return {"kind": kind, "description": kind, "amount": D(amount)}
    docs = [Document.of("a.pdf", "commercial_invoice", {
                "invoice_number": "A-1", "currency": "USD", "subtotal": D("100.10"), "total": D("110.48"),
                "charges": [charge("freight", "10.05"), charge("insurance", "0.33")]}),
            Document.of("b.pdf", "commercial_invoice", {
                "invoice_number": "B-2", "currency": "USD", "total": D("99.99"),
                "charges": [charge("freight", "5.00"), charge("handling", "2.00")]}, items=[{"amount": D("90.00")}]),
            Document.of("p.pdf", "payment_record", {"amount": D("200.00"), "currency": "USD"}),
            Document.of("q.pdf", "payment_record", {"amount": D("50.00"), "currency": "EUR", "reference": "FT-9"})]
    req = draft_request(FOLDER, facts, documents=docs)
    m = req.money
    assert (m.goods, m.freight, m.insurance, m.other, m.cif, m.invoiced, m.paid, m.difference) == (
        D("190.10"), D("15.05"), D("0.33"), D("2.00"), D("205.48"), D("210.47"), D("200.00"), D("43914.52"))
    notes = " ".join(req.notes)
    assert "Invoice B-2: goods, freight, insurance and other charges add up to USD 97.00, the invoice shows USD 99.99" in notes
    assert "Invoice B-2 carries other charges of USD 2.00" in notes
    assert "The payments read (USD 200.00) differ from the CIF value (USD 205.48)" in notes
    assert "Payment FT-9 is in EUR, the invoices in USD: not counted in what the buyer paid." in notes
    total = next(b for b in req.blocks if b.kind == "table" and b.rows[0][0] == "Invoice").rows[-1]
    assert total[:6] == ["Total", "190.10", "15.05", "0.33", "205.48", "210.47"]


def test_a_classification_only_decision_is_argued_under_the_harmonized_system(documents, facts):
    f = json.loads(json.dumps(facts, default=str))
    del f["decision"]["value_imposed"]
    f["decision"]["kind"] = "classification"
    req = draft_request(FOLDER, f, documents=documents)
    intro = next(b.text for b in req.blocks if b.kind == "para" and "(the exporter) requests" in b.text)
    assert "departs from the Harmonized System, for the reasons below" in intro
    assert req.money.imposed is None and req.money.difference is None
    decision = next(b for b in req.blocks if b.kind == "table" and b.rows[0] == ["Item", "Decision"]).rows
    assert dict(decision)["Value imposed"].startswith("[[CLIENT TO CONFIRM: the customs value the administration")


# --- usage errors: one line, exit 2 -----------------------------------------------------------------------------

def _one_line_error(args, needle: str) -> None:
    res = CliRunner().invoke(main, ["assist-request", *args])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], res.output
    assert "Traceback" not in res.output


def test_a_missing_facts_file(tmp_path):
    _one_line_error([str(FOLDER), "--facts", str(tmp_path / "nope.json"), "--out", str(tmp_path / "r.docx")],
                    "nope.json: no such file")
    assert not (tmp_path / "r.docx").exists()


def test_a_facts_file_that_is_not_json_or_lacks_the_decision(tmp_path):
    bad = tmp_path / "facts.json"
    bad.write_text('{"exporter": {"name": "X"},\n "importer": ', encoding="utf-8")
    _one_line_error([str(FOLDER), "--facts", str(bad)], "not valid JSON (line 2")
    bad.write_text(json.dumps({"exporter": {"name": "X"}, "importer": {"name": "Y"}, "country": "CO",
                               "customs_administration": "DIAN"}), encoding="utf-8")
    _one_line_error([str(FOLDER), "--facts", str(bad)], "missing decision.date, decision.reference")
    bad.write_text(json.dumps([1, 2]), encoding="utf-8")
    _one_line_error([str(FOLDER), "--facts", str(bad)], "a JSON object is expected")
    f = json.loads(FACTS.read_text(encoding="utf-8"))
    f["decision"]["value_imposed"]["amount"] = "lots"
    bad.write_text(json.dumps(f), encoding="utf-8")
    _one_line_error([str(FOLDER), "--facts", str(bad)], "decision.value_imposed.amount 'lots' is not an amount")
    with pytest.raises(FactsError):
        read_facts(bad)


def test_a_folder_with_no_invoice(tmp_path):
    folder = tmp_path / "sale"
    folder.mkdir()
    shutil.copy(FOLDER / "packing list PL-AFC-25-1187.pdf", folder)
    _one_line_error([str(folder), "--facts", str(FACTS), "--out", str(tmp_path / "r.docx"), "--workers", "1"],
                    "no commercial invoice with its amounts found (1 file read: packing list)")
    with pytest.raises(NoInvoice):
        draft_request(folder, FACTS, workers=1)
    _one_line_error([str(tmp_path / "gone"), "--facts", str(FACTS)], "gone: no such folder")
    _one_line_error([str(FACTS), "--facts", str(FACTS)], "a file, not the folder of the sale's documents")


def test_an_output_that_is_not_a_word_file(tmp_path):
    _one_line_error([str(FOLDER), "--facts", str(FACTS), "--out", str(tmp_path / "r.pdf")], "--out ")
