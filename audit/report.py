"""The audit report: one self-contained HTML file (no network resources; evidence crops embedded as PNG data)
and the loss-of-revenue schedule as XLSX and CSV, one row per finding and affected entry line.

Every figure renders from the findings' revenue records through the schedule model (``audit/schedule.py``); the
XLSX and CSV writers are ``audit/writers.py``. Everything taken from documents is hostile input and is escaped.
Dismissed findings contribute nothing: the report says only how many were left out. To-verify findings are listed
with what to check, and counted in no total. Each finding shows its decisions as they were taken (the store's
append-only history).

The page is navigable with scripts off: a table of contents links the totals, each importer, each entry and each
finding (findings are grouped by importer, then entry). Filters by importer, code, status and entry are a progressive
enhancement: one small inline script, allowed by the page's Content-Security-Policy through its hash (no other
script, and nothing fetched from anywhere, can run), shows the filter form and hides what does not match; it reads
the same filters from the address (``report.html?code=ASSIST_UNDECLARED&status=open``).
"""
from __future__ import annotations

import base64
import hashlib
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
from .overpaid import refund_of, refunds, refunds_total
from .writers import write_refunds
from .writers import write_schedule as _write_schedule

ZERO = Decimal("0.00")
NO_IMPORTER = "importer not stated"
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
    importer_of: dict[str, str] = field(default_factory=dict)  # entry number -> importer name
    # finding id -> its decisions (store.HistoryEntry), oldest first
    history: dict[str, list] = field(default_factory=dict)
    refunds: list = field(default_factory=list)  # overpayments (audit/overpaid.py Refund): in no loss total

    @property
    def total_loss(self) -> Decimal:
        return q2(sum((v for v, _ in self.entry_loss.values()), ZERO))


