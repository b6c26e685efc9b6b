"""The main job as a Python API: scan a folder into the store, link and audit, summarise.

The CLI is a thin layer over these functions; tests call them directly.
"""
from __future__ import annotations

import errno
import fnmatch
import json
import os
import stat
import sys
from collections import Counter
from concurrent.futures import as_completed
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, Sequence

from .extract import EXTRACTOR_VERSION, extract_file, extraction_key, sha256_of
from .extract.budget import Budget
from .models.records import Document, Entry, Finding, RuleError, q2
from .models.fold import path_text
from .models.store import RunLock, Store, location_of

IGNORE_FILE = ".appraiserignore"


@dataclass
class ScanStats:
    seen: int = 0
    extracted: int = 0
    cached: int = 0
    errors: int = 0
    removed: list[str] = field(default_factory=list)  # documents no longer in the scanned folder, dropped
    seconds: float = 0.0
    root: str = ""  # what was scanned (path text)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # entries not read (links, pipes): path, reason


@dataclass
class AuditSummary:
    entries: list[Entry]
    findings: list[Finding]
    entry_totals: dict[str, dict] = field(default_factory=dict)
    errors: list[RuleError] = field(default_factory=list)  # rules that failed: the tool's own failure (exit 3)


def _ignore_patterns(root: Path) -> list[str]:
    f = root / IGNORE_FILE
    try:
        info = f.lstat()
    except OSError:
        return []
    if not stat.S_ISREG(info.st_mode):  # a link, a pipe or a folder of that name is no list of patterns
        return []
    with open(f, "rb") as fh:
        lines = fh.read(1 << 20).decode("utf-8", errors="replace").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


SKIPPED = "skipped: "  # how the error of an entry that is not read begins (a link, a pipe, a folder not listed)


@dataclass(frozen=True)
class Skipped:
    """An entry of the folder that is never opened, and why: recorded as a document whose error is the reason."""
    rel: str
    reason: str

    @property
    def error(self) -> str:
        return SKIPPED + self.reason


@dataclass
class Discovery:
    """What a folder holds: the regular files to read, as (path, relative '/'-separated path), and the entries
    skipped with their reason. ``len`` counts both: each is recorded once. ``stamps`` holds each file's size and
    modification time (``st_mtime_ns``) as its ``lstat`` saw them, by relative path: its fingerprint."""
    files: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.files) + len(self.skipped)


_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _rel(root: Path, p: Path) -> str:
    return path_text(p.relative_to(root).as_posix())  # any bytes a name holds, stored losslessly


def _hidden_or_ignored(rel: str, patterns: list[str]) -> bool:
    parts = rel.split("/")
    return any(part.startswith(".") for part in parts) or \
        any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(parts[-1], pat) for pat in patterns)


def _link(real_root: Path, p: Path, rel: str, patterns: list[str]) -> Skipped:
    """Why a symbolic link is not read: links are never followed. One to a file of the folder names the file
    (read under its own name, so once); one leading out of the folder, a loop and a dangling link say so."""
    try:
        shown = path_text(os.readlink(p))
    except OSError as exc:  # vanished since the folder was listed
        return Skipped(rel, f"symbolic link that cannot be read ({exc.strerror or exc})")
    try:
        info = os.stat(p)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Skipped(rel, f"symbolic link loop (to {shown}): not followed")
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return Skipped(rel, f"dangling symbolic link (to {shown}, which does not exist)")
        return Skipped(rel, f"symbolic link to {shown} that cannot be followed ({exc.strerror or exc})")
    target = Path(os.path.realpath(p))
    if not target.is_relative_to(real_root):
        return Skipped(rel, f"symbolic link leading out of the folder (to {shown}): not followed")
    inside = _rel(real_root, target)
    if stat.S_ISDIR(info.st_mode):
        return Skipped(rel, f"symbolic link to the folder {inside or '.'} of this folder: not followed (its files "
                            "are read under their own names)")
    if not stat.S_ISREG(info.st_mode):
        return Skipped(rel, f"symbolic link to {_kind(info.st_mode)} ({inside}): not followed")
    if _hidden_or_ignored(inside, patterns):
        return Skipped(rel, f"symbolic link to {inside}, a hidden or ignored file: not followed")
    return Skipped(rel, f"symbolic link to {inside} of this folder: read once, under that name")


