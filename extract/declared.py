"""The declared entry lines a user supplies as a CSV (an ACE report export, when the 7501s are not in the folder),
read strictly into entries: every cell typed or refused with its line and column, never guessed."""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import lru_cache
from decimal import Decimal
from pathlib import Path

from ..models.records import Entry, EntryLine, FieldSet, Link, Party
from ..models.table import Table, columns_text, read_table, shown
from .normalize import id_key, normalize_entry_number, normalize_hts

CSV_COLUMNS = {
    "entry_number": "header", "entry_type": "header", "entry_date": "header", "summary_date": "header",
    "port_code": "header", "importer_name": "header", "importer_number": "header",
    "country_of_origin": "header", "mode_of_transport": "header", "currency": "header",
    "exchange_rate": "header", "invoice_number": "header", "mpf": "header", "hmf": "header",
    "line_no": "line", "hts": "line", "description": "line", "entered_value": "line", "quantity": "line",
    "unit": "line", "duty_rate": "line", "duty": "line", "spi": "line", "related_party": "line",
    "melt_country": "line", "additional_hts": "line", "additional_rate": "line", "additional_value": "line",
    "liquidation_status": "header", "liquidation_date": "header",
}
_DEC = {"exchange_rate", "mpf", "hmf", "entered_value", "quantity", "duty_rate", "duty", "additional_rate",
        "additional_value"}
_RATES = {"duty_rate", "additional_rate"}  # percent: "5.3", "5.3%" or "Free"
_DATES = {"entry_date", "summary_date", "liquidation_date"}
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
    if column == "liquidation_status":
        return liquidation_status(text)
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
    if is_es003(table.columns):
        return _load_es003(path, table)
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
                      "mode_of_transport", "currency", "exchange_rate", "mpf", "hmf", "liquidation_status",
                      "liquidation_date"):
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


# --- the ACE Reports "Entry Summary Line Tariff Details" (ES-003) export ------------------------------------------

ES003_PATH = Path(__file__).parent / "vocab" / "ace" / "es003.json"
LIQUIDATION_STATUSES = ("liquidated", "unliquidated", "extended", "suspended")


@lru_cache(maxsize=1)
def es003_vocabulary() -> dict:
    """The ES-003 column titles (title -> field), the titles read and left aside, the required fields, the
    liquidation status words and the date formats: ``extract/vocab/ace/es003.json``."""
    data = json.loads(ES003_PATH.read_text(encoding="utf-8"))
    data["by_key"] = {_title_key(t): f for t, f in data["columns"].items()}
    data["ignored_keys"] = {_title_key(t) for t in data["ignored"]}
    data["status_words"] = {_title_key(w): s for s, words in data["liquidation_statuses"].items() for w in words}
    return data


def _title_key(title: str) -> str:
    """A column title compared without case, spaces or punctuation ("Entry Summary Number" = "ENTRY_SUMMARY_NUMBER")."""
    return "".join(c for c in title.casefold() if c.isalnum())


def liquidation_status(text: str) -> str | None:
    """One of ``LIQUIDATION_STATUSES`` for a status as an export writes it ("Liquidated", "L", "Not Liquidated");
    ``ValueError`` for a word the vocabulary does not hold."""
    if not text:
        return None
    status = es003_vocabulary()["status_words"].get(_title_key(text))
    if status is None:
        raise ValueError(f"not a liquidation status: {text!r} (one of {', '.join(LIQUIDATION_STATUSES)})")
    return status


def is_es003(columns: list[str]) -> bool:
    """Whether a header is an ES-003 export's: an ES-003 entry number title, and not the project's own
    ``entry_number`` column (a CSV of the project's columns with one misspelled stays the project's CSV)."""
    if "entry_number" in columns or all(c in CSV_COLUMNS for c in columns):
        return False
    by_key = es003_vocabulary()["by_key"]
    return any(by_key.get(_title_key(c)) == "entry_number" for c in columns)


def _es003_date(text: str) -> str | None:
    if not text:
        return None
    for fmt in es003_vocabulary()["date_formats"]:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r} (MM/DD/YYYY or YYYY-MM-DD)")


def _es003_columns(columns: list[str]) -> dict[str, str]:
    """Field by column title; ``ValueError`` naming the unknown titles, a field given twice or the required
    fields no title gives."""
    vocab = es003_vocabulary()
    fields: dict[str, str] = {}
    unknown = []
    for c in columns:
        f = vocab["by_key"].get(_title_key(c))
        if f is None:
            if _title_key(c) not in vocab["ignored_keys"]:
                unknown.append(c)
            continue
        if f in fields.values():
            other = next(t for t, g in fields.items() if g == f)
            raise ValueError(f"ES-003 columns {columns_text([other, c])} both give {f}")
        fields[c] = f
    if unknown:
        raise ValueError(f"ES-003 export: unknown column{'s' if len(unknown) > 1 else ''} {columns_text(unknown)} "
                         f"(the titles read are in extract/vocab/ace/es003.json)")
    missing = [f for f in vocab["required"] if f not in fields.values()]
    if missing:
        titles = {f: next(t for t, g in vocab["columns"].items() if g == f) for f in missing}
        raise ValueError(f"ES-003 export: missing column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(titles[f] for f in missing)} (found: {columns_text(columns)})")
    return fields


