"""RELATED_PARTY_UNDECLARED: the documents show buyer and seller related (19 U.S.C. 1401a(g)(1)) while the
entry declares them not related.

Persons are related when they are members of the same family; officers or directors of one another's
businesses; partners; employer and employee; when one owns, controls or holds 5 % or more of the voting stock
of the other; when one controls the other; or when both are controlled by, or under common control with, a
third person. The documents show it by what they say (an invoice's or agreement's statement of ownership,
affiliation, intercompany trade, common officers), by the parties' names (the same name element once legal
suffixes and common trade words are set aside) and by common addresses.

No revenue is computed: a related-party price stands if the relationship did not influence it (circumstances
of sale) or it closely approximates a test value (1401a(b)(2)(B); 19 CFR 152.103(j), (l)). The finding lists
what the documents offer on both, for the auditor to ask the importer for the rest.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz, utils

from ..models.records import Document, Fact, Finding, Party, Provenance, q2
from .context import Context, Result
from .link import NAME_MATCH, same_party
from .rules import BY_CODE

CODE = "RELATED_PARTY_UNDECLARED"

# --- names ------------------------------------------------------------------------------------------

_LEGAL = {"inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "co", "company", "corp", "corporation",
          "gmbh", "ag", "sa", "de", "cv", "sas", "srl", "spa", "s", "p", "a", "bv", "nv", "plc", "sl", "kg", "pte",
          "pty", "oy", "ab", "as", "e", "k", "ek", "sarl", "sro", "kft", "zoo", "jsc", "pvt", "private", "public",
          "ltda", "cia", "hk", "h", "the", "and", "of", "y", "et", "und", "e", "la", "le", "el", "di", "del", "des",
          "du", "van", "der", "joint", "stock", "tbk", "bhd", "sdn", "kk", "mbh", "ohg", "se", "ulc", "pc"}
# trade words, places and descriptions many unrelated firms share
_GENERIC = {"industrial", "industries", "industry", "supply", "supplies", "trading", "trade", "traders",
            "manufacturing", "manufacturer", "manufacturers", "mfg", "international", "intl", "global", "group",
            "holding", "holdings", "enterprise", "enterprises", "products", "product", "import", "imports",
            "export", "exports", "importers", "exporters", "distribution", "distributors", "distributing",
            "services", "service", "solutions", "systems", "technology", "technologies", "tech", "works",
            "factory", "materials", "equipment", "components", "parts", "goods", "home", "general", "national",
            "united", "american", "america", "americas", "usa", "us", "north", "south", "east", "west", "pacific",
            "atlantic", "asia", "asian", "euro", "europe", "european", "china", "chinese", "hong", "kong",
            "world", "worldwide", "new", "first", "royal", "golden", "star", "precision", "marine", "auto",
            "automotive", "apparel", "textile", "textiles", "fabrication", "steel", "metal", "metals", "plastics",
            "plastic", "electric", "electronics", "hardware", "tools", "machinery", "mechanical", "engineering",
            "commercial", "partners", "associates", "brands", "sales", "logistics", "shipping", "outfitters",
            "design", "designs", "studio", "licensing", "office", "officine", "meccaniche", "valve", "fitting",
            "fittings", "castings", "forgings", "cycle", "household", "furniture", "woodcraft", "goods", "mill",
            "mills", "river", "lake", "bay", "valley", "city", "delta", "central", "overseas", "continental"}


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def name_tokens(name: str | None) -> list[str]:
    """A party name's distinctive words: no legal suffixes, articles or common trade words."""
    if not name:
        return []
    toks = utils.default_process(_fold(name)).split()
    return [t for t in toks if t not in _LEGAL and t not in _GENERIC and len(t) >= 3 and not t.isdigit()]


def common_name(a: Party | None, b: Party | None) -> str | None:
    """The distinctive name element two different parties share (e.g. a brand), or None."""
    if not isinstance(a, Party) or not isinstance(b, Party) or not a.name or not b.name:
        return None
    ta, tb = name_tokens(a.name), name_tokens(b.name)
    for x in ta:
        for y in tb:
            if len(x) >= 4 and len(y) >= 4 and (x == y or (min(len(x), len(y)) >= 6 and fuzz.ratio(x, y) >= 90)):
                return x
    return None


def _address_key(p: Party) -> str:
    return utils.default_process(_fold(p.address or ""))


def _numbers(text: str) -> set[str]:
    out, run = set(), ""
    for ch in text + " ":
        if ch.isdigit() and ch.isascii():
            run += ch
        elif run:
            out.add(run)
            run = ""
    return out


