"""The evidence gate: a finding stands (``open``) only when the values it rests on can be trusted.

Extraction is never perfect, and a misread value makes a finding as easily as a real discrepancy does. Before a
finding is asserted the gate takes a second look at the values behind it, independently of the rule that raised
it, and asks three questions of each:

- **confidence**: was it read with confidence (the provenance's OCR confidence; a document classified with
  confidence)?
- **plausibility**: is the disagreement the kind a misread makes rather than the kind a document makes — a
  factor of ten (a decimal or thousands separator), one digit on a scan, a rate where an amount belongs, the
  same values in another order (a row or column taken for its neighbour), a value not read at all?
- **corroboration**: does a second reading agree — the document's own arithmetic (the lines add up to the total,
  quantity × unit price gives the amount), the entry summary's (the lines add up to the header, the fees and the
  duty to the total), another document of the entry (packing list, payment)?

A finding that passes keeps ``open`` and a confidence that says how sure; one that does not becomes
``to_verify``: listed apart with what to check and where, counted in no total, never drafted. The gate is a table
of small checks, one per finding code that needs more than the default, named by the code's rule spec
(``RuleSpec.gate``); tolerances live in :data:`SETTINGS`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable

from ..models.records import Document, Finding, Provenance, q2
from . import revenue
from .context import Context
from .rules import BY_CODE


@dataclass(frozen=True)
class Settings:
    low_confidence: float = 0.80  # an OCR reading below this is to be checked by eye
    weak_classification: float = 0.50  # a document typed with less confidence than this is not relied on
    cent: Decimal = Decimal("0.01")
    tie: Decimal = Decimal("1.00")  # whole-dollar values on the 7501: a dollar of rounding per tie
    ratio_tolerance: Decimal = Decimal("0.005")  # how near a ratio must be to 10, 100, 1000 to be a separator
    # rates printed on trade documents; one of them where an amount belongs is a rate taken for the amount
    rates: tuple[Decimal, ...] = tuple(Decimal(r) for r in ("0.125", "0.3464", "2.5", "3.9", "5", "7.5", "10",
                                                             "15", "25", "50", "100"))
    gross_ratio: Decimal = Decimal(3)  # two readings further apart than this are a misread, not a slip of the pen
    open_confidence: float = 0.95  # a finding every value of which is corroborated
    uncorroborated_confidence: float = 0.85  # a finding resting on values no second reading confirms


SETTINGS = Settings()


@dataclass
class Verdict:
    """What the gate concluded: what to check (nothing: the finding stands), how sure, and why."""

    verify: list[str] = field(default_factory=list)
    confidence: float = SETTINGS.open_confidence
    reasons: list[str] = field(default_factory=list)

    def check(self, what: str) -> None:
        if what not in self.verify:
            self.verify.append(what)

    def weigh(self, items: list[tuple[str, list[str]]]) -> None:
        """A finding resting on several discrepancies stands when one of them is trusted (nothing to check);
        the doubtful others are noted. When none is, every doubt is to be checked."""
        trusted = [label for label, problems in items if not problems]
        if trusted:
            self.reasons.append("corroborated: " + "; ".join(trusted))
            for label, problems in items:
                for p in problems:
                    self.lower(SETTINGS.uncorroborated_confidence, f"also to check: {label}: {p}")
        else:
            for label, problems in items:
                for p in problems:
                    self.check(f"{label}: {p}")

    def lower(self, confidence: float, why: str) -> None:
        if confidence < self.confidence:
            self.confidence = confidence
        if why not in self.reasons:
            self.reasons.append(why)


# --- small pure helpers ----------------------------------------------------------------------------------------

def num(v) -> Decimal | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, Decimal):
        return v
    try:
        return Decimal(str(v).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def _digits(v: Decimal) -> str:
    return format(v.normalize(), "f").replace(".", "").lstrip("0").rstrip("0")


def power_of_ten(a: Decimal, b: Decimal, s: Settings = SETTINGS) -> bool:
    """a and b differ by a factor of 10, 100 or 1000: a decimal or thousands separator misread."""
    if a == 0 or b == 0:
        return False
    r = abs(b / a) if abs(b) > abs(a) else abs(a / b)
    return any(abs(r / k - 1) <= s.ratio_tolerance for k in (Decimal(10), Decimal(100), Decimal(1000)))


def one_digit(a: Decimal, b: Decimal) -> bool:
    """a and b written with the same digits but one (a 3 read as an 8), or one digit more or less."""
    x, y = format(a, "f"), format(b, "f")
    if len(x) == len(y):
        return sum(1 for p, q in zip(x, y) if p != q) == 1
    if abs(len(x) - len(y)) == 1:
        long, short = (x, y) if len(x) > len(y) else (y, x)
        return any(long[:i] + long[i + 1:] == short for i in range(len(long)))
    return False


def rate_like(v: Decimal, s: Settings = SETTINGS) -> bool:
    return v in s.rates or (abs(v) < 1 and v != 0 and -v.as_tuple().exponent >= 3)


def misread(a, b, scanned: bool, s: Settings = SETTINGS) -> str | None:
    """Why ``b`` may be a misreading of ``a`` (or the other way round), or None when the difference is not the
    kind extraction makes."""
    x, y = num(a), num(b)
    if x is None or y is None:
        return "a value was not read"
    if power_of_ten(x, y, s):
        return "the two differ by a factor of ten (a decimal or thousands separator)"
    if rate_like(x, s) or rate_like(y, s):
        return "one of them looks like a rate, not an amount"
    if scanned and one_digit(x, y):
        return "the two differ in one digit on a scan"
    return None


def reordered(a: list, b: list) -> bool:
    """The same values in another order: a row or column read against its neighbour."""
    xs, ys = [num(v) for v in a], [num(v) for v in b]
    return len(xs) > 1 and None not in xs and None not in ys and sorted(xs) == sorted(ys) and xs != ys


def gross(a, b, s: Settings = SETTINGS) -> bool:
    """Two readings of one quantity too far apart for a document's slip (a column or row read for another)."""
    x, y = num(a), num(b)
    if x is None or y is None or x <= 0 or y <= 0:
        return x != y
    r = x / y if x > y else y / x
    return r > s.gross_ratio


