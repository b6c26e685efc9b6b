"""Consistency of the documents with each other and with the entry (19 U.S.C. 1484, reasonable care):

- HTS_MISMATCH: the HTS number the commercial documents (invoice lines, certificate of origin goods) give for
  the goods differs from the one declared on the entry line of those goods;
- QUANTITY_MISMATCH: quantities or weights disagree between invoice, packing list, mill certificate and entry;
- ARITHMETIC_ERROR: quantity × unit price, or the sum of the lines and charges, differs from what is shown.

Numbers are compared at the precision both sides give (a 6-digit invoice HTS consistent with a 10-digit
declaration is no mismatch); counts exactly, in one unit (pieces, each, units and numbers are one unit; dozens
against pieces only where the pieces are whole dozens); weights in kilograms within 0.5 % or 1 kg; money to the
currency's smallest unit, plus the rounding of unit prices quoted to more than two decimals.

Documents come from extraction: a figure a rule needs that is missing leaves the rule silent, and a difference
that a scan's misreading explains (one digit, a moved separator, a line that the document's own arithmetic
contradicts) is not reported as a disagreement between documents.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from rapidfuzz import fuzz, utils

from ..extract.lexicon import WEIGHT_FACTORS
from ..extract.normalize import id_key, to_kg, unit_code
from ..models.records import Document, Finding, Provenance, q2
from . import revenue
from .context import Context, Result
from .rules import BY_CODE

WEIGHT_TOLERANCE = Decimal("0.005")  # 0.5 % ...
WEIGHT_FLOOR = Decimal("1")  # ... or 1 kg, whichever is larger
COUNT_UNITS = {"PCS", "PC", "PCE", "EA", "UNT", "UNIT", "UNITS", "NO", "NOS", "NR"}  # one article each
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "CLP", "VND", "ISK", "PYG", "UGX", "XOF", "XAF", "KMF", "RWF", "GNF", "BIF",
                           "DJF", "VUV"}  # ISO 4217 currencies without a minor unit
CENT = Decimal("0.01")
DESCRIPTION_SAME = 92  # token_sort_ratio of two descriptions of the same goods (packing list against invoice)
STRONG_MATCH = 0.75  # below this, a match of goods to an entry line is weak: lower severity and confidence


def _num(v) -> Decimal | None:
    """A number as read: Decimal, or None for anything that is not one (a field read as text stays silent)."""
    if isinstance(v, Decimal):
        return v if v.is_finite() else None
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float, str)):
        try:
            d = Decimal(str(v).strip())
        except ArithmeticError:
            return None
        return d if d.is_finite() else None
    return None


def _n(obj, name: str) -> Decimal | None:
    try:
        return _num(obj.get(name))
    except AttributeError:
        return None


def _t(obj, name: str) -> str | None:
    """A text field as read: a non-empty string (a number read where text was expected is written as text)."""
    try:
        v = obj.get(name)
    except AttributeError:
        return None
    if isinstance(v, bool) or v is None or isinstance(v, (dict, list, tuple, set)):
        return None
    v = str(v).strip()
    return v or None


def _l(obj, name: str) -> list:
    try:
        v = obj.get(name)
    except AttributeError:
        return []
    return list(v) if isinstance(v, (list, tuple)) else []


def _line_no(x) -> int | None:
    """A line's number when it is one."""
    try:
        v = x.get("line_no")
        return int(v) if v is not None and not isinstance(v, bool) else None
    except (TypeError, ValueError, ArithmeticError, AttributeError):
        return None


def _revenue(ctx: Context, changes):
    """The loss of revenue of ``changes``, or None when the entry's own figures cannot be computed with."""
    try:
        return revenue.compute(ctx.revenue, changes)
    except (TypeError, ValueError, ArithmeticError, AttributeError):
        return None


def _digits(hts) -> str:
    return re.sub(r"\D", "", str(hts or ""))


def _fmt(x: Decimal | None) -> str:
    if x is None:
        return "—"
    x = Decimal(x)
    if x == x.to_integral_value():
        return f"{x.quantize(Decimal(1)):,}"
    return f"{x.normalize():,f}"