def common_address(a: Party | None, b: Party | None) -> bool:
    """Two parties at the same address (same street number and country, near-identical words)."""
    if not isinstance(a, Party) or not isinstance(b, Party) or not a.address or not b.address:
        return False
    if a.country and b.country and a.country.upper() != b.country.upper():
        return False
    ka, kb = _address_key(a), _address_key(b)
    if len(ka.split()) < 3 or len(kb.split()) < 3:
        return False
    na, nb = _numbers(ka), _numbers(kb)
    if not (na and na & nb):
        return False
    return fuzz.token_sort_ratio(ka, kb) >= 90


def names_in(sentence: str, party: Party | None) -> bool:
    """Does the sentence name the party (its distinctive words, loosely)?"""
    if not isinstance(party, Party) or not party.name:
        return False
    toks = name_tokens(party.name)
    if not toks:
        toks = [t for t in utils.default_process(_fold(party.name)).split() if t not in _LEGAL and len(t) >= 3]
    if not toks:
        return False
    text = utils.default_process(_fold(sentence))
    key = " ".join(toks)
    if len(key) >= 4 and fuzz.partial_ratio(key, text) >= 90:
        return True
    words = set(text.split())
    return any(len(t) >= 5 and t in words for t in toks)


# --- statements ---------------------------------------------------------------------------------------
# what the documents say of a relationship is read in extraction (extract/facts.py): ownership, common officers
# and other relationships, negated or not, with the names and roles each statement speaks of

RELATIONSHIP = ("ownership", "common_officers", "relationship")
_SYMMETRIC = {"affiliation", "common control", "officers", "partnership", "family"}


def names(fact: Fact, party: Party | None) -> bool:
    """Does the statement of a fact name the party (its name-like spans, loosely)?"""
    spans = fact.value.get("names") if isinstance(fact.value, dict) else None
    return bool(spans) and names_in("; ".join(spans), party)


def pricing_statements(doc: Document) -> list[str]:
    return [str(f.value) for f in doc.facts_of("pricing_basis")]


@dataclass
class Indicator:
    kind: str  # ownership, affiliation, control, officers, partnership, family, common name, common address
    text: str
    doc: Document | None
    field: str | None = None
    prov: Provenance | None = None  # where the statement itself was read (its words), when it was


def _between(doc: Document, side_a: list[Party], side_b: list[Party]) -> bool:
    """Is the document one the two sides exchange (a sale document, a payment, an agreement of both)?"""
    pairs = {"commercial_invoice": ("seller", "buyer"), "packing_list": ("seller", "buyer"),
             "payment_record": ("payee", "payer"), "assist_invoice": ("supplier", "buyer"),
             "bill_of_lading": ("shipper", "consignee")}
    if doc.doc_type in pairs:
        a, b = (doc.get(k) for k in pairs[doc.doc_type])
        def on(p, side):
            return any(same_party(p, x) >= NAME_MATCH for x in side)
        return (on(a, side_a) and on(b, side_b)) or (on(b, side_a) and on(a, side_b))
    if doc.doc_type == "agreement":
        parties = [p for p in (doc.get("parties") or []) if isinstance(p, Party)]
        return any(same_party(p, x) >= NAME_MATCH for p in parties for x in side_a) and \
            any(same_party(p, y) >= NAME_MATCH for p in parties for y in side_b)
    return False


