"""ROYALTY_UNDECLARED, PACKING_UNDECLARED, SELLING_COMMISSION_UNDECLARED and PROCEEDS_UNDECLARED (audit/additions.py)
and the linking of agreements and payment records (audit/link.py): on the dev corpus's truth documents, with the
loss of revenue to the cent as its scenarios state, on edited copies of them, and on small made-up entries."""
import copy
import json
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from appraiser.audit import audit as _audit
from appraiser.audit import revenue
from appraiser.extract.facts import with_facts
from appraiser.audit.link import link as _link, same_party
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document, Party


def audit(documents, **kw):
    """The audit of documents built by hand or read from a truth file, with the facts extraction reads from
    their prose (``extract.facts.with_facts``), as the pipeline gives it."""
    return _audit([with_facts(d) for d in documents], **kw)


def link(documents, *args, **kw):
    """The entries of documents built by hand, with the facts of their prose read."""
    return _link([with_facts(d) for d in documents], *args, **kw)

ROOT = Path(__file__).resolve().parents[2]
MINE = ("ROYALTY_UNDECLARED", "PACKING_UNDECLARED", "SELLING_COMMISSION_UNDECLARED", "PROCEEDS_UNDECLARED")
D = Decimal


def cents(x) -> Decimal:
    return D(x).quantize(D("0.01"), rounding=ROUND_HALF_UP)


# --- the corpus ------------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _truth(split: str = "dev") -> dict:
    return json.loads((ROOT / "fixtures" / "corpus" / split / "truth.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def _tariff(split: str = "dev"):
    return revenue.load_tariff(ROOT / "fixtures" / "corpus" / split / "tariff.csv")


def run(edit=None, split: str = "dev"):
    docs = copy.deepcopy(_truth(split)["documents"])
    if edit:
        edit(docs)
    return audit([document_from_json(d) for d in docs], tariff=_tariff(split))


@lru_cache(maxsize=2)
def corpus_result(split: str = "dev"):
    return run(split=split)


def expected(code: str) -> dict:
    [f] = [f for f in _truth()["findings"] if f["code"] == code]
    return f


def mine(result, entry: str | None = None, code: str | None = None):
    return [f for f in result.findings if f.code in MINE and (entry is None or f.entry_number == entry)
            and (code is None or f.code == code)]


def doc(docs: list[dict], name: str) -> dict:
    [d] = [d for d in docs if name in d["path"]]
    return d


def drop(*names):
    def edit(docs):
        docs[:] = [d for d in docs if not any(n in d["path"] for n in names)]
    return edit


def entered(docs, entry: str, value: str) -> None:
    es = doc(docs, f"7501 {entry}")
    es["fields"]["total_entered_value"] = value
    es["line_items"][0]["entered_value"] = value


def entry_docs(code: str) -> tuple[str, list[str]]:
    """The planted entry of ``code`` and the names of its documents."""
    want = expected(code)
    [e] = [e for e in _truth()["entries"] if e["entry_number"] == want["entry_number"]]
    return want["entry_number"], [Path(p).name for p in e["documents"]]


def named(files: list[str], kind: str) -> str:
    [n] = [f for f in files if f.startswith(kind + " ")]
    return n


# --- the planted findings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, cited", [
    ("ROYALTY_UNDECLARED", {"agreement", "payment", "7501"}),
    ("SELLING_COMMISSION_UNDECLARED", {"agreement", "payment", "7501"}),
    ("PROCEEDS_UNDECLARED", {"agreement", "payment", "7501"}),
    ("PACKING_UNDECLARED", {"invoice", "7501"}),
])
def test_planted_addition_with_its_loss_of_revenue_to_the_cent(code, cited):
    want = expected(code)
    [f] = mine(corpus_result(), want["entry_number"], code)
    assert f.line_no == want["line_no"]
    for k in ("value_delta", "duty_delta", "fees_delta", "loss_of_revenue"):
        assert getattr(f, k) == D(want[k]), k
    assert f.legal_basis.startswith("19 U.S.C. 1401a(b)(1)(")
    assert {Path(e.path).name.split(" ")[0] for e in f.evidence} >= cited
    # the arithmetic starts with how the amount was found and ends with the loss of revenue
    assert f.arithmetic[0].startswith("paid per") or "charged on invoice" in f.arithmetic[0]
    assert f.arithmetic[-1].startswith("loss of revenue") and f"{f.loss_of_revenue:,.2f}" in f.arithmetic[-1]
    assert f.explanation and f.confidence >= 0.8


