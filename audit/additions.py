"""Statutory additions to the price actually paid or payable, 19 U.S.C. 1401a(b)(1), other than assists:

- (A) PACKING_UNDECLARED: packing costs incurred by the buyer: a packing charge the invoice adds to the price of
  the goods, or a payment the importer made for packing the goods;
- (B) SELLING_COMMISSION_UNDECLARED: a commission the buyer incurs to the seller's agent (a buying commission,
  paid to the buyer's own agent, is not dutiable and is never reported);
- (D) ROYALTY_UNDECLARED: a royalty or licence fee related to the goods and paid as a condition of their sale,
  answered with the three questions of the 1993 royalty notice (were the goods made under the licensed right;
  is the payment involved in their production or sale; could the buyer buy them without paying it);
- (E) PROCEEDS_UNDECLARED: proceeds of a resale, disposal or use of the goods that accrue to the seller.

The amount is what the documents show for this entry's goods: a charge on its invoice, else the payments that
name its invoice (or that concern only its goods), converted at the entry's rate; else, where the agreement
states a rate on the price of the goods, that rate × the price. All the additions the documents show for an
entry are weighed together against what the entered value carries beyond the price of the goods (7501 values
are whole dollars: a difference within the rounding is no finding), so an entered value that includes one of
them is not read as including another.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from ..extract.normalize import id_key
from ..models.records import Document, Evidence, Finding, LineItem, Party, q2
from . import revenue, valuation
from .context import Context, Result
from .link import (DESCRIPTION_MATCH, NAME_MATCH, agreement_parts, agreement_term, goods_date, iso_date, mentions,
                   named_invoices, parties_of, products_match, same_party)
from .rules import BY_CODE

ZERO = Decimal("0.00")
ROYALTY, PACKING, COMMISSION, PROCEEDS = ("ROYALTY_UNDECLARED", "PACKING_UNDECLARED", "SELLING_COMMISSION_UNDECLARED",
                                          "PROCEEDS_UNDECLARED")

_LABEL = {ROYALTY: "royalty", PACKING: "packing", COMMISSION: "commission", PROCEEDS: "proceeds"}
# what a payment says it is for, read in extraction (extract/facts.py): a topic names the facts that say it
_TOPICS = {
    "royalty": lambda d: bool(d.facts_of("royalty_payment")),
    "commission": lambda d: bool(d.facts_of("commission_type")),
    "selling": lambda d: any(f.value == "selling" for f in d.facts_of("commission_type")),
    "buying": lambda d: any(f.value == "buying" for f in d.facts_of("commission_type")),
    "proceeds": lambda d: any(f.value is True for f in d.facts_of("proceeds_to_seller")),
    "packing": lambda d: bool(d.facts_of("packing_by_buyer")),
}


def _says(doc: Document, topic: str | None) -> bool:
    return topic is not None and _TOPICS[topic](doc)


def _base(ag: Document) -> str | None:
    """What an agreement's royalty is computed on (price | resale | per_unit), as read from its terms."""
    return next((str(f.value) for f in ag.facts_of("royalty_base")), None)


# --- what the documents show -----------------------------------------------------------------------------

@dataclass
class Amount:
    """One sum of money the documents show as a possible addition to the price of an entry's goods."""

    code: str
    usd: Decimal
    key: str  # names the money: two findings touching it count it once
    steps: list[str]  # how the amount was found
    evidence: list[Evidence]
    title: str  # "Royalty of USD {value} to X"
    story: str  # what the documents show, in plain words
    confidence: float
    goods: list[tuple[Document, LineItem]] = field(default_factory=list)  # invoice lines it belongs to


@dataclass
class Additions:
    pic: object | None  # valuation.Picture
    amounts: list[Amount]
    undeclared: dict[str, Decimal]  # amount key -> the part the entered value does not carry
    how: str  # how the entered value was weighed
    ambiguous: bool = False


# values of the wrong kind (a text where an amount belongs, a rate that is no number): what reading a document's
# values may raise, as distinct from a defect of the rule, which the audit reports as the rule's failure
_UNREADABLE = (TypeError, ValueError, ArithmeticError, KeyError)


def _picture(ctx: Context):
    try:
        return valuation.picture(ctx)
    except _UNREADABLE:  # a price of the wrong kind: nothing to weigh the entered value against
        return None


def _importer(ctx: Context) -> Party | None:
    imp = ctx.entry.header.get("importer")
    return imp if isinstance(imp, Party) and imp.name else None


def _buyers(ctx: Context) -> list:
    out = [_importer(ctx)] + [i.get("buyer") for i in ctx.documents("commercial_invoice")]
    return [p for p in out if p is not None]


def _sellers(ctx: Context) -> list[Party]:
    return [i.get("seller") for i in ctx.documents("commercial_invoice") if isinstance(i.get("seller"), Party)]


def _is(a, b) -> bool:
    return same_party(a, b) >= NAME_MATCH


def _on(p, side) -> bool:
    return p is not None and any(_is(p, x) for x in side)


def _related_to(p, sellers: list[Party]) -> bool:
    """The party is a seller, or shares a seller's distinctive name (an affiliate)."""
    if _on(p, sellers):
        return True
    from .related_party import common_name

    return isinstance(p, Party) and any(common_name(p, s) for s in sellers)


def _roles(ag: Document, p: Party) -> set[str]:
    """The role classes the agreement gives a party (licensor, licensee, agent, principal, buyer)."""
    return {f.value.get("role") for f in ag.facts_of("party_role")
            if isinstance(f.value, dict) and f.value.get("name") == p.name and p.role}


