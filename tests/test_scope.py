"""Several folders in one database: a run or review of one folder keeps the others' documents, findings and
decisions; a file that disappeared is removed only when its own folder is scanned."""
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from appraiser import pipeline
from appraiser.cli import main
from appraiser.models.store import SCHEMA_VERSION, Store

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
SHIPMENTS = {"A": "2025-03 Dongguan", "B": "2025-05 Rheinhydraulik"}  # born-digital: no OCR
ASSIST_EVIDENCE = "KD-M-2501-036 mould invoice.pdf"


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A database holding the extractions of the two shipments, so that the tests' runs read no file twice."""
    tmp = tmp_path_factory.mktemp("warm")
    for name, folder in SHIPMENTS.items():
        shutil.copytree(DEMO / folder, tmp / name)
    db = tmp / "warm.db"
    pipeline.run(tmp, db, workers=1)
    return db


@pytest.fixture
def dev(tmp_path, warm):
    """``dev/A`` and ``dev/B`` (two shipments) and an empty database with the extraction cache."""
    root = tmp_path / "dev"
    for name, folder in SHIPMENTS.items():
        shutil.copytree(DEMO / folder, root / name)
    db = tmp_path / "engagement.db"
    Store(db).close()
    con = sqlite3.connect(db)
    con.execute("attach ? as warm", [str(warm)])
    con.execute("insert into extractions select * from warm.extractions")
    con.commit()
    con.close()
    return root, db


def _export(db) -> dict:
    store = Store(db)
    try:
        return store.export(with_provenance=False)
    finally:
        store.close()


def _paths(db) -> list[str]:
    return [d["path"] for d in _export(db)["documents"]]


