"""The audit report: one self-contained HTML file (no network resources; evidence crops embedded as PNG data)
and the loss-of-revenue schedule as XLSX and CSV, one row per finding and affected entry line.

Every figure renders from the findings' revenue records through the schedule model (``audit/schedule.py``); the
XLSX and CSV writers are ``audit/writers.py``. Everything taken from documents is hostile input and is escaped.
Dismissed findings contribute nothing: the report says only how many were left out. To-verify findings are listed
with what to check, and counted in no total.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from html import escape
from pathlib import Path

from ..models.fold import path_of, path_text
from ..models.records import Entry, Evidence, Finding, Revenue, q2
from . import schedule as model
from .revenue import describe
from .writers import SCHEDULE_COLUMNS, schedule_records  # noqa: F401 (the schedule's columns are this module's API)
from .writers import write_schedule as _write_schedule

ZERO = Decimal("0.00")
CROP_DPI = 110


@dataclass
class Totals:
    count: int = 0
    value: Decimal = ZERO
    duty: Decimal = ZERO
    fees: Decimal = ZERO
    loss: Decimal = ZERO

    def add(self, rec: Revenue) -> None:
        self.count += 1
        self.value += rec.value_delta
        self.duty += rec.duty_delta
        self.fees += rec.fees_delta
        self.loss += rec.loss_of_revenue


@dataclass
class ReportData:
    findings: list[Finding]
    dismissed: list[Finding]
    entries: dict[str, Entry]
    entry_loss: dict[str, tuple[Decimal, bool]]  # entry -> (loss, counted once)
    by_importer: dict[str, Totals] = field(default_factory=dict)
    by_entry: dict[str, Totals] = field(default_factory=dict)
    by_code: dict[str, Totals] = field(default_factory=dict)
    root: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (document path, warning)
    to_verify: list[Finding] = field(default_factory=list)  # the evidence gate's items: in no total
    rule_errors: list = field(default_factory=list)  # rules that failed (RuleError): their findings are missing
    schedule: model.Schedule | None = None
    exposures: list = field(default_factory=list)  # 19 U.S.C. 1592(c) exposure per importer (audit/penalty.py)

    @property
    def total_loss(self) -> Decimal:
        return q2(sum((v for v, _ in self.entry_loss.values()), ZERO))


def collect(store, root: str | None = None, tender_date: date | None = None) -> ReportData:
    findings = store.findings()
    live = [f for f in findings if model.countable(f, model.STANDING)]
    entries = {e.entry_number: e for e in store.entries()}
    saved = model.saved_totals(store)
    data = ReportData(live, [f for f in findings if f.status == "dismissed"], entries, {},
                      root=root or store.last_root(), warnings=store.warnings(), rule_errors=store.rule_errors(),
                      to_verify=[f for f in findings if f.status == "to_verify"])
    data.schedule = model.build(live, entries, saved, statuses=model.STANDING, tender=tender_date)
    data.exposures = model.exposures(data.schedule, entries)
    for f in live:
        e = entries.get(f.entry_number)
        rec = model.record(f, e)
        importer = e.header.get("importer") if e else None
        name = getattr(importer, "name", None) or "importer not stated"
        data.by_importer.setdefault(name, Totals()).add(rec)
        data.by_entry.setdefault(f.entry_number, Totals()).add(rec)
        data.by_code.setdefault(f.code, Totals()).add(rec)
    for number, t in data.schedule.entry_totals.items():
        data.entry_loss[number] = (t.loss, bool(t.counted_once) or t.loss != q2(data.by_entry[number].loss))
    return data


# --- evidence crops ---------------------------------------------------------------------------------------

class Crops:
    """Page images rendered once each, cropped around evidence boxes, as PNG data URIs."""

    def __init__(self, root: str | None) -> None:
        self.root = Path(root) if root else None
        self.pages: dict[tuple[str, int], object] = {}

    def page(self, path: str, page: int):
        key = (path, page)
        if key not in self.pages:
            self.pages[key] = self._render(path, page)
        return self.pages[key]

    def _render(self, path: str, page: int):
        from ..extract.load import _ImageRender, _PdfRender, image_dpi

        if self.root is None:
            return "the scanned folder is not known"
        file = self.root / path_of(path)
        if not file.is_file():
            return f"{path} is no longer in {path_text(str(self.root))}"
        try:
            if file.suffix.lower() == ".pdf":
                return _PdfRender(str(file), page - 1)(CROP_DPI)
            from PIL import Image

            with Image.open(file) as im:
                dpi = image_dpi(im.info)
            return _ImageRender(str(file), page - 1, dpi)(CROP_DPI)
        except Exception as exc:  # a file that no longer renders: say so, never fail the report
            return f"page {page} of {path} cannot be rendered ({type(exc).__name__})"

    def crop(self, ev: Evidence) -> tuple[str | None, str]:
        """(data URI or None, a note on what is shown)."""
        from PIL import ImageDraw

        if not ev.page:
            return None, "no page recorded"
        img = self.page(ev.path, ev.page)
        if isinstance(img, str):
            return None, img
        img = img.copy()
        scale = CROP_DPI / 72
        if ev.bbox:
            x0, y0, x1, y1 = (c * scale for c in ev.bbox)
            draw = ImageDraw.Draw(img)
            draw.rectangle([x0 - 3, y0 - 3, x1 + 3, y1 + 3], outline=(220, 30, 30), width=3)
            pad = 60
            box = (max(0, int(x0 - pad * 3)), max(0, int(y0 - pad)), min(img.width, int(x1 + pad * 3)),
                   min(img.height, int(y1 + pad)))
            img = img.crop(box)
            note = f"page {ev.page}, the box highlighted"
        else:
            note = f"page {ev.page} (no box recorded: the whole page)"
        if img.width > 900:
            img = img.resize((900, max(1, round(img.height * 900 / img.width))))
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=True)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), note


# --- HTML -------------------------------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.finding{border:1px solid #bbb;border-radius:6px;padding:1em;margin:1em 0}.high{border-left:6px solid #c0392b}
.medium{border-left:6px solid #e67e22}.low{border-left:6px solid #7f8c8d}.meta{color:#555;font-size:.9em}
.ev img{max-width:100%;border:1px solid #999;margin:.3em 0}ol.arith{font-family:ui-monospace,monospace;font-size:.9em}
.dismissed{color:#666}
"""


