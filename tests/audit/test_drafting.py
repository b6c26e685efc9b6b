"""Drafting controls of the prior disclosure and the Form 28 pack, read back from Word and Markdown: the same
importer selection for both, "possible violations" with the culpability wording counsel chooses, documentation
gaps apart from false statements (from the rule spec's ``nature``), no tool phrase in the text filed, full
citations, the privilege header, page numbers, real document properties, highlighted placeholders, U.S. spelling.
"""
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as Word
from docx.enum.text import WD_COLOR_INDEX

from appraiser.audit import audit as _audit
from appraiser.audit.disclose import (CULPABILITY, VOCAB, UnknownCulpability, draft_disclosure, nature,
                                      us_spelling, write_disclosure)
from appraiser.audit.rules import BY_CODE, RULES, spec_problems
from appraiser.cli import main
from appraiser.extract.facts import with_facts
from appraiser.models.convert import document_from_json
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "corpus" / "dev"
PLACEHOLDER = re.compile(r"\[\[CLIENT TO CONFIRM: [^\]]*\]\]")
PRIVILEGE = "PRIVILEGED AND CONFIDENTIAL — ATTORNEY WORK PRODUCT — DRAFT"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def dev_db(tmp_path_factory):
    """The dev corpus's documents (truth), audited without the tariff file (so that a rate is unknown), every
    finding accepted by "reviewer"."""
    truth = json.loads((DEV / "truth.json").read_text(encoding="utf-8"))
    docs = [document_from_json(d) for d in truth["documents"] if not d.get("error")]
    result = _audit([with_facts(d) for d in docs])
    db = tmp_path_factory.mktemp("drafting") / "dev.db"
    store = Store(db)
    try:
        for d in docs:
            store.save_document(d, "truth", cache=False)
        store.save_audit(result.entries, result.findings)
        for f in store.findings():
            assert store.decide(f.id, "accepted", "reviewer", None)
    finally:
        store.close()
    return db


@pytest.fixture()
def store(dev_db, tmp_path):
    target = tmp_path / dev_db.name
    shutil.copy(dev_db, target)
    s = Store(target)
    yield s
    s.close()


def _body(path: Path) -> tuple[list[str], str]:
    """The top boxes' texts and the body's text (paragraphs and tables, in order) of a Word file."""
    doc = Word(str(path))
    boxes, body, top = [], [], True
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            cells = [[c.text for c in row.cells] for row in block.rows]
            if top and len(cells) == 1 and len(cells[0]) == 1:
                boxes.append(cells[0][0])
                continue
            body.append("\n".join(" | ".join(r) for r in cells))
        else:
            if block.text:
                top = False
            body.append(block.text)
    return boxes, "\n".join(body)


def _draft(store, tmp_path, importer, **kw):
    d = draft_disclosure(store, importer=importer, **kw)
    return d, write_disclosure(d, tmp_path / f"{importer.split()[0].lower()}.docx")


# --- 1. the Form 28 pack takes the draft's importer ----------------------------------------------------------

def test_the_form28_pack_takes_the_same_importer_as_the_draft(dev_db, tmp_path):
    db = tmp_path / "dev.db"
    shutil.copy(dev_db, db)
    # two importers with Section 232 findings: Prairie (content value, melt and pour) and Lakeshore (line missing)
    r = CliRunner().invoke(main, ["disclose", "--db", str(db), "--importer", "Prairie", "--out",
                                  str(tmp_path / "pd.docx"), "--form28", str(tmp_path / "f28.docx")])
    assert r.exit_code == 0, r.output
    _, text = _body(tmp_path / "f28.docx")
    md = (tmp_path / "f28.md").read_text(encoding="utf-8")
    for prairie in ("D4K-1063352-3", "7QM-1071271-1"):
        assert prairie in text and prairie in md
    for other in ("D4K-1079190-9", "Lakeshore"):  # the other importer's Section 232 entry
        assert other not in text and other not in md
    r = CliRunner().invoke(main, ["disclose", "--db", str(db), "--importer", "Lakeshore", "--out",
                                  str(tmp_path / "pd2.docx"), "--form28", str(tmp_path / "f28b.docx")])
    assert r.exit_code == 0, r.output
    _, text = _body(tmp_path / "f28b.docx")
    assert "D4K-1079190-9" in text and "D4K-1063352-3" not in text and "Prairie" not in text


