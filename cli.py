"""The ``appraiser`` command: a thin layer over ``pipeline`` and the store."""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import pipeline
from .models.fold import printable
from .models.store import ReasonRequired, RunLock, Store, StoreError

DEFAULT_DB = "appraiser.db"

db_option = click.option("--db", "db", default=DEFAULT_DB, show_default=True,
                         type=click.Path(dir_okay=False, path_type=Path), help="The SQLite database.")
wait_option = click.option("--wait", "wait", type=click.FloatRange(min=0), default=0, metavar="SECONDS",
                           help="When another run holds the database, wait this long for it (default: refuse at once).")
workers_option = click.option("--workers", type=click.IntRange(min=1), default=None,
                              help="Processes for extraction (default: all cores).")
rehash_option = click.option("--rehash", is_flag=True,
                             help="Hash every file, even one whose size and modification time are those stored "
                                  "when it was read (by default it is taken as unchanged, not opened: a file "
                                  "rewritten with other bytes of the same size and time is missed without this).")
quiet_option = click.option("--quiet", "-q", is_flag=True,
                            help="No progress on standard error (by default a bar on a terminal, else a line "
                                 "every 5 s once a scan lasts that long).")


def cluster_options(f):
    """Where extraction runs: a Dask cluster's workers (``cluster``) instead of this machine's processes."""
    f = click.option("--send-bytes", is_flag=True,
                     help="With --scheduler: send each document's bytes to the workers (no shared folder needed).")(f)
    return click.option("--scheduler", default=None, metavar="tcp://HOST:8786",
                        help="Extract on the workers of this Dask scheduler (the folder at the same path on them, or "
                        "--send-bytes); the database stays here.")(f)


def _executor(scheduler: str | None, send_bytes: bool, workers: int | None):
    """The executor of the options: None (this machine's processes) or a connected ``cluster.DaskExecutor``, closed
    when the command ends; a scheduler that cannot be used is a usage error, before any work."""
    if scheduler is None:
        if send_bytes:
            _usage("--send-bytes goes with --scheduler")
        return None
    if workers is not None:
        _usage("--workers is for this machine's processes; with --scheduler the cluster's workers extract")
    from . import cluster

    try:
        return click.get_current_context().with_resource(cluster.connect(scheduler, send_bytes))
    except cluster.ClusterError as exc:
        _usage(str(exc))


