"""UNDERVALUATION and DEDUCTION_UNSUPPORTED: the entered value against the price actually paid or payable.

Transaction value is the price actually paid or payable for the goods when sold for exportation to the United
States (19 U.S.C. 1401a(b)(1)): the total payment, direct or indirect, the buyer makes to the seller
((b)(4)(A)). Only international freight and insurance, costs after importation and U.S. duties and taxes may
be left out, and only when the documents identify them separately from the price ((b)(3)).

This module reads the price picture of an entry once (``picture``) and both rules, and the first-sale rule,
judge from it:

* the price each commercial invoice of the entry shows: its total, less the charges that may be excluded
  (freight, insurance, post-importation costs, duties and taxes) when separately identified; charges that are
  statutory additions (packing, assists, royalties, selling commissions) are left to their own rules;
* payments the importer made to the seller for the goods beyond the invoice (a second payment, a price
  difference): they are part of the price actually paid;
* converted to USD at the entry's declared exchange rate, against the entered value (whole dollars on the
  7501, so a difference under USD 1 is rounding, not a finding).

A shortfall the documents explain as a deduction of freight or insurance (a price that includes them, or a
shortfall equal to a freight amount paid separately) is DEDUCTION_UNSUPPORTED; a shortfall without such a
story is UNDERVALUATION; a shortfall against a middleman's invoice is left to FIRST_SALE_UNSUPPORTED. Both
findings on one entry never count the same money twice.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..extract.normalize import id_key
from ..models.records import Document, EntryLine, Evidence, Finding, Party, q2
from . import revenue
from .context import Context, Result
from .link import NAME_MATCH, same_party
from .rules import BY_CODE

ZERO = Decimal(0)
ONE = Decimal(1)

# charges that may be left out of transaction value when separately identified (1401a(b)(3)); a bona fide
# buying commission is not part of the price either (1401a(b)(1)(B) reaches selling commissions only)
EXCLUDABLE = {"freight", "insurance", "duty", "tax", "buying_commission"}
# charges that are statutory additions: each has its own rule, which owns the money
ADDITIONS = {"packing", "tooling", "assist", "royalty", "licence", "selling_commission"}
# incoterms whose price includes international carriage (C and D groups)
FREIGHT_IN_PRICE = {"CFR", "CNF", "C&F", "CIF", "CPT", "CIP", "DAP", "DAT", "DPU", "DDP", "DDU", "DES", "DEQ"}
# incoterms whose price stops before international carriage (E and F groups)
FREIGHT_NOT_IN_PRICE = {"EXW", "FCA", "FAS", "FOB"}

def tolerance(lines: list[EntryLine]) -> Decimal:
    """The 7501 rounds each line's value to the dollar: half a dollar a line, at least one dollar."""
    return max(ONE, Decimal("0.5") * len(lines))


def money(x: Decimal) -> str:
    return f"{q2(x):,}"


def party_name(p) -> str:
    if isinstance(p, Party):
        return p.name or "?"
    return str(p) if p else "?"


@dataclass
class Charge:
    kind: str
    description: str
    amount: Decimal  # invoice currency, as signed in the price (a discount is negative)
    after_import: bool = False  # the document describes it as work after importation (a fact read from it)
    index: int = -1  # its place in the document's charges (where its own row was read)


