"""What a loss-of-revenue schedule and a disclosure contain, computed from the findings' revenue records.

This is the model the writers render (``audit/writers.py``: Word, Markdown, XLSX, CSV) and the report and the
prior disclosure draw on: which findings go in (the selection), a row per finding and entry line (declared →
corrected value, the rates, duty before and after, MPF and HMF before and after), each entry's total with money two
findings measure counted once, and the grand total. Every figure comes from a finding's :class:`Revenue` record;
nothing is read back out of text.

Selection: a disclosure takes ``accepted`` findings only; a report and its schedule take the findings that stand
(``open`` and ``accepted``). A ``to_verify`` finding (its evidence too weak to assert it) and a ``dismissed`` one
are never drafted nor counted in any total: :func:`countable` says so in one place.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Iterable, Sequence

from ..models.fold import id_key
from ..models.records import (Document, Entry, EntryLine, Finding, Revenue, RevenueLine, RevenueRate, Section232Reading,
                              q2)
from . import interest as interest_mod
from . import penalty as penalty_mod
from . import revenue

ZERO = Decimal("0.00")
DISCLOSED = ("accepted",)  # the statuses a disclosure drafts
STANDING = ("open", "accepted")  # the statuses a report and its schedule count
NEVER_COUNTED = ("to_verify", "dismissed")  # never drafted, never in any total
# findings whose value delta is value missing from the entered value (a record built from totals only)
VALUE_CODES = {"ASSIST_UNDECLARED", "ROYALTY_UNDECLARED", "PACKING_UNDECLARED", "SELLING_COMMISSION_UNDECLARED",
               "PROCEEDS_UNDECLARED", "UNDERVALUATION", "DEDUCTION_UNSUPPORTED", "FIRST_SALE_UNSUPPORTED"}
# findings whose value delta is Section 232 content value (the entered value does not change)
CONTENT_CODES = {"METAL_CONTENT_MISSTATED", "SECTION232_UNDECLARED"}


def countable(f: Finding, statuses: Sequence[str] = STANDING) -> bool:
    """Whether a finding goes into a total, a schedule or a draft of the given statuses; a to-verify or
    dismissed finding never does, whatever the statuses asked for."""
    return f.status not in NEVER_COUNTED and f.status in statuses


def _norm_id(s: str) -> str:
    return id_key(s or "")


def _line(entry: Entry | None, line_no: int | None) -> EntryLine | None:
    if entry is None or line_no is None:
        return None
    return next((ln for ln in entry.lines if ln.line_no == line_no), None)


# --- a finding's record ------------------------------------------------------------------------------------

def record(f: Finding, entry: Entry | None) -> Revenue:
    """The finding's revenue record; for a finding stored without one (an older store), a record from its totals
    and its code: one line on its own line number, the rates the entry line declares."""
    if f.revenue is not None:
        return f.revenue
    ctx = revenue.context_of(entry) if entry is not None else None
    if f.value_delta == 0 and f.duty_delta == 0:
        if ctx is not None and f.fees_delta:
            return revenue.fees_record(ctx, entry.header.get("mpf"), f.fees_delta)
        return revenue.totals_only(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, f.fees_delta, f.loss_of_revenue,
                                   rate_unknown=f.rate_unknown)
    line = _line(entry, f.line_no)
    content = f.code in CONTENT_CODES
    adds = f.code in VALUE_CODES
    entered = line.get("entered_value") if line is not None else None
    entered = entered if isinstance(entered, Decimal) else None
    before = revenue.declared_content(line)[0] if content and line is not None else entered
    after = before + f.value_delta if (before is not None and (adds or content)) else before
    rates = revenue.line_rates(line) if adds else None
    rl = RevenueLine(f.line_no, str(line.get("hts")) if line is not None and line.get("hts") else None,
                     key=f"{f.code}:{f.entry_number}:{f.line_no}", kind="value" if adds or content else "rate",
                     base="metal content" if content else "value", value_change=q2(f.value_delta),
                     value_before=before, value_after=after, entered_before=entered,
                     entered_after=entered + f.value_delta if entered is not None and adds else entered,
                     duty_delta=q2(f.duty_delta), fee_base_change=f.value_delta if adds else ZERO,
                     rate_unknown=f.rate_unknown or (adds and rates is None))
    if rates is not None and not rl.rate_unknown:
        exact = [revenue.duty(f.value_delta, r) for r in rates]
        for r, d in zip(rates, exact):
            rl.rates.append(RevenueRate(getattr(r, "hts", "own"), Decimal(r), "value", ZERO, q2(d)))
        rest = q2(f.duty_delta) - sum((q2(d) for d in exact), ZERO)
        if rl.rates and rest:
            rl.rates[-1].duty_after += rest
    rec = Revenue(lines=[rl], value_delta=q2(f.value_delta), duty_delta=q2(f.duty_delta), fees_delta=q2(f.fees_delta),
                  loss_of_revenue=q2(f.loss_of_revenue), rate_unknown=rl.rate_unknown)
    if ctx is not None:  # the fees as the arithmetic computes them on the entry as declared
        mpf_b = revenue.mpf(ctx.total_entered_value - ctx.mpf_exempt_value, ctx.entry_date)
        hmf_b = revenue.hmf(ctx.total_entered_value, ctx.mode_of_transport)
        hmf_a = revenue.hmf(ctx.total_entered_value + rl.fee_base_change, ctx.mode_of_transport)
        rec.mpf_before, rec.hmf_before, rec.hmf_after = mpf_b, hmf_b, hmf_a
        rec.mpf_after = mpf_b + q2(f.fees_delta) - (hmf_a - hmf_b)
    else:
        rec.mpf_after = q2(f.fees_delta)
    return rec


# --- the rows ----------------------------------------------------------------------------------------------

@dataclass
class ScheduleRow:
    """One finding on one entry line. The fees are the finding's (entry-level) and stand on its first row."""

    entry_number: str
    line_no: int | None
    hts: str | None
    declared: Decimal | None  # the value the change is measured on, as declared (entered or content value)
    change: Decimal
    corrected: Decimal | None
    content: bool  # the values are Section 232 content values
    rates: str | None  # "5.3 + 7.5" (percent), "unknown", or None (no rate applies)
    duty_before: Decimal | None
    duty: Decimal  # the duty delta
    duty_after: Decimal | None
    mpf_before: Decimal | None
    mpf_after: Decimal | None
    hmf_before: Decimal | None
    hmf_after: Decimal | None
    mpf: Decimal  # MPF delta
    hmf: Decimal  # HMF delta
    loss: Decimal
    ref: str  # the finding's number in a draft (F1, F2, …), else its id
    finding: Finding
    first: bool = True  # the finding's first row (its fees stand here)
    line_rates: list[RevenueRate] = field(default_factory=list)  # the line's rates (own and chapter 99), if known

    @property
    def fees(self) -> Decimal:
        return self.mpf + self.hmf


