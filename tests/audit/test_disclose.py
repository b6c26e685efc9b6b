"""The prior disclosure draft and the Section 232 Form 28 pack, read back from Word and Markdown.

Only accepted findings reach them: with none accepted, ``draft_disclosure`` raises ``NothingAccepted`` (and the CLI
exits 2); the Form 28 pack says there is nothing to explain. Open and dismissed findings appear in no output.
"""
import json
import re
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as Word
from docx.table import Table

from appraiser import pipeline
from appraiser.audit import audit as _audit
from appraiser.extract.facts import with_facts
from appraiser.audit.disclose import (MixedImporters, NothingAccepted, draft_disclosure, for_filing,
                                      write_disclosure, write_form28_pack)
from appraiser.cli import main
from appraiser.models.records import Evidence, Finding, replace
from appraiser.models.store import Store
from truth_audit import stored_truth_audit


def audit(documents, **kw):
    """The audit of documents built by hand or read from a truth file, with the facts extraction reads from
    their prose (``extract.facts.with_facts``), as the pipeline gives it."""
    return _audit([with_facts(d) for d in documents], **kw)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
DEV = ROOT / "fixtures" / "corpus" / "dev"
PLACEHOLDER = re.compile(r"\[\[CLIENT TO CONFIRM: [^\]]*\]\]")
ASSIST_ENTRY = "D4K-0104547-1"
B1 = "1. Class or kind of merchandise (19 CFR 162.74(b)(1))"
B2 = "2. Entry numbers, ports of entry and dates of entry (19 CFR 162.74(b)(2))"
B3 = "3. Material false statements, omissions or acts, and how and when they occurred (19 CFR 162.74(b)(3))"
B4 = "4. True and accurate information (19 CFR 162.74(b)(4))"
TENDER = "5. Tender of the actual loss of duties, taxes and fees (19 CFR 162.74(c))"
UNKNOWN = "6. Information not yet known (19 CFR 162.74(b)(4))"
EXHIBITS = "7. Exhibits"


# --- fixtures and readers ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("disclose-demo") / "demo.db"
    pipeline.run(DEMO, db, workers=1)
    return db


@pytest.fixture(scope="module")
def dev_db(tmp_path_factory):
    """The dev corpus's own documents (truth), audited and stored as a run would store them; every finding open."""
    db = tmp_path_factory.mktemp("disclose-dev") / "dev.db"
    stored_truth_audit(DEV, db).close()
    return db


def _copy(db: Path, tmp_path: Path) -> Store:
    target = tmp_path / db.name
    shutil.copy(db, target)
    return Store(target)


def _accept(store: Store, code: str | None = None) -> list[Finding]:
    done = []
    for f in store.findings():
        if code is None or f.code == code:
            assert store.decide(f.id, "accepted", "reviewer", None)
            done.append(f)
    return done


def _saved_loss(store: Store, entry_number: str) -> D:
    return D(json.loads(store.meta("entry_totals"))[entry_number]["loss_of_revenue"])


class Read:
    """A Word file read back in body order: the box at the top, paragraphs (with their style) and tables."""

    def __init__(self, path: Path) -> None:
        doc = Word(str(path))
        self.items: list[tuple[str, str, object]] = []
        for block in doc.iter_inner_content():
            if isinstance(block, Table):
                self.items.append(("table", "", [[c.text for c in row.cells] for row in block.rows]))
            else:
                self.items.append(("p", block.style.name, block.text))
        first = self.items[0]
        assert first[0] == "table" and len(first[2]) == 1 and len(first[2][0]) == 1, "the open-items box comes first"
        self.box = first[2][0][0]
        self.body_items = self.items[1:]

    def tables(self, items=None) -> list[list[list[str]]]:
        return [v for k, _, v in (items or self.body_items) if k == "table"]

    def text(self, items=None) -> str:
        out = []
        for kind, _, v in items or self.body_items:
            out.append(v if kind == "p" else "\n".join(" | ".join(r) for r in v))
        return "\n".join(out)

    def headings(self, level: int) -> list[str]:
        return [v for k, style, v in self.body_items if k == "p" and style == f"Heading {level}"]

    def section(self, heading: str) -> list:
        """The items under a heading, up to the next heading of the same or a higher level."""
        for i, (kind, style, v) in enumerate(self.body_items):
            if kind == "p" and v == heading and style.startswith("Heading"):
                level = int(style.split()[-1])
                out = []
                for item in self.body_items[i + 1:]:
                    if item[0] == "p" and item[1].startswith("Heading") and int(item[1].split()[-1]) <= level:
                        break
                    out.append(item)
                return out
        raise AssertionError(f"no heading {heading!r}")


