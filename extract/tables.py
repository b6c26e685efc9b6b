"""Tables from word positions and ruling lines: header row mapped by vocabulary, rows, multi-line cells.

A header is a line where at least three column labels of the vocabulary are found, in any of the trade's
languages; header lines stacked above and below it ("Unit" over "Price", "TOTAL HT" over "(EUR)") are folded
into its cells, the line naming most columns being the header line. Columns span from the header cells out to
the midpoints between them, or to the vertical ruling lines where the table has them. Each following line is
cut into phrases, each phrase goes to the column it overlaps most (a currency sign set apart goes with its
amount, a label inside a cell with its value); a line with no value in an anchor column continues the previous
row (a description running over several lines), a line indented under the row's text is its detail, not a row.
Where full-width rules part the rows, each band between two rules is one row, whatever lines its cells take
above or below the numbers. Rows that summarise (subtotal, total, tax, carried forward…) are kept apart as
``summary`` rows; a group's subtotal followed by more goods does not end the table; page headers and footers
repeated on every page do; tables continue on later pages under a repeated header.
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
# columns that are read so that their numbers go nowhere else (a line's tax rate, its discount), not enough to
# make a table on their own
AUX_KEYS = frozenset({"vat_rate", "discount"})


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
    open: bool = False  # its rows ran to the foot of a page with no totals: it may go on over the page


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


def _numeric_line(line: Sequence[Word]) -> bool:
    return any(any(c.isdigit() for c in w.text) for w in line)


def header_block(reader: Reader, i: int, limit: int = 3, above: bool = True) -> tuple[int, int]:
    """The first and last reader line of the header block around line ``i``: header lines stacked above and
    below it ("Unit" over "Price", "TOTAL HT" over "(EUR)", a column name set a line higher than the rest),
    i.e. lines without digits set closer than a text height to each other, on the same page."""
    line = reader.lines[i]
    page = line[0].page
    h = max(1.0, max(w.height for w in line))
    first = last = i
    while last + 1 < len(reader.lines) and last - i < limit:
        nxt, cur = reader.lines[last + 1], reader.lines[last]
        gap = min(w.top for w in nxt) - max(w.bottom for w in cur)
        if nxt[0].page != page or gap >= 0.8 * h or _numeric_line(nxt):
            break
        last += 1
    while above and first - 1 >= 0 and i - first < limit and not _numeric_line(line):
        prv, cur = reader.lines[first - 1], reader.lines[first]
        gap = min(w.top for w in cur) - max(w.bottom for w in prv)
        x0, x1 = min(w.x0 for w in line), max(w.x1 for w in line)
        if prv[0].page != page or gap >= 0.5 * h or _numeric_line(prv) or \
                min(w.x0 for w in prv) < x0 - h or max(w.x1 for w in prv) > x1 + h:
            break  # only tight lines within the header's width: not a title or a label above the table
        first -= 1
    return first, last


def _header_columns(reader: Reader, i: int, keys: Iterable[str], above: bool = True) -> list[Column] | None:
    keys = tuple(k for k in keys if not k.endswith("_2"))  # a second tax column is named like the first
    line = reader.lines[i]
    page = line[0].page
    fuzzy = reader.method.get(page) == "ocr"
    if not match_line(line, keys, kind="column", fuzzy=fuzzy) or \
            any(sum(c.isdigit() for c in w.text) >= 4 for w in line):
        return None  # a line holding a long number is a row or a field, not column names
    first, last = header_block(reader, i, above=above)
    rules = reader.rules.get(page, [])
    # vertical groups: the header line's cells, then the phrases of the stacked lines that overlap them (a
    # phrase under no cell is a column named on another line only)
    groups: list[list[Word]] = []
    for ph in split_by_rules(phrases_of(sorted(line, key=lambda w: w.x0)), rules):
        groups.append(list(ph.words))
    main = [True] * len(groups)
    for k in list(range(i + 1, last + 1)) + list(range(i - 1, first - 1, -1)):
        for ph in split_by_rules(phrases_of(reader.lines[k]), rules):
            for g in groups:
                if min(ph.x1, max(x.x1 for x in g)) - max(ph.x0, min(x.x0 for x in g)) > 0:
                    g.extend(ph.words)
                    break
            else:
                groups.append(list(ph.words))
                main.append(False)
    cols: list[Column] = []
    for g, in_line in zip(groups, main):
        g.sort(key=lambda w: (round(w.top), w.x0))
        hits = match_line(g, keys, kind="column", fuzzy=fuzzy)
        if not hits:
            continue
        x0, x1 = min(w.x0 for w in g), max(w.x1 for w in g)
        if len(hits) > 1:
            # a cell named over several lines: the words on the header line name it ("Zeilenbetrag" over
            # "ohne MwSt."), else the top line's ("UNITE" over "pour P.U."); hits side by side on one line are
            # columns of their own
            mine = [h for h in hits if all(w in line for w in h.words)] if in_line else []
            if not mine:
                top = min(h.top for h in hits)
                mine = [h for h in hits if h.top < top + 0.5 * max(1.0, h.words[0].height)]
            hits = mine
        if len(hits) == 1:
            cols.append(Column(hits[0].key, x0, x1, " ".join(w.text for w in g)))
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
        if c.key in seen and c.key in AUX_KEYS:
            # "Tax (%) | Tax": the tax amount beside the rate is a column of its own, read by no field
            uniq.append(Column(c.key + "_2", c.x0, c.x1, c.header))
            continue
        if c.key in seen:
            continue
        seen.add(c.key)
        uniq.append(c)
    if len(uniq) < 3 or sum(1 for c in uniq if c.key.removesuffix("_2") not in AUX_KEYS) < 2:
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


def _page_furniture(reader: Reader) -> set[int]:
    """Reader lines of the running header and footer: the runs of lines at the top and at the bottom of a page
    that repeat at the same height with the same words on another page (a company's registration block, its
    bank details), never table rows. A row repeated in the middle of two pages is no page furniture."""
    seen: dict[str, list[tuple[int, float]]] = {}
    for k, ln in enumerate(reader.lines):
        seen.setdefault(" ".join(w.text for w in ln), []).append((k, min(w.top for w in ln)))
    repeated: set[int] = set()
    for places in seen.values():
        for k, top in places:
            if any(reader.lines[m][0].page != reader.lines[k][0].page and abs(t - top) <= 2.0 for m, t in places):
                repeated.add(k)
    out: set[int] = set()
    by_page: dict[int, list[int]] = {}
    for k, ln in enumerate(reader.lines):
        by_page.setdefault(ln[0].page, []).append(k)
    for ks in by_page.values():
        for run in (ks, ks[::-1]):
            for k in run:
                if k not in repeated:
                    break
                out.add(k)
    return out


def find_tables(reader: Reader, keys: Iterable[str], anchors: Sequence[str],
                numeric: Sequence[str] = ()) -> list[Table]:
    """Every table whose header names at least three of ``keys``; a header repeated on a later page
    continues the same table. ``anchors`` are the columns whose presence starts a new row;
    ``numeric`` columns only take phrases that hold a digit."""
    keys = tuple(keys)
    numeric = tuple(numeric) + tuple(k + "_2" for k in numeric if k in AUX_KEYS)
    tables: list[Table] = []
    i = 0
    n = len(reader.lines)
    current: Table | None = None
    furniture = _page_furniture(reader)
    while i < n:
        cols = _header_columns(reader, i, keys)
        if cols is None:
            i += 1
            continue
        first, last = header_block(reader, i)
        if last > first:
            # of a header set over several lines, the line naming most columns is the header line; the others
            # are stacked on it
            fuzzy = reader.method.get(reader.lines[i][0].page) == "ocr"
            def named(k: int) -> int:
                return len({h.key for h in match_line(reader.lines[k], keys, kind="column", fuzzy=fuzzy)})

            best = max(range(first, last + 1), key=lambda k: (named(k), -k))
            if best != i:
                better = _header_columns(reader, best, keys)
                if better is not None:
                    cols, i = better, best
                    first, last = header_block(reader, i)
        header_line = reader.lines[i]
        header_index = i
        page = header_line[0].page
        if current is None or page == (current.pages[-1] if current.pages else None) or \
                [c.key for c in cols] != [c.key for c in current.columns]:
            current = Table(columns=cols)
            tables.append(current)
        current.columns = cols
        current.pages.append(page)
        current.header_lines.extend(range(first, last + 1))
        i = _read_rows(reader, i, last, cols, current, anchors, numeric, furniture)
        while current.open and i < n:
            k = _continued_rows(reader, i, current.pages[-1], cols, keys, anchors, numeric, furniture)
            if k is None:
                break
            current.pages.append(reader.lines[k][0].page)
            i = _read_rows(reader, header_index, last, cols, current,
                           anchors, numeric, furniture, start=k)
    return tables


def _continued_rows(reader: Reader, j: int, page: int, cols: list[Column], keys: Sequence[str],
                    anchors: Sequence[str], numeric: Sequence[str], furniture: set[int]) -> int | None:
    """Where a table that reached the foot of its page goes on at the top of the next one without repeating its
    header: the first line there (after the running header, and at most two lines of a letterhead or a
    "continued" note) that is a full row of the table's columns."""
    while j < len(reader.lines) and reader.lines[j][0].page == page:
        j += 1  # the rest of the table's page (its running footer)
    if j >= len(reader.lines) or reader.lines[j][0].page != page + 1:
        return None
    page += 1
    seen = 0
    for k in range(j, min(len(reader.lines), j + 12)):
        ln = reader.lines[k]
        if ln[0].page != page:
            return None
        if k in furniture:
            continue
        if _header_columns(reader, k, keys) is not None:
            return None  # a header: the table is read again from it
        cells: dict[str, list[Word]] = {}
        for ph in phrases_of(_glue_currency(ln)):
            _assign(ph, cols, cells, numeric)
        if sum(1 for a in anchors if a != "line_no" and _numeric_line(cells.get(a, []))) >= 2 and \
                any(c.key not in numeric for c in cols if c.key in cells):
            return k
        seen += 1
        if seen > 2:
            return None
    return None


