"""Money as data: every output renders a finding's money from its revenue record, and they all agree.

For every finding of both corpus splits (their truth documents audited, as ``evaluation.evaluate_audit`` does), the
export and the ``findings`` command, the schedule (XLSX read back with openpyxl, and CSV), the HTML report and the
prior disclosure's Part 4 (Word and Markdown) give the same figures: the record's. Chapter 99 lines keep their
meaning: a rate change or a Section 232 content value never adds to the entered value, and the declared duty of a
line counts its chapter 99 duty (Section 301) as well as its own.
"""
import csv
import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as Word

from appraiser.audit import audit
from appraiser.audit.disclose import draft_disclosure, write_disclosure
from appraiser.audit.report import write_report
from appraiser.audit.revenue import load_tariff
from appraiser.cli import main
from appraiser.models.convert import document_from_json
from appraiser.models.records import Finding, Revenue
from appraiser.models.store import Store
from truth_audit import stored_truth_audit

ROOT = Path(__file__).resolve().parents[2]
SPLITS = ("dev", "check")
SCHEDULE_HEAD = ["Entry", "Line", "HTS", "Declared value", "Corrected value", "Rate(s) %", "Duty delta", "MPF delta",
                 "HMF delta", "Loss of revenue", "Finding"]


def _m(text: str | None) -> D | None:
    """A figure as the outputs print it (1,234.56; a † mark on content values)."""
    if text in (None, "", "—"):
        return None
    return D(str(text).replace(",", "").replace("†", "").strip())


@pytest.fixture(scope="module", params=SPLITS)
def outputs(request, tmp_path_factory):
    """One split audited from its truth documents, stored, every finding accepted, and every output written."""
    folder = ROOT / "fixtures" / "corpus" / request.param
    tmp = tmp_path_factory.mktemp(f"money-{request.param}")
    db = tmp / "audit.db"
    store = stored_truth_audit(folder, db, accept=True)
    try:
        assert all(f.status == "accepted" for f in store.findings())
        findings = store.findings()
        export = store.export()
        report = write_report(store, tmp / "report")
        importers = sorted({e.header.get("importer").name for e in store.entries() if e.header.get("importer")})
        drafts = {}
        for i, name in enumerate(importers):
            d = draft_disclosure(store, importer=name)
            drafts[name] = (d, write_disclosure(d, tmp / f"draft-{i}.docx"))
    finally:
        store.close()
    listed = CliRunner().invoke(main, ["findings", "--db", str(db), "--json"])
    assert listed.exit_code == 0, listed.output
    return {"findings": findings, "export": export, "listed": json.loads(listed.output), "report": report,
            "drafts": drafts, "entries": {e["entry_number"]: e for e in export["entries"]}}


def _records(out) -> dict[str, tuple[Finding, Revenue]]:
    recs = {f.id: (f, f.revenue) for f in out["findings"]}
    assert recs and all(r is not None for _, r in recs.values()), "every finding carries its revenue record"
    return recs


def test_each_finding_is_its_record_and_the_record_adds_up(outputs):
    for f, rec in _records(outputs).values():
        assert (f.value_delta, f.duty_delta, f.fees_delta, f.loss_of_revenue) == \
            (rec.value_delta, rec.duty_delta, rec.fees_delta, rec.loss_of_revenue)
        assert rec.duty_delta + rec.fees_delta == rec.loss_of_revenue
        assert rec.mpf_delta + rec.hmf_delta == rec.fees_delta
        if rec.lines and not rec.rate_unknown:
            assert sum((ln.duty_delta for ln in rec.lines), D(0)) == rec.duty_delta
            for ln in rec.lines:
                assert sum((r.duty_delta for r in ln.rates), D(0)) == ln.duty_delta
                assert ln.duty_after - ln.duty_before == ln.duty_delta
                assert ln.value_change == (ln.value_after - ln.value_before if ln.kind == "value"
                                           and ln.value_before is not None else ln.value_change)
        for r in rec.section232:  # both readings, and the shortfall against the one named
            assert r.measured_against in ("metal cost", "entered value less non-metal", "entered value")
            assert r.supported is not None and r.supported - r.declared_content == r.shortfall