def collect(store, root: str | None = None, tender_date: date | None = None, rates=None) -> ReportData:
    findings = store.findings()
    live = [f for f in findings if model.countable(f, model.STANDING)]
    entries = {e.entry_number: e for e in store.entries()}
    saved = model.saved_totals(store)
    data = ReportData(live, [f for f in findings if f.status == "dismissed"], entries, {},
                      root=root or store.last_root(), warnings=store.warnings(), rule_errors=store.rule_errors(),
                      to_verify=[f for f in findings if f.status == "to_verify"])
    data.history = store.history(f.id for f in live + data.to_verify)
    data.schedule = model.build(live, entries, saved, statuses=model.STANDING, tender=tender_date, rates=rates)
    data.exposures = model.exposures(data.schedule, entries)
    data.refunds = refunds(live, entries, tender_date)
    for f in live:
        if f.direction == "overpaid":  # a refund due is in the refunds section, never in a loss total
            continue
        e = entries.get(f.entry_number)
        rec = model.record(f, e)
        importer = e.header.get("importer") if e else None
        name = getattr(importer, "name", None) or NO_IMPORTER
        data.importer_of[f.entry_number] = name
        data.by_importer.setdefault(name, Totals()).add(rec)
        data.by_entry.setdefault(f.entry_number, Totals()).add(rec)
        data.by_code.setdefault(f.code, Totals()).add(rec)
    for number, t in data.schedule.entry_totals.items():
        data.entry_loss[number] = (t.loss, bool(t.counted_once)
                                   or t.loss != q2(data.by_entry.get(number, Totals()).loss))
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
.dismissed{color:#666}[hidden]{display:none!important}nav.toc ul{margin:.2em 0;padding-left:1.4em}
ol.history{font-size:.9em;color:#333}#filters{background:#f4f4f4;padding:.6em;border-radius:6px}
#filters label{margin-right:1em}
"""

# The filters (a progressive enhancement): the form is hidden until this script shows it; items carry their
# importer, code, status and entry as data attributes; a group (importer, entry) with nothing left shown is hidden.
_FILTER_SCRIPT = """(function () {
  var form = document.getElementById("filters");
  if (!form) return;
  var keys = ["importer", "code", "status", "entry"];
  var params = new URLSearchParams(window.location.search);
  keys.forEach(function (k) {
    var v = params.get(k), select = form.elements[k];
    if (v === null || v === "") return;
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === v; })) {
      var none = document.createElement("option");  // asked for, but in no item of this report: it matches none
      none.value = v;
      none.textContent = v + " (none here)";
      select.appendChild(none);
    }
    select.value = v;
  });
  function apply() {
    var items = document.querySelectorAll(".filterable"), shown = 0;
    items.forEach(function (el) {
      var ok = keys.every(function (k) { var v = form.elements[k].value; return !v || el.dataset[k] === v; });
      el.hidden = !ok;
      if (ok) shown += 1;
    });
    document.querySelectorAll(".group").forEach(function (g) {
      g.hidden = !g.querySelector(".filterable:not([hidden])");
    });
    document.getElementById("filter-count").textContent = shown + " of " + items.length + " shown";
  }
  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
})();"""
_FILTER_KEYS = ("importer", "code", "status", "entry")


def _csp() -> str:
    """The page's policy: nothing fetched from anywhere, images only as embedded data, styles inline, and no script
    but the filter script (by its hash)."""
    digest = base64.b64encode(hashlib.sha256(_FILTER_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
            "base-uri 'none'; form-action 'none'")


class Anchors:
    """Fragment ids for the table of contents: readable (``entry-d4k-0104547-1``), made of letters, digits and
    dashes whatever the name, and unique within the page."""

    def __init__(self, taken: set[str] = frozenset()) -> None:
        self.given: dict[tuple[str, str], str] = {}
        self.used: set[str] = set(taken)

    def __call__(self, kind: str, key: str) -> str:
        if (kind, key) not in self.given:
            plain = "".join(c if c.isascii() and c.isalnum() else "-" for c in key.lower())
            base = f"{kind}-" + ("-".join(part for part in plain.split("-") if part) or "unnamed")
            anchor, n = base, 1
            while anchor in self.used:
                n += 1
                anchor = f"{base}-{n}"
            self.used.add(anchor)
            self.given[(kind, key)] = anchor
        return self.given[(kind, key)]



def _money(x: Decimal) -> str:
    return f"{q2(x):,}"


def _totals_table(title: str, key_label: str, rows: dict[str, Totals], loss_of=None, anchor: str = "",
                  link=None) -> list[str]:
    out = [f'<h2 id="{anchor}">{escape(title)}</h2>' if anchor else f"<h2>{escape(title)}</h2>", "<table><tr>"
           f"<th>{escape(key_label)}</th><th>findings</th><th>value delta</th><th>duty</th><th>fees</th>"
           "<th>loss of revenue (USD)</th></tr>"]
    for k in sorted(rows):
        t = rows[k]
        loss = loss_of(k) if loss_of else (q2(t.loss), False)
        name = f'<a href="#{link(k)}">{escape(k)}</a>' if link else escape(k)
        out.append(f"<tr><td>{name}</td><td class=n>{t.count}</td><td class=n>{_money(t.value)}</td>"
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


def _filter_attrs(f: Finding, importer: str) -> str:
    """The data attributes the filters read: importer, code, status, entry (escaped, quotes included)."""
    values = {"importer": importer, "code": f.code, "status": f.status, "entry": f.entry_number}
    return " ".join(f'data-{k}="{escape(values[k])}"' for k in _FILTER_KEYS)


def _history_html(entries) -> list[str]:
    """The finding's decisions as they were taken, oldest first (the store's append-only history)."""
    if not entries:
        return ['<p class="meta history">Decisions: none taken yet.</p>']
    return ['<p class="meta"><b>Decisions</b> (oldest first; the last stands):</p><ol class="history">',
            *[f"<li>{escape(h.line())}</li>" for h in entries], "</ol>"]


def _finding_html(f: Finding, crops: Crops, rec: Revenue | None = None, importer: str = NO_IMPORTER,
                  history=()) -> list[str]:
    rec = rec if rec is not None else model.record(f, None)
    decided = (f" by {escape(f.reviewer or '')} at {escape(f.reviewed_at or '')}" if f.reviewer else "")
    out = [f'<div class="finding filterable {escape(f.severity)}" id="{escape(f.id)}" {_filter_attrs(f, importer)}>',
           f"<h3>{escape(f.code)} · entry {escape(f.entry_number)}"
           + (f" line {f.line_no}" if f.line_no else "")
           + (f" · refund USD {_money(refund_of(f))}</h3>" if f.direction == "overpaid"
              else f" · USD {_money(rec.loss_of_revenue)}</h3>"),
           f'<p class="meta">{escape(f.severity)} · {escape(f.status)}{decided}'
           + (f" · reason: {escape(f.reason)}" if f.reason else "") + f" · id {escape(f.id)} · confidence "
           f"{f.confidence:.2f}</p>",
           f"<p><b>{escape(f.title)}</b></p>", f"<p>{escape(f.explanation)}</p>",
           f'<p class="money"><b>Money:</b> {escape(describe(rec))}</p>',
           f"<p><b>Legal basis:</b> {escape(f.legal_basis)}</p>",
           *_money_html(f, rec),
           '<ol class="arith">' + "".join(f"<li>{escape(s)}</li>" for s in f.arithmetic) + "</ol>",
           *_history_html(history),
           "<h4>Evidence</h4>"]
    for ev in f.evidence:
        uri, note = crops.crop(ev)
        out.append('<div class="ev">' + f"<p>{escape(ev.path)}, {escape(note)}: “{escape(ev.text[:300])}”</p>"
                   + (f'<img alt="evidence crop" src="{uri}">' if uri else "") + "</div>")
    out.append("</div>")
    return out


def _importer(data: ReportData, entry_number: str) -> str:
    if entry_number in data.importer_of:
        return data.importer_of[entry_number]
    e = data.entries.get(entry_number)
    importer = e.header.get("importer") if e else None
    return getattr(importer, "name", None) or NO_IMPORTER


def _grouped(data: ReportData) -> dict[str, dict[str, list[Finding]]]:
    """The standing findings by importer, then entry (both sorted), each entry's by code and line."""
    out: dict[str, dict[str, list[Finding]]] = {}
    for f in sorted(data.findings, key=lambda f: (f.entry_number, f.code, f.line_no or 0)):
        out.setdefault(_importer(data, f.entry_number), {}).setdefault(f.entry_number, []).append(f)
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def _contents(data: ReportData, groups: dict[str, dict[str, list[Finding]]], anchor: Anchors) -> list[str]:
    """The table of contents: the totals, each importer, each of its entries, each finding; what follows them."""
    out = ['<nav class="toc" id="contents"><h2>Contents</h2><ul>']
    if data.rule_errors:
        out.append('<li><a href="#rule-errors">Rules that failed</a></li>')
    out.append('<li><a href="#totals">Totals</a><ul><li><a href="#totals-importer">by importer</a></li>'
               '<li><a href="#totals-entry">by entry</a></li><li><a href="#totals-code">by finding code</a></li>'
               "</ul></li>")
    out.append('<li><a href="#findings">Findings</a>' + ("<ul>" if groups else ""))
    for importer, entries in groups.items():
        out.append(f'<li><a href="#{anchor("importer", importer)}">{escape(importer)}</a><ul>')
        for number, items in entries.items():
            out.append(f'<li><a href="#{anchor("entry", number)}">entry {escape(number)}</a><ul>')
            out += [f'<li><a href="#{escape(f.id)}">{escape(f.code)}' + (f" line {f.line_no}" if f.line_no else "")
                    + f" · {escape(f.status)} · USD {_money(f.loss_of_revenue)}</a></li>" for f in items]
            out.append("</ul></li>")
        out.append("</ul></li>")
    out.append(("</ul>" if groups else "") + "</li>")
    if data.to_verify:
        out.append('<li><a href="#to-verify">To verify</a><ul>')
        out += [f'<li><a href="#{escape(f.id)}">{escape(f.code)} · entry {escape(f.entry_number)}</a></li>'
                for f in data.to_verify]
        out.append("</ul></li>")
    if data.warnings:
        out.append('<li><a href="#warnings">Document warnings</a></li>')
    out.append("</ul></nav>")
    return out


