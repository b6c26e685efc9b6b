"""Reading prose: a document's words as one running text that still knows where each character came from,
sentences that do not end at "Inc." or an initial, dates in the forms contracts write them ("the 20th day of
May, 2014"), and the names of parties as a preamble or a signature block prints them.

Names are found with a spaCy ``Matcher`` over a ``spacy.blank("en")`` tokenizer (no model): a run of
capitalised tokens, its legal-form suffix (``Inc.``, ``LLC``, ``GmbH``, ``S.A.`` …, a ``PhraseMatcher`` over
the list below) and what follows it decide whether the run names a party. Word lists are data here, not
branches in the code.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from . import normalize as nz
from .layout import lines_of
from .pages import Page, Word, provenance

# legal forms that end a company's name (compared case-folded, dots kept as printed)
ENTITY_SUFFIXES = (
    "Inc.", "Inc", "Incorporated", "Corp.", "Corp", "Corporation", "Co.", "Company", "Companies", "LLC", "L.L.C.",
    "Ltd.", "Ltd", "Limited", "LP", "L.P.", "LLP", "L.L.P.", "LLLP", "PLC", "P.L.C.", "PLLC", "P.C.", "N.A.",
    "GmbH", "AG", "KG", "GmbH & Co. KG", "S.A.", "SA", "S.A.S.", "SAS", "S.p.A.", "SpA", "S.r.l.", "Srl", "S.L.",
    "S.A. de C.V.", "S. de R.L.", "B.V.", "BV", "N.V.", "NV", "A/S", "AS", "ASA", "AB", "Oy", "Oyj", "K.K.",
    "Pty Ltd", "Pty. Ltd.", "Pte. Ltd.", "Sdn. Bhd.", "Bhd", "SE", "S.E.", "Kft.", "s.r.o.", "a.s.", "Sp. z o.o.",
    "Ltda.", "Ltda", "S.A.C.", "e.K.", "OHG", "UG", "GbR", "S.A.R.L.", "SARL", "S.à r.l.", "S.C.", "S.R.L.", "Bancorp", "Bancshares", "Trust", "Bank", "Holdings", "Group", "Partners",
    "Fund", "Associates", "Foundation", "University", "Association",
)
# words that may sit inside a name between capitalised words ("Bank of America", "Procter & Gamble")
NAME_CONNECTORS = ("of", "and", "&", "the", "de", "du", "des", "la", "le", "del", "der", "von", "van", "y", "e",
                   "und", "et", "für", "for", "-", "/", "'s", "’s", "@")
# capitalised words that open a sentence or stand for a party but are no one's name
NOT_NAMES = (
    "the", "this", "that", "these", "such", "each", "any", "all", "both", "either", "neither", "other", "its",
    "his", "her", "their", "party", "parties", "company", "employee", "employer", "executive", "recipient",
    "discloser", "disclosing party", "receiving party", "agreement", "whereas", "between", "among", "by", "and",
    "inc", "llc", "corporation", "buyer", "seller", "licensor", "licensee", "principal", "agent", "consultant",
    "contractor", "purchaser", "supplier", "distributor", "manufacturer", "you", "we", "us", "i", "name", "title",
    "by:", "date", "dated", "its:", "witness", "in witness whereof", "signature", "address", "attention",
    "exhibit", "schedule", "section", "article", "annex", "appendix", "confidential", "confidentiality agreement",
    "non-disclosure agreement", "nondisclosure agreement", "mutual", "state", "county", "city", "united states",
    "delaware", "new york", "california", "effective date",
)
# what may follow a party's name in a preamble: a descriptor of who it is or where it sits
DESCRIPTOR_WORDS = ("a", "an", "who", "whose", "which", "residing", "resides", "located", "having", "with",
                    "on", "together", "its", "acting", "organized", "organised", "incorporated", "formerly",
                    "doing", "d/b/a", "dba", "through", "by", "as", "individually", "in", "of", "hereinafter",
                    "duly", "registered", "existing", "domiciled", "whose")
# articles that may stand between "between" and a name
ARTICLES = ("der", "die", "dem", "den", "la", "el", "le", "les", "los", "las", "il", "lo")
# a period after these is not the end of a sentence
ABBREVIATIONS = ("inc", "corp", "co", "ltd", "no", "nos", "st", "mr", "mrs", "ms", "dr", "jr", "sr", "blvd", "ave",
                 "u.s", "l.p", "l.l.c", "n.v", "b.v", "s.a", "p.c", "n.a", "e.g", "i.e", "vs", "v", "inc.", "ste",
                 "rd", "dept", "esq", "ii", "iii", "iv", "fl", "pte", "pty", "bhd", "s.p.a", "s.r.l", "sec", "art",
                 "para", "approx", "etc", "k.k", "llc", "l.l.p", "plc", "p.l.c", "a.g", "s.l")
_NAME_TOKEN = r"^(?:[A-Z0-9][\w.'’&]*|[a-z][\w]*\.(?:com|net|org)|[a-z]+[A-Z][\w.]*|[A-Z]\.)$"
_ORDINAL_DATE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+day\s+of\s+([A-Za-z]+)\s*,?\s*(?:in\s+the\s+year\s+)?(\d{4})",
                           re.IGNORECASE)


@dataclass
class Text:
    """The words of some pages as one string, each word's offset kept so a span maps back to its words."""

    text: str
    starts: list[int]
    words: list[Word]
    method: str = "text"

    @classmethod
    def of(cls, pages: Sequence[Page]) -> "Text":
        parts: list[str] = []
        starts: list[int] = []
        words: list[Word] = []
        pos = 0
        for page in pages:
            for ln in lines_of(page.words):
                for w in ln:
                    starts.append(pos)
                    words.append(w)
                    parts.append(w.text)
                    parts.append(" ")
                    pos += len(w.text) + 1
                parts[-1:] = ["\n"] if parts else []
        method = "ocr" if any(p.method == "ocr" for p in pages) else "text"
        return cls("".join(parts), starts, words, method)

    def offset(self, word: Word) -> int:
        """Where ``word`` starts in the text (the text's length for a word it does not hold)."""
        if not hasattr(self, "_index"):
            self._index = {id(w): s for w, s in zip(self.words, self.starts)}
        return self._index.get(id(word), len(self.text))

    def words_in(self, start: int, end: int) -> list[Word]:
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        out = []
        while i < len(self.words) and self.starts[i] < end:
            if self.starts[i] + len(self.words[i].text) > start:
                out.append(self.words[i])
            i += 1
        return out

    def locate(self, path: str, snippet: str):
        """The provenance of a snippet of flattened text (spaces and line breaks as they fall), or None."""
        toks = snippet.split()
        if not toks:
            return None
        m = re.search(r"\s+".join(re.escape(t) for t in toks), self.text)
        return self.prov(path, m.start(), m.end()) if m else None

    def prov(self, path: str, start: int, end: int):
        return provenance(path, self.words_in(start, end), self.method, " ".join(self.text[start:end].split()))


