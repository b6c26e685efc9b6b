"""The declared entry lines a user supplies as a CSV (an ACE report export, when the 7501s are not in the folder),
read strictly into entries: every cell typed or refused with its line and column, never guessed."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..models.records import Entry, EntryLine, FieldSet, Link, Party
from ..models.table import columns_text, read_table
from .normalize import id_key, normalize_entry_number, normalize_hts

CSV_COLUMNS = {
    "entry_number": "header", "entry_type": "header", "entry_date": "header", "summary_date": "header",
    "port_code": "header", "importer_name": "header", "importer_number": "header",
    "country_of_origin": "header", "mode_of_transport": "header", "currency": "header",
    "exchange_rate": "header", "invoice_number": "header", "mpf": "header", "hmf": "header",
    "line_no": "line", "hts": "line", "description": "line", "entered_value": "line", "quantity": "line",
    "unit": "line", "duty_rate": "line", "duty": "line", "spi": "line", "related_party": "line",
    "melt_country": "line", "additional_hts": "line", "additional_rate": "line", "additional_value": "line",
}
_DEC = {"exchange_rate", "mpf", "hmf", "entered_value", "quantity", "duty_rate", "duty", "additional_rate",
        "additional_value"}
_RATES = {"duty_rate", "additional_rate"}  # percent: "5.3", "5.3%" or "Free"
_DATES = {"entry_date", "summary_date"}
REQUIRED_COLUMNS = ("entry_number", "line_no", "hts", "entered_value")
_PLAIN_NUMBER = re.compile(r"(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?|\.\d+", re.ASCII)
_MAX_AMOUNT = Decimal(10) ** 15  # a declared value, duty or rate beyond this is no number an entry holds
_CODES = {"port_code": 4, "entry_type": 2, "mode_of_transport": 2}  # the 7501's numeric codes
_YES, _NO = ("Y", "YES", "TRUE", "1"), ("N", "NO", "FALSE", "0")


def _dec(s: str, column: str = "") -> Decimal | None:
    """A declared number: digits with an optional decimal point, thousands grouped by commas in threes, an optional
    ``$`` (or ``%`` and "Free" for a rate); ``ValueError`` for anything else (a minus sign, an exponent, NaN, a
    decimal comma: nothing a declared value is written with)."""
    s = (s or "").strip()
    if not s:
        return None
    if column in _RATES:
        if s.lower() == "free":
            return Decimal(0)
        t = s[:-1].rstrip() if s.endswith("%") else s
    else:
        t = s[1:].lstrip() if s.startswith("$") else s
    if not _PLAIN_NUMBER.fullmatch(t):
        raise ValueError(f"not a number: {s!r}")
    v = Decimal(t.replace(",", ""))
    if v >= _MAX_AMOUNT:
        raise ValueError(f"not a plausible number: {s!r}")
    return v


def _iso_date(s: str) -> str | None:
    if not s:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s, re.ASCII):
            return date.fromisoformat(s).isoformat()
    except ValueError:
        pass
    raise ValueError(f"not a date: {s!r} (write YYYY-MM-DD)")


def _declared_value(column: str, text: str):
    """The typed value of one optional cell; ``ValueError`` when the cell holds no value of its column's kind."""
    if column in _DEC:
        return _dec(text, column)
    if column in _DATES:
        return _iso_date(text)
    if not text:
        return None
    if column == "related_party":
        if text.upper() in _YES + _NO:
            return text.upper() in _YES
        raise ValueError(f"not Y or N: {text!r}")
    if column in _CODES:  # a spreadsheet drops the leading zeros of "0401" or "01": they are put back
        width = _CODES[column]
        if not re.fullmatch(rf"\d{{1,{width}}}", text, re.ASCII):
            raise ValueError(f"not a {width}-digit code: {text!r}")
        return text.zfill(width)
    if column == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", text):
            raise ValueError(f"not a currency code: {text!r}")
        return text.upper()
    if column == "additional_hts":
        hts = normalize_hts(text)
        if hts is None:
            raise ValueError(f"not an HTS number: {text!r}")
        return hts
    return text


