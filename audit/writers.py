"""The writers: one content, several renderings. A draft is a list of :class:`Block` (headings, paragraphs, lists,
tables, a box), written as Word (python-docx) and as its Markdown twin; a loss-of-revenue schedule (the model of
``audit/schedule.py``) is written as XLSX (openpyxl, with formulas for what a reviewer recomputes) and CSV.

Writers format; they compute nothing: every figure comes from the model they are given.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from ..models.records import Entry, q2
from .schedule import Schedule, ScheduleRow
from .triage import TRIAGE_COLUMNS, triage, triage_columns

# --- document blocks: one content, two renderings --------------------------------------------------------

@dataclass
class Block:
    kind: str  # heading | para | list | table | box
    text: str = ""
    level: int = 1
    label: str = ""  # a bold lead-in of a paragraph
    rows: list[list[str]] = field(default_factory=list)  # table: the first row is the header
    items: list[str] = field(default_factory=list)  # list and box items
    numeric: tuple[int, ...] = ()  # table columns aligned right

    def texts(self) -> list[str]:
        return [self.label, self.text, *self.items, *(c for r in self.rows for c in r)]


# --- Markdown and Word ----------------------------------------------------------------------------------------

# a placeholder for what only the client or counsel can say: ``[[CLIENT TO CONFIRM: …]]``, highlighted in Word and
# marked in Markdown (document text cannot make one: ``disclose._t`` breaks its brackets)
MARK_OPEN, MARK_CLOSE = "[[", "]]"


def marks(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each with whether it is a placeholder (``[[…]]``, brackets included)."""
    out: list[tuple[str, bool]] = []
    at = 0
    while True:
        start = text.find(MARK_OPEN, at)
        end = text.find(MARK_CLOSE, start + len(MARK_OPEN)) if start >= 0 else -1
        if start < 0 or end < 0:
            break
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end + len(MARK_CLOSE)], True))
        at = end + len(MARK_CLOSE)
    if at < len(text):
        out.append((text[at:], False))
    return out
PRIVILEGE = "PRIVILEGED AND CONFIDENTIAL — ATTORNEY WORK PRODUCT — DRAFT"


@dataclass
class DraftMeta:
    """What a draft says about itself: the header on every page and the Word document properties (no library
    default: the author is the person the draft is prepared by, the dates are now)."""

    title: str
    subject: str = ""
    author: str = ""
    header: str = PRIVILEGE
    keywords: str = ""


def _md_marked(s: str) -> str:
    """Markdown text with each placeholder in bold, so that it stands out in any viewer."""
    return "".join(f"**{piece}**" if mark else piece for piece, mark in marks(s))

def _md_text(s: str) -> str:
    """Text in Markdown that no viewer turns into markup: a document's ``<script>`` or ``<img onerror>`` stays
    text (Markdown passes inline HTML through)."""
    return s.replace("<", "&lt;")


def _md_cell(s: str) -> str:
    return _md_text(s).replace("\\", "\\\\").replace("|", "\\|")


def markdown(blocks: list[Block], meta: DraftMeta | None = None) -> str:
    out: list[str] = [f"**{_md_text(meta.header)}**", ""] if meta is not None and meta.header else []

    def t(s: str) -> str:
        return _md_marked(_md_text(s))
    for bl in blocks:
        if bl.kind == "heading":
            out.append("#" * min(bl.level, 6) + " " + t(bl.text))
        elif bl.kind == "para":
            out.append((f"**{t(bl.label.strip())}** " if bl.label else "") + t(bl.text))
        elif bl.kind == "list":
            out += [f"- {t(it)}" for it in bl.items]
        elif bl.kind == "box":
            out.append(f"> **{t(bl.label)}**")
            out.append(">")
            out.append(f"> {t(bl.text)}")
            out.append(">")
            out += [f"> - {t(it)}" for it in bl.items] or ["> - none"]
        elif bl.kind == "table":
            head, *rest = bl.rows
            out.append("| " + " | ".join(_md_cell(c) for c in head) + " |")
            out.append("|" + "".join("---:|" if i in bl.numeric else "---|" for i in range(len(head))))
            out += ["| " + " | ".join(_md_marked(_md_cell(c)) for c in r) + " |" for r in rest]
        out.append("")
    return "\n".join(out)


