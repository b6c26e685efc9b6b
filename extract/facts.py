"""Facts: typed statements read from a document's prose, with the words and the place they were read from.

Rules need what documents *say* beyond their labelled fields: that buyer and seller are owned by the same
holding, what the steel cost, the value of the non-originating materials, that a royalty is a condition of
sale, that a payment is a selling commission or proceeds of resale, that a charge is for work after
importation, which invoice a payment names. :func:`read_facts` reads all of that from a :class:`Document`
(its ``notes`` with their provenance, its text fields, charge and line descriptions, its agreement terms)
into :class:`~appraiser.models.records.Fact` records; the audit reads those, never the text.

The kinds and the type of each kind's value are one table, :data:`FACT_KINDS` (``models/facttypes.py``). The
wordings (per concept, every language in the same list) are data: ``extract/vocab/facts/wordings.json``. The
reading is a chain of small pure functions, one per family of kinds, each ``(doc, prose) -> [Fact]``.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from ..models.doctypes import field_kind
from ..models.facttypes import FACT_KINDS, UNSCORED, FactKind, value_type  # noqa: F401 (the table, re-exported)
from ..models.records import Document, Fact, Money, Party, Provenance
from . import normalize as nz

WORDINGS = Path(__file__).with_name("vocab") / "facts" / "wordings.json"


# --- the wordings ------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def wordings() -> dict:
    return json.loads(WORDINGS.read_text(encoding="utf-8"))


def _fill(pattern: str, parts: dict[str, str]) -> str:
    for _ in range(3):  # parts may name parts
        for k, v in parts.items():
            pattern = pattern.replace("{" + k + "}", v)
    return pattern


@lru_cache(maxsize=None)
def pattern(concept: str, sub: str | None = None) -> re.Pattern:
    """The wordings of a concept as one compiled alternation."""
    w = wordings()
    items = w[concept][sub] if sub else w[concept]
    flags = 0 if concept in w.get("case_sensitive", []) else re.I
    body = "|".join(f"(?:{_fill(p, w['parts'])})" if len(items) > 1 else _fill(p, w["parts"]) for p in items)
    return re.compile(body, flags)


def says(concept: str, text: str | None, sub: str | None = None) -> bool:
    return bool(text) and bool(pattern(concept, sub).search(text))


def in_united_states(text: str | None) -> bool:
    """Whether an address or place names the United States (a U.S. state's code after a comma counts)."""
    return says("us", text)


# --- the prose of a document ----------------------------------------------------------------------------------

class Prose:
    """One piece of free text a document carries: where it is (``source``), the text and its provenance."""

    __slots__ = ("source", "field", "text", "prov")

    def __init__(self, source: str, field: str | None, text: str, prov: Provenance | None) -> None:
        self.source, self.field, self.text, self.prov = source, field, text, prov


def prose(doc: Document) -> list[Prose]:
    """The free text a document carries: its text fields (and fields the type table does not type), the line
    descriptions, and the statements in prose outside labels and tables (notes)."""
    out: list[Prose] = []
    for f in doc.fields:
        if field_kind(doc.doc_type, f.name) not in ("text", "list", None):
            continue
        vals = f.value if isinstance(f.value, (list, tuple)) else [f.value]
        for v in vals:
            if isinstance(v, str) and v.strip():
                out.append(Prose(f.name, f.name, v.strip(), f.prov))
    for i, li in enumerate(doc.line_items):
        d = li.get("description")
        if isinstance(d, str) and d.strip():
            out.append(Prose(f"line_items[{i}].description", "line description", d.strip(),
                             li.fields.prov("description") or li.prov))
    for i, (text, prov) in enumerate(doc.notes):
        if text and text.strip():
            out.append(Prose(f"notes[{i}]", "statement", text.strip(), prov))
    return out


def sentences(text: str) -> list[str]:
    parts = pattern("sentence_split").split(text)
    return [p.strip() for p in parts if p and p.strip()]


def name_spans(text: str) -> list[str]:
    """The name-like spans of a sentence: runs of capitalised words (and the small words names carry inside,
    "Forjas y Tubos de Monterrey, S.A. de C.V.")."""
    tok = pattern("name_token")
    connectors = set(wordings()["name_connector"])
    out, run = [], []

    def flush() -> None:
        while run and run[-1].lower() in connectors:
            run.pop()
        if run:
            out.append(" ".join(run))
        run.clear()

    for w in text.split():
        if tok.match(w):
            run.append(w)
        elif run and w.lower() in connectors:
            run.append(w)
        else:
            flush()
    flush()
    return out


def _fact(kind: str, value: Any, p: Prose, text: str | None = None) -> Fact:
    return Fact(kind, value, text if text is not None else p.text, p.prov, p.source)


# --- related parties ---------------------------------------------------------------------------------------------

_REL_KIND = {"ownership": "ownership", "officers": "common_officers"}


def relationship_facts(doc: Document, texts: list[Prose]) -> list[Fact]:
    """Statements of ownership, affiliation, control, common officers, partnership or family, negated or not,
    with the percentage they give, the names they name and the roles they speak of."""
    out = []
    hows = list(wordings()["relationship"])
    for p in texts:
        for s in sentences(p.text):
            how = [h for h in hows if pattern("relationship", h).search(s)]
            if not how:
                continue
            negated = says("negation", s)
            pct = [Decimal(m.group(1).replace(",", ".")) for m in pattern("percent").finditer(s)]
            related = not negated
            if how == ["ownership"] and pct and max(pct) < 5 and not says("strong_relationship", s):
                related = False  # under 5 % of the voting stock, and no control: not related by ownership alone
            roles = [r for r, c in (("seller", "seller_role"), ("buyer", "buyer_role"), ("both", "both_parties"))
                     if says(c, s)]
            value = {"how": how, "related": related, "negated": negated, "percent": max(pct) if pct else None,
                     "names": name_spans(s), "roles": roles}
            out.append(_fact(_REL_KIND.get(how[0], "relationship"), value, p, s))
    if doc.doc_type == "agreement":
        for party in parties_of(doc):
            if party.role and says("party_roles", party.role, "owner"):
                text = f"{party.name} is named as {party.role} in the agreement"
                value = {"how": ["ownership"], "related": True, "negated": False, "percent": None,
                         "names": [party.name] if party.name else [], "roles": ["party_role"]}
                out.append(Fact("ownership", value, text, doc.fields.prov("parties"), "parties"))
    return out


def pricing_facts(doc: Document, texts: list[Prose]) -> list[Fact]:
    """How a price was settled, as the documents say it (cost plus, mark-up, arm's length …)."""
    return [_fact("pricing_basis", s, p, s) for p in texts for s in sentences(p.text) if says("pricing", s)]


# --- amounts stated in prose ---------------------------------------------------------------------------------

def _money(text: str, doc: Document) -> Money | None:
    try:
        parsed = nz.parse_money(text)
    except (ArithmeticError, ValueError):
        return None
    if parsed is None:
        return None
    amount, cur = parsed
    cur = cur or doc.get("currency") or "USD"
    try:
        return Money(Decimal(amount), str(cur))
    except (TypeError, ValueError):
        return None


def metal_of(text: str) -> str | None:
    words = {(m.group(1) or m.group(2)).lower() for m in pattern("which_metal").finditer(text)}
    if any(w.startswith("alumi") for w in words):
        return "aluminium"
    if words & {"steel", "iron"}:
        return "steel"
    return None


def metal_facts(doc: Document, texts: list[Prose]) -> list[Fact]:
    """Section 232: the metal cost, the non-metal value and the metal content value a statement gives."""
    out = []
    for p in texts:
        if not p.source.startswith("notes"):
            continue
        for kind in ("non_metal_value", "metal_cost", "metal_content_value"):
            for m in pattern(kind).finditer(p.text):
                money = _money(m.group(1), doc)
                if money is not None:
                    out.append(_fact(kind, {"amount": money, "metal": metal_of(m.group(0))}, p))
    return out


def materials_facts(doc: Document, texts: list[Prose]) -> list[Fact]:
    """Free trade agreements: the value of the originating and of the non-originating materials."""
    out = []
    for p in texts:
        if not p.source.startswith("notes"):
            continue
        for kind in ("non_originating_materials", "originating_materials"):
            m = pattern(kind).search(p.text)
            money = _money(m.group(1), doc) if m else None
            if money is not None:
                out.append(_fact(kind, money, p))
    return out


# --- payments ---------------------------------------------------------------------------------------------------

def _said(doc: Document) -> str:
    return " ".join(str(doc.get(k) or "") for k in ("purpose", "reference")).strip()


def _said_prov(doc: Document) -> Prose:
    f = "purpose" if doc.get("purpose") else "reference"
    return Prose(f, f, _said(doc), doc.fields.prov(f))


def named_invoices(text: str) -> list[str]:
    """The identifiers a text gives as invoice numbers ("Royalty 6% on invoice XIA-257980")."""
    out = []
    for m in pattern("named_invoice").finditer(text or ""):
        k = nz.id_key(m.group(1))
        if k and k not in out:
            out.append(k)
    return out


def reference_words(text: str) -> dict:
    words: set[str] = set()
    for split in wordings()["reference_split"]:
        words |= {nz.id_key(w) for w in re.split(split, text or "") if w}
    words.discard("")
    return {"words": sorted(words), "key": nz.id_key(text or "")}


def payment_facts(doc: Document, texts: list[Prose]) -> list[Fact]:
    """What a payment says it is for (royalty, selling or buying commission, proceeds, packing, freight, the
    goods) and the invoices and identifiers it names."""
    if doc.doc_type != "payment_record":
        return []
    out = []
    said = _said(doc)
    p = _said_prov(doc)
    text = (said + " " + " ".join(t for t, _ in doc.notes)).strip()
    if text:
        if says("royalty", text):
            out.append(_fact("royalty_payment", True, p, said))
        if says("commission", text) or says("selling_commission", text) or says("buying_commission", text):
            kinds = [k for k, c in (("selling", "selling_commission"), ("buying", "buying_commission")) if says(c, text)]
            for k in kinds or ["unspecified"]:
                out.append(_fact("commission_type", k, p, said))
        if says("proceeds", text):
            out.append(_fact("proceeds_to_seller", True, p, said))
        if says("packing", text):
            out.append(_fact("packing_by_buyer", True, p, said))
    purpose = str(doc.get("purpose") or "")
    if purpose:
        pp = Prose("purpose", "purpose", purpose, doc.fields.prov("purpose"))
        # money for something else than the goods (and, among it, carriage), else for the goods
        if says("not_goods", purpose):
            out.append(_fact("payment_for", "other", pp))
            if says("freight", purpose):
                out.append(_fact("payment_for", "freight", pp))
        elif says("for_goods", purpose):
            out.append(_fact("payment_for", "goods", pp))
    if said:
        named = named_invoices(said)
        if named:
            out.append(_fact("invoice_reference", named, p, said))
        out.append(_fact("references", reference_words(said), p, said))
    return out


# --- agreements ---------------------------------------------------------------------------------------------------

def parties_of(doc: Document) -> list[Party]:
    """An agreement's parties as Party records (a party read as a plain dict or name too)."""
    out = []
    for p in doc.get("parties") or []:
        if isinstance(p, Party):
            out.append(p)
        elif isinstance(p, dict) and p.get("name"):
            out.append(Party(name=p.get("name"), country=p.get("country"), role=p.get("role")))
        elif isinstance(p, str) and p.strip():
            out.append(Party(name=p.strip()))
    return [p for p in out if p.name]


def party_roles(doc: Document) -> list[Fact]:
    out = []
    for party in parties_of(doc):
        if not party.role:
            continue
        for role in ("licensor", "licensee", "agent", "principal", "buyer"):
            if says("party_roles", party.role, role):
                out.append(Fact("party_role", {"name": party.name, "role": role}, f"{party.name} ({party.role})",
                                doc.fields.prov("parties"), "parties"))
    return out


def part_numbers(text: str) -> list[str]:
    out = []
    for p in pattern("part_like").findall(text or ""):
        k = nz.id_key(p)
        if k and any(c.isdigit() for c in p) and k not in out:
            out.append(k)
    return out


def agreement_facts(doc: Document, texts: list[Prose]) -> list[Fact]:
    """An agreement's terms as facts: the roles of its parties, the part numbers of its products, whether the
    royalty is a condition of sale and related to the goods, and what it is computed on."""
    if doc.doc_type != "agreement":
        return []
    out = party_roles(doc)
    products = str(doc.get("products") or "")
    pp = Prose("products", "products", products, doc.fields.prov("products"))
    parts = part_numbers(products)
    if parts:
        out.append(_fact("part_numbers", parts, pp))
    kind = str(doc.get("agreement_type") or "").lower()
    cos = doc.get("condition_of_sale")
    if isinstance(cos, bool):
        out.append(Fact("royalty_condition_of_sale", cos, "payment a condition of sale: " + ("yes" if cos else "no"),
                        doc.fields.prov("condition_of_sale"), "condition_of_sale"))
    if kind in ("royalty", "licence", "license") and products.strip():
        out.append(_fact("royalty_related_to_goods", True, pp))
    base = str(doc.get("royalty_base") or "")
    if base:
        bp = Prose("royalty_base", "royalty_base", base, doc.fields.prov("royalty_base"))
        if says("resale_base", base):
            out.append(_fact("royalty_base", "resale", bp))
        elif says("per_unit", base):
            out.append(_fact("royalty_base", "per_unit", bp))
        else:
            out.append(_fact("royalty_base", "price", bp))
        if says("proceeds", base):
            out.append(_fact("proceeds_to_seller", True, bp))
    return out


# --- charges, first sale, identifiers ------------------------------------------------------------------------------

def charge_facts(doc: Document, texts: list[Prose]) -> list[Fact]:
    """Charges the document describes as work after importation (destination handling, U.S. clearance)."""
    out = []
    for i, c in enumerate(doc.get("charges") or []):
        if not isinstance(c, dict):
            continue
        desc = str(c.get("description") or "").strip()
        if desc and says("post_importation", desc):
            amount = c.get("amount") if isinstance(c.get("amount"), Decimal) else None
            out.append(Fact("post_importation_charge", {"index": i, "amount": amount}, desc,
                            doc.fields.prov("charges"), f"charges[{i}]"))
    return out


def first_sale_facts(doc: Document, texts: list[Prose]) -> list[Fact]:
    """A sale document's statements of a first sale (the manufacturer, its factory price) and of the goods'
    destination (the United States, or the parties it names)."""
    if doc.doc_type != "commercial_invoice":
        return []
    out = []
    for p in texts:
        if says("first_sale", p.text):
            out.append(_fact("first_sale_statement", p.text, p))
        m = pattern("manufactured_by").search(p.text)
        if m and m.group(1).strip():
            out.append(_fact("manufactured_by", m.group(1).strip(), p))
        names = name_spans(p.text)
        us = in_united_states(p.text)
        if us or names:
            out.append(_fact("us_destination", {"related": us, "names": names}, p))
    return out


def identifier_facts(doc: Document, texts: list[Prose]) -> list[Fact]:
    """The identifiers (with a digit) in the document's prose and field values: what ties a document to a
    shipment's invoice, order or entry numbers."""
    text = " ".join([t for t, _ in doc.notes] + [str(f.value) for f in doc.fields])
    ids = []
    for w in pattern("identifier_token").findall(text):
        k = nz.id_key(w)
        if len(k) >= 2 and any(c.isdigit() for c in k) and k not in ids:
            ids.append(k)
    return [Fact("identifiers", ids, "", None, "fields")] if ids else []


READERS: tuple[Callable[[Document, list[Prose]], list[Fact]], ...] = (
    relationship_facts, pricing_facts, metal_facts, materials_facts, payment_facts, agreement_facts, charge_facts,
    first_sale_facts, identifier_facts)


def read_facts(doc: Document) -> list[Fact]:
    """Every fact a document's prose states, in reading order of the readers."""
    if doc.error:
        return []
    texts = prose(doc)
    out: list[Fact] = []
    for reader in READERS:
        out.extend(reader(doc, texts))
    return out


def with_facts(doc: Document) -> Document:
    """The document with its facts read (what tests and callers that build Documents by hand use)."""
    doc.facts = read_facts(doc)
    return doc


def ensure_facts(docs: Iterable[Document]) -> None:
    """Read the facts of documents that carry none (truth without facts, extractions cached before facts)."""
    for d in docs:
        if not d.facts:
            d.facts = read_facts(d)


# --- scoring helpers ------------------------------------------------------------------------------------------

def _plain(v: Any) -> Any:
    if isinstance(v, Money):
        return ("money", format(v.amount.normalize(), "f"), v.currency)
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    if isinstance(v, dict):
        if set(v) >= {"amount", "currency"} and not isinstance(v.get("amount"), (dict, Money)):
            return ("money", format(Decimal(str(v["amount"])).normalize(), "f"), str(v["currency"]))
        return tuple(sorted((k, _plain(x)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return tuple(_plain(x) for x in v)
    return v


def fact_key(kind: str, value: Any) -> tuple:
    """What a fact is compared on in evaluation: its kind and its value (the scored parts of a structured value)."""
    spec = FACT_KINDS.get(kind)
    if spec is not None and spec.score and isinstance(value, dict):
        value = {k: value.get(k) for k in spec.score}
    return (kind, _plain(value))


__all__ = ["FACT_KINDS", "FactKind", "UNSCORED", "value_type", "read_facts", "with_facts", "ensure_facts", "prose", "sentences", "name_spans",
           "in_united_states", "named_invoices", "part_numbers", "fact_key", "says", "pattern", "wordings"]