def _declared_row(cells: dict[str, str]) -> dict[str, object]:
    """The typed values of one row, by column; ``ValueError`` naming the column of the first cell that is wrong."""
    out: dict[str, object] = {}
    for column in REQUIRED_COLUMNS:
        if not cells.get(column):
            raise ValueError(f"column {column}: empty (every row needs {', '.join(REQUIRED_COLUMNS)})")
    number = normalize_entry_number(cells["entry_number"])
    if number is None or id_key(number) != id_key(cells["entry_number"]):
        raise ValueError(f"column entry_number: not an entry number: {cells['entry_number']!r} (filer code, seven "
                         "digits and a check digit that holds, e.g. D4K-0104547-1)")
    out["entry_number"] = number
    if not re.fullmatch(r"\d{1,4}", cells["line_no"], re.ASCII) or int(cells["line_no"]) == 0:
        raise ValueError(f"column line_no: not a line number: {cells['line_no']!r}")
    out["line_no"] = int(cells["line_no"])
    out["hts"] = normalize_hts(cells["hts"])
    if out["hts"] is None:
        raise ValueError(f"column hts: not an HTS number: {cells['hts']!r} (e.g. 3926.90.9985)")
    for column, text in cells.items():
        if column in out:
            continue
        try:
            out[column] = _declared_value(column, text)
        except ValueError as exc:
            raise ValueError(f"column {column}: {exc}") from None
    return out


def load_declared_csv(path: Path) -> list[Entry]:
    """Entries from a CSV with one row per entry line (columns: see ``CSV_COLUMNS`` and the README).

    Raises ``OSError`` when the file cannot be read and ``ValueError`` when it is not such a CSV: the message names
    the line and the column of what is wrong, or the columns expected and found."""
    table = read_table(path)
    found = set(table.columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise ValueError(f"missing columns {columns_text(missing)} (found: {columns_text(table.columns)}; "
                         f"needs {', '.join(REQUIRED_COLUMNS)})")
    unknown = [c for c in table.columns if c not in CSV_COLUMNS]
    if unknown:
        raise ValueError(f"unknown column{'s' if len(unknown) > 1 else ''} {columns_text(unknown)} (the columns are "
                         f"{', '.join(CSV_COLUMNS)})")
    if not table.rows:
        raise ValueError("no entry line: the file has a header and no row")
    entries: dict[str, Entry] = {}
    seen: dict[tuple[str, int], int] = {}
    for r in table.rows:
        try:
            row = _declared_row(r.cells)
        except ValueError as exc:
            raise ValueError(f"line {r.line}, {exc}") from None
        number, line_no = row["entry_number"], row["line_no"]
        if (number, line_no) in seen:
            raise ValueError(f"line {r.line}: entry {number} line {line_no} is on line {seen[number, line_no]} "
                             "already")
        seen[number, line_no] = r.line
        e = entries.get(number)
        if e is None:
            e = Entry(entry_number=number, header=FieldSet(), links=[Link(str(path), "declared values CSV", 1.0)])
            entries[number] = e
            h = e.header
            h.set("entry_number", number)
            for k in ("entry_type", "entry_date", "summary_date", "port_code", "country_of_origin",
                      "mode_of_transport", "currency", "exchange_rate", "mpf", "hmf"):
                h.set(k, row.get(k))
            if row.get("importer_name") or row.get("importer_number"):
                h.set("importer", Party(name=row.get("importer_name"), number=row.get("importer_number")))
            if row.get("invoice_number"):
                h.set("invoice_numbers", [x.strip() for x in row["invoice_number"].split(";") if x.strip()])
        fs = FieldSet()
        fs.set("line_no", line_no)
        for k in ("hts", "description", "unit", "spi", "melt_country", "entered_value", "quantity", "duty_rate",
                  "duty"):
            fs.set(k, row.get(k))
        if row.get("related_party") is not None:
            fs.set("related_party", row["related_party"])
        if row.get("additional_hts"):
            fs.set("additional", [{"hts": row["additional_hts"], "rate": row.get("additional_rate"),
                                   "value": row.get("additional_value")}])
        e.lines.append(EntryLine(fs))
    for e in entries.values():
        total = sum((ln.get("entered_value") or Decimal(0) for ln in e.lines), Decimal(0))
        e.header.set("total_entered_value", total)
    return list(entries.values())
