"""Payment records (wire confirmations, payment advices, MT103 copies): payer, payee, date, amount, currency,
reference and purpose."""
from __future__ import annotations

import re
from typing import Sequence

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import conventions, find_currency, parse_id, read_party
from .labels import Reader
from .pages import Page

KEYS = ("payer", "payee", "payment_date", "payment_amount", "payment_reference", "purpose", "currency",
        "other_date")
# SWIFT field 32A: value date (YYMMDD), currency, amount with a decimal comma: "250718USD18240,00"
_F32A = re.compile(r"(\d{6})\s*([A-Z]{3})\s*([\d.,' ]+\d)")


def _reference(text: str) -> str | None:
    v = parse_id(text)
    return v if v and any(c.isdigit() for c in v) and len(v) >= 6 else None


def _purpose(text: str) -> str | None:
    t = text.strip(" :")
    return t if len(t) >= 8 and any(c.isalpha() for c in t) else None


def extract(pages: Sequence[Page], path: str) -> tuple[FieldSet, list[LineItem]]:
    conv = conventions(pages)
    reader = Reader(pages, path, KEYS)
    fs = FieldSet()
    for name, key in (("payer", "payer"), ("payee", "payee")):
        party, p = read_party(reader, key)
        fs.set(name, party, p)
    # SWIFT 32A carries date, currency and amount together
    for ln in reader.lines:
        text = " ".join(w.text for w in ln)
        m = re.search(r":?32A:?\s*(?:[A-Za-z /]*:)?\s*" + _F32A.pattern, text)
        if m:
            yy, mm, dd = m.group(1)[:2], m.group(1)[2:4], m.group(1)[4:]
            fs.set("payment_date", nz.parse_date(f"20{yy}-{mm}-{dd}"), reader.prov(ln))
            fs.set("currency", nz.currency_code(m.group(2)), reader.prov(ln))
            fs.set("amount", nz.parse_number(m.group(3), "comma"), reader.prov(ln))
            break
    if "payment_date" not in fs:
        v, p = reader.value("payment_date", conv.date)
        fs.set("payment_date", v, p)
    if "amount" not in fs:
        for hit in reader.find("payment_amount"):
            for run in reader.candidates(hit):
                text = " ".join(w.text for w in run)
                money = nz.parse_money(text, conv.style)
                if money is not None and money[0] > 0:
                    fs.set("amount", money[0], reader.prov(run))
                    if money[1]:
                        fs.set("currency", money[1], reader.prov(run))
                    break
            if "amount" in fs:
                break
    if "currency" not in fs:
        cur, p = find_currency(pages, reader)
        fs.set("currency", cur, p)
    v, p = reader.value("payment_reference", _reference)
    fs.set("reference", v, p)
    v, p = reader.value("purpose", _purpose)
    fs.set("purpose", v, p)
    return fs, []