def test_the_royalty_explanation_answers_the_three_questions():
    want = expected("ROYALTY_UNDECLARED")
    [f] = mine(corpus_result(), want["entry_number"], "ROYALTY_UNDECLARED")
    text = f.explanation
    assert "(1)" in text and "(2)" in text and "(3)" in text
    assert "licensed part numbers" in text and "condition of sale" in text


@pytest.mark.parametrize("split", ["dev", "check"])
def test_clean_entries_and_entries_planted_with_other_codes_get_none(split):
    truth = _truth(split)
    want = {(f["entry_number"], f["code"]) for f in truth["findings"] if f["code"] in MINE}
    result = corpus_result(split)
    got = {(f.entry_number, f.code) for f in mine(result)}
    assert got == want and len(want) == 4
    assert not result.errors
    clean = {e["entry_number"] for e in truth["entries"]} - {f["entry_number"] for f in truth["findings"]}
    assert clean and not [f for f in mine(result) if f.entry_number in clean]


# --- royalties -------------------------------------------------------------------------------------------------

def test_a_royalty_without_its_payment_record_is_the_rate_times_the_price_of_the_goods():
    number, files = entry_docs("ROYALTY_UNDECLARED")
    truth_docs = _truth()["documents"]
    invoice = doc(truth_docs, named(files, "invoice"))
    licence = doc(truth_docs, named(files, "agreement"))
    rate = D(licence["fields"]["rate_percent"])
    [f] = mine(run(drop(named(files, "payment"))), number, "ROYALTY_UNDECLARED")
    assert f.value_delta == cents(D(invoice["fields"]["total"]) * rate / 100)
    assert f"{rate.normalize():f} % × the price of the goods" in f.arithmetic[0]
    assert "no payment record" in f.arithmetic[0]
    assert f.confidence < mine(corpus_result(), number, "ROYALTY_UNDECLARED")[0].confidence


def test_the_payment_record_not_the_rate_gives_the_royalty():
    number, files = entry_docs("ROYALTY_UNDECLARED")

    def edit(docs):
        doc(docs, named(files, "payment"))["fields"]["amount"] = "2500.00"
    [f] = mine(run(edit), number, "ROYALTY_UNDECLARED")
    assert f.value_delta == D("2500.00")


@pytest.mark.parametrize("extra, expect", [
    ("2040", None),  # carried in full (whole dollars)
    ("2039", None),  # 2,039.50 carried against 2,039.61: the 7501's rounding, not an undeclared royalty
    ("1006", "1033.11"),  # 1,006.50 carried: the rest (2,039.61 − 1,006.50) is not
])
def test_a_royalty_the_entered_value_already_carries_is_not_reported(extra, expect):
    number, _ = entry_docs("ROYALTY_UNDECLARED")
    base = D(doc(_truth()["documents"], f"7501 {number}")["fields"]["total_entered_value"])
    found = mine(run(lambda docs: entered(docs, number, f"{base + D(extra):f}")), number, "ROYALTY_UNDECLARED")
    if expect is None:
        assert not found
    else:
        [f] = found
        assert f.value_delta == D(expect)


