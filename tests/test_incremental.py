"""The incremental re-scan: a file whose size and modification time are those stored when it was read is not
opened; a touched one is hashed again, not extracted; changed bytes are extracted; ``--rehash`` hashes every file;
a database of the schema before the fingerprint opens and works."""
import hashlib
import os
import sqlite3
import time

import pytest
from click.testing import CliRunner

from appraiser import pipeline
from appraiser.cli import main
from appraiser.models.store import SCHEMA_VERSION, Store

HOUR_AGO = time.time_ns() - 3600 * 10**9

TEXTS = {
    "invoice.txt": "COMMERCIAL INVOICE\nInvoice No: INV-1001\nSeller: Acme Tools Ltd\nTotal: USD 1,200.00\n",
    "packing.txt": "PACKING LIST\nInvoice No: INV-1001\nCartons: 12\nGross weight: 340 kg\n",
    "sub/notes.txt": "Shipment notes: goods were loaded at Ningbo on 2025-03-02.\n",
}


def _write(path, text, mtime_ns=HOUR_AGO):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "shipment"
    for rel, text in TEXTS.items():
        _write(root / rel, text)
    return root


@pytest.fixture
def hashed(monkeypatch):
    """The relative paths ``pipeline.scan`` reads to hash, in order."""
    seen = []
    real = pipeline.sha256_of

    def spy(path):
        seen.append(path.name)
        return real(path)

    monkeypatch.setattr(pipeline, "sha256_of", spy)
    return seen


@pytest.fixture
def refuse_extraction(monkeypatch):
    """Called, any extraction from then on (the worker pool starting) fails the test."""
    import pebble

    def refuse(*args, **kwargs):
        pytest.fail("a document was extracted")

    return lambda: monkeypatch.setattr(pebble, "ProcessPool", refuse)


def _scan(root, db, **kw):
    store = Store(db)
    try:
        return pipeline.scan(root, store, workers=1, **kw)
    finally:
        store.close()


def _sha(db, name):
    with sqlite3.connect(db) as con:
        [(sha,)] = con.execute("select sha256 from documents where location like ?", [f"%/{name}"]).fetchall()
    return sha


def test_unchanged_rescan_reads_no_file_and_extracts_nothing(folder, tmp_path, hashed, refuse_extraction):
    db = tmp_path / "a.db"
    first = _scan(folder, db)
    assert (first.extracted, first.cached) == (3, 0)
    assert sorted(hashed) == ["invoice.txt", "notes.txt", "packing.txt"]
    hashed.clear()
    before = sorted((d.path, d.sha256, d.doc_type) for d in Store(db).documents())
    refuse_extraction()
    again = _scan(folder, db)
    assert hashed == []
    assert (again.seen, again.extracted, again.cached, again.errors, again.removed) == (3, 0, 3, 0, [])
    assert sorted((d.path, d.sha256, d.doc_type) for d in Store(db).documents()) == before


def test_touched_file_with_same_bytes_is_rehashed_not_reextracted(folder, tmp_path, hashed, refuse_extraction):
    db = tmp_path / "a.db"
    _scan(folder, db)
    hashed.clear()
    later = HOUR_AGO + 60 * 10**9
    os.utime(folder / "invoice.txt", ns=(later, later))
    refuse_extraction()
    stats = _scan(folder, db)
    assert hashed == ["invoice.txt"]
    assert (stats.extracted, stats.cached) == (0, 3)
    store = Store(db)
    store.enter(folder)
    assert store.fingerprints()["invoice.txt"].mtime_ns == later  # its new time recorded: not hashed next time
    store.close()
    hashed.clear()
    _scan(folder, db)
    assert hashed == []


def test_changed_bytes_are_extracted_again(folder, tmp_path, hashed):
    db = tmp_path / "a.db"
    _scan(folder, db)
    hashed.clear()
    text = TEXTS["invoice.txt"].replace("1,200.00", "31,200.00")
    _write(folder / "invoice.txt", text, HOUR_AGO + 10**9)
    stats = _scan(folder, db)
    assert hashed == ["invoice.txt"]
    assert (stats.extracted, stats.cached) == (1, 2)
    assert _sha(db, "invoice.txt") == hashlib.sha256(text.encode()).hexdigest()


