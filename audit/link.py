"""Linking: group the documents of one entry, each link with its reason and confidence.

Entries come from the entry summaries (or a declared-values CSV). Commercial invoices join an entry by the
invoice numbers the 7501 lists; packing lists and mill certificates by the invoice or PO numbers they share
with a linked invoice, or by parties and weights; assists, agreements and payment records join every entry
of the goods they concern (part numbers, parties, products), so one mould can reach several entries.
"""
from __future__ import annotations

import re

import csv
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Sequence

from rapidfuzz import fuzz, utils

from ..extract.normalize import id_key, normalize_entry_number, normalize_hts
from ..models.records import Document, Entry, EntryLine, FieldSet, Link, Party

NAME_MATCH = 85  # rapidfuzz token_set_ratio for two party names to be the same party


def same_party(a: Party | str | None, b: Party | str | None) -> float:
    """How alike two party names are, 0–100 (legal suffixes and punctuation ignored)."""
    na = a.name if isinstance(a, Party) else a
    nb = b.name if isinstance(b, Party) else b
    if not na or not nb:
        return 0.0
    return fuzz.token_set_ratio(_strip_suffix(na), _strip_suffix(nb), processor=utils.default_process)


_SUFFIXES = ("inc", "incorporated", "llc", "ltd", "limited", "co", "company", "corp", "corporation", "gmbh", "ag",
             "sa", "de", "cv", "sas", "srl", "spa", "bv", "nv", "plc", "sl", "kg", "pte", "pty", "oy", "ab", "as")


def _strip_suffix(name: str) -> str:
    toks = utils.default_process(name).split()
    while toks and toks[-1] in _SUFFIXES:
        toks.pop()
    return " ".join(toks) or name


def ids(doc: Document, *names: str) -> set[str]:
    out = set()
    for n in names:
        v = doc.get(n)
        vals = v if isinstance(v, list) else [v]
        for x in vals:
            if x:
                out.add(id_key(str(x)))
    return out


@dataclass
class Linked:
    entries: list[Entry]
    by_path: dict[str, Document]
    unlinked: list[str] = field(default_factory=list)

    def documents(self, entry: Entry, doc_type: str | None = None) -> list[Document]:
        docs = [self.by_path[p] for p in entry.documents if p in self.by_path]
        return [d for d in docs if doc_type is None or d.doc_type == doc_type]


def _entry_from_summary(doc: Document) -> Entry:
    number = doc.get("entry_number") or f"UNNUMBERED:{doc.path}"
    lines = [EntryLine(li.fields, li.prov) for li in doc.line_items]
    return Entry(entry_number=number, documents=[doc.path], lines=lines, header=doc.fields,
                 links=[Link(doc.path, "entry summary", 1.0)])


def _add(entry: Entry, doc: Document, reason: str, confidence: float) -> None:
    if doc.path not in entry.documents:
        entry.documents.append(doc.path)
        entry.links.append(Link(doc.path, reason, confidence))


def link(documents: Sequence[Document], declared: Iterable[Entry] | None = None) -> Linked:
    by_path = {d.path: d for d in documents}
    entries: dict[str, Entry] = {}
    for d in documents:
        if d.doc_type == "entry_summary":
            e = _entry_from_summary(d)
            if e.entry_number in entries:  # two copies of one entry summary: one entry
                _add(entries[e.entry_number], d, "entry summary (copy)", 1.0)
            else:
                entries[e.entry_number] = e
    for e in declared or ():
        if e.entry_number in entries:
            continue
        entries[e.entry_number] = e
    linked = Linked(sorted(entries.values(), key=lambda e: e.entry_number), by_path)
    invoices = [d for d in documents if d.doc_type == "commercial_invoice"]
    # 1. invoices by the invoice numbers the entry lists
    for e in linked.entries:
        wanted = {id_key(str(x)) for x in (e.header.get("invoice_numbers") or []) if x}
        for ln in e.lines:
            if ln.get("invoice_number"):
                wanted.add(id_key(str(ln.get("invoice_number"))))
        for inv in invoices:
            if ids(inv, "invoice_number") & wanted:
                _add(e, inv, "invoice number listed on the entry summary", 1.0)
    # 1b. invoices not listed: by seller = manufacturer and value or HTS agreement (lower confidence)
    linked_paths = {p for e in linked.entries for p in e.documents}
    for inv in invoices:
        if inv.path in linked_paths:
            continue
        best, best_score = None, 0.0
        for e in linked.entries:
            score = _invoice_affinity(e, inv)
            if score > best_score:
                best, best_score = e, score
        if best is not None and best_score >= 0.6:
            _add(best, inv, "invoice matches the entry's lines (HTS and value)", round(best_score, 2))
    # 2. packing lists, mill certificates, bills of lading: through the entry's invoices
    # packing lists first: a mill certificate may be recognised by the packing list's weights
    for d in sorted(documents, key=lambda d: d.doc_type == "mill_certificate"):
        if d.doc_type not in ("packing_list", "mill_certificate", "bill_of_lading"):
            continue
        refs = ids(d, "invoice_number", "po_number")
        for e in linked.entries:
            invs = linked.documents(e, "commercial_invoice")
            inv_refs = set().union(*(ids(i, "invoice_number", "po_number") for i in invs)) if invs else set()
            if refs & inv_refs:
                _add(e, d, "shares invoice/PO number " + ", ".join(sorted(refs & inv_refs)), 0.95)
            elif d.doc_type == "mill_certificate":
                conf = _mill_affinity(d, invs, linked.documents(e, "packing_list"))
                if conf:
                    _add(e, d, "mill certificate customer is the seller and heat weights match the packing list",
                         conf)
    # 3. assists, agreements, payments: every entry of the goods they concern
    for d in documents:
        if d.doc_type not in ("assist_invoice", "agreement", "payment_record", "certificate_of_origin"):
            continue
        for e in linked.entries:
            reason = _goods_link(d, linked.documents(e, "commercial_invoice"), e)
            if reason:
                _add(e, d, reason[0], reason[1])
    linked.unlinked = sorted(set(by_path) - {p for e in linked.entries for p in e.documents})
    return linked


