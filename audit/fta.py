"""FTA_CLAIM_UNSUPPORTED: a preference claimed with a special program indicator (SPI) on an entry line without a
certification of origin in the folder that covers the goods and the date, under the agreement the SPI names.

A certification covers the claim when it is made under that agreement, lists the goods (HTS heading or
description) or lists none, and its blanket period (or, for a single shipment, its date) covers the entry. A
failed claim owes the column 1 general rate from the tariff schedule the user supplies (else the rate is unknown
and the finding gives the value only) and, as the goods of most agreements are exempt from MPF, the MPF on them.
Where the documents state what the goods' materials cost (a bill of materials or a cost statement giving the
value of non-originating or of originating materials), the regional value content is computed (build-down,
(AV − VNM) / AV × 100, or build-up, VOM / AV × 100) against the agreement's threshold for that method; content
below it fails the claim even with a certification.
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


# regional value content thresholds (percent) by agreement and method; a product-specific rule may set another
RVC_THRESHOLDS = {"CTPA": {"build-down": Decimal(45), "build-up": Decimal(35)},
                  "PTPA": {"build-down": Decimal(45), "build-up": Decimal(35)},
                  "KORUS": {"build-down": Decimal(45), "build-up": Decimal(35)},
                  "USMCA": {"build-down": Decimal(60), "build-up": Decimal(50)},
                  "CAFTA-DR": {"build-down": Decimal(45), "build-up": Decimal(35)}}
_VNM = re.compile(r"non[- ]?originating materials?[^.;]*?((?:[A-Z]{3}|US\$|\$|€)\s*\d[\d.,' ]*\d)", re.I)
_VOM = re.compile(r"(?<!non-)(?<!non )originating materials?[^.;]*?((?:[A-Z]{3}|US\$|\$|€)\s*\d[\d.,' ]*\d)", re.I)


def _rvc(ctx: Context, agreement: str, value: Decimal) -> tuple[str, Decimal, Decimal, str] | None:
    """(method, content %, threshold %, the statement) where a document states the materials' value."""
    from ..extract.normalize import parse_money

    limits = RVC_THRESHOLDS.get(agreement)
    if not limits or value <= 0:
        return None
    for doc in ctx.documents():
        for text, _ in doc.notes:
            for pattern, method in ((_VNM, "build-down"), (_VOM, "build-up")):
                m = pattern.search(text)
                parsed = parse_money(m.group(1)) if m else None
                if not parsed:
                    continue
                rate = ctx.exchange_rate(parsed[1] or doc.get("currency") or "USD")
                if rate is None:
                    continue
                amount = parsed[0] * rate
                pct = revenue.rvc_build_down(value, amount) if method == "build-down" else \
                    revenue.rvc_build_up(amount, value)
                return method, pct, limits[method], text
    return None


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
        rvc = _rvc(ctx, agreement, line.get("entered_value") or Decimal(0))
        if good is not None and (rvc is None or rvc[1] >= rvc[2]):
            continue
        if good is not None:  # certified, but the content the documents state falls short of the rule
            reasons.append(f"regional value content {rvc[1]:.2f} % ({rvc[0]}) is below the {rvc[2]:.0f} % the "
                           f"rule requires (\"{rvc[3][:120]}\")")
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
