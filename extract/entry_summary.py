"""CBP Form 7501 entry summaries, in the older layout (line blocks 27–34) and the 2024 one (31–38, block 21
country of melt and pour): header boxes by their labels, the line block by its column headers, chapter 99
sub-lines, SPI prefixes, the relationship flag, fee lines 499 (MPF) and 501 (HMF), and the totals."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Sequence

from ..models.records import FieldSet, LineItem, Party
from . import normalize as nz
from .common import Conventions, clean_lines, conventions, parse_id
from .labels import Reader, fold, match_line
from .layout import phrases_of, split_by_rules
from .pages import Page, Word
from .vocab import ENTRY_COLUMNS

KEYS = ("total_duty", "total_amount", "other_fees", "entry_number", "entry_type", "summary_date", "entry_date", "port_code", "mode_of_transport",
        "country_of_origin", "exporting_country", "manufacturer_id", "importer_number", "importer",
        "consignee_number", "ultimate_consignee", "exchange_rate", "total_entered_value", "import_date",
        "bl_number", "melt_country", "currency", "invoice_number", "other_date")
_HTS = re.compile(r"(?:\b([A-Z]{1,2}\+?|[A-Z]\*)\s+)?\b(\d{4}\.\d{2}\.\d{2}(?:\.?\d{2})?|\d{4}\.\d{2}\.\d{4}|\d{10})\b")
# Fees by their class codes (SPEC §4: MPF is class 499, HMF 501) and the names printed beside them.
FEE_CLASSES: dict[str, str] = {"499": "mpf", "501": "hmf"}
FEE_NAMES: dict[str, list[str]] = {
    "mpf": ["mpf", "merchandise processing fee", "merchandise processing fees", "merchandise processing"],
    "hmf": ["hmf", "harbor maintenance fee", "harbour maintenance fee", "harbor maintenance fees",
            "harbor maintenance", "harbour maintenance"],
}
FEE_SUMMARY_WORDS = ("fee summary", "other fee", "class code", "fee class")
_AMOUNT = re.compile(r"^\(?\$?\s*(\d{1,3}(?:[,.\s]\d{3})*[.,]\d{2}|\d+[.,]\d{2})\)?$")
_EXCH = re.compile(r"(?:exch(?:ange)?\.?\s*rate|exch\.?|rate of exchange)\s*[:=]?\s*(\d+[.,]\d+)", re.IGNORECASE)
_INV = re.compile(r"\b(?:inv(?:oice)?\.?\s*(?:no\.?|#|number)?)\s*[:#]?\s*([A-Z0-9][A-Z0-9\-/.]*\d[A-Z0-9\-/.]*)",
                  re.IGNORECASE)
_CUR = re.compile(r"\b(USD|EUR|CNY|RMB|COP|MXN|GBP|JPY|CAD|KRW|TWD|INR|BRL|CHF|VND|THB)\b")
_REL = re.compile(r"\b(?:relationship|related|rel\.?)\s*[:=]?\s*(Y|N|yes|no|related|not related)\b", re.IGNORECASE)


def _code(n: int):
    def parse(text: str) -> str | None:
        m = re.match(rf"^\s*(\d{{{n}}})\b", text)
        return m.group(1) if m else None
    return parse


def _country_box(text: str) -> str | None:
    """A country box holds a code: a scan may read "CO" as "co"."""
    t = text.strip()
    return nz.country_code(t.upper() if re.fullmatch(r"[A-Za-z]{2}", t) else t)


def _mid(text: str) -> str | None:
    t = text.strip().split()
    if not t:
        return None
    tok = t[0].strip(".,;:")
    return tok.upper() if len(tok) >= 8 and tok.isalnum() and tok[:2].isalpha() else None


def _importer_number(text: str) -> str | None:
    m = re.match(r"^\s*(\d{2}-\d{7}(?:-?[0-9A-Z]{2})?|\d{3}-\d{2}-\d{4}(?:-?\d{2})?|[0-9A-Z]{6,}(?:-[0-9A-Z]+)*)\b", text)
    return m.group(1) if m and any(c.isdigit() for c in m.group(1)) else None


def _columns(reader: Reader) -> tuple[dict[str, tuple[float, float]], int, int] | None:
    """The line block's columns (key -> x range), the index of its last header line, and its page."""
    keys = tuple(ENTRY_COLUMNS)
    for i, ln in enumerate(reader.lines):
        hits = match_line(ln, keys, kind="column", fuzzy=reader.method.get(ln[0].page) == "ocr")
        if len({h.key for h in hits}) < 2 or not any(h.key in ("es_hts", "es_description", "es_entered_value")
                                                     for h in hits):
            continue
        cols: dict[str, tuple[float, float]] = {}
        last = i
        page = ln[0].page
        for j in range(i, min(i + 5, len(reader.lines))):
            lj = reader.lines[j]
            if lj[0].page != page or (j > i and min(w.top for w in lj) - max(w.bottom for w in reader.lines[j - 1]) > 14):
                break
            hs = match_line(lj, keys, kind="column", fuzzy=reader.method.get(page) == "ocr")
            if not hs:
                break
            if any(_HTS.search(w.text) for w in lj):
                break
            for h in hs:
                if h.key not in cols:
                    cols[h.key] = (h.x0, h.x1)
            last = j
        if len(cols) >= 3:
            return cols, last, page
    return None


