"""QUANTITY_MISMATCH: quantities or weights disagree between invoice, packing list, mill certificate and entry
(19 U.S.C. 1484). Counts compare exactly in one unit, weights in kilograms within 0.5 % or 1 kg; shared readers
and tolerances are in ``crosscheck``."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from rapidfuzz import fuzz

from ..extract.lexicon import WEIGHT_FACTORS
from ..extract.normalize import to_kg
from ..models.fold import hts_digits, id_key, numbers_in
from ..models.records import Document, Finding
from .context import Context, Result
from .crosscheck import (DESCRIPTION_SAME, WEIGHT_FLOOR, WEIGHT_TOLERANCE, _confirmed_quantity,
                         _consistent, _declared_ok, _distinct, _doc_name, _entry_complete, _entry_evidence,
                         _entry_ocr, _fmt, _goods_lines, _Group, _groups, _is_weight, _line_no, _n, _rounding_unit, _t,
                         _unit, _words, misread)
from .rules import BY_CODE


def _common(qa: Decimal, ua, qb: Decimal, ub, lenient: bool = False) -> tuple[Decimal, Decimal, str] | None:
    """Two quantities in one unit, or None when their units do not compare. ``lenient``: a figure without a unit
    is read in the other's unit (the two documents of one shipment count alike)."""
    ca, cb = _unit(ua), _unit(ub)
    if ca is None or cb is None:
        if not lenient:
            return None
        ca = ca or cb
        cb = cb or ca
        if ca is None:
            return qa, qb, ""
    if _is_weight(ca) and _is_weight(cb):
        a, b = to_kg(qa, ca), to_kg(qb, cb)
        return (a, b, "KG") if a is not None and b is not None else None
    if ca == cb:
        return qa, qb, ca
    if {ca, cb} == {"DOZ", "PCS"}:
        pcs = qa if ca == "PCS" else qb
        if pcs % 12 != 0:
            return None  # pieces that are not whole dozens: not the same way of counting
        return (qa * 12 if ca == "DOZ" else qa), (qb * 12 if cb == "DOZ" else qb), "PCS"
    return None


