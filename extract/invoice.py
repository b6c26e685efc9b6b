"""Commercial invoices: header fields by label, parties from address blocks, line items from the table,
charges from the summary rows and labelled lines."""
from __future__ import annotations

import re
from typing import Sequence

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import (INVOICE_COLUMNS, Conventions, address_blocks, charge_kind, conventions, find_currency,
                     find_incoterm, last_number, legal_footer_name, letterhead, line_items, parse_id,
                     party_from_lines, read_party, sender_line, side_by_side, table_header_lines)
from .labels import Reader, fold, tokens_of
from .pages import Page
from .tables import Table
from .vocab import DATELINE_WORDS
from .vocab import TITLE_WORDS as VOCAB_TITLES

KEYS = ("invoice_number", "invoice_date", "po_number", "seller", "buyer", "ship_to", "currency", "incoterm",
        "payment_terms", "country_of_origin", "subtotal", "total", "other_date", "total_quantity",
        "total_net_weight", "total_gross_weight", "total_packages", "bl_number", "amount_due", "preceding_invoice",
        "other_id")
ANCHORS = ("quantity", "amount", "unit_price", "line_no")
TITLE_WORDS = tuple(dict.fromkeys(fold(w) for w in VOCAB_TITLES))


def _not_in(reader: Reader, hits, lines: set[int]):
    return [h for h in hits if h.line not in lines]


def _generic(hit) -> bool:
    """A label of one word that any date or number may carry ("Date", "Datum", "Fecha")."""
    return len(tokens_of(hit.text)) <= 1


def dateline(reader: Reader, conv: Conventions):
    """The date of a letter's dateline among the first lines of the document: "München, den 01.11.2024",
    "Paris, le 3 mai 2024" (place, the language's dateline word, date); with the index of its line."""
    words = {fold(w) for w in DATELINE_WORDS}
    for i, ln in enumerate(reader.lines[:40]):
        for k in range(1, len(ln) - 1):
            if fold(ln[k].text) in words and ln[k - 1].text.endswith(","):
                for n in (4, 3, 2, 1):
                    run = ln[k + 1:k + 1 + n]
                    d = conv.date(" ".join(w.text for w in run)) if run else None
                    if d:
                        return d, reader.prov(run), i
    return None, None, None


def _not_party_name(text: str, conv: Conventions) -> bool:
    """A date, an amount or an identifier is no party's name."""
    t = text.strip()
    return bool(conv.date(t) or parse_id(t) and t == t.split()[0] or not any(c.isalpha() for c in t))


def parties(pages: Sequence[Page], reader: Reader, conv: Conventions,
            tables: Sequence[Table] = ()) -> tuple[tuple, tuple]:
    """Seller and buyer: from their labels; else the sender line over the address window (the window's block is
    the buyer), the letterhead's or the window's address blocks above the table of goods, and the legal footer."""
    first_page = pages[0].number if pages else None
    tops = [min(w.top for w in reader.lines[i]) for t in tables for i in t.header_lines[:1]
            if reader.lines[i][0].page == first_page]
    limit = min(tops) if tops else None
    seller, sp = read_party(reader, "seller")
    buyer, bp = read_party(reader, "buyer")
    if seller is None:
        sender, sprov, sp_words, first = sender_line(pages, reader)
        if sender is not None:
            seller, sp = sender, sprov
            for b in address_blocks(pages, reader, _title, limit=limit):
                full = party_from_lines(b, name_above_address=True)
                if full is not None and full.name != sender.name and \
                        fold(full.name).startswith(fold(sender.name).rstrip(" ,.")):
                    seller, sp = full, reader.prov([w for ln in b for w in ln])  # "Alphabet" in full
                    break
            if buyer is None:
                own = {id(w) for w in sp_words}
                window = [b for b in address_blocks(pages, reader, _title, limit=limit, exclude=own)
                          if first and first[0] in b[0]]
                if window:
                    buyer = party_from_lines(window[0], name_above_address=True)
                    bp = reader.prov([w for ln in window[0] for w in ln]) if buyer else None
    if seller is None:
        blocks = address_blocks(pages, reader, _title, limit=limit)
        named = {fold(buyer.name)} if buyer is not None and buyer.name else set()
        blocks = [b for b in blocks if party_from_lines(b, True) is not None
                  and fold(party_from_lines(b, True).name) not in named]
        footer, fp = legal_footer_name(pages, reader)
        chosen = None
        if buyer is None and len(blocks) >= 2 and side_by_side(blocks[0], blocks[1]):
            # a window on the left and the sender's letterhead beside it
            left, right = sorted(blocks[:2], key=lambda b: b[0][0].x0)
            chosen = right
            buyer = party_from_lines(left, name_above_address=True)
            bp = reader.prov([w for ln in left for w in ln])
        elif blocks and buyer is None and footer is not None and \
                fold(footer.name) not in fold(" ".join(w.text for w in blocks[0][0])) and len(blocks) == 1:
            # the footer names the issuer; the only address block on top is the addressee's
            seller, sp = footer, fp
            buyer = party_from_lines(blocks[0], name_above_address=True)
            bp = reader.prov([w for ln in blocks[0] for w in ln])
        elif blocks:
            chosen = blocks[0]
        if chosen is not None:
            seller = party_from_lines(chosen, name_above_address=True)
            sp = reader.prov([w for ln in chosen for w in ln]) if seller else None
        if seller is None and footer is not None:
            seller, sp = footer, fp
    if seller is None:
        seller, sp = letterhead(pages, reader, _title)
        if seller is not None and _not_party_name(seller.name, conv):
            seller, sp = None, None
    return (seller, sp), (buyer, bp)