def test_the_export_and_the_findings_command_carry_the_record(outputs):
    recs = _records(outputs)
    exported = {x["id"]: x for x in outputs["export"]["findings"]}
    listed = {x["id"]: x for x in outputs["listed"]}
    assert set(exported) == set(listed) == set(recs)
    for fid, (f, rec) in recs.items():
        for x in (exported[fid], listed[fid]):
            assert x["revenue"] == rec.to_json()
            assert x["direction"] == "underpaid"
            for k in ("value_delta", "duty_delta", "fees_delta", "loss_of_revenue"):
                assert D(x[k]) == D(x["revenue"][k]) == getattr(rec, k)
            assert Revenue.from_json(x["revenue"]).to_json() == x["revenue"]


def _csv_rows(out) -> list[dict]:
    return list(csv.DictReader(out["report"]["csv"].open(encoding="utf-8")))


def _xlsx_rows(out) -> list[dict]:
    """The schedule's XLSX with its formulas recomputed (the corrected value, the duty and its split, the fees,
    the loss, the interest, the totals)."""
    from xlsx_recompute import recomputed_rows

    rows, formulas = recomputed_rows(out["report"]["xlsx"])
    assert formulas
    return rows


def test_the_schedule_xlsx_and_csv_give_each_findings_record(outputs):
    recs = _records(outputs)
    for rows in (_csv_rows(outputs), _xlsx_rows(outputs)):
        by_id: dict[str, list[dict]] = {}
        for r in rows:
            if r["finding_id"]:
                by_id.setdefault(r["finding_id"], []).append(r)
        assert set(by_id) == set(recs)
        for fid, (f, rec) in recs.items():
            mine = by_id[fid]
            assert sum((_m(r["duty_delta"]) for r in mine), D(0)) == rec.duty_delta
            assert sum((_m(r["fees_delta"]) for r in mine), D(0)) == rec.fees_delta
            assert sum((_m(r["loss_of_revenue"]) for r in mine), D(0)) == rec.loss_of_revenue
            first = mine[0]
            assert (_m(first["mpf_declared"]), _m(first["mpf_corrected"])) == (rec.mpf_before, rec.mpf_after)
            assert (_m(first["hmf_declared"]), _m(first["hmf_corrected"])) == (rec.hmf_before, rec.hmf_after)
            for r, ln in zip(mine, rec.lines):
                assert str(r["line_no"]) == str(ln.line_no)
                assert _m(r["declared_value"]) == ln.value_before and _m(r["corrected_value"]) == ln.value_after
                assert _m(r["value_delta"]) == ln.value_change
                assert r["base"] in ("metal content" if ln.base == "metal content" else "entered value", "", None)
                if ln.rates:
                    assert _m(r["duty_declared"]) == ln.duty_before and _m(r["duty_corrected"]) == ln.duty_after
                    assert r["duty_rates_percent"] == ln.rates_text


def test_chapter_99_lines_in_the_schedule(outputs):
    """Neither a rate change nor a Section 232 content value adds to the entered value; the declared duty of a
    line with a Section 301 number counts the Section 301 duty."""
    recs = _records(outputs)
    entries = outputs["entries"]
    seen_301 = seen_rate = 0
    for r in _csv_rows(outputs):
        if not r["finding_id"] or not r["line_no"]:
            continue
        f, rec = recs[r["finding_id"]]
        ln = next(x for x in rec.lines if str(x.line_no) == r["line_no"]) if rec.lines else None
        line = next((x for x in entries[f.entry_number]["lines"] if str(x.get("line_no")) == r["line_no"]), None)
        if ln is None or line is None:
            continue
        entered = D(line["entered_value"])
        if ln.kind == "rate" or ln.base == "metal content":
            assert ln.entered_after == ln.entered_before == entered
            if ln.base == "value":
                assert _m(r["corrected_value"]) == _m(r["declared_value"]) == entered
                seen_rate += 1
            else:  # the content value, declared on the line's 9903.81/9903.85 numbers, is what changes
                content = sum((D(a["value"]) for a in line.get("additional") or []
                               if str(a.get("hts", "")).startswith(("9903.81.", "9903.85.")) and a.get("value")), D(0))
                assert r["base"] == "metal content" and _m(r["declared_value"]) == content
                assert _m(r["corrected_value"]) == content + (ln.value_change if ln.kind == "value" else 0)
        elif ln.base == "value":
            assert _m(r["corrected_value"]) == entered + ln.value_change
        s301 = [a for a in line.get("additional") or [] if str(a.get("hts", "")).startswith("9903.88")]
        if s301 and ln.base == "value" and ln.kind == "value" and ln.rates:
            own = D(line["duty"])
            assert _m(r["duty_declared"]) == own + sum((D(a["duty"]) for a in s301), D(0))
            assert any(x.hts.startswith("9903.88") for x in ln.rates)
            seen_301 += 1
    assert seen_301 or seen_rate


