"""The main job as a Python API: scan a folder into the store, link and audit, summarise.

The CLI is a thin layer over these functions; tests call them directly.
"""
from __future__ import annotations

import fnmatch
import json
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .extract import EXTRACTOR_VERSION, extract_file, sha256_of
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


@dataclass
class AuditSummary:
    entries: list[Entry]
    findings: list[Finding]
    entry_totals: dict[str, dict] = field(default_factory=dict)
    errors: list[RuleError] = field(default_factory=list)  # rules that failed: the tool's own failure (exit 3)


def _ignore_patterns(root: Path) -> list[str]:
    f = root / IGNORE_FILE
    if not f.is_file():
        return []
    lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def discover(root: Path) -> list[tuple[Path, str]]:
    """Every file under ``root`` to scan, as (path, relative '/'-separated path), sorted.

    Hidden files and folders are skipped, and so are the patterns listed in ``.appraiserignore``
    (fnmatch, against the relative path or the file name), so that notes kept beside the documents are not read.
    """
    patterns = _ignore_patterns(root)
    out: list[tuple[Path, str]] = []
    if root.is_file():
        return [(root, path_text(root.name))]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            p = Path(dirpath) / name
            rel = path_text(p.relative_to(root).as_posix())  # any bytes a name holds, stored losslessly
            if any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat) for pat in patterns):
                continue
            out.append((p, rel))
    return out


def _extract_job(args: tuple[str, str, str]) -> tuple[Document, float]:
    path, rel, digest = args
    return extract_file(Path(path), rel, digest)