def one_value_explains(values: list[Decimal], target: Decimal, scanned_: bool, s: Settings = SETTINGS) -> bool:
    """Reading one of ``values`` ten times larger or smaller (or, on a scan, with one digit changed) would make
    them add up to ``target``: the gap is a misread of one value."""
    total = sum(values, Decimal(0))
    gap = target - total
    for v in values:
        if v == 0:
            continue
        want = v + gap
        if want > 0 and power_of_ten(v, want, s):
            return True
        if scanned_ and want >= 0 and one_digit(v, want.quantize(v) if v.as_tuple().exponent < 0 else want):
            return True
    return False


def multiplies(li, s: Settings = SETTINGS) -> bool | None:
    q, p, a = num(li.get("quantity")), num(li.get("unit_price")), num(li.get("amount"))
    if None in (q, p, a):
        return None
    return abs(q * p - a) <= max(s.cent, abs(a) * Decimal("0.0005"))


def swap_fixes(items: list, i: int, names: tuple[str, ...] = ("quantity", "unit_price", "amount"),
               s: Settings = SETTINGS) -> bool:
    """Exchanging one value of row ``i`` with the same value of another row makes both rows multiply out: the two
    were read against each other."""
    for j, other in enumerate(items):
        if j == i:
            continue
        for n in names:
            a = {k: items[i].get(k) for k in names}
            b = {k: other.get(k) for k in names}
            a[n], b[n] = b[n], a[n]
            if multiplies(a, s) and multiplies(b, s):
                return True
    return False


def scanned(doc: Document | None) -> bool:
    return bool(doc and doc.ocr)


def where(doc: Document, name: str | None = None, prov: Provenance | None = None) -> str:
    p = prov or (doc.fields.prov(name) if name else None)
    page = f", page {p.page}" if p is not None and p.page else ""
    return f"{doc.path}{page}"


# --- corroboration: the documents' own arithmetic -------------------------------------------------------------

def _charges(doc: Document) -> list[dict]:
    got = doc.get("charges")
    return [c for c in got if isinstance(c, dict)] if isinstance(got, list) else []


def line_amounts(doc: Document) -> list[Decimal | None]:
    return [num(li.get("amount")) for li in doc.line_items]


