"""UNDERVALUATION, DEDUCTION_UNSUPPORTED, FIRST_SALE_UNSUPPORTED and RELATED_PARTY_UNDECLARED: on the dev
corpus's truth documents (loss of revenue to the cent as its scenarios state) and on small made-up entries."""
import copy
import json
import random
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from appraiser.audit import audit as _audit
from appraiser.audit import first_sale, related_party, revenue, valuation
from appraiser.extract.facts import with_facts
from appraiser.audit.context import Context
from appraiser.audit.link import link as _link
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document, FieldSet, Party


def audit(documents, **kw):
    """The audit of documents built by hand or read from a truth file, with the facts extraction reads from
    their prose (``extract.facts.with_facts``), as the pipeline gives it."""
    return _audit([with_facts(d) for d in documents], **kw)


def link(documents, *args, **kw):
    """The entries of documents built by hand, with the facts of their prose read."""
    return _link([with_facts(d) for d in documents], *args, **kw)

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "corpus" / "dev"
MINE = {"UNDERVALUATION", "DEDUCTION_UNSUPPORTED", "FIRST_SALE_UNSUPPORTED", "RELATED_PARTY_UNDECLARED"}
D = Decimal


# --- the dev corpus ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _truth() -> dict:
    return json.loads((DEV / "truth.json").read_text(encoding="utf-8"))


def corpus_docs(edit=None) -> list[Document]:
    docs = copy.deepcopy(_truth()["documents"])
    if edit:
        edit(docs)
    return [document_from_json(d) for d in docs]


@lru_cache(maxsize=1)
def corpus_result():
    return audit(corpus_docs(), tariff=revenue.load_tariff(DEV / "tariff.csv"))


def expected(code: str) -> dict:
    [f] = [f for f in _truth()["findings"] if f["code"] == code]
    return f


def found(result, entry: str, code: str):
    return [f for f in result.findings if f.entry_number == entry and f.code == code]


@pytest.mark.parametrize("code", ["UNDERVALUATION", "DEDUCTION_UNSUPPORTED", "FIRST_SALE_UNSUPPORTED"])
def test_planted_valuation_findings_with_their_loss_of_revenue(code):
    want = expected(code)
    [f] = found(corpus_result(), want["entry_number"], code)
    assert f.line_no == want["line_no"]
    for k in ("value_delta", "duty_delta", "fees_delta", "loss_of_revenue"):
        assert getattr(f, k) == D(want[k]), k
    assert f.arithmetic and f.evidence and f.explanation
    assert any(e.path.endswith(".pdf") or " scan." in e.path for e in f.evidence)


def test_undervaluation_in_the_corpus_cites_invoice_payment_and_entry():
    want = expected("UNDERVALUATION")
    [f] = found(corpus_result(), want["entry_number"], "UNDERVALUATION")
    kinds = {Path(e.path).name.split(" ")[0] for e in f.evidence}
    assert {"invoice", "payment", "7501"} <= kinds
    assert "20,994.00" in f.explanation and "16,375.00" in f.explanation


def test_deduction_in_the_corpus_states_the_supported_and_unsupported_parts():
    want = expected("DEDUCTION_UNSUPPORTED")
    [f] = found(corpus_result(), want["entry_number"], "DEDUCTION_UNSUPPORTED")
    steps = "\n".join(f.arithmetic)
    assert "deductions the documents support: USD 1,992.50" in steps  # freight 1,850.00 + insurance 142.50
    assert "unsupported: 4,592.50 − 1,992.50 = 2,600.00" in steps


def test_each_entry_gets_only_the_codes_its_truth_expects():
    """Clean entries, and entries planted with other codes (a packing charge left out of the entered value,
    assists, royalties...), get none of these findings; an entry gets at most one of them."""
    want = {f["entry_number"]: f["code"] for f in _truth()["findings"]}
    result = corpus_result()
    for e in result.entries:
        codes = [f.code for f in result.findings if f.entry_number == e.entry_number and f.code in MINE]
        assert len(codes) <= 1, (e.entry_number, codes)
        assert set(codes) <= {want.get(e.entry_number)}, (e.entry_number, codes, want.get(e.entry_number))
    clean = [e.entry_number for e in result.entries if e.entry_number not in want]
    assert clean and not [f for f in result.findings if f.entry_number in clean and f.code in MINE]


