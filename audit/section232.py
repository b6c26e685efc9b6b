"""Section 232 steel and aluminium duties (the proclamations; CBP's guidance on content value):

- METAL_CONTENT_MISSTATED: the content value declared on the 9903.81/9903.85 lines is below what the documents
  support. Two readings, both reported: (a) the price the fabricator paid for the metal, where a document states
  it (a statement of the metal's cost, or the mill's invoice to the fabricator for the heats of the mill
  certificate); (b) the entered value of the goods less their non-metal components, where a document states
  those. The shortfall is measured against the higher; the 232 rate in force applies to it alone (the entered
  value is unchanged, so fees do not move). Where the law puts the whole value under the duty (chapter 72
  articles always; chapters 73 and 76 before 4 June 2025) the content is the whole entered value of the goods.
- MELT_POUR_MISMATCH: the country where the metal was melted and poured, per the mill certificate, differs from
  the one declared (block 21 / the line's melt country). The rate changes only where the country matters to it
  (metal melted in the United States, Mexico's conditional exemption before 12 March 2025, aluminium of
  Russia); otherwise the finding carries no duty: the declaration is still wrong and must be corrected.
- SECTION232_UNDECLARED: goods of chapters 72, 73 or 76 that the proclamations cover on the entry date, entered
  without their chapter 99 line: the rate in force on the metal content value (the whole value where no
  non-metal part is documented, or where the law taxes the whole value). Derivative articles of other chapters
  listed in the annexes are not checked here (the annex lists are not in the tariff file).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..extract import normalize as nz
from ..models.records import Document, EntryLine, Evidence, Finding, Money, q2
from . import revenue
from .context import Context, Result
from .link import NAME_MATCH, same_party
from .rules import BY_CODE

ZERO = Decimal("0.00")

_MASS_UNITS = {"KG": Decimal(1), "KGS": Decimal(1), "KGM": Decimal(1), "MT": Decimal(1000), "TNE": Decimal(1000),
               "T": Decimal(1000), "TON": Decimal(1000), "TONNE": Decimal(1000), "TONNES": Decimal(1000)}


@dataclass
class Statement:
    """An amount a document states about the metal (USD), and where."""

    amount: Decimal
    doc: Document
    text: str
    prov: object = None
    metal: str | None = None  # steel | aluminium | None (not said)

    def evidence(self) -> Evidence:
        e = Evidence.of(self.prov, self.text) if self.prov is not None else None
        return e or Evidence(self.doc.path, 1 if self.doc.pages else None, self.text)


def _digits(h) -> str:
    return "".join(c for c in str(h or "") if c.isdigit() and c.isascii())


def _country(value) -> str | None:
    if not value:
        return None
    v = str(value).strip()
    if v.upper() == "UK":
        return "GB"
    return v.upper() if len(v) == 2 and v.isascii() and v.isalpha() else nz.country_code(v)


def _metal_lines(ctx: Context) -> list[EntryLine]:
    return [ln for ln in ctx.entry.lines if revenue.section232_metal(ln.get("hts"))]


def _groups(lines: list[EntryLine]) -> dict[str, list[EntryLine]]:
    """Lines of the same goods (the content line and the non-metal line share the HTS subheading)."""
    groups: dict[str, list[EntryLine]] = {}
    for ln in lines:
        groups.setdefault(_digits(ln.get("hts"))[:8], []).append(ln)
    return groups


def _declared_232(lines: list[EntryLine]) -> list[tuple[EntryLine, dict]]:
    return [(ln, a) for ln in lines for a in (ln.get("additional") or [])
            if isinstance(a, dict) and revenue.is_section232(a.get("hts"))]


def _dec(v) -> Decimal | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        return Decimal(str(v))
    except (ArithmeticError, ValueError):
        return None


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _folders(ctx: Context) -> tuple[dict[str, list[tuple[int, str, Document]]], dict[str, list]]:
    """Folder-wide, built once a linking: the unlinked documents by folder (with their place in the folder's
    order), and the entries whose entry summary sits in each folder."""
    key = "section232:folders"
    if key not in ctx.linked.memo:
        linked = ctx.linked.linked_paths()
        unlinked: dict[str, list[tuple[int, str, Document]]] = {}
        for n, (path, d) in enumerate(ctx.linked.by_path.items()):
            if path not in linked:
                unlinked.setdefault(_folder(path), []).append((n, path, d))
        summaries: dict[str, list] = {}
        for e in ctx.entries:
            for p in e.documents:
                d = ctx.linked.by_path.get(p)
                if d is not None and d.doc_type == "entry_summary":
                    summaries.setdefault(_folder(p), []).append(e)
        ctx.linked.memo[key] = (unlinked, summaries)
    return ctx.linked.memo[key]


def shipment_documents(ctx: Context) -> list[Document]:
    """The entry's documents, and the unlinked ones filed beside them (a cost breakdown, a bill of materials): in
    a folder of this entry's alone, or naming one of its invoice, PO or entry numbers."""
    cached = getattr(ctx, "_shipment_documents", None)
    if cached is not None:
        return list(cached)
    docs = list(ctx.documents())
    mine = {_folder(d.path) for d in docs if d.doc_type in ("entry_summary", "commercial_invoice", "packing_list")}
    unlinked, summaries = _folders(ctx)
    shared = {f for f in mine if any(e is not ctx.entry for e in summaries.get(f, ()))}
    ids = {nz.id_key(str(ctx.entry.entry_number))}
    for d in docs:
        for k in ("invoice_number", "po_number"):
            if d.get(k) and d.doc_type in ("commercial_invoice", "entry_summary"):
                ids.add(nz.id_key(str(d.get(k))))
    for n in ctx.entry.header.get("invoice_numbers") or []:
        ids.add(nz.id_key(str(n)))
    ids = {i for i in ids if len(i) >= 2 and any(c.isdigit() for c in i)}
    for _, path, d in sorted((x for f in mine for x in unlinked.get(f, ())), key=lambda x: x[0]):
        if _folder(path) not in shared:
            docs.append(d)
            continue
        words = {w for f in d.facts_of("identifiers") for w in f.value or []}
        if words & ids:
            docs.append(d)
    try:
        ctx._shipment_documents = tuple(docs)  # one entry's context asks several times
    except AttributeError:
        pass
    return docs


