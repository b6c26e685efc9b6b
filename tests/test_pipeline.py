"""End to end: the CLI and the pipeline on the demo folder and on a folder of bad files."""
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from appraiser import pipeline
from appraiser.cli import main
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"
SCHEMA = json.loads((ROOT / "models" / "export.schema.json").read_text())


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(main, ["run", str(DEMO), "--db", str(db), "--workers", "2"])
    assert result.exit_code == 0, result.output
    return db, result.output


def _truth():
    return json.loads((DEMO / "truth.json").read_text())


def test_demo_reports_the_undeclared_assist_with_its_loss(demo_db):
    db, output = demo_db
    [expected] = [f for f in _truth()["findings"] if f["code"] == "ASSIST_UNDECLARED"]
    assert "ASSIST_UNDECLARED" in output
    store = Store(db)
    assists = [f for f in store.findings() if f.code == "ASSIST_UNDECLARED"]
    assert len(assists) == 1
    f = assists[0]
    assert f.entry_number == expected["entry_number"]
    assert f.value_delta == Decimal(expected["value_delta"])
    assert f.duty_delta == Decimal(expected["duty_delta"])
    assert f.fees_delta == Decimal(expected["fees_delta"])
    assert f.loss_of_revenue == Decimal(expected["loss_of_revenue"])
    assert f.legal_basis.startswith("19 U.S.C. 1401a(b)(1)(C)")
    assert f.evidence and all(e.path and e.page for e in f.evidence)
    assert f"{f.loss_of_revenue:,}" in output


def test_demo_summary_lists_documents_entries_and_no_errors(demo_db):
    _, output = demo_db
    truth = _truth()
    assert f"Entries: {len(truth['entries'])}" in output
    assert "errors 0" in output
    for doc_type in {d["doc_type"] for d in truth["documents"]}:
        assert doc_type in output


def test_second_run_extracts_nothing_again(demo_db, tmp_path):
    db, _ = demo_db
    result = CliRunner().invoke(main, ["run", str(DEMO), "--db", str(db)])
    assert result.exit_code == 0, result.output
    n = len(_truth()["documents"])
    assert f"extracted 0, unchanged {n} (not extracted again)" in result.output


def test_export_matches_the_schema_and_the_demo(demo_db):
    db, _ = demo_db
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    jsonschema.validate(doc, SCHEMA)
    truth = _truth()
    assert sorted(d["path"] for d in doc["documents"]) == sorted(d["path"] for d in truth["documents"])
    assert sorted(e["entry_number"] for e in doc["entries"]) == sorted(e["entry_number"] for e in truth["entries"])
    for d in doc["documents"]:
        assert "/" not in d["path"] or "\\" not in d["path"]
        assert len(d["sha256"]) == 64 and d["error"] is None