def test_packing_left_out_of_the_entered_value_is_not_undervaluation():
    want = expected("PACKING_UNDECLARED")
    assert not [f for f in corpus_result().findings if f.entry_number == want["entry_number"] and f.code in MINE]


def _with_invoice_statement(statement: str):
    """The dev corpus with a statement on the related-party entry's invoice, as an extractor records the
    invoice's free text."""
    entry = expected("RELATED_PARTY_UNDECLARED")["entry_number"]
    [e] = [e for e in _truth()["entries"] if e["entry_number"] == entry]

    def edit(docs):
        for d in docs:
            if d["path"] in e["documents"] and d["doc_type"] == "commercial_invoice":
                d["notes"] = ["Payment 30 days net.", statement]  # in place of the statements the invoice prints
    return entry, corpus_docs(edit)


@pytest.mark.parametrize("statement", [
    "Intercompany sale: seller and buyer are both wholly owned by the same holding company.",
    "The buyer is a subsidiary of the seller.",
    "The seller holds 35 % of the voting shares of the buyer.",
    "Seller and buyer are affiliated companies under common control.",
    "Both companies are controlled by the same family trust.",
    "A director of the seller also sits on the board of the buyer; the two have directors in common.",
])
def test_related_party_stated_on_the_invoice(statement):
    entry, docs = _with_invoice_statement(statement)
    result = audit(docs)
    [f] = found(result, entry, "RELATED_PARTY_UNDECLARED")
    assert f.loss_of_revenue == D("0.00") and f.value_delta == D("0.00")
    assert f.line_no == 1
    assert statement[:30] in f.explanation
    assert "Circumstances of sale" in f.explanation and "test value" in f.explanation
    assert any(statement[:30] in e.text for e in f.evidence)


@pytest.mark.parametrize("statement", [
    "The seller is not related to the buyer.",
    "The seller and the buyer are independent, unrelated parties.",
    "A fund holds 3 % of the shares of the seller and 2 % of the buyer.",
    "The seller is a wholly owned subsidiary of Alpenland Beteiligungen AG.",  # a third party, not the buyer
    "The seller controls the quality of each shipment before loading.",
])
def test_statements_that_do_not_relate_buyer_and_seller(statement):
    entry, docs = _with_invoice_statement(statement)
    assert not found(audit(docs), entry, "RELATED_PARTY_UNDECLARED")


def test_related_party_declared_on_the_entry_is_not_a_finding():
    entry, _ = _with_invoice_statement("The buyer is a subsidiary of the seller.")

    def edit(docs):
        for d in docs:
            if d["doc_type"] == "commercial_invoice" and d["fields"].get("invoice_number") == "OFF-261591":
                d["fields"]["notes"] = ["The buyer is a subsidiary of the seller."]
            if d["doc_type"] == "entry_summary" and d["fields"].get("entry_number") == entry:
                d["fields"]["related_party"] = True
                for li in d["line_items"]:
                    li["related_party"] = True
    assert not found(audit(corpus_docs(edit)), entry, "RELATED_PARTY_UNDECLARED")


def test_missing_fields_do_not_crash():
    """Extraction may miss any field: the rules stay silent without the evidence they need, never raise."""
    rnd = random.Random(7)
    base = _truth()["documents"]
    for round_ in range(25):
        docs = copy.deepcopy(base)
        for d in docs:
            for k in list(d["fields"]):
                if rnd.random() < 0.3:
                    del d["fields"][k]
            for li in d["line_items"]:
                for k in list(li):
                    if rnd.random() < 0.3:
                        del li[k]
            if rnd.random() < 0.1:
                d["line_items"] = []
        result = audit([document_from_json(d) for d in docs])
        for f in result.findings:
            if f.code in MINE:
                assert f.loss_of_revenue >= 0 and isinstance(f.value_delta, Decimal)


# --- made-up entries ----------------------------------------------------------------------------------

IMPORTER = Party(name="Lakeshore Industrial Supply, Inc.", number="34-2817465-00", country="US",
                 address="2200 Harbor Industrial Pkwy, Toledo, OH 43611")