def _runs(p, text: str, bold: bool | None = None) -> None:
    """``text`` as runs of paragraph ``p``, each placeholder a run of its own highlighted in yellow."""
    from docx.enum.text import WD_COLOR_INDEX

    for piece, mark in marks(text) or [("", False)]:
        r = p.add_run(piece)
        r.bold = bold
        if mark:
            r.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _field(p, instruction: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in paragraph ``p``: Word computes it when the document is shown."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str):
        r = OxmlElement("w:r")
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        r.append(fc)
        return r
    p._p.append(char("begin"))
    r = OxmlElement("w:r")
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instruction} "
    r.append(it)
    p._p.append(r)
    p._p.append(char("separate"))
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    p._p.append(r)
    p._p.append(char("end"))


def _pages(doc, meta: DraftMeta) -> None:
    """The privilege header on every page and "Page N of M" in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    for section in doc.sections:
        if meta.header:
            hp = section.header.paragraphs[0]
            hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = hp.add_run(meta.header)
            run.bold, run.font.size = True, Pt(8)
        fp = section.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fp.add_run("Page ")
        _field(fp, "PAGE")
        fp.add_run(" of ")
        _field(fp, "NUMPAGES")


def _properties(doc, meta: DraftMeta) -> None:
    """Real document properties: python-docx's template says author "python-docx", created in 2013."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    cp = doc.core_properties
    cp.title, cp.subject, cp.keywords = meta.title, meta.subject, meta.keywords
    cp.author = cp.last_modified_by = meta.author
    cp.comments = ""
    cp.created = cp.modified = now
    cp.revision = 1
    cp.category = "Draft"


def docx(blocks: list[Block], path: Path, title: str, meta: DraftMeta | None = None) -> None:
    from docx import Document as Word
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    meta = meta or DraftMeta(title)
    doc = Word()
    _properties(doc, meta)
    for s in doc.sections:
        s.left_margin = s.right_margin = Inches(0.8)
    _pages(doc, meta)
    doc.styles["Normal"].font.size = Pt(10.5)
    for bl in blocks:
        if bl.kind == "heading":
            doc.add_heading(bl.text, level=min(bl.level, 9))
        elif bl.kind == "para":
            p = doc.add_paragraph()
            if bl.label:
                p.add_run(bl.label).bold = True
            _runs(p, bl.text)
        elif bl.kind == "list":
            for it in bl.items:
                _runs(doc.add_paragraph(style="List Bullet"), it)
        elif bl.kind == "box":  # a bordered, shaded one-cell table at the top
            t = doc.add_table(rows=1, cols=1)
            t.style = "Table Grid"
            cell = t.cell(0, 0)
            shade = OxmlElement("w:shd")
            shade.set(qn("w:val"), "clear")
            shade.set(qn("w:color"), "auto")
            shade.set(qn("w:fill"), "FFF2CC")
            cell._tc.get_or_add_tcPr().append(shade)
            head = cell.paragraphs[0]
            head.add_run(bl.label).bold = True
            cell.add_paragraph(bl.text)
            for it in bl.items or ["none"]:
                _runs(cell.add_paragraph(style="List Bullet"), it)
            doc.add_paragraph()
        elif bl.kind == "table":
            t = doc.add_table(rows=len(bl.rows), cols=len(bl.rows[0]))
            t.style = "Table Grid"
            for i, row in enumerate(bl.rows):
                for j, text in enumerate(row):
                    cell = t.cell(i, j)
                    _runs(cell.paragraphs[0], text)
                    for p in cell.paragraphs:
                        if j in bl.numeric and i > 0:
                            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                        for r in p.runs:
                            r.font.size = Pt(8)
                            r.bold = i == 0 or row[0] == "Total" or " total" in row[0]
            doc.add_paragraph()
    doc.save(str(path))


