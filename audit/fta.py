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

import unicodedata
from decimal import Decimal

from rapidfuzz import fuzz

from ..models.records import Document, Finding, Money, Party
from . import revenue
from .context import Context, Result
from .link import NAME_MATCH, same_party
from .rules import BY_CODE

# SPI on the 7501 -> the agreement a certification names
SPI_AGREEMENTS = {"CO": "CTPA", "S": "USMCA", "S+": "USMCA", "MX": "USMCA", "CA": "USMCA", "KR": "KORUS",
                  "PE": "PTPA", "P": "CAFTA-DR", "P+": "CAFTA-DR", "PA": "TPA-PANAMA", "CL": "USCFTA", "AU": "AUSFTA",
                  "SG": "USSFTA", "IL": "USIFTA", "JO": "USJFTA", "MA": "USMFTA", "BH": "USBFTA", "OM": "USOFTA"}


# regional value content thresholds (percent) by agreement and method; a product-specific rule may set another
# (the usual general rule; USMCA's transaction-value method is a build-down on the transaction value)
RVC_THRESHOLDS = {"CTPA": {"build-down": Decimal(45), "build-up": Decimal(35)},
                  "PTPA": {"build-down": Decimal(45), "build-up": Decimal(35)},
                  "TPA-PANAMA": {"build-down": Decimal(45), "build-up": Decimal(35)},
                  "KORUS": {"build-down": Decimal(55), "build-up": Decimal(35)},
                  "USMCA": {"build-down": Decimal(60)},
                  "CAFTA-DR": {"build-down": Decimal(45), "build-up": Decimal(35)}}
# how certifications name the agreements: (a word or phrase in the name, the agreement)
_AGREEMENT_NAMES = [("colombia", "CTPA"), ("ctpa", "CTPA"), ("peru", "PTPA"), ("ptpa", "PTPA"),
                    ("panama", "TPA-PANAMA"), ("korea", "KORUS"), ("korus", "KORUS"), ("usmca", "USMCA"),
                    ("cusma", "USMCA"), ("t-mec", "USMCA"), ("tmec", "USMCA"), ("nafta", "USMCA"),
                    ("mexico-canada", "USMCA"), ("cafta", "CAFTA-DR"), ("dominican", "CAFTA-DR"),
                    ("central america", "CAFTA-DR"), ("chile", "USCFTA"), ("australia", "AUSFTA"),
                    ("singapore", "USSFTA"), ("israel", "USIFTA"), ("jordan", "USJFTA"), ("morocco", "USMFTA"),
                    ("bahrain", "USBFTA"), ("oman", "USOFTA"), ("mexico", "USMCA"), ("canada", "USMCA")]
BLANKET_MONTHS = 12  # a blanket certification covers a period of at most 12 months


def _rvc(ctx: Context, agreement: str, value: Decimal) -> tuple[str, Decimal, Decimal, str] | None:
    """(method, content %, threshold %, the statement) where a document states the materials' value. The producer
    may use either method: where the documents allow both, the one more favourable to the claim is taken."""
    limits = RVC_THRESHOLDS.get(agreement)
    if not limits or value <= 0:
        return None
    from .section232 import shipment_documents

    found = []
    for doc in shipment_documents(ctx):
        for fact in doc.facts_of("non_originating_materials", "originating_materials"):
            method = "build-down" if fact.kind == "non_originating_materials" else "build-up"
            if method not in limits or not isinstance(fact.value, Money):
                continue
            rate = ctx.exchange_rate(fact.value.currency)
            if rate is None:
                continue
            amount = fact.value.amount * rate
            pct = revenue.rvc_build_down(value, amount) if method == "build-down" else \
                revenue.rvc_build_up(amount, value)
            found.append((method, pct, limits[method], fact.text))
    return max(found, key=lambda r: r[1] - r[2]) if found else None


def _digits(h) -> str:
    return "".join(c for c in str(h or "") if c.isdigit() and c.isascii())


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


def _whole_word(word: str, text: str) -> bool:
    """``word`` in ``text`` standing alone (not inside a longer word)."""
    i = text.find(word)
    while i >= 0:
        before = text[i - 1] if i > 0 else " "
        after = text[i + len(word)] if i + len(word) < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        i = text.find(word, i + 1)
    return False


