"""Certifications of origin (free-trade agreements): certifier, exporter, producer, importer, the agreement,
the blanket period and the goods with their HTS numbers and origin criteria."""
from __future__ import annotations

import re
from typing import Sequence

from rapidfuzz import fuzz

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import conventions, party_from_lines, read_party
from .labels import Reader, fold
from .pages import Page
from .tables import find_tables

KEYS = ("certifier", "certifier_role", "exporter", "producer", "coo_importer", "blanket_period", "other_date")
GOODS_COLUMNS = ("line_no", "description", "hts", "origin_criterion")
# agreement code -> how documents name it (folded text)
AGREEMENTS = {
    "CTPA": ("ctpa", "colombia trade promotion agreement", "tratado de libre comercio entre colombia",
             "acuerdo de promocion comercial", "colombia tpa"),
    "USMCA": ("usmca", "t-mec", "tmec", "cusma", "united states-mexico-canada", "united states mexico canada"),
    "KORUS": ("korus", "korea free trade agreement"),
    "PTPA": ("ptpa", "peru trade promotion agreement"),
    "CAFTA-DR": ("cafta", "dominican republic-central america"),
}
ROLES = ("producer", "exporter", "importer")
_CHECKED = re.compile(r"[\[(]\s*[xX✓✔]\s*[\]\}\)]|☒|☑|■")


def _agreement(text: str) -> str | None:
    t = fold(text)
    for code, names in AGREEMENTS.items():
        if any(n in t for n in names):
            return code
    return None


def _criterion(text: str) -> str | None:
    t = text.strip(" .:()")
    return t.upper() if re.fullmatch(r"[A-Fa-f]\d?|[A-Za-z]{1,3}\)?", t) else None


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    fs = FieldSet()
    whole = "\n".join(" ".join(w.text for w in ln) for ln in reader.lines)
    code = _agreement(whole)
    if code:
        fs.set("agreement", code, None)
    parties = {}
    for name, key in (("exporter", "exporter"), ("producer", "producer"), ("importer", "coo_importer")):
        party, p = read_party(reader, key)
        if party is not None:
            parties[name] = (party, p)
            fs.set(name, party, p)
    # the certifier: its own block, else the role ticked beside the certifier label ("[X] Producer")
    checked = None
    for ln in reader.lines:
        text = " ".join(w.text for w in ln)
        for m in _CHECKED.finditer(text):
            after = fold(text[m.end():m.end() + 20])
            role = next((r for r in ROLES if after.strip().startswith(r)), None)
            if role:
                checked = role
                break
        if checked:
            break
    certifier, p = None, None
    for hit in reader.find("certifier"):
        block = [ln for ln in reader.block(hit) if not _CHECKED.search(" ".join(w.text for w in ln))
                 and not any(fold(w.text).strip("[]{}") in ROLES for w in ln[:2])]
        certifier = party_from_lines(block)
        if certifier is not None:
            p = reader.prov([w for ln in block for w in ln])
            break
    if checked in parties and (certifier is None or len(certifier.name or "") < 4
                               or fuzz.token_sort_ratio(fold(certifier.name), fold(parties[checked][0].name)) >= 85):
        certifier, p = parties[checked]  # the ticked role's block is the fuller one
    fs.set("certifier", certifier, p)
    # the blanket period: the first two dates on the label's line and the two after it
    for hit in reader.find("blanket_period"):
        text = " ".join(" ".join(w.text for w in reader.lines[j])
                        for j in range(hit.line, min(len(reader.lines), hit.line + 3)))
        dates = nz.find_dates(text, conv.order)
        if len(dates) >= 2:
            fs.set("blanket_period_from", dates[0][1], reader.prov(reader.lines[hit.line]))
            fs.set("blanket_period_to", dates[1][1], reader.prov(reader.lines[hit.line]))
            break
    # the goods table
    goods = []
    for t in find_tables(reader, GOODS_COLUMNS, ("hts",), numeric=[]):
        for row in t.rows:
            hts = nz.normalize_hts(row.text("hts") or "")
            if not hts:
                continue
            g = {"description": nz.clean_text(row.text("description") or ""), "hts": hts}
            crit = _criterion(row.text("origin_criterion") or "")
            if crit:
                g["origin_criterion"] = crit
            goods.append(g)
    if goods:
        fs.set("goods", goods, None)
    return fs, []
