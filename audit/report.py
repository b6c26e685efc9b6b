"""The audit report: one self-contained HTML file (no network resources; evidence crops embedded as PNG data)
and the loss-of-revenue schedule as XLSX and CSV, one row per affected entry line.

Everything taken from documents is hostile input and is escaped. Dismissed findings contribute nothing: the report
says only how many were left out.
"""
from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from html import escape
from pathlib import Path

from ..models.records import Entry, Evidence, Finding, q2
from . import revenue

ZERO = Decimal("0.00")
CROP_DPI = 110
SCHEDULE_COLUMNS = [
    "entry_number", "entry_date", "summary_date", "port_code", "line_no", "hts", "declared_value", "value_delta",
    "corrected_value", "duty_rates_percent", "duty_declared", "duty_delta", "duty_corrected", "mpf_declared",
    "mpf_corrected", "hmf_declared", "hmf_corrected", "fees_delta", "loss_of_revenue", "finding_codes", "finding_ids",
    "statuses",
]


@dataclass
class Totals:
    count: int = 0
    value: Decimal = ZERO
    duty: Decimal = ZERO
    fees: Decimal = ZERO
    loss: Decimal = ZERO

    def add(self, f: Finding) -> None:
        self.count += 1
        self.value += f.value_delta
        self.duty += f.duty_delta
        self.fees += f.fees_delta
        self.loss += f.loss_of_revenue


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

    @property
    def total_loss(self) -> Decimal:
        return q2(sum((v for v, _ in self.entry_loss.values()), ZERO))


def collect(store, root: str | None = None) -> ReportData:
    findings = store.findings()
    live = [f for f in findings if f.counted]
    entries = {e.entry_number: e for e in store.entries()}
    saved = json.loads(store.meta("entry_totals") or "{}")
    data = ReportData(live, [f for f in findings if f.status == "dismissed"], entries, {},
                      root=root or store.last_root(), warnings=store.warnings(), rule_errors=store.rule_errors(),
                      to_verify=[f for f in findings if f.status == "to_verify"])
    for f in live:
        e = entries.get(f.entry_number)
        importer = e.header.get("importer") if e else None
        name = getattr(importer, "name", None) or "importer not stated"
        data.by_importer.setdefault(name, Totals()).add(f)
        data.by_entry.setdefault(f.entry_number, Totals()).add(f)
        data.by_code.setdefault(f.code, Totals()).add(f)
    for number, t in data.by_entry.items():
        ids = sorted(f.id for f in live if f.entry_number == number)
        s = saved.get(number)
        if s and s.get("finding_ids") == ids:  # the audit's total still holds: nothing of it was dismissed
            data.entry_loss[number] = (Decimal(s["loss_of_revenue"]), bool(s.get("counted_once")))
        else:
            data.entry_loss[number] = (q2(t.loss), False)
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
        file = self.root / path
        if not file.is_file():
            return f"{path} is no longer in {self.root}"
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


