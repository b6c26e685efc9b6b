"""Bills of lading: B/L number, shipper, consignee, vessel, ports, on-board date, packages and gross weight."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Sequence

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import conventions, party_label, parse_id, read_party
from .labels import Reader, fold
from .pages import Page

KEYS = ("bl_number", "bl_shipper", "bl_consignee", "notify_party", "vessel", "voyage", "port_of_loading",
        "port_of_discharge", "on_board_date", "place_of_receipt", "total_packages", "total_gross_weight",
        "other_date")
_VOYAGE = re.compile(r"\s*(?:/|\bvoy(?:age)?\.?(?:\s*no\.?)?)\s*[A-Z0-9-]*\d[A-Z0-9-]*\s*$", re.IGNORECASE)
_KG = re.compile(r"([\d][\d.,' ]*\d|\d)\s*(KGS?|KILOS?|LBS?|MT|T)\b", re.IGNORECASE)
_PKGS = re.compile(r"^(\d[\d,.]*)\s+(?:CARTONS?|CTNS?|PACKAGES?|PKGS?|PALLETS?|BUNDLES?|CRATES?|BOXES|CASES|"
                   r"ROLLS?|DRUMS?|BAGS?|PIECES|PCS)\b", re.IGNORECASE)


def _bl_number(text: str) -> str | None:
    t = text.strip()
    m = re.fullmatch(r"([A-Z]{4})\s+(\d{6,12})", t)  # "MAEU 254418830": carrier prefix and number
    if m:
        return m.group(1) + m.group(2)
    return parse_id(t)


def _place(text: str) -> str | None:
    t = text.strip(" :")
    if not t or not any(c.isalpha() for c in t) or len(t) > 60:
        return None
    return t


def _vessel(text: str) -> str | None:
    t = _VOYAGE.sub("", text.strip(" :")).strip(" /")
    if not t or sum(c.isalpha() for c in t) < 3:
        return None
    return t


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    fs = FieldSet()
    v, p = reader.value("bl_number", _bl_number)
    fs.set("bl_number", v, p)
    for name, key in (("shipper", "bl_shipper"), ("consignee", "bl_consignee")):
        party, p = read_party(reader, key)
        fs.set(name, party, p)
    for name, parse in (("vessel", _vessel), ("port_of_loading", _place), ("port_of_discharge", _place)):
        # a label, not the words in the carrier's printed terms ("... or the Port of Loading, whichever ...")
        v, p = reader.value(name, parse, hits=[h for h in reader.find(name) if party_label(reader, h)])
        fs.set(name, v, p)
    # the on-board date: labelled, else the date that follows a "shipped on board" stamp
    v, p = reader.value("on_board_date", conv.date)
    fs.set("on_board_date", v, p)
    # packages and gross weight from the particulars: labelled values, else "47 CARTONS" / "13,401 KGS"
    for hit in reader.find("total_gross_weight"):
        for run in reader.candidates(hit):
            m = _KG.search(" ".join(w.text for w in run))
            if m:
                q = conv.number(m.group(1))
                unit = nz.weight_unit(m.group(2)) or "KG"
                if q is not None:
                    fs.set("gross_weight_kg", nz.to_kg(q, unit), reader.prov(run))
                    break
        if "gross_weight_kg" in fs:
            break
    for ln in reader.lines:
        text = " ".join(w.text for w in ln)
        if "gross_weight_kg" not in fs:
            m = _KG.search(text)
            if m and conv.number(m.group(1)) is not None and "cbm" not in fold(m.group(0)):
                fs.set("gross_weight_kg", nz.to_kg(conv.number(m.group(1)), nz.weight_unit(m.group(2)) or "KG"),
                       reader.prov(ln))
        if "packages" not in fs:
            for k in range(len(ln)):
                m = _PKGS.match(" ".join(w.text for w in ln[k:k + 2]))
                if m and conv.number(m.group(1)) is not None and conv.number(m.group(1)) > 0:
                    fs.set("packages", conv.number(m.group(1)), reader.prov(ln[k:k + 2]))
                    break
    if "packages" not in fs:
        v, p = reader.value("total_packages", lambda t: _count(t, conv))
        fs.set("packages", v, p)
    return fs, []


def _count(text: str, conv) -> Decimal | None:
    m = re.match(r"\s*(\d[\d,.]*)", text)
    if not m:
        return None
    v = conv.number(m.group(1))
    return v if v is not None and v == v.to_integral() and v > 0 else None
