"""Penalty exposure under 19 U.S.C. 1592(c): the statutory maxima with and without a prior disclosure."""
from decimal import Decimal as D

import pytest

from appraiser.audit.penalty import exposure


def _rows(x):
    return {r.culpability: (r.without_disclosure, r.with_disclosure) for r in x.rows}


def test_a_loss_of_duties():
    x = exposure("Acme", ["E2", "E1"], D("1000.00"), D("55.10"), D("30000.00"))
    assert x.entries == ["E1", "E2"]
    assert _rows(x) == {"negligence": (D("2000.00"), D("55.10")),  # twice the loss; interest when disclosed
                        "gross negligence": (D("4000.00"), D("55.10")),  # four times the loss
                        "fraud": (D("30000.00"), D("1000.00"))}  # the domestic value; the loss when disclosed
    assert not x.domestic_value_given and any("floor" in n for n in x.caveats)
    assert "1592(c)(3)" in x.row("negligence").without_basis and "1592(c)(4)(B)" in x.row("negligence").with_basis


def test_the_domestic_value_caps_the_multiples():
    x = exposure("Acme", ["E1"], D("10000.00"), D("0.00"), D("30000.00"), domestic_value=D("35000.00"))
    assert _rows(x)["negligence"][0] == D("20000.00")
    assert _rows(x)["gross negligence"][0] == D("35000.00")  # the lesser of 35,000 and 40,000
    assert _rows(x)["fraud"][0] == D("35000.00") and x.domestic_value_given


def test_no_loss_of_duties_uses_the_dutiable_value():
    x = exposure("Acme", ["E1"], D("0.00"), D("0.00"), D("12345.67"))
    assert _rows(x) == {"negligence": (D("2469.13"), D("0.00")),  # 20 %
                        "gross negligence": (D("4938.27"), D("0.00")),  # 40 %
                        "fraud": (D("12345.67"), D("1234.57"))}  # the domestic value; 10 % when disclosed


def test_an_incomplete_interest_is_said():
    x = exposure("Acme", ["E1"], D("100.00"), D("3.00"), D("1000.00"), interest_complete=False)
    assert "incomplete" in x.row("negligence").with_basis


def test_money_must_be_decimal():
    with pytest.raises(TypeError):
        exposure("Acme", ["E1"], 100.0, D("0"), D("1"))


# --- a disclosure of negligence costs the interest from liquidation (19 U.S.C. 1592(c)(4)(B)) -------------------

def _declared(status=None, liquidation=None, summary="2024-01-15"):
    from appraiser.models.records import Entry, FieldSet
    h = FieldSet()
    h.set("entry_date", "2024-01-10")
    h.set("summary_date", summary)
    h.set("liquidation_status", status)
    h.set("liquidation_date", liquidation)
    return Entry(entry_number="E1", header=h)


def _disclosed(entry, loss=D("1000.00"), tender=None):
    from datetime import date
    from appraiser.audit import interest
    from appraiser.audit.schedule import EntryMoney, disclosed_interest, entry_interest
    tender = tender or date(2026, 3, 31)
    money = EntryMoney(duty=loss, mpf=D("0.00"), hmf=D("0.00"), loss=loss, source="audit")
    ei = entry_interest("E1", entry, money, tender)
    return disclosed_interest("E1", entry, loss, ei, tender), ei, interest


def test_interest_from_liquidation_where_the_declared_data_give_it():
    from datetime import date
    d, ei, interest = _disclosed(_declared("liquidated", "2024-12-06"))
    expected = interest.compute(D("1000.00"), date(2024, 12, 6), date(2026, 3, 31)).amount
    assert d.amount == expected and 0 < d.amount < ei.amount  # liquidation came later than the deposit
    assert d.basis.startswith("from liquidation on 2024-12-06") and d.complete
    x = exposure("Acme", ["E1"], D("1000.00"), ei.amount, D("20000.00"), disclosed=[d])
    assert _rows(x)["negligence"][1] == _rows(x)["gross negligence"][1] == expected
    assert "1 entry from its liquidation date" in x.row("negligence").with_basis
    assert x.to_json()["disclosed_interest"][0]["amount"] == format(expected, "f")
    assert not any("documents do not give it" in c for c in x.caveats)


def test_no_interest_from_liquidation_on_an_entry_not_yet_liquidated():
    d, ei, _ = _disclosed(_declared("unliquidated", "2026-06-01"))
    assert d.amount == D("0.00") and ei.amount > 0 and d.basis.startswith("not liquidated on 2026-03-31")
    x = exposure("Acme", ["E1"], D("1000.00"), ei.amount, D("20000.00"), disclosed=[d])
    assert _rows(x)["negligence"][1] == D("0.00") and "not liquidated: none" in x.row("negligence").with_basis


def test_without_a_liquidation_date_the_deposit_interest_stands_in_and_says_so():
    d, ei, _ = _disclosed(_declared())
    assert d.amount == ei.amount > 0 and "1505(c) interest from deposit stands in" in d.basis
    x = exposure("Acme", ["E1"], D("1000.00"), ei.amount, D("20000.00"), disclosed=[d])
    assert _rows(x)["negligence"][1] == ei.amount and any("documents do not give it" in c for c in x.caveats)
