"""The fact kinds: typed statements read from a document's prose, as data (one registered table).

A fact's ``value`` has the type its kind names here:

- ``money``: :class:`~appraiser.models.records.Money` (Decimal amount with its currency);
- ``metal_money``: ``{"amount": Money, "metal": "steel" | "aluminium" | "iron" | None}``;
- ``bool``, ``str``, ``int``, ``percent`` (Decimal), ``ids`` (a list of identifiers, letters and digits only);
- ``relationship``: ``{"how": [str], "related": bool, "negated": bool, "percent": Decimal | None,
  "names": [str], "roles": [str]}`` — who the statement names (name-like spans) and which roles it speaks of;
- ``references``: ``{"words": [str], "key": str}`` — the identifiers a payment's text gives;
- ``party_role``: ``{"name": str, "role": str}`` — the role class an agreement gives one of its parties;
- ``charge``: ``{"index": int, "amount": Decimal | None}`` — one charge of the document's ``charges``.

``score`` names the parts of a structured value that truth is compared on (None: the whole value).
"""
from __future__ import annotations

from typing import NamedTuple


class FactKind(NamedTuple):
    value_type: str
    description: str
    score: tuple[str, ...] | None = None


_REL = ("related", "negated")

FACT_KINDS: dict[str, FactKind] = {
    # related parties, 19 U.S.C. 1401a(g)(1)
    "ownership": FactKind("relationship", "one party owns, or holds shares of, the other, or both are owned by a "
                          "third (negated: the statement denies it)", _REL),
    "common_officers": FactKind("relationship", "the parties share officers or directors", _REL),
    "relationship": FactKind("relationship", "affiliation, common control, control, partnership or family between "
                             "parties (negated: the statement denies it)", _REL),
    "pricing_basis": FactKind("str", "how a price between the parties was settled (cost plus, mark-up, arm's length, "
                              "transfer pricing): the statement"),
    # Section 232
    "metal_cost": FactKind("metal_money", "what the producer paid for the metal the goods are made of", ("amount",)),
    "non_metal_value": FactKind("metal_money", "the value of the goods' non-metal components", ("amount",)),
    "metal_content_value": FactKind("metal_money", "the metal content value the document states", ("amount",)),
    # free trade agreements
    "originating_materials": FactKind("money", "value of originating materials (build-up)"),
    "non_originating_materials": FactKind("money", "value of non-originating materials (build-down)"),
    # royalties and licence fees, 19 U.S.C. 1401a(b)(1)(D)
    "royalty_condition_of_sale": FactKind("bool", "whether paying the royalty is a condition of the sale of the goods"),
    "royalty_related_to_goods": FactKind("bool", "the royalty is for the goods (licensed products named)"),
    "royalty_base": FactKind("str", "what a royalty is computed on: price | resale | per_unit"),
    "royalty_payment": FactKind("bool", "a payment says it is a royalty or licence fee"),
    "party_role": FactKind("party_role", "the role class an agreement gives a party: licensor, licensee, agent, "
                           "principal, buyer, owner", ("name", "role")),
    # commissions, proceeds, packing, 19 U.S.C. 1401a(b)(1)(A), (B), (E)
    "commission_type": FactKind("str", "a commission and whose: selling | buying | unspecified"),
    "proceeds_to_seller": FactKind("bool", "proceeds of resale, disposal or use (a share of sales or profit)"),
    "packing_by_buyer": FactKind("bool", "a payment or charge for packing the goods"),
    "payment_for": FactKind("str", "what a payment says it is for: goods | freight | other (not the goods)"),
    # costs after importation, 19 U.S.C. 1401a(b)(3)
    "post_importation_charge": FactKind("charge", "a charge for work after importation (destination handling, "
                                        "customs clearance in the United States)", ("index",)),
    # first sale
    "first_sale_statement": FactKind("str", "the document speaks of a first sale or factory price (the statement)"),
    "manufactured_by": FactKind("str", "the manufacturer the document names"),
    "us_destination": FactKind("relationship", "a sale document's text naming the United States (related) or "
                               "parties (names): what shows the destination at the first sale", ()),
    # what documents name
    "invoice_reference": FactKind("ids", "invoice numbers a payment's text names"),
    "references": FactKind("references", "identifiers a payment's text gives (purpose and reference)", ()),
    "identifiers": FactKind("ids", "identifiers in a document's prose and field values", ()),
    "part_numbers": FactKind("ids", "part numbers an agreement names for its products"),
}

# the keys of the structured values, by value type (what rules may read out of a fact's value)
VALUE_KEYS: dict[str, tuple[str, ...]] = {
    "relationship": ("how", "related", "negated", "percent", "names", "roles"),
    "metal_money": ("amount", "metal"),
    "party_role": ("name", "role"),
    "charge": ("index", "amount"),
    "references": ("words", "key"),
}

# kinds evaluation does not score (indexes of words and names, not statements)
UNSCORED = {k for k, v in FACT_KINDS.items() if v.score == ()}


def value_type(kind: str) -> str | None:
    k = FACT_KINDS.get(kind)
    return k.value_type if k else None
