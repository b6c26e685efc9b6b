"""Loose (fuzzy) label matching: every window of a line against every label at once (rapidfuzz ``cdist``) finds
the same labels, in the same order, as the plain loop over labels and windows it replaced."""
import pytest
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from appraiser.extract import labels
from appraiser.extract.labels import _line_tokens, _matcher, _ocr_forms, match_line, tokens_of
from appraiser.extract.pages import Word
from appraiser.extract.vocab import COLUMN_LABELS, FIELD_LABELS


def _line(texts, gaps=None):
    out, x = [], 10.0
    for i, t in enumerate(texts):
        out.append(Word(t, x, 100, x + 6 * len(t), 110, 1))
        x += 6 * len(t) + (gaps[i] if gaps else 4)
    return out


def _plain_loose(line, keys, kind, fuzzy):
    """The loop the matcher replaced: each key, each of its labels, each window of the line, in that order."""
    toks, owner = _line_tokens(line)
    keep = [i for i, t in enumerate(toks) if not (i and t in labels._CURRENCY_TOKENS and toks[i - 1][:1].isalpha())]
    toks, owner = [toks[i] for i in keep], [owner[i] for i in keep]
    _, variants = _matcher(kind, tuple(sorted(keys)))

    def together(s, e):
        idx = sorted(set(owner[s:e]))
        return all(line[b].x0 - line[a].x1 <= 1.5 * max(1.0, line[a].bottom - line[a].top,
                                                         line[b].bottom - line[b].top)
                   for a, b in zip(idx, idx[1:]))

    def value_word(s, e):
        return any(sum(c.isdigit() for c in line[i].text) >= 2 for i in set(owner[s:e]))

    found = []
    for key, pats in variants.items():
        for pat in pats:
            joined, n = " ".join(pat), len(pat)
            if len(joined) < (5 if fuzzy != "long" else 9) or (fuzzy == "long" and n < 2):
                continue
            for s in range(0, len(toks) - n + 1):
                window = toks[s:s + n]
                if any(len(p) <= 3 and p not in _ocr_forms(c) for c, p in zip(window, pat)):
                    continue
                cand = " ".join(window)
                if cand != joined and fuzz.ratio(cand, joined) >= 86 and \
                        (n > 1 or Levenshtein.distance(cand, joined) <= max(1, len(joined) // 6)) and \
                        together(s, s + n) and not value_word(s, s + n):
                    found.append((key, s, s + n))
    return found


def _loose_hits(line, keys, kind, fuzzy):
    """The loose hits ``match_line`` keeps, as (key, first word, last word)."""
    return [(h.key, line.index(h.words[0]), line.index(h.words[-1]))
            for h in match_line(line, keys, kind=kind, fuzzy=fuzzy) if h.fuzzy]


# (words of a line, keys, kind, fuzzy, the loose hits expected as (key, first word, last word))
CASES = [
    (["lnvoice", "Number:", "A-1"], ["invoice_number"], "field", True, [("invoice_number", 0, 1)]),
    (["Invoice", "Nunber", "A-1"], ["invoice_number"], "field", True, [("invoice_number", 0, 1)]),
    (["Invoice", "Number", "A-1"], ["invoice_number"], "field", True, []),  # exact: not loose
    (["certificate", "EN", "10204"], ["certificate_number"], "field", True, []),  # a short word is exact
    (["Commercial", "Invoice", "Nunber"], ["invoice_number"], "field", "long", [("invoice_number", 0, 2)]),
    (["Cornmercial", "lnvoice", "Nurnber"], ["invoice_number"], "field", "long", []),  # too far off
    (["lnvoice", "Nurnber"], ["invoice_number"], "field", "long", []),  # on a text layer: only long labels
    (["Country", "of", "0rigin:", "CN"], ["country_of_origin"], "field", True, [("country_of_origin", 0, 2)]),
    (["Net", "Weigth", "(kg)"], ["net_weight"], "column", True, [("net_weight", 0, 2)]),  # "net weight (kg)"
    (["INV/2023/03/0008", "Nunber"], ["invoice_number"], "field", True, []),  # a value is no label
]


@pytest.mark.parametrize("texts,keys,kind,fuzzy,expected", CASES)
def test_loose_labels_on_a_table_of_cases(texts, keys, kind, fuzzy, expected):
    assert _loose_hits(_line(texts), keys, kind, fuzzy) == expected


def test_loose_labels_need_their_words_together():
    far = _line(["lnvoice", "Number:", "A-1"], gaps=[60, 4, 4])  # two cells, not one label
    assert _loose_hits(far, ["invoice_number"], "field", True) == []


def _damaged(label: str, how: int) -> list[str]:
    """A label as a scan or a kerned text layer may give it: letters swapped, doubled, dropped or confused."""
    words = label.split()
    i = how % len(words)
    w = words[i]
    if how % 4 == 0 and len(w) > 4:
        w = w[:2] + w[3] + w[2] + w[4:]
    elif how % 4 == 1:
        w = w.replace("i", "l").replace("o", "0")
    elif how % 4 == 2 and len(w) > 5:
        w = w[:-2] + w[-1]
    else:
        w = w + w[-1]
    return words[:i] + [w] + words[i + 1:] + ["12,345.00"]


@pytest.mark.parametrize("kind,vocab", [("field", FIELD_LABELS), ("column", COLUMN_LABELS)])
@pytest.mark.parametrize("fuzzy", [True, "long"])
def test_loose_labels_find_what_the_plain_loop_finds(kind, vocab, fuzzy):
    keys = sorted(vocab)
    lines = [_line(_damaged(label, how)) for key in keys for how, label in enumerate(vocab[key][:4])
             if tokens_of(label)]
    lines.append(_line(["Gross", "Weigth", "Net", "Wieght", "Total", "Amuont", "Descriptlon", "Quantlty"]))
    lines.append(_line(["Invoice", "Nunber", "Invoice", "Nurnber"], gaps=[4, 4, 60, 4]))
    _, variants = _matcher(kind, tuple(keys))
    names = list(variants)
    found = 0
    for line in lines:
        toks, owner = _line_tokens(line)
        keep = [i for i, t in enumerate(toks)
                if not (i and t in labels._CURRENCY_TOKENS and toks[i - 1][:1].isalpha())]
        toks, owner = [toks[i] for i in keep], [owner[i] for i in keep]
        loose = labels._loose(line, toks, owner, kind, tuple(keys), fuzzy, set())
        got = [(names[ki], s, s + n) for ki in sorted(loose) for _, s, n in loose[ki]]
        assert got == _plain_loose(line, keys, kind, fuzzy), [w.text for w in line]
        found += len(got)
    assert found > 20  # the table exercises the loose path
