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