def test_a_royalty_shown_within_the_invoice_price_is_not_reported():
    number, files = entry_docs("ROYALTY_UNDECLARED")

    def edit(docs):
        inv = doc(docs, named(files, "invoice"))["fields"]
        inv["subtotal"] = inv["total"]  # listed as included in the price
        inv["charges"] = [{"kind": "royalty", "description": "Royalty 6 % (included)", "amount": "2039.61"}]
    assert not mine(run(edit), number, "ROYALTY_UNDECLARED")


def test_a_royalty_charged_on_the_invoice_beside_the_goods_is_counted_once():
    number, files = entry_docs("ROYALTY_UNDECLARED")

    def edit(docs):
        inv = doc(docs, named(files, "invoice"))["fields"]
        inv["subtotal"] = inv["total"]
        inv["total"] = f"{D(inv['total']) + D('2039.61'):f}"
        inv["charges"] = [{"kind": "royalty", "description": "Royalty 6 %", "amount": "2039.61"}]
    [f] = mine(run(edit), number)
    assert f.code == "ROYALTY_UNDECLARED" and f.value_delta == D("2039.61")
    assert "charged on invoice" in f.arithmetic[0]


def test_a_royalty_the_buyer_need_not_pay_to_buy_the_goods_is_not_dutiable():
    number, files = entry_docs("ROYALTY_UNDECLARED")

    def no_condition(docs):
        doc(docs, named(files, "agreement"))["fields"]["condition_of_sale"] = False
    assert not mine(run(no_condition), number)

    def to_the_seller(docs):  # ... unless it is paid to the seller: then it is part of the price paid
        no_condition(docs)
        seller = doc(docs, named(files, "invoice"))["fields"]["seller"]["name"]
        doc(docs, named(files, "agreement"))["fields"]["parties"][0]["name"] = seller
        doc(docs, named(files, "payment"))["fields"]["payee"]["name"] = seller
    [f] = mine(run(to_the_seller), number)
    assert f.code == "ROYALTY_UNDECLARED" and "paid to the seller" in f.explanation


def test_a_royalty_on_other_products_or_before_the_licence_is_not_reported():
    number, files = entry_docs("ROYALTY_UNDECLARED")

    def other_products(docs):
        doc(docs, named(files, "agreement"))["fields"]["products"] = "ceramic mugs (CM-100, CM-200)"
    assert not mine(run(other_products), number)

    def later(docs):
        doc(docs, named(files, "agreement"))["fields"]["effective_date"] = "2025-12-01"
    assert not mine(run(later), number)


def test_a_royalty_paid_in_a_currency_the_entry_has_no_rate_for_is_never_taken_at_one():
    number, files = entry_docs("ROYALTY_UNDECLARED")

    def edit(docs):
        p = doc(docs, named(files, "payment"))["fields"]
        p["currency"], p["amount"] = "EUR", "1900.00"
    [f] = mine(run(edit), number, "ROYALTY_UNDECLARED")
    assert f.value_delta != D("1900.00")
    assert "no exchange rate" in f.arithmetic[0] and "× the price of the goods" in f.arithmetic[0]


def test_another_importers_licence_for_the_same_parts_is_neither_linked_nor_reported():
    """The dev corpus's licence covers part numbers another importer also buys (from another seller)."""
    number, files = entry_docs("ROYALTY_UNDECLARED")
    licence = named(files, "agreement")
    licensee = doc(_truth()["documents"], licence)["fields"]["parties"][1]["name"]
    result = run(drop(named(files, "payment")))  # no payment: the rate would reach every entry it links to
    others = 0
    for e in result.entries:
        importer = doc(_truth()["documents"], f"7501 {e.entry_number}")["fields"]["importer"]["name"]
        if same_party(importer, licensee) < 85:
            others += 1
            assert not any(p.endswith(licence) for p in e.documents), e.entry_number
            assert not mine(result, e.entry_number, "ROYALTY_UNDECLARED")
    assert others


# --- commissions ---------------------------------------------------------------------------------------------