def _invoice_affinity(e: Entry, inv: Document) -> float:
    """How well an unlisted invoice fits an entry: same manufacturer/seller name, HTS and total value."""
    score = 0.0
    hts_entry = {normalize_hts(str(ln.get("hts")))[:7] for ln in e.lines if ln.get("hts")}
    hts_inv = {str(li.get("hts"))[:7] for li in inv.line_items if li.get("hts")}
    if hts_entry and hts_inv and hts_inv <= hts_entry:
        score += 0.3
    total = inv.get("total")
    tev = e.header.get("total_entered_value")
    rate = e.header.get("exchange_rate") or (Decimal(1) if inv.get("currency") in (None, "USD") else None)
    if total is not None and tev is not None and rate is not None:
        if abs(total * rate - tev) <= max(Decimal(2), tev * Decimal("0.002")):
            score += 0.5
    return score


def _mill_affinity(cert: Document, invoices: list[Document], packing: list[Document]) -> float:
    seller_match = any(same_party(cert.get("customer"), i.get("seller")) >= NAME_MATCH for i in invoices)
    weight = cert.get("total_weight_kg")
    if weight is None and cert.line_items:
        ws = [li.get("weight_kg") for li in cert.line_items]
        weight = sum(ws, Decimal(0)) if all(w is not None for w in ws) else None
    weight_match = weight is not None and any(
        p.get("total_net_weight_kg") is not None and abs(p.get("total_net_weight_kg") - weight) <= weight * Decimal("0.01")
        for p in packing)
    if seller_match and weight_match:
        return 0.9
    if weight_match:
        return 0.7
    return 0.0


_PART_LIKE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")


def _goods_link(d: Document, invoices: list[Document], e: Entry) -> tuple[str, float] | None:
    parts = {id_key(str(p)) for p in (d.get("part_numbers") or []) if p}
    for li in d.line_items:
        if li.get("part_number"):
            parts.add(id_key(str(li.get("part_number"))))
    if d.doc_type == "agreement":  # "plastic housings (CV-310, HB-2201)": the products named by part number
        parts |= {id_key(p) for p in _PART_LIKE.findall(str(d.get("products") or ""))}
    if d.doc_type == "payment_record":  # "Royalty 6% on invoice XIA-257980": paid for this entry's goods
        said = " ".join(str(d.get(k) or "") for k in ("purpose", "reference"))
        numbers = {id_key(str(i.get("invoice_number"))) for i in invoices if i.get("invoice_number")}
        numbers |= {id_key(str(x)) for x in (e.header.get("invoice_numbers") or []) if x}
        named = {id_key(t) for t in _PART_LIKE.findall(said)} & {n for n in numbers if n}
        if named:
            return "names invoice " + ", ".join(sorted(named)), 0.95
    inv_parts = {id_key(str(li.get("part_number"))) for i in invoices for li in i.line_items if li.get("part_number")}
    shared = parts & inv_parts
    if shared:
        return "concerns part numbers " + ", ".join(sorted(shared)), 0.95
    # an assist shipped to the producer of the entry's goods and billed to its importer
    if d.doc_type == "assist_invoice":
        producer = any(same_party(d.get("ship_to"), i.get("seller")) >= NAME_MATCH for i in invoices)
        importer = same_party(d.get("buyer"), e.header.get("importer")) >= NAME_MATCH
        if producer and importer:
            return "billed to the importer and shipped to the producer of the goods", 0.8
    if d.doc_type in ("agreement", "payment_record", "certificate_of_origin"):
        names = [p for p in (d.get("parties") or []) if isinstance(p, Party)]
        for key in ("payer", "payee", "exporter", "producer", "importer"):
            if isinstance(d.get(key), Party):
                names.append(d.get(key))
        sellers = [i.get("seller") for i in invoices]
        if any(same_party(n, s) >= NAME_MATCH for n in names for s in sellers) and \
                any(same_party(n, e.header.get("importer")) >= NAME_MATCH for n in names):
            return "between the importer and the seller of the goods", 0.7
    return None


