"""Nothing from a document is ever evaluated or reaches a shell, and the HTML report escapes every string."""
import ast
import json
import shutil
from pathlib import Path

import lxml.html
from click.testing import CliRunner

from appraiser.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"

# calls that evaluate text or hand it to a shell, by the name they are called with
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__", "breakpoint"}
FORBIDDEN_ATTRIBUTES = {
    ("os", "system"), ("os", "popen"), ("os", "startfile"), ("pickle", "load"), ("pickle", "loads"),
    ("marshal", "load"), ("marshal", "loads"), ("shelve", "open"), ("yaml", "load"), ("yaml", "unsafe_load"),
    ("subprocess", "getoutput"), ("subprocess", "getstatusoutput"), ("dill", "loads"), ("jsonpickle", "decode"),
}


def _offences(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        where = f"{name}:{node.lineno}"
        if isinstance(f, ast.Name) and f.id in FORBIDDEN_NAMES:
            found.append(f"{where}: {f.id}()")
        if isinstance(f, ast.Attribute):
            owner = f.value.id if isinstance(f.value, ast.Name) else None
            if (owner, f.attr) in FORBIDDEN_ATTRIBUTES or (owner == "os" and f.attr.startswith(("exec", "spawn"))):
                found.append(f"{where}: {owner}.{f.attr}()")
            if f.attr == "import_module":  # only the package's own modules, by a name it writes itself
                arg = node.args[0] if node.args else None
                prefix = arg.values[0] if isinstance(arg, ast.JoinedStr) and arg.values else arg
                if not (isinstance(prefix, ast.Constant) and str(prefix.value).startswith("appraiser.")):
                    found.append(f"{where}: import_module of a name not under appraiser.")
        for kw in node.keywords:
            if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                found.append(f"{where}: shell=")
    return found


def _package_sources():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "tests", "build"} or any(p.startswith(".") for p in rel.parts):
            continue
        yield rel, path.read_text(encoding="utf-8")


def test_the_checker_sees_each_kind_of_evaluation():
    sample = ("import os, pickle, subprocess, yaml, importlib\n"
              "eval(t)\nexec(t)\nos.system(t)\nsubprocess.run(t, shell=True)\npickle.loads(b)\nyaml.load(t)\n"
              "os.execv(t, [])\nimportlib.import_module(t)\nsubprocess.run(['ls'], shell=False)\n")
    found = _offences(sample, "sample.py")
    assert [f.split(": ", 1)[1] for f in found] == ["eval()", "exec()", "os.system()", "shell=", "pickle.loads()",
                                                   "yaml.load()", "os.execv()",
                                                   "import_module of a name not under appraiser."]


def test_the_package_source_evaluates_nothing_and_runs_no_shell():
    sources = list(_package_sources())
    assert len(sources) > 40 and any(str(rel) == "cli.py" for rel, _ in sources)
    found = [o for rel, text in sources for o in _offences(text, str(rel))]
    assert found == []


HOSTILE = '"><img src=x onerror=alert(1)> `touch PWNED_TICK` $(touch PWNED) \x1b[31m '
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "p", "b", "i", "table",
                "tr", "th", "td", "div", "ol", "ul", "li", "img", "span", "small", "br", "thead", "tbody", "sup",
                # the report's contents, sections and filters (the one script is the report's own, checked below)
                "nav", "a", "section", "form", "label", "select", "option", "button", "script"}