MAKER = Party(name="Dongguan Precision Plastics Co., Ltd.", country="CN",
              address="No. 18 Xinfeng Road, Chang'an Town, Dongguan, Guangdong 523850")
TRADER = Party(name="Pearl River Sourcing (H.K.) Limited", country="HK", address="25 Harbour Road, Wan Chai")
FORWARDER = Party(name="Bluewater Logistics Inc.", country="US")
HTS = "3926.90.9985"


def doc(path, doc_type, fields, items=()):
    return Document.of(path, doc_type, fields, items)


def entry(value, invoices=("A-1",), mode="40", rate="5.3", currency="USD", exchange_rate=None, lines=None,
          related=False, mid="CNDONPRE18DON", origin="CN"):
    fields = {"entry_number": "D4K-0000001-1", "entry_date": "2025-05-01", "mode_of_transport": mode,
              "importer": IMPORTER, "invoice_numbers": list(invoices), "total_entered_value": D(value),
              "currency": currency, "related_party": related, "manufacturer_id": mid, "country_of_origin": origin}
    if exchange_rate:
        fields["exchange_rate"] = D(exchange_rate)
    lines = lines or [{"line_no": 1, "hts": HTS, "entered_value": D(value), "duty_rate": D(rate),
                       "related_party": related}]
    return doc("7501.pdf", "entry_summary", fields, lines)


def invoice(number, total, seller=MAKER, buyer=IMPORTER, currency="USD", incoterm="FOB", charges=None,
            subtotal=None, lines=None, po="PO-1", **more):
    f = {"invoice_number": number, "seller": seller, "buyer": buyer, "currency": currency, "total": D(total),
         "incoterm": incoterm, "po_number": po, "country_of_origin": "CN", **more}
    if charges:
        f["charges"] = [{"kind": k, "description": desc, "amount": D(a)} for k, desc, a in charges]
    if subtotal:
        f["subtotal"] = D(subtotal)
    lines = lines or [{"line_no": 1, "part_number": "HB-2201", "hts": HTS, "quantity": D(1000),
                       "amount": D(subtotal or total)}]
    return doc(f"invoice {number}.pdf", "commercial_invoice", f, lines)


def payment(ref, amount, purpose, payee=MAKER, currency="USD"):
    return doc(f"payment {ref}.pdf", "payment_record", {
        "payer": IMPORTER, "payee": payee, "amount": D(amount), "currency": currency, "reference": ref,
        "purpose": purpose})


def codes(docs):
    return {f.code: f for f in audit(docs).findings if f.code in MINE}


def context(docs) -> Context:
    linked = link(docs)
    [e] = linked.entries
    return Context(e, linked)


@pytest.mark.parametrize("invoice_total, expect", [("20000.40", None), ("19999.60", None), ("20000.99", None),
                                                   ("20001.60", D("1.60"))])
def test_whole_dollar_rounding_is_not_a_finding(invoice_total, expect):
    found_ = codes([entry("20000"), invoice("A-1", invoice_total)])
    if expect is None:
        assert not found_
    else:
        assert found_["UNDERVALUATION"].value_delta == expect


def test_documented_freight_and_insurance_deduction_is_accepted():
    cif = invoice("A-1", "10850.00", incoterm="CIF", subtotal="10000.00",
                  charges=[("freight", "Ocean freight", "800.00"), ("insurance", "Cargo insurance", "50.00")])
    assert not codes([entry("10000"), cif])


def test_deduction_beyond_the_freight_shown():
    cif = invoice("A-1", "10850.00", incoterm="CIF", subtotal="10000.00",
                  charges=[("freight", "Ocean freight", "800.00"), ("insurance", "Cargo insurance", "50.00")])
    found_ = codes([entry("9500", mode="11"), cif])
    assert set(found_) == {"DEDUCTION_UNSUPPORTED"}
    f = found_["DEDUCTION_UNSUPPORTED"]
    # 500 × 5.3 % = 26.50; MPF 0.3464 % 32.91 -> 34.64 (+1.73); HMF 0.125 % 11.88 -> 12.50 (+0.62)
    assert (f.value_delta, f.duty_delta, f.fees_delta, f.loss_of_revenue) == \
        (D("500.00"), D("26.50"), D("2.35"), D("28.85"))


