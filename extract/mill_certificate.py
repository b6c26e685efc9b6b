"""Mill test certificates (EN 10204 inspection documents and mill test reports): header fields, melt and
pour countries, and the heats with their weights and chemistry, merged across the tables that list them."""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Sequence

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import (conventions, document_weight_unit, letterhead, parse_id, party_from_lines, quantity_and_unit,
                     read_party,
                     table_header_lines)
from .labels import Reader, fold, match_line
from .layout import lines_of
from .pages import Page, Word
from .tables import find_tables, header_unit, summary_cells
from .vocab import CHEMISTRY_ROWS, ELEMENTS

KEYS = ("certificate_number", "certificate_type", "issue_date", "mill", "customer", "po_number", "invoice_number",
        "product", "specification", "melt_country", "pour_country", "total_weight", "other_date", "seller", "buyer",
        "heat_number", "total_quantity", "mtc_other")
COLUMNS = ("heat_number", "grade", "weight", "melt_country", "pour_country", "description", "quantity",
           *[f"chem_{sym}" for sym in ELEMENTS])
_TYPE_RE = re.compile(r"(EN|DIN|ISO)\s*(10204|50049|10474)\s*[:/-]?\s*(?:type\s*)?(2\.1|2\.2|3\.1|3\.2)\s*(B|C)?",
                      re.IGNORECASE)
TITLE_WORDS = ("certificate", "certificado", "zeugnis", "report", "page", "test")


_CHEM_NUMBER = re.compile(r"^(\d+)(?:[.,](\d+))?$")
_SCAN_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1"})
RATE_WORDS = ("per", "pro", "por", "/m", "kg/m", "kgm")  # "Weight per m", "kg/m": a mass per length, not a weight


def _rate_header(header: str) -> bool:
    return any(t in RATE_WORDS for t in fold(header).replace("/", " /").split()) or "/m" in header.lower()


def chem_value(text: str, scanned: bool = False) -> Decimal | None:
    """A chemistry cell's mass fraction as printed: either separator is the decimal one (a percentage never
    reaches a thousand), trailing zeros kept. On a scan a letter O is a zero, and a value that starts with a
    zero but shows no separator ("043", "0039") lost its decimal comma after that zero. A value given only as
    a bound ("<0,001") is no analysis and is left out."""
    for tok in text.split():
        tok = tok.strip("|[](){}'‘’`:;*")
        if not tok:
            continue
        if tok[0] in "<>≤≥":
            return None
        if scanned and any(c.isdigit() for c in tok):
            tok = tok.translate(_SCAN_DIGITS)
        m = _CHEM_NUMBER.match(tok.rstrip("%"))
        if not m:
            if any(c.isdigit() for c in tok):
                return None
            continue
        whole, frac = m.group(1), m.group(2)
        if frac is not None:
            return Decimal(f"{whole}.{frac}")
        if scanned and len(whole) >= 2 and whole[0] == "0":
            return Decimal(f"0.{whole[1:]}")
        return Decimal(whole)
    return None