def _filters(data: ReportData) -> list[str]:
    """The filter form, hidden until the script shows it (with scripts off the contents and anchors serve)."""
    items = data.findings + data.to_verify
    choices = {"importer": sorted({_importer(data, f.entry_number) for f in items}),
               "code": sorted({f.code for f in items}), "status": sorted({f.status for f in items}),
               "entry": sorted({f.entry_number for f in items})}
    out = ['<form id="filters" hidden><b>Filter:</b> ']
    for key in _FILTER_KEYS:
        options = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in choices[key])
        out.append(f'<label>{key} <select name="{key}"><option value="">all</option>{options}</select></label>')
    out.append('<button type="reset">show all</button> <span id="filter-count" class="meta"></span></form>')
    return ["".join(out)]


def render_html(data: ReportData) -> str:
    crops = Crops(data.root)
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    shared = any(c for _, c in data.entry_loss.values())
    groups = _grouped(data)
    fixed = {"contents", "rule-errors", "totals", "totals-importer", "totals-entry", "totals-code", "findings",
             "to-verify", "warnings", "filters", "filter-count", "refunds"}
    anchor = Anchors(fixed | {f.id for f in data.findings + data.to_verify})
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">',
             "<title>appraiser audit report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Customs valuation audit report</h1>",
             f'<p class="meta">Written {escape(now)} from the documents in {escape(path_text(data.root) if data.root else "an unknown folder")}. '
             f"{len(data.findings)} findings stand (open or accepted), {len(data.dismissed)} dismissed. "
             f"Loss of revenue: <b>USD {_money(data.total_loss)}</b>"
             + (f" — <b class=incomplete>{escape(_gaps(data).loss_note())}</b>" if _gaps(data).unknown_rate else "")
             + ".</p>"]
    parts += _contents(data, groups, anchor)
    if data.rule_errors:  # a defect of the tool: say so before any total
        parts.append(f'<h2 class="rule-errors" id="rule-errors">Rules that failed ({len(data.rule_errors)}): their '
                     "findings are missing and the totals are incomplete</h2><ul>")
        parts += [f"<li><b>{escape(e.code)}</b> on entry {escape(e.entry_number)}: {escape(e.error_type)}: "
                  f"{escape(e.message)}</li>" for e in data.rule_errors]
        parts.append("</ul>")
    parts.append('<section id="totals">')
    parts += _totals_table("Totals by importer", "importer", data.by_importer, anchor="totals-importer",
                           link=lambda k: anchor("importer", k))
    parts += _totals_table("Totals by entry", "entry", data.by_entry, lambda k: data.entry_loss[k],
                           anchor="totals-entry", link=lambda k: anchor("entry", k))
    if shared:
        parts.append("<p class=meta>* money that two findings touch is counted once in the entry's total.</p>")
    parts += _totals_table("Totals by finding code", "code", data.by_code, anchor="totals-code")
    parts += _money_section(data)
    parts += _refunds_section(data)
    parts.append("</section>")
    parts.append('<h2 id="findings">Findings</h2>')
    parts += _filters(data)
    for importer, entries in groups.items():
        parts.append(f'<section class="group importer" id="{anchor("importer", importer)}"><h2>Importer: '
                     f"{escape(importer)}</h2>")
        for number, items in entries.items():
            parts.append(f'<section class="group entry" id="{anchor("entry", number)}"><h3>Entry {escape(number)}'
                         f"</h3>")
            for f in items:
                parts += _finding_html(f, crops, model.record(f, data.entries.get(number)), importer,
                                       data.history.get(f.id, []))
            parts.append('<p class="meta"><a href="#contents">back to the contents</a></p></section>')
        parts.append("</section>")
    if data.to_verify:  # listed apart: what to check and where; counted in no total, never drafted
        parts.append('<section class="group" id="to-verify"><h2>To verify (counted in no total)</h2>'
                     "<p class=meta>The values these rest on are too weak to assert them (a possible misread, "
                     "nothing to corroborate them): check each point, then accept or dismiss. "
                     "They are counted in no total.</p><ul>")
        for f in data.to_verify:
            checks = "".join(f"<li>{escape(w)}</li>" for w in f.verify)
            decisions = "".join(_history_html(data.history.get(f.id, []))) if data.history.get(f.id) else ""
            attrs = _filter_attrs(f, _importer(data, f.entry_number))
            parts.append(f'<li class="filterable" id="{escape(f.id)}" {attrs}>'
                         f"<b>{escape(f.code)}</b> entry {escape(f.entry_number)}"
                         + (f" line {f.line_no}" if f.line_no else "") + f" ({escape(f.id)}): "
                         f"{escape(f.title)}<ul>{checks}</ul>{decisions}</li>")
        parts.append("</ul></section>")
    if data.warnings:  # e.g. an e-invoice's embedded XML and its printed page disagree
        parts.append('<section id="warnings"><h2>Document warnings</h2><ul>')
        parts += [f"<li><b>{escape(path)}</b>: {escape(w)}</li>" for path, w in data.warnings]
        parts.append("</ul></section>")
    if data.dismissed:  # a dismissed finding contributes nothing to any output: only its count is said
        parts.append(f'<p class="dismissed">{len(data.dismissed)} dismissed finding(s) are left out of this report '
                     "and its totals ('appraiser findings --status dismissed --history' lists them with their "
                     "reasons and decisions).</p>")
    parts.append(f"<script>{_FILTER_SCRIPT}</script>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _gaps(data: ReportData):
    """What the report's totals leave out (a finding's unknown duty rate, an entry's interest not in full)."""
    from .completeness import gaps

    return gaps(data.findings, data.schedule.interest if data.schedule is not None else None)


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
               f"<th class=num>{_money(sched.total_interest)}</th>"
               f"<td>{escape(_gaps(data).interest_note())}</td></tr></table>")
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
        out.append("</table><ul>" + "".join(f"<li>{escape(t)}</li>" for t in x.caveats) + "</ul>")
    return out


