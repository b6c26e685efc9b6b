"""Agreements (royalty, licence, commission, distribution, supply): the kind, the parties and their roles,
the effective date, the rate or fixed fee, the base, whether payment is a condition of sale, and the products.

An agreement is prose: beyond the labelled parts (dates, party blocks) its terms are read from sentences, with
the patterns below kept as data."""
from __future__ import annotations

import re
from typing import Sequence

from rapidfuzz import fuzz

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from . import prose
from .common import conventions, find_currency, party_from_lines, party_label
from .labels import Reader, fold
from .layout import phrases_of
from .pages import Page

KEYS = ("effective_date", "agreement_role", "other_date")
# kind of agreement -> title words (checked in this order)
KINDS = (
    ("buying_commission", ("buying agency", "buying agent", "purchasing agency", "sourcing agency", "buying commission")),
    ("selling_commission", ("sales representation", "selling agency", "sales agency", "commission agreement",
                            "representation agreement", "sales agent", "agency agreement", "commercial agency")),
    ("royalty", ("royalty",)),
    ("licence", ("licence", "license", "licencia", "lizenz")),
    ("distribution", ("distribution", "distributor", "distribucion", "vertrieb")),
    ("supply", ("supply", "suministro", "purchase agreement", "liefervertrag")),
)
ROLES = ("licensor", "licensee", "principal", "agent", "supplier", "distributor", "seller", "buyer",
         "manufacturer", "purchaser", "representative", "licenciante", "licenciatario", "proveedor", "comprador",
         "vendedor", "agente", "distribuidor")
# defined terms a preamble gives a party that name its role ("(the “Licensor”)"), folded -> role
ROLE_TERMS = {**{r: r for r in ROLES}, "licencor": "licensor", "sales agent": "agent", "commission agent": "agent",
              "buying agent": "agent", "vendor": "seller", "customer": "buyer", "discloser": "discloser",
              "disclosing party": "discloser", "recipient": "recipient", "receiving party": "recipient",
              "employer": "employer", "employee": "employee", "executive": "employee", "consultant": "consultant",
              "contractor": "contractor", "lender": "lender", "borrower": "borrower",
              "lizenzgeber": "licensor", "lizenznehmer": "licensee", "handelsvertreter": "agent",
              "lieferant": "supplier", "kaufer": "buyer", "verkaufer": "seller", "vertriebshandler": "distributor",
              "concedant": "licensor", "licencie": "licensee", "agent commercial": "agent", "fournisseur": "supplier",
              "acheteur": "buyer", "vendeur": "seller", "distributeur": "distributor", "mandant": "principal",
              "comitente": "principal", "mandante": "principal", "licenciante": "licensor",
              "licenciatario": "licensee", "proveedor": "supplier", "comprador": "buyer", "vendedor": "seller",
              "agente": "agent", "distribuidor": "distributor"}
# phrasings that put the agreement's own date before it: "dated as of", "made and entered into this 20th day of"
_DATE_LEAD = re.compile(r"\b(?:dated|effective|made|entered\s+into|executed|signed|as\s+of|commenc\w*)\b"
                        r"[^.;()\"“”]{0,40}$", re.IGNORECASE)
# the definition of the effective date: DATE (the “Effective Date”) / “Effective Date” means DATE
_EFFECTIVE_TERM = re.compile(r"[\"“](?:[A-Z][a-z]+\s+)?Effective\s+Date[\"”]", re.IGNORECASE)
# another agreement's date named in passing: "that certain Merger Agreement, dated as of …"
_OTHER_AGREEMENT = re.compile(r"\b(?:certain|the|an?)\s+(?:[A-Z][\w-]*\s+){0,6}(?:Agreement|Plan|Letter|Notice)\b[^.;]{0,20}$")
_SIGNATURES = re.compile(r"IN\s+WITNESS\s+WHEREOF|AGREED\s+(?:AND|&)\s+ACCEPTED|ACKNOWLEDGED\s+AND\s+AGREED|"
                         r"Very\s+truly\s+yours|Sincerely", re.IGNORECASE)
