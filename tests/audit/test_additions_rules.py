"""Packing, selling commissions, royalties and proceeds (audit/additions.py)."""
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from appraiser.audit import audit as _audit
from appraiser.extract.facts import with_facts
from appraiser.audit.revenue import load_tariff
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document, Party


def audit(documents, **kw):
    """The audit of documents built by hand or read from a truth file, with the facts extraction reads from
    their prose (``extract.facts.with_facts``), as the pipeline gives it."""
    return _audit([with_facts(d) for d in documents], **kw)

ROOT = Path(__file__).resolve().parents[2]
CODES = ("PACKING_UNDECLARED", "SELLING_COMMISSION_UNDECLARED", "ROYALTY_UNDECLARED", "PROCEEDS_UNDECLARED")


@pytest.mark.parametrize("split", ["dev", "check"])
def test_planted_additions_with_their_loss_and_no_others(split):
    folder = ROOT / "fixtures" / "corpus" / split
    truth = json.loads((folder / "truth.json").read_text())
    result = audit([document_from_json(d) for d in truth["documents"]], tariff=load_tariff(folder / "tariff.csv"))
    expected = sorted((f["entry_number"], f["code"], D(f["loss_of_revenue"]), D(f["value_delta"]))
                      for f in truth["findings"] if f["code"] in CODES)
    found = sorted((f.entry_number, f.code, f.loss_of_revenue, f.value_delta)
                   for f in result.findings if f.code in CODES)
    assert found == expected and len(expected) == 4
    for f in result.findings:
        if f.code in CODES:
            assert f.evidence and f.arithmetic and f.legal_basis.startswith("19 U.S.C. 1401a(b)(1)")


IMPORTER = Party("Lakeshore Industrial Supply, Inc.", country="US")
SELLER = Party("Dongguan Precision Plastics Co., Ltd.", country="CN")


def shipment(entered="10000", invoice_total="10000.00", **extra_fields):
    es = Document.of("7501.pdf", "entry_summary", {
        "entry_number": "ABC-1234567-6", "entry_date": "2025-05-01", "mode_of_transport": "40",
        "total_entered_value": D(entered), "invoice_numbers": ["A-1"], "importer": IMPORTER, "mpf": D("34.64")},
        [{"line_no": 1, "hts": "3926.90.9985", "entered_value": D(entered), "duty_rate": D("5.3"),
          "description": "PLASTIC HOUSINGS"}])
    inv = Document.of("inv.pdf", "commercial_invoice", {
        "invoice_number": "A-1", "currency": "USD", "seller": SELLER, "buyer": IMPORTER, "total": D(invoice_total),
        **extra_fields},
        [{"line_no": 1, "part_number": "HB-2201", "description": "ABS housing", "quantity": D("1000"),
          "unit_price": D("10"), "amount": D("10000.00")}])
    return [es, inv]


def agreement(kind, parties, **fields):
    return Document.of(f"{kind}.pdf", "agreement", {"agreement_type": kind, "parties": parties,
                                                    "products": "plastic housings (HB-2201)", **fields})


def payment(payee, amount, purpose):
    return Document.of(f"pay-{amount}.pdf", "payment_record", {"payer": IMPORTER, "payee": payee,
                                                               "amount": D(amount), "currency": "USD",
                                                               "purpose": purpose, "payment_date": "2025-05-20"})


def found(docs, code):
    return [f for f in audit(docs).findings if f.code == code]


def test_a_buying_commission_is_never_reported():
    agent = Party("Buying Agents Ltd.", role="agent")
    docs = shipment() + [agreement("buying_commission", [Party(IMPORTER.name, role="principal"), agent],
                                   rate_percent=D("5")),
                         payment(agent, "500.00", "Buying commission 5% invoice A-1")]
    assert not found(docs, "SELLING_COMMISSION_UNDECLARED")


def test_a_selling_commission_the_buyer_pays_the_sellers_agent():
    agent = Party("Sales Reps Ltd.", role="agent")
    docs = shipment() + [agreement("selling_commission", [Party(SELLER.name, role="principal"), agent],
                                   rate_percent=D("5")),
                         payment(agent, "500.00", "Sales commission 5% invoice A-1")]
    [f] = found(docs, "SELLING_COMMISSION_UNDECLARED")
    assert f.value_delta == D("500.00") and f.duty_delta == D("26.50")


def test_a_royalty_already_in_the_entered_value_is_not_reported():
    licensor = Party("Brand Licensing LLC", role="licensor")
    lic = agreement("royalty", [licensor, Party(IMPORTER.name, role="licensee")], rate_percent=D("6"),
                    condition_of_sale=True)
    paid = payment(licensor, "600.00", "Royalty 6% on invoice A-1")
    assert found(shipment() + [lic, paid], "ROYALTY_UNDECLARED")
    assert not found(shipment(entered="10600") + [lic, paid], "ROYALTY_UNDECLARED")


def test_a_royalty_without_payments_is_the_rate_times_the_price_and_needs_a_condition_of_sale():
    licensor = Party("Brand Licensing LLC", role="licensor")
    parties = [licensor, Party(IMPORTER.name, role="licensee")]
    [f] = found(shipment() + [agreement("royalty", parties, rate_percent=D("6"), condition_of_sale=True)],
                "ROYALTY_UNDECLARED")
    assert f.value_delta == D("600.00") and "6 % × the price of the goods" in f.arithmetic[0]
    # the buyer may buy the goods without paying it, and the licensor is not the seller: not dutiable
    assert not found(shipment() + [agreement("royalty", parties, rate_percent=D("6"), condition_of_sale=False)],
                     "ROYALTY_UNDECLARED")


def test_packing_charged_on_a_foreign_currency_invoice_converted_at_the_entry_rate():
    docs = shipment(entered="11000", invoice_total="11500.00", currency="EUR", subtotal=D("10000.00"),
                    charges=[{"kind": "packing", "description": "Export crates", "amount": D("500.00")}])
    docs[0].fields.set("currency", "EUR")
    docs[0].fields.set("exchange_rate", D("1.1"))
    [f] = found(docs, "PACKING_UNDECLARED")
    assert f.value_delta == D("550.00")  # EUR 500 × 1.1



def test_missing_fields_do_not_crash():
    docs = shipment() + [Document.of("a.pdf", "agreement", {}), Document.of("p.pdf", "payment_record", {})]
    result = audit(docs)
    assert not result.errors and not [f for f in result.findings if f.code in CODES]