def _money(x: Decimal) -> str:
    return f"{q2(x):,}"


def _totals_table(title: str, key_label: str, rows: dict[str, Totals], loss_of=None) -> list[str]:
    out = [f"<h2>{escape(title)}</h2>", "<table><tr>"
           f"<th>{escape(key_label)}</th><th>findings</th><th>value delta</th><th>duty</th><th>fees</th>"
           "<th>loss of revenue (USD)</th></tr>"]
    for k in sorted(rows):
        t = rows[k]
        loss = loss_of(k) if loss_of else (q2(t.loss), False)
        out.append(f"<tr><td>{escape(k)}</td><td class=n>{t.count}</td><td class=n>{_money(t.value)}</td>"
                   f"<td class=n>{_money(t.duty)}</td><td class=n>{_money(t.fees)}</td>"
                   f"<td class=n>{_money(loss[0])}{' *' if loss[1] else ''}</td></tr>")
    out.append("</table>")
    return out


def _opt(x: Decimal | None) -> str:
    return "—" if x is None else _money(x)


def _money_html(f: Finding, rec: Revenue) -> list[str]:
    """The finding's money, from its revenue record: per line the value change and the rates with duty before and
    after; MPF and HMF before and after; the totals; the Section 232 readings."""
    out = [f'<p class="money">value {_money(rec.value_delta)} · duty {_money(rec.duty_delta)} · fees '
           f"{_money(rec.fees_delta)} · loss of revenue {_money(rec.loss_of_revenue)}"
           + (" (rate unknown)" if rec.rate_unknown else "") + "</p>"]
    if rec.lines:
        out.append('<table class="money-lines"><tr><th>line</th><th>HTS</th><th>base</th><th>declared</th>'
                   "<th>change</th><th>corrected</th><th>rate</th><th>rate %</th><th>duty before</th>"
                   "<th>duty after</th><th>duty delta</th></tr>")
        for rl in rec.lines:
            rates = rl.rates or [None]
            for i, r in enumerate(rates):
                head = (f"<td>{rl.line_no if rl.line_no is not None else '—'}</td><td>{escape(rl.hts or '—')}</td>"
                        f"<td>{escape(rl.base)}</td><td class=n>{_opt(rl.value_before)}</td>"
                        f"<td class=n>{_money(rl.value_change)}</td><td class=n>{_opt(rl.value_after)}</td>"
                        if i == 0 else "<td></td>" * 6)
                if r is None:
                    tail = ("<td>unknown</td><td></td><td></td><td></td>" if rl.rate_unknown
                            else "<td>—</td><td></td><td></td><td></td>") + f"<td class=n>{_money(rl.duty_delta)}</td>"
                else:
                    tail = (f"<td>{escape(r.hts)}</td><td class=n>{r.rate.normalize():f}</td>"
                            f"<td class=n>{_money(r.duty_before)}</td><td class=n>{_money(r.duty_after)}</td>"
                            f"<td class=n>{_money(r.duty_delta)}</td>")
                out.append(f"<tr>{head}{tail}</tr>")
        out.append("</table>")
    out.append('<table class="money-fees"><tr><th>fee</th><th>before</th><th>after</th><th>delta</th></tr>'
               f"<tr><td>MPF</td><td class=n>{_money(rec.mpf_before)}</td><td class=n>{_money(rec.mpf_after)}</td>"
               f"<td class=n>{_money(rec.mpf_delta)}</td></tr>"
               f"<tr><td>HMF</td><td class=n>{_money(rec.hmf_before)}</td><td class=n>{_money(rec.hmf_after)}</td>"
               f"<td class=n>{_money(rec.hmf_delta)}</td></tr></table>")
    for r in rec.section232:
        out.append(f"<p class=meta>Section 232 content value, line {r.line_no}: (a) metal cost {_opt(r.metal_cost)}; "
                   f"(b) entered value {_opt(r.entered_value)} less non-metal {_opt(r.non_metal_value)} = "
                   f"{_opt(r.less_non_metal)}; declared {_money(r.declared_content)}; measured against "
                   f"{escape(r.measured_against or 'no reading')}: shortfall {_money(r.shortfall)}</p>")
    return out