def _same_weight(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= max(WEIGHT_FLOOR, WEIGHT_TOLERANCE * max(abs(a), abs(b)))


def _agree(a: Decimal, b: Decimal, unit: str) -> bool:
    return _same_weight(a, b) if unit == "KG" else a == b


def _difference(a: Decimal, b: Decimal, unit: str) -> str:
    d = a - b
    pct = f", {abs(d) / max(abs(a), abs(b)) * 100:.1f} %" if unit == "KG" and max(abs(a), abs(b)) else ""
    return f"difference {_fmt(abs(d))} {unit.lower() if unit == 'KG' else unit}{pct}".rstrip()


@dataclass
class _Problem:
    text: str
    provs: list = field(default_factory=list)
    line_no: int | None = None


@dataclass
class _Count:
    key: str
    label: str  # the part number or description as the document writes it
    quantity: Decimal
    unit: str | None
    provs: list
    doc: Document
    implied: Decimal | None = None  # what the invoice's own amount ÷ price gives
    packages: Decimal | None = None  # the packing list's packages of the part


def _counts_by_part(docs: list[Document]) -> tuple[dict[str, _Count], list]:
    """Quantities per part number over the documents (summed when a part comes on several lines in one
    unit), and the lines without a part number."""
    by: dict[str, _Count] = {}
    bad: set[str] = set()
    loose = []
    for d in docs:
        for li in d.line_items:
            q = _n(li, "quantity")
            pn = _t(li, "part_number")
            if q is None:
                if pn and id_key(pn):
                    bad.add(id_key(pn))  # a line of the part without its quantity: no total for the part
                continue
            if not pn or not id_key(str(pn)):
                loose.append((d, li))
                continue
            k = id_key(str(pn))
            implied = None
            if d.doc_type == "commercial_invoice" and d.ocr:
                implied = _confirmed_quantity(d, li)
            if k in by:
                c = by[k]
                if _unit(c.unit) != _unit(_t(li, "unit")):
                    bad.add(k)
                    continue
                c.quantity += q
                c.provs.append(li.prov)
                c.packages = None if (c.packages is None or _n(li, "packages") is None) else \
                    c.packages + _n(li, "packages")
                c.implied = None if (c.implied is None or implied is None) else c.implied + implied
            else:
                by[k] = _Count(k, str(pn), q, _t(li, "unit"), [li.prov], d, implied, _n(li, "packages"))
    for k in bad:
        by.pop(k, None)
    return by, loose


def _same_goods(a, b) -> float:
    """How alike two descriptions are (0–100), 0 when their numbers differ (a 54 cm frame is not a 58 cm one)."""
    if not a or not b or numbers_in(a) != numbers_in(b):
        return 0.0
    return fuzz.token_sort_ratio(_words(a), _words(b))


def _pairs_by_description(inv_loose, pl_loose) -> list[tuple]:
    """Invoice and packing-list lines without part numbers paired by the same description, one to one."""
    pairs = []
    for d, li in inv_loose:
        if not _t(li, "description"):
            continue
        scores = sorted(((_same_goods(_t(li, "description"), _t(pli, "description")), pd, pli)
                         for pd, pli in pl_loose if _t(pli, "description")), key=lambda s: -s[0])
        if not scores or scores[0][0] < DESCRIPTION_SAME or (len(scores) > 1 and scores[1][0] >= scores[0][0] - 5):
            continue
        _, pd, pli = scores[0]
        back = sorted((_same_goods(_t(pli, "description"), _t(x, "description"))
                       for _, x in inv_loose if _t(x, "description")), reverse=True)
        if len(back) > 1 and back[1] >= back[0] - 5:
            continue  # the packing-list line fits another invoice line as well
        pairs.append((d, li, pd, pli))
    return pairs


def _compare_counts(inv: _Count, pl: _Count) -> _Problem | None:
    if (inv.doc.ocr or pl.doc.ocr) and misread(inv.quantity, pl.quantity):
        return None  # one digit apart on a scan: a misread, not a short shipment
    if inv.doc.ocr and inv.implied is not None and inv.implied == pl.quantity:
        return None  # the invoice's own amount ÷ price gives the packing list's quantity: misread on the invoice
    if _unit(pl.unit) is None and pl.packages is not None and pl.packages == pl.quantity:
        return None  # a packing-list figure without its unit that is the number of packages: cartons, not pieces
    common = _common(inv.quantity, inv.unit, pl.quantity, pl.unit, lenient=True)
    if common is None:
        return None  # dozens against odd pieces, sets against pieces: not comparable without a factor
    a, b, unit = common
    if _agree(a, b, unit):
        return None
    u_inv, u_pl = _unit(inv.unit) or _unit(pl.unit) or "", _unit(pl.unit) or _unit(inv.unit) or ""
    diff = _difference(a, b, unit) if unit else "difference " + _fmt(abs(a - b))
    return _Problem(f"{inv.label}: {_doc_name(inv.doc)} {_fmt(inv.quantity)} {u_inv}, {_doc_name(pl.doc)} "
                    f"{_fmt(pl.quantity)} {u_pl} ({diff})".replace("  ", " "), inv.provs + pl.provs)


def _shipments(invoices: list[Document], packings: list[Document]) -> list[tuple[list[Document], list[Document]]]:
    """Invoices with the packing lists of their goods: a packing list joins the invoice whose number it gives,
    else (giving none) the one invoice of its PO number; a packing list that names neither is compared with none."""
    by_inv: dict[str, list[Document]] = {}
    invs = {id_key(str(_t(i, "invoice_number"))): i for i in invoices if _t(i, "invoice_number")}
    for pl in packings:
        ref = id_key(str(_t(pl, "invoice_number"))) if _t(pl, "invoice_number") else None
        if ref is None and _t(pl, "po_number"):
            same_po = [k for k, i in invs.items()
                       if _t(i, "po_number") and id_key(str(_t(i, "po_number"))) == id_key(str(_t(pl, "po_number")))]
            ref = same_po[0] if len(same_po) == 1 else None
        if ref in invs:
            by_inv.setdefault(ref, []).append(pl)
    return [([invs[k]], pls) for k, pls in by_inv.items()]


def _invoice_vs_packing(invoices: list[Document], packings: list[Document]) -> list[_Problem]:
    out = []
    for invs, pls in _shipments(invoices, packings):
        out += _compare_shipment(invs, pls)
    return out


def _compare_shipment(invoices: list[Document], packings: list[Document]) -> list[_Problem]:
    inv_parts, inv_loose = _counts_by_part(invoices)
    pl_parts, pl_loose = _counts_by_part(packings)
    out = []
    for k, c in inv_parts.items():
        if k in pl_parts:
            p = _compare_counts(c, pl_parts[k])
            if p:
                out.append(p)
    for d, li, pd, pli in _pairs_by_description(inv_loose, pl_loose):
        label = str(_t(li, "description"))
        inv = _Count(label, f"\"{label}\"", _n(li, "quantity"), _t(li, "unit"), [li.prov], d,
                     _confirmed_quantity(d, li) if d.ocr else None)
        pl = _Count(label, label, _n(pli, "quantity"), _t(pli, "unit"), [pli.prov], pd, None, _n(pli, "packages"))
        p = _compare_counts(inv, pl)
        if p:
            out.append(p)
    return out


def _read_whole(inv: Document) -> bool:
    """Whether an invoice's lines were all read: their amounts add up to its subtotal or total."""
    amounts = [_n(li, "amount") for li in inv.line_items]
    if not amounts or any(a is None for a in amounts):
        return False
    s = sum(amounts, Decimal(0))
    unit = _rounding_unit(inv)
    return any(isinstance(x, Decimal) and abs(s - x) <= unit for x in (_n(inv, "subtotal"), _n(inv, "total")))


def _shared(ctx: Context, doc: Document) -> bool:
    """Whether a document also belongs to another entry (a split shipment): its totals are not this entry's."""
    return len(ctx.entries_with(doc.path)) > 1


def _invoice_vs_entry(ctx: Context, invoices: list[Document], groups: list[_Group]) -> list[_Problem]:
    """The invoices' total quantity against the quantity each entry line declares, in the same unit."""
    if not invoices or not groups or not _entry_complete(ctx) or not _declared_ok(groups):
        return []
    if any(_shared(ctx, inv) or not _read_whole(inv) for inv in invoices):
        return []
    if len(invoices) > 1 and not all(_t(inv, "invoice_number") for inv in invoices):
        return []  # an invoice without its number may be a copy of another: no total over them
    per: dict[str, list] = {g.digits: [] for g in groups}
    for inv in invoices:
        for li in inv.line_items:
            if len(groups) == 1:
                per[groups[0].digits].append((inv, li))
                continue
            fits = [g for g in groups if _consistent(hts_digits(_t(li, "hts")), g.digits)]
            if len(fits) != 1:
                return []  # goods that cannot be placed on one line: no totals per line
            per[fits[0].digits].append((inv, li))
    out = []
    ocr = _entry_ocr(ctx)
    for g in groups:
        stated = g.quantity()
        pairs = per[g.digits]
        if stated is None or not pairs:
            continue
        q_entry, u_entry = stated
        total, unit = Decimal(0), None
        for inv, li in pairs:
            q = _confirmed_quantity(inv, li)
            if inv.ocr and q != _n(li, "quantity"):
                total = None  # a scanned line that does not add up: its quantity is not known
                break
            if q is None or _unit(_t(li, "unit")) is None:
                total = None
                break
            common = _common(q, _t(li, "unit"), q_entry, u_entry)
            if common is None:
                total = None
                break
            total += common[0]
            unit = common[2]
            q_entry_common = common[1]
        if total is None or unit is None:
            continue
        if unit == "KG":
            same = _same_weight(total, q_entry_common)
        else:
            # the 7501 reports whole units: a fraction of the entry's unit is rounded
            same = total == q_entry_common or (total != total.to_integral_value()
                                               and abs(total - q_entry_common) < 1)
        if same or (ocr and misread(q_entry, total)):
            continue
        out.append(_Problem(f"entry line {_line_no(g.first)}: {_fmt(q_entry)} {u_entry or ''} declared, the invoice"
                            f"{'s' if len(invoices) > 1 else ''} {_fmt(total)} {unit} "
                            f"({_difference(total, q_entry_common, unit)})".replace("  ", " "),
                            [ln.prov for ln in g.lines], _line_no(g.first)))
    return out


def _packing_weight(pl: Document) -> Decimal | None:
    """A packing list's net weight: its total, on a scan only when its lines add up to it."""
    total = _n(pl, "total_net_weight_kg")
    parts = [_n(li, "net_weight_kg") for li in pl.line_items]
    line_sum = sum(parts, Decimal(0)) if parts and all(p is not None for p in parts) else None
    if pl.ocr:
        if total is None or line_sum is None:
            return None
        return total if _same_weight(total, line_sum) else None
    return total if total is not None else line_sum


def _mill_weight(m: Document) -> tuple[Decimal | None, _Problem | None]:
    """A mill certificate's weight (its total, else the sum of its heats) and a disagreement between the two."""
    total = _n(m, "total_weight_kg")
    heats = [_n(li, "weight_kg") for li in m.line_items]
    heat_sum = sum(heats, Decimal(0)) if heats and all(h is not None for h in heats) else None
    if m.ocr:
        if total is None or heat_sum is None or not _same_weight(total, heat_sum):
            return None, None
        return total, None
    if total is not None and heat_sum is not None and not _same_weight(total, heat_sum):
        return total, _Problem(f"{_doc_name(m)}: total {_fmt(total)} kg, its heats add up to {_fmt(heat_sum)} kg "
                               f"({_difference(total, heat_sum, 'KG')})",
                               [m.fields.prov("total_weight_kg")] + [li.prov for li in m.line_items])
    return (total if total is not None else heat_sum), None


def _pounds_as_kilograms(a: Decimal, b: Decimal) -> bool:
    """Whether one weight is the other in pounds written as kilograms (a unit read wrong, not goods missing)."""
    lb = WEIGHT_FACTORS["LB"]
    return bool(a and b) and any(_same_weight(x * lb, y) for x, y in ((a, b), (b, a)))


def _entry_weight(groups: list[_Group]) -> Decimal | None:
    """The goods' weight as the entry declares it, where every line of goods is declared by weight."""
    total = Decimal(0)
    for g in groups:
        stated = g.quantity()
        if stated is None or not _is_weight(stated[1]):
            return None
        kg = to_kg(stated[0], stated[1])
        if kg is None:
            return None
        total += kg
    return total if groups else None


def _weights(ctx: Context, packings: list[Document], mills: list[Document], groups: list[_Group]) -> list[_Problem]:
    out = []
    figures: list[tuple[str, Decimal, bool, list]] = []  # (what, kg, read from a scan, provenance)
    pls = [p for p in packings if not _shared(ctx, p)]
    invoices = _distinct(ctx.documents("commercial_invoice"), "invoice_number")
    if invoices:
        # the packing lists weigh the entry's goods only when every invoice has its packing list, and every packing
        # list its invoice
        ships = _shipments(invoices, pls)
        covered = len(ships) == len(invoices) and sum(len(x[1]) for x in ships) == len(pls)
    else:
        covered = len(pls) == 1
    if pls and len(pls) == len(packings) and covered:
        ws = [_packing_weight(p) for p in pls]
        if all(w is not None for w in ws):
            name = " and ".join(_doc_name(p) for p in pls)
            figures.append((f"{name} net weight", sum(ws, Decimal(0)), any(p.ocr for p in pls),
                            [p.fields.prov("total_net_weight_kg") for p in pls]))
    if groups and _entry_complete(ctx) and _declared_ok(groups):
        w = _entry_weight(groups)
        if w is not None:
            figures.append(("entry quantity", w, _entry_ocr(ctx), [ln.prov for g in groups for ln in g.lines]))
            if len(groups) > 1 and len({g.quantity() for g in groups}) == 1:
                # every line states one weight: a split declaration (metal content and the rest) read under two
                # numbers states the goods' weight once
                single = to_kg(*groups[0].quantity())
                figures[-1] = ("entry quantity", w, _entry_ocr(ctx), figures[-1][3], single)
    if mills:
        ws = []
        for m in mills:
            w, p = _mill_weight(m)
            ws.append(w)
            if p:
                out.append(p)
        if all(w is not None for w in ws):
            name = " and ".join(_doc_name(m) for m in mills)
            figures.append((f"{name} weight", sum(ws, Decimal(0)), any(m.ocr for m in mills),
                            [m.fields.prov("total_weight_kg") for m in mills]))
    for fa, fb in combinations(figures, 2):
        (wa, a, sa, pa), (wb, b, sb, pb) = fa[:4], fb[:4]
        alts_a, alts_b = [a, *fa[4:]], [b, *fb[4:]]
        if any(_same_weight(x, y) or ((sa or sb) and misread(x, y)) or _pounds_as_kilograms(x, y)
               for x in alts_a for y in alts_b):
            continue
        out.append(_Problem(f"{wa} {_fmt(a)} kg, {wb} {_fmt(b)} kg ({_difference(a, b, 'KG')})", pa + pb,
                            _line_no(groups[0].first) if len(groups) == 1 else None))
    return out


def quantity(ctx: Context) -> list[Result]:
    rule = BY_CODE["QUANTITY_MISMATCH"]
    invoices = _distinct(ctx.documents("commercial_invoice"), "invoice_number")
    packings = _distinct(ctx.documents("packing_list"), "packing_list_number")
    mills = _distinct(ctx.documents("mill_certificate"), "certificate_number")
    groups = _groups(_goods_lines(ctx))
    problems = (_invoice_vs_packing(invoices, packings) + _invoice_vs_entry(ctx, invoices, groups)
                + _weights(ctx, packings, mills, groups))
    if not problems:
        return []
    line_nos = [p.line_no for p in problems if p.line_no is not None]
    line_no = _line_no(groups[0].first) if len(groups) == 1 else (line_nos[0] if line_nos else None)
    evidence = []
    for p in problems:
        evidence += [e for e in ctx.evidence(*p.provs) if e not in evidence]
    if not evidence:
        for d in invoices + packings + mills:
            evidence += ctx.cite(d, "invoice_number", "packing_list_number", "certificate_number")
    if any(p.line_no is not None for p in problems):
        concerned = [ln for g in groups for ln in g.lines if _line_no(ln) in line_nos]
        evidence += [e for e in _entry_evidence(ctx, concerned) if e not in evidence]
    # which figure the entry followed, where it can be seen
    follows = ""
    stated = groups[0].quantity() if len(groups) == 1 else None
    if stated is not None:
        inv_sum = [_n(li, "quantity") for inv in invoices for li in inv.line_items]
        pl_sum = [_n(li, "quantity") for pl in packings for li in pl.line_items]
        if inv_sum and all(q is not None for q in inv_sum) and pl_sum and all(q is not None for q in pl_sum):
            si, sp = sum(inv_sum, Decimal(0)), sum(pl_sum, Decimal(0))
            if si != sp and stated[0] in (si, sp):
                follows = (f" The entry's {_fmt(stated[0])} {stated[1] or ''} follows the "
                           f"{'invoice' if stated[0] == si else 'packing list'}.").replace("  ", " ")
    f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line_no,
                title="Quantities or weights disagree between the documents"
                      + (" and the entry" if any("entry" in p.text for p in problems) else ""),
                explanation=("The documents of this entry do not agree on what was shipped: "
                             + "; ".join(p.text for p in problems) + "." + follows
                             + " The entry must declare the quantity actually imported (19 U.S.C. 1484); a short or "
                             "over shipment may also change the price actually paid or payable. No duty or fee "
                             "changes on the quantity alone."),
                legal_basis=rule.legal_basis, confidence=0.85 if len(problems) == 1 else 0.8, evidence=evidence,
                arithmetic=[p.text for p in problems] + ["no revenue effect: 0.00"])
    return [Result(f)]


