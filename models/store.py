"""The store: the only module that touches SQL (through sqlite-utils).

Tables
- ``meta``: key/value, holds ``schema_version``.
- ``extractions``: one row per distinct file content (sha256) and extractor version — the cache that makes an
  unchanged file never be extracted twice, wherever it sits.
- ``documents``: one row per path of the scanned folder, pointing at its extraction.
- ``entries``: linked entries (export JSON).
- ``findings``: the current audit's findings (export JSON).
- ``decisions``: reviewers' decisions by finding id; they outlive re-runs and re-apply to a finding that still holds.
- ``runs``: one row per run, with its counts.
- ``meta`` ``rule_errors``: the rules that failed in the latest audit (export ``errors``, report, summary).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import sqlite_utils

from .convert import document_from_json, entry_from_json
from .records import Document, Entry, Finding, RuleError

SCHEMA_VERSION = 1


class StoreError(Exception):
    """The database cannot be used (not a database, from a newer version)."""


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class Decision:
    status: str
    reviewer: str | None
    reviewed_at: str | None
    reason: str | None


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not an appraiser database ({exc})") from exc

    # -- schema ---------------------------------------------------------------------------------------
    def _migrate(self) -> None:
        db = self.db
        if "meta" not in db.table_names():
            db["meta"].create({"key": str, "value": str}, pk="key")
        row = next(db.query("select value from meta where key = 'schema_version'"), None)
        version = int(row["value"]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer appraiser (schema {version} > {SCHEMA_VERSION})")
        if version < 1:
            with db.conn:
                db["extractions"].create({"sha256": str, "extractor": str, "doc_type": str, "pages": int,
                                          "ocr": int, "error": str, "data": str, "seconds": float,
                                          "extracted_at": str}, pk=("sha256", "extractor"), if_not_exists=True)
                db["documents"].create({"path": str, "sha256": str, "extractor": str, "size": int,
                                        "doc_type": str, "error": str, "seen_at": str}, pk="path",
                                       if_not_exists=True)
                db["entries"].create({"entry_number": str, "data": str}, pk="entry_number", if_not_exists=True)
                db["findings"].create({"id": str, "code": str, "severity": str, "entry_number": str,
                                       "line_no": int, "loss_of_revenue": str, "status": str, "data": str},
                                      pk="id", if_not_exists=True)
                db["decisions"].create({"id": str, "status": str, "reviewer": str, "reviewed_at": str,
                                        "reason": str}, pk="id", if_not_exists=True)
                db["runs"].create({"id": int, "started_at": str, "finished_at": str, "root": str,
                                   "data": str}, pk="id", if_not_exists=True)
                db["meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")

    # -- documents ------------------------------------------------------------------------------------
    def cached(self, sha256: str, extractor: str) -> Document | None:
        """The extraction of this content by this extractor version, if one was made."""
        rows = list(self.db.query("select data from extractions where sha256 = ? and extractor = ?",
                                  [sha256, extractor]))
        if not rows:
            return None
        return document_from_json(json.loads(rows[0]["data"]))

    def save_document(self, doc: Document, extractor: str, seconds: float = 0.0, cache: bool = True) -> None:
        """Record one document; its extraction and its path row are committed together."""
        data = json.dumps(doc.to_json(), ensure_ascii=False)
        with self.db.conn:
            if cache and doc.sha256:
                self.db["extractions"].upsert({
                    "sha256": doc.sha256, "extractor": extractor, "doc_type": doc.doc_type, "pages": doc.pages,
                    "ocr": int(doc.ocr), "error": doc.error, "data": data, "seconds": round(seconds, 3),
                    "extracted_at": _now()}, pk=("sha256", "extractor"))
            self.db["documents"].upsert({
                "path": doc.path, "sha256": doc.sha256, "extractor": extractor, "size": doc.size,
                "doc_type": doc.doc_type, "error": doc.error, "seen_at": _now(),
                **({} if cache and doc.sha256 else {"data": data})}, pk="path", alter=True)

    def forget_missing(self, present: Iterable[str]) -> int:
        """Drop path rows for files no longer in the folder; returns how many."""
        keep = set(present)
        gone = [r["path"] for r in self.db.query("select path from documents") if r["path"] not in keep]
        with self.db.conn:
            for p in gone:
                self.db["documents"].delete(p)
        return len(gone)

    def documents(self) -> list[Document]:
        has_data = "data" in self.db["documents"].columns_dict
        sql = ("select d.path, d.sha256, d.size, e.data as cached"
               + (", d.data as own" if has_data else ", null as own")
               + " from documents d left join extractions e"
               " on e.sha256 = d.sha256 and e.extractor = d.extractor order by d.path")
        out = []
        for row in self.db.query(sql):
            raw = row["cached"] or row["own"]
            if raw is None:
                continue
            doc = document_from_json(json.loads(raw))
            doc.path = row["path"]
            doc.size = row["size"] or 0
            out.append(doc)
        return out

    def warnings(self) -> list[tuple[str, str]]:
        """Every document's warnings, as (path, warning), by path."""
        return [(d.path, w) for d in self.documents() for w in d.warnings]

    # -- entries and findings -------------------------------------------------------------------------
    def save_audit(self, entries: list[Entry], findings: list[Finding], errors: Iterable[RuleError] = ()) -> None:
        """Replace the entries, findings and rule failures of the previous audit, re-applying reviewers' decisions."""
        decisions = self.decisions()
        with self.db.conn:
            self.db["meta"].upsert({"key": "rule_errors",
                                    "value": json.dumps([e.to_json() for e in errors], ensure_ascii=False)}, pk="key")
            self.db["entries"].delete_where()
            self.db["findings"].delete_where()
            self.db["entries"].insert_all(
                ({"entry_number": e.entry_number, "data": json.dumps(e.to_json(), ensure_ascii=False)}
                 for e in entries), pk="entry_number", replace=True)
            rows = []
            for f in findings:
                d = decisions.get(f.id)
                if d is not None:
                    f.status, f.reviewer, f.reviewed_at, f.reason = d.status, d.reviewer, d.reviewed_at, d.reason
                rows.append(self._finding_row(f))
            self.db["findings"].insert_all(rows, pk="id", replace=True)

    @staticmethod
    def _finding_row(f: Finding) -> dict:
        return {"id": f.id, "code": f.code, "severity": f.severity, "entry_number": f.entry_number,
                "line_no": f.line_no, "loss_of_revenue": format(f.loss_of_revenue, "f"), "status": f.status,
                "data": json.dumps(f.to_json(), ensure_ascii=False)}

    def entries(self) -> list[Entry]:
        return [entry_from_json(json.loads(r["data"]))
                for r in self.db.query("select data from entries order by entry_number")]

    def entries_json(self) -> list[dict]:
        return [json.loads(r["data"]) for r in self.db.query("select data from entries order by entry_number")]

    def findings(self) -> list[Finding]:
        return [Finding.from_json(json.loads(r["data"]))
                for r in self.db.query("select data from findings order by entry_number, code, line_no, id")]

    def rule_errors(self) -> list[RuleError]:
        """The rules that failed in the latest audit (their findings are missing)."""
        return [RuleError.from_json(e) for e in json.loads(self.meta("rule_errors") or "[]")]

    def decisions(self) -> dict[str, Decision]:
        return {r["id"]: Decision(r["status"], r["reviewer"], r["reviewed_at"], r["reason"])
                for r in self.db.query("select * from decisions")}

    def decide(self, finding_id: str, status: str, reviewer: str | None, reason: str | None) -> bool:
        """Record a reviewer's decision on a current finding; False when no such finding."""
        rows = list(self.db.query("select data from findings where id = ?", [finding_id]))
        if not rows:
            return False
        f = Finding.from_json(json.loads(rows[0]["data"]))
        f.status, f.reviewer, f.reviewed_at, f.reason = status, reviewer, _now(), reason
        with self.db.conn:
            self.db["decisions"].upsert({"id": f.id, "status": status, "reviewer": reviewer,
                                         "reviewed_at": f.reviewed_at, "reason": reason}, pk="id")
            self.db["findings"].upsert(self._finding_row(f), pk="id")
        return True

    # -- runs ------------------------------------------------------------------------------------------
    def start_run(self, root: str) -> int:
        with self.db.conn:
            return self.db["runs"].insert({"started_at": _now(), "root": root, "data": "{}"}).last_pk

    def finish_run(self, run_id: int, summary: dict) -> None:
        with self.db.conn:
            self.db["runs"].update(run_id, {"finished_at": _now(), "data": json.dumps(summary, default=str)})

    def last_root(self) -> str | None:
        """The folder the latest run scanned (where evidence files are found again)."""
        row = next(self.db.query("select root from runs order by id desc limit 1"), None) \
            if self.db["runs"].exists() else None
        return row["root"] if row else None

    def meta(self, key: str, value: str | None = None) -> str | None:
        if value is not None:
            with self.db.conn:
                self.db["meta"].upsert({"key": key, "value": value}, pk="key")
            return value
        row = next(self.db.query("select value from meta where key = ?", [key]), None)
        return row["value"] if row else None

    # -- export ----------------------------------------------------------------------------------------
    def export(self, with_provenance: bool = True) -> dict:
        """The SPEC §4 export document."""
        docs = []
        for d in self.documents():
            j = d.to_json(with_provenance=with_provenance)
            docs.append(j)
        return {"documents": docs, "entries": self.entries_json(),
                "findings": [f.to_json() for f in self.findings()],
                "errors": [e.to_json() for e in self.rule_errors()]}

    def close(self) -> None:
        self.db.close()


def iter_rows(store: Store, table: str) -> Iterator[dict]:
    yield from store.db[table].rows
