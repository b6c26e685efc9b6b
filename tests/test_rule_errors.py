"""No silent failures: a rule that raises is reported by the run summary, the HTML report and the export, survives
in the store, and makes `review` (and `run`, `audit`) exit 3 — the tool's own failure (SPEC §3)."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from appraiser import pipeline
from appraiser.audit import documents
from appraiser.cli import main
from appraiser.models.records import RuleError
from appraiser.models.schema import export_schema
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"


def _broken(ctx):
    raise KeyError("entered_value")


@pytest.fixture(scope="module")
def failed_db(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setattr(documents, "check", _broken)
    try:
        db = tmp_path_factory.mktemp("ruleerr") / "demo.db"
        result = CliRunner().invoke(main, ["run", str(DEMO), "--db", str(db), "--workers", "2"])
    finally:
        mp.undo()
    return db, result


def test_run_reports_the_failed_rule_and_exits_3(failed_db):
    db, result = failed_db
    assert result.exit_code == pipeline.TOOL_FAILURE == 3, result.output
    assert "RULES FAILED:" in result.output
    assert "DOCUMENT_MISSING on entry" in result.output and "KeyError: 'entered_value'" in result.output
    # the other rules still ran
    assert "ASSIST_UNDECLARED" in result.output


def test_the_store_keeps_the_failure_and_the_export_shows_it(failed_db):
    db, _ = failed_db
    out = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "json"])
    assert out.exit_code == 0
    doc = json.loads(out.output)
    errors = doc["errors"]
    assert sorted(e["entry_number"] for e in errors) == sorted(e["entry_number"] for e in doc["entries"])  # one each
    for err in errors:
        assert err["code"] == "DOCUMENT_MISSING" and err["error_type"] == "KeyError"
        assert err["message"] == "'entered_value'"
    jsonschema.validate(doc, export_schema())
    store = Store(db)
    try:
        assert store.rule_errors() == [RuleError.from_json(e) for e in errors]
    finally:
        store.close()


def test_the_report_shows_the_failed_rule(failed_db, tmp_path):
    db, _ = failed_db
    out = CliRunner().invoke(main, ["report", "--db", str(db), "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Rules that failed (" in html and "DOCUMENT_MISSING" in html and "KeyError" in html


def test_audit_on_an_existing_db_reports_and_exits_3(failed_db, monkeypatch):
    db, _ = failed_db
    monkeypatch.setattr(documents, "check", _broken)
    out = CliRunner().invoke(main, ["audit", "--db", str(db)])
    assert out.exit_code == 3 and "RULES FAILED:" in out.output


def test_a_clean_audit_clears_the_failure(failed_db):
    db, _ = failed_db
    out = CliRunner().invoke(main, ["audit", "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert json.loads(CliRunner().invoke(main, ["export", "--db", str(db)]).output)["errors"] == []


def test_review_exits_3_when_a_rule_failed_even_with_fail_on_none(monkeypatch):
    monkeypatch.setattr(documents, "check", _broken)
    out = CliRunner().invoke(main, ["review", str(DEMO), "--fail-on", "none", "--workers", "2"])
    assert out.exit_code == 3, out.output
    assert "RULES FAILED" in out.output and "findings are incomplete" in out.output


def test_rule_error_keeps_its_one_line_form():
    e = RuleError("HTS_MISMATCH", "ABC-1234567-6", "ValueError", "bad")
    assert str(e) == "HTS_MISMATCH on ABC-1234567-6: ValueError: bad" and "HTS_MISMATCH" in e
    assert RuleError.from_json(e.to_json()) == e
