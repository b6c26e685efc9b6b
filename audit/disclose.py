"""The prior disclosure draft (19 U.S.C. 1592(c)(4), 19 CFR 162.74) and the Section 232 CBP Form 28 response
pack, from ACCEPTED findings only, as Word (python-docx) with a Markdown twin of the same content.

Open and dismissed findings never reach either document, nor do their evidence files. With no accepted finding
to disclose, :func:`draft_disclosure` raises :class:`NothingAccepted` (a draft without a violation in it is not a
disclosure); the Form 28 pack instead says that there is no accepted Section 232 finding.

The draft holds every element of 19 CFR 162.74(b) under its own numbered heading:

1. the class or kind of merchandise (the declared descriptions and HTS numbers of the lines involved);
2. the entry numbers, ports of entry and approximate dates of entry (a table, one row per entry);
3. the material false statements, omissions or acts and how and when they occurred (one item per finding:
   what was declared, the statement or omission, why it is material, the legal basis, when it was made);
4. the true and accurate information (declared → corrected, per entry line and per entry, and the
   loss-of-revenue schedule);

3A. the claims to be documented: findings whose rule spec is of nature ``gap`` (a first sale without its
   evidence, a preference without its certification, a missing record), kept apart from the false statements
   and worded as what is to be documented;

then the tender of the actual loss of duties, taxes and fees (19 CFR 162.74(c)) — now, or within 30 days of
CBP's calculation — the undertaking to provide within 30 days what is not yet known, an index of the evidence
documents as numbered exhibits (cited from the text) and the signature block. What only the client knows is a
visible ``[[CLIENT TO CONFIRM: …]]`` placeholder, and every placeholder of the body is listed in the
"Open items before filing" box at the top. The draft discloses *possible* violations, with the culpability
wording counsel chooses (``culpability``; none is stated by default); what the tool says about its own inputs goes
to a "Note for counsel" box, never into the text filed; citations are written out in full and the text is in
U.S. spelling (the vocabulary of all three: ``audit/drafting.json``).

Money: every figure comes from the findings' revenue records through the schedule model (``audit/schedule.py``);
nothing is read back out of text. Each entry's loss is the audit's entry total when the store holds one computed
over exactly the accepted findings of that entry; otherwise it is recomputed from the records, with money two
findings measure counted once and the fees recomputed on the combined value. To-verify findings are never drafted.

Selection by triage (:func:`by_standing`): a finding whose remedy on its entry's triage as of the tender date is a
post-summary correction (unless ``include_psc``) or that is time-barred is left out, and the note for counsel says
which, why and by when; an entry with no liquidation data is disclosed, the note saying its standing was not known.
The post-summary correction draft itself is ``audit/psc.py``.

This module writes the draft's content (what each part says); the model is ``audit/schedule.py`` and the Word and
Markdown writers are ``audit/writers.py``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from ..models.fold import id_key
from ..models.records import Document, Entry, EntryLine, Finding, q2
from . import revenue
from . import schedule as model
from .rules import BY_CODE
from .schedule import CONTENT_CODES, EntryMoney, ScheduleRow, Selection
from .writers import Block, DraftMeta, markdown, write_blocks  # noqa: F401 (Block and markdown: this module's API)

ZERO = Decimal("0.00")
SECTION232_CODES = ("METAL_CONTENT_MISSTATED", "SECTION232_UNDECLARED", "MELT_POUR_MISMATCH")
# CBP port codes (Schedule D) for the ports named in the address; any other port is given by its code
PORT_NAMES = {
    "0401": "Boston, MA", "1001": "New York, NY", "1303": "Baltimore, MD", "1401": "Norfolk, VA",
    "1601": "Charleston, SC", "1703": "Savannah, GA", "2002": "New Orleans, LA", "2304": "Laredo, TX",
    "2704": "Los Angeles, CA", "2709": "Long Beach, CA", "2809": "San Francisco, CA", "2811": "Oakland, CA",
    "3001": "Seattle, WA", "3002": "Tacoma, WA", "3801": "Detroit, MI", "3901": "Chicago, IL",
    "4601": "Newark, NJ", "4701": "John F. Kennedy International Airport, NY", "5201": "Miami, FL",
    "5203": "Port Everglades, FL", "5301": "Houston, TX",
}
DOC_TYPE_NAMES = {
    "commercial_invoice": "commercial invoice", "packing_list": "packing list", "mill_certificate": "mill certificate",
    "entry_summary": "entry summary (CBP Form 7501)", "assist_invoice": "assist invoice", "agreement": "agreement",
    "payment_record": "payment record", "certificate_of_origin": "certificate of origin",
    "bill_of_lading": "bill of lading", "other": "document",
}
PLACEHOLDER_RE = re.compile(r"\[\[CLIENT TO CONFIRM: [^\]]*\]\]")
# what only the client can say
CLIENT_ITEMS = {
    "discovery": "how the importer discovered these errors (the internal review, audit or event that brought "
                 "them to light) and who discovered them",
    "discovery_date": "the date on which the importer discovered the errors",
    "cause": "how the errors occurred: the person or department responsible for the information declared, what "
             "they knew at the time of entry, and the corrective measures since taken",
    "no_inquiry": "that no CBP inquiry concerning these entries is pending or known to the importer (a formal "
                  "investigation, a CBP Form 28 or 29, an audit or a penalty notice); a formal investigation "
                  "commenced before this disclosure bars prior-disclosure treatment (19 U.S.C. 1592(c)(4))",
    "signatory": "name and title of the importer's officer who signs, and the date of signature",
    "filing_date": "the date of filing",
    "counsel": "name and address of the importer's counsel or customs broker, if the disclosure is made through "
               "them, or delete this line",
    "payment": "the form and reference of the payment tendered (for example the check number)",
}


# why a finding of each code is material, in plain words (the legal basis follows it in the draft)
WHY = {
    "ASSIST_UNDECLARED": "The value of an assist — a mold, die, tool, material, engineering or design work that the "
                         "buyer supplies free or at reduced cost for use in producing the goods — is part of the "
                         "transaction value; leaving it out understates the entered value.",
    "ROYALTY_UNDECLARED": "A royalty or license fee related to the imported goods that the buyer must pay, directly or "
                          "indirectly, as a condition of their sale is part of the transaction value.",
    "PACKING_UNDECLARED": "Packing costs incurred by the buyer are part of the transaction value.",
    "SELLING_COMMISSION_UNDECLARED": "A selling commission incurred by the buyer is part of the transaction value; "
                                     "unlike a bona fide buying commission, it may not be left out.",
    "PROCEEDS_UNDECLARED": "Proceeds of a later resale, disposal or use of the goods that accrue to the seller are "
                           "part of the transaction value.",
    "UNDERVALUATION": "The transaction value is the price actually paid or payable for the goods; an entered value "
                      "below it understates the duty.",
    "DEDUCTION_UNSUPPORTED": "Only international freight, insurance and the other costs the statute lists may be "
                             "deducted from the price actually paid or payable, and only when identified separately "
                             "and supported.",
    "METAL_CONTENT_MISSTATED": "Section 232 duty applies to the value of the steel or aluminum content of the goods; "
                               "a content value declared below what the documents support understates that duty.",
    "MELT_POUR_MISMATCH": "The country where the metal was first melted and poured must be declared; it decides which "
                          "Section 232 measures apply to the goods.",
    "SECTION232_UNDECLARED": "Goods subject to Section 232 must be declared with their chapter 99 heading and the "
                             "duty on their metal content value.",
    "HTS_MISMATCH": "The importer must classify the goods with reasonable care; the classification decides the rate "
                    "of duty.",
    "QUANTITY_MISMATCH": "The quantity declared must be accurate; CBP relies on it for admissibility, statistics and "
                         "any measure that depends on quantity.",
    "ARITHMETIC_ERROR": "The invoice figures on which the entered value rests must be accurate.",
    "RELATED_PARTY_UNDECLARED": "The relationship between buyer and seller must be declared, so that CBP can examine "
                                "whether it influenced the price.",
    "FIRST_SALE_UNSUPPORTED": "A value based on an earlier sale in a series stands only when that sale was for export "
                              "to the United States and at arm's length, which the importer must be able to show.",
    "FTA_CLAIM_UNSUPPORTED": "A preference claim must rest on originating goods and on the certification the agreement "
                             "requires; a claim that fails owes the general rate of duty and the merchandise "
                             "processing fee.",
    "MPF_MISCALCULATED": "The merchandise processing fee is 0.3464 % of the entered value within the fiscal year's "
                         "minimum and maximum.",
    "DOCUMENT_MISSING": "The importer must keep the records of its entries and produce them on demand.",
}


# --- the drafting vocabulary: U.S. spelling, the tool's own words kept out of the filing, full citations ------

VOCAB = json.loads((Path(__file__).resolve().parent / "drafting.json")
                   .read_text(encoding="utf-8"))
CULPABILITY = tuple(VOCAB["culpability"])  # the wordings counsel chooses from; "none": no culpability stated
_SPELLING = {k.lower(): v for k, v in VOCAB["us_spelling"].items()}
_SPELLING_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _SPELLING), key=len, reverse=True)) + r")\b",
                          re.IGNORECASE)
# document text the spelling leaves alone: quotations and file paths (and names, which start with a capital)
_FILE = r"\.(?:pdf|jpe?g|png|tiff?|xml|docx?|xlsx?|csv|txt|eml)\b"
_VERBATIM_RE = re.compile(r"\"[^\"]*\"|“[^”]*”|\([^()]*" + _FILE + r"[^()]*\)|\S+" + _FILE, re.IGNORECASE)
_TOOL_SENTENCES = [re.compile(p, re.IGNORECASE) for p in VOCAB["tool_sentences"]]
_TOOL_PHRASES = [(re.compile(p, re.IGNORECASE), r) for p, r in VOCAB["tool_phrases"].items()]
_CITATIONS = [(re.compile(p), r) for p, r in VOCAB["citations"].items()]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


class UnknownCulpability(ValueError):
    """A culpability wording the vocabulary does not hold: a usage error."""


def us_spelling(text: str) -> str:
    """``text`` in U.S. spelling (licence → license, aluminium → aluminum), leaving quoted document text, file
    paths and capitalized names (a company called "… Mould Engineering Ltd.") as the documents write them."""
    out, last = [], 0
    for m in _VERBATIM_RE.finditer(text):
        out.append(_respell(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_respell(text[last:]))
    return "".join(out)


def _respell(part: str) -> str:
    def one(m: re.Match) -> str:
        word = m.group(0)
        if word[0].isupper() and m.start() > 0 and not part[:m.start()].rstrip().endswith((".", ":")):
            return word  # a name in the middle of a sentence: as the documents write it
        us = _SPELLING[word.lower()]
        return us[0].upper() + us[1:] if word[0].isupper() else us
    return _SPELLING_RE.sub(one, part)


def cite(text: str) -> str:
    """Short citations written out in full (``Nissho Iwai`` → its reporter citation)."""
    for rx, full in _CITATIONS:
        text = rx.sub(full, text)
    return text


def for_filing(text: str) -> tuple[str, list[str]]:
    """The text to file and what was taken out of it: the tool's own sentences about its inputs or its workings
    ("no tariff schedule was supplied", "this finding should be dismissed") go to the note for counsel; its
    phrases are reworded; citations are written out in full; U.S. spelling."""
    text = cite(text)
    for rx, new in _TOOL_PHRASES:
        text = rx.sub(new, text)
    kept, notes = [], []
    for sentence in _SENTENCE_END.split(text):
        (notes if any(rx.search(sentence) for rx in _TOOL_SENTENCES) else kept).append(sentence)
    return us_spelling(" ".join(kept).strip()), notes


def placeholder(text: str) -> str:
    """A visible mark for what only the client knows."""
    return f"[[CLIENT TO CONFIRM: {text}]]"


class NothingAccepted(ValueError):
    """No accepted finding to disclose for the selection: a disclosure is drafted from accepted findings only."""


class MixedImporters(NothingAccepted):
    """The accepted findings concern several importers: a disclosure speaks for one. A usage error like
    :class:`NothingAccepted` (and caught with it): choose the importer."""


class UnknownSelection(NothingAccepted):
    """An importer or an entry number the database does not hold: a usage error like :class:`NothingAccepted`
    (and caught with it), naming what the database holds."""


def _listed(items: list[str], most: int = 8) -> str:
    items = sorted(set(items))
    return ", ".join(items[:most]) + (f" and {len(items) - most} more" if len(items) > most else "") if items else "none"


def check_selection(store, importer: str | None = None, entries: Iterable[str] | None = None) -> None:
    """Raise :class:`UnknownSelection` when ``importer`` matches no entry's importer (part of its name, or its
    number) or an entry of ``entries`` is not in the database; an empty selection is no selection either."""
    held = store.entries()
    if importer is not None:
        if not importer.strip():
            raise UnknownSelection("--importer is empty: give part of the importer's name or its number")
        names = []
        for e in held:
            imp = model.importer_of(e)
            name, number = getattr(imp, "name", None) or "", getattr(imp, "number", None) or ""
            if importer.lower() in name.lower() or (number and _norm_id(importer) == _norm_id(number)):
                break
            if name or number:
                names.append(_t(name or number))
        else:
            raise UnknownSelection(f"nothing to disclose for this selection: no importer matches {importer!r} "
                                   f"(the database's importers: {_listed(names)})")
    if entries is not None:
        wanted = [n for n in entries if n.strip()]
        if not wanted:
            raise UnknownSelection("--entries names no entry: give entry numbers, comma-separated")
        known = {_norm_id(e.entry_number) for e in held}
        unknown = [n for n in wanted if _norm_id(n) not in known]
        if unknown:
            raise UnknownSelection(f"nothing to disclose for this selection: no entry {', '.join(unknown)} in the "
                                   f"database (its entries: {_listed([e.entry_number for e in held])})")


def placeholders_in(blocks: Iterable[Block]) -> list[str]:
    """Every placeholder in the blocks, once, in the order they first appear."""
    found: list[str] = []
    for bl in blocks:
        for t in bl.texts():
            for m in PLACEHOLDER_RE.finditer(t):
                if m.group(0) not in found:
                    found.append(m.group(0))
    return found


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _t(value) -> str:
    """Text taken from documents and records: no control characters (not XML), one line, and no placeholder
    brackets of its own (only this module marks what the client must confirm)."""
    s = _CONTROL.sub("", str(value if value is not None else ""))
    s = re.sub(r"\s+", " ", s).strip()
    return s.replace("[[", "[ [").replace("]]", "] ]")


def _sentence(value) -> str:
    s = _t(value)
    return s + "." if s and s[-1] not in ".!?" else s


def _usd(x: Decimal | None) -> str:
    return "—" if x is None else f"{q2(x):,}"


def _pct(r: Decimal) -> str:
    return f"{r.normalize():f}"


def _norm_id(s: str) -> str:
    return id_key(s or "")


# --- what the store says: the schedule model ------------------------------------------------------------------

_importer_of = model.importer_of


def _select(store, importer: str | None, entries: Iterable[str] | None, codes: Iterable[str] | None = None
            ) -> Selection:
    """The accepted findings only: open, to-verify and dismissed findings never reach a draft."""
    return model.select(store, importer, entries, codes, statuses=model.DISCLOSED)


def _line(entry: Entry | None, line_no: int | None) -> EntryLine | None:
    if entry is None or line_no is None:
        return None
    return next((ln for ln in entry.lines if ln.line_no == line_no), None)


def _port(code) -> str:
    code = _t(code)
    if not code:
        return placeholder("the port of entry (not on the entry summary)")
    name = PORT_NAMES.get(code)
    return f"{name} (port code {code})" if name else f"port code {code}"


@dataclass
class Exhibit:
    number: int
    path: str
    pages: list[int]
    doc_type: str | None

    def describe(self) -> str:
        kind = DOC_TYPE_NAMES.get(self.doc_type or "", "document")
        pages = (f", page{'s' if len(self.pages) > 1 else ''} {', '.join(map(str, self.pages))}" if self.pages else "")
        return f"Exhibit {self.number}: {kind} — {_t(self.path)}{pages}"


def _exhibits(findings: list[Finding], documents: dict[str, Document]) -> list[Exhibit]:
    """The evidence files, once each, numbered in the order the findings first cite them."""
    order: dict[str, set[int]] = {}
    for f in findings:
        for ev in f.evidence:
            pages = order.setdefault(ev.path, set())
            if ev.page:
                pages.add(int(ev.page))
    return [Exhibit(i + 1, p, sorted(pg), documents[p].doc_type if p in documents else None)
            for i, (p, pg) in enumerate(order.items())]


def _cites(f: Finding, exhibits: list[Exhibit]) -> str:
    nums = sorted({x.number for x in exhibits for ev in f.evidence if ev.path == x.path})
    if not nums:
        return ""
    return ("Exhibit " if len(nums) == 1 else "Exhibits ") + ", ".join(map(str, nums))


# --- the draft -------------------------------------------------------------------------------------------

@dataclass
class Disclosure:
    importer: str
    importer_number: str | None
    entries: list[Entry]
    findings: list[Finding]
    total: Decimal  # the loss of duties, taxes and fees tendered (each entry's money counted once)
    blocks: list[Block]
    placeholders: list[str]
    entry_totals: dict[str, EntryMoney] = field(default_factory=dict)
    schedule: list[ScheduleRow] = field(default_factory=list)
    exhibits: list[Exhibit] = field(default_factory=list)
    tender_now: bool = True
    interest: dict = field(default_factory=dict)  # entry -> schedule.EntryInterest (19 U.S.C. 1505(c))
    total_interest: Decimal = ZERO
    exposures: list = field(default_factory=list)  # penalty.Exposure per importer (19 U.S.C. 1592(c))
    culpability: str = "none"
    # the note for counsel: what the tool says about its own inputs and workings, kept out of the text filed
    notes: list[str] = field(default_factory=list)
    gaps: list[Finding] = field(default_factory=list)  # the documentation gaps, kept apart from the misstatements
    left_out: list["LeftOut"] = field(default_factory=list)  # accepted findings another remedy or time takes
    left_out_total: Decimal = ZERO  # their loss (each entry's money once)


def nature(f: Finding) -> str:
    """``misstatement`` or ``gap``, from the finding's rule spec (``RuleSpec.nature``), never from its prose."""
    rule = BY_CODE.get(f.code)
    return rule.nature if rule is not None else "misstatement"


