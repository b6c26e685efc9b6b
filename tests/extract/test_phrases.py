"""The phrase matcher the labels and the classifier use in place of spaCy's: the same matches, in the same
order, as a spaCy ``PhraseMatcher`` (``attr="ORTH"``) over the same tokens, and a run that reads born-digital
documents never loads spaCy."""
import random
import subprocess
import sys
from pathlib import Path

import pytest

from appraiser.extract.labels import COLUMN_VOCAB, tokens_of
from appraiser.extract.phrases import Phrases, murmur64a
from appraiser.extract.vocab import FIELD_LABELS

spacy = pytest.importorskip("spacy")
from spacy.matcher import PhraseMatcher  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def _both(nlp, entries):
    """A spaCy matcher and ours over the same (key, phrases of tokens), added in the same order."""
    theirs, ours = PhraseMatcher(nlp.vocab, attr="ORTH"), Phrases()
    for key, phrases in entries:
        phrases = [tuple(p) for p in phrases if p]
        if phrases:
            theirs.add(key, [Doc(nlp.vocab, words=list(p)) for p in phrases])
            ours.add(key, phrases)
    return theirs, ours


def _spacy_matches(nlp, matcher, toks):
    return [(nlp.vocab.strings[mid], s, e) for mid, s, e in matcher(Doc(nlp.vocab, words=list(toks)))]


def test_hash_is_the_string_stores(nlp):
    for text in ["invoice_number", "chem_N", "a", "abcdefgh", "abcdefghi", "Käufer €", "line_no"]:
        assert murmur64a(text.encode("utf-8")) == nlp.vocab.strings[text]


def test_matches_by_start_then_end(nlp):
    theirs, ours = _both(nlp, [("a", [("bill",), ("bill", "of", "lading")]), ("b", [("of", "lading")])])
    toks = ["the", "bill", "of", "lading", "bill"]
    assert ours(toks) == [("a", 1, 2), ("a", 1, 4), ("b", 2, 4), ("a", 4, 5)]
    assert ours(toks) == _spacy_matches(nlp, theirs, toks)
    assert ours([]) == [] and ours(["nothing", "here"]) == []


def test_one_phrase_of_many_keys_in_spacys_order(nlp):
    # a phrase that is a label of several keys ("date": the invoice date, the issue date…): spaCy gives them in
    # its hash table's order, grown past eight cells here
    keys = [f"key_{i}" for i in range(13)]
    theirs, ours = _both(nlp, [(k, [("date",)]) for k in keys])
    assert ours(["date"]) == _spacy_matches(nlp, theirs, ["date"])
    assert sorted(k for k, _, _ in ours(["date"])) == sorted(keys)


@pytest.mark.parametrize("vocab", [FIELD_LABELS, COLUMN_VOCAB], ids=["field", "column"])
def test_the_label_vocabularies_match_as_spacy_does(nlp, vocab):
    entries = [(k, [tokens_of(label) for label in vocab[k]]) for k in sorted(vocab)]
    theirs, ours = _both(nlp, entries)
    phrases = sorted({tuple(tokens_of(label)) for k in vocab for label in vocab[k]} - {()})
    rng = random.Random(7)
    for _ in range(500):
        toks = [t for p in rng.sample(phrases, 4) for t in p]
        assert ours(toks) == _spacy_matches(nlp, theirs, toks)


def test_a_born_digital_document_is_read_without_spacy():
    code = ("import sys; from pathlib import Path; from appraiser import pipeline; pipeline._load_readers(); "
            "from appraiser.extract import extract_file; "
            f"doc, _ = extract_file(Path({str(ROOT / 'fixtures' / 'demo')!r}) / sys.argv[1], sys.argv[1]); "
            "print(doc.doc_type, doc.ocr, 'spacy' in sys.modules)")
    name = next(p.relative_to(ROOT / "fixtures" / "demo").as_posix()
                for p in sorted((ROOT / "fixtures" / "demo").rglob("invoice *.pdf")))
    out = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["commercial_invoice", "False", "False"]