def finding_rows(f: Finding, entry: Entry | None, ref: str | None = None) -> list[ScheduleRow]:
    """A finding's rows: one per line of its record (one row with no line when it has none)."""
    rec = record(f, entry)
    lines = rec.lines or [RevenueLine(f.line_no, value_change=ZERO)]
    rows = []
    for i, rl in enumerate(lines):
        first = i == 0
        declared = _line(entry, rl.line_no)  # what the entry declares (its HTS), over what the record noted
        hts = str(declared.get("hts")) if declared is not None and declared.get("hts") else rl.hts
        mpf, hmf = (q2(rec.mpf_delta), q2(rec.hmf_delta)) if first else (ZERO, ZERO)
        has_rates = bool(rec.lines)
        rates = ("unknown" if rl.rate_unknown else rl.rates_text) if has_rates else None
        rows.append(ScheduleRow(
            f.entry_number, rl.line_no, hts, rl.value_before, rl.value_change if has_rates else ZERO,
            rl.value_after, rl.base == "metal content", rates,
            rl.duty_before if rl.rates else None, q2(rl.duty_delta), rl.duty_after if rl.rates else None,
            rec.mpf_before if first else None, rec.mpf_after if first else None,
            rec.hmf_before if first else None, rec.hmf_after if first else None,
            mpf, hmf, q2(rl.duty_delta + mpf + hmf), ref or f.id, f, first,
            list(rl.rates) if has_rates and not rl.rate_unknown else []))
    return rows


# --- the entries' totals -------------------------------------------------------------------------------------

@dataclass
class EntryMoney:
    duty: Decimal
    mpf: Decimal
    hmf: Decimal
    loss: Decimal
    source: str  # "audit" (the store's entry total) or "recomputed"
    counted_once: list[str] = field(default_factory=list)  # findings whose money another finding already counts