def test_a_buying_commission_is_never_reported():
    number, files = entry_docs("SELLING_COMMISSION_UNDECLARED")

    def buying(docs):
        a = doc(docs, named(files, "agreement"))["fields"]
        importer = doc(docs, named(files, "invoice"))["fields"]["buyer"]["name"]
        a["agreement_type"] = "buying_commission"
        a["parties"][0] = {"role": "principal", "name": importer, "country": "US"}
        doc(docs, named(files, "payment"))["fields"]["purpose"] = "Buying commission 5% invoice TEX-251049"
    assert not mine(run(buying), number)

    def mistitled(docs):  # called a selling commission, but the agent acts for the importer
        a = doc(docs, named(files, "agreement"))["fields"]
        a["parties"][0] = {"role": "principal", "name": doc(docs, named(files, "invoice"))["fields"]["buyer"]["name"]}
    assert not mine(run(mistitled), number)


def test_a_selling_commission_needs_the_buyer_to_bear_it():
    number, files = entry_docs("SELLING_COMMISSION_UNDECLARED")
    assert not mine(run(drop(named(files, "payment"))), number)  # the seller pays its agent from the price

    def bound(docs):  # the importer signs the commission agreement: it bears the commission
        drop(named(files, "payment"))(docs)
        inv = doc(docs, named(files, "invoice"))["fields"]
        doc(docs, named(files, "agreement"))["fields"]["parties"].append(
            {"role": "buyer", "name": inv["buyer"]["name"], "country": "US"})
    [f] = mine(run(bound), number)
    invoice_total = D(doc(_truth()["documents"], named(files, "invoice"))["fields"]["total"])
    rate = D(doc(_truth()["documents"], named(files, "agreement"))["fields"]["rate_percent"])
    assert f.code == "SELLING_COMMISSION_UNDECLARED"
    assert f.value_delta == cents(invoice_total * rate / 100)
    assert "no payment record" in f.arithmetic[0]


# --- proceeds --------------------------------------------------------------------------------------------------

def test_proceeds_need_a_payment_to_the_seller():
    number, files = entry_docs("PROCEEDS_UNDECLARED")
    assert not mine(run(drop(named(files, "payment"))), number)  # the resale amount is not in the documents

    def elsewhere(docs):
        doc(docs, named(files, "payment"))["fields"]["payee"] = {"name": "Gulf Coast Marketing Services LLC",
                                                                 "country": "US"}
    assert not mine(run(elsewhere), number)


# --- packing -----------------------------------------------------------------------------------------------------

def test_packing_the_entered_value_carries_is_not_reported():
    number, files = entry_docs("PACKING_UNDECLARED")
    want = expected("PACKING_UNDECLARED")
    base = D(doc(_truth()["documents"], f"7501 {number}")["fields"]["total_entered_value"])
    carried = (base + D(want["value_delta"])).quantize(D(1), rounding=ROUND_HALF_UP)
    assert not mine(run(lambda docs: entered(docs, number, f"{carried:f}")), number)


def test_packing_the_importer_paid_a_packer_for_these_goods():
    """A clean dev entry, plus a payment to a crating firm naming its invoice: packing, not undervaluation."""
    number = "D4K-1174218-2"
    truth_docs = _truth()["documents"]
    es = doc(truth_docs, f"7501 {number}")["fields"]
    [line] = doc(truth_docs, f"7501 {number}")["line_items"]
    inv_no = es["invoice_numbers"][0]
    payer = doc(truth_docs, f"invoice {inv_no}")["fields"]["buyer"]

    def edit(docs):
        docs.append({"path": "Keystone/packing payment.pdf", "doc_type": "payment_record", "fields": {
            "payer": payer, "payee": {"name": "Hanseatic Export Crating GmbH", "country": "DE"},
            "payment_date": "2026-02-20", "amount": "640.00", "currency": "USD", "reference": "FT-PACK-1",
            "purpose": f"Seaworthy crating of goods of invoice {inv_no}"}})
    result = run(edit)
    [f] = mine(result, number)
    assert f.code == "PACKING_UNDECLARED" and f.value_delta == D("640.00")
    assert not [x for x in result.findings if x.entry_number == number and x.code == "UNDERVALUATION"]
    # loss of revenue, written out: duty at the line's rate, MPF on the entry (air: no HMF)
    duty = cents(D("640.00") * D(line["duty_rate"]) / 100)
    ev = D(es["total_entered_value"])
    mpf = [cents(min(max(v * D("0.003464"), D("33.58")), D("651.50"))) for v in (ev, ev + 640)]  # FY2026
    assert es["entry_date"] >= "2025-10-01" and es["mode_of_transport"] not in ("10", "11", "12")
    assert f.loss_of_revenue == duty + mpf[1] - mpf[0]