def _declared_content(line: EntryLine | None) -> tuple[Decimal, list[str]]:
    """The Section 232 content value a line declares, and under which chapter 99 numbers."""
    content, numbers, _ = revenue.declared_content(line)
    return content, numbers


def _line_duty(line: EntryLine | None) -> Decimal | None:
    if line is None or not isinstance(line.get("duty"), Decimal):
        return None
    return line.get("duty") + sum((a["duty"] for a in line.get("additional") or []
                                   if isinstance(a.get("duty"), Decimal)), ZERO)


def _true_info(f: Finding, ref: str, e: Entry | None, docs: dict[str, Document], rows: list[ScheduleRow]) -> str:
    """What should have been declared, for one finding, in a sentence, from its schedule rows (its record)."""
    line = _line(e, f.line_no)
    where = f"entry {f.entry_number}" + (f", line {f.line_no}" if f.line_no else "")
    rec = model.record(f, e)
    added = [(r, rl) for r, rl in zip(rows, rec.lines) if rl.kind == "value" and rl.base == "value"
             and r.declared is not None and r.corrected is not None]
    content = [(r, rl) for r, rl in zip(rows, rec.lines) if rl.kind == "value" and rl.base == "metal content"]
    if len(added) > 1:
        parts = [f"line {r.line_no} USD {_usd(r.corrected)} (declared USD {_usd(r.declared)} plus USD {_usd(r.change)})"
                 for r, _ in added]
        return f"{ref} (entry {f.entry_number}): entered values of " + "; ".join(parts) + f" ({_filed_title(f)})."
    if added:
        [(r, _)] = added
        return (f"{ref} ({where}): an entered value of USD {_usd(r.corrected)} — the declared USD {_usd(r.declared)} "
                f"plus USD {_usd(r.change)} ({_filed_title(f)}).")
    if content:
        r, rl = content[0]
        numbers = [x.hts for x in rl.rates if x.hts.startswith("9903.")] if _declared_content(line)[1] else []
        under = f"under {', '.join(numbers)}" if numbers else "on a chapter 99 line (9903.81 steel, 9903.85 aluminum)"
        declared = r.declared if r.declared is not None else ZERO
        corrected = r.corrected if r.corrected is not None else declared + r.change
        return (f"{ref} ({where}): a Section 232 content value of USD {_usd(corrected)} {under}, "
                f"instead of USD {_usd(declared)}, with additional duty of USD {_usd(rec.duty_delta)}.")
    if f.code == "MELT_POUR_MISMATCH":
        mill = [d for d in (docs.get(p) for p in (e.documents if e else [])) if d and d.doc_type == "mill_certificate"]
        countries = sorted({_t(c) for d in mill for c in (d.get("melt_country"), d.get("pour_country")) if c})
        declared = line.get("melt_country") if line is not None else None
        if countries:
            return (f"{ref} ({where}): country of melt and pour {', '.join(countries)}, as the mill certificate "
                    f"shows" + (f", instead of {_t(declared)}" if declared else "") + ".")
    if f.code == "FTA_CLAIM_UNSUPPORTED" and line is not None:
        spi = line.get("spi")
        value = sum((rl.value_change for rl in rec.lines), ZERO)
        duty = (placeholder(f"the general rate of duty for {where} and the duty owed at it") if rec.rate_unknown
                else f"USD {_usd(rec.duty_delta)}")
        return (f"{ref} ({where}): no preference claim" + (f" (SPI {_t(spi)} withdrawn)" if spi else "")
                + f"; duty at the general rate on USD {_usd(value)}, {duty}, and the "
                f"merchandise processing fee on that value.")
    if rec.fees_of_their_own and rec.mpf_delta:
        return (f"{ref} ({where}): a merchandise processing fee of USD {_usd(rec.mpf_after)} "
                f"instead of USD {_usd(rec.mpf_before)}.")
    if f.code == "RELATED_PARTY_UNDECLARED":
        return f"{ref} ({where}): the buyer and seller declared as related (relationship indicator \"Y\")."
    return f"{ref} ({where}): the particulars as corrected in Part 3 ({_filed_title(f)})."