_PREAMBLE = re.compile(r"\b(?:between|among(?:st)?|entre|zwischen)\b", re.IGNORECASE)
_PERCENT = re.compile(r"(\d{1,2}(?:[.,]\d{1,3})?)\s*(?:%|per\s*cent\b|percent\b|por\s*ciento)", re.IGNORECASE)
_FEE_WORDS = ("royalty", "commission", "fee", "proceeds", "participation", "regalia", "comision", "pay")
_BASE = re.compile(r"(?:%\)?|per\s*cent\)?|percent\)?)\s+of\s+(?:the\s+)?([^.;()]{6,90}?)"
                   r"(?=\s*(?:\(|[.;,]|\baccepted\b|\bpayable\b|\bsold\b|$))", re.IGNORECASE)
_PRODUCTS = re.compile(r"[\"“](?:licensed |contract )?products?[\"”]\s+(?:means|shall mean|refers to)\s+"
                       r"([^;]+?)(?:;|\.\s|$)", re.IGNORECASE)
_NOT_CONDITION = re.compile(r"not\s+(?:a\s+)?condition\s+of\s+(?:the\s+)?(?:sale|purchase|supply)|"
                            r"(?:may|can)\s+(?:purchase|buy)\s+[^.]{0,80}without\s+pay", re.IGNORECASE)
_CONDITION = re.compile(r"condition\s+of\s+(?:the\s+)?(?:sale|purchase|supply)|"
                        r"(?:shall|will|may)\s+not\s+(?:sell|deliver|supply|purchase)[^.]{0,120}(?:unless|without\s+pay)|"
                        r"no\s+[^.]{0,60}shall\s+be\s+(?:sold|delivered)[^.]{0,80}(?:unless|while)", re.IGNORECASE)
_PARTY_PARA = re.compile(r"\(\d\)\s*(?P<name>[^\n]+)\n(?P<body>.{0,400}?)\((?:hereinafter\s+)?(?:the\s+)?[\"“](?P<role>\w+)[\"”]\)",
                         re.IGNORECASE | re.DOTALL)


# a fixed fee: "a royalty of USD 0.75 per unit", "US$ 2.00 for each pair", "a lump sum of EUR 50,000"
_MONEY = r"(?:[A-Z]{3}|US\$|\$|€|£)\s?\d[\d.,' ]*\d|\d[\d.,' ]*\d\s?(?:[A-Z]{3}|€)"
_FIXED = re.compile(r"(?P<money>" + _MONEY + r")(?:\s*\([^)]{0,40}\))?\s*(?P<unit>(?:per|for\s+each|each|a|/)\s+"
                    r"[A-Za-z]+(?:\s+of\s+[^.;,()]{3,40})?)?")


def _fixed_fee(flat: str, fs: FieldSet, style: str | None, where=lambda text: None) -> None:
    """The fixed amount of a fee where no percentage is stated, with its unit ("per unit of Licensed Product")
    as the base when it is charged per piece."""
    for sentence in re.split(r"(?<=[.;])\s+", flat):
        low = fold(sentence)
        if not any(w in low for w in _FEE_WORDS):
            continue
        for m in _FIXED.finditer(sentence):
            money = nz.parse_money(m.group("money"), style)
            if money is None or money[0] <= 0:
                continue
            fs.set("fixed_amount", money[0], where(m.group("money")))
            if money[1]:
                fs.set("currency", money[1], where(m.group("money")))
            if m.group("unit"):
                fs.set("royalty_base", " ".join(m.group("unit").split()), where(m.group("unit")))
            return


def _kind(title: str) -> str | None:
    t = fold(title)
    for kind, words in KINDS:
        if any(w in t for w in words):
            return kind
    return None


def _title(reader: Reader) -> str:
    return " ".join(" ".join(w.text for w in ln) for ln in reader.lines[:4])