def test_schema_rejects_floats_for_money():
    bad = {"documents": [], "entries": [], "findings": [{
        "id": "x", "status": "open", "code": "UNDERVALUATION", "severity": "high", "entry_number": "7DX-0000001-2",
        "line_no": 1, "title": "", "explanation": "", "legal_basis": "", "value_delta": 12.5, "duty_delta": "0.00",
        "fees_delta": "0.00", "loss_of_revenue": "0.00", "confidence": 0.9, "evidence": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


def _bad_folder(root: Path) -> Path:
    folder = root / "inbox"
    folder.mkdir()
    (folder / "empty.pdf").write_bytes(b"")
    good = next(DEMO.rglob("*.pdf"))
    shutil.copy(good, folder / "good.pdf")
    data = good.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (folder / "random.pdf").write_bytes(os.urandom(4096))
    (folder / "locked.pdf").write_bytes(data)
    (folder / "locked.pdf").chmod(0)
    folder.chmod(0o777)
    for p in folder.iterdir():
        if p.name != "locked.pdf":
            p.chmod(0o644)
    return folder


def _drop_to_nobody():  # root reads any file; run as an ordinary user so that permissions are real
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)


@pytest.fixture
def open_tmp():
    """A scratch folder an unprivileged user can enter (pytest's own tmp root is private to its owner)."""
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="appraiser-"))
    d.chmod(0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _run_as_nobody(folder: Path, db: Path, out: Path) -> int:
    """Run the pipeline in a forked child that has dropped root, so that file permissions are real; the
    modules it needs are loaded first (an unprivileged child may not read the interpreter's own files)."""
    warm = out.parent / "warm"
    shutil.copytree(folder, warm, ignore=shutil.ignore_patterns("locked.pdf"))
    pipeline.run(warm, out.parent / "warm.db", workers=1)
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            _drop_to_nobody()
            result = pipeline.run(folder, db, workers=1)
            out.write_text("\n".join(pipeline.summary_lines(result)))
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_bad_files_are_recorded_and_the_run_goes_on(open_tmp):
    tmp_path = open_tmp
    folder = _bad_folder(tmp_path)
    db = tmp_path / "bad.db"
    summary = tmp_path / "summary.txt"
    assert _run_as_nobody(folder, db, summary) == 0
    output = summary.read_text()
    store = Store(db)
    errors = {d.path: d.error for d in store.documents()}
    assert set(errors) == {"empty.pdf", "good.pdf", "truncated.pdf", "random.pdf", "locked.pdf"}
    assert errors["good.pdf"] is None
    assert "empty" in errors["empty.pdf"].lower()
    assert "permission" in errors["locked.pdf"].lower()
    assert "truncated" in errors["truncated.pdf"].lower()
    assert "unsupported" in errors["random.pdf"].lower()
    assert "errors 4" in output
    for name in ("empty.pdf", "truncated.pdf", "random.pdf", "locked.pdf"):
        assert name in output
    good = [d for d in store.documents() if d.path == "good.pdf"][0]
    assert good.doc_type != "other"


def test_usage_errors_exit_2(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(tmp_path / "nowhere")]).exit_code == 2
    assert runner.invoke(main, ["export", "--db", str(tmp_path / "none.db")]).exit_code == 2
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 200)
    r = runner.invoke(main, ["export", "--db", str(junk)])
    assert r.exit_code == 2 and "not an appraiser database" in r.output
    assert runner.invoke(main, ["export", "--db", str(junk), "--format", "xml"]).exit_code == 2


def test_ignore_file_and_hidden_files_skipped(tmp_path):
    (tmp_path / ".appraiserignore").write_text("# notes\n*.md\nsub/skip.pdf\n")
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / ".hidden.pdf").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "skip.pdf").write_text("x")
    (tmp_path / "sub" / "keep.pdf").write_text("x")
    assert [rel for _, rel in pipeline.discover(tmp_path).files] == ["sub/keep.pdf"]


def _shipment(tmp_path, name, drop=()):
    folder = tmp_path / name
    shutil.copytree(DEMO / name, folder)
    for pattern in drop:
        for f in folder.glob(pattern):
            f.unlink()
    return folder


def test_review_fails_a_shipment_with_a_high_finding(tmp_path):
    folder = _shipment(tmp_path, "2025-03 Dongguan")
    runner = CliRunner()
    r = runner.invoke(main, ["review", str(folder), "--workers", "1"])
    assert r.exit_code == 1, r.output
    assert "ASSIST_UNDECLARED entry D4K-0104547-1" in r.output and "1,658.93" in r.output
    assert runner.invoke(main, ["review", str(folder), "--fail-on", "none", "--workers", "1"]).exit_code == 0
    assert not list(folder.glob("*.db")) and not (tmp_path / "appraiser.db").exists()  # nothing left behind


