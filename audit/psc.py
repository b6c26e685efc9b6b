"""The post-summary correction draft (19 CFR 101.9(b)): for the accepted findings on entries still inside the PSC
window on a given date, the corrected entry-summary lines as a CSV to key into ACE, and a readable summary
(Markdown and Word through ``audit/writers.py``) listing each entry, its PSC deadline, and each change with its
finding and legal basis.

One CSV row per corrected entry line: the declared figures beside the corrected ones (entered value, duty, the
chapter 99 numbers and their duty) and, on the entry's first corrected line, MPF and HMF declared and corrected
(entry-level amounts, counted once). The column keys and titles are data (``audit/psc.json``). Every figure comes
from the findings' revenue records through the schedule model (``audit/schedule.py``), Decimal to the cent; money
two findings measure (record lines of the same key) is counted once, as the entry totals count it.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from ..models.records import Entry, Finding, q2
from . import revenue
from . import schedule as model
from .rules import BY_CODE
from .triage import Triage, rules as triage_rules, triage_entry
from .writers import Block, DraftMeta, write_blocks

ZERO = Decimal("0.00")
SPEC = json.loads(Path(__file__).with_name("psc.json").read_text(encoding="utf-8"))
COLUMNS: dict[str, str] = SPEC["columns"]
MONEY = {k for k in COLUMNS if k.endswith(("_declared", "_corrected")) and not k.startswith("ch99_") or
         k.startswith("ch99_duty_")}


class NothingToCorrect(ValueError):
    """No accepted finding is on an entry inside the post-summary correction window: a usage error."""


def liquidation_known(entry: Entry | None) -> bool:
    """Whether the entry says anything of its liquidation (a status or a date): without it its standing is not
    known, and a finding on it is not taken for a post-summary correction."""
    return entry is not None and bool(entry.header.get("liquidation_status") or entry.header.get("liquidation_date"))


def standing(entry: Entry | None, as_of: date) -> Triage | None:
    """The entry's triage on ``as_of``, or None when its liquidation standing is not known."""
    return triage_entry(entry, as_of) if liquidation_known(entry) else None


@dataclass
class PscLine:
    """One corrected entry-summary line."""

    entry_number: str
    line_no: int | None
    hts: str | None
    entered_value_declared: Decimal | None
    entered_value_corrected: Decimal | None
    duty_declared: Decimal | None
    duty_corrected: Decimal | None
    ch99_declared: list[str]
    ch99_corrected: list[str]
    ch99_duty_declared: Decimal | None
    ch99_duty_corrected: Decimal | None
    duty_change: Decimal  # own and chapter 99 duty added on this line
    rate_unknown: bool
    findings: list[Finding]
    psc_deadline: date | None
    mpf_declared: Decimal | None = None  # entry-level: on the entry's first line only
    mpf_corrected: Decimal | None = None
    hmf_declared: Decimal | None = None
    hmf_corrected: Decimal | None = None

    def record(self) -> dict:
        """The CSV row (keys of ``audit/psc.json``)."""
        return {"entry_number": self.entry_number, "line_no": self.line_no, "hts": self.hts,
                "entered_value_declared": self.entered_value_declared,
                "entered_value_corrected": self.entered_value_corrected,
                "duty_declared": self.duty_declared, "duty_corrected": self.duty_corrected,
                "ch99_declared": " ".join(self.ch99_declared), "ch99_corrected": " ".join(self.ch99_corrected),
                "ch99_duty_declared": self.ch99_duty_declared, "ch99_duty_corrected": self.ch99_duty_corrected,
                "mpf_declared": self.mpf_declared, "mpf_corrected": self.mpf_corrected,
                "hmf_declared": self.hmf_declared, "hmf_corrected": self.hmf_corrected,
                "rate_unknown": "yes" if self.rate_unknown else "",
                "findings": " ".join(f.id for f in self.findings),
                "psc_deadline": self.psc_deadline.isoformat() if self.psc_deadline else ""}


@dataclass
class PscDraft:
    as_of: date
    findings: list[Finding]
    numbers: list[str]  # the entries corrected, in order
    triage: dict[str, Triage]
    lines: list[PscLine]
    schedule: model.Schedule
    entries: dict[str, Entry] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        """The duty, taxes and fees the corrections add (each entry's money counted once)."""
        return self.schedule.total


def _dec(v) -> Decimal | None:
    return v if isinstance(v, Decimal) else None


def _declared_ch99(line) -> tuple[list[str], Decimal | None]:
    extra = (line.get("additional") or []) if line is not None else []
    numbers = [str(a.get("hts")) for a in extra if a.get("hts")]
    duties = [a.get("duty") for a in extra if isinstance(a.get("duty"), Decimal)]
    if not extra:
        return [], ZERO
    return numbers, q2(sum(duties, ZERO)) if len(duties) == len(extra) else None