def indicators(docs: list[Document], side_a: list[Party], side_b: list[Party]) -> list[Indicator]:
    """What the documents show of a relationship between the parties of ``side_a`` (sellers) and ``side_b``
    (buyers)."""
    side_a = [p for p in side_a if isinstance(p, Party) and p.name]
    side_b = [p for p in side_b if isinstance(p, Party) and p.name]
    if not side_a or not side_b:
        return []
    out: list[Indicator] = []
    seen: set[str] = set()
    for doc in docs:
        if doc.doc_type == "entry_summary":
            continue
        between = _between(doc, side_a, side_b)
        for fact in doc.facts_of(*RELATIONSHIP):
            v = fact.value if isinstance(fact.value, dict) else {}
            kinds, s = list(v.get("how") or []), fact.text
            if not v.get("related") or not kinds or s in seen:
                continue  # denied ("not affiliated"), or a shareholding under 5 % and nothing more
            if "party_role" in (v.get("roles") or []):
                if doc.doc_type == "agreement" and between:
                    out.append(Indicator("ownership", s, doc, "parties"))
                continue
            a = any(names(fact, p) for p in side_a)
            b = any(names(fact, p) for p in side_b)
            roles = set(v.get("roles") or [])
            a_role, b_role = "seller" in roles, "buyer" in roles
            # role words ("the buyer", "the seller") stand for the parties only on a document between them
            about_both = (a or (a_role and between)) and (b or (b_role and between)) \
                or (between and "both" in roles)
            symmetric = between and not (a ^ b) and bool(set(kinds) & _SYMMETRIC)
            if about_both or symmetric:
                seen.add(s)
                field = fact.source if fact.source in doc.fields.names() else (
                    "line description" if fact.source.startswith("line_items") else "statement")
                out.append(Indicator(kinds[0], s, doc, field, fact.prov))
    for a in side_a:
        for b in side_b:
            if same_party(a, b) >= NAME_MATCH and not (a.country and b.country and a.country != b.country):
                continue  # the same party (or a misread one), not two related ones
            common = common_name(a, b)
            if common:
                out.append(Indicator("common name", f"{a.name} and {b.name} share the name '{common}'", None))
            if common_address(a, b):
                out.append(Indicator("common address", f"{a.name} and {b.name} share the address {a.address}",
                                     None))
    uniq, keys = [], set()
    for i in out:
        if i.text not in keys:
            keys.add(i.text)
            uniq.append(i)
    return uniq


# --- the rule ------------------------------------------------------------------------------------------

def _declared_not_related(ctx: Context):
    """The entry's relationship as declared: the lines' flag (or the header's); (False, line) when it says not
    related, (True, line) when related, (None, None) when it does not say."""
    lines = ctx.entry.lines
    flags = [(ln.get("related_party"), ln) for ln in lines if isinstance(ln.get("related_party"), bool)]
    if any(f for f, _ in flags):
        return True, next(ln for f, ln in flags if f)
    header = ctx.entry.header.get("related_party")
    if header is True:
        return True, lines[0] if lines else None
    if flags:
        return False, flags[0][1]
    if header is False:
        return False, lines[0] if lines else None
    return None, None


def _usd(ctx: Context, amount, currency) -> Decimal | None:
    if not isinstance(amount, Decimal):
        return None
    r = ctx.exchange_rate(currency or ctx.entry.header.get("currency"))
    return amount * r if r is not None else None


def circumstances(ctx: Context, invoices: list[Document], found: list[Indicator]) -> list[str]:
    """What the documents offer on the circumstances of sale and the test values (19 CFR 152.103(l))."""
    said_of = []
    said = {t for d in ctx.documents() for t in pricing_statements(d)}
    pricing = [i.text for i in found if i.text in said]
    for d in ctx.documents():
        for s in pricing_statements(d):
            if s not in pricing and d.doc_type != "entry_summary" and len(s) > 25:
                pricing.append(s)
    if pricing:
        said_of.append("on how the price was settled the documents say: " + " / ".join(f'"{s}"' for s in pricing[:3]))
    else:
        said_of.append("no document shows how the price was settled (e.g. the seller's cost plus its usual profit, "
                     "or its prices to unrelated buyers)")
    sellers = [i.get("seller") for i in invoices]
    total = sum((_usd(ctx, i.get("total"), i.get("currency")) or Decimal(0) for i in invoices), Decimal(0))
    paid = []
    for p in ctx.documents("payment_record"):
        if any(same_party(p.get("payee"), s) >= NAME_MATCH for s in sellers):
            usd = _usd(ctx, p.get("amount"), p.get("currency"))
            if usd is not None:
                paid.append(usd)
    if paid:
        said_of.append(f"payments to the seller USD {q2(sum(paid, Decimal(0))):,} against invoices of USD {q2(total):,}")
    # test values: identical goods (same part numbers) bought by this importer from sellers not related
    mine = {}
    for inv in invoices:
        for li in inv.line_items:
            up = _usd(ctx, li.get("unit_price"), inv.get("currency"))
            if li.get("part_number") and up is not None:
                mine[str(li.get("part_number"))] = up
    tests = []
    for e in ctx.entries:
        if e is ctx.entry:
            continue
        rate = e.header.get("exchange_rate")
        for inv in ctx.linked.documents(e, "commercial_invoice"):
            s = inv.get("seller")
            if any(same_party(s, x) >= NAME_MATCH or common_name(s, x) for x in sellers if x is not None):
                continue
            for li in inv.line_items:
                pn, up = str(li.get("part_number") or ""), li.get("unit_price")
                if pn in mine and isinstance(up, Decimal):
                    cur = inv.get("currency") or e.header.get("currency")
                    r = Decimal(1) if cur == "USD" else (rate if cur == e.header.get("currency") else None)
                    if r is not None:
                        tests.append(f"part {pn} from {party_name(s)} (entry {e.entry_number}) at USD "
                                     f"{q2(up * r):,} a unit against USD {q2(mine[pn]):,} here")
    if tests:
        said_of.append("for comparison, identical goods the importer bought from unrelated sellers: "
                     + "; ".join(tests[:3]) + " (a sign whether the relationship influenced the price; a test value "
                     "proper is the value of identical or similar goods sold to unrelated U.S. buyers)")
    said_of.append("no test value in the folder (transaction values of identical or similar goods sold to unrelated "
                 "U.S. buyers, or deductive or computed values of them)")
    return said_of