class _Amount(click.ParamType):
    """A size with an optional unit (``1536M``, ``2G``; pixels ``40M``), read by ``extract.budget``."""

    def __init__(self, name: str, parse) -> None:
        self.name, self._parse = name, parse

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return self._parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def budget_options(f):
    """The options of one document's budget (``extract.budget.Budget``), defaults from it."""
    from .extract.budget import DEFAULT, MIB, parse_count, parse_size

    options = [
        click.option("--max-pages", type=click.IntRange(min=1), default=DEFAULT.max_pages, show_default=True,
                     help="Pages (or image frames) read per document; the rest are reported as not read."),
        click.option("--max-pixels", type=_Amount("pixels", parse_count), default=DEFAULT.max_pixels,
                     show_default="40M", help="Pixels of one page image, decoded or rendered (e.g. 40M)."),
        click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True), default=DEFAULT.max_seconds,
                     show_default=True, help="Seconds to extract one document; its process is killed a grace "
                     "after."),
        click.option("--max-memory", type=_Amount("size", parse_size), default=DEFAULT.max_memory,
                     show_default=f"{DEFAULT.max_memory // MIB}M",
                     help="Memory one document may take in its extraction process, beyond the readers (e.g. 1024M, 2G; at least 256M)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _budget(max_pages: int, max_pixels: int, max_seconds: float, max_memory: int):
    from .extract.budget import Budget

    try:
        return Budget(max_pages, max_pixels, max_seconds, max_memory)
    except ValueError as exc:
        _usage(str(exc))


def _usage(message: str) -> None:
    """A usage or input error: one line on standard error saying what is wrong and where, exit 2."""
    click.echo(f"Error: {printable(' '.join(str(message).splitlines()))}", err=True)
    sys.exit(2)


@contextmanager
def _writing(*targets: Path):
    """An output the user named that cannot be written (no such folder, no permission, a full disk) is said in one
    line, exit 2; an error on any other file is not the user's to fix and goes on to the guard."""
    try:
        yield
    except OSError as exc:
        where = Path(os.fsdecode(exc.filename)) if exc.filename is not None else None
        ours = where is not None and any(where == t or where.with_suffix(".md") == t.with_suffix(".md")
                                         or t in where.parents or where in t.parents for t in targets)
        if isinstance(exc, BrokenPipeError) or not ours:
            raise
        _usage(f"cannot write {where}: {exc.strerror or exc}")


def _new_db(db: Path) -> None:
    """A database to create needs a folder to go in."""
    if not db.exists() and not db.parent.is_dir():
        _usage(f"--db {db}: no folder {db.parent} to create the database in")


@contextmanager
def _open_store(db: Path, must_exist: bool = True):
    if must_exist and not db.exists():
        _usage(f"no database at {db}: run 'appraiser run PATH --db {db}' first")
    if not must_exist:
        _new_db(db)
    try:
        store = Store(db)
    except StoreError as exc:
        _usage(str(exc))
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _held(db: Path, wait: float):
    """The database held for one writing command; another run holding it is a usage error (exit 2)."""
    try:
        lock = RunLock(db, wait).acquire()
    except StoreError as exc:
        _usage(str(exc))
    try:
        yield
    finally:
        lock.release()


def _progress(path: Path, quiet: bool):
    """The scan's progress on standard error (``progress.reporter``): a bar on a terminal, else periodic lines."""
    from .progress import reporter

    return reporter(0 if quiet else len(pipeline.discover(path)), quiet=quiet, terminal=pipeline.progress_stream())


INTERRUPTED = 130  # exit code after Ctrl-C (128 + SIGINT), as a shell reports it


def _crash_log(exc: BaseException) -> str:
    """Write the traceback of an unexpected exception to a new file in the temp folder; where it went, or why it
    could not be written."""
    import datetime
    import os
    import platform
    import tempfile
    import traceback
    from importlib.metadata import PackageNotFoundError, version

    try:
        try:
            ours = version("appraiser")
        except PackageNotFoundError:
            ours = "unknown"
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        fd, name = tempfile.mkstemp(prefix=f"appraiser-error-{stamp}-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(f"appraiser {ours}, Python {platform.python_version()} on {platform.platform()}\n")
            fh.write(f"command: {sys.argv!r}\n\n")
            fh.write("".join(traceback.format_exception(exc)))
        return f"details written to {name}"
    except Exception as why:  # the report of a failure must not fail
        return f"no details written ({type(why).__name__}: {' '.join(str(why).split())})"


class _Commands(click.Group):
    """The command group, and the guard around every command: no traceback ever reaches the terminal.

    A reader that stops reading (``appraiser findings | head -2``) is not an error: exit 0. Ctrl-C: one line,
    exit 130. Any other exception is the tool's own failure: one line naming it and the log file that keeps its
    traceback, exit 3 (``pipeline.TOOL_FAILURE``). Usage errors (click's and the commands' own) keep exit 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            self._closed_pipe()
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("\nappraiser: interrupted", err=True)
            sys.exit(INTERRUPTED)
        except Exception as exc:
            log = _crash_log(exc)
            what = " ".join(str(exc).split()) or "(no message)"
            if len(what) > 300:
                what = what[:300] + "…"
            try:
                click.echo(printable(f"appraiser: internal error: {type(exc).__name__}: {what}; {log}"), err=True)
            except OSError:
                pass
            sys.exit(pipeline.TOOL_FAILURE)

    @staticmethod
    def _closed_pipe() -> None:
        import os

        # nothing more reaches the closed pipe, not even the interpreter's final flush (the recipe of the
        # Python documentation on SIGPIPE)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="appraiser")
def main() -> None:
    """Extract, link and audit U.S. customs valuation documents, offline."""


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=True, path_type=Path))
@db_option
@workers_option
@click.option("--declared", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV of declared entry lines (when the 7501s are not in the folder).")
@click.option("--tariff", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A tariff schedule CSV (USITC HTS export) for rates the 7501 does not show.")
@wait_option
@rehash_option
@quiet_option
@budget_options
@cluster_options
def run(path: Path, db: Path, workers: int | None, declared: Path | None, tariff: Path | None, wait: float,
        rehash: bool, quiet: bool, max_pages: int, max_pixels: int, max_seconds: float, max_memory: int,
        scheduler: str | None, send_bytes: bool) -> None:
    """Scan PATH, link its documents into entries, audit the whole database and summarise."""
    budget = _budget(max_pages, max_pixels, max_seconds, max_memory)
    _check_inputs(declared, tariff)
    executor = _executor(scheduler, send_bytes, workers)
    _new_db(db)
    try:
        Store(db).close()
    except StoreError as exc:
        _usage(str(exc))
    try:
        with _progress(path, quiet) as tick:
            result = pipeline.run(path, db, workers=workers, declared=declared, tariff=tariff, progress=tick,
                                  wait=wait, budget=budget, rehash=rehash, executor=executor)
    except StoreError as exc:  # another run holds the database (DatabaseBusy), or its lock cannot be made
        _usage(str(exc))
    for line in pipeline.summary_lines(result):
        click.echo(printable(line))
    _exit_on_rule_errors(result.audit.errors)


def _check_inputs(declared: Path | None, tariff: Path | None) -> None:
    """A declared-values or tariff file that cannot be read is a usage error: one line, exit 2, before any work."""
    try:
        pipeline.load_inputs(declared, tariff)
    except pipeline.InputError as exc:
        _usage(str(exc))


def _exit_on_rule_errors(errors) -> None:
    """A rule that failed is the tool's own failure (SPEC §3): say so and exit 3, whatever the findings."""
    if errors:
        click.echo(f"Error: {len(errors)} rule run(s) failed; the findings are incomplete "
                   f"(first: {errors[0]}).", err=True)
        sys.exit(pipeline.TOOL_FAILURE)


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=True, path_type=Path))
@click.option("--fail-on", type=click.Choice(["high", "medium", "low", "none"]), default="high", show_default=True,
              help="Exit 1 when a finding of this severity or above stands ('none': never).")
