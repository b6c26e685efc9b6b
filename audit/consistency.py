"""Consistency of the documents with each other and with the entry (19 U.S.C. 1484, reasonable care):

- HTS_MISMATCH: the HTS number the commercial documents give for the goods differs from the one declared;
- QUANTITY_MISMATCH: quantities or weights disagree between invoice, packing list, mill certificate and entry;
- ARITHMETIC_ERROR: quantity × unit price, or the sum of the lines and charges, differs from what is shown.

Numbers are compared at the precision both sides give (a 6-digit invoice HTS consistent with a 10-digit
declaration is no mismatch), weights within a small tolerance, money to the cent plus the rounding of prices
quoted to more decimals.
"""
from __future__ import annotations

import re
from decimal import Decimal

from rapidfuzz import fuzz

from ..extract.normalize import id_key, unit_code
from ..models.records import Document, Finding, q2
from . import revenue
from .context import Context, Result
from .rules import BY_CODE

WEIGHT_TOLERANCE = Decimal("0.005")  # 0.5 % ...
WEIGHT_FLOOR = Decimal("1")  # ... or 1 kg, whichever is larger
PIECE_UNITS = {"PCS", "NO", "EA", "PC", "UNIT", "SET", "PRS", "PR"}


def _digits(hts: str | None) -> str:
    return re.sub(r"\D", "", str(hts or ""))


def _goods_lines(ctx: Context):
    """The entry's lines of goods (chapter 99 numbers are sub-lines, not goods)."""
    return [ln for ln in ctx.entry.lines if ln.get("hts") and not _digits(ln.get("hts")).startswith("99")]


def _line_for(ctx: Context, hts: str | None, description: str | None):
    """The entry line a document line belongs to: the only line, else the one with the closest HTS heading and
    description; the match and how sure it is."""
    lines = _goods_lines(ctx)
    if not lines:
        return None, 0.0
    if len(lines) == 1:
        return lines[0], 1.0
    d = _digits(hts)
    best, score = None, 0.0
    for ln in lines:
        s = 0.0
        ld = _digits(ln.get("hts"))
        common = 0
        for a, b in zip(d, ld):
            if a != b:
                break
            common += 1
        s += min(common, 6) / 6 * 0.6
        if description and ln.get("description"):
            s += fuzz.token_set_ratio(str(description).lower(), str(ln.get("description")).lower()) / 100 * 0.4
        if s > score:
            best, score = ln, s
    return best, score


# --- HTS ---------------------------------------------------------------------------------------------

def hts(ctx: Context) -> list[Result]:
    rule = BY_CODE["HTS_MISMATCH"]
    out: list[Result] = []
    seen: set[tuple] = set()
    for inv in ctx.documents("commercial_invoice"):
        for li in inv.line_items:
            doc_hts = li.get("hts")
            d = _digits(doc_hts)
            if len(d) < 6:
                continue
            line, sure = _line_for(ctx, doc_hts, li.get("description"))
            if line is None or sure < 0.3:
                continue
            decl = _digits(line.get("hts"))
            n = min(len(d), len(decl))
            if n < 6 or d[:n] == decl[:n]:
                continue
            key = (line.line_no, d)
            if key in seen:
                continue
            seen.add(key)
            out.append(_hts_finding(ctx, rule, inv, li, line, str(doc_hts), sure))
    return out