def _currency_word(text: str) -> bool:
    from .normalize import currency_code

    return bool(re.fullmatch(r"[$€£¥₹]|[A-Z]{3}|Rs\.?|US\$", text)) and currency_code(text) is not None


def _glue_currency(line: Sequence[Word]) -> list[Word]:
    """A currency symbol or code set apart from its amount ("€ 399,00", "12.50 EUR") joins the amount, so that
    it goes to the amount's column and not to the text beside it."""
    out: list[Word] = []
    ws = list(line)
    k = 0
    while k < len(ws):
        w = ws[k]
        h = max(1.0, w.height)
        if _currency_word(w.text) and k + 1 < len(ws) and re.match(r"^-?\(?\d", ws[k + 1].text) and \
                ws[k + 1].x0 - w.x1 <= 1.5 * h:
            nxt = ws[k + 1]
            out.append(Word(w.text + nxt.text, w.x0, min(w.top, nxt.top), nxt.x1, max(w.bottom, nxt.bottom),
                            w.page, min(w.conf, nxt.conf)))
            k += 2
            continue
        if _currency_word(w.text) and out and re.search(r"\d$", out[-1].text) and \
                w.x0 - out[-1].x1 <= 1.0 * h and (k + 1 == len(ws) or ws[k + 1].x0 - w.x1 > 1.0 * h):
            prev = out.pop()
            out.append(Word(prev.text + " " + w.text, prev.x0, min(w.top, prev.top), w.x1,
                            max(w.bottom, prev.bottom), w.page, min(w.conf, prev.conf)))
            k += 1
            continue
        out.append(w)
        k += 1
    return out