# --- the schedule -----------------------------------------------------------------------------------------

def schedule_rows(data: ReportData) -> list[dict]:
    """The schedule's rows (a row per finding and entry line, the entries' totals, the grand total)."""
    return schedule_records(data.schedule or model.build(data.findings, data.entries), data.entries)


def write_schedule(data: ReportData, out_dir: Path) -> dict[str, Path]:
    return _write_schedule(data.schedule or model.build(data.findings, data.entries), data.entries, out_dir)


def write_report(store, out_dir: Path | str, root: str | None = None,
                 tender_date: date | None = None, rates=None) -> dict[str, Path]:
    """Write report.html, schedule.xlsx and schedule.csv (and refunds.xlsx and refunds.csv) into ``out_dir``;
    returns their paths. Interest runs to ``tender_date`` (default: today) at the rates of ``rates`` (default: the
    shipped table)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = collect(store, root, tender_date, rates)
    html_path = out / "report.html"
    html_path.write_text(render_html(data), encoding="utf-8")
    return {"html": html_path, **write_schedule(data, out), **write_refunds(data.refunds, out)}


def _refunds_section(data: ReportData) -> list[str]:
    """Refunds due: the overpayments, each with its entry's remedy and deadline; never netted against a loss."""
    out = ['<h2 id="refunds">Refunds due (overpayments: not netted against the loss of revenue)</h2>']
    if not data.refunds:
        return out + ["<p class=meta>No overpayment found.</p>"]
    out.append("<table><tr><th>entry</th><th>line</th><th>code</th><th>duty</th><th>fees</th><th>refund</th>"
               "<th>status</th><th>remedy</th><th>deadline</th></tr>")
    for r in data.refunds:
        out.append(f"<tr><td>{escape(r.entry_number)}</td><td>{r.line_no or ''}</td><td>{escape(r.code)}</td>"
                   f"<td class=num>{_money(r.duty)}</td><td class=num>{_money(r.fees)}</td>"
                   f"<td class=num>{_money(r.refund)}</td><td>{escape(r.triage_status or 'unknown')}</td>"
                   f"<td>{escape((r.remedy or 'undetermined').replace('_', ' '))}</td>"
                   f"<td>{escape(r.deadline or '—')}</td></tr>")
    out.append(f"<tr><th colspan=5>Total refundable</th><th class=num>{_money(refunds_total(data.refunds))}</th>"
               "<th colspan=3></th></tr></table>")
    return out