def _role(ag: Document, parties: list[Party], role: str) -> Party | None:
    return next((p for p in parties if role in _roles(ag, p)), None)


def _numbers(ctx: Context) -> set[str]:
    out = {id_key(str(i.get("invoice_number"))) for i in ctx.documents("commercial_invoice") if i.get("invoice_number")}
    out |= {id_key(str(x)) for x in (ctx.entry.header.get("invoice_numbers") or []) if x}
    return {x for x in out if x}


def _money(cur: str | None, x: Decimal) -> str:
    return f"{cur or 'USD'} {valuation.money(x)}"


def _pct(r: Decimal) -> str:
    return f"{r.normalize():f} %"


def _agreement_evidence(ctx: Context, ag: Document) -> list[Evidence]:
    """The agreement's terms, each with readable text (the document once when none carries provenance)."""
    kind = str(ag.get("agreement_type") or "agreement").replace("_", " ")
    parties = "; ".join(f"{p.name}" + (f" ({p.role})" if p.role else "") for p in parties_of(ag))
    items = [("agreement_type", f"{kind} agreement"), ("parties", f"parties: {parties}" if parties else "")]
    rate = ag.get("rate_percent")
    if isinstance(rate, Decimal):
        items.append(("rate_percent", f"rate {_pct(rate)}" + (f" of {ag.get('royalty_base')}"
                                                             if ag.get("royalty_base") else "")))
    if ag.get("effective_date"):
        items.append(("effective_date", f"effective {ag.get('effective_date')}"))
    if ag.get("condition_of_sale") is not None:
        answer = "yes" if ag.get("condition_of_sale") else "no"
        clause = ag.fields.prov("condition_of_sale")  # the clause's sentence, quoted where it was read
        said = (f"payment a condition of sale ({answer}): {clause.text}" if clause is not None and clause.text
                else f"payment a condition of sale: {answer}")
        items.append(("condition_of_sale", said))
    if ag.get("products"):
        items.append(("products", f"products: {ag.get('products')}"))
    return valuation.cite(ctx, ag, [(n, t) for n, t in items if t])


@dataclass
class Paid:
    doc: Document
    usd: Decimal | None  # None: in a currency the entry gives no rate for
    named: bool  # names one of this entry's invoices
    currency: str = "USD"
    rate: Decimal | None = None
    note: str = ""
    share: str = ""  # how this entry's part of a payment for several entries' goods was found


def _entry_goods_usd(ctx: Context, e) -> Decimal | None:
    """The invoice totals of an entry in USD at its own declared rate (None where one cannot be read)."""
    invs = ctx.linked.documents(e, "commercial_invoice")
    if not invs:
        return None
    total = ZERO
    for inv in invs:
        amount, cur = inv.get("total"), inv.get("currency") or e.header.get("currency")
        if not isinstance(amount, Decimal) or not isinstance(cur, str):
            return None
        if cur == "USD":
            rate = Decimal(1)
        elif cur == e.header.get("currency") and isinstance(e.header.get("exchange_rate"), Decimal):
            rate = e.header.get("exchange_rate")
        else:
            rate = ctx.rates.get(cur)
        if not isinstance(rate, Decimal):
            return None
        total += amount * rate
    return total


def _share(ctx: Context, doc: Document) -> tuple[Decimal, str] | None:
    """This entry's part of a payment that names the invoices of several entries: in proportion to their
    invoice totals (None where one of them cannot be read)."""
    entries = ctx.linked.entries_of(doc.path)
    if len(entries) < 2:
        return Decimal(1), ""
    values = {e.entry_number: _entry_goods_usd(ctx, e) for e in entries}
    if any(v is None for v in values.values()) or ctx.entry.entry_number not in values:
        return None
    whole = sum(values.values(), ZERO)
    if whole <= 0:
        return None
    mine = values[ctx.entry.entry_number]
    return mine / whole, (f"; it pays for the goods of entries {', '.join(sorted(values))}: this entry's part "
                          f"USD {valuation.money(mine)} / USD {valuation.money(whole)} of their invoices")


def _payment_currency(ctx: Context, doc: Document) -> tuple[str | None, str]:
    cur = doc.get("currency")
    if isinstance(cur, str) and cur:
        return cur, ""
    invs = {i.get("currency") for i in ctx.documents("commercial_invoice")}
    if invs == {"USD"}:
        return "USD", " (currency not shown; the invoices are in USD)"
    return None, ""


def _payments(ctx: Context, used: set[str], payee_ok, words: str | None,
              not_words: str | None = None, after: str | None = None,
              unconverted: list[Paid] | None = None) -> list[Paid]:
    """The importer's payments to a payee ``payee_ok`` accepts, for this entry's goods: each names one of its
    invoices, or names none and concerns only this entry (linked to no other). Payments naming another
    shipment's invoice or made before ``after`` (an agreement's start) are left out; those in a currency the
    entry gives no rate for go to ``unconverted`` (never converted silently at 1)."""
    buyers = _buyers(ctx)
    numbers = _numbers(ctx)
    start = iso_date(after)
    out = []
    for doc in ctx.documents("payment_record"):
        if doc.path in used:
            continue
        payer, payee = doc.get("payer"), doc.get("payee")
        if payer is not None and buyers and not _on(payer, buyers):
            continue  # not the buyer's money
        if payee is None or not payee_ok(payee):
            continue
        if words is not None and not _says(doc, words):
            continue
        if not_words is not None and _says(doc, not_words):
            continue
        named = mentions(doc, numbers)
        if not named and (named_invoices(doc) - numbers or ctx.linked.entries_of(doc.path) != [ctx.entry]):
            continue  # another shipment's, or money over several entries that this one cannot claim alone
        paid_on = iso_date(doc.get("payment_date"))
        if start is not None and paid_on is not None and paid_on < start:
            continue  # before the agreement it would be paid under
        amount = doc.get("amount")
        if not isinstance(amount, Decimal) or amount <= 0:
            continue
        cur, note = _payment_currency(ctx, doc)
        rate = ctx.exchange_rate(cur) if cur else None
        if not isinstance(rate, Decimal):
            if unconverted is not None:
                unconverted.append(Paid(doc, None, named, cur or "?", None, note))
            continue
        part, how = (Decimal(1), "") if not named else (_share(ctx, doc) or (None, ""))
        if part is None:
            continue  # several entries' money in a split this entry cannot tell
        out.append(Paid(doc, q2(amount * rate * part), named, cur, rate, note, how))
    return out


