"""Finding labels on pages and the values that go with them.

Words are turned into tokens one-to-one with their boxes (punctuation and case folded, ``/`` and ``:``
splitting), a spaCy ``Doc`` is built over those tokens (``spacy.blank("en")`` vocabulary, no model), and a
``PhraseMatcher`` finds every label of the vocabulary. On OCR pages, lines where no exact label matched are
also compared with rapidfuzz, so "lnvoice N0." still reads as "invoice no". The longest label wins where
labels overlap.

A value is then looked for where documents put it: after the label in the same phrase ("Invoice No.: 123"),
in the next phrase to its right, or in the line below within the label's column (form boxes, stacked
headers). Each value keeps the words it came from, so its provenance is exact.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ..models.fold import fold  # noqa: F401  (re-exported: the extractors import it from here)

from .layout import Phrase, lines_of, phrases_of, split_by_rules
from .pages import Page, Word, provenance
from .lexicon import CURRENCIES
from .vocab import COLUMN_LABELS, ELEMENTS, ENTRY_COLUMNS, FIELD_LABELS

# table columns: line-item fields and the chemical elements of mill certificates (``chem_C``…)
COLUMN_VOCAB = {**COLUMN_LABELS, **ENTRY_COLUMNS, **{f"chem_{sym}": names for sym, names in ELEMENTS.items()}}

_TOKEN_RE = re.compile(r"[#№]|[^\s/:#|]+")
# "27.", "A.", "37.A.", "A06.1" (EN 10168 codes; a scan may read A06 as "AQ6")
_BOX_NO = re.compile(r"^(?:\d{1,2}[.),](?:[A-Z][.)])?|[A-Z][.)]|[A-Z][\dOQ]\d(?:\.\d{1,2})?|[A-Z]\d[OQ])$")
_STRIP = ".,;()[]{}'\"*¿?¡!<>_-–—=+%"
_CURRENCY_TOKENS = frozenset([c.lower() for c in CURRENCIES] + ["€", "$", "£", "us$"])


def tokens_of(text: str) -> list[str]:
    return list(_tokens(text))


@lru_cache(maxsize=1 << 16)
def _tokens(text: str) -> tuple[str, ...]:
    """The tokens of a text, worked out once per process (the same words and labels are tokenized again and
    again: every line is matched against several vocabularies)."""
    out = []
    # words set without a space keep their capitals: "NetWeight(kg)" is "Net Weight (kg)"
    text = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", " ", text)
    text = re.sub(r"(?<=[A-Za-z])\((?=[A-Za-z])", " (", text)  # "Weight(kg)"
    for t in _TOKEN_RE.findall(fold(text)):
        t = t.strip(_STRIP)
        if re.fullmatch(r"(?:[a-z]\.)+[a-z]?", t):
            t = t.replace(".", "")  # "p.o." -> "po", "n.w." -> "nw"
        if t in ("nº", "n°", "no°", "nro", "núm", "num", "n"):
            t = "no"
        if t:
            out.append(t)
    return tuple(out)


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=64)
def _matcher(kind: str, keys: tuple[str, ...]):
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    nlp = _nlp()
    vocab = FIELD_LABELS if kind == "field" else COLUMN_VOCAB
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    variants: dict[str, list[tuple[str, ...]]] = {}
    for key in keys:
        pats = []
        for label in vocab[key]:
            toks = tuple(tokens_of(label))
            if toks:
                pats.append(Doc(nlp.vocab, words=list(toks)))
                variants.setdefault(key, []).append(toks)
        if pats:
            matcher.add(key, pats)
    return matcher, variants


_LOOSE_RATIO = 86  # how near (rapidfuzz ratio) a run of words must be to a label to be read as it loosely
_Loose = tuple[int, int, tuple[str, ...], str]


@lru_cache(maxsize=128)
def _loose_table(kind: str, keys: tuple[str, ...], fuzzy: bool | str) -> dict[int, list[_Loose]]:
    """The labels of ``keys`` that may be matched loosely, by their number of words: (key's index, label's index,
    its words, its words joined). On OCR pages (``fuzzy`` True) every label of 5 letters or more; on a text layer
    (``"long"``) only labels of several words and 9 letters or more (kerning splits, typos): one word a letter
    off is another word ("certificado", "certificador")."""
    _, variants = _matcher(kind, keys)
    table: dict[int, list[_Loose]] = {}
    for ki, pats in enumerate(variants.values()):
        for pi, pat in enumerate(pats):
            joined = " ".join(pat)
            if len(joined) < (5 if fuzzy != "long" else 9) or (fuzzy == "long" and len(pat) < 2):
                continue
            table.setdefault(len(pat), []).append((ki, pi, pat, joined))
    return table


@dataclass(slots=True)
class Hit:
    """A label found on a page: its concept key and the words it covers."""

    key: str
    words: list[Word]
    line: int  # index into the reader's lines
    fuzzy: bool = False

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _line_tokens(line: Sequence[Word]) -> tuple[list[str], list[int]]:
    """Tokens of a line and, for each token, the index of its word in the line."""
    toks, owner = [], []
    for i, w in enumerate(line):
        for t in tokens_of(w.text):
            toks.append(t)
            owner.append(i)
    return toks, owner


def _ocr(tok: str) -> str:
    """Undo the commonest OCR digit-for-letter confusions in a short token."""
    return tok.replace("0", "o").replace("1", "l") if not tok.isdigit() else tok


def _ocr_forms(tok: str) -> set[str]:
    """A short token as read and with the letter-for-digit and l/i confusions of OCR undone ("1d" → "id")."""
    if tok.isdigit():
        return {tok}
    base = tok.replace("0", "o")
    return {tok, _ocr(tok), base.replace("1", "i"), base.replace("1", "l"), base.replace("l", "i"),
            base.replace("i", "l")}


def _together(line: Sequence[Word], owner: list[int], s: int, e: int, factor: float) -> bool:
    """A label's words are set together: a wide gap between two of them means two cells."""
    idx = sorted(set(owner[s:e]))
    for a, b in zip(idx, idx[1:]):
        wa, wb = line[a], line[b]
        if wb.x0 - wa.x1 > factor * max(1.0, wa.bottom - wa.top, wb.bottom - wb.top):
            return False
    return True


