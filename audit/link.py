"""Linking: group the documents of one entry, each link with its reason and confidence.

Entries come from the entry summaries (or a declared-values CSV). Commercial invoices join an entry by the
invoice numbers the 7501 lists; packing lists and mill certificates by the invoice or PO numbers they share
with a linked invoice, or by parties and weights; assists, agreements and payment records join every entry
of the goods they concern (part numbers, parties, products), so one mould can reach several entries.

Agreements join the entries of the goods they cover: a party to them is the importer or the seller, the goods
are their products (part numbers, else descriptions), and the goods were bought while the agreement was in
force. Payment records join the entry whose invoice they name; one that names another shipment's invoice joins
no other entry; one that names none joins the entries of its payer and payee (the importer and the seller, or
a licensor or agent of an agreement of the goods) whose goods were bought near the payment date.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from decimal import Decimal
from typing import Iterable, Sequence

from rapidfuzz import fuzz, utils

from ..extract.normalize import description_words, fold_name, id_key, normalize_hts
from ..extract.facts import parties_of  # noqa: F401  (rules import it from here)
from ..models.records import Document, Entry, EntryLine, Link, Party

NAME_MATCH = 85  # rapidfuzz token_set_ratio for two party names to be the same party


def party_name(p) -> str | None:
    """The name of a party given as a Party, a plain dict (as read) or a string."""
    if isinstance(p, Party):
        return p.name or None
    if isinstance(p, dict):
        return p.get("name") or None
    if isinstance(p, str):
        return p or None
    return None


def same_party(a: Party | str | None, b: Party | str | None) -> float:
    """How alike two party names are, 0–100 (legal suffixes, punctuation, case and accents ignored)."""
    na, nb = party_name(a), party_name(b)
    if not na or not nb:
        return 0.0
    return _name_score(na, nb)


@lru_cache(maxsize=1 << 16)
def _name_score(na: str, nb: str) -> float:  # a folder names the same few parties thousands of times
    return fuzz.token_set_ratio(_strip_suffix(_fold(na)), _strip_suffix(_fold(nb)), processor=utils.default_process)


def _fold(name: str) -> str:
    """Accents off and '&' as 'and' ("Schwäbische" = "Schwabische", "Valve & Fitting" = "Valve and Fitting")."""
    return fold_name(name)


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
    _index: dict[str, list[Entry]] | None = field(default=None, repr=False, compare=False)
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # folder-wide indexes rules build once

    def documents(self, entry: Entry, doc_type: str | None = None) -> list[Document]:
        docs = [self.by_path[p] for p in entry.documents if p in self.by_path]
        return [d for d in docs if doc_type is None or d.doc_type == doc_type]

    def entries_of(self, path: str) -> list[Entry]:
        """The entries a document is linked to (indexed on first use, once the linking is done)."""
        if self._index is None:
            self._index = {}
            for e in self.entries:
                for p in e.documents:
                    self._index.setdefault(p, []).append(e)
        return list(self._index.get(path, ()))

    def of_type(self, doc_type: str) -> list[Document]:
        """Every document of the folder of this type, linked or not, in the order of ``by_path`` (grouped on
        first use: rules ask it once an entry, and a look-back holds tens of thousands of documents)."""
        if "link:of_type" not in self.memo:
            groups: dict[str, list[Document]] = {}
            for d in self.by_path.values():
                groups.setdefault(d.doc_type, []).append(d)
            self.memo["link:of_type"] = groups
        return list(self.memo["link:of_type"].get(doc_type, ()))

    def linked_paths(self) -> set[str]:
        """The paths of the documents linked to some entry (once the linking is done)."""
        if "link:linked_paths" not in self.memo:
            self.memo["link:linked_paths"] = frozenset(p for e in self.entries for p in e.documents)
        return set(self.memo["link:linked_paths"])


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
    by_number: dict[str, list[int]] = {}
    for n, inv in enumerate(invoices):
        for k in ids(inv, "invoice_number"):
            by_number.setdefault(k, []).append(n)
    for e in linked.entries:
        wanted = {id_key(str(x)) for x in (e.header.get("invoice_numbers") or []) if x}
        for ln in e.lines:
            if ln.get("invoice_number"):
                wanted.add(id_key(str(ln.get("invoice_number"))))
        for n in sorted({n for k in wanted for n in by_number.get(k, ())}):
            _add(e, invoices[n], "invoice number listed on the entry summary", 1.0)
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
    entry_invoices = {e.entry_number: linked.documents(e, "commercial_invoice") for e in linked.entries}
    entry_refs = {k: set().union(*(ids(i, "invoice_number", "po_number") for i in invs)) if invs else set()
                  for k, invs in entry_invoices.items()}
    by_weight: _Weights | None = None
    by_ref: dict[str, list[int]] = {}  # invoice or PO number -> the entries (by place) whose invoices carry it
    for n, e in enumerate(linked.entries):
        for k in entry_refs[e.entry_number]:
            by_ref.setdefault(k, []).append(n)
    for d in sorted(documents, key=lambda d: d.doc_type == "mill_certificate"):
        if d.doc_type not in ("packing_list", "mill_certificate", "bill_of_lading"):
            continue
        refs = ids(d, "invoice_number", "po_number")
        # only the entries sharing a number can take a packing list or bill of lading; a mill certificate may
        # also join by its weights (its customer alone is not enough): the entries with a packing list of its weight
        places = {n for k in refs for n in by_ref.get(k, ())}
        if d.doc_type == "mill_certificate":
            if by_weight is None:  # the packing lists are all linked by now (mill certificates come last)
                by_weight = _packing_weights(linked)
            places |= by_weight.near(_cert_weight(d))
        for e in (linked.entries[n] for n in sorted(places)):
            invs, inv_refs = entry_invoices[e.entry_number], entry_refs[e.entry_number]
            if refs & inv_refs:
                _add(e, d, "shares invoice/PO number " + ", ".join(sorted(refs & inv_refs)), 0.95)
            elif d.doc_type == "mill_certificate":
                conf = _mill_affinity(d, invs, linked.documents(e, "packing_list"))
                if conf:
                    _add(e, d, "mill certificate customer is the seller and heat weights match the packing list",
                         conf)
    # 3. assists and certifications: every entry of the goods they concern
    for d in documents:
        if d.doc_type not in ("assist_invoice", "certificate_of_origin"):
            continue
        for e in linked.entries:
            reason = _goods_link(d, entry_invoices[e.entry_number], e)
            if reason:
                _add(e, d, reason[0], reason[1])
    # 3b. agreements: the entries of the goods they cover, between their parties, while in force
    for d in documents:
        if d.doc_type != "agreement":
            continue
        for e in linked.entries:
            reason = _agreement_link(d, entry_invoices[e.entry_number], e)
            if reason:
                _add(e, d, reason[0], reason[1])
    # 3c. payments: the entry whose invoice they name, else by payer, payee and date
    known = _invoice_numbers_by_entry(linked, invoices)
    every = set().union(*known.values())
    owners: dict[str, set[str]] = {}
    for k, numbers in known.items():
        for n in numbers:
            owners.setdefault(n, set()).add(k)
    for d in documents:
        if d.doc_type != "payment_record":
            continue
        named = named_in(d, every) | named_invoices(d)
        # a payment that names invoices concerns their entries only
        owned = set().union(*(owners.get(n, set()) for n in named)) if named else set()
        candidates = [e for e in linked.entries if e.entry_number in owned] if named else linked.entries
        for e in candidates:
            reason = _payment_link(d, linked, e, known.get(e.entry_number, set()), named)
            if reason:
                _add(e, d, reason[0], reason[1])
    linked.unlinked = sorted(set(by_path) - {p for e in linked.entries for p in e.documents})
    linked._index = None  # documents were added while linking
    return linked


def _invoice_affinity(e: Entry, inv: Document) -> float:
    """How well an unlisted invoice fits an entry: same manufacturer/seller name, HTS and total value."""
    score = 0.0
    hts_entry = {normalize_hts(str(ln.get("hts")))[:7] for ln in e.lines if ln.get("hts")}
    hts_inv = {str(li.get("hts"))[:7] for li in inv.line_items if li.get("hts")}
    if hts_entry and hts_inv and hts_inv <= hts_entry:
        score += 0.3
    total = _num(inv.get("total"))
    tev = _num(e.header.get("total_entered_value"))
    rate = _num(e.header.get("exchange_rate")) or (Decimal(1) if inv.get("currency") in (None, "USD") else None)
    if total is not None and tev is not None and rate is not None:
        if abs(total * rate - tev) <= max(Decimal(2), tev * Decimal("0.002")):
            score += 0.5
    # the date tells two otherwise equal entries apart: goods invoiced shortly before their entry
    bought = iso_date(inv.get("invoice_date"))
    entered = iso_date(e.header.get("entry_date")) or iso_date(e.header.get("summary_date"))
    if bought is not None and entered is not None and score > 0:
        if entered - timedelta(days=INVOICE_BEFORE_ENTRY) <= bought <= entered + timedelta(days=7):
            score += 0.05
        else:
            score -= 0.3
    return score


INVOICE_BEFORE_ENTRY = 180  # days an invoice may precede the entry of its goods


def _num(v) -> Decimal | None:
    """A number as read, or None (a value read as text is no number to compare)."""
    return v if isinstance(v, Decimal) and v.is_finite() else None


def _cert_weight(cert: Document) -> Decimal | None:
    """A mill certificate's total weight: as stated, else the sum of its heats' weights."""
    weight = _num(cert.get("total_weight_kg"))
    if weight is None and cert.line_items:
        ws = [_num(li.get("weight_kg")) for li in cert.line_items]
        weight = sum(ws, Decimal(0)) if all(w is not None for w in ws) else None
    return weight


WEIGHT_MATCH = Decimal("0.01")  # a packing list's net weight within 1 % of a mill certificate's


@dataclass
class _Weights:
    """The entries' packing-list net weights, sorted: the entries a mill certificate's weight can match."""
    weights: list[Decimal]
    places: list[int]

    def near(self, weight: Decimal | None) -> set[int]:
        if weight is None:
            return set()
        margin = weight.copy_abs() * WEIGHT_MATCH * 2  # wider than the match: _mill_affinity decides
        lo, hi = weight - margin, weight + margin
        return set(self.places[bisect_left(self.weights, lo):bisect_right(self.weights, hi)])


def _packing_weights(linked: Linked) -> _Weights:
    pairs = sorted((w, n) for n, e in enumerate(linked.entries) for p in linked.documents(e, "packing_list")
                   if (w := _num(p.get("total_net_weight_kg"))) is not None)
    return _Weights([w for w, _ in pairs], [n for _, n in pairs])


def _mill_affinity(cert: Document, invoices: list[Document], packing: list[Document]) -> float:
    seller_match = any(same_party(cert.get("customer"), i.get("seller")) >= NAME_MATCH for i in invoices)
    weight = _cert_weight(cert)
    weight_match = weight is not None and any(
        _num(p.get("total_net_weight_kg")) is not None
        and abs(_num(p.get("total_net_weight_kg")) - weight) <= weight * Decimal("0.01")
        for p in packing)
    if seller_match and weight_match:
        return 0.9
    if weight_match:
        return 0.7
    return 0.0


def _goods_link(d: Document, invoices: list[Document], e: Entry) -> tuple[str, float] | None:
    """Assists and certifications of origin: by part numbers, else by the parties of the sale."""
    parts = {id_key(str(p)) for p in (d.get("part_numbers") or []) if p}
    for li in d.line_items:
        if li.get("part_number"):
            parts.add(id_key(str(li.get("part_number"))))
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
    if d.doc_type == "certificate_of_origin":
        names = [d.get(k) for k in ("exporter", "producer", "importer") if d.get(k) is not None]
        sellers = [i.get("seller") for i in invoices]
        if any(same_party(n, s) >= NAME_MATCH for n in names for s in sellers) and \
                any(same_party(n, e.header.get("importer")) >= NAME_MATCH for n in names):
            return "between the importer and the seller of the goods", 0.7
    return None


# --- agreements and payments ------------------------------------------------------------------------

# agreements whose money is an addition to the price (or a part of it) only for the goods they cover
_GOODS_BOUND = {"royalty", "licence", "license", "selling_commission", "buying_commission", "distribution"}
_STOP = {"the", "and", "of", "for", "with", "all", "other", "products", "product", "licensed", "goods", "items",
         "parts", "part", "nos", "no", "models", "model", "series", "including", "such", "as", "any", "its", "in",
         "s", "mens", "womens"}
DESCRIPTION_MATCH = 80  # rapidfuzz token_set_ratio between an agreement's products and a goods description


def iso_date(v) -> date | None:
    if isinstance(v, date):
        return v
    t = str(v or "")[:10]
    if len(t) != 10 or t[4] != "-" or t[7] != "-" or not all(c.isdigit() and c.isascii() for c in t[:4] + t[5:7] + t[8:]):
        return None
    try:
        return date(int(t[:4]), int(t[5:7]), int(t[8:]))
    except ValueError:
        return None


def goods_date(e: Entry, invoices: list[Document]) -> date | None:
    """When the goods of the entry were bought: the earliest invoice date, else the entry (summary) date."""
    dates = [iso_date(i.get("invoice_date")) for i in invoices]
    dates = [d for d in dates if d is not None]
    if dates:
        return min(dates)
    return iso_date(e.header.get("entry_date")) or iso_date(e.header.get("summary_date"))


def agreement_term(d: Document) -> tuple[date | None, date | None]:
    """When an agreement came into force and, where it says, when it ends."""
    start = iso_date(d.get("effective_date"))
    # no extractor reads an agreement's end (the SPEC table has no such field): open-ended until a fact says so
    end = None
    return start, end


def agreement_parts(d: Document) -> set[str]:
    """Part numbers an agreement names ("plastic housings (CV-310, HB-2201)", or its own lines)."""
    parts = {str(p) for f in d.facts_of("part_numbers") for p in (f.value or [])}
    for li in d.line_items:
        if li.get("part_number"):
            parts.add(id_key(str(li.get("part_number"))))
    return {p for p in parts if p}


@lru_cache(maxsize=1 << 14)
def _words(text: str) -> str:
    return description_words(text, _STOP)


def products_match(products: str | None, descriptions: Iterable[str]) -> float:
    """How well an agreement's products read as one of the goods descriptions, 0–100 (0: nothing to compare)."""
    want = _words(products or "")
    if not want:
        return 0.0
    return max((fuzz.token_set_ratio(want, _words(x)) for x in descriptions if x and _words(x)), default=0.0)


