"""The ``appraiser`` command: a thin layer over ``pipeline`` and the store."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import pipeline
from .models.store import Store, StoreError

DEFAULT_DB = "appraiser.db"

db_option = click.option("--db", "db", default=DEFAULT_DB, show_default=True,
                         type=click.Path(dir_okay=False, path_type=Path), help="The SQLite database.")
workers_option = click.option("--workers", type=click.IntRange(min=1), default=None,
                              help="Processes for extraction (default: all cores).")


def _usage(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@contextmanager
def _open_store(db: Path, must_exist: bool = True):
    if must_exist and not db.exists():
        _usage(f"no database at {db}: run 'appraiser run PATH --db {db}' first")
    try:
        store = Store(db)
    except StoreError as exc:
        _usage(str(exc))
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _progress(label: str, length: int):
    """A progress bar on a terminal; silent when output goes to a file or a pipe."""
    if not pipeline.progress_stream() or length < 2:
        yield None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
def run(path: Path, db: Path, workers: int | None, declared: Path | None, tariff: Path | None) -> None:
    """Scan PATH, link its documents into entries, audit them and summarise."""
    try:
        Store(db).close()
    except StoreError as exc:
        _usage(str(exc))
    n = len(pipeline.discover(path))
    with _progress("Extracting", n) as tick:
        result = pipeline.run(path, db, workers=workers, declared=declared, tariff=tariff, progress=tick)
    for line in pipeline.summary_lines(result):
        click.echo(line)


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
def review(path: Path, fail_on: str, db: Path | None, workers: int | None, declared: Path | None,
           tariff: Path | None) -> None:
    """Check one shipment folder before filing: print the findings; exit 1 at or above --fail-on."""
    if db is not None:
        try:
            Store(db).close()
        except StoreError as exc:
            _usage(str(exc))
    result = pipeline.review(path, db=db, workers=workers, declared=declared, tariff=tariff)
    if not result.audit.entries:
        click.echo("No entry found: put the draft 7501 in the folder or pass --declared CSV.", err=True)
    for line in pipeline.summary_lines(result):
        click.echo(line)
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
def scan(path: Path, db: Path, workers: int | None) -> None:
    """Extract the documents under PATH into the database (no audit)."""
    with _open_store(db, must_exist=False) as store:
        with _progress("Extracting", len(pipeline.discover(path))) as tick:
            stats = pipeline.scan(path, store, workers=workers, progress=tick)
    click.echo(f"Scanned {stats.seen} files: extracted {stats.extracted}, unchanged {stats.cached} "
               f"(not extracted again), errors {stats.errors}")
    for rel, err in stats.failed:
        click.echo(f"  {rel}: {err}")


@main.command()
@db_option
@click.option("--declared", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tariff", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def audit(db: Path, declared: Path | None, tariff: Path | None) -> None:
    """Link and audit the documents already in the database."""
    with _open_store(db) as store:
        summary = pipeline.audit_store(store, declared=declared, tariff=tariff)
    click.echo(f"Entries: {len(summary.entries)}; findings: {len(summary.findings)}")
    for f in summary.findings:
        click.echo(f"  [{f.severity}] {f.code} {f.entry_number} loss USD {f.loss_of_revenue:,.2f} ({f.id})")


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("--no-provenance", is_flag=True, help="Leave out the per-field provenance blocks.")
def export(db: Path, fmt: str, no_provenance: bool) -> None:
    """Print the export document (SPEC §4) to standard output."""
    with _open_store(db) as store:
        doc = store.export(with_provenance=not no_provenance)
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
def findings(db: Path, status: tuple[str, ...], code: tuple[str, ...], entry_numbers: tuple[str, ...],
             severity: str | None, as_json: bool) -> None:
    """List the findings with their status, filtered."""
    with _open_store(db) as store:
        chosen = pipeline.filter_findings(store.findings(), status=status, codes=code, entries=entry_numbers,
                                          severity=severity)
    if as_json:
        click.echo(json.dumps([f.to_json() for f in chosen], indent=2, ensure_ascii=False))
        return
    for line in pipeline.finding_lines(chosen):
        click.echo(line)


def _decide(db: Path, ids: tuple[str, ...], status: str, reviewer: str | None, reason: str | None) -> None:
    with _open_store(db) as store:
        known = {f.id for f in store.findings()}
        unknown = [i for i in ids if i not in known]
        if unknown:
            _usage(f"no such finding: {', '.join(unknown)} (see 'appraiser findings')")
        for i in ids:
            store.decide(i, status, reviewer, reason)
    click.echo(f"{status}: {len(ids)} finding{'s' if len(ids) != 1 else ''}")


@main.command()
@click.argument("ids", nargs=-1, required=True)
@db_option
@click.option("--reviewer", default=None, help="Who decided (default: the login name).")
@click.option("--reason", default=None, help="Why (optional for acceptance).")
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
def reopen(ids: tuple[str, ...], db: Path, reviewer: str | None) -> None:
    """Put findings back to open."""
    _decide(db, ids, "open", reviewer or pipeline.default_reviewer(), None)


@main.command()
@db_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("report"),
              show_default=True, help="The folder to write report.html, schedule.xlsx and schedule.csv into.")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Where the documents are (default: the folder of the latest run), for the evidence crops.")
def report(db: Path, out: Path, root: Path | None) -> None:
    """Write the HTML report (with evidence crops) and the loss-of-revenue schedule (XLSX and CSV)."""
    from .audit.report import write_report

    with _open_store(db) as store:
        paths = write_report(store, out, str(root) if root else None)
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
              help="Also write the Section 232 Form 28 response pack to this .docx.")
def disclose(db: Path, out: Path, importer: str | None, entry_numbers: str | None, tender_later: bool,
             form28: Path | None) -> None:
    """Draft the prior disclosure (19 CFR 162.74) from the accepted findings, as Word and Markdown."""
    from .audit.disclose import NothingAccepted, draft_disclosure, write_disclosure, write_form28_pack

    wanted = [e.strip() for e in entry_numbers.split(",") if e.strip()] if entry_numbers else None
    with _open_store(db) as store:
        try:
            d = draft_disclosure(store, importer=importer, entries=wanted, tender_now=not tender_later)
        except NothingAccepted as exc:
            _usage(str(exc))
        paths = write_disclosure(d, out)
        if form28 is not None:
            paths.update({f"form28 {k}": v for k, v in write_form28_pack(store, form28, wanted).items()})
    click.echo(f"Prior disclosure for {d.importer}: {len(d.entries)} entries, {len(d.findings)} accepted findings, "
               f"loss of revenue USD {d.total:,}; {len(d.placeholders)} items for the client to confirm")
    for kind, path in paths.items():
        click.echo(f"{kind}: {path}")


@main.command()
def rules() -> None:
    """List the audit rules: code, severity, legal basis and what each checks."""
    from .audit.rules import RULES

    for r in RULES:
        click.echo(f"{r.code:<32} {r.severity:<7} {r.legal_basis}")
        click.echo(f"{'':<32} {r.description}")


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
    if audit_only:
        report = evaluation.evaluate_audit(corpus, truth_path)
    elif db is not None:
        with _open_store(db) as store:
            report = evaluation.score(json.loads(truth_path.read_text(encoding="utf-8")),
                                      store.export(with_provenance=False))
    else:
        report = evaluation.evaluate(corpus, truth_path, workers=workers)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for line in evaluation.format_report(report, str(corpus)):
            click.echo(line)


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
            click.echo(line)


if __name__ == "__main__":  # pragma: no cover
    main()