def _statements(ctx: Context, kind: str) -> list[Statement]:
    """Amounts the entry's documents state in prose (facts of ``kind``), in USD at the entry's rate. The same
    statement repeated in several documents (invoice and packing list) counts once: per document the distinct
    amounts add up, and across documents the largest total stands."""
    per_doc: dict[str, list[Statement]] = {}
    for doc in shipment_documents(ctx):
        if doc.doc_type == "entry_summary":
            continue
        for fact in doc.facts_of(kind):
            money = fact.value.get("amount") if isinstance(fact.value, dict) else None
            if not isinstance(money, Money):
                continue
            rate = ctx.exchange_rate(money.currency)
            if rate is None or money.amount <= 0:
                continue
            usd = q2(money.amount * rate)
            found = per_doc.setdefault(doc.path, [])
            if all(s.amount != usd for s in found):
                found.append(Statement(usd, doc, fact.text, fact.prov, fact.value.get("metal")))
    if not per_doc:
        return []
    return max(per_doc.values(), key=lambda ss: sum((s.amount for s in ss), ZERO))


def _for_metal(statements: list[Statement], metal: str, kinds: set[str]) -> list[Statement]:
    """The statements about ``metal`` (one that names no metal counts where the entry has one kind only)."""
    return [s for s in statements if s.metal == metal or (s.metal is None and len(kinds) == 1)]


def _mill_names(ctx: Context) -> list:
    return [m.get("mill") for m in ctx.documents("mill_certificate") if m.get("mill") is not None]