def _filed_title(f: Finding) -> str:
    return for_filing(_t(f.title))[0]


@dataclass
class _Draft:
    """What the parts of the draft are written from."""

    sel: Selection
    findings: list[Finding]
    numbers: list[str]  # the entries, in order
    refs: dict[str, str]  # finding id -> F1, F2, …
    sched: model.Schedule
    exhibits: list[Exhibit]
    importer: str
    importer_number: str | None
    tender_now: bool
    culpability: str = "none"
    notes: list[str] = field(default_factory=list)

    def filed(self, f: Finding, text) -> str:
        """``text`` as filed; what the tool said about itself goes to the note for counsel, under the finding."""
        kept, out = for_filing(_t(text))
        for sentence in out:
            note = f"{self.refs.get(f.id, f.id)} (entry {f.entry_number}): {sentence}"
            if note not in self.notes:
                self.notes.append(note)
        return kept

    @property
    def misstatements(self) -> list[Finding]:
        return [f for f in self.findings if nature(f) == "misstatement"]

    @property
    def gaps(self) -> list[Finding]:
        return [f for f in self.findings if nature(f) == "gap"]

    def entry(self, number: str) -> Entry | None:
        return self.sel.entries.get(number)

    def header(self, number: str):
        e = self.entry(number)
        return e.header if e is not None else None

    def of_entry(self, number: str) -> list[Finding]:
        return [f for f in self.findings if f.entry_number == number]

    @property
    def totals(self) -> dict[str, EntryMoney]:
        return self.sched.entry_totals

    @property
    def total(self) -> Decimal:
        return self.sched.total

    @property
    def schedule(self) -> list[ScheduleRow]:
        return self.sched.rows

    def rows_of(self, f: Finding) -> list[ScheduleRow]:
        return [r for r in self.sched.rows if r.finding.id == f.id]

    @property
    def unknown_rate(self) -> list[str]:
        return [self.refs[f.id] for f in self.findings if model.record(f, self.entry(f.entry_number)).rate_unknown]