def sentence_end(text: str, start: int, limit: int = 1600) -> int:
    """Where the sentence running from ``start`` ends: a full stop that no abbreviation, legal form or initial
    explains, followed by a capital; or a paragraph's recitals ("WHEREAS", "RECITALS")."""
    stop = min(len(text), start + limit)
    depth = 0
    for m in re.finditer(r"[()]|[.!?:](?=\s+[\"“(]?[A-Z0-9])|\n(?=\s*(?:WHEREAS|RECITALS|W\s?I\s?T\s?N\s?E\s?S\s?S|"
                         r"NOW,?\s+THEREFORE|BACKGROUND|\d+\.\s))", text[start:stop]):
        ch = m.group()
        if ch == "(":
            depth += 1
            continue
        if ch == ")":
            depth = max(0, depth - 1)
            continue
        if ch == "\n":
            return start + m.start()
        if depth or ch == ":":
            continue
        before = text[max(start, start + m.start() - 12):start + m.start()].split()
        word = before[-1].lower().strip("(“\"") if before else ""
        if word in ABBREVIATIONS or re.fullmatch(r"[a-z]|(?:[a-z]\.)+[a-z]", word):
            continue
        after = text[start + m.end():start + m.end() + 16].split()
        if after and after[0].lower().strip(",.;()") in _SUFFIX_KEYS:
            continue  # "BioLargo. Inc.": a legal form after a stray full stop
        return start + m.start() + 1
    return stop


def dates_in(text: str, order: str | None = None) -> list[tuple[int, int, str]]:
    """Every date in ``text`` as (start, end, ISO), including "the 20th day of May, 2014"."""
    out: list[tuple[int, int, str]] = []
    for m in _ORDINAL_DATE.finditer(text):
        iso = nz.parse_date(f"{m.group(1)} {m.group(2)} {m.group(3)}")
        if iso:
            out.append((m.start(), m.end(), iso))
    pos = 0
    for s, iso in nz.find_dates(text, order):
        i = text.find(s, pos)
        if i < 0:
            continue
        pos = i + len(s)
        if not any(a <= i < b for a, b, _ in out):
            out.append((i, i + len(s), iso))
    return sorted(out)