def _parties_by_label(reader: Reader) -> list[dict]:
    out = []
    for hit in reader.find("agreement_role"):
        if not party_label(reader, hit):
            continue
        block = [ln for ln in reader.block(hit) if not fold(" ".join(w.text for w in ln)).startswith("(")]
        party = party_from_lines(block)
        if party is not None:
            out.append({"role": fold(hit.text).strip(" :"), "name": party.name, "country": party.country})
    return out


def _parties_in_prose(text: str) -> list[dict]:
    out = []
    for m in _PARTY_PARA.finditer(text):
        if fold(m.group("role")) not in ROLES:
            continue  # "(4) 9 dex99d4.htm …" over a "(the “Company”)": a numbered heading, not a party paragraph
        body = " ".join(m.group("body").split())
        country = None
        before_role = body.rsplit("(", 1)[0] if "(" in body else body
        parts = [p.strip(" ,.") for p in before_role.split(",") if p.strip(" ,.")]
        for p in reversed(parts[-2:]):
            country = nz.country_code(p)
            if country:
                break
        out.append({"role": fold(m.group("role")), "name": nz.clean_party_name(m.group("name").strip()),
                    "country": country})
    return out


def _collectives(text: str, names: list[prose.Name]) -> list[prose.Name]:
    """Several names gathered under one defined term ("…, L.P., and Joseph Stilwell (collectively, the
    “Stilwell Group”)") are one party, printed as that term; one name with its affiliates stays that name."""
    out: list[prose.Name] = []
    group: list[prose.Name] = []
    for n in names:
        group.append(n)
        if n.role_term is None:
            continue
        if n.collective and len(group) >= 2:
            term = n.role_term
            out.append(prose.Name(term, n.term_start, n.term_end, "collective", term))
        else:
            out.extend(group)
        group = []
    out.extend(group)
    return out


def _preamble(tx: prose.Text, head: int = 6000) -> tuple[list[prose.Name], tuple[int, int] | None]:
    """The parties of the first sentence that names them: the names after its "between" / "among" (one
    not inside a parenthesis, where another agreement's parties are named in passing), or else the names
    it gives a defined role ("Omni National Bank (“Company”)", "I, Jeffrey L. Levine, … (“Employee”)")."""
    text = tx.text
    start = 0
    limit = min(len(text), head)
    while start < limit:
        end = prose.sentence_end(text, start)
        if end <= start:
            break
        for m in _PREAMBLE.finditer(text, start, end):
            before = text[start:m.start()]
            if before.count("(") > before.count(")"):
                continue
            names = _collectives(text, prose.party_names(text, m.end(), end))
            if names:
                return names, (m.start(), end)
        named = [n for n in _collectives(text, prose.party_names(text, start, end))
                 if n.role_term and not _NOT_PARTY_TERM.search(n.role_term)]
        if named:
            return named, (start, end)
        start = end
    return [], None


_NOT_PARTY_TERM = re.compile(r"agreement|date|transaction|information|material|purpose|business|project|product|"
                             r"service|territory|term|period|plan|act\b|offer|letter|merger|contract|confidential|"
                             r"properties|property|shares|stock|notes?\b|affiliates?|representatives?|parties|party\b",
                             re.IGNORECASE)