def discover(root: Path) -> Discovery:
    """Every entry under ``root``: the regular files to read (each folder's files in name order, then its
    folders) and the entries skipped, with why (by path).

    Hidden files and folders are left out, and so are the patterns listed in ``.appraiserignore`` (fnmatch,
    against the relative path or the file name), so that notes kept beside the documents are not read.
    Only regular files are ever opened: a symbolic link is never followed (one to a file of the folder is
    skipped naming that file, which is read under its own name), and a named pipe, a socket or a device, which
    could block a reader for ever, is skipped from its ``lstat``, as is a folder that cannot be listed.
    """
    root = Path(root)
    try:
        top = os.stat(root)  # the path the user named is followed, link or not
    except OSError as exc:
        return Discovery([], [Skipped(path_text(root.name), f"cannot read ({exc.strerror or exc})")])
    if stat.S_ISREG(top.st_mode):
        return Discovery([(root, path_text(root.name))], stamps={path_text(root.name): (top.st_size, top.st_mtime_ns)})
    if not stat.S_ISDIR(top.st_mode):
        return Discovery([], [Skipped(path_text(root.name), f"{_kind(top.st_mode)}, not a file: never opened")])
    patterns = _ignore_patterns(root)
    real_root = Path(os.path.realpath(root))
    found = Discovery()
    # walked with a stack, not recursion, so that no depth of folders is too deep; each folder's files first, then
    # its folders, in name order
    stack = [root]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            found.skipped.append(Skipped(_rel(root, here), f"folder that cannot be listed ({exc.strerror or exc}): "
                                                            "its files are not read"))
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            p = here / entry.name
            try:
                info = entry.stat(follow_symlinks=False)
                mode = info.st_mode
            except OSError:  # vanished since the folder was listed: nothing left to account for
                continue
            if stat.S_ISDIR(mode):  # a real folder (a link to one is a link, below), whatever its name
                folders.append(p)
                continue
            rel = _rel(root, p)
            if any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(entry.name, pat) for pat in patterns):
                continue
            if stat.S_ISREG(mode):
                found.files.append((p, rel))
                found.stamps[rel] = (info.st_size, info.st_mtime_ns)
            elif stat.S_ISLNK(mode):
                found.skipped.append(_link(real_root, p, rel, patterns))
            else:
                found.skipped.append(Skipped(rel, f"{_kind(mode)}, not a file: never opened"))
        stack.extend(reversed(folders))
    found.skipped.sort(key=lambda s: s.rel)
    return found


def _extract_job(args: tuple[str, str, str], budget: Budget) -> tuple[Document, float, bool]:
    """One document extracted in a worker: the Document, its seconds, and whether it can be cached (not when its
    budget cut it: a run with a larger budget reads it again)."""
    from .extract.budget import was_cut

    path, rel, digest = args
    doc, seconds = extract_file(Path(path), rel, digest, budget)
    return doc, seconds, not was_cut()


def _worker_start(budget: Budget) -> None:
    """Each extraction process: the readers loaded, the parsers' log messages about damaged files kept off the
    terminal (the document's error or warnings say what matters), and its memory limited to what it holds now
    plus the budget (the address space, which Tesseract, started by it, inherits as its own limit: a page too
    large for it fails that call, which is recorded)."""
    import logging
    import signal

    # Ctrl-C is the parent's to handle (it stops the workers): a worker interrupted mid-task would leave the pool
    # waiting for it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the C libraries' own complaints about a damaged file (libtiff's "ZIPDecode: Decoding error…") are written to
    # the process's standard error, past any logger: a worker's goes nowhere, the document's error or warnings say
    # what matters and a worker that dies is recorded by the run
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    for name in ("pdfminer", "pdfplumber", "PIL", "pypdfium2"):
        logging.getLogger(name).addHandler(logging.NullHandler())
        logging.getLogger(name).propagate = False
    _load_readers()  # already there in a forked worker; before any document's seconds start in another
    import gc

    # what the worker holds now (the readers, inherited or loaded) lives as long as it: its collections leave it
    # alone, and its memory pages stay shared with the process it was forked from
    gc.freeze()
    from .extract.budget import address_space

    try:
        import resource
    except ImportError:  # no resource limits on this platform: the seconds still hold
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = (address_space() or 0) + budget.max_memory
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


_readers_loaded = False