def test_review_passes_a_clean_shipment_at_every_threshold(tmp_path):
    folder = _shipment(tmp_path, "2025-05 Rheinhydraulik")
    r = CliRunner().invoke(main, ["review", str(folder), "--fail-on", "low", "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "Findings: none" in r.output


def test_review_against_a_declared_csv_without_the_draft_7501(tmp_path):
    folder = _shipment(tmp_path, "2025-03 Dongguan", drop=["7501*"])
    csv = tmp_path / "draft.csv"
    csv.write_text("entry_number,entry_date,mode_of_transport,invoice_number,line_no,hts,entered_value,duty_rate,"
                   "additional_hts,additional_rate\n"
                   "D4K-0104547-1,2025-03-20,11,DPP-2503-0117,1,3926.90.9985,48000,5.3,9903.88.15,7.5\n")
    r = CliRunner().invoke(main, ["review", str(folder), "--declared", str(csv), "--workers", "1"])
    assert r.exit_code == 1, r.output
    assert "ASSIST_UNDECLARED entry D4K-0104547-1" in r.output
    # a dismissed finding no longer blocks: the decision kept in a database the broker names
    db = tmp_path / "keep.db"
    CliRunner().invoke(main, ["review", str(folder), "--declared", str(csv), "--db", str(db), "--workers", "1"])
    store = Store(db)
    try:
        [f] = store.findings()
        assert pipeline.at_or_above([f], "high") == [f]
        assert store.decide(f.id, "dismissed", "broker", "assist declared on a separate entry")
        assert pipeline.at_or_above(store.findings(), "low") == []
    finally:
        store.close()
    r = CliRunner().invoke(main, ["review", str(folder), "--declared", str(csv), "--db", str(db), "--workers", "1"])
    assert r.exit_code == 0, r.output  # the decision holds on the re-run


def test_review_usage_errors_exit_2(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["review", str(tmp_path / "nowhere")]).exit_code == 2
    assert runner.invoke(main, ["review", str(tmp_path), "--fail-on", "urgent"]).exit_code == 2


def test_review_decisions_are_kept_across_runs_and_shown_in_every_output(tmp_path):
    runner = CliRunner()
    db = tmp_path / "audit.db"
    folder = _shipment(tmp_path, "2025-03 Dongguan")
    assert runner.invoke(main, ["run", str(folder), "--db", str(db), "--workers", "1"]).exit_code == 0
    listed = json.loads(runner.invoke(main, ["findings", "--db", str(db), "--json"]).output)
    [fid] = [f["id"] for f in listed if f["code"] == "ASSIST_UNDECLARED"]
    r = runner.invoke(main, ["dismiss", fid, "--db", str(db), "--reviewer", "auditor",
                             "--reason", "mould paid by the seller under the supply contract"])
    assert r.exit_code == 0, r.output
    # a re-run on the unchanged folder derives the same id and keeps the decision
    assert runner.invoke(main, ["run", str(folder), "--db", str(db), "--workers", "1"]).exit_code == 0
    again = json.loads(runner.invoke(main, ["findings", "--db", str(db), "--json", "--code", "ASSIST_UNDECLARED"]).output)
    assert [(f["id"], f["status"], f["reviewer"]) for f in again] == [(fid, "dismissed", "auditor")]
    assert again[0]["reason"].startswith("mould paid")
    exported = json.loads(runner.invoke(main, ["export", "--db", str(db), "--format", "json"]).output)
    assert {f["id"]: f["status"] for f in exported["findings"]}[fid] == "dismissed"
    assert fid not in runner.invoke(main, ["findings", "--db", str(db), "--status", "open"]).output
    # accepting it again records the new decision; overturning a dismissal needs a reason
    assert runner.invoke(main, ["accept", fid, "--db", str(db), "--reviewer", "auditor"]).exit_code == 2
    assert runner.invoke(main, ["accept", fid, "--db", str(db), "--reviewer", "auditor",
                                "--reason", "the supply contract does not cover the mould"]).exit_code == 0
    text = runner.invoke(main, ["findings", "--db", str(db), "--status", "accepted"]).output
    assert fid in text and "accepted by auditor" in text


def test_review_commands_refuse_unknown_ids_and_reasonless_dismissals(tmp_path):
    runner = CliRunner()
    db = tmp_path / "audit.db"
    assert runner.invoke(main, ["run", str(_shipment(tmp_path, "2025-03 Dongguan")), "--db", str(db),
                                "--workers", "1"]).exit_code == 0
    [f] = [x for x in json.loads(runner.invoke(main, ["findings", "--db", str(db), "--json"]).output)
           if x["code"] == "ASSIST_UNDECLARED"]
    assert runner.invoke(main, ["accept", "no-such-id", "--db", str(db)]).exit_code == 2
    assert runner.invoke(main, ["dismiss", f["id"], "--db", str(db)]).exit_code == 2  # --reason is required
    assert runner.invoke(main, ["dismiss", f["id"], "--db", str(db), "--reason", "  "]).exit_code == 2
    assert runner.invoke(main, ["findings", "--db", str(tmp_path / "none.db")]).exit_code == 2
    still = json.loads(runner.invoke(main, ["findings", "--db", str(db), "--json"]).output)
    assert {x["id"]: x["status"] for x in still}[f["id"]] == "open"