def test_the_html_report_gives_each_findings_record(outputs):
    html = outputs["report"]["html"].read_text(encoding="utf-8")
    for fid, (f, rec) in _records(outputs).items():
        start = html.index(f'id="{fid}"')
        block = html[start:html.index("<h4>Evidence</h4>", start)]
        assert f"USD {rec.loss_of_revenue:,}</h3>" in block
        assert (f"value {rec.value_delta:,} · duty {rec.duty_delta:,} · fees {rec.fees_delta:,} · loss of revenue "
                f"{rec.loss_of_revenue:,}") in block
        assert f"<td>MPF</td><td class=n>{rec.mpf_before:,}</td><td class=n>{rec.mpf_after:,}</td>" in block
        assert f"<td>HMF</td><td class=n>{rec.hmf_before:,}</td><td class=n>{rec.hmf_after:,}</td>" in block
        for ln in rec.lines:
            for r in ln.rates:
                assert (f"<td>{r.hts}</td><td class=n>{r.rate.normalize():f}</td><td class=n>{r.duty_before:,}</td>"
                        f"<td class=n>{r.duty_after:,}</td><td class=n>{r.duty_delta:,}</td>") in block


def _docx_schedule(path: Path) -> list[list[str]]:
    t = next(t for t in Word(str(path)).tables if [c.text for c in t.rows[0].cells] == SCHEDULE_HEAD)
    return [[c.text for c in row.cells] for row in t.rows[1:]]


