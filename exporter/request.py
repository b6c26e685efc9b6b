"""The U.S. exporter's request to CBP for assistance in a valuation or classification dispute with a foreign customs
administration (CBP's notice of 18 June 2015, 80 FR 34924), drafted from the export sale's documents and a short
facts file.

The figures come from the documents, read by the project's own extraction (``pipeline.scan`` into a throwaway
store): the commercial invoices (goods, freight, insurance, total), the packing lists and the payment records, every
amount ``Decimal`` to the cent. The facts file gives what no document of the sale shows: the parties' relation, the
foreign decision (its date, reference, the value or heading it imposed), the product facts and the statements on
the conditions of Article 1.1 of the WTO Customs Valuation Agreement. The methods of that Agreement and their texts
are data (``valuation_agreement.json``); each is judged in its order from the facts and the documents. What the tool
does not know is a highlighted placeholder; the draft is written through ``audit/writers.py`` as Word with its
Markdown twin.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..audit.disclose import DOC_TYPE_NAMES, _t, placeholder, placeholders_in
from ..audit.writers import PRIVILEGE, Block, DraftMeta, write_blocks
from ..models.fold import id_key
from ..models.records import Document, q2

AGREEMENT = json.loads(Path(__file__).with_name("valuation_agreement.json").read_text(encoding="utf-8"))
NOTICE = ("Notice of Opportunity and Procedures To Request Assistance on Tariff Classification and Customs Valuation "
          "Treatment by Other Customs Administrations Affecting United States Exports, 80 FR 34924 (June 18, 2015)")
# the address the notice gives for requests (80 FR 34924, ADDRESSES)
ADDRESS = ["U.S. Customs and Border Protection", "Office of International Trade, Regulations & Rulings",
           "Attention: Commercial and Trade Facilitation Division", "90 K St. NE., 10th Floor",
           "Washington, DC 20229-1177"]
FOIA = "5 U.S.C. 552(b)(4)"
CCI = "19 CFR 103.35"
ZERO = Decimal("0.00")
HEADER = f"{PRIVILEGE} — CONFIDENTIAL COMMERCIAL INFORMATION ({CCI})"


class FactsError(ValueError):
    """A facts file that is missing, not JSON, or lacks what the request cannot be drafted without: a usage error."""


class NoInvoice(ValueError):
    """A folder with no commercial invoice of the sale (or none the request can total): a usage error."""


# --- the facts file -------------------------------------------------------------------------------------------

REQUIRED = (("exporter", "name"), ("importer", "name"), ("country",), ("customs_administration",),
            ("decision", "date"), ("decision", "reference"))


def _at(data: dict, *keys: str) -> Any:
    cur: Any = data
    for k in keys:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(k)
    return cur


def read_facts(path: Path | str) -> dict:
    """The facts file as a dict (numbers as ``Decimal``), checked: :class:`FactsError` with one line saying what is
    wrong and where."""
    p = Path(path)
    where = f"--facts {p}"
    if not p.exists():
        raise FactsError(f"{where}: no such file")
    if p.is_dir():
        raise FactsError(f"{where}: a folder, not a JSON file")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FactsError(f"{where}: not UTF-8 text") from None
    except OSError as exc:
        raise FactsError(f"{where}: cannot read it ({exc.strerror or exc})") from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise FactsError(f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return check_facts(data, where)


def check_facts(data: Any, where: str = "facts") -> dict:
    if not isinstance(data, dict):
        raise FactsError(f"{where}: a JSON object is expected (exporter, importer, country, customs_administration, "
                         f"decision)")
    missing = [".".join(k) for k in REQUIRED if not _text(_at(data, *k))]
    if missing:
        raise FactsError(f"{where}: missing {', '.join(missing)}")
    when = _at(data, "decision", "date")
    try:
        date.fromisoformat(str(when))
    except ValueError:
        raise FactsError(f"{where}: decision.date {when!r} is not a date (write YYYY-MM-DD)") from None
    imposed = _at(data, "decision", "value_imposed")
    if imposed is not None:
        amount = _at(data, "decision", "value_imposed", "amount")
        cur = _at(data, "decision", "value_imposed", "currency")
        if _money(amount) is None:
            raise FactsError(f"{where}: decision.value_imposed.amount {amount!r} is not an amount (e.g. \"44120.00\")")
        if not (isinstance(cur, str) and len(cur) == 3 and cur.isalpha()):
            raise FactsError(f"{where}: decision.value_imposed.currency {cur!r} is not an ISO 4217 code (e.g. USD)")
    for key in ("hs_declared", "hs_imposed"):
        code = _at(data, "decision", key)
        if code is not None and not _hs_digits(code):
            raise FactsError(f"{where}: decision.{key} {code!r} is not an HS code (e.g. 8481.80)")
    return data


def _text(v: Any) -> str:
    return _t(v) if isinstance(v, (str, int, Decimal)) and not isinstance(v, bool) else ""


def _money(v: Any) -> Decimal | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        d = Decimal(str(v).replace(",", ""))
    except InvalidOperation:
        return None
    return q2(d) if d.is_finite() else None


def _hs_digits(code: Any) -> str:
    s = str(code).replace(".", "").replace(" ", "")
    return s if s.isdigit() and 4 <= len(s) <= 12 else ""


# --- the sale, from the documents --------------------------------------------------------------------------

@dataclass
class Cite:
    """Where a figure was read: file and page."""

    path: str
    page: int | None

    def text(self) -> str:
        return f"{_t(self.path)}" + (f", p. {self.page}" if self.page else "")


@dataclass
class InvoiceMoney:
    document: Document
    number: str
    currency: str
    goods: Decimal
    freight: Decimal
    insurance: Decimal
    other: Decimal  # other charges the invoice adds (or deducts)
    total: Decimal | None  # as printed
    cite: Cite

    @property
    def cif(self) -> Decimal:
        return q2(self.goods + self.freight + self.insurance)


@dataclass
class Sale:
    invoices: list[InvoiceMoney]
    packing_lists: list[Document]
    payments: list[Document]
    unread: list[tuple[str, str]]  # documents that could not be read: path, why
    currency: str

    def total(self, name: str) -> Decimal:
        return q2(sum((getattr(i, name) for i in self.invoices), ZERO))

    @property
    def cif(self) -> Decimal:
        return q2(sum((i.cif for i in self.invoices), ZERO))

    @property
    def paid(self) -> Decimal | None:
        amounts = [p.fields.get("amount") for p in self.payments if p.fields.get("currency") == self.currency]
        amounts = [a for a in amounts if isinstance(a, Decimal)]
        return q2(sum(amounts, ZERO)) if amounts else None


def _cite(doc: Document, *names: str) -> Cite:
    for n in names:
        prov = doc.fields.prov(n)
        if prov is not None and prov.page:
            return Cite(doc.path, prov.page)
    return Cite(doc.path, 1 if doc.pages == 1 else None)


def _invoice_money(doc: Document) -> InvoiceMoney | None:
    cur = doc.fields.get("currency")
    items = [li.get("amount") for li in doc.line_items]
    lines_sum = q2(sum((a for a in items if isinstance(a, Decimal)), ZERO)) if items and all(
        isinstance(a, Decimal) for a in items) else None
    goods = doc.fields.get("subtotal")
    goods = goods if isinstance(goods, Decimal) else lines_sum
    charges = doc.fields.get("charges") or []
    by_kind: dict[str, Decimal] = {}
    for ch in charges:
        amount = ch.get("amount") if isinstance(ch, dict) else None
        if isinstance(amount, Decimal):
            kind = ch.get("kind") if ch.get("kind") in ("freight", "insurance") else "other"
            by_kind[kind] = by_kind.get(kind, ZERO) + amount
    total = doc.fields.get("total")
    total = total if isinstance(total, Decimal) else None
    if goods is None and total is not None:
        goods = q2(total - sum(by_kind.values(), ZERO))
    if goods is None or not cur:
        return None
    return InvoiceMoney(doc, _t(doc.fields.get("invoice_number") or doc.path), str(cur), q2(goods),
                        q2(by_kind.get("freight", ZERO)), q2(by_kind.get("insurance", ZERO)),
                        q2(by_kind.get("other", ZERO)), total, _cite(doc, "total", "subtotal"))


def read_documents(folder: Path | str, workers: int | None = None) -> list[Document]:
    """The folder's documents, read by the project's extraction into a throwaway store."""
    import tempfile

    from .. import pipeline
    from ..models.store import Store

    with tempfile.TemporaryDirectory(prefix="appraiser-assist-") as tmp:
        store = Store(Path(tmp) / "assist.db")
        try:
            pipeline.scan(Path(folder), store, workers=workers)
            return store.documents()
        finally:
            store.close()


def sale_of(documents: list[Document], folder: str = "the folder") -> Sale:
    """The export sale the documents show. :class:`NoInvoice` when no commercial invoice gives a value."""
    read = [d for d in documents if not d.error]
    invoices = [m for m in (_invoice_money(d) for d in read if d.doc_type == "commercial_invoice") if m is not None]
    if not invoices:
        kinds = ", ".join(sorted({DOC_TYPE_NAMES.get(d.doc_type, d.doc_type) for d in read}))
        raise NoInvoice(f"{folder}: no commercial invoice with its amounts found ({len(documents)} "
                        f"file{'s' if len(documents) != 1 else ''} read" + (f": {kinds}" if kinds else "") + ")")
    currencies = sorted({i.currency for i in invoices})
    if len(currencies) > 1:
        raise NoInvoice(f"{folder}: the invoices are in several currencies ({', '.join(currencies)}); one request "
                        f"covers one sale in one currency")
    keys = {id_key(i.number) for i in invoices}
    payments = [d for d in read if d.doc_type == "payment_record"]
    referenced = [p for p in payments if any(isinstance(f.value, list) and set(f.value) & keys
                                             for f in p.facts_of("invoice_reference"))]
    return Sale(sorted(invoices, key=lambda i: i.document.path), [d for d in read if d.doc_type == "packing_list"],
                referenced or payments, [(d.path, d.error) for d in documents if d.error], currencies[0])


# --- the analysis ----------------------------------------------------------------------------------------------

@dataclass
class Condition:
    article: str
    text: str
    met: bool | None  # None: not known
    reason: str


@dataclass
class Method:
    article: str
    title: str
    summary: str
    applies: bool | None  # None: depends on what is to be confirmed
    reason: str


@dataclass
class Money:
    currency: str
    goods: Decimal
    freight: Decimal
    insurance: Decimal
    cif: Decimal
    other: Decimal
    invoiced: Decimal | None  # the invoices' totals as printed
    paid: Decimal | None
    imposed: Decimal | None
    imposed_currency: str | None
    difference: Decimal | None  # imposed − CIF, where both are in one currency
    uplift_percent: Decimal | None


@dataclass
class AssistRequest:
    facts: dict
    sale: Sale
    money: Money
    conditions: list[Condition]
    adjustments: list[tuple[str, str, str]]  # article, what, finding
    methods: list[Method]
    exhibits: list[str]
    notes: list[str]  # for counsel, not for filing
    blocks: list[Block] = field(default_factory=list)

    @property
    def exporter(self) -> str:
        return _t(_at(self.facts, "exporter", "name"))

    @property
    def placeholders(self) -> list[str]:
        return placeholders_in(self.blocks)


def _flag(facts: dict, key: str) -> bool | None:
    v = _at(facts, "transaction", key)
    return v if isinstance(v, bool) else None


def _relation(facts: dict) -> str | None:
    rel = _at(facts, "importer", "relation")
    rel = rel.strip().lower() if isinstance(rel, str) else None
    return rel if rel in ("related", "unrelated") else None


def conditions_of(facts: dict) -> list[Condition]:
    """The four conditions of Article 1.1, each met, not met or to be confirmed, from the facts."""
    out = []
    for c in AGREEMENT["methods"][0]["conditions"]:
        if c["fact"] == "relation":
            rel = _relation(facts)
            met = None if rel is None else rel == "unrelated"
            detail = _text(_at(facts, "importer", "relation_detail"))
            if met is None:
                reason = placeholder("whether the buyer and the exporter are related (Article 15.4): ownership, "
                                     "control, officers in common")
            elif met:
                reason = c["met"] + (f" {_sentence(detail)}" if detail else "")
            else:
                reason = c["not_met"] + " " + (_sentence(detail) if detail else placeholder(
                    "the circumstances of the sale showing that the relationship did not influence the price"))
        else:
            flag = _flag(facts, c["fact"])
            met = None if flag is None else not flag
            reason = (placeholder(f"whether {c['text']}") if met is None else c["met"] if met else c["not_met"])
        out.append(Condition(c["article"], c["text"], met, reason))
    return out


def _sentence(s: str) -> str:
    return s if not s or s[-1] in ".!?" else s + "."


def adjustments_of(facts: dict, sale: Sale) -> list[tuple[str, str, str]]:
    out = []
    for a in AGREEMENT["adjustments"]:
        flag = _flag(facts, a["fact"])
        finding = (placeholder(f"whether there are {a['text'].split(':')[0]}") if flag is None else
                   "None: the exporter states there are none; the documents show none." if not flag else
                   "Present: to be added to the price actually paid or payable, on objective and quantifiable data.")
        out.append((a["article"], a["text"], finding))
    t = AGREEMENT["transport"]
    cur = sale.currency
    out.append((t["article"], t["text"],
                f"The invoices show freight {cur} {sale.total('freight'):,} and insurance {cur} "
                f"{sale.total('insurance'):,} to the named port (CIF): the CIF value {cur} {sale.cif:,} includes them."))
    return out


def methods_of(conditions: list[Condition], facts: dict, sale: Sale) -> list[Method]:
    """Each method of the Agreement in its order, with why it applies or not."""
    known = all(c.met is not None for c in conditions)
    art1 = all(c.met for c in conditions) if known else None
    cur = sale.currency
    out = []
    for m in AGREEMENT["methods"]:
        if m["key"] == "transaction_value":
            paid = sale.paid
            price = (f"The price actually paid or payable is shown by the commercial invoice"
                     f"{'s' if len(sale.invoices) > 1 else ''} ({', '.join(i.number for i in sale.invoices)}): "
                     f"goods {cur} {sale.total('goods'):,}, CIF {cur} {sale.cif:,}")
            if paid is not None:
                price += (f"; the buyer paid {cur} {paid:,}"
                          + (", the invoiced total" if paid == sale.cif else f" against a CIF value of {cur} {sale.cif:,}"))
            price += "."
            if art1 is True:
                reason = price + " The four conditions of Article 1.1 are met (below): the transaction value applies."
            elif art1 is False:
                failed = ", ".join(c.article for c in conditions if c.met is False)
                reason = price + f" A condition of Article 1.1 is not met ({failed}): Article 1 applies only as noted below."
            else:
                reason = price + " It applies once the conditions of Article 1.1 marked below are confirmed."
            out.append(Method(m["article"], m["title"], m["summary"], art1, reason))
            continue
        if art1 is True:
            reason = ("Not reached: it applies only when the customs value cannot be determined under the methods "
                      "before it, and the transaction value of Article 1 is available.")
            if m["key"] == "fallback":
                reason += (" Nor may a value be set under Article 7 on any basis of Article 7.2, among them "
                           + "; ".join(p for p in m["prohibited"] if p.startswith(("(f)", "(g)"))) + ".")
            out.append(Method(m["article"], m["title"], m["summary"], False, reason))
            continue
        own = _text(_at(facts, "methods", m["key"]))
        reason = ("Reached only if Article 1 does not apply. " +
                  (_sentence(own) if own else placeholder(f"the data for {m['article']} ({m['title'].lower()}), "
                                                          "or why there is none")))
        out.append(Method(m["article"], m["title"], m["summary"], None, reason))
    return out


def money_of(facts: dict, sale: Sale) -> Money:
    cur = sale.currency
    imposed = _money(_at(facts, "decision", "value_imposed", "amount"))
    imposed_cur = _at(facts, "decision", "value_imposed", "currency")
    imposed_cur = imposed_cur.upper() if isinstance(imposed_cur, str) else None
    diff = q2(imposed - sale.cif) if imposed is not None and imposed_cur == cur else None
    uplift = q2(diff / sale.cif * 100) if diff is not None and sale.cif else None
    totals = [i.total for i in sale.invoices]
    invoiced = q2(sum(totals, ZERO)) if all(t is not None for t in totals) else None
    return Money(cur, sale.total("goods"), sale.total("freight"), sale.total("insurance"), sale.cif,
                 sale.total("other"), invoiced, sale.paid, imposed, imposed_cur, diff, uplift)


def draft_request(folder: Path | str, facts: dict | Path | str, workers: int | None = None,
                  documents: list[Document] | None = None) -> AssistRequest:
    """The request drafted from the documents of ``folder`` (read unless ``documents`` are given) and the facts (a
    dict, or the path of the facts file). :class:`FactsError` or :class:`NoInvoice` for what the user must fix."""
    facts = check_facts(facts) if isinstance(facts, dict) else read_facts(facts)
    docs = documents if documents is not None else read_documents(folder, workers)
    sale = sale_of(docs, str(folder))
    money = money_of(facts, sale)
    conditions = conditions_of(facts)
    req = AssistRequest(facts, sale, money, conditions, adjustments_of(facts, sale),
                        methods_of(conditions, facts, sale), [], [])
    req.notes = _notes(req)
    req.exhibits = _exhibits(req)
    req.blocks = request_blocks(req)
    return req


# --- the draft ---------------------------------------------------------------------------------------------------

def _amt(cur: str, x: Decimal | None) -> str:
    return "—" if x is None else f"{cur} {q2(x):,}"


def _hs(code: Any) -> tuple[str, str]:
    """(heading, subheading) of an HS code: ``8481.80`` → ``84.81``, ``8481.80``."""
    d = _hs_digits(code)
    return (f"{d[:2]}.{d[2:4]}", f"{d[:4]}.{d[4:6]}" if len(d) >= 6 else "—") if d else ("—", "—")


def _notes(req: AssistRequest) -> list[str]:
    s, m = req.sale, req.money
    out = [f"Citation checked: {NOTICE}, FR Doc. 2015-14968; the address is the one the notice gives: confirm that "
           f"it is still current before filing.",
           f"The Agreement's provisions are given as {AGREEMENT['texts_are']}."]
    for i in s.invoices:
        if i.total is not None and q2(i.goods + i.freight + i.insurance + i.other) != i.total:
            out.append(f"Invoice {i.number}: goods, freight, insurance and other charges add up to "
                       f"{_amt(i.currency, i.goods + i.freight + i.insurance + i.other)}, the invoice shows "
                       f"{_amt(i.currency, i.total)}: check the reading before filing.")
        if i.other:
            out.append(f"Invoice {i.number} carries other charges of {_amt(i.currency, i.other)}, left out of the CIF "
                       f"value: say whether they belong to the price actually paid or payable.")
    if m.paid is not None and m.paid != m.cif:
        out.append(f"The payments read ({_amt(m.currency, m.paid)}) differ from the CIF value "
                   f"({_amt(m.currency, m.cif)}): explain the difference (bank charges, partial payment, discount).")
    for p in s.payments:
        if p.fields.get("currency") != m.currency:
            out.append(f"Payment {_t(p.fields.get('reference') or p.path)} is in {_t(p.fields.get('currency'))}, the "
                       f"invoices in {m.currency}: not counted in what the buyer paid.")
    if m.imposed is not None and m.difference is None:
        out.append(f"The value imposed is in {m.imposed_currency}, the invoices in {m.currency}: the difference is not "
                   f"computed without the exchange rate the foreign administration applied.")
    for path, why in s.unread:
        out.append(f"Not read: {_t(path)} ({_t(why)}).")
    declared = _at(req.facts, "decision", "hs_declared")
    printed = sorted({_hs_digits(li.get("hts"))[:6] for i in s.invoices for li in i.document.line_items
                      if li.get("hts")})
    if declared and printed and printed != [_hs_digits(declared)[:6]]:
        out.append(f"The invoices print HS {', '.join(printed)}, the facts say {declared} was declared: reconcile.")
    return out


def _exhibits(req: AssistRequest) -> list[str]:
    out: list[str] = []
    for i in req.sale.invoices:
        out.append(f"{DOC_TYPE_NAMES.get('commercial_invoice')} {i.number} — {i.cite.text()}")
    for d in req.sale.packing_lists:
        out.append(f"{DOC_TYPE_NAMES.get('packing_list')} {_t(d.fields.get('packing_list_number') or '')} — "
                   f"{_cite(d, 'total_packages', 'packing_list_number').text()}".replace("  ", " "))
    for d in req.sale.payments:
        out.append(f"{DOC_TYPE_NAMES.get('payment_record')} {_t(d.fields.get('reference') or '')} — "
                   f"{_cite(d, 'amount', 'reference').text()}".replace("  ", " "))
    dec = req.facts.get("decision") or {}
    out.append("The foreign decision " + _t(dec.get("reference")) + " of " + _t(dec.get("date")) + " — "
               + placeholder("a copy of the decision, with an English translation"))
    out.append("The import declaration " + (_t(dec.get("import_declaration")) + " — " if dec.get("import_declaration")
                                            else "— ") + placeholder("a copy of the buyer's import declaration"))
    out.append("Product literature — " + placeholder("the technical data sheets or catalog pages of the goods"))
    return [f"Exhibit {n}: {x}" for n, x in enumerate(out, 1)]


def _party(p: dict | None) -> str:
    p = p or {}
    bits = [_text(p.get("name")), _text(p.get("address")), _text(p.get("country"))]
    return ", ".join(b for b in bits if b)


def _yes(v: bool | None) -> str:
    return "to be confirmed" if v is None else "yes" if v else "no"


def request_blocks(req: AssistRequest) -> list[Block]:
    f, s, m = req.facts, req.sale, req.money
    cur = m.currency
    dec = f.get("decision") or {}
    admin = _text(f.get("customs_administration"))
    country = _text(f.get("country"))
    kind = _text(dec.get("kind")) or "valuation and classification"
    b: list[Block] = [
        Block("para", f"DRAFT FOR REVIEW — prepared {date.today().isoformat()} from {len(s.invoices)} commercial "
                      f"invoice{'s' if len(s.invoices) != 1 else ''}, {len(s.packing_lists)} packing "
                      f"list{'s' if len(s.packing_lists) != 1 else ''} and {len(s.payments)} payment "
                      f"record{'s' if len(s.payments) != 1 else ''}, and the exporter's statement of facts.",
              label="Status: "),
        Block("box", label="Note for counsel (not for filing)", text="What the draft rests on and what to check:",
              items=req.notes),
        Block("heading", f"Request for assistance: {kind} of U.S. exports by {admin}", 1),
        Block("para", ", ".join(ADDRESS), label="To: "),
        Block("para", f"{_party(f.get('exporter'))} (the exporter) requests the assistance of U.S. Customs and Border "
                      f"Protection under the {NOTICE}, in resolving the {kind} that {admin} ({country}) applied to "
                      f"the exporter's goods in decision {_t(dec.get('reference'))} of {_t(dec.get('date'))}. The "
                      f"exporter submits that the decision departs from {_grounds(req)}, for the reasons below, and "
                      f"asks CBP to raise the matter with that administration."),
        Block("heading", "1. The parties", 2),
        Block("table", rows=[["Party", "Name and address", "Relation"],
                             ["Exporter (seller)", _party(f.get("exporter")), "—"],
                             ["Buyer (importer)", _party(f.get("importer")),
                              _relation(f) or placeholder("related or unrelated (Article 15.4)")]]),
    ]
    contact = _text(_at(f, "exporter", "contact"))
    b.append(Block("para", contact or placeholder("the exporter's contact for CBP: name, title, telephone, e-mail"),
                   label="Contact: "))
    b.append(Block("heading", "2. The foreign decision at issue", 2))
    rows = [["Item", "Decision"],
            ["Customs administration", admin],
            ["Country of importation", country],
            ["Decision date", _t(dec.get("date"))],
            ["Decision reference", _t(dec.get("reference"))],
            ["Import declaration", _text(dec.get("import_declaration")) or placeholder("the import declaration number")],
            ["Value imposed", _amt(m.imposed_currency or "", m.imposed) if m.imposed is not None else
             placeholder("the customs value the administration imposed, if any")],
            ["Method applied", _text(dec.get("method_applied")) or placeholder("the method the administration stated")],
            ["Reason given", _text(dec.get("reason_given")) or placeholder("the reason the decision gives")],
            ["HS declared → imposed", f"{_text(dec.get('hs_declared')) or '—'} → {_text(dec.get('hs_imposed')) or '—'}"],
            ["Remedy pursued locally", _text(dec.get("local_remedy")) or placeholder(
                "any appeal filed in the country of importation, its date and status")]]
    b.append(Block("table", rows=rows))
    b.append(Block("heading", "3. The transaction and its value", 2))
    inv_rows = [["Invoice", "Goods", "Freight", "Insurance", "CIF value", "Invoice total", "Read from"]]
    for i in s.invoices:
        inv_rows.append([i.number, f"{i.goods:,}", f"{i.freight:,}", f"{i.insurance:,}", f"{i.cif:,}",
                         f"{i.total:,}" if i.total is not None else "—", i.cite.text()])
    if len(s.invoices) > 1:
        inv_rows.append(["Total", f"{m.goods:,}", f"{m.freight:,}", f"{m.insurance:,}", f"{m.cif:,}",
                         f"{m.invoiced:,}" if m.invoiced is not None else "—", ""])
    b.append(Block("table", rows=inv_rows, numeric=(1, 2, 3, 4, 5)))
    b.append(Block("para", f"All amounts in {cur}. Goods {_amt(cur, m.goods)} + freight {_amt(cur, m.freight)} + "
                           f"insurance {_amt(cur, m.insurance)} = CIF value {_amt(cur, m.cif)}.", label="Value: "))
    money_rows = [["Figure", f"Amount ({cur})"], ["Price of the goods", f"{m.goods:,}"],
                  ["Freight to the port of importation", f"{m.freight:,}"], ["Insurance", f"{m.insurance:,}"],
                  ["CIF value (transaction value with Article 8.2 costs)", f"{m.cif:,}"]]
    if m.paid is not None:
        money_rows.append(["Paid by the buyer (payment records)", f"{m.paid:,}"])
    if m.imposed is not None:
        money_rows.append([f"Value imposed by {admin}" + (f" ({m.imposed_currency})" if m.imposed_currency != cur
                                                          else ""), f"{m.imposed:,}"])
    if m.difference is not None:
        money_rows.append(["Difference (value imposed − CIF value)", f"{m.difference:,}"])
        money_rows.append(["Increase over the CIF value (%)", f"{m.uplift_percent}"])
    b.append(Block("table", rows=money_rows, numeric=(1,)))
    b.append(Block("heading", "4. Valuation under the WTO Customs Valuation Agreement", 2))
    b.append(Block("para", AGREEMENT["order"]))
    mrows = [["Article", "Method", "Applies", "Why"]]
    for x in req.methods:
        mrows.append([x.article, x.title, _yes(x.applies), x.reason])
    b.append(Block("table", rows=mrows))
    b.append(Block("heading", "Article 1.1: the conditions of the transaction value", 3))
    crow = [["Provision", "Condition", "Met", "Facts"]]
    for c in req.conditions:
        crow.append([c.article, c.text, _yes(c.met), c.reason])
    b.append(Block("table", rows=crow))
    b.append(Block("heading", "Article 8: adjustments to the price actually paid or payable", 3))
    b.append(Block("table", rows=[["Provision", "Element", "Finding"], *[list(a) for a in req.adjustments]]))
    method_applied = _text(dec.get("method_applied"))
    b.append(Block("para", (f"The administration states that it applied {method_applied}. " if method_applied else "")
                   + f"{AGREEMENT['doubt']['text']} See {AGREEMENT['doubt']['article']}. "
                   + f"{AGREEMENT['explanation']['text']} See {AGREEMENT['explanation']['article']}.",
                   label="The administration's departure from Article 1: "))
    b += _classification(req)
    b.append(Block("heading", "6. The assistance requested", 2))
    b.append(Block("list", items=[
        f"That CBP review the {kind} applied by {admin} and, if it agrees with the exporter's position, raise the "
        f"matter with that administration.",
        "That CBP consider, where bilateral contacts do not resolve the matter, the dispute mechanisms of the World "
        "Customs Organization (the Harmonized System Committee, under Article 10 of the HS Convention; the Technical "
        "Committee on Customs Valuation).",
        "That CBP keep the exporter informed of the steps taken; the exporter will provide any further information "
        "CBP needs."]))
    b.append(Block("heading", "7. Request for confidential treatment", 2))
    b.append(Block("para", f"The prices, quantities, costs, customers and terms of sale in this request and its "
                           f"exhibits are confidential commercial and financial information of the exporter and its "
                           f"customer, customarily kept private, whose disclosure would cause substantial competitive "
                           f"harm. The exporter designates them as confidential commercial information under {CCI} "
                           f"and asks that they be withheld from disclosure under the Freedom of Information Act, "
                           f"{FOIA}, and that the exporter be notified under {CCI} before any disclosure. Each page "
                           f"is marked as confidential commercial information. "
                           + placeholder("any part of the request the exporter agrees may be shared with the foreign "
                                         "administration")))
    b.append(Block("heading", "8. Exhibits", 2))
    b.append(Block("list", items=req.exhibits))
    b.append(Block("para", placeholder("name and title of the exporter's officer or counsel who signs, and the date"),
                   label="Signature: "))
    top = placeholders_in(b)
    b.insert(1, Block("box", label=f"Items to confirm ({len(top)})", text="Placeholders in this draft:", items=top))
    return b


def _grounds(req: AssistRequest) -> str:
    """What the decision departs from: the Valuation Agreement where it set a value (or says it is a valuation),
    the Harmonized System where it changed the heading."""
    dec = req.facts.get("decision") or {}
    grounds = []
    if req.money.imposed is not None or "valuation" in (_text(dec.get("kind")) or "").lower():
        grounds.append("the WTO Customs Valuation Agreement")
    if dec.get("hs_imposed"):
        grounds.append("the Harmonized System")
    return " and from ".join(grounds) or placeholder("what the decision departs from: the WTO Customs Valuation "
                                                     "Agreement, the Harmonized System")


def _classification(req: AssistRequest) -> list[Block]:
    dec = req.facts.get("decision") or {}
    declared, imposed = dec.get("hs_declared"), dec.get("hs_imposed")
    b = [Block("heading", "5. Classification", 2)]
    if not declared and not imposed:
        b.append(Block("para", "The decision does not change the classification of the goods."))
        return b
    (dh, ds), (ih, is_) = _hs(declared), _hs(imposed)
    b.append(Block("table", rows=[
        ["", "Heading", "Subheading", "Text"],
        ["Declared", dh, ds, _text(dec.get("hs_declared_text")) or placeholder(f"the text of subheading {ds}")],
        ["Imposed", ih, is_, _text(dec.get("hs_imposed_text")) or placeholder(f"the text of subheading {is_}")]]))
    b.append(Block("para", ("Same heading, another subheading: the dispute is under General Interpretative Rules 1 "
                            "and 6." if dh == ih else "Another heading: the dispute is under General Interpretative "
                            "Rule 1 (the terms of the headings and the Section and Chapter Notes) and, as needed, "
                            "Rules 2 to 6."), label="Classification: "))
    items = []
    for i in req.sale.invoices:
        for li in i.document.line_items:
            desc = _t(li.get("description"))
            if desc:
                hts = _t(li.get("hts"))
                items.append(f"{_t(li.get('part_number')) + ': ' if li.get('part_number') else ''}{desc}"
                             + (f" (HS {hts} on invoice {i.number})" if hts else f" (invoice {i.number})"))
    product = req.facts.get("product") or {}
    for key, label in (("function", "Function"), ("materials", "Materials"), ("use", "Use")):
        v = _text(product.get(key))
        items.append(f"{label}: {v}" if v else f"{label}: " + placeholder(f"the goods' {key}"))
    b.append(Block("para", "", label="The goods (from the invoices and the exporter's statement):"))
    b.append(Block("list", items=items))
    return b


def write_request(req: AssistRequest, out_docx: Path | str, author: str | None = None) -> dict[str, Path]:
    """The draft as Word (``out_docx``) and its Markdown twin, with the privilege header, page numbers and document
    properties."""
    admin = _text(req.facts.get("customs_administration"))
    meta = DraftMeta(f"Request for assistance to CBP (draft): {req.exporter}",
                     f"Request under 80 FR 34924 (June 18, 2015): {admin}, decision "
                     f"{_t(_at(req.facts, 'decision', 'reference'))}", _t(author) if author else req.exporter,
                     header=HEADER, keywords="request for assistance; customs valuation; classification; draft")
    return write_blocks(req.blocks, out_docx, meta.title, meta)


__all__ = ["AssistRequest", "FactsError", "NoInvoice", "Sale", "Money", "Method", "Condition", "read_facts",
           "check_facts", "read_documents", "sale_of", "draft_request", "write_request", "request_blocks",
           "AGREEMENT", "NOTICE"]