def test_cif_price_without_any_freight_amount_supports_no_deduction():
    found_ = codes([entry("9200"), invoice("A-1", "10000.00", incoterm="CIF")])
    assert set(found_) == {"DEDUCTION_UNSUPPORTED"}
    assert found_["DEDUCTION_UNSUPPORTED"].value_delta == D("800.00")


def test_freight_deducted_from_an_fob_price():
    """FOB: international freight is not in the price; deducting freight the importer paid separately is
    unsupported, not an undervaluation."""
    docs = [entry("9200"), invoice("A-1", "10000.00", incoterm="FOB"),
            payment("FT-9", "800.00", "Ocean freight, shipment of invoice A-1", payee=FORWARDER)]
    found_ = codes(docs)
    assert set(found_) == {"DEDUCTION_UNSUPPORTED"}
    assert found_["DEDUCTION_UNSUPPORTED"].value_delta == D("800.00")
    assert "FOB" in found_["DEDUCTION_UNSUPPORTED"].explanation


def test_shortfall_without_a_deduction_story_is_undervaluation():
    found_ = codes([entry("7800"), invoice("A-1", "10000.00")])
    assert set(found_) == {"UNDERVALUATION"}
    assert found_["UNDERVALUATION"].value_delta == D("2200.00")


def test_second_payment_to_the_seller_is_part_of_the_price():
    docs = [entry("10000"), invoice("A-1", "10000.00"),
            payment("FT-1", "10000.00", "Payment of invoice A-1"),
            payment("FT-2", "1500.00", "Price difference, invoice A-1")]
    found_ = codes(docs)
    assert set(found_) == {"UNDERVALUATION"}
    f = found_["UNDERVALUATION"]
    assert f.value_delta == D("1500.00")
    assert any("more than invoiced" in s for s in f.arithmetic)
    assert {e.path for e in f.evidence} >= {"payment FT-2.pdf", "invoice A-1.pdf"}


@pytest.mark.parametrize("purpose", ["Share of resale proceeds, invoice A-1", "Royalty 5 % on invoice A-1",
                                     "Mould for part HB-2201"])
def test_payments_for_other_things_than_the_goods_are_not_price(purpose):
    docs = [entry("10000"), invoice("A-1", "10000.00"), payment("FT-1", "10000.00", "Payment of invoice A-1"),
            payment("FT-2", "1500.00", purpose)]
    assert "UNDERVALUATION" not in codes(docs)


def test_payment_in_dollars_of_a_foreign_currency_invoice_within_the_exchange_band():
    docs = [entry("10850", currency="EUR", exchange_rate="1.085"), invoice("A-1", "10000.00", currency="EUR"),
            payment("FT-1", "10900.00", "Payment of invoice A-1")]  # bank rate 1.09: exchange, not price
    assert not codes(docs)


def test_foreign_currency_converted_at_the_entry_rate():
    docs = [entry("10000", currency="EUR", exchange_rate="1.085"), invoice("A-1", "10000.00", currency="EUR")]
    f = codes(docs)["UNDERVALUATION"]
    assert f.value_delta == D("850.00")
    assert any("1.085" in s for s in f.arithmetic)


def test_invoice_without_a_currency_is_never_converted_at_one():
    inv = invoice("A-1", "10000.00")
    inv.fields = FieldSet([x for x in inv.fields if x.name != "currency"])
    docs = [entry("5000", currency=None), inv]
    assert not codes(docs)


def test_a_deduction_and_a_second_payment_are_different_money():
    cif = invoice("A-1", "10850.00", incoterm="CIF", subtotal="10000.00",
                  charges=[("freight", "Ocean freight", "800.00"), ("insurance", "Cargo insurance", "50.00")])
    docs = [entry("9500"), cif, payment("FT-1", "10850.00", "Payment of invoice A-1"),
            payment("FT-2", "300.00", "Balance of price, invoice A-1")]
    result = audit(docs)
    mine = {f.code: f for f in result.findings if f.code in MINE}
    assert mine["DEDUCTION_UNSUPPORTED"].value_delta == D("500.00")
    assert mine["UNDERVALUATION"].value_delta == D("300.00")
    total = D(result.entry_totals["D4K-0000001-1"]["loss_of_revenue"])
    assert total == mine["DEDUCTION_UNSUPPORTED"].loss_of_revenue + mine["UNDERVALUATION"].loss_of_revenue


