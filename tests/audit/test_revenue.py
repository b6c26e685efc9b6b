"""Loss-of-revenue arithmetic (SPEC §4 "Loss of revenue"): exact decimals, fee limits, dedup, apportionment."""
from decimal import Decimal as D

import pytest

from appraiser.audit import revenue
from appraiser.audit.revenue import Change, EntryContext, apportion, compute, content_shortfall, entry_total
from appraiser.models.records import Entry, EntryLine, FieldSet


def ctx(value, date="2025-03-10", mode="11", exempt="0"):
    return EntryContext("D4K-0104547-1", date, mode, D(value), D(exempt))


def test_worked_example_assist_on_a_vessel_entry():
    r = compute(ctx("48000"), [Change(1, D("12500.00"), [D("5.3"), D("7.5")], "assist:1")])
    assert r.value_delta == D("12500.00")
    assert r.duty_delta == D("1600.00")
    assert (r.mpf_before, r.mpf_after) == (D("166.27"), D("209.57"))
    assert (r.hmf_before, r.hmf_after) == (D("60.00"), D("75.63"))
    assert r.fees_delta == D("58.93")
    assert r.loss_of_revenue == D("1658.93")
    assert any("0.3464 % × 60,500.00 = 209.57" in s for s in r.arithmetic)
    assert not r.rate_unknown


def test_duty_is_rounded_once_half_up_not_per_rate():
    # 0.50 × 5 % = 0.025 and 0.50 × 5 % = 0.025: 0.05 together, not 0.03 + 0.03
    r = compute(ctx("100000"), [Change(1, D("0.50"), [D("5"), D("5")], "k")])
    assert r.duty_delta == D("0.05")
    # half-up: 0.10 × 25 % = 0.025 → 0.03
    assert compute(ctx("100000"), [Change(1, D("0.10"), [D("25")], "k")]).duty_delta == D("0.03")


def test_mpf_minimum_and_maximum_bind():
    # below the minimum before and after: no MPF change
    low = compute(ctx("5000", mode="40"), [Change(1, D("1000"), [D("2")], "k")])
    assert (low.mpf_before, low.mpf_after) == (D("32.71"), D("32.71"))
    assert low.fees_delta == D("0.00") and low.loss_of_revenue == D("20.00")
    # above the maximum before: no MPF change either
    high = compute(ctx("500000", mode="40"), [Change(1, D("10000"), [D("2")], "k")])
    assert (high.mpf_before, high.mpf_after) == (D("634.62"), D("634.62"))
    # crossing the maximum: fee grows only up to it
    cross = compute(ctx("180000", mode="40"), [Change(1, D("20000"), [D("0")], "k")])
    assert cross.mpf_before == D("623.52") and cross.mpf_after == D("634.62")


@pytest.mark.parametrize("date,fy,minimum", [("2025-09-30", 2025, D("32.71")), ("2025-10-01", 2026, D("33.58")),
                                             ("2024-10-01", 2025, D("32.71"))])
def test_fiscal_year_runs_october_to_september(date, fy, minimum):
    year, lo, _, note = revenue.mpf_limits(date)
    assert (year, lo, note) == (fy, minimum, "")
    assert revenue.mpf(D("100"), date) == minimum


def test_fiscal_year_outside_the_table_says_which_limits_it_used():
    year, lo, hi, note = revenue.mpf_limits("2031-01-15")
    assert year == 2031 and "FY2026 limits used" in note and lo == D("33.58")


def test_no_hmf_for_air_or_truck():
    for mode in ("40", "30", None):
        r = compute(ctx("48000", mode=mode), [Change(1, D("12500"), [D("5.3")], "k")])
        assert r.hmf_before == r.hmf_after == D("0.00")
        assert not any("HMF" in s for s in r.arithmetic)


def test_unknown_rate_gives_the_value_delta_only():
    r = compute(ctx("48000"), [Change(1, D("1000"), None, "k")])
    assert r.rate_unknown and r.duty_delta == D("0.00") and r.value_delta == D("1000.00")
    assert any("rate unknown" in s for s in r.arithmetic)