@lru_cache(maxsize=1)
def _matchers():
    from spacy.matcher import Matcher, PhraseMatcher

    from .labels import _nlp

    nlp = _nlp()  # the process's one blank English pipeline, which the labels and the classification match over
    names = Matcher(nlp.vocab)
    conn = "|".join(re.escape(c) for c in NAME_CONNECTORS)
    names.add("NAME", [[{"TEXT": {"REGEX": _NAME_TOKEN}},
                        {"TEXT": {"REGEX": rf"{_NAME_TOKEN[:-2]}|^(?:{conn})$)$"}, "OP": "*"}]], greedy="LONGEST")
    suffixes = PhraseMatcher(nlp.vocab, attr="LOWER")
    suffixes.add("SUFFIX", [nlp.make_doc(s) for s in ENTITY_SUFFIXES])
    return nlp, names, suffixes


_NOT_NAMES = frozenset(NOT_NAMES)
# legal forms written as abbreviations with a full stop ("Inc.", "Co."); "LLC." is a name and a full stop
_DOTTED = frozenset(("inc", "corp", "co", "ltd", "ltda", "bhd", "pty", "pte", "kft", "sdn"))
_SUFFIX_KEYS = frozenset(s.lower().rstrip(".") for s in ENTITY_SUFFIXES)
_SEPARATORS = frozenset((",", ";", "and", "between", "among", "&", ")", ":", "with", "amongst", "by", "hand",
                         "entre", "y", "zwischen", "und", "entre", "et", "tra", "fra"))
# words that join two parties ("Acme Corp. and Beta LLC", "… S.A.S. y Representaciones …")
_JOINERS = frozenset(("and", "&", "y", "und", "et"))


@dataclass
class Name:
    text: str
    start: int  # character offsets in the text the names were read from
    end: int
    evidence: str  # "suffix", "role", "descriptor", "end"
    role_term: str | None = None  # the defined term in the parenthesis after the name ("Company")
    collective: bool = False  # the parenthesis defines a group ("collectively, the “Stilwell Group”")
    term_start: int = 0
    term_end: int = 0
    after: str = ""  # the separator before the name ("between", "and", ",")


def has_suffix(name: str) -> bool:
    toks = re.split(r"[\s,]+", name.strip())
    return bool(toks) and (toks[-1].lower().rstrip(".") in _SUFFIX_KEYS
                           or " ".join(toks[-2:]).lower().rstrip(".") in _SUFFIX_KEYS)


def _defined_term(paren: str) -> tuple[str | None, int, int]:
    """The last quoted term in a parenthesis: (the “Company”), (together with its affiliates, “JDA”)."""
    found = list(re.finditer(r"[\"“”„'‘’]{1,2}([^\"“”„]{1,60}?)['’]?[\"“”]", paren))
    if not found:
        return None, 0, 0
    m = found[-1]
    return m.group(1).strip(" ,'’"), m.start(1), m.end(1)