def test_value_delta_spread_over_lines_by_hts():
    lines = [{"line_no": 1, "hts": HTS, "entered_value": D(6000), "duty_rate": D("5.3")},
             {"line_no": 2, "hts": "8481.20.0040", "entered_value": D(2000), "duty_rate": D("2")}]
    inv = invoice("A-1", "10000.00", lines=[
        {"line_no": 1, "hts": HTS, "amount": D("7000.00")},
        {"line_no": 2, "hts": "8481.20.0040", "amount": D("3000.00")}])
    [r] = valuation.undervaluation(context([entry("8000", lines=lines), inv]))
    assert {c.line_no: c.value_delta for c in r.changes} == {1: D("1000.00"), 2: D("1000.00")}
    assert r.finding.value_delta == D("2000.00")
    assert r.finding.duty_delta == D("73.00")  # 1000 × 5.3 % + 1000 × 2 %


# --- first sale -------------------------------------------------------------------------------------------

def first_sale_docs(factory_fields=None, factory_seller=MAKER, entered="8000"):
    last = invoice("B-1", "10000.00", seller=TRADER, po="PO-77")
    f = {"po_number": "PO-77", "ship_to": IMPORTER}
    f.update(factory_fields if factory_fields is not None else {})
    factory = invoice("F-1", "8000.00", seller=factory_seller, buyer=TRADER, **{k: v for k, v in f.items()
                                                                               if k != "po_number"},
                      po=f.get("po_number"))
    return [entry(entered, invoices=("B-1", "F-1")), last, factory]


def test_first_sale_with_full_evidence_is_accepted():
    assert not codes(first_sale_docs())


def test_first_sale_without_evidence_of_us_destination():
    found_ = codes(first_sale_docs(factory_fields={"po_number": "F-ORDER-9", "ship_to": TRADER}))
    assert set(found_) == {"FIRST_SALE_UNSUPPORTED"}
    f = found_["FIRST_SALE_UNSUPPORTED"]
    assert f.value_delta == D("2000.00")  # last sale 10,000 − first sale entered 8,000
    assert "destined for the United States" in f.explanation


def test_first_sale_between_related_manufacturer_and_middleman():
    maker = Party(name="Pearl River Sourcing Manufacturing (Dongguan) Co., Ltd.", country="CN")
    found_ = codes(first_sale_docs(factory_seller=maker))
    assert set(found_) == {"FIRST_SALE_UNSUPPORTED"}
    assert "arm's length" in found_["FIRST_SALE_UNSUPPORTED"].explanation


def test_middleman_invoice_alone_is_an_unsupported_first_sale_not_undervaluation():
    docs = [entry("8000", invoices=("B-1",)), invoice("B-1", "10000.00", seller=TRADER)]
    found_ = codes(docs)
    assert set(found_) == {"FIRST_SALE_UNSUPPORTED"}
    assert "manufacturer's invoice" in found_["FIRST_SALE_UNSUPPORTED"].explanation


def test_supported_first_sale_still_measures_the_entry_against_the_first_sale_price():
    found_ = codes(first_sale_docs(entered="7000"))
    assert set(found_) == {"UNDERVALUATION"}
    assert found_["UNDERVALUATION"].value_delta == D("1000.00")


def test_first_sale_assessment_lists_what_is_present():
    docs = first_sale_docs()
    ctx = context(docs)
    pic = valuation.picture(ctx)
    assert pic.first_sale_claimed
    a = first_sale.assess(ctx, pic)
    assert a.supported and any("order number" in p for p in a.present)


# --- related party on made-up documents --------------------------------------------------------------------