def _finding_html(f: Finding, crops: Crops, rec: Revenue | None = None) -> list[str]:
    rec = rec if rec is not None else model.record(f, None)
    decided = (f" by {escape(f.reviewer or '')} at {escape(f.reviewed_at or '')}" if f.reviewer else "")
    out = [f'<div class="finding {escape(f.severity)}" id="{escape(f.id)}">',
           f"<h3>{escape(f.code)} · entry {escape(f.entry_number)}"
           + (f" line {f.line_no}" if f.line_no else "") + f" · USD {_money(rec.loss_of_revenue)}</h3>",
           f'<p class="meta">{escape(f.severity)} · {escape(f.status)}{decided}'
           + (f" · reason: {escape(f.reason)}" if f.reason else "") + f" · id {escape(f.id)} · confidence "
           f"{f.confidence:.2f}</p>",
           f"<p><b>{escape(f.title)}</b></p>", f"<p>{escape(f.explanation)}</p>",
           f'<p class="money"><b>Money:</b> {escape(describe(rec))}</p>',
           f"<p><b>Legal basis:</b> {escape(f.legal_basis)}</p>",
           *_money_html(f, rec),
           '<ol class="arith">' + "".join(f"<li>{escape(s)}</li>" for s in f.arithmetic) + "</ol>",
           "<h4>Evidence</h4>"]
    for ev in f.evidence:
        uri, note = crops.crop(ev)
        out.append('<div class="ev">' + f"<p>{escape(ev.path)}, {escape(note)}: “{escape(ev.text[:300])}”</p>"
                   + (f'<img alt="evidence crop" src="{uri}">' if uri else "") + "</div>")
    out.append("</div>")
    return out