def _paid_steps(paid: list[Paid]) -> list[str]:
    out = []
    for p in paid:
        whole = q2(p.doc.get("amount") * p.rate) if p.rate is not None else p.usd
        conv = f" × {p.rate} (the entry's exchange rate) = USD {valuation.money(whole)}" if p.currency != "USD" else ""
        out.append(f"paid per {p.doc.get('reference') or p.doc.path} ({p.doc.get('payment_date') or 'date not shown'}"
                   f"{', ' + str(p.doc.get('purpose')) if p.doc.get('purpose') else ''}): "
                   f"{_money(p.currency, p.doc.get('amount'))}{conv}{p.note}")
        if p.share:
            out.append(f"this entry's part{p.share}: USD {valuation.money(p.usd)}")
    if len(paid) > 1:
        out.append(f"together USD {valuation.money(sum((p.usd for p in paid), ZERO))}")
    return out


def _paid_evidence(ctx: Context, paid: list[Paid]) -> list[Evidence]:
    out: list[Evidence] = []
    for p in paid:
        out += [e for e in valuation.payment_evidence(ctx, p.doc) if e not in out]
    return out


def _folder_payments(ctx: Context) -> dict[str | None, list[tuple[Document, frozenset[str]]]]:
    """Every payment record of the folder, by payee name, with the entries it is linked to (built once)."""
    memo = getattr(ctx.linked, "memo", None)
    if isinstance(memo, dict) and "additions:payments" in memo:
        return memo["additions:payments"]
    out: dict[str | None, list[tuple[Document, frozenset[str]]]] = {}
    for d in ctx.linked.by_path.values():
        if d.doc_type == "payment_record":
            to = d.get("payee")
            name = to.name if isinstance(to, Party) else (str(to) if to else None)
            if not _letters(name or ""):
                name = None  # no name read
            out.setdefault(name, []).append(
                (d, frozenset(e.entry_number for e in ctx.linked.entries_of(d.path))))
    if isinstance(memo, dict):
        memo["additions:payments"] = out
    return out


def _letters(name: str) -> bool:
    """Two letters in a row: a name was read."""
    return any(a.isalpha() and b.isalpha() for a, b in zip(name, name[1:]))


def _paid_elsewhere(ctx: Context, payee, words: str) -> bool:
    """Whether the folder holds the importer's payments to ``payee`` (or, payee not read, payments that say
    ``words``) and none of them concerns this entry: the fee is paid shipment by shipment or period by period,
    and nothing shows it paid or payable for these goods."""
    buyers = _buyers(ctx)
    for name, group in _folder_payments(ctx).items():
        if name is None:
            hit = [(d, es) for d, es in group if _says(d, words)]
        elif payee is not None and _is(name, payee):
            hit = group
        else:
            continue
        for doc, entries in hit:
            if ctx.entry.entry_number in entries:
                continue
            if doc.get("payer") is None or not buyers or _on(doc.get("payer"), buyers):
                return True
    return False


def _shared(ctx: Context, payee, words: str | None) -> list[Document]:
    """The importer's payments to ``payee`` linked to this entry and to others (a period's fee)."""
    out = []
    for doc in ctx.documents("payment_record"):
        if len(ctx.linked.entries_of(doc.path)) < 2:
            continue
        to = doc.get("payee")
        if (to is not None and payee is not None and _is(to, payee)) or \
                (words is not None and _says(doc, words)):
            out.append(doc)
    return out


# --- the goods an agreement covers ---------------------------------------------------------------------

def _invoice_lines(ctx: Context) -> list[tuple[Document, LineItem]]:
    return [(inv, li) for inv in ctx.documents("commercial_invoice") for li in inv.line_items]


def _covered(ctx: Context, agreement: Document) -> tuple[list[tuple[Document, LineItem]], str]:
    """The invoice lines of the entry that are the agreement's products, and how that was read:
    "parts" (part numbers), "descriptions", "unstated" (the agreement does not say) or "" (other goods)."""
    lines = _invoice_lines(ctx)
    parts = agreement_parts(agreement)
    if parts and any(li.get("part_number") for _, li in lines):
        hit = [(d, li) for d, li in lines if li.get("part_number") and id_key(str(li.get("part_number"))) in parts]
        return (hit, "parts") if hit else ([], "")  # other part numbers are other goods
    products = str(agreement.get("products") or "")
    if not products.strip() and not parts:
        return lines, "unstated"
    hit = [(d, li) for d, li in lines if li.get("description")
           and products_match(products, [str(li.get("description"))]) >= DESCRIPTION_MATCH]
    if hit:
        return hit, "descriptions"
    entry_desc = [str(ln.get("description")) for ln in ctx.entry.lines if ln.get("description")]
    if products_match(products, entry_desc) >= DESCRIPTION_MATCH and not any(li.get("part_number") for _, li in lines):
        return lines, "descriptions"
    return [], ""