@dataclass
class InvoicePrice:
    """One commercial invoice read for its price, in its currency and in USD at the entry's rate."""

    doc: Document
    currency: str | None
    rate: Decimal | None
    total: Decimal
    total_note: str
    excluded: list[Charge] = field(default_factory=list)  # in the total, may be left out
    additions: list[Charge] = field(default_factory=list)  # in the total, owned by the additions rules
    informational: list[Charge] = field(default_factory=list)  # shown but not in the total
    unidentified: Decimal = ZERO  # between the goods subtotal and the total, not itemised (kind unknown)

    @property
    def number(self) -> str:
        return str(self.doc.get("invoice_number") or self.doc.path)

    @property
    def excluded_total(self) -> Decimal:
        return sum((c.amount for c in self.excluded), ZERO)

    @property
    def additions_total(self) -> Decimal:
        return sum((c.amount for c in self.additions), ZERO)

    @property
    def price(self) -> Decimal:
        """The price of the goods: the total less the excludable charges and the additions other rules own."""
        return self.total - self.excluded_total - self.additions_total

    def usd(self, amount: Decimal) -> Decimal:
        return amount * self.rate if self.rate is not None else amount

    @property
    def freight_in_price(self) -> bool:
        inc = str(self.doc.get("incoterm") or "").upper().replace(" ", "")
        return inc in FREIGHT_IN_PRICE or any(c.kind in ("freight", "insurance") for c in self.excluded)

    def steps(self) -> list[str]:
        cur = self.currency or ""
        s = f"invoice {self.number}: total {cur} {money(self.total)}{self.total_note}"
        for c in self.excluded:
            s += f" − {c.description or c.kind} {money(c.amount)}"
        for c in self.additions:
            s += f" − {c.description or c.kind} {money(c.amount)} (a statutory addition, checked by its own rule)"
        if self.excluded or self.additions:
            s += f" = {cur} {money(self.price)}"
        out = [s]
        if self.unidentified:
            out.append(f"invoice {self.number}: charges of {cur} {money(self.unidentified)} between the goods "
                       f"subtotal {money(self.doc.get('subtotal'))} and the total are not itemised")
        if self.rate is not None and self.currency not in (None, "USD"):
            out.append(f"{cur} {money(self.price)} × {self.rate} (the entry's exchange rate) = "
                       f"USD {money(self.usd(self.price))}")
        return out


@dataclass
class Payment:
    doc: Document
    amount_usd: Decimal
    currency: str
    purpose: str


@dataclass
class Picture:
    """What the documents of one entry say about the price, against what was declared."""

    entered: Decimal
    tol: Decimal
    last: list[InvoicePrice]  # invoices of the sale to the importer
    first: list[InvoicePrice]  # invoices of an earlier sale (manufacturer to middleman)
    middleman: list[str]  # why the seller of the last sale looks like a middleman, not the manufacturer
    payments: list[Payment]
    paid_usd: Decimal  # payments for the goods, USD
    extra_paid: Decimal  # paid beyond the invoices' totals, USD
    freight_elsewhere: list[tuple[Document, Decimal, str]]  # freight/insurance amounts on other documents, USD

    @property
    def price_usd(self) -> Decimal:
        return sum((i.usd(i.price) for i in self.last), ZERO)

    @property
    def total_usd(self) -> Decimal:
        return sum((i.usd(i.total) for i in self.last), ZERO)

    @property
    def additions_usd(self) -> Decimal:
        return sum((i.usd(i.additions_total) for i in self.last), ZERO)

    @property
    def shortfall(self) -> Decimal:
        """Invoice price (USD) less the entered value."""
        return self.price_usd - self.entered

    @property
    def unidentified_usd(self) -> Decimal:
        """Charges in the invoice totals whose kind the documents (as read) do not show: they may be excludable
        freight or a statutory addition, so no rule claims them as such."""
        return sum((i.usd(i.unidentified) for i in self.last), ZERO)

    @property
    def certain_shortfall(self) -> Decimal:
        """The shortfall beyond the unidentified charges."""
        return self.shortfall - self.unidentified_usd

    @property
    def first_price_usd(self) -> Decimal:
        return sum((i.usd(i.price) for i in self.first), ZERO)

    @property
    def first_sale_claimed(self) -> bool:
        """The entered value sits below the middleman's price: the entry rests on an earlier sale."""
        return bool(self.middleman) and self.certain_shortfall >= self.tol

    @property
    def freight_in_price(self) -> bool:
        return any(i.freight_in_price for i in self.last)


# --- reading the documents -------------------------------------------------------------------------

def _charges(doc: Document) -> list[Charge]:
    out = []
    after = {f.value.get("index") for f in doc.facts_of("post_importation_charge") if isinstance(f.value, dict)}
    for i, c in enumerate(doc.get("charges") or []):
        if not isinstance(c, dict) or not isinstance(c.get("amount"), Decimal):
            continue
        kind = str(c.get("kind") or "other").lower()
        amount = c["amount"]
        if kind == "discount":
            amount = -abs(amount)
        out.append(Charge(kind, str(c.get("description") or "").strip(), amount, i in after, i))
    return out