def _words(text) -> str:
    return utils.default_process(str(text or ""))


def _doc_name(doc: Document) -> str:
    number = _t(doc, "invoice_number") if doc.doc_type in ("commercial_invoice", "assist_invoice") else None
    number = number or _t(doc, "packing_list_number") or _t(doc, "certificate_number") or _t(doc, "entry_number")
    kind = {"commercial_invoice": "invoice", "assist_invoice": "invoice", "packing_list": "packing list",
            "mill_certificate": "mill certificate", "certificate_of_origin": "certificate of origin",
            "entry_summary": "entry summary"}.get(doc.doc_type, doc.doc_type)
    return f"{kind} {number}" if number else f"{kind} {doc.path}"


def _distinct(docs: list[Document], number_field: str) -> list[Document]:
    """Documents once each: two copies of one packing list or certificate (same number) count once."""
    seen, out = set(), []
    for d in docs:
        key = id_key(str(d.get(number_field))) if d.get(number_field) else d.path
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _goods_lines(ctx: Context):
    """The entry's lines of goods (chapter 99 numbers are sub-lines, not goods)."""
    return [ln for ln in ctx.entry.lines if _t(ln, "hts") and not _digits(_t(ln, "hts")).startswith(("98", "99"))]


@dataclass
class _Group:
    """Entry lines declared under one HTS number (a Section 232 declaration splits one kind of goods over two
    lines under the same number: metal content and the rest)."""

    hts: str
    digits: str
    lines: list = field(default_factory=list)

    @property
    def first(self):
        return self.lines[0]

    @property
    def value(self) -> Decimal | None:
        vals = [_n(ln, "entered_value") for ln in self.lines]
        return sum(vals, Decimal(0)) if all(v is not None for v in vals) else None

    @property
    def description(self) -> str:
        return " ".join(str(_t(ln, "description")) for ln in self.lines if _t(ln, "description"))

    def quantity(self) -> tuple[Decimal, str | None] | None:
        """The group's quantity: the one every line with a quantity states (split lines repeat it), else None."""
        qs = {(_n(ln, "quantity"), _unit(_t(ln, "unit"))) for ln in self.lines
              if _n(ln, "quantity") is not None and _n(ln, "quantity") > 0 and _unit(_t(ln, "unit")) != "X"}
        return next(iter(qs)) if len(qs) == 1 else None


def _groups(lines) -> list[_Group]:
    out: dict[str, _Group] = {}
    for ln in lines:
        d = _hts_digits(_t(ln, "hts")) or _digits(_t(ln, "hts"))[:10]
        out.setdefault(d, _Group(str(_t(ln, "hts")), d)).lines.append(ln)
    return list(out.values())


def _declared_ok(groups) -> bool:
    """Whether every line declares its HTS number as one (a number read short cannot place the line)."""
    return all(_hts_digits(_t(ln, "hts")) for g in groups for ln in g.lines)


def _entry_complete(ctx: Context) -> bool:
    """Whether the entry's lines were all read: their values add up to the total entered value."""
    tev = _n(ctx.entry.header, "total_entered_value")
    if tev is None:
        return True
    vals = [_n(ln, "entered_value") for ln in ctx.entry.lines]
    if not vals or any(v is None for v in vals):
        return False
    return abs(sum(vals, Decimal(0)) - tev) <= max(Decimal(1), Decimal(len(vals)))


def _entry_evidence(ctx: Context, lines) -> list:
    """Where the entry declares the lines: their boxes on the 7501, else the 7501 itself."""
    out = ctx.evidence(*(ln.prov for ln in lines))
    if not out:
        for es in ctx.documents("entry_summary")[:1]:
            out = ctx.cite(es, "entry_number", text=f"entry {ctx.entry.entry_number}, line "
                           + ", ".join(str(_line_no(ln)) for ln in lines))
    return out


def _entry_ocr(ctx: Context) -> bool:
    return any(d.ocr for d in ctx.documents("entry_summary"))


def _usd(ctx: Context, doc: Document, amount: Decimal | None) -> Decimal | None:
    if amount is None:
        return None
    rate = _num(ctx.exchange_rate(_t(doc, "currency")))
    return amount * rate if rate is not None else None