class OutputPathError(ValueError):
    """An output path a writer cannot use as asked (a Word draft not named ``.docx``): a usage error."""


def docx_path(out_docx: Path | str, option: str = "--out") -> Path:
    """The path of a Word draft, checked: it ends in ``.docx`` (its Markdown twin takes the same name with ``.md``,
    so any other name would lose one of the two) and is no folder."""
    out = Path(out_docx)
    if out.suffix.lower() != ".docx":
        raise OutputPathError(f"{option} {out}: a Word draft is written to a .docx file (its Markdown twin beside it "
                              f"as .md), e.g. {out.with_suffix('.docx').name}")
    if out.is_dir():
        raise OutputPathError(f"{option} {out}: a folder, not a file")
    return out


def write_blocks(blocks: list[Block], out_docx: Path | str, title: str,
                 meta: DraftMeta | None = None) -> dict[str, Path]:
    """Write the blocks as Word (``out_docx``) and their Markdown twin (the same path with ``.md``)."""
    out = docx_path(out_docx)
    out.parent.mkdir(parents=True, exist_ok=True)
    md = out.with_suffix(".md")
    docx(blocks, out, title, meta)
    md.write_text(markdown(blocks, meta), encoding="utf-8")
    return {"docx": out, "md": md}




# --- the loss-of-revenue schedule as XLSX and CSV ----------------------------------------------------------------

SCHEDULE_COLUMNS = [
    "entry_number", "entry_date", "summary_date", "port_code", "importer_of_record", "importer_number", "line_no",
    "hts", "finding_id", "finding_code", "status", "base", "declared_value", "value_delta", "corrected_value",
    "duty_rates_percent", "chapter99_numbers", "duty_declared", "duty_own_delta", "duty_chapter99_delta", "duty_delta",
    "duty_corrected", "mpf_declared", "mpf_corrected", "hmf_declared", "hmf_corrected", "fees_delta",
    "loss_of_revenue", "in_total", "interest_from", "interest_to", "interest_days", "interest", "interest_note",
    *TRIAGE_COLUMNS,  # the entry's liquidation standing on the tender date, the finding's remedy, the next deadline
]
MONEY_COLUMNS = {"declared_value", "value_delta", "corrected_value", "duty_declared", "duty_own_delta",
                 "duty_chapter99_delta", "duty_delta", "duty_corrected", "mpf_declared", "mpf_corrected",
                 "hmf_declared", "hmf_corrected", "fees_delta", "loss_of_revenue", "interest"}
# what a reviewer recomputes, written as formulas in the XLSX: a column as a signed sum of the row's other columns
# (written only where the row's figures are that sum: a rate change keeps its value as declared, for one)
FORMULAS: dict[str, tuple[tuple[int, str], ...]] = {
    "corrected_value": ((1, "declared_value"), (1, "value_delta")),
    "duty_delta": ((1, "duty_own_delta"), (1, "duty_chapter99_delta")),
    "duty_corrected": ((1, "duty_declared"), (1, "duty_delta")),
    "fees_delta": ((1, "mpf_corrected"), (-1, "mpf_declared"), (1, "hmf_corrected"), (-1, "hmf_declared")),
    "loss_of_revenue": ((1, "duty_delta"), (1, "fees_delta")),
}
TOTALLED = ("duty_delta", "fees_delta", "loss_of_revenue", "interest")  # the TOTAL row: SUM of the rows in the total
STEPS = "_interest_steps"  # a record's interest steps (rate, days of the year, days), for the XLSX formula