def invoice_ties(doc: Document, s: Settings = SETTINGS) -> bool | None:
    """The lines (and charges) add up to the total or subtotal shown; None when there is nothing to add."""
    amounts = line_amounts(doc)
    total, subtotal = num(doc.get("total")), num(doc.get("subtotal"))
    if not amounts or None in amounts or (total is None and subtotal is None):
        return None
    lines = sum(amounts, Decimal(0))
    charges = sum((num(c.get("amount")) or Decimal(0)) * (-1 if c.get("kind") == "discount" else 1)
                  for c in _charges(doc))
    return any(t is not None and (abs(t - x) <= s.cent or abs(t - x - abs(charges)) <= s.cent)
               for t in (total, subtotal) for x in (lines, lines + charges))


def lines_multiply(doc: Document, s: Settings = SETTINGS) -> bool:
    for li in doc.line_items:
        q, p, a = num(li.get("quantity")), num(li.get("unit_price")), num(li.get("amount"))
        if None in (q, p, a) or abs(q * p - a) > max(s.cent, abs(a) * Decimal("0.0005")):
            return False
    return bool(doc.line_items)


def _near(a: Decimal | None, b: Decimal | None, tol: Decimal) -> bool:
    return a is not None and b is not None and abs(a - b) <= tol


def amounts_corroborated(ctx: Context, doc: Document, s: Settings = SETTINGS) -> bool:
    """The line amounts as read add up to a figure read elsewhere: the document's total or subtotal, the entered
    value (a USD invoice), or a payment."""
    amounts = line_amounts(doc)
    if not amounts or None in amounts:
        return False
    lines = sum(amounts, Decimal(0))
    charges = sum((num(c.get("amount")) or Decimal(0)) for c in _charges(doc))
    sums = {lines, lines + charges, lines - charges}
    others = [num(doc.get("total")), num(doc.get("subtotal"))]
    others += [num(p.get("amount")) for p in ctx.documents("payment_record")]
    if doc.get("currency") in (None, "USD"):
        others += [num(ctx.entry.header.get("total_entered_value"))]
    return any(_near(x, o, s.cent if o is not None and o.as_tuple().exponent < 0 else s.tie)
               for x in sums for o in others)


def entered_value_readings(ctx: Context) -> list[Decimal]:
    """Independent readings of the entry's entered value: the header's, the lines' sum, and the sum of the values
    behind each line's duty (the duty over its rate) and its chapter 99 lines (which restate the value)."""
    h, lines = ctx.entry.header, ctx.entry.lines
    out = []
    if num(h.get("total_entered_value")) is not None:
        out.append(num(h.get("total_entered_value")))
    values = [num(ln.get("entered_value")) for ln in lines]
    if values and None not in values:
        out.append(sum(values, Decimal(0)))
    behind = []
    for ln in lines:
        got = None
        r, d = num(ln.get("duty_rate")), num(ln.get("duty"))
        if r and d and r > 0:  # a free line's duty says nothing of its value
            got = (d * 100 / r).quantize(Decimal(1))
        for a in ln.get("additional") or []:
            if got is None and num(a.get("value")) is not None and not revenue.is_section232(a.get("hts")):
                got = num(a.get("value"))
        behind.append(got)
    if behind and None not in behind:
        out.append(sum(behind, Decimal(0)))
    return out


def corroborated(value: Decimal | None, readings: Iterable[Decimal | None], tol: Decimal) -> bool:
    """At least one other reading agrees with ``value`` (the value itself is one of the readings)."""
    return value is not None and sum(1 for r in readings if _near(value, r, tol)) >= 2


def entered_value_trusted(ctx: Context, s: Settings = SETTINGS) -> str | None:
    """None when the entered value the rules use agrees with a second reading; else what is wrong."""
    used = ctx.revenue.total_entered_value
    readings = entered_value_readings(ctx)
    if corroborated(used, readings, s.tie + used * Decimal("0.0005")):
        return None
    shown = ", ".join(f"{r:,.2f}" for r in readings) or "none"
    return f"the entered value {used:,.2f} has no second reading that agrees (readings: {shown})"