@click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Keep the results in this database (default: a throwaway one).")
@workers_option
@click.option("--declared", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV of declared entry lines, when the folder holds no draft 7501.")
@click.option("--tariff", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A tariff schedule CSV (USITC HTS export) for rates the 7501 does not show.")
@wait_option
@rehash_option
@quiet_option
@budget_options
@cluster_options
def review(path: Path, fail_on: str, db: Path | None, workers: int | None, declared: Path | None,
           tariff: Path | None, wait: float, rehash: bool, quiet: bool, max_pages: int, max_pixels: int,
           max_seconds: float, max_memory: int, scheduler: str | None, send_bytes: bool) -> None:
    """Check one shipment folder before filing: print the findings; exit 1 at or above --fail-on, 3 when a rule
    failed (the review is incomplete)."""
    budget = _budget(max_pages, max_pixels, max_seconds, max_memory)
    _check_inputs(declared, tariff)
    executor = _executor(scheduler, send_bytes, workers)
    if db is not None:
        _new_db(db)
        try:
            Store(db).close()
        except StoreError as exc:
            _usage(str(exc))
    try:
        with _progress(path, quiet) as tick:
            result = pipeline.review(path, db=db, workers=workers, declared=declared, tariff=tariff, wait=wait,
                                     budget=budget, progress=tick, rehash=rehash, executor=executor)
    except StoreError as exc:  # another run holds the database (DatabaseBusy), or its lock cannot be made
        _usage(str(exc))
    if not result.audit.entries:
        click.echo("No entry found: put the draft 7501 in the folder or pass --declared CSV.", err=True)
    for line in pipeline.summary_lines(result):
        click.echo(printable(line))
    _exit_on_rule_errors(result.audit.errors)
    if fail_on != "none":
        blocking = pipeline.at_or_above(result.audit.findings, fail_on)
        if blocking:
            click.echo(f"Review: {len(blocking)} finding(s) at or above '{fail_on}': fix before filing.", err=True)
            sys.exit(1)
        click.echo(f"Review: nothing at or above '{fail_on}'.", err=True)


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=True, path_type=Path))
@db_option
@workers_option
@wait_option
@rehash_option
@quiet_option
@budget_options
@cluster_options
def scan(path: Path, db: Path, workers: int | None, wait: float, rehash: bool, quiet: bool, max_pages: int,
         max_pixels: int, max_seconds: float, max_memory: int, scheduler: str | None, send_bytes: bool) -> None:
    """Extract the documents under PATH into the database (no audit)."""
    budget = _budget(max_pages, max_pixels, max_seconds, max_memory)
    executor = _executor(scheduler, send_bytes, workers)
    _new_db(db)
    with _held(db, wait), _open_store(db, must_exist=False) as store:
        with _progress(path, quiet) as tick:
            stats = pipeline.scan(path, store, workers=workers, progress=tick, budget=budget, rehash=rehash,
                                  executor=executor)
    click.echo(f"Scanned {stats.seen} files: extracted {stats.extracted}, unchanged {stats.cached} "
               f"(not extracted again), errors {stats.errors}"
               + (f", skipped {len(stats.skipped)}" if stats.skipped else ""))
    for line in pipeline.removed_lines(stats):
        click.echo(printable(line))
    for rel, err in stats.failed:
        click.echo(printable(f"  {rel}: {err}"))
    for rel, reason in stats.skipped:
        click.echo(printable(f"  {rel}: skipped: {reason}"))


@main.command()
@db_option
@click.option("--declared", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tariff", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@wait_option
def audit(db: Path, declared: Path | None, tariff: Path | None, wait: float) -> None:
    """Link and audit the documents already in the database."""
    _check_inputs(declared, tariff)
    if not db.exists():
        _usage(f"no database at {db}: run 'appraiser run PATH --db {db}' first")
    with _held(db, wait), _open_store(db) as store:
        summary = pipeline.audit_store(store, declared=declared, tariff=tariff)
    for line in pipeline.rule_error_lines(summary.errors):
        click.echo(printable(line))
    click.echo(f"Entries: {len(summary.entries)}; findings: {len(summary.findings)}")
    for f in summary.findings:
        click.echo(f"  [{f.severity}] {f.code} {f.entry_number} loss USD {f.loss_of_revenue:,.2f} ({f.id})")
    _exit_on_rule_errors(summary.errors)


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("--no-provenance", is_flag=True, help="Leave out the per-field provenance blocks.")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="The date the export's liquidation triage is judged on (default: today).")
def export(db: Path, fmt: str, no_provenance: bool, as_of: str | None) -> None:
    """Print the export document (SPEC §4) to standard output."""
    from .audit.triage import triage_json

    day = _as_of(as_of)
    with _open_store(db) as store:
        doc = store.export(with_provenance=not no_provenance)
        doc["triage"] = triage_json(store.entries(), day, store.findings())
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))