def _hts_finding(ctx: Context, rule, inv: Document, li, line, doc_hts: str, sure: float) -> Result:
    declared = str(line.get("hts"))
    rate_decl = line.get("duty_rate")
    rate_doc = ctx.tariff.general_rate(doc_hts) if ctx.tariff is not None else None
    value = line.get("entered_value") or Decimal(0)
    arithmetic = [f"invoice {inv.get('invoice_number') or inv.path} line {li.get('line_no') or '?'}: HTS {doc_hts}; "
                  f"entry line {line.line_no}: HTS {declared}"]
    changes = []
    duty = Decimal("0.00")
    unknown = False
    if rate_doc is None or rate_decl is None:
        unknown = True
        arithmetic.append(f"no rate known for {doc_hts}" + (" (no tariff schedule given)" if ctx.tariff is None else "")
                          + ": the duty effect cannot be computed; value delta 0.00")
    elif rate_doc == Decimal(rate_decl):
        arithmetic.append(f"same rate ({rate_doc.normalize():f} %) under both numbers: no duty effect")
    else:
        diff = rate_doc - Decimal(rate_decl)
        ch = revenue.Change(line_no=line.line_no, value_delta=value, rates=[diff], key=f"hts:{line.line_no}",
                            fee_base_delta=Decimal(0), note=f"rate {rate_doc.normalize():f} % instead of "
                                                            f"{Decimal(rate_decl).normalize():f} %")
        rev = revenue.compute(ctx.revenue, [ch])
        duty = rev.duty_delta if diff > 0 else Decimal("0.00")
        arithmetic += list(rev.arithmetic)
        if diff > 0:
            changes.append(ch)
    loss = duty
    explanation = (
        f"The commercial invoice {inv.get('invoice_number') or inv.path} classifies "
        f"\"{li.get('description') or 'the goods'}\" under HTS {doc_hts}; entry line {line.line_no} declares them "
        f"under {declared}"
        + (f" ({line.get('description')})" if line.get("description") else "")
        + ". Reasonable care (19 U.S.C. 1484) requires the importer to resolve the difference: either the "
        "invoice or the entry is wrong. "
        + ("The general rate for the invoice number is unknown (no tariff schedule entry), so only the "
           "difference is reported." if unknown else "")
    )
    f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
                title=f"HTS {doc_hts} on the invoice, {declared} on the entry", explanation=explanation.strip(),
                legal_basis=rule.legal_basis, duty_delta=duty, loss_of_revenue=loss,
                confidence=round(0.6 + 0.35 * sure, 2),
                evidence=ctx.evidence(li.prov) + ctx.cite(inv, "invoice_number"), arithmetic=arithmetic,
                rate_unknown=unknown)
    return Result(f, changes)


# --- quantities and weights ---------------------------------------------------------------------------

def _unit_kind(unit: str | None) -> str | None:
    u = unit_code(unit) if unit else None
    u = u or (str(unit).upper() if unit else None)
    if u in ("KG", "LB", "MT", "G", "T", "TNE", "KGM"):
        return "weight"
    if u in PIECE_UNITS:
        return "pieces"
    return u


def _same_weight(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= max(WEIGHT_FLOOR, WEIGHT_TOLERANCE * max(abs(a), abs(b)))


def _implied_quantity(inv: Document, pn: str) -> Decimal | None:
    for li in inv.line_items:
        if li.get("part_number") and id_key(str(li.get("part_number"))) == pn:
            p, a = li.get("unit_price"), li.get("amount")
            if p and a is not None:
                q = a / p
                return q.quantize(Decimal(1)) if abs(q - q.quantize(Decimal(1))) < Decimal("0.001") else q
    return None


def quantity(ctx: Context) -> list[Result]:
    rule = BY_CODE["QUANTITY_MISMATCH"]
    problems: list[tuple[str, list]] = []
    invoices = ctx.documents("commercial_invoice")
    packings = ctx.documents("packing_list")
    # 1. invoice lines against packing-list lines, by part number
    inv_q: dict[str, tuple[Decimal, str | None, object, Document]] = {}
    for inv in invoices:
        for li in inv.line_items:
            pn, q = li.get("part_number"), li.get("quantity")
            if pn and q is not None:
                prev = inv_q.get(id_key(str(pn)))
                total = (prev[0] if prev else Decimal(0)) + q
                inv_q[id_key(str(pn))] = (total, li.get("unit"), li.prov, inv)
    pl_q: dict[str, tuple[Decimal, str | None, object, Document]] = {}
    for pl in packings:
        for li in pl.line_items:
            pn, q = li.get("part_number"), li.get("quantity")
            if pn and q is not None:
                prev = pl_q.get(id_key(str(pn)))
                total = (prev[0] if prev else Decimal(0)) + q
                pl_q[id_key(str(pn))] = (total, li.get("unit"), li.prov, pl)
    for pn, (q_inv, u_inv, p_inv, inv) in inv_q.items():
        if pn not in pl_q:
            continue
        q_pl, u_pl, p_pl, pl = pl_q[pn]
        if (inv.ocr or pl.ocr) and misread(q_inv, q_pl):
            continue  # one digit apart on a scan: a misread, not a short shipment
        if inv.ocr and _implied_quantity(inv, pn) == q_pl:
            continue  # the invoice's own amount ÷ price gives the packing list's quantity: misread on the invoice
        if _unit_kind(u_inv) and _unit_kind(u_pl) and _unit_kind(u_inv) != _unit_kind(u_pl):
            continue  # dozens against pieces, sets against pieces: not comparable without a factor
        if q_inv != q_pl:
            problems.append((f"part {pn}: invoice {inv.get('invoice_number') or inv.path} {q_inv:,} "
                             f"{u_inv or ''}, packing list {pl.get('packing_list_number') or pl.path} {q_pl:,} "
                             f"{u_pl or ''}".replace("  ", " "), [p_inv, p_pl]))
    # 2. totals in pieces: invoice against the entry line (same unit kind)
    lines = _goods_lines(ctx)
    if len(lines) == 1 and invoices and lines[0].get("quantity") is not None:
        line = lines[0]
        kind = _unit_kind(line.get("unit"))
        inv_items = [li for inv in invoices for li in inv.line_items if li.get("quantity") is not None]
        whole = all(_read_whole(inv) and all(li.get("quantity") is not None for li in inv.line_items)
                    for inv in invoices)
        if whole and inv_items and kind == "pieces" and all(_unit_kind(li.get("unit")) == "pieces" for li in inv_items):
            total = sum((li.get("quantity") for li in inv_items), Decimal(0))
            if total != line.get("quantity"):
                problems.append((f"entry line {line.line_no}: {line.get('quantity'):,} {line.get('unit')} declared, "
                                 f"invoices {total:,}", [line.prov]))
    # 3. weights: packing list total net weight against the mill certificates' total weight
    pl_net = [pl.get("total_net_weight_kg") for pl in packings if pl.get("total_net_weight_kg") is not None]
    mtc_w = [m.get("total_weight_kg") for m in ctx.documents("mill_certificate") if m.get("total_weight_kg") is not None]
    if len(pl_net) == 1 and len(mtc_w) == 1 and not _same_weight(pl_net[0], mtc_w[0]):
        problems.append((f"net weight {pl_net[0]:,} kg on the packing list, {mtc_w[0]:,} kg on the mill certificate", []))
    if not problems:
        return []
    line_no = lines[0].line_no if len(lines) == 1 else None
    evidence = []
    for _, provs in problems:
        evidence += ctx.evidence(*provs)
    if not evidence:
        for d in invoices + packings:
            evidence += ctx.cite(d, "invoice_number", "packing_list_number")
    f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line_no,
                title="Quantities disagree between the documents" + (" and the entry" if any(
                    "entry line" in p for p, _ in problems) else ""),
                explanation=("The documents of this entry do not agree on what was shipped: "
                             + "; ".join(p for p, _ in problems)
                             + ". The entry must declare the quantity actually imported (19 U.S.C. 1484); a short or "
                             "over shipment may also change the price actually paid or payable."),
                legal_basis=rule.legal_basis, confidence=0.85, evidence=evidence,
                arithmetic=[p for p, _ in problems] + ["no revenue effect: 0.00"])
    return [Result(f)]