def mpf_readings(ctx: Context) -> list[Decimal]:
    """The MPF shown, and the MPF the total leaves once the duty and the HMF are taken out of it."""
    h, lines = ctx.entry.header, ctx.entry.lines
    out = []
    mpf, total, hmf = num(h.get("mpf")), num(h.get("total")), num(h.get("hmf")) or Decimal(0)
    if mpf is not None:
        out.append(mpf)
    duties = [num(h.get("total_duty"))]
    line_duties = [num(ln.get("duty")) for ln in lines] + [num(a.get("duty")) for ln in lines
                                                           for a in ln.get("additional") or []]
    if lines and None not in line_duties:
        duties.append(sum(line_duties, Decimal(0)))
    if total is not None:
        for d in {x for x in duties if x is not None}:
            out.append(total - d - hmf)
    return out


# --- the checks, one per finding code that needs more than the default --------------------------------------------

def _confidence_of_evidence(ctx: Context, finding: Finding, v: Verdict, s: Settings) -> None:
    for e in finding.evidence:
        c = e.confidence
        if c is not None and c < s.low_confidence:
            v.check(f"{e.path}, page {e.page}: \"{e.text}\" was read with confidence {c:.2f}")
    for path in {e.path for e in finding.evidence}:
        d = ctx.linked.by_path.get(path)
        if d is not None and d.classification_confidence and d.classification_confidence < s.weak_classification:
            v.check(f"{d.path}: read as a {d.doc_type.replace('_', ' ')} with confidence "
                    f"{d.classification_confidence:.2f}")


def mpf(ctx: Context, finding: Finding, v: Verdict, s: Settings) -> None:
    h = ctx.entry.header
    declared = num(h.get("mpf"))
    rc = ctx.revenue
    due = revenue.mpf(rc.total_entered_value - rc.mpf_exempt_value, rc.entry_date)
    doc = next(iter(ctx.documents("entry_summary")), None)
    at = where(doc, "mpf") if doc else "the entry summary"
    problem = entered_value_trusted(ctx, s)
    if problem:
        v.check(f"{problem}: check the values on {at}")
    limits = {x for pair in revenue.MPF_LIMITS.values() for x in pair}
    if not corroborated(declared, mpf_readings(ctx), s.tie) and declared not in limits:
        v.check(f"the MPF {declared} is not confirmed by the total less the duty and HMF: check box 499 and the "
                f"totals on {at}")
    if declared is not None:
        hmf_due = revenue.hmf(rc.total_entered_value, h.get("mode_of_transport"))
        others = [num(h.get(k)) for k in ("total_duty", "hmf", "total", "total_entered_value")] + [hmf_due]
        others += [num(ln.get("duty")) for ln in ctx.entry.lines]
        if declared in [o for o in others if o]:
            v.check(f"the MPF shown {declared} is the figure of another box (duty, HMF or total): check box 499 "
                    f"on {at}")
        fy, lo, hi, _ = revenue.mpf_limits(rc.entry_date)
        if declared > max(hi for _, hi in revenue.MPF_LIMITS.values()):
            v.check(f"the MPF shown {declared} is above any year's maximum: check box 499 on {at}")
    why = misread(due, declared, scanned(doc), s) if declared is not None else "the MPF was not read"
    if why and declared not in limits:
        v.check(f"the MPF declared {declared} against {due} due: {why}; check box 499 on {at}")
    if rc.entry_date is None:
        v.check("no entry date read: the fiscal year's limits cannot be chosen")
    if not v.verify:
        v.reasons.append("the entered value and the MPF agree with a second reading on the entry summary")


def _entered_value(ctx: Context, v: Verdict, s: Settings) -> None:
    problem = entered_value_trusted(ctx, s)
    if problem:
        doc = next(iter(ctx.documents("entry_summary")), None)
        v.check(problem + (f": check {doc.path}" if doc else ""))


