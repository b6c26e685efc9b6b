import sqlite3
from decimal import Decimal

import pytest

from appraiser.models.records import Document, Evidence, FieldSet, Finding
from appraiser.models.store import SCHEMA_VERSION, Store, StoreError


def _doc(path="a.pdf", sha="a" * 64, error=None):
    fs = FieldSet()
    fs.set("invoice_number", "INV-7")
    fs.set("total", Decimal("99.95"))
    return Document(path=path, sha256=sha, doc_type="commercial_invoice", pages=1, error=error, fields=fs)


def test_schema_version_recorded(tmp_path):
    s = Store(tmp_path / "x.db")
    assert s.meta("schema_version") == str(SCHEMA_VERSION)


def test_newer_schema_refused(tmp_path):
    s = Store(tmp_path / "x.db")
    s.meta("schema_version", str(SCHEMA_VERSION + 1))
    s.close()
    with pytest.raises(StoreError, match="newer"):
        Store(tmp_path / "x.db")


def test_not_a_database_refused(tmp_path):
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError):
        Store(p)


def test_extraction_cached_by_content_hash(tmp_path):
    s = Store(tmp_path / "x.db")
    assert s.cached("a" * 64, "v1") is None
    s.save_document(_doc(), "v1")
    hit = s.cached("a" * 64, "v1")
    assert hit is not None and hit.get("total") == Decimal("99.95")
    assert s.cached("a" * 64, "v2") is None  # a new extractor version re-extracts


def test_unreadable_file_row_kept_without_cache(tmp_path):
    s = Store(tmp_path / "x.db")
    s.save_document(Document(path="locked.pdf", sha256="", error="cannot read file: Permission denied"),
                    "v1", cache=False)
    docs = s.documents()
    assert [d.error for d in docs] == ["cannot read file: Permission denied"]


def test_document_committed_in_one_transaction(tmp_path):
    db = tmp_path / "x.db"
    s = Store(db)
    s.save_document(_doc(), "v1")
    # another connection sees both rows at once
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from extractions").fetchone()[0] == 1
    assert con.execute("select count(*) from documents").fetchone()[0] == 1


def test_decisions_survive_a_re_audit(tmp_path):
    s = Store(tmp_path / "x.db")
    f = Finding("DOCUMENT_MISSING", "low", "7DX-0000001-2", "t", "e", "19 U.S.C. 1509",
                evidence=[Evidence("a.pdf", 1, "x")])
    s.save_audit([], [f])
    assert s.decide(f.id, "dismissed", "reviewer-1", "invoice filed elsewhere")
    assert not s.decide("no-such-id", "accepted", None, None)
    again = Finding("DOCUMENT_MISSING", "low", "7DX-0000001-2", "t", "e", "19 U.S.C. 1509",
                    evidence=[Evidence("a.pdf", 1, "x")])
    s.save_audit([], [again])
    [kept] = s.findings()
    assert (kept.status, kept.reviewer, kept.reason) == ("dismissed", "reviewer-1", "invoice filed elsewhere")
