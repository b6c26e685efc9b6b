"""The rule specs: complete, consistent with the SPEC tables, and the one source of the README and `appraiser rules`."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from appraiser.audit import rules
from appraiser.audit.rules import RULES, Needs, RuleSpec, rules_markdown, rules_table, spec_problems
from appraiser.cli import main
from appraiser.models.doctypes import FINDING_CODES, DocType

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("spec", RULES, ids=lambda r: r.code)
def test_every_spec_is_complete(spec):
    assert spec_problems(spec) == []


def test_one_spec_per_code_and_every_underpayment_code_has_one():
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    assert {c for c, d in FINDING_CODES.items() if d == "underpaid"} <= set(codes)


GOOD = RULES[0]


@pytest.mark.parametrize("change,problem", [
    ({"legal_basis": ""}, "no legal_basis"),
    ({"legal_basis": "—"}, "no legal_basis"),
    ({"materiality": " "}, "no materiality"),
    ({"title": ""}, "no title"),
    ({"needs": Needs({})}, "needs no document"),
    ({"needs": Needs({"customs_invoice": ("total",)})}, "unknown document type 'customs_invoice'"),
    ({"needs": Needs({DocType.AGREEMENT: ("expiration_date",)})}, "has no field 'expiration_date'"),
    ({"needs": Needs({DocType.AGREEMENT: ()})}, "without naming a field"),
    ({"check": "assists:no_such_check"}, "not found"),
    ({"check": "no_such_module:check"}, "not found"),
    ({"gate": "gate:no_such_gate"}, "gate 'gate:no_such_gate' not found"),
    ({"severity": "critical"}, "severity"),
    ({"revenue": ("penalty",)}, "revenue effect"),
    ({"code": "MADE_UP"}, "not a SPEC finding code"),
    ({"direction": "overpaid"}, "direction"),
])
def test_an_incomplete_spec_fails(change, problem):
    spec = dataclasses.replace(GOOD, **change)
    assert any(problem in p for p in spec_problems(spec)), spec_problems(spec)


def test_fact_kinds_are_checked_against_the_extraction_table(monkeypatch):
    spec = dataclasses.replace(GOOD, needs=Needs(GOOD.needs.documents, facts=("ownership",)))
    monkeypatch.setattr(rules, "fact_kinds", lambda: None)
    assert any("no FACT_KINDS table" in p for p in spec_problems(spec))
    monkeypatch.setattr(rules, "fact_kinds", lambda: {"ownership"})
    assert spec_problems(spec) == []
    monkeypatch.setattr(rules, "fact_kinds", lambda: {"metal_cost"})
    assert any("unknown fact kind 'ownership'" in p for p in spec_problems(spec))


def test_the_readme_table_is_generated_from_the_specs():
    """Run `make readme` after changing a spec."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rules.readme_with_table(readme) == readme
    assert rules_markdown() in readme


def test_the_rules_command_prints_every_spec():
    out = CliRunner().invoke(main, ["rules"])
    assert out.exit_code == 0
    for r in RULES:
        assert r.code in out.output and r.legal_basis in out.output and r.materiality in out.output
    data = json.loads(CliRunner().invoke(main, ["rules", "--json"]).output)
    assert data == json.loads(json.dumps(rules_table()))
    assert data[0]["needs"]["assist_invoice"] and data[0]["revenue"] == "duty + fees"


def test_section_232_and_first_sale_cite_their_sources():
    s232 = rules.BY_CODE["METAL_CONTENT_MISSTATED"].legal_basis
    for text in ("19 U.S.C. 1862", "Proclamation 9705", "9704", "10895", "10896", "Proclamation 10947"):
        assert text in s232
    assert "982 F.2d 505 (Fed. Cir. 1992)" in rules.BY_CODE["FIRST_SALE_UNSUPPORTED"].legal_basis
    assert "General Note 34" in rules.BY_CODE["FTA_CLAIM_UNSUPPORTED"].legal_basis
    assert "58c(a)(9)" in rules.BY_CODE["MPF_MISCALCULATED"].legal_basis


def test_rule_is_the_spec():
    assert rules.Rule is RuleSpec


def test_the_needs_of_a_module_s_rules_name_every_field_its_checks_read():
    """A field a check module reads is in the needs of a rule checked there: the specs say what rules read."""
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "models"))
    from test_doctypes import ALL_FIELDS, _reads

    needed: dict[str, set[str]] = {}
    for r in RULES:
        needed.setdefault(r.check.split(":")[0], set()).update(
            n for names in r.needs.documents.values() for n in names)
    for module, names in needed.items():
        read = {n for _, n in _reads(ROOT / "audit" / f"{module}.py") if n in ALL_FIELDS}
        assert sorted(read - names) == [], module


def test_the_needs_of_a_module_s_rules_name_every_fact_kind_its_checks_read():
    import re as re_

    by_module: dict[str, set[str]] = {}
    for r in RULES:
        by_module.setdefault(r.check.partition(":")[0], set()).update(r.needs.facts)
    missing = {}
    for module, declared in by_module.items():
        text = (ROOT / "audit" / f"{module}.py").read_text(encoding="utf-8")
        read = set(re_.findall(r"""facts_of\(\s*["']([a-z_]+)["']""", text))
        if read - declared:
            missing[module] = sorted(read - declared)
    assert missing == {}