def party_names(text: str, start: int = 0, end: int | None = None) -> list[Name]:
    """The parties a preamble-like span names, in order: each a run of capitalised words (with its legal form)
    that starts after a separator ("between", "and", a comma) and is followed by what follows a party — a
    defined term in parentheses, a descriptor ("a Delaware corporation", "who resides at"), or the span's end —
    or that carries a legal form of its own. Addresses, roles and headings are not names."""
    end = len(text) if end is None else end
    span = text[start:end]
    # "Inc.DBA": the legal form's full stop set against the next word (the span keeps its length)
    span = re.sub(r"\b(Inc|Ltd|Corp)\.(?=[A-Z]{2})", r"\1 ", span).replace("\n", " ")
    nlp, matcher, suffixes = _matchers()
    doc = nlp.make_doc(span)
    suffix_at = {s: e for _, s, e in suffixes(doc)}
    out: list[Name] = []
    depth_at = []
    depth = 0
    for t in doc:
        if t.text == "(":
            depth += 1
        depth_at.append(depth)
        if t.text == ")":
            depth = max(0, depth - 1)
    for _, s, e in sorted(matcher(doc), key=lambda m: m[1]):
        if depth_at[s]:
            continue
        k = s - 1
        while k >= 0 and doc[k].is_space:
            k -= 1
        prev = doc[k].lower_ if k >= 0 else "between"
        if prev in ARTICLES:  # "zwischen der Schwäbische … AG", "entre la Sociedad …"
            k -= 1
            while k >= 0 and doc[k].is_space:
                k -= 1
            prev = doc[k].lower_ if k >= 0 else "between"
        if prev not in _SEPARATORS:
            continue
        # a run "Acme Corp. and Beta LLC" is two names: split after a legal form
        pieces = [(s, e)]
        for k in range(s + 1, e - 1):
            if doc[k].lower_ in _JOINERS and doc[k - 1].text.lower().rstrip(".") in _SUFFIX_KEYS and \
                    doc[k - 1].text[0].isupper():
                pieces = [(s, k), (k + 1, e)]
                break
        for ps, pe in pieces:
            while pe > ps and doc[pe - 1].lower_ in NAME_CONNECTORS:
                pe -= 1
            if pe <= ps:
                continue
            # ", Inc." / ", L.P." after the run belongs to the name
            j = pe
            if j + 1 < len(doc) and doc[j].text in (",", ".") and (j + 1) in suffix_at:
                j = suffix_at[j + 1]
                if j < len(doc) and doc[j].text == ".":
                    j += 1
            elif j in suffix_at:
                j = suffix_at[j]
            # ", III" / ", Jr." after a person's name
            if j + 1 < len(doc) and doc[j].text == "," and re.fullmatch(r"(?:Jr|Sr|II|III|IV)\.?", doc[j + 1].text):
                j += 2
            name_end = doc[j - 1].idx + len(doc[j - 1].text)
            # ", M.D." / ", Ph.D.": a degree shows a person's name ends here; it is not part of the name
            degree = j + 1 < len(doc) and doc[j].text == "," and \
                re.fullmatch(r"(?:M\.D|Ph\.D|Esq|J\.D|CPA|M\.B\.A)\.?", doc[j + 1].text) is not None
            if text[start + name_end:start + name_end + 1] == "." and span[name_end - 1:name_end] != ".":
                name_end += 1 if doc[j - 1].text.lower().rstrip(".") in _DOTTED else 0
            name_text = text[start + doc[ps].idx:start + name_end]
            if re.fullmatch(r"(?:[A-Za-z]{1,3}\.){1,3}|[IVX]+|(?:Jr|Sr|Esq|Ph\.?D|M\.?D)\.?", name_text) or \
                    (name_text.lower().rstrip(".") in _SUFFIX_KEYS):
                continue  # a legal form, initials or a degree on their own
            name_text = re.split(r"\s+(?:d/b/a|dba|DBA|D/B/A|f/k/a|formerly)\b", name_text)[0].strip(" ,")
            folded = name_text.lower().strip(" .,")
            if not name_text or folded in _NOT_NAMES or folded.startswith(("the company", "this ", "the ")) and \
                    not has_suffix(name_text) and len(name_text.split()) <= 2:
                continue
            if re.match(r"^\d", name_text) and not re.match(r"^\d+[A-Za-z]", name_text):
                continue  # a street number
            if any(re.fullmatch(r"\d[\d,.-]{3,}", t.text) for t in doc[ps:j]):
                continue  # a postcode or a year
            nxt = doc[j] if j < len(doc) else None
            nxt2 = doc[j + 1] if j + 1 < len(doc) else None
            evidence = None
            if has_suffix(name_text):
                evidence = "suffix"
            if nxt is not None and nxt.text == "(":
                evidence = evidence or "role"
            elif nxt is not None and nxt.text == "," and nxt2 is not None and nxt2.lower_ in DESCRIPTOR_WORDS:
                evidence = evidence or "descriptor"
            elif degree:
                evidence = evidence or "descriptor"
            elif nxt is None or nxt.text in (".",) and j + 1 >= len(doc):
                evidence = evidence or "end"
            if evidence is None:
                continue
            name = Name(" ".join(name_text.split()), start + doc[ps].idx, start + doc[ps].idx + len(name_text),
                        evidence, after=prev)
            if out and prev == "," and evidence in ("role", "end") and \
                    "(" not in text[out[-1].end:name.start] and "," in text[out[-1].end:name.start]:
                continue  # "…, 27 Harbour Road, Busan (the “Licensee”)": the town of the party before

            out.append(name)
    # the defined term of the first top-level parenthesis between a name and the next
    for i, name in enumerate(out):
        lo = name.end - start
        hi = (out[i + 1].start - start) if i + 1 < len(out) else len(span)
        k = next((t.i for t in doc if lo <= t.idx < hi and t.text == "(" and depth_at[t.i] == 1), None)
        if k is None:
            continue
        close = next((t.i for t in doc[k:] if t.text == ")" and depth_at[t.i] == 1), len(doc) - 1)
        paren = span[doc[k].idx:doc[close].idx + 1]
        term, ts, te = _defined_term(paren)
        if term:
            name.role_term = term
            name.term_start = start + doc[k].idx + ts
            name.term_end = start + doc[k].idx + te
            name.collective = bool(re.search(r"\bcollectively\b", paren, re.IGNORECASE)) and \
                not re.search(r"\bthe\s+[\"“]?parties\b", paren, re.IGNORECASE)
    return out