def invoice_price(ctx: Context, doc: Document) -> InvoicePrice | None:
    """The price an invoice shows, or None when it does not show enough (no total, no currency rate)."""
    currency = doc.get("currency") or ctx.entry.header.get("currency")
    if not isinstance(currency, str):
        return None  # never converted silently at 1
    rate = ctx.exchange_rate(currency)
    if not isinstance(rate, Decimal):
        return None
    charges = _charges(doc)
    charge_sum = sum((c.amount for c in charges), ZERO)
    total, note = doc.get("total"), ""
    subtotal = doc.get("subtotal")
    if not isinstance(total, Decimal):
        amounts = [li.get("amount") for li in doc.line_items]
        if isinstance(subtotal, Decimal):
            total, note = subtotal + charge_sum, " (subtotal plus charges; no total shown)"
        elif amounts and all(isinstance(a, Decimal) for a in amounts):
            total, note = sum(amounts, ZERO) + charge_sum, " (sum of the lines plus charges; no total shown)"
        else:
            return None
    ip = InvoicePrice(doc, currency, rate, total, note)
    # are the charges inside the total? a subtotal equal to the total says they are shown for information only
    in_total = True
    if charges and isinstance(subtotal, Decimal) and abs(subtotal - total) <= Decimal("0.01") \
            and abs(charge_sum) > Decimal("0.01"):
        in_total = False
    if in_total and isinstance(subtotal, Decimal) and total - subtotal - charge_sum > Decimal("0.01"):
        ip.unidentified = total - subtotal - charge_sum
    for c in charges:
        if not in_total:
            ip.informational.append(c)
        elif c.kind in EXCLUDABLE and c.amount > 0:
            ip.excluded.append(c)
        elif c.kind in ("handling", "other") and c.amount > 0 and c.after_import:
            ip.excluded.append(c)
        elif c.kind in ADDITIONS and c.amount > 0:
            ip.additions.append(c)
    return ip


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


_CANADA = {"XA", "XC", "XM", "XB", "XW", "XN", "XT", "XV", "XO", "XP", "XQ", "XS", "XY"}


def _letters(text: str) -> str:
    """The leading run of ASCII capital letters of a text."""
    n = 0
    while n < len(text) and "A" <= text[n] <= "Z":
        n += 1
    return text[:n]


def _mid_country(mid: str | None) -> str | None:
    head = _letters(id_key(mid or ""))
    if len(head) < 2:
        return None
    return "CA" if head[:2] in _CANADA else head[:2]


def _mid_letters(mid: str | None) -> str | None:
    head = _letters(id_key(mid or ""))
    return head[2:] if len(head) >= 5 else None


def _first_word(name: str) -> str:
    words, run = [], ""
    for ch in _fold(name) + " ":
        if ch.isascii() and ch.isalpha():
            run += ch
        elif run:
            words.append(run)
            run = ""
    words = [w for w in words if w.lower() not in ("the", "a", "an") and len(w) > 1]
    return words[0].upper() if words else ""


def middleman_signs(ctx: Context, inv: InvoicePrice, factory: list[InvoicePrice]) -> list[str]:
    """Why the seller of ``inv`` looks like a middleman rather than the manufacturer; [] when it does not.

    A manufacturer's invoice to that seller proves it, and so does an MID in another country than the seller's;
    otherwise it takes an MID that does not name the seller and goods originating outside the seller's country
    (the latter alone when the entry shows no MID).
    """
    seller = inv.doc.get("seller")
    if not isinstance(seller, Party) or not seller.name:
        return []
    strong, medium = [], []
    for f in factory:
        strong.append(f"invoice {f.number} shows {party_name(f.doc.get('seller'))} selling the goods to "
                      f"{seller.name}")
    h = ctx.entry.header
    mid = h.get("manufacturer_id")
    mid_country = _mid_country(mid)
    if mid_country and seller.country and mid_country != seller.country.upper():
        strong.append(f"the manufacturer declared on the entry (MID {mid}) is in {mid_country}, the seller "
                      f"{seller.name} in {seller.country}")
    letters = _mid_letters(mid)
    first = _first_word(seller.name)
    if letters and first and letters[:3] != first[:3]:
        medium.append(f"the MID {mid} does not name the seller {seller.name}")
    origin = inv.doc.get("country_of_origin") or h.get("country_of_origin")
    if origin and seller.country and origin.upper() != seller.country.upper():
        medium.append(f"the goods originate in {origin}, the seller is in {seller.country}")
    if strong or len(medium) >= 2 or (medium and not mid and origin):
        return strong + medium
    return []


def _importer(ctx: Context) -> Party | None:
    imp = ctx.entry.header.get("importer")
    return imp if isinstance(imp, Party) else None


