"""Packing lists: references, parties, package and weight totals (to kilograms), and the packing lines."""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import (Conventions, conventions, document_weight_unit, letterhead, line_items, parse_id,
                     quantity_and_unit, read_party, table_header_lines)
from .labels import Reader, fold
from .pages import Page
from .tables import header_unit, summary_cells

KEYS = ("packing_list_number", "invoice_number", "invoice_date", "po_number", "seller", "buyer", "ship_to",
        "total_packages", "total_net_weight", "total_gross_weight", "other_date", "total_quantity", "total",
        "country_of_origin", "bl_number")
COLUMNS = ("line_no", "part_number", "description", "quantity", "unit", "packages", "net_weight", "gross_weight")
ANCHORS = ("quantity", "packages", "net_weight", "gross_weight", "line_no")
TITLE_WORDS = ("packing", "lista", "packliste", "page")
WEIGHT_FIELDS = {"net_weight": "total_net_weight_kg", "gross_weight": "total_gross_weight_kg",
                 "packages": "total_packages"}


def _weight(conv: Conventions, default_unit: str | None):
    def parse(text: str) -> Decimal | None:
        q, _ = quantity_and_unit(text, conv)
        if q is None:
            return None
        unit = nz.weight_unit(text) or default_unit or "KG"
        return nz.to_kg(q, unit)
    return parse


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    doc_unit = document_weight_unit(pages)
    fs = FieldSet()
    items, tables = line_items(reader, conv, COLUMNS, ANCHORS, weight_unit=doc_unit)
    skip = table_header_lines(reader, tables)
    for name, parse in (("packing_list_number", parse_id), ("invoice_number", parse_id), ("po_number", parse_id)):
        hits = sorted([h for h in reader.find(name) if h.line not in skip], key=lambda h: -len(h.words))
        v, p = reader.value(name, parse, hits=hits)
        fs.set(name, v, p)
    party, p = read_party(reader, "seller")
    if party is None:
        party, p = letterhead(pages, reader, lambda t: any(w in fold(t) for w in TITLE_WORDS))
    fs.set("seller", party, p)
    party, p = read_party(reader, "buyer")
    if party is None:
        party, p = read_party(reader, "ship_to")
    fs.set("buyer", party, p)
    # totals: labelled lines first (label text may name the unit: "Net weight (lbs)")
    for key, name in (("total_packages", "total_packages"), ("total_net_weight", "total_net_weight_kg"),
                      ("total_gross_weight", "total_gross_weight_kg")):
        for hit in reversed([h for h in reader.find(key) if h.line not in skip]):
            if name == "total_packages":
                parse = lambda t: quantity_and_unit(t, conv)[0]  # noqa: E731
            else:
                parse = _weight(conv, nz.weight_unit(" ".join(w.text for w in reader.lines[hit.line])) or doc_unit)
            v, p = reader.value(key, parse, hits=[hit])
            if v is not None:
                fs.set(name, v, p)
                break
    # else the totals row of the table, read by column
    for t in tables:
        for label, words in t.summary:
            if "total" not in fold(label) and "summe" not in fold(label):
                continue
            cells = summary_cells(t, words, reader.rules.get(words[0].page, []))
            for col in t.columns:
                name = WEIGHT_FIELDS.get(col.key)
                if name is None or name in fs or col.key not in cells:
                    continue
                text = " ".join(w.text for w in cells[col.key])
                if col.key == "packages":
                    v = quantity_and_unit(text, conv)[0]
                else:
                    v = _weight(conv, nz.weight_unit(text) or header_unit(col) or doc_unit)(text)
                fs.set(name, v, reader.prov(cells[col.key]))
    return fs, items