def test_same_size_and_time_is_missed_unless_rehash(folder, tmp_path, hashed):
    """The documented limit: other bytes of the same size under the same modification time are taken as
    unchanged; ``rehash`` finds them."""
    db = tmp_path / "a.db"
    _scan(folder, db)
    old = _sha(db, "packing.txt")
    text = TEXTS["packing.txt"].replace("12", "21")
    assert len(text) == len(TEXTS["packing.txt"])
    _write(folder / "packing.txt", text)  # the same modification time as before
    missed = _scan(folder, db)
    assert (missed.extracted, _sha(db, "packing.txt")) == (0, old)
    hashed.clear()
    found = _scan(folder, db, rehash=True)
    assert sorted(hashed) == ["invoice.txt", "notes.txt", "packing.txt"]
    assert (found.extracted, found.cached) == (1, 2)
    assert _sha(db, "packing.txt") == hashlib.sha256(text.encode()).hexdigest()


def test_rehash_and_quiet_options_of_the_cli(folder, tmp_path, hashed):
    db = tmp_path / "a.db"
    runner = CliRunner()
    for args, reads in ((["scan"], 3), (["scan"], 0), (["scan", "--rehash"], 3), (["run", "--rehash", "-q"], 3),
                        (["run", "--quiet"], 0)):
        hashed.clear()
        result = runner.invoke(main, [*args, str(folder), "--db", str(db), "--workers", "1"])
        assert result.exit_code == 0, result.output
        assert len(hashed) == reads, args
    help_text = runner.invoke(main, ["review", "--help"]).output
    assert "--rehash" in help_text and "same size and time" in help_text and "--quiet" in help_text


def test_a_file_modified_just_now_is_hashed_again_next_time(folder, tmp_path, hashed):
    """A modification time too close to the scan may be shared by a later write: not recorded as trusted."""
    db = tmp_path / "a.db"
    now = time.time_ns()
    os.utime(folder / "invoice.txt", ns=(now, now))
    _scan(folder, db)
    hashed.clear()
    _scan(folder, db)
    assert hashed == ["invoice.txt"]


def test_an_extraction_gone_from_the_cache_is_read_again(folder, tmp_path):
    db = tmp_path / "a.db"
    _scan(folder, db)
    with sqlite3.connect(db) as con:
        con.execute("delete from extractions")
    assert _scan(folder, db).extracted == 3


def test_fingerprints_are_the_folder_s_own(tmp_path):
    """One query over the folder's range of locations: a sibling folder whose name starts the same is not in it."""
    db = tmp_path / "a.db"
    for name in ("a", "a0", "a b"):
        _write(tmp_path / name / "invoice.txt", TEXTS["invoice.txt"] + name)
        _scan(tmp_path / name, db)
    store = Store(db)
    store.enter(tmp_path / "a")
    assert list(store.fingerprints()) == ["invoice.txt"]
    assert store.fingerprints()["invoice.txt"].size == len(TEXTS["invoice.txt"]) + 1
    store.close()


def test_schema_3_database_migrates_and_is_fingerprinted_by_its_next_scan(folder, tmp_path, hashed):
    db = tmp_path / "a.db"
    _scan(folder, db)
    with sqlite3.connect(db) as con:
        con.execute("alter table documents drop column mtime_ns")
        con.execute("update meta set value = '3' where key = 'schema_version'")
    store = Store(db)
    assert store.meta("schema_version") == str(SCHEMA_VERSION) == "4"
    store.enter(folder)
    assert store.fingerprints() == {}  # not known yet: every file is hashed once more
    store.close()
    hashed.clear()
    stats = _scan(folder, db)
    assert (stats.extracted, stats.cached, len(hashed)) == (0, 3, 3)
    hashed.clear()
    _scan(folder, db)
    assert hashed == []