def _is_importer(ctx: Context, p) -> bool:
    imp = _importer(ctx)
    return imp is not None and same_party(p, imp) >= NAME_MATCH


def _mentions(doc: Document, numbers: set[str]) -> bool:
    """Does the payment's text name one of the identifiers (a whole word, or inside one when six characters or
    more)? Read from its ``references`` fact."""
    from .link import mentions

    return mentions(doc, numbers)


def _payments(ctx: Context, last: list[InvoicePrice]) -> tuple[list[Payment], list[tuple[Document, Decimal, str]]]:
    """Payments the importer made for the goods of this entry (to the seller, or for its invoice), and
    freight or insurance the importer paid separately (both in USD)."""
    sellers = [i.doc.get("seller") for i in last if isinstance(i.doc.get("seller"), Party)]
    buyers = [p for p in [_importer(ctx)] + [i.doc.get("buyer") for i in last] if isinstance(p, Party)]
    numbers = {id_key(str(i.doc.get("invoice_number"))) for i in last if i.doc.get("invoice_number")}
    numbers |= {id_key(str(x)) for x in (ctx.entry.header.get("invoice_numbers") or []) if x}
    agreement_parties = [p for a in ctx.documents("agreement") for p in (a.get("parties") or [])
                         if isinstance(p, Party)]
    goods: list[Payment] = []
    freight: list[tuple[Document, Decimal, str]] = []
    # the entry's payment records, and any other that names one of its invoices (a freight payment to a
    # forwarder is not linked through the parties of the sale)
    records = ctx.documents("payment_record")
    records += [d for d in ctx.linked.of_type("payment_record") if d not in records and _mentions(d, numbers)]
    for pay in records:
        amount, cur = pay.get("amount"), pay.get("currency")
        if not isinstance(amount, Decimal) or not isinstance(cur, str):
            continue
        rate = ctx.exchange_rate(cur)
        if not isinstance(rate, Decimal):
            continue
        mine = _mentions(pay, numbers)
        if not (mine or ctx.entries_with(pay.path) == [ctx.entry]):
            continue  # a payment for another shipment between the same parties
        payer = pay.get("payer")
        if payer is not None and not any(same_party(payer, b) >= NAME_MATCH for b in buyers):
            continue  # not the buyer's money
        usd = amount * rate
        stated = str(pay.get("purpose") or "")
        said = {f.value for f in pay.facts_of("payment_for")}
        if "other" in said:
            if "freight" in said:
                freight.append((pay, usd, stated))
            continue  # royalties, commissions, proceeds, assists...: other rules, or not dutiable
        to_seller = any(same_party(pay.get("payee"), s) >= NAME_MATCH for s in sellers)
        if stated:
            if not (to_seller or (mine and "goods" in said)):
                continue
        elif not to_seller or any(same_party(pay.get("payee"), p) >= NAME_MATCH for p in agreement_parties):
            continue  # no purpose stated: money to the seller is for the goods, unless an agreement names it
        goods.append(Payment(pay, usd, cur, stated))
    return goods, freight


def picture(ctx: Context) -> Picture | None:
    """The price picture of the entry; None when the documents or the declaration do not show enough."""
    lines = ctx.entry.lines
    h = ctx.entry.header
    entered = h.get("total_entered_value")
    if not isinstance(entered, Decimal):
        values = [ln.get("entered_value") for ln in lines]
        if not values or not all(isinstance(v, Decimal) for v in values):
            return None
        entered = sum(values, ZERO)
    invoices = ctx.documents("commercial_invoice")
    if not invoices:
        return None
    # an invoice shared with another entry (a split shipment) cannot be weighed against this entry alone
    if any(len(ctx.entries_with(d.path)) > 1 for d in invoices):
        return None
    prices = []
    for d in invoices:
        ip = invoice_price(ctx, d)
        if ip is None:
            return None  # part of the price unknown: no comparison
        prices.append(ip)
    sellers = [i.doc.get("seller") for i in prices]
    first, last = [], []
    for ip in prices:
        buyer = ip.doc.get("buyer")
        sells_to_seller = any(same_party(buyer, s) >= NAME_MATCH and same_party(ip.doc.get("seller"), s) < NAME_MATCH
                              for s in sellers if s is not None)
        if buyer is not None and sells_to_seller and not _is_importer(ctx, buyer):
            first.append(ip)
        else:
            last.append(ip)
    if not last:
        return None
    middleman = []
    for ip in last:
        factory = [f for f in first if same_party(f.doc.get("buyer"), ip.doc.get("seller")) >= NAME_MATCH]
        middleman += middleman_signs(ctx, ip, factory)
    payments, freight = _payments(ctx, last)
    tol = tolerance(lines)
    paid = sum((p.amount_usd for p in payments), ZERO)
    total_usd = sum((i.usd(i.total) for i in last), ZERO)
    extra = ZERO
    if payments:
        extra = paid - total_usd
        # paid in another currency than invoiced: up to 1 % more is the bank's exchange rate, not more price
        foreign = any(p.currency != i.currency for p in payments for i in last)
        if extra < (max(tol, q2(total_usd * Decimal("0.01"))) if foreign else tol):
            extra = ZERO
    for d in (ctx.documents("bill_of_lading") + ctx.documents("other")):
        for name in ("freight", "freight_charges", "ocean_freight", "insurance"):
            v = d.get(name)
            cur = d.get("currency")
            r = ctx.exchange_rate(cur) if isinstance(cur, str) else None
            if isinstance(v, Decimal) and isinstance(r, Decimal):
                freight.append((d, v * r, name.replace("_", " ")))
    return Picture(entered, tol, last, first, middleman, payments, paid, extra, freight)


