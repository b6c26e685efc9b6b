"""ARITHMETIC_ERROR: quantity × unit price, or the sum of the lines and charges, differs from the amount or total
the invoice shows — to the currency's smallest unit, plus the rounding of unit prices quoted to more than two
decimals; a difference a scan's misreading explains is not reported. Shared readers are in ``crosscheck``."""
from __future__ import annotations

from decimal import Decimal

from ..models.fold import id_key
from ..models.records import Document, Finding
from .context import Context, Result
from .crosscheck import (CENT, _digit_string, _fmt, _goods_lines, _groups, _l, _line_no, _n,
                         _num, _price_slack, _rounding_unit, _t, _unit, misread, two_misreads)
from .quantity import _shared, _shipments
from .rules import BY_CODE


def _adds_up(q: Decimal, p: Decimal, a: Decimal, unit: Decimal, line_unit) -> bool:
    slack = _price_slack(q, p, unit)
    if abs(q * p - a) <= slack:
        return True
    # prices quoted per hundred or per thousand, or per piece for goods counted in dozens (and the reverse)
    factors = [Decimal(100), Decimal(1000)]
    code = _unit(line_unit)
    for f in factors:
        if abs(q * p / f - a) <= slack:
            return True
    if code == "DOZ" and (abs(q * 12 * p - a) <= slack * 12 or abs(q * p / 12 - a) <= slack):
        return True
    # the same digits with a separator elsewhere: a number format read wrongly, not a wrong invoice
    return _digit_string(q * p) == _digit_string(a) and a != 0


def _line_errors(doc: Document, confirmed: dict[str, Decimal]) -> list[tuple[str, object, Decimal, Decimal]]:
    """Lines whose amount is not quantity × unit price: (text, provenance, the amount quantity × price gives, the
    amount shown)."""
    out = []
    unit = _rounding_unit(doc)
    for li in doc.line_items:
        q, p, a = _n(li, "quantity"), _n(li, "unit_price"), _n(li, "amount")
        if not all(isinstance(x, Decimal) for x in (q, p, a)) or p == 0 or q == 0:
            continue
        if _adds_up(q, p, a, unit, _t(li, "unit")):
            continue
        if doc.ocr and (misread(q, a / p) or misread(p, a / q) or misread(a, q * p) or two_misreads(q, p, a)):
            continue  # a scan's misread digit or separator explains it: no evidence of a wrong invoice
        pn = _t(li, "part_number")
        if doc.ocr and pn and confirmed.get(id_key(str(pn))) is not None and \
                abs(confirmed[id_key(str(pn))] * p - a) <= _price_slack(q, p, unit):
            continue  # the packing list's quantity makes the line add up: the quantity was misread
        exact = q * p
        shown = exact.quantize(unit) if unit == CENT else exact.quantize(Decimal(1))
        out.append((f"line {li.get('line_no') if li.get('line_no') is not None else '?'}"
                    + (f" ({pn})" if pn else "")
                    + f": {_fmt(q)} × {p:,} = {shown:,}, shown {a:,} (difference {(a - shown):+,})",
                    li.prov, shown, a))
    return out


def _carried_rows(items) -> set[int]:
    """Rows that carry a running total from one page to the next (read as lines): an amount without quantity or
    price that equals the sum of the rows before it."""
    out, running = set(), Decimal(0)
    for i, li in enumerate(items):
        a = _n(li, "amount")
        if a is None:
            continue
        if _n(li, "quantity") is None and _n(li, "unit_price") is None and i > 0 and a == running:
            out.add(i)
            continue
        running += a
    return out


def _numbering_gap(items) -> bool:
    """Whether the lines' numbers (1, 2, 3 or 10, 20, 30) skip one: a line that was not read."""
    nos = []
    for li in items:
        n = li.get("line_no")
        try:
            nos.append(int(n))
        except (TypeError, ValueError):
            return False
    if len(nos) < 2:
        return False
    nos = sorted(set(nos))
    steps = [b - a for a, b in zip(nos, nos[1:])]
    if not steps:
        return False
    step = min(steps)
    return step > 0 and len(set(steps)) > 1 and all(s % step == 0 for s in steps)


def _signed_charges(doc: Document) -> list[Decimal] | None:
    out = []
    for c in _l(doc, "charges") or []:
        if not isinstance(c, dict):
            return None
        amt = _n(c, "amount")
        if not isinstance(amt, Decimal):
            try:
                amt = Decimal(str(amt))
            except ArithmeticError:
                return None
        out.append(-abs(amt) if _t(c, "kind") == "discount" else amt)
    return out


def _subset_sums(values: list[Decimal]) -> set[Decimal]:
    sums = {Decimal(0)}
    for v in values[:8]:
        sums |= {s + v for s in sums}
    return sums