def entry_money(entry: Entry | None, findings: list[Finding], saved: dict | None = None) -> EntryMoney:
    """The entry's loss over its findings, money two findings measure (lines of the same key) counted once and the
    fees computed on the combined value, as the audit computes an entry's total."""
    findings = [f for f in findings if f.direction != "overpaid"]  # a refund due never offsets a loss
    seen: set[str] = set()
    once: list[str] = []
    duty = ZERO
    moved = newly_due = ZERO  # the change of the fee bases over the money counted
    fixed_mpf = fixed_hmf = ZERO  # fees of their own, or of a record with no lines
    moving = False
    for f in findings:
        rec = record(f, entry)
        fresh = [rl for rl in rec.lines if not rl.key or rl.key not in seen]
        if rec.lines and not fresh:
            once.append(f.id)
            continue
        seen.update(rl.key for rl in fresh if rl.key)
        duty += sum((rl.duty_delta for rl in fresh), ZERO)
        if not rec.lines:
            duty += rec.duty_delta
        if rec.lines and not rec.fees_of_their_own:
            moving = True
            moved += sum((rl.fee_base_change for rl in fresh), ZERO)
            newly_due += sum((rl.mpf_newly_due for rl in fresh), ZERO)
        else:
            fixed_mpf += rec.mpf_delta
            fixed_hmf += rec.hmf_delta
    mpf = hmf = ZERO
    if moving and entry is not None:
        ctx = revenue.context_of(entry)
        base = ctx.total_entered_value - ctx.mpf_exempt_value
        mpf = revenue.mpf(base + moved + newly_due, ctx.entry_date) - revenue.mpf(base, ctx.entry_date)
        hmf = revenue.hmf(ctx.total_entered_value + moved, ctx.mode_of_transport) - \
            revenue.hmf(ctx.total_entered_value, ctx.mode_of_transport)
    elif moving:
        for f in findings:
            if f.id not in once and record(f, entry).lines:
                mpf += record(f, entry).mpf_delta
                hmf += record(f, entry).hmf_delta
    mpf, hmf, duty = q2(mpf + fixed_mpf), q2(hmf + fixed_hmf), q2(duty)
    ids = sorted(f.id for f in findings)
    if saved and saved.get("finding_ids") == ids and saved.get("loss_of_revenue") is not None:
        return EntryMoney(duty, mpf, hmf, q2(Decimal(saved["loss_of_revenue"])), "audit", once)
    return EntryMoney(duty, mpf, hmf, q2(duty + mpf + hmf), "recomputed", once)


@dataclass
class Schedule:
    """The loss-of-revenue schedule: the rows, each entry's total and the grand total (each entry's money once)."""

    rows: list[ScheduleRow]
    entry_totals: dict[str, EntryMoney]
    numbers: list[str]
    interest: dict[str, "EntryInterest"] = field(default_factory=dict)  # 19 U.S.C. 1505(c), per entry
    tender: date | None = None  # the date interest runs to
    rates: interest_mod.Table | None = None  # the rate table interest is computed with (None: the shipped one)

    @property
    def total_interest(self) -> Decimal:
        return q2(sum((i.amount for i in self.interest.values()), ZERO))

    @property
    def total(self) -> Decimal:
        return q2(sum((t.loss for t in self.entry_totals.values()), ZERO))

    def of_entry(self, number: str) -> list[ScheduleRow]:
        return [r for r in self.rows if r.entry_number == number]

    def entry_row_needed(self, number: str) -> bool:
        """An entry's total gets a row of its own when it has several rows or differs from their sum."""
        mine = self.of_entry(number)
        return len(mine) > 1 or self.entry_totals[number].loss != q2(sum((r.loss for r in mine), ZERO))


def build(findings: Sequence[Finding], entries: dict[str, Entry], saved_totals: dict[str, dict] | None = None,
          refs: dict[str, str] | None = None, statuses: Sequence[str] = STANDING,
          tender: date | None = None, rates: interest_mod.Table | None = None) -> Schedule:
    """The schedule of the findings of ``statuses`` (never a to-verify or dismissed one), with each entry's
    interest to ``tender`` (default: today), at the rates of ``rates`` (default: the shipped table)."""
    chosen = [f for f in findings if countable(f, statuses) and f.direction != "overpaid"]  # refunds: their own
    numbers = sorted({f.entry_number for f in chosen})
    rows = [r for f in chosen for r in finding_rows(f, entries.get(f.entry_number), (refs or {}).get(f.id))]
    totals = {n: entry_money(entries.get(n), [f for f in chosen if f.entry_number == n],
                             (saved_totals or {}).get(n)) for n in numbers}
    tender = tender or date.today()
    return Schedule(rows, totals, numbers,
                    {n: entry_interest(n, entries.get(n), totals[n], tender, rates) for n in numbers}, tender, rates)


