"""The audit: link documents into entries, run every rule of the table, total the loss of revenue.

``audit(documents)`` reads only Documents (and declared entry lines); it never opens files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Sequence

from ..models.records import Document, Entry, Finding, RuleError, q2
from . import gate
from .context import Context, Result
from .link import link
from .rules import RULES


@dataclass
class AuditResult:
    entries: list[Entry]
    findings: list[Finding]
    entry_totals: dict[str, dict] = field(default_factory=dict)
    unlinked: list[str] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)  # rules that failed on an entry (the others still ran)


def audit(documents: Sequence[Document], declared: Iterable[Entry] | None = None, tariff=None,
          rates: dict[str, Decimal] | None = None) -> AuditResult:
    from . import revenue

    linked = link(documents, declared)
    findings: list[Finding] = []
    errors: list[RuleError] = []
    totals: dict[str, dict] = {}
    # the rule modules are loaded when there is an entry to check (a folder of invoices alone has none)
    checks = [(r, r.function()) for r in RULES] if linked.entries else []
    for entry in linked.entries:
        ctx = Context(entry, linked, tariff, dict(rates or {}))
        results: list[Result] = []
        for rule, fn in checks:
            try:
                results.extend(fn(ctx))
            # the boundary of one rule: any defect in it must not lose the other rules' findings; it is recorded
            # with its type and reported by the summary, the report and the export, and fails the review (exit 3)
            except Exception as exc:
                errors.append(RuleError(rule.code, entry.entry_number, type(exc).__name__, str(exc)))
        for r in results:  # every finding carries its money as a record (SPEC §4), computed where the rule did not
            if r.finding.revenue is None:
                r.finding.set_revenue(revenue.record_of(ctx.revenue, r.finding, r.changes, entry.header.get("mpf")))
        gate.apply(ctx, [r.finding for r in results])
        findings.extend(r.finding for r in results)
        # counted in no total: a finding to verify, and a refund due (an overpayment never offsets a loss)
        results = [r for r in results if r.finding.status != "to_verify" and r.finding.direction != "overpaid"]
        changes = [c for r in results for c in r.changes]
        if results:
            own = q2(sum((r.finding.loss_of_revenue for r in results), Decimal(0)))
            if changes:
                rev = revenue.entry_total(ctx.revenue, changes)
                # findings without value changes (a fee declared short) are money of their own
                total = rev.loss_of_revenue + sum((r.finding.loss_of_revenue for r in results if not r.changes),
                                                  Decimal(0))
            else:
                total = own
            totals[entry.entry_number] = {"loss_of_revenue": format(q2(total), "f"),
                                          "sum_of_findings": format(own, "f"),
                                          "counted_once": own != q2(total)}
    findings.sort(key=lambda f: (f.entry_number, f.code, f.line_no or 0))
    return AuditResult(linked.entries, findings, totals, linked.unlinked, errors)
