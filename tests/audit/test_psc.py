"""The disclosure following the liquidation triage, and the post-summary correction draft: end to end on the ACE
ES-003 fixture (45 entries, three importers, statuses as of 2026-06-30), the draft leaving out the PSC-window and
time-barred entries and saying so, the PSC draft holding exactly the PSC-window entries with findings, and the money
of disclosure + PSC + left out tying to the findings' total to the cent."""
from __future__ import annotations

import csv
from contextlib import closing
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner

from appraiser.audit import schedule as model
from appraiser.audit.disclose import NothingAccepted, by_standing, draft_disclosure
from appraiser.audit.psc import COLUMNS, NothingToCorrect, draft_psc
from appraiser.audit.triage import triage_entry
from appraiser.cli import main
from appraiser.fixtures import ace_es003
from appraiser.models.records import Entry, FieldSet, Finding
from appraiser.models.store import Store

AS_OF = "2026-06-30"
DAY = date.fromisoformat(AS_OF)
IMPORTER = "46-7719308CC"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The ES-003 fixture run on an empty folder, every finding that stands accepted."""
    root = tmp_path_factory.mktemp("es003")
    (root / "empty").mkdir()
    path = root / "a.db"
    res = CliRunner().invoke(main, ["run", str(root / "empty"), "--db", str(path), "--declared", str(ace_es003.OUT)])
    assert res.exit_code == 0, res.output
    with closing(Store(path)) as store:
        ids = [f.id for f in store.findings() if f.status == "open"]
    assert ids
    res = CliRunner().invoke(main, ["accept", "--db", str(path), "--reviewer", "Reviewer", *ids])
    assert res.exit_code == 0, res.output
    return path


def _statuses(store, importer=IMPORTER):
    """Triage status per entry number of the importer's accepted findings (recomputed here from the headers)."""
    sel = model.select(store, importer)
    return {f.entry_number: triage_entry(sel.entries[f.entry_number], DAY).status for f in sel.findings}, sel