def _the_importer(entries: list[Entry]):
    """The one importer of the entries (None when no entry names one); MixedImporters when they name several."""
    parties: dict[str, object] = {}  # by importer number, else by name
    for e in sorted(entries, key=lambda e: not getattr(_importer_of(e), "number", None)):
        imp = _importer_of(e)
        if imp is None or not (imp.name or imp.number):
            continue
        same = next((k for k, p in parties.items() if imp.number and _norm_id(imp.number) == k
                     or not imp.number and imp.name and _t(p.name).lower() == _t(imp.name).lower()), None)
        parties.setdefault(same or _norm_id(imp.number or "") or _t(imp.name).lower(), imp)
    if len(parties) > 1:
        names = "; ".join(sorted(_t(p.name or p.number) for p in parties.values()))
        raise MixedImporters(f"the accepted findings concern {len(parties)} importers ({names}): a disclosure speaks "
                             "for one importer; choose it (--importer NAME)")
    return next(iter(parties.values()), None)


@dataclass
class LeftOut:
    """An accepted finding the disclosure leaves out: its entry is open to a post-summary correction, or beyond
    the five-year limit, on the tender date."""

    finding: Finding
    remedy: str  # post_summary_correction or time_barred
    deadline: date | None  # the PSC deadline, or the last day of the five years
    basis: str


def by_standing(findings: list[Finding], entries: dict[str, Entry], as_of: date, include_psc: bool = False
                ) -> tuple[list[Finding], list[LeftOut], list[str]]:
    """The findings a prior disclosure covers, from each finding's remedy on its entry's triage as of ``as_of``:
    a post-summary correction (unless ``include_psc``) or a time-barred one is left out. An entry whose
    liquidation standing is not known (no status, no date) is disclosed as before. Returns the findings kept, those
    left out and the entry numbers whose standing was not known."""
    from .psc import standing
    from .triage import finding_remedy, rules as triage_rules

    kept, left, unknown = [], [], []
    for f in findings:
        t = standing(entries.get(f.entry_number), as_of)
        remedy = finding_remedy(t, f)
        if t is None or remedy is None:
            if f.entry_number not in unknown:
                unknown.append(f.entry_number)
            kept.append(f)
        elif remedy == "time_barred":
            left.append(LeftOut(f, remedy, t.limitation_date, triage_rules()["limitation_basis"].split(":")[0]))
        elif remedy == "post_summary_correction" and not include_psc:
            left.append(LeftOut(f, remedy, t.psc_deadline, triage_rules()["psc_basis"].split(":")[0]))
        else:
            kept.append(f)
    return kept, left, unknown


def standing_notes(left: list[LeftOut], unknown: list[str], as_of: date) -> list[str]:
    """The note for counsel on what the triage left out of the draft and why, and what it could not judge."""
    notes = []
    for lo in left:
        f = lo.finding
        when = lo.deadline.isoformat() if lo.deadline else "no date"
        if lo.remedy == "post_summary_correction":
            why = (f"left out: on {as_of.isoformat()} the entry is unliquidated and a post-summary correction can "
                   f"be filed until {when} ({lo.basis}); 'appraiser psc' drafts it, '--include-psc' discloses it "
                   f"instead")
        else:
            why = (f"left out: time-barred on {as_of.isoformat()}, the five years having ended on {when} "
                   f"({lo.basis})")
        notes.append(f"Entry {f.entry_number}, finding {f.id} ({f.code}, USD {_usd(f.loss_of_revenue)}): {why}.")
    if unknown:
        notes.append(f"The liquidation standing of entr{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)} was "
                     "not known (no liquidation status or date on record): disclosed; confirm in ACE that no "
                     "post-summary correction is still open and that the five-year limit has not run.")
    return notes


def draft_disclosure(store, importer: str | None = None, entries: Iterable[str] | None = None,
                     tender_now: bool = True, tender_date: date | None = None,
                     culpability: str = "none", include_psc: bool = False, rates=None) -> Disclosure:
    """The prior disclosure of the accepted findings of one importer (optionally of some entries only).

    ``importer``: part of the importer's name, or its importer number; ``entries``: entry numbers (compared on
    letters and digits). ``tender_now``: the importer tenders the loss with the disclosure; False: it undertakes
    to tender within 30 days after CBP notifies it of CBP's calculation (19 CFR 162.74(c)). Raises
    :class:`NothingAccepted` when no accepted finding matches, :class:`MixedImporters` when the accepted findings
    concern more than one importer, :class:`UnknownSelection` when the importer or an entry is not in the database.
    ``culpability``: the wording counsel chooses (:data:`CULPABILITY`; ``none``, the default, states no level of
    culpability and reserves it); the tool never asserts one. :class:`UnknownCulpability` for any other.
    The findings on entries open to a post-summary correction on the tender date (unless ``include_psc``) or
    time-barred are left out (:func:`by_standing`), and the note for counsel says so. ``rates``: the interest
    rate table (:func:`audit.interest.extended` for quarters after the shipped ones; default: the shipped table)."""
    if culpability not in CULPABILITY:
        raise UnknownCulpability(f"--culpability {culpability!r}: one of {', '.join(CULPABILITY)}")
    entries = list(entries) if entries is not None else None
    if importer is not None or entries is not None:
        check_selection(store, importer, entries)
    sel = _select(store, importer, entries)
    if not sel.findings:
        raise NothingAccepted("no accepted finding to disclose"
                              + (" for this selection" if importer or entries else "")
                              + ": accept findings first ('appraiser accept ID')")
    as_of = tender_date or date.today()
    findings, left, unknown = by_standing(sel.findings, sel.entries, as_of, include_psc)
    if not findings:
        many = len(left) != 1
        raise NothingAccepted(f"nothing to disclose as of {as_of.isoformat()}: the {len(left)} accepted finding"
                              f"{'s' if many else ''} of this selection {'are' if many else 'is'} on entries open "
                              "to a post-summary correction ('appraiser psc', or --include-psc) or time-barred")
    sel.findings = findings
    numbers = sorted({f.entry_number for f in findings})
    ents = [sel.entries[n] for n in numbers if n in sel.entries]
    party = _the_importer(ents)
    refs = {f.id: f"F{i + 1}" for i, f in enumerate(findings)}
    sched = model.build(findings, sel.entries, sel.saved_totals, refs, statuses=model.DISCLOSED, tender=tender_date,
                        rates=rates)
    d = _Draft(sel, findings, numbers, refs, sched, _exhibits(findings, sel.documents),
               _t(party.name) if party is not None and party.name else placeholder("the importer of record's name"),
               _t(party.number) if party is not None and party.number else None, tender_now, culpability,
               notes=standing_notes(left, unknown, as_of))
    b = (_opening(d) + _merchandise(d) + _entries_part(d) + _statements(d) + _gaps(d) + _true_information(d)
         + _tender(d) + _closing(d))
    b += money_appendix(sched, sel.entries)
    holders = placeholders_in(b)
    box = Block("box", label="Open items before filing",
                text="This draft is not ready to file. Each item is marked where it stands in the text; confirm or "
                     "complete it there and remove the mark.", items=holders)
    top = [box]
    if d.notes:
        top.append(Block("box", label="Note for counsel (not part of the filing; delete before filing)",
                         text="What the review said about its own inputs, taken out of the text to be filed"
                              + (", and what the liquidation triage left out or could not judge" if left or unknown
                                 else "") + ":",
                         items=d.notes))
    return Disclosure(d.importer, d.importer_number, ents, findings, d.total, top + b, holders, d.totals,
                      d.schedule, d.exhibits, tender_now, interest=sched.interest,
                      total_interest=sched.total_interest, exposures=model.exposures(sched, sel.entries),
                      culpability=culpability, notes=d.notes, gaps=d.gaps, left_out=left,
                      left_out_total=model.build([x.finding for x in left], sel.entries, sel.saved_totals,
                                                 statuses=model.DISCLOSED, tender=as_of,
                                                 rates=rates).total if left else ZERO)


