"""Normalisation of values read from documents: numbers, money, dates, HTS numbers, weights, units,
countries, currencies, entry numbers, identifiers and party names.

Pure functions; each returns ``None`` for text it cannot read (never raises, never guesses).
"""
from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterable

from rapidfuzz import fuzz, process

from ..models.fold import fold_name, id_key, strip_accents  # noqa: F401  (re-exported: callers import them from here)

from .lexicon import (COUNTRIES, CURRENCIES, MONTHS, POSTCODE_FORMS, POSTCODE_PREFIXES, UNITS, WEIGHT_FACTORS,
                      WEIGHT_WORDS)

_SPACES = "\u00a0\u202f\u2009 "
_CURRENCY_CHARS = "$€£¥₹₩₫฿₺"


def _fold(text: str) -> str:
    return strip_accents(text).lower()  # unlike ``fold``, "ß" stays: country and unit names are read with it


def clean_text(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


# --- numbers -----------------------------------------------------------------------------------

_NUM_CORE = re.compile(r"^[+-]?\d[\d.,'\u00a0\u202f\u2009 ]*$|^[+-]?[.,]\d+$")


def _strip_number(text: str) -> tuple[str, bool] | None:
    t = text.strip()
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    # currency codes/symbols and percent around the number
    t = re.sub(r"^(?:[A-Z]{3}|[A-Z]{0,3}\$|[" + _CURRENCY_CHARS + r"])\s*", "", t)
    t = re.sub(r"\s*(?:[A-Z]{3}|[" + _CURRENCY_CHARS + r"]|%)$", "", t)
    t = t.strip()
    if t.endswith("-") and len(t) > 1 and t[-2].isdigit():
        neg, t = True, t[:-1]
    if t.startswith("-") or t.startswith("−"):
        neg, t = True, t[1:]
    elif t.startswith("+"):
        t = t[1:]
    t = t.strip()
    if not t or not _NUM_CORE.match(t):
        return None
    return t, neg


def parse_number(text: str, style: str | None = None) -> Decimal | None:
    """A number written 1,234.56 / 1.234,56 / 1 234,56 / 1'234.56 / (1,234.56) / 12.5- …, kept exact.

    ``style`` "dot" or "comma" names the decimal mark and settles "1,234" and "1.234"; without it a lone
    separator followed by exactly three digits groups thousands.
    """
    if text is None:
        return None
    s = _strip_number(str(text))
    if s is None:
        return None
    t, neg = s
    t = re.sub(r"[\u00a0\u202f\u2009 ']", "", t)
    dots, commas = t.count("."), t.count(",")
    if dots and commas:
        dec = "." if t.rfind(".") > t.rfind(",") else ","
    elif dots > 1 or commas > 1:
        sep = "." if dots else ","
        groups = t.split(sep)
        if not all(len(g) == 3 for g in groups[1:]) or not groups[0]:
            return None
        dec = "," if sep == "." else "."
    elif dots == 1 or commas == 1:
        sep = "." if dots else ","
        head, tail = t.split(sep)
        other = "," if sep == "." else "."
        if len(tail) == 3 and head and head.lstrip("0"):
            # "1,234" / "1.234": the document's style decides; without one, three digits group thousands
            dec = sep if style == ("dot" if sep == "." else "comma") else other
        else:
            dec = sep
    else:
        dec = "."
    thousands = "," if dec == "." else "."
    if dec in t and t.count(dec) > 1:
        return None
    # thousands groups must be groups of three
    int_part = t.split(dec)[0] if dec in t else t
    if thousands in int_part:
        groups = int_part.split(thousands)
        if not groups[0] or len(groups[0]) > 3 or not all(len(g) == 3 for g in groups[1:]):
            return None
    t = t.replace(thousands, "").replace(dec, ".")
    if t.startswith("."):
        t = "0" + t
    try:
        v = Decimal(t)
    except InvalidOperation:
        return None
    return -v if neg else v


def number_style(texts: Iterable[str]) -> str | None:
    """Whether a document writes decimals with a dot or a comma, from its unambiguous numbers."""
    dot = comma = 0
    for t in texts:
        t = t.strip("()$€£¥%:;")
        # "0.480" is no thousands group; "1,234,567" groups thousands twice
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d{1,4}|\d+\.\d{1,2}|\d+\.\d{4,}|0\.\d+|\d{1,3}(?:,\d{3}){2,}", t):
            dot += 1
        elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d{1,4}|\d+,\d{1,2}|\d+,\d{4,}|\d{1,3}(?:[ \u00a0\u202f]\d{3})+,\d+"
                          r"|0,\d+|\d{1,3}(?:\.\d{3}){2,}", t):
            comma += 1
    if dot == comma == 0:
        return None
    return "dot" if dot >= comma else "comma"