def _text(v: str) -> str | None:
    t = nz.clean_text(v).strip(" :")
    return t if t and any(c.isalpha() for c in t) else None


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    doc_unit = document_weight_unit(pages)
    fs = FieldSet()
    tables = _heat_tables(reader)
    reread = _reread_headers(pages, reader, tables)
    if reread is not None:  # a scan's table header read again as a block: its one-letter cells come back
        pages = reread
        reader = Reader(pages, path, KEYS)
        tables = _heat_tables(reader)
    skip = table_header_lines(reader, tables)

    def hits(key):
        return sorted([h for h in reader.find(key) if h.line not in skip and not _other_box(reader, h, key)],
                      key=lambda h: -len(h.words))

    for name, parse in (("certificate_number", parse_id), ("po_number", parse_id), ("invoice_number", parse_id),
                        ("issue_date", conv.date), ("product", _text), ("specification", _text)):
        v, p = reader.value(name, parse, hits=hits(name))
        fs.set(name, v, p)
    for ln in reader.lines:
        m = _TYPE_RE.search(" ".join(w.text for w in ln))
        if m:
            fs.set("certificate_type", f"EN 10204 {m.group(3)}" if m.group(2) in ("10204", "50049", "10474")
                   else m.group(0), reader.prov(ln))
            break
    party, p = read_party(reader, "mill")
    weak: set[str] = set()
    if party is None:
        party, p = letterhead(pages, reader, lambda t: any(w in fold(t) for w in TITLE_WORDS))
        weak.add("mill")  # a guess from the top of the page: a coded box says better
    fs.set("mill", party, p)
    party, p = read_party(reader, "customer")
    fs.set("customer", party, p)
    for key in ("melt_country", "pour_country"):
        v, p = reader.value(key, nz.country_code, hits=hits(key))
        fs.set(key, v, p)
        # "Country of melt and pour: Mexico" names both
        for h in hits(key):
            if "pour" in fold(h.text) and key == "melt_country" and v:
                fs.set("pour_country", v, p)
    reread = _reread_chemistry(reader, tables)
    places = _column_places(reader, tables, reread)
    # heats, merged by heat number across tables (weights in one, chemistry in another)
    heats: dict[str, FieldSet] = {}
    provs: dict[str, object] = {}
    order: list[str] = []
    for t in tables:
        for row in t.rows:
            heat = row.text("heat_number")
            heat = parse_id(heat) if heat else None
            if not heat:
                continue
            key = nz.id_key(heat)
            if key not in heats and reader.method.get(row.cells["heat_number"][0].page) == "ocr":
                key = _same_heat(key, order)
            if key not in heats:
                heats[key] = FieldSet()
                heats[key].set("heat_number", heat, reader.prov(row.cells["heat_number"]))
                provs[key] = reader.prov(row.words)
                order.append(key)
            item = heats[key]
            chem = dict(item.get("chemistry") or {})
            for col in t.columns:
                text = row.text(col.key)
                if text is None:
                    continue
                if col.key.startswith("chem_"):
                    v = _chem_choice(reread, places, row, col.key, text,
                                     reader.method.get(row.cells[col.key][0].page) == "ocr")
                    if v is not None:
                        chem[col.key[5:]] = v
                elif col.key == "grade" and "grade" not in item:
                    item.set("grade", nz.clean_text(text), reader.prov(row.cells[col.key]))
                elif col.key in ("melt_country", "pour_country") and col.key not in item:
                    item.set(col.key, nz.country_code(text), reader.prov(row.cells[col.key]))
                elif col.key == "weight" and "weight_kg" not in item and not _rate_header(col.header):
                    q, _ = quantity_and_unit(text, conv)
                    unit = nz.weight_unit(text) or header_unit(col) or doc_unit or "KG"
                    item.set("weight_kg", nz.to_kg(q, unit) if q is not None else None,
                             reader.prov(row.cells[col.key]))
            if chem:
                item.set("chemistry", chem)
    items = [LineItem(heats[k], provs[k]) for k in order]
    if not items:  # EN 10168 style: one heat by label, its chemistry as a row of symbols over a row of values
        chem, used = transposed_chemistry(reader, conv)
        heat, hp = reader.value("heat_number", parse_id, hits=hits("heat_number"))
        if heat or chem:
            item = FieldSet()
            item.set("heat_number", heat, hp)
            if chem:
                item.set("chemistry", chem, reader.prov(used))
            items = [LineItem(item, reader.prov(used) if used else hp)]
    for li in items:  # a heat without its own countries takes the certificate's
        for key in ("melt_country", "pour_country"):
            if key not in li.fields and fs.get(key):
                li.fields.set(key, fs.get(key), fs.prov(key))
    # total weight: a labelled total, else the totals row of the heats table
    for h in reversed(hits("total_weight")):
        unit = nz.weight_unit(" ".join(w.text for w in reader.lines[h.line])) or doc_unit

        def parse(text, unit=unit):
            q, _ = quantity_and_unit(text, conv)
            return nz.to_kg(q, nz.weight_unit(text) or unit or "KG") if q is not None else None

        v, p = reader.value("total_weight", parse, hits=[h])
        if v is not None:
            fs.set("total_weight_kg", v, p)
            break
    if "total_weight_kg" not in fs:
        for t in tables:
            for label, words in t.summary:
                cells = summary_cells(t, words, reader.rules.get(words[0].page, []))
                wcol = next((c for c in t.columns if c.key == "weight"), None)
                if wcol and "weight" in cells and "total" in fold(label):
                    text = " ".join(w.text for w in cells["weight"])
                    q, _ = quantity_and_unit(text, conv)
                    unit = nz.weight_unit(text) or header_unit(wcol) or doc_unit or "KG"
                    if q is not None:
                        fs.set("total_weight_kg", nz.to_kg(q, unit), reader.prov(cells["weight"]))
    _coded_boxes(reader, conv, fs, doc_unit, weak)
    return fs, items