def _entry_lines(entry: Entry | None, number: str, findings: list[Finding], t: Triage) -> list[PscLine]:
    """The entry's corrected lines, from its findings' record lines, money of the same key once."""
    seen: set[str] = set()
    by_line: dict[int | None, dict] = {}
    for f in findings:
        for rl in model.record(f, entry).lines:
            if rl.key and rl.key in seen:
                continue
            seen.add(rl.key) if rl.key else None
            acc = by_line.setdefault(rl.line_no, {"value": ZERO, "duty": ZERO, "ch99": ZERO, "new99": [],
                                                  "unknown": False, "findings": []})
            if rl.entered_before is not None and rl.entered_after is not None:
                acc["value"] += rl.entered_after - rl.entered_before
            acc["duty"] += q2(rl.duty_delta)
            for r in rl.rates:
                if r.hts.startswith("99"):
                    acc["ch99"] += q2(r.duty_delta)
                    if r.hts not in acc["new99"]:
                        acc["new99"].append(r.hts)
            acc["unknown"] = acc["unknown"] or rl.rate_unknown
            if f not in acc["findings"]:
                acc["findings"].append(f)
    out = []
    for line_no in sorted(by_line, key=lambda n: (n is None, n or 0)):
        acc = by_line[line_no]
        line = model._line(entry, line_no)
        entered = _dec(line.get("entered_value")) if line is not None else None
        duty = _dec(line.get("duty")) if line is not None else None
        numbers, ch99_duty = _declared_ch99(line)
        own = acc["duty"] - acc["ch99"]  # what the line's own rate adds (the rest of the duty change)
        out.append(PscLine(
            number, line_no, str(line.get("hts")) if line is not None and line.get("hts") else None,
            entered, q2(entered + acc["value"]) if entered is not None else None,
            duty, q2(duty + own) if duty is not None else None,
            numbers, numbers + [n for n in acc["new99"] if n not in numbers],
            ch99_duty, q2(ch99_duty + acc["ch99"]) if ch99_duty is not None else None,
            q2(acc["duty"]), acc["unknown"], acc["findings"], t.psc_deadline))
    return out


def draft_psc(store, importer: str | None = None, entries: Iterable[str] | None = None,
              as_of: date | None = None, rates=None) -> PscDraft:
    """The post-summary correction draft of the accepted findings (of one importer, or some entries) on entries
    inside the PSC window on ``as_of`` (default: today). :class:`NothingToCorrect` when there is none, or when the
    importer or an entry is not in the database."""
    from .disclose import UnknownSelection, check_selection

    as_of = as_of or date.today()
    entries = list(entries) if entries is not None else None
    if importer is not None or entries is not None:
        try:
            check_selection(store, importer, entries)
        except UnknownSelection as exc:
            raise NothingToCorrect(str(exc).replace("nothing to disclose", "nothing to correct")) from None
    sel = model.select(store, importer, entries, statuses=model.DISCLOSED)
    tri: dict[str, Triage] = {}
    chosen: list[Finding] = []
    for f in sel.findings:
        e = sel.entries.get(f.entry_number)
        t = tri.get(f.entry_number) or standing(e, as_of)
        if t is not None and t.status == "psc_window":
            tri[f.entry_number] = t
            chosen.append(f)
    if not chosen:
        raise NothingToCorrect(f"no accepted finding is on an entry inside the post-summary correction window on "
                               f"{as_of.isoformat()}" + (" for this selection" if importer or entries else "")
                               + ": see 'appraiser triage --as-of DATE'")
    numbers = sorted({f.entry_number for f in chosen})
    sched = model.build(chosen, sel.entries, sel.saved_totals, statuses=model.DISCLOSED, tender=as_of, rates=rates)
    lines: list[PscLine] = []
    for n in numbers:
        e = sel.entries.get(n)
        mine = _entry_lines(e, n, [f for f in chosen if f.entry_number == n], tri[n])
        if mine and e is not None:
            money = sched.entry_totals[n]
            ctx = revenue.context_of(e)
            mpf = _dec(e.header.get("mpf"))
            mpf = mpf if mpf is not None else revenue.mpf(ctx.total_entered_value - ctx.mpf_exempt_value,
                                                         ctx.entry_date)
            hmf = _dec(e.header.get("hmf"))
            hmf = hmf if hmf is not None else revenue.hmf(ctx.total_entered_value, ctx.mode_of_transport)
            first = mine[0]
            first.mpf_declared, first.mpf_corrected = q2(mpf), q2(mpf + money.mpf)
            first.hmf_declared, first.hmf_corrected = q2(hmf), q2(hmf + money.hmf)
        lines += mine
    return PscDraft(as_of, chosen, numbers, tri, lines, sched, sel.entries)


# --- writing ---------------------------------------------------------------------------------------------------

def _text(key: str, v) -> str:
    if v is None:
        return ""
    if key in MONEY and isinstance(v, Decimal):
        return format(q2(v), "f")
    s = str(v)
    return "'" + s if s.startswith(("=", "+", "-", "@", "\t", "\r")) else s


