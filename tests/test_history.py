"""Reviewers' decisions as an append-only history: every accept, dismiss and reopen appends a row (who, when, what,
why, the status it replaced); the latest stands; nothing in it is ever changed; it is shown by ``findings
--history`` and in the export, carried over a base-folder move, and seeded from the current decisions of a
database written before it was kept."""
import json
import shutil
import sqlite3
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from appraiser import pipeline
from appraiser.cli import main
from appraiser.models.schema import export_schema
from appraiser.models.store import SCHEMA_VERSION, Store

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
SHIPMENT = "2025-03 Dongguan"  # born-digital: no OCR, one finding (ASSIST_UNDECLARED)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("history")
    shutil.copytree(DEMO / SHIPMENT, tmp / "dev" / "A")
    db = tmp / "audited.db"
    pipeline.run(tmp / "dev" / "A", db, workers=1)
    return tmp / "dev", db


@pytest.fixture
def db(audited, tmp_path):
    copy = tmp_path / "engagement.db"
    shutil.copy(audited[1], copy)
    return copy


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _finding_id(db) -> str:
    store = Store(db)
    try:
        [f] = [f for f in store.findings() if f.code == "ASSIST_UNDECLARED"]
        return f.id
    finally:
        store.close()


def _history(db, fid):
    store = Store(db)
    try:
        return store.history([fid]).get(fid, [])
    finally:
        store.close()