# EN 10168 numbers the boxes of an inspection document the same in every language: what each code holds
EN10168_BOXES = {"A01": "mill", "A03": "certificate_number", "A06": "customer", "A07": "po_number",
                 "B01": "product", "B02": "specification",
                 "B13": "total_weight_kg", "Z02": "issue_date"}
_FIELD_OF_LABEL = {"total_weight": "total_weight_kg"}  # label concepts named apart from their field
_CODE = re.compile(r"^([ABZ]\d{2})(?:\.(\d{1,2}))?$")  # "A06", "A06.1" (a box's first subdivision is the box)


def _other_box(reader: Reader, hit, key: str) -> bool:
    """Whether the label stands in an EN 10168 box whose code says it holds something else: "A10 Buyer reference
    number" is no purchase order however its words read; the box code that opens the label's cell decides."""
    cell = next((ph.words for ph in reader.phrases(hit.line) if hit.words[0] in ph.words), [])
    codes = [w for w in cell if w.x1 <= hit.words[0].x0 + 0.5 and _CODE.match(w.text)]
    if not codes:
        return False
    key = _FIELD_OF_LABEL.get(key, key)
    holds = EN10168_BOXES.get(_CODE.match(codes[-1].text).group(1))
    if holds is not None:  # a box the standard gives to a field: that field's
        return holds != key
    # a box the table does not map: no field the standard boxes elsewhere (an "A10 Buyer reference" is no A07
    # order number), any other field (melt country) as its label says
    return key in EN10168_BOXES.values()


def _coded_boxes(reader: Reader, conv, fs: FieldSet, doc_unit: str | None, weak: set[str]) -> None:
    """Fields the labels did not give, from EN 10168 box codes ("A03 Numer certyfikatu 1866645/001"): the
    value is set right of the box's label, or, for a party, in the lines under the box in its column."""
    for name in list(weak) + [f.name for f in fs]:
        v = fs.get(name)
        text = v.name if hasattr(v, "name") else v
        if isinstance(text, str) and _CODE.match(text.split()[0] if text.split() else ""):
            weak.add(name)  # "B03 Dodatkowe wymogi": another box's label read as the value
        elif isinstance(text, str) and text.lstrip().startswith("/"):
            weak.add(name)  # "/ Norme du produit": the label's version in another language, not its value
    for i, ln in enumerate(reader.lines):
        codes = [w for w in ln if _CODE.match(w.text)]
        for k, cw in enumerate(codes):
            m = _CODE.match(cw.text)
            name = EN10168_BOXES.get(m.group(1)) if m.group(2) in (None, "1") else None
            if name is None or (name in fs and name not in weak):
                continue
            right = codes[k + 1].x0 if k + 1 < len(codes) else 1e9
            if name in ("mill", "customer"):  # the party: the lines under the box, in its column
                block: list[list[Word]] = []
                for ln2 in reader.lines[i + 1:i + 7]:
                    if ln2[0].page != cw.page:
                        break
                    near = [w for w in ln2 if cw.x0 - 4 <= w.x0 < right - 2]
                    if not near or any(_CODE.match(w.text) for w in near):
                        break
                    block.append(near)
                party = party_from_lines(block)
                if party is not None:
                    fs.set(name, party, reader.prov([w for b in block for w in b]))
                    weak.discard(name)
                continue
            phs = [ph for ph in reader.phrases(i) if ph.x0 > cw.x0 and ph.x1 <= right + 1]
            if len(phs) < 2 or phs[0].words[0] is cw:
                phs = [ph for ph in phs if cw not in ph.words]
            if len(phs) < 1:
                continue
            text = phs[-1].text
            if name == "issue_date":
                v = conv.date(text)
            elif name == "total_weight_kg":
                q, _ = quantity_and_unit(text, conv)
                v = nz.to_kg(q, nz.weight_unit(text) or doc_unit or "KG") if q is not None else None
            elif name in ("certificate_number", "po_number"):
                v = parse_id(text)
            else:
                v = _text(text)
            label_only = len([ph for ph in reader.phrases(i) if ph.x0 >= cw.x0 and ph.x1 <= right + 1]) < 2
            if v is not None and not label_only:
                fs.set(name, v, reader.prov(phs[-1].words))
                weak.discard(name)
    for name in weak:  # still a guess no box confirms
        v = fs.get(name)
        text = v.name if hasattr(v, "name") else v
        if isinstance(text, str) and text.split() and _CODE.match(text.split()[0]):
            fs.discard(name)