def test_disclose_leaves_out_psc_and_time_barred_entries_and_says_so(db, tmp_path):
    out = tmp_path / "pd.docx"
    res = CliRunner().invoke(main, ["disclose", "--db", str(db), "--importer", IMPORTER, "--tender-date", AS_OF,
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    with closing(Store(db)) as store:
        status, sel = _statuses(store)
        d = draft_disclosure(store, importer=IMPORTER, tender_date=DAY)
    psc = {n for n, s in status.items() if s == "psc_window"}
    barred = {n for n, s in status.items() if s == "time_barred"}
    assert psc and barred and len(set(status.values())) >= 4  # the fixture has every standing
    drafted = {e.entry_number for e in d.entries}
    assert drafted == set(status) - psc - barred
    assert {x.finding.entry_number for x in d.left_out} == psc | barred
    assert {x.remedy for x in d.left_out if x.finding.entry_number in psc} == {"post_summary_correction"}
    assert {x.remedy for x in d.left_out if x.finding.entry_number in barred} == {"time_barred"}
    md = out.with_suffix(".md").read_text(encoding="utf-8")
    body = md.split("## 1.")[1]  # the text filed: no left-out entry in it
    assert not any(n in body for n in psc | barred)
    for x in d.left_out:  # the note names each, the reason and its deadline
        note = next(n for n in d.notes if x.finding.id in n)
        assert x.deadline.isoformat() in note and x.finding.id in md
        assert ("post-summary correction can be filed until" in note) == (x.remedy == "post_summary_correction")
        assert ("time-barred" in note) == (x.remedy == "time_barred")
    assert "Left out as of 2026-06-30" in res.output


def test_include_psc_puts_the_psc_entries_back_but_never_the_time_barred(db):
    with closing(Store(db)) as store:
        status, _ = _statuses(store)
        d = draft_disclosure(store, importer=IMPORTER, tender_date=DAY, include_psc=True)
    drafted = {e.entry_number for e in d.entries}
    assert drafted == {n for n, s in status.items() if s != "time_barred"}
    assert {x.remedy for x in d.left_out} == {"time_barred"}


def test_psc_drafts_exactly_the_psc_window_entries_and_the_money_ties(db, tmp_path):
    out = tmp_path / "psc"
    res = CliRunner().invoke(main, ["psc", "--db", str(db), "--importer", IMPORTER, "--as-of", AS_OF,
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    with closing(Store(db)) as store:
        status, sel = _statuses(store)
        p = draft_psc(store, importer=IMPORTER, as_of=DAY)
        d = draft_disclosure(store, importer=IMPORTER, tender_date=DAY)
        everything = model.build(sel.findings, sel.entries, sel.saved_totals, statuses=model.DISCLOSED, tender=DAY)
        barred = [x.finding for x in d.left_out if x.remedy == "time_barred"]
        barred_total = model.build(barred, sel.entries, sel.saved_totals, statuses=model.DISCLOSED, tender=DAY).total
    assert set(p.numbers) == {n for n, s in status.items() if s == "psc_window"}
    assert all(p.triage[n].psc_deadline >= DAY for n in p.numbers)
    # disclosure + PSC + left out (time-barred) is the findings' total, to the cent
    assert d.total + p.total + barred_total == everything.total
    assert d.left_out_total == p.total + barred_total
    assert d.total > 0 and p.total > 0 and barred  # (the fixture's time-barred findings carry no money)
    assert all(isinstance(x, Decimal) and x == x.quantize(Decimal("0.01")) for x in (d.total, p.total, barred_total))
    # the CSV: the documented titles, one row per corrected line, each entry's added money on its rows
    with open(out / "psc-lines.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(COLUMNS.values())
    assert {r["Entry number"] for r in rows} == set(p.numbers)
    assert len(rows) == len({(r["Entry number"], r["Line number"]) for r in rows}) == len(p.lines)
    t = COLUMNS
    added = Decimal("0.00")
    for r in rows:
        money = lambda k: Decimal(r[t[k]]) if r[t[k]] else Decimal("0.00")  # noqa: E731
        added += (money("duty_corrected") - money("duty_declared") + money("ch99_duty_corrected")
                  - money("ch99_duty_declared") + money("mpf_corrected") - money("mpf_declared")
                  + money("hmf_corrected") - money("hmf_declared"))
        assert r[t["psc_deadline"]] == p.triage[r[t["entry_number"]]].psc_deadline.isoformat()
    assert added == p.total
    summary = (out / "psc-summary.md").read_text(encoding="utf-8")
    for n in p.numbers:
        assert f"Entry {n} — PSC deadline {p.triage[n].psc_deadline.isoformat()}" in summary
    assert all(f.id in summary for f in p.findings) and "Legal basis:" in summary
    assert (out / "psc-summary.docx").stat().st_size > 0


def test_psc_refuses_without_an_accepted_finding_in_the_window(db, tmp_path):
    with closing(Store(db)) as store:
        status, _ = _statuses(store)
    barred = sorted(n for n, s in status.items() if s == "time_barred")[0]
    res = CliRunner().invoke(main, ["psc", "--db", str(db), "--entries", barred, "--as-of", AS_OF,
                                    "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "post-summary correction window on 2026-06-30" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "x").exists()
    with closing(Store(db)) as store, pytest.raises(NothingToCorrect):
        draft_psc(store, entries=[barred], as_of=DAY)
    res = CliRunner().invoke(main, ["psc", "--db", str(db), "--importer", "Nobody", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "nothing to correct" in res.output and "CASCADE KITCHENWARE CO" in res.output
    res = CliRunner().invoke(main, ["psc", "--db", str(db), "--as-of", "30/06/2026", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--as-of" in res.output


def test_disclose_refuses_in_one_line_when_everything_is_left_out(db, tmp_path):
    with closing(Store(db)) as store:
        status, _ = _statuses(store)
    psc = sorted(n for n, s in status.items() if s == "psc_window")[0]
    res = CliRunner().invoke(main, ["disclose", "--db", str(db), "--entries", psc, "--tender-date", AS_OF,
                                    "--out", str(tmp_path / "pd.docx")])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1, res.output
    assert "post-summary correction" in res.output
    with closing(Store(db)) as store, pytest.raises(NothingAccepted):
        draft_disclosure(store, entries=[psc], tender_date=DAY)


def _entry(number, **header):
    h = FieldSet()
    h.set("entry_date", "2026-01-10")
    for k, v in header.items():
        h.set(k, v)
    return Entry(entry_number=number, header=h)


def _finding(number):
    return Finding(id=f"f-{number}", code="UNDERVALUATION", severity="high", entry_number=number, line_no=1,
                   title="t", explanation="e", legal_basis="b", loss_of_revenue=Decimal("10.00"), status="accepted")


def test_an_entry_without_liquidation_data_is_disclosed_as_before_and_the_note_says_its_standing_is_unknown():
    from appraiser.audit.disclose import standing_notes

    entries = {"A": _entry("A"), "B": _entry("B", liquidation_status="unliquidated"),
               "C": _entry("C", liquidation_status="liquidated", liquidation_date="2026-05-01")}
    kept, left, unknown = by_standing([_finding(n) for n in "ABC"], entries, date(2026, 3, 1))
    assert [f.entry_number for f in kept] == ["A", "C"] and unknown == ["A"]
    assert [(x.finding.entry_number, x.remedy, x.deadline) for x in left] == [
        ("B", "post_summary_correction", date(2026, 11, 6))]
    notes = standing_notes(left, unknown, date(2026, 3, 1))
    assert any("entry A was not known" in n for n in notes) and any("2026-11-06" in n for n in notes)
    kept, left, _ = by_standing([_finding(n) for n in "ABC"], entries, date(2026, 3, 1), include_psc=True)
    assert len(kept) == 3 and not left


def test_a_value_added_to_a_line_corrects_its_entered_value_own_and_chapter_99_duty_once():
    from appraiser.audit.psc import _entry_lines
    from appraiser.models.records import EntryLine

    line = FieldSet()
    for k, v in {"line_no": 1, "hts": "8481.80.9050", "entered_value": Decimal("10000.00"), "duty_rate": Decimal("5"),
                 "duty": Decimal("500.00"), "additional": [{"hts": "9903.88.03", "rate": Decimal("25"),
                                                           "duty": Decimal("2500.00")}]}.items():
        line.set(k, v)
    e = _entry("E", liquidation_status="unliquidated", total_entered_value=Decimal("10000.00"))
    e.lines.append(EntryLine(line))

    def under(i):  # two findings measuring the same money (a record of the same key)
        return Finding(id=f"u{i}", code="UNDERVALUATION", severity="high", entry_number="E", line_no=1, title="t",
                       explanation="e", legal_basis="b", value_delta=Decimal("1000.00"),
                       duty_delta=Decimal("300.00"), fees_delta=Decimal("3.46"), loss_of_revenue=Decimal("303.46"),
                       status="accepted")

    t = triage_entry(e, date(2026, 3, 1))
    assert t.status == "psc_window"
    [ln] = _entry_lines(e, "E", [under(1), under(2)], t)
    assert (ln.entered_value_declared, ln.entered_value_corrected) == (Decimal("10000.00"), Decimal("11000.00"))
    assert (ln.duty_declared, ln.duty_corrected) == (Decimal("500.00"), Decimal("550.00"))
    assert ln.ch99_declared == ln.ch99_corrected == ["9903.88.03"]
    assert (ln.ch99_duty_declared, ln.ch99_duty_corrected) == (Decimal("2500.00"), Decimal("2750.00"))
    assert ln.duty_change == Decimal("300.00") and [f.id for f in ln.findings] == ["u1"]
    assert ln.psc_deadline == date(2026, 11, 6)
