"""FTA_CLAIM_UNSUPPORTED: a preference claimed with a special program indicator (SPI) on an entry line without a
certification of origin in the folder that covers the goods and the date, under the agreement the SPI names.

A certification covers the claim when it is made under that agreement, lists the goods (HTS heading or
description) or lists none, and its blanket period (or, for a single shipment, its date) covers the entry. A
failed claim owes the column 1 general rate from the tariff schedule the user supplies (else the rate is unknown
and the finding gives the value only) and, as the goods of most agreements are exempt from MPF, the MPF on them.
A regional value content test needs a bill of materials, which the folder does not hold as a document type:
certifications are checked, the rule of origin itself is not.
"""
from __future__ import annotations

import re
from decimal import Decimal

from rapidfuzz import fuzz

from ..models.records import Document, Finding, Party
from . import revenue
from .context import Context, Result
from .link import NAME_MATCH, same_party
from .rules import BY_CODE

# SPI on the 7501 -> the agreement a certification names
SPI_AGREEMENTS = {"CO": "CTPA", "S": "USMCA", "S+": "USMCA", "MX": "USMCA", "CA": "USMCA", "KR": "KORUS",
                  "PE": "PTPA", "P": "CAFTA-DR", "P+": "CAFTA-DR", "PA": "TPA-PANAMA", "CL": "USCFTA", "AU": "AUSFTA",
                  "SG": "USSFTA", "IL": "USIFTA", "JO": "USJFTA", "MA": "USMFTA", "BH": "USBFTA", "OM": "USOFTA"}


def _digits(h) -> str:
    return re.sub(r"\D", "", str(h or ""))


def _covers_goods(cert: Document, line) -> bool:
    goods = cert.get("goods") or []
    if not goods:
        return True  # a certification that lists no goods covers the shipment it accompanies
    d = _digits(line.get("hts"))
    for g in goods:
        gd = _digits(g.get("hts") if isinstance(g, dict) else None)
        if gd and d and d.startswith(gd[:6]):
            return True
        desc = g.get("description") if isinstance(g, dict) else None
        if desc and line.get("description") and \
                fuzz.token_set_ratio(str(desc).lower(), str(line.get("description")).lower()) >= 80:
            return True
    return False


def _covers_date(cert: Document, date: str | None) -> tuple[bool, str]:
    start, end = cert.get("blanket_period_from"), cert.get("blanket_period_to")
    if not date:
        return True, "entry date unknown"
    if start and end:
        ok = str(start) <= date <= str(end)
        return ok, f"blanket period {start} to {end}" + ("" if ok else f" does not cover the entry date {date}")
    return True, "a certification for this shipment"


def _parties_fit(ctx: Context, cert: Document) -> bool:
    importer = ctx.entry.header.get("importer")
    sellers = [i.get("seller") for i in ctx.documents("commercial_invoice") if isinstance(i.get("seller"), Party)]
    ok = True
    if isinstance(cert.get("importer"), Party) and isinstance(importer, Party) and importer.name:
        ok &= same_party(cert.get("importer"), importer) >= NAME_MATCH
    if isinstance(cert.get("exporter"), Party) and sellers:
        ok &= any(same_party(cert.get("exporter"), s) >= NAME_MATCH for s in sellers) or \
            any(same_party(cert.get("producer"), s) >= NAME_MATCH for s in sellers)
    return ok


def check(ctx: Context) -> list[Result]:
    rule = BY_CODE["FTA_CLAIM_UNSUPPORTED"]
    out: list[Result] = []
    date = ctx.revenue.entry_date
    # the certifications filed with this shipment (kept beside its entry summary and invoices), and the others in
    # the records: a blanket certification kept with another shipment may cure the claim if the importer held it
    folders = {p.rsplit("/", 1)[0] if "/" in p else "" for p in ctx.entry.documents
               if ctx.linked.by_path.get(p) is not None
               and ctx.linked.by_path[p].doc_type in ("entry_summary", "commercial_invoice", "packing_list")}
    every = [d for d in ctx.linked.by_path.values() if d.doc_type == "certificate_of_origin"]
    certs = [d for d in every if (d.path.rsplit("/", 1)[0] if "/" in d.path else "") in folders]
    others = [d for d in every if d not in certs]
    for line in ctx.entry.lines:
        spi = str(line.get("spi") or "").upper()
        agreement = SPI_AGREEMENTS.get(spi)
        if not agreement:
            continue
        reasons: list[str] = []
        good = None
        for cert in certs:
            if cert.get("agreement") and cert.get("agreement") != agreement:
                reasons.append(f"{cert.path}: made under {cert.get('agreement')}, not {agreement}")
                continue
            if not _parties_fit(ctx, cert):
                reasons.append(f"{cert.path}: made for other parties")
                continue
            if not _covers_goods(cert, line):
                reasons.append(f"{cert.path}: does not list these goods")
                continue
            ok, why = _covers_date(cert, date)
            if not ok:
                reasons.append(f"{cert.path}: {why}")
                continue
            good = cert
            break
        if good is not None:
            continue
        cure = next((c for c in others if (not c.get("agreement") or c.get("agreement") == agreement)
                     and _parties_fit(ctx, c) and _covers_goods(c, line) and _covers_date(c, date)[0]), None)
        value = line.get("entered_value") or Decimal(0)
        general = ctx.tariff.general_rate(str(line.get("hts"))) if ctx.tariff is not None else None
        rates = [general] if general is not None else None
        change = revenue.Change(line_no=line.line_no, value_delta=value, rates=rates, key=f"fta:{line.line_no}",
                                fee_base_delta=Decimal(0),
                                mpf_dutiable=value if spi in revenue.MPF_EXEMPT_SPI else Decimal(0),
                                note="column 1 general rate")
        rev = revenue.compute(ctx.revenue, [change])
        why = "; ".join(reasons) if reasons else "no certification of origin was filed with this shipment"
        steps = [f"line {line.line_no}: SPI {spi} ({agreement}) claimed on {line.get('hts')}, value {value:,.2f}",
                 f"certification: {why}",
                 (f"general rate {general.normalize():f} % (tariff schedule)" if general is not None
                  else "general rate unknown (no tariff schedule entry): value delta only")]
        f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
                    title=f"{agreement} preference claimed without a certification that covers it",
                    explanation=(f"Line {line.line_no} claims duty-free entry under {agreement} (SPI {spi}) for "
                                 f"{line.get('description') or 'the goods'}. The claim rests on a certification of "
                                 f"origin covering the goods and the date of entry; here {why}. Without it the claim "
                                 "fails: the column 1 general rate is owed"
                                 + (" and, the goods no longer being exempt, the merchandise processing fee"
                                    if spi in revenue.MPF_EXEMPT_SPI else "") + "."
                                 + (f" A blanket certification kept with another shipment ({cure.path}, "
                                    f"{_covers_date(cure, date)[1]}) covers these goods and this date: if the "
                                    "importer held it when it made the claim, the claim stands and this finding "
                                    "should be dismissed with that reason." if cure is not None else "")),
                    legal_basis=rule.legal_basis, value_delta=value, duty_delta=rev.duty_delta,
                    fees_delta=rev.fees_delta, loss_of_revenue=rev.loss_of_revenue,
                    confidence=0.6 if cure is not None else 0.85,
                    evidence=[e for d in ctx.documents("entry_summary") for e in ctx.cite(d, "entry_number")]
                    + [e for c in certs[:2] for e in ctx.cite(c, "blanket_period_from", "blanket_period_to")],
                    arithmetic=steps + list(rev.arithmetic), rate_unknown=rev.rate_unknown)
        out.append(Result(f, [change]))
    return out