def _heat_tables(reader: Reader):
    return [t for t in find_tables(reader, COLUMNS, anchors=("heat_number",),
                                   numeric=("weight", *[f"chem_{s}" for s in ELEMENTS])) if t.rows]


HEADER_BAND_LINES = 6  # a heats table's header: its label line and at most this many lines under it


def _column_hits(lines: Sequence[Sequence[Word]]) -> int:
    return sum(len({h.key for h in match_line(ln, COLUMNS, kind="column", fuzzy=True)}) for ln in lines if ln)


def _data_row(line: Sequence[Word]) -> bool:
    """A table row of values: three numbers or more."""
    return sum(any(c.isdigit() for c in w.text) and not any(c.isalpha() for c in w.text.strip("Oo")) for w in line) >= 3


def _same_heat(key: str, known: list[str]) -> str:
    """On a scan, a heat read one character short at either end ("2531857" under "H2531857" of the weights
    table) is that heat, when it is the only one it could be."""
    if len(key) < 5:
        return key
    like = [k for k in known if len(k) == len(key) + 1 and (k.startswith(key) or k.endswith(key))]
    return like[0] if len(like) == 1 else key


def _label_words(words: Sequence[Word]) -> list[list[Word]]:
    """The words of each column label the words spell."""
    return [list(h.words) for ln in lines_of(words) if ln for h in match_line(ln, COLUMNS, kind="column", fuzzy=True)]


def _overlap(a: Word, b: Word) -> bool:
    return min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.bottom, b.bottom) > max(a.top, b.top)


def _merge_labels(base: list[Word], other: list[Word]) -> list[Word]:
    """``base`` with the column labels ``other`` reads where ``base`` reads none: each reading of a header
    recognises some cells the other garbles ("Cu," / "Cul"), so the header takes the cells either recognised."""
    if not base:
        return list(other)
    have = [w for lab in _label_words(base) for w in lab]
    out = list(base)
    for lab in _label_words(other):
        if any(_overlap(w, h) for w in lab for h in have):
            continue
        out = [x for x in out if not any(_overlap(x, w) for w in lab)] + lab
        have += lab
    return out


