"""Typed documents: the doc-type enum, the SPEC field table, and who may set or read which field.

Every field an extractor sets and every field a rule reads must be in the SPEC table (models/doctypes.py);
the export JSON Schema is generated from that table and committed.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import jsonschema
import pytest

from appraiser.models.facttypes import VALUE_KEYS

from appraiser.models.records import Revenue

from appraiser.extract.registry import EXTRACTORS
from appraiser.models.doctypes import DOC_TYPES, LINE_ITEMS, DocType, known_field
from appraiser.models.schema import SCHEMA_PATH, export_schema

ROOT = Path(__file__).resolve().parents[2]
EXTRACT = ROOT / "extract"
AUDIT = ROOT / "audit"
ALL_FIELDS = set().union(*DOC_TYPES.values(), *LINE_ITEMS.values())
# modules shared by every doc type's extractor (their field names are checked against the whole table)
SHARED_EXTRACT = {"common", "einvoice", "tables", "labels", "layout", "normalize", "prose", "load", "ocr", "pages",
                  "classify", "lexicon", "vocab", "doc_titles", "registry", "__init__", "declared"}

# keys read with ``.get("…")`` in audit/ that are not document fields, each with what it is
FACT_VALUE_KEYS = {k for keys in VALUE_KEYS.values() for k in keys}  # what a structured fact value holds
NOT_DOCUMENT_KEYS = {
    "value": "the value of a chapter 99 `additional` entry or of a fact",
    "rate": "the rate of a chapter 99 `additional` entry",
    "kind": "the kind of a charge",
    "name": "a party's name", "country": "a party's country", "role": "a party's role",
    "finding_ids": "the stored entry totals", "finding_id": "a schedule row's finding", "loss_of_revenue": "the stored entry totals",
    "counted_once": "the stored entry totals", "in_total": "a schedule row holding its entry's total",
    "/Rotate": "a PDF page's rotation (the exhibit binder)",
    "finding_remedies": "the triage's remedies of a code's own (audit/triage.json)",
    "loss_multiple": "a 19 U.S.C. 1592(c) penalty rule (audit/penalty_rules.json)",
    "disclosed_loss_multiple": "a 19 U.S.C. 1592(c)(4) penalty rule (audit/penalty_rules.json)",
    "general": "a tariff CSV column", "general rate of duty": "a tariff CSV column",
    "special": "a tariff CSV column", "special rate of duty": "a tariff CSV column",
    "hts no": "a tariff CSV column", "hts number": "a tariff CSV column",
    "additional_hts": "a declared-lines CSV column", "additional_rate": "a declared-lines CSV column",
    "additional_value": "a declared-lines CSV column", "importer_name": "a declared-lines CSV column",
    "importer_number": "a declared-lines CSV column",
}


def test_the_enum_is_the_table():
    assert [t.value for t in DocType] == list(DOC_TYPES)
    assert set(EXTRACTORS) == {t.value for t in DocType} - {"other"}
    assert set(LINE_ITEMS) <= set(DOC_TYPES)
    assert DocType("agreement") is DocType.AGREEMENT and f"{DocType.AGREEMENT}" == "agreement"
    assert known_field(DocType.ENTRY_SUMMARY, "additional") and not known_field("agreement", "expiry")


def test_the_committed_schema_is_the_generated_one():
    """Regenerate with `make schema` after changing models/doctypes.py."""
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == export_schema()


def test_the_schema_accepts_what_colleagues_add_and_refuses_unknown_fields():
    schema = export_schema()
    doc = {"path": "a.pdf", "sha256": "", "doc_type": "agreement", "pages": 1, "ocr": False, "error": None,
           "fields": {"agreement_type": "royalty"}, "line_items": [],
           "facts": [{"kind": "ownership", "value": {"share": "100"}, "text": "wholly owned", "page": 1,
                      "bbox": [1, 2, 3, 4]}]}
    finding = {"id": "x", "status": "to_verify", "code": "MPF_OVERPAID", "severity": "low", "entry_number": "E",
               "line_no": None, "title": "t", "explanation": "e", "legal_basis": "19 CFR 24.23",
               "value_delta": "0.00", "duty_delta": "0.00", "fees_delta": "-10.00", "loss_of_revenue": "-10.00",
               "confidence": 0.9, "evidence": [], "direction": "overpaid", "revenue": Revenue().to_json(),
               "verify": ["the fee paid on the 7501"]}
    error = {"code": "HTS_MISMATCH", "entry_number": "E", "error_type": "KeyError", "message": "'hts'"}
    jsonschema.validate({"documents": [doc], "entries": [], "findings": [finding], "errors": [error]}, schema)
    bad = dict(doc, fields={"agreement_type": "royalty", "expiration_date": "2030-01-01"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"documents": [bad], "entries": [], "findings": []}, schema)


@pytest.fixture(scope="module")
def demo_documents(tmp_path_factory):
    from appraiser import pipeline

    db = tmp_path_factory.mktemp("doctypes") / "demo.db"
    return pipeline.run(ROOT / "fixtures" / "demo", db, workers=2).documents


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _set_names(path: Path) -> set[str]:
    """Field names an extractor module sets by literal: ``x.set("name", …)``."""
    out = set()
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "set" and n.args:
            name = _literal(n.args[0])
            if name is not None:
                out.add(name)
    return out


@pytest.mark.parametrize("doc_type,module", sorted(EXTRACTORS.items()))
def test_every_field_an_extractor_sets_is_in_the_table_of_its_type(doc_type, module):
    allowed = set(DOC_TYPES[doc_type]) | set(LINE_ITEMS.get(doc_type, {}))
    assert sorted(_set_names(EXTRACT / f"{module}.py") - allowed) == []


def test_every_field_a_shared_extractor_module_sets_is_in_the_table():
    for module in SHARED_EXTRACT:
        path = EXTRACT / f"{module}.py"
        if path.exists():
            assert sorted(_set_names(path) - ALL_FIELDS) == [], module


def test_every_field_extracted_from_the_demo_is_in_the_table_of_its_type(demo_documents):
    wrong = []
    for d in demo_documents:
        wrong += [(d.path, n) for n in d.fields.names() if n not in DOC_TYPES[d.doc_type]]
        wrong += [(d.path, "line " + n) for li in d.line_items for n in li.fields.names()
                  if n not in LINE_ITEMS.get(d.doc_type, {})]
    assert wrong == []


def _reads(path: Path) -> list[tuple[int, str]]:
    """Field names a rule module reads by literal: ``x.get("f")``, ``x.fields.get("f")``, ``x.money("f")``,
    ``x.prov("f")``, ``ctx.cite(doc, "f", …)`` and the modules' own readers ``_t/_n/_l(obj, "f")``."""
    out = []
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(n, ast.Call):
            continue
        f = n.func
        names: list[str | None] = []
        if isinstance(f, ast.Attribute) and f.attr in ("get", "money", "prov", "field") and n.args:
            names = [_literal(n.args[0])]
        elif isinstance(f, ast.Attribute) and f.attr == "cite":
            names = [_literal(a) for a in n.args[1:]]
        elif isinstance(f, ast.Name) and f.id in ("_t", "_n", "_l", "_num_of", "_text_of") and len(n.args) > 1:
            names = [_literal(n.args[1])]
        out += [(n.lineno, x) for x in names if x is not None]
    return out


def test_every_field_a_rule_reads_is_in_the_table():
    wrong = []
    for path in sorted(AUDIT.glob("*.py")):
        for line, name in _reads(path):
            if name not in ALL_FIELDS and name not in NOT_DOCUMENT_KEYS and name not in FACT_VALUE_KEYS:
                wrong.append(f"{path.name}:{line}: {name}")
    assert wrong == []


def test_a_rule_reading_a_field_no_extractor_produces_is_caught(tmp_path):
    rule = tmp_path / "rule.py"
    rule.write_text("def check(ctx, doc):\n    return doc.get('expiration_date') or ctx.cite(doc, 'expiry')\n")
    assert [n for _, n in _reads(rule) if n not in ALL_FIELDS] == ["expiration_date", "expiry"]
