"""The store: the only module that touches SQL (through sqlite-utils).

Tables
- ``meta``: key/value, holds ``schema_version`` and ``base``, the database's base folder: the common ancestor of
  every folder scanned into it. Documents' paths are relative to it (one folder scanned: that folder).
- ``extractions``: one row per distinct file content (sha256) and extractor version — the cache that makes an
  unchanged file never be extracted twice, wherever it sits.
- ``documents``: one row per file, keyed by its location (its absolute path, as :func:`path_text`), pointing at its
  extraction. A scan of one folder adds and removes the rows of that folder only. Its fingerprint (``size`` and
  ``mtime_ns``, from the scan's ``lstat``) lets a re-scan pass an unchanged file without reading it (schema 4).
- ``entries``: linked entries (export JSON).
- ``findings``: the current audit's findings (export JSON).
- ``decisions``: reviewers' current decisions by finding id; they outlive re-runs and re-apply to a finding that
  still holds.
- ``decision_history``: every decision ever taken (``accept``, ``dismiss``, ``reopen``), one row each, in order: who,
  when, what, why, and the status it replaced. Append-only: triggers refuse any update or delete; the current
  decision (``decisions``) is always its latest row for the finding, both written in one transaction.
- ``runs``: one row per run, with its root, counts and status (``running``, ``finished``, or ``interrupted``: a run
  that never finished, found so by the next one).
- ``meta`` ``rule_errors``: the rules that failed in the latest audit (export ``errors``, report, summary).

Every write is one transaction (``BEGIN IMMEDIATE``): a document, a whole audit, a decision. A process killed at
any moment leaves the database as it was before or after each of them; readers (WAL) are never blocked, and
writers from other processes wait up to ``BUSY_SECONDS``.
"""
from __future__ import annotations

import gc
import json
import os
import posixpath
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import sqlite_utils

from .convert import document_from_json, entry_from_json
from .fold import path_of, path_text
from .records import Document, Entry, Finding, RuleError

SCHEMA_VERSION = 4
BUSY_SECONDS = 60.0  # how long a write waits for another process's transaction (each is short) before failing

_INSERT_FINDING = ("insert or replace into findings (id, code, severity, entry_number, line_no, loss_of_revenue, "
                   "status, data) values (:id, :code, :severity, :entry_number, :line_no, :loss_of_revenue, "
                   ":status, :data)")