# --- reading a scan ----------------------------------------------------------------------------------

def _places(x: Decimal) -> int:
    exp = Decimal(x).as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def _digit_string(x: Decimal) -> str:
    return re.sub(r"\D", "", format(Decimal(x).normalize(), "f")).lstrip("0")


def _variants(x: Decimal) -> set[Decimal]:
    """What a scan that read ``x`` may have been looking at: one digit different, one digit more (a digit
    dropped in the reading), or the separator three places off (a thousands separator read as a decimal one)."""
    text = format(x, "f")
    out = set()
    for i, ch in enumerate(text):
        if ch.isdigit():
            for d in "0123456789":
                if d != ch:
                    out.add(Decimal(text[:i] + d + text[i + 1:]))
    for i in range(len(text) + 1):
        for d in "0123456789":
            cand = text[:i] + d + text[i:]
            if re.fullmatch(r"[+-]?\d+(\.\d+)?", cand):
                out.add(Decimal(cand))
    out |= {x * 1000, x / 1000}
    out.discard(x)
    return out


def two_misreads(q: Decimal, p: Decimal, a: Decimal) -> bool:
    """Whether one misreading in each of two of quantity, price and amount makes the line add up."""
    qs, ps, as_ = [q, *_variants(q)], [p, *_variants(p)], [a, *_variants(a)]
    for pv in ps:  # price and amount
        if any(abs(q * pv - av) <= CENT for av in as_):
            return True
    for qv in qs[1:]:  # quantity and price, quantity and amount
        if any(abs(qv * pv - a) <= CENT for pv in ps) or any(abs(qv * p - av) <= CENT for av in as_):
            return True
    return False


def misread(read: Decimal, implied: Decimal) -> bool:
    """Whether a scan may have read ``implied`` as ``read``: the same digits with the separators moved
    ("1.620" for 1,620), one digit of the same length differing ("187" for 157), or one digit dropped ("49" for
    493); the digits compared as written and at the same number of decimals (11,993.04 against 11,993.00)."""
    a, b = _digit_string(read), _digit_string(implied)
    if a.rstrip("0") == b.rstrip("0"):
        return True  # the same digits: a separator moved or dropped ("18.64" for 18,640)
    places = max(_places(read), _places(implied))
    fixed = tuple(re.sub(r"\D", "", f"{Decimal(x):.{places}f}").lstrip("0") for x in (read, implied))
    for a, b in ((a, b), fixed):
        if len(a) == len(b):
            if sum(x != y for x, y in zip(a, b)) == 1:
                return True
            continue
        short, long_ = sorted((a, b), key=len)
        if len(long_) == len(short) + 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_))):
            return True
    return False


def _confirmed_quantity(doc: Document, li) -> Decimal | None:
    """A line's quantity as far as the document itself confirms it: as read where quantity × price = amount;
    on a scan whose line does not add up, the whole quantity that amount ÷ price gives; else None."""
    q, p, a = _n(li, "quantity"), _n(li, "unit_price"), _n(li, "amount")
    if q is None:
        return None
    if p is None or a is None or p == 0:
        return None if doc.ocr else q
    if abs(q * p - a) <= _price_slack(q, p, _rounding_unit(doc)):
        return q
    if doc.ocr:
        implied = a / p
        whole = implied.quantize(Decimal(1))
        return whole if abs(implied - whole) < Decimal("0.001") else None
    return q


# --- HTS ---------------------------------------------------------------------------------------------

_HTS_SHAPE = re.compile(r"^\s*(?:[A-Z]{1,2}[+*]?\s+)?(\d{4}[.\s]?\d{2}(?:[.\s]?\d{2}(?:[.\s]?\d{2})?)?)\s*$")


def _hts_digits(text) -> str:
    """The digits of an HTS number written as one (NNNN.NN, NNNN.NN.NN, NNNN.NN.NNNN, NNNN.NN.NN.NN, 6, 8 or 10
    digits); "" for anything else (a number read short on a scan is no classification)."""
    m = _HTS_SHAPE.match(str(text or ""))
    return _digits(m.group(1)) if m else ""