def parse_money(text: str, style: str | None = None) -> tuple[Decimal, str | None] | None:
    """An amount and the ISO currency written with it: "US$ 1,234.56" -> (Decimal('1234.56'), 'USD')."""
    if not text:
        return None
    t = clean_text(text)
    cur = None
    m = re.search(r"[A-Z]{3}|[A-Z]{0,3}\$|[" + _CURRENCY_CHARS + "]", t)
    if m:
        cur = currency_code(m.group(0))
    for m in _MONEY_NUM.finditer(t):
        if t[m.end():].lstrip()[:1] == "%":
            continue  # "19,00 %": a rate, never an amount
        v = parse_number(m.group(0), style)
        if v is not None:
            return v, cur
    return None


_MONEY_NUM = re.compile(r"\(?[+\-−]?\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?(?![\d.,])\)?-?"  # 1 234,56
                        r"|\(?[+\-−]?\d[\d.,'\u00a0\u202f\u2009]*\d\)?-?|\(?[+\-−]?\d\)?-?")


# --- dates -------------------------------------------------------------------------------------

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_D_ISO = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_D_NUM = re.compile(r"\b(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})\b")
_D_DMY_NAME = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|er|o|º|°)?(?:\s+de)?[\s\-/.]+(" + _MONTH_ALT + r")\.?(?:\s+de)?[\s\-/.,]+(\d{4}|\d{2})\b",
                         re.IGNORECASE)
_D_MDY_NAME = re.compile(r"\b(" + _MONTH_ALT + r")\.?[\s\-/.]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/.]+(\d{4})\b",
                         re.IGNORECASE)
_D_COMPACT = re.compile(r"\b(20\d{2}|19\d{2})(\d{2})(\d{2})\b")


def _mk(y: int, m: int, d: int) -> str | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _numeric(a: int, b: int, y: int, sep: str, order: str | None) -> str | None:
    if a > 12 and b <= 12:
        return _mk(y, b, a)
    if b > 12 and a <= 12:
        return _mk(y, a, b)
    o = order or ("mdy" if sep == "/" else "dmy")
    return _mk(y, a, b) if o == "mdy" else _mk(y, b, a)