# --- distributing a value change over the entry lines -------------------------------------------------

def _hts_key(h) -> str:
    return "".join(c for c in str(h or "") if c.isdigit() and c.isascii())[:10]


def main_line(ctx: Context) -> EntryLine | None:
    lines = ctx.entry.lines
    if not lines:
        return None
    return max(lines, key=lambda ln: ln.get("entered_value") if isinstance(ln.get("entered_value"), Decimal) else ZERO)


def distribute(ctx: Context, invoices: list[InvoicePrice], delta: Decimal,
               key: str) -> tuple[list[revenue.Change], EntryLine | None, str]:
    """Spread ``delta`` (USD) over the entry lines: each line's share of the invoices' price (by the HTS numbers
    of the invoice lines) less its entered value, scaled to ``delta``; all on the main line when the invoice
    lines do not map onto the entry lines. Returns the changes, the line carrying most and how it was spread."""
    main = main_line(ctx)
    single = ([revenue.Change(main.line_no if main else None, q2(delta), revenue.line_rates(main), key)], main, "")
    lines = [ln for ln in ctx.entry.lines if isinstance(ln.get("entered_value"), Decimal)]
    by_key: dict[str, list[EntryLine]] = {}
    for ln in lines:
        by_key.setdefault(_hts_key(ln.get("hts")), []).append(ln)
    if len(by_key) < 2 or len(lines) != len(ctx.entry.lines):
        return single
    share: dict[str, Decimal] = {}
    goods = ZERO
    for ip in invoices:
        for li in ip.doc.line_items:
            amount, hts = li.get("amount"), _hts_key(li.get("hts"))
            hit = [k for k in by_key if len(k) >= 6 and len(hts) >= 6 and k[:len(hts)] == hts[:len(k)]]
            if not isinstance(amount, Decimal) or len(hit) != 1:
                return single
            share[hit[0]] = share.get(hit[0], ZERO) + ip.usd(amount)
            goods += ip.usd(amount)
    price = sum((ip.usd(ip.price) for ip in invoices), ZERO)
    entered = sum((ln.get("entered_value") for ln in lines), ZERO)
    gap = price - entered
    if goods <= 0 or gap <= 0 or set(share) != set(by_key):
        return single
    changes, steps = [], []
    for k, group in by_key.items():
        short = price * share[k] / goods - sum((ln.get("entered_value") for ln in group), ZERO)
        if short < 0:
            return single
        part = q2(short * delta / gap)
        carrier = max(group, key=lambda ln: ln.get("entered_value"))
        changes.append(revenue.Change(carrier.line_no, part, revenue.line_rates(carrier), key))
    changes[max(range(len(changes)), key=lambda i: changes[i].value_delta)].value_delta += \
        q2(delta) - sum((c.value_delta for c in changes), ZERO)
    changes = [c for c in changes if c.value_delta]
    for c in changes:
        steps.append(f"line {c.line_no} {money(c.value_delta)}")
    top = max(changes, key=lambda c: c.value_delta)
    return changes, ctx.line(top.line_no), "spread over the lines by HTS number: " + ", ".join(steps)


