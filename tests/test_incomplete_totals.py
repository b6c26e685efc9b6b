"""A total that leaves out a finding's duty (its rate unknown) or an entry's interest says so; a run picks up the
tariff schedule the scanned folder holds when --tariff is not given."""
import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from appraiser import pipeline
from appraiser.audit.report import write_report
from appraiser.models.store import Store

DEV = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "dev"
SHIPMENT = DEV / "Magnolia" / "2026-02 Textiles"  # its FTA finding needs the general rate of the tariff schedule
INCOMPLETE = "incomplete: 1 finding's duty rate is not known (give --tariff FILE)"


def _folder(tmp: Path, with_tariff: bool) -> Path:
    root = tmp / "folder"
    shutil.copytree(SHIPMENT, root / SHIPMENT.name)
    if with_tariff:
        shutil.copy(DEV / "tariff.csv", root / "tariff.csv")
    return root


@pytest.fixture(scope="module")
def without(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("no-tariff")
    root = _folder(tmp, False)
    return root, tmp / "a.db", pipeline.run(root, tmp / "a.db", workers=1)


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tariff-in-folder")
    root = _folder(tmp, True)
    return root, tmp / "b.db", pipeline.run(root, tmp / "b.db", workers=1)


def _fta(result):
    [f] = [f for f in result.audit.findings if f.code == "FTA_CLAIM_UNSUPPORTED"]
    return f


def test_the_run_summary_total_says_it_leaves_out_a_duty_whose_rate_is_unknown(without):
    _, _, result = without
    f = _fta(result)
    assert f.rate_unknown and f.loss_of_revenue == Decimal("64.05")
    lines = list(pipeline.summary_lines(result))
    assert f"Total loss of revenue: USD 64.05 — {INCOMPLETE}" in lines
    assert not any(ln.startswith("Tariff schedule:") for ln in lines)


def test_the_folders_tariff_csv_is_used_and_said_so_and_the_total_is_complete(found):
    _, _, result = found
    f = _fta(result)
    assert not f.rate_unknown and f.loss_of_revenue == Decimal("3115.07")
    lines = list(pipeline.summary_lines(result))
    assert "Tariff schedule: tariff.csv (found in the folder; --tariff not given)" in lines
    assert "Total loss of revenue: USD 3,115.07" in lines


def test_a_csv_with_a_usitc_header_under_another_name_is_found_and_two_are_not_chosen(tmp_path):
    shutil.copy(DEV / "tariff.csv", tmp_path / "hts_2026.csv")
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    path, note = pipeline.folder_tariff(tmp_path)
    assert path == tmp_path / "hts_2026.csv" and "hts_2026.csv" in note
    shutil.copy(DEV / "tariff.csv", tmp_path / "hts_2025.csv")
    path, note = pipeline.folder_tariff(tmp_path)
    assert path is None and "several" in note and "--tariff" in note
    (tmp_path / "tariff.csv").write_text("HTS Number,General Rate of Duty\nnot a number,5%\n", encoding="utf-8")
    path, note = pipeline.folder_tariff(tmp_path)  # tariff.csv is the one meant; unreadable, it is not used
    assert path is None and note == ("Tariff schedule: tariff.csv in the folder not used: line 2, column HTS Number: "
                                     "not an HTS number: 'not a number'")


def test_the_report_and_the_schedule_total_row_say_so(without, tmp_path):
    root, db, _ = without
    store = Store(db)
    try:
        paths = write_report(store, tmp_path / "rep", root=str(root))
    finally:
        store.close()
    html = Path(paths["html"]).read_text(encoding="utf-8")
    assert "Loss of revenue: <b>USD 64.05</b> — <b class=incomplete>incomplete: 1 finding&#x27;s duty rate" in html
    with open(paths["csv"], encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    total = rows[-1]
    assert total["entry_number"] == "TOTAL" and total["loss_of_revenue"] == "64.05"
    assert total["status"] == INCOMPLETE


def test_a_complete_total_carries_no_such_words(found, tmp_path):
    root, db, _ = found
    store = Store(db)
    try:
        paths = write_report(store, tmp_path / "rep", root=str(root), tender_date=date(2026, 3, 31))
    finally:
        store.close()
    with open(paths["csv"], encoding="utf-8") as fh:
        total = list(csv.DictReader(fh))[-1]
    assert total["loss_of_revenue"] == "3115.07" and total["status"] == "" and total["interest_note"] == ""
    html = Path(paths["html"]).read_text(encoding="utf-8")
    assert "class=incomplete" not in html


def test_the_draft_and_the_disclose_command_say_the_total_is_incomplete(without, tmp_path):
    from click.testing import CliRunner

    from appraiser.cli import main

    _, db, result = without
    target = tmp_path / "draft.db"
    shutil.copy(db, target)
    store = Store(target)
    try:
        assert store.decide(_fta(result).id, "accepted", "counsel", None)
    finally:
        store.close()
    r = CliRunner().invoke(main, ["disclose", "--db", str(target), "--out", str(tmp_path / "pd.docx"),
                                  "--tender-date", "2026-03-31"])
    assert r.exit_code == 0, r.output
    assert f"loss of revenue USD 64.05 — {INCOMPLETE};" in r.output
    md = (tmp_path / "pd.md").read_text(encoding="utf-8")
    [total] = [ln for ln in md.splitlines() if ln.startswith("| Total |") and "| 64.05 | incomplete" in ln]
    assert total.rstrip(" |").endswith("incomplete: the duty of F1 is to be provided (Part 6)")


def test_an_interest_gap_past_the_table_is_closed_by_the_users_rates_file(found, tmp_path):
    """Interest to a tender date after the shipped table's last quarter is stated as a gap; the quarters a user
    gives from CBP's notices (--interest-rates) close it, and a file that cannot extend the table exits 2."""
    from click.testing import CliRunner

    from appraiser.audit import interest
    from appraiser.cli import main

    _, db, _ = found
    rates = tmp_path / "later.csv"
    rates.write_text("from,to,rate,source\n2026-04-01,2026-06-30,7,CBP notice for the quarter\n", encoding="utf-8")
    runner = CliRunner()
    totals = {}
    for name, extra in (("gap", []), ("closed", ["--interest-rates", str(rates)])):
        r = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / name),
                                 "--tender-date", "2026-06-30", *extra])
        assert r.exit_code == 0, r.output
        with open(tmp_path / name / "schedule.csv", encoding="utf-8") as fh:
            totals[name] = list(csv.DictReader(fh))[-1]
    assert totals["gap"]["interest_note"] == "incomplete: interest not computed in full for 1 entry"
    with open(tmp_path / "gap" / "schedule.csv", encoding="utf-8") as fh:
        assert any("ends on 2026-03-31" in row["interest_note"] for row in csv.DictReader(fh))
    assert totals["closed"]["interest_note"] == ""
    assert Decimal(totals["closed"]["interest"]) > Decimal(totals["gap"]["interest"]) > 0
    bad = tmp_path / "bad.csv"
    bad.write_text("from,to,rate,source\n2026-01-01,2026-03-31,9,x\n", encoding="utf-8")
    r = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "x"), "--interest-rates", str(bad)])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1
    assert "differs from the shipped table's 7 %" in r.output
    assert interest.table().covered_to == date(2026, 3, 31)  # the shipped table is never altered
