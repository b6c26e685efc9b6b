"""ASSIST_UNDECLARED: moulds, dies, tools, materials, engineering or design that the buyer supplied to the
producer free or at reduced cost (19 CFR 152.102(a)), whose value is not in the entered value.

Value of the assist = its cost of acquisition plus transport to the place of production (152.103(d)),
from the toolmaker's invoice, converted to USD at the entry's rate; apportioned per 152.103(e): per unit
over the production quantity the documents state, else in full to the first entry of the goods.
"""
from __future__ import annotations

from decimal import Decimal

from ..extract.normalize import id_key
from ..models.records import Finding, q2
from . import revenue
from .context import Context, Result
from .link import NAME_MATCH, same_party
from .rules import BY_CODE

CODE = "ASSIST_UNDECLARED"


def _cost(doc) -> Decimal | None:
    total = doc.get("total")
    if total is not None:
        return total
    amounts = [li.get("amount") for li in doc.line_items]
    if amounts and all(a is not None for a in amounts):
        return sum(amounts, Decimal(0))
    return None


def _entry_date(e) -> str:
    return e.header.get("entry_date") or e.header.get("summary_date") or "9999-12-31"


def _parts_quantity(ctx: Context, parts: set[str]) -> tuple[Decimal | None, set[str]]:
    """Units of the assisted parts in this entry (from its invoices) and the HTS numbers they carry."""
    qty, hts = Decimal(0), set()
    found = False
    for inv in ctx.documents("commercial_invoice"):
        for li in inv.line_items:
            if li.get("part_number") and id_key(str(li.get("part_number"))) in parts:
                if li.get("quantity") is not None:
                    qty += li.get("quantity")
                    found = True
                if li.get("hts"):
                    hts.add(str(li.get("hts")))
    return (qty if found else None), hts


def _line_for(ctx: Context, hts: set[str]):
    lines = ctx.entry.lines
    if not lines:
        return None
    for ln in lines:
        if ln.get("hts") and any(str(ln.get("hts"))[:10] == h[:10] for h in hts):
            return ln
    return max(lines, key=lambda ln: ln.get("entered_value") or Decimal(0))


def check(ctx: Context) -> list[Result]:
    rule = BY_CODE[CODE]
    out: list[Result] = []
    invoices = ctx.documents("commercial_invoice")
    header = ctx.entry.header
    for a in ctx.documents("assist_invoice"):
        cost = _cost(a)
        if cost is None:
            continue
        producer_names = [i.get("seller") for i in invoices]
        to_producer = any(same_party(a.get("ship_to"), s) >= NAME_MATCH for s in producer_names)
        by_buyer = same_party(a.get("buyer"), header.get("importer")) >= NAME_MATCH
        if not (to_producer or by_buyer):
            continue
        rate = ctx.exchange_rate(a.get("currency"))
        parts = {id_key(str(p)) for p in (a.get("part_numbers") or [])}
        qty, hts = _parts_quantity(ctx, parts)
        line = _line_for(ctx, hts)
        entries = ctx.entries_with(a.path)
        first = min(entries, key=_entry_date) if entries else ctx.entry
        rc = ctx.revenue
        if rate is None:
            cost_usd = None
        else:
            cost_usd = q2(cost * rate)
        # is the assist already in the entered value? compare with the price of the goods
        goods_usd = Decimal(0)
        for inv in invoices:
            r = ctx.exchange_rate(inv.get("currency"))
            if inv.get("total") is None or r is None:
                goods_usd = None
                break
            goods_usd += inv.get("total") * r
        if cost_usd is not None:
            share, method = revenue.apportion(cost_usd, a.get("production_quantity"), qty, first is ctx.entry)
        else:
            share, method = Decimal(0), "exchange rate for " + str(a.get("currency")) + " unknown"
        if cost_usd is not None and share <= 0:
            continue
        undeclared = share
        if goods_usd is not None and cost_usd is not None and invoices:
            declared_extra = rc.total_entered_value - goods_usd
            if declared_extra >= share - Decimal(1):
                continue  # the entered value already carries it (to the dollar)
            if declared_extra >= 1:  # under a dollar is the 7501's rounding to whole dollars (19 CFR 159.3)
                undeclared = q2(share - declared_extra)
        line_no = line.line_no if line is not None else None
        rates = revenue.line_rates(line) if line is not None else None
        change = revenue.Change(line_no=line_no, value_delta=undeclared, rates=rates, key=f"assist:{a.path}")
        rev = revenue.compute(rc, [change]) if cost_usd is not None else None
        kind = a.get("assist_kind") or "assist"
        supplier = a.get("supplier").name if a.get("supplier") else "a supplier"
        buyer = a.get("buyer").name if a.get("buyer") else "the importer"
        ship_to = a.get("ship_to").name if a.get("ship_to") else "the producer"
        goods = ", ".join(str(i.get("invoice_number")) for i in invoices if i.get("invoice_number")) or "—"
        explanation = (
            f"{supplier} invoiced {buyer} {a.get('currency') or ''} {cost:,} for {kind} "
            f"(invoice {a.get('invoice_number') or a.path}) delivered to {ship_to}, the producer of the goods"
            + (f" (parts {', '.join(sorted(a.get('part_numbers') or []))})" if a.get("part_numbers") else "")
            + f". The entered value, USD {rc.total_entered_value:,}, is the price of the goods alone"
            + (f" (invoice {goods}, USD {q2(goods_usd):,})" if goods_usd is not None else "")
            + f": the assist is not in it. {method}"
        )
        evidence = ctx.evidence(a.fields.prov("total"), a.fields.prov("ship_to"), a.fields.prov("buyer"))
        if not evidence:
            evidence = ctx.evidence(*(li.prov for li in a.line_items[:3]))
        evidence += ctx.evidence(header.prov("total_entered_value") if hasattr(header, "prov") else None)
        arithmetic = [f"assist cost: {a.get('currency') or 'USD'} {cost:,}"
                      + (f" × {rate} = USD {cost_usd:,}" if rate not in (None, Decimal(1)) else ""), method]
        f = Finding(
            code=CODE, severity=rule.severity, entry_number=ctx.entry.entry_number,
            title=f"Undeclared {kind} assist: USD {q2(undeclared):,} not in the entered value",
            explanation=explanation, legal_basis=rule.legal_basis, line_no=line_no,
            value_delta=q2(undeclared),
            duty_delta=rev.duty_delta if rev else Decimal(0), fees_delta=rev.fees_delta if rev else Decimal(0),
            loss_of_revenue=rev.loss_of_revenue if rev else Decimal(0),
            confidence=0.9 if (to_producer and by_buyer) else 0.7, evidence=evidence,
            arithmetic=arithmetic + (list(rev.arithmetic) if rev else []),
            rate_unknown=bool(rev.rate_unknown) if rev else True,
        )
        out.append(Result(f, [change]))
    return out