def _load_readers() -> None:
    """Import the readers (pdfplumber, pikepdf, spaCy, the extractors of every type) and build the tokenizer and
    the classifier's phrase matchers: once in the caller, so that the worker processes, forked from it, share them
    instead of each importing and building them again for its first document."""
    global _readers_loaded
    if _readers_loaded:
        return
    import gc

    # what is loaded here lives as long as the process: a collection during the loading (hundreds of thousands of
    # new objects) would scan it all and find nothing to free, and so would every full collection after it; it is
    # left out of them (frozen), which also keeps the memory pages a forked worker shares with this process
    enabled = gc.isenabled()
    gc.disable()
    try:
        import pdfplumber  # noqa: F401
        import pikepdf  # noqa: F401  (every PDF is looked at for an e-invoice attachment)
        import spacy  # noqa: F401

        from .extract import classify, common, einvoice, facts, load, ocr, registry, tables  # noqa: F401

        for doc_type in registry.EXTRACTORS:
            registry.extractor_for(doc_type)
        classify.prepare()
        try:
            import resource  # noqa: F401
        except ImportError:  # not on this platform
            pass
        gc.freeze()
        _readers_loaded = True
    finally:
        if enabled:
            gc.enable()


def _worker_context():
    """How worker processes start: copies of the caller where the platform forks (fast, and with the caller's
    identity and settings: a run as an unprivileged user reads as that user), else the platform's default."""
    import multiprocessing

    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)


def _killed(exc: BaseException, budget: Budget) -> str:
    """The error of a document whose worker process was killed or died."""
    from concurrent.futures import TimeoutError as Timeout

    from pebble import ProcessExpired

    if isinstance(exc, Timeout):
        return (f"extraction stopped after {budget.hard_seconds:g} s: over its {budget.seconds_note()}; the "
                "process reading it was killed and nothing of the document is kept")
    if isinstance(exc, ProcessExpired):
        import signal

        code = exc.exitcode
        how = f"killed by {signal.Signals(-code).name}" if code and code < 0 and -code in signal.valid_signals() \
            else f"exit code {code}"
        return (f"extraction process died ({how}): a damaged file, or more memory than its "
                f"{budget.memory_note()}; nothing of the document is kept")
    # a result that cannot be sent back, a worker that could not start: recorded with the error's type
    return f"extraction failed: {exc!r}"


Job = tuple[str, str, str]  # one document to extract: its path, its relative path, its SHA-256


class Executor(Protocol):
    """Where documents are extracted. ``extract`` yields each job with its outcome as it completes: what
    ``_extract_job`` returns, or the exception that stopped it (``concurrent.futures.TimeoutError`` when it overran
    ``timeout`` seconds and its process was killed, ``pebble.ProcessExpired`` when its process died, any other for
    a result that could not be had). ``scan`` records the outcomes: the budget and the errors are its alone."""

    def extract(self, jobs: Sequence[Job], budget: Budget, timeout: float) -> Iterator[tuple[Job, object]]: ...


@dataclass
class LocalPool:
    """Extraction in worker processes of this machine, ``workers`` of them (default: one a core)."""
    workers: int | None = None

    def extract(self, jobs: Sequence[Job], budget: Budget, timeout: float) -> Iterator[tuple[Job, object]]:
        # always worker processes, even for one file or --workers 1: the seconds and the memory of a document are
        # only enforced from outside it (a fork costs milliseconds; the imports are paid in-process too)
        from pebble import ProcessPool

        _load_readers()
        pool = ProcessPool(max_workers=min(self.workers or os.cpu_count() or 1, len(jobs)),
                           initializer=_worker_start, initargs=(budget,), context=_worker_context())
        try:
            futures = {pool.schedule(_extract_job, args=(job, budget), timeout=timeout): job for job in jobs}
            for fut in as_completed(futures):
                try:
                    outcome = fut.result()
                except Exception as exc:
                    outcome = exc
                yield futures[fut], outcome
            pool.close()
        finally:
            pool.stop()  # an interrupted run leaves no worker behind
            pool.join()


RACY_NS = 2_000_000_000  # a file modified this close to a scan may change again within its timestamp's tick