def goods_descriptions(e: Entry, invoices: list[Document]) -> list[str]:
    out = [str(li.get("description")) for i in invoices for li in i.line_items if li.get("description")]
    out += [str(ln.get("description")) for ln in e.lines if ln.get("description")]
    return out


def _on(p, side: list) -> bool:
    return any(same_party(p, x) >= NAME_MATCH for x in side if x is not None)


def _agreement_link(d: Document, invoices: list[Document], e: Entry) -> tuple[str, float] | None:
    kind = str(d.get("agreement_type") or "").lower()
    parties = parties_of(d)
    buyers = [e.header.get("importer")] + [i.get("buyer") for i in invoices]
    sellers = [i.get("seller") for i in invoices]
    with_buyer = [p for p in parties if _on(p, buyers)]
    with_seller = [p for p in parties if _on(p, sellers)]
    if parties and not with_buyer and not with_seller:
        return None  # an agreement of other parties
    when = goods_date(e, invoices)
    start, end = agreement_term(d)
    if when is not None and start is not None and when < start:
        return None  # the goods were bought before it came into force
    if when is not None and end is not None and when > end:
        return None  # ... or after it ended
    term = f"; in force from {start.isoformat()}" if start and when else ""
    sides = []
    if with_buyer:
        sides.append("the importer")
    if with_seller:
        sides.append("the seller")
    between = ("; between " + " and ".join(sides) if len(sides) == 2 else
               f"; {sides[0]} is a party" if sides else "; its parties are not shown")
    parts = agreement_parts(d)
    inv_parts = {id_key(str(li.get("part_number"))) for i in invoices for li in i.line_items if li.get("part_number")}
    shared = parts & inv_parts
    if shared:
        return "concerns part numbers " + ", ".join(sorted(shared)) + between + term, 0.95 if sides else 0.8
    products = str(d.get("products") or "")
    score = products_match(products, goods_descriptions(e, invoices))
    if sides and score >= DESCRIPTION_MATCH and not (parts and inv_parts):
        return f"its products ({products}) are the goods of the entry{between}{term}", 0.8
    stated = bool(parts) or bool(_words(products))
    if with_buyer and with_seller:
        if stated and kind in _GOODS_BOUND:
            return None  # its products are other goods
        return "between the importer and the seller of the goods" + term, 0.7 if not stated else 0.6
    if sides and not stated and kind in _GOODS_BOUND:
        return f"a fee agreement{between}; its products are not stated{term}", 0.5
    return None