def _reread_headers(pages: Sequence[Page], reader: Reader, tables) -> list[Page] | None:
    """On a scan, the header of each heats table (from the line naming the heat column down to its first row
    of values) read again as one block: a full-page reading drops small isolated cells such as the element
    symbols "C", "S", "V". The pages with the band's words replaced, when that finds more column labels;
    None when nothing changed."""
    from .ocr import read_band

    starts = {i for t in tables for i in t.header_lines}
    starts |= {h.line for h in reader.find("heat_number")}
    by_number = {p.number: p for p in pages}
    bands: dict[int, list[tuple[float, float]]] = {}
    for i in sorted(starts):
        ln = reader.lines[i]
        page = by_number.get(ln[0].page)
        if page is None or page.method != "ocr":
            continue
        h = max(w.height for w in ln)
        top = min(w.top for w in ln) - 0.4 * h
        bottom = max(w.bottom for w in ln) + 0.4 * h
        for nxt in reader.lines[i + 1:i + 1 + HEADER_BAND_LINES]:
            if nxt[0].page != ln[0].page or _data_row(nxt):
                break
            bottom = max(w.bottom for w in nxt) + 0.2 * h
        if any(t0 <= top <= b0 for t0, b0 in bands.get(page.number, [])):
            continue
        bands.setdefault(page.number, []).append((top, bottom))
    if not bands:
        return None
    out = list(pages)
    changed = False
    for k, page in enumerate(pages):
        words = list(page.words)
        for top, bottom in bands.get(page.number, []):
            inside = [w for w in words if top <= w.ymid <= bottom]
            merged = inside
            for reading in sorted(read_band(page, top, bottom), key=lambda r: -_column_hits(lines_of(r))):
                merged = _merge_labels(merged, reading)
            if _column_hits(lines_of(merged)) <= _column_hits(lines_of(inside)):
                continue
            words = [w for w in words if not top <= w.ymid <= bottom] + merged
            changed = True
        if words != page.words:
            out[k] = replace(page, words=words)
    return out if changed else None


def _reread_chemistry(reader: Reader, tables) -> dict[tuple[int, str], Decimal]:
    """On a scan, each heat's line of analyses read again on its own, as one line: the values under each
    element column, keyed by (id of the row, column key). Values the line reading cannot place or parse are
    left to the page's reading."""
    from .ocr import read_band

    out: dict[tuple[int, str], Decimal] = {}
    pages = {p.number: p for p in reader.pages}
    for t in tables:
        chem_cols = [c for c in t.columns if c.key.startswith("chem_")]
        if not chem_cols:
            continue
        for row in t.rows:
            heat = row.cells.get("heat_number")
            if not heat or not parse_id(row.text("heat_number") or ""):
                continue
            page = pages.get(heat[0].page)
            if page is None or page.method != "ocr" or all(_confident(row, c.key) for c in chem_cols):
                continue  # a text layer, or a scan read surely: no second reading
            first = min(heat, key=lambda w: w.top)
            h = first.height
            line = [w for w in row.words if abs(w.ymid - first.ymid) < 0.6 * h]
            top = min(w.top for w in line) - 0.35 * h
            bottom = max(w.bottom for w in line) + 0.35 * h
            right = chem_cols[-1].right if chem_cols[-1].right < 1e8 else max(w.x1 for w in line) + h
            readings = read_band(page, top, bottom, x0=max(0.0, min(w.x0 for w in line) - h), x1=right, line=True)
            for words in readings[:1]:
                cells: dict[str, list[Word]] = {}
                for w in words:
                    col = next((c for c in chem_cols if c.left <= w.xmid < c.right), None)
                    if col is not None and any(ch.isdigit() for ch in w.text):
                        cells.setdefault(col.key, []).append(w)
                for key, ws in cells.items():
                    v = chem_value(ws[0].text, scanned=True) if len(ws) == 1 else None
                    if v is not None:
                        out[(id(row), key)] = v
    return out


def _places(v: Decimal) -> int:
    return max(0, -v.as_tuple().exponent) if isinstance(v.as_tuple().exponent, int) else 0


CONFIDENT_CELL = 0.9  # a scan's cell read at least this sure, with its decimal separator, stands as read


def _confident(row, key: str) -> bool:
    """A scanned element cell the page's reading is sure of: every word confident, the separator seen."""
    ws = [w for w in row.cells.get(key, []) if any(c.isdigit() for c in w.text)]
    return bool(ws) and all(w.conf >= CONFIDENT_CELL for w in ws) and any(c in ws[0].text for c in ".,")