def _total_phrase(line: Sequence[Word]) -> bool:
    """A phrase of the line opens with a total word ("Factuur totaal EUR 49,99" after a note on its left)."""
    for ph in phrases_of(line):
        toks = tokens_of(ph.text)
        for pat in _TOTAL_TOKENS:
            n = len(pat)
            if any(tuple(toks[s:s + n]) == pat for s in range(0, min(len(toks) - n + 1, 2))):
                return True
    return False


def _ruled_bands(reader: Reader, j: int, header: Sequence[Word], h: float, anchors: Sequence[str],
                 cols: list[Column], numeric: Sequence[str], furniture: set[int]) -> list[tuple[int, int]] | None:
    """Rows told apart by ruling lines: where full-width rules run between the lines under the header and
    every band between two rules holds one row's numbers, each band is one row, whatever the number of lines
    its cells take above or below the line with the numbers. The table ends at a band without numbers, a
    double rule (its box closing, another box opening) or a line of totals."""
    if j >= len(reader.lines):
        return None
    page = reader.lines[j][0].page
    x0, x1 = min(w.x0 for w in header), max(w.x1 for w in header)
    full = sorted(r.top for r in reader.rules.get(page, []) if r.horizontal and
                  min(r.x1, x1) - max(r.x0, x0) >= 0.8 * (x1 - x0))
    if not full:
        return None
    merged: list[float] = []
    for t in full:  # a rectangle's edge and a line drawn over it are one rule
        if not merged or t - merged[-1] > 1.5:
            merged.append(t)
    full = merged
    lines: list[int] = []
    last_bottom = max(w.bottom for w in header)
    k = j
    while k < len(reader.lines) and len(lines) < 80:
        ln = reader.lines[k]
        if ln[0].page != page or k in furniture or min(w.top for w in ln) - last_bottom > 4.5 * h:
            break
        lines.append(k)
        last_bottom = max(w.bottom for w in ln)
        k += 1
    bands: list[tuple[int, int]] = []
    start = 0
    for n in range(1, len(lines) + 1):
        if n < len(lines):
            # a rule between the middles of two lines (a box's edge may touch the text above it)
            above = max(w.ymid for w in reader.lines[lines[n - 1]])
            below = min(w.ymid for w in reader.lines[lines[n]])
            between = [t for t in full if above < t < below]
            if not between:
                continue
        else:
            between = []
        bands.append((lines[start], lines[n - 1]))
        if len(between) >= 2 and between[-1] - between[0] < 1.5 * h:
            break  # a double rule: the table's box closes here
        start = n
    rows: list[tuple[int, int]] = []
    for a, b in bands:
        band = reader.lines[a:b + 1]
        if any(is_summary_line(ln) for ln in band):
            break
        cells: dict[str, list[Word]] = {}
        for ln in band:
            for ph in phrases_of(_glue_currency(ln)):
                _assign(ph, cols, cells, numeric)
        if sum(1 for k in anchors if k != "line_no" and _numeric_line(cells.get(k, []))) < 2:
            break
        rows.append((a, b))
    # the rules must part two rows at least: a table whose rules only frame it is read by its anchors
    return rows if len(rows) >= 2 else None


