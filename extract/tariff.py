"""The tariff schedule a user supplies: the USITC HTS CSV export (HTS number, general and special rates of duty).

Read once per run; the audit asks it for the column 1 general rate of an HTS number and for the special rate an
SPI earns, where the 7501 does not show the rate a finding needs.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..models.fold import hts_digits

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


def load_tariff(path: Path) -> Tariff:
    general: dict[str, str] = {}
    special: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        cols = {re.sub(r"\s+", " ", (c or "").strip().lower()): c for c in reader.fieldnames or []}
        num = cols.get("hts number") or cols.get("hts no") or cols.get("hts")
        gen = cols.get("general rate of duty") or cols.get("general")
        spe = cols.get("special rate of duty") or cols.get("special")
        if not num or not gen:
            raise ValueError(f"{path}: not a USITC HTS export (needs 'HTS Number' and 'General Rate of Duty')")
        for row in reader:
            digits = hts_digits(row.get(num))
            if not digits:
                continue
            if (row.get(gen) or "").strip():
                general[digits] = row[gen].strip()
            if spe and (row.get(spe) or "").strip():
                special[digits] = row[spe].strip()
    return Tariff(general, special)
