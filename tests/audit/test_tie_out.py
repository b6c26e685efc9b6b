"""Every accepted finding's loss, each entry's interest and each importer's penalty exposure tie, to the cent,
between ``findings --json``, the report, the schedule (its XLSX recomputed by a formula engine) and the draft.

``fixtures/corpus/dev`` is audited once from its truth documents into a module-scoped database, every finding
accepted; ``report`` and ``disclose`` (one draft per importer) run through the command line with a tender date the
rate table covers."""
import json
import re
from decimal import Decimal as D
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from appraiser.audit.disclose import draft_disclosure
from appraiser.cli import main
from xlsx_recompute import recomputed_rows
from truth_audit import stored_truth_audit

ROOT = Path(__file__).resolve().parents[2]
TENDER = "2026-03-31"


def _m(text) -> D:
    return D(str(text).replace(",", "").replace("†", "").strip())


def _md_tables(text: str) -> list[list[list[str]]]:
    """The Markdown tables of a text, each a list of rows of cells (the header first, the rule left out)."""
    tables, cur = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if not all(re.fullmatch(r"-*:?", c) for c in cells):
                cur.append(cells)
        elif cur:
            tables.append(cur)
            cur = []
    return tables


@pytest.fixture(scope="module")
def tied(tmp_path_factory):
    folder = ROOT / "fixtures" / "corpus" / "dev"
    tmp = tmp_path_factory.mktemp("tie-out")
    db = tmp / "audit.db"
    store = stored_truth_audit(folder, db, accept=True)
    try:
        importers = sorted({e.header.get("importer").name for e in store.entries() if e.header.get("importer")})
        entry_importer = {e.entry_number: e.header.get("importer").name for e in store.entries()
                          if e.header.get("importer")}
        refs = {}
        for name in importers:
            d = draft_disclosure(store, importer=name)
            refs[name] = {f"F{i + 1}": f.id for i, f in enumerate(d.findings)}
    finally:
        store.close()
    run = CliRunner()
    listed = run.invoke(main, ["findings", "--db", str(db), "--json", "--status", "accepted"])
    assert listed.exit_code == 0, listed.output
    rep = run.invoke(main, ["report", "--db", str(db), "--out", str(tmp / "report"), "--tender-date", TENDER])
    assert rep.exit_code == 0, rep.output
    drafts = {}
    for i, name in enumerate(importers):
        out = tmp / f"draft-{i}.docx"
        res = run.invoke(main, ["disclose", "--db", str(db), "--importer", name, "--out", str(out),
                                "--tender-date", TENDER])
        assert res.exit_code == 0, res.output
        assert f"Interest to {TENDER} (19 U.S.C. 1505(c)): USD" in res.output
        drafts[name] = out.with_suffix(".md").read_text(encoding="utf-8")
    rows, formulas = recomputed_rows(tmp / "report" / "schedule.xlsx")
    return {"db": db, "findings": json.loads(listed.output), "html": (tmp / "report" / "report.html").read_text(),
            "rows": rows, "formulas": formulas, "drafts": drafts, "refs": refs, "entry_importer": entry_importer}


def test_each_findings_loss_ties(tied):
    findings = {f["id"]: f for f in tied["findings"]}
    assert findings and all(f["status"] == "accepted" for f in findings.values())
    sched: dict[str, D] = {}
    for r in tied["rows"]:
        if r["finding_id"]:
            sched[r["finding_id"]] = sched.get(r["finding_id"], D(0)) + r["loss_of_revenue"]
    drafted: dict[str, D] = {}
    for name, md in tied["drafts"].items():
        table = next(t for t in _md_tables(md) if t[0][-1] == "Finding" and t[0][0] == "Entry")
        for row in table[1:]:
            if row[-1] and row[0] != "Total":  # the Total row's last cell may say the total is incomplete
                fid = tied["refs"][name][row[-1]]
                drafted[fid] = drafted.get(fid, D(0)) + _m(row[-2])
    assert set(sched) == set(drafted) == set(findings)
    for fid, f in findings.items():
        head = re.search(rf'id="{re.escape(fid)}"[^>]*>\s*<h3>[^<]*· USD ([\d,.]+)</h3>', tied["html"])
        assert head, fid
        assert _m(f["loss_of_revenue"]) == sched[fid] == drafted[fid] == _m(head.group(1)), fid