def _consistent(doc_digits: str, declared_digits: str) -> bool:
    """Equal at the precision both give (6, 8 or 10 digits)."""
    n = min(len(doc_digits), len(declared_digits))
    return n >= 6 and doc_digits[:n] == declared_digits[:n]


def _one_digit_apart(a: str, b: str) -> bool:
    n = min(len(a), len(b))
    return sum(x != y for x, y in zip(a[:n], b[:n])) == 1


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


@dataclass
class _Item:
    """One statement of an HTS number on a document: an invoice line or a certificate's goods."""

    doc: Document
    number: str
    digits: str
    description: str | None
    prov: Provenance | None
    label: str  # "line 10"
    amount_usd: Decimal | None = None
    source: str = "invoice"  # invoice | certificate


def _match_group(groups: list[_Group], item: _Item, complete: bool) -> tuple[_Group | None, float, str]:
    """The entry lines an item's goods belong to and how sure the match is (0–1), with the reason."""
    if not groups:
        return None, 0.0, ""
    scored = []
    for g in groups:
        desc = 0.0
        if item.description and g.description:
            desc = fuzz.token_set_ratio(_words(item.description), _words(g.description)) / 100
        prefix = min(_common_prefix(item.digits, g.digits), 6) / 6
        value = 0.0
        if item.amount_usd is not None and g.value:
            if abs(item.amount_usd - g.value) <= max(Decimal(2), g.value * Decimal("0.01")):
                value = 1.0
        scored.append((g, desc, prefix, value))
    if item.source == "certificate":
        # a blanket certificate may list goods this entry does not carry: only the same goods count
        best = max(scored, key=lambda s: s[1])
        g, desc, prefix, _ = best
        same = fuzz.token_sort_ratio(_words(item.description), _words(g.description)) >= 90
        if same or (desc >= 0.8 and _common_prefix(item.digits, g.digits) >= 4):
            return g, (0.95 if same else 0.8), "description of the goods"
        return None, 0.0, ""
    if len(groups) == 1 and complete:
        return groups[0], 1.0, "the entry's only goods"
    ranked = sorted(((0.45 * d + 0.35 * p + 0.2 * v, g, d, v) for g, d, p, v in scored), key=lambda s: -s[0])
    best = ranked[0]
    if len(ranked) > 1 and best[0] - ranked[1][0] < 0.1:
        return None, 0.0, ""  # two lines fit as well: no telling which goods these are
    score = best[0] + (0.15 if best[3] else 0.0)
    if not complete and score < STRONG_MATCH:
        return None, 0.0, ""  # a line of the entry was not read: a loose match may be the goods of that line
    how = "value" if best[3] else "description" if best[2] >= 0.8 else "nearest HTS and description"
    return best[1], min(1.0, score), how


def _special_rate(tariff, digits: str, spi: str) -> Decimal | None:
    table = getattr(tariff, "special", None) or {}
    text = None
    for n in (10, 8):
        if len(digits) >= n and table.get(digits[:n]):
            text = table[digits[:n]]
            break
    if not text:
        return None
    for rate, codes in re.findall(r"(Free|\d+(?:\.\d+)?\s*%)\s*\(([^)]*)\)", text):
        if spi.upper() in {c.strip().upper() for c in codes.split(",")}:
            return Decimal(0) if rate.lower() == "free" else Decimal(rate.replace("%", "").strip())
    return None


def _rate_for(ctx: Context, digits: str, spi: str | None) -> tuple[Decimal | None, str]:
    """The ad valorem rate of the documents' number from the tariff schedule, and how it was found."""
    tariff = ctx.tariff
    if tariff is None:
        return None, "no tariff schedule was supplied"
    if spi:
        special = _special_rate(tariff, digits, spi)
        if special is not None:
            return special, f"special rate under SPI {spi}"
    try:
        rate = tariff.general_rate(digits)
    except Exception:  # a schedule object without the method: no rate
        rate = None
    if rate is None and len(digits) == 6:
        # a 6-digit number: its rate is known when every 8-digit rate under it is the same
        table = getattr(tariff, "general", None) or {}
        rates = set()
        for k in table:
            if k.startswith(digits) and len(k) >= 8:
                try:
                    rates.add(tariff.general_rate(k))
                except Exception:
                    rates.add(None)
        if len(rates) == 1 and None not in rates:
            rate = rates.pop()
    if rate is None:
        return None, "the tariff schedule gives no ad valorem rate for it"
    return rate, "general rate" + (f" (no special rate under SPI {spi})" if spi else "")