def _infer_columns(cols: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """A column whose header the scan or an overprint garbled lies between the columns found on either side:
    the description between the line number and the HTS number, the line number left of the description."""
    cols = dict(cols)
    if "es_line_no" not in cols and "es_description" in cols:  # "Line No." unread: the margin left of block 28/32
        cols["es_line_no"] = (0.0, cols["es_description"][0] - 4)
    if "es_description" not in cols and "es_line_no" in cols and "es_hts" in cols:
        cols["es_description"] = (cols["es_line_no"][1] + 6, cols["es_hts"][0] - 6)
    return cols


def _nearest_pair(words: list[Word], col: tuple[float, float], conv: Conventions):
    """The quantity of a quantity cell: a number and its unit; where a weight set close ran into the cell
    ("23,069 KG 21,757 KG"), the pair under the column's header."""
    pairs = []
    for k, w in enumerate(words):
        n = conv.number(w.text)
        if n is None:
            continue
        nxt = words[k + 1] if k + 1 < len(words) else None
        unit = nz.unit_code(nxt.text) if nxt is not None else None
        raw = nxt.text.upper() if nxt is not None and nxt.text.isalpha() else None
        pairs.append((n, unit or raw, [w, nxt] if unit or raw else [w]))
    if not pairs:
        return None
    mid = (col[0] + col[1]) / 2
    return min(pairs, key=lambda p: abs((p[2][0].x0 + p[2][-1].x1) / 2 - mid))


def _quantity_after_weight(ln: list[Word], cols: dict[str, tuple[float, float]], conv: Conventions):
    """Without a quantity column: the second "number unit" pair between the HTS number and the entered value
    (the first is the gross weight, block 30/34 A)."""
    right = cols.get("es_entered_value", (1e9, 1e9))[0] - 4
    left = max((w.x1 for w in ln if _HTS.search(w.text)), default=None)
    if left is None:
        return None
    words = [w for w in ln if left <= w.x0 and w.x1 <= right]
    pairs = []
    for a, b in zip(words, words[1:]):
        unit = nz.unit_code(b.text)
        n = conv.number(a.text)
        if unit and n is not None:
            pairs.append((n, unit, [a, b]))
    if len(pairs) == 2 and pairs[0][1] in ("KG", "LB"):
        return pairs[1]
    return None


def _column_of(ph, cols: dict[str, tuple[float, float]]) -> str | None:
    best, dist = None, 1e9
    cx = (ph.x0 + ph.x1) / 2
    for key, (x0, x1) in cols.items():
        if x0 - 2 <= cx <= x1 + 2:
            return key
        d = min(abs(cx - x0), abs(cx - x1))
        if d < dist:
            best, dist = key, d
    return best


def _rate(text: str) -> Decimal | None:
    t = text.strip()
    if fold(t).startswith("free"):
        return Decimal(0)
    m = re.search(r"(\d+(?:[.,]\d+)?)\s*%", t)
    if m:
        return Decimal(m.group(1).replace(",", "."))
    return None


def _lines(reader: Reader, conv: Conventions) -> tuple[list[LineItem], dict]:
    found = _columns(reader)
    extra: dict = {"invoices": [], "relationship": None, "currency": None, "exchange_rate": None}
    if found is None:
        return [], extra
    cols, last_header, page = found
    cols = _infer_columns(cols)
    items: list[LineItem] = []
    cur: FieldSet | None = None
    cur_words: list[Word] = []
    target: dict | None = None  # the chapter 99 sub-line being filled
    for j in range(last_header + 1, len(reader.lines)):
        ln = reader.lines[j]
        text = " ".join(w.text for w in ln)
        ft = fold(text)
        if any(k in ft for k in ("total entered value", "other fee summary", "fee summary", "declaration of",
                                 "block 35", "35 total")):
            break
        if not _HTS.search(text) and _fee_rows(ln, conv):
            continue
        for m in _INV.finditer(text):
            ident = parse_id(m.group(1))
            if ident and ident not in extra["invoices"]:
                extra["invoices"].append(ident)
        m = _EXCH.search(text)
        if m:
            extra["exchange_rate"] = (nz.parse_number(m.group(1), "dot" if "." in m.group(1) else "comma"),
                                      reader.prov(ln))
        m = _CUR.search(text)
        if m and ("inv" in ft or "exch" in ft or "currency" in ft):
            extra["currency"] = nz.currency_code(m.group(1))
        m = _REL.search(text)
        if m:
            extra["relationship"] = fold(m.group(1)) in ("y", "yes", "related")
        cells: dict[str, list[Word]] = {}
        row = list(ln)
        if "es_line_no" in cols and re.fullmatch(r"\d{1,3}", row[0].text) \
                and row[0].x0 < cols["es_line_no"][1] + 10 and len(row) > 1:
            cells["es_line_no"] = [row.pop(0)]  # "001 ELECTRIC WINCHES" set close: the number is the line's
        for ph in split_by_rules(phrases_of(row), reader.rules.get(ln[0].page, [])):
            key = _column_of(ph, cols)
            if key:
                cells.setdefault(key, []).extend(ph.words)

        def cell(key: str) -> str:
            return " ".join(w.text for w in cells.get(key, []))

        line_no = None
        lt = cell("es_line_no").strip()
        if re.fullmatch(r"\d{1,3}", lt):
            line_no = int(lt)
        hts_text = cell("es_hts") or text
        hts_m = list(_HTS.finditer(hts_text))
        if line_no is not None:
            cur = FieldSet()
            cur.set("line_no", line_no, reader.prov(cells["es_line_no"]))
            items.append(LineItem(cur, None))
            cur_words = []
            target = None
        if cur is None:
            continue
        cur_words.extend(ln)
        for hm in hts_m:
            hts = nz.normalize_hts(hm.group(2))
            if hts is None:
                continue
            if hts.startswith("99"):
                target = {"hts": hts}
                cur.set("additional", (cur.get("additional") or []) + [target])
            elif "hts" not in cur:
                cur.set("hts", hts, reader.prov([w for w in ln if hm.group(2) in w.text] or ln))
                if hm.group(1):
                    cur.set("spi", hm.group(1))
                target = None
        desc = cell("es_description").strip()
        if "melt" in fold(desc):  # "COUNTRY OF MELT AND POUR: MX" under the line
            melt = _country_box(desc.split(":")[-1]) if ":" in desc else None
            if melt:
                cur.set("melt_country", melt, reader.prov(cells["es_description"]))
            desc = ""
        if desc and not _HTS.search(desc) and not _INV.search(desc) and not _EXCH.search(desc) \
                and not any(c.isdigit() for c in desc[:1]):
            prev = cur.get("description")
            cur.set("description", f"{prev} {desc}" if prev else desc, reader.prov(cells["es_description"]))
        qt = cell("es_quantity")
        if qt and "quantity" not in cur:
            qw = _nearest_pair(cells["es_quantity"], cols["es_quantity"], conv)
            if qw is not None:
                cur.set("quantity", qw[0], reader.prov(qw[2]))
                if qw[1]:
                    cur.set("unit", qw[1])
        if "quantity" not in cur and "es_quantity" not in cols and hts_m:
            q = _quantity_after_weight(ln, cols, conv)
            if q is not None:
                cur.set("quantity", q[0], reader.prov(q[2]))
                cur.set("unit", q[1])
        vt = cell("es_entered_value")
        vw = cells.get("es_entered_value", [])
        if any(nz.unit_code(w.text) for w in vw):  # "63 PCS" drifted here: a quantity, not a value
            vt = " ".join(w.text for k, w in enumerate(vw)
                          if not nz.unit_code(w.text) and not (k + 1 < len(vw) and nz.unit_code(vw[k + 1].text)))
        if vt:
            rel = re.search(r"\b(Y|N)\b", vt)
            nums = [conv.money(t) for t in vt.replace("$", " ").split() if any(c.isdigit() for c in t)]
            nums = [n for n in nums if n is not None]
            if nums:
                if target is not None and "value" not in target:
                    target["value"] = nums[0]
                elif "entered_value" not in cur:
                    cur.set("entered_value", nums[0], reader.prov(cells["es_entered_value"]))
            if rel and "related_party" not in cur:
                cur.set("related_party", rel.group(1) == "Y")
        rt = cell("es_rate")
        if rt:
            r = _rate(rt)
            if r is not None:
                if target is not None and "rate" not in target:
                    target["rate"] = r
                elif "duty_rate" not in cur:
                    cur.set("duty_rate", r, reader.prov(cells["es_rate"]))
        dt = cell("es_duty")
        if dt:
            d = conv.money(dt.replace("$", "").split()[-1]) if dt.split() else None
            if d is not None:
                if target is not None and "duty" not in target:
                    target["duty"] = d
                elif "duty" not in cur:
                    cur.set("duty", d, reader.prov(cells["es_duty"]))
        mt = cell("es_melt")
        if mt and _country_box(mt):
            cur.set("melt_country", _country_box(mt))
        items[-1].prov = reader.prov(cur_words)
    return items, extra


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    fs = FieldSet()
    parsers = {
        "entry_number": nz.normalize_entry_number, "entry_type": _code(2), "summary_date": conv.date,
        "entry_date": conv.date, "port_code": _code(4), "mode_of_transport": _code(2),
        "country_of_origin": _country_box, "exporting_country": _country_box, "manufacturer_id": _mid,
    }
    for name, parse in parsers.items():
        v, p = reader.value(name, parse)
        fs.set(name, v, p)
    if "entry_number" not in fs:  # anywhere on the form
        for ln in reader.lines:
            v = nz.normalize_entry_number(" ".join(w.text for w in ln))
            if v:
                fs.set("entry_number", v, reader.prov(ln))
                break
    number, p_num = reader.value("importer_number", _importer_number)
    party = None
    for hit in reader.find("importer"):
        block = clean_lines(reader.block(hit))
        if block:
            name = nz.clean_party_name(" ".join(w.text for w in block[0]))
            if name and any(c.isalpha() for c in name):
                party = Party(name=name, number=number)
                fs.set("importer", party, reader.prov([w for ln in block for w in ln]))
                break
    if party is None and number:
        fs.set("importer", Party(number=number), p_num)
    items, extra = _lines(reader, conv)
    v, p = reader.value("exchange_rate", lambda t: nz.parse_number(t.split()[0], None) if t.split() else None)
    if v is None and extra["exchange_rate"]:
        v, p = extra["exchange_rate"]
    fs.set("exchange_rate", v, p)
    currency = extra["currency"]
    if currency is None:
        currency, _ = reader.value("currency", nz.currency_code)
    fs.set("currency", currency or ("USD" if v is None else None))
    invoices = extra["invoices"]
    if not invoices:
        for hit in reader.find("invoice_number"):
            for run in reader.candidates(hit):
                ident = parse_id(" ".join(w.text for w in run))
                if ident and ident not in invoices:
                    invoices.append(ident)
    fs.set("invoice_numbers", invoices)
    rels = [li.get("related_party") for li in items if li.get("related_party") is not None]
    if rels:
        fs.set("related_party", any(rels))
    elif extra["relationship"] is not None:
        fs.set("related_party", extra["relationship"])
    v, p = reader.value("melt_country", _country_box)
    if v:
        for li in items:
            if "melt_country" not in li.fields:
                li.fields.set("melt_country", v, p)
    _totals(reader, conv, fs, items)
    return fs, items


def _totals(reader: Reader, conv: Conventions, fs: FieldSet, items: Sequence[LineItem] = ()) -> None:
    """Block 35 (total entered value, whole dollars), the fee lines, and the duty and total blocks."""
    def money(t: str):
        t = t.replace("$", " ").strip()
        return conv.money(t.split()[0]) if t.split() else None

    def cents(t: str):
        m = re.match(r"^\s*\$?\s*(\d{1,3}(?:,\d{3})*\.\d{2}|\d+\.\d{2})\b", t)
        return conv.money(m.group(1)) if m else None

    v, p = reader.value("total_entered_value", money)
    fs.set("total_entered_value", v, p)
    _fees(reader, conv, fs, items)
    # the totals blocks sit at the bottom: the last label of each kind, amounts with cents in its box
    for name, key in (("total_duty", "total_duty"), ("total", "total_amount")):
        for hit in reversed(reader.find(key)):
            v, p = reader.value(key, cents, hits=[hit])
            if v is not None:
                fs.set(name, v, p)
                break


# --- the fee block ----------------------------------------------------------------------------------
def _fee_name_tokens() -> list[tuple[str, list[str]]]:
    from .labels import tokens_of

    return sorted(((fee, tokens_of(n)) for fee, names in FEE_NAMES.items() for n in names),
                  key=lambda x: -len(x[1]))


def _fee_anchors(ln: Sequence[Word]) -> list[tuple[int, int, str, bool]]:
    """Where a line names a fee: (index of its first word, index after its last, fee, whether a fee name is
    printed) — its class code ("499", "501", "499-MPF", "501 HMF") or, with no code, its name ("MPF", "Harbor
    Maintenance Fee")."""
    from .labels import tokens_of

    anchors: list[tuple[int, int, str, bool]] = []
    names = _fee_name_tokens()
    i = 0
    while i < len(ln):
        t = ln[i].text.strip(".:;,()[]")
        head = re.match(r"^(\d{3})(?:\s*[-/]?\s*(MPF|HMF))?$", t, re.IGNORECASE)
        if head and head.group(1) in FEE_CLASSES and not _is_money_word(ln, i):
            end = i + 1
            named = bool(head.group(2))
            # the name printed after the code belongs to the anchor
            toks = [tok for w in ln[end:end + 4] for tok in tokens_of(w.text)]
            for _, nt in names:
                if toks[:len(nt)] == nt:
                    end += _words_for(ln[end:], len(nt))
                    named = True
                    break
            anchors.append((i, end, FEE_CLASSES[head.group(1)], named))
            i = end
            continue
        toks = [tok for w in ln[i:i + 4] for tok in tokens_of(w.text)]
        for fee, nt in names:
            if nt and toks[:len(nt)] == nt:
                n = _words_for(ln[i:], len(nt))
                if not (anchors and anchors[-1][2] == fee and anchors[-1][1] == i):
                    anchors.append((i, i + n, fee, True))
                i += n
                break
        else:
            i += 1
    return anchors


def _words_for(words: Sequence[Word], n_tokens: int) -> int:
    """How many words hold the first ``n_tokens`` tokens."""
    from .labels import tokens_of

    count = used = 0
    for w in words:
        if count >= n_tokens:
            break
        count += len(tokens_of(w.text))
        used += 1
    return max(1, used)


def _is_money_word(ln: Sequence[Word], i: int) -> bool:
    """"499.00" or "$ 499": a number that is an amount, not a class code."""
    t = ln[i].text
    return "." in t.strip(".") or "," in t or (i > 0 and ln[i - 1].text.strip() == "$")


def _is_rate(words: Sequence[Word], k: int, value: Decimal) -> bool:
    """A fee rate, not an amount: printed with %, or equal to a fee rate (in percent or as a fraction)."""
    from ..audit.revenue import HMF_RATE, MPF_RATE

    t = words[k].text
    if "%" in t or (k + 1 < len(words) and words[k + 1].text.strip().startswith("%")):
        return True
    return any(value == r or value == r / 100 for r in (MPF_RATE, HMF_RATE))


def _segment_amounts(words: Sequence[Word], conv: Conventions) -> list[tuple[Decimal, list[Word]]]:
    """The figures right of a class code written as money (cents, or a dollar sign), left to right; never a
    rate."""
    found = []
    for k, w in enumerate(words):
        t = w.text.strip()
        if not any(c.isdigit() for c in t):
            continue
        value = conv.number(t.strip("$%()"))
        if value is None:
            continue
        if _is_rate(words, k, value):
            continue
        dollar = t.startswith("$") or (k > 0 and words[k - 1].text.strip() == "$")
        if not (_AMOUNT.match(t) or (dollar and re.fullmatch(r"\$?\d{1,3}(?:,\d{3})*", t))):
            continue
        money = conv.money(t.replace("$", "").strip("()")) if _AMOUNT.match(t) else value
        if money is not None:
            found.append((money, [w]))
    return found


def _fee_reads(reader: Reader, conv: Conventions
               ) -> dict[str, list[tuple[list[tuple[Decimal, list[Word]]], bool]]]:
    """The amounts read against each fee's class code or name, row by row: (the row's money figures, inside a
    fee summary block)."""
    reads: dict[str, list[tuple[list[tuple[Decimal, list[Word]]], bool]]] = {}
    in_summary = False
    for ln in reader.lines:
        text = " ".join(w.text for w in ln)
        ft = fold(text)
        if any(k in ft for k in FEE_SUMMARY_WORDS):
            in_summary = True
        if _HTS.search(text):
            in_summary = False
            continue
        for fee, got in _fee_rows(ln, conv, in_summary):
            reads.setdefault(fee, []).append((got, in_summary))
    return reads


def _fee_rows(ln: Sequence[Word], conv: Conventions, in_summary: bool = False
              ) -> list[tuple[str, list[tuple[Decimal, list[Word]]]]]:
    """The fee rows of one line, each with its money figures. A bare class code counts inside a fee summary,
    or with nothing but figures after it ("499   0.3464   452.17"); elsewhere "499" may be a quantity."""
    rows = []
    anchors = _fee_anchors(ln)
    for n, (start, end, fee, named) in enumerate(anchors):
        stop = anchors[n + 1][0] if n + 1 < len(anchors) else len(ln)
        seg = ln[end:stop]
        if not (named or in_summary or all(re.fullmatch(r"[\d$%.,()\s]+", w.text) for w in seg)):
            continue
        got = _segment_amounts(seg, conv)
        if got:
            rows.append((fee, got))
    return rows


def _fee_base(fs: FieldSet, items: Sequence[LineItem]) -> Decimal | None:
    """The entered value the fees are a share of: block 35, or the lines' entered values."""
    values = [v for v in (fs.get("total_entered_value"),
                          sum((li.get("entered_value") for li in items if li.get("entered_value") is not None),
                              Decimal(0)) or None) if v is not None]
    return max(values) if values else None


def plausible_fee(fee: str, amount: Decimal, base: Decimal | None, iso_date: str | None,
                  entry_type: str | None = None) -> bool:
    """Whether ``amount`` can be the ``fee`` ("mpf"/"hmf") of an entry of entered value ``base``: MPF is
    0.3464 % of the value within the fiscal year's minimum and maximum (an overpayment above the maximum or a
    past year's limit stays plausible), HMF 0.125 % of the value. A rate or a stray figure is not."""
    from ..audit import revenue

    if amount <= 0:
        return False
    slack = Decimal("1.01")
    if fee == "mpf":
        _, lo, hi, _ = revenue.mpf_limits(iso_date)
        lows = [pair[0] for pair in revenue.MPF_LIMITS.values()] + [lo]
        highs = [pair[1] for pair in revenue.MPF_LIMITS.values()] + [hi]
        informal = entry_type == "11"
        if not informal and amount < min(lows) * Decimal("0.75"):
            return False
        ceiling = max(highs)
        if base is not None:
            ceiling = max(base * revenue.MPF_RATE / 100, min(lows) if informal else max(lows))
            if base * revenue.MPF_RATE / 100 > min(highs):
                ceiling = max(ceiling, max(highs))
        return amount <= ceiling * slack + Decimal("0.01")
    if fee == "hmf":
        if base is None:
            return True
        return amount <= base * revenue.HMF_RATE / 100 * slack + Decimal("0.01")
    return True


def _fees(reader: Reader, conv: Conventions, fs: FieldSet, items: Sequence[LineItem]) -> None:
    """MPF and HMF from the rows of their class codes: the amount, never the rate beside it, and only an
    amount plausible for the entered value; several different amounts per fee resolve to the fee summary's
    (or to the one that is the sum of the others), else the fee is left out."""
    base = _fee_base(fs, items)
    date = fs.get("entry_date") or fs.get("summary_date")
    for fee, rows in _fee_reads(reader, conv).items():
        ok = []
        for figures, in_summary in rows:  # the rightmost plausible figure of the row (the amount column)
            good = [f for f in figures if plausible_fee(fee, f[0], base, date, fs.get("entry_type"))]
            if good:
                ok.append((good[-1][0], good[-1][1], in_summary))
        if not ok:
            continue
        values = {r[0] for r in ok}
        if len(values) == 1:
            pick = ok[-1]
        else:
            top = max(ok, key=lambda r: r[0])
            rest = sum((r[0] for r in ok if r is not top), Decimal(0))
            summary = [r for r in ok if r[2]]
            if rest == top[0]:
                pick = top
            elif summary and len({r[0] for r in summary}) == 1:
                pick = summary[-1]
            else:
                continue
        fs.set(fee, pick[0], reader.prov(pick[1]))