def _goods_value(ctx: Context, pic, goods: list[tuple[Document, LineItem]]) -> tuple[Decimal, str] | None:
    """The price (USD) of the given invoice lines: the price of the goods when they are all of them, else
    that price in the proportion of the lines' amounts."""
    if pic is None or pic.price_usd <= 0:
        return None
    everything = _invoice_lines(ctx)
    if not goods and everything:
        return None
    if len(goods) == len(everything):  # all of them (or the invoice's lines were not read)
        return pic.price_usd, "the price of the goods"
    amounts = [li.get("amount") for _, li in everything]
    if not all(isinstance(a, Decimal) for a in amounts) or not sum(amounts, ZERO):
        return None
    part = sum((li.get("amount") for _, li in goods), ZERO)
    share = pic.price_usd * part / sum(amounts, ZERO)
    names = ", ".join(str(li.get("part_number") or li.get("description")) for _, li in goods)
    return share, f"the price of the licensed goods ({names}; their share of the invoice lines)"


# --- reading each kind of money ----------------------------------------------------------------------------

def _invoice_charges(ctx: Context, pic, kinds: set[str], code: str, used: set[str]) -> list[Amount]:
    """Charges of ``kinds`` an invoice adds to the price of the goods, within its total."""
    out = []
    if pic is None:
        return out
    for ip in pic.last:
        charges = [c for c in ip.additions if c.kind in kinds]
        if not charges:
            continue
        amount_cur = sum((c.amount for c in charges), ZERO)
        usd = q2(ip.usd(amount_cur))
        if usd <= 0:
            continue
        what = ", ".join(c.description or c.kind.replace("_", " ") for c in charges)
        step = f"{what} charged on invoice {ip.number}: {_money(ip.currency, amount_cur)}"
        if ip.currency not in (None, "USD"):
            step += f" × {ip.rate} (the entry's exchange rate) = USD {valuation.money(usd)}"

        def said(c, ip=ip) -> str:
            return f"invoice {ip.number}: {c.description or c.kind.replace('_', ' ')} {_money(ip.currency, c.amount)}"

        each = valuation.charge_evidence(ctx, ip.doc, charges, said)
        evidence = valuation.cite(ctx, ip.doc, ([] if each else [
            ("charges", f"invoice {ip.number}: {what} {_money(ip.currency, amount_cur)}")]) + [
            ("total", f"invoice {ip.number}: total {_money(ip.currency, ip.total)}")])
        evidence = each + [e for e in evidence if e not in each]
        out.append(Amount(code, usd, f"{_LABEL[code]}:{ip.doc.path}", [step], evidence, "",
                          f"Invoice {ip.number} charges the buyer {_money(ip.currency, amount_cur)} for {what}, in "
                          f"its total beside the price of the goods", 0.9,
                          [(ip.doc, li) for li in ip.doc.line_items]))
    return out


def _in_price(pic, kinds: set[str]) -> bool:
    """An invoice shows a charge of ``kinds`` as part of its price (listed, with a total equal to the goods)."""
    return pic is not None and any(c.kind in kinds and c.amount > 0 for ip in pic.last for c in ip.informational)