def _md_plain(md: str) -> str:
    """Markdown reduced to its words: no emphasis, quote or list marks, table pipes as separators."""
    text = md.replace("**", "").replace("\\|", "|")
    return "\n".join(re.sub(r"^(?:> ?)?(?:#+ |- )?", "", ln) for ln in text.splitlines())


def _money(cell: str) -> D:
    return D(cell.replace(",", "").replace("†", "").strip())


# --- open findings and the choice made: no draft --------------------------------------------------------

def test_open_findings_make_no_draft_a_clear_error_and_the_cli_exits_2(demo_db, tmp_path):
    store = _copy(demo_db, tmp_path)
    try:
        assert {f.status for f in store.findings()} == {"open"}
        with pytest.raises(NothingAccepted, match="accept findings first"):
            draft_disclosure(store)
    finally:
        store.close()
    r = CliRunner().invoke(main, ["disclose", "--db", str(tmp_path / demo_db.name), "--out", str(tmp_path / "pd.docx")])
    assert r.exit_code == 2 and "accept findings first" in r.output
    assert not (tmp_path / "pd.docx").exists()


def test_an_accepted_finding_of_another_importer_or_entry_is_not_drafted(demo_db, tmp_path):
    store = _copy(demo_db, tmp_path)
    try:
        _accept(store)
        with pytest.raises(NothingAccepted, match="for this selection"):
            draft_disclosure(store, importer="Some Other Importer")
        with pytest.raises(NothingAccepted):
            draft_disclosure(store, entries=["D4K-0104533-1"])
        assert draft_disclosure(store, importer="lakeshore").total == D("1658.93")
        assert draft_disclosure(store, importer="34-2817465-00").total == D("1658.93")
        assert draft_disclosure(store, entries=["d4k01045471"]).total == D("1658.93")  # letters and digits
    finally:
        store.close()


# --- the draft: every element of 162.74(b), the right entry, the database's money ----------------------

@pytest.fixture()
def demo_draft(demo_db, tmp_path):
    store = _copy(demo_db, tmp_path)
    try:
        [f] = _accept(store, "ASSIST_UNDECLARED")
        loss = _saved_loss(store, ASSIST_ENTRY)
        d = draft_disclosure(store)
        paths = write_disclosure(d, tmp_path / "out" / "prior-disclosure.docx")
    finally:
        store.close()
    return f, loss, d, paths