def _value_word(line: Sequence[Word], owner: list[int], s: int, e: int) -> bool:
    """"INV/2023/03/0008" holds the label's letters but is a value: a word with digits in it."""
    return any(sum(c.isdigit() for c in line[i].text) >= 2 for i in set(owner[s:e]))


def _loose(line: Sequence[Word], toks: list[str], owner: list[int], kind: str, keys: tuple[str, ...],
           fuzzy: bool | str, exact: set[tuple[int, int]]) -> dict[int, list[tuple[int, int, int]]]:
    """The labels read loosely in a line of tokens, by key's index: (label's index, start, length) in order.

    Every window of the line is compared with every label of as many words at once, in C (rapidfuzz ``cdist``);
    only the pairs near enough are looked at again, with the rules of a loose match: not where a label was read
    exactly, short words ("no", "po", "#") exact, one word at most a sixth of its letters off, the words set
    together and none of them a value."""
    found: dict[int, list[tuple[int, int, int]]] = {}
    for n, table in _loose_table(kind, keys, fuzzy).items():
        if n > len(toks):
            continue
        windows = [" ".join(toks[s:s + n]) for s in range(len(toks) - n + 1)]
        # a cutoff a point lower than the rule's, so that no pair is lost to the rounding of the scores
        scores = process.cdist(windows, [joined for _, _, _, joined in table], scorer=fuzz.ratio,
                               score_cutoff=_LOOSE_RATIO - 1, workers=1)
        for s, j in zip(*scores.nonzero()):
            s, (ki, pi, pat, joined) = int(s), table[j]
            if (s, s + n) in exact:
                continue
            if any(len(p) <= 3 and p not in _ocr_forms(c) for c, p in zip(toks[s:s + n], pat)):
                continue
            cand = windows[s]
            if cand != joined and fuzz.ratio(cand, joined) >= _LOOSE_RATIO and \
                    (n > 1 or Levenshtein.distance(cand, joined) <= max(1, len(joined) // 6)) and \
                    _together(line, owner, s, s + n, 1.5) and not _value_word(line, owner, s, s + n):
                # one word is another word when several letters move ("fabricated", "fabricante")
                found.setdefault(ki, []).append((pi, s, n))
    for hits in found.values():
        hits.sort()  # in the order a loop over the key's labels, then the line's words, finds them
    return found


def match_line(line: Sequence[Word], keys: Iterable[str], kind: str = "field", fuzzy: bool | str = False,
               line_index: int = 0) -> list[Hit]:
    """Every label of ``keys`` in one line; longest wins where labels overlap (ties keep every key)."""
    from spacy.tokens import Doc

    toks, owner = _line_tokens(line)
    # "Total EUR", "Montant EUR HT", "Betrag (€)": a currency written into a label is not one of its words
    keep = [i for i, t in enumerate(toks) if not (i and t in _CURRENCY_TOKENS and toks[i - 1][:1].isalpha())]
    toks, owner = [toks[i] for i in keep], [owner[i] for i in keep]
    if not toks:
        return []
    matcher, variants = _matcher(kind, tuple(sorted(keys)))
    nlp = _nlp()
    doc = Doc(nlp.vocab, words=toks)
    spans: list[tuple[int, int, str, bool]] = []

    for match_id, start, end in matcher(doc):
        if _together(line, owner, start, end, 3.0) and not _value_word(line, owner, start, end):
            spans.append((start, end, nlp.vocab.strings[match_id], False))
    if fuzzy:
        exact = {(s, e) for s, e, _, _ in spans}
        loose = _loose(line, toks, owner, kind, tuple(sorted(keys)), fuzzy, exact)
        for ki, (key, pats) in enumerate(variants.items()):
            # in the order a loop over keys, their labels and the line's words finds them
            spans.extend((s, s + n, key, True) for _, s, n in loose.get(ki, ()))
            if fuzzy is True:  # a scan doubles a lone letter: "Cc", "Ss" for the symbols C and S
                for pat in pats:
                    if len(pat) == 1 and len(pat[0]) == 1:
                        for s, tok in enumerate(toks):
                            if tok == pat[0] * 2 and (s, s + 1) not in exact:
                                spans.append((s, s + 1, key, True))
    # longest first; a span overlapping a longer one is dropped, equal spans keep all their keys
    spans.sort(key=lambda sp: (-(sp[1] - sp[0]), sp[0]))
    kept: list[tuple[int, int, str, bool]] = []
    for sp in spans:
        clash = [k for k in kept if k[0] < sp[1] and sp[0] < k[1]]
        if clash and not all((k[0], k[1]) == (sp[0], sp[1]) for k in clash):
            continue
        kept.append(sp)
    kept.sort(key=lambda sp: sp[0])
    merged: list[tuple[int, int, str, bool]] = []
    for sp in kept:
        # "Käufer / Buyer", "Rechnungs-Nr. / Invoice No.": one bilingual label
        prev = merged[-1] if merged else None
        near = False
        if prev and prev[1] == sp[0]:
            ia, ib = owner[prev[1] - 1], owner[sp[0]]
            a, b = line[ia], line[ib]
            slash = a.text.endswith("/") or b.text.startswith("/") or any("/" == w.text for w in line[ia + 1:ib])
            near = a is b or (slash and b.x0 - a.x1 <= 4.0 * max(a.bottom - a.top, b.bottom - b.top))
        if prev and near and prev[2] == sp[2] and \
                not any(k[0] == prev[0] and k[1] == prev[1] and k[2] != prev[2] for k in kept):
            merged[-1] = (prev[0], sp[1], sp[2], prev[3] and sp[3])
        else:
            merged.append(sp)
    hits = []
    for s, e, key, fz in merged:
        idx = range(min(owner[s:e]), max(owner[s:e]) + 1)
        hits.append(Hit(key, [line[i] for i in idx], line_index, fz))
    return hits


class Reader:
    """Labels and their values over the pages of one document."""

    def __init__(self, pages: Sequence[Page], path: str, keys: Iterable[str], kind: str = "field") -> None:
        self.pages = list(pages)
        self.path = path
        self.keys = tuple(sorted(set(keys)))
        self.method = {p.number: p.method for p in self.pages}
        self.lines: list[list[Word]] = []
        self.rules = {p.number: p.rules for p in self.pages}
        for p in self.pages:
            self.lines.extend(lines_of(p.words))
        self.hits: list[Hit] = []
        for i, ln in enumerate(self.lines):
            ocr = self.method.get(ln[0].page) == "ocr"
            self.hits.extend(match_line(ln, self.keys, kind, fuzzy=True if ocr else "long", line_index=i))
        self._hit_words = {id(w) for h in self.hits for w in h.words}
        self._hit_first = {id(h.words[0]) for h in self.hits}

    # --- looking up -------------------------------------------------------------------------------
    def find(self, key: str) -> list[Hit]:
        return [h for h in self.hits if h.key == key]

    def is_label(self, w: Word) -> bool:
        return id(w) in self._hit_words

    def prov(self, words: Sequence[Word], text: str | None = None):
        if not words:
            return None
        return provenance(self.path, list(words), self.method.get(words[0].page, "text"), text)

    def phrases(self, line_index: int) -> list[Phrase]:
        ln = self.lines[line_index]
        return split_by_rules(phrases_of(ln), self.rules.get(ln[0].page, []))

    def box(self, hit: Hit) -> tuple[float, float]:
        """The left and right borders of the form box a label sits in (vertical rules crossing it)."""
        left, right = -1e9, 1e9
        for r in self.rules.get(hit.page, []):
            if r.horizontal or r.top > hit.bottom or r.bottom < hit.top:
                continue
            if r.x0 <= hit.x0 + 0.5:
                left = max(left, r.x0)
            elif r.x0 >= hit.x1 - 0.5:
                right = min(right, r.x0)
        if left == -1e9 and right == 1e9:  # no rules (a scan): numbered boxes end where the next number starts
            ln = self.lines[hit.line]
            before = [w for w in ln if w.x1 <= hit.x0 + 0.5]
            after = [w for w in ln if w.x0 >= hit.x1 - 0.5]
            # "B02 Steel designation / Standard": the box number opens the label's phrase
            for ph in self.phrases(hit.line):
                if hit.words[0] in ph.words and _BOX_NO.match(ph.words[0].text) and ph.words[0] is not hit.words[0]:
                    before = [ph.words[0]]
                    hit_gap_ok = True
                    break
            else:
                hit_gap_ok = bool(before) and hit.x0 - before[-1].x1 < 12
            if before and _BOX_NO.match(before[-1].text) and hit_gap_ok:
                numbered = [w for w in after if _BOX_NO.match(w.text)]
                left, right = before[-1].x0 - 2, numbered[0].x0 - 2 if numbered else 1e6  # the last box: page edge
        return left, right

    def candidates(self, hit: Hit, below: bool = True, right: bool = True) -> list[list[Word]]:
        """Word runs that may hold the value of ``hit``, nearest first: to its right inside its box, below it
        inside its box, then to its right beyond the box (a key–value table's next cell)."""
        inside: list[list[Word]] = []
        outside: list[list[Word]] = []
        left_edge, right_edge = self.box(hit)
        if right:
            last = hit.words[-1]
            for ph in self.phrases(hit.line):
                ws = [w for w in ph.words if w.x0 >= last.x1 - 0.1 and w not in hit.words]
                if not ws:
                    continue
                run = []
                for w in ws:
                    if self.is_label(w):
                        break
                    run.append(w)
                stopped = len(run) < len(ws)
                while run and stopped and _BOX_NO.match(run[-1].text):
                    run.pop()  # "10." before the next box's label is that box's number
                if run and _BOX_NO.match(run[0].text) and len(run) > 1 and run[1].text[:1].isalpha():
                    break  # "36. Declarant": the next box's label, not a value
                if run:
                    (inside if run[0].x0 < right_edge else outside).append(run)
                if stopped or len(inside) + len(outside) >= 3:
                    break  # never past another label
        below_runs: list[list[Word]] = []
        if below:
            h = max(1.0, hit.bottom - hit.top)
            page_lines = [j for j in range(hit.line + 1, min(len(self.lines), hit.line + 8))
                          if self.lines[j][0].page == hit.page]
            for j in page_lines:
                top = min(w.top for w in self.lines[j])
                if top - hit.bottom > 3.2 * h:
                    break
                best, best_ov = None, 0.0
                for ph in self.phrases(j):
                    if right_edge < 1e9 and not (left_edge - 1 <= (ph.x0 + ph.x1) / 2 <= right_edge + 1):
                        continue  # another box's value
                    ov = min(ph.x1, max(hit.x1, hit.x0 + 40)) - max(ph.x0, hit.x0 - 4)
                    if right_edge < 1e9:
                        ov = max(ov, 0.1)
                    if ov > best_ov:
                        best, best_ov = ph, ov
                if best is not None:
                    ws = [w for w in best.words if not self.is_label(w)]
                    if ws and len(ws) == len(best.words):
                        below_runs.append(ws)
                        break
                    if ws and len(ws) != len(best.words):
                        break  # another label sits there: the box below belongs to it
        return inside + below_runs + outside

    def value(self, key: str, parse: Callable[[str], object | None], below: bool = True, right: bool = True,
              hits: Sequence[Hit] | None = None) -> tuple[object, object] | tuple[None, None]:
        """The first parseable value near a label of ``key``: (value, provenance) or (None, None)."""
        if hits is None:  # a label read exactly before one matched loosely
            hits = sorted(self.find(key), key=lambda h: h.fuzzy)
        for hit in hits:
            for run in self.candidates(hit, below=below, right=right):
                v = _parse_prefix(run, parse)
                if v is not None:
                    value, used = v
                    return value, self.prov(used)
        return None, None

    def starts_label(self, words: Sequence[Word]) -> bool:
        """Whether a phrase opens with a label (after a box number): "Shipper", "A06 Purchaser"; a label word
        inside a name ("Steel Mill SE") does not count."""
        if not words:
            return False
        if id(words[0]) in self._hit_first:
            return True
        return len(words) > 1 and bool(_BOX_NO.match(words[0].text)) and id(words[1]) in self._hit_first

    def opens_label(self, words: Sequence[Word]) -> bool:
        """Whether a phrase is a label ("Livraison :", "Bill To", "CLIENT :"), not text holding a label's word
        at its start ("SELLER TRADE NAME", "Buyer contact name"): it opens with a label that ends with a colon,
        is followed by one, or is all of the phrase."""
        if not self.starts_label(words):
            return False
        hit = next((h for h in self.hits if h.words[0] is words[0] or len(words) > 1 and h.words[0] is words[1]),
                   None)
        if hit is None or hit.words[-1] not in words:
            return True
        rest = list(words[list(words).index(hit.words[-1]) + 1:])
        return hit.words[-1].text.endswith(":") or not rest or rest[0].text[:1] in (":", "-", "/", "(") or \
            _BOX_NO.match(words[0].text) is not None

    def _pitch_height(self, hit: Hit) -> float:
        """The height a label's line spacing is measured in: its box height, which OCR draws tight around the
        glyphs (an all-capitals label is shorter still), so scaled up on OCR pages."""
        h = max(1.0, hit.bottom - hit.top)
        return h * 1.4 if self.method.get(hit.page) == "ocr" else h

    def _column_continues(self, hit: Hit, first: Word) -> bool:
        """A value set far right of its label still belongs to it when the lines under it start at the same x:
        a column of values beside a column of labels."""
        nxt = hit.line + 1
        if nxt >= len(self.lines) or self.lines[nxt][0].page != hit.page:
            return False
        h = max(1.0, hit.bottom - hit.top)
        below = self.lines[nxt]
        if min(w.top for w in below) - hit.bottom > 1.6 * h:
            return False
        return any(abs(w.x0 - first.x0) <= 2 and not self.is_label(w) for w in below) and \
            not any(w.x1 <= first.x0 and w.x0 > hit.x1 for w in self.lines[hit.line])

    def block(self, hit: Hit, max_lines: int = 7) -> list[list[Word]]:
        """The lines of an address block labelled by ``hit``: to its right and/or below, in its column."""
        ln_words = self.lines[hit.line]
        right = [w for w in ln_words if w.x0 >= hit.x1 - 0.1 and w not in hit.words]
        right_run: list[Word] = []
        if right:
            phs = split_by_rules(phrases_of(right, gap=2.5 * max(1.0, hit.bottom - hit.top)),
                                 self.rules.get(hit.page, []))
            cand = phs[0].words if phs else []
            while cand and cand[0].text.strip() in (":", "-", "–"):
                cand = cand[1:]  # "CLIENT :": the label's colon set apart
            if cand and cand[0].text in ("/", "|"):
                cand = []  # "Purchaser / Besteller", "Deliver to / Receiver": the label's other language
            next_box = len(cand) > 1 and _BOX_NO.match(cand[0].text) and self.is_label(cand[1])
            gap = cand[0].x0 - hit.x1 if cand else 0.0
            near = gap < 6 * max(1.0, hit.bottom - hit.top) or (
                gap < 200 and not any(self.is_label(w) for w in cand) and self._column_continues(hit, cand[0]))
            if cand and near and not self.is_label(cand[0]) and not next_box:
                right_run = cand
        x0 = right_run[0].x0 if right_run else hit.x0
        lines: list[list[Word]] = [right_run] if right_run else []
        h = self._pitch_height(hit)
        last_bottom = hit.bottom
        skipped = 0
        for j in range(hit.line + 1, min(len(self.lines), hit.line + 14)):
            if self.lines[j][0].page != hit.page or len(lines) >= max_lines:
                break
            top = min(w.top for w in self.lines[j])
            if top - last_bottom > (1.6 + 1.3 * skipped) * h:
                break
            phs = self.phrases(j)
            best = None
            for ph in phs:
                if abs(ph.x0 - x0) <= 2.5 * h or (ph.x0 < x0 + 2 * h and ph.x1 > x0 + 2 * h):
                    best = ph
                    break
            if best is None:
                if lines:
                    skipped += 1  # a line of the next column, set a little higher or lower
                    if skipped > 2:
                        break
                continue
            if self.opens_label(best.words):
                break
            lines.append(best.words)
            last_bottom = max(w.bottom for w in best.words)
            skipped = 0
        return [ln for ln in lines if ln]


def _parse_prefix(run: list[Word], parse: Callable[[str], object | None]):
    """Parse the longest leading part of a word run that parses (a value may be followed by other text)."""
    for n in range(len(run), 0, -1):
        if n < len(run) and run[n].text.startswith("%"):
            continue  # "19,00 %": the number is a rate, cut off from its sign
        v = parse(" ".join(w.text for w in run[:n]))
        if v is not None:
            return v, run[:n]
    return None