def _royalties(ctx: Context, pic, used: set[str]) -> list[Amount]:
    out = _invoice_charges(ctx, pic, {"royalty", "licence"}, ROYALTY, used)
    for a in out:
        a.title = "Royalty of USD {value} charged on the invoice not in the entered value"
        a.story += (". A royalty or licence fee the seller charges with the goods is paid as a condition of their "
                    "sale and is part of their transaction value (19 U.S.C. 1401a(b)(1)(D))")
    if out or _in_price(pic, {"royalty", "licence"}):
        return out  # the royalty travels with the price: the agreements' payments are this same money
    buyers, sellers = _buyers(ctx), _sellers(ctx)
    when = goods_date(ctx.entry, ctx.documents("commercial_invoice"))
    for ag in ctx.documents("agreement"):
        kind = str(ag.get("agreement_type") or "").lower()
        if kind not in ("royalty", "licence", "license"):
            continue
        parties = parties_of(ag)
        licensor = _role(ag, parties, "licensor")
        licensee = _role(ag, parties, "licensee")
        if licensor is None:  # two parties, one of them the buyer: the other grants the right
            others = [p for p in parties if not _on(p, buyers)]
            licensor = others[0] if len(others) == 1 and len(parties) == 2 else None
        if licensee is not None and buyers and not _on(licensee, buyers):
            continue  # the licence is someone else's (the seller's own licence is in its price)
        if licensee is None:  # roles not read: the importer, if it is a party, holds the licence
            licensee = next((p for p in parties if _on(p, buyers) and p is not licensor), None)
        if licensor is not None and _on(licensor, buyers):
            continue  # the importer licenses the right out: it receives the royalty
        start, end = agreement_term(ag)
        if when is not None and ((start is not None and when < start) or (end is not None and when > end)):
            continue  # not in force when the goods were bought
        goods, how = _covered(ctx, ag)
        if how == "":
            continue  # the licensed products are other goods
        to_seller = licensor is not None and _related_to(licensor, sellers)
        # payments to a licensor other than the seller are the royalty whatever they are called; money to the
        # seller (or to a licensor not named) must say it is a royalty
        words = "royalty" if licensor is None or to_seller else None
        unconverted: list[Paid] = []
        paid = _payments(ctx, used, (lambda p: _is(p, licensor)) if licensor is not None
                         else (lambda p: not _on(p, buyers)), words, after=ag.get("effective_date"),
                         unconverted=unconverted)
        if not (licensee is not None or paid or unconverted):
            continue  # nothing shows the buyer paying it
        named = any(p.named for p in paid + unconverted)
        if how == "unstated" and not named:
            continue  # (1) not shown: neither the products nor a payment for these goods
        condition = ag.get("condition_of_sale")
        if condition is False and not _on(licensor, sellers):
            continue  # (3) the buyer may buy the goods without paying it, and does not pay it to the seller
        if condition is None and not to_seller and not named:
            continue  # (3) not shown either way, and no payment tied to these goods
        rate = ag.get("rate_percent")
        base_text = str(ag.get("royalty_base") or "")
        if paid:
            amount, steps, conf = q2(sum((p.usd for p in paid), ZERO)), _paid_steps(paid), 0.9
        else:
            shared = _shared(ctx, licensor, "royalty")
            if not unconverted and not shared and _paid_elsewhere(ctx, licensor, "royalty"):
                continue  # the folder shows the royalty paid for other goods, and none for these
            if _base(ag) == "resale":
                continue  # a share of the importer's resale: its amount is not in the import documents
            gv = _goods_value(ctx, pic, goods)
            if gv is None:
                continue
            base, base_name = gv
            if unconverted:
                lead = ("paid per " + ", ".join(str(p.doc.get("reference") or p.doc.path) for p in unconverted)
                        + f" in {unconverted[0].currency}, for which the entry declares no exchange rate")
            elif shared:
                lead = ("paid per " + ", ".join(str(d.get("reference") or d.path) for d in shared)
                        + ", which covers other entries' goods too")
            else:
                lead = "no payment record for these goods"
            fixed = ag.get("fixed_amount")
            if isinstance(rate, Decimal) and rate > 0:
                amount = q2(base * rate / 100)
                steps = [f"{lead}: {_pct(rate)} × {base_name} USD {valuation.money(base)} = "
                         f"{valuation.money(amount)}"]
            elif isinstance(fixed, Decimal) and fixed > 0 and _base(ag) == "per_unit":
                qty = [li.get("quantity") for _, li in goods]
                cur = ag.get("currency") or ("USD" if {i.get("currency") for i in
                                                       ctx.documents("commercial_invoice")} == {"USD"} else None)
                fx = ctx.exchange_rate(cur) if cur else None
                if not qty or not all(isinstance(x, Decimal) for x in qty) or not isinstance(fx, Decimal):
                    continue
                units = sum(qty, ZERO)
                amount = q2(fixed * units * fx)
                steps = [f"{lead}: {_money(cur, fixed)} {base_text} × {units:,} units"
                         + (f" × {fx}" if fx != 1 else "") + f" = USD {valuation.money(amount)}"]
            else:
                continue  # a lump sum: nothing ties a part of it to these goods
            conf = 0.75
        if how == "descriptions":
            conf -= 0.1
        if how == "unstated":
            conf -= 0.15
        if condition is None:
            conf -= 0.2
        if licensor is None:
            conf -= 0.1
        name = licensor.name if licensor is not None else "the licensor"
        q1 = {"parts": "yes: they carry the licensed part numbers",
              "descriptions": "yes: their descriptions are the licensed products",
              "unstated": "the agreement does not list its products, but the payment is made for these goods"}[how]
        q2_ = ("yes: it is computed on " + (base_text or "the price of the goods") if base_text or rate else
               "yes: it is paid for these goods")
        if condition is True:
            q3 = "no: the agreement makes the payment a condition of sale"
        elif to_seller:
            q3 = f"no: it is paid to the seller {name}" + (" itself" if _on(licensor, sellers) else ", a related party")
        else:
            q3 = "the agreement does not say; the importer pays it for these goods"
        rate_words = (f"{_pct(rate)} of {base_text or 'the price of the goods'}" if isinstance(rate, Decimal)
                      else "a royalty")
        story = (f"Under its {kind} agreement ({ag.path}) the importer pays {name} {rate_words} on "
                 f"{ag.get('products') or 'the licensed products'}. The three questions: (1) were the imported goods "
                 f"made under the licensed right? {q1}; (2) is the payment involved in their production or sale? "
                 f"{q2_}; (3) could the importer buy them without paying it? {q3}. A royalty so related to the "
                 "goods and paid as a condition of their sale is part of their transaction value (19 U.S.C. "
                 "1401a(b)(1)(D))")
        evidence = _agreement_evidence(ctx, ag)
        evidence += [e for e in _paid_evidence(ctx, paid) if e not in evidence]
        used.update(p.doc.path for p in paid)
        out.append(Amount(ROYALTY, amount, f"royalty:{ag.path}", steps, evidence,
                          f"Royalty of USD {{value}} to {name} not in the entered value", story, conf, goods))
    return out


