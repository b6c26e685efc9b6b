"""Overpayments: money the importer paid and the documents show was not due (SPEC §4, direction "overpaid").

A refund due is a finding of its own, never an offset: its record carries the duty and fees refundable as negative
deltas and no loss of revenue (``loss_of_revenue`` 0), so it adds nothing to an entry's loss, a disclosure's tender
or its schedule; ``refunds`` lists it with the remedy and deadline the entry's liquidation triage gives.

- ``MPF_OVERPAID``: the MPF declared above the fee due (0.3464 % of the value not exempt, within the fiscal year's
  minimum and maximum; 19 CFR 24.23(b)(1), (c)).
- ``DUTY_REFUNDABLE``: duty declared under the chapter 99 numbers of the IEEPA tariffs (9903.01, 9903.02), an
  authority since held not to authorize tariffs; listed per entry for the refund procedure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from ..models.records import Entry, Finding, Revenue, q2
from . import revenue
from .context import Context, Result
from .fees import INFORMAL, TOLERANCE, _money
from .rules import BY_CODE
from .triage import finding_remedy, triage

ZERO = Decimal(0)
# the chapter 99 headings of the IEEPA tariffs (HTSUS chapter 99, subchapter III: 9903.01 and 9903.02)
IEEPA_PREFIXES = ("9903.01.", "9903.02.")


def is_ieepa(hts) -> bool:
    return bool(hts) and str(hts).startswith(IEEPA_PREFIXES)


def refund_of(f: Finding) -> Decimal:
    """The money an overpaid finding says is refundable: its duty and fees, as a positive amount."""
    return q2(-(f.duty_delta + f.fees_delta))


# --- MPF_OVERPAID ---------------------------------------------------------------------------------------------------

def mpf_overpaid(ctx: Context) -> list[Result]:
    h = ctx.entry.header
    declared = _money(h.get("mpf"))
    if declared is None or declared < 0 or str(h.get("entry_type") or "").strip() in INFORMAL:
        return []
    rc = ctx.revenue
    if rc.total_entered_value <= 0:
        return []
    base = rc.total_entered_value - rc.mpf_exempt_value
    due = revenue.mpf(base, rc.entry_date)
    over = q2(declared - due)
    if over <= TOLERANCE:
        return []
    fy, lo, hi, note = revenue.mpf_limits(rc.entry_date)
    pct = q2(base * revenue.MPF_RATE / 100) if base > 0 else Decimal("0.00")
    limit = " (the minimum)" if due == lo else " (the maximum)" if due == hi else ""
    why = ("the fee is capped at the fiscal year's maximum" if due == hi and pct > hi else
           "the value of originating goods is exempt" if rc.mpf_exempt_value else
           "the fee is 0.3464 % of the entered value")
    arithmetic = [
        f"MPF base: entered value {rc.total_entered_value:,.2f}"
        + (f" less MPF-exempt value {rc.mpf_exempt_value:,.2f}" if rc.mpf_exempt_value else "")
        + f" = {base:,.2f}",
        f"0.3464 % × {base:,.2f} = {pct:,.2f}; FY{fy} minimum {lo:,.2f}, maximum {hi:,.2f}{note}",
        f"MPF declared {declared:,.2f} − due {due:,.2f}{limit} = {over:,.2f} refundable",
        "no loss of revenue: an overpayment, never netted against a loss",
    ]
    rule = BY_CODE["MPF_OVERPAID"]
    rec = Revenue(mpf_before=declared, mpf_after=due, mpf_base_before=base, mpf_base_after=base,
                  fees_delta=-over, loss_of_revenue=ZERO, fees_of_their_own=True, arithmetic=arithmetic)
    f = Finding(
        code="MPF_OVERPAID", severity=rule.severity, entry_number=ctx.entry.entry_number,
        title=f"MPF paid USD {declared:,.2f}, due USD {due:,.2f}: USD {over:,.2f} refundable",
        explanation=(f"The entry declares a merchandise processing fee of USD {declared:,.2f} (fee class 499) on an "
                     f"entered value of USD {rc.total_entered_value:,.2f}. For fiscal year {fy}{note} the fee due is "
                     f"USD {due:,.2f}{limit} ({why}). USD {over:,.2f} was paid over the fee due."),
        legal_basis=rule.legal_basis, confidence=0.95,
        evidence=ctx.evidence(h.prov("mpf"), h.prov("total_entered_value"), h.prov("entry_date"))
        or [e for d in ctx.documents("entry_summary") for e in ctx.cite(d, "mpf", "total_entered_value")],
        arithmetic=arithmetic, revenue=rec, direction="overpaid")
    return [Result(f)]


# --- DUTY_REFUNDABLE ------------------------------------------------------------------------------------------------

def ieepa_duty(line, add) -> tuple[Decimal | None, str]:
    """The duty paid under one IEEPA chapter 99 number of a line: as declared, else its rate × its value."""
    paid = _money(add.get("duty"))
    if paid is not None:
        return q2(paid), "declared"
    rate = _money(add.get("rate"))
    value = _money(add.get("value"))
    if value is None:
        value = _money(line.get("entered_value"))
    if rate is None or value is None:
        return None, "neither the duty nor its rate and value are declared"
    return q2(revenue.duty(value, rate)), f"{rate.normalize():f} % × {value:,.2f}"


def duty_refundable(ctx: Context) -> list[Result]:
    out = []
    rule = BY_CODE["DUTY_REFUNDABLE"]
    for ln in ctx.entry.lines:
        adds = [a for a in ln.get("additional") or [] if is_ieepa(a.get("hts"))]
        if not adds:
            continue
        total = ZERO
        steps = []
        numbers = []
        for a in adds:
            paid, how = ieepa_duty(ln, a)
            if paid is None or paid <= 0:
                continue
            total += paid
            numbers.append(str(a.get("hts")))
            steps.append(f"{a.get('hts')}: duty {paid:,.2f} ({how})")
        if total <= 0:
            continue
        total = q2(total)
        steps.append(f"refundable duty = {total:,.2f}; no loss of revenue (an overpayment, never netted)")
        rec = Revenue(duty_delta=-total, loss_of_revenue=ZERO, arithmetic=steps)
        docs = ctx.documents("entry_summary")
        f = Finding(
            code="DUTY_REFUNDABLE", severity=rule.severity, entry_number=ctx.entry.entry_number,
            line_no=ln.line_no,
            title=f"Duty of USD {total:,.2f} paid under {', '.join(numbers)} (IEEPA)",
            explanation=(f"Line {ln.line_no} declares duty under {', '.join(numbers)}, the chapter 99 numbers of the "
                         f"tariffs imposed under the International Emergency Economic Powers Act, an authority the "
                         f"courts have held does not authorize them. USD {total:,.2f} of duty paid on this line is "
                         f"listed for the refund procedure, with the entry's liquidation status."),
            legal_basis=rule.legal_basis, confidence=0.95,
            evidence=ctx.evidence(ln.prov)
            or [e for d in docs for e in ctx.cite(d, "additional", "hts")],
            arithmetic=steps, revenue=rec, direction="overpaid")
        out.append(Result(f))
    return out


# --- the refunds schedule -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Refund:
    """One overpaid finding in the refunds schedule."""

    entry_number: str
    line_no: int | None
    code: str
    finding_id: str
    status: str
    duty: Decimal  # refundable, positive
    fees: Decimal
    refund: Decimal
    triage_status: str | None
    remedy: str | None
    deadline: str | None  # ISO date of the remedy's deadline (None where none can be counted)
    title: str


REMEDY_DEADLINE = {"post_summary_correction": "psc_deadline", "protest": "protest_deadline"}


def refunds(findings: Iterable[Finding], entries: dict[str, Entry], as_of: date | None = None,
            statuses: tuple[str, ...] = ("open", "accepted")) -> list[Refund]:
    """The refunds due: every overpaid finding of ``statuses`` (never a dismissed or to-verify one), with its
    entry's triage on ``as_of`` (default today): the remedy and the deadline of that remedy."""
    as_of = as_of or date.today()
    chosen = [f for f in findings if f.direction == "overpaid" and f.status in statuses]
    standing = triage([entries[n] for n in sorted({f.entry_number for f in chosen}) if n in entries], as_of)
    out = []
    for f in sorted(chosen, key=lambda f: (f.entry_number, f.line_no or 0, f.code, f.id)):
        t = standing.get(f.entry_number)
        remedy = finding_remedy(t, f)
        deadline = None
        if t is not None and remedy in REMEDY_DEADLINE:
            d = getattr(t, REMEDY_DEADLINE[remedy])
            deadline = d.isoformat() if d else None
        out.append(Refund(f.entry_number, f.line_no, f.code, f.id, f.status, q2(-f.duty_delta), q2(-f.fees_delta),
                          refund_of(f), t.status if t else None, remedy, deadline, f.title))
    return out


def refunds_total(rows: Iterable[Refund]) -> Decimal:
    return q2(sum((r.refund for r in rows), ZERO))
