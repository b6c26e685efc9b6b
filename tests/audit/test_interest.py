"""Interest under 19 U.S.C. 1505(c): known values computed by hand from the rate table, a quarter boundary with a
rate change, a leap year, and a period the table does not cover refused or stated, never guessed."""
from datetime import date, timedelta
from decimal import Decimal as D, ROUND_HALF_UP, localcontext

import pytest

from appraiser.audit import interest


def _by_hand(principal: D, start: date, end: date) -> D:
    """Day by day: each day after ``start`` through ``end`` multiplies the balance by 1 + rate / days of its year,
    the rate looked up in the JSON table by the day's quarter."""
    import json

    rows = json.loads(interest.RATES_FILE.read_text(encoding="utf-8"))["quarters"]
    with localcontext() as ctx:
        ctx.prec = 40
        balance = principal
        day = start + timedelta(days=1)
        while day <= end:
            rate = next(D(r["rate"]) for r in rows if r["from"] <= day.isoformat() <= r["to"])
            year = 366 if day.year % 4 == 0 else 365
            balance *= 1 + rate / 100 / year
            day += timedelta(days=1)
        return (balance - principal).quantize(D("0.01"), ROUND_HALF_UP)


def test_the_table_is_contiguous_and_sourced():
    t = interest.table()
    assert t.covered_from == date(2020, 1, 1) and t.covered_to == date(2026, 3, 31)
    assert all(q.source and q.rate > 0 for q in t.quarters)
    assert t.quarter_of(date(2022, 4, 1)).rate == D(4) and t.quarter_of(date(2022, 3, 31)).rate == D(3)


def test_across_a_quarter_boundary_and_a_rate_change():
    # 1,000.00 from 15 March 2022: 16 days at 3 % (to 31 March), then 10 days at 4 % (1 to 10 April), 365-day year
    r = interest.compute(D("1000.00"), date(2022, 3, 15), date(2022, 4, 10))
    expected = D("1000.00") * (1 + D(3) / 100 / 365) ** 16 * (1 + D(4) / 100 / 365) ** 10 - D("1000.00")
    assert r.amount == expected.quantize(D("0.01"), ROUND_HALF_UP) == D("2.41")
    assert [(s.start, s.end, s.days, s.rate) for s in r.steps] == [
        (date(2022, 3, 16), date(2022, 3, 31), 16, D(3)), (date(2022, 4, 1), date(2022, 4, 10), 10, D(4))]
    assert r.complete and r.days == 26


def test_a_year_at_eight_percent_in_a_leap_year():
    # the whole of 2024 at 8 %, 366 days of a leap year: 10,000 x ((1 + 0.08/366)^366 - 1)
    r = interest.compute(D("10000.00"), date(2023, 12, 31), date(2024, 12, 31))
    assert r.amount == D("832.78")
    assert [s.year_days for s in r.steps] == [366] * 4


@pytest.mark.parametrize("start,end", [(date(2020, 5, 20), date(2023, 2, 1)), (date(2024, 11, 3), date(2026, 3, 31)),
                                       (date(2022, 6, 30), date(2022, 7, 1))])
def test_long_periods_match_the_day_by_day_computation(start, end):
    assert interest.compute(D("12345.67"), start, end).amount == _by_hand(D("12345.67"), start, end)


def test_no_interest_for_no_loss_or_no_day():
    assert interest.compute(D("0.00"), date(2022, 1, 1), date(2023, 1, 1)).amount == D("0.00")
    assert interest.compute(D("500.00"), date(2022, 1, 1), date(2022, 1, 1)).amount == D("0.00")


def test_a_period_the_table_does_not_cover_is_refused_or_stated():
    with pytest.raises(interest.InterestGap, match="ends on 2026-03-31"):
        interest.compute(D("1000.00"), date(2026, 1, 1), date(2026, 12, 6))
    with pytest.raises(interest.InterestGap, match="starts on 2020-01-01"):
        interest.compute(D("1000.00"), date(2019, 6, 1), date(2020, 6, 1))
    with pytest.raises(interest.InterestGap, match="before the deposit date"):
        interest.compute(D("1000.00"), date(2024, 6, 1), date(2024, 5, 1))
    r = interest.compute(D("1000.00"), date(2026, 1, 1), date(2026, 12, 6), strict=False)
    assert not r.complete and r.computed_to == date(2026, 3, 31) and "2026-04-01" in r.gap
    assert r.amount == _by_hand(D("1000.00"), date(2026, 1, 1), date(2026, 3, 31))


