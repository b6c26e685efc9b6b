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


# --- file names: any bytes a folder holds, kept losslessly as text ---------------------------------------------

def path_text(fs_path: str) -> str:
    """A file system path (``os.fsdecode``: bytes that are not UTF-8 as lone surrogates) as storable text: each
    byte that is not UTF-8 written ``\\xNN`` and a backslash doubled, so that :func:`path_of` gives the original
    back. A UTF-8 name comes out unchanged (unless it holds a backslash)."""
    out = []
    for ch in fs_path:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif 0xDC80 <= o <= 0xDCFF:
            out.append(f"\\x{o - 0xDC00:02x}")
        else:
            out.append(ch)
    return "".join(out)


def path_of(text: str) -> str:
    """The file system path (``os.fsdecode`` form) a :func:`path_text` stands for."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text[i + 1:i + 2] == "\\":
            out.append("\\")
            i += 2
        elif ch == "\\" and text[i + 1:i + 2] == "x" and len(text) >= i + 4:
            out.append(chr(0xDC00 + int(text[i + 2:i + 4], 16)))
            i += 4
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (newlines, escapes that would colour or move the
    cursor) written as ``\\n``, ``\\x1b`` …; everything else as it is."""
    if not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text):
        return text
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "".join(named.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c)
                   for c in text)