@main.command()
@db_option
@click.option("--status", type=click.Choice(["open", "accepted", "dismissed", "to_verify"]), multiple=True,
              help="Only findings with this status (repeatable).")
@click.option("--code", multiple=True, help="Only this finding code (repeatable).")
@click.option("--entry", "entry_numbers", multiple=True, help="Only this entry number (repeatable).")
@click.option("--severity", type=click.Choice(["high", "medium", "low"]), default=None,
              help="Only findings of this severity or above.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--history", "with_history", is_flag=True,
              help="Show every decision taken on each finding, oldest first (who, when, what, why, what it replaced).")
def findings(db: Path, status: tuple[str, ...], code: tuple[str, ...], entry_numbers: tuple[str, ...],
             severity: str | None, as_json: bool, with_history: bool) -> None:
    """List the findings with their status, filtered."""
    from .audit.rules import BY_CODE
    from .models.fold import id_key

    unknown = [c for c in code if c not in BY_CODE]
    if unknown:
        _usage(f"--code {unknown[0]}: no such finding code (see 'appraiser rules')")
    with _open_store(db) as store:
        if entry_numbers:
            held = {id_key(e.entry_number) for e in store.entries()}
            missing = [n for n in entry_numbers if id_key(n) not in held]
            if missing:
                _usage(f"--entry {missing[0]}: no such entry in the database")
        chosen = pipeline.filter_findings(store.findings(), status=status, codes=code, entries=entry_numbers,
                                          severity=severity)
        history = store.history(f.id for f in chosen) if with_history else {}
    if as_json:
        click.echo(json.dumps([{**f.to_json(), **({"history": [h.to_json() for h in history.get(f.id, [])]}
                                                    if with_history else {})} for f in chosen],
                              indent=2, ensure_ascii=False))
        return
    if not with_history or not chosen:
        for line in pipeline.finding_lines(chosen):
            click.echo(printable(line))
        return
    for f in chosen:  # each finding's block, then its decisions; the count line once, at the end
        for line in list(pipeline.finding_lines([f]))[:-1]:
            click.echo(printable(line))
        entries = history.get(f.id, [])
        click.echo(printable("    history: " + ("no decision taken" if not entries else f"{len(entries)} decision(s)")))
        for h in entries:
            click.echo(printable(f"      {h.line()}"))
    click.echo(printable(list(pipeline.finding_lines(chosen))[-1]))


def _decide(db: Path, ids: tuple[str, ...], status: str, reviewer: str | None, reason: str | None) -> None:
    """Record one decision per finding (appended to its history); a decision that replaces another says which."""
    with _open_store(db) as store:
        known = {f.id: f for f in store.findings()}
        unknown = [i for i in ids if i not in known]
        if unknown:
            _usage(f"no such finding: {', '.join(unknown)} (see 'appraiser findings')")
        if status != "dismissed" and not (reason and reason.strip()):  # overturning a dismissal needs a reason
            dismissed = [i for i in ids if known[i].status == "dismissed"]
            if dismissed:  # before any is recorded; the store checks again as it records each
                first = dismissed[0]
                decisions = store.history([first]).get(first) or [None]
                _usage(str(ReasonRequired(first, status, decisions[-1])))
        done, gone = [], []
        for i in ids:
            try:
                d = store.record_decision(i, status, reviewer, reason, overturn_needs_reason=True)
            except ReasonRequired as exc:  # dismissed by another reviewer since it was checked
                _usage(str(exc))
            (done if d is not None else gone).append((i, d))
        if gone:  # replaced by a run's audit since they were listed
            _usage(f"no such finding any more: {', '.join(i for i, _ in gone)} (a run has just re-audited; see "
                   "'appraiser findings')")
    click.echo(f"{status}: {len(ids)} finding{'s' if len(ids) != 1 else ''}")
    for i, d in done:
        if d.replaced is not None:
            click.echo(printable(f"  {i}: {status} (was {d.replaced.describe()})"))


@main.command()
@click.argument("ids", nargs=-1, required=True)
@db_option
@click.option("--reviewer", default=None, help="Who decided (default: the login name).")
@click.option("--reason", default=None, help="Why (optional, but required to accept a dismissed finding).")
def accept(ids: tuple[str, ...], db: Path, reviewer: str | None, reason: str | None) -> None:
    """Accept findings by id: they go into the disclosure draft."""
    _decide(db, ids, "accepted", reviewer or pipeline.default_reviewer(), reason)


@main.command()
@click.argument("ids", nargs=-1, required=True)
@db_option
@click.option("--reason", required=True, help="Why the finding does not hold.")
@click.option("--reviewer", default=None, help="Who decided (default: the login name).")
def dismiss(ids: tuple[str, ...], db: Path, reason: str, reviewer: str | None) -> None:
    """Dismiss findings by id, with a reason: they leave every total, report and draft."""
    if not reason.strip():
        _usage("--reason must say why")
    _decide(db, ids, "dismissed", reviewer or pipeline.default_reviewer(), reason)