def test_the_deposit_date_is_the_summary_date_else_the_entry_date():
    assert interest.deposit_date({"summary_date": "2025-03-20", "entry_date": "2025-03-10"}) == \
        (date(2025, 3, 20), "entry summary date")
    assert interest.deposit_date({"entry_date": "2025-03-10"})[0] == date(2025, 3, 10)
    assert interest.deposit_date({})[0] is None


def test_money_must_be_decimal():
    with pytest.raises(TypeError):
        interest.compute(1000.0, date(2022, 1, 1), date(2022, 2, 1))


# --- quarters after the shipped table, given by the user (--interest-rates) ------------------------------------

NEXT = "from,to,rate,source\n2026-04-01,2026-06-30,7,CBP notice for the quarter (as the user cites it)\n"


def test_a_users_file_extends_the_table_and_the_gap_closes(tmp_path):
    f = tmp_path / "later.csv"
    f.write_text(NEXT, encoding="utf-8")
    t = interest.extended(f)
    assert t.covered_to == date(2026, 6, 30) and t.quarters[:-1] == interest.table().quarters
    assert t.quarters[-1].source == "CBP notice for the quarter (as the user cites it)"
    short = interest.compute(D("1000.00"), date(2026, 1, 15), date(2026, 6, 30), strict=False)
    assert short.gap and "ends on 2026-03-31" in short.gap
    full = interest.compute(D("1000.00"), date(2026, 1, 15), date(2026, 6, 30), rates=t)
    # 7 % all the way: 166 days of 2026 compounded daily
    with localcontext() as ctx:
        ctx.prec = 40
        by_hand = (D("1000.00") * (1 + D(7) / 100 / 365) ** 166 - D("1000.00")).quantize(D("0.01"), ROUND_HALF_UP)
    assert full.gap is None and full.amount == by_hand and full.steps[-1].source.startswith("CBP notice")


def test_a_json_file_shaped_like_the_shipped_table_extends_it_too(tmp_path):
    import json
    f = tmp_path / "later.json"
    f.write_text(json.dumps({"quarters": [
        {"from": "2026-01-01", "to": "2026-03-31", "rate": "7", "source": "the shipped quarter, repeated"},
        {"from": "2026-04-01", "to": "2026-06-30", "rate": "6", "source": "a later notice"},
        {"from": "2026-07-01", "to": "2026-09-30", "rate": "6", "source": "a later notice"}]}), encoding="utf-8")
    t = interest.extended(f)
    assert t.covered_to == date(2026, 9, 30) and t.quarter_of(date(2026, 1, 2)).source.startswith("CBP notice")
    assert "later.json" in t.name


@pytest.mark.parametrize("text,said", [
    ("from,to,rate,source\n2026-01-01,2026-03-31,8,x\n", "differs from the shipped table's 7 %"),
    ("from,to,rate,source\n2026-07-01,2026-09-30,7,x\n", "are not contiguous"),
    ("from,to,rate,source\n2026-04-01,2026-05-31,7,x\n", "is not a calendar quarter"),
    ("from,to,rate,source\n2026-04-01,2026-06-30,7,\n", "no source"),
    ("from,to,rate,source\n2026-04-01,2026-06-30,seven,x\n", "a rate in percent"),
    ("from,to,rate\n2026-04-01,2026-06-30,7\n", "missing column(s) source"),
])
def test_a_file_that_cannot_extend_the_table_is_refused_in_one_line(tmp_path, text, said):
    f = tmp_path / "bad.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(interest.RatesFileError) as e:
        interest.extended(f)
    assert said in str(e.value) and "\n" not in str(e.value) and str(f) in str(e.value)