def _opening(d: _Draft) -> list[Block]:
    """Status, addressees, the importer, and the statements of the disclosure."""
    ports = sorted({_t(h.get("port_code")) for h in map(d.header, d.numbers) if h is not None and h.get("port_code")})
    where = ("port" + ("s " if len(ports) > 1 else " ") + ", ".join(ports)) if ports else "the port of entry"
    n = len(d.findings)
    return [
        Block("para", "DRAFT FOR REVIEW — not to be filed until every open item above is confirmed. Prepared "
                      f"{date.today().isoformat()} from {n} accepted finding{'s' if n != 1 else ''}.", label="Status: "),
        Block("heading", "Prior disclosure under 19 U.S.C. 1592(c)(4) and 19 CFR 162.74", 1),
        Block("para", "Port Director, U.S. Customs and Border Protection, "
                      + ("; ".join(_port(p) for p in ports) or _port(None))
                      + "; and the Fines, Penalties and Forfeitures Office having jurisdiction over the port"
                      + ("s" if len(ports) > 1 else "") + " of entry. Address: "
                      + placeholder("the mailing address of the Port Director and of the Fines, Penalties and "
                                    f"Forfeitures Office for {where}") + ".", label="To: "),
        Block("para", d.importer + (f", importer of record number {d.importer_number}" if d.importer_number else "")
              + " (the “Importer”).", label="From: "),
        Block("para", placeholder(CLIENT_ITEMS["filing_date"]) + ".", label="Date: "),
        Block("para", f"Prior disclosure concerning entr{'ies' if len(d.numbers) > 1 else 'y'} "
                      f"{', '.join(d.numbers)}; loss of duties, taxes and fees USD {_usd(d.total)}.", label="Re: "),
        Block("para", "The Importer discloses under 19 U.S.C. 1592(c)(4) and 19 CFR 162.74 the circumstances of "
                      "possible violations of 19 U.S.C. 1592 concerning the entries listed in Part 2, before, and "
                      "without knowledge of, the commencement of a formal investigation of those possible violations: "
                      + placeholder(CLIENT_ITEMS["no_inquiry"]) + ". " + VOCAB["culpability"][d.culpability]),
        Block("para", "The Importer discovered the errors as follows: " + placeholder(CLIENT_ITEMS["discovery"])
              + "; on " + placeholder(CLIENT_ITEMS["discovery_date"]) + "."),
        Block("para", "This disclosure and its exhibits contain confidential commercial and financial information; "
                      "the Importer requests that they be treated as exempt from public disclosure under "
                      "5 U.S.C. 552(b)(4) and 19 CFR part 103."),
    ]


def _merchandise(d: _Draft) -> list[Block]:
    """162.74(b)(1): the class or kind of merchandise, from the declared lines the findings concern."""
    kinds: list[str] = []
    for n in d.numbers:
        e = d.entry(n)
        if e is None:
            continue
        affected = {f.line_no for f in d.of_entry(n)}
        origin = e.header.get("country_of_origin")
        for ln in [ln for ln in e.lines if None in affected or ln.line_no in affected] or e.lines:
            hts = ln.get("hts")
            if hts and str(hts).startswith("99"):
                continue
            kinds.append(f"{_t(ln.get('description')) or 'goods (description not declared)'}, HTSUS "
                         f"{_t(hts) or '(not declared)'}" + (f", country of origin {_t(origin)}" if origin else "")
                         + f" — entry {n}, line {ln.line_no}")
    return [Block("heading", "1. Class or kind of merchandise (19 CFR 162.74(b)(1))", 2),
            Block("para", "The merchandise involved is the following, as described and classified on the entry "
                          "summaries:"),
            Block("list", items=kinds or [placeholder("the class or kind of merchandise (no entry line is on record "
                                                      "for these findings)")])]


def _entries_part(d: _Draft) -> list[Block]:
    """162.74(b)(2): the entry numbers, the ports of entry and the approximate dates of entry."""
    rows = [["Entry number", "Port code", "Port of entry", "Entry date", "Entry summary date", "Findings"]]
    for n in d.numbers:
        h = d.header(n)
        code = _t(h.get("port_code")) if h is not None else ""
        rows.append([n, code or "—", PORT_NAMES.get(code, "—"),
                     _t(h.get("entry_date")) if h is not None and h.get("entry_date") else "—",
                     _t(h.get("summary_date")) if h is not None and h.get("summary_date") else "—",
                     ", ".join(d.refs[f.id] for f in d.of_entry(n))])
    return [Block("heading", "2. Entry numbers, ports of entry and dates of entry (19 CFR 162.74(b)(2))", 2),
            Block("table", rows=rows),
            Block("para", "The dates are those the entry summaries (CBP Form 7501) show; the entry date is the "
                          "approximate date of entry of the merchandise.")]


def _declared(f: Finding, e: Entry | None) -> str:
    """What the entry summary declared, for one finding."""
    h = e.header if e is not None else None
    line = _line(e, f.line_no)
    if h is None:
        return f"The entry summary for entry {f.entry_number} is not among the documents reviewed."
    filed = (f"On the entry summary for entry {f.entry_number}"
             + (f" dated {_t(h.get('summary_date'))}" if h.get("summary_date") else "")
             + (f", for merchandise entered on {_t(h.get('entry_date'))}" if h.get("entry_date") else "")
             + (f" at {_port(h.get('port_code'))}" if h.get("port_code") else ""))
    if line is None:
        total = h.get("total_entered_value")
        return (f"{filed}, the Importer declared a total entered value of USD {_usd(total)}."
                if isinstance(total, Decimal) else f"{filed}, the Importer made the declarations described below.")
    decl = (f"{filed}, line {line.line_no} declared {_t(line.get('description')) or 'the goods'} under HTSUS "
            f"{_t(line.get('hts')) or '(not declared)'}"
            + (f" at an entered value of USD {_usd(line.get('entered_value'))}"
               if isinstance(line.get("entered_value"), Decimal) else ""))
    if f.code in SECTION232_CODES:
        content, nums = _declared_content(line)
        decl += (f", with a Section 232 content value of USD {_usd(content)} under {', '.join(nums)}" if nums
                 else ", with no Section 232 line")
        if line.get("melt_country"):
            decl += f", and {_t(line.get('melt_country'))} as the country of melt and pour"
    return decl + "."


def _statements(d: _Draft) -> list[Block]:
    """162.74(b)(3): each material false statement or omission, why it is material, and how and when it occurred."""
    b = [Block("heading", "3. Material false statements, omissions or acts, and how and when they occurred "
                          "(19 CFR 162.74(b)(3))", 2),
         Block("para", "Each item states what the entry declared, the statement or omission, why it is material, "
                       "its legal basis, and how and when it occurred. The exhibits cited are listed in Part 7.")]
    if not d.misstatements:
        b.append(Block("para", "No false statement, omission or act is disclosed apart from the claims to be "
                               "documented in Part 3A."))
    for f in d.misstatements:
        h = d.header(f.entry_number)
        rule = BY_CODE.get(f.code)
        rec = model.record(f, d.entry(f.entry_number))
        if rec.rate_unknown:
            material = ("It changes the duties owed; the applicable rate, "
                        + placeholder(f"the rate of duty that applies to {_where(f)} and the duty owed at it")
                        + ", is to be provided under Part 6.")
        elif rec.loss_of_revenue > 0:
            material = (f"It reduced the duties, taxes and fees assessed on the entry by USD "
                        f"{_usd(rec.loss_of_revenue)} (duty USD {_usd(rec.duty_delta)}, fees USD "
                        f"{_usd(rec.fees_delta)}; see the schedule in Part 4).")
        else:
            material = ("It did not change the duties, taxes and fees owed; it is disclosed because it concerns "
                        "information CBP relies on to assess and admit the merchandise.")
        why = WHY.get(f.code) or (_sentence(rule.description) if rule else "")
        when = ("The statement was made when the entry summary was filed"
                + (f" on or about {_t(h.get('summary_date'))}" if h is not None and h.get("summary_date") else "")
                + ". How it occurred: " + placeholder(CLIENT_ITEMS["cause"]) + ".")
        b += [Block("heading", f"{d.refs[f.id]}. Entry {f.entry_number}" + (f", line {f.line_no}" if f.line_no else "")
                    + f": {d.filed(f, f.title)}", 3),
              Block("para", _declared(f, d.entry(f.entry_number)), label="What was declared: "),
              Block("para", _sentence(d.filed(f, f.explanation)), label="The statement or omission: "),
              Block("para", d.filed(f, revenue.describe(f.revenue)), label="The loss of revenue: "),
              Block("para", (f"{why} " if why else "") + material, label="Why it is material: "),
              Block("para", d.filed(f, rule.legal_basis if rule else f.legal_basis) + ".",
                    label="Legal basis: "),
              Block("para", when, label="How and when it occurred: ")]
        if rule is not None and rule.to_document:
            b.append(Block("para", us_spelling(_sentence(rule.to_document[0].upper() + rule.to_document[1:])),
                           label="To be documented: "))
        cites = _cites(f, d.exhibits)
        if cites:
            b.append(Block("para", cites + ".", label="Evidence: "))
    return b