@main.command()
@click.argument("ids", nargs=-1, required=True)
@db_option
@click.option("--reviewer", default=None, help="Who decided (default: the login name).")
@click.option("--reason", default=None, help="Why (required to reopen a dismissed finding).")
def reopen(ids: tuple[str, ...], db: Path, reviewer: str | None, reason: str | None) -> None:
    """Put findings back to open."""
    _decide(db, ids, "open", reviewer or pipeline.default_reviewer(), reason)


_FILE_SUFFIXES = {".html", ".htm", ".xlsx", ".xls", ".csv", ".docx", ".doc", ".md", ".json", ".pdf", ".txt", ".zip"}


def _tender_date(value: str | None):
    """The --tender-date option as a date (default: today); a malformed one is a usage error."""
    from datetime import date

    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        _usage(f"--tender-date {value}: not a date; give it as YYYY-MM-DD (e.g. 2026-03-31)")


tender_date_option = click.option("--tender-date", "tender_date", default=None, metavar="YYYY-MM-DD",
                                  help="The date interest (19 U.S.C. 1505(c)) runs to (default: today).")
interest_rates_option = click.option(
    "--interest-rates", "interest_rates", default=None, metavar="FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Quarters of the IRS underpayment rate after the shipped table's last one, from CBP's notices: a CSV with "
         "the columns from, to, rate, source (or JSON shaped like the shipped table). They extend the table; they "
         "never change a shipped quarter.")


def _rates(path: Path | None):
    """The interest rate table: the shipped one, extended by the --interest-rates file (a bad file: exit 2)."""
    if path is None:
        return None
    from .audit import interest

    try:
        return interest.extended(path)
    except interest.RatesFileError as exc:
        _usage(f"--interest-rates {exc}")


@main.command()
@db_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("report"),
              show_default=True, help="The folder to write report.html, schedule.xlsx and schedule.csv into.")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Where the documents are (default: the folder of the latest run), for the evidence crops.")
@tender_date_option
@interest_rates_option
def report(db: Path, out: Path, root: Path | None, tender_date: str | None, interest_rates: Path | None) -> None:
    """Write the HTML report (with evidence crops) and the loss-of-revenue schedule (XLSX and CSV)."""
    from .audit.report import write_report

    if out.suffix.lower() in _FILE_SUFFIXES:
        _usage(f"--out {out}: the folder to write report.html, schedule.xlsx and schedule.csv into, not a file "
               f"(e.g. --out {out.with_suffix('')})")
    tender = _tender_date(tender_date)
    rates = _rates(interest_rates)
    with _open_store(db) as store, _writing(out):
        paths = write_report(store, out, str(root) if root else None, tender, rates)
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}")


@main.command()
@db_option
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("prior-disclosure.docx"),
              show_default=True, help="The Word draft (a Markdown twin is written beside it).")
@click.option("--importer", default=None, help="Only the entries of this importer (part of its name).")
@click.option("--entries", "entry_numbers", default=None, help="Only these entries (comma-separated).")
@click.option("--tender-later", is_flag=True, help="Undertake to tender within 30 days of CBP's calculation "
              "instead of tendering now.")
@click.option("--form28", "form28", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the Section 232 Form 28 response pack to this .docx (same importer and entries).")
@click.option("--culpability", default="none", show_default=True,
              help="The culpability wording counsel chooses: none (no level stated, reserved), negligence, "
                   "gross-negligence or fraud.")
@click.option("--author", default=None, help="The drafts' author in the Word properties (default: the reviewers "
              "who accepted the findings).")
@click.option("--include-psc", is_flag=True, help="Disclose the findings on entries still open to a post-summary "
              "correction on the tender date too (by default they are left out: 'appraiser psc' drafts them).")
@tender_date_option
@interest_rates_option
def disclose(db: Path, out: Path, importer: str | None, entry_numbers: str | None, tender_later: bool,
             form28: Path | None, culpability: str, author: str | None,
             tender_date: str | None, include_psc: bool = False, interest_rates: Path | None = None) -> None:
    """Draft the prior disclosure (19 CFR 162.74) from the accepted findings, as Word and Markdown."""
    from .audit.disclose import (CULPABILITY, NothingAccepted, draft_disclosure, write_disclosure,
                                 write_form28_pack)
    from .audit.writers import OutputPathError, docx_path

    try:
        docx_path(out, "--out")
        if form28 is not None:
            docx_path(form28, "--form28")
    except OutputPathError as exc:
        _usage(str(exc))
    if culpability not in CULPABILITY:
        _usage(f"--culpability {culpability}: one of {', '.join(CULPABILITY)}")
    if form28 is not None and form28.resolve() == out.resolve():
        _usage(f"--form28 {form28}: the same file as --out; give the Form 28 pack its own name")
    wanted = [e.strip() for e in entry_numbers.split(",") if e.strip()] if entry_numbers is not None else None
    tender = _tender_date(tender_date)
    rates = _rates(interest_rates)
    with _open_store(db) as store:
        try:
            d = draft_disclosure(store, importer=importer, entries=wanted, tender_now=not tender_later,
                                 tender_date=tender, culpability=culpability, include_psc=include_psc, rates=rates)
        except NothingAccepted as exc:
            _usage(str(exc))
        with _writing(*[p for p in (out, form28) if p is not None]):
            paths = write_disclosure(d, out, author)
            if form28 is not None:
                paths.update({f"form28 {k}": v for k, v in
                              write_form28_pack(store, form28, wanted, importer, author).items()})
    click.echo(f"Prior disclosure for {d.importer}: {len(d.entries)} entries, {len(d.findings)} accepted findings, "
               f"loss of revenue USD {d.total:,}" + _incomplete(d.findings)
               + f"; {len(d.placeholders)} items for the client to confirm"
               + (f"; {len(d.gaps)} claim{'s' if len(d.gaps) > 1 else ''} to be documented" if d.gaps else "")
               + (f"; {len(d.notes)} note{'s' if len(d.notes) > 1 else ''} for counsel (not for filing)"
                  if d.notes else ""))
    if d.left_out:
        kinds = {k: sum(1 for x in d.left_out if x.remedy == k) for k in ("post_summary_correction", "time_barred")}
        click.echo(f"Left out as of {tender.isoformat()}: {kinds['post_summary_correction']} findings open to a "
                   f"post-summary correction, {kinds['time_barred']} time-barred (USD "
                   f"{d.left_out_total:,}; see the note for "
                   "counsel)")
    gaps = sum(1 for x in d.interest.values() if x.gap)
    click.echo(f"Interest to {tender.isoformat()} (19 U.S.C. 1505(c)): USD {d.total_interest:,}"
               + (f"; not computed in full for {gaps} entr{'y' if gaps == 1 else 'ies'} (see the appendix)"
                  if gaps else ""))
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}")