# --- made-up entries ---------------------------------------------------------------------------------------------

IMPORTER = Party("Lakeshore Industrial Supply, Inc.", country="US")
SELLER = Party("Dongguan Precision Plastics Co., Ltd.", country="CN")
LICENSOR = Party("Northwind Brands Licensing LLC", country="US", role="licensor")


def shipment(entered=("6000", "4000"), charges=None, subtotal=None, total="10000.00", currency="USD", rate=None):
    header = {"entry_number": "ABC-1234567-6", "entry_date": "2025-05-01", "mode_of_transport": "40",
              "total_entered_value": sum((D(v) for v in entered), D(0)), "invoice_numbers": ["A-1"],
              "importer": IMPORTER, "currency": currency}
    if rate:
        header["exchange_rate"] = D(rate)
    es = Document.of("7501.pdf", "entry_summary", header, [
        {"line_no": 1, "hts": "3926.90.9985", "entered_value": D(entered[0]), "duty_rate": D("5.3"),
         "description": "PLASTIC HOUSINGS"},
        {"line_no": 2, "hts": "8481.20.0040", "entered_value": D(entered[1]), "duty_rate": D("2"),
         "description": "VALVES"}])
    fields = {"invoice_number": "A-1", "invoice_date": "2025-04-10", "currency": currency, "seller": SELLER,
              "buyer": IMPORTER, "total": D(total)}
    if charges:
        fields["charges"] = charges
    if subtotal:
        fields["subtotal"] = D(subtotal)
    inv = Document.of("inv.pdf", "commercial_invoice", fields, [
        {"line_no": 1, "part_number": "HB-2201", "description": "ABS housing", "hts": "3926.90.9985",
         "quantity": D(1000), "amount": D("6000.00")},
        {"line_no": 2, "part_number": "RV-40", "description": "Relief valve", "hts": "8481.20.0040",
         "quantity": D(100), "amount": D("4000.00")}])
    return [es, inv]


def licence(products="plastic housings (HB-2201)", effective="2024-01-01", **more):
    return Document.of("licence.pdf", "agreement", {
        "agreement_type": "licence", "parties": [LICENSOR, Party(IMPORTER.name, role="licensee")],
        "effective_date": effective, "rate_percent": D("10"), "royalty_base": "net invoice price",
        "condition_of_sale": True, "products": products, **more})


def paid(payee, amount, purpose, path="pay.pdf", when="2025-05-20", currency="USD"):
    return Document.of(path, "payment_record", {"payer": IMPORTER, "payee": payee, "amount": D(amount),
                                                "currency": currency, "purpose": purpose, "payment_date": when})


def codes(docs):
    result = audit(docs)
    assert not result.errors
    return {f.code: f for f in result.findings if f.code in MINE}, result


def test_a_royalty_on_some_of_the_goods_goes_on_their_line_at_their_rate():
    found, _ = codes(shipment() + [licence()])
    f = found["ROYALTY_UNDECLARED"]
    assert f.value_delta == D("600.00")  # 10 % of the licensed housings (6,000 of the 10,000 invoiced)
    assert f.line_no == 1 and f.duty_delta == D("31.80")  # at the housings' 5.3 %, not the valves' 2 %
    assert "licensed goods" in f.arithmetic[0]


