"""Which SPEC document type a document is, with a confidence; ``other`` when unsure, never a forced guess.

Evidence, all of it data in :mod:`.doc_titles`:

- the document's title, in the languages of the trade (strong: in the top part of the first page or in a
  large font, as a short phrase of its own; a title word followed by a number label, "Invoice No.", is a
  label naming another document and counts little); an abbreviation-only title ("P/L") counts only standing
  alone in the title position; a title two types share ("Receipt") counts for both, and the body decides;
- what the document's tables mean, from their column headers: prices and amounts are an invoice; packages and
  weights with no price anywhere are a packing list; element symbols with heat numbers are a mill
  certificate;
- words its body carries (weak, each once per page; alone, with no title and no table meaning the type, they
  name it only when they are many).

Phrases are matched on folded tokens with spaCy's PhraseMatcher; Chinese wordings on their characters. Scores
are compared: the confidence is the winner's share, lowered when the evidence is thin. With no real
evidence the document is ``other`` with a low confidence.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from .doc_titles import (ABBREVIATIONS, ASSIST_CUES, BODY, LABEL_FOLLOWERS, LABEL_LINKS, LABEL_PRECEDERS,
                         SHARED_TITLES, TABLE_COLUMNS, TITLES)
from .labels import _nlp, tokens_of
from .layout import lines_of, phrases_of
from .pages import Page, Word
from .vocab import ELEMENTS


def _invoice_label_cues() -> list[str]:
    """The label vocabularies' own invoice wordings, in every language they hold ("Rechnungsnummer", "Montant
    TTC", "Factuurdatum"): body cues of an invoice. Only wordings of several words or long compounds, and none
    that another concept also uses."""
    from .vocab import FIELD_LABELS

    mine = ("invoice_number", "invoice_date", "subtotal", "total", "amount_due", "currency")
    elsewhere = {lab for key, labs in FIELD_LABELS.items() if key not in mine for lab in labs}
    out = []
    for key in mine:
        for lab in FIELD_LABELS.get(key, []):
            toks = tokens_of(lab)
            if lab in elsewhere or not toks or (len(toks) == 1 and len(toks[0]) < 9):
                continue
            out.append(lab)
    return out


BODY["commercial_invoice"] = BODY["commercial_invoice"] + [
    c for c in _invoice_label_cues() if c not in BODY["commercial_invoice"]]

TITLE_WEIGHT, BODY_WEIGHT = 6.0, 1.0
LABEL_SHARE = 0.25  # a title word used as a label ("Invoice No.") or inside running text
SHARED_SHARE = 0.6  # a title two types share, for each of them
TABLE_WEIGHT = TITLE_WEIGHT  # what a table's columns say the document is
MIN_SCORE = 6.0
BODY_ONLY_SCORE = 2 * MIN_SCORE  # body words alone name a type only when there are many of them
AMBIGUOUS_OTHER = 0.3  # the most confidence an ``other`` for want of evidence gets
SHARED = "+".join  # the matcher key of a shared title

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


_POSSESSIVE = re.compile(r"(?<=\w)['’‘]s\b", re.IGNORECASE)


def _toks(text: str) -> list[str]:
    """Folded tokens, an English possessive dropped ("Mill's test certificate" is a mill test certificate) and an
    elided article split off ("d'origine" -> "d", "origine")."""
    text = _POSSESSIVE.sub("", text)
    return tokens_of(text.replace("’", " ").replace("'", " ").replace("‘", " "))


def _cjk_text(text: str) -> str:
    return "".join(_CJK.findall(text))


@dataclass(frozen=True)
class _Vocab:
    title: object
    body: object
    abbrev: dict[tuple[str, ...], str]
    columns: object
    assist: object
    cjk_titles: tuple[tuple[str, str], ...]  # (cue, key), longest first
    cjk_body: tuple[tuple[str, str], ...]
    cjk_columns: tuple[tuple[str, str], ...]


def _add(matcher, nlp, key: str, phrases) -> None:
    from spacy.tokens import Doc

    docs = [Doc(nlp.vocab, words=t) for t in (_toks(p) for p in phrases if not _is_cjk(p)) if t]
    if docs:
        matcher.add(key, docs)


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    from spacy.matcher import PhraseMatcher

    nlp = _nlp()
    title, body, columns, assist = (PhraseMatcher(nlp.vocab, attr="ORTH") for _ in range(4))
    cjk_titles, cjk_body, cjk_columns = [], [], []
    for doc_type, langs in TITLES.items():
        phrases = [p for ps in langs.values() for p in ps]
        _add(title, nlp, doc_type, phrases)
        cjk_titles += [(p, doc_type) for p in phrases if _is_cjk(p)]
    for phrase, types in SHARED_TITLES.items():
        key = SHARED(types)
        if _is_cjk(phrase):
            cjk_titles.append((phrase, key))
        else:
            _add(title, nlp, key, [phrase])
    for doc_type, phrases in BODY.items():
        _add(body, nlp, doc_type, phrases)
        cjk_body += [(p, doc_type) for p in phrases if _is_cjk(p)]
    for kind, phrases in TABLE_COLUMNS.items():
        _add(columns, nlp, kind, phrases)
        cjk_columns += [(p, kind) for p in phrases if _is_cjk(p)]
    _add(assist, nlp, "assist", ASSIST_CUES)
    abbrev = {tuple(_toks(a)): dt for dt, abbrs in ABBREVIATIONS.items() for a in abbrs}
    by_len = lambda xs: tuple(sorted(xs, key=lambda x: -len(x[0])))  # noqa: E731
    return _Vocab(title, body, abbrev, columns, assist, by_len(cjk_titles), by_len(cjk_body), by_len(cjk_columns))


@lru_cache(maxsize=1)
def _compact_cues() -> list[tuple[str, str, int]]:
    cues = [(dt, p) for dt, langs in TITLES.items() for ps in langs.values() for p in ps if not _is_cjk(p)]
    return sorted(((dt, "".join(_toks(c)), len(_toks(c))) for dt, c in cues if len("".join(_toks(c))) >= 8),
                  key=lambda x: -len(x[1]))


def _compact_titles(compact: str) -> dict[str, int]:
    """Document types whose title (eight letters or more, spaces ignored) a run of large letters spells."""
    found: dict[str, int] = {}
    taken: list[tuple[int, int]] = []
    for dt, cue, n in _compact_cues():
        i = compact.find(cue)
        if i < 0 or any(i < e and s < i + len(cue) for s, e in taken):
            continue
        taken.append((i, i + len(cue)))
        found[dt] = max(found.get(dt, 0), n)
    return found


def _longest(matches):
    """Of overlapping cue matches, the longest ones (ties: the earliest)."""
    kept: list[tuple[int, int, int]] = []
    for mid, s, e in sorted(matches, key=lambda m: (-(m[2] - m[1]), m[1])):
        if all(e <= ks or s >= ke for _, ks, ke in kept):
            kept.append((mid, s, e))
    return sorted(kept, key=lambda m: m[1])


@lru_cache(maxsize=1)
def _title_strings() -> dict[int, list[tuple[str, str]]]:
    """Titles of seven letters or more, by their number of tokens: (joined tokens, matcher key)."""
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    cues = [(p, dt) for dt, langs in TITLES.items() for ps in langs.values() for p in ps]
    cues += [(p, SHARED(types)) for p, types in SHARED_TITLES.items()]
    for phrase, key in cues:
        toks = _toks(phrase)
        if toks and not _is_cjk(phrase) and len("".join(toks)) >= 7:
            out[len(toks)].append((" ".join(toks), key))
    return out


def _fuzzy_titles(toks: list[str]) -> list[tuple[str, int, int]]:
    """Titles a scan misread by a letter or two, from the phrase's start: (key, start, end)."""
    from rapidfuzz import fuzz, process

    by_len = _title_strings()
    for n in sorted(by_len, reverse=True):
        if n > len(toks):
            continue
        window = " ".join(toks[:n])
        choices = [c for c, _ in by_len[n]]
        hit = process.extractOne(window, choices, scorer=fuzz.ratio, score_cutoff=88)
        if hit is not None:
            return [(by_len[n][hit[2]][1], 0, n)]
    return []