@main.command()
@db_option
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("exhibits.pdf"),
              show_default=True, help="The binder (PDF).")
@click.option("--importer", default=None, help="Only the entries of this importer (part of its name), as disclose.")
@click.option("--entries", "entry_numbers", default=None, help="Only these entries (comma-separated), as disclose.")
@click.option("--bates-prefix", default="", help="Letters before each Bates number (e.g. ABC: ABC000001).")
@click.option("--bates-start", default=1, show_default=True, type=click.IntRange(min=0),
              help="The first Bates number.")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Where the documents are (default: the folder of the latest run).")
def binder(db: Path, out: Path, importer: str | None, entry_numbers: str | None, bates_prefix: str,
           bates_start: int, root: Path | None) -> None:
    """Bind the pages the prior disclosure's exhibits cite into one PDF: a cover index, each evidence box drawn on
    its page, a Bates number on every page."""
    from .audit.binder import BinderError, write_binder
    from .audit.disclose import NothingAccepted, draft_disclosure

    if out.suffix.lower() != ".pdf" or out.is_dir():
        _usage(f"--out {out}: the binder is written to a .pdf file, e.g. {out.with_suffix('.pdf').name}")
    if not bates_prefix.isascii() or not all(c.isalnum() or c in "-_" for c in bates_prefix):
        _usage(f"--bates-prefix {bates_prefix!r}: letters, digits, '-' or '_' only")
    wanted = [e.strip() for e in entry_numbers.split(",") if e.strip()] if entry_numbers is not None else None
    with _open_store(db) as store:
        try:
            d = draft_disclosure(store, importer=importer, entries=wanted)
            with _writing(out):
                b = write_binder(d, str(root) if root else store.last_root(), out, bates_prefix, bates_start)
        except (NothingAccepted, BinderError) as exc:
            _usage(str(exc))
    click.echo(f"Exhibit binder for {d.importer}: {len(d.exhibits)} exhibits, {len(b.pages)} evidence pages and "
               f"{b.index_pages} index page{'s' if b.index_pages > 1 else ''}, Bates {b.first_bates} to "
               f"{b.last_bates}")
    for doc, why in b.left_out:
        click.echo(printable(f"  not bound: {doc}: {why}"))
    click.echo(f"pdf: {out}")


def _incomplete(findings) -> str:
    """' — incomplete: ...' after a total that leaves out the duty of a finding whose rate is unknown."""
    from .audit.completeness import gaps

    note = gaps(findings).loss_note()
    return f" — {note}" if note else ""


def _as_of(text: str | None):
    """The "as of" date of a triage: today when not given; a date not written YYYY-MM-DD is a usage error."""
    from datetime import date

    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        _usage(f"--as-of {text}: not a date (write YYYY-MM-DD)")


@main.command()
@db_option
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", help="The date to judge on (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the triage as JSON.")
def triage(db: Path, as_of: str | None, as_json: bool) -> None:
    """Liquidation triage per entry: PSC window, protest window, final or time-barred, and each finding's remedy."""
    from .audit.triage import triage_json

    day = _as_of(as_of)
    with _open_store(db) as store:
        data = triage_json(store.entries(), day, store.findings())
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    counts = ", ".join(f"{k} {v}" for k, v in sorted(data["counts"].items()))
    click.echo(f"Triage as of {data['as_of']}: {len(data['entries'])} entries ({counts or 'none'})")
    for n, t in data["entries"].items():
        nxt = f"next: {t['next_deadline_kind']} {t['next_deadline']}" if t["next_deadline"] else "no deadline ahead"
        remedies: dict[str, int] = {}
        for f in t["findings"]:
            remedies[str(f["remedy"])] = remedies.get(str(f["remedy"]), 0) + 1
        found = ", ".join(f"{k} {v}" for k, v in sorted(remedies.items()))
        click.echo(printable(f"  {n}  {t['importer'] or '-'}  {t['status']}  {nxt}"
                             + (f"  findings: {found}" if found else "")))


@main.command()
@db_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("psc"),
              show_default=True, help="The folder to write psc-lines.csv and psc-summary.docx (and .md) into.")