# --- 2. possible violations; culpability chosen by counsel ---------------------------------------------------

def test_violations_are_possible_and_the_culpability_is_counsels_choice(store, tmp_path):
    texts = {}
    for c in CULPABILITY:
        d, paths = _draft(store, tmp_path / c, "Cascade", culpability=c)
        _, texts[c] = _body(paths["docx"])
        assert VOCAB["culpability"][c] in texts[c]
        assert "possible violations of 19 U.S.C. 1592" in texts[c]
        assert not re.search(r"(?<!possible )violations of", texts[c]), c
        assert not re.search(r"(?<!possible )violations of", paths["md"].read_text(encoding="utf-8"))
    # the default states no level of culpability and reserves it
    assert "without conceding that any violation occurred" in texts["none"]
    assert "at most from negligence" not in texts["none"] and "may be found" not in texts["none"]
    assert "negligence within the meaning of 19 U.S.C. 1592(a)" in texts["negligence"]
    assert len({t for t in texts.values()}) == len(CULPABILITY)
    with pytest.raises(UnknownCulpability):
        draft_disclosure(store, importer="Cascade", culpability="careless")


def test_an_unknown_culpability_is_a_usage_error(dev_db, tmp_path):
    r = CliRunner().invoke(main, ["disclose", "--db", str(dev_db), "--importer", "Cascade", "--culpability",
                                  "careless", "--out", str(tmp_path / "pd.docx")])
    assert r.exit_code == 2 and "--culpability careless: one of none, negligence" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "pd.docx").exists()


# --- 3. documentation gaps apart from false statements -------------------------------------------------------

def test_every_spec_has_a_nature_and_a_gap_says_what_is_to_be_documented():
    assert all(not spec_problems(r) for r in RULES)
    gaps = {r.code for r in RULES if r.nature == "gap"}
    assert gaps == {"FIRST_SALE_UNSUPPORTED", "FTA_CLAIM_UNSUPPORTED", "DOCUMENT_MISSING"}
    broken = BY_CODE["FIRST_SALE_UNSUPPORTED"].__class__(**{**BY_CODE["FIRST_SALE_UNSUPPORTED"].__dict__,
                                                            "to_document": ""})
    assert any("what is to be documented" in p for p in spec_problems(broken))
    wrong = BY_CODE["UNDERVALUATION"].__class__(**{**BY_CODE["UNDERVALUATION"].__dict__, "nature": "maybe"})
    assert any("nature 'maybe'" in p for p in spec_problems(wrong))


@pytest.mark.parametrize("importer, code", [("Cascade", "FIRST_SALE_UNSUPPORTED"),
                                             ("Magnolia", "FTA_CLAIM_UNSUPPORTED"),
                                             ("Bayou", "DOCUMENT_MISSING")])
def test_a_documentation_gap_has_its_own_section_not_the_false_statements(store, tmp_path, importer, code):
    d, paths = _draft(store, tmp_path, importer)
    [gap] = [f for f in d.findings if f.code == code]
    assert nature(gap) == "gap" and gap in d.gaps
    _, text = _body(paths["docx"])
    part3 = text[text.index("3. Material false statements"):text.index("3A. Claims to be documented")]
    part3a = text[text.index("3A. Claims to be documented"):text.index("4. True and accurate information")]
    ref = next(line.split(".")[0] for line in part3a.splitlines() if f"Entry {gap.entry_number}" in line)
    assert f"{ref}. Entry {gap.entry_number}" not in part3
    assert "not disclosed as false statements" in part3a
    assert "To be documented: " + us_spelling(BY_CODE[code].to_document[0].upper()) in part3a
    assert "If it cannot be documented, the loss of revenue:" in part3a
    # the misstatements stay in Part 3, worded as such
    for f in d.findings:
        if nature(f) == "misstatement":
            assert f"Entry {f.entry_number}" in part3
    assert "3A. Claims to be documented" in paths["md"].read_text(encoding="utf-8")