def _md_schedule(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = "| " + " | ".join(SCHEDULE_HEAD) + " |"
    i = lines.index(head) + 2
    rows = []
    while i < len(lines) and lines[i].startswith("|"):
        rows.append([c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", lines[i])[1:-1]])
        i += 1
    return rows


def test_the_draft_part_4_gives_each_findings_record(outputs):
    recs = _records(outputs)
    drafted: set[str] = set()
    for name, (d, paths) in outputs["drafts"].items():
        ref_of = {r.finding.id: r.ref for r in d.schedule}
        for rows in (_docx_schedule(paths["docx"]), _md_schedule(paths["md"])):
            for fid, ref in ref_of.items():
                f, rec = recs[fid]
                mine = [r for r in rows if r[-1] == ref]
                assert mine, ref
                assert sum((_m(r[6]) for r in mine), D(0)) == rec.duty_delta
                assert sum((_m(r[7]) for r in mine), D(0)) == rec.mpf_delta
                assert sum((_m(r[8]) for r in mine), D(0)) == rec.hmf_delta
                assert sum((_m(r[9]) for r in mine), D(0)) == rec.loss_of_revenue
                for r, ln in zip(mine, rec.lines):
                    assert (_m(r[3]), _m(r[4])) == (ln.value_before, ln.value_after)
                    assert r[5] == ("unknown" if ln.rate_unknown else ln.rates_text or "—")
            total = rows[-1]
            assert total[0] == "Total" and _m(total[9]) == d.total
        drafted |= set(ref_of)
    assert drafted == set(recs), "every accepted finding is drafted once"


def test_entry_totals_agree_between_the_audit_the_report_the_schedule_and_the_drafts(outputs):
    csv_rows = _csv_rows(outputs)
    html = outputs["report"]["html"].read_text(encoding="utf-8")
    saved = {}
    for name, (d, _) in outputs["drafts"].items():
        for n, t in d.entry_totals.items():
            saved[n] = t.loss
            assert t.duty + t.mpf + t.hmf == t.loss
    grand = sum(saved.values(), D(0))
    assert _m(csv_rows[-1]["loss_of_revenue"]) == grand and csv_rows[-1]["entry_number"] == "TOTAL"
    assert f"Loss of revenue: <b>USD {grand:,}</b>" in html


def test_a_to_verify_finding_is_never_drafted_nor_counted(tmp_path):
    """Evidence too weak to assert: listed in the report with what to check, in no total, schedule or draft."""
    from appraiser.audit import schedule as model
    from appraiser.models.records import replace

    folder = ROOT / "fixtures" / "corpus" / "dev"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    docs = [document_from_json(d) for d in truth["documents"] if not d.get("error")]
    result = audit(docs, tariff=load_tariff(folder / truth["meta"]["tariff"]))
    store = Store(tmp_path / "audit.db")
    try:
        for d in docs:
            store.save_document(d, "truth", cache=False)
        store.save_audit(result.entries, result.findings)
        for f in store.findings():
            store.decide(f.id, "accepted", "reviewer", None)
        entries = {e.entry_number: e for e in store.entries()}
        owner = {n: e.header.get("importer").name for n, e in entries.items()}
        counts: dict[str, int] = {}
        for f in store.findings():
            counts[owner[f.entry_number]] = counts.get(owner[f.entry_number], 0) + 1
        name = max(counts, key=counts.get)
        before = draft_disclosure(store, importer=name)
        weak = next(f for f in before.findings if f.loss_of_revenue > 0
                    and sum(1 for g in before.findings if g.entry_number == f.entry_number) == 1)
        html_before = write_report(store, tmp_path / "before")["html"].read_text(encoding="utf-8")
        store.db["findings"].upsert(store._finding_row(replace(weak, status="to_verify")), pk="id")
        after = draft_disclosure(store, importer=name)
        paths = write_disclosure(after, tmp_path / "pd.docx")
        report = write_report(store, tmp_path / "after")
        # even asked for, a to-verify finding is not selected
        asked = model.select(store, statuses=("accepted", "to_verify"))
    finally:
        store.close()
    assert weak.id not in {f.id for f in after.findings} | {r.finding.id for r in after.schedule} | \
        {f.id for f in asked.findings}
    assert weak.entry_number not in after.entry_totals
    assert after.total == before.total - weak.loss_of_revenue
    drafted = Word(str(paths["docx"]))
    text = "\n".join(p.text for p in drafted.paragraphs) + paths["md"].read_text(encoding="utf-8")
    assert weak.title not in text
    rows = list(csv.DictReader(report["csv"].open(encoding="utf-8")))
    assert weak.id not in {r["finding_id"] for r in rows}
    html = report["html"].read_text(encoding="utf-8")
    total = D(re.search(r"Loss of revenue: <b>USD ([\d,.]+)</b>", html_before).group(1).replace(",", ""))
    assert f"Loss of revenue: <b>USD {total - weak.loss_of_revenue:,}</b>" in html
    assert _m(rows[-1]["loss_of_revenue"]) == total - weak.loss_of_revenue
    assert "To verify (counted in no total)" in html and weak.title in html


def test_the_money_sentence_is_rendered_from_the_record_in_the_report_the_draft_and_the_summary(outputs):
    from html import escape

    from appraiser.audit.revenue import describe

    html = outputs["report"]["html"].read_text(encoding="utf-8")
    drafted = "\n".join(Path(paths["md"]).read_text(encoding="utf-8") for _, paths in outputs["drafts"].values())
    for fid, (f, rec) in _records(outputs).items():
        sentence = describe(rec)
        assert sentence.endswith(".") and f"{rec.loss_of_revenue:,}" in sentence or "no revenue effect" in sentence
        start = html.index(f'id="{fid}"')
        assert escape(sentence) in html[start:html.index("<h4>Evidence</h4>", start)]
        if f.loss_of_revenue:
            assert sentence in drafted
    for f in outputs["findings"]:
        if f.revenue is not None and f.revenue.lines and f.revenue.lines[0].value_change:
            ln = f.revenue.lines[0]
            assert f"{abs(ln.value_change):,.2f}" in describe(f.revenue)