def test_packing_on_the_invoice_is_spread_over_the_lines_of_its_goods():
    found, result = codes(shipment(charges=[{"kind": "packing", "description": "Crating", "amount": D("500.00")}],
                                   subtotal="10000.00", total="10500.00"))
    f = found["PACKING_UNDECLARED"]
    assert f.value_delta == D("500.00") and f.line_no == 1
    assert f.duty_delta == D("15.90") + D("4.00")  # 300 × 5.3 % + 200 × 2 %
    assert any("spread over the lines" in s for s in f.arithmetic)
    assert result.entry_totals["ABC-1234567-6"]["loss_of_revenue"] == f"{f.loss_of_revenue:f}"


def test_one_declared_addition_does_not_hide_another():
    """The entered value carries the invoice's packing (1,500) but not the royalty paid apart (1,000): the
    royalty is reported in full although the entered value exceeds the price by more than it."""
    docs = shipment(entered=("7500", "4000"), subtotal="10000.00", total="11500.00",
                    charges=[{"kind": "packing", "description": "Export crates", "amount": D("1500.00")}])
    docs += [licence(products="plastic housings (HB-2201), relief valves (RV-40)"),
             paid(LICENSOR, "1000.00", "Royalty 10 % on invoice A-1")]
    found, _ = codes(docs)
    assert set(found) == {"ROYALTY_UNDECLARED"}
    assert found["ROYALTY_UNDECLARED"].value_delta == D("1000.00")


def test_a_sales_commission_paid_for_these_goods_without_an_agreement():
    agent = Party("Pearl River Sales Representation Ltd.", country="HK")
    found, _ = codes(shipment() + [paid(agent, "300.00", "Sales commission 3% on invoice A-1")])
    assert found["SELLING_COMMISSION_UNDECLARED"].value_delta == D("300.00")
    found, _ = codes(shipment() + [paid(agent, "300.00", "Buying agency commission 3% on invoice A-1")])
    assert not found


def test_names_read_with_other_spelling_still_match():
    assert same_party("Schwäbische Präzisionsteile AG", "Schwabische Prazisionsteile") >= 85
    assert same_party("Keystone Valve & Fitting Co.", "KEYSTONE VALVE AND FITTING COMPANY") >= 85
    assert same_party("Keystone Valve & Fitting Co.", "Rheinhydraulik GmbH") < 85
    docs = shipment() + [licence(), paid(Party("NORTHWIND BRANDS LICENSING"), "640.00", "Royalty on invoice A 1")]
    found, _ = codes(docs)
    assert found["ROYALTY_UNDECLARED"].value_delta == D("640.00")


def test_agreements_link_by_products_parties_and_term_with_their_reasons():
    by_desc = licence(products="ABS housings for kitchen appliances")
    [e] = link(shipment() + [by_desc]).entries
    [lk] = [lk for lk in e.links if lk.path == "licence.pdf"]
    assert "its products" in lk.reason and 0.5 <= lk.confidence < 0.95
    [e] = link(shipment() + [licence()]).entries
    [lk] = [lk for lk in e.links if lk.path == "licence.pdf"]
    assert "HB2201" in lk.reason and "in force from 2024-01-01" in lk.reason and lk.confidence == 0.95
    # another importer's licence, and a licence not yet in force when the goods were bought, are not linked
    other = Document.of("other.pdf", "agreement", {
        "agreement_type": "licence", "products": "plastic housings (HB-2201)", "condition_of_sale": True,
        "parties": [LICENSOR, Party("Cascade Home Goods, Inc.", role="licensee")], "rate_percent": D("10")})
    [e] = link(shipment() + [other, licence(effective="2025-06-01")]).entries
    assert "other.pdf" not in e.documents and "licence.pdf" not in e.documents
    found, _ = codes(shipment() + [other, licence(effective="2025-06-01")])
    assert not found