# --- the findings -----------------------------------------------------------------------------------

def _finding(ctx: Context, code: str, title: str, explanation: str, changes: list[revenue.Change],
             line: EntryLine | None, evidence: list[Evidence], arithmetic: list[str], confidence: float) -> Result:
    rule = BY_CODE[code]
    rev = revenue.compute(ctx.revenue, changes)
    value = q2(sum((c.value_delta for c in changes), ZERO))
    f = Finding(code=code, severity=rule.severity, entry_number=ctx.entry.entry_number, title=title,
                explanation=explanation, legal_basis=rule.legal_basis,
                line_no=line.line_no if line is not None else None, value_delta=value,
                duty_delta=rev.duty_delta, fees_delta=rev.fees_delta, loss_of_revenue=rev.loss_of_revenue,
                confidence=confidence, evidence=evidence, arithmetic=arithmetic + list(rev.arithmetic),
                rate_unknown=rev.rate_unknown)
    return Result(f, changes)


def entered_evidence(ctx: Context) -> list[Evidence]:
    h = ctx.entry.header
    out = ctx.evidence(h.prov("total_entered_value"))
    if not out:
        out = ctx.evidence(*(ln.prov for ln in ctx.entry.lines[:2]))
    if not out:
        path = next((p for p in ctx.entry.documents if p in ctx.linked.by_path
                     and ctx.linked.by_path[p].doc_type == "entry_summary"), None)
        if path:
            out = [Evidence(path, 1, f"total entered value {h.get('total_entered_value')}")]
    return out


def cite(ctx: Context, doc: Document, items: list[tuple[str, str]]) -> list[Evidence]:
    """Evidence for the named fields of a document, each with readable text; the document once (with all the
    texts) when none of them carries provenance."""
    out: list[Evidence] = []
    for name, text in items:
        if doc.fields.prov(name) is not None:
            out += [e for e in ctx.cite(doc, name, text=text) if e not in out]
    if not out:
        texts: list[str] = []
        for _, t in items:
            if t and not any(t in x for x in texts):
                texts.append(t)
        out = ctx.cite(doc, *(n for n, _ in items), text="; ".join(texts))
    return out


def charge_evidence(ctx: Context, doc: Document, charges: list[Charge], said) -> list[Evidence]:
    """Each charge cited on its own row (``said(charge)`` its text); none when a charge's row is not known, for
    the caller to cite the charges field as a whole."""
    parts = [doc.fields.part("charges", c.index) for c in charges]
    if not charges or any(p is None or not p.bbox for p in parts):
        return []
    out: list[Evidence] = []
    for c, p in zip(charges, parts):
        out += [e for e in ctx.evidence(p, text=said(c)) if e not in out]
    return out


def invoice_evidence(ctx: Context, ip: InvoicePrice, *what: str) -> list[Evidence]:
    d, cur = ip.doc, ip.currency or ""
    items = [("total", f"invoice {ip.number}: total {cur} {money(ip.total)}")]
    if "seller" in what and isinstance(d.get("seller"), Party):
        s = d.get("seller")
        items.append(("seller", f"seller {s.name}" + (f" ({s.country})" if s.country else "")))
    each: list[Evidence] = []
    if "charges" in what and (ip.excluded or ip.informational):
        shown = ip.excluded + ip.informational
        each = charge_evidence(ctx, d, shown, lambda c: f"charge: {c.description or c.kind} {money(c.amount)}")
        if not each:
            items.append(("charges", "charges: " + "; ".join(f"{c.description or c.kind} {money(c.amount)}"
                                                            for c in shown)))
    if "incoterm" in what and d.get("incoterm"):
        items.append(("incoterm", f"terms {d.get('incoterm')} {d.get('incoterm_place') or ''}".strip()))
    out = cite(ctx, d, items)
    return out + [e for e in each if e not in out]


def payment_evidence(ctx: Context, doc: Document) -> list[Evidence]:
    text = (f"payment {doc.get('reference') or ''} {doc.get('currency') or ''} {doc.get('amount')}".replace("  ", " ")
            + (f": {doc.get('purpose')}" if doc.get("purpose") else ""))
    return cite(ctx, doc, [("amount", text), ("purpose", str(doc.get("purpose") or ""))])


