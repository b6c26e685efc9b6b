"""Agreements (royalty, licence, commission, distribution, supply): the kind, the parties and their roles,
the effective date, the rate or fixed fee, the base, whether payment is a condition of sale, and the products.

An agreement is prose: beyond the labelled parts (dates, party blocks) its terms are read from sentences, with
the patterns below kept as data."""
from __future__ import annotations

import re
from typing import Sequence

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import conventions, find_currency, party_from_lines, party_label
from .labels import Reader, fold
from .pages import Page

KEYS = ("effective_date", "agreement_role", "other_date")
# kind of agreement -> title words (checked in this order)
KINDS = (
    ("buying_commission", ("buying agency", "buying agent", "purchasing agency", "sourcing agency", "buying commission")),
    ("selling_commission", ("sales representation", "selling agency", "sales agency", "commission agreement",
                            "representation agreement", "sales agent", "agency agreement", "commercial agency")),
    ("royalty", ("royalty",)),
    ("licence", ("licence", "license", "licencia", "lizenz")),
    ("distribution", ("distribution", "distributor", "distribucion", "vertrieb")),
    ("supply", ("supply", "suministro", "purchase agreement", "liefervertrag")),
)
ROLES = ("licensor", "licensee", "principal", "agent", "supplier", "distributor", "seller", "buyer",
         "manufacturer", "purchaser", "representative", "licenciante", "licenciatario", "proveedor", "comprador",
         "vendedor", "agente", "distribuidor")
_PERCENT = re.compile(r"(\d{1,2}(?:[.,]\d{1,3})?)\s*(?:%|per\s*cent\b|percent\b|por\s*ciento)", re.IGNORECASE)
_FEE_WORDS = ("royalty", "commission", "fee", "proceeds", "participation", "regalia", "comision", "pay")
_BASE = re.compile(r"(?:%\)?|per\s*cent\)?|percent\)?)\s+of\s+(?:the\s+)?([^.;()]{6,90}?)"
                   r"(?=\s*(?:\(|[.;,]|\baccepted\b|\bpayable\b|\bsold\b|$))", re.IGNORECASE)
_PRODUCTS = re.compile(r"[\"“](?:licensed |contract )?products?[\"”]\s+(?:means|shall mean|refers to)\s+"
                       r"([^;]+?)(?:;|\.\s|$)", re.IGNORECASE)
_NOT_CONDITION = re.compile(r"not\s+(?:a\s+)?condition\s+of\s+(?:the\s+)?(?:sale|purchase|supply)|"
                            r"(?:may|can)\s+(?:purchase|buy)\s+[^.]{0,80}without\s+pay", re.IGNORECASE)
_CONDITION = re.compile(r"condition\s+of\s+(?:the\s+)?(?:sale|purchase|supply)|"
                        r"(?:shall|will|may)\s+not\s+(?:sell|deliver|supply|purchase)[^.]{0,120}(?:unless|without\s+pay)|"
                        r"no\s+[^.]{0,60}shall\s+be\s+(?:sold|delivered)[^.]{0,80}(?:unless|while)", re.IGNORECASE)
_PARTY_PARA = re.compile(r"\(\d\)\s*(?P<name>[^\n]+)\n(?P<body>.{0,400}?)\((?:hereinafter\s+)?(?:the\s+)?[\"“](?P<role>\w+)[\"”]\)",
                         re.IGNORECASE | re.DOTALL)


def _kind(title: str) -> str | None:
    t = fold(title)
    for kind, words in KINDS:
        if any(w in t for w in words):
            return kind
    return None


def _title(reader: Reader) -> str:
    return " ".join(" ".join(w.text for w in ln) for ln in reader.lines[:4])


def _parties_by_label(reader: Reader) -> list[dict]:
    out = []
    for hit in reader.find("agreement_role"):
        if not party_label(reader, hit):
            continue
        block = [ln for ln in reader.block(hit) if not fold(" ".join(w.text for w in ln)).startswith("(")]
        party = party_from_lines(block)
        if party is not None:
            out.append({"role": fold(hit.text).strip(" :"), "name": party.name, "country": party.country})
    return out


def _parties_in_prose(text: str) -> list[dict]:
    out = []
    for m in _PARTY_PARA.finditer(text):
        body = " ".join(m.group("body").split())
        country = None
        before_role = body.rsplit("(", 1)[0] if "(" in body else body
        parts = [p.strip(" ,.") for p in before_role.split(",") if p.strip(" ,.")]
        for p in reversed(parts[-2:]):
            country = nz.country_code(p)
            if country:
                break
        out.append({"role": fold(m.group("role")), "name": nz.clean_party_name(m.group("name").strip()),
                    "country": country})
    return out


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    fs = FieldSet()
    text = "\n".join(" ".join(w.text for w in ln) for ln in reader.lines)
    flat = " ".join(text.split())
    kind = _kind(_title(reader)) or _kind(flat[:600])
    fs.set("agreement_type", kind, reader.prov(reader.lines[0]) if reader.lines else None)
    parties = _parties_by_label(reader) or _parties_in_prose(text)
    if parties:
        fs.set("parties", [{k: v for k, v in p.items() if v} for p in parties], None)
    v, p = reader.value("effective_date", conv.date)
    if v is None:
        m = re.search(r"\bdated\s+(?:as\s+of\s+)?(.{6,30}?)(?:\s+and\b|,|\.)", flat, re.IGNORECASE)
        v = conv.date(m.group(1)) if m else None
    fs.set("effective_date", v, p)
    # the rate: the first percentage in a sentence about paying a fee
    for sentence in re.split(r"(?<=[.;])\s+", flat):
        low = fold(sentence)
        if not any(w in low for w in _FEE_WORDS):
            continue
        m = _PERCENT.search(sentence)
        if m:
            fs.set("rate_percent", nz.parse_number(m.group(1).replace(",", ".")), None)
            if kind in ("royalty", "licence", "distribution"):
                b = _BASE.search(sentence[m.start():])
                if b:
                    fs.set("royalty_base", b.group(1).strip(), None)
            break
    m = re.search(r"\b(?:payable|paid|expressed)\s+in\s+([A-Z]{3})\b", flat)
    cur = nz.currency_code(m.group(1)) if m else None
    if cur is None:
        cur, _ = find_currency(pages, reader)
    fs.set("currency", cur, None)
    if _NOT_CONDITION.search(flat):
        fs.set("condition_of_sale", False, None)
    elif _CONDITION.search(flat):
        fs.set("condition_of_sale", True, None)
    m = _PRODUCTS.search(flat)
    if m:
        fs.set("products", m.group(1).strip(), None)
    return fs, []