# --- 4. no tool phrase in the text filed ----------------------------------------------------------------------

TOOL_WORDS = ("no tariff schedule was supplied", "rate is unknown", "should be dismissed", "value delta only",
              "in the folder", "this finding")


@pytest.mark.parametrize("importer", ["Keystone", "Magnolia", "Bayou"])
def test_the_tools_own_words_go_to_the_note_for_counsel_not_the_filing(store, tmp_path, importer):
    d, paths = _draft(store, tmp_path, importer)
    boxes, text = _body(paths["docx"])
    md = paths["md"].read_text(encoding="utf-8")
    md_body = "\n".join(ln for ln in md.splitlines() if not ln.startswith(">"))
    for words in TOOL_WORDS:
        assert words not in text.lower() and words not in md_body.lower(), words
    if importer == "Keystone":  # HTS finding audited without a tariff: the rate is unknown
        assert any("no tariff schedule was supplied" in n for n in d.notes)
        assert boxes[1].startswith("Note for counsel (not part of the filing")
        assert "no tariff schedule was supplied" in boxes[1]
        assert "rate of duty that applies to entry 7QM-1087109-5" in text  # a placeholder, listed at the top
        assert any("rate of duty that applies to entry 7QM-1087109-5" in p for p in d.placeholders)
    if importer == "Magnolia":  # the FTA claim audited without a tariff: the general rate is for the client
        assert any("should be dismissed" in n for n in d.notes)
        assert any("rate of duty that applies to entry D4K-1126704-0" in p for p in d.placeholders)
        assert any("general rate of duty for entry D4K-1126704-0" in p for p in d.placeholders)
        assert "[ [" not in text and "USD 0.00, and the merchandise processing fee" not in text
    if importer == "Bayou":
        assert "among the documents reviewed" in text


# --- 5. full citations ------------------------------------------------------------------------------------------

def test_citations_are_full(store, tmp_path):
    _, paths = _draft(store, tmp_path, "Lakeshore")  # Section 232 line missing
    _, text = _body(paths["docx"])
    for cite in ("Proclamation 9705 of March 8, 2018, 83 FR 11625", "Proclamation 9704 of March 8, 2018, 83 FR 11619",
                 "Proclamation 9980 of January 24, 2020, 85 FR 5281", "Proclamation 10896, 90 FR 9817",
                 "Proclamation 10895, 90 FR 9807", "Proclamation 10947 of June 3, 2025, 90 FR 24199"):
        assert cite in text, cite
    _, paths = _draft(store, tmp_path, "Prairie")  # melt and pour: "the proclamations" say which
    _, text = _body(paths["docx"])
    assert "The Section 232 proclamations cited in the legal basis ask for" in text
    assert not re.search(r"[Tt]he proclamations", text)
    _, paths = _draft(store, tmp_path, "Cascade")  # first sale
    _, text = _body(paths["docx"])
    assert "Nissho Iwai American Corp. v. United States, 982 F.2d 505 (Fed. Cir. 1992)" in text
    assert not re.search(r"Nissho Iwai(?! American Corp\. v\. United States, 982 F\.2d 505)", text)


# --- 6. header, page numbers, properties, highlighted placeholders, U.S. spelling --------------------------------