def scan(root: Path, store: Store, workers: int | None = None,
         progress: Callable[[int], None] | None = None, only: set[str] | None = None,
         budget: Budget | None = None, rehash: bool = False, executor: Executor | None = None) -> ScanStats:
    """Extract every new or changed file under ``root`` into ``store``; unchanged content is never re-read.

    A file whose size and modification time (``st_mtime_ns``, from the folder's ``lstat``) are those stored when it
    was read is unchanged, and not opened at all; any other is hashed, and extracted only when its content is not in
    the cache. A file rewritten with other bytes of the same size and modification time is taken as unchanged: the
    limit of the method, which ``rehash`` lifts (every file hashed). A modification time within ``RACY_NS`` of the
    scan is not recorded, so that such a file is hashed next time. ``progress`` is called with 1 per entry done.

    ``only`` limits the scan to those relative paths (evaluation reads just the documents a truth lists).
    Documents of other folders in the store are left alone: only files gone from ``root`` are dropped.
    Each document is extracted in a worker process within its ``budget`` (pages, pixels, seconds, memory): a
    document over it is recorded with what was read and what was not, one killed for its seconds or dead of
    its memory is recorded with that error, and the other files go on in the other workers. The workers are
    ``executor``'s (``cluster.DaskExecutor``: a Dask cluster's), by default ``workers`` processes of this machine.
    """
    import time

    start = time.perf_counter()
    budget = budget or Budget()
    stats = ScanStats(root=path_text(str(root)))
    store.enter(root)  # documents are known by their location; the database's base folder takes ``root`` in
    own = store.own_files()  # a database kept in the folder it scans is not a document
    found = discover(root)
    files = [(p, rel) for p, rel in found.files if os.path.realpath(p) not in own]
    if only is not None:
        files = [(p, rel) for p, rel in files if rel in only]
    skipped = [s for s in found.skipped if only is None or s.rel in only]
    stats.seen = len(files) + len(skipped)
    known = {} if rehash else store.fingerprints()  # one query for the whole folder
    trusted = time.time_ns() - RACY_NS

    def mtime_of(rel: str) -> int | None:
        """The modification time to record for ``rel``: None when too recent to be trusted."""
        seen = found.stamps.get(rel)
        return seen[1] if seen is not None and seen[1] < trusted else None

    for entry in skipped:  # recorded, so that every entry of the folder is accounted for; never opened
        store.save_document(Document(path=entry.rel, sha256="", error=entry.error), EXTRACTOR_VERSION, cache=False)
        stats.skipped.append((entry.rel, entry.reason))
        if progress:
            progress(1)
    def not_extracted(rel: str, error: str | None) -> None:
        """A file whose content's extraction is stored, counted as unchanged (with its error, if it has one)."""
        stats.cached += 1
        if error:
            stats.errors += 1
            stats.failed.append((rel, error))
        if progress:
            progress(1)

    todo: list[tuple[str, str, str]] = []
    for path, rel in files:
        old = known.get(rel)
        if old is not None and (old.size, old.mtime_ns) == found.stamps.get(rel) \
                and old.extractor == extraction_key(rel):  # unchanged: not opened, nothing written
            not_extracted(rel, old.error)
            continue
        try:
            digest = sha256_of(path)
        except OSError as exc:
            doc = Document(path=rel, sha256="", error=f"cannot read file: {exc.strerror or exc}")
            store.save_document(doc, EXTRACTOR_VERSION, cache=False)
            stats.errors += 1
            stats.failed.append((rel, doc.error))
            if progress:
                progress(1)
            continue
        cached = store.cached(digest, extraction_key(rel))
        if cached is not None:
            cached.path = rel
            if not cached.facts and not cached.error:  # an extraction stored before facts were read
                from .extract.facts import read_facts

                cached.facts = read_facts(cached)
            try:
                cached.size = path.stat().st_size
            except OSError:  # vanished after it was read: recorded as read
                pass
            store.save_document(cached, extraction_key(rel), mtime_ns=mtime_of(rel))
            not_extracted(rel, cached.error)
            continue
        todo.append((str(path), rel, digest))

    def record(doc: Document, seconds: float, cache: bool = True) -> None:
        store.save_document(doc, extraction_key(doc.path), seconds, cache=cache, mtime_ns=mtime_of(doc.path))
        stats.extracted += 1
        if doc.error:
            stats.errors += 1
            stats.failed.append((doc.path, doc.error))
        if progress:
            progress(1)

    if todo:
        # the largest first (by the folder's listing), so that no long document starts last
        todo.sort(key=lambda job: found.stamps.get(job[1], (0, 0))[0], reverse=True)
        with closing((executor or LocalPool(workers)).extract(todo, budget, budget.hard_seconds)) as outcomes:
            for (path, rel, digest), outcome in outcomes:
                # the boundary of one file in a worker process (killed for its seconds, dead of its memory, a result
                # that cannot be sent back): the file is recorded with that error, the run goes on; not cached, so
                # a run with a larger budget reads it again
                if isinstance(outcome, BaseException):
                    record(Document(path=rel, sha256=digest, error=_killed(outcome, budget)), 0.0, cache=False)
                else:
                    doc, seconds, cacheable = outcome
                    record(doc, seconds, cache=cacheable)
    stats.removed = store.forget_missing([rel for _, rel in files] + [entry.rel for entry in skipped])
    stats.seconds = time.perf_counter() - start
    return stats