def test_related_by_a_common_name():
    seller = Party(name="Greenleaf Household Products (Xiamen) Co., Ltd.", country="CN")
    buyer = Party(name="Greenleaf USA, Inc.", country="US")
    imp = doc("7501.pdf", "entry_summary", {
        "entry_number": "D4K-0000001-1", "importer": buyer, "invoice_numbers": ["A-1"], "related_party": False,
        "total_entered_value": D(10000), "currency": "USD"},
        [{"line_no": 1, "hts": HTS, "entered_value": D(10000), "duty_rate": D("5.3"), "related_party": False}])
    inv = invoice("A-1", "10000.00", seller=seller, buyer=buyer)
    f = codes([imp, inv])["RELATED_PARTY_UNDECLARED"]
    assert "common name" in f.title and f.loss_of_revenue == D("0.00")


def test_unrelated_names_are_not_related():
    assert not related_party.common_name(MAKER, IMPORTER)
    assert not related_party.common_name(Party(name="Pacific Trading Co."), Party(name="Pacific Outfitters Inc."))


def test_related_party_from_an_agreement_between_the_parties():
    agreement = doc("supply.pdf", "agreement", {
        "agreement_type": "supply",
        "parties": [Party(name=MAKER.name, role="supplier"), Party(name=IMPORTER.name, role="buyer")],
        "products": "plastic housings HB-2201",
        "notes": ["Supplier and Buyer are members of the Meridian group; prices are set at cost plus 8 %."]},
        [{"part_number": "HB-2201"}])
    docs = [entry("10000"), invoice("A-1", "10000.00"), agreement]
    f = codes(docs)["RELATED_PARTY_UNDECLARED"]
    assert "cost plus 8 %" in f.explanation  # the circumstances of sale the documents offer


def test_charges_between_subtotal_and_total_not_itemised_are_not_claimed():
    """An invoice whose total exceeds its goods subtotal by charges of unknown kind (e.g. a charge line the
    reader missed): the entered value equal to the subtotal is not an undervaluation of those charges; a
    shortfall beyond them is."""
    assert not codes([entry("10000"), invoice("A-1", "10700.00", subtotal="10000.00")])
    f = codes([entry("9000"), invoice("A-1", "10700.00", subtotal="10000.00")])["UNDERVALUATION"]
    assert f.value_delta == D("1000.00")
    assert "not itemised" in f.explanation


def test_same_name_affiliates_in_different_countries_are_related():
    seller = Party(name="Keystone Valve GmbH", country="DE")
    buyer = Party(name="Keystone Valve & Fitting Co.", country="US")
    imp = doc("7501.pdf", "entry_summary", {
        "entry_number": "D4K-0000001-1", "importer": Party(name=buyer.name), "invoice_numbers": ["A-1"],
        "total_entered_value": D(10000), "currency": "USD"},
        [{"line_no": 1, "hts": HTS, "entered_value": D(10000), "duty_rate": D("5.3"), "related_party": False}])
    f = codes([imp, invoice("A-1", "10000.00", seller=seller, buyer=buyer)])["RELATED_PARTY_UNDECLARED"]
    assert "keystone" in f.explanation.lower()


def test_a_seller_abroad_without_an_mid_on_the_entry_is_read_as_a_middleman():
    docs = [entry("8000", invoices=("B-1",), mid=None), invoice("B-1", "10000.00", seller=TRADER)]
    assert set(codes(docs)) == {"FIRST_SALE_UNSUPPORTED"}


def test_ownership_by_a_third_party_named_in_a_licence_is_not_buyer_seller_relation():
    licence = doc("licence.pdf", "agreement", {
        "agreement_type": "royalty",
        "parties": [Party(name="Northwind Brands Licensing LLC", role="licensor"),
                    Party(name=IMPORTER.name, role="licensee")],
        "notes": [f"{IMPORTER.name} (the Licensee) is a wholly owned subsidiary of the Licensor."]},
        [{"part_number": "HB-2201"}])
    assert "RELATED_PARTY_UNDECLARED" not in codes([entry("10000"), invoice("A-1", "10000.00"), licence])



# --- value entered above what is dutiable: refunds (audit/overpaid.py) ----------------------------------------------

def refunds_found(docs):
    result = audit(docs)
    return {f.code: f for f in result.findings if f.direction == "overpaid"}, result


CIF = dict(incoterm="CIF", subtotal="10000.00",
           charges=[("freight", "Ocean freight", "800.00"), ("insurance", "Cargo insurance", "50.00")])