def _signature_names(tx: prose.Text) -> list[prose.Name]:
    """Parties in the signature blocks: the company printed above a "By:" line (blocks side by side are read
    phrase by phrase), and a person who signs for themselves ("/s/ Barry G. Pea", not "By: /s/ …", which is
    an officer signing for a company)."""
    text = tx.text
    m = None
    for m in _SIGNATURES.finditer(text):
        pass
    start = m.start() if m else max(0, len(text) - 3000)
    out: list[prose.Name] = []
    officers: set[int] = set()  # lines signed under a company's name
    lines = text[start:].split("\n")
    offsets = []
    pos = start
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    for i, ln in enumerate(lines):
        signed = re.match(r"^\s*/s/", ln) is not None  # "NITROMED, INC." over "/s/ Mark Leschly"
        if not signed and not re.match(r"^\s*By\b\s*[:_/]", ln):
            continue
        for k in ((i - 1,) if signed else (i - 1, i - 2)):
            if k < 0:
                break
            if re.search(r"WHEREOF|\bdate\b|\d{4}", lines[k], re.IGNORECASE):
                continue
            words = tx.words_in(offsets[k], offsets[k] + len(lines[k]))
            found = []
            for ph in phrases_of(words):
                cand = re.sub(r"^\s*(?:[A-Z][A-Za-z ]{2,30}:)\s*", "", " ".join(w.text for w in ph.words)).strip()
                off = tx.offset(ph.words[0])
                off = text.find(cand, off) if cand else -1
                if off < 0:
                    continue
                names = [n for n in prose.party_names(text, off, off + len(cand))
                         if n.evidence == "suffix" or (n.evidence == "end" and not signed)]
                if names and len(names[0].text) >= 0.6 * len(cand.rstrip(" :,")):
                    found.append(names[0])
            if found:
                out.extend(found)
                if signed:
                    officers.add(i)
                break
    by_names = {fold(x) for x in re.findall(r"(?<!Signed )\bBy:?[ \t]+(?:/s/[ \t]*)?"
                                            r"([A-Z][\w.'’-]*(?:[ \t]+(?!By\b)[A-Z][\w.'’-]*){1,3})",
                                            text[start:]) if not x.startswith("/s/")}
    for sm in re.finditer(r"/s/\s*([A-Z][\w.'’-]*(?:[ \t]+(?!By\b)[A-Z][\w.'’-]*){1,3})", text[start:]):
        before = text[max(0, start + sm.start() - 12):start + sm.start()]
        if re.search(r"\bBy:?\s*$", before) and not re.search(r"Signed\s+By:?\s*$", before, re.IGNORECASE):
            continue  # an officer signing for a company
        if text.count("\n", start, start + sm.start()) in officers or fold(sm.group(1)) in by_names:
            continue
        s0 = start + sm.start(1)
        names = prose.party_names(text, s0, s0 + len(sm.group(1)))
        if names and names[0].start == s0:
            out.append(names[0])
    return out


def _merge(names: list[prose.Name]) -> list[prose.Name]:
    """The same party named twice (preamble and signature, "INC." and "Inc.") once, as first printed."""
    out: list[prose.Name] = []
    for n in names:
        if any(fuzz.token_set_ratio(fold(n.text), fold(o.text)) >= 90 or
               (o.role_term and fold(o.role_term) == fold(n.text)) for o in out):
            continue
        out.append(n)
    return out


def _parties_from_prose(tx: prose.Text, path: str) -> tuple[list[dict], object]:
    names, span = _preamble(tx)
    if len(names) < 2:
        names = _merge(names + _signature_names(tx))
    parties = []
    for n in names:
        party = {"name": n.text}
        role = ROLE_TERMS.get(fold(n.role_term or "").strip())
        if role:
            party["role"] = role
        tail = tx.text[n.end:n.end + 160].split("(")[0]
        m = re.search(r"\b(?:organi[sz]ed|incorporated|existing)\s+under\s+the\s+laws\s+of\s+(?:the\s+)?"
                      r"([A-Z][\w ]{2,40}?)(?=[,;(]|\s+(?:and|with|having)\b|\s*$)", tail)
        country = nz.country_code(m.group(1)) if m else None
        if country:
            party["country"] = country
        parties.append(party)
    prov = tx.prov(path, span[0], span[1]) if span else (tx.prov(path, names[0].start, names[-1].end) if names else None)
    return parties, prov


