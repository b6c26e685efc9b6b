"""Payment records (wire confirmations, payment advices, MT103 copies): payer, payee, date, amount, currency,
reference and purpose.

A SWIFT MT103 delivered as the message itself (blocks ``{1:}{2:}{4: … -}``) is read by its field tags, each
field running from its tag to the next: 20 the sender's reference, 32A value date, currency and amount
(decimal comma), 50a the ordering customer (payer), 59a the beneficiary (payee), 70 the remittance
information (purpose). An account line ("/DE89…") is not a name; option A fields carry only a BIC, and a
bank's BIC is no party's name; option F fields number their lines ("1/NAME", "2/STREET", "3/DE/CITY")."""
from __future__ import annotations

import re
from typing import Sequence

from ..models.records import FieldSet, LineItem
from . import normalize as nz
from .common import conventions, find_currency, parse_id, party_from_lines, party_label
from .labels import Reader, fold
from .pages import Page, Word

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


# an MT field tag opening a line: ":20:", ":32A:", ":50K:"
_MT_TAG = re.compile(r"^:(\d{2}[A-Z]?):")
MT_FIELDS = {"payer": ("50K", "50F", "50A", "50"), "payee": ("59", "59F", "59A"), "reference": ("20",),
             "purpose": ("70",)}


def _mt_fields(reader: Reader) -> dict[str, list[list]]:
    """The fields of a SWIFT message by tag, each as its lines of words (the tag itself removed)."""
    fields: dict[str, list[list]] = {}
    current = None
    for ln in reader.lines:
        first = ln[0].text
        m = _MT_TAG.match(first)
        if m:
            current = m.group(1)
            rest_first = first[m.end():]
            words = ([Word(rest_first, ln[0].x0, ln[0].top, ln[0].x1, ln[0].bottom, ln[0].page, ln[0].conf)]
                     if rest_first else []) + list(ln[1:])
            fields.setdefault(current, []).append(words)
            continue
        if current is None:
            continue
        if first.startswith("-}") or first.startswith("{"):
            current = None
            continue
        fields[current].append(list(ln))
    return {k: [ln for ln in v if ln] for k, v in fields.items()}


def _mt_party(lines: list[list]):
    """A party from an MT 50a/59a field: its account line, a lone BIC and option F line numbers set apart."""
    body = [ln for ln in lines if not _account_line(" ".join(w.text for w in ln))]
    if not body or (len(body) == 1 and _BIC.match(" ".join(w.text for w in body[0]).strip())):
        return None
    country = None
    out = []
    for ln in body:
        text = " ".join(w.text for w in ln)
        m = re.match(r"^([1-8])/(.*)$", text)
        if m:  # option F: 1/name, 2/address, 3/country code/town
            c = re.match(r"^([A-Z]{2})/", m.group(2)) if m.group(1) == "3" else None
            if c:
                country = nz.country_code(c.group(1))
            first = ln[0]
            cut = len(m.group(0)) - len(m.group(2)) + (c.end() if c else 0)
            rest = first.text[cut:] if cut < len(first.text) else ""
            ln = ([Word(rest, first.x0, first.top, first.x1, first.bottom, first.page, first.conf)] if rest else []) \
                + list(ln[1:])
            if not ln:
                continue
        out.append(ln)
    party = party_from_lines(out) if out else None
    if party is not None and country and not party.country:
        party.country = country
    return party


def _raw_message(reader: Reader) -> bool:
    """Whether the page is the message itself (block 4 "{4:", or tags with their values set against them,
    ":20:FT2507…"), not a bank's printed copy whose tags are followed by field names ("Ordering Customer")."""
    firsts = [ln[0].text for ln in reader.lines if ln]
    glued = sum(1 for t in firsts if re.match(r"^:\d{2}[A-Z]?:\S", t))
    return glued >= 2 or any("{4:" in w.text for ln in reader.lines for w in ln)


def _mt_extract(reader: Reader, fs: FieldSet) -> None:
    if not _raw_message(reader):
        return
    fields = _mt_fields(reader)
    if not fields:
        return
    for name in ("payer", "payee"):
        for tag in MT_FIELDS[name]:
            if tag in fields:
                party = _mt_party(fields[tag])
                if party is not None:
                    fs.set(name, party, reader.prov([w for ln in fields[tag] for w in ln]))
                    break
    if "20" in fields and fields["20"]:
        ref = " ".join(w.text for w in fields["20"][0]).strip()
        if ref and len(ref) <= 16 and " " not in ref:
            fs.set("reference", ref, reader.prov(fields["20"][0]))
    if "70" in fields and fields["70"]:
        words = [w for ln in fields["70"] for w in ln]
        purpose = " ".join(w.text for w in words).strip()
        if purpose:
            fs.set("purpose", purpose, reader.prov(words))


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
    _mt_extract(reader, fs)
    for name, key in (("payer", "payer"), ("payee", "payee")):
        if name not in fs:
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
    if "reference" in fs and "purpose" in fs:
        return fs, []
    hits = sorted(reader.find("payment_reference"), key=lambda h: (fold(h.text).strip(":") == "uetr", h.line))
    if "reference" not in fs:
        v, p = reader.value("payment_reference", _reference, hits=hits)
        fs.set("reference", v, p)
    if "purpose" not in fs:
        v, p = reader.value("purpose", _purpose)
        fs.set("purpose", v, p)
    return fs, []
