"""What the cross-document checks share (HTS_MISMATCH in ``hts``, QUANTITY_MISMATCH in ``quantity``,
ARITHMETIC_ERROR in ``arithmetic``): reading figures off documents and entry lines, grouping the entry's lines by
HTS number, units, currency rounding, and telling a scan's misreading from a real difference.

Numbers are compared at the precision both sides give (a 6-digit invoice HTS consistent with a 10-digit
declaration is no mismatch); counts exactly, in one unit (pieces, each, units and numbers are one unit; dozens
against pieces only where the pieces are whole dozens); weights in kilograms within 0.5 % or 1 kg; money to the
currency's smallest unit, plus the rounding of unit prices quoted to more than two decimals.

Documents come from extraction: a figure a rule needs that is missing leaves the rule silent, and a difference
that a scan's misreading explains (one digit, a moved separator, a line that the document's own arithmetic
contradicts) is not reported as a disagreement between documents.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import utils

from ..extract.lexicon import WEIGHT_FACTORS
from ..extract.normalize import unit_code
from ..models.fold import hts_digits, hts_shape_digits, id_key, only_digits
from ..models.records import Document
from . import revenue
from .context import Context

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
    return [ln for ln in ctx.entry.lines if _t(ln, "hts") and not hts_digits(_t(ln, "hts")).startswith(("98", "99"))]


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
        d = _hts_digits(_t(ln, "hts")) or hts_digits(_t(ln, "hts"))[:10]
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
    return only_digits(format(Decimal(x).normalize(), "f")).lstrip("0")


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
            if cand.lstrip("+-").replace(".", "", 1).isdigit() and not cand.lstrip("+-").startswith("."):
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
    fixed = tuple(only_digits(f"{Decimal(x):.{places}f}").lstrip("0") for x in (read, implied))
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



# --- HTS numbers, units and currency rounding ------------------------------------------------------



def _hts_digits(text) -> str:
    """The digits of an HTS number written as one (NNNN.NN, NNNN.NN.NN, NNNN.NN.NNNN, NNNN.NN.NN.NN, 6, 8 or 10
    digits); "" for anything else (a number read short on a scan is no classification)."""
    return hts_shape_digits(text)


def _consistent(doc_digits: str, declared_digits: str) -> bool:
    """Equal at the precision both give (6, 8 or 10 digits)."""
    n = min(len(doc_digits), len(declared_digits))
    return n >= 6 and doc_digits[:n] == declared_digits[:n]



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


def _rounding_unit(doc: Document) -> Decimal:
    """The smallest amount the document's currency writes: a cent, or one unit without a minor unit."""
    return Decimal(1) if str(_t(doc, "currency") or "").upper() in ZERO_DECIMAL_CURRENCIES else CENT


def _price_slack(q: Decimal, p: Decimal, unit: Decimal) -> Decimal:
    """How far quantity × price may be from the amount by rounding: the amount's own rounding, and for a price
    quoted to more than two decimals, the rounding of the price's last digit over the quantity."""
    exp = p.as_tuple().exponent
    places = -exp if isinstance(exp, int) and exp < 0 else 0
    return unit + (abs(q) * Decimal(1).scaleb(-places) / 2 if places > 2 else Decimal(0))


