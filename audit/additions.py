"""Statutory additions to the price actually paid or payable, 19 U.S.C. 1401a(b)(1), other than assists:

- (A) PACKING_UNDECLARED: packing costs incurred by the buyer (a packing charge the invoice adds to the price);
- (B) SELLING_COMMISSION_UNDECLARED: a commission the buyer pays to the seller's agent (a buying commission,
  paid to the buyer's own agent, is not dutiable and is never reported);
- (D) ROYALTY_UNDECLARED: a royalty or licence fee related to the goods and paid as a condition of their sale,
  answered with the three questions of the 1993 royalty notice (were the goods made under the licensed right;
  is the payment involved in their production or sale; could the buyer buy them without paying it);
- (E) PROCEEDS_UNDECLARED: proceeds of a resale, disposal or use of the goods that accrue to the seller.

The amount is what the payment records show paid for this entry's goods, converted at the entry's rate; else the
agreement's rate × the price of the goods. Nothing is reported where the entered value already carries the
amount (to the dollar: 7501 values are whole dollars).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz

from ..extract.normalize import id_key
from ..models.records import Document, Finding, Party, q2
from . import revenue, valuation
from .context import Context, Result
from .link import NAME_MATCH, same_party
from .rules import BY_CODE

ZERO = Decimal("0.00")
_ROYALTY_WORDS = re.compile(r"royalt|licen[cs]e fee|licen[cs]e|regal[ií]a|lizenz", re.I)
_COMMISSION_WORDS = re.compile(r"commission|comisi[oó]n|provision", re.I)
_PROCEEDS_WORDS = re.compile(r"proceeds|resale|re-sale|share of (?:the )?(?:net )?(?:sales|revenue)|reventa", re.I)


@dataclass
class Paid:
    doc: Document
    usd: Decimal
    text: str


def _importer(ctx: Context) -> Party | None:
    imp = ctx.entry.header.get("importer")
    if isinstance(imp, Party):
        return imp
    for inv in ctx.documents("commercial_invoice"):
        if isinstance(inv.get("buyer"), Party):
            return inv.get("buyer")
    return None


def _is(a, b) -> bool:
    return same_party(a, b) >= NAME_MATCH


def _sellers(ctx: Context) -> list[Party]:
    return [inv.get("seller") for inv in ctx.documents("commercial_invoice") if isinstance(inv.get("seller"), Party)]


def _invoice_numbers(ctx: Context) -> set[str]:
    out = {id_key(str(i.get("invoice_number"))) for i in ctx.documents("commercial_invoice") if i.get("invoice_number")}
    out |= {id_key(str(x)) for x in (ctx.entry.header.get("invoice_numbers") or []) if x}
    return {x for x in out if x}


def _names_invoice(text: str, numbers: set[str]) -> bool:
    toks = {id_key(t) for t in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-/._]*", text or "")}
    return bool(toks & numbers)


def _other_invoice(text: str, numbers: set[str]) -> bool:
    """The text names an invoice, but none of this entry's."""
    m = re.search(r"invoice\s*(?:no\.?|#|n[°º])?\s*([A-Za-z0-9][A-Za-z0-9\-/._]*\d)", text or "", re.I)
    return bool(m) and id_key(m.group(1)) not in numbers


def _payments(ctx: Context, payee_ok, words: re.Pattern | None) -> list[Paid]:
    """Payments by the importer to a payee ``payee_ok`` accepts, for this entry's goods."""
    importer = _importer(ctx)
    numbers = _invoice_numbers(ctx)
    out = []
    for doc in ctx.documents("payment_record"):
        payer, payee = doc.get("payer"), doc.get("payee")
        if importer is not None and payer is not None and not _is(payer, importer):
            continue
        if payee is None or not payee_ok(payee):
            continue
        text = " ".join(str(doc.get(k) or "") for k in ("purpose", "reference")) + " " + " ".join(doc.note_texts)
        if words is not None and not words.search(text):
            continue
        if _other_invoice(text, numbers):
            continue  # for another shipment's goods
        amount, cur = doc.get("amount"), doc.get("currency") or "USD"
        rate = ctx.exchange_rate(cur)
        if not isinstance(amount, Decimal) or rate is None:
            continue
        out.append(Paid(doc, q2(amount * rate), text.strip()))
    return out