def _references(doc: Document) -> tuple[set[str], str]:
    """The identifiers a payment's text gives (its ``references`` fact): the words, and all of it as one key."""
    words: set[str] = set()
    key = ""
    for f in doc.facts_of("references"):
        if isinstance(f.value, dict):
            words |= set(f.value.get("words") or [])
            key = key or str(f.value.get("key") or "")
    return words, key


def mentions(doc: Document, numbers: set[str]) -> bool:
    """Does the document's text name one of the identifiers (a whole word, or inside one when six characters or
    more)?"""
    words, key = _references(doc)
    return any(n and (n in words or (len(n) >= 6 and n in key)) for n in numbers)


def named_invoices(doc: Document) -> set[str]:
    """The identifiers a payment's text gives as invoice numbers ("Royalty 6% on invoice XIA-257980"), read in
    extraction (its ``invoice_reference`` facts)."""
    return {str(n) for f in doc.facts_of("invoice_reference") for n in (f.value or [])}


def entry_invoice_numbers(e: Entry, invoices: list[Document]) -> set[str]:
    out = {id_key(str(i.get("invoice_number"))) for i in invoices if i.get("invoice_number")}
    out |= {id_key(str(x)) for x in (e.header.get("invoice_numbers") or []) if x}
    return {x for x in out if x}


