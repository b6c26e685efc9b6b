"""Commercial invoices: header fields by label, parties from address blocks, line items from the table,
charges from the summary rows and labelled lines."""
from __future__ import annotations

import re
from typing import Sequence

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import (INVOICE_COLUMNS, Conventions, charge_kind, conventions, find_currency, find_incoterm,
                     last_number, letterhead, line_items, parse_id, read_party, table_header_lines)
from .labels import Reader, fold
from .pages import Page
from .tables import Table

KEYS = ("invoice_number", "invoice_date", "po_number", "seller", "buyer", "ship_to", "currency", "incoterm",
        "payment_terms", "country_of_origin", "subtotal", "total", "other_date", "total_quantity",
        "total_net_weight", "total_gross_weight", "total_packages", "bl_number")
ANCHORS = ("quantity", "amount", "unit_price", "line_no")
TITLE_WORDS = ("invoice", "factura", "rechnung", "facture", "factuur", "fattura", "faktura", "page", "original",
               "copy")


def _not_in(reader: Reader, hits, lines: set[int]):
    return [h for h in hits if h.line not in lines]


def header_fields(pages: Sequence[Page], path: str, reader: Reader, conv: Conventions, tables: list[Table],
                  fs: FieldSet, issuer_key: str = "seller", buyer_key: str = "buyer") -> None:
    """The fields every kind of invoice shares (number, date, PO, parties, currency, totals, charges)."""
    skip_lines = table_header_lines(reader, tables)
    for name, key, parse in (("invoice_number", "invoice_number", parse_id),
                             ("invoice_date", "invoice_date", conv.date),
                             ("po_number", "po_number", parse_id)):
        hits = sorted(_not_in(reader, reader.find(key), skip_lines), key=lambda h: -len(h.words))
        v, p = reader.value(key, parse, hits=hits)
        fs.set(name, v, p)
    if "invoice_date" not in fs:  # an unlabelled date near the top of the first page
        for ln in reader.lines[:25]:
            for k in range(len(ln)):
                d = conv.date(" ".join(w.text for w in ln[k:k + 4]))
                if d:
                    fs.set("invoice_date", d, reader.prov(ln[k:k + 4]))
                    break
            if "invoice_date" in fs:
                break
    party, p = read_party(reader, "seller")
    if party is None:
        party, p = letterhead(pages, reader, lambda t: any(w in fold(t) for w in TITLE_WORDS))
    fs.set(issuer_key, party, p)
    party, p = read_party(reader, "buyer")
    fs.set(buyer_key, party, p)
    cur, p = find_currency(pages, reader)
    fs.set("currency", cur, p)
    v, p = reader.value("country_of_origin", nz.country_code, hits=_not_in(reader, reader.find("country_of_origin"), skip_lines))
    fs.set("country_of_origin", v, p)
    # totals: labelled values outside table headers, the last one on the document wins
    for name in ("subtotal", "total"):
        hits = _not_in(reader, reader.find(name), skip_lines)
        for hit in reversed(hits):
            v, p = _amount_on_line(reader, conv, hit, several=True) if name == "total" else (None, None)
            if v is None:
                v, p = reader.value(name, conv.money, hits=[hit])
            if v is None and not hit.fuzzy:
                v, p = _amount_on_line(reader, conv, hit)
            if v is not None:
                fs.set(name, v, p)
                break


_AMOUNT = re.compile(r"^(?:[A-Z]{0,3}[$€£¥₹]|Rs\.?)?\s*\d{1,3}(?:[,.' ]?\d{3})*[.,]\d{2}$")


def _amount_on_line(reader: Reader, conv: Conventions, hit, several: bool = False):
    """"Total for this invoice $4.11", "TOTAL AMOUNT DUE ON August 3, 2014 $4.11": the last amount written
    with cents on the label's line, right of it, when words come between. With ``several``, only where the
    line holds two or more such amounts: a totals row "net, tax, gross" ends with what is payable."""
    words = [w for w in reader.lines[hit.line] if w.x0 >= hit.x1 - 0.1 and w not in hit.words]
    if several and sum(1 for w in words if _AMOUNT.match(w.text.strip())) < 2:
        return None, None
    for w in reversed(words):
        if _AMOUNT.match(w.text.strip()):
            v = conv.money(w.text)
            if v is not None:
                return v, reader.prov([w])
    return None, None


def charges(reader: Reader, conv: Conventions, tables: list[Table]) -> list[tuple[dict, object]]:
    """Typed cost lines: from the tables' summary rows and labelled lines elsewhere."""
    out: list[tuple[dict, object]] = []
    seen: set[int] = set()
    for t in tables:
        for label, words in t.summary:
            kind = charge_kind(label)
            if kind is None:
                continue
            amount, used = last_number(words, conv)
            if amount is None:
                continue
            if kind == "discount" and amount > 0:
                amount = -amount
            seen.add(id(words[0]))
            out.append(({"kind": kind, "description": label.strip(" :"), "amount": amount}, reader.prov(words)))
    for ln in reader.lines:
        if id(ln[0]) in seen:
            continue
        text = " ".join(w.text for w in ln)
        if len(text) > 60:
            continue
        label_words = [w for w in ln if not any(c.isdigit() for c in w.text)]
        if not label_words or label_words[0] is not ln[0]:
            continue
        kind = charge_kind(" ".join(w.text for w in label_words))
        if kind is None or kind in ("tax", "duty") and "%" in text:
            continue
        amount, used = last_number(ln, conv)
        if amount is None or not re.search(r"\d[.,]\d{2}\)?$", used[0].text):
            continue  # a charge is money written with its cents
        if any(ln[0] is r.words[0] for t in tables for r in t.rows
               if r.words and any(k in r.cells for k in ("quantity", "part_number", "description", "hts"))):
            continue  # a row of goods (a charge under the table is read as a row with only a label and an amount)
        if kind == "discount" and amount > 0:
            amount = -amount
        out.append(({"kind": kind, "description": " ".join(w.text for w in label_words).strip(" :"),
                     "amount": amount}, reader.prov(ln)))
    return out


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    fs = FieldSet()
    items, tables = line_items(reader, conv, INVOICE_COLUMNS, ANCHORS)
    header_fields(pages, path, reader, conv, tables, fs)
    term, place, p = find_incoterm(reader)
    fs.set("incoterm", term, p)
    fs.set("incoterm_place", place, p)
    ch = charges(reader, conv, tables)
    if ch:
        fs.set("charges", [c for c, _ in ch], ch[0][1])
    if "country_of_origin" not in fs:
        origins = {li.get("country_of_origin") for li in items} - {None}
        if len(origins) == 1:
            fs.set("country_of_origin", origins.pop(), items[0].fields.prov("country_of_origin"))
    return fs, items