def party_name(p) -> str:
    return p.name if isinstance(p, Party) and p.name else "?"


def check(ctx: Context) -> list[Result]:
    declared, line = _declared_not_related(ctx)
    if declared is not False:
        return []
    invoices = ctx.documents("commercial_invoice")
    # an invoice to the seller of another invoice is an earlier sale (manufacturer to middleman): the
    # relationship declared is the importer's with its own seller
    invoices = [i for i in invoices if not any(same_party(i.get("buyer"), j.get("seller")) >= NAME_MATCH
                                               for j in invoices if j is not i)] or invoices
    importer = ctx.entry.header.get("importer")
    buyers = [p for p in [importer] + [i.get("buyer") for i in invoices] if isinstance(p, Party)]
    sellers = [i.get("seller") for i in invoices if isinstance(i.get("seller"), Party)]
    if not sellers or not buyers:
        return []
    found = indicators(ctx.documents(), sellers, buyers)
    if not found:
        return []
    rule = BY_CODE[CODE]
    seller, buyer = sellers[0], buyers[0]
    shown = "; ".join(f"{i.kind}: \"{i.text}\"" + (f" ({i.doc.path})" if i.doc else "") for i in found[:4])
    circ = circumstances(ctx, invoices, found)
    flag_where = (f"line {line.line_no}" if line is not None and isinstance(line.get("related_party"), bool)
                  else "the entry summary")
    explanation = (
        f"The documents show the seller {party_name(seller)} and the buyer {party_name(buyer)} related — {shown} — "
        f"while {flag_where} declares them not related. Under 19 U.S.C. 1401a(g)(1) persons are related when one "
        "owns or controls the other or 5 % or more of its voting stock, when both are controlled by a third "
        "person, when they are officers or directors of one another's businesses, partners, employer and "
        "employee, or family. A related-party price is acceptable as transaction value only if the relationship "
        "did not influence it (circumstances of sale) or it closely approximates a test value (19 U.S.C. "
        "1401a(b)(2)(B); 19 CFR 152.103(j), (l)). Circumstances of sale: " + "; ".join(circ) + ". The "
        "relationship must be declared; no revenue effect is computed until the value is tested.")
    evidence = []
    for i in found:
        if i.prov is not None and i.prov.bbox:  # the statement's own words, not the parties' blocks it names
            evidence += [e for e in ctx.evidence(i.prov, text=i.text) if e not in evidence]
        elif i.doc is not None:
            names = [i.field] if i.field and i.doc.fields.prov(i.field) else ["seller", "buyer"]
            evidence += [e for e in ctx.cite(i.doc, *names, text=i.text) if e not in evidence]
    if not evidence:
        for inv in invoices[:1]:
            evidence += ctx.cite(inv, "seller", "buyer", text="; ".join(i.text for i in found))
    evidence += [e for e in ctx.evidence(line.prov if line is not None else None,
                                         ctx.entry.header.prov("related_party")) if e not in evidence]
    strong = any(i.kind not in ("common name", "common address") for i in found)
    kinds = {i.kind for i in found}
    confidence = 0.9 if strong else (0.7 if {"common name", "common address"} <= kinds else 0.55)
    f = Finding(code=CODE, severity=rule.severity, entry_number=ctx.entry.entry_number,
                title=f"Buyer and seller related ({', '.join(sorted(kinds))}); entry declares not related",
                explanation=explanation, legal_basis=rule.legal_basis,
                line_no=line.line_no if line is not None else None, confidence=confidence, evidence=evidence,
                arithmetic=["no revenue effect: 0.00"])
    return [Result(f)]
