"""FIRST_SALE_UNSUPPORTED: an entered value based on an earlier sale (manufacturer to middleman) without the
evidence a first-sale value needs (Nissho Iwai Am. Corp. v. United States, 982 F.2d 505 (Fed. Cir. 1992);
19 CFR 152.103(a)(1)).

The entry rests on an earlier sale when the seller to the importer is a middleman (a manufacturer's invoice to
it, or the MID and the countries say the goods were made by someone else) and the entered value sits below the
middleman's price. An earlier sale may be the basis of transaction value only if the documents show:

* the manufacturer's invoice, whose price the entered value matches;
* that the goods were clearly destined for the United States when the manufacturer sold them (U.S. consignee
  or ship-to, a B/L from the factory to the U.S., the importer's order number, U.S. marking);
* a bona fide sale at arm's length (manufacturer and middleman not related, or the price unaffected);
* the statutory additions (packing, assists, royalties, selling commissions) in the value.

Missing or contradicted evidence leaves the last sale as the transaction value: exposure = last-sale price −
first-sale price (the entered value), in USD at the entry's rate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..extract.facts import in_united_states
from ..extract.normalize import id_key
from ..models.records import Party
from . import related_party, valuation
from .context import Context, Result
from .link import NAME_MATCH, same_party

CODE = "FIRST_SALE_UNSUPPORTED"

def _in_us(p: Party | str | None) -> bool:
    if isinstance(p, Party):
        if p.country:
            return p.country.upper() == "US"
        return bool(p.address and in_united_states(p.address))
    return bool(p and in_united_states(str(p)))


@dataclass
class Assessment:
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return bool(self.present) and not self.missing


def _destined(ctx: Context, factory: valuation.InvoicePrice, last: list[valuation.InvoicePrice]) -> list[str]:
    """What shows the goods were destined for the United States when the manufacturer sold them."""
    doc = factory.doc
    importer = ctx.entry.header.get("importer")
    maker = doc.get("seller")
    shown = []
    for f in doc.fields:
        if isinstance(f.value, Party) and f.name not in ("seller", "buyer"):
            if _in_us(f.value) or same_party(f.value, importer) >= NAME_MATCH:
                shown.append(f"the manufacturer's invoice names {f.value.name or 'a U.S. party'} as "
                             f"{f.name.replace('_', ' ')}")
    place = doc.get("incoterm_place")
    if place and in_united_states(str(place)):
        terms = f"{doc.get('incoterm') or ''} {place}".strip()
        shown.append(f"the manufacturer sold {terms}, in the United States")
    po = id_key(str(doc.get("po_number") or ""))
    if po and any(id_key(str(i.doc.get("po_number") or "")) == po for i in last):
        shown.append(f"the manufacturer's invoice carries the importer's order number {doc.get('po_number')}")
    for fact in doc.facts_of("us_destination"):
        if fact.value.get("related") or (isinstance(importer, Party) and related_party.names(fact, importer)):
            shown.append(f"the manufacturer's invoice says \"{fact.text[:120]}\" ({_where(fact)})")
            break
    for bl in ctx.documents("bill_of_lading"):
        if same_party(bl.get("shipper"), maker) >= NAME_MATCH and (
                _in_us(bl.get("consignee")) or same_party(bl.get("consignee"), importer) >= NAME_MATCH
                or in_united_states(str(bl.get("port_of_discharge") or ""))):
            shown.append(f"bill of lading {bl.get('bl_number') or bl.path}: shipped by the manufacturer to the "
                         f"United States ({bl.get('port_of_discharge') or party_name(bl.get('consignee'))})")
    return shown


def _where(fact) -> str:
    """The field a fact was read from, as the finding names it."""
    if fact.source.startswith("line_items"):
        return "line description"
    if fact.source.startswith("notes["):
        return "statement"
    return fact.source


def party_name(p) -> str:
    return p.name if isinstance(p, Party) and p.name else "?"


def assess(ctx: Context, pic: valuation.Picture) -> Assessment:
    """The first-sale evidence the documents show and what is missing or contradicted."""
    a = Assessment()
    tol = pic.tol
    docs = ctx.documents()
    for ip in pic.last:
        for fact in ip.doc.facts_of("first_sale_statement"):
            a.remarks.append(f"the middleman's invoice {ip.number} says \"{fact.text[:160]}\"")
    if not pic.first:
        a.missing.append("the manufacturer's invoice (the first sale) is not among the documents, so neither its "
                         "price nor its terms can be verified")
        a.missing.append("nothing shows the goods were clearly destined for the United States when the "
                         "manufacturer sold them")
        a.missing.append("nothing shows the manufacturer and the middleman dealt at arm's length")
        return a
    first_usd = pic.first_price_usd
    a.present.append("the manufacturer's invoice: " + ", ".join(
        f"{f.number} from {party_name(f.doc.get('seller'))} to {party_name(f.doc.get('buyer'))}, "
        f"{f.currency} {valuation.money(f.price)}" for f in pic.first) + f" (USD {valuation.money(first_usd)})")
    if pic.entered > first_usd + tol:
        a.remarks.append(f"the entered value USD {valuation.money(pic.entered)} is above the first-sale price USD "
                       f"{valuation.money(first_usd)}")
    destination = [s for f in pic.first for s in _destined(ctx, f, pic.last)]
    if destination:
        a.present.append("destined for the United States: " + "; ".join(destination))
    else:
        a.missing.append("nothing shows the goods were clearly destined for the United States when the "
                         "manufacturer sold them (no U.S. consignee or ship-to, no B/L from the factory to the "
                         "United States, no U.S. order number or marking on the manufacturer's invoice)")
    makers = [f.doc.get("seller") for f in pic.first]
    middlemen = [f.doc.get("buyer") for f in pic.first]
    related = related_party.indicators(docs, makers, middlemen)
    if related:
        a.missing.append("the manufacturer and the middleman appear related (" + "; ".join(i.text for i in related[:3])
                         + "): the first sale must be shown to be at arm's length")
    else:
        a.present.append("nothing in the documents relates the manufacturer and the middleman")
    adds = [c for f in pic.first for c in f.additions]
    if adds:
        add_usd = sum((f.usd(f.additions_total) for f in pic.first), Decimal(0))
        if pic.entered + tol < first_usd + add_usd:
            a.missing.append("statutory additions on the manufacturer's invoice are not in the entered value: "
                             + ", ".join(f"{c.description or c.kind} {valuation.money(c.amount)}" for c in adds))
    for d in ctx.documents("assist_invoice") + [g for g in ctx.documents("agreement")
                                                  if g.get("agreement_type") in ("royalty", "licence")]:
        a.remarks.append(f"{d.path}: its value must be added to the first-sale price as to any transaction value")
    return a


def check(ctx: Context) -> list[Result]:
    pic = valuation.picture(ctx)
    if pic is None or not pic.first_sale_claimed:
        return []
    a = assess(ctx, pic)
    if a.supported:
        return []
    exposure = pic.certain_shortfall  # charges the middleman's invoice does not itemise may be excludable
    changes, line, spread = valuation.distribute(ctx, pic.last, exposure, key=f"price:{ctx.entry.entry_number}")
    last_usd = pic.price_usd
    steps = sum((i.steps() for i in pic.last), [])
    less = f" − charges not itemised USD {valuation.money(pic.unidentified_usd)}" if pic.unidentified_usd else ""
    steps.append(f"last sale (middleman to importer) USD {valuation.money(last_usd)}{less} − first sale entered USD "
                 f"{valuation.money(pic.entered)} = {valuation.money(exposure)}" + (f" ({spread})" if spread else ""))
    middleman = ", ".join(sorted({party_name(i.doc.get("seller")) for i in pic.last}))
    explanation = (
        f"The entered value, USD {valuation.money(pic.entered)}, is below the price the importer pays the "
        f"middleman {middleman}, USD {valuation.money(last_usd)}: the entry rests on an earlier sale ("
        + "; ".join(dict.fromkeys(pic.middleman)) + "). A first sale may be the basis of transaction value only "
        "when the documents show the manufacturer's invoice, goods clearly destined for the United States at that "
        "sale, a bona fide sale at arm's length and the statutory additions in the value (Nissho Iwai; 19 CFR "
        "152.103(a)(1)). "
        + ("Shown: " + "; ".join(a.present) + ". " if a.present else "")
        + "Missing or contradicted: " + "; ".join(a.missing) + ". "
        + ("Also: " + "; ".join(a.remarks) + ". " if a.remarks else "")
        + f"Until the evidence is produced the last sale is the transaction value; exposure USD "
        f"{valuation.money(exposure)}.")
    evidence = []
    for ip in pic.last + pic.first:
        evidence += [e for e in valuation.invoice_evidence(ctx, ip, "seller") if e not in evidence]
    mid = ctx.entry.header.get("manufacturer_id")
    evidence += [e for e in ctx.evidence(ctx.entry.header.prov("manufacturer_id"), text=f"MID {mid}")
                 if e not in evidence]
    evidence += [e for e in valuation.entered_evidence(ctx) if e not in evidence]
    confidence = 0.85 if pic.first else 0.75
    return [valuation._finding(ctx, CODE, f"First-sale value without its evidence: USD "
                               f"{valuation.money(exposure)} exposure", explanation, changes, line, evidence, steps,
                               confidence)]