def agreement_of(name) -> str | None:
    """The agreement a certification names, however it is written ("U.S.-Colombia TPA", "CTPA", "T-MEC");
    None where the name is not one of them."""
    if not name:
        return None
    text = str(name).strip()
    if text.upper() in RVC_THRESHOLDS or text.upper() in SPI_AGREEMENTS.values():
        return text.upper()
    low = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    for word, code in _AGREEMENT_NAMES:
        if _whole_word(word, low):
            return code
    return None  # a name not recognised is not held against the certification


def _plus_months(iso: str, months: int) -> str:
    y, m, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    y, m = y + (m - 1 + months) // 12, (m - 1 + months) % 12 + 1
    return f"{y:04d}-{m:02d}-{min(d, 28) if m == 2 else min(d, 30) if m in (4, 6, 9, 11) else d:02d}"


def _covers_date(cert: Document, date: str | None) -> tuple[bool, str]:
    start, end = cert.get("blanket_period_from"), cert.get("blanket_period_to")
    if not date:
        return True, "date of the claim unknown"
    if start and end:
        start, end = str(start), str(end)
        if end < start:
            return False, f"blanket period {start} to {end} ends before it begins"
        try:
            limit = _plus_months(start, BLANKET_MONTHS)
        except ValueError:
            limit = None  # not an ISO date: the length is not judged
        if limit and end > limit:
            return False, (f"blanket period {start} to {end} is longer than the {BLANKET_MONTHS} months a "
                           "certification may cover")
        ok = start <= date <= end
        return ok, f"blanket period {start} to {end}" + ("" if ok else f" does not cover the entry date {date}")
    if start or end:
        ok = (not start or str(start) <= date) and (not end or date <= str(end))
        return ok, (f"period {start or '…'} to {end or '…'}" + ("" if ok else f" does not cover the entry date {date}"))
    return True, "a certification for this shipment"


def _parties_fit(ctx: Context, cert: Document) -> str | None:
    """None when the certification's importer and exporter (or producer) are the entry's; else which is not."""
    importer = ctx.entry.header.get("importer")
    sellers = [i.get("seller") for i in ctx.documents("commercial_invoice") if isinstance(i.get("seller"), Party)]
    c_imp = cert.get("importer")
    if isinstance(c_imp, Party) and c_imp.name and isinstance(importer, Party) and importer.name:
        if same_party(c_imp, importer) < NAME_MATCH:
            return f"made out to importer {c_imp.name}, not {importer.name}"
    exporter, producer = cert.get("exporter"), cert.get("producer")
    if isinstance(exporter, Party) and exporter.name and sellers:
        if not any(same_party(exporter, s) >= NAME_MATCH or same_party(producer, s) >= NAME_MATCH for s in sellers):
            return f"exporter {exporter.name} is not the seller of the goods ({sellers[0].name})"
    return None


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _claim_date(ctx: Context) -> str | None:
    """The date the claim is judged on: the entry (importation) date, else the summary or invoice date."""
    if ctx.revenue.entry_date:
        return ctx.revenue.entry_date
    dates = sorted(str(i.get("invoice_date")) for i in ctx.documents("commercial_invoice") if i.get("invoice_date"))
    return dates[0] if dates else None


def _filed(ctx: Context) -> tuple[list[Document], list[Document]]:
    """The certifications filed with this shipment (beside its entry summary and invoices, or linked to it by
    its part numbers), and the others in the records: a blanket certification kept with another shipment may
    cure the claim if the importer held it when it made the claim."""
    folders = {_folder(p) for p in ctx.entry.documents if ctx.linked.by_path.get(p) is not None
               and ctx.linked.by_path[p].doc_type in ("entry_summary", "commercial_invoice", "packing_list")}
    by_parts = {lk.path for lk in ctx.entry.links if lk.confidence >= 0.9}
    every = ctx.linked.of_type("certificate_of_origin")
    filed = [d for d in every if _folder(d.path) in folders or d.path in by_parts]
    paths = {d.path for d in filed}
    return filed, [d for d in every if d.path not in paths]


def _judge(ctx: Context, cert: Document, agreement: str, line, date: str | None) -> str | None:
    """None when ``cert`` supports the claim on ``line``; else why not."""
    named = agreement_of(cert.get("agreement"))
    if named and named != agreement:
        return f"{cert.path}: made under {cert.get('agreement')}, not {agreement}"
    parties = _parties_fit(ctx, cert)
    if parties:
        return f"{cert.path}: {parties}"
    if not _covers_goods(cert, line):
        return f"{cert.path}: does not list these goods ({line.get('hts')})"
    ok, why = _covers_date(cert, date)
    return None if ok else f"{cert.path}: {why}"