def _title(text: str) -> bool:
    return any(w in fold(text) for w in TITLE_WORDS)


def header_fields(pages: Sequence[Page], path: str, reader: Reader, conv: Conventions, tables: list[Table],
                  fs: FieldSet, issuer_key: str = "seller", buyer_key: str = "buyer") -> None:
    """The fields every kind of invoice shares (number, date, PO, parties, currency, totals, charges)."""
    skip_lines = table_header_lines(reader, tables)
    for name, key, parse in (("invoice_number", "invoice_number", parse_id),
                             ("invoice_date", "invoice_date", conv.date),
                             ("po_number", "po_number", parse_id)):
        # a label naming the field outright before a one-word one ("Rechnungsdatum" before "Datum"), then in
        # reading order
        hits = sorted(_not_in(reader, reader.find(key), skip_lines),
                      key=lambda h: (_generic(h), -len(h.words), h.line))
        v, p, used = None, None, None
        for hit in hits:
            v, p = reader.value(key, parse, hits=[hit])
            if v is not None:
                used = hit
                break
        if name == "invoice_date":
            d, dp, dline = dateline(reader, conv)
            if d and (used is None or _generic(used) and used.line > dline):
                v, p = d, dp  # "München, den 01.11.2024" over a "Datum:" printed lower down
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
    (seller, sp), (buyer, bp) = parties(pages, reader, conv, tables)
    fs.set(issuer_key, seller, sp)
    fs.set(buyer_key, buyer, bp)
    cur, p = find_currency(pages, reader)
    fs.set("currency", cur, p)
    v, p = reader.value("country_of_origin", nz.country_code, hits=_not_in(reader, reader.find("country_of_origin"), skip_lines))
    fs.set("country_of_origin", v, p)
    # totals: labelled values outside table headers, the last one on the document wins; the total is the gross
    # total (EN 16931 BT-112), else the amount due for payment (BT-115)
    for name, keys in (("subtotal", ("subtotal",)), ("total", ("total", "amount_due"))):
        for key in keys:
            hits = _not_in(reader, reader.find(key), skip_lines)
            for hit in reversed(hits):
                v, p = _amount_on_line(reader, conv, hit, several=True) if name == "total" else (None, None)
                if v is None:
                    v, p = reader.value(key, conv.money, hits=[hit])
                if v is None and not hit.fuzzy:
                    v, p = _amount_on_line(reader, conv, hit)
                if v is not None:
                    fs.set(name, v, p)
                    break
            if name in fs:
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
        fs.set("charges", [c for c, _ in ch], ch[0][1], [p for _, p in ch])  # each charge's own row
    if "country_of_origin" not in fs:
        origins = {li.get("country_of_origin") for li in items} - {None}
        if len(origins) == 1:
            fs.set("country_of_origin", origins.pop(), items[0].fields.prov("country_of_origin"))
    return fs, items