def _read_rows(reader: Reader, i: int, last: int, cols: list[Column], table: Table, anchors: Sequence[str],
               numeric: Sequence[str], furniture: set[int] = frozenset(), start: int | None = None) -> int:
    """Rows under the header (lines ``i``..``last``), or from line ``start`` on a later page where the table
    goes on without repeating its header."""
    header = reader.lines[i]
    page = header[0].page
    h = max(1.0, max(w.height for w in header))
    last_bottom = max(w.bottom for k in range(i, last + 1) for w in reader.lines[k])
    if last > i:
        h = max(h, max(w.height for w in reader.lines[last]))  # the header's first line may be a scan's speck
    j = last + 1
    rows_before = len(table.rows)
    table.open = False
    header_words = [w for k in range(i, last + 1) for w in reader.lines[k]]
    bands = None
    if start is not None:
        j, page = start, reader.lines[start][0].page
        last_bottom = min(w.top for w in reader.lines[start])
    else:
        bands = _ruled_bands(reader, j, header_words, h, anchors, cols, numeric, furniture)
    text_keys = [c.key for c in cols if c.key not in numeric]
    if bands is not None and any(b > a for a, b in bands):  # one line per band: the anchors read it the same
        for a, b in bands:
            cells: dict[str, list[Word]] = {}
            first_x: dict[str, float] = {}
            for ln in reader.lines[a:b + 1]:
                part: dict[str, list[Word]] = {}
                for ph in phrases_of(_glue_currency(ln)):
                    _assign(ph, cols, part, numeric)
                if any(k in part and k in first_x and min(w.x0 for w in part[k]) > first_x[k] + 0.5 * h
                       for k in text_keys) and \
                        all(_numeric_line(cells.get(k, [])) for k in anchors if _numeric_line(part.get(k, []))):
                    continue  # a detail line indented under the row's text (see below)
                for k, ws in part.items():
                    cells.setdefault(k, []).extend(ws)
                    if k in text_keys and k not in first_x:
                        first_x[k] = min(w.x0 for w in ws)
            table.rows.append(Row(cells))
        return bands[-1][1] + 1
    in_summary = False  # totals were read: only a full row of goods reopens the table (a group's subtotal)
    since_summary = 0
    resume = j
    keys = {c.key for c in cols}
    priced = bool(keys & {"quantity", "unit_price"})
    first_x: dict[str, float] = {}  # where the current row's text cells start, for indented sub-lines
    rules = reader.rules.get(page, [])
    while j < len(reader.lines):
        line = reader.lines[j]
        if line[0].page != page or j in furniture:
            table.open = len(table.rows) > rows_before and not in_summary
            break
        top = min(w.top for w in line)
        gap_limit = 4.5 * h if len(table.rows) == rows_before else 3.2 * h
        if top - last_bottom > gap_limit:
            rest = [k for k in range(j, len(reader.lines)) if reader.lines[k][0].page == page]
            # nothing but the running footer below: the page ended the rows, not the table
            table.open = len(table.rows) > rows_before and not in_summary and all(k in furniture for k in rest)
            break
        again = _header_columns(reader, j, [c.key for c in cols], above=False)
        if again is not None and len(again) >= 0.6 * len(cols):
            break  # the header repeated: another table, or this one again on its next page
        if is_summary_line(line, fuzzy=reader.method.get(page) == "ocr"):
            label_words = [w for w in line if not any(c.isdigit() for c in w.text)]
            label = " ".join(w.text for w in label_words)
            table.summary.append((label, list(line)))
            # a balance brought forward opens a continued page: the rows follow it
            in_summary = len(table.rows) > rows_before and not _carried(label)
            since_summary = 0
            last_bottom = max(w.bottom for w in line)
            j += 1
            continue
        if all(len(w.text.strip("|_-'‘’.,:;!")) <= 1 for w in line) and reader.method.get(page) == "ocr" \
                and not any(w.text.strip("|_-'‘’.,:;!").isdigit() for w in line):
            j += 1  # specks on a scan
            continue
        cells: dict[str, list[Word]] = {}
        for ph in split_by_rules(phrases_of(_glue_currency(line)), rules):
            _assign(ph, cols, cells, numeric)
        if not cells:
            if len(table.rows) == rows_before:  # a header's further lines (units, "value per area"): no values
                last_bottom = max(w.bottom for w in line)
                j += 1
                continue
            break
        if priced and not any(_numeric_line(cells.get(k, [])) for k in ("quantity", "unit_price")) and \
                _numeric_line(cells.get("amount", [])) and _total_phrase(line):
            label = " ".join(w.text for w in line if not any(c.isdigit() for c in w.text))
            table.summary.append((label, list(line)))  # "Prices include VAT   Invoice total EUR 49,99"
            in_summary = len(table.rows) > rows_before
            since_summary = 0
            last_bottom = max(w.bottom for w in line)
            j += 1
            continue
        if in_summary:
            # a non-summary line after the totals: the table is over, unless a full row of goods follows within
            # two lines (a group's subtotal, the group's title, the next group's rows)
            since_summary += 1
            if since_summary == 1:
                resume = j
            full = _numeric_line(cells.get("quantity", [])) and \
                (_numeric_line(cells.get("amount", [])) or _numeric_line(cells.get("unit_price", [])))
            if priced and full and since_summary <= 3:
                in_summary = False
            elif priced and since_summary < 3 and not _numeric_line(line):
                last_bottom = max(w.bottom for w in line)
                j += 1
                continue
            else:
                return resume
        if reader.method.get(page) == "ocr" and len(cells) == 1 and \
                len("".join(w.text for ws in cells.values() for w in ws).strip("|_-'‘’.,:;!")) <= 1:
            j += 1  # one stray mark on a scan
            continue
        ocr = reader.method.get(page) == "ocr"
        indent = (1.5 if ocr else 0.5) * h  # a scan's specks before a cell shift its start
        if table.rows and len(table.rows) > rows_before and not (ocr and any(k in cells for k in anchors)) and \
                any(k in cells and k in first_x and min(w.x0 for w in cells[k]) > first_x[k] + indent
                    for k in text_keys):
            # a line indented under the row's text: its detail (a serial number, a component of a set, a levy
            # included in the price), neither a row of its own nor part of the row's description
            last_bottom = max(w.bottom for w in line)
            j += 1
            continue
        is_new = any(k in cells for k in anchors)
        if is_new or not table.rows or len(table.rows) == rows_before:
            if not is_new and len(table.rows) == rows_before:
                # text under the header before any row: only a row if it carries an anchor
                last_bottom = max(w.bottom for w in line)
                j += 1
                continue
            table.rows.append(Row(cells))
            first_x = {k: min(w.x0 for w in cells[k]) for k in text_keys if k in cells}
        else:
            row = table.rows[-1]
            for k, ws in cells.items():
                row.cells.setdefault(k, []).extend(ws)
            for k in text_keys:
                if k in cells and k not in first_x:
                    first_x[k] = min(w.x0 for w in cells[k])
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
                        if not _unit_word(w.text) and not _value_label(w.text):
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
        while len(words) > 1 and not any(ch.isdigit() for ch in words[0].text) and not _unit_word(words[0].text) \
                and not _value_label(words[0].text):
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


def _value_label(text: str) -> bool:
    """A word naming the value after it inside a cell: "(Net):", "(Brut:", "Rabais:"."""
    return bool(re.fullmatch(r"\(?[A-Za-zÀ-ÿ.]+\)?:\)?", text))


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