def _commissions(ctx: Context, pic, used: set[str]) -> list[Amount]:
    out = _invoice_charges(ctx, pic, {"selling_commission"}, COMMISSION, used)
    for a in out:
        a.title = "Selling commission of USD {value} charged on the invoice not in the entered value"
        a.story += (". A commission for the seller's agent that the buyer pays with the goods is an addition to "
                    "the price (19 U.S.C. 1401a(b)(1)(B))")
    if out or _in_price(pic, {"selling_commission"}):
        return out  # the seller's invoice carries the commission: the agent's payments are this same money
    buyers, sellers = _buyers(ctx), _sellers(ctx)
    when = goods_date(ctx.entry, ctx.documents("commercial_invoice"))
    for ag in ctx.documents("agreement"):
        if str(ag.get("agreement_type") or "").lower() != "selling_commission":
            continue  # a buying commission is not dutiable
        parties = parties_of(ag)
        agent = _role(ag, parties, "agent")
        principal = _role(ag, parties, "principal") or next(
            (p for p in parties if p is not agent and not _on(p, buyers) and "buyer" not in _roles(ag, p)),
            None)
        if agent is None or _on(agent, buyers):
            continue
        if principal is not None and _on(principal, buyers):
            continue  # the agent acts for the buyer: a buying commission whatever its title
        if principal is not None and sellers and not _related_to(principal, sellers):
            continue  # the agent of another seller
        start, end = agreement_term(ag)
        if when is not None and ((start is not None and when < start) or (end is not None and when > end)):
            continue
        goods, how = _covered(ctx, ag)
        if how == "":
            continue
        paid = _payments(ctx, used, lambda p: _is(p, agent), None, "buying", after=ag.get("effective_date"))
        if how == "unstated" and not any(p.named for p in paid):
            continue
        rate = ag.get("rate_percent")
        buyer_party = any(_on(p, buyers) for p in parties)  # the agreement binds the buyer to pay the agent
        if paid:
            amount, steps, conf = q2(sum((p.usd for p in paid), ZERO)), _paid_steps(paid), 0.9
        elif buyer_party and isinstance(rate, Decimal) and rate > 0 and \
                not _paid_elsewhere(ctx, agent, "commission"):
            gv = _goods_value(ctx, pic, goods)
            if gv is None:
                continue
            base, base_name = gv
            amount = q2(base * rate / 100)
            steps = [f"no payment record for these goods: {_pct(rate)} × {base_name} USD {valuation.money(base)} "
                     f"= {valuation.money(amount)}"]
            conf = 0.7
        else:
            continue  # the seller pays its own agent out of the price unless the buyer is shown paying
        if how == "descriptions":
            conf -= 0.1
        seller_name = principal.name if principal is not None else "the seller"
        story = (f"{agent.name} acts for {seller_name} under a selling-commission agreement ({ag.path})"
                 + (f" at {_pct(rate)}" if isinstance(rate, Decimal) else "")
                 + (f", and the importer paid it USD {valuation.money(amount)} for these goods" if paid else
                    ", to which the importer is a party bound to pay the commission")
                 + ". A commission the buyer incurs to the seller's agent is an addition to the price (19 U.S.C. "
                 "1401a(b)(1)(B)); unlike a commission to the buyer's own agent, it is dutiable")
        evidence = _agreement_evidence(ctx, ag)
        evidence += [e for e in _paid_evidence(ctx, paid) if e not in evidence]
        used.update(p.doc.path for p in paid)
        out.append(Amount(COMMISSION, amount, f"commission:{ag.path}", steps, evidence,
                          f"Selling commission of USD {{value}} to {agent.name} not in the entered value", story,
                          conf, goods))
    # a sales commission the importer paid for these goods without an agreement in the folder
    agents = [p for ag in ctx.documents("agreement") for p in parties_of(ag)]
    paid = _payments(ctx, used, lambda p: not _on(p, buyers) and not _on(p, agents), "selling", "buying")
    for p in paid:
        if not p.named:
            continue
        payee = p.doc.get("payee")
        name = payee.name if isinstance(payee, Party) and payee.name else "the payee"
        story = (f"The importer paid {name} USD {valuation.money(p.usd)} as a sales commission on these goods "
                 f"({p.doc.get('purpose')}). A commission to the seller's sales agent that the buyer pays is an "
                 "addition to the price (19 U.S.C. 1401a(b)(1)(B)); no agreement in the folder shows the agent "
                 "acting for the buyer")
        used.add(p.doc.path)
        out.append(Amount(COMMISSION, p.usd, f"commission:{p.doc.path}", _paid_steps([p]), _paid_evidence(ctx, [p]),
                          f"Selling commission of USD {{value}} to {name} not in the entered value", story, 0.7))
    return out


def _proceeds(ctx: Context, pic, used: set[str]) -> list[Amount]:
    buyers, sellers = _buyers(ctx), _sellers(ctx)
    if not sellers:
        return []
    # the seller's side of the agreements of the goods (e.g. a supplier's parent named as a party)
    deals = [a for a in ctx.documents("agreement")
             if _says(a, "proceeds") or
             str(a.get("agreement_type") or "").lower() == "distribution"]
    sides = list(sellers)
    for a in deals:
        parts = parties_of(a)
        if any(_related_to(p, sellers) for p in parts):
            sides += [p for p in parts if not _on(p, buyers)]
    paid = _payments(ctx, used, lambda p: _related_to(p, sides), "proceeds")
    if not paid:
        return []  # resale proceeds cannot be read from the import documents without a payment
    amount = q2(sum((p.usd for p in paid), ZERO))
    payee = paid[0].doc.get("payee")
    ag = next((a for a in deals if any(_is(payee, p) for p in parties_of(a))), None)
    start = iso_date(ag.get("effective_date")) if ag is not None else None
    conf = 0.85 if all(p.named for p in paid) else 0.7
    if ag is not None and start is not None:
        conf += 0.05
    rate = ag.get("rate_percent") if ag is not None else None
    name = payee.name if isinstance(payee, Party) and payee.name else sellers[0].name
    story = (f"The importer paid {name}, the seller, USD {valuation.money(amount)} as a share of what it made "
             "reselling these goods"
             + (f", as its {ag.get('agreement_type') or ''} agreement ({ag.path}) provides"
                + (f" ({_pct(rate)} of {ag.get('royalty_base') or 'the resale proceeds'})"
                   if isinstance(rate, Decimal) else "") if ag is not None else "")
             + ". Proceeds of a later resale, disposal or use of the goods that accrue to the seller are part of "
             "their transaction value (19 U.S.C. 1401a(b)(1)(E))")
    evidence = _paid_evidence(ctx, paid)
    if ag is not None:
        evidence += [e for e in _agreement_evidence(ctx, ag) if e not in evidence]
    used.update(p.doc.path for p in paid)
    key = "proceeds:" + ",".join(sorted(p.doc.path for p in paid))
    goods = [] if not all(p.named for p in paid) else _invoice_lines(ctx)
    return [Amount(PROCEEDS, amount, key, _paid_steps(paid), evidence,
                   f"Proceeds of resale of USD {{value}} paid to {name} not in the entered value", story,
                   min(conf, 0.9), goods)]