def _invoice_numbers_by_entry(linked: Linked, invoices: list[Document]) -> dict[str, set[str]]:
    """Every invoice number the folder knows, by the entry it belongs to ("" for invoices of no entry)."""
    out: dict[str, set[str]] = {"": set()}
    for e in linked.entries:
        out[e.entry_number] = entry_invoice_numbers(e, linked.documents(e, "commercial_invoice"))
    taken = set().union(*out.values())
    out[""] = {id_key(str(i.get("invoice_number"))) for i in invoices if i.get("invoice_number")} - taken
    return out


PAYMENT_BEFORE = 120  # days a payment may precede the goods' invoice (a deposit, an advance)
PAYMENT_AFTER = 400  # days it may follow it (a royalty or commission settled later)
FEE_BEFORE = 7  # days a fee to a licensor or agent may precede the goods' invoice


def named_in(doc: Document, numbers: set[str]) -> set[str]:
    """The identifiers of ``numbers`` a payment's text names (as ``mentions``), found without trying each."""
    words, key = _references(doc)
    out = words & numbers
    for i in range(len(key)):
        for j in range(i + 6, min(len(key), i + 40) + 1):
            if key[i:j] in numbers:
                out.add(key[i:j])
    return out


def _payment_link(d: Document, linked: Linked, e: Entry, mine: set[str],
                  named: set[str]) -> tuple[str, float] | None:
    """``mine``: the entry's invoice numbers; ``named``: the invoice numbers the payment names."""
    invoices = linked.documents(e, "commercial_invoice")
    mine = mine or entry_invoice_numbers(e, invoices)
    if named & mine:
        return "names invoice " + ", ".join(sorted(named & mine)), 0.95
    if named:
        return None  # paid for another shipment's goods
    payer, payee = d.get("payer"), d.get("payee")
    buyers = [e.header.get("importer")] + [i.get("buyer") for i in invoices]
    sellers = [i.get("seller") for i in invoices]
    if not _on(payer, buyers):
        return None
    when = goods_date(e, invoices)
    paid = iso_date(d.get("payment_date"))
    if when is not None and paid is not None and \
            not (when - timedelta(days=PAYMENT_BEFORE) <= paid <= when + timedelta(days=PAYMENT_AFTER)):
        return None  # too far from these goods
    dated = " near the goods' date" if when is not None and paid is not None else ""
    if _on(payee, sellers):
        return "paid by the importer to the seller of the goods" + dated, 0.7 if dated else 0.6
    if when is not None and paid is not None and paid < when - timedelta(days=FEE_BEFORE):
        return None  # a royalty or commission is paid on goods bought, not months before them
    for a in linked.documents(e, "agreement"):
        start, end = agreement_term(a)
        if paid is not None and ((start is not None and paid < start) or
                                 (end is not None and paid > end + timedelta(days=PAYMENT_AFTER))):
            continue
        for p in parties_of(a):
            if _on(payee, [p]) and not _on(p, buyers):
                role = f" ({p.role})" if p.role else ""
                return (f"paid by the importer to {p.name}{role}, a party to agreement {a.path} of the goods"
                        + dated), 0.6 if dated else 0.5
    return None


# --- declared values from a CSV: read in extract/declared.py ------------------------------------------

from ..extract.declared import CSV_COLUMNS, load_declared_csv  # noqa: E402,F401  (callers import them from here)