def _worker_ignores_ctrl_c() -> None:
    """Ctrl-C is the parent's to handle (it stops the workers): a worker interrupted mid-task or mid-queue would
    leave the pool waiting for it."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def scan(root: Path, store: Store, workers: int | None = None,
         progress: Callable[[int], None] | None = None, only: set[str] | None = None) -> ScanStats:
    """Extract every new or changed file under ``root`` into ``store``; unchanged content is never re-read.

    ``only`` limits the scan to those relative paths (evaluation reads just the documents a truth lists).
    Documents of other folders in the store are left alone: only files gone from ``root`` are dropped.
    """
    import time

    start = time.perf_counter()
    stats = ScanStats(root=path_text(str(root)))
    store.enter(root)  # documents are known by their location; the database's base folder takes ``root`` in
    own = store.own_files()  # a database kept in the folder it scans is not a document
    files = [(p, rel) for p, rel in discover(root) if os.path.realpath(p) not in own]
    if only is not None:
        files = [(p, rel) for p, rel in files if rel in only]
    stats.seen = len(files)
    todo: list[tuple[str, str, str]] = []
    for path, rel in files:
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
        cached = store.cached(digest, EXTRACTOR_VERSION)
        if cached is not None:
            cached.path = rel
            if not cached.facts and not cached.error:  # an extraction stored before facts were read
                from .extract.facts import read_facts

                cached.facts = read_facts(cached)
            cached.size = path.stat().st_size
            store.save_document(cached, EXTRACTOR_VERSION)
            stats.cached += 1
            if cached.error:
                stats.errors += 1
                stats.failed.append((rel, cached.error))
            if progress:
                progress(1)
            continue
        todo.append((str(path), rel, digest))

    def record(doc: Document, seconds: float) -> None:
        store.save_document(doc, EXTRACTOR_VERSION, seconds)
        stats.extracted += 1
        if doc.error:
            stats.errors += 1
            stats.failed.append((doc.path, doc.error))
        if progress:
            progress(1)

    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(todo) <= 1:
        for job in todo:
            record(*_extract_job(job))
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo)), initializer=_worker_ignores_ctrl_c) as pool:
            futures = {pool.submit(_extract_job, job): job for job in todo}
            try:
                for fut in as_completed(futures):
                    path, rel, digest = futures[fut]
                    try:
                        record(*fut.result())
                    # the boundary of one file in a worker process (a worker that died, a result that cannot be
                    # unpickled): the file is recorded with the error's type, the run goes on
                    except Exception as exc:
                        record(Document(path=rel, sha256=digest, error=f"extraction failed: {exc!r}"), 0.0)
            except KeyboardInterrupt:  # Ctrl-C: stop the workers now, not after the files still to extract
                running = list((getattr(pool, "_processes", None) or {}).values())
                pool.shutdown(wait=False, cancel_futures=True)
                for proc in running:
                    proc.terminate()
                raise
    stats.removed = store.forget_missing(rel for _, rel in files)
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
    # with the entries' totals (money two findings share counted once), for the findings they were computed over
    store.save_audit(result.entries, result.findings, result.errors, meta={"entry_totals": json.dumps({
        k: {**v, "finding_ids": sorted(f.id for f in result.findings if f.entry_number == k)}
        for k, v in (getattr(result, "entry_totals", {}) or {}).items()})})
    findings = store.findings()  # with reviewers' decisions re-applied
    return AuditSummary(result.entries, findings, getattr(result, "entry_totals", {}) or {}, list(result.errors))


@dataclass
class RunSummary:
    scan: ScanStats
    audit: AuditSummary
    documents: list[Document]
    interrupted: list[str] = field(default_factory=list)  # start times of earlier runs that never finished


def run(root: Path, db: Path | str, workers: int | None = None, declared: Path | None = None,
        tariff: Path | None = None, progress: Callable[[int], None] | None = None, wait: float = 0.0) -> RunSummary:
    """Scan ``root`` into the database ``db``, then audit the whole database (every folder scanned into it).

    One run at a time holds the database (``DatabaseBusy`` at once, or after waiting ``wait`` seconds); a run
    killed at any moment is completed by the next one, which reports it as interrupted.
    """
    load_inputs(declared, tariff)  # a file the user gave that cannot be read stops the run before any work
    with RunLock(db, wait):
        store = Store(db)
        try:
            run_id, interrupted = store.start_run(location_of(root))
            stats = scan(root, store, workers=workers, progress=progress)
            summary = audit_store(store, declared=declared, tariff=tariff)
            documents = store.documents()
            store.finish_run(run_id, {"seen": stats.seen, "extracted": stats.extracted, "cached": stats.cached,
                                      "errors": stats.errors, "removed": len(stats.removed),
                                      "entries": len(summary.entries), "findings": len(summary.findings),
                                      "rule_errors": len(summary.errors)})
            return RunSummary(stats, summary, documents, interrupted)
        finally:
            store.close()


SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}


def at_or_above(findings: Iterable[Finding], threshold: str) -> list[Finding]:
    """The findings asserted (open or accepted; not dismissed, not to be verified) whose severity is at or above
    ``threshold``."""
    floor = SEVERITY_RANK[threshold]
    return [f for f in findings if f.counted and SEVERITY_RANK.get(f.severity, 3) >= floor]


def review(root: Path, db: Path | str | None = None, workers: int | None = None, declared: Path | None = None,
           tariff: Path | None = None, wait: float = 0.0) -> RunSummary:
    """A broker's check of one shipment folder before filing: the main job on a throwaway database unless
    ``db`` is given (then decisions recorded there are kept, and the other folders' documents too)."""
    import tempfile

    if db is not None:
        return run(root, db, workers=workers, declared=declared, tariff=tariff, wait=wait)
    with tempfile.TemporaryDirectory(prefix="appraiser-review-") as tmp:
        return run(root, Path(tmp) / "review.db", workers=workers, declared=declared, tariff=tariff)


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
           f"(not extracted again), errors {s.errors}, in {s.seconds:.1f} s")
    yield from removed_lines(s)
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
    warned = [(d.path, w) for d in result.documents for w in (d.warnings or [])]
    if warned:
        yield "Document warnings (read, but check these):"
        for rel, w in sorted(warned):
            yield f"  {rel}: {w}"
    a = result.audit
    yield from rule_error_lines(a.errors)
    yield f"Entries: {len(a.entries)}"
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
        loss = q2(sum((f.loss_of_revenue for f in fs), Decimal(0)))
        yield f"  {code:<32}{len(fs):>4}   loss of revenue USD {loss:,}"
    for f in live:
        yield ""
        yield (f"  [{f.severity}] {f.code} entry {f.entry_number}" + (f" line {f.line_no}" if f.line_no else "")
               + f"  ({f.status}, id {f.id})")
        yield f"    {f.title}"
        yield f"    {f.legal_basis}"
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
    yield f"Total loss of revenue: USD {total:,}" + (
        " (money that two findings touch counted once)" if shared else "")


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