def test_the_draft_holds_every_element_of_162_74_b(demo_draft):
    f, loss, d, paths = demo_draft
    assert paths["docx"].is_file() and paths["md"] == paths["docx"].with_suffix(".md")
    doc = Read(paths["docx"])
    text = doc.text()
    assert doc.headings(1) == ["Prior disclosure under 19 U.S.C. 1592(c)(4) and 19 CFR 162.74"]
    assert doc.headings(2)[:7] == [B1, B2, B3, B4, TENDER, UNKNOWN, EXHIBITS]
    # addressed to the port director of the port of entry and the FP&F office, from the importer
    assert re.search(r"To: Port Director, U\.S\. Customs and Border Protection, Los Angeles, CA \(port code 2704\); "
                     r"and the Fines, Penalties and Forfeitures Office", text)
    assert "From: Lakeshore Industrial Supply, Inc., importer of record number 34-2817465-00" in text
    # (b)(1) the class or kind of merchandise
    b1 = doc.text(doc.section(B1))
    assert "PLASTIC HOUSINGS AND COVERS, HTSUS 3926.90.9985" in b1 and "line 1" in b1
    # (b)(2) the entry number, the port and the date of entry
    [entries] = doc.tables(doc.section(B2))
    assert entries[0][:5] == ["Entry number", "Port code", "Port of entry", "Entry date", "Entry summary date"]
    assert entries[1][:5] == [ASSIST_ENTRY, "2704", "Los Angeles, CA", "2025-03-14", "2025-03-20"]
    # (b)(3) the statement, why material, the legal basis, how and when
    b3 = doc.text(doc.section(B3))
    # the finding's words as filed: U.S. spelling ("mould" → "mold"), nothing of the tool's own
    assert "mould" in f.title and "mould" not in for_filing(f.title)[0]
    assert all(for_filing(t)[0] in b3 for t in (f.title, f.explanation, f.legal_basis))
    for label in ("What was declared:", "The statement or omission:", "Why it is material:", "Legal basis:",
                  "How and when it occurred:", "Evidence: Exhibits 1, 2."):
        assert label in b3, label
    assert "at an entered value of USD 48,000.00" in b3 and "filed on or about 2025-03-20" in b3
    # (b)(4) the true and accurate information: declared → corrected, duty and fees
    b4 = doc.section(B4)
    corrections = next(t for t in doc.tables(b4) if t[0] == ["Entry", "Line", "Item", "Declared", "Corrected"])
    assert [ASSIST_ENTRY, "1", "Entered value", "48,000.00", "60,500.00"] in corrections
    assert [ASSIST_ENTRY, "1", "Duty (the line and its chapter 99 lines)", "6,144.00", "7,744.00"] in corrections
    assert [ASSIST_ENTRY, "—", "Merchandise processing fee", "166.27", "209.57"] in corrections
    assert [ASSIST_ENTRY, "—", "Harbor maintenance fee", "60.00", "75.63"] in corrections
    # the tender of the database's loss, and the 30-day undertaking
    assert loss == D("1658.93") == d.total
    assert (f"The Importer tenders herewith the actual loss of duties, taxes and fees of USD {loss:,}"
            in doc.text(doc.section(TENDER)))
    assert "will be provided within 30 days of the date of this disclosure" in doc.text(doc.section(UNKNOWN))


def test_the_schedule_has_the_lines_rates_fees_and_the_database_totals(demo_draft):
    f, loss, d, paths = demo_draft
    doc = Read(paths["docx"])
    schedule = next(t for t in doc.tables() if t[0][0] == "Entry" and "Loss of revenue" in t[0])
    assert schedule[0] == ["Entry", "Line", "HTS", "Declared value", "Corrected value", "Rate(s) %", "Duty delta",
                           "MPF delta", "HMF delta", "Loss of revenue", "Finding"]
    rows, total = schedule[1:-1], schedule[-1]
    assert rows == [[ASSIST_ENTRY, "1", "3926.90.9985", "48,000.00", "60,500.00", "5.3 + 7.5", "1,600.00", "43.30",
                     "15.63", "1,658.93", "F1"]]
    assert total[0] == "Total" and _money(total[-2]) == loss
    col = schedule[0].index
    for name in ("Duty delta", "MPF delta", "HMF delta", "Loss of revenue"):
        assert sum(_money(r[col(name)]) for r in rows) == _money(total[col(name)])
    assert _money(total[col("Duty delta")]) == f.duty_delta
    assert _money(total[col("MPF delta")]) + _money(total[col("HMF delta")]) == f.fees_delta


def test_exhibits_are_the_evidence_files_once_each_cited_from_the_text(demo_draft):
    f, _, d, paths = demo_draft
    doc = Read(paths["docx"])
    listed = [v for k, style, v in doc.section(EXHIBITS) if k == "p"]
    evidence = list(dict.fromkeys(e.path for e in f.evidence))
    assert len(listed) == len(evidence) == len(d.exhibits) == 2
    for i, (line, path) in enumerate(zip(listed, evidence)):
        assert line.startswith(f"Exhibit {i + 1}: ") and path in line and "page 1" in line
    assert "Exhibit 1: assist invoice — 2025-03 Dongguan/KD-M-2501-036 mould invoice.pdf, page 1" in listed