def hts(ctx: Context) -> list[Result]:
    rule = BY_CODE["HTS_MISMATCH"]
    lines = _goods_lines(ctx)
    groups = _groups(lines)
    if not groups:
        return []
    if any(not _hts_digits(_t(ln, "hts")) for ln in lines):
        return []  # a declared number not written as one (read short on a scan): nothing to compare with
    complete = _entry_complete(ctx)
    entry_scan = _entry_ocr(ctx)
    items: list[_Item] = []
    for inv in ctx.documents("commercial_invoice"):
        for li in inv.line_items:
            d = _hts_digits(_t(li, "hts"))
            items.append(_Item(inv, str(_t(li, "hts") or ""), d, _t(li, "description"), li.prov,
                               f"line {li.get('line_no')}" if li.get("line_no") is not None else "a line",
                               _usd(ctx, inv, _n(li, "amount"))))
    for coo in ctx.documents("certificate_of_origin"):
        for n, g in enumerate(_l(coo, "goods") or [], 1):
            if isinstance(g, dict) and _t(g, "hts"):
                items.append(_Item(coo, str(_t(g, "hts")), _hts_digits(_t(g, "hts")), _t(g, "description"),
                                   coo.fields.prov("goods"), f"goods {n}", None, "certificate"))
    # every invoice line's goods, to apportion a line's value when only some of its goods carry another number
    assigned: dict[str, list[_Item]] = {}
    mismatched: dict[str, list[tuple[_Item, float, str]]] = {}
    for it in items:
        if len(it.digits) < 6 or it.digits.startswith(("98", "99", "00")):
            if it.source == "invoice" and len(groups) == 1:
                assigned.setdefault(groups[0].digits, []).append(it)
            continue
        fits = [g for g in groups if _consistent(it.digits, g.digits)]
        if fits:
            if it.source == "invoice" and len(fits) == 1:
                assigned.setdefault(fits[0].digits, []).append(it)
            continue
        g, sure, how = _match_group(groups, it, complete)
        if g is None or sure < 0.4:
            continue
        if _one_digit_apart(it.digits, g.digits):
            if entry_scan:
                continue  # the entry read from a scan: one digit off is as likely its misreading
            if it.doc.ocr:
                # on a scan, a number one digit off is a misreading unless several lines give it and none the
                # declared one
                same = [li for li in it.doc.line_items if _hts_digits(_t(li, "hts")) == it.digits]
                declared = [li for li in it.doc.line_items if _consistent(_hts_digits(_t(li, "hts")), g.digits)]
                if len(same) < 2 or declared:
                    continue
                sure *= 0.8
        if it.source == "invoice":
            assigned.setdefault(g.digits, []).append(it)
        mismatched.setdefault(g.digits, []).append((it, sure, how))
    out = []
    for g in groups:
        if g.digits in mismatched:
            out.append(_hts_finding(ctx, rule, g, mismatched[g.digits], assigned.get(g.digits, [])))
    return out