def undervaluation(ctx: Context, finding: Finding, v: Verdict, s: Settings) -> None:
    _entered_value(ctx, v, s)
    invoices = ctx.documents("commercial_invoice")
    for inv in invoices:
        ties = invoice_ties(inv, s)
        paid = [num(p.get("amount")) for p in ctx.documents("payment_record")]
        total = num(inv.get("total"))
        if ties is False and not (total is not None and total in paid):
            v.check(f"invoice {inv.get('invoice_number') or inv.path}: its lines do not add up to its total: "
                    f"check the amounts on {where(inv, 'total')}")
        elif ties is None and not (total is not None and total in paid):
            v.check(f"invoice {inv.get('invoice_number') or inv.path}: its total {total} has no second reading (no "
                    f"lines read that add up to it, no payment of it): check {where(inv, 'total')}")
    if ctx.entry.header.get("currency") not in (None, "USD") or any(i.get("currency") not in (None, "USD")
                                                                    for i in invoices):
        rate = num(ctx.entry.header.get("exchange_rate"))
        if rate is None or rate <= 0 or rate_like(rate) and rate not in (Decimal(1),):
            v.lower(s.uncorroborated_confidence, "the exchange rate is read once, with nothing to tie it to")
    entered = ctx.revenue.total_entered_value
    if entered and finding.value_delta:
        price = entered + finding.value_delta
        if power_of_ten(entered, price, s):
            v.check("the price and the entered value differ by a factor of ten: a separator may be misread")
        elif gross(entered, price, s):
            v.check(f"the price USD {price:,.2f} is more than {s.gross_ratio} times the entered value USD "
                    f"{entered:,.2f}: check the exchange rate and the amounts before asserting it")


def _quantity_sources(ctx: Context) -> tuple[list[Document], list[Document]]:
    return ctx.documents("commercial_invoice"), ctx.documents("packing_list")


def _entry_line_ties(ln, s: Settings) -> bool:
    v, r, d = num(ln.get("entered_value")), num(ln.get("duty_rate")), num(ln.get("duty"))
    return v is not None and r is not None and d is not None and abs(v * r / 100 - d) <= s.tie


def quantity(ctx: Context, finding: Finding, v: Verdict, s: Settings) -> None:
    invoices, packing = _quantity_sources(ctx)
    inv = [(str(li.get("part_number") or i), li, d) for d in invoices for i, li in enumerate(d.line_items)]
    pl = {str(li.get("part_number") or i): (li, d) for d in packing for i, li in enumerate(d.line_items)}
    inv_by_part = {part: num(li.get("quantity")) for part, li, _ in inv}
    items: list[tuple[str, list[str]]] = []
    for part, li, d in inv:
        if part not in pl:
            continue
        q, (pli, pld) = num(li.get("quantity")), pl[part]
        p = num(pli.get("quantity"))
        if q is None or p is None or q == p:
            continue
        problems = []
        why = misread(q, p, scanned(d) or scanned(pld), s)
        if why:
            problems.append(f"{why}; check {d.path} and {pld.path}")
        elif gross(q, p, s):
            problems.append(f"too far apart for a short or over shipment; a column may be misread: check {d.path} "
                            f"and {pld.path}")
        elif any(p == x for k, x in inv_by_part.items() if k != part):
            problems.append(f"the packing list's figure is another line's quantity; check the rows of {pld.path}")
        if multiplies(li, s) is not True:
            problems.append(f"the invoice line does not multiply out (quantity × unit price): check {d.path}")
        items.append((f"{part}: invoice {q}, packing list {p}", problems))
    entry_q = [num(ln.get("quantity")) for ln in ctx.entry.lines]
    inv_list = [num(li.get("quantity")) for _, li, _ in inv]
    if entry_q and None not in entry_q and inv_list and None not in inv_list:
        declared, invoiced = sum(entry_q, Decimal(0)), sum(inv_list, Decimal(0))
        if declared != invoiced:
            doc = next(iter(ctx.documents("entry_summary")), None)
            problems = []
            why = misread(invoiced, declared, scanned(doc), s)
            if why:
                problems.append(why)
            elif gross(invoiced, declared, s):
                problems.append("too far apart for a short or over shipment; check the entry summary's lines")
            if not all(_entry_line_ties(ln, s) for ln in ctx.entry.lines):
                problems.append("an entry summary line's duty is not its rate times its value: the line may be "
                                "misread")
            if not all(multiplies(li, s) for _, li, _ in inv):
                problems.append("an invoice line does not multiply out: its quantity may be misread")
            items.append((f"the entry declares {declared}, the invoice shows {invoiced}", problems))
    for d in ctx.documents("mill_certificate"):
        weights = [num(li.get("weight_kg")) for li in d.line_items]
        total = num(d.get("total_weight_kg"))
        if total is not None and weights and None not in weights and abs(sum(weights, Decimal(0)) - total) > 1:
            summed = sum(weights, Decimal(0))
            problems = []
            if one_value_explains(weights, total, scanned(d), s) or misread(summed, total, scanned(d), s):
                problems.append("one misread weight explains the difference")
            items.append((f"{d.path}: heats {summed} kg, total {total} kg", problems))
    if items:
        v.weigh(items)
    if any(num(li.get("quantity")) is None for d in invoices + packing for li in d.line_items):
        v.lower(s.uncorroborated_confidence, "a line's quantity was not read")