def _packing(ctx: Context, pic, used: set[str]) -> list[Amount]:
    out = _invoice_charges(ctx, pic, {"packing"}, PACKING, used)
    for a in out:
        a.title = "Packing of USD {value} not in the entered value"
        a.story += (". The cost of containers, coverings and the labour and materials of packing, incurred by the "
                    "buyer, is an addition to the price (19 U.S.C. 1401a(b)(1)(A))")
    on_invoice = {a.usd for a in out}
    if _in_price(pic, {"packing"}):
        return out  # the invoice's price includes the packing
    tol = pic.tol if pic is not None else Decimal(1)
    # a payment the price reading counts as paid for the goods, beyond the invoices, is reported as part of
    # the price (UNDERVALUATION): the same money is not reported twice
    counted = {p.doc.path for p in pic.payments} if pic is not None and pic.extra_paid >= tol else set()
    for p in _payments(ctx, used, lambda _p: True, "packing"):
        if p.doc.path in counted or any(abs(p.usd - x) <= tol for x in on_invoice):
            continue  # the price's own payment, or the invoice's packing charge settled
        payee = p.doc.get("payee")
        name = payee.name if isinstance(payee, Party) and payee.name else "a packer"
        story = (f"The importer paid {name} USD {valuation.money(p.usd)} for packing these goods "
                 f"({p.doc.get('purpose')}), apart from the price of the goods. Packing costs incurred by the buyer "
                 "are an addition to the price (19 U.S.C. 1401a(b)(1)(A))")
        used.add(p.doc.path)
        out.append(Amount(PACKING, p.usd, f"packing:{p.doc.path}", _paid_steps([p]), _paid_evidence(ctx, [p]),
                          f"Packing of USD {{value}} paid to {name} not in the entered value", story,
                          0.85 if p.named else 0.7, _invoice_lines(ctx) if p.named else []))
    return out


# --- weighing the entered value --------------------------------------------------------------------------

def _weigh(pic, amounts: list[Amount]) -> tuple[dict[str, Decimal], str, bool]:
    """How much of each amount the entered value does not carry.

    The entered value carries ``entered − price of the goods`` beyond the price. Nothing (within the 7501's
    whole-dollar rounding): every amount is undeclared in full. Exactly some of the amounts: those are
    declared, the others not. Anything else: each amount less what is carried (the reading most favourable to
    the importer), and the finding says the reading is uncertain."""
    if pic is None:
        return {}, "", False
    tol = pic.tol
    carried = pic.entered - pic.price_usd
    head = (f"entered value USD {valuation.money(pic.entered)} − price of the goods USD "
            f"{valuation.money(pic.price_usd)} = {valuation.money(carried)} carried beyond the price")
    if carried < tol:
        return {a.key: a.usd for a in amounts}, head + " (none, within the 7501's whole-dollar rounding)", False
    total = sum((a.usd for a in amounts), ZERO)
    if carried >= total - tol:
        return {a.key: ZERO for a in amounts}, head, False
    idx = range(len(amounts))
    if len(amounts) <= 12:
        fits = []
        for n in range(1, len(amounts) + 1):
            for combo in combinations(idx, n):
                if abs(sum((amounts[i].usd for i in combo), ZERO) - carried) <= tol:
                    fits.append(set(combo))
        if fits:
            # several readings: the one that leaves the least undeclared
            best = max(fits, key=lambda s: sum((amounts[i].usd for i in s), ZERO))
            names = ", ".join(_LABEL[amounts[i].code] for i in sorted(best))
            return ({a.key: (ZERO if i in best else a.usd) for i, a in enumerate(amounts)},
                    head + f" (= the {names} the documents show)", len(fits) > 1)
    return ({a.key: max(ZERO, q2(a.usd - carried)) for a in amounts},
            head + " (matches none of the additions the documents show: each is reduced by it)", True)


def _analyse(ctx: Context) -> Additions:
    cached = getattr(ctx, "_statutory_additions", None)
    if isinstance(cached, Additions):
        return cached
    pic = _picture(ctx)
    used: set[str] = set()
    amounts: list[Amount] = []
    for read in (_royalties, _commissions, _proceeds, _packing):
        try:
            amounts += read(ctx, pic, used)
        except _UNREADABLE:  # values of the wrong kind in one addition must not silence the others
            continue
    undeclared, how, ambiguous = _weigh(pic, amounts)
    result = Additions(pic, amounts, undeclared, how, ambiguous)
    setattr(ctx, "_statutory_additions", result)
    return result


# --- the entry lines the money belongs to ------------------------------------------------------------------

def _hts(h) -> str:
    return "".join(c for c in str(h or "") if c.isdigit() and c.isascii())[:10]


