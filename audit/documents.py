"""DOCUMENT_MISSING: an entry whose commercial invoice is not in the folder (19 U.S.C. 1509 records)."""
from __future__ import annotations

from ..models.records import Finding
from .context import Context, Result
from .rules import BY_CODE

CODE = "DOCUMENT_MISSING"


def check(ctx: Context) -> list[Result]:
    if ctx.documents("commercial_invoice"):
        return []
    rule = BY_CODE[CODE]
    h = ctx.entry.header
    listed = ", ".join(str(x) for x in (h.get("invoice_numbers") or [])) or "none listed"
    f = Finding(
        code=CODE, severity=rule.severity, entry_number=ctx.entry.entry_number,
        title="Commercial invoice not found for this entry",
        explanation=(f"No commercial invoice in the folder links to entry {ctx.entry.entry_number} "
                     f"(invoice numbers on the entry summary: {listed}). The value declared cannot be "
                     "checked against the price actually paid or payable until it is produced."),
        legal_basis=rule.legal_basis, evidence=ctx.evidence(h.prov("entry_number")), confidence=0.95,
        arithmetic=["no revenue effect: 0.00"],
    )
    return [Result(f)]