def test_the_word_draft_has_the_privilege_header_page_numbers_and_real_properties(store, tmp_path):
    d, paths = _draft(store, tmp_path, "Prairie")
    doc = Word(str(paths["docx"]))
    for section in doc.sections:
        assert PRIVILEGE in "\n".join(p.text for p in section.header.paragraphs)
        footer = section.footer._element.xml
        instr = [t.text.strip() for t in section.footer._element.iter(f"{W}instrText")]
        assert instr == ["PAGE", "NUMPAGES"], footer
        assert "Page " in "".join(p.text for p in section.footer.paragraphs)
    cp = doc.core_properties
    assert cp.author == "reviewer" and cp.last_modified_by == "reviewer"
    assert "python-docx" not in (cp.author + cp.comments + cp.last_modified_by + cp.title)
    assert cp.title == "Prior disclosure (draft): Prairie Fabrication Works LLC"
    assert "19 CFR 162.74" in cp.subject and "D4K-1063352-3" in cp.subject
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert abs((now - cp.created.replace(tzinfo=None)).total_seconds()) < 600
    assert cp.modified == cp.created
    assert paths["md"].read_text(encoding="utf-8").startswith(f"**{PRIVILEGE}**")
    # --author wins over the reviewers
    r = CliRunner().invoke(main, ["disclose", "--help"])
    assert "--author" in r.output and "--culpability" in r.output
    write_disclosure(d, tmp_path / "by.docx", author="A. Counsel, Esq.")
    assert Word(str(tmp_path / "by.docx")).core_properties.author == "A. Counsel, Esq."


def test_placeholders_are_highlighted_in_word_and_marked_in_markdown(store, tmp_path):
    d, paths = _draft(store, tmp_path, "Keystone")
    doc = Word(str(paths["docx"]))
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    lit = [r.text for r in runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert lit and all(PLACEHOLDER.fullmatch(t) for t in lit)
    assert set(lit) == set(d.placeholders)
    # every placeholder run is highlighted, and nothing else is
    assert not [r.text for r in runs if PLACEHOLDER.search(r.text) and r.font.highlight_color != WD_COLOR_INDEX.YELLOW]
    md = paths["md"].read_text(encoding="utf-8")
    found = PLACEHOLDER.findall(md)
    assert found and md.count("**[[CLIENT TO CONFIRM:") == len(found)


BRITISH = re.compile(r"\b(aluminium|licence|mould|labour|colour|favour|behaviour|organis|recognis|cheque)", re.I)


@pytest.mark.parametrize("importer", ["Lakeshore", "Cascade", "Prairie", "Keystone"])
def test_the_drafts_are_in_us_spelling_outside_document_text(store, tmp_path, importer):
    d, paths = _draft(store, tmp_path, importer)
    _, text = _body(paths["docx"])
    # document text stays as written: quotations, file paths and names
    stripped = re.sub(r"\"[^\"]*\"|“[^”]*”|\([^()]*(?:/|\.pdf|\.jpg|\.tif)[^()]*\)|\S*/\S*|Exhibit \d+:.*", "", text)
    stripped = re.sub(r"\b[A-Z][\w&.]*(?: [A-Z][\w&.]*)* (?:Ltd|Co|Inc|LLC|GmbH|S\.A)\.?", "", stripped)
    assert not BRITISH.search(stripped), BRITISH.search(stripped)
    if importer == "Lakeshore":  # the assist is a mold, the toolmaker's name keeps its spelling
        assert "Undeclared mold assist" in text and "Mould Engineering" in text


def test_the_form28_pack_has_the_same_drafting_controls(store, tmp_path):
    from appraiser.audit.disclose import write_form28_pack

    paths = write_form28_pack(store, tmp_path / "f28.docx", importer="Prairie")
    doc = Word(str(paths["docx"]))
    assert PRIVILEGE in doc.sections[0].header.paragraphs[0].text
    assert [t.text.strip() for t in doc.sections[0].footer._element.iter(f"{W}instrText")] == ["PAGE", "NUMPAGES"]
    assert doc.core_properties.author == "reviewer" and "python-docx" not in doc.core_properties.comments
    _, text = _body(paths["docx"])
    assert "steel or aluminum content value" in text and not BRITISH.search(text)
    assert "The Section 232 proclamations cited in the legal basis" in text
    runs = [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    runs += [r for p in doc.paragraphs for r in p.runs]
    lit = {r.text for r in runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW}
    assert lit == set(PLACEHOLDER.findall(text)) and lit