def test_payments_link_to_the_entry_of_the_invoice_they_name():
    second = Document.of("7501-2.pdf", "entry_summary", {
        "entry_number": "ABC-7654321-0", "entry_date": "2025-06-01", "invoice_numbers": ["A-2"],
        "importer": IMPORTER, "total_entered_value": D("5000")},
        [{"line_no": 1, "hts": "3926.90.9985", "entered_value": D("5000"), "duty_rate": D("5.3")}])
    inv2 = Document.of("inv2.pdf", "commercial_invoice", {
        "invoice_number": "A-2", "invoice_date": "2025-05-15", "currency": "USD", "seller": SELLER,
        "buyer": IMPORTER, "total": D("5000.00")},
        [{"line_no": 1, "part_number": "HB-2201", "hts": "3926.90.9985", "amount": D("5000.00")}])
    pay = paid(LICENSOR, "500.00", "Royalty 10% on invoice A-2")
    linked = link(shipment() + [second, inv2, licence(), pay])
    by_number = {e.entry_number: e for e in linked.entries}
    assert "pay.pdf" in by_number["ABC-7654321-0"].documents
    assert "pay.pdf" not in by_number["ABC-1234567-6"].documents
    [lk] = [lk for lk in by_number["ABC-7654321-0"].links if lk.path == "pay.pdf"]
    assert "A2" in lk.reason and lk.confidence == 0.95
    result = audit(shipment() + [second, inv2, licence(), pay])
    royalties = {f.entry_number: f.value_delta for f in result.findings if f.code == "ROYALTY_UNDECLARED"}
    # the second entry's royalty is its payment; the first shows none paid while the folder shows the royalty
    # paid invoice by invoice, so it is not reported
    assert royalties == {"ABC-7654321-0": D("500.00")}


def test_an_unnamed_payment_shared_by_several_entries_is_not_claimed_by_one():
    second = Document.of("7501-2.pdf", "entry_summary", {
        "entry_number": "ABC-7654321-0", "entry_date": "2025-05-03", "invoice_numbers": ["A-2"],
        "importer": IMPORTER, "total_entered_value": D("10000")},
        [{"line_no": 1, "hts": "3926.90.9985", "entered_value": D("10000"), "duty_rate": D("5.3")}])
    inv2 = Document.of("inv2.pdf", "commercial_invoice", {
        "invoice_number": "A-2", "invoice_date": "2025-04-12", "currency": "USD", "seller": SELLER,
        "buyer": IMPORTER, "total": D("10000.00")},
        [{"line_no": 1, "part_number": "HB-2201", "hts": "3926.90.9985", "amount": D("10000.00")}])
    quarter = paid(LICENSOR, "2000.00", "Royalties second quarter 2025")
    result = audit(shipment() + [second, inv2, licence(), quarter])
    royalties = {f.entry_number: f for f in result.findings if f.code == "ROYALTY_UNDECLARED"}
    # each entry: its own goods at the rate, not the whole quarter's payment
    assert royalties["ABC-1234567-6"].value_delta == D("600.00")
    assert royalties["ABC-7654321-0"].value_delta == D("1000.00")
    assert "covers other entries' goods" in royalties["ABC-7654321-0"].arithmetic[0]


def test_packing_paid_in_a_foreign_currency_converted_at_the_entry_rate():
    docs = shipment(currency="EUR", rate="1.1", entered=("6600", "4400"))
    docs.append(paid(Party("Hafen Verpackung GmbH"), "300.00", "Export crating, invoice A-1", currency="EUR"))
    found, _ = codes(docs)
    f = found["PACKING_UNDECLARED"]
    assert f.value_delta == D("330.00") and "× 1.1" in f.arithmetic[0]
    docs[-1] = paid(Party("Hafen Verpackung GmbH"), "300.00", "Export crating, invoice A-1", currency="GBP")
    found, _ = codes(docs)
    assert not found  # no rate for it: never at 1