def _where(f: Finding) -> str:
    return f"entry {f.entry_number}" + (f", line {f.line_no}" if f.line_no else "")


def _gaps(d: _Draft) -> list[Block]:
    """The documentation gaps (rule specs of nature ``gap``): a claim the entry made that the documents reviewed
    do not support. Not presented as false statements: what is to be documented, what the documents show, and
    the loss if the claim cannot be documented (in the schedule and the tender, so that nothing is left short)."""
    if not d.gaps:
        return []
    b = [Block("heading", "3A. Claims to be documented", 2),
         Block("para", "The following claims made on the entries are not supported by the documents reviewed so far. "
                       "They are not disclosed as false statements: the Importer is gathering the documents that "
                       "support them and will provide them under Part 6. Should a claim not be documented, the loss "
                       "of revenue it would cause is included in the schedule in Part 4 and in the tender.")]
    for f in d.gaps:
        rule = BY_CODE.get(f.code)
        rec = model.record(f, d.entry(f.entry_number))
        what = (rule.to_document if rule is not None and rule.to_document else placeholder(
            f"what the importer is to document for {_where(f)}"))
        loss = (d.filed(f, revenue.describe(f.revenue)) if rec.loss_of_revenue > 0
                else "none: the claim does not change the duties, taxes or fees owed")
        if rec.rate_unknown:
            loss = loss.rstrip(".") + "; the duty at the rate that would apply, " + placeholder(
                f"the rate of duty that applies to {_where(f)} without the claim and the duty owed at it")
        b += [Block("heading", f"{d.refs[f.id]}. Entry {f.entry_number}" + (f", line {f.line_no}" if f.line_no else "")
                    + f": {d.filed(f, f.title)}", 3),
              Block("para", _declared(f, d.entry(f.entry_number)), label="What was declared: "),
              Block("para", us_spelling(what[0].upper() + what[1:]) + ("" if what.endswith(".") else "."),
                    label="To be documented: "),
              Block("para", _sentence(d.filed(f, f.explanation)), label="What the documents reviewed show: "),
              Block("para", loss if loss.endswith(".") else loss + ".",
                    label="If it cannot be documented, the loss of revenue: "),
              Block("para", d.filed(f, rule.legal_basis if rule else f.legal_basis) + ".",
                    label="Legal basis: ")]
        cites = _cites(f, d.exhibits)
        if cites:
            b.append(Block("para", cites + ".", label="Evidence: "))
    return b


def _corrections(d: _Draft) -> list[list[str]]:
    """Declared → corrected, per entry line (entered value, content value, duty) and per entry (MPF, HMF)."""
    corr = [["Entry", "Line", "Item", "Declared", "Corrected"]]
    for n in d.numbers:
        e = d.entry(n)
        fs = [f for f in d.of_entry(n) if f.id not in set(d.totals[n].counted_once)]
        for line_no in sorted({f.line_no for f in fs if f.line_no is not None}):
            line = _line(e, line_no)
            if line is None:
                continue
            parts = [(r, rl) for f in fs for r, rl in zip(d.rows_of(f), model.record(f, e).lines)
                     if rl.line_no == line_no]
            value_add = sum((rl.entered_after - rl.entered_before for _, rl in parts
                             if rl.entered_after is not None and rl.entered_before is not None), ZERO)
            content_add = sum((rl.value_change for _, rl in parts if rl.kind == "value" and rl.base == "metal content"),
                              ZERO)
            entered = line.get("entered_value")
            if isinstance(entered, Decimal):
                corr.append([n, str(line_no), "Entered value", _usd(entered), _usd(entered + value_add)])
            if content_add:
                content, nums = _declared_content(line)
                corr.append([n, str(line_no), "Section 232 content value" + (f" ({', '.join(nums)})" if nums else ""),
                             _usd(content), _usd(content + content_add)])
            duty = _line_duty(line)
            if duty is not None:
                corr.append([n, str(line_no), "Duty (the line and its chapter 99 lines)", _usd(duty),
                             _usd(duty + sum((r.duty for r, _ in parts), ZERO))])
        h = d.header(n)
        if h is None:
            continue
        t = d.totals[n]
        for name, key, delta in (("Merchandise processing fee", "mpf", t.mpf), ("Harbor maintenance fee", "hmf", t.hmf)):
            declared = h.get(key)
            if isinstance(declared, Decimal):
                corr.append([n, "—", name, _usd(declared), _usd(declared + delta)])
            elif delta:
                corr.append([n, "—", name, "none declared", _usd(delta)])
    return corr


def _schedule_table(d: _Draft) -> list[list[str]]:
    """The loss-of-revenue schedule: a row per finding and entry line, each entry's total, the total tendered."""
    sched = [["Entry", "Line", "HTS", "Declared value", "Corrected value", "Rate(s) %", "Duty delta", "MPF delta",
              "HMF delta", "Loss of revenue", "Finding"]]
    for n in d.numbers:
        mine = d.sched.of_entry(n)
        for r in mine:
            mark = " †" if r.content else ""
            sched.append([n, str(r.line_no or "—"), _t(r.hts) or "—",
                          _usd(r.declared) + (mark if r.declared is not None else ""),
                          _usd(r.corrected) + (mark if r.corrected is not None else ""),
                          "to be provided (Part 6)" if r.rates == "unknown" else r.rates or "—",
                          _usd(r.duty), _usd(r.mpf), _usd(r.hmf), _usd(r.loss), r.ref])
        t = d.totals[n]
        differs = t.loss != q2(sum((r.loss for r in mine), ZERO))
        if d.sched.entry_row_needed(n):
            sched.append([f"Entry {n} total" + (" ‡" if t.counted_once or differs else ""), "", "", "", "", "",
                          _usd(t.duty), _usd(t.mpf), _usd(t.hmf), _usd(t.loss), ""])
    totals = d.totals.values()
    sched.append(["Total", "", "", "", "", "", _usd(sum((t.duty for t in totals), ZERO)),
                  _usd(sum((t.mpf for t in totals), ZERO)), _usd(sum((t.hmf for t in totals), ZERO)),
                  _usd(d.total), f"incomplete: the duty of {', '.join(d.unknown_rate)} is to be provided (Part 6)"
                  if d.unknown_rate else ""])
    return sched


def _true_information(d: _Draft) -> list[Block]:
    """162.74(b)(4): what should have been declared, and the loss-of-revenue schedule."""
    b = [Block("heading", "4. True and accurate information (19 CFR 162.74(b)(4))", 2),
         Block("para", "The entries should have declared the following (USD; entered values as declared on the entry "
                       "summaries, corrections to the cent):"),
         Block("list", items=[_true_info(f, d.refs[f.id], d.entry(f.entry_number), d.sel.documents, d.rows_of(f))
                              + (" This applies only if the claim is not documented (Part 3A)." if nature(f) == "gap"
                                 else "") for f in d.findings])]
    corr = _corrections(d)
    if len(corr) > 1:
        b.append(Block("table", rows=corr, numeric=(3, 4)))
    sched = _schedule_table(d)
    b += [Block("heading", "Loss-of-revenue schedule", 3), Block("table", rows=sched, numeric=(3, 4, 6, 7, 8, 9)),
          Block("para", "The declared and corrected values are entered values, except those marked † which are "
                        "Section 232 steel or aluminum content values (the entered value does not change). Each "
                        "finding's money is measured against the entry as declared; MPF is 0.3464 % of the entered "
                        "value within the fiscal year's minimum and maximum, HMF 0.125 % on vessel entries.")]
    if any(row[0].endswith("‡") for row in sched):
        b.append(Block("para", "‡ The entry's total counts money two findings measure once and computes the fees on "
                               "the combined value; it is the figure tendered."))
    if d.unknown_rate:
        b.append(Block("para", f"The duty of {', '.join(d.unknown_rate)} is not included: the applicable rate is to "
                               "be provided under Part 6."))
    return b