class InputError(ValueError):
    """A file the user gave (declared values, tariff schedule) that cannot be read: a usage error (exit 2), said in
    one line with the option and the file."""


def load_inputs(declared: Path | None = None, tariff: Path | None = None):
    """The declared entries and the tariff schedule the user supplies, read and checked (``InputError`` when one
    cannot be used)."""
    import csv

    declared_entries = tariff_table = None
    for option, path in (("--declared", declared), ("--tariff", tariff)):
        if path is None:
            continue
        try:
            if option == "--declared":
                from .audit.link import load_declared_csv

                declared_entries = load_declared_csv(path)
            else:
                from .audit.revenue import load_tariff

                tariff_table = load_tariff(path)
        except (OSError, ValueError, csv.Error) as exc:  # UnicodeDecodeError is a ValueError
            message = str(exc).replace("\n", " ")
            if str(path) in message:  # the loader's message names the file already
                message = message.replace(f"{path}: ", "")
            raise InputError(f"{option} {path}: {message}") from exc
    return declared_entries, tariff_table


def save_result(store: Store, result) -> None:
    """Store an audit's entries, findings and rule failures with the entries' totals (money two findings share
    counted once, with the findings they were computed over), in one transaction."""
    totals = getattr(result, "entry_totals", {}) or {}
    store.save_audit(result.entries, result.findings, result.errors, meta={"entry_totals": json.dumps({
        k: {**v, "finding_ids": sorted(f.id for f in result.findings if f.entry_number == k)}
        for k, v in totals.items()})})


def audit_store(store: Store, declared: Path | None = None, tariff: Path | None = None,
                rates: dict[str, Decimal] | None = None) -> AuditSummary:
    """Link the stored documents into entries, run the rules, and store entries and findings."""
    from .audit import audit

    documents = [d for d in store.documents() if not d.error]
    declared_entries, tariff_table = load_inputs(declared, tariff)
    kwargs = {"declared": declared_entries, "tariff": tariff_table}
    if rates:
        kwargs["rates"] = rates
    result = audit(documents, **kwargs)
    save_result(store, result)
    findings = store.findings()  # with reviewers' decisions re-applied
    return AuditSummary(result.entries, findings, getattr(result, "entry_totals", {}) or {}, list(result.errors))


@dataclass
class RunSummary:
    scan: ScanStats
    audit: AuditSummary
    documents: list[Document]
    interrupted: list[str] = field(default_factory=list)  # start times of earlier runs that never finished
    scanned: set[str] = field(default_factory=set)  # the paths of the documents of the folder this run scanned
    outside: int = 0  # entries of other folders of the database left out (a review of one folder)
    tariff_note: str | None = None  # the tariff schedule found in the folder and used (or why not)


def run(root: Path, db: Path | str, workers: int | None = None, declared: Path | None = None,
        tariff: Path | None = None, progress: Callable[[int], None] | None = None, wait: float = 0.0,
        budget: Budget | None = None, rehash: bool = False, executor: Executor | None = None) -> RunSummary:
    """Scan ``root`` into the database ``db``, then audit the whole database (every folder scanned into it).

    One run at a time holds the database (``DatabaseBusy`` at once, or after waiting ``wait`` seconds); a run
    killed at any moment is completed by the next one, which reports it as interrupted.
    """
    load_inputs(declared, tariff)  # a file the user gave that cannot be read stops the run before any work
    note = None
    if tariff is None:
        tariff, note = folder_tariff(root)
    with RunLock(db, wait):
        store = Store(db)
        try:
            run_id, interrupted = store.start_run(location_of(root))
            stats = scan(root, store, workers=workers, progress=progress, budget=budget, rehash=rehash,
                         executor=executor)
            summary = audit_store(store, declared=declared, tariff=tariff)
            documents = store.documents()
            store.finish_run(run_id, {"seen": stats.seen, "extracted": stats.extracted, "cached": stats.cached,
                                      "errors": stats.errors, "removed": len(stats.removed), "skipped": len(stats.skipped),
                                      "entries": len(summary.entries), "findings": len(summary.findings),
                                      "rule_errors": len(summary.errors)})
            return RunSummary(stats, summary, documents, interrupted, store.paths_in_scope(), tariff_note=note)
        finally:
            store.close()