@click.option("--importer", default=None, help="Only the entries of this importer (part of its name, or its number).")
@click.option("--entries", "entry_numbers", default=None, help="Only these entries (comma-separated).")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="The date the PSC window is judged on (default: today).")
@interest_rates_option
def psc(db: Path, out: Path, importer: str | None, entry_numbers: str | None, as_of: str | None,
        interest_rates: Path | None = None) -> None:
    """Draft the post-summary corrections (19 CFR 101.9(b)) of the accepted findings on entries inside the PSC
    window: the corrected lines as CSV, and a summary as Word and Markdown."""
    from .audit.disclose import NothingAccepted
    from .audit.psc import NothingToCorrect, draft_psc, write_psc

    if out.suffix.lower() in _FILE_SUFFIXES:
        _usage(f"--out {out}: the folder to write psc-lines.csv and psc-summary.docx into, not a file "
               f"(e.g. --out {out.with_suffix('')})")
    day = _as_of(as_of)
    rates = _rates(interest_rates)
    wanted = [e.strip() for e in entry_numbers.split(",") if e.strip()] if entry_numbers is not None else None
    with _open_store(db) as store:
        try:
            d = draft_psc(store, importer=importer, entries=wanted, as_of=day, rates=rates)
        except (NothingToCorrect, NothingAccepted) as exc:
            _usage(str(exc))
    with _writing(out):
        paths = write_psc(d, out)
    click.echo(f"Post-summary corrections as of {day.isoformat()}: {len(d.numbers)} entries, {len(d.lines)} lines, "
               f"{len(d.findings)} accepted findings, duty, taxes and fees added USD {d.total:,}; first deadline "
               f"{min(t.psc_deadline for t in d.triage.values()).isoformat()}")
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}")


@main.command("assist-request")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--facts", "facts", required=True, type=click.Path(path_type=Path), metavar="FACTS.json",
              help="What the documents cannot give: the parties' relation, the foreign decision, the product facts.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("assist-request.docx"),
              show_default=True, help="The Word draft (a Markdown twin is written beside it).")
@workers_option
@click.option("--author", default=None, help="The draft's author in the Word properties (default: the exporter).")
def assist_request(folder: Path, facts: Path, out: Path, workers: int | None, author: str | None) -> None:
    """Draft the U.S. exporter's request to CBP for assistance in a valuation or classification dispute with a
    foreign customs administration (80 FR 34924), from the export sale's documents in FOLDER and a facts file."""
    from .audit.writers import OutputPathError, docx_path
    from .exporter import FactsError, NoInvoice, draft_request, read_facts, write_request

    try:
        docx_path(out, "--out")
    except OutputPathError as exc:
        _usage(str(exc))
    if not folder.is_dir():
        _usage(f"FOLDER {folder}: " + ("a file, not the folder of the sale's documents" if folder.exists()
                                       else "no such folder"))
    try:
        data = read_facts(facts)
        req = draft_request(folder, data, workers=workers)
    except (FactsError, NoInvoice) as exc:
        _usage(str(exc))
    with _writing(out):
        paths = write_request(req, out, author)
    m = req.money
    click.echo(printable(
        f"Request for assistance for {req.exporter}: {len(req.sale.invoices)} invoice"
        f"{'s' if len(req.sale.invoices) != 1 else ''}, CIF value {m.currency} "
        f"{m.cif:,} (goods {m.goods:,} + freight {m.freight:,} + insurance {m.insurance:,})"
        + (f"; value imposed {m.imposed_currency} {m.imposed:,}" if m.imposed is not None else "")
        + (f", difference {m.currency} {m.difference:,}" if m.difference is not None else "")
        + f"; {len(req.placeholders)} items to confirm; {len(req.notes)} notes for counsel (not for filing)"))
    for x in req.methods:
        applies = "to be confirmed" if x.applies is None else "applies" if x.applies else "does not apply"
        click.echo(f"  {x.article} {x.title}: {applies}")
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the rule specs as JSON.")
def rules(as_json: bool) -> None:
    """List the audit rules: code, severity, revenue effect, legal basis, what each checks and needs."""
    from .audit.rules import rules_table

    table = rules_table()
    if as_json:
        click.echo(json.dumps(table, indent=2, ensure_ascii=False))
        return
    for r in table:
        click.echo(f"{r['code']:<32} {r['severity']:<7} {r['revenue']} ({r['direction']})  {r['title']}")
        pad = " " * 33
        click.echo(f"{pad}basis: {r['legal_basis']}")
        click.echo(f"{pad}checks: {r['description']}")
        click.echo(f"{pad}matters: {r['materiality']}")
        needs = "; ".join(f"{t}: {', '.join(n)}" for t, n in r["needs"].items())
        click.echo(f"{pad}needs: {needs}" + (f"; facts: {', '.join(r['facts'])}" if r["facts"] else ""))