def schedule_records(schedule: Schedule, entries: dict[str, Entry]) -> list[dict]:
    """The schedule as rows of plain values (Decimal money): a row per finding and entry line, an entry's total
    where it differs from its rows' sum or has several, and the grand total last. The row that holds an entry's
    total (its own row, or its one finding row) says so (``in_total``) and carries the entry's interest."""
    from datetime import date

    out: list[dict] = []
    standing = triage(entries.values(), schedule.tender or date.today())
    for n in schedule.numbers:
        e = entries.get(n)
        h = e.header if e is not None else None
        mine = [{**_row(r, h), **triage_columns(standing.get(n), r.finding)} for r in schedule.of_entry(n)]
        out += mine
        if schedule.entry_row_needed(n):
            t = schedule.entry_totals[n]
            holder = {**{c: None for c in SCHEDULE_COLUMNS}, "entry_number": f"ENTRY {n} total (counted once)",
                      "duty_delta": t.duty, "fees_delta": q2(t.mpf + t.hmf), "loss_of_revenue": t.loss,
                      **triage_columns(standing.get(n), None)}
            out.append(holder)
        else:
            holder = mine[0]
        holder["in_total"] = "yes"
        _interest_into(holder, schedule.interest.get(n))
    totals = schedule.entry_totals.values()
    out.append({**{c: None for c in SCHEDULE_COLUMNS}, "entry_number": "TOTAL",
                "duty_delta": q2(sum((t.duty for t in totals), Decimal(0))),
                "fees_delta": q2(sum((t.mpf + t.hmf for t in totals), Decimal(0))),
                "loss_of_revenue": schedule.total, "interest": schedule.total_interest,
                "interest_to": schedule.tender.isoformat() if schedule.tender else None,
                **_incomplete(schedule)})
    return out


def _incomplete(schedule: Schedule) -> dict:
    """The TOTAL row's words when its total leaves money out: the loss (in ``status``) and the interest."""
    from .completeness import gaps

    g = gaps({r.finding.id: r.finding for r in schedule.rows}.values(), schedule.interest)
    return {k: v for k, v in (("status", g.loss_note()), ("interest_note", g.interest_note())) if v}


def _interest_into(row: dict, ei) -> None:
    if ei is None:
        return
    res = ei.result
    row.update({"interest_from": ei.deposit.isoformat() if ei.deposit else None,
                "interest_to": res.computed_to.isoformat() if res is not None and res.computed_to else None,
                "interest_days": res.days if res is not None else None, "interest": ei.amount,
                "interest_note": "; ".join(x for x in (f"from the {ei.basis}" if ei.deposit else None, ei.gap) if x)})
    if res is not None:
        row[STEPS] = [(s.rate, s.year_days, s.days) for s in res.steps]


def _row(r: ScheduleRow, h) -> dict:
    imp = h.get("importer") if h is not None else None
    rl_rates = r.line_rates
    own = [x for x in rl_rates if x.hts == "own"]
    ch99 = [x for x in rl_rates if x.hts != "own"]
    return {
        "entry_number": r.entry_number, "entry_date": h.get("entry_date") if h is not None else None,
        "summary_date": h.get("summary_date") if h is not None else None,
        "port_code": h.get("port_code") if h is not None else None,
        "importer_of_record": getattr(imp, "name", None), "importer_number": getattr(imp, "number", None),
        "line_no": r.line_no, "hts": r.hts,
        "finding_id": r.finding.id, "finding_code": r.finding.code, "status": r.finding.status,
        "base": ("metal content" if r.content else "entered value") if r.declared is not None or r.change else None,
        "declared_value": r.declared, "value_delta": r.change, "corrected_value": r.corrected,
        "duty_rates_percent": r.rates, "chapter99_numbers": " + ".join(x.hts for x in ch99) or None,
        "duty_declared": r.duty_before,
        "duty_own_delta": q2(sum((x.duty_delta for x in own), Decimal(0))) if rl_rates else None,
        "duty_chapter99_delta": q2(sum((x.duty_delta for x in ch99), Decimal(0))) if rl_rates else None,
        "duty_delta": r.duty, "duty_corrected": r.duty_after, "mpf_declared": r.mpf_before,
        "mpf_corrected": r.mpf_after, "hmf_declared": r.hmf_before, "hmf_corrected": r.hmf_after,
        "fees_delta": q2(r.fees), "loss_of_revenue": r.loss, "in_total": None,
    }