def _metal_invoices(ctx: Context, weight_kg: Decimal | None) -> list[Statement]:
    """Reading (a) from the mill's own invoice to the fabricator: an invoice in the records whose seller is the mill
    of the entry's mill certificate, whose buyer is the seller of the goods, and which names the certificate's
    PO or invoice number. Prorated by weight where the invoice bought more metal than the goods hold."""
    mills = _mill_names(ctx)
    fabricators = [i.get("seller") for i in ctx.documents("commercial_invoice") if i.get("seller") is not None]
    if not mills or not fabricators:
        return []
    refs = set()
    for m in ctx.documents("mill_certificate"):
        for k in ("po_number", "invoice_number"):
            if m.get(k):
                refs.add(nz.id_key(str(m.get(k))))
    own = {d.path for d in ctx.documents("commercial_invoice")}
    out = []
    for doc in ctx.linked.by_path.values():
        if doc.doc_type != "commercial_invoice" or doc.path in own:
            continue
        if not any(same_party(doc.get("seller"), m) >= NAME_MATCH for m in mills):
            continue
        if not any(same_party(doc.get("buyer"), f) >= NAME_MATCH for f in fabricators):
            continue
        theirs = {nz.id_key(str(doc.get(k))) for k in ("po_number", "invoice_number") if doc.get(k)}
        if not refs & theirs:
            continue
        total = doc.get("total")
        if total is None:
            amounts = [li.get("amount") for li in doc.line_items]
            total = sum(amounts, ZERO) if amounts and all(a is not None for a in amounts) else None
        rate = ctx.exchange_rate(doc.get("currency") or "USD")
        if total is None or rate is None:
            continue
        usd = q2(total * rate)
        text = f"mill invoice {doc.get('invoice_number') or doc.path}: {doc.get('currency') or 'USD'} {total:,}"
        bought = _invoice_weight(doc)
        if bought and weight_kg and bought > weight_kg * Decimal("1.01"):
            usd = q2(usd / bought * weight_kg)
            text += f" for {bought:,} kg, prorated to the {weight_kg:,} kg of the goods"
        out.append(Statement(usd, doc, text, doc.fields.prov("total")))
    return out


def _invoice_weight(doc: Document) -> Decimal | None:
    total = ZERO
    for li in doc.line_items:
        unit = str(li.get("unit") or "").upper().rstrip(".")
        q = li.get("quantity")
        if unit not in _MASS_UNITS or q is None:
            return None
        total += q * _MASS_UNITS[unit]
    return total or None


def _goods_weight(ctx: Context, lines: list[EntryLine]) -> Decimal | None:
    for ln in lines:
        if str(ln.get("unit") or "").upper() in ("KG", "KGS", "KGM") and ln.get("quantity"):
            return ln.get("quantity")
    for m in ctx.documents("mill_certificate"):
        if m.get("total_weight_kg"):
            return m.get("total_weight_kg")
    return None


def _origin(ctx: Context) -> str | None:
    return _country(ctx.entry.header.get("country_of_origin"))


def _certificate_melt(ctx: Context) -> tuple[set[str], list[Evidence]]:
    """Countries of melt and pour on the entry's mill certificates (header and heats), with evidence."""
    countries: set[str] = set()
    evidence: list[Evidence] = []
    for mtc in ctx.documents("mill_certificate"):
        named = []
        for key in ("melt_country", "pour_country"):
            c = _country(mtc.get(key))
            if c:
                countries.add(c)
                named.append(key)
        for li in mtc.line_items:
            for key in ("melt_country", "pour_country"):
                c = _country(li.get(key))
                if c:
                    countries.add(c)
                    if not named:
                        evidence += ctx.evidence(li.prov, text=f"heat {li.get('heat_number') or ''}: {key} {c}")
        if named:
            evidence += ctx.cite(mtc, *named)
    return countries, evidence


def _declared_melt(lines: list[EntryLine]) -> set[str]:
    return {c for c in (_country(ln.get("melt_country")) for ln in lines) if c}


def _rate(hts, ctx: Context, melt) -> tuple[Decimal, str] | None:
    return revenue.section232_rate(hts, ctx.revenue.entry_date, _origin(ctx), melt)


def _line_evidence(ctx: Context, line: EntryLine, text: str, field: str | None = None) -> list[Evidence]:
    """The line's evidence: the box of its ``field`` when it was read on its own (the block the line's value is
    declared in), else the line's row."""
    out = ctx.evidence(line.fields.prov(field) if field else None, text=text) or ctx.evidence(line.prov, text=text)
    if not out:
        out = [e for d in ctx.documents("entry_summary") for e in ctx.cite(d, "entry_number", text=text)][:1]
    return out


def _pct(r: Decimal) -> str:
    return f"{r.normalize():f} %"


# --- METAL_CONTENT_MISSTATED ---------------------------------------------------------------------