# --- arithmetic ---------------------------------------------------------------------------------------

def _dec(v) -> Decimal | None:
    if v is None or isinstance(v, Decimal):
        return v
    try:
        return Decimal(str(v))
    except ArithmeticError:
        return None


def _cents(x: Decimal) -> Decimal:
    return q2(x)


def _digit_string(x: Decimal) -> str:
    return re.sub(r"\D", "", format(x.normalize(), "f")).lstrip("0")


def _variants(x: Decimal) -> list[Decimal]:
    """``x`` with one digit read differently (what a scan's misread of one digit would have given)."""
    text = format(x, "f")
    out = []
    for i, ch in enumerate(text):
        if ch.isdigit():
            for d in "0123456789":
                if d != ch:
                    out.append(Decimal(text[:i] + d + text[i + 1:]))
    return out


def two_misreads(q: Decimal, p: Decimal, a: Decimal) -> bool:
    """Whether one misread digit in each of two of quantity, price and amount makes the line add up."""
    for pv in [p] + _variants(p):
        for av in [a] + _variants(a):
            if abs(q * pv - av) <= Decimal("0.01"):
                return True
    for qv in _variants(q):
        if abs(qv * p - a) <= Decimal("0.01") or any(abs(qv * p - av) <= Decimal("0.01") for av in _variants(a)):
            return True
    return False


def misread(read: Decimal, implied: Decimal) -> bool:
    """Whether a scan may have read ``implied`` as ``read``: the same digits with the separators moved
    ("1.620" for 1,620), or one digit of the same length differing ("187" for 157)."""
    a, b = _digit_string(read), _digit_string(implied)
    if a == b:
        return True
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def _line_errors(doc: Document, confirmed: dict[str, Decimal] | None = None) -> list[tuple[str, object]]:
    out = []
    for li in doc.line_items:
        q, p, a = li.get("quantity"), li.get("unit_price"), li.get("amount")
        if q is None or p is None or a is None or p == 0 or q == 0:
            continue
        exact = q * p
        # prices quoted to more than cents round per line; allow the rounding of the price's last digit
        places = max(0, -p.as_tuple().exponent)
        slack = Decimal("0.01") + (q * Decimal(1).scaleb(-places) / 2 if places > 2 else Decimal(0))
        if abs(exact - a) <= slack:
            continue
        if doc.ocr and (misread(q, a / p) or misread(p, a / q) or misread(a, exact) or two_misreads(q, p, a)):
            continue  # a scan's misread digit or separator explains it: no evidence of a wrong invoice
        pn = li.get("part_number")
        if confirmed and pn and confirmed.get(id_key(str(pn))) is not None and \
                abs(confirmed[id_key(str(pn))] * p - a) <= slack:
            continue  # the packing list's quantity makes the line add up: the quantity was misread
        out.append((f"line {li.get('line_no') or '?'}: {q:,} × {p:,} = {_cents(exact):,}, shown {a:,}", li.prov))
    return out