def test_the_open_items_at_the_top_are_the_placeholders_of_the_body(demo_draft):
    _, _, d, paths = demo_draft
    doc = Read(paths["docx"])
    assert doc.box.startswith("Open items before filing")
    top = PLACEHOLDER.findall(doc.box)
    body = PLACEHOLDER.findall(doc.text())
    assert top == list(dict.fromkeys(body)) == d.placeholders
    for what in ("discovered these errors", "date on which the importer discovered", "how the errors occurred",
                 "no CBP inquiry", "officer who signs", "date of filing"):
        assert any(what in p for p in top), what
    md = paths["md"].read_text(encoding="utf-8")
    quote = "\n".join(ln for ln in md.splitlines() if ln.startswith(">"))
    rest = "\n".join(ln for ln in md.splitlines() if not ln.startswith(">"))
    assert "**Open items before filing**" in quote
    assert PLACEHOLDER.findall(quote) == list(dict.fromkeys(PLACEHOLDER.findall(rest))) == top


def test_the_markdown_twin_has_the_same_content(demo_draft):
    _, loss, _, paths = demo_draft
    doc = Read(paths["docx"])
    md = paths["md"].read_text(encoding="utf-8")
    plain = _md_plain(md)
    for level in (1, 2, 3):
        for h in doc.headings(level):
            assert f"{'#' * level} {h}" in md, h
    for kind, _, v in doc.items:
        if kind == "p" and v:
            assert v in plain, v
        elif kind == "table" and len(v) > 1:
            for row in v:
                assert " | ".join(row) in plain, row
    assert f"USD {loss:,}" in md


def test_tender_later_undertakes_to_pay_within_30_days_of_cbps_calculation(demo_db, tmp_path):
    store = _copy(demo_db, tmp_path)
    try:
        _accept(store)
        d = draft_disclosure(store, tender_now=False)
        paths = write_disclosure(d, tmp_path / "later.docx")
    finally:
        store.close()
    doc = Read(paths["docx"])
    tender = doc.text(doc.section(TENDER))
    assert "will tender the actual loss of duties, taxes and fees within 30 days after CBP notifies it" in tender
    assert "USD 1,658.93" in tender and "tenders herewith" not in tender
    assert not any("payment tendered" in p for p in d.placeholders)


# --- dismissed findings -------------------------------------------------------------------------------

def test_dismissed_and_open_findings_are_in_no_output(demo_db, tmp_path):
    store = _copy(demo_db, tmp_path)
    try:
        [assist] = [f for f in store.findings() if f.code == "ASSIST_UNDECLARED"]
        fee = Finding(code="MPF_MISCALCULATED", severity="low", entry_number=ASSIST_ENTRY, title="MPF declared short",
                      explanation="The fee was declared USD 1.00 short.", legal_basis="19 CFR 24.23",
                      fees_delta=D("1.00"), loss_of_revenue=D("1.00"),
                      evidence=[Evidence("2025-03 Dongguan/7501_D4K-0104547.pdf", 1, "MPF", None)])
        still_open = Finding(code="QUANTITY_MISMATCH", severity="medium", entry_number=ASSIST_ENTRY, line_no=1,
                             title="Quantity left open", explanation="Open, never decided.", legal_basis="19 U.S.C. 1484",
                             evidence=[Evidence("2025-03 Dongguan/packing list DPP-PL-0117.pdf", 1, "40000", None)])
        for f in (fee, still_open):
            store.db["findings"].upsert(store._finding_row(f), pk="id")
        store.decide(fee.id, "accepted", "reviewer", None)
        store.decide(assist.id, "dismissed", "reviewer", "the mould cost is in the unit price")
        d = draft_disclosure(store)
        paths = write_disclosure(d, tmp_path / "pd.docx")
        paths.update({f"f28 {k}": v for k, v in write_form28_pack(store, tmp_path / "f28.docx").items()})
    finally:
        store.close()
    assert [f.id for f in d.findings] == [fee.id] and d.total == D("1.00")
    outputs = [Read(paths["docx"]).text(Read(paths["docx"]).items), paths["md"].read_text(encoding="utf-8"),
               Read(paths["f28 docx"]).text(Read(paths["f28 docx"]).items), paths["f28 md"].read_text(encoding="utf-8")]
    for out in outputs:
        for gone in (assist.id, assist.title, "mould", "12,500.00", "1,658.93", "KD-M-2501-036",
                     still_open.id, still_open.title, "packing list DPP-PL-0117"):
            assert gone not in out, gone
    text = outputs[0]
    assert "MPF declared short" in text and "tenders herewith the actual loss of duties, taxes and fees of USD 1.00" in text
    corrections = next(t for t in Read(paths["docx"]).tables() if t[0][2:] == ["Item", "Declared", "Corrected"])
    assert [ASSIST_ENTRY, "—", "Merchandise processing fee", "166.27", "167.27"] in corrections