def _total_errors(doc: Document, all_lines_known: bool = False) -> list[tuple[str, object]]:
    """The sum of the lines against the subtotal, and subtotal ± charges against the total. On a scan, a total
    above the lines is a line not read unless the packing list shows every line was, and a figure one misread
    digit or separator away is a misreading."""
    # rows of text only (a description running on) are no lines
    items = [li for li in doc.line_items
             if any(_n(li, k) is not None for k in ("quantity", "unit_price", "amount"))]
    carried = _carried_rows(items)
    kept = [li for i, li in enumerate(items) if i not in carried]
    amounts = [_n(li, "amount") for li in kept]
    if not amounts or any(not isinstance(a, Decimal) for a in amounts) or _numbering_gap(kept):
        return []
    unit = _rounding_unit(doc)
    tol = max(unit, unit * len(kept) / 2) if unit == CENT else unit
    lines_sum = sum(amounts, Decimal(0))
    charges = _signed_charges(doc)
    subtotal, total = _n(doc, "subtotal"), _n(doc, "total")
    subtotal = subtotal if isinstance(subtotal, Decimal) else None
    total = total if isinstance(total, Decimal) else None
    extras = _subset_sums(charges) if charges is not None else {Decimal(0)}
    out = []
    if subtotal is not None and abs(lines_sum - subtotal) > tol:
        prefixes, run = set(), Decimal(0)
        for a in amounts[:-1]:
            run += a
            prefixes.add(run)
        page_subtotal = subtotal in prefixes  # a page's subtotal read as the invoice's
        net_of = any(abs(lines_sum + e - subtotal) <= tol for e in extras)  # after a discount or charge
        unread = doc.ocr and ((subtotal > lines_sum and not all_lines_known) or misread(subtotal, lines_sum))
        if not page_subtotal and not net_of and not unread:
            out.append((f"the lines add up to {lines_sum:,}, the subtotal shows {subtotal:,} "
                        f"(difference {subtotal - lines_sum:+,})", doc.fields.prov("subtotal")))
        if page_subtotal:
            subtotal = None
    if total is None or charges is None:
        return out
    bases = {b for b in (subtotal, lines_sum) if b is not None}
    if any(abs(b + e - total) <= tol for b in bases for e in extras):
        return out
    if not charges and subtotal is not None:
        return out  # charges between the subtotal and the total that were not itemised (or not read)
    base = subtotal if subtotal is not None else lines_sum
    add = sum(charges, Decimal(0))
    if doc.ocr and ((total > base + add and not all_lines_known)
                    or any(misread(total, b + e) for b in bases for e in extras)):
        return out
    if charges:
        what = "the subtotal" if subtotal is not None else "the lines"
        text = f"{what} {base:,} {'+' if add >= 0 else '−'} charges {abs(add):,} = {base + add:,}"
    else:
        text = f"the lines add up to {base:,}"
    out.append((f"{text}, the total shows {total:,} (difference {total - base - add:+,})", doc.fields.prov("total")))
    return out


def _unread(doc: Document) -> bool:
    """A line whose amount, quantity or price was not read, or that does not add up on a scan."""
    unit = _rounding_unit(doc)
    for li in doc.line_items:
        q, p, a = _n(li, "quantity"), _n(li, "unit_price"), _n(li, "amount")
        if not all(isinstance(x, Decimal) for x in (q, p, a)):
            return True
        if not _adds_up(q, p, a, unit, _t(li, "unit")):
            return True
    return False


def _followed(ctx: Context, doc: Document, line_errors, total_errors) -> str:
    """Which figure the entered value followed: the invoice's amounts as shown or as multiplied out, where the
    entry carries this invoice alone and the comparison tells them apart."""
    if not line_errors or doc.doc_type != "commercial_invoice" or len(ctx.documents("commercial_invoice")) != 1 \
            or _shared(ctx, doc):
        return ""
    tev = _n(ctx.entry.header, "total_entered_value")
    rate = _num(ctx.exchange_rate(_t(doc, "currency")))
    amounts = [_n(li, "amount") for li in doc.line_items]
    if tev is None or rate is None or not amounts or any(not isinstance(a, Decimal) for a in amounts):
        return ""
    shown_lines = sum(amounts, Decimal(0))
    fix = sum((correct - shown for _, _, correct, shown in line_errors), Decimal(0))
    correct_lines = shown_lines + fix
    total = _n(doc, "total") if isinstance(_n(doc, "total"), Decimal) else None
    shown = {shown_lines} | ({total} if total is not None else set())
    corrected = {correct_lines} | ({total + fix} if total is not None and not total_errors else set())

    def near(xs):  # the 7501 states whole dollars
        return any(abs(x * rate - tev) <= 1 for x in xs)

    cur = f"{doc.get('currency')} " if _t(doc, "currency") else ""
    if near(shown) and not near(corrected):
        return (f" The entered value, USD {_fmt(tev)}, follows the amounts as shown; multiplied out, the lines "
                f"come to {cur}{correct_lines:,}.")
    if near(corrected) and not near(shown):
        return (f" The entered value, USD {_fmt(tev)}, follows quantity × unit price, not the amounts as shown "
                f"({cur}{shown_lines:,}).")
    return " Which of the two figures the entered value followed cannot be seen from the entry."