def content(ctx: Context) -> list[Result]:
    rule = BY_CODE["METAL_CONTENT_MISSTATED"]
    out: list[Result] = []
    lines = _metal_lines(ctx)
    declared_groups = {k: ls for k, ls in _groups(lines).items() if _declared_232(ls)}
    if not declared_groups:
        return out  # nothing declared under Section 232: SECTION232_UNDECLARED's case
    date = ctx.revenue.entry_date
    kinds = {revenue.section232_metal(ls[0].get("hts")) for ls in declared_groups.values()}
    non_metal_all = _statements(ctx, "non_metal_value")
    cost_all = _statements(ctx, "metal_cost")
    stated_all = _statements(ctx, "metal_content_value")
    cert_melt, _ = _certificate_melt(ctx)
    for metal in sorted(k for k in kinds if k):
        groups = {k: ls for k, ls in declared_groups.items() if revenue.section232_metal(ls[0].get("hts")) == metal}
        goods = [ln for ls in groups.values() for ln in ls]
        pairs = _declared_232(goods)
        line = pairs[0][0]
        hts = line.get("hts")
        declared = ZERO
        for ln, add in pairs:
            v = _dec(add.get("value"))
            declared += v if v is not None else (ln.get("entered_value") or ZERO)
        entered = sum((ln.get("entered_value") or ZERO for ln in goods), ZERO)
        if entered <= 0 or not revenue.section232_covered(hts, date)[0]:
            continue  # nothing to measure, or goods the proclamations did not reach on this date
        whole = not all(revenue.section232_on_content(ls[0].get("hts"), date) for ls in groups.values())
        stated_value = None
        if whole:
            # the law taxes the whole value of these goods: the documents' split does not matter
            a, b, shortfall = None, entered, max(ZERO, entered - declared)
            nm_stmts, cost_stmts = [], []
            nm = None
        else:
            nm_stmts = _for_metal(non_metal_all, metal, kinds)
            cost_stmts = _for_metal(cost_all, metal, kinds) or _metal_invoices(ctx, _goods_weight(ctx, goods))
            stated = [] if nm_stmts else _for_metal(stated_all, metal, kinds)
            if len(stated) == 1 and stated[0].amount <= entered:
                # a content value stated outright: the documents put everything else down to non-metal parts
                stated_value = stated[0].amount
                nm_stmts = [Statement(entered - stated_value, stated[0].doc, stated[0].text, stated[0].prov, metal)]
            if not nm_stmts and not cost_stmts:
                continue  # no document says what the metal is worth: nothing to measure against
            nm = sum((s.amount for s in nm_stmts), ZERO) if nm_stmts else None
            cost = sum((s.amount for s in cost_stmts), ZERO) if cost_stmts else None
            a, b, shortfall = revenue.content_shortfall(declared, cost, entered, nm)
        shortfall = q2(shortfall)
        if shortfall < 1:  # 7501 values are whole dollars (19 CFR 159.3)
            continue
        melt = cert_melt or _declared_melt(goods) or None
        rate_info = _rate(hts, ctx, melt)
        if rate_info is not None and rate_info[0] == 0:
            continue  # exempt on this date (a country arrangement, metal melted in the United States)
        declared_rates = {_dec(add.get("rate")) for _, add in pairs} - {None}
        if rate_info is not None:
            rate, why = rate_info
            rate_text = f"Section 232 rate {_pct(rate)} ({why})"
            if declared_rates and declared_rates != {rate}:
                rate_text += f"; the entry applies {', '.join(_pct(r) for r in sorted(declared_rates))}"
        elif declared_rates:
            rate = max(declared_rates)
            rate_text = f"Section 232 rate {_pct(rate)} as declared on the line"
        else:
            rate, rate_text = None, "Section 232 rate unknown"
        where = ", ".join(f"line {ln.line_no} {add.get('hts')}" for ln, add in pairs)
        steps = [f"declared content value ({where}): USD {declared:,.2f}; entered value of the goods (lines "
                 f"{', '.join(str(ln.line_no) for ln in goods)}): USD {entered:,.2f}"]
        chapter = _digits(hts)[:2]
        if whole:
            which = "chapter 72 articles" if chapter == "72" else f"chapter {chapter} goods entered before 4 June 2025"
            steps.append(f"{which} pay Section 232 on their full value: content value = entered value {entered:,.2f}")
            steps.append(f"shortfall {entered:,.2f} − {declared:,.2f} = {shortfall:,.2f}")
        else:
            steps.append("reading (a), price paid for the metal: "
                         + (" + ".join(f"{s.amount:,.2f}" for s in cost_stmts) + (f" = {a:,.2f}" if len(cost_stmts) > 1 else "")
                            if a is not None else "no document states it"))
            if stated_value is not None:
                steps.append(f"reading (b), content value the documents state: {stated_value:,.2f} (entered value "
                             f"{entered:,.2f} less the rest, {nm:,.2f})")
            else:
                steps.append("reading (b), entered value less non-metal components: "
                             + (f"{entered:,.2f} − {nm:,.2f} = {b:,.2f}" if b is not None else "no document states them"))
            higher = max(v for v in (a, b) if v is not None)
            steps.append(f"shortfall against the higher reading: {higher:,.2f} − {declared:,.2f} = {shortfall:,.2f}")
        steps.append(rate_text + " on the shortfall only; the entered value, and so MPF and HMF, do not change")
        change = revenue.Change(line_no=line.line_no, value_delta=shortfall, rates=[rate] if rate is not None else None,
                                key=f"232-content:{ctx.entry.entry_number}:{metal}", fee_base_delta=Decimal(0),
                                note="Section 232 rate on the content value only",
                                readings=revenue.readings(line.line_no, metal, entered, nm, a, b, declared, shortfall,
                                                          whole, [str(add.get("hts")) for _, add in pairs]))
        rev = revenue.compute(ctx.revenue, [change])
        if whole:
            reason = (f"These goods (HTS {hts}) pay the Section 232 duty on their full value "
                      + ("as chapter 72 steel articles. " if chapter == "72"
                         else f"because they were entered on {date}, before 4 June 2025, when chapter "
                              f"{chapter} goods began to pay on their metal content only. ")
                      + f"Their entered value is USD {entered:,.2f}")
        else:
            parts = []
            if stated_value is not None:
                parts.append(f"the documents state a {metal} content value of USD {stated_value:,.2f}")
            elif b is not None:
                parts.append(f"the documents state non-metal components of USD {nm:,.2f}, so the metal content of "
                             f"goods entered at USD {entered:,.2f} is USD {b:,.2f} (entered value less non-metal "
                             f"components)")
            if a is not None:
                parts.append(f"{'they' if parts else 'the documents'} state the {metal} was bought for USD {a:,.2f} "
                             f"(the price the fabricator paid for the metal)")
            reason = "; ".join(parts)
            reason = reason[:1].upper() + reason[1:]
        explanation = (
            f"Line {line.line_no} declares a Section 232 {metal} content value of USD {declared:,.2f}. {reason}. "
            f"{'Measured against the higher reading' if a is not None and b is not None else 'Measured against it'}, "
            f"USD {shortfall:,.2f} of content value was left out of the Section 232 line; the {metal} duty is owed on "
            f"it. The entered value itself is right, so the "
            f"merchandise processing and harbor maintenance fees do not change."
            + ("" if rate is not None else " The Section 232 rate is unknown: the finding gives the value only.")
        )
        evidence = _line_evidence(ctx, line, f"line {line.line_no}: {metal} content declared USD {declared:,.2f}")
        evidence += [s.evidence() for s in nm_stmts + cost_stmts]
        f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
                    title=f"Section 232 {metal} content value short by USD {shortfall:,.2f}",
                    explanation=explanation, legal_basis=rule.legal_basis, value_delta=shortfall,
                    duty_delta=rev.duty_delta, fees_delta=rev.fees_delta, loss_of_revenue=rev.loss_of_revenue,
                    confidence=0.9 if whole or (a is not None and b is not None) else 0.85,
                    evidence=evidence, arithmetic=steps + list(rev.arithmetic), rate_unknown=rev.rate_unknown)
        out.append(Result(f, [change]))
    return out