def test_hostile_names_and_text_never_become_markup_or_commands(tmp_path, monkeypatch):
    folder = tmp_path / 'ship <script>alert("x")</script> $(touch PWNED_DIR)'
    shutil.copytree(DEMO / "2025-03 Dongguan", folder)
    for f in list(folder.iterdir()):
        f.rename(folder / (HOSTILE + f.name))
    (folder / "<svg onload=alert(2)> `touch PWNED_SVG`.pdf").write_bytes(b"%PDF-1.7\n<script>alert(3)</script>\n")
    db = tmp_path / "x.db"
    monkeypatch.chdir(tmp_path)  # where a shell would run `touch`
    runner = CliRunner()
    res = runner.invoke(main, ["run", str(folder), "--db", str(db), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output  # control characters printed escaped
    [finding] = json.loads(runner.invoke(main, ["findings", "--db", str(db), "--json"]).output)
    assert any(HOSTILE in ev["path"] for ev in finding["evidence"])
    res = runner.invoke(main, ["accept", finding["id"], "--db", str(db), "--reviewer", "<script>alert(4)</script>",
                               "--reason", '" onmouseover="alert(5)" $(touch PWNED_REASON)'])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "out"), "--root", str(folder)])
    assert res.exit_code == 0, res.output
    for args in (["disclose", "--db", str(db), "--out", str(tmp_path / "pd.docx")], ["export", "--db", str(db)],
                 ["findings", "--db", str(db)]):
        res = runner.invoke(main, args)
        assert res.exit_code == 0, res.output

    source = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    page = lxml.html.document_fromstring(source)
    text = page.text_content()
    # the hostile strings reached the report, as text
    assert "onerror=alert(1)" in text and "<script>alert(4)</script>" in text and 'alert("x")' in text
    assert "<img src=x" not in source and "<svg" not in source
    from appraiser.audit.report import _FILTER_SCRIPT

    [script] = page.iter("script")  # the report's filter script, and no other
    assert source.lower().count("<script") == 1 and script.text == _FILTER_SCRIPT and not script.attrib
    elements = list(page.iter(lxml.etree.Element))
    assert {el.tag for el in elements} <= ALLOWED_TAGS
    for el in elements:
        assert not [a for a in el.attrib if a.lower().startswith("on")], (el.tag, dict(el.attrib))
        if el.tag == "a":
            assert el.get("href", "").startswith("#") and set(el.attrib) == {"href"}
        if el.tag == "img":
            assert el.get("src", "").startswith("data:image/") and set(el.attrib) == {"alt", "src"}
    assert not [p for p in tmp_path.rglob("PWNED*")] and not list(Path.cwd().glob("PWNED*"))


def test_document_text_is_inert_in_the_markdown_draft_and_the_schedules(tmp_path):
    """A document's markup stays text in the Markdown twin of a draft, and a value that would start a spreadsheet
    formula is written as text in the schedule CSV and XLSX."""
    import csv
    from decimal import Decimal

    from openpyxl import load_workbook

    from appraiser.audit.writers import SCHEDULE_COLUMNS, Block, markdown, write_schedule_csv, write_schedule_xlsx

    md = markdown([Block("para", text="Seller <img src=x onerror=alert(1)>", label="<b>Note</b>"),
                   Block("list", items=["<script>alert(2)</script>"]),
                   Block("table", rows=[["a", "b"], ["<svg onload=alert(3)>", "1"]])])
    assert "<img" not in md and "<script" not in md and "<svg" not in md and "<b>" not in md
    assert "&lt;img src=x onerror=alert(1)>" in md

    hostile = '=HYPERLINK("http://x.invalid","click")'
    row = {c: None for c in SCHEDULE_COLUMNS}
    row.update({"entry_number": hostile, "hts": "+7318.15", "port_code": "@SUM(A1)", "finding_id": "f1",
                "loss_of_revenue": Decimal("12.50")})
    with open(write_schedule_csv([row], tmp_path / "s.csv"), newline="", encoding="utf-8") as fh:
        [read] = list(csv.DictReader(fh))
    assert read["entry_number"] == "'" + hostile and read["hts"] == "'+7318.15" and read["port_code"] == "'@SUM(A1)"
    ws = load_workbook(write_schedule_xlsx([row], tmp_path / "s.xlsx")).active
    cells = {ws.cell(1, i + 1).value: ws.cell(2, i + 1) for i in range(len(SCHEDULE_COLUMNS))}
    assert cells["entry_number"].data_type == "s" and cells["entry_number"].value == "'" + hostile
    assert cells["loss_of_revenue"].value == 12.5  # money stays a number