_INSERT_EXTRACTION = ("insert or replace into extractions (sha256, extractor, doc_type, pages, ocr, error, data, "
                      "seconds, extracted_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_DOCUMENT = ("insert or replace into documents (location, sha256, extractor, size, doc_type, error, seen_at, "
                    "data, mtime_ns) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")


class StoreError(Exception):
    """The database cannot be used (not a database, from a newer version)."""


class ReasonRequired(Exception):
    """A dismissed finding accepted or reopened without a reason: refused, nothing recorded."""

    def __init__(self, finding_id: str, status: str, dismissal: "HistoryEntry | None") -> None:
        self.finding_id, self.status, self.dismissal = finding_id, status, dismissal
        what = dismissal.describe() if dismissal is not None else "dismissed"
        super().__init__(f"{finding_id} was {what}; give --reason to say why it is {status} now")


class DatabaseBusy(StoreError):
    """Another run holds the database (its lock file), and the wait, if any, ran out."""


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Fingerprint:
    """What a stored document was when it was read: its size and modification time (``st_mtime_ns``) as the scan's
    ``lstat`` saw them, and the extraction it points at (content, extractor key, error)."""
    size: int
    mtime_ns: int
    sha256: str
    extractor: str
    error: str | None


@dataclass
class Decision:
    status: str
    reviewer: str | None
    reviewed_at: str | None
    reason: str | None


@dataclass
class HistoryEntry:
    """One decision as it was taken, a row of the append-only ``decision_history``. ``previous_status`` is what the
    finding stood at before it (None for a decision seeded from a database written before the history was kept)."""
    finding_id: str
    status: str
    reviewer: str | None
    reviewed_at: str | None
    reason: str | None
    previous_status: str | None

    def to_json(self) -> dict:
        return {"status": self.status, "reviewer": self.reviewer, "reviewed_at": self.reviewed_at,
                "reason": self.reason, "previous_status": self.previous_status}

    def describe(self) -> str:
        """``dismissed by X at T: reason`` — the decision in words."""
        return (self.status + (f" by {self.reviewer}" if self.reviewer else "")
                + (f" at {self.reviewed_at}" if self.reviewed_at else "") + (f": {self.reason}" if self.reason else ""))

    def line(self) -> str:
        """The decision with the status it replaced, for a history listing."""
        was = (f"was {self.previous_status}" if self.previous_status is not None
               else "recorded before the history was kept")
        return f"{self.describe()} ({was})"


@dataclass
class Decided:
    """What ``Store.record_decision`` did: the entry it appended, and the decision it replaced (None when the
    finding had none)."""
    entry: HistoryEntry
    replaced: HistoryEntry | None


def location_of(fs_path: str | Path) -> str:
    """The identity of a file or folder: its real absolute path, as storable text (any bytes a name holds)."""
    return path_text(os.path.realpath(os.fsdecode(fs_path)))


def _under(location: str, folder: str) -> bool:
    return location == folder or location.startswith(folder.rstrip("/") + "/")


def _relative(location: str, folder: str | None) -> str:
    """``location`` relative to ``folder`` (both as path text), '/'-separated; unchanged outside it."""
    if not folder or not _under(location, folder) or location == folder:
        return location
    return location[len(folder.rstrip("/")) + 1:]


def _placed(data: dict, path: str) -> dict:
    """A stored extraction as the document at ``path``: the extraction is shared by every file of the same content
    wherever it sits, so the path it was first read at is replaced, in its provenance too (evidence and finding
    ids are made from it)."""
    def walk(node):
        if isinstance(node, dict):
            return {k: (path if k == "path" else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return {**data, "path": path, "provenance": walk(data.get("provenance") or {})}


@contextmanager
def _bulk() -> Iterator[None]:
    """Many records read at once: the cyclic garbage collector paused meanwhile. Records hold no cycles, and each
    collection walks every object alive, so collections run while tens of thousands of documents are built make
    the read grow faster than the documents do."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_HELD: set[str] = set()  # the lock files this process holds (a POSIX lock does not exclude its own process)


class RunLock:
    """The database held by one writing run at a time: an OS lock on ``DB.lock`` beside it, held while the run
    lasts and released by the system when the process ends, however it ends (``kill -9`` included). It is a POSIX
    record lock (``lockf``), which belongs to the process: the extraction workers it forks do not hold it, so a
    worker left behind by a killed run never blocks the next one. The file says who holds it (pid, start time)
    for the message another run shows.

    Readers (``findings``, ``export``, ``report``) and reviewers' decisions do not take it: the database serves them
    during a run.
    """

    def __init__(self, db: str | Path, wait: float = 0.0) -> None:
        self.db = Path(db)
        self.path = Path(f"{db}.lock")
        self.wait = wait
        self.fd: int | None = None
        self.key = ""

    def holder(self) -> str:
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            return f"pid {info['pid']}, started {info['started']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "its process is starting"

    def _try(self, fd: int) -> bool:
        import errno
        import fcntl

        if self.key in _HELD:
            return False
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return False
            raise
        return True

    def acquire(self) -> "RunLock":
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(f"{self.db}: cannot create the lock file {self.path} ({exc.strerror or exc})") from exc
        self.key = os.path.realpath(self.path)
        deadline = time.monotonic() + max(self.wait, 0.0)
        while not self._try(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                name = self.db.name
                if self.wait > 0:
                    raise DatabaseBusy(f"{name} is still in use by another run ({self.holder()}) after waiting "
                                       f"{self.wait:g} s")
                raise DatabaseBusy(f"{name} is in use by another run ({self.holder()}); wait for it or use "
                                   "--wait SECONDS")
            time.sleep(0.1)
        _HELD.add(self.key)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": _now()}).encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing the descriptor releases the lock; the file stays (removing it would race)
            _HELD.discard(self.key)
            self.fd = None

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


_OUR_TABLES = {"meta", "extractions", "entries", "findings", "decisions", "decision_history", "runs", "documents",
               "documents_v1"}

_HISTORY_COLUMNS = "id, status, reviewer, reviewed_at, reason, previous_status"


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.root: str | None = None  # the folder being scanned (path text), set by enter()
        self.scope: str | None = None  # what a scan covers: that folder, or the one file scanned
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS, check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(f"{self.path}: the database stayed locked by another process ({exc})") from exc
            raise StoreError(f"{self.path}: not an appraiser database ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not an appraiser database ({exc})") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (``BEGIN IMMEDIATE``): all of it is committed or none."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- schema ---------------------------------------------------------------------------------------
    def _version(self) -> int:
        if "meta" not in self.db.table_names():
            return 0
        row = self.db.execute("select value from meta where key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        if self._version() > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer appraiser (schema {self._version()} > "
                             f"{SCHEMA_VERSION})")
        if self._version() == SCHEMA_VERSION:
            return
        others = sorted(t for t in self.db.table_names() if t not in _OUR_TABLES and not t.startswith("sqlite_"))
        if self._version() == 0 and others:  # another program's database: never written into
            raise StoreError(f"{self.path}: not an appraiser database (it holds other tables: {', '.join(others[:5])})")
        with self._write() as c:
            version = self._version()  # again, inside the transaction: another process may have migrated
            if version >= SCHEMA_VERSION:
                return
            c.execute("create table if not exists meta (key text primary key, value text)")
            c.execute("create table if not exists extractions (sha256 text, extractor text, doc_type text, "
                      "pages integer, ocr integer, error text, data text, seconds float, extracted_at text, "
                      "primary key (sha256, extractor))")
            c.execute("create table if not exists entries (entry_number text primary key, data text)")
            c.execute("create table if not exists findings (id text primary key, code text, severity text, "
                      "entry_number text, line_no integer, loss_of_revenue text, status text, data text)")
            c.execute("create table if not exists decisions (id text primary key, status text, reviewer text, "
                      "reviewed_at text, reason text)")
            c.execute("create table if not exists runs (id integer primary key, started_at text, finished_at text, "
                      "root text, data text)")
            old_documents = version == 1 and "documents" in self.db.table_names()
            if old_documents:
                c.execute("alter table documents rename to documents_v1")
            c.execute("create table if not exists documents (location text primary key, sha256 text, extractor text, "
                      "size integer, doc_type text, error text, seen_at text, data text, mtime_ns integer)")
            if "mtime_ns" not in {r[1] for r in c.execute("pragma table_info(documents)")}:
                # schema 4: the fingerprint of a file as read; null (unknown) for the rows of older databases,
                # whose files are hashed once more by the next scan
                c.execute("alter table documents add column mtime_ns integer")
            if "status" not in self.db["runs"].columns_dict:
                c.execute("alter table runs add column status text")
                c.execute("update runs set status = case when finished_at is null then 'interrupted' "
                          "else 'finished' end")
            if old_documents:
                self._migrate_documents_v1(c)
            self._migrate_history(c)
            c.execute("insert or replace into meta (key, value) values ('schema_version', ?)", [str(SCHEMA_VERSION)])

    def _migrate_documents_v1(self, c: sqlite3.Connection) -> None:
        """Schema 1 keyed documents by their path relative to the folder of the latest run (``runs.root``, as the
        user typed it: a relative one is taken from the current folder). Without any run the folder is unknown:
        the rows are dropped, and the next scan finds the files again in the extraction cache."""
        row = c.execute("select root from runs order by id desc limit 1").fetchone()
        has_data = "data" in {r[1] for r in c.execute("pragma table_info(documents_v1)")}
        if row and row[0]:
            root = path_of(row[0])
            folder = location_of(root if not os.path.isfile(root) else os.path.dirname(os.path.abspath(root)))
            for r in c.execute("select path, sha256, extractor, size, doc_type, error, seen_at"
                               + (", data" if has_data else ", null") + " from documents_v1").fetchall():
                c.execute(_INSERT_DOCUMENT, [posixpath.join(folder, r[0]), *r[1:], None])  # no mtime: read again
            c.execute("insert or replace into meta (key, value) values ('base', ?)", [folder])
        c.execute("drop table documents_v1")

    def _migrate_history(self, c: sqlite3.Connection) -> None:
        """Schema 3 keeps every decision (``decision_history``, append-only). A database written before it is
        seeded with its current decisions, one row each, their previous status unknown (null)."""
        new = "decision_history" not in self.db.table_names()
        c.execute("create table if not exists decision_history (seq integer primary key autoincrement, id text not "
                  "null, status text not null, reviewer text, reviewed_at text, reason text, previous_status text, "
                  "carried_from text)")
        c.execute("create index if not exists decision_history_id on decision_history (id, seq)")
        for op in ("update", "delete"):
            c.execute(f"create trigger if not exists decision_history_no_{op} before {op} on decision_history "
                      "begin select raise(abort, 'the decision history is append-only'); end")
        if new:
            c.execute(f"insert into decision_history ({_HISTORY_COLUMNS}) select id, status, reviewer, reviewed_at, "
                      "reason, null from decisions order by reviewed_at, id")

    def own_files(self) -> set[str]:
        """The database's own files (itself, its WAL and shared memory, its journal, its lock file), real paths."""
        return {os.path.realpath(self.path + suffix) for suffix in ("", "-wal", "-shm", "-journal", ".lock")}

    # -- where documents are --------------------------------------------------------------------------
    def base(self) -> str | None:
        """The database's base folder (path text): documents' paths are relative to it."""
        row = self.db.execute("select value from meta where key = 'base'").fetchone()
        return row[0] if row else None

    def enter(self, root: str | Path) -> str:
        """Scan ``root`` next (a folder, or one file): the base folder moves up to take it in if it must, the
        stored paths and finding ids re-expressed from the new base (so decisions hold). Returns ``root``'s
        location."""
        scope = location_of(root)
        folder = scope if os.path.isdir(path_of(scope)) else posixpath.dirname(scope)
        with self._write() as c:
            old = self.base()
            if old is None:
                new = folder
            else:
                new = path_text(os.path.commonpath([path_of(old), path_of(folder)]))
            if new != old:
                c.execute("insert or replace into meta (key, value) values ('base', ?)", [new])
                if old is not None:
                    self._rebase(c, path_text(os.path.relpath(path_of(old), path_of(new))))
        self.root, self.scope = folder, scope
        return scope

    def _rebase(self, c: sqlite3.Connection, prefix: str) -> None:
        """Re-express the stored findings' evidence paths from a base ``prefix`` higher up, and carry the
        decisions over to the new ids (an id is made from its evidence's paths). The next audit rebuilds all."""
        moved: dict[str, str] = {}
        for fid, data in c.execute("select id, data from findings").fetchall():
            f = Finding.from_json(json.loads(data))
            f.evidence = [replace(e, path=posixpath.join(prefix, e.path)) if e.path else e for e in f.evidence]
            f.id = f.stable_id()
            moved[fid] = f.id
            c.execute("delete from findings where id = ?", [fid])
            c.execute(_INSERT_FINDING, self._finding_row(f))
        for old_id, new_id in moved.items():
            if old_id != new_id:
                c.execute("update or replace decisions set id = ? where id = ?", [new_id, old_id])
                # the history is append-only: the finding's rows are copied, in order, under its new id
                c.execute(f"insert into decision_history ({_HISTORY_COLUMNS}, carried_from) select ?, status, "
                          "reviewer, reviewed_at, reason, previous_status, id from decision_history where id = ? "
                          "order by seq", [new_id, old_id])

    def _location(self, rel: str) -> str:
        """The location of a file found at ``rel`` under the folder being scanned (just ``rel`` if none is)."""
        return posixpath.join(self.root, rel) if self.root else rel

    def cached(self, sha256: str, extractor: str) -> Document | None:
        """The extraction of this content by this extractor version, if one was made."""
        rows = list(self.db.query("select data from extractions where sha256 = ? and extractor = ?",
                                  [sha256, extractor]))
        if not rows:
            return None
        return document_from_json(json.loads(rows[0]["data"]))

    def fingerprints(self) -> dict[str, Fingerprint]:
        """The fingerprints of the stored documents under the folder being scanned, by path relative to it, in one
        query (a range of the primary key). Only documents whose extraction is in the cache, and whose modification
        time was recorded, have one: any other is read again."""
        if not self.root:
            return {}
        prefix = self.root.rstrip("/") + "/"
        rows = self.db.execute("select d.location, d.size, d.mtime_ns, d.sha256, d.extractor, d.error from documents d "
                               "join extractions e on e.sha256 = d.sha256 and e.extractor = d.extractor "
                               "where d.location >= ? and d.location < ? and d.mtime_ns is not null "
                               "and d.data is null", [prefix, prefix[:-1] + "0"]).fetchall()
        return {loc[len(prefix):]: Fingerprint(size or 0, mtime_ns, sha256, extractor, error)
                for loc, size, mtime_ns, sha256, extractor, error in rows}

    def save_document(self, doc: Document, extractor: str, seconds: float = 0.0, cache: bool = True,
                      mtime_ns: int | None = None) -> None:
        """Record one document found at ``doc.path`` under the folder being scanned; its extraction and its row
        are committed together. ``mtime_ns`` is the file's modification time as the scan's ``lstat`` saw it
        before reading it (None: not to be trusted, the file is read again next time)."""
        data = json.dumps(doc.to_json(), ensure_ascii=False)
        cached = cache and bool(doc.sha256)
        with self._write() as c:
            if cached:
                c.execute(_INSERT_EXTRACTION,
                          [doc.sha256, extractor, doc.doc_type, doc.pages, int(doc.ocr), doc.error, data,
                           round(seconds, 3), _now()])
            c.execute(_INSERT_DOCUMENT,
                      [self._location(doc.path), doc.sha256, extractor, doc.size, doc.doc_type, doc.error, _now(),
                       None if cached else data, mtime_ns if cached else None])

    def save_documents(self, docs: Iterable[Document], extractor: str) -> int:
        """Record many documents found under the folder being scanned (as ``save_document``, cached by their
        sha256), all in one transaction. Returns how many."""
        now = _now()
        extractions, rows = [], []
        for doc in docs:
            data = json.dumps(doc.to_json(), ensure_ascii=False)
            cached = bool(doc.sha256)
            if cached:
                extractions.append([doc.sha256, extractor, doc.doc_type, doc.pages, int(doc.ocr), doc.error, data,
                                    0.0, now])
            rows.append([self._location(doc.path), doc.sha256, extractor, doc.size, doc.doc_type, doc.error, now,
                         None if cached else data, None])  # no modification time seen: read again by a scan
        with self._write() as c:
            c.executemany(_INSERT_EXTRACTION, extractions)
            c.executemany(_INSERT_DOCUMENT, rows)
        return len(rows)

    def forget_missing(self, present: Iterable[str]) -> list[str]:
        """Drop the rows of files no longer there, within what this scan covers only (the folder entered, or
        the one file); ``present`` are the paths found under it. Returns the dropped documents' paths."""
        keep = {self._location(rel) for rel in present}
        scope, base = self.scope, self.base()
        with self._write() as c:
            gone = [loc for (loc,) in c.execute("select location from documents").fetchall()
                    if loc not in keep and (scope is None or _under(loc, scope))]
            for loc in gone:
                c.execute("delete from documents where location = ?", [loc])
        return sorted(_relative(loc, base) for loc in gone)

    def paths_in_scope(self) -> set[str]:
        """The paths (relative to the base folder) of the stored documents within what the latest scan covered
        (the folder entered, or the one file): a review's own documents in an engagement database."""
        base, scope = self.base(), self.scope
        return {_relative(loc, base) for (loc,) in self.db.execute("select location from documents").fetchall()
                if scope is None or _under(loc, scope)}

    def documents(self) -> list[Document]:
        """Every stored document, its ``path`` relative to the base folder, by path."""
        base = self.base()
        rows = self.db.execute("select d.location, d.size, e.data, d.data from documents d left join extractions e"
                               " on e.sha256 = d.sha256 and e.extractor = d.extractor").fetchall()
        out = []
        with _bulk():
            for location, size, cached, own in rows:
                raw = cached or own
                if raw is None:
                    continue
                doc = document_from_json(_placed(json.loads(raw), _relative(location, base)))
                doc.size = size or 0
                out.append(doc)
        return sorted(out, key=lambda d: d.path)

    def warnings(self) -> list[tuple[str, str]]:
        """Every document's warnings, as (path, warning), by path."""
        return [(d.path, w) for d in self.documents() for w in d.warnings]

    # -- entries and findings -------------------------------------------------------------------------
    def save_audit(self, entries: list[Entry], findings: list[Finding], errors: Iterable[RuleError] = (),
                   meta: dict[str, str] | None = None) -> None:
        """Replace the entries, findings and rule failures of the previous audit (and these ``meta`` values) in
        one transaction, re-applying reviewers' decisions as they stand inside it: a decision taken while the
        audit ran is kept."""
        with self._write() as c:
            decisions = {r[0]: Decision(*r[1:]) for r in
                         c.execute("select id, status, reviewer, reviewed_at, reason from decisions").fetchall()}
            values = {"rule_errors": json.dumps([e.to_json() for e in errors], ensure_ascii=False), **(meta or {})}
            for key, value in values.items():
                c.execute("insert or replace into meta (key, value) values (?, ?)", [key, value])
            c.execute("delete from entries")
            c.execute("delete from findings")
            c.executemany("insert or replace into entries (entry_number, data) values (?, ?)",
                          [(e.entry_number, json.dumps(e.to_json(), ensure_ascii=False)) for e in entries])
            rows = []
            for f in findings:
                d = decisions.get(f.id)
                if d is not None:
                    f.status, f.reviewer, f.reviewed_at, f.reason = d.status, d.reviewer, d.reviewed_at, d.reason
                rows.append(self._finding_row(f))
            c.executemany(_INSERT_FINDING, rows)

    @staticmethod
    def _finding_row(f: Finding) -> dict:
        return {"id": f.id, "code": f.code, "severity": f.severity, "entry_number": f.entry_number,
                "line_no": f.line_no, "loss_of_revenue": format(f.loss_of_revenue, "f"), "status": f.status,
                "data": json.dumps(f.to_json(), ensure_ascii=False)}

    def entries(self) -> list[Entry]:
        with _bulk():
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
        return self.record_decision(finding_id, status, reviewer, reason) is not None

    def record_decision(self, finding_id: str, status: str, reviewer: str | None, reason: str | None,
                        overturn_needs_reason: bool = False) -> Decided | None:
        """Record a reviewer's decision on a current finding: a row appended to the history, the current decision
        and the finding updated, in one transaction. Returns the entry and the decision it replaced; None when no
        such finding. With ``overturn_needs_reason``, accepting or reopening a dismissed finding without a reason
        raises ``ReasonRequired`` (checked inside the transaction: nothing is recorded)."""
        with self._write() as c:
            row = c.execute("select data from findings where id = ?", [finding_id]).fetchone()
            if row is None:
                return None
            f = Finding.from_json(json.loads(row[0]))
            replaced = self._latest(c, f.id)
            overturn = f.status == "dismissed" and status != "dismissed"
            if overturn_needs_reason and overturn and not (reason or "").strip():
                raise ReasonRequired(f.id, status, replaced)
            entry = HistoryEntry(f.id, status, reviewer, _now(), reason, f.status)
            c.execute(f"insert into decision_history ({_HISTORY_COLUMNS}) values (?, ?, ?, ?, ?, ?)",
                      [entry.finding_id, status, reviewer, entry.reviewed_at, reason, entry.previous_status])
            f.status, f.reviewer, f.reviewed_at, f.reason = status, reviewer, entry.reviewed_at, reason
            c.execute("insert or replace into decisions (id, status, reviewer, reviewed_at, reason) "
                      "values (?, ?, ?, ?, ?)",
                      [f.id, status, reviewer, f.reviewed_at, reason])
            c.execute(_INSERT_FINDING, self._finding_row(f))
        return Decided(entry, replaced)

    @staticmethod
    def _latest(c: sqlite3.Connection, finding_id: str) -> HistoryEntry | None:
        row = c.execute(f"select {_HISTORY_COLUMNS} from decision_history where id = ? order by seq desc limit 1",
                        [finding_id]).fetchone()
        return HistoryEntry(*row) if row else None

    def history(self, finding_ids: Iterable[str] | None = None) -> dict[str, list[HistoryEntry]]:
        """Every decision taken on these findings (default: all), oldest first, by finding id."""
        out: dict[str, list[HistoryEntry]] = {}
        wanted = None if finding_ids is None else set(finding_ids)
        for row in self.db.execute(f"select {_HISTORY_COLUMNS} from decision_history order by seq").fetchall():
            if wanted is None or row[0] in wanted:
                out.setdefault(row[0], []).append(HistoryEntry(*row))
        return out

    # -- runs ------------------------------------------------------------------------------------------
    def start_run(self, root: str) -> tuple[int, list[str]]:
        """A new run of ``root`` (its location); with the start times of the runs left unfinished before it, now
        marked ``interrupted`` (the caller holds the run lock, so none of them is still going)."""
        with self._write() as c:
            stale = [r[0] for r in c.execute("select started_at from runs where status = 'running' or "
                                             "(status is null and finished_at is null) order by id").fetchall()]
            c.execute("update runs set status = 'interrupted' where status = 'running' or "
                      "(status is null and finished_at is null)")
            cur = c.execute("insert into runs (started_at, root, data, status) values (?, ?, '{}', 'running')",
                            [_now(), root])
            return cur.lastrowid, stale

    def finish_run(self, run_id: int, summary: dict) -> None:
        with self._write() as c:
            c.execute("update runs set finished_at = ?, data = ?, status = 'finished' where id = ?",
                      [_now(), json.dumps(summary, default=str), run_id])

    def runs(self) -> list[dict]:
        return [dict(zip(("id", "started_at", "finished_at", "root", "status"), r)) for r in
                self.db.execute("select id, started_at, finished_at, root, status from runs order by id")]

    def last_root(self) -> str | None:
        """The folder the stored paths are relative to (where evidence files are found again): the base folder,
        as a file system path."""
        base = self.base()
        return path_of(base) if base else None

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
        findings = self.findings()
        history = self.history(f.id for f in findings)
        return {"documents": docs, "entries": self.entries_json(),
                "findings": [{**f.to_json(), "history": [h.to_json() for h in history.get(f.id, [])]}
                             for f in findings],
                "errors": [e.to_json() for e in self.rule_errors()]}

    def close(self) -> None:
        self.db.close()


def iter_rows(store: Store, table: str) -> Iterator[dict]:
    yield from store.db[table].rows