def _text(v) -> str:
    if v is None:
        return ""
    return format(q2(v), "f") if isinstance(v, Decimal) else str(v)


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet takes for the start of a formula


def _inert(v):
    """A text cell a spreadsheet shows as text: one that would start a formula (``=HYPERLINK(…)`` read from a
    document) gets a leading apostrophe, as spreadsheets write it themselves."""
    return "'" + v if isinstance(v, str) and v.startswith(FORMULA_LEADS) else v


def write_schedule_csv(rows: Sequence[dict], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=SCHEDULE_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: (_text(v) if k in MONEY_COLUMNS else "" if v is None else _inert(v)) for k, v in r.items()
                        if k in SCHEDULE_COLUMNS})
    return path


def _linear(r: dict, terms) -> Decimal | None:
    vals = [r.get(c) for _, c in terms]
    if any(not isinstance(v, Decimal) for v in vals):
        return None
    return sum((sign * v for (sign, _), v in zip(terms, vals)), Decimal(0))


def _interest_formula(loss_cell: str, steps) -> str:
    """1505(c) interest on the loss cell, compounded daily: each run of days at one rate in one year."""
    growth = "*".join(f"(1+{format(rate.normalize(), 'f')}/100/{yd})^{days}" for rate, yd, days in steps)
    return f"=ROUND({loss_cell}*{growth}-{loss_cell},2)"


def _interest_of(loss: Decimal, steps) -> Decimal:
    from decimal import localcontext

    with localcontext() as ctx:
        ctx.prec = 40
        balance = loss
        for rate, yd, days in steps:
            balance = balance * (1 + rate / 100 / yd) ** days
        return q2(balance - loss)


