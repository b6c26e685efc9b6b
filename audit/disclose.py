"""The prior disclosure draft (19 CFR 162.74) and the Section 232 Form 28 response pack, from ACCEPTED findings
only, as Word (python-docx) with a Markdown twin of the same content.

The draft names every element of 162.74(b): the class or kind of merchandise; the entries with their ports and
approximate dates; the material false statements or omissions and how they came about; the true and accurate
information; the tender of the loss of duties, taxes and fees (or the undertaking to tender within 30 days of
CBP's calculation); the undertaking to provide what is not yet known within 30 days. It carries the loss-of-
revenue schedule and an index of the evidence documents as exhibits. What only the client knows is a visible
placeholder, and every placeholder is listed at the top.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..models.records import Entry, Finding, q2
from . import revenue
from .rules import BY_CODE

ZERO = Decimal("0.00")
SECTION232_CODES = ("METAL_CONTENT_MISSTATED", "SECTION232_UNDECLARED", "MELT_POUR_MISMATCH")
# what only the client can say: (key, the placeholder text)
CLIENT_ITEMS = [
    ("discovery", "how and when the importer discovered the violations, and who discovered them"),
    ("no_inquiry", "confirmation that no formal investigation of these violations is pending and that the "
                   "importer has no knowledge of one (19 CFR 162.74(g))"),
    ("responsible", "the person or department whose acts caused the errors, and the corrective measures taken"),
    ("signatory", "name and title of the importer's officer who signs, and the date of signature"),
    ("counsel", "name and address of the importer's counsel or customs broker, if the disclosure is made through them"),
]


def placeholder(text: str) -> str:
    return f"[[CLIENT TO CONFIRM: {text}]]"


class NothingAccepted(ValueError):
    """No finding has been accepted: a disclosure is drafted from accepted findings only."""


@dataclass
class Block:
    kind: str  # heading | para | table | list
    text: str = ""
    level: int = 1
    rows: list[list[str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class Disclosure:
    importer: str
    entries: list[Entry]
    findings: list[Finding]
    total: Decimal
    blocks: list[Block]
    placeholders: list[str]


def _money(x: Decimal) -> str:
    return f"{q2(x):,}"


def _accepted(store, importer: str | None, entries: list[str] | None) -> tuple[list[Finding], dict[str, Entry]]:
    all_entries = {e.entry_number: e for e in store.entries()}
    chosen = []
    for f in store.findings():
        if f.status != "accepted":
            continue
        if entries and f.entry_number not in entries:
            continue
        e = all_entries.get(f.entry_number)
        name = getattr(e.header.get("importer"), "name", None) if e else None
        if importer and (not name or importer.lower() not in name.lower()):
            continue
        chosen.append(f)
    return chosen, all_entries


def _entry_totals(store, findings: list[Finding]) -> dict[str, Decimal]:
    import json

    saved = json.loads(store.meta("entry_totals") or "{}")
    out: dict[str, Decimal] = {}
    for number in sorted({f.entry_number for f in findings}):
        mine = sorted(f.id for f in findings if f.entry_number == number)
        s = saved.get(number)
        if s and s.get("finding_ids") == mine:  # every finding the audit totalled is accepted: its total holds
            out[number] = Decimal(s["loss_of_revenue"])
        else:
            out[number] = q2(sum((f.loss_of_revenue for f in findings if f.entry_number == number), ZERO))
    return out


def _exhibits(findings: list[Finding]) -> list[tuple[str, list[int]]]:
    seen: dict[str, set[int]] = {}
    for f in findings:
        for ev in f.evidence:
            seen.setdefault(ev.path, set())
            if ev.page:
                seen[ev.path].add(ev.page)
    return [(p, sorted(pages)) for p, pages in sorted(seen.items())]


def draft_disclosure(store, importer: str | None = None, entries: list[str] | None = None,
                     tender_now: bool = True) -> Disclosure:
    findings, all_entries = _accepted(store, importer, entries)
    if not findings:
        raise NothingAccepted("no accepted finding to disclose: accept findings first ('appraiser accept ID')")
    numbers = sorted({f.entry_number for f in findings})
    ents = [all_entries[n] for n in numbers if n in all_entries]
    names = {getattr(e.header.get("importer"), "name", None) for e in ents} - {None}
    imp_name = ", ".join(sorted(names)) or placeholder("the importer of record's name")
    imp_numbers = {getattr(e.header.get("importer"), "number", None) for e in ents} - {None}
    totals = _entry_totals(store, findings)
    total = q2(sum(totals.values(), ZERO))
    exhibits = _exhibits(findings)
    ex_no = {p: i + 1 for i, (p, _) in enumerate(exhibits)}
    ports = sorted({str(e.header.get("port_code")) for e in ents if e.header.get("port_code")})
    b: list[Block] = []
    b.append(Block("heading", "Prior disclosure under 19 U.S.C. 1592(c)(4) and 19 CFR 162.74", 1))
    b.append(Block("para", f"To: the Port Director, U.S. Customs and Border Protection, port(s) {', '.join(ports) or placeholder('port of entry')}; "
                           "and the Fines, Penalties and Forfeitures Office having jurisdiction."))
    b.append(Block("para", f"From: {imp_name}" + (f" (importer number {', '.join(sorted(imp_numbers))})" if imp_numbers else "")
                           + f". Date: {placeholder('date of filing')}."))
    b.append(Block("para", "The importer discloses the circumstances of violations of 19 U.S.C. 1592 concerning the "
                           "entries listed below, before the commencement of a formal investigation. "
                           + placeholder(CLIENT_ITEMS[1][1]) + "."))
    # (b)(1) the class or kind of merchandise
    b.append(Block("heading", "1. Class or kind of merchandise (19 CFR 162.74(b)(1))", 2))
    kinds = []
    for e in ents:
        for ln in e.lines:
            if ln.get("hts") and not str(ln.get("hts")).startswith("99"):
                kinds.append(f"{ln.get('description') or 'goods'}, HTSUS {ln.get('hts')} (entry {e.entry_number}, line {ln.line_no})")
    b.append(Block("list", items=sorted(set(kinds)) or [placeholder("the merchandise")]))
    # (b)(2) the entries, ports and approximate dates
    b.append(Block("heading", "2. Entries, ports of entry and dates (19 CFR 162.74(b)(2))", 2))
    rows = [["Entry number", "Port", "Entry date", "Summary date"]]
    for e in ents:
        rows.append([e.entry_number, str(e.header.get("port_code") or "—"), str(e.header.get("entry_date") or "—"),
                     str(e.header.get("summary_date") or "—")])
    b.append(Block("table", rows=rows))
    # (b)(3) the material false statements, omissions or acts and how and when they occurred
    b.append(Block("heading", "3. Material false statements or omissions and how they occurred (19 CFR 162.74(b)(3))", 2))
    for f in sorted(findings, key=lambda f: (f.entry_number, f.code)):
        rule = BY_CODE.get(f.code)
        cites = sorted({f"Exhibit {ex_no[ev.path]}" for ev in f.evidence if ev.path in ex_no})
        b.append(Block("para", f"Entry {f.entry_number}" + (f", line {f.line_no}" if f.line_no else "")
                       + f" — {f.title}. {f.explanation} Legal basis: {f.legal_basis or (rule.legal_basis if rule else '')}."
                       + (f" See {', '.join(cites)}." if cites else "")))
    b.append(Block("para", "How and when the errors occurred: " + placeholder(CLIENT_ITEMS[0][1]) + "; "
                           + placeholder(CLIENT_ITEMS[2][1]) + "."))
    # (b)(4) the true and accurate information
    b.append(Block("heading", "4. True and accurate information (19 CFR 162.74(b)(4))", 2))
    b.append(Block("para", "The entries should have declared the following values, duties and fees (USD). The "
                           "schedule below gives the corrected figures line by line."))
    sched = [["Entry", "Line", "HTS", "Declared value", "Corrected value", "Rates %", "Duty delta", "Fees delta",
              "Loss of revenue"]]
    for f in sorted(findings, key=lambda f: (f.entry_number, f.line_no or 0)):
        e = all_entries.get(f.entry_number)
        ln = next((x for x in (e.lines if e else []) if x.line_no == f.line_no), None)
        declared = ln.get("entered_value") if ln is not None else None
        rates = revenue.line_rates(ln) if ln is not None else None
        sched.append([f.entry_number, str(f.line_no or "—"), str(ln.get("hts") if ln is not None else "—"),
                      _money(declared) if isinstance(declared, Decimal) else "—",
                      _money(declared + f.value_delta) if isinstance(declared, Decimal) else "—",
                      " + ".join(f"{r.normalize():f}" for r in rates) if rates else "—",
                      _money(f.duty_delta), _money(f.fees_delta), _money(f.loss_of_revenue)])
    sched.append(["Total (each entry's money counted once)", "", "", "", "", "", "", "", _money(total)])
    b.append(Block("heading", "Loss-of-revenue schedule", 3))
    b.append(Block("table", rows=sched))
    # the tender, and information not yet known
    b.append(Block("heading", "5. Tender of the loss of duties, taxes and fees (19 CFR 162.74(c))", 2))
    if tender_now:
        b.append(Block("para", f"The importer tenders herewith the actual loss of duties, taxes and fees of USD "
                               f"{_money(total)}, computed as shown in the schedule."))
    else:
        b.append(Block("para", "The importer will tender the actual loss of duties, taxes and fees within 30 days "
                               f"after CBP notifies it of CBP's calculation of that loss (estimated at USD {_money(total)})."))
    b.append(Block("para", "Information not yet known: the importer will provide any information or data that is "
                           "unknown at the time of this disclosure within 30 days of the date of the disclosure "
                           "(19 CFR 162.74(b)(4)), or within an extension CBP grants for good cause."))
    b.append(Block("heading", "Exhibits", 2))
    b.append(Block("list", items=[f"Exhibit {i + 1}: {p}" + (f" (page{'s' if len(pg) > 1 else ''} "
                                                            f"{', '.join(map(str, pg))})" if pg else "")
                                  for i, (p, pg) in enumerate(exhibits)]))
    b.append(Block("para", f"Signed: {placeholder(CLIENT_ITEMS[3][1])}. {placeholder(CLIENT_ITEMS[4][1])}."))
    holders = placeholders_in(b)
    top = [Block("heading", "Open items before filing", 1),
           Block("para", "The draft cannot be filed until the client confirms each of these; each is marked where it "
                         "stands in the text."),
           Block("list", items=holders)]
    return Disclosure(imp_name, ents, findings, total, top + b, holders)


def placeholders_in(blocks: list[Block]) -> list[str]:
    """Every placeholder in the blocks, once, in the order they first appear."""
    import re

    found: list[str] = []
    for bl in blocks:
        texts = [bl.text, *bl.items, *(c for r in bl.rows for c in r)]
        for t in texts:
            for m in re.finditer(r"\[\[CLIENT TO CONFIRM: [^\]]*\]\]", t):
                if m.group(0) not in found:
                    found.append(m.group(0))
    return found


# --- writing -----------------------------------------------------------------------------------------------

def _markdown(blocks: list[Block]) -> str:
    out = []
    for bl in blocks:
        if bl.kind == "heading":
            out.append("#" * bl.level + " " + bl.text)
        elif bl.kind == "para":
            out.append(bl.text)
        elif bl.kind == "list":
            out += [f"- {it}" for it in bl.items]
        elif bl.kind == "table":
            head, *rest = bl.rows
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "---|" * len(head))
            out += ["| " + " | ".join(r) + " |" for r in rest]
        out.append("")
    return "\n".join(out)


def _docx(blocks: list[Block], path: Path) -> None:
    from docx import Document as Word

    doc = Word()
    for bl in blocks:
        if bl.kind == "heading":
            doc.add_heading(bl.text, level=bl.level)
        elif bl.kind == "para":
            doc.add_paragraph(bl.text)
        elif bl.kind == "list":
            for it in bl.items:
                doc.add_paragraph(it, style="List Bullet")
        elif bl.kind == "table":
            t = doc.add_table(rows=len(bl.rows), cols=len(bl.rows[0]))
            t.style = "Table Grid"
            for i, row in enumerate(bl.rows):
                for j, cell in enumerate(row):
                    t.cell(i, j).text = cell
    doc.save(str(path))


def write_disclosure(disclosure: Disclosure, out_docx: Path | str) -> dict[str, Path]:
    out = Path(out_docx)
    out.parent.mkdir(parents=True, exist_ok=True)
    md = out.with_suffix(".md")
    _docx(disclosure.blocks, out)
    md.write_text(_markdown(disclosure.blocks), encoding="utf-8")
    return {"docx": out, "md": md}


# --- the Form 28 response pack for Section 232 content value ------------------------------------------------

def form28_blocks(store, entries: list[str] | None = None) -> list[Block]:
    findings = [f for f in store.findings() if f.status == "accepted" and f.code in SECTION232_CODES
                and (not entries or f.entry_number in entries)]
    b = [Block("heading", "Response to CBP Form 28 (Request for Information): Section 232 content value", 1),
         Block("para", f"Prepared {date.today().isoformat()} from the accepted findings. "
                       + placeholder("the CBP Form 28 number and the date CBP issued it") + ".")]
    if not findings:
        b.append(Block("para", "No accepted Section 232 finding: there is no content value to explain."))
        return b
    for number in sorted({f.entry_number for f in findings}):
        fs = [f for f in findings if f.entry_number == number]
        b.append(Block("heading", f"Entry {number}", 2))
        b.append(Block("heading", "Calculation method", 3))
        b.append(Block("para", "Content value is computed under both readings and the higher is used: (a) the price "
                               "the fabricator paid for the steel or aluminium; (b) the entered value less the value "
                               "of the non-metal components."))
        b.append(Block("heading", "Explanation", 3))
        for f in fs:
            b.append(Block("para", f"{f.title}. {f.explanation}"))
        b.append(Block("heading", "Cost analysis", 3))
        b.append(Block("list", items=[s for f in fs for s in f.arithmetic]))
        b.append(Block("heading", "Supporting documents", 3))
        b.append(Block("list", items=[f"{p}" + (f" (pages {', '.join(map(str, pg))})" if pg else "")
                                      for p, pg in _exhibits(fs)]))
    return b


def write_form28_pack(store, out_docx: Path | str, entries: list[str] | None = None) -> dict[str, Path]:
    out = Path(out_docx)
    out.parent.mkdir(parents=True, exist_ok=True)
    blocks = form28_blocks(store, entries)
    _docx(blocks, out)
    md = out.with_suffix(".md")
    md.write_text(_markdown(blocks), encoding="utf-8")
    return {"docx": out, "md": md}
