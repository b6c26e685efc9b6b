"""Label vocabularies: how documents name their fields and table columns, one data file per language.

``vocab/<language>.json`` holds the wordings of one language, keyed by concept: ``fields`` (key–value labels;
keys are concepts the extractors map to SPEC fields), ``columns`` (line-item table headers), ``entry_columns``
(the CBP Form 7501 line block), ``total_rows`` (rows that close or summarise a table), ``charges`` (charge
lines by SPEC ``charges[].kind``), ``assists`` (assist kinds) and ``dateline`` (the word between place and
date in a letter's dateline). Wordings follow the trade's own terms: the EN 16931 business terms in their
official language versions, UN/CEFACT, Incoterms and CBP form block titles, plus the common short forms.

The files are merged concept by concept into the dictionaries below, so a new language is one more file.
Each label is matched on tokens (case, accents and surrounding punctuation ignored; ``/`` and ``:`` split
tokens), exactly with spaCy's PhraseMatcher and, on OCR text, fuzzily with rapidfuzz. The longest match wins
where labels overlap, so "total net weight" beats "total".
"""
from __future__ import annotations

import json
from pathlib import Path

VOCAB_DIR = Path(__file__).with_name("vocab")
SECTIONS = ("fields", "columns", "entry_columns", "charges", "assists")


def load_language(path: Path) -> dict:
    """One language file; a file that cannot be read gives an empty vocabulary (never raises)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _languages(folder: Path = VOCAB_DIR) -> dict[str, dict]:
    langs = {}
    files = sorted(folder.glob("*.json"), key=lambda p: (p.stem != "en", p.stem))  # English first
    for f in files:
        data = load_language(f)
        if data:
            langs[str(data.get("language") or f.stem)] = data
    return langs


def merge(languages: dict[str, dict], section: str) -> dict[str, list[str]]:
    """One section of every language, concept by concept, without repeating a wording."""
    out: dict[str, list[str]] = {}
    for data in languages.values():
        for key, labels in (data.get(section) or {}).items():
            if not isinstance(labels, list):
                continue
            have = out.setdefault(key, [])
            have.extend(x for x in labels if isinstance(x, str) and x and x not in have)
    return out


def merge_list(languages: dict[str, dict], section: str) -> list[str]:
    out: list[str] = []
    for data in languages.values():
        out.extend(x for x in data.get(section) or [] if isinstance(x, str) and x not in out)
    return out


LANGUAGES: dict[str, dict] = _languages()

# Key–value labels. Keys are concepts; the extractors map them to SPEC fields.
FIELD_LABELS: dict[str, list[str]] = merge(LANGUAGES, "fields")
# Table column headers. Keys are line-item fields (weights in the document's unit; converted later).
COLUMN_LABELS: dict[str, list[str]] = merge(LANGUAGES, "columns")
# The line block of CBP Form 7501 (both layouts; box numbers are ignored), column key -> wordings.
ENTRY_COLUMNS: dict[str, list[str]] = merge(LANGUAGES, "entry_columns")
# Table rows that close a table or summarise it: never line items.
TOTAL_ROW_WORDS: list[str] = merge_list(LANGUAGES, "total_rows")
# Charge lines on invoices: kind -> wordings (SPEC charges[].kind).
CHARGE_WORDS: dict[str, list[str]] = merge(LANGUAGES, "charges")
# Assist kinds (SPEC assist_kind) -> wordings on toolmakers' and engineers' invoices.
ASSIST_WORDS: dict[str, list[str]] = merge(LANGUAGES, "assists")
# The word between place and date in a letter's dateline ("München, den 11.07.2014").
DATELINE_WORDS: list[str] = merge_list(LANGUAGES, "dateline")

# Chemical element column headers on mill certificates (symbol -> spellings): symbols, in no language.
ELEMENTS: dict[str, list[str]] = {
    sym: [sym.lower()] for sym in ("C", "Mn", "Si", "P", "S", "Cr", "Ni", "Mo", "Cu", "Al", "V", "Nb", "Ti", "B",
                                   "N", "Co", "W", "Sn", "Ca", "Zr", "Pb", "As", "Sb", "Fe", "Mg", "Zn",
                                   # residual and trace elements EN 10168 C71-C92 certificates report
                                   "Ce", "La", "Bi", "Te", "Se", "Ta", "Hf", "Ga", "Ge", "Tl", "Ag", "Cd", "Ir",
                                   "Pt", "Au", "Hg", "Ru", "Rh", "Pd", "Os")
}
ELEMENTS["CEV"] = ["cev", "ceq", "ce"]

# Parties: the words of a company's legal form ("GmbH", "S.A.R.L.", "B.V."), the wordings of a legal footer
# (registered office, share capital, commercial register: the issuer's identity every EU invoice must print),
# and the openings of an address line that names a person to attend to it ("z. Hd.", "Attn", "T.a.v.").
LEGAL_FORMS: list[str] = merge_list(LANGUAGES, "legal_forms")
LEGAL_FOOTER: list[str] = merge_list(LANGUAGES, "legal_footer")
ATTENTION_WORDS: list[str] = merge_list(LANGUAGES, "attention")
# Words of a document's title and page furniture ("Rechnung", "Page 1 of 2", "Copie"): never a party's name.
TITLE_WORDS: list[str] = merge_list(LANGUAGES, "titles")
# Parts of a price cell that gives gross price, allowance and net price: the net one is the line's price.
NET_WORDS: list[str] = merge_list(LANGUAGES, "net_words")
# Rows of a chemistry table: the heat's own analysis ("actual"), and the specification's limits around it.
CHEMISTRY_ROWS: dict[str, list[str]] = merge(LANGUAGES, "chemistry_rows")