def _read_truth(path: Path) -> dict:
    """A truth file (SPEC §5), checked for its shape: a usage error when it is no JSON object of lists of objects."""
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        _usage(f"{path}: not a truth file: {exc}")
    if not isinstance(truth, dict):
        _usage(f"{path}: not a truth file: a JSON object with 'documents' is expected, not {type(truth).__name__}")
    for key in ("documents", "entries", "findings"):
        items = truth.get(key, [])
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            _usage(f"{path}: not a truth file: '{key}' must be a list of objects")
    if not isinstance(truth.get("meta", {}), dict):
        _usage(f"{path}: not a truth file: 'meta' must be an object")
    return truth


@main.command("eval")
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--truth", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The truth file (default: CORPUS/truth.json).")
@click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Score this existing database instead of running the pipeline afresh.")
@click.option("--audit-only", is_flag=True,
              help="Audit the truth's own documents (extraction errors excluded) and score the findings only.")
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_(corpus: Path, truth: Path | None, db: Path | None, audit_only: bool, workers: int | None,
          as_json: bool) -> None:
    """Measure extraction and audit accuracy on CORPUS against its truth (SPEC §5)."""
    from . import evaluation

    try:
        truth_path = truth or evaluation.find_truth(corpus)
    except FileNotFoundError as exc:
        _usage(str(exc))
    truth_doc = _read_truth(truth_path)
    if audit_only:
        report = evaluation.evaluate_audit(corpus, truth_path)
    elif db is not None:
        with _open_store(db) as store:
            report = evaluation.score(truth_doc, store.export(with_provenance=False))
    else:
        report = evaluation.evaluate(corpus, truth_path, workers=workers)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for line in evaluation.format_report(report, str(corpus)):
            click.echo(printable(line))


@main.command()
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--share", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="Share of the extracted values to corrupt.")
@click.option("--seeds", type=click.IntRange(1), default=20, show_default=True, help="Runs, one per seed.")
@click.option("--db", "db", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Corrupt this database's documents (a run of CORPUS) instead of the truth's own.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def noise(corpus: Path, share: float, seeds: int, db: Path | None, as_json: bool) -> None:
    """How the audit stands up to extraction errors: corrupt a share of the values of CORPUS's documents as real
    extraction does (a digit on a scan, a separator, a rate for an amount, swapped fields, missing values), audit,
    and score the open findings against the truth; what the evidence gate held back is counted apart."""
    from . import evaluation, noise as noise_
    from .audit.revenue import load_tariff

    try:
        truth_path = evaluation.find_truth(corpus)
    except FileNotFoundError as exc:
        _usage(str(exc))
    truth = _read_truth(truth_path)
    documents = truth.get("documents", [])
    if db is not None:
        with _open_store(db) as store:
            documents = store.export(with_provenance=True)["documents"]
    tariff_name = (truth.get("meta") or {}).get("tariff")
    tariff_path = truth_path.parent / tariff_name if tariff_name else None
    try:
        tariff = load_tariff(tariff_path) if tariff_path and tariff_path.is_file() else None
    except (OSError, ValueError) as exc:
        _usage(f"{tariff_path}: {exc}")
    rep = noise_.measure(truth, documents, share, seeds, tariff)
    if as_json:
        click.echo(json.dumps(rep.to_json(), indent=2))
        return
    data = rep.to_json()
    click.echo(f"{corpus}: {share:.0%} of the values corrupted, {seeds} seeds: open findings precision "
               f"{data['precision']:.3f}, recall {data['recall']:.3f}; to verify {data['to_verify_per_run']} per run")
    for label, key in (("false open", "false_open_by_code"), ("missed", "missed_by_code")):
        if data[key]:
            click.echo(f"  {label}: " + ", ".join(f"{c} {n}" for c, n in data[key].items()))


@main.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder of external corpora (default: ../shared/corpus/external beside the project).")
@click.option("--corpus", "names", multiple=True, help="Only this corpus (repeatable).")
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
def external(root: Path | None, names: tuple[str, ...], workers: int | None, as_json: bool) -> None:
    """Score every external corpus (documents nobody here wrote) in one table; Factur-X also page only."""
    from . import external as ext

    root = root or ext.DEFAULT_ROOT
    known = ext.corpora(root)
    if not known:
        _usage(f"no corpus with a truth.json under {root}")
    unknown = [n for n in names if n not in known]
    if unknown:
        _usage(f"unknown corpus {unknown[0]!r} (known: {', '.join(known)})")
    rows = ext.measure(root, list(names) or None, workers=workers)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
    else:
        for line in ext.format_rows(rows):
            click.echo(printable(line))


if __name__ == "__main__":  # pragma: no cover
    main()