def _changes(ctx: Context, value: Decimal, goods: list[tuple[Document, LineItem]],
             key: str) -> tuple[list[revenue.Change], int | None, str]:
    """Spread ``value`` over the entry lines of the goods it belongs to (their HTS numbers, by the goods'
    amounts; lines of one HTS number by their entered values); the largest line when the goods do not map."""
    lines = ctx.entry.lines
    main = valuation.main_line(ctx)
    single = ([revenue.Change(main.line_no if main else None, value, revenue.line_rates(main), key)],
              main.line_no if main else None, "")
    weights: dict[str, Decimal] = {}
    for _, li in goods:
        h, amount = _hts(li.get("hts")), li.get("amount")
        if len(h) < 6 or not isinstance(amount, Decimal):
            return single
        weights[h] = weights.get(h, ZERO) + amount
    if not weights or not lines:
        return single
    share: dict[int, Decimal] = {}
    for h, w in weights.items():
        group = [ln for ln in lines if _hts(ln.get("hts")) == h] or \
            [ln for ln in lines if _hts(ln.get("hts"))[:6] == h[:6]]
        group = [ln for ln in group if ln.line_no is not None]
        if not group:
            return single
        values = [ln.get("entered_value") for ln in group]
        if not all(isinstance(v, Decimal) for v in values) or sum(values, ZERO) <= 0:
            values = [Decimal(1)] * len(group)
        for ln, v in zip(group, values):
            share[ln.line_no] = share.get(ln.line_no, ZERO) + w * v / sum(values, ZERO)
    if len(share) == 1:
        [n] = share
        line = ctx.line(n)
        return [revenue.Change(n, value, revenue.line_rates(line), key)], n, f"on line {n}, the line of these goods"
    whole = sum(share.values(), ZERO)
    changes, parts = [], []
    for n in sorted(share):
        part = q2(value * share[n] / whole)
        changes.append(revenue.Change(n, part, revenue.line_rates(ctx.line(n)), f"{key}#line{n}"))
    top = max(changes, key=lambda c: c.value_delta)
    top.value_delta += value - sum((c.value_delta for c in changes), ZERO)
    changes = [c for c in changes if c.value_delta]
    parts = [f"line {c.line_no} {valuation.money(c.value_delta)}" for c in changes]
    return changes, top.line_no, "spread over the lines of these goods by their value: " + ", ".join(parts)


# --- the findings ------------------------------------------------------------------------------------------

def _findings(ctx: Context, code: str) -> list[Result]:
    a = _analyse(ctx)
    if a.pic is None:
        return []  # without the price of the goods, what the entered value carries cannot be told
    rule = BY_CODE[code]
    out = []
    for amt in a.amounts:
        if amt.code != code:
            continue
        value = q2(a.undeclared.get(amt.key, ZERO))
        if value < a.pic.tol:
            continue  # the entered value carries it (to the dollar)
        try:
            changes, line_no, spread = _changes(ctx, value, amt.goods, amt.key)
            rev = revenue.compute(ctx.revenue, changes)
        except _UNREADABLE:  # the entry's declared figures (date, values, rates) are of the wrong kind
            main = valuation.main_line(ctx)
            changes, line_no, spread = [], (main.line_no if main is not None else None), ""
            rev = revenue.totals_only(value, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO,
                                  ["duty and fees: the entry's declared date, values or rates cannot be read; "
                                   "value delta only"], rate_unknown=True)
        steps = list(amt.steps) + [a.how]
        if value != amt.usd:
            steps.append(f"not carried: USD {valuation.money(value)}")
        if spread:
            steps.append(spread)
        entered, price = valuation.money(a.pic.entered), valuation.money(a.pic.price_usd)
        carried = a.pic.entered - a.pic.price_usd
        if carried < a.pic.tol:
            tail = (f"The entered value, USD {entered}, is the price of the goods (USD {price}) alone: it does not "
                    f"carry these USD {valuation.money(value)}.")
        elif value == amt.usd:
            tail = (f"The entered value, USD {entered}, carries USD {valuation.money(carried)} beyond the price of "
                    f"the goods (USD {price}): the other additions the documents show, not these "
                    f"USD {valuation.money(value)}.")
        else:
            tail = (f"The entered value, USD {entered}, exceeds the price of the goods (USD {price}) by "
                    f"USD {valuation.money(carried)}, which leaves USD {valuation.money(value)} of the "
                    f"USD {valuation.money(amt.usd)} not carried.")
        explanation = amt.story + ". " + tail
        if a.ambiguous:
            explanation += (" What the entered value carries beyond the price of the goods does not match the "
                            "additions the documents show one for one; the amount is the part it cannot carry.")
        evidence = list(amt.evidence)
        evidence += [e for e in valuation.entered_evidence(ctx) if e not in evidence]
        f = Finding(code=code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line_no,
                    title=amt.title.format(value=valuation.money(value)), explanation=explanation,
                    legal_basis=rule.legal_basis, value_delta=value, duty_delta=rev.duty_delta,
                    fees_delta=rev.fees_delta, loss_of_revenue=rev.loss_of_revenue,
                    confidence=round(max(0.3, amt.confidence - (0.15 if a.ambiguous else 0)), 2),
                    evidence=evidence, arithmetic=steps + list(rev.arithmetic), rate_unknown=rev.rate_unknown)
        out.append(Result(f, changes))
    return out


def royalty(ctx: Context) -> list[Result]:
    """(D) A royalty or licence fee related to the goods and paid as a condition of their sale."""
    return _findings(ctx, ROYALTY)


def packing(ctx: Context) -> list[Result]:
    """(A) Packing costs incurred by the buyer."""
    return _findings(ctx, PACKING)


def selling_commission(ctx: Context) -> list[Result]:
    """(B) A selling commission incurred by the buyer."""
    return _findings(ctx, COMMISSION)


def proceeds(ctx: Context) -> list[Result]:
    """(E) Proceeds of a resale, disposal or use of the goods that accrue to the seller."""
    return _findings(ctx, PROCEEDS)