TARIFF_NAME = "tariff.csv"


def folder_tariff(root: Path) -> tuple[Path | None, str | None]:
    """The tariff schedule the scanned folder holds at its top (a file ``tariff.csv``, else the one CSV whose header
    is a USITC HTS export), used when ``--tariff`` is not given; and what the run says about it. One that cannot be
    read is not used, and the summary says why; several candidates and no ``tariff.csv``: none is chosen."""
    import csv

    from .extract.tariff import export_columns

    root = Path(root)
    if not root.is_dir():
        return None, None
    found = []
    for p in sorted(root.iterdir()):
        if p.name.startswith(".") or not p.is_file() or p.suffix.lower() != ".csv":
            continue
        if p.name.lower() == TARIFF_NAME:
            found = [p]
            break
        try:
            with p.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
                header = next(csv.reader(fh), [])
        except (OSError, csv.Error):
            continue
        num, gen, _ = export_columns(header)
        if num and gen:
            found.append(p)
    if not found:
        return None, None
    if len(found) > 1:
        return None, (f"Tariff schedule: not used: the folder holds several ({', '.join(p.name for p in found)}); "
                      "give --tariff FILE")
    try:
        load_inputs(None, found[0])
    except InputError as exc:
        why = str(exc).removeprefix(f"--tariff {found[0]}: ")
        return None, f"Tariff schedule: {path_text(found[0].name)} in the folder not used: {why}"
    return found[0], f"Tariff schedule: {path_text(found[0].name)} (found in the folder; --tariff not given)"


SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}


def at_or_above(findings: Iterable[Finding], threshold: str) -> list[Finding]:
    """The findings asserted (open or accepted; not dismissed, not to be verified) whose severity is at or above
    ``threshold``."""
    floor = SEVERITY_RANK[threshold]
    return [f for f in findings if f.counted and SEVERITY_RANK.get(f.severity, 3) >= floor]


def review(root: Path, db: Path | str | None = None, workers: int | None = None, declared: Path | None = None,
           tariff: Path | None = None, wait: float = 0.0, budget: Budget | None = None,
           progress: Callable[[int], None] | None = None, rehash: bool = False,
           executor: Executor | None = None) -> RunSummary:
    """A broker's check of one shipment folder before filing: the main job on a throwaway database unless
    ``db`` is given (then decisions recorded there are kept, and the other folders' documents too)."""
    import tempfile

    if db is not None:  # an engagement database: the verdict is this folder's, whatever other folders hold
        return within_folder(run(root, db, workers=workers, declared=declared, tariff=tariff, wait=wait,
                                 budget=budget, progress=progress, rehash=rehash, executor=executor))
    with tempfile.TemporaryDirectory(prefix="appraiser-review-") as tmp:
        return run(root, Path(tmp) / "review.db", workers=workers, declared=declared, tariff=tariff, budget=budget,
                   progress=progress, executor=executor)


def within_folder(result: RunSummary) -> RunSummary:
    """A run's results for its own folder only: the entries that hold one of its documents, their findings (and
    any finding whose evidence is one of its documents), their totals and its documents. The other folders of the
    database are counted in ``outside``, not shown and not judged."""
    mine = result.scanned
    entries = [e for e in result.audit.entries if mine.intersection(e.documents)]
    numbers = {e.entry_number for e in entries}
    findings = [f for f in result.audit.findings
                if f.entry_number in numbers or any(ev.path in mine for ev in f.evidence)]
    totals = {k: v for k, v in result.audit.entry_totals.items() if k in numbers}
    audit = AuditSummary(entries, findings, totals, result.audit.errors)
    return RunSummary(result.scan, audit, [d for d in result.documents if d.path in mine], result.interrupted,
                      mine, len(result.audit.entries) - len(entries), result.tariff_note)


def default_reviewer() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):  # no login name (no passwd entry, no pwd module) in this environment
        return "reviewer"