def arithmetic(ctx: Context, finding: Finding, v: Verdict, s: Settings) -> None:
    cited = {e.path for e in finding.evidence}
    docs = [d for d in ctx.documents() if d.path in cited and d.line_items] or \
        [d for d in ctx.documents("commercial_invoice") + ctx.documents("assist_invoice") if d.line_items]
    packing = ctx.documents("packing_list")
    pl_q = {str(li.get("part_number")): num(li.get("quantity")) for d in packing for li in d.line_items}
    entered = num(ctx.entry.header.get("total_entered_value"))
    entry_q = [num(ln.get("quantity")) for ln in ctx.entry.lines]
    items: list[tuple[str, list[str]]] = []
    for d in docs:
        bad = []
        for i, li in enumerate(d.line_items):
            if multiplies(li, s) is False:
                bad.append((i, li, num(li.get("quantity")), num(li.get("unit_price")), num(li.get("amount"))))
            elif multiplies(li, s) is None:
                v.lower(s.uncorroborated_confidence, f"{d.path}: line {li.get('line_no') or i + 1} was not read whole")
        amounts = line_amounts(d)
        quantities = [num(li.get("quantity")) for li in d.line_items]
        for i, li, q, p, a in bad:
            label = f"{d.path}: line {li.get('line_no') or i + 1}: {q} × {p} against {a}"
            problems = []
            why = misread(q * p, a, scanned(d), s)
            if why:
                problems.append(why)
            elif swap_fixes(d.line_items, i, s=s):
                problems.append("a value of another line belongs here (exchanged, both lines multiply out)")
            elif gross(q * p, a, s):
                problems.append("too far apart for a slip; a column may be misread")
            elif abs(q * p - a) <= abs(q) * Decimal(1).scaleb(p.as_tuple().exponent) / 2:
                problems.append("the unit price as printed is rounded; the difference is within its rounding")
            corroborated_q = pl_q.get(str(li.get("part_number"))) == q or (
                None not in quantities and entry_q and None not in entry_q
                and sum(quantities, Decimal(0)) == sum(entry_q, Decimal(0)))
            if not corroborated_q:
                problems.append(f"the quantity {q} has no second reading (packing list, entry)")
            if not amounts_corroborated(ctx, d, s):
                problems.append("the amounts have no second reading (their total, the entry, a payment)")
            items.append((label, problems))
        if not bad:  # the lines multiply out; the disagreement is the total's
            if any(a is None for a in amounts):
                continue
            lines = sum(amounts, Decimal(0))
            paid = [num(p.get("amount")) for p in ctx.documents("payment_record")]
            for name in ("total", "subtotal"):
                shown = num(d.get(name))
                if shown is None or abs(shown - lines) <= s.cent or invoice_ties(d, s):
                    continue
                problems = []
                why = misread(lines, shown, scanned(d), s)
                if why:
                    problems.append(why)
                elif one_value_explains(amounts, shown, scanned(d), s):
                    problems.append("one line amount misread would explain it")
                if not (shown in paid or (entered is not None and abs(entered - shown) <= s.tie)):
                    problems.append(f"the {name} has no second reading (payment, entry)")
                items.append((f"{d.path}: lines {lines} against {name} {shown}", problems))
    if items:
        v.weigh(items)