def render_html(data: ReportData) -> str:
    crops = Crops(data.root)
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    shared = any(c for _, c in data.entry_loss.values())
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>appraiser audit report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Customs valuation audit report</h1>",
             f'<p class="meta">Written {escape(now)} from the documents in {escape(path_text(data.root) if data.root else "an unknown folder")}. '
             f"{len(data.findings)} findings stand (open or accepted), {len(data.dismissed)} dismissed. "
             f"Loss of revenue: <b>USD {_money(data.total_loss)}</b>.</p>"]
    if data.rule_errors:  # a defect of the tool: say so before any total
        parts.append(f'<h2 class="rule-errors">Rules that failed ({len(data.rule_errors)}): their findings are '
                     "missing and the totals are incomplete</h2><ul>")
        parts += [f"<li><b>{escape(e.code)}</b> on entry {escape(e.entry_number)}: {escape(e.error_type)}: "
                  f"{escape(e.message)}</li>" for e in data.rule_errors]
        parts.append("</ul>")
    parts += _totals_table("Totals by importer", "importer", data.by_importer)
    parts += _totals_table("Totals by entry", "entry", data.by_entry, lambda k: data.entry_loss[k])
    if shared:
        parts.append("<p class=meta>* money that two findings touch is counted once in the entry's total.</p>")
    parts += _totals_table("Totals by finding code", "code", data.by_code)
    parts += _money_section(data)
    parts.append("<h2>Findings</h2>")
    for f in sorted(data.findings, key=lambda f: (f.entry_number, f.code, f.line_no or 0)):
        parts += _finding_html(f, crops, model.record(f, data.entries.get(f.entry_number)))
    if data.to_verify:  # listed apart: what to check and where; counted in no total, never drafted
        parts.append("<h2>To verify (counted in no total)</h2><p class=meta>The values these rest on are too weak to assert them (a "
                     "possible misread, nothing to corroborate them): check each point, then accept or dismiss. "
                     "They are counted in no total.</p><ul>")
        for f in data.to_verify:
            checks = "".join(f"<li>{escape(w)}</li>" for w in f.verify)
            parts.append(f'<li id="{escape(f.id)}"><b>{escape(f.code)}</b> entry {escape(f.entry_number)}'
                         + (f" line {f.line_no}" if f.line_no else "") + f" ({escape(f.id)}): "
                         f"{escape(f.title)}<ul>{checks}</ul></li>")
        parts.append("</ul>")
    if data.warnings:  # e.g. an e-invoice's embedded XML and its printed page disagree
        parts.append("<h2>Document warnings</h2><ul>")
        parts += [f"<li><b>{escape(path)}</b>: {escape(w)}</li>" for path, w in data.warnings]
        parts.append("</ul>")
    if data.dismissed:  # a dismissed finding contributes nothing to any output: only its count is said
        parts.append(f'<p class="dismissed">{len(data.dismissed)} dismissed finding(s) are left out of this report '
                     "and its totals ('appraiser findings --status dismissed' lists them with their reasons).</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _money_section(data: ReportData) -> list[str]:
    """Interest per entry (19 U.S.C. 1505(c)) and the penalty exposure per importer (19 U.S.C. 1592(c))."""
    sched = data.schedule
    if sched is None or not sched.numbers:
        return []
    tender = sched.tender.isoformat() if sched.tender else "today"
    out = [f'<h2 id="interest">Interest to {escape(tender)} (19 U.S.C. 1505(c))</h2>',
           "<p class=meta>IRS underpayment rates (26 U.S.C. 6621) by quarter, compounded daily, on each entry's loss "
           "counted once, from the entry summary date (else the entry date). A period the rate table does not cover "
           "is stated, not estimated.</p>",
           "<table><tr><th>entry</th><th>from</th><th>computed to</th><th>days</th><th>loss</th><th>interest</th>"
           "<th>note</th></tr>"]
    for n in sched.numbers:
        ei = sched.interest.get(n)
        res = ei.result if ei is not None else None
        out.append(f"<tr><td>{escape(n)}</td><td>{escape(ei.deposit.isoformat() if ei and ei.deposit else '—')}</td>"
                   f"<td>{escape(res.computed_to.isoformat() if res and res.computed_to else '—')}</td>"
                   f"<td class=num>{res.days if res else '—'}</td>"
                   f"<td class=num>{_money(sched.entry_totals[n].loss)}</td>"
                   f"<td class=num>{_money(ei.amount if ei else ZERO)}</td>"
                   f"<td>{escape(ei.gap or '') if ei else ''}</td></tr>")
    out.append(f"<tr><th>Total</th><td></td><td></td><td></td><th class=num>{_money(sched.total)}</th>"
               f"<th class=num>{_money(sched.total_interest)}</th><td></td></tr></table>")
    out.append('<h2 id="penalty">Penalty exposure per importer (19 U.S.C. 1592(c))</h2>'
               "<p class=meta>Statutory maxima, stated for counsel, who chooses; the loss itself is due in every "
               "case.</p>")
    for x in data.exposures:
        out.append(f"<h3>{escape(x.importer)}</h3><p class=meta>Entries {escape(', '.join(x.entries))}; loss USD "
                   f"{_money(x.loss)}; interest USD {_money(x.interest)}; dutiable (entered) value USD "
                   f"{_money(x.dutiable_value)}.</p>"
                   "<table><tr><th>culpability</th><th>without a prior disclosure</th><th>basis</th>"
                   "<th>with a prior disclosure</th><th>basis</th></tr>")
        out += [f'<tr data-importer="{escape(x.importer)}" data-culpability="{escape(r.culpability)}">'
                f"<td>{escape(r.culpability)}</td><td class=num>{_money(r.without_disclosure)}</td>"
                f"<td>{escape(r.without_basis)}</td><td class=num>{_money(r.with_disclosure)}</td>"
                f"<td>{escape(r.with_basis)}</td></tr>" for r in x.rows]
        out.append("</table><ul>" + "".join(f"<li>{escape(t)}</li>" for t in x.notes) + "</ul>")
    return out


# --- the schedule -----------------------------------------------------------------------------------------

def schedule_rows(data: ReportData) -> list[dict]:
    """The schedule's rows (a row per finding and entry line, the entries' totals, the grand total)."""
    return schedule_records(data.schedule or model.build(data.findings, data.entries), data.entries)


def write_schedule(data: ReportData, out_dir: Path) -> dict[str, Path]:
    return _write_schedule(data.schedule or model.build(data.findings, data.entries), data.entries, out_dir)


def write_report(store, out_dir: Path | str, root: str | None = None,
                 tender_date: date | None = None) -> dict[str, Path]:
    """Write report.html, schedule.xlsx and schedule.csv into ``out_dir``; returns their paths. Interest runs to
    ``tender_date`` (default: today)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = collect(store, root, tender_date)
    html_path = out / "report.html"
    html_path.write_text(render_html(data), encoding="utf-8")
    return {"html": html_path, **write_schedule(data, out)}