def test_only_dismissed_findings_make_no_draft(demo_db, tmp_path):
    store = _copy(demo_db, tmp_path)
    try:
        for f in store.findings():
            store.decide(f.id, "dismissed", "reviewer", "not an assist")
        with pytest.raises(NothingAccepted):
            draft_disclosure(store)
    finally:
        store.close()


# --- money: the audit's entry totals, or the same recomputed from the findings --------------------------

def test_totals_are_the_audits_entry_totals_and_recomputing_them_agrees(dev_db, tmp_path):
    store = _copy(dev_db, tmp_path)
    try:
        _accept(store)
        saved = json.loads(store.meta("entry_totals"))
        with pytest.raises(MixedImporters, match="choose it"):
            draft_disclosure(store)
        importers = sorted({e.header.get("importer").name for e in store.entries()})
        assert len(importers) > 3
        drafts = {name: draft_disclosure(store, importer=name) for name in importers}
        store.meta("entry_totals", "{}")  # no totals stored: computed from the findings' revenue data
        again = {name: draft_disclosure(store, importer=name) for name in importers}
    finally:
        store.close()
    grand = D(0)
    for name, d in drafts.items():
        assert {e.header.get("importer").name for e in d.entries} == {name}
        assert d.total == sum((D(saved[e.entry_number]["loss_of_revenue"]) for e in d.entries), D(0))
        assert {t.source for t in d.entry_totals.values()} == {"audit"}
        r = again[name]
        assert {t.source for t in r.entry_totals.values()} == {"recomputed"}
        assert {n: t.loss for n, t in r.entry_totals.items()} == {n: t.loss for n, t in d.entry_totals.items()}
        for n, t in d.entry_totals.items():  # the schedule's rows add up to each entry's total
            assert sum((row.loss for row in d.schedule if row.entry_number == n), D(0)) == t.loss
            assert t.duty + t.mpf + t.hmf == t.loss
        grand += d.total
    assert grand == sum((D(v["loss_of_revenue"]) for v in saved.values()), D(0))


def test_money_two_findings_measure_is_counted_once(dev_db, tmp_path):
    store = _copy(dev_db, tmp_path)
    try:
        [content] = [f for f in store.findings() if f.code == "METAL_CONTENT_MISSTATED"]
        twin = replace(content, code="SECTION232_UNDECLARED", title="The same content value, seen as undeclared",
                       id="", evidence=[Evidence("Prairie/2025-07 Aceros/invoice ACE-254458 scan.jpg", 1, "x", None)])
        assert twin.id and twin.id != content.id
        store.db["findings"].upsert(store._finding_row(twin), pk="id")
        store.decide(content.id, "accepted", "reviewer", None)
        store.decide(twin.id, "accepted", "reviewer", None)
        d = draft_disclosure(store, entries=[content.entry_number])
        paths = write_disclosure(d, tmp_path / "pd.docx")
    finally:
        store.close()
    t = d.entry_totals[content.entry_number]
    assert t.source == "recomputed" and len(t.counted_once) == 1
    assert d.total == content.loss_of_revenue == D("1535.50")
    schedule = next(x for x in Read(paths["docx"]).tables() if "Loss of revenue" in x[0])
    entry_row = next(r for r in schedule if r[0].startswith(f"Entry {content.entry_number} total"))
    assert entry_row[0].endswith("‡") and _money(entry_row[-2]) == D("1535.50")
    assert _money(schedule[-1][-2]) == D("1535.50")
    assert "counts money two findings measure once" in Read(paths["docx"]).text()