def check(ctx: Context) -> list[Result]:
    rule = BY_CODE["FTA_CLAIM_UNSUPPORTED"]
    out: list[Result] = []
    date = _claim_date(ctx)
    certs, others = _filed(ctx)
    for line in ctx.entry.lines:
        spi = str(line.get("spi") or "").upper().strip()
        agreement = SPI_AGREEMENTS.get(spi)
        if not agreement:
            continue
        value = line.get("entered_value")
        if value is None or value <= 0:
            continue  # nothing to measure the claim's money by
        reasons: list[str] = []
        good = None
        for cert in certs:
            why_not = _judge(ctx, cert, agreement, line, date)
            if why_not is None:
                good = cert
                break
            reasons.append(why_not)
        rvc = _rvc(ctx, agreement, value)
        if good is not None and (rvc is None or rvc[1] >= rvc[2]):
            continue
        if good is not None:  # certified, but the content the documents state falls short of the rule
            reasons.append(f"regional value content {rvc[1]:.2f} % ({rvc[0]}) is below the {rvc[2]:.0f} % the "
                           f"rule requires (\"{rvc[3][:120]}\")")
        cure = None if good is not None else \
            next((c for c in others if _judge(ctx, c, agreement, line, date) is None), None)
        general = None
        if ctx.tariff is not None and line.get("hts"):
            try:
                general = ctx.tariff.general_rate(str(line.get("hts")))
            except (ArithmeticError, ValueError):
                general = None
        exempt = spi in revenue.MPF_EXEMPT_SPI
        change = revenue.Change(line_no=line.line_no, value_delta=value, rates=[general] if general is not None else None,
                                key=f"fta:{ctx.entry.entry_number}:{line.line_no}", fee_base_delta=Decimal(0),
                                mpf_dutiable=value if exempt else Decimal(0), note="column 1 general rate")
        rev = revenue.compute(ctx.revenue, [change])
        why = "; ".join(reasons) if reasons else "no certification of origin was filed with this shipment"
        steps = [f"line {line.line_no}: SPI {spi} ({agreement}) claimed on {line.get('hts')}, entered value {value:,.2f}",
                 f"claim judged on {date or 'an unknown date'}; certification: {why}",
                 (f"column 1 general rate {general.normalize():f} % (tariff schedule file) instead of the preference"
                  if general is not None else
                  "column 1 general rate unknown (not in the tariff schedule file, or no file given): value delta only"),
                 ("the goods lose the MPF exemption of originating goods (19 CFR 24.23(c)): the value becomes "
                  "subject to MPF" if exempt else f"SPI {spi} goods are not MPF-exempt: MPF does not change")]
        rvc_note = (" The regional value content test applies where the goods' product-specific rule is a value "
                    "rule; a tariff-shift rule is not met or failed by it." if good is not None else "")
        f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
                    title=(f"{agreement} preference claimed without a certification that covers it" if good is None
                           else f"{agreement} preference claimed on goods whose stated content falls short of the rule"),
                    explanation=(f"Line {line.line_no} claims preferential entry under {agreement} (SPI {spi}) for "
                                 f"{line.get('description') or 'the goods'}. The claim rests on a certification of "
                                 f"origin (or on records proving the importer's knowledge) covering the goods, the "
                                 f"parties and the date of entry; here {why}. Unsupported, the claim fails: the "
                                 f"column 1 general rate is owed"
                                 + (" and, the goods no longer being exempt, the merchandise processing fee"
                                    if exempt else "") + "." + rvc_note
                                 + (f" A certification kept with another shipment ({cure.path}, "
                                    f"{_covers_date(cure, date)[1]}) covers these goods and this date: if the "
                                    "importer held it when it made the claim, the claim stands and this finding "
                                    "should be dismissed with that reason." if cure is not None else "")),
                    legal_basis=rule.legal_basis, value_delta=value, duty_delta=rev.duty_delta,
                    fees_delta=rev.fees_delta, loss_of_revenue=rev.loss_of_revenue,
                    confidence=0.6 if cure is not None else 0.8 if good is not None else 0.85,
                    evidence=(ctx.evidence(line.prov, text=f"line {line.line_no}: SPI {spi} {line.get('hts')}")
                              or [e for d in ctx.documents("entry_summary") for e in ctx.cite(d, "entry_number")])
                    + [e for c in certs[:2] for e in ctx.cite(c, "agreement", "blanket_period_from", "blanket_period_to")],
                    arithmetic=steps + list(rev.arithmetic), rate_unknown=rev.rate_unknown)
        out.append(Result(f, [change]))
    return out
