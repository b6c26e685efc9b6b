"""Tables from word positions and ruling lines: header row mapped by vocabulary, rows, multi-line cells.

A header is a line where at least three column labels of the vocabulary are found (a second header line
stacked under the first, "Unit" over "Price", is folded in). Columns span from the header cells out to the
midpoints between them, or to the vertical ruling lines where the table has them. Each following line is cut
into phrases, each phrase goes to the column it overlaps most; a line with no value in an anchor column
continues the previous row (a description running over several lines). Rows that summarise (subtotal,
total, freight, carried forward…) are kept apart as ``summary`` rows; tables continue on later pages under a
repeated header.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .labels import Reader, fold, match_line, tokens_of
from .layout import Phrase, phrases_of, split_by_rules
from .pages import Word
from .vocab import TOTAL_ROW_WORDS

_TOTAL_TOKENS = [tuple(tokens_of(w)) for w in TOTAL_ROW_WORDS]


@dataclass(slots=True)
class Column:
    key: str
    x0: float
    x1: float
    header: str
    left: float = 0.0
    right: float = 0.0


@dataclass(slots=True)
class Row:
    cells: dict[str, list[Word]] = field(default_factory=dict)

    def text(self, key: str) -> str | None:
        ws = self.cells.get(key)
        if not ws:
            return None
        # reading order: visual lines (centres within half a line of each other), each left to right; a scan's
        # residual skew or a comma's taller box must not reorder the words of one line
        h = sorted(w.bottom - w.top for w in ws)[len(ws) // 2] or 1.0
        lines: list[list[Word]] = []
        for w in sorted(ws, key=lambda w: (w.top + w.bottom) / 2):
            mid = (w.top + w.bottom) / 2
            if lines and abs(mid - lines[-1][0].top / 2 - lines[-1][0].bottom / 2) < 0.5 * h:
                lines[-1].append(w)
            else:
                lines.append([w])
        return " ".join(w.text for ln in lines for w in sorted(ln, key=lambda w: w.x0))

    @property
    def words(self) -> list[Word]:
        return [w for ws in self.cells.values() for w in ws]


@dataclass(slots=True)
class Table:
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    summary: list[tuple[str, list[Word]]] = field(default_factory=list)  # (label text, the line's words)
    pages: list[int] = field(default_factory=list)
    header_lines: list[int] = field(default_factory=list)  # reader line indices of the header rows


def is_summary_line(words: Sequence[Word], fuzzy: bool = False) -> bool:
    """A total, subtotal or carried/brought-forward line; ``fuzzy`` forgives a scan's misread letter in long
    words ("Carried torward")."""
    toks = [t for w in words for t in tokens_of(w.text)]
    if not toks:
        return False
    for pat in _TOTAL_TOKENS:
        n = len(pat)
        for s in range(0, min(len(toks) - n + 1, 4)):  # the summary word leads the line (or nearly)
            window = tuple(toks[s:s + n])
            if window == pat:
                return True
            if fuzzy and all(a == b or (len(b) >= 5 and fuzz.ratio(a, b) >= 80) for a, b in zip(window, pat)):
                return True
    return False


def _header_columns(reader: Reader, i: int, keys: Iterable[str]) -> list[Column] | None:
    keys = tuple(keys)
    line = reader.lines[i]
    page = line[0].page
    h = max(1.0, max(w.height for w in line))
    # fold in a stacked header line directly below (non-numeric words only)
    words = list(line)
    if i + 1 < len(reader.lines):
        nxt = reader.lines[i + 1]
        gap = min(w.top for w in nxt) - max(w.bottom for w in line)
        if nxt[0].page == page and gap < 0.8 * h and not any(any(c.isdigit() for c in w.text) for w in nxt):
            words += nxt
    rules = reader.rules.get(page, [])
    # vertical groups: words whose x-ranges overlap belong to one header cell
    groups: list[list[Word]] = []
    for ph in split_by_rules(phrases_of(sorted(line, key=lambda w: w.x0)), rules):
        groups.append(list(ph.words))
    for w in words[len(line):]:
        for g in groups:
            if min(w.x1, max(x.x1 for x in g)) - max(w.x0, min(x.x0 for x in g)) > 0:
                g.append(w)
                break
        else:
            groups.append([w])
    cols: list[Column] = []
    for g in groups:
        g.sort(key=lambda w: (round(w.top), w.x0))
        hits = match_line(g, keys, kind="column", fuzzy=reader.method.get(page) == "ocr")
        if not hits:
            continue
        if len(hits) == 1:
            cols.append(Column(hits[0].key, min(w.x0 for w in g), max(w.x1 for w in g), " ".join(w.text for w in g)))
        else:
            for hit in hits:
                cols.append(Column(hit.key, hit.x0, hit.x1, hit.text))
    # one column per key: keep the first of duplicates (e.g. two "total" columns)
    seen: set[str] = set()
    uniq = []
    for c in sorted(cols, key=lambda c: c.x0):
        if c.key == "line_no" and "line_no" in seen and "part_number" in keys and \
                not any(x.key == "part_number" for x in cols):
            c = Column("part_number", c.x0, c.x1, c.header)  # "No. | Item No.": the second number is the item's
        if c.key in seen:
            continue
        seen.add(c.key)
        uniq.append(c)
    if len(uniq) < 3:
        return None
    verticals = sorted(r.x0 for r in rules if not r.horizontal
                       and r.top <= max(w.bottom for w in line) and r.bottom >= min(w.top for w in line))
    for a, b in zip(uniq, uniq[1:]):
        between = [x for x in verticals if a.x1 - 1 <= x <= b.x0 + 1]
        cut = between[0] if between else (a.x1 + b.x0) / 2
        a.right, b.left = cut, cut
    uniq[0].left, uniq[-1].right = -1e9, 1e9
    return uniq


_CARRIED = re.compile(r"brought forward|carried forward|b/f|c/f|ubertrag|previous page|pagina anterior|"
                      r"transporte|report|a reporter|vortrag")


def _carried(label: str) -> bool:
    t = fold(label)
    if _CARRIED.search(t):
        return True
    return any(fuzz.ratio(" ".join(t.split()[k:k + 2]), c) >= 80 for c in ("carried forward", "brought forward")
               for k in range(len(t.split())))


def find_tables(reader: Reader, keys: Iterable[str], anchors: Sequence[str],
                numeric: Sequence[str] = ()) -> list[Table]:
    """Every table whose header names at least three of ``keys``; a header repeated on a later page
    continues the same table. ``anchors`` are the columns whose presence starts a new row;
    ``numeric`` columns only take phrases that hold a digit."""
    keys = tuple(keys)
    tables: list[Table] = []
    i = 0
    n = len(reader.lines)
    current: Table | None = None
    while i < n:
        cols = _header_columns(reader, i, keys)
        if cols is None:
            i += 1
            continue
        if not match_line(reader.lines[i], keys, kind="column", fuzzy=reader.method.get(reader.lines[i][0].page) == "ocr") \
                and _header_columns(reader, i + 1, keys) is not None:
            i += 1  # the header is the next line: this one only lent it a scan's specks
            continue
        header_line = reader.lines[i]
        page = header_line[0].page
        if current is None or page == (current.pages[-1] if current.pages else None) or \
                [c.key for c in cols] != [c.key for c in current.columns]:
            current = Table(columns=cols)
            tables.append(current)
        current.columns = cols
        current.pages.append(page)
        current.header_lines.append(i)
        i = _read_rows(reader, i, cols, current, anchors, numeric)
    return tables


def _read_rows(reader: Reader, i: int, cols: list[Column], table: Table, anchors: Sequence[str],
               numeric: Sequence[str]) -> int:
    header = reader.lines[i]
    page = header[0].page
    h = max(1.0, max(w.height for w in header))
    last_bottom = max(w.bottom for w in header)
    j = i + 1
    # skip the stacked header line if it was folded in
    if j < len(reader.lines) and reader.lines[j][0].page == page and \
            not any(any(c.isdigit() for c in w.text) for w in reader.lines[j]) and \
            min(w.top for w in reader.lines[j]) - last_bottom < 0.8 * h:
        last_bottom = max(w.bottom for w in reader.lines[j])
        h = max(h, max(w.height for w in reader.lines[j]))  # the header's first line may be a scan's speck
        j += 1
    rows_before = len(table.rows)
    in_summary = False
    rules = reader.rules.get(page, [])
    while j < len(reader.lines):
        line = reader.lines[j]
        if line[0].page != page:
            break
        top = min(w.top for w in line)
        gap_limit = 4.5 * h if len(table.rows) == rows_before else 3.2 * h
        if top - last_bottom > gap_limit:
            break
        if _header_columns(reader, j, [c.key for c in cols]) is not None:
            break
        if is_summary_line(line, fuzzy=reader.method.get(page) == "ocr"):
            label_words = [w for w in line if not any(c.isdigit() for c in w.text)]
            label = " ".join(w.text for w in label_words)
            table.summary.append((label, list(line)))
            # a balance brought forward opens a continued page: the rows follow it
            in_summary = len(table.rows) > rows_before and not _carried(label)
            last_bottom = max(w.bottom for w in line)
            j += 1
            continue
        if all(len(w.text.strip("|_-'‘’.,:;!")) <= 1 for w in line) and reader.method.get(page) == "ocr" \
                and not any(w.text.strip("|_-'‘’.,:;!").isdigit() for w in line):
            j += 1  # specks on a scan
            continue
        if in_summary:
            break  # a non-summary line after the totals: the table is over
        cells: dict[str, list[Word]] = {}
        for ph in split_by_rules(phrases_of(line), rules):
            _assign(ph, cols, cells, numeric)
        if not cells:
            if len(table.rows) == rows_before:  # a header's further lines (units, "value per area"): no values
                last_bottom = max(w.bottom for w in line)
                j += 1
                continue
            break
        if reader.method.get(page) == "ocr" and len(cells) == 1 and \
                len("".join(w.text for ws in cells.values() for w in ws).strip("|_-'‘’.,:;!")) <= 1:
            j += 1  # one stray mark on a scan
            continue
        is_new = any(k in cells for k in anchors)
        if is_new or not table.rows or len(table.rows) == rows_before:
            if not is_new and len(table.rows) == rows_before:
                # text under the header before any row: only a row if it carries an anchor
                last_bottom = max(w.bottom for w in line)
                j += 1
                continue
            table.rows.append(Row(cells))
        else:
            row = table.rows[-1]
            for k, ws in cells.items():
                row.cells.setdefault(k, []).extend(ws)
        last_bottom = max(w.bottom for w in line)
        j += 1
    return j


def _assign(ph: Phrase, cols: list[Column], cells: dict[str, list[Word]], numeric: Sequence[str]) -> None:
    best, best_ov = None, 0.0
    for c in cols:
        ov = min(ph.x1, c.right) - max(ph.x0, c.left)
        if ov > best_ov:
            best, best_ov = c, ov
    if best is None:
        return
    # a phrase spanning several columns: split its words by their centres
    spans = [c for c in cols if min(ph.x1, c.right) - max(ph.x0, c.left) > 0]
    if len(spans) > 1 and len(ph.words) > 1:
        prev: Column | None = None
        words = list(ph.words)
        for i, w in enumerate(words):
            for k, c in enumerate(spans):
                if c.left <= w.xmid < c.right:
                    if prev is not None and c is not prev and not _fits(c.key, w.text):
                        c = prev  # "…12 V, 1,200 W" runs past the HTS column's edge: still the description
                    elif prev is not None and c is not prev and prev.key not in numeric and c.key in numeric and \
                            not all(any(ch.isdigit() for ch in x.text) or _unit_word(x.text) for x in words[i:]):
                        c = prev  # a number inside the text ("1,200 W"), not the next column's value
                    prev = c
                    if c.key in numeric and not any(ch.isdigit() for ch in w.text):
                        if not w.text.strip("|_-'‘’.,:;!"):
                            break  # a scan's speck or a rule's remnant
                        if not _unit_word(w.text):
                            # a description's last word set close to the quantity ("1,200 W")
                            left = [x for x in spans[:k] if x.key not in numeric]
                            c = left[-1] if left else best
                    cells.setdefault(c.key, []).append(w)
                    break
        return
    if best.key in numeric and not any(ch.isdigit() for ch in ph.text):
        others = [c for c in cols if c.key not in numeric and min(ph.x1, c.right + 30) - max(ph.x0, c.left) > 0]
        if not others:
            return
        best = others[0]
    words = list(ph.words)
    if best.key in numeric:
        # "W 44 PCS": a description's last word set close to the quantity goes back to the description
        k = cols.index(best)
        left = [c for c in cols[:k] if c.key not in numeric]
        while len(words) > 1 and not any(ch.isdigit() for ch in words[0].text) and not _unit_word(words[0].text):
            w = words.pop(0)
            if left and w.text.strip("|_-'‘’.,:;!"):
                cells.setdefault(left[-1].key, []).append(w)
    cells.setdefault(best.key, []).extend(words)


_FITS = {"hts": re.compile(r"^(?:[A-Z]{1,2}\s*)?\d{4}(?:[.\s]?\d{2}){0,3}$"), "line_no": re.compile(r"^\d{1,4}\.?$"),
         "country_of_origin": re.compile(r"^[A-Za-z]{2,}")}


def _fits(key: str, text: str) -> bool:
    """Whether a word can be a value of a column with a strict shape (an HTS number, a line number)."""
    pat = _FITS.get(key)
    return pat is None or bool(pat.match(text.strip(",;")))


def _unit_word(text: str) -> bool:
    from .normalize import unit_code, weight_unit

    return bool(unit_code(text) or weight_unit(text))


def header_unit(col: Column) -> str | None:
    """A weight or currency unit named in a column header, e.g. "Net Weight (kg)"."""
    from .normalize import weight_unit

    return weight_unit(col.header)


def summary_amounts(table: Table) -> list[tuple[str, list[Word]]]:
    """Summary rows with their numeric words: (folded label, number words)."""
    out = []
    for label, words in table.summary:
        nums = [w for w in words if any(c.isdigit() for c in w.text)]
        out.append((fold(label), nums))
    return out


def summary_cells(table: Table, words: Sequence[Word], rules=()) -> dict[str, list[Word]]:
    """A summary row's words placed in the table's columns (a totals row under the quantity columns)."""
    cells: dict[str, list[Word]] = {}
    for ph in split_by_rules(phrases_of(sorted(words, key=lambda w: w.x0)), list(rules)):
        if any(c.isdigit() for c in ph.text):
            _assign(ph, table.columns, cells, ())
    return cells