# --- the Section 232 Form 28 pack ---------------------------------------------------------------------------

def test_the_form28_pack_says_so_when_nothing_is_accepted(demo_db, tmp_path):
    store = _copy(demo_db, tmp_path)
    try:
        _accept(store)  # an assist: not a Section 232 finding
        paths = write_form28_pack(store, tmp_path / "f28.docx")
    finally:
        store.close()
    doc = Read(paths["docx"])
    assert "There is no accepted Section 232 finding" in doc.text()
    assert "There is no accepted Section 232 finding" in paths["md"].read_text(encoding="utf-8")
    assert ASSIST_ENTRY not in doc.text(doc.items)


def test_the_form28_pack_explains_content_value_melt_and_pour_and_cites_the_documents(dev_db, tmp_path):
    store = _copy(dev_db, tmp_path)
    try:
        accepted = _accept(store)
        codes = {f.entry_number: f.code for f in accepted
                 if f.code in ("METAL_CONTENT_MISSTATED", "SECTION232_UNDECLARED", "MELT_POUR_MISMATCH")}
        assert set(codes.values()) == {"METAL_CONTENT_MISSTATED", "SECTION232_UNDECLARED", "MELT_POUR_MISMATCH"}
        paths = write_form28_pack(store, tmp_path / "f28.docx")
        only = write_form28_pack(store, tmp_path / "one.docx", entries=["D4K-1063352-3"])
    finally:
        store.close()
    doc = Read(paths["docx"])
    assert doc.headings(2)[:-1] == [f"Entry {n}" for n in sorted(codes)]
    for n in codes:
        section = doc.section(f"Entry {n}")
        heads = [v for k, style, v in section if style == "Heading 3"]
        assert heads == ["Calculation method", "Explanation", "Cost analysis", "Melt and pour", "Supporting documents"]
    # the content value: both readings, the cost analysis and the documents behind it
    content = doc.section("Entry D4K-1063352-3")
    text = doc.text(content)
    assert "(a) the price the producer paid for the steel or aluminum" in text
    assert "(b) the entered value less the value of the non-metal components" in text
    cost = next(t for t in doc.tables(content) if t[0] == ["Item", "USD"])
    assert ["Entered value of the goods", "25,597.00"] in cost
    assert ["Non-metal components", "1,536.00"] in cost
    assert ["(b) Entered value less non-metal components", "24,061.00"] in cost
    assert ["Content value declared (9903.81.91)", "20,990.00"] in cost
    assert ["Content value not declared", "3,071.00"] in cost
    assert ["Additional duty", "1,535.50"] in cost and ["Section 232 rate %", "50"] in cost
    melt = next(t for t in doc.tables(content) if t[0][0] == "Source")
    assert any(r[0].startswith("Mill certificate MTC-929786") and r[1:3] == ["MX", "MX"] for r in melt)
    assert "mill certificate — Prairie/2025-07 Aceros/MTC MTC-929786 scan.tif" in text
    assert "commercial invoice — Prairie/2025-07 Aceros/invoice ACE-254458 scan.jpg" in text
    # the Section 232 line left out: the whole value is the content value
    undeclared = doc.tables(doc.section("Entry D4K-1079190-9"))
    assert ["Content value not declared", "15,540.00"] in undeclared[0] and ["Additional duty", "7,770.00"] in undeclared[0]
    # melt and pour: the certificate's country against the declared one
    mp = doc.section("Entry 7QM-1071271-1")
    table = next(t for t in doc.tables(mp) if t[0][0] == "Source")
    assert ["Entry line 1 (declared)", "MX", "MX", "—"] in table
    assert any(r[0].startswith("Mill certificate MTC-869513") and r[1:3] == ["CN", "CN"] for r in table)
    # nothing but Section 232 findings, placeholders listed at the top, the Markdown twin alike
    assert "7QM-1007919-4" not in doc.text(doc.items) and "ASSIST" not in doc.text(doc.items)
    assert PLACEHOLDER.findall(doc.box) == list(dict.fromkeys(PLACEHOLDER.findall(doc.text())))
    plain = _md_plain(paths["md"].read_text(encoding="utf-8"))
    for kind, _, v in doc.items:
        if kind == "p" and v:
            assert v in plain, v
    one = Read(only["docx"])
    assert one.headings(2)[:-1] == ["Entry D4K-1063352-3"]