def write_psc_csv(draft: PscDraft, path: Path) -> Path:
    """The corrected lines as CSV, the titles of ``audit/psc.json`` as the header."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(list(COLUMNS.values()))
        for ln in draft.lines:
            rec = ln.record()
            w.writerow([_text(k, rec.get(k)) for k in COLUMNS])
    return path


def _usd(x: Decimal | None) -> str:
    return "—" if x is None else f"{q2(x):,}"


def psc_blocks(draft: PscDraft) -> list[Block]:
    """The readable summary: each entry, its PSC deadline, its corrected lines and each change with its finding
    and legal basis."""
    from .disclose import _t, for_filing

    b = [Block("para", f"DRAFT FOR REVIEW — prepared {date.today().isoformat()} from "
                       f"{len(draft.findings)} accepted finding{'s' if len(draft.findings) != 1 else ''}, the "
                       f"entries' standing as of {draft.as_of.isoformat()}.", label="Status: "),
         Block("heading", "Post-summary corrections (19 CFR 101.9(b))", 1),
         Block("para", f"{len(draft.numbers)} entr{'ies' if len(draft.numbers) != 1 else 'y'} unliquidated and inside "
                       f"the post-summary correction window; duty, taxes and fees added USD {_usd(draft.total)}. "
                       f"Basis: {triage_rules()['psc_basis']}.")]
    short = sorted({n for ln in draft.lines for n in ln.ch99_corrected if len(n.replace(".", "")) < 8})
    b.append(Block("list", items=[x for i, x in enumerate(SPEC["filing_notes"]) if i < 2 or short]
                   + ([f"Chapter 99 numbers given as headings only: {', '.join(short)}."] if short else [])))
    rows = [["Entry", "Importer", "Entry date", "PSC deadline", "Scheduled liquidation", "Added (USD)"]]
    for n in draft.numbers:
        t, e = draft.triage[n], draft.entries.get(n)
        rows.append([n, _t(model.importer_label(e)), t.entry_date.isoformat() if t.entry_date else "—",
                     t.psc_deadline.isoformat() if t.psc_deadline else "—",
                     t.liquidation_date.isoformat() if t.liquidation_date else "—",
                     _usd(draft.schedule.entry_totals[n].loss)])
    rows.append(["Total", "", "", "", "", _usd(draft.total)])
    b.append(Block("table", rows=rows, numeric=(5,)))
    for n in draft.numbers:
        t = draft.triage[n]
        deadline = t.psc_deadline.isoformat() if t.psc_deadline else "—"
        b.append(Block("heading", f"Entry {n} — PSC deadline {deadline}", 2))
        table = [["Line", "HTSUS", "Entered value declared → corrected", "Duty declared → corrected",
                  "Chapter 99 declared → corrected", "Chapter 99 duty declared → corrected"]]
        for ln in (x for x in draft.lines if x.entry_number == n):
            table.append([str(ln.line_no or "—"), _t(ln.hts) or "—",
                          f"{_usd(ln.entered_value_declared)} → {_usd(ln.entered_value_corrected)}",
                          f"{_usd(ln.duty_declared)} → {_usd(ln.duty_corrected)}",
                          f"{' '.join(ln.ch99_declared) or 'none'} → {' '.join(ln.ch99_corrected) or 'none'}",
                          f"{_usd(ln.ch99_duty_declared)} → {_usd(ln.ch99_duty_corrected)}"])
        b.append(Block("table", rows=table))
        first = next((x for x in draft.lines if x.entry_number == n and x.mpf_declared is not None), None)
        if first is not None:
            b.append(Block("para", f"MPF USD {_usd(first.mpf_declared)} → {_usd(first.mpf_corrected)}; HMF USD "
                                   f"{_usd(first.hmf_declared)} → {_usd(first.hmf_corrected)}; added on the entry "
                                   f"USD {_usd(draft.schedule.entry_totals[n].loss)}.", label="Entry fees: "))
        items = []
        for f in (x for x in draft.findings if x.entry_number == n):
            basis = BY_CODE[f.code].legal_basis if f.code in BY_CODE else f.legal_basis
            items.append(f"{f.id} ({f.code}, line {f.line_no or '—'}): {for_filing(_t(f.title))[0]}; USD "
                         f"{_usd(f.loss_of_revenue)}. Legal basis: {for_filing(_t(basis))[0]}.")
        b.append(Block("list", items=items))
    return b


def write_psc(draft: PscDraft, out_dir: Path | str, author: str = "") -> dict[str, Path]:
    """Write ``psc-lines.csv`` and the summary ``psc-summary.docx`` with its Markdown twin into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = DraftMeta("Post-summary corrections (draft)", "Post-summary corrections under 19 CFR 101.9(b); entries "
                     + ", ".join(draft.numbers), author, keywords="post-summary correction; draft")
    paths = {"csv": write_psc_csv(draft, out / "psc-lines.csv")}
    paths.update(write_blocks(psc_blocks(draft), out / "psc-summary.docx", meta.title, meta))
    return paths


__all__ = ["PscDraft", "PscLine", "NothingToCorrect", "draft_psc", "write_psc", "write_psc_csv", "psc_blocks",
           "standing", "liquidation_known", "COLUMNS"]