def _effective_date(tx: prose.Text, span: tuple[int, int] | None, order: str | None):
    """The agreement's own date: defined as the Effective Date, or stated in the opening ("dated as of",
    "made this 20th day of May, 2014", "Effective as of" over a letter); else the latest date of the
    signature blocks. Dates of other agreements named in passing are not its date."""
    text = tx.text
    head_end = span[1] if span else min(len(text), 1500)
    dates = prose.dates_in(text, order)
    # 1. the opening: a date introduced as the agreement's; "dated as of X and effective as of Y (the
    # “Effective Date”)": the one it defines as effective, else the one it says is effective, else the first
    found = []
    for d in dates:
        if d[0] > head_end:
            break
        lead = text[max(0, d[0] - 60):d[0]]
        m = _DATE_LEAD.search(lead)
        if m and not _OTHER_AGREEMENT.search(text[max(0, d[0] - 90):d[0]]) and not _open_paren(text, d[0], head_end):
            defined = _EFFECTIVE_TERM.match(re.sub(r"^[\s,]*\((?:the\s+|hereinafter\s+)?", "", text[d[1]:d[1] + 40]))
            found.append((0 if defined else 1 if "effective" in m.group().lower() else 2, d))
    if found:
        d = min(found, key=lambda x: x[0])[1]
        return d[2], d
    # 2. a date defined as the Effective Date
    for m in _EFFECTIVE_TERM.finditer(text):
        before = [d for d in dates if m.start() - 140 <= d[1] <= m.start()]
        if before and "(" in text[before[-1][1]:m.start()] and not re.search(r"[.;]\s", text[before[-1][1]:m.start()]):
            return before[-1][2], before[-1]
        after = [d for d in dates if m.end() <= d[0] <= m.end() + 120]
        if after and re.match(r"\s*(?:shall\s+)?(?:mean|means|is|shall\s+be|will\s+be)\b", text[m.end():after[0][0]]):
            return after[0][2], after[0]
    return None, None


def _open_paren(text: str, pos: int, limit: int) -> bool:
    """Whether ``pos`` sits inside a parenthesis opened on its own line or sentence."""
    seg = text[max(0, pos - 200):pos]
    return seg.count("(") > seg.count(")")


def _signature_date(tx: prose.Text, order: str | None):
    """The latest date the parties signed on: dates after "IN WITNESS WHEREOF" (or its like), else dates on the
    closing page's "Date:" / "Dated:" lines or beside a "/s/" signature."""
    text = tx.text
    m = None
    for m in _SIGNATURES.finditer(text):
        pass
    start = m.start() if m else max(0, len(text) - 2500)
    dates = []
    for s0, e0, iso in prose.dates_in(text[start:], order):
        line_start = text.rfind("\n", 0, start + s0) + 1
        line_end = text.find("\n", start + e0)
        line = text[line_start:line_end if line_end >= 0 else len(text)]
        if m is not None or re.search(r"\bdated?\s*:|/s/", line, re.IGNORECASE):
            dates.append((start + s0, start + e0, iso))
    if not dates:
        return None, None
    d = max(dates, key=lambda x: x[2])
    return d[2], d


def _signatures_start(tx: prose.Text) -> int:
    """Where the signature blocks begin (their dates are when each party signed), or the end of the text."""
    m = None
    for m in _SIGNATURES.finditer(tx.text):
        pass
    return m.start() if m else len(tx.text)


def _letter_date(tx: prose.Text, order: str | None):
    """A letter's date: a line that is only a date, among the first lines before the salutation."""
    text = tx.text
    pos = 0
    for i, line in enumerate(text.split("\n")[:20]):
        if re.match(r"\s*(?:Dear\b|Ladies\b|Gentlemen\b|To\s+whom\b)", line, re.IGNORECASE):
            break
        found = prose.dates_in(line, order)
        if len(found) == 1 and len(re.sub(r"[\W_]", "", line[:found[0][0]] + line[found[0][1]:])) <= 3:
            return found[0][2], (pos + found[0][0], pos + found[0][1], found[0][2])
        pos += len(line) + 1
    return None, None


_SENTENCE_START = re.compile(r"[.!?;]\s+(?=[\"“(]?[A-Z0-9])")
# a clause's number and heading run into its first sentence in the flattened text: "4. NO CONDITION 4.1 The …"
_HEADING = re.compile(r"(?:\d+(?:\.\d+)*\.?\s+)?(?:(?:[A-Z][A-Z'’&-]+|OF|TO|A)\s+)*"
                      r"(?:\d+(?:\.\d+)*\.?\s+)?(?=[A-Z][a-z])")