def filter_findings(findings: Iterable[Finding], status: Iterable[str] = (), codes: Iterable[str] = (),
                    entries: Iterable[str] = (), severity: str | None = None) -> list[Finding]:
    """Findings by status, code, entry number (compared on letters and digits) and minimum severity."""
    from .extract.normalize import id_key

    status, codes = set(status), {c.upper() for c in codes}
    wanted = {id_key(e) for e in entries}
    out = []
    for f in findings:
        if status and f.status not in status or codes and f.code not in codes:
            continue
        if wanted and id_key(f.entry_number) not in wanted:
            continue
        if severity and SEVERITY_RANK.get(f.severity, 3) < SEVERITY_RANK[severity]:
            continue
        out.append(f)
    return out


def finding_lines(findings: Sequence[Finding]) -> Iterable[str]:
    """One block per finding: id, status and decision, code, entry, line, loss, title."""
    if not findings:
        yield "No findings."
        return
    for f in findings:
        decided = f" by {f.reviewer} at {f.reviewed_at}" if f.reviewer else ""
        yield (f"{f.id}  [{f.status}{decided}]  {f.severity:<6} {f.code}  entry {f.entry_number}"
               + (f" line {f.line_no}" if f.line_no else "") + f"  loss USD {q2(f.loss_of_revenue):,}")
        yield f"    {f.title}"
        if f.reason:
            yield f"    reason: {f.reason}"
        for what in f.verify:
            yield f"    to verify: {what}"
    open_, acc, dis, tv = (sum(1 for f in findings if f.status == s)
                           for s in ("open", "accepted", "dismissed", "to_verify"))
    live = q2(sum((f.loss_of_revenue for f in findings if f.counted), Decimal(0)))
    yield f"{len(findings)} findings: {open_} open, {acc} accepted, {dis} dismissed, {tv} to verify; loss of revenue " \
          f"USD {live:,} (dismissed and to-verify left out; per finding, before money shared between findings is " \
          "counted once)"


def summary_lines(result: RunSummary) -> Iterable[str]:
    """The terminal summary of a run: documents by type, errors, entries, findings by code with their loss."""
    s = result.scan
    for started in result.interrupted:
        yield f"The run started at {started} was interrupted; this run has done its work."
    yield (f"Scanned {s.seen} files: extracted {s.extracted}, unchanged {s.cached} "
           f"(not extracted again), errors {s.errors}" + (f", skipped {len(s.skipped)}" if s.skipped else "")
           + f", in {s.seconds:.1f} s")
    yield from removed_lines(s)
    if result.tariff_note:
        yield result.tariff_note
    by_type = Counter(d.doc_type for d in result.documents if not d.error)
    if by_type:
        yield "Documents by type:"
        for t, n in sorted(by_type.items()):
            scanned = sum(1 for d in result.documents if d.doc_type == t and d.ocr and not d.error)
            yield f"  {t:<24}{n:>5}" + (f"  ({scanned} scanned)" if scanned else "")
    if s.failed:
        yield "Files with errors (recorded, run went on):"
        for rel, err in sorted(s.failed):
            yield f"  {rel}: {err}"
    if s.skipped:
        yield "Skipped (never opened; recorded with the reason):"
        for rel, reason in sorted(s.skipped):
            yield f"  {rel}: {reason}"
    warned = [(d.path, w) for d in result.documents for w in (d.warnings or [])]
    if warned:
        yield "Document warnings (read, but check these):"
        for rel, w in sorted(warned):
            yield f"  {rel}: {w}"
    a = result.audit
    yield from rule_error_lines(a.errors)
    yield f"Entries: {len(a.entries)}" + (f" (and {result.outside} {'entry' if result.outside == 1 else 'entries'} of other folders of the database, "
                                          "not part of this review)" if result.outside else "")
    for e in a.entries:
        yield f"  {e.entry_number}: {_count(len(e.documents), 'document')}, {_count(len(e.lines), 'line')}"
    live = [f for f in a.findings if f.counted]
    dismissed = sum(1 for f in a.findings if f.status == "dismissed")
    unsure = [f for f in a.findings if f.status == "to_verify"]
    if unsure:
        yield f"To verify: {len(unsure)} (the evidence is too weak to assert them; counted in no total)"
        for f in unsure:
            yield f"  {f.code} entry {f.entry_number}" + (f" line {f.line_no}" if f.line_no else "") + f"  (id {f.id})"
            for what in f.verify:
                yield f"    check: {what}"
    if not live:
        yield "Findings: none" + (f" ({dismissed} dismissed, left out)" if dismissed else "")
        return
    yield f"Findings: {len(live)}" + (f" ({dismissed} dismissed, left out)" if dismissed else "")
    by_code: dict[str, list[Finding]] = {}
    for f in live:
        by_code.setdefault(f.code, []).append(f)
    for code in sorted(by_code):
        fs = by_code[code]
        if fs[0].direction == "overpaid":
            from .audit.overpaid import refund_of

            yield f"  {code:<32}{len(fs):>4}   refund due USD {q2(sum((refund_of(f) for f in fs), Decimal(0))):,}"
            continue
        loss = q2(sum((f.loss_of_revenue for f in fs), Decimal(0)))
        yield f"  {code:<32}{len(fs):>4}   loss of revenue USD {loss:,}"
    for f in live:
        yield ""
        yield (f"  [{f.severity}] {f.code} entry {f.entry_number}" + (f" line {f.line_no}" if f.line_no else "")
               + f"  ({f.status}, id {f.id})")
        yield f"    {f.title}"
        yield f"    {f.legal_basis}"
        if f.direction == "overpaid":
            yield (f"    duty refundable {q2(-f.duty_delta):,}  fees refundable {q2(-f.fees_delta):,}"
                   "  (a refund due: no loss of revenue, not netted)")
        else:
            yield (f"    value +{q2(f.value_delta):,}  duty +{q2(f.duty_delta):,}  fees +{q2(f.fees_delta):,}"
                   f"  loss of revenue USD {q2(f.loss_of_revenue):,}" + ("  (rate unknown)" if f.rate_unknown else ""))
        if f.revenue is not None:
            from .audit.revenue import describe

            yield f"    money: {describe(f.revenue)}"
        for step in f.arithmetic:
            yield f"      {step}"
        for e in f.evidence[:3]:
            yield f"    evidence: {e.path}, page {e.page}: {e.text[:80]}"
    yield ""
    total = q2(sum((Decimal(t.get("loss_of_revenue", 0)) for t in a.entry_totals.values()), Decimal(0))) \
        if a.entry_totals and not dismissed else q2(sum((f.loss_of_revenue for f in live if f.status != "to_verify"),
                                                        Decimal(0)))
    shared = any(t.get("counted_once") for t in a.entry_totals.values())
    from .audit.completeness import gaps, with_note

    yield with_note(f"Total loss of revenue: USD {total:,}" + (
        " (money that two findings touch counted once)" if shared else ""),
        gaps(f for f in live if f.status != "to_verify").loss_note())
    yield from refund_lines(a.findings, a.entries)