# --- interest and penalty exposure ---------------------------------------------------------------------------

@dataclass
class EntryInterest:
    """An entry's 19 U.S.C. 1505(c) interest on its loss (counted once), from its deposit date to the tender date."""

    entry_number: str
    principal: Decimal
    deposit: date | None
    basis: str  # which date the deposit date is ("entry summary date", ...)
    tender: date
    result: interest_mod.Interest | None = None
    problem: str | None = None  # why nothing (or not everything) was computed

    @property
    def amount(self) -> Decimal:
        return self.result.amount if self.result is not None else ZERO

    @property
    def gap(self) -> str | None:
        return self.problem or (self.result.gap if self.result is not None else None)


def entry_interest(number: str, entry: Entry | None, money: EntryMoney, tender: date,
                   rates: interest_mod.Table | None = None) -> EntryInterest:
    """The entry's interest; a period the rate table does not cover is stated (``gap``), never guessed."""
    start, basis = interest_mod.deposit_date(entry.header if entry is not None else None)
    out = EntryInterest(number, money.loss, start, basis, tender)
    if start is None:
        out.problem = f"no interest computed: {basis}"
        return out
    try:
        out.result = interest_mod.compute(money.loss, start, tender, strict=False, rates=rates)
    except interest_mod.InterestGap as exc:
        out.problem = f"no interest computed: {exc}"
    return out


@dataclass(frozen=True)
class DisclosedInterest:
    """The interest a prior disclosure of negligence or gross negligence costs on one entry (19 U.S.C.
    1592(c)(4)(B): computed from the date of liquidation), and which reading of the entry gave it."""

    entry_number: str
    amount: Decimal
    basis: str  # "from liquidation on …", "not liquidated on …", or the 1505(c) figure standing in
    complete: bool
    kind: str = penalty_mod.STANDING_IN  # one of penalty.DISCLOSED_KINDS: how the amount was read


def disclosed_interest(number: str, entry: Entry | None, loss: Decimal, ei: EntryInterest | None,
                       tender: date, rates: interest_mod.Table | None = None) -> DisclosedInterest:
    """From the liquidation date where the entry's declared data give one; nothing while the entry is not liquidated
    on the tender date; else (liquidation not in the data) the 1505(c) interest from deposit, which is not lower."""
    from . import triage as triage_mod

    t = triage_mod.triage_entry(entry, tender) if entry is not None else None
    known = t is not None and t.liquidation_status is not None
    if known and t.liquidation_status in ("unliquidated", "extended", "suspended") or (
            t is not None and t.liquidation_status is None and t.liquidation_date is not None
            and t.liquidation_date > tender):
        return DisclosedInterest(number, ZERO, f"not liquidated on {tender.isoformat()}: no interest from "
                                               "liquidation has run", True, penalty_mod.UNLIQUIDATED)
    if t is not None and t.liquidation_date is not None and t.liquidation_date <= tender:
        try:
            r = interest_mod.compute(loss, t.liquidation_date, tender, strict=False, rates=rates)
        except interest_mod.InterestGap as exc:
            return DisclosedInterest(number, ZERO, f"from liquidation on {t.liquidation_date.isoformat()}: {exc}",
                                     False, penalty_mod.LIQUIDATED)
        return DisclosedInterest(number, r.amount, f"from liquidation on {t.liquidation_date.isoformat()}"
                                 + (f" ({r.gap})" if r.gap else ""), r.gap is None, penalty_mod.LIQUIDATED)
    amount = ei.amount if ei is not None else ZERO
    return DisclosedInterest(number, amount, f"{penalty_mod.STANDING_IN}: the 1505(c) interest from deposit stands "
                                             "in (not lower)", ei is not None and ei.gap is None)


def importer_label(entry: Entry | None) -> str:
    return getattr(importer_of(entry), "name", None) or "importer not stated"