# --- MELT_POUR_MISMATCH --------------------------------------------------------------------------

def melt_pour(ctx: Context) -> list[Result]:
    rule = BY_CODE["MELT_POUR_MISMATCH"]
    lines = [ln for ln in _metal_lines(ctx) if _country(ln.get("melt_country"))]
    if not lines:
        return []
    cert, cert_evidence = _certificate_melt(ctx)
    if not cert:
        return []
    declared = _declared_melt(lines)
    if not (cert - declared):
        return []  # every country the certificate shows was declared
    date = ctx.revenue.entry_date
    wrong = [ln for ln in lines if _country(ln.get("melt_country")) not in cert]
    first = (wrong or lines)[0]
    metal = revenue.section232_metal(first.get("hts")) or "steel"
    done = "melted and poured" if metal == "steel" else "smelted and cast"
    steps = [f"mill certificate: {done} in {', '.join(sorted(cert))}",
             "entry: country of melt and pour " + "; ".join(f"line {ln.line_no} {_country(ln.get('melt_country'))}"
                                                           for ln in lines)]
    changes: list[revenue.Change] = []
    effects: list[str] = []
    elsewhere: list[str] = []
    for ln in lines:
        covered, scope = revenue.section232_covered(ln.get("hts"), date)
        if not covered:
            steps.append(f"line {ln.line_no}: {ln.get('hts')}, {scope}: no Section 232 duty either way")
            continue
        r_decl = _rate(ln.get("hts"), ctx, _country(ln.get("melt_country")))
        r_true = _rate(ln.get("hts"), ctx, cert)
        if not r_decl or not r_true:
            continue
        steps.append(f"line {ln.line_no}: rate as declared {_pct(r_decl[0])} ({r_decl[1]}); "
                     f"as the certificate shows {_pct(r_true[0])} ({r_true[1]})")
        if r_true[0] == r_decl[0]:
            continue
        pairs = _declared_232([ln])
        if not pairs:
            # no Section 232 line: the whole duty is SECTION232_UNDECLARED's finding, counted there
            elsewhere.append(f"line {ln.line_no}: {_pct(r_true[0])} instead of {_pct(r_decl[0])}")
            continue
        value = sum(((_dec(a.get("value")) if _dec(a.get("value")) is not None else (ln.get("entered_value") or ZERO))
                     for _, a in pairs), ZERO)
        changes.append(revenue.Change(line_no=ln.line_no, value_delta=value, rates=[r_true[0] - r_decl[0]],
                                      key=f"melt:{ctx.entry.entry_number}:{ln.line_no}", fee_base_delta=Decimal(0),
                                      base="metal content", kind="rate",
                                      note=f"Section 232 {_pct(r_true[0])} instead of {_pct(r_decl[0])} on the content"))
        effects.append(f"line {ln.line_no}: {_pct(r_true[0])} instead of {_pct(r_decl[0])}")
    if changes:
        rev = revenue.compute(ctx.revenue, changes)
        steps += list(rev.arithmetic)
        duty, fees, loss, value = rev.duty_delta, rev.fees_delta, rev.loss_of_revenue, rev.value_delta
        effect = (" The country changes the rate (" + "; ".join(effects) + "): the difference on the declared "
                  "content value is owed.")
    elif elsewhere:
        steps.append("no Section 232 line was declared: the duty at the certificate's rate is counted in the "
                     "SECTION232_UNDECLARED finding, not here")
        duty = fees = loss = value = ZERO
        effect = (" The country changes the rate (" + "; ".join(elsewhere) + "); as no Section 232 line was "
                  "declared, the duty owed is counted once, in the finding on the undeclared Section 232 line.")
    else:
        steps.append("the Section 232 rate is the same for both countries on this date: no duty effect")
        duty = fees = loss = value = ZERO
        effect = (" On this entry date the rate does not depend on either country, so no duty is lost; the "
                  "declaration is still wrong and must be corrected (CBP uses it to enforce the proclamations).")
    named = ", ".join(sorted(cert))
    said = ", ".join(sorted(declared))
    f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=first.line_no,
                title=f"Melt and pour {named} on the mill certificate, {said} declared",
                explanation=(f"The mill certificate shows the {metal} {done} in {named}; the entry declares {said} "
                             f"as the country of melt and pour. The proclamations ask for the country where the "
                             f"metal was first {done}, not where the goods were made or shipped from." + effect),
                legal_basis=rule.legal_basis, value_delta=value, duty_delta=duty, fees_delta=fees,
                loss_of_revenue=loss, confidence=0.9,
                evidence=cert_evidence[:4] + _line_evidence(ctx, first, f"line {first.line_no}: melt and pour "
                                                                        f"{_country(first.get('melt_country'))}",
                                                            "melt_country"),
                arithmetic=steps)
    return [Result(f, changes)]