def refund_lines(findings: Sequence[Finding], entries: Sequence[Entry], as_of=None) -> Iterable[str]:
    """The run summary's "Refunds due": each overpayment with its remedy and deadline on ``as_of`` (today), and
    their total, apart from the loss of revenue (a refund never offsets it)."""
    from .audit.overpaid import refunds, refunds_total

    rows = refunds(findings, {e.entry_number: e for e in entries}, as_of)
    if not rows:
        return
    yield f"Refunds due (overpayments, not netted against the loss): {len(rows)}"
    for r in rows:
        yield (f"  {r.code} entry {r.entry_number}" + (f" line {r.line_no}" if r.line_no else "")
               + f": USD {r.refund:,}  remedy {(r.remedy or 'undetermined').replace('_', ' ')}"
               + (f" by {r.deadline}" if r.deadline else "") + f"  ({r.triage_status or 'no entry date'})")
    yield f"Total refunds due: USD {refunds_total(rows):,}"


def removed_lines(stats: ScanStats) -> Iterable[str]:
    """The documents a scan dropped because their files are gone from the scanned folder; nothing when none."""
    if stats.removed:
        yield f"Removed {_count(len(stats.removed), 'document')} no longer in {stats.root}:"
        for path in stats.removed:
            yield f"  {path}"


TOOL_FAILURE = 3  # exit code: a rule failed, so the findings are incomplete (SPEC §3: a failure of the tool)


def rule_error_lines(errors: Sequence[RuleError]) -> Iterable[str]:
    """The rules that failed, one line each; nothing when none did."""
    if not errors:
        return
    yield (f"RULES FAILED: {len(errors)} (a defect of the tool: their findings are missing and the totals "
           "below are incomplete):")
    for e in errors:
        yield f"  {e.code} on entry {e.entry_number}: {e.error_type}: {e.message}"


def progress_stream() -> bool:
    return sys.stderr.isatty()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
