"""A CSV file a user supplies (declared entry lines, a tariff schedule), read strictly: UTF-8 text, comma separated,
quotes that close, a header of distinct names and rows as wide as it. Anything else raises :class:`TableError` (a
``ValueError``) saying what is wrong and on which line, never a guess at what the file meant."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

class TableError(ValueError):
    """A CSV file that cannot be read as a table: the message names the line and what is wrong."""


@dataclass
class Row:
    line: int  # the file's line the row starts on (1 is the header)
    cells: dict[str, str]  # by the header's (stripped) name; every cell stripped


@dataclass
class Table:
    columns: list[str]
    rows: list[Row]


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise TableError(f"line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as "
                         "'CSV UTF-8'") from None
    if "\0" in text:
        raise TableError(f"line {text[:text.index(chr(0))].count(chr(10)) + 1}: a NUL character: not a CSV text file")
    return text


def _separator_hint(header: list[str]) -> str:
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if sep in header[0]:
                return f": the file is separated by {name}, a CSV file by commas"
    return ""


def read_table(path: Path | str) -> Table:
    """The header and the rows of a CSV file; blank rows are left out. Raises ``OSError`` when the file cannot be
    read and :class:`TableError` when it is not a well-formed CSV table."""
    text = _text(Path(path).read_bytes())
    lines = text.splitlines()
    first = next((n for n, ln in enumerate(lines, start=1) if ln.strip()), None)
    if first is not None and "," not in lines[first - 1]:
        hint = _separator_hint([lines[first - 1]])
        if hint:
            raise TableError(f"line {first}: the header has no comma{hint}")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[Row] = []
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in record):
                continue
            if header is None:
                header = [c.strip() for c in record]
                while len(header) > 1 and not header[-1]:
                    header.pop()  # trailing empty header cells (a spreadsheet's export)
                blank = [str(i + 1) for i, c in enumerate(header) if not c]
                if blank:
                    raise TableError(f"line {line}: the header has no name for column {', '.join(blank)}"
                                     + _separator_hint([c for c in header if c]))
                hint = _separator_hint(header)
                if hint:
                    raise TableError(f"line {line}: the header is one column, {header[0]!r}{hint}")
                twice = sorted({c for c in header if header.count(c) > 1})
                if twice:
                    raise TableError(f"line {line}: column {columns_text(twice)} named twice in the header")
                continue
            if len(record) != len(header):
                extra = record[len(header):]
                if len(record) > len(header) and not any(c.strip() for c in extra):
                    record = record[:len(header)]  # trailing empty cells (a spreadsheet's export)
                else:
                    raise TableError(f"line {line}: {len(record)} fields where the header has {len(header)} "
                                     "(a quote or a separator out of place?)")
            rows.append(Row(line, {h: c.strip() for h, c in zip(header, record)}))
    except csv.Error as exc:
        hint = " (a quote out of place?)" if "end of data" in str(exc) or "'\"'" in str(exc) else ""
        raise TableError(f"line {reader.line_num}: {exc}{hint}") from None
    if header is None:
        raise TableError("empty: no header row")
    return Table(header, rows)


def shown(name: str) -> str:
    """A column name as a message shows it: as written, or quoted with its escapes when it holds a control
    character (a message is one line)."""
    return name if name.isprintable() else repr(name)


def columns_text(names) -> str:
    return ", ".join(shown(n) for n in names) if names else "none"