def clause_of(flat: str, pattern: re.Pattern) -> str:
    """The sentence of ``flat`` that states what ``pattern`` finds: its first match in running text (a clause's
    heading in capitals, "CONDITION OF SALE", names the clause but states nothing), widened to the sentence
    around it; the first match itself when only headings match."""
    matches = list(pattern.finditer(flat))
    m = next((m for m in matches if not m.group(0).isupper()), None)
    if m is None:
        return matches[0].group(0)
    starts = [b.end() for b in _SENTENCE_START.finditer(flat, 0, m.start())]
    start = starts[-1] if starts else 0
    head = _HEADING.match(flat, start)
    if head and head.end() <= m.start():
        start = head.end()
    return flat[start:max(prose.sentence_end(flat, start), m.end())].strip()


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    fs = FieldSet()
    text = "\n".join(" ".join(w.text for w in ln) for ln in reader.lines)
    flat = " ".join(text.split())
    kind = _kind(_title(reader)) or _kind(flat[:600])
    # the box of the title that names the kind (a reference line may stand above it), else of the first line
    named = [ln for ln in reader.lines[:4] if _kind(" ".join(w.text for w in ln))]
    fs.set("agreement_type", kind, reader.prov(named[0] if named else reader.lines[0]) if reader.lines else None)
    tx = prose.Text.of(pages)
    parties, pprov = _parties_by_label(reader) or _parties_in_prose(text), None
    if not parties:
        parties, pprov = _parties_from_prose(tx, path)
    if parties:
        fs.set("parties", [{k: v for k, v in p.items() if v} for p in parties], pprov)
    # the agreement's own date in its prose first: a labelled "Date:" may be another event's
    _, span = _preamble(tx)
    v, d = _effective_date(tx, span, conv.order)
    p = tx.prov(path, d[0], d[1]) if d else None
    if v is None:
        v, d = _letter_date(tx, conv.order)
        p = tx.prov(path, d[0], d[1]) if d else None
    if v is None:  # a labelled date ("Effective Date: …"), not a label word inside a sentence
        sign = _signatures_start(tx)
        v, p = reader.value("effective_date", conv.date,
                            hits=[h for h in reader.find("effective_date") if party_label(reader, h)
                                  and tx.offset(h.words[0]) < sign])
    if v is None:
        v, d = _signature_date(tx, conv.order)
        p = tx.prov(path, d[0], d[1]) if d else None
    fs.set("effective_date", v, p)
    def where(snippet: str):
        return tx.locate(path, snippet)

    # the rate: the first percentage in a sentence about paying a fee
    for sentence in re.split(r"(?<=[.;])\s+", flat):
        low = fold(sentence)
        if not any(w in low for w in _FEE_WORDS):
            continue
        m = _PERCENT.search(sentence)
        if m:
            fs.set("rate_percent", nz.parse_number(m.group(1).replace(",", ".")), where(m.group(0)))
            if kind in ("royalty", "licence", "distribution"):
                b = _BASE.search(sentence[m.start():])
                if b:
                    fs.set("royalty_base", b.group(1).strip(), where(b.group(1)))
            break
    if "rate_percent" not in fs:
        _fixed_fee(flat, fs, conv.style, where)
    m = re.search(r"\b(?:payable|paid|expressed)\s+in\s+([A-Z]{3})\b", flat)
    cur = nz.currency_code(m.group(1)) if m else None
    if cur is None:
        cur, _ = find_currency(pages, reader)
    fs.set("currency", cur, None)
    if _NOT_CONDITION.search(flat):
        fs.set("condition_of_sale", False, where(clause_of(flat, _NOT_CONDITION)))
    elif _CONDITION.search(flat):
        fs.set("condition_of_sale", True, where(clause_of(flat, _CONDITION)))
    m = _PRODUCTS.search(flat)
    if m:
        fs.set("products", m.group(1).strip(), where(m.group(1)))
    return fs, []
