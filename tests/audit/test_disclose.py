"""The prior disclosure draft and the Form 28 pack, read back from Word; accepted findings only."""
import re
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as Word

from appraiser import pipeline
from appraiser.audit.disclose import NothingAccepted, draft_disclosure, write_disclosure, write_form28_pack
from appraiser.cli import main
from appraiser.models.records import Evidence, Finding
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
ELEMENTS = ["Class or kind of merchandise (19 CFR 162.74(b)(1))",
            "Entries, ports of entry and dates (19 CFR 162.74(b)(2))",
            "Material false statements or omissions and how they occurred (19 CFR 162.74(b)(3))",
            "True and accurate information (19 CFR 162.74(b)(4))",
            "Tender of the loss of duties, taxes and fees", "Information not yet known", "Exhibits",
            "Port Director", "Fines, Penalties and Forfeitures"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("disclose") / "demo.db"
    pipeline.run(DEMO, db, workers=1)
    return db


def _text(docx_path):
    doc = Word(str(docx_path))
    paras = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return "\n".join(paras), tables


def test_no_draft_from_open_findings(demo_db, tmp_path):
    db = tmp_path / "d.db"
    shutil.copy(demo_db, db)
    store = Store(db)
    try:
        with pytest.raises(NothingAccepted):
            draft_disclosure(store)
    finally:
        store.close()
    r = CliRunner().invoke(main, ["disclose", "--db", str(db), "--out", str(tmp_path / "pd.docx")])
    assert r.exit_code == 2 and "accept findings first" in r.output


def test_the_draft_has_every_element_the_right_entry_and_the_database_totals(demo_db, tmp_path):
    db = tmp_path / "d.db"
    shutil.copy(demo_db, db)
    store = Store(db)
    try:
        [f] = [f for f in store.findings() if f.code == "ASSIST_UNDECLARED"]
        store.decide(f.id, "accepted", "auditor", None)
        loss = sum((x.loss_of_revenue for x in store.findings() if x.status == "accepted"), D("0"))
        paths = write_disclosure(draft_disclosure(store), tmp_path / "pd.docx")
    finally:
        store.close()
    text, tables = _text(paths["docx"])
    for element in ELEMENTS:
        assert element in text, element
    assert "D4K-0104547-1" in text and "PLASTIC HOUSINGS" in text
    assert f"tenders herewith the actual loss of duties, taxes and fees of USD {loss:,}" in text
    entries = next(t for t in tables if t[0][0] == "Entry number")
    assert entries[1] == ["D4K-0104547-1", "2704", "2025-03-14", "2025-03-20"]
    schedule = next(t for t in tables if t[0][0] == "Entry" and "Loss of revenue" in t[0])
    assert D(schedule[-1][-1].replace(",", "")) == loss == D("1658.93")
    assert sum(D(r[-1].replace(",", "")) for r in schedule[1:-1]) == loss
    # every placeholder in the text is listed at the top, and nothing else is
    top = text.split("Prior disclosure under")[0]
    body = text[len(top):] + "\n".join(c for t in tables for r in t for c in r)
    listed = set(re.findall(r"\[\[CLIENT TO CONFIRM: [^\]]*\]\]", top))
    assert listed and listed == set(re.findall(r"\[\[CLIENT TO CONFIRM: [^\]]*\]\]", body))
    md = paths["md"].read_text(encoding="utf-8")
    for element in ELEMENTS:
        assert element in md
    assert "1,658.93" in md and "Exhibit 1:" in md


def test_dismissed_findings_are_in_no_output(demo_db, tmp_path):
    db = tmp_path / "d.db"
    shutil.copy(demo_db, db)
    store = Store(db)
    try:
        [f] = [f for f in store.findings() if f.code == "ASSIST_UNDECLARED"]
        # a second finding, accepted, so that a draft exists; the assist is dismissed
        extra = Finding(code="MPF_MISCALCULATED", severity="low", entry_number=f.entry_number, title="MPF short",
                        explanation="The fee was declared short.", legal_basis="19 CFR 24.23",
                        fees_delta=D("1.00"), loss_of_revenue=D("1.00"),
                        evidence=[Evidence("2025-03 Dongguan/7501_D4K-0104547.pdf", 1, "MPF", None)])
        store.db["findings"].upsert(store._finding_row(extra), pk="id")
        store.decide(extra.id, "accepted", "auditor", None)
        store.decide(f.id, "dismissed", "auditor", "paid by the seller")
        paths = write_disclosure(draft_disclosure(store), tmp_path / "pd.docx")
    finally:
        store.close()
    text, tables = _text(paths["docx"])
    flat = text + "\n".join(c for t in tables for r in t for c in r)
    assert "mould" not in flat.lower() and f.id not in flat and "12,500.00" not in flat
    assert "MPF short" in flat and "USD 1.00" in flat


def test_form28_pack_for_section232_findings(demo_db, tmp_path):
    db = tmp_path / "d.db"
    shutil.copy(demo_db, db)
    store = Store(db)
    try:
        empty = write_form28_pack(store, tmp_path / "none.docx")
        f = Finding(code="METAL_CONTENT_MISSTATED", severity="high", entry_number="D4K-0104521-6", line_no=1,
                    title="Section 232 content value short by USD 963.00",
                    explanation="Non-steel components stated on the invoice put the content value higher.",
                    legal_basis="Section 232 proclamations", value_delta=D("963.00"), duty_delta=D("481.50"),
                    loss_of_revenue=D("481.50"),
                    arithmetic=["reading (b), entered value 8,026.00 less non-metal components 482.00 = 7,544.00"],
                    evidence=[Evidence("2025-07 Aceros/invoice AEN-25-0718.pdf", 1, "non-steel", None)])
        store.db["findings"].upsert(store._finding_row(f), pk="id")
        store.decide(f.id, "accepted", "auditor", None)
        paths = write_form28_pack(store, tmp_path / "f28.docx")
    finally:
        store.close()
    assert "No accepted Section 232 finding" in _text(empty["docx"])[0]
    text, _ = _text(paths["docx"])
    for part in ("Calculation method", "Explanation", "Cost analysis", "Supporting documents", "D4K-0104521-6",
                 "7,544.00", "invoice AEN-25-0718.pdf"):
        assert part in text