def write_schedule_xlsx(rows: Sequence[dict], path: Path) -> Path:
    """Money as exact numbers to the cent; what a reviewer recomputes as formulas over the row's own cells (the
    corrected value, the duty and its split, the fees, the loss, the interest) and the TOTAL row as SUMs of the rows
    in the total, so that a reviewer's edit carries through. A formula is written only where the stored figures are
    its result."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Loss of revenue"
    ws.append(SCHEDULE_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    letter = {c: get_column_letter(i + 1) for i, c in enumerate(SCHEDULE_COLUMNS)}
    in_total: list[int] = []  # the sheet rows holding an entry's total
    for r in rows:
        n = ws.max_row + 1
        values = []
        is_total = r.get("entry_number") == "TOTAL" and not r.get("finding_id")
        for c in SCHEDULE_COLUMNS:
            v = r.get(c)
            if is_total and c in TOTALLED and v is not None and in_total:
                cells = [f"{letter[c]}{i}" for i in in_total]
                held = [rows[i - 2].get(c) for i in in_total]
                if all(isinstance(x, Decimal) for x in held) and q2(sum(held, Decimal(0))) == q2(v):
                    v = f"=SUM({','.join(cells)})"
                else:
                    v = q2(v)
            elif c in FORMULAS and isinstance(v, Decimal):
                got = _linear(r, FORMULAS[c])
                if got is not None and q2(got) == q2(v):
                    v = "=" + "".join(("+" if sign > 0 else "-") + f"{letter[x]}{n}" for sign, x in FORMULAS[c]).lstrip("+")
                else:
                    v = q2(v)
            elif c == "interest" and isinstance(v, Decimal) and r.get(STEPS) and \
                    isinstance(r.get("loss_of_revenue"), Decimal) and _interest_of(r["loss_of_revenue"], r[STEPS]) == q2(v):
                v = _interest_formula(f"{letter['loss_of_revenue']}{n}", r[STEPS])
            elif isinstance(v, Decimal):
                v = q2(v)
            else:
                v = _inert(v)
            values.append(v)
        ws.append(values)
        if r.get("in_total") == "yes":
            in_total.append(ws.max_row)
        for c, cell in zip(SCHEDULE_COLUMNS, ws[ws.max_row]):
            if c in MONEY_COLUMNS:
                cell.number_format = "#,##0.00"
        if not r.get("finding_id"):
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    wb.save(path)
    return path


def write_schedule(schedule: Schedule, entries: dict[str, Entry], out_dir: Path) -> dict[str, Path]:
    """schedule.csv and schedule.xlsx in ``out_dir``."""
    rows = schedule_records(schedule, entries)
    return {"csv": write_schedule_csv(rows, out_dir / "schedule.csv"),
            "xlsx": write_schedule_xlsx(rows, out_dir / "schedule.xlsx")}


# --- the refunds schedule: overpayments, apart from the loss of revenue ---------------------------------------------

REFUND_COLUMNS = ["entry_number", "line_no", "finding_id", "finding_code", "status", "duty_refundable",
                  "fees_refundable", "refund", "triage_status", "remedy", "deadline", "title"]
REFUND_MONEY = {"duty_refundable", "fees_refundable", "refund"}


def refund_records(rows) -> list[dict]:
    """The refunds (``audit/overpaid.py`` :class:`Refund`) as rows of plain values, the grand total last."""
    out = [{"entry_number": r.entry_number, "line_no": r.line_no, "finding_id": r.finding_id,
            "finding_code": r.code, "status": r.status, "duty_refundable": r.duty, "fees_refundable": r.fees,
            "refund": r.refund, "triage_status": r.triage_status, "remedy": r.remedy, "deadline": r.deadline,
            "title": r.title} for r in rows]
    out.append({**{c: None for c in REFUND_COLUMNS}, "entry_number": "TOTAL",
                "duty_refundable": q2(sum((r["duty_refundable"] for r in out), Decimal(0))),
                "fees_refundable": q2(sum((r["fees_refundable"] for r in out), Decimal(0))),
                "refund": q2(sum((r["refund"] for r in out), Decimal(0)))})
    return out


def write_refunds_csv(rows: Sequence[dict], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=REFUND_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: (_text(v) if k in REFUND_MONEY else "" if v is None else _inert(v)) for k, v in r.items()})
    return path


def write_refunds_xlsx(rows: Sequence[dict], path: Path) -> Path:
    """Money as exact numbers to the cent; each row's refund as the sum of its duty and fees, and the TOTAL row as
    SUMs of the rows above, where the stored figures are those formulas' results."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Refunds due"
    ws.append(REFUND_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    letter = {c: get_column_letter(i + 1) for i, c in enumerate(REFUND_COLUMNS)}
    body = len(rows) - 1  # the rows above the TOTAL
    for r in rows:
        n = ws.max_row + 1
        total = r.get("entry_number") == "TOTAL" and not r.get("finding_id")
        values = []
        for c in REFUND_COLUMNS:
            v = r.get(c)
            if total and c in REFUND_MONEY and body:
                v = f"=SUM({letter[c]}2:{letter[c]}{body + 1})"
            elif c == "refund" and isinstance(v, Decimal) and q2(r["duty_refundable"] + r["fees_refundable"]) == q2(v):
                v = f"={letter['duty_refundable']}{n}+{letter['fees_refundable']}{n}"
            elif isinstance(v, Decimal):
                v = q2(v)
            else:
                v = _inert(v)
            values.append(v)
        ws.append(values)
        for c, cell in zip(REFUND_COLUMNS, ws[ws.max_row]):
            if c in REFUND_MONEY:
                cell.number_format = "#,##0.00"
        if total:
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    wb.save(path)
    return path


def write_refunds(rows, out_dir: Path) -> dict[str, Path]:
    """refunds.csv and refunds.xlsx in ``out_dir`` (``rows``: the refunds of ``audit/overpaid.py``)."""
    records = refund_records(rows)
    return {"refunds_csv": write_refunds_csv(records, out_dir / "refunds.csv"),
            "refunds_xlsx": write_refunds_xlsx(records, out_dir / "refunds.xlsx")}