# --- SECTION232_UNDECLARED -----------------------------------------------------------------------

def undeclared(ctx: Context) -> list[Result]:
    rule = BY_CODE["SECTION232_UNDECLARED"]
    out: list[Result] = []
    lines = _metal_lines(ctx)
    groups = _groups(lines)
    missing = {k: ls for k, ls in groups.items() if not _declared_232(ls)}
    if not missing:
        return out
    date = ctx.revenue.entry_date
    cert_melt, cert_evidence = _certificate_melt(ctx)
    kinds = {revenue.section232_metal(ls[0].get("hts")) for ls in groups.values()}
    non_metal_all = _statements(ctx, "non_metal_value")
    for key, ls in missing.items():
        hts = ls[0].get("hts")
        covered, scope = revenue.section232_covered(hts, date)
        if not covered:
            continue
        metal = revenue.section232_metal(hts)
        melt = cert_melt or _declared_melt(ls) or None
        rate_info = _rate(hts, ctx, melt)
        if rate_info is None or rate_info[0] <= 0:
            continue  # exempt on this date (country arrangement, metal melted in the United States)
        rate, why = rate_info
        entered = sum((ln.get("entered_value") or ZERO for ln in ls), ZERO)
        if entered <= 0:
            continue
        on_content = revenue.section232_on_content(hts, date)
        # a non-metal part stated for the goods counts only where these are the entry's only metal goods
        nm_stmts = _for_metal(non_metal_all, metal, kinds) if on_content and len(groups) == 1 else []
        nm = sum((s.amount for s in nm_stmts), ZERO)
        if nm >= entered:
            nm_stmts, nm = [], ZERO
        value = q2(entered - nm)
        line = max(ls, key=lambda ln: ln.get("entered_value") or ZERO)
        if not on_content:
            basis = (f"{metal} content value = full entered value {entered:,.2f} "
                     + ("(chapter 72 articles pay on their full value)" if _digits(hts)[:2] == "72"
                        else "(entered before 4 June 2025: chapters 73 and 76 paid on their full value)"))
        elif nm:
            basis = f"{metal} content value = entered value {entered:,.2f} less non-metal components {nm:,.2f} = {value:,.2f}"
        else:
            basis = f"{metal} content value = entered value {entered:,.2f} (no non-{metal} value shown)"
        nos = ", ".join(str(ln.line_no) for ln in ls)
        steps = [f"line{'s' if len(ls) > 1 else ''} {nos}: HTS {hts}, {scope}; no 9903.81/9903.85 line",
                 basis,
                 f"Section 232 rate {_pct(rate)} ({why}), the proclamations' rate for the entry date (the tariff "
                 f"file is not used: its chapter 99 number depends on the annex that lists the goods); on the "
                 f"content value only, the entered value and so the fees do not change"]
        change = revenue.Change(line_no=line.line_no, value_delta=value, rates=[rate],
                                key=f"232-undeclared:{ctx.entry.entry_number}:{key}", fee_base_delta=Decimal(0),
                                note="Section 232 on the content value",
                                readings=revenue.readings(line.line_no, metal, entered, nm or None, None, value, ZERO,
                                                          value, not on_content, []))
        rev = revenue.compute(ctx.revenue, [change])
        evidence = _line_evidence(ctx, line, f"line {line.line_no}: {hts}, no Section 232 line")
        evidence += cert_evidence[:2] + [s.evidence() for s in nm_stmts]
        f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
                    title=f"Chapter {_digits(hts)[:2]} goods entered without their Section 232 line",
                    explanation=(f"Line {line.line_no} enters {line.get('description') or 'goods'} under {hts} "
                                 f"({scope}) with no 9903.81/9903.85 line: the Section 232 "
                                 f"duty of {_pct(rate)} ({why}) on their {metal} content value, USD {value:,.2f}, was "
                                 "not declared."
                                 + ("" if nm else " No document splits off a non-metal part, so the whole value "
                                    "is taken." if on_content else "")),
                    legal_basis=rule.legal_basis, value_delta=value, duty_delta=rev.duty_delta,
                    fees_delta=rev.fees_delta, loss_of_revenue=rev.loss_of_revenue,
                    confidence=0.9 if cert_melt or ctx.documents("mill_certificate") else 0.8,
                    evidence=evidence, arithmetic=steps + list(rev.arithmetic), rate_unknown=rev.rate_unknown)
        out.append(Result(f, [change]))
    return out