def _pays_per_shipment(ctx: Context, payee: Party) -> bool:
    """Whether the folder holds payments to ``payee`` that name the invoices they pay (of any entry)."""
    for doc in ctx.linked.by_path.values():
        if doc.doc_type == "payment_record" and _is(doc.get("payee"), payee) and \
                re.search(r"invoice", str(doc.get("purpose") or ""), re.I):
            return True
    return False


def _goods_related(ctx: Context, agreement: Document) -> float:
    """How well the agreement's products are the entry's goods (part numbers, descriptions), 0–1."""
    products = str(agreement.get("products") or "")
    if not products:
        return 0.5  # the agreement does not say: related only through its parties
    parts = {id_key(p) for p in re.findall(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+", products)}
    inv_parts = {id_key(str(li.get("part_number"))) for inv in ctx.documents("commercial_invoice")
                 for li in inv.line_items if li.get("part_number")}
    if parts and inv_parts and parts & inv_parts:
        return 1.0
    descs = [str(li.get("description")) for inv in ctx.documents("commercial_invoice") for li in inv.line_items
             if li.get("description")] + [str(ln.get("description")) for ln in ctx.entry.lines if ln.get("description")]
    best = max((fuzz.token_set_ratio(products.lower(), d.lower()) for d in descs), default=0)
    return best / 100


def _role(agreement: Document, *roles: str) -> Party | None:
    for p in agreement.get("parties") or []:
        if isinstance(p, Party) and (p.role or "").lower() in roles:
            return p
    return None


def _picture(ctx: Context):
    try:
        return valuation.picture(ctx)
    except Exception:  # the price is unreadable: the rules fall back to what the entry declares
        return None


def _room(ctx: Context, pic, amount: Decimal) -> Decimal:
    """How much of ``amount`` the entered value does not already carry (whole-dollar rounding forgiven)."""
    if pic is None:
        return amount
    carried = pic.entered - pic.price_usd
    if carried >= amount - Decimal(1):
        return ZERO
    return q2(amount - carried) if carried >= 1 else amount


def _finding(ctx: Context, code: str, value: Decimal, title: str, explanation: str, evidence, steps: list[str],
             key: str, confidence: float) -> Result:
    rule = BY_CODE[code]
    line = valuation.main_line(ctx)
    line_no = line.line_no if line is not None else None
    rates = revenue.line_rates(line) if line is not None else None
    change = revenue.Change(line_no=line_no, value_delta=value, rates=rates, key=key)
    rev = revenue.compute(ctx.revenue, [change])
    f = Finding(code=code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line_no,
                title=title, explanation=explanation, legal_basis=rule.legal_basis, value_delta=q2(value),
                duty_delta=rev.duty_delta, fees_delta=rev.fees_delta, loss_of_revenue=rev.loss_of_revenue,
                confidence=confidence, evidence=evidence, arithmetic=steps + list(rev.arithmetic),
                rate_unknown=rev.rate_unknown)
    return Result(f, [change])


def _rate_base(ctx: Context, agreement: Document, pic) -> tuple[Decimal, list[str]] | None:
    rate = agreement.get("rate_percent")
    if not isinstance(rate, Decimal) or pic is None or pic.price_usd <= 0:
        return None
    amount = q2(pic.price_usd * rate / 100)
    return amount, [f"no payment record for these goods: {rate.normalize():f} % × the price of the goods "
                    f"USD {valuation.money(pic.price_usd)} = {valuation.money(amount)}"]


def _paid_steps(paid: list[Paid]) -> list[str]:
    return [f"paid per {p.doc.get('reference') or p.doc.path} ({p.doc.get('payment_date') or 'date not shown'}): "
            f"USD {valuation.money(p.usd)}" for p in paid]


# --- (D) royalties and licence fees --------------------------------------------------------------------

def royalty(ctx: Context) -> list[Result]:
    out: list[Result] = []
    importer = _importer(ctx)
    sellers = _sellers(ctx)
    pic = _picture(ctx)
    for ag in ctx.documents("agreement"):
        if str(ag.get("agreement_type") or "") not in ("royalty", "licence", "license"):
            continue
        licensor = _role(ag, "licensor", "owner", "grantor")
        licensee = _role(ag, "licensee", "grantee")
        if importer is not None and licensee is not None and not _is(licensee, importer):
            continue  # the licence is someone else's
        related = _goods_related(ctx, ag)
        to_seller = licensor is not None and any(_is(licensor, s) for s in sellers)
        condition = ag.get("condition_of_sale")
        # the three questions
        q1 = related >= 0.6  # (1) the goods are the licensed products; (2) a royalty on their price is involved
        q3 = condition is True or to_seller  # in their sale; (3) paid to the seller, or no sale without it
        if not (q1 and q3):
            continue
        paid = _payments(ctx, lambda p: licensor is None or _is(p, licensor), _ROYALTY_WORDS)
        if paid:
            amount, steps = q2(sum((p.usd for p in paid), ZERO)), _paid_steps(paid)
        else:
            if licensor is not None and _pays_per_shipment(ctx, licensor):
                continue  # the folder shows the royalty paid shipment by shipment, and none for this one
            rb = _rate_base(ctx, ag, pic)
            if rb is None:
                continue
            amount, steps = rb
        value = _room(ctx, pic, amount)
        if value <= 0:
            continue
        name = licensor.name if licensor else "the licensor"
        explanation = (
            f"Under its {ag.get('agreement_type')} agreement ({ag.path}) the importer pays {name} "
            + (f"{ag.get('rate_percent').normalize():f} % of {ag.get('royalty_base') or 'the price of the goods'}"
               if isinstance(ag.get("rate_percent"), Decimal) else "a royalty")
            + f" on {ag.get('products') or 'the licensed products'}. The three questions: (1) the imported goods "
            f"are the licensed products ({'part numbers or descriptions match' if related >= 0.99 else 'descriptions match'}); "
            f"(2) the payment is computed on their sale; (3) "
            + ("the agreement makes it a condition of sale: the seller may not sell without it"
               if condition is True else "it is paid to the seller itself")
            + f". A royalty so related to the goods and paid as a condition of their sale is part of their "
            f"transaction value, and the entered value of USD {valuation.money(pic.entered) if pic else '—'} does not "
            f"carry the USD {valuation.money(value)}."
        )
        evidence = ctx.cite(ag, "agreement_type", "rate_percent", "condition_of_sale", "products")
        for p in paid:
            evidence += ctx.cite(p.doc, "amount", "purpose")
        out.append(_finding(ctx, "ROYALTY_UNDECLARED", value,
                            f"Royalty of USD {valuation.money(value)} to {name} not in the entered value",
                            explanation, evidence, steps, f"royalty:{ag.path}", 0.9 if paid else 0.75))
    return out


# --- (B) selling commissions ----------------------------------------------------------------------------

def selling_commission(ctx: Context) -> list[Result]:
    out: list[Result] = []
    importer = _importer(ctx)
    sellers = _sellers(ctx)
    pic = _picture(ctx)
    for ag in ctx.documents("agreement"):
        kind = str(ag.get("agreement_type") or "")
        if kind != "selling_commission":
            continue  # a buying commission is not dutiable
        agent = _role(ag, "agent", "representative", "sales agent")
        principal = _role(ag, "principal", "seller", "supplier")
        if principal is not None and sellers and not any(_is(principal, s) for s in sellers):
            continue  # the agent of another seller
        if agent is None or (importer is not None and _is(agent, importer)):
            continue
        if _goods_related(ctx, ag) < 0.6:
            continue
        paid = _payments(ctx, lambda p: _is(p, agent), None)
        if paid:
            amount, steps = q2(sum((p.usd for p in paid), ZERO)), _paid_steps(paid)
        else:
            continue  # the seller pays its own agent out of the price unless the buyer is shown paying
        value = _room(ctx, pic, amount)
        if value <= 0:
            continue
        explanation = (
            f"{agent.name} acts for the seller {principal.name if principal else ''} under a selling-commission "
            f"agreement ({ag.path}), and the importer paid it USD {valuation.money(amount)} for these goods. A "
            "commission the buyer incurs to the seller's agent is an addition to the price (19 U.S.C. "
            "1401a(b)(1)(B)); unlike a buying commission, it is dutiable. The entered value does not carry it."
        )
        evidence = ctx.cite(ag, "agreement_type", "parties", "rate_percent")
        for p in paid:
            evidence += ctx.cite(p.doc, "amount", "payee", "purpose")
        out.append(_finding(ctx, "SELLING_COMMISSION_UNDECLARED", value,
                            f"Selling commission of USD {valuation.money(value)} to {agent.name} not in the entered value",
                            explanation, evidence, steps, f"commission:{ag.path}", 0.9))
    return out


# --- (E) proceeds of resale ---------------------------------------------------------------------------------

def proceeds(ctx: Context) -> list[Result]:
    out: list[Result] = []
    sellers = _sellers(ctx)
    if not sellers:
        return out
    pic = _picture(ctx)
    paid = _payments(ctx, lambda p: any(_is(p, s) for s in sellers), _PROCEEDS_WORDS)
    if not paid:
        return out
    amount, steps = q2(sum((p.usd for p in paid), ZERO)), _paid_steps(paid)
    value = _room(ctx, pic, amount)
    if value <= 0:
        return out
    ag = next((a for a in ctx.documents("agreement") if _PROCEEDS_WORDS.search(str(a.get("royalty_base") or ""))), None)
    explanation = (
        f"The importer paid the seller {sellers[0].name} USD {valuation.money(amount)} as a share of what it made "
        "reselling these goods" + (f", as its agreement ({ag.path}) provides" if ag else "")
        + ". Proceeds of a resale that accrue to the seller are part of the transaction value (19 U.S.C. "
        "1401a(b)(1)(E)); the entered value does not carry them."
    )
    evidence = []
    for p in paid:
        evidence += ctx.cite(p.doc, "amount", "payee", "purpose")
    if ag is not None:
        evidence += ctx.cite(ag, "agreement_type", "royalty_base", "rate_percent")
    out.append(_finding(ctx, "PROCEEDS_UNDECLARED", value,
                        f"Proceeds of resale of USD {valuation.money(value)} paid to the seller not in the entered value",
                        explanation, evidence, steps, f"proceeds:{ctx.entry.entry_number}", 0.85))
    return out


# --- (A) packing ----------------------------------------------------------------------------------------------

def packing(ctx: Context) -> list[Result]:
    pic = _picture(ctx)
    if pic is None:
        return []
    out: list[Result] = []
    for ip in pic.last:
        packs = [c for c in ip.additions if c.kind == "packing"]
        if not packs:
            continue
        amount_cur = sum((c.amount for c in packs), ZERO)
        amount = q2(ip.usd(amount_cur))
        value = _room(ctx, pic, amount)
        if value <= 0:
            continue
        steps = [f"packing charged on invoice {ip.number}: {ip.currency} {valuation.money(amount_cur)}"
                 + (f" × {ip.rate} = USD {valuation.money(amount)}" if ip.currency != "USD" else ""),
                 f"price of the goods without it USD {valuation.money(pic.price_usd)}; entered "
                 f"USD {valuation.money(pic.entered)}"]
        explanation = (
            f"Invoice {ip.number} charges the buyer {ip.currency} {valuation.money(amount_cur)} for "
            f"{', '.join(c.description or 'packing' for c in packs)}. Packing costs incurred by the buyer are an "
            "addition to the price (19 U.S.C. 1401a(b)(1)(A)); the entered value matches the price of the goods "
            "without them."
        )
        evidence = ctx.cite(ip.doc, "charges", "total", "subtotal")
        out.append(_finding(ctx, "PACKING_UNDECLARED", value,
                            f"Packing of USD {valuation.money(value)} not in the entered value",
                            explanation, evidence, steps, f"packing:{ip.doc.path}", 0.9))
    return out
