"""Payment records (wire confirmations, payment advices, MT103 copies): payer, payee, date, amount, currency,
reference and purpose."""
from __future__ import annotations

import re
from typing import Sequence

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import conventions, find_currency, parse_id, party_from_lines, party_label
from .labels import Reader, fold
from .pages import Page

KEYS = ("payer", "payee", "payment_date", "payment_amount", "payment_reference", "purpose", "currency",
        "other_date")
# SWIFT field 32A: value date (YYMMDD), currency, amount with a decimal comma: "250718USD18240,00"
_F32A = re.compile(r"(\d{6})\s*([A-Z]{3})\s*([\d.,' ]+\d)")


_SWIFT_TAG = re.compile(r"^[:;|1-3]?\d{2}[A-Z]?:")  # ":50K:", ":59:", "20:"; a scan reads ":59:" as "359:"
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")


def _account_line(text: str) -> bool:
    """An account number on its own line ("/113929749133", "****9227", a scan's "1”***8634")."""
    t = text.strip()
    if not t or " " in t.strip(" /"):
        return False
    letters = sum(c.isalpha() for c in t)
    return t.startswith("/") or "**" in t or (len(t) >= 5 and letters <= 0.2 * len(t))


def _party(reader: Reader, key: str):
    """Payer or payee: the SWIFT-tagged fields (50a ordering customer, 59a beneficiary) first; a block that
    is only a bank's BIC (the sender and receiver of a message are banks) is not a party."""
    hits = sorted(reader.find(key), key=lambda h: (not _SWIFT_TAG.match(reader.lines[h.line][0].text), h.line))
    for hit in hits:
        if not party_label(reader, hit):
            continue
        block = [ln for ln in reader.block(hit) if not _account_line(" ".join(w.text for w in ln))]
        party = party_from_lines(block)
        if party is None or _BIC.match((party.name or "").strip()):
            continue
        return party, reader.prov([w for ln in block for w in ln])
    return None, None


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
        party, p = _party(reader, key)
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
    # the sender's reference (field 20) before a network's tracking number (a UETR is a UUID)
    hits = sorted(reader.find("payment_reference"), key=lambda h: (fold(h.text).strip(":") == "uetr", h.line))
    v, p = reader.value("payment_reference", _reference, hits=hits)
    fs.set("reference", v, p)
    v, p = reader.value("purpose", _purpose)
    fs.set("purpose", v, p)
    return fs, []
