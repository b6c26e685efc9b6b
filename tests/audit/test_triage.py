"""Liquidation triage: each boundary of the post-summary correction window (300 days from entry, 15 days before
the scheduled liquidation, the extended date), of the 180-day protest period and of the five-year limit, decided
on the right side; and the remedy a finding of each direction takes."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from appraiser.audit.triage import STATUSES, TRIAGE_COLUMNS, triage, triage_columns, triage_entry, triage_json
from appraiser.models.records import Entry, FieldSet, Finding, Party

ENTERED = date(2025, 1, 10)


def _entry(number="D4K-0104547-1", entry_date=ENTERED, status=None, liquidation=None, importer="12-3456789AA"):
    h = FieldSet()
    h.set("entry_date", entry_date.isoformat() if entry_date else None)
    h.set("liquidation_status", status)
    h.set("liquidation_date", liquidation.isoformat() if liquidation else None)
    h.set("importer", Party(name=None, number=importer))
    return Entry(entry_number=number, header=h)


def _finding(code, number="D4K-0104547-1", status="open"):
    return Finding(id=f"{code.lower()}-1", code=code, severity="high", entry_number=number, line_no=1, title="t",
                   explanation="e", legal_basis="b", loss_of_revenue=Decimal("10.00"), status=status)


@pytest.mark.parametrize("days,status", [(299, "psc_window"), (300, "psc_window"), (301, "unliquidated_past_psc")])
def test_the_psc_window_is_300_days_from_entry(days, status):
    t = triage_entry(_entry(status="unliquidated"), ENTERED + timedelta(days=days))
    assert t.status == status and t.psc_deadline == ENTERED + timedelta(days=300)


def test_the_psc_window_closes_15_days_before_the_scheduled_liquidation():
    scheduled = ENTERED + timedelta(days=200)
    e = _entry(status="unliquidated", liquidation=scheduled)
    assert triage_entry(e, scheduled - timedelta(days=15)).status == "psc_window"
    t = triage_entry(e, scheduled - timedelta(days=14))
    assert t.status == "unliquidated_past_psc" and t.psc_deadline == scheduled - timedelta(days=15)
    assert t.remedy("underpaid") == "prior_disclosure" and t.remedy("overpaid") == "protest"


def test_an_extended_liquidation_keeps_the_psc_window_open_past_300_days():
    scheduled = ENTERED + timedelta(days=500)
    t = triage_entry(_entry(status="extended", liquidation=scheduled), ENTERED + timedelta(days=400))
    assert t.status == "psc_window" and t.psc_deadline == scheduled - timedelta(days=15)
    assert t.next_deadline == t.psc_deadline and t.next_deadline_kind == "post_summary_correction"


@pytest.mark.parametrize("days,status", [(0, "protest_window"), (180, "protest_window"), (181, "liquidated_final")])
def test_the_protest_period_is_180_days_after_liquidation(days, status):
    liquidated = ENTERED + timedelta(days=314)
    t = triage_entry(_entry(status="liquidated", liquidation=liquidated), liquidated + timedelta(days=days))
    assert t.status == status and t.protest_deadline == liquidated + timedelta(days=180)


def test_the_five_year_limit_counts_from_the_date_of_entry():
    e = _entry(status="liquidated", liquidation=ENTERED + timedelta(days=314))
    last = date(2030, 1, 9)
    assert triage_entry(e, last).status == "liquidated_final" and triage_entry(e, last).limitation_date == last
    t = triage_entry(e, last + timedelta(days=1))
    assert t.status == "time_barred" and t.next_deadline is None
    assert t.remedy("underpaid") == "time_barred" and t.remedy("overpaid") == "time_barred"
    leap = triage_entry(_entry(entry_date=date(2024, 2, 29), status="liquidated"), date(2026, 1, 1))
    assert leap.limitation_date == date(2029, 2, 27)


def test_without_a_status_the_liquidation_date_decides_whether_it_happened():
    liquidation = ENTERED + timedelta(days=314)
    assert triage_entry(_entry(liquidation=liquidation), liquidation).status == "protest_window"
    before = triage_entry(_entry(liquidation=liquidation), liquidation - timedelta(days=10))
    assert before.status == "unliquidated_past_psc"  # day 304: past day 299, 15 days before the scheduled date
    assert before.psc_deadline == liquidation - timedelta(days=15)
    assert triage_entry(_entry(liquidation=liquidation), liquidation - timedelta(days=15)).status == "psc_window"
    assert triage_entry(_entry(), ENTERED + timedelta(days=30)).status == "psc_window"


def test_liquidated_on_an_unknown_date_is_not_given_a_protest_period():
    t = triage_entry(_entry(status="liquidated"), ENTERED + timedelta(days=400))
    assert t.status == "liquidated_final" and t.protest_deadline is None
    assert t.next_deadline_kind == "limitation"


def test_no_entry_date_decides_nothing():
    t = triage_entry(_entry(entry_date=None, status="liquidated"), date(2026, 1, 1))
    assert t.status == "undetermined" and t.remedy("underpaid") is None and t.next_deadline is None


def test_remedies_follow_the_direction_of_the_finding():
    e = _entry(status="unliquidated")
    t = triage([e], ENTERED + timedelta(days=10))[e.entry_number]
    assert triage_columns(t, _finding("UNDERVALUATION")) == {
        "triage_status": "psc_window", "remedy": "post_summary_correction",
        "deadline": (ENTERED + timedelta(days=300)).isoformat()}
    late = triage_entry(e, ENTERED + timedelta(days=310))
    assert triage_columns(late, _finding("UNDERVALUATION"))["remedy"] == "prior_disclosure"
    assert triage_columns(late, _finding("MPF_OVERPAID"))["remedy"] == "protest"
    assert triage_columns(None, None) == {c: None for c in TRIAGE_COLUMNS}


def test_the_json_names_importer_counts_and_each_findings_remedy_and_leaves_out_dismissed_ones():
    a = _entry(status="unliquidated")
    b = _entry(number="D4K-0104548-9", status="liquidated", liquidation=ENTERED + timedelta(days=314),
               importer="98-7654321BB")
    data = triage_json([a, b], ENTERED + timedelta(days=330),
                       [_finding("UNDERVALUATION"), _finding("MPF_OVERPAID", number=b.entry_number),
                        _finding("ASSIST_UNDECLARED", status="dismissed")])
    assert data["as_of"] == "2025-12-06" and data["counts"] == {"unliquidated_past_psc": 1, "protest_window": 1}
    assert data["entries"][a.entry_number]["findings"] == [
        {"id": "undervaluation-1", "code": "UNDERVALUATION", "remedy": "prior_disclosure"}]
    assert data["entries"][b.entry_number]["importer"] == "98-7654321BB"
    assert data["entries"][b.entry_number]["findings"][0]["remedy"] == "protest"
    assert set(STATUSES) >= {v["status"] for v in data["entries"].values()}


@pytest.mark.parametrize("entered,as_of,remedy,deadline", [
    (date(2025, 1, 10), date(2026, 1, 10), "post_importation_claim", date(2026, 1, 10)),  # the last day of the year
    (date(2025, 1, 10), date(2026, 1, 11), "time_barred", date(2026, 1, 10)),
    (date(2024, 2, 29), date(2025, 2, 1), "post_importation_claim", date(2025, 2, 28)),  # a leap day's anniversary
])
def test_a_preference_not_claimed_has_one_year_after_importation(entered, as_of, remedy, deadline):
    from appraiser.audit.triage import claim_deadline, finding_remedy

    t = triage_entry(_entry(entry_date=entered), as_of)
    f = _finding("PREFERENCE_UNCLAIMED")
    assert finding_remedy(t, f) == remedy and claim_deadline(t, f) == deadline
    # the code's own period, not the entry's standing: an open protest window does not extend it
    t = triage_entry(_entry(entry_date=entered, status="liquidated", liquidation=as_of - timedelta(days=10)), as_of)
    assert finding_remedy(t, f) == remedy
    assert claim_deadline(t, _finding("MPF_OVERPAID")) is None  # other codes keep the entry's remedy
    assert finding_remedy(triage_entry(_entry(entry_date=None), as_of), f) is None