def test_freight_and_insurance_entered_as_value_are_refundable_to_the_cent():
    found_, result = refunds_found([entry("10850", mode="11"), invoice("A-1", "10850.00", **CIF)])
    f = found_["NONDUTIABLE_INCLUDED"]
    # 850 × 5.3 % = 45.05; MPF 0.3464 % 37.58 -> 34.64 (2.94); HMF 0.125 % 13.56 -> 12.50 (1.06)
    assert (f.value_delta, f.duty_delta, f.fees_delta, f.loss_of_revenue) == \
        (D("-850.00"), D("-45.05"), D("-4.00"), D("0.00"))
    assert f.status == "open" and "Ocean freight" in f.explanation and "(b)(3)" in f.legal_basis
    assert "D4K-0000001-1" not in result.entry_totals  # a refund is in no loss total: it never offsets one
    assert not [x for x in result.findings if x.direction == "underpaid" and x.code in MINE]


def test_only_the_itemised_charges_are_claimed_when_more_was_entered():
    found_, _ = refunds_found([entry("11000"), invoice("A-1", "10850.00", **CIF)])
    assert found_["NONDUTIABLE_INCLUDED"].value_delta == D("-850.00")


def test_a_buying_commission_entered_as_value_is_refundable():
    inv = invoice("A-1", "10400.00", subtotal="10000.00", charges=[("buying_commission", "Buying agent fee", "400")])
    found_, _ = refunds_found([entry("10400"), inv])
    assert found_["NONDUTIABLE_INCLUDED"].value_delta == D("-400.00")
    assert found_["NONDUTIABLE_INCLUDED"].duty_delta == D("-21.20")


@pytest.mark.parametrize("entered, docs", [
    ("10000", [invoice("A-1", "10850.00", **CIF)]),  # the charges deducted: nothing over
    ("10850", [invoice("A-1", "10850.00")]),  # nothing itemised: the excess is not known to be non-dutiable
    ("10850", [invoice("A-1", "10850.00", **CIF), payment("W-1", "11500.00", "goods, invoice A-1")]),  # paid more
])
def test_no_refund_where_the_documents_do_not_show_non_dutiable_value(entered, docs):
    found_, _ = refunds_found([entry(entered)] + docs)
    assert "NONDUTIABLE_INCLUDED" not in found_


def test_the_ieepa_rate_is_left_to_its_own_refund():
    lines = [{"line_no": 1, "hts": HTS, "entered_value": D("10850"), "duty_rate": D("5.3"),
              "additional": [{"hts": "9903.01.25", "rate": D("10"), "value": D("10850"), "duty": D("1085.00")}]}]
    found_, _ = refunds_found([entry("10850", lines=lines), invoice("A-1", "10850.00", **CIF)])
    assert found_["NONDUTIABLE_INCLUDED"].duty_delta == D("-45.05")  # 5.3 % only; the 10 % is DUTY_REFUNDABLE's
    assert found_["DUTY_REFUNDABLE"].duty_delta == D("-1085.00")


def test_a_first_sale_the_documents_support_is_a_refund_when_the_last_sale_was_entered():
    found_, result = refunds_found(first_sale_docs(entered="10000"))
    f = found_["FIRST_SALE_AVAILABLE"]
    assert (f.value_delta, f.duty_delta, f.loss_of_revenue) == (D("-2000.00"), D("-106.00"), D("0.00"))
    assert "order number PO-77" in f.explanation and "982 F.2d 505" in f.legal_basis
    assert not [x for x in result.findings if x.code in MINE]


def test_no_first_sale_refund_without_its_evidence():
    docs = first_sale_docs(factory_fields={"po_number": "F-ORDER-9", "ship_to": TRADER}, entered="10000")
    found_, result = refunds_found(docs)
    assert "FIRST_SALE_AVAILABLE" not in found_
    assert not [x for x in result.findings if x.code in MINE]  # entered at the last sale: nothing underpaid


def test_the_refund_specs_are_complete():
    from appraiser.audit.rules import BY_CODE, spec_problems

    for code in ("NONDUTIABLE_INCLUDED", "FIRST_SALE_AVAILABLE"):
        assert spec_problems(BY_CODE[code]) == [] and BY_CODE[code].direction == "overpaid"