def hts(ctx: Context, finding: Finding, v: Verdict, s: Settings) -> None:
    declared = {revenue._digits(ln.get("hts")) for ln in ctx.entry.lines if ln.get("hts")}
    items: list[tuple[str, list[str]]] = []
    for d in ctx.documents("commercial_invoice"):
        for li in d.line_items:
            h = revenue._digits(li.get("hts"))
            if not h or h in declared or any(x.startswith(h) or h.startswith(x) for x in declared):
                continue
            problems = []
            if scanned(d) and any(len(h) == len(x) and sum(p != q for p, q in zip(h, x)) == 1 for x in declared):
                problems.append("it differs from the declared number in one digit on a scan")
            if len(h) == 8 and any(x[:6] == h[:6] for x in declared):
                problems.append("an eight-digit code that agrees to the six digits of the Harmonized System may be "
                                "the exporting country's own tariff number, not a U.S. HTS number")
            if ctx.tariff is not None and ctx.tariff.general_rate(str(li.get("hts"))) is None and \
                    not ctx.tariff.special_programs(str(li.get("hts"))):
                v.lower(s.uncorroborated_confidence, f"{li.get('hts')} is not in the tariff schedule supplied")
            items.append((f"{d.path}: HTS {li.get('hts')}", problems))
    if items:
        v.weigh(items)
    elif not any(li.get("hts") for d in ctx.documents("commercial_invoice") for li in d.line_items):
        v.check("no HTS number read on the invoice lines")


def document_missing(ctx: Context, finding: Finding, v: Verdict, s: Settings) -> None:
    summary = next(iter(ctx.documents("entry_summary")), None)
    if summary is None:
        return
    folder = summary.path.rsplit("/", 1)[0] if "/" in summary.path else ""
    linked = ctx.linked.linked_paths()
    for d in ctx.linked.by_path.values():
        same = (d.path.rsplit("/", 1)[0] if "/" in d.path else "") == folder
        if same and d.doc_type in ("commercial_invoice", "other") and d.path not in ctx.entry.documents and \
                (d.path not in linked or not d.get("invoice_number")):
            v.check(f"{d.path} sits beside the entry summary but was not linked to it (its invoice number was "
                    "not read): check whether it is this entry's invoice")


def section232_undeclared(ctx: Context, finding: Finding, v: Verdict, s: Settings) -> None:
    line = ctx.line(finding.line_no)
    if line is None:
        return
    doc = next(iter(ctx.documents("entry_summary")), None)
    mine = revenue._digits(line.get("hts"))
    for other in ctx.entry.lines:
        if other is line or not any(revenue.is_section232(a.get("hts")) for a in other.get("additional") or []):
            continue
        theirs = revenue._digits(other.get("hts"))
        near = not theirs or not mine or theirs[:8] == mine[:8] or (
            scanned(doc) and len(theirs) == len(mine) and sum(p != q for p, q in zip(theirs, mine)) == 1)
        if near:
            v.check(f"line {other.line_no} declares the Section 232 line for {other.get('hts') or 'an HTS not read'}: "
                    f"line {finding.line_no} may be its non-metal value; check the lines on "
                    f"{doc.path if doc else 'the entry summary'}")


def fta(ctx: Context, finding: Finding, v: Verdict, s: Settings) -> None:
    for c in ctx.linked.by_path.values():
        if c.doc_type != "certificate_of_origin":
            continue
        start, end = c.get("blanket_period_from"), c.get("blanket_period_to")
        if start and end and str(start) > str(end):
            v.check(f"{c.path}: its blanket period runs from {start} to {end}, backwards: the dates may be "
                    "misread")


def assess(ctx: Context, finding: Finding, s: Settings = SETTINGS) -> Verdict:
    """The gate's verdict on one finding of one entry."""
    v = Verdict()
    _confidence_of_evidence(ctx, finding, v, s)
    if ctx.entry.entry_number.startswith("UNNUMBERED:"):
        v.check("the entry number was not read on the entry summary: the finding cannot be placed on an entry")
    spec = BY_CODE.get(finding.code)
    check = spec.gate_function() if spec is not None else None
    if check is not None:  # the rule's spec names the gate's check of its values
        check(ctx, finding, v, s)
    if v.verify:
        v.confidence = min(v.confidence, 0.5)
    return v


def apply(ctx: Context, findings: Iterable[Finding], s: Settings = SETTINGS) -> None:
    """Set each finding's status and confidence from the gate (a reviewer's decision is never touched here)."""
    for f in findings:
        try:
            v = assess(ctx, f, s)
        except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError) as exc:
            # values of a kind the checks do not expect: the finding cannot be corroborated, so it is not asserted
            v = Verdict(verify=[f"the values behind it could not be checked ({type(exc).__name__}: {exc})"],
                        confidence=0.5)
        # the rule's own doubt (a rate × base where no payment shows the amount) stands beside the gate's
        f.confidence = min(f.confidence, v.confidence)
        f.verify = list(v.verify)
        f.confidence_reasons = list(v.reasons)
        if v.verify and f.status == "open":
            f.status = "to_verify"