def exposures(schedule: Schedule, entries: dict[str, Entry],
              domestic_values: dict[str, Decimal] | None = None) -> list[penalty_mod.Exposure]:
    """The 19 U.S.C. 1592(c) exposure of each importer of the schedule (by the importer named on its entries): its
    loss and interest as the schedule counts them, the entered value of its entries as the dutiable value."""
    groups: dict[str, list[str]] = {}
    for n in schedule.numbers:
        groups.setdefault(importer_label(entries.get(n)), []).append(n)
    out = []
    for name, numbers in sorted(groups.items()):
        loss = q2(sum((schedule.entry_totals[n].loss for n in numbers), ZERO))
        interest = q2(sum((schedule.interest[n].amount for n in numbers if n in schedule.interest), ZERO))
        complete = all(n in schedule.interest and schedule.interest[n].gap is None for n in numbers)
        value = q2(sum((revenue.context_of(entries[n]).total_entered_value for n in numbers if n in entries), ZERO))
        disclosed = [disclosed_interest(n, entries.get(n), schedule.entry_totals[n].loss, schedule.interest.get(n),
                                        schedule.tender or date.today(), schedule.rates) for n in numbers]
        out.append(penalty_mod.exposure(name, numbers, loss, interest, value, (domestic_values or {}).get(name),
                                        complete, disclosed=disclosed))
    return out


# --- the selection from the store ------------------------------------------------------------------------------

@dataclass
class Selection:
    findings: list[Finding]
    entries: dict[str, Entry]  # every entry of the store
    documents: dict[str, Document]
    saved_totals: dict[str, dict]


def importer_of(entry: Entry | None):
    return entry.header.get("importer") if entry is not None else None


def saved_totals(store) -> dict[str, dict]:
    try:
        saved = json.loads(store.meta("entry_totals") or "{}")
    except ValueError:
        saved = {}
    return saved if isinstance(saved, dict) else {}


def select(store, importer: str | None = None, entries: Iterable[str] | None = None,
           codes: Iterable[str] | None = None, statuses: Sequence[str] = DISCLOSED) -> Selection:
    """The findings of ``statuses`` (accepted only, for a disclosure), of one importer, some entries or some codes;
    a to-verify or dismissed finding is never selected."""
    all_entries = {e.entry_number: e for e in store.entries()}
    wanted = {_norm_id(n) for n in entries} if entries else None
    codes = set(codes) if codes else None
    chosen = []
    for f in store.findings():
        if not countable(f, statuses):  # open, to-verify and dismissed findings never reach a draft
            continue
        if f.direction == "overpaid":  # a refund has its own remedy: it is not disclosed, and never offsets a tender
            continue
        if codes is not None and f.code not in codes:
            continue
        if wanted is not None and _norm_id(f.entry_number) not in wanted:
            continue
        if importer:
            imp = importer_of(all_entries.get(f.entry_number))
            name, number = getattr(imp, "name", None) or "", getattr(imp, "number", None) or ""
            if importer.lower() not in name.lower() and _norm_id(importer) != _norm_id(number):
                continue
        chosen.append(f)
    chosen.sort(key=lambda f: (f.entry_number, f.line_no or 0, f.code, f.id))
    docs = {d.path: d for d in store.documents()} if chosen else {}
    return Selection(chosen, all_entries, docs, saved_totals(store))


# --- Section 232 -----------------------------------------------------------------------------------------------

def readings(f: Finding, entry: Entry | None) -> Section232Reading:
    """The Section 232 readings of a finding's record for its line; what the record does not hold, from the entry
    line (the declared content value) and the record's own line (the shortfall and the rate)."""
    rec = record(f, entry)
    r = next((x for x in rec.section232 if x.line_no == f.line_no), rec.section232[0] if rec.section232 else None)
    line = _line(entry, f.line_no)
    if r is None:
        content, numbers, _ = revenue.declared_content(line)
        entered = line.get("entered_value") if line is not None else None
        r = Section232Reading(f.line_no, entered_value=entered if isinstance(entered, Decimal) else None,
                              declared_content=content, declared_under=numbers, shortfall=q2(f.value_delta))
    r = replace(r)
    if r.rate is None:
        rl = next((x for x in rec.lines if x.rates), None)
        if rl is not None and len(rl.rates) == 1:
            r.rate = rl.rates[0].rate
    return r


__all__ = ["Schedule", "ScheduleRow", "EntryMoney", "EntryInterest", "entry_interest", "exposures", "importer_label", "Selection", "build", "select", "record", "finding_rows",
           "entry_money", "countable", "readings", "saved_totals", "importer_of", "DISCLOSED", "STANDING",
           "NEVER_COUNTED", "VALUE_CODES", "CONTENT_CODES"]
