"""The tariff schedule a user supplies: the USITC HTS CSV export (HTS number, general and special rates of duty).

Read once per run; the audit asks it for the column 1 general rate of an HTS number and for the special rate an
SPI earns, where the 7501 does not show the rate a finding needs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..models.fold import hts_digits
from ..models.table import columns_text, read_table

_SPECIAL = re.compile(r"(Free|\d+(?:\.\d+)?\s*%)\s*\(([^)]*)\)")


@dataclass
class Tariff:
    general: dict[str, str]
    special: dict[str, str]

    def _lookup(self, table: dict[str, str], hts: str, lengths=(10, 8, 6, 4)) -> str | None:
        digits = hts_digits(hts)
        for n in lengths:
            if len(digits) >= n:
                v = table.get(digits[:n])
                if v:
                    return v
        return None

    def general_rate(self, hts: str) -> Decimal | None:
        text = self._lookup(self.general, hts)
        if text is None:
            return None
        t = text.strip()
        if t.lower().startswith("free"):
            return Decimal(0)
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", t)
        return Decimal(m.group(1)) if m else None

    def special_programs(self, hts: str) -> set[str]:
        text = self._lookup(self.special, hts) or ""
        m = re.search(r"\(([^)]*)\)", text)
        return {p.strip() for p in m.group(1).split(",")} if m else set()

    def special_rate(self, hts: str, spi: str) -> Decimal | None:
        """The rate the special column gives the program ``spi`` at the 10 or 8 digits of ``hts``; None when the
        program earns none there."""
        text = self._lookup(self.special, hts, (10, 8))
        for rate, codes in _SPECIAL.findall(text or ""):
            if spi.upper() in {c.strip().upper() for c in codes.split(",")}:
                return Decimal(0) if rate.lower() == "free" else Decimal(rate.replace("%", "").strip())
        return None


_HTS_CELL = re.compile(r"\d{4}(?:\.?\d{2}){0,3}", re.ASCII)


def export_columns(columns) -> tuple[str | None, str | None, str | None]:
    """The HTS number, general rate and special rate columns of a header (None where missing): a header with the
    first two is a USITC HTS export."""
    cols = {re.sub(r"\s+", " ", c.strip().lower()): c for c in columns}
    num = cols.get("hts number") or cols.get("hts no") or cols.get("hts")
    gen = cols.get("general rate of duty") or cols.get("general")
    spe = cols.get("special rate of duty") or cols.get("special")
    return num, gen, spe


def load_tariff(path: Path) -> Tariff:
    """The general and special rates of a USITC HTS export, by HTS digits. Raises ``OSError`` when the file cannot
    be read and ``ValueError`` when it is no such export: the message names the line, or the columns needed and
    found. A rate is kept as written (compound and specific rates too); a row without an HTS number (a heading) is
    passed over."""
    table = read_table(path)
    num, gen, spe = export_columns(table.columns)
    if not num or not gen:
        raise ValueError("not a USITC HTS export (needs 'HTS Number' and 'General Rate of Duty'; found: "
                         f"{columns_text(table.columns)})")
    general: dict[str, str] = {}
    special: dict[str, str] = {}
    for row in table.rows:
        text = row.cells[num]
        if not text:
            continue
        if not _HTS_CELL.fullmatch(text):
            raise ValueError(f"line {row.line}, column {num}: not an HTS number: {text!r}")
        digits = hts_digits(text)
        if row.cells[gen]:
            general[digits] = row.cells[gen]
        if spe and row.cells[spe]:
            special[digits] = row.cells[spe]
    if not general and not special:
        raise ValueError("no rate of duty: no row has an HTS number with a rate")
    return Tariff(general, special)