def _total_errors(doc: Document) -> list[tuple[str, object]]:
    amounts = [li.get("amount") for li in doc.line_items]
    if not amounts or any(a is None for a in amounts):
        return []
    lines_sum = sum(amounts, Decimal(0))
    charges = doc.get("charges") or []
    subtotal, total = doc.get("subtotal"), doc.get("total")
    out = []
    if subtotal is not None and abs(lines_sum - subtotal) > Decimal("0.01"):
        out.append((f"lines sum to {lines_sum:,}, subtotal shown {subtotal:,}", doc.fields.prov("subtotal")))
    if subtotal is not None and total is not None and not charges and abs(subtotal - total) > Decimal("0.01"):
        return out  # charges between the subtotal and the total that were not itemised (or not read)
    if total is not None:
        base = subtotal if subtotal is not None else lines_sum
        add = Decimal(0)
        known = True
        for c in charges:
            amt = _dec(c.get("amount")) if isinstance(c, dict) else None
            if amt is None:
                known = False
                break
            add += -abs(amt) if c.get("kind") == "discount" else amt
        if known and abs(base + add - total) > Decimal("0.01") and \
                (subtotal is not None or not charges) and abs(lines_sum - total) > Decimal("0.01"):
            what = "subtotal" if subtotal is not None else "lines"
            out.append((f"{what} {base:,}" + (f" + charges {add:,}" if charges else "") +
                        f" = {base + add:,}, total shown {total:,}", doc.fields.prov("total")))
    return out


def _unread(doc: Document) -> bool:
    """A line whose amount, quantity or price was not read, or that does not add up on a scan."""
    for li in doc.line_items:
        q, p, a = li.get("quantity"), li.get("unit_price"), li.get("amount")
        if a is None or q is None or p is None:
            return True
        if abs(q * p - a) > Decimal("0.02") * max(Decimal(1), abs(a)):
            return True
    return False


def _read_whole(inv: Document) -> bool:
    """Whether an invoice's lines were all read: their amounts add up to its subtotal or total."""
    amounts = [li.get("amount") for li in inv.line_items]
    if not amounts or any(a is None for a in amounts):
        return False
    s = sum(amounts, Decimal(0))
    return any(isinstance(x, Decimal) and abs(s - x) <= Decimal("0.01") for x in (inv.get("subtotal"), inv.get("total")))


def arithmetic(ctx: Context) -> list[Result]:
    rule = BY_CODE["ARITHMETIC_ERROR"]
    out: list[Result] = []
    confirmed: dict[str, Decimal] = {}
    for pl in ctx.documents("packing_list"):
        for li in pl.line_items:
            if li.get("part_number") and li.get("quantity") is not None:
                confirmed[id_key(str(li.get("part_number")))] = li.get("quantity")
    for doc in ctx.documents("commercial_invoice") + ctx.documents("assist_invoice"):
        line_errors = _line_errors(doc, confirmed)
        # a scan whose lines are not all read consistently cannot show its totals wrong
        total_errors = [] if doc.ocr and (line_errors or _unread(doc)) else _total_errors(doc)
        errors = line_errors + total_errors
        if not errors:
            continue
        lines = _goods_lines(ctx)
        number = doc.get("invoice_number") or doc.path
        f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number,
                    line_no=lines[0].line_no if len(lines) == 1 else None,
                    title=f"Arithmetic on invoice {number} does not add up",
                    explanation=(f"On invoice {number}: " + "; ".join(e for e, _ in errors)
                                 + ". Which figure the price actually paid follows must be settled before the value "
                                 "declared can be relied on."),
                    legal_basis=rule.legal_basis, confidence=0.9,
                    evidence=ctx.evidence(*(p for _, p in errors)) or ctx.cite(doc, "invoice_number", "total"),
                    arithmetic=[e for e, _ in errors] + ["no revenue effect: 0.00"])
        out.append(Result(f))
    return out
