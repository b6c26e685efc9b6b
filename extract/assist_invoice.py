"""Invoices for assists (19 CFR 152.102(a)): moulds, dies, tooling, materials, engineering or design billed to
the importer and delivered to the foreign producer. Read like a commercial invoice, plus who the goods
were shipped to, what kind of assist, the production quantity and the parts it serves."""
from __future__ import annotations

import re
from typing import Sequence

from ..models.doctypes import DOC_TYPES
from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import INVOICE_COLUMNS, charge_kind, conventions, line_items, read_party
from .invoice import ANCHORS, charges, header_fields
from .invoice import KEYS as INVOICE_KEYS
from .labels import Reader, fold, tokens_of
from .pages import Page
from .vocab import ASSIST_WORDS

KEYS = INVOICE_KEYS + ("production_quantity",)
_PART_LEAD = {"part", "parts", "p", "pn", "p/n", "pieza", "piezas", "parte", "partes", "item", "items", "article",
              "articulo", "teil", "teile", "model", "models"}
_CONNECT = {"and", "y", "und", "&", "no", "nos", "number", "numbers", "#", "n", "nr"}
_ID = re.compile(r"^[A-Z0-9]*[A-Z][A-Z0-9]*[-./]?[A-Z0-9]*\d[A-Z0-9\-./]*$|^[A-Z0-9]*\d[A-Z0-9]*[-./][A-Z0-9\-./]+$")


def assist_kind(text: str) -> str | None:
    toks = " " + " ".join(tokens_of(text)) + " "
    counts = {}
    for kind, words in ASSIST_WORDS.items():
        n = sum(toks.count(" " + " ".join(tokens_of(w)) + " ") for w in words)
        if n:
            counts[kind] = n
    if not counts:
        return None
    # a mould or die is more specific than "tool"; prefer it when named at all
    for specific in ("mould", "die"):
        if counts.get(specific):
            return specific
    return max(counts, key=counts.get)


def part_numbers(text: str) -> list[str]:
    """Part numbers named after "part"/"parts"/"P/N" in free text: "for parts HB-2201 and HB-2202"."""
    out: list[str] = []
    words = text.replace(",", " , ").split()
    i = 0
    while i < len(words):
        if fold(words[i]).strip(".:#") in _PART_LEAD:
            j = i + 1
            while j < len(words):
                w = words[j].strip(".:;()")
                f = fold(w)
                if f in _CONNECT or w == ",":
                    j += 1
                    continue
                if _ID.match(w.upper()) and any(c.isdigit() for c in w) and len(w) >= 3:
                    if w not in out:
                        out.append(w)
                    j += 1
                    continue
                break
            i = j
        else:
            i += 1
    return out


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    fs = FieldSet()
    items, tables = line_items(reader, conv, INVOICE_COLUMNS, ANCHORS)
    header_fields(pages, path, reader, conv, tables, fs, issuer_key="supplier")
    party, p = read_party(reader, "ship_to")
    fs.set("ship_to", party, p)
    text = "\n".join(" ".join(w.text for w in ln) for ln in reader.lines)
    fs.set("assist_kind", assist_kind(text), None)
    v, p = reader.value("production_quantity", lambda t: nz.parse_number(t.split()[0], conv.style) if t.split() else None)
    fs.set("production_quantity", v, p)
    parts = [li.get("part_number") for li in items if li.get("part_number")]
    for found in part_numbers(text):
        if found not in parts:
            parts.append(found)
    fs.set("part_numbers", parts, None)
    ch = charges(reader, conv, tables)
    # delivery to the producer billed as a line of the invoice is a charge too
    for li in items:
        desc = li.get("description") or ""
        kind = charge_kind(desc)
        if kind in ("freight", "packing", "insurance") and li.get("amount") is not None and \
                not assist_kind(desc) in ("mould", "die"):
            ch.append(({"kind": "freight" if kind == "packing" and "deliver" in fold(desc) else kind,
                        "description": desc, "amount": li.get("amount")}, li.prov))
    if ch:
        fs.set("charges", [c for c, _ in ch], ch[0][1], [p for _, p in ch])  # each charge's own row
    # the shared invoice header reader also finds fields an assist invoice does not carry (SPEC §4 table)
    for name in [n for n in fs.names() if n not in DOC_TYPES["assist_invoice"]]:
        fs.discard(name)
    return fs, items