def _evidence(ctx: Context, invoices: list[InvoicePrice], payments: list[Document], *what: str) -> list[Evidence]:
    out: list[Evidence] = []
    for ip in invoices:
        out += [e for e in invoice_evidence(ctx, ip, *what) if e not in out]
    for d in payments:
        out += [e for e in payment_evidence(ctx, d) if e not in out]
    out += [e for e in entered_evidence(ctx) if e not in out]
    return out


def undervaluation(ctx: Context) -> list[Result]:
    pic = picture(ctx)
    if pic is None:
        return []
    # the invoice shortfall is this rule's unless a first-sale or a deduction story explains it
    measured = pic.last
    invoice_part = pic.shortfall
    if pic.first_sale_claimed:
        from . import first_sale  # the first-sale rule judges the middleman's mark-up

        if first_sale.assess(ctx, pic).supported:  # then the first-sale price is the price to measure
            measured, invoice_part = pic.first, max(ZERO, pic.first_price_usd - pic.entered)
        else:
            invoice_part = ZERO
    elif invoice_part >= pic.tol and _deduction_story(pic) is not None:
        invoice_part = ZERO
    elif invoice_part > 0 and pic.unidentified_usd:
        invoice_part = max(ZERO, pic.certain_shortfall)
    if 0 <= invoice_part < pic.tol:
        invoice_part = ZERO  # the 7501's whole-dollar rounding
    value = invoice_part + pic.extra_paid
    if value < pic.tol:
        return []
    # the invoice shortfall and money paid beyond the invoice are different money (a deduction finding on the
    # same entry claims the former)
    key = f"{'price' if invoice_part > 0 else 'paid'}:{ctx.entry.entry_number}"
    changes, line, spread = distribute(ctx, measured, value, key=key)
    steps = sum((i.steps() for i in measured), [])
    parts = []
    base = sum((i.usd(i.price) for i in measured), ZERO)
    if invoice_part > 0 and measured is pic.last and pic.unidentified_usd:
        steps.append(f"price shown USD {money(base)} − unidentified charges USD {money(pic.unidentified_usd)} − "
                     f"entered value USD {money(pic.entered)} = {money(invoice_part)}")
        parts.append(f"charges of USD {money(pic.unidentified_usd)} on the invoice are not itemised and are left "
                     "out of this finding until their kind is known")
    elif invoice_part > 0:
        steps.append(f"price shown USD {money(base)} − entered value USD {money(pic.entered)} = {money(invoice_part)}")
        parts.append(f"the {'first-sale ' if measured is pic.first else ''}invoice price of the goods is USD "
                     f"{money(base)} while the entered value is USD {money(pic.entered)}")
    if pic.payments and not pic.extra_paid:
        parts.append(f"the payment records show USD {money(pic.paid_usd)} paid for the goods, which confirms the "
                     "invoiced price")
    if pic.extra_paid:
        paid = "; ".join(f"{p.doc.get('reference') or p.doc.path} USD {money(p.amount_usd)}"
                         + (f" ({p.purpose})" if p.purpose else "") for p in pic.payments)
        steps.append(f"paid to the seller for the goods: {paid}; total USD {money(pic.paid_usd)}")
        steps.append(f"paid USD {money(pic.paid_usd)} − invoiced USD {money(pic.total_usd)} = "
                     f"{money(pic.extra_paid)} more than invoiced")
        if invoice_part < 0:
            steps.append(f"less what the entered value carries above the invoice price: {money(-invoice_part)}")
        parts.append(f"the importer paid the seller USD {money(pic.paid_usd)}, USD {money(pic.extra_paid)} more "
                     "than invoiced; a payment for the goods beyond the invoice is part of the price actually paid "
                     "(19 U.S.C. 1401a(b)(4)(A))")
    steps.append(f"value not declared: USD {money(value)}" + (f" ({spread})" if spread else ""))
    if pic.additions_usd:
        parts.append(f"statutory additions on the invoice (USD {money(pic.additions_usd)}) are left to their own "
                     "findings")
    explanation = ("The documents show a price actually paid or payable above the value declared: "
                   + "; ".join(parts) + ". "
                   + ("No freight, insurance or other charge the law lets the importer leave out accounts for the "
                      "difference. " if invoice_part > 0 else "")
                   + f"The entered value is short by USD {money(value)} (19 U.S.C. 1401a(b)(1), (b)(4)).")
    evidence = _evidence(ctx, measured, [p.doc for p in pic.payments])
    confidence = 0.9 if pic.payments else 0.8
    return [_finding(ctx, "UNDERVALUATION", f"Entered value USD {money(value)} below the price actually paid",
                     explanation, changes, line, evidence, steps, confidence)]