def _hts_finding(ctx: Context, rule, g: _Group, found: list[tuple[_Item, float, str]],
                 assigned: list[_Item]) -> Result:
    line = g.first
    declared = str(_t(line, "hts"))
    inv_items = [it for it, _, _ in found if it.source == "invoice"]
    cert_items = [it for it, _, _ in found if it.source == "certificate"]
    primary_pool = inv_items or cert_items
    primary = max(primary_pool, key=lambda it: len(it.digits))
    sure = min(s for _, s, _ in found)
    hows = sorted({h for _, _, h in found})
    # the value the documents' number concerns: the lines' whole value, or the share of the goods under it
    same = [it for it in inv_items if _consistent(it.digits, primary.digits)]
    same_ids = {id(it) for it in same}
    value = g.value
    share_note = ""
    if inv_items and value is not None:
        if any(id(it) not in same_ids for it in assigned):
            amounts = [it.amount_usd for it in assigned]
            if all(a is not None for a in amounts) and sum(amounts, Decimal(0)) > 0:
                part = sum((it.amount_usd for it in same), Decimal(0))
                whole = sum(amounts, Decimal(0))
                share_note = (f"share of the line's goods under {primary.number}: USD {q2(part):,} of "
                              f"USD {q2(whole):,} invoiced")
                value = q2(value * part / whole)
            else:
                value = None
                share_note = "the share of the line's goods under the documents' number cannot be told"
    spi = _t(line, "spi")
    rate_decl = _n(line, "duty_rate")
    rate_doc, rate_how = _rate_for(ctx, primary.digits, spi)
    agree6 = primary.digits[:6] == g.digits[:6]
    steps = []
    for it, _, _ in found:
        steps.append(f"{_doc_name(it.doc)} {it.label}: HTS {it.number}"
                     + (f" ({it.description})" if it.description else ""))
    steps.append(f"entry line {', '.join(str(_line_no(ln)) for ln in g.lines)}: HTS {declared}"
                 + (f" ({g.description})" if g.description else "")
                 + (f", entered value USD {_fmt(g.value)}" if g.value is not None else ""))
    if share_note:
        steps.append(share_note)
    changes = []
    duty = Decimal("0.00")
    unknown = False
    invoice_agrees = not inv_items and any(_consistent(it.digits, g.digits) for it in assigned)
    if invoice_agrees:
        steps.append("the invoice gives the declared number: the certificate's number is the odd one; no duty "
                     "effect is computed on it")
        rate_text = ("The invoice gives the declared number, so it is the certificate that names other goods or a "
                     "wrong number: it may not cover these goods, which matters for any preference claimed under it.")
    elif rate_doc is None or rate_decl is None or value is None:
        unknown = True
        why = rate_how if rate_doc is None else "the declared rate is not shown" if rate_decl is None else share_note
        steps.append(f"rate under {primary.number}: unknown ({why}); the duty effect cannot be computed, "
                     f"no value changes (value delta 0.00)")
        rate_text = (f"The rate under {primary.number} is unknown ({why}), so the finding gives the difference "
                     "of classification only, with no amount.")
    else:
        decl = Decimal(rate_decl)
        steps.append(f"rate under {primary.number}: {rate_doc.normalize():f} % ({rate_how}); declared "
                     f"{decl.normalize():f} %")
        diff = rate_doc - decl
        if diff == 0:
            steps.append("same rate under both numbers: no duty effect, loss of revenue 0.00")
            rate_text = f"Both numbers carry {decl.normalize():f} %: the difference costs no duty."
        elif diff < 0:
            over = q2(value * -diff / 100)
            steps.append(f"{_fmt(value)} × ({rate_doc.normalize():f} % − {decl.normalize():f} %) = −{over:,}: "
                         "duty overpaid if the documents' number is right; no loss of revenue")
            rate_text = (f"The documents' number carries a lower rate ({rate_doc.normalize():f} % against "
                         f"{decl.normalize():f} %): if it is right, duty of USD {over:,} was overpaid (a matter for "
                         "a post-summary correction or protest), not a loss of revenue.")
        else:
            ch = revenue.Change(line_no=_line_no(line), value_delta=value, rates=[diff], key=f"hts:{g.digits}",
                                fee_base_delta=Decimal(0),
                                note=f"rate {rate_doc.normalize():f} % instead of {decl.normalize():f} %")
            rev = _revenue(ctx, [ch])
            if rev is None:
                unknown = True
                steps.append("the entry's own figures (date, total) cannot be computed with: no amount")
                rate_text = "The entry's figures could not be read well enough to compute the duty difference."
            else:
                duty = rev.duty_delta
                steps += list(rev.arithmetic)
                changes.append(ch)
                rate_text = (f"Under {primary.number} the goods pay {rate_doc.normalize():f} % instead of the "
                             f"{decl.normalize():f} % declared: USD {_fmt(value)} × {diff.normalize():f} % = "
                             f"USD {duty:,} of duty; the fees do not change.")
        if _l(line, "additional"):
            steps.append("chapter 99 rates declared on the line are left as declared")
    sources = "; ".join(sorted({f"{_doc_name(it.doc)} gives {it.number}" for it, _, _ in found}))
    what = primary.description or "the goods"
    explanation = (
        f"The commercial documents classify \"{what}\" differently from the entry: {sources}, while entry line "
        f"{_line_no(line)} declares {declared}" + (f" ({g.description})" if g.description else "") + ". "
        + (f"The numbers agree to six digits (subheading {primary.digits[:4]}.{primary.digits[4:6]}) and differ in "
           "the national subdivisions, which an exporter sometimes fills with its own country's tariff. "
           if agree6 else "The numbers differ at the international (six-digit) level. ")
        + "Reasonable care (19 U.S.C. 1484) requires the importer to resolve which one is right. "
        + rate_text
        + (f" The goods were matched to the entry line by {', '.join(hows)}"
           + (" only loosely: check that these are the same goods." if sure < STRONG_MATCH else ".")
           if hows != ["the entry's only goods"] else "")
    )
    confidence = 0.5 + 0.4 * sure - (0.0 if not agree6 else 0.05)
    evidence = []
    for it, _, _ in found:
        evidence += ctx.evidence(it.prov)
    for d in {id(it.doc): it.doc for it, _, _ in found}.values():
        evidence += [e for e in ctx.cite(d, "invoice_number", "goods") if e not in evidence]
    evidence += [e for e in _entry_evidence(ctx, g.lines) if e not in evidence]
    f = Finding(code=rule.code, severity=rule.severity if sure >= STRONG_MATCH else "low",
                entry_number=ctx.entry.entry_number, line_no=_line_no(line),
                title=f"HTS {primary.number} on the {'invoice' if inv_items else 'certificate of origin'}, "
                      f"{declared} declared",
                explanation=explanation, legal_basis=rule.legal_basis, duty_delta=duty, loss_of_revenue=duty,
                confidence=round(max(0.3, min(0.95, confidence)), 2), evidence=evidence, arithmetic=steps,
                rate_unknown=unknown)
    return Result(f, changes)


