"""MPF_MISCALCULATED: the merchandise processing fee declared differs from the fee due (19 CFR 24.23).

Due = 0.3464 % of the entered value less the value exempt from MPF (originating goods under a free-trade
agreement), within the minimum and maximum of the fiscal year of the entry date (1 October – 30 September). A
fee declared short is a loss of revenue; a fee declared over is ``MPF_OVERPAID`` (``audit/overpaid.py``), a refund
due in its own schedule, never netted against the underpayments. A cent either way is rounding. Informal entries (type 11, 12) pay a flat fee
instead and are not checked; nor is an entry without a declared fee or an entered value.
"""
from __future__ import annotations

from decimal import Decimal

from ..models.records import Finding, q2
from . import revenue
from .context import Context, Result
from .rules import BY_CODE

CODE = "MPF_MISCALCULATED"
TOLERANCE = Decimal("0.01")  # a cent of rounding


INFORMAL = {"11", "12"}  # informal entries: a flat fee per entry (19 CFR 24.23(b)(2))


def mpf_declared_and_due(ctx: Context):
    """The MPF an entry declares and the fee due on its dutiable, non-exempt value, or None where no fee is to be
    weighed (none declared, an informal entry, no entered value)."""
    h = ctx.entry.header
    declared = _money(h.get("mpf"))
    if declared is None or declared < 0 or str(h.get("entry_type") or "").strip() in INFORMAL:
        return None
    rc = ctx.revenue
    if rc.total_entered_value <= 0:
        return None
    return declared, revenue.mpf(rc.total_entered_value - rc.mpf_exempt_value, rc.entry_date)


def _money(v) -> Decimal | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        return Decimal(str(v))
    except ArithmeticError:
        return None


def check(ctx: Context) -> list[Result]:
    h = ctx.entry.header
    fee = mpf_declared_and_due(ctx)
    if fee is None:
        return []
    declared, due = fee
    rc = ctx.revenue
    base = rc.total_entered_value - rc.mpf_exempt_value
    delta = q2(due - declared)
    if delta <= TOLERANCE:  # a cent of rounding, or a fee declared over: MPF_OVERPAID reports it
        return []
    fy, lo, hi, note = revenue.mpf_limits(rc.entry_date)
    pct = q2(base * revenue.MPF_RATE / 100) if base > 0 else Decimal("0.00")
    limit = " (the minimum)" if due == lo else " (the maximum)" if due == hi else ""
    arithmetic = [
        f"MPF base: entered value {rc.total_entered_value:,.2f}"
        + (f" less MPF-exempt value {rc.mpf_exempt_value:,.2f}" if rc.mpf_exempt_value else "")
        + f" = {base:,.2f}",
        f"0.3464 % × {base:,.2f} = {pct:,.2f}; FY{fy} minimum {lo:,.2f}, maximum {hi:,.2f}{note}",
        f"MPF due {due:,.2f}{limit} − declared {declared:,.2f} = {delta:,.2f}",
    ]
    short = delta > 0
    loss = delta if short else Decimal("0.00")
    arithmetic.append(f"loss of revenue = fees {loss:,.2f}" if short
                      else "declared over the fee due: no loss of revenue (an overpayment the importer may recover)")
    rule = BY_CODE[CODE]
    explanation = (
        f"The entry declares a merchandise processing fee of USD {declared:,.2f} (fee class 499) on an "
        f"entered value of USD {rc.total_entered_value:,.2f}. "
        + (f"For an entry dated {rc.entry_date} " if rc.entry_date else "With no entry date shown, ")
        + f"(fiscal year {fy}{note}) the fee due is 0.3464 % of USD {base:,.2f}, within USD {lo:,.2f} to {hi:,.2f}: "
        f"USD {due:,.2f}{limit}. "
        + (f"The fee was declared USD {delta:,.2f} short." if short
           else f"The fee was declared USD {-delta:,.2f} over what is due.")
        + (" The declared fee matches another fiscal year's limit: the limits of the entry date's fiscal year "
           "apply." if declared in {v for pair in revenue.MPF_LIMITS.values() for v in pair}
           and declared not in (lo, hi) else "")
    )
    f = Finding(
        code=CODE, severity=rule.severity if short else "low", entry_number=ctx.entry.entry_number,
        title=f"MPF declared USD {declared:,.2f}, due USD {due:,.2f}",
        explanation=explanation, legal_basis=rule.legal_basis,
        fees_delta=loss, loss_of_revenue=loss, confidence=0.95,
        evidence=ctx.evidence(h.prov("mpf"), h.prov("total_entered_value"), h.prov("entry_date"))
        or [e for d in ctx.documents("entry_summary") for e in ctx.cite(d, "mpf", "total_entered_value")],
        arithmetic=arithmetic,
    )
    # no value changes: the correction is money of its own, which the entry total adds to the other findings'
    return [Result(f)]