def _terms(pic: Picture) -> list[str]:
    return sorted({str(i.doc.get("incoterm")).upper() for i in pic.last if i.doc.get("incoterm")})


def _deduction_story(pic: Picture) -> tuple[str, list[Document]] | None:
    """Why the shortfall reads as a deduction of freight or insurance (and the documents that show the amount
    deducted), or None."""
    if pic.freight_in_price:
        charged = [(i, c) for i in pic.last for c in i.excluded]
        if charged:
            return ("the invoice price includes " + ", ".join(f"{c.description or c.kind} of {i.currency} "
                                                              f"{money(c.amount)}" for i, c in charged), [])
        return f"the invoice price ({'/'.join(_terms(pic))}) includes international freight and insurance", []
    for d, usd, what in pic.freight_elsewhere:
        if abs(usd - pic.shortfall) <= pic.tol:
            return f"the shortfall equals the {what} of USD {money(usd)} on {d.path}", [d]
    for i in pic.last:
        for c in i.informational:
            if c.kind in ("freight", "insurance") and abs(i.usd(c.amount) - pic.shortfall) <= pic.tol:
                return (f"the shortfall equals the {c.description or c.kind} of {i.currency} {money(c.amount)} "
                        f"shown on invoice {i.number} outside its total", [])
    return None


def deductions(ctx: Context) -> list[Result]:
    pic = picture(ctx)
    if pic is None or pic.first_sale_claimed or pic.shortfall < pic.tol:
        return []
    found = _deduction_story(pic)
    if found is None:
        return []
    story, shown_by = found
    # charges the invoice does not itemise may be the freight deducted: only the deduction beyond them is
    # certainly unsupported
    unsupported, tev = pic.certain_shortfall, pic.entered
    if unsupported < pic.tol:
        return []
    total = pic.total_usd - pic.additions_usd
    deducted = total - tev
    supported = sum((i.usd(i.excluded_total) for i in pic.last), ZERO) + pic.unidentified_usd
    steps = sum((i.steps() for i in pic.last), [])
    steps.append(f"taken off the invoice total: USD {money(total)} − entered USD {money(tev)} = {money(deducted)}"
                 + (" (statutory additions on the invoice left to their own rules)" if pic.additions_usd else ""))
    steps.append(f"deductions the documents support: USD {money(supported)}"
                 + (f" (including USD {money(pic.unidentified_usd)} of charges not itemised, given the benefit of "
                    "the doubt)" if pic.unidentified_usd else "")
                 + ("" if supported else " (no freight or insurance in the invoice price)"))
    steps.append(f"unsupported: {money(deducted)} − {money(supported)} = {money(unsupported)}")
    changes, line, spread = distribute(ctx, pic.last, unsupported, key=f"price:{ctx.entry.entry_number}")
    if spread:
        steps.append(spread)
    terms = _terms(pic)
    f_group = bool(terms) and all(t in FREIGHT_NOT_IN_PRICE for t in terms)
    if supported:
        why = (f"the documents show USD {money(supported)} of such charges, but USD {money(deducted)} was taken off "
               "the invoice total")
    elif f_group:
        why = (f"the invoice is {'/'.join(terms)}: international freight is not in that price, so there is nothing "
               f"to deduct from it, yet the entered value is USD {money(deducted)} below it")
    else:
        why = ("neither the invoice nor a bill of lading shows what the freight or insurance cost, yet USD "
               f"{money(deducted)} was taken off the invoice total")
    explanation = (f"The entered value, USD {money(tev)}, is the invoice price less a deduction: {story}. Only "
                   "international freight, insurance, costs after importation and U.S. duties and taxes may be left "
                   "out of transaction value, and only as far as the documents identify them (19 U.S.C. 1401a(b)(3), "
                   f"(b)(4)); {why}. The unsupported USD {money(unsupported)} belongs in the entered value.")
    evidence = _evidence(ctx, pic.last, shown_by, "charges", "incoterm")
    return [_finding(ctx, "DEDUCTION_UNSUPPORTED", f"Deduction of USD {money(unsupported)} not supported by the "
                     "documents", explanation, changes, line, evidence, steps, 0.85 if supported or f_group else 0.8)]