# --- declared values from a CSV (an ACE report export, when the 7501s are missing) --------------------

CSV_COLUMNS = {
    "entry_number": "header", "entry_type": "header", "entry_date": "header", "summary_date": "header",
    "port_code": "header", "importer_name": "header", "importer_number": "header",
    "country_of_origin": "header", "mode_of_transport": "header", "currency": "header",
    "exchange_rate": "header", "invoice_number": "header", "mpf": "header", "hmf": "header",
    "line_no": "line", "hts": "line", "description": "line", "entered_value": "line", "quantity": "line",
    "unit": "line", "duty_rate": "line", "duty": "line", "spi": "line", "related_party": "line",
    "melt_country": "line", "additional_hts": "line", "additional_rate": "line", "additional_value": "line",
}
_DEC = {"exchange_rate", "mpf", "hmf", "entered_value", "quantity", "duty_rate", "duty", "additional_rate",
        "additional_value"}


def _dec(s: str) -> Decimal | None:
    s = (s or "").strip().replace(",", "").replace("$", "").rstrip("%")
    if not s:
        return None
    if s.lower() == "free":
        return Decimal(0)
    try:
        return Decimal(s)
    except InvalidOperation:
        raise ValueError(f"not a number: {s!r}") from None


def load_declared_csv(path: Path) -> list[Entry]:
    """Entries from a CSV with one row per entry line (columns: see ``CSV_COLUMNS`` and the README)."""
    entries: dict[str, Entry] = {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"entry_number", "line_no", "hts", "entered_value"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(sorted(missing))}")
        for n, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            number = normalize_entry_number(row["entry_number"]) or row["entry_number"]
            e = entries.get(number)
            if e is None:
                e = Entry(entry_number=number, header=FieldSet(), links=[Link(str(path), "declared values CSV", 1.0)])
                entries[number] = e
                h = e.header
                h.set("entry_number", number)
                for k in ("entry_type", "entry_date", "summary_date", "port_code", "country_of_origin",
                          "mode_of_transport", "currency"):
                    h.set(k, row.get(k) or None)
                for k in ("exchange_rate", "mpf", "hmf"):
                    h.set(k, _dec(row.get(k, "")))
                if row.get("importer_name") or row.get("importer_number"):
                    h.set("importer", Party(name=row.get("importer_name") or None,
                                            number=row.get("importer_number") or None))
                if row.get("invoice_number"):
                    h.set("invoice_numbers", [x.strip() for x in row["invoice_number"].split(";") if x.strip()])
            fs = FieldSet()
            fs.set("line_no", int(row["line_no"]))
            fs.set("hts", normalize_hts(row["hts"]) or row["hts"])
            for k in ("description", "unit", "spi", "melt_country"):
                fs.set(k, row.get(k) or None)
            for k in ("entered_value", "quantity", "duty_rate", "duty"):
                fs.set(k, _dec(row.get(k, "")))
            if row.get("related_party"):
                fs.set("related_party", row["related_party"].strip().upper() in ("Y", "YES", "TRUE", "1"))
            if row.get("additional_hts"):
                fs.set("additional", [{"hts": normalize_hts(row["additional_hts"]) or row["additional_hts"],
                                       "rate": _dec(row.get("additional_rate", "")),
                                       "value": _dec(row.get("additional_value", ""))}])
            e.lines.append(EntryLine(fs))
    for e in entries.values():
        total = sum((ln.get("entered_value") or Decimal(0) for ln in e.lines), Decimal(0))
        e.header.set("total_entered_value", total)
    return list(entries.values())