def _rows(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_decision_is_appended_and_the_latest_stands(db):
    fid = _finding_id(db)
    res = _cli("dismiss", fid, "--db", db, "--reviewer", "ana", "--reason", "mould paid by the seller")
    assert res.exit_code == 0 and res.output == "dismissed: 1 finding\n"  # nothing replaced: no second line
    res = _cli("accept", fid, "--db", db, "--reviewer", "ben", "--reason", "the credit note does not cover it")
    assert res.exit_code == 0, res.output
    [dismissal] = _history(db, fid)[:1]
    assert res.output.splitlines() == [
        "accepted: 1 finding",
        f"  {fid}: accepted (was dismissed by ana at {dismissal.reviewed_at}: mould paid by the seller)"]
    res = _cli("reopen", fid, "--db", db, "--reviewer", "carl", "--reason", "client to confirm the credit note")
    assert res.exit_code == 0 and "open (was accepted by ben at " in res.output
    history = _history(db, fid)
    assert [(h.status, h.reviewer, h.reason, h.previous_status) for h in history] == [
        ("dismissed", "ana", "mould paid by the seller", "open"),
        ("accepted", "ben", "the credit note does not cover it", "dismissed"),
        ("open", "carl", "client to confirm the credit note", "accepted")]
    assert [h.reviewed_at for h in history] == sorted(h.reviewed_at for h in history)
    # the current decision is the latest entry, in the decisions table and on the finding
    latest = history[-1]
    assert _rows(db, "select id, status, reviewer, reviewed_at, reason from decisions") == [
        (fid, "open", "carl", latest.reviewed_at, "client to confirm the credit note")]
    store = Store(db)
    try:
        [f] = [f for f in store.findings() if f.id == fid]
    finally:
        store.close()
    assert (f.status, f.reviewer, f.reviewed_at, f.reason) == ("open", "carl", latest.reviewed_at, latest.reason)


@pytest.mark.parametrize("command", ["accept", "reopen"])
def test_overturning_a_dismissal_needs_a_reason(db, command):
    fid = _finding_id(db)
    assert _cli("dismiss", fid, "--db", db, "--reviewer", "ana", "--reason", "mould paid by the seller").exit_code == 0
    before = _rows(db, "select * from decision_history")
    for reason in ([], ["--reason", "  "]):
        res = _cli(command, fid, "--db", db, "--reviewer", "ben", *reason)
        assert res.exit_code == 2
        [line] = res.output.splitlines()
        assert line.startswith(f"Error: {fid} was dismissed by ana at ") and "mould paid by the seller" in line
        assert "give --reason" in line
    assert _rows(db, "select * from decision_history") == before  # nothing recorded
    assert _rows(db, "select status from decisions") == [("dismissed",)]


def test_dismissing_an_accepted_finding_says_what_it_replaced(db):
    fid = _finding_id(db)
    assert _cli("accept", fid, "--db", db, "--reviewer", "ben").exit_code == 0  # no reason needed from open
    res = _cli("dismiss", fid, "--db", db, "--reviewer", "ana", "--reason", "paid on another entry")
    assert res.exit_code == 0
    assert res.output.splitlines()[1].startswith(f"  {fid}: dismissed (was accepted by ben at ")
    assert [(h.status, h.previous_status) for h in _history(db, fid)] == [("accepted", "open"),
                                                                         ("dismissed", "accepted")]


def test_the_history_is_append_only(db):
    fid = _finding_id(db)
    _cli("dismiss", fid, "--db", db, "--reviewer", "ana", "--reason", "mould paid by the seller")
    con = sqlite3.connect(db)
    try:
        for sql in ("update decision_history set reason = 'rewritten'", "delete from decision_history"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)
        assert con.execute("select reason from decision_history").fetchall() == [("mould paid by the seller",)]
    finally:
        con.close()


def test_findings_history_in_text_and_json(db):
    fid = _finding_id(db)
    res = _cli("findings", "--db", db, "--history")
    assert res.exit_code == 0 and "    history: no decision taken" in res.output
    _cli("dismiss", fid, "--db", db, "--reviewer", "ana", "--reason", "mould paid by the seller")
    _cli("accept", fid, "--db", db, "--reviewer", "ben", "--reason", "the credit note does not cover it")
    lines = _cli("findings", "--db", db, "--history").output.splitlines()
    at = lines.index("    history: 2 decision(s)")
    assert lines[at - 3].startswith(f"{fid}  [accepted by ben at ")  # the finding's block, then its history
    assert lines[at - 1] == "    reason: the credit note does not cover it"
    assert lines[at + 1].startswith("      dismissed by ana at ") and \
        lines[at + 1].endswith(": mould paid by the seller (was open)")
    assert lines[at + 2].endswith(": the credit note does not cover it (was dismissed)")
    assert lines[-1].startswith("1 findings: 0 open, 1 accepted")
    [item] = json.loads(_cli("findings", "--db", db, "--history", "--json").output)
    assert [(h["status"], h["reviewer"], h["reason"], h["previous_status"]) for h in item["history"]] == [
        ("dismissed", "ana", "mould paid by the seller", "open"),
        ("accepted", "ben", "the credit note does not cover it", "dismissed")]
    [plain] = json.loads(_cli("findings", "--db", db, "--json").output)
    assert "history" not in plain  # the history only when asked for


def test_the_export_carries_each_findings_history_and_fits_its_schema(db):
    fid = _finding_id(db)
    _cli("dismiss", fid, "--db", db, "--reviewer", "ana", "--reason", "mould paid by the seller")
    _cli("reopen", fid, "--db", db, "--reviewer", "ben", "--reason", "evidence found")
    export = json.loads(_cli("export", "--db", db, "--no-provenance").output)
    jsonschema.validate(export, export_schema())
    [f] = [f for f in export["findings"] if f["id"] == fid]
    assert [h["status"] for h in f["history"]] == ["dismissed", "open"] and f["status"] == "open"
    assert all(g["history"] == [] for g in export["findings"] if g["id"] != fid)


def test_the_history_survives_a_rerun_and_a_base_folder_move(audited, db):
    dev = audited[0]
    fid = _finding_id(db)
    _cli("dismiss", fid, "--db", db, "--reviewer", "ana", "--reason", "mould paid by the seller")
    _cli("accept", fid, "--db", db, "--reviewer", "ben", "--reason", "the credit note does not cover it")
    before = [(h.status, h.reviewer, h.reviewed_at, h.reason, h.previous_status) for h in _history(db, fid)]
    pipeline.run(dev / "A", db, workers=1)  # a re-run: same ids
    assert [(h.status, h.reviewer, h.reviewed_at, h.reason, h.previous_status) for h in _history(db, fid)] == before
    pipeline.run(dev, db, workers=1)  # the base folder moves up: the finding's id changes with its evidence paths
    moved = _finding_id(db)
    assert moved != fid
    assert [(h.status, h.reviewer, h.reviewed_at, h.reason, h.previous_status)
            for h in _history(db, moved)] == before
    assert _rows(db, f"select status from decisions where id = '{moved}'") == [("accepted",)]
    # carried by copying (the old rows stay: nothing is ever removed), each copy saying where it came from
    assert _rows(db, f"select count(*) from decision_history where id = '{fid}'") == [(2,)]
    assert _rows(db, f"select carried_from from decision_history where id = '{moved}'") == [(fid,), (fid,)]


def _as_schema_2(db) -> None:
    """The database as schema 2 wrote it: no decision history (its triggers go with the table)."""
    con = sqlite3.connect(db)
    con.execute("drop table decision_history")
    con.execute("update meta set value = '2' where key = 'schema_version'")
    con.commit()
    con.close()


def test_a_schema_2_database_is_seeded_with_its_current_decisions(db):
    fid = _finding_id(db)
    _cli("dismiss", fid, "--db", db, "--reviewer", "ana", "--reason", "mould paid by the seller")
    [(reviewed_at,)] = _rows(db, "select reviewed_at from decisions")
    _as_schema_2(db)
    assert _rows(db, "select value from meta where key = 'schema_version'") == [("2",)]
    Store(db).close()  # opened by this version: migrated
    assert _rows(db, "select value from meta where key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    assert _rows(db, "select id, status, reviewer, reviewed_at, reason, previous_status from decision_history") == [
        (fid, "dismissed", "ana", reviewed_at, "mould paid by the seller", None)]
    lines = _cli("findings", "--db", db, "--history").output.splitlines()
    assert f"      dismissed by ana at {reviewed_at}: mould paid by the seller (recorded before the history was kept)" \
        in lines
    res = _cli("accept", fid, "--db", db, "--reviewer", "ben", "--reason", "the credit note does not cover it")
    assert f"  {fid}: accepted (was dismissed by ana at {reviewed_at}: mould paid by the seller)" in res.output
    with pytest.raises(sqlite3.IntegrityError):  # the migrated table is append-only too
        _rows(db, "delete from decision_history")


def test_the_store_checks_the_reason_inside_the_decision(db):
    """The command checks before recording anything; the store checks again as it records, so a dismissal taken by
    another reviewer in between is not overturned without a reason."""
    from appraiser.models.store import ReasonRequired

    fid = _finding_id(db)
    store = Store(db)
    try:
        assert store.record_decision(fid, "dismissed", "ana", "mould paid by the seller").replaced is None
        with pytest.raises(ReasonRequired, match=r"was dismissed by ana at .*: mould paid by the seller; give "
                                                 r"--reason to say why it is accepted now"):
            store.record_decision(fid, "accepted", "ben", " ", overturn_needs_reason=True)
        assert [h.status for h in store.history([fid])[fid]] == ["dismissed"]
        d = store.record_decision(fid, "accepted", "ben", "the credit note does not cover it",
                                  overturn_needs_reason=True)
        assert (d.entry.status, d.entry.previous_status, d.replaced.status) == ("accepted", "dismissed", "dismissed")
        assert store.record_decision("no-such-id", "accepted", "ben", None) is None
    finally:
        store.close()