def test_a_dismissed_section232_finding_leaves_the_pack(dev_db, tmp_path):
    store = _copy(dev_db, tmp_path)
    try:
        _accept(store)
        [melt] = [f for f in store.findings() if f.code == "MELT_POUR_MISMATCH"]
        store.decide(melt.id, "dismissed", "reviewer", "the certificate is for another shipment")
        paths = write_form28_pack(store, tmp_path / "f28.docx")
    finally:
        store.close()
    doc = Read(paths["docx"])
    everything = doc.text(doc.items) + paths["md"].read_text(encoding="utf-8")
    assert melt.entry_number not in everything and melt.title not in everything and "MTC-869513" not in everything


# --- text from documents is data, never structure ---------------------------------------------------------

def test_hostile_text_cannot_break_the_documents_or_add_open_items(demo_db, tmp_path):
    store = _copy(demo_db, tmp_path)
    try:
        [f] = store.findings()
        bad = replace(f, title="Assist | with a pipe\x07 and [[CLIENT TO CONFIRM: nothing]]",
                      explanation="Line one\nline two\x00 | [[CLIENT TO CONFIRM: fake]]")
        store.db["findings"].upsert(store._finding_row(bad), pk="id")
        store.decide(f.id, "accepted", "reviewer", None)
        row = next(store.db.query("select data from entries where entry_number = ?", [f.entry_number]))
        entry = json.loads(row["data"])
        entry["header"]["port_code"] = "27|04\x07"
        entry["lines"][0]["hts"] = "3926.90|9985"
        store.db["entries"].upsert({"entry_number": f.entry_number, "data": json.dumps(entry)}, pk="entry_number")
        d = draft_disclosure(store)
        paths = write_disclosure(d, tmp_path / "pd.docx")
    finally:
        store.close()
    doc = Read(paths["docx"])
    assert not any("nothing" in p or "fake" in p for p in d.placeholders)
    assert "Assist | with a pipe and [ [CLIENT TO CONFIRM: nothing] ]" in doc.text()
    md = paths["md"].read_text(encoding="utf-8")
    assert "\x07" not in md and "\x00" not in md and "Line one line two" in md
    assert "| 27\\|04 |" in md and "3926.90\\|9985" in md
    columns = None
    for ln in md.splitlines():  # every table row keeps its header's column count
        if not ln.startswith("|"):
            columns = None
            continue
        n = len(re.findall(r"(?<!\\)\|", ln))
        columns = columns or n
        assert n == columns, ln



def test_without_the_worked_arithmetic_the_money_comes_from_the_findings_totals(demo_db, tmp_path):
    store = _copy(demo_db, tmp_path)
    try:
        [f] = store.findings()
        bare = replace(f, arithmetic=[])
        store.db["findings"].upsert(store._finding_row(bare), pk="id")
        store.decide(f.id, "accepted", "reviewer", None)
        store.meta("entry_totals", "{}")
        d = draft_disclosure(store)
    finally:
        store.close()
    [row] = d.schedule
    t = d.entry_totals[ASSIST_ENTRY]
    assert t.source == "recomputed" and d.total == t.loss == D("1658.93")
    assert (row.declared, row.corrected, row.rates) == (D("48000"), D("60500"), "5.3 + 7.5")
    assert (row.duty, row.mpf, row.hmf, row.loss) == (D("1600.00"), D("43.30"), D("15.63"), D("1658.93"))