def _tender(d: _Draft) -> list[Block]:
    """162.74(c): the tender, now or within 30 days of CBP's calculation; 162.74(b)(4): what is not yet known."""
    if d.total <= 0:
        tender = ("The statements disclosed did not cause a loss of duties, taxes or fees; no tender is due. The "
                  "Importer will pay any amount CBP determines to be due.")
    elif d.tender_now:
        tender = (f"The Importer tenders herewith the actual loss of duties, taxes and fees of USD {_usd(d.total)}, "
                  f"computed as shown in the schedule in Part 4 ({placeholder(CLIENT_ITEMS['payment'])}).")
    else:
        tender = ("The Importer will tender the actual loss of duties, taxes and fees within 30 days after CBP "
                  "notifies it in writing of CBP's calculation of that loss. The Importer calculates the loss at "
                  f"USD {_usd(d.total)}, as shown in the schedule in Part 4.")
    unknown = d.unknown_rate
    return [Block("heading", "5. Tender of the actual loss of duties, taxes and fees (19 CFR 162.74(c))", 2),
            Block("para", tender),
            Block("heading", "6. Information not yet known (19 CFR 162.74(b)(4))", 2),
            Block("para", "Any information or data unknown at the time of this disclosure will be provided within 30 "
                          "days of the date of this disclosure; should more time be needed, the Importer will ask "
                          "the Fines, Penalties and Forfeitures Officer for an extension before that period ends."
                  + (f" This includes the duty of {', '.join(unknown)}, at the rate that applies." if unknown
                     else "")
                  + (f" This includes the documents supporting the claims in Part 3A "
                     f"({', '.join(d.refs[f.id] for f in d.gaps)})."
                     if d.gaps else ""))]


def _closing(d: _Draft) -> list[Block]:
    """The exhibits index and the signature block."""
    return [Block("heading", "7. Exhibits", 2),
            Block("list", items=[x.describe() for x in d.exhibits] or ["No document is cited."]),
            Block("heading", "Signature", 2),
            Block("para", f"Respectfully submitted, {d.importer}, by {placeholder(CLIENT_ITEMS['signatory'])}."),
            Block("para", placeholder(CLIENT_ITEMS["counsel"]) + ".")]


# --- the appendix for counsel: interest and penalty exposure ------------------------------------------------

def money_appendix(sched: model.Schedule, entries: dict[str, Entry]) -> list[Block]:
    """Interest under 19 U.S.C. 1505(c) per entry (each step shown) and the 19 U.S.C. 1592(c) penalty exposure per
    importer, for counsel: figures stated, the choice left to counsel."""
    tender = sched.tender.isoformat() if sched.tender else "today"
    b = [Block("heading", "Appendix for counsel: interest and penalty exposure (not part of the filing)", 2),
         Block("para", f"Interest on each entry's loss of duties, taxes and fees under 19 U.S.C. 1505(c) and 19 CFR "
                       f"24.3a, at the IRS underpayment rates of 26 U.S.C. 6621 for each calendar quarter as CBP "
                       f"publishes them, compounded daily, from the entry summary date (the day estimated duties are "
                       f"deposited; the entry date where no summary date is known) to the tender date {tender}. The "
                       f"rates and their sources are listed in the tool's rate table; a period it does not cover is "
                       f"stated, not estimated.")]
    rows = [["Entry", "Interest from", "Computed to", "Days", "Loss of revenue", "Interest", "Note"]]
    for n in sched.numbers:
        ei = sched.interest.get(n)
        res = ei.result if ei is not None else None
        rows.append([n, ei.deposit.isoformat() if ei is not None and ei.deposit else "—",
                     res.computed_to.isoformat() if res is not None and res.computed_to else "—",
                     str(res.days) if res is not None else "—", _usd(sched.entry_totals[n].loss),
                     _usd(ei.amount if ei is not None else ZERO), _t(ei.gap) if ei is not None and ei.gap else ""])
    rows.append(["Total", "", "", "", _usd(sched.total), _usd(sched.total_interest), ""])
    b.append(Block("table", rows=rows, numeric=(3, 4, 5)))
    steps = [f"Entry {n}: {s.describe()}" for n in sched.numbers
             if sched.interest.get(n) is not None and sched.interest[n].result is not None
             for s in sched.interest[n].result.steps]
    if steps:
        b += [Block("para", "Each step (the balance carried exact, the interest rounded to the cent once):"),
              Block("list", items=steps)]
    for x in model.exposures(sched, entries):
        b.append(Block("heading", f"Penalty exposure, 19 U.S.C. 1592(c): {_t(x.importer)}", 3))
        b.append(Block("para", f"Entries {', '.join(x.entries)}; loss of duties, taxes and fees USD {_usd(x.loss)}; "
                               f"interest USD {_usd(x.interest)}; dutiable (entered) value USD "
                               f"{_usd(x.dutiable_value)}."))
        table = [["Culpability", "Without a prior disclosure (maximum)", "Basis", "With a prior disclosure (maximum)",
                  "Basis"]]
        table += [[r.culpability, _usd(r.without_disclosure), r.without_basis, _usd(r.with_disclosure), r.with_basis]
                  for r in x.rows]
        b += [Block("table", rows=table, numeric=(1, 3)), Block("list", items=list(x.caveats))]
    return b


# --- writing ---------------------------------------------------------------------------------------------

def reviewers(findings: Iterable[Finding]) -> str:
    """Who accepted the findings (the draft's author when none is given), in order, once each."""
    return ", ".join(dict.fromkeys(_t(f.reviewer) for f in findings if f.reviewer and _t(f.reviewer)))


def write_disclosure(disclosure: Disclosure, out_docx: Path | str, author: str | None = None) -> dict[str, Path]:
    """Write the draft as Word (``out_docx``) and its Markdown twin (the same path with ``.md``), with the
    privilege header, page numbers and real document properties; ``author``: by default the reviewers who
    accepted its findings."""
    numbers = ", ".join(e.entry_number for e in disclosure.entries)
    meta = DraftMeta("Prior disclosure (draft): " + disclosure.importer,
                     f"Prior disclosure under 19 U.S.C. 1592(c)(4) and 19 CFR 162.74; entries {numbers}",
                     _t(author) if author else reviewers(disclosure.findings), keywords="prior disclosure; draft")
    return write_blocks(disclosure.blocks, out_docx, meta.title, meta)


# --- the Form 28 response pack for Section 232 content value ---------------------------------------------

FORM28_ITEMS = {
    "form28": "the CBP Form 28 number, the date CBP issued it and the CBP officer or team it answers",
    "complete": "that the mill certificates and invoices listed are all those the importer holds for these "
                "entries, or the further documents to attach",
    "signatory": "name and title of the importer's officer who signs, and the date of signature",
}