def _report_interest(html: str) -> dict[str, tuple[D, D]]:
    part = html[html.index('id="interest"'):html.index('id="penalty"')]
    return {unescape(n): (_m(loss), _m(i)) for n, loss, i in re.findall(
        r"<tr><td>([^<]+)</td><td>[^<]*</td><td>[^<]*</td><td class=num>[^<]*</td><td class=num>([\d,.]+)</td>"
        r"<td class=num>([\d,.]+)</td>", part)}


def test_each_entrys_interest_ties(tied):
    sched = {}
    for r in tied["rows"]:
        if r["in_total"] == "yes":
            n = r["entry_number"].removeprefix("ENTRY ").removesuffix(" total (counted once)")
            sched[n] = (r["loss_of_revenue"], r["interest"])
    total = next(r for r in tied["rows"] if r["entry_number"] == "TOTAL")
    report = _report_interest(tied["html"])
    drafted = {}
    for md in tied["drafts"].values():
        table = next(t for t in _md_tables(md) if t[0][:2] == ["Entry", "Interest from"])
        for row in table[1:-1]:
            drafted[row[0]] = (_m(row[4]), _m(row[5]))
    assert sched == report == drafted
    assert sum(i for _, i in sched.values()) == total["interest"] > 0
    assert sum(loss for loss, _ in sched.values()) == total["loss_of_revenue"]
    assert any(i > 0 for _, i in sched.values()) and all(i == 0 for loss, i in sched.values() if loss == 0)
    headline = re.search(r"Loss of revenue: <b>USD ([\d,.]+)</b>", tied["html"]).group(1)
    assert _m(headline) == total["loss_of_revenue"]


def test_the_schedule_recomputes_from_its_formulas(tied):
    assert tied["formulas"] >= len(tied["rows"])  # every row carries formulas, the totals SUMs
    for r in tied["rows"]:
        if r["finding_id"] and r["duty_own_delta"] is not None:
            assert r["duty_own_delta"] + r["duty_chapter99_delta"] == r["duty_delta"]
        if r["finding_id"]:
            assert r["importer_of_record"]
    assert any(r["duty_chapter99_delta"] for r in tied["rows"] if r["finding_id"])


def test_each_importers_exposure_ties(tied):
    html = tied["html"]
    report = {(unescape(i), c): (_m(w), _m(p)) for i, c, w, p in re.findall(
        r'<tr data-importer="([^"]+)" data-culpability="([^"]+)"><td>[^<]*</td><td class=num>([\d,.]+)</td>'
        r"<td>[^<]*</td><td class=num>([\d,.]+)</td>", html)}
    interest = {n: i for n, (_, i) in _report_interest(html).items()}
    loss = {n: loss for n, (loss, _) in _report_interest(html).items()}
    assert report
    for name, md in tied["drafts"].items():
        part = md[md.index(f"### Penalty exposure, 19 U.S.C. 1592(c): {name}"):]
        table = _md_tables(part)[0]
        rows = {r[0]: (_m(r[1]), _m(r[3])) for r in table[1:]}
        assert rows == {c: v for (i, c), v in report.items() if i == name}
        mine = [n for n, imp in tied["entry_importer"].items() if imp == name and n in interest]
        assert rows["negligence"][1] == rows["gross negligence"][1] == sum((interest[n] for n in mine), D(0))
        mine_loss = sum((loss[n] for n in mine), D(0))
        if mine_loss:
            assert rows["fraud"][1] == mine_loss
            assert rows["negligence"][0] <= 2 * mine_loss and rows["gross negligence"][0] <= 4 * mine_loss


def test_a_tender_date_past_the_rate_table_is_a_stated_gap(tied, tmp_path):
    res = CliRunner().invoke(main, ["report", "--db", str(tied["db"]), "--out", str(tmp_path / "r"),
                                    "--tender-date", "2026-12-06"])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "the rate table (audit/interest_rates.json) ends on 2026-03-31" in html


@pytest.mark.parametrize("command", ["report", "disclose"])
def test_a_malformed_tender_date_is_a_usage_error(tied, tmp_path, command):
    out = tmp_path / ("r" if command == "report" else "d.docx")
    res = CliRunner().invoke(main, [command, "--db", str(tied["db"]), "--out", str(out), "--tender-date", "31/03/2026"])
    assert res.exit_code == 2
    assert res.output.strip().count("\n") == 0 and "--tender-date 31/03/2026: not a date" in res.output