def _finding_html(f: Finding, crops: Crops) -> list[str]:
    decided = (f" by {escape(f.reviewer or '')} at {escape(f.reviewed_at or '')}" if f.reviewer else "")
    out = [f'<div class="finding {escape(f.severity)}" id="{escape(f.id)}">',
           f"<h3>{escape(f.code)} · entry {escape(f.entry_number)}"
           + (f" line {f.line_no}" if f.line_no else "") + f" · USD {_money(f.loss_of_revenue)}</h3>",
           f'<p class="meta">{escape(f.severity)} · {escape(f.status)}{decided}'
           + (f" · reason: {escape(f.reason)}" if f.reason else "") + f" · id {escape(f.id)} · confidence "
           f"{f.confidence:.2f}</p>",
           f"<p><b>{escape(f.title)}</b></p>", f"<p>{escape(f.explanation)}</p>",
           f"<p><b>Legal basis:</b> {escape(f.legal_basis)}</p>",
           f"<p>value {_money(f.value_delta)} · duty {_money(f.duty_delta)} · fees {_money(f.fees_delta)} · "
           f"loss of revenue {_money(f.loss_of_revenue)}" + (" (rate unknown)" if f.rate_unknown else "") + "</p>",
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
             f'<p class="meta">Written {escape(now)} from the documents in {escape(data.root or "an unknown folder")}. '
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
    parts.append("<h2>Findings</h2>")
    for f in sorted(data.findings, key=lambda f: (f.entry_number, f.code, f.line_no or 0)):
        parts += _finding_html(f, crops)
    if data.to_verify:  # listed apart: what to check and where; counted in no total, never drafted
        parts.append("<h2>To verify</h2><p class=meta>The values these rest on are too weak to assert them (a "
                     "possible misread, nothing to corroborate them): check each point, then accept or dismiss. "
                     "They are counted in no total.</p><ul>")
        for f in data.to_verify:
            checks = "".join(f"<li>{escape(w)}</li>" for w in f.verify)
            parts.append(f"<li><b>{escape(f.code)}</b> entry {escape(f.entry_number)} ({escape(f.id)}): "
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


# --- the schedule -----------------------------------------------------------------------------------------

def schedule_rows(data: ReportData) -> list[dict]:
    rows = []
    by_line: dict[tuple[str, int | None], list[Finding]] = {}
    for f in data.findings:
        by_line.setdefault((f.entry_number, f.line_no), []).append(f)
    first_of_entry: set[str] = set()
    for (number, line_no), fs in sorted(by_line.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        e = data.entries.get(number)
        line = next((ln for ln in (e.lines if e else []) if ln.line_no == line_no), None)
        h = e.header if e else None
        declared = line.get("entered_value") if line is not None else None
        value = q2(sum((f.value_delta for f in fs), ZERO))
        duty = q2(sum((f.duty_delta for f in fs), ZERO))
        fees = q2(sum((f.fees_delta for f in fs), ZERO))
        rates = revenue.line_rates(line) if line is not None else None
        duty_decl = line.get("duty") if line is not None else None
        first = number not in first_of_entry
        first_of_entry.add(number)
        fees_after = _fees_after(e, [f for f in data.findings if f.entry_number == number]) if (first and e) else (None, None)
        rows.append({
            "entry_number": number, "entry_date": h.get("entry_date") if h is not None else None,
            "summary_date": h.get("summary_date") if h is not None else None, "port_code": h.get("port_code") if h is not None else None,
            "line_no": line_no, "hts": line.get("hts") if line is not None else None,
            "declared_value": declared, "value_delta": value,
            "corrected_value": q2(declared + value) if isinstance(declared, Decimal) else None,
            "duty_rates_percent": " + ".join(f"{r.normalize():f}" for r in rates) if rates else None,
            "duty_declared": duty_decl, "duty_delta": duty,
            "duty_corrected": q2(duty_decl + duty) if isinstance(duty_decl, Decimal) else None,
            "mpf_declared": h.get("mpf") if (h is not None and first) else None,
            "mpf_corrected": fees_after[0] if first and e is not None else None,
            "hmf_declared": h.get("hmf") if (h is not None and first) else None,
            "hmf_corrected": fees_after[1] if first and e is not None else None,
            "fees_delta": fees, "loss_of_revenue": q2(sum((f.loss_of_revenue for f in fs), ZERO)),
            "finding_codes": ", ".join(f.code for f in fs), "finding_ids": ", ".join(f.id for f in fs),
            "statuses": ", ".join(f.status for f in fs),
        })
    return rows


def _fees_after(entry: Entry, findings: list[Finding]) -> tuple[Decimal | None, Decimal | None]:
    """MPF and HMF on the corrected entry: the fee base moves by the value the fee-bearing findings add (a Section
    232 shortfall adds duty on value already entered and moves no fee); MPF within the fiscal year's limits."""
    rc = revenue.context_of(entry)
    if not any(f.fees_delta != 0 for f in findings):
        h = entry.header
        return h.get("mpf"), h.get("hmf")
    # a failed preference makes entered value MPF-due without adding value; the others add value
    moved = sum((f.value_delta for f in findings if f.fees_delta != 0 and f.code != "FTA_CLAIM_UNSUPPORTED"), ZERO)
    newly_due = sum((f.value_delta for f in findings if f.code == "FTA_CLAIM_UNSUPPORTED"), ZERO)
    mpf_after = revenue.mpf(rc.total_entered_value - rc.mpf_exempt_value + moved + newly_due, rc.entry_date)
    hmf_after = revenue.hmf(rc.total_entered_value + moved, rc.mode_of_transport) \
        if rc.mode_of_transport in revenue.VESSEL_MODES else None
    return mpf_after, hmf_after


def _totals_row(rows: list[dict]) -> dict:
    t = {c: None for c in SCHEDULE_COLUMNS}
    t["entry_number"] = "TOTAL (per finding)"
    for c in ("value_delta", "duty_delta", "fees_delta", "loss_of_revenue"):
        t[c] = q2(sum((r[c] for r in rows if isinstance(r[c], Decimal)), ZERO))
    return t


def write_schedule(data: ReportData, out_dir: Path) -> dict[str, Path]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = schedule_rows(data)
    total = _totals_row(rows)
    csv_path, xlsx_path = out_dir / "schedule.csv", out_dir / "schedule.xlsx"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=SCHEDULE_COLUMNS)
        w.writeheader()
        for r in rows + [total]:
            w.writerow({k: ("" if v is None else format(v, "f") if isinstance(v, Decimal) else v) for k, v in r.items()})
    wb = Workbook()
    ws = wb.active
    ws.title = "Loss of revenue"
    ws.append(SCHEDULE_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows + [total]:
        ws.append([r[c] for c in SCHEDULE_COLUMNS])  # Decimals are written as exact numbers
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, (Decimal, float, int)) and cell.column_letter not in ("E",):
                cell.number_format = "#,##0.00"
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    wb.save(xlsx_path)
    return {"csv": csv_path, "xlsx": xlsx_path}


def write_report(store, out_dir: Path | str, root: str | None = None) -> dict[str, Path]:
    """Write report.html, schedule.xlsx and schedule.csv into ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = collect(store, root)
    html_path = out / "report.html"
    html_path.write_text(render_html(data), encoding="utf-8")
    return {"html": html_path, **write_schedule(data, out)}
