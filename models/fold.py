"""The one place that says how text is folded before it is compared or written: names, labels, identifiers,
HTS digits and percentages. Every module that compares such values uses these functions, so two modules never
disagree on whether "Schwäbische Stahl & Co" and "Schwabische Stahl and Co" are one name, or on how a rate is
printed.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

_NOT_DIGIT = re.compile(r"\D")
_AMPERSAND = re.compile(r"\s*&\s*")


def strip_accents(text: str) -> str:
    """The text without accents, case kept ("Schwäbische" -> "Schwabische")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case without accents, "ß" as "ss": the form labels and words are compared in."""
    return strip_accents(text).lower().replace("ß", "ss")


def fold_name(name: str) -> str:
    """A party name without accents and with "&" as "and" ("Valve & Fitting" = "Valve and Fitting"); case kept."""
    return _AMPERSAND.sub(" and ", strip_accents(name))


def id_key(text) -> str:
    """Identifiers (invoice, PO, entry, heat and part numbers) are compared on letters and digits only."""
    return "".join(c for c in str(text) if c.isalnum()).upper()


def hts_digits(hts) -> str:
    """The digits of an HTS number however it is written ("7308.90.9590", "CO 7308.90.95 90"); "" for None."""
    return _NOT_DIGIT.sub("", str(hts or ""))


def fmt_pct(rate, unit: str = " %") -> str:
    """A percentage as written in findings: the decimal without trailing zeros, then " %" ("7.5 %", "50 %")."""
    return f"{Decimal(rate).normalize():f}{unit}"


def only_digits(text) -> str:
    """The digits of a value as written ("11,993.04" → "1199304")."""
    return _NOT_DIGIT.sub("", str(text or ""))


_HTS_SHAPE = re.compile(r"^\s*(?:[A-Z]{1,2}[+*]?\s+)?(\d{4}[.\s]?\d{2}(?:[.\s]?\d{2}(?:[.\s]?\d{2})?)?)\s*$")


def hts_shape_digits(text) -> str:
    """The digits of an HTS number written as one (NNNN.NN, NNNN.NN.NN, NNNN.NN.NNNN, NNNN.NN.NN.NN, 6, 8 or 10
    digits, an SPI before it); "" for anything else (a number read short on a scan is no classification)."""
    m = _HTS_SHAPE.match(str(text or ""))
    return hts_digits(m.group(1)) if m else ""


def numbers_in(text) -> list[str]:
    """The runs of digits in a text, in order ("54 cm frame, 2 pcs" → ["54", "2"])."""
    return _DIGITS.findall(str(text or ""))


_DIGITS = re.compile(r"\d+")