def _files(root: Path, prefix: str = "") -> list[str]:
    return sorted(prefix + p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _assist(db) -> dict:
    [f] = [f for f in _export(db)["findings"] if f["code"] == "ASSIST_UNDECLARED"]
    return f


@pytest.mark.parametrize("order", [("A", "B"), ("B", "A")])
def test_sibling_folders_keep_each_other(dev, order):
    root, db = dev
    for name in order:
        result = pipeline.run(root / name, db, workers=1)
        assert result.scan.removed == []
    assert _paths(db) == _files(root / "A", "A/") + _files(root / "B", "B/")
    assert Store(db).base() == str(root)
    # the audit covers the whole database: both entries, A's finding whichever folder ran last
    exported = _export(db)
    assert len(exported["entries"]) == 2
    assert [e["path"] for e in _assist(db)["evidence"]][0] == f"A/{ASSIST_EVIDENCE}"
    # running either again changes nothing
    before = _export(db)
    pipeline.run(root / order[0], db, workers=1)
    assert _export(db) == before


def test_nested_folders_keep_paths_and_decisions(dev):
    root, db = dev
    pipeline.run(root, db, workers=1)
    whole = _export(db)
    finding = _assist(db)
    Store(db).decide(finding["id"], "accepted", "reviewer-1", None)
    # the inner folder alone: the same documents under the same paths, nothing duplicated or dropped
    result = pipeline.run(root / "A", db, workers=1)
    assert result.scan.seen == len(_files(root / "A")) and result.scan.removed == []
    assert _paths(db) == [d["path"] for d in whole["documents"]]
    assert [(f["id"], f["status"]) for f in _export(db)["findings"]] == [
        (f["id"], "accepted" if f["id"] == finding["id"] else f["status"]) for f in whole["findings"]]


def test_outer_folder_after_inner_moves_the_base_and_keeps_decisions(dev):
    root, db = dev
    pipeline.run(root / "A", db, workers=1)
    assert _paths(db) == _files(root / "A")  # one folder: paths relative to it (SPEC)
    inner = _assist(db)
    assert [e["path"] for e in inner["evidence"]][0] == ASSIST_EVIDENCE
    assert Store(db).decide(inner["id"], "dismissed", "reviewer-1", "paid on another entry")
    pipeline.run(root, db, workers=1)
    assert _paths(db) == _files(root)  # re-expressed from the new base, no duplicate
    outer = _assist(db)
    assert outer["id"] != inner["id"]  # an id is made from its evidence's paths …
    assert [e["path"] for e in outer["evidence"]][0] == f"A/{ASSIST_EVIDENCE}"
    assert (outer["status"], outer["reviewer"], outer["reason"]) == ("dismissed", "reviewer-1",
                                                                     "paid on another entry")  # … decision kept


def test_deleted_file_removed_only_when_its_folder_is_scanned(dev):
    root, db = dev
    pipeline.run(root, db, workers=1)
    gone = root / "A" / "packing list DPP-PL-0117.pdf"
    gone.unlink()
    assert pipeline.run(root / "B", db, workers=1).scan.removed == []
    assert "A/packing list DPP-PL-0117.pdf" in _paths(db)
    result = pipeline.run(root / "A", db, workers=1)
    assert result.scan.removed == ["A/packing list DPP-PL-0117.pdf"]
    lines = list(pipeline.summary_lines(result))
    assert f"Removed 1 document no longer in {root / 'A'}:" in lines
    assert "  A/packing list DPP-PL-0117.pdf" in lines
    assert _paths(db) == _files(root)
    assert _assist(db)  # A's finding stands on its other documents


def test_one_file_run_removes_nothing_else(dev):
    root, db = dev
    pipeline.run(root, db, workers=1)
    before = _paths(db)
    result = pipeline.run(root / "B" / "RH-2025-04417.pdf", db, workers=1)
    assert result.scan.seen == 1 and result.scan.removed == []
    assert _paths(db) == before


def test_review_with_db_keeps_other_folders(dev):
    root, db = dev
    runner = CliRunner()
    first = runner.invoke(main, ["review", str(root / "A"), "--db", str(db), "--workers", "1"])
    assert first.exit_code == 1, first.output  # A's assist finding is high
    second = runner.invoke(main, ["review", str(root / "B"), "--db", str(db), "--workers", "1", "--fail-on", "none"])
    assert second.exit_code == 0, second.output
    assert "Removed" not in second.output
    assert _paths(db) == _files(root / "A", "A/") + _files(root / "B", "B/")
    assert _assist(db)["entry_number"]
    third = runner.invoke(main, ["run", str(root / "A"), "--db", str(db), "--workers", "1"])
    assert third.exit_code == 0, third.output
    assert len(_export(db)["entries"]) == 2


def test_report_reopens_documents_from_their_location(dev, tmp_path):
    from appraiser.audit.report import write_report

    root, db = dev
    odd = Path(os.fsdecode(os.fsencode(str(root)) + b"-\xe9"))  # folder names that are not UTF-8
    os.rename(root, odd)
    os.rename(odd / "B", odd / os.fsdecode(b"B-\xe9"))
    pipeline.run(odd / "A", db, workers=1)
    pipeline.run(odd / os.fsdecode(b"B-\xe9"), db, workers=1)
    assert "B-\\xe9/RH-2025-04417.pdf" in _paths(db)
    store = Store(db)
    try:
        html = write_report(store, tmp_path / "report")["html"].read_text(encoding="utf-8")
    finally:
        store.close()
    assert html.count("data:image/png") >= 4  # the assist's evidence, cropped from the file where it is
    assert "is no longer in" not in html and "cannot be rendered" not in html
    assert f"the documents in {root}-\\xe9." in html


def test_schema_1_database_migrated(dev):
    """A database of schema 1 (documents keyed by the path under the latest run's folder) opens as schema 2: the
    rows get their locations, and the next run neither duplicates nor drops a document, nor loses a decision."""
    root, db = dev
    pipeline.run(root / "A", db, workers=1)
    finding = _assist(db)
    Store(db).decide(finding["id"], "accepted", "reviewer-1", None)
    con = sqlite3.connect(db)
    base = con.execute("select value from meta where key = 'base'").fetchone()[0]
    con.executescript(f"""
        create table documents_old (path text primary key, sha256 text, extractor text, size integer,
                                    doc_type text, error text, seen_at text, data text);
        insert into documents_old select substr(location, {len(base) + 2}), sha256, extractor, size, doc_type,
                                          error, seen_at, data from documents;
        drop table documents;
        alter table documents_old rename to documents;
        alter table runs drop column status;
        insert into runs (started_at, root, data) values ('2026-01-01T00:00:00+00:00', '{root / "A"}', '{{}}');
        delete from meta where key = 'base';
        update meta set value = '1' where key = 'schema_version';
    """)
    con.commit()
    con.close()
    store = Store(db)
    assert store.meta("schema_version") == str(SCHEMA_VERSION)
    assert [r["status"] for r in store.runs()] == ["finished", "interrupted"]
    store.close()
    assert _paths(db) == _files(root / "A")
    result = pipeline.run(root / "A", db, workers=1)
    assert result.scan.extracted == 0 and result.scan.removed == []
    assert _paths(db) == _files(root / "A")
    assert _assist(db)["status"] == "accepted"
    pipeline.run(root / "B", db, workers=1)
    assert _paths(db) == _files(root / "A", "A/") + _files(root / "B", "B/")
    assert _assist(db)["status"] == "accepted"


def test_export_json_paths_relative_with_one_folder(dev):
    root, db = dev
    result = CliRunner().invoke(main, ["run", str(root / "B"), "--db", str(db), "--workers", "1"])
    assert result.exit_code == 0, result.output
    exported = json.loads(CliRunner().invoke(main, ["export", "--db", str(db)]).output)
    assert [d["path"] for d in exported["documents"]] == _files(root / "B")


def test_database_inside_the_scanned_folder_is_not_a_document(dev):
    root, db = dev
    inside = root / "A" / "appraiser.db"
    shutil.copy(db, inside)  # the extraction cache
    first = pipeline.run(root / "A", inside, workers=1)
    assert first.scan.seen == len(_files(DEMO / SHIPMENTS["A"]))  # the shipment's files, not the database's
    assert first.scan.errors == 0 and first.scan.extracted == 0
    assert not [p for p in _paths(inside) if "appraiser.db" in p]
    again = pipeline.run(root / "A", inside, workers=1)
    assert (again.scan.seen, again.scan.removed, again.scan.errors) == (first.scan.seen, [], 0)


def test_a_review_judges_its_own_folder_only(dev, tmp_path):
    """In an engagement database, a review's verdict, findings and entries are its folder's, the same as on a
    database of its own; another folder's high finding does not fail it."""
    root, db = dev
    pipeline.run(root / "A", db, workers=1)  # A's high assist finding is in the database
    alone = pipeline.review(root / "B", workers=1)
    shared = pipeline.review(root / "B", db=db, workers=1)

    def seen(result):
        return sorted((f.code, f.entry_number, f.line_no, f.loss_of_revenue, f.status) for f in result.audit.findings)

    assert seen(shared) == seen(alone)
    assert [e.entry_number for e in shared.audit.entries] == [e.entry_number for e in alone.audit.entries]
    assert shared.outside == 1 and alone.outside == 0
    assert not any(f.code == "ASSIST_UNDECLARED" for f in shared.audit.findings)
    assert any(f.code == "ASSIST_UNDECLARED" for f in Store(db).findings())  # kept in the database all the same
    assert "of other folders of the database, not part of this review" in "\n".join(pipeline.summary_lines(shared))
    runner = CliRunner()
    verdict = runner.invoke(main, ["review", str(root / "B"), "--db", str(db), "--workers", "1"])
    own = runner.invoke(main, ["review", str(root / "B"), "--workers", "1"])
    assert verdict.exit_code == own.exit_code, verdict.output
