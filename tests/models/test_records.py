from decimal import Decimal

import pytest

from appraiser.models.convert import document_from_json
from appraiser.models.records import Document, Evidence, FieldSet, Finding, Money, Party, Provenance, q2


def test_money_is_decimal_with_currency():
    a = Money(Decimal("10.10"), "USD") + Money(Decimal("0.20"), "USD")
    assert a == Money(Decimal("10.30"), "USD")
    with pytest.raises(TypeError):
        Money(10.1, "USD")  # floats are refused
    with pytest.raises(ValueError):
        Money(Decimal(1), "usd dollars")
    with pytest.raises(ValueError):
        Money(Decimal(1), "EUR") + Money(Decimal(1), "USD")


def test_conversion_never_silently_at_one():
    with pytest.raises(ValueError, match="no exchange rate"):
        Money(Decimal("100"), "EUR").to_usd(None)
    assert Money(Decimal("100"), "EUR").to_usd(Decimal("1.0850")).amount == Decimal("108.5000")


@pytest.mark.parametrize("value, expected", [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"),
                                             ("-1.005", "-1.01")])
def test_half_up_to_the_cent(value, expected):
    assert q2(Decimal(value)) == Decimal(expected)


def test_document_round_trips_through_export_json():
    fs = FieldSet()
    prov = Provenance("inv.pdf", 1, (10.0, 20.0, 80.0, 30.0), "text", 1.0, "INV-1")
    fs.set("invoice_number", "INV-1", prov)
    fs.set("total", Decimal("1234.50"))
    fs.set("seller", Party(name="Acme Forge", address="1 Road, Town", country="MX"))
    fs.set("po_number", None)  # absent, never written
    doc = Document(path="a/inv.pdf", sha256="0" * 64, doc_type="commercial_invoice", pages=1, fields=fs)
    j = doc.to_json()
    assert j["fields"] == {"invoice_number": "INV-1", "total": "1234.50",
                           "seller": {"name": "Acme Forge", "address": "1 Road, Town", "country": "MX"}}
    back = document_from_json(j)
    assert back.get("total") == Decimal("1234.50") and isinstance(back.get("total"), Decimal)
    assert back.get("seller").country == "MX"
    assert back.fields.prov("invoice_number").bbox == (10.0, 20.0, 80.0, 30.0)


def test_finding_id_is_stable_and_depends_on_what_it_is_about():
    ev = [Evidence("t.pdf", 1, "Injection mould", (1, 2, 3, 4))]
    a = Finding("ASSIST_UNDECLARED", "high", "7DX-0000001-2", "t", "e", "b", line_no=1, evidence=ev)
    b = Finding("ASSIST_UNDECLARED", "high", "7DX-0000001-2", "other title", "x", "b", line_no=1, evidence=ev)
    c = Finding("ASSIST_UNDECLARED", "high", "7DX-0000001-2", "t", "e", "b", line_no=2, evidence=ev)
    assert a.id == b.id != c.id
    j = a.to_json()
    assert j["loss_of_revenue"] == "0.00" and Finding.from_json(j).id == a.id