def _total_follows_corrected(doc: Document, line_errors) -> bool:
    """Whether the document's subtotal or total is the sum of the lines with the bad ones multiplied out, and not
    the sum of the amounts as read."""
    amounts = [_n(li, "amount") for li in doc.line_items]
    if not amounts or any(not isinstance(a, Decimal) for a in amounts):
        return False
    shown = sum(amounts, Decimal(0))
    corrected = shown + sum((e[2] - e[3] for e in line_errors), Decimal(0))
    extras = _subset_sums(_signed_charges(doc) or [])
    stated = [x for x in (_n(doc, "subtotal"), _n(doc, "total")) if isinstance(x, Decimal)]
    unit = _rounding_unit(doc)

    def matches(base):
        return any(abs(base + e - x) <= unit for x in stated for e in extras)

    return matches(corrected) and not matches(shown)


def _line_missing(doc: Document, packings: list[Document]) -> bool:
    """Whether the packing list of an invoice lists a part number the invoice's lines do not have."""
    if doc.doc_type != "commercial_invoice":
        return False
    mine = {id_key(str(_t(li, "part_number"))) for li in doc.line_items if _t(li, "part_number")}
    if not mine:
        return False
    for invs, pls in _shipments([doc], packings):
        for pl in pls:
            for li in pl.line_items:
                if _t(li, "part_number") and id_key(str(_t(li, "part_number"))) not in mine:
                    return True
    return False


def _lines_confirmed(doc: Document, packings: list[Document]) -> bool:
    """Whether the invoice's packing list lists exactly the invoice's part numbers (every line was read)."""
    mine = {id_key(str(_t(li, "part_number"))) for li in doc.line_items if _t(li, "part_number")}
    if doc.doc_type != "commercial_invoice" or not mine or len(mine) != len(doc.line_items):
        return False
    listed = {id_key(str(_t(li, "part_number"))) for _, pls in _shipments([doc], packings) for pl in pls
              for li in pl.line_items if _t(li, "part_number")}
    return listed == mine


def arithmetic(ctx: Context) -> list[Result]:
    rule = BY_CODE["ARITHMETIC_ERROR"]
    out: list[Result] = []
    confirmed: dict[str, Decimal] = {}
    for pl in ctx.documents("packing_list"):
        for li in pl.line_items:
            if _t(li, "part_number") and _n(li, "quantity") is not None:
                confirmed[id_key(str(_t(li, "part_number")))] = _n(li, "quantity")
    groups = _groups(_goods_lines(ctx))
    packings = ctx.documents("packing_list")
    for doc in ctx.documents("commercial_invoice") + ctx.documents("assist_invoice"):
        line_errors = _line_errors(doc, confirmed)
        if doc.ocr and line_errors and _total_follows_corrected(doc, line_errors):
            line_errors = []  # the scan's own total follows quantity × price: the amounts shown were misread
        # a scan whose lines are not all read consistently, or an invoice without a line its packing list
        # lists (a line not read), cannot show its totals wrong
        unsure = (doc.ocr and (line_errors or _unread(doc))) or _line_missing(doc, packings)
        total_errors = [] if unsure else _total_errors(doc, _lines_confirmed(doc, packings))
        if not line_errors and not total_errors:
            continue
        number = _t(doc, "invoice_number") or doc.path
        texts = [e[0] for e in line_errors] + [t for t, _ in total_errors]
        follows = _followed(ctx, doc, line_errors, total_errors)
        kind = "assist invoice" if doc.doc_type == "assist_invoice" else "invoice"
        f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number,
                    line_no=_line_no(groups[0].first) if len(groups) == 1 else None,
                    title=f"The arithmetic of {kind} {number} does not add up",
                    explanation=(f"On {kind} {number} ({doc.get('currency') or 'currency not shown'}): "
                                 + "; ".join(texts) + "." + follows
                                 + " Which figure is the price actually paid or payable must be settled before the "
                                 "value declared can be relied on; the error itself changes no duty or fee."),
                    legal_basis=rule.legal_basis, confidence=0.9 if not doc.ocr else 0.75,
                    evidence=ctx.evidence(*([e[1] for e in line_errors] + [p for _, p in total_errors]))
                    or ctx.cite(doc, "invoice_number", "total"),
                    arithmetic=texts + ["no revenue effect: 0.00"])
        out.append(Result(f))
    return out