def _readings(reread, row, key: str, text: str | None, scanned: bool) -> list[Decimal]:
    """A cell's readings, the likelier first: the page's when it is sure of it, else the line's own."""
    page_value = chem_value(text, scanned=scanned) if text else None
    line_value = reread.get((id(row), key))
    order = (page_value, line_value) if not scanned or _confident(row, key) else (line_value, page_value)
    return [v for v in order if v is not None]


def _column_places(reader: Reader, tables, reread) -> dict[tuple[int, str], int]:
    """The number of decimals each element column prints (a column of analyses keeps one precision): the
    most common over the column's readings, keyed by (id of the table, column key)."""
    out: dict[tuple[int, str], int] = {}
    for t in tables:
        for col in t.columns:
            if not col.key.startswith("chem_"):
                continue
            counts: dict[int, int] = {}
            for row in t.rows:
                cell = row.cells.get(col.key)
                scanned = bool(cell) and reader.method.get(cell[0].page) == "ocr"
                for v in _readings(reread, row, col.key, row.text(col.key), scanned):
                    counts[_places(v)] = counts.get(_places(v), 0) + 1
            if counts:
                out[(id(t), col.key)] = max(counts, key=lambda k: (counts[k], k))
            for row in t.rows:
                out[(id(row), col.key)] = out.get((id(t), col.key), -1)
    return out


def _chem_choice(reread, places, row, key: str, text: str, scanned: bool) -> Decimal | None:
    """A heat's value in an element column: of the page's reading and the line's own, the first (see
    ``_readings``) printed to the column's precision, else the first."""
    values = _readings(reread, row, key, text, scanned)
    want = places.get((id(row), key), -1)
    return next((v for v in values if _places(v) == want), values[0] if values else None)


_SYMBOLS = {fold(sym): sym for sym in ELEMENTS}


def transposed_chemistry(reader: Reader, conv) -> tuple[dict, list]:
    """Chemistry written across: a line of element symbols with the values on the next line, each value under
    its symbol ("Symbol C Si Mn …" / "Actual [%] 0.15 0.005 1 …"); several such pairs are merged."""
    chem: dict = {}
    used: list = []
    lines = reader.lines
    for i, ln in enumerate(lines[:-1]):
        syms = [(w, _SYMBOLS[fold(w.text)]) for w in ln if fold(w.text) in _SYMBOLS and w.text[:1].isupper()]
        headed = fold(ln[0].text).strip(":") in ("symbol", "symbols", "element", "elements", "simbolo", "elemento")
        if len(syms) < (2 if headed else 3) or len(syms) < 0.6 * (len(ln) - headed):
            continue
        values = []
        found: list[tuple[str | None, list]] = []
        for nxt in lines[i + 1:i + 6]:  # the values' lines, perhaps under a line of units ("% % %")
            if nxt[0].page != ln[0].page or (found and len([w for w in nxt if fold(w.text) in _SYMBOLS]) >= 2):
                break
            vals = []
            for w in nxt:
                m = re.search(r"(\d+(?:[.,]\d+)?)$", w.text)  # "[%]0.15": the number at the end of a word
                if m:
                    vals.append((w, m.group(1)))
            if len(vals) >= max(1, len(syms) // 2):
                head = fold(nxt[0].text).strip(":[]().") if not any(c.isdigit() for c in nxt[0].text) else None
                found.append((head, vals))
            elif found:
                break
        # rows of the specification's limits ("Min", "Max") around the heat's own ("Actual"): the actual one
        for head, vals in found:
            if head in CHEMISTRY_ROWS["actual"]:
                values = vals
                break
        else:
            for head, vals in found:
                if head not in CHEMISTRY_ROWS["limit"]:
                    values = vals
                    break
        for w, sym in syms:
            xm = (w.x0 + w.x1) / 2
            best = min(values, key=lambda v: abs((v[0].x0 + v[0].x1) / 2 - xm), default=None)
            if best is None or abs((best[0].x0 + best[0].x1) / 2 - xm) > 3 * max(8.0, w.x1 - w.x0):
                continue
            v = conv.number(best[1]) if conv.style else nz.parse_number(best[1], "dot")
            if v is not None and sym not in chem:
                chem[sym] = v
                used += [w, best[0]]
    return chem, used