def _es003_row(cells: dict[str, str], fields: dict[str, str]) -> dict[str, object]:
    """The typed values of one ES-003 row by field; ``ValueError`` naming the ACE column of the first bad cell."""
    out: dict[str, object] = {}
    for title, f in fields.items():
        text = cells.get(title, "")
        try:
            if f in ("entry_number", "line_no", "hts", "importer_number", "entry_date") and not text:
                raise ValueError("empty")
            if f == "entry_number":
                number = normalize_entry_number(text)
                if number is None or id_key(number) != id_key(text):
                    raise ValueError(f"not an entry number: {text!r}")
                out[f] = number
            elif f == "line_no":
                if not re.fullmatch(r"\d{1,4}", text, re.ASCII) or int(text) == 0:
                    raise ValueError(f"not a line number: {text!r}")
                out[f] = int(text)
            elif f == "hts":
                out[f] = normalize_hts(text)
                if out[f] is None:
                    raise ValueError(f"not an HTS number: {text!r}")
            elif f in _DATES:
                out[f] = _es003_date(text)
            else:
                out[f] = _declared_value(f, text)
        except ValueError as exc:
            raise ValueError(f"column {shown(title)}: {exc}") from None
    return out


def _load_es003(path: Path, table: Table) -> list[Entry]:
    """Entries from an ES-003 export: a row per HTS number of an entry summary line, chapter 99 numbers as rows of
    the line they add to; the entry's header (importer of record, dates, port, liquidation) from its rows, which
    must agree on the importer; MPF and HMF, line amounts, summed per entry."""
    fields = _es003_columns(table.columns)
    if not table.rows:
        raise ValueError("no entry line: the ES-003 export has a header and no row")
    rows: dict[str, list[tuple[int, dict]]] = {}
    for r in table.rows:
        try:
            row = _es003_row(r.cells, fields)
        except ValueError as exc:
            raise ValueError(f"line {r.line}, {exc}") from None
        rows.setdefault(row["entry_number"], []).append((r.line, row))
    out = []
    for number, entry_rows in rows.items():
        out.append(_es003_entry(path, number, entry_rows))
    return out


def _es003_entry(path: Path, number: str, entry_rows: list[tuple[int, dict]]) -> Entry:
    e = Entry(entry_number=number, header=FieldSet(), links=[Link(str(path), "ACE ES-003 export", 1.0)])
    h = e.header
    h.set("entry_number", number)
    first_line, first = entry_rows[0]
    for line, row in entry_rows[1:]:
        if row.get("importer_number") != first.get("importer_number"):
            raise ValueError(f"line {line}: entry {number} has importer {row.get('importer_number')} here and "
                             f"{first.get('importer_number')} on line {first_line}")
    for k in ("entry_type", "entry_date", "summary_date", "port_code", "country_of_origin", "liquidation_status",
              "liquidation_date"):
        h.set(k, next((row[k] for _, row in entry_rows if row.get(k) is not None), None))
    h.set("importer", Party(name=next((row["importer_name"] for _, row in entry_rows if row.get("importer_name")),
                                      None), number=first["importer_number"]))
    for k in ("mpf", "hmf"):
        amounts = [row[k] for _, row in entry_rows if row.get(k) is not None]
        if amounts:
            h.set(k, sum(amounts, Decimal(0)))
    commodity: dict[int, tuple[int, dict]] = {}
    additional: dict[int, list[dict]] = {}
    for line, row in entry_rows:
        n = row["line_no"]
        if row["hts"].startswith("99"):
            additional.setdefault(n, []).append({k: v for k, v in (
                ("hts", row["hts"]), ("rate", row.get("duty_rate")), ("duty", row.get("duty")),
                ("value", row.get("entered_value") or None)) if v is not None})
        elif n in commodity:
            raise ValueError(f"line {line}: entry {number} line {n} has HTS {commodity[n][1]['hts']} on line "
                             f"{commodity[n][0]} already (one HTS number of chapters 1 to 98 a line)")
        else:
            commodity[n] = (line, row)
    for n in sorted(set(commodity) | set(additional)):
        if n not in commodity:
            raise ValueError(f"line {_first_line_of(entry_rows, n)}: entry {number} line {n} has chapter 99 "
                             "numbers and no HTS number of chapters 1 to 98")
        line, row = commodity[n]
        if row.get("entered_value") is None:
            raise ValueError(f"line {line}, entry {number} line {n}: no entered value")
        fs = FieldSet()
        fs.set("line_no", n)
        for k in ("hts", "entered_value", "duty", "duty_rate", "quantity", "unit", "spi"):
            fs.set(k, row.get(k))
        fs.set("additional", additional.get(n))
        e.lines.append(EntryLine(fs))
    h.set("total_entered_value", sum((ln.get("entered_value") for ln in e.lines), Decimal(0)))
    duties = [row["duty"] for _, row in entry_rows if row.get("duty") is not None]
    if duties:
        h.set("total_duty", sum(duties, Decimal(0)))
    return e


def _first_line_of(entry_rows: list[tuple[int, dict]], n: int) -> int:
    return next(line for line, row in entry_rows if row["line_no"] == n)