def test_entry_total_counts_shared_money_once():
    a = Change(1, D("10000"), [D("5")], "invoice:INV-1:total")
    b = Change(1, D("10000"), [D("5")], "invoice:INV-1:total")
    c = Change(2, D("2000"), [D("5")], "packing:INV-1")
    total = entry_total(ctx("100000", mode="40"), [a, b, c])
    assert total.duty_delta == D("600.00")
    assert total.value_delta == D("12000.00")


def test_metal_content_shortfall_moves_no_fee_base():
    # extra Section 232 duty on value already declared: fee base unchanged
    r = compute(ctx("84200", mode="30"), [Change(2, D("4000"), [D("50")], "232", fee_base_delta=D(0))])
    assert r.duty_delta == D("2000.00") and r.fees_delta == D("0.00")


def test_failed_preference_makes_exempt_value_owe_mpf():
    c = ctx("50000", mode="40", exempt="50000")
    r = compute(c, [Change(1, D("0"), [D("3.4")], "fta", fee_base_delta=D(0), mpf_dutiable=D("50000"))])
    assert r.mpf_before == D("0.00") and r.mpf_after == D("173.20")
    assert r.loss_of_revenue == D("173.20")


def test_context_of_an_entry_with_a_preference_line():
    lines = [EntryLine(FieldSet()), EntryLine(FieldSet())]
    lines[0].fields.set("entered_value", D("30000"))
    lines[0].fields.set("spi", "CO")
    lines[1].fields.set("entered_value", D("20000"))
    header = FieldSet()
    header.set("entry_date", "2025-06-01")
    header.set("mode_of_transport", "11")
    c = revenue.context_of(Entry("X", lines=lines, header=header))
    assert c.total_entered_value == D("50000") and c.mpf_exempt_value == D("30000")


def test_line_rates_leave_out_section_232_rates():
    line = EntryLine(FieldSet())
    line.fields.set("duty_rate", D("0"))
    line.fields.set("additional", [{"hts": "9903.81.91", "rate": D("50")}, {"hts": "9903.88.15", "rate": D("7.5")}])
    assert revenue.line_rates(line) == [D("0"), D("7.5")]
    assert revenue.line_rates(EntryLine(FieldSet())) is None


def test_apportion_per_unit_and_in_full():
    share, how = apportion(D("12500"), D("100000"), D("40000"), first_entry=True)
    assert share == D("5000.00") and "per unit" in how
    assert apportion(D("12500"), None, D("40000"), first_entry=True)[0] == D("12500.00")
    assert apportion(D("12500"), None, D("40000"), first_entry=False)[0] == D("0.00")


def test_content_shortfall_against_the_higher_reading():
    a, b, short = content_shortfall(D("60000"), D("58000"), D("84200"), D("20000"))
    assert (a, b, short) == (D("58000"), D("64200"), D("4200"))
    assert content_shortfall(D("60000"), None, D("84200"), None)[2] == D("0")


def test_foreign_currency_needs_a_rate():
    assert revenue.to_usd(D("100"), "EUR", D("1.085")) == D("108.500")
    with pytest.raises(ValueError, match="no exchange rate for EUR"):
        revenue.to_usd(D("100"), "EUR", None)


def test_tariff_csv(tmp_path):
    p = tmp_path / "hts.csv"
    p.write_text('"HTS Number","Indent","Description","General Rate of Duty","Special Rate of Duty"\n'
                 '"7308.90",1,"Other","",""\n'
                 '"7308.90.95",2,"Other","Free",""\n'
                 '"8481.20.00",1,"Valves","2%","Free (A,AU,CO,MX)"\n', encoding="utf-8")
    t = revenue.load_tariff(p)
    assert t.general_rate("7308.90.9590") == D("0")
    assert t.general_rate("8481.20.0040") == D("2")
    assert "CO" in t.special_programs("8481.20.0040")
    assert t.general_rate("9999.99.9999") is None
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a USITC HTS export"):
        revenue.load_tariff(bad)