# --- missing fields ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("doc_type, name", [
    ("agreement", "parties"), ("agreement", "agreement_type"), ("agreement", "rate_percent"),
    ("agreement", "products"), ("agreement", "effective_date"), ("agreement", "condition_of_sale"),
    ("payment_record", "payer"), ("payment_record", "payee"), ("payment_record", "amount"),
    ("payment_record", "currency"), ("payment_record", "purpose"), ("payment_record", "payment_date"),
    ("commercial_invoice", "total"), ("commercial_invoice", "currency"), ("commercial_invoice", "charges"),
    ("commercial_invoice", "seller"), ("commercial_invoice", "buyer"), ("entry_summary", "importer"),
    ("entry_summary", "total_entered_value"), ("entry_summary", "invoice_numbers"),
])
def test_missing_fields_do_not_crash_or_invent_findings(doc_type, name):
    def edit(docs):
        for d in docs:
            if d["doc_type"] == doc_type:
                d["fields"].pop(name, None)
    result = run(edit)
    assert not result.errors
    planted = {(f["entry_number"], f["code"]) for f in _truth()["findings"] if f["code"] in MINE}
    for f in mine(result):
        assert (f.entry_number, f.code) in planted, (f.entry_number, f.code)
        assert f.value_delta > 0 and f.evidence and f.arithmetic


def test_unreadable_values_do_not_crash():
    docs = shipment() + [Document.of("a.pdf", "agreement", {}), Document.of("p.pdf", "payment_record", {}),
                         Document.of("q.pdf", "payment_record", {"amount": D("5"), "payee": "someone"}),
                         Document.of("b.pdf", "agreement", {"parties": ["Northwind", {"name": None}],
                                                            "agreement_type": "royalty"})]
    found, _ = codes(docs)
    assert not found
    # an entry date the arithmetic cannot read: the royalty is still reported, with its value only
    docs = shipment() + [licence()]
    docs[0].fields.set("entry_date", "garbled")
    result = audit(docs)
    [f] = [f for f in result.findings if f.code == "ROYALTY_UNDECLARED"]
    assert f.value_delta == D("600.00") and f.rate_unknown and f.loss_of_revenue == D("0.00")
    assert not [e for e in result.errors if "ROYALTY" in e]


def test_a_payment_for_the_invoices_of_two_entries_is_shared_between_them():
    second = Document.of("7501-2.pdf", "entry_summary", {
        "entry_number": "ABC-7654321-0", "entry_date": "2025-05-03", "invoice_numbers": ["A-2"],
        "importer": IMPORTER, "total_entered_value": D("5000"), "mode_of_transport": "40"},
        [{"line_no": 1, "hts": "3926.90.9985", "entered_value": D("5000"), "duty_rate": D("5.3")}])
    inv2 = Document.of("inv2.pdf", "commercial_invoice", {
        "invoice_number": "A-2", "invoice_date": "2025-04-12", "currency": "USD", "seller": SELLER,
        "buyer": IMPORTER, "total": D("5000.00")},
        [{"line_no": 1, "part_number": "HB-2201", "hts": "3926.90.9985", "amount": D("5000.00")}])
    agent = Party("Pearl River Sales Representation Ltd.", country="HK")
    both = paid(agent, "450.00", "Sales commission 3% on invoices A-1 and A-2")
    result = audit(shipment() + [second, inv2, both])
    got = {f.entry_number: f.value_delta for f in result.findings if f.code == "SELLING_COMMISSION_UNDECLARED"}
    assert got == {"ABC-1234567-6": D("300.00"), "ABC-7654321-0": D("150.00")}  # 10,000 and 5,000 of 15,000
    [f] = [f for f in result.findings if f.entry_number == "ABC-7654321-0" and f.code in MINE]
    assert any("this entry's part" in s for s in f.arithmetic)