def _cjk_find(text: str, cues: Sequence[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """Chinese cues in ``text`` (characters only), longest first, not overlapping: (key, start, end)."""
    found: list[tuple[str, int, int]] = []
    for cue, key in cues:
        start = text.find(cue)
        while start >= 0:
            end = start + len(cue)
            if all(end <= s or start >= e for _, s, e in found):
                found.append((key, start, end))
            start = text.find(cue, end)
    return found


def _credit(score: dict[str, float], key: str, weight: float) -> None:
    types = key.split("+")
    share = SHARED_SHARE if len(types) > 1 else 1.0
    for dt in types:
        score[dt] += weight * share


def _word_tokens(words: Sequence[Word]) -> tuple[list[str], list[int]]:
    toks, owner = [], []
    for i, w in enumerate(words):
        for t in _toks(w.text):
            toks.append(t)
            owner.append(i)
    return toks, owner


def _is_label_use(words: Sequence[Word], toks: list[str], owner: list[int], start: int, end: int) -> bool:
    """The title words are a label naming a document: a number or date label follows ("Invoice No.",
    "Rechnung Nr."), or precedes ("Numéro de facture", "Date of invoice"), a colon closes them ("Commercial
    Invoice: 123", "Fatura n.º: 118"), or an identifier follows at once ("Invoice 2024-118")."""
    if end < len(toks) and toks[end] in LABEL_FOLLOWERS:
        return True
    k = start - 1
    while k >= 0 and toks[k] in LABEL_LINKS:
        k -= 1
    if k >= 0 and toks[k] in LABEL_PRECEDERS:
        return True
    last = owner[end - 1]
    after = words[last + 1:]
    if words[last].text.rstrip().endswith(":") or any(w.text.startswith(":") or w.text.rstrip().endswith(":")
                                                        for w in after):
        return True
    return bool(after) and sum(c.isdigit() for c in after[0].text) >= 2


def _column_kinds(line: Sequence[Word]) -> set[str]:
    """The column meanings a line names ({"price", "amount", "net_weight", …})."""
    from spacy.tokens import Doc

    v = _vocab()
    nlp = _nlp()
    toks, _ = _word_tokens(line)
    kinds: set[str] = set()
    if toks:
        for mid, s, e in _longest(v.columns(Doc(nlp.vocab, words=toks))):
            kinds.add(nlp.vocab.strings[mid])
    cjk = _cjk_text(" ".join(w.text for w in line))
    if cjk:
        kinds |= {k for k, _, _ in _cjk_find(cjk, v.cjk_columns)}
    return kinds


def _header_kinds(line: Sequence[Word]) -> set[str]:
    """The meanings of a table header line's columns; empty for a line that is no header (fewer than two
    column names, or a row of figures)."""
    numeric = sum(1 for w in line if sum(c.isdigit() for c in w.text) >= 2)
    if numeric > 1:
        return set()
    kinds = _column_kinds(line)
    return kinds if len(kinds) >= 2 else set()


_SYMBOLS = {t for names in ELEMENTS.values() for n in names for t in [n.lower()]}


def _chemistry_header(line: Sequence[Word]) -> bool:
    """A line naming four or more chemical elements by symbol (two of them of two letters: "Mn", "Si"), and
    little else: a chemistry table's header. A scan's doubled lone letter ("Cc", "Ss") is its symbol."""
    toks = [t for w in line for t in _toks(w.text) if t not in ("%", "max", "min")]
    syms = {t if t in _SYMBOLS else t[0] for t in toks
            if t in _SYMBOLS or (len(t) == 2 and t[0] == t[1] and t[0] in _SYMBOLS)}
    return len(syms) >= 4 and sum(len(t) == 2 for t in syms) >= 2 and len(syms) >= 0.4 * len(toks)


NAME_REACH = 3  # words after an assist cue within which a legal form makes the cue part of a company's name


def _assist_hits(line: Sequence[Word], matches) -> int:
    """The assist cues of a line that describe goods or services, not those inside a company's name: "Andina Valve
    Engineering S.A.S." or "Precision Mold Works, Inc." (a legal form within a few words after the cue) names a
    buyer or seller, whatever it sells."""
    from .common import has_legal_form

    _, owner = _word_tokens(line)
    n = 0
    for _, s, e in matches:
        last = owner[e - 1]
        after = " ".join(w.text for w in line[last + 1:last + 1 + NAME_REACH])
        if not (after and has_legal_form(after)):
            n += 1
    return n


def _table_evidence(lines: Sequence[Sequence[Word]]) -> dict[str, float]:
    """What the document's tables say it is, from their headers."""
    priced = weights = chemistry = heat = False
    for ln in lines:
        kinds = _header_kinds(ln)
        if kinds:
            if "price" in kinds and kinds & {"amount", "quantity"} or {"amount", "quantity"} <= kinds:
                priced = True
            if kinds & {"packages", "net_weight", "gross_weight"}:
                weights = True
            if "heat" in kinds:
                heat = True
        if _chemistry_header(ln):
            chemistry = True
            heat = heat or "heat" in _column_kinds(ln)
    out: dict[str, float] = {}
    if priced:
        out["commercial_invoice"] = TABLE_WEIGHT
    elif weights and not chemistry:
        out["packing_list"] = TABLE_WEIGHT
    if chemistry:
        out["mill_certificate"] = TABLE_WEIGHT * (1.5 if heat else 1.0)
    return out


def scores(pages: Sequence[Page]) -> dict[str, float]:
    """Each document type's evidence score."""
    return _evidence(pages)[0]


def _evidence(pages: Sequence[Page]) -> tuple[dict[str, float], set[str]]:
    """Scores, and the types with real evidence: a title, or a table that means them (body words alone are
    not)."""
    from spacy.tokens import Doc

    nlp = _nlp()
    v = _vocab()
    score: dict[str, float] = defaultdict(float)
    titled: set[str] = set()  # types a title of their own names outright
    named: set[str] = set()  # types a title (their own or shared) or a table names
    assist_hits = 0
    all_lines: list[list[Word]] = []
    for page in pages[:3]:
        lines = lines_of(page.words)
        if not lines:
            continue
        all_lines += lines
        heights = sorted(w.height for w in page.words)
        median_h = heights[len(heights) // 2] or 1.0
        first = page.number == pages[0].number
        seen_body: set[tuple[str, str]] = set()
        for ln in lines:
            toks = [t for w in ln for t in _toks(w.text)]
            text = " ".join(w.text for w in ln)
            cjk = _cjk_text(text)
            body_hits: list[tuple[str, str]] = []
            if toks:
                doc = Doc(nlp.vocab, words=toks)
                body_hits += [(nlp.vocab.strings[mid], " ".join(toks[s:e])) for mid, s, e in v.body(doc)]
                assist_hits += _assist_hits(ln, v.assist(doc))
            if cjk:
                body_hits += [(k, cjk[s:e]) for k, s, e in _cjk_find(cjk, v.cjk_body)]
            for key in body_hits:
                if key not in seen_body:  # each body cue counts once per page
                    seen_body.add(key)
                    score[key[0]] += BODY_WEIGHT
            high = first and min(w.top for w in ln) <= 0.3 * page.height
            phrases = phrases_of(ln)
            credited: set[str] = set()
            for n_ph, ph in enumerate(phrases):
                ptoks, owner = _word_tokens(ph.words)
                nxt = phrases[n_ph + 1] if n_ph + 1 < len(phrases) else None
                # "Purchase Order   4500483141": a label with its value in the next cell, not a title
                keyed = nxt is not None and sum(c.isdigit() for c in nxt.words[0].text) >= 2
                big = max(w.height for w in ph.words) >= 1.3 * median_h
                # a title is not set smaller than the text: "Purchase Order" in small print over its box is a label
                # nor among a row of labels ("Invoice No. | Date | Purchase Order" over their boxes)
                short = len(ptoks) <= 6 and max(w.height for w in ph.words) >= 0.9 * median_h \
                    and (big or len(phrases) <= 2)
                if ptoks:
                    pdoc = Doc(nlp.vocab, words=ptoks)
                    matches = _longest(v.title(pdoc))  # "bill of lading" is not also a "bill"
                    if not matches and page.method == "ocr" and (high or big) and short:
                        matches = _fuzzy_titles(ptoks)  # "PACKLlSTE", "C0MMERCIAL INVOlCE"
                    for mid, s, e in matches:
                        key = nlp.vocab.strings[mid] if isinstance(mid, int) else mid
                        label = _is_label_use(ph.words, ptoks, owner, s, e) or (keyed and e == len(ptoks) and not big)
                        if label and not (s == 0 and big and high):
                            # "Invoice No." in the header names a document; "PACKLISTE Nr. 4711" set large
                            # at the top is this one's title with its number
                            _credit(score, key, LABEL_SHARE * TITLE_WEIGHT)
                            continue
                        w = TITLE_WEIGHT * (1.0 if (high or big) and short else LABEL_SHARE)
                        _credit(score, key, w * (1.0 + 0.15 * (e - s)))  # longer titles are more specific
                        credited.update(key.split("+"))
                        if w == TITLE_WEIGHT:
                            named.update(key.split("+"))
                            if "+" not in key:
                                titled.add(key)
                    abbr = v.abbrev.get(tuple(ptoks)) or (
                        v.abbrev.get(tuple(ptoks[:-1])) if len(ptoks) > 1 and ptoks[-1] in LABEL_FOLLOWERS else None)
                    if abbr and (big or (high and len(phrases) <= 2)):
                        # "P/L" standing alone as the title; "P/L No." in the header is a label
                        whole = tuple(ptoks) in v.abbrev
                        score[abbr] += TITLE_WEIGHT * (1.0 if whole else LABEL_SHARE)
                        credited.add(abbr)
                        if whole:
                            named.add(abbr)
                            titled.add(abbr)
                pcjk = _cjk_text(ph.text)
                if pcjk:
                    for key, s, e in _cjk_find(pcjk, v.cjk_titles):
                        rest = pcjk[e:]
                        if any(rest.startswith(f) for f in LABEL_FOLLOWERS if _is_cjk(f)):
                            _credit(score, key, LABEL_SHARE * TITLE_WEIGHT)
                            continue
                        w = TITLE_WEIGHT * (1.0 if (high or big) and len(pcjk) <= 12 else LABEL_SHARE)
                        _credit(score, key, w * (1.0 + 0.15 * max(1, (e - s) // 2)))
                        credited.update(key.split("+"))
                        if w == TITLE_WEIGHT:
                            named.update(key.split("+"))
                            if "+" not in key:
                                titled.add(key)
            # a title in large letters that OCR broke apart ("PAC KING LIST", "PACKING   LIST"): its letters
            bigw = [w for w in ln if w.height >= 1.3 * median_h]
            if bigw and first:
                compact = "".join(t for w in bigw for t in _toks(w.text))
                for dt, cue_len in _compact_titles(compact).items():
                    if dt not in credited:
                        score[dt] += TITLE_WEIGHT * (1.0 + 0.15 * cue_len)
                        titled.add(dt)
                        named.add(dt)
                # a Chinese title set with spaces between its characters ("装 箱 单")
                for key, s0, e0 in _cjk_find(_cjk_text("".join(w.text for w in bigw)), v.cjk_titles):
                    if not set(key.split("+")) & credited:
                        _credit(score, key, TITLE_WEIGHT * (1.0 + 0.15 * max(1, (e0 - s0) // 2)))
                        credited.update(key.split("+"))
                        named.update(key.split("+"))
    # prices or weights tell an invoice from a packing list (and name an untitled one); a certificate of origin,
    # a bill of lading or an entry summary carries such tables too, and its own title stands
    other_title = bool(titled - {"commercial_invoice", "packing_list", "other"})
    for dt, w in _table_evidence(all_lines).items():
        if other_title and dt in ("commercial_invoice", "packing_list"):
            w = BODY_WEIGHT
        else:
            named.add(dt)
        score[dt] += w
    if assist_hits >= 2 and score.get("commercial_invoice", 0) >= MIN_SCORE:
        score["assist_invoice"] = score["commercial_invoice"] + assist_hits
        if "commercial_invoice" in named:
            named.add("assist_invoice")
    return {k: v for k, v in score.items() if v > 0}, named


def prepare() -> None:
    """Build the tokenizer and the phrase matchers of the classification now (each is built once per process):
    a process that forks workers builds them once for all of them."""
    _vocab()
    _compact_cues()


def classify(pages: Sequence[Page]) -> tuple[str, float]:
    """The document type and a confidence in [0, 1]. ``other`` with a low confidence when no type has real
    evidence; a close call between two types keeps the leader with a low confidence."""
    # a defect here is not swallowed as "other": it reaches extract_file, which records it as the document's error
    sc, named = _evidence(pages)
    if not sc:
        return "other", AMBIGUOUS_OTHER
    ranked = sorted(sc.items(), key=lambda kv: -kv[1])
    best, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if top < MIN_SCORE or (best not in named and top < BODY_ONLY_SCORE):
        # some evidence, none of it enough (body words alone, no title, no table that means the type)
        return "other", round(AMBIGUOUS_OTHER * max(0.0, 1.0 - top / BODY_ONLY_SCORE), 3)
    confidence = top / (top + second) if top + second else 0.0
    return best, round(min(1.0, confidence * min(1.0, top / (2 * MIN_SCORE))), 3)