def form28_blocks(store, entries: Iterable[str] | None = None, importer: str | None = None) -> list[Block]:
    """The Form 28 response pack's content, from the accepted Section 232 findings."""
    sel = _select(store, importer, entries, codes=SECTION232_CODES)
    findings = sel.findings
    notes: list[str] = []

    def filed(f: Finding, text) -> str:
        kept, out = for_filing(_t(text))
        notes.extend(n for n in (f"{f.entry_number}: {o}" for o in out) if n not in notes)
        return kept

    b: list[Block] = []
    b.append(Block("para", f"DRAFT FOR REVIEW — prepared {date.today().isoformat()} from the accepted Section 232 "
                           "findings.", label="Status: "))
    b.append(Block("heading", "Response to CBP Form 28 (Request for Information): Section 232 steel and aluminum "
                              "content value", 1))
    b.append(Block("para", placeholder(FORM28_ITEMS["form28"]) + ".", label="In response to: "))
    if not findings:
        b.append(Block("para", "There is no accepted Section 232 finding (content value misstated, Section 232 line "
                               "missing, or melt-and-pour country misstated) for the entries selected: there is no "
                               "content value or country of melt and pour to explain or correct."))
        return _with_open_items(b)
    refs = {f.id: f"F{i + 1}" for i, f in enumerate(findings)}
    numbers = sorted({f.entry_number for f in findings})
    parties = {_t(getattr(_importer_of(sel.entries.get(n)), "name", None) or "") for n in numbers} - {""}
    b.append(Block("para", (", ".join(sorted(parties)) or placeholder("the importer of record's name"))
                   + f" provides the following for entr{'ies' if len(numbers) > 1 else 'y'} {', '.join(numbers)}.",
                   label="From: "))
    attachments = _exhibits(findings, sel.documents)
    for n in numbers:
        e = sel.entries.get(n)
        h = e.header if e is not None else None
        fs = [f for f in findings if f.entry_number == n]
        b.append(Block("heading", f"Entry {n}", 2))
        facts = []
        if h is not None:
            imp = _importer_of(e)
            facts.append(f"Importer: {_t(getattr(imp, 'name', None)) or '—'}"
                         + (f", importer number {_t(imp.number)}" if getattr(imp, "number", None) else "")
                         + f". Port of entry: {_port(h.get('port_code'))}; entry date {_t(h.get('entry_date')) or '—'}; "
                         f"entry summary date {_t(h.get('summary_date')) or '—'}; country of origin "
                         f"{_t(h.get('country_of_origin')) or '—'}.")
        for line in e.lines if e is not None else []:
            line_no = line.line_no
            content, nums = _declared_content(line)
            facts.append(f"Line {line_no}: {_t(line.get('description')) or 'goods'}, HTSUS {_t(line.get('hts'))}, "
                         f"entered value USD {_usd(line.get('entered_value'))}; "
                         + (f"Section 232 content value declared USD {_usd(content)} under {', '.join(nums)}"
                            if nums else "no Section 232 content value declared on this line")
                         + (f"; country of melt and pour declared {_t(line.get('melt_country'))}"
                            if line.get("melt_country") else "") + ".")
        b.append(Block("list", items=facts))

        b.append(Block("heading", "Calculation method", 3))
        b.append(Block("para", "The Section 232 duty applies to the steel or aluminum content value only, declared on "
                               "its own chapter 99 line (9903.81 steel, 9903.85 aluminum) under the same HTS number, "
                               "with the non-metal value on a second line. The content value has two readings, both "
                               "reported: (a) the price the producer paid for the steel or aluminum in the goods "
                               "(CBP's guidance); (b) the entered value less the value of the non-metal components "
                               "(the Base Metals Center's reading). The correction is measured against the higher, "
                               "the more conservative, of the two."))
        for f in fs:
            if f.code not in CONTENT_CODES:
                continue
            r = model.readings(f, e)
            b.append(Block("para", "reading (a), the metal price paid: "
                                   + (f"USD {_usd(r.metal_cost)}" if r.metal_cost is not None
                                      else "not stated in the documents")
                                   + "; reading (b), entered value less non-metal components: "
                                   + (f"USD {_usd(r.less_non_metal)}" if r.less_non_metal is not None
                                      else "not stated in the documents")
                                   + (f"; measured against {r.measured_against}" if r.measured_against else "") + ".",
                           label=f"{refs[f.id]}, line {f.line_no}: "))

        b.append(Block("heading", "Explanation", 3))
        for f in fs:
            b.append(Block("para", f"{filed(f, f.title)}. {_sentence(filed(f, f.explanation))} Legal basis: "
                                   f"{filed(f, BY_CODE[f.code].legal_basis if f.code in BY_CODE else f.legal_basis)}.",
                           label=f"{refs[f.id]}: "))

        b.append(Block("heading", "Cost analysis", 3))
        for f in fs:
            rec = model.record(f, e)
            if f.code in CONTENT_CODES:
                r = model.readings(f, e)
                supported = r.supported if r.supported is not None else r.declared_content + rec.value_delta
                rows = [["Item", "USD"],
                        ["Entered value of the goods", _usd(r.entered_value)],
                        ["Non-metal components", _usd(r.non_metal_value)],
                        ["(a) Price paid for the metal", _usd(r.metal_cost)],
                        ["(b) Entered value less non-metal components", _usd(r.less_non_metal)],
                        ["Content value supported (the higher reading)", _usd(supported)],
                        ["Content value declared" + (f" ({', '.join(r.declared_under)})" if r.declared_under else ""),
                         _usd(r.declared_content)],
                        ["Content value not declared", _usd(rec.value_delta)],
                        ["Section 232 rate %", _pct(r.rate) if r.rate is not None else "—"],
                        ["Additional duty", _usd(rec.duty_delta)],
                        ["Fees (MPF, HMF)", _usd(rec.fees_delta)],
                        ["Loss of revenue", _usd(rec.loss_of_revenue)]]
            else:
                rows = [["Item", "USD"], ["Additional duty (rate difference between the countries)",
                                          _usd(rec.duty_delta)],
                        ["Loss of revenue", _usd(rec.loss_of_revenue)]]
            b.append(Block("para", "", label=f"{refs[f.id]} ({f.code}):"))
            b.append(Block("table", rows=rows, numeric=(1,)))
            if f.arithmetic:
                b.append(Block("para", "", label="Worked calculation:"))
                b.append(Block("list", items=[t for t in (filed(f, s) for s in f.arithmetic) if t]))

        b.append(Block("heading", "Melt and pour", 3))
        mills = [d for d in (sel.documents.get(p) for p in (e.documents if e is not None else []))
                 if d is not None and d.doc_type == "mill_certificate"]
        rows = [["Source", "Country of melt", "Country of pour", "Heats"]]
        for line_no in sorted({f.line_no for f in fs if f.line_no is not None}):
            line = _line(e, line_no)
            if line is not None:
                rows.append([f"Entry line {line_no} (declared)", _t(line.get("melt_country")) or "not declared",
                             _t(line.get("melt_country")) or "not declared", "—"])
        for d in mills:
            heats = [li for li in d.line_items if li.get("heat_number")]
            melt = {_t(li.get("melt_country")) for li in heats if li.get("melt_country")} or \
                {_t(d.get("melt_country"))} - {""}
            pour = {_t(li.get("pour_country")) for li in heats if li.get("pour_country")} or \
                {_t(d.get("pour_country"))} - {""}
            rows.append([f"Mill certificate {_t(d.get('certificate_number')) or ''} ({_t(d.path)})".replace("  ", " "),
                         ", ".join(sorted(melt)) or "not stated", ", ".join(sorted(pour)) or "not stated",
                         ", ".join(_t(li.get("heat_number")) for li in heats) or "—"])
        if len(rows) > 1:
            b.append(Block("table", rows=rows))
        if not mills:
            b.append(Block("para", "No mill certificate for this entry is among the documents reviewed."))

        b.append(Block("heading", "Supporting documents", 3))
        cited = [x for x in attachments if any(ev.path == x.path for f in fs for ev in f.evidence)]
        items = [x.describe().replace("Exhibit", "Attachment", 1) for x in cited]
        more = [d for d in (sel.documents.get(p) for p in (e.documents if e is not None else []))
                if d is not None and d.doc_type in ("mill_certificate", "commercial_invoice")
                and not any(x.path == d.path for x in cited)]
        items += [f"{DOC_TYPE_NAMES.get(d.doc_type, 'document')} — {_t(d.path)} (in the entry's file)" for d in more]
        b.append(Block("list", items=items or ["No document is cited."]))
    b.append(Block("heading", "Certification", 2))
    b.append(Block("para", "The information above is true and correct to the best of the importer's knowledge: "
                           + placeholder(FORM28_ITEMS["complete"]) + ". Signed: " + placeholder(FORM28_ITEMS["signatory"])
                           + "."))
    return _with_open_items(b, notes)


def _with_open_items(b: list[Block], notes: list[str] | None = None) -> list[Block]:
    box = Block("box", label="Open items before sending", items=placeholders_in(b),
                text="Each item is marked where it stands in the text; confirm or complete it there and remove the mark.")
    top = [box]
    if notes:
        top.append(Block("box", label="Note for counsel (not part of the response; delete before sending)",
                         text="What the review said about its own inputs, taken out of the text to be sent:",
                         items=notes))
    return top + b


def write_form28_pack(store, out_docx: Path | str, entries: Iterable[str] | None = None,
                      importer: str | None = None, author: str | None = None) -> dict[str, Path]:
    """Write the Section 232 Form 28 response pack as Word and its Markdown twin, for the same selection as the
    draft (``importer``, ``entries``); with no accepted Section 232 finding the pack says so."""
    entries = list(entries) if entries is not None else None
    blocks = form28_blocks(store, entries, importer)
    who = _t(author) if author else reviewers(_select(store, importer, entries, codes=SECTION232_CODES).findings)
    meta = DraftMeta("CBP Form 28 response: Section 232 (draft)",
                     "Response to CBP Form 28 (Request for Information): Section 232 content value", who,
                     keywords="CBP Form 28; Section 232; draft")
    return write_blocks(blocks, out_docx, meta.title, meta)