# --- quantities and weights ---------------------------------------------------------------------------

def _unit(u) -> str | None:
    """A unit's code: PCS for every count of single articles, DOZ, SET, PR, a weight (KG, LB, MT, G), X for the
    7501's "no quantity"; other text upper-cased (a unit nothing else compares with); None when absent."""
    if u is None or not str(u).strip():
        return None
    text = str(u).strip()
    code = unit_code(text) or text.upper().strip(" .")
    if code in COUNT_UNITS:
        return "PCS"
    if code == "DZ":
        return "DOZ"
    if code == "T":
        return "MT"
    return code


def _is_weight(code: str | None) -> bool:
    return code in WEIGHT_FACTORS


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
    if not a or not b or re.findall(r"\d+", str(a)) != re.findall(r"\d+", str(b)):
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
            fits = [g for g in groups if _consistent(_digits(_t(li, "hts")), g.digits)]
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


# --- arithmetic ---------------------------------------------------------------------------------------

def _rounding_unit(doc: Document) -> Decimal:
    """The smallest amount the document's currency writes: a cent, or one unit without a minor unit."""
    return Decimal(1) if str(_t(doc, "currency") or "").upper() in ZERO_DECIMAL_CURRENCIES else CENT


def _price_slack(q: Decimal, p: Decimal, unit: Decimal) -> Decimal:
    """How far quantity × price may be from the amount by rounding: the amount's own rounding, and for a price
    quoted to more than two decimals, the rounding of the price's last digit over the quantity."""
    exp = p.as_tuple().exponent
    places = -exp if isinstance(exp, int) and exp < 0 else 0
    return unit + (abs(q) * Decimal(1).scaleb(-places) / 2 if places > 2 else Decimal(0))


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
