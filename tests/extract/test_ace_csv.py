"""The ACE ES-003 export read by ``--declared``: recognised by its header, its titles mapped by
``extract/vocab/ace/es003.json``, chapter 99 rows kept under their line, importers kept apart, every error one line
naming the line and the ACE column; and the fixture export driven through ``run`` and ``triage`` end to end."""
from __future__ import annotations

import csv
import json
from decimal import Decimal

import jsonschema
import pytest
from click.testing import CliRunner

from appraiser.cli import main
from appraiser.extract.declared import is_es003, load_declared_csv
from appraiser.fixtures import ace_es003
from appraiser.models.schema import export_schema

FIXTURE = ace_es003.OUT
HEADER = ("Entry Summary Number,Entry Date,Importer Number,Importer Name,Entry Summary Line Number,HTS Number,"
          "Line Tariff Goods Value Amount,Line Tariff Duty Amount,Liquidation Status,Liquidation Date")


def _write(tmp_path, text, name="es003.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_the_committed_fixture_is_the_generated_one():
    planned = ace_es003.plan()
    assert FIXTURE.read_bytes().decode("utf-8") == ace_es003.render(planned)
    assert sum(len(p.rows) for p in planned) >= 200
    assert {p.importer for p in planned} == {n for n, _, _ in ace_es003.IMPORTERS}
    assert {p.status for p in planned} == set(ace_es003.STATUSES)


def test_the_fixture_reads_into_its_entries_with_exact_money_and_importers_apart():
    planned = {p.number: p for p in ace_es003.plan()}
    entries = load_declared_csv(FIXTURE)
    assert len(entries) == len(planned)
    by_number = {e.entry_number.replace("-", ""): e for e in entries}
    assert set(by_number) == set(planned)
    for number, p in planned.items():
        e = by_number[number]
        assert e.header.get("importer").number == p.importer
        assert e.header.get("entry_date") == p.entry_date.isoformat()
        assert e.header.get("liquidation_status") == p.liquidation_status.lower()
        assert e.header.get("liquidation_date") == (p.liquidation_date.isoformat() if p.liquidation_date else None)
        commodity = [r for r in p.rows if not r[8].startswith("99")]
        assert [ln.get("line_no") for ln in e.lines] == [int(r[7]) for r in commodity]
        values = sum((Decimal(r[9].replace(",", "")) for r in commodity), Decimal(0))
        assert e.header.get("total_entered_value") == values and isinstance(values, Decimal)
        duties = sum((Decimal(r[10].replace(",", "")) for r in p.rows), Decimal(0))
        assert e.header.get("total_duty") == duties
        ch99 = sorted(r[8] for r in p.rows if r[8].startswith("99"))
        assert sorted(a["hts"].replace(".", "") for ln in e.lines for a in ln.get("additional") or []) == ch99
        assert e.header.get("mpf") == sum((Decimal(r[11].replace(",", "")) for r in commodity), Decimal(0))


def test_a_chapter_99_row_is_kept_under_its_line_whatever_the_order(tmp_path):
    p = _write(tmp_path, HEADER + "\n"
               "D4K01045471,03/02/2026,12-3456789AA,ACME INC,1,3926909985,\"5,000.00\",265.00,Unliquidated,\n"
               "D4K01045471,03/02/2026,12-3456789AA,ACME INC,1,9903.88.03,,\"1,250.00\",Unliquidated,\n"
               "D4K01045471,03/02/2026,12-3456789AA,ACME INC,2,7318158069,100.5,0,Unliquidated,\n")
    [e] = load_declared_csv(p)
    assert e.entry_number == "D4K-0104547-1" and e.header.get("summary_date") is None
    first, second = e.lines
    assert first.get("hts") == "3926.90.9985" and first.get("duty") == Decimal("265.00")
    assert first.get("additional") == [{"hts": "9903.88.03", "duty": Decimal("1250.00")}]
    assert second.get("entered_value") == Decimal("100.5") and second.get("additional") is None
    assert e.header.get("importer").name == "ACME INC"


def test_the_header_decides_the_format():
    assert is_es003(["Entry Summary Number", "HTS Number"])
    assert is_es003(["ENTRY_SUMMARY_NUMBER", "hts number"])  # case, spaces and punctuation aside
    assert not is_es003(["entry_number", "line_no", "hts", "entered_value"])  # the project's own CSV
    assert not is_es003(["Invoice", "Amount"])
    assert not is_es003(["entry_number", "line_no", "hts", "value"])  # the own CSV misspelled: its own errors


def test_the_projects_own_csv_reads_as_before_and_takes_the_liquidation_columns(tmp_path):
    p = _write(tmp_path, "entry_number,line_no,hts,entered_value,entry_date,liquidation_status,liquidation_date\n"
                         "D4K-0104547-1,1,3926.90.9985,1000.00,2025-01-10,liquidated,2025-11-20\n", "own.csv")
    [e] = load_declared_csv(p)
    assert e.header.get("liquidation_status") == "liquidated" and e.header.get("liquidation_date") == "2025-11-20"
    assert e.links[0].reason == "declared values CSV"


@pytest.mark.parametrize("text,message", [
    (HEADER + ",Broker Fee Code\nD4K01045471,03/02/2026,1,A,1,3926909985,1,1,L,,X\n",
     "ES-003 export: unknown column Broker Fee Code"),
    ("Entry Summary Number,Entry Date,Entry Summary Line Number,HTS Number\nD4K01045471,03/02/2026,1,3926909985\n",
     "ES-003 export: missing columns Line Tariff Goods Value Amount, Importer Number"),
    (HEADER + "\nD4K01045471,03/02/2026,12-3,A,1,3926909985,12.3.4,1,Liquidated,\n",
     "line 2, column Line Tariff Goods Value Amount: not a number: '12.3.4'"),
    (HEADER + "\nD4K01045471,2026-02-30,12-3,A,1,3926909985,1,1,Liquidated,\n",
     "line 2, column Entry Date: not a date: '2026-02-30'"),
    (HEADER + "\nD4K01045472,03/02/2026,12-3,A,1,3926909985,1,1,Liquidated,\n",
     "line 2, column Entry Summary Number: not an entry number: 'D4K01045472'"),
    (HEADER + "\nD4K01045471,03/02/2026,12-3,A,1,3926909985,1,1,Reliquidated soon,\n",
     "line 2, column Liquidation Status: not a liquidation status: 'Reliquidated soon'"),
    (HEADER + "\nD4K01045471,03/02/2026,12-3,A,1,3926909985,1,1,Liquidated,\n"
              "D4K01045471,03/02/2026,99-9,B,2,3926909985,1,1,Liquidated,\n",
     "line 3: entry D4K-0104547-1 has importer 99-9 here and 12-3 on line 2"),
    (HEADER + "\nD4K01045471,03/02/2026,12-3,A,1,9903880300,,1,Liquidated,\n",
     "line 2: entry D4K-0104547-1 line 1 has chapter 99 numbers and no HTS number of chapters 1 to 98"),
])
def test_every_error_is_one_line_naming_where(tmp_path, text, message):
    with pytest.raises(ValueError) as exc:
        load_declared_csv(_write(tmp_path, text))
    assert str(exc.value).startswith(message), str(exc.value)
    assert "\n" not in str(exc.value)


def test_run_and_triage_end_to_end_with_the_fixture(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    db = tmp_path / "a.db"
    res = CliRunner().invoke(main, ["run", str(folder), "--db", str(db), "--declared", str(FIXTURE)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert f"Entries: {len(ace_es003.plan())}" in res.output
    res = CliRunner().invoke(main, ["triage", "--db", str(db), "--as-of", ace_es003.AS_OF.isoformat(), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    got = {n.replace("-", ""): (t["status"], t["importer"]) for n, t in data["entries"].items()}
    assert got == {p.number: (p.status, p.importer) for p in ace_es003.plan()}
    assert data["counts"] == {s: 9 for s in ace_es003.STATUSES}
    res = CliRunner().invoke(main, ["triage", "--db", str(db), "--as-of", ace_es003.AS_OF.isoformat()])
    assert res.exit_code == 0 and "Triage as of 2026-06-30: 45 entries" in res.output
    exported = json.loads(CliRunner().invoke(main, ["export", "--db", str(db), "--as-of", "2026-06-30"]).output)
    jsonschema.validate(exported, export_schema())
    assert exported["triage"] == data
    for args in (["triage", "--db", str(db), "--as-of", "30/06/2026"], ["triage", "--db", str(tmp_path / "no.db")]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1, res.output
    # the schedule's rows carry each entry's standing on the tender date and each finding's remedy
    res = CliRunner().invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "out"),
                                    "--tender-date", ace_es003.AS_OF.isoformat()])
    assert res.exit_code == 0, res.output
    with open(tmp_path / "out" / "schedule.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["finding_id"]]
    assert rows
    for r in rows:
        t = data["entries"][r["entry_number"]]
        remedy = {f["id"]: f["remedy"] for f in t["findings"]}[r["finding_id"]]
        assert r["triage_status"] == t["status"] and r["remedy"] == remedy, r


def test_a_bad_column_stops_the_run_with_one_line_and_exit_2(tmp_path):
    bad = _write(tmp_path, FIXTURE.read_text(encoding="utf-8").replace("Line MPF Amount", "Line MFP Amount", 1))
    folder = tmp_path / "empty"
    folder.mkdir()
    res = CliRunner().invoke(main, ["run", str(folder), "--db", str(tmp_path / "a.db"), "--declared", str(bad)])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "unknown column Line MFP Amount" in lines[0] and "--declared" in lines[0]
    assert not (tmp_path / "a.db").exists()