def duty_refundable(ctx: Context, finding: Finding, v: Verdict, s: Settings = SETTINGS) -> None:
    """A refund of IEEPA duty stands on the duty the line declares under 9903.01 / 9903.02: where the line also
    states the rate and the value, the duty must agree with rate × value within the 7501's dollar of rounding."""
    from .overpaid import is_ieepa

    ln = ctx.line(finding.line_no)
    if ln is None:
        v.check(f"entry line {finding.line_no} was not read: the duty paid under IEEPA cannot be placed")
        return
    for a in ln.get("additional") or []:
        if not is_ieepa(a.get("hts")):
            continue
        paid, rate = num(a.get("duty")), num(a.get("rate"))
        value = num(a.get("value"))
        value = value if value is not None else num(ln.get("entered_value"))
        if paid is None:
            v.lower(s.uncorroborated_confidence, f"{a.get('hts')}: no duty declared, computed as rate × value")
        elif rate is not None and value is not None:
            if abs(paid - revenue.duty(value, rate)) > s.tie:
                v.check(f"{a.get('hts')}: duty {paid} declared against {rate} % × {value} = "
                        f"{q2(revenue.duty(value, rate))}: check the line on the entry summary")
            else:
                v.reasons.append(f"{a.get('hts')}: the duty declared agrees with its rate × value")


def mpf_overpaid(ctx: Context, finding: Finding, v: Verdict, s: Settings = SETTINGS) -> None:
    """The MPF checks; a fee above every year's maximum is what an overpayment of the maximum looks like, so it is
    not doubted where the entry's total less its duty and HMF confirms it."""
    mpf(ctx, finding, v, s)
    declared = num(ctx.entry.header.get("mpf"))
    if declared is not None and corroborated(declared, mpf_readings(ctx), s.cent):
        v.verify = [x for x in v.verify if "above any year's maximum" not in x]
        if not v.verify:
            v.reasons.append(f"the MPF {declared} is confirmed by the total less the duty and HMF")


def metal_content_overstated(ctx: Context, finding: Finding, v: Verdict, s: Settings = SETTINGS) -> None:
    """A refund of Section 232 duty stands on the content value the line declares under its 9903.81/9903.85
    number: a line whose 232 number states neither a value nor a rate leaves the duty paid unplaced."""
    ln = ctx.line(finding.line_no)
    if ln is None:
        v.check(f"entry line {finding.line_no} was not read: the Section 232 content value cannot be placed")
        return
    adds = [a for a in ln.get("additional") or [] if revenue.is_section232(a.get("hts"))]
    if not adds:
        v.check(f"line {finding.line_no} declares no Section 232 number: nothing was paid to refund")
        return
    for a in adds:
        if num(a.get("value")) is None:
            v.lower(s.uncorroborated_confidence, f"{a.get('hts')}: no content value declared, the entered value "
                                                 "taken as the value the duty was paid on")
        if num(a.get("rate")) is None:
            v.lower(s.uncorroborated_confidence, f"{a.get('hts')}: no rate declared, the rate in force applied")


def preference_unclaimed(ctx: Context, finding: Finding, v: Verdict, s: Settings = SETTINGS) -> None:
    """A refund of duty for a preference not claimed stands on a line entered without SPI whose duty is declared;
    a duty computed from a rate is believed less."""
    ln = ctx.line(finding.line_no)
    if ln is None:
        v.check(f"entry line {finding.line_no} was not read: the duty paid cannot be placed")
        return
    if str(ln.get("spi") or "").strip():
        v.check(f"line {finding.line_no} claims SPI {ln.get('spi')}: the preference was claimed")
    elif num(ln.get("duty")) is None:
        v.lower(s.uncorroborated_confidence, f"line {finding.line_no}: no duty declared, computed as rate × value")
    else:
        v.reasons.append(f"line {finding.line_no}: entered without SPI, duty {num(ln.get('duty'))} declared")