def find_dates(text: str, order: str | None = None) -> list[tuple[str, str]]:
    """Every date in a text: (the matched substring, ISO date), in reading order."""
    if not text:
        return []
    folded = _fold(text)
    out: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def add(m, iso):
        if iso and not any(s < m.end() and m.start() < e for s, e in taken):
            taken.append((m.start(), m.end()))
            out.append((m.start(), text[m.start():m.end()], iso))

    for m in _D_ISO.finditer(folded):
        add(m, _mk(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _D_DMY_NAME.finditer(folded):
        add(m, _mk(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1))))
    for m in _D_MDY_NAME.finditer(folded):
        add(m, _mk(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2))))
    for m in _D_NUM.finditer(folded):
        add(m, _numeric(int(m.group(1)), int(m.group(3)), int(m.group(4)), m.group(2), order))
    for m in _D_COMPACT.finditer(folded):
        add(m, _mk(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    return [(s, iso) for _, s, iso in sorted(out)]


def parse_date(text: str, order: str | None = None) -> str | None:
    """A date to ISO ``YYYY-MM-DD``; numeric day/month order from ``order`` ("mdy"/"dmy"), else from the
    separator (slashes: U.S. month first; dots and dashes: day first) unless one part exceeds 12."""
    text = re.sub(r"\s+([,.])", r"\1", text) if text else text  # "August 3 , 2014": a text layer's stray space
    found = find_dates(text, order)
    if not found:
        return None
    s, iso = found[0]
    # the date must be most of the text (a value cell), not a date inside a sentence
    rest = clean_text(_fold(text).replace(_fold(s), " ", 1))
    if len(re.sub(r"[^a-z0-9]", "", rest)) > 12:
        return None
    return iso


def date_order(texts: Iterable[str]) -> str | None:
    """"mdy" or "dmy", from a document's numeric dates where a part over 12 shows the order."""
    mdy = dmy = 0
    for t in texts:
        for m in _D_NUM.finditer(t):
            a, b = int(m.group(1)), int(m.group(3))
            if a > 12 >= b:
                dmy += 1
            elif b > 12 >= a:
                mdy += 1
    if mdy == dmy == 0:
        return None
    return "mdy" if mdy > dmy else "dmy"


# function words of the languages whose countries write the day first; a document written in one of them
# writes 05/10/2024 for the fifth of October
_DAY_FIRST_WORDS = frozenset(
    "de del la el los las y para por con und der die das für mit von le les du des et pour avec il di della "
    "per het van een voor met do da dos das em "
    # label words of invoices written in those languages
    "fecha factura moneda cantidad precio descripcion descripción codigo código pagina página importe "
    "datum rechnung menge preis betrag seite facture quantité prix montant fattura quantità prezzo "
    "importo factuur bedrag".split())


def locale_date_order(texts: Iterable[str], number_style: str | None) -> str | None:
    """"dmy" when nothing in the dates decides but the document is written the European or Latin American
    way: comma decimals, or prose in a language whose countries put the day first; else None (m/d/y)."""
    if number_style in ("comma", "space"):
        return "dmy"
    words = [w.casefold().strip(".,:;()/") for w in texts]
    words = [w for w in words if w.isalpha()]
    hits = sum(1 for w in words if w in _DAY_FIRST_WORDS)
    if words and hits >= 6 and hits >= 0.04 * len(words):
        return "dmy"
    return None


# --- HTS -----------------------------------------------------------------------------------------

_SPI = re.compile(r"^\s*([A-Z]{1,2}[+*]?)\s+(?=\d)")


def split_spi(text: str) -> tuple[str | None, str | None]:
    """("CO", "7308.90.9590") from "CO 7308.90.9590"; (None, hts) without a prefix."""
    if not text:
        return None, None
    m = _SPI.match(text)
    spi = m.group(1) if m else None
    rest = text[m.end():] if m else text
    return spi, normalize_hts(rest)


def normalize_hts(text: str) -> str | None:
    """HTS digits written NNNN.NN.NNNN (or NNNN.NN / NNNN.NN.NN when the document gives fewer)."""
    if not text:
        return None
    t = str(text).strip()
    m = _SPI.match(t)
    if m:
        t = t[m.end():]
    m = re.match(r"^(\d{4}(?:[ .]?\d{2}){1,3}|\d{6}|\d{8}|\d{10})\b", t, re.ASCII)  # digits 0-9 only
    if not m:
        return None
    d = re.sub(r"\D", "", m.group(1))
    if len(d) not in (6, 8, 10) or not (1 <= int(d[:2]) <= 99):
        return None
    if len(d) == 6:
        return f"{d[:4]}.{d[4:6]}"
    if len(d) == 8:
        return f"{d[:4]}.{d[4:6]}.{d[6:8]}"
    return f"{d[:4]}.{d[4:6]}.{d[6:10]}"


# --- units and weights -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _unit_index() -> dict[str, str]:
    idx = {}
    for code, names in UNITS.items():
        for n in names:
            idx[_fold(n)] = code
        idx[code.lower()] = code
    return idx


@lru_cache(maxsize=1)
def _weight_index() -> dict[str, str]:
    idx = {}
    for code, names in WEIGHT_WORDS.items():
        for n in names:
            idx[_fold(n)] = code
    return idx


def unit_code(text: str) -> str | None:
    if not text:
        return None
    t = _fold(text).strip(" .,:;()[]")
    return _unit_index().get(t)


@lru_cache(maxsize=1)
def _weight_patterns() -> list[tuple[str, tuple[re.Pattern, ...]]]:
    """Each weight word, longest first, with the patterns that find it in a folded text: single letters (t, g)
    only when they stand alone after a number ("18.6 t") or in brackets ("Net weight (t)")."""
    idx = _weight_index()
    out = []
    for phrase in sorted(idx, key=len, reverse=True):
        if len(phrase) <= 2 and phrase not in ("kg", "lb", "mt", "tm"):
            pats = (re.compile(r"\d\s*" + re.escape(phrase) + r"\b"),
                    re.compile(r"\(\s*" + re.escape(phrase) + r"\s*\)"))
        else:
            pats = (re.compile(r"(?<![a-z])" + re.escape(phrase) + r"(?![a-z])"),)
        out.append((idx[phrase], pats))
    return out


@lru_cache(maxsize=1 << 14)  # every word of a document is asked about; the same words recur
def weight_unit(text: str) -> str | None:
    """The weight unit a text names ("Net weight (lbs)" -> "LB"), or None."""
    if not text:
        return None
    t = _fold(text)
    for code, pats in _weight_patterns():
        if any(p.search(t) for p in pats):
            return code
    return None


def to_kg(value: Decimal, unit: str) -> Decimal | None:
    """A weight in kilograms, to three decimals (half-up), without exponent."""
    if value is None or unit is None:
        return None
    code = unit if unit in WEIGHT_FACTORS else weight_unit(unit) or unit_code(unit)
    factor = WEIGHT_FACTORS.get(code or "")
    if factor is None:
        return None
    kg = Decimal(value) * factor
    if code == "KG":
        return Decimal(value)
    try:
        kg = kg.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a Decimal holds to the gram: no weight a document states
        return None
    if kg == kg.to_integral_value():
        return kg.quantize(Decimal(1))
    return kg.normalize() if kg.normalize().as_tuple().exponent >= -3 else kg


# --- countries and currencies ----------------------------------------------------------------

@lru_cache(maxsize=1)
def _country_index() -> tuple[dict[str, str], list[str]]:
    idx: dict[str, str] = {}
    for code, names in COUNTRIES.items():
        for n in names:
            key = re.sub(r"[^a-z0-9 ]", "", _fold(n).replace(".", "").replace(",", " ")).strip()
            key = re.sub(r"\s+", " ", key)
            if key:
                idx.setdefault(key, code)
    return idx, sorted(idx, key=len, reverse=True)


def _country_key(text: str) -> str:
    t = _fold(text).replace(".", "")
    t = re.sub(r"[^a-z0-9 ]", " ", t)
    return re.sub(r"\s+", " ", t).strip()


@lru_cache(maxsize=1 << 12)
def country_code(text: str) -> str | None:
    """ISO alpha-2 from a country's name, adjective, Spanish name, alpha-3 or alpha-2 code, also inside a
    short text ("Made in China", "Country of origin: Mexico"); OCR-damaged names fuzzily."""
    if not text:
        return None
    raw = text.strip()
    if re.fullmatch(r"[A-Z]{2}", raw):
        return raw if raw in COUNTRIES else None
    key = _country_key(raw)
    if not key:
        return None
    idx, names = _country_index()
    if key in idx and (len(key) > 3 or raw.isupper()):
        return idx[key]
    padded = f" {key} "
    for name in names:
        if len(name) <= 3:
            continue  # codes only count as the whole text
        if f" {name} " in padded:
            return idx[name]
    if len(key) >= 5 and len(key.split()) <= 4:
        long_names = [n for n in names if len(n) >= 5]
        hit = process.extractOne(key, long_names, scorer=fuzz.ratio, score_cutoff=80)
        if hit and hit[0][0] == key[0]:
            return idx[hit[0]]
    return None


find_country = country_code


def postcode_country(line: str) -> str | None:
    """The country an address line's postcode names by convention alone: a country prefix ("D-63571",
    "F-75018") or a form only one country uses ("3500 MJ"); None when the line does not say it clearly."""
    if not line:
        return None
    t = clean_text(line)
    m = re.search(r"(?<![A-Za-z])([A-Z]{1,3})-(\d{4,5})\b", t)
    if m and m.group(1) in POSTCODE_PREFIXES:
        return POSTCODE_PREFIXES[m.group(1)]
    for pattern, code in POSTCODE_FORMS.items():
        if re.search(pattern, t):
            return code
    return None


@lru_cache(maxsize=1)
def _currency_index() -> list[tuple[str, str, re.Pattern | None]]:
    """Currency names, longest first, with the pattern that finds a word or words whole (None: a symbol, found
    anywhere)."""
    pairs = []
    for code, names in CURRENCIES.items():
        for n in names:
            pairs.append((_fold(n), code))
    pairs.sort(key=lambda p: len(p[0]), reverse=True)
    return [(name, code, re.compile(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])")
             if name.isalpha() or " " in name or "." in name else None) for name, code in pairs]


@lru_cache(maxsize=1 << 12)
def currency_code(text: str) -> str | None:
    """ISO 4217 from a code, symbol or name, also within a text ("Amounts in US Dollars" -> USD)."""
    if not text:
        return None
    t = _fold(clean_text(text))
    for name, code, whole in _currency_index():
        if whole is not None:
            if whole.search(t):
                return code
        elif name in t:
            return code
    return None


# --- entry numbers -------------------------------------------------------------------------------

def _char_value(c: str) -> int:
    if c.isdigit():
        return int(c)
    c = c.upper()
    if "A" <= c <= "I":
        return ord(c) - ord("A") + 1
    if "J" <= c <= "R":
        return ord(c) - ord("J") + 1
    if "S" <= c <= "Z":
        return ord(c) - ord("S") + 2
    raise ValueError(f"not a letter or digit: {c!r}")


def entry_check_digit(first10: str) -> int:
    """The check digit over the filer code and the seven digits (SPEC §4 "Facts")."""
    chars = id_key(first10)
    if len(chars) != 10:
        raise ValueError("an entry number has 10 characters before its check digit")
    total = 0
    for pos, c in enumerate(chars, start=1):
        v = _char_value(c)
        if pos % 2 == 0:
            v *= 2
            if v > 9:
                v = v // 10 + v % 10
        total += v
    return (10 - total % 10) % 10


_ENTRY = re.compile(r"(?<![A-Z0-9])([A-Z0-9]{3})[\s\-]?([0-9OoIl]{7})[\s\-]?([0-9OoIl])(?![A-Z0-9])")


def normalize_entry_number(text: str) -> str | None:
    """"ABC-1234567-6" from "ABC-1234567-6", "ABC 1234567 6" or "ABC12345676", when the check digit holds."""
    if not text:
        return None
    for m in _ENTRY.finditer(str(text).upper()):
        digits = m.group(2).replace("O", "0").replace("I", "1").replace("L", "1")
        check = m.group(3).replace("O", "0").replace("I", "1").replace("L", "1")
        filer = m.group(1)
        try:
            if entry_check_digit(filer + digits) == int(check):
                return f"{filer}-{digits}-{check}"
        except ValueError:
            continue
    return None


def entry_number_ok(text: str) -> bool:
    return normalize_entry_number(text) is not None


# --- parties -------------------------------------------------------------------------------------

_PARTY_LABEL = re.compile(
    r"^\s*(?:seller|vendor|supplier|exporter|shipper|sold\s+(?:by|to)|bill(?:ed)?\s+to|buyer|consignee|"
    r"ship(?:ped)?\s+to|importer(?:\s+of\s+record)?|customer|manufacturer|vendedor|comprador|exportador|"
    r"proveedor|cliente|consignatario|from|to|messrs\.?)\s*[:.\-]\s*",
    re.IGNORECASE)


def clean_party_name(text: str) -> str:
    t = clean_text(text)
    t = _PARTY_LABEL.sub("", t)
    t = " ".join(tok for tok in t.split() if "@" not in tok and not tok.lower().startswith(("www.", "http")))
    return t.strip(" :;,-")


_PART_LIKE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")
_LOWER_WORD = re.compile(r"[a-z]+")


def description_words(text: str, stop: frozenset[str] | set[str] = frozenset()) -> str:
    """The words of a goods description or of an agreement's products, for comparing them: part numbers,
    ``stop`` words and words under three letters out, plurals as singular."""
    text = _PART_LIKE.sub(" ", fold_name(text or "").lower())
    toks = [t for t in _LOWER_WORD.findall(text) if t not in stop and len(t) > 2]
    return " ".join(t[:-1] if t.endswith("s") and len(t) > 4 else t for t in toks)
