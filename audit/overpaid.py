"""Overpayments: money the importer paid and the documents show was not due (SPEC §4, direction "overpaid").

A refund due is a finding of its own, never an offset: its record carries the duty and fees refundable as negative
deltas and no loss of revenue (``loss_of_revenue`` 0), so it adds nothing to an entry's loss, a disclosure's tender
or its schedule; ``refunds`` lists it with the remedy and deadline the entry's liquidation triage gives.

- ``MPF_OVERPAID``: the MPF declared above the fee due (0.3464 % of the value not exempt, within the fiscal year's
  minimum and maximum; 19 CFR 24.23(b)(1), (c)).
- ``DUTY_REFUNDABLE``: duty declared under the chapter 99 numbers of the IEEPA tariffs (9903.01, 9903.02), an
  authority since held not to authorize tariffs; listed per entry for the refund procedure.
- ``METAL_CONTENT_OVERSTATED``: Section 232 duty paid on a content value above the higher of the documents' two
  readings (``section232``), or above the entered value where the law taxes the full value; the 232 rate the line
  paid on the excess.
- ``PREFERENCE_UNCLAIMED``: a line entered without SPI whose goods a certification of origin covers (as ``fta``
  judges a claim's certification); the duty paid less the duty at the special column's rate, refundable by a
  post-importation claim within one year after importation (19 U.S.C. 1520(d); the remedy of ``triage.json``).
- ``NONDUTIABLE_INCLUDED``: an entered value above the price of the goods by charges the invoice itemises and the
  law leaves out of transaction value (international freight and insurance, a buying commission, duties and taxes,
  costs after importation; 19 U.S.C. 1401a(b)(3), (b)(4)); the duty and fees on them are refundable.
- ``FIRST_SALE_AVAILABLE``: an entry at the middleman's price where the documents carry every element of a first
  sale (``first_sale.assess``): the duty and fees on the difference to the first-sale price are refundable.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Iterable

from ..models.records import Entry, Finding, Revenue, q2
from . import revenue
from .context import Context, Result
from .fees import TOLERANCE, _money, mpf_declared_and_due
from .rules import BY_CODE
from .triage import claim_deadline, finding_remedy, rules, triage

ZERO = Decimal(0)
# the chapter 99 headings of the IEEPA tariffs (HTSUS chapter 99, subchapter III: 9903.01 and 9903.02)
IEEPA_PREFIXES = ("9903.01.", "9903.02.")


def is_ieepa(hts) -> bool:
    return bool(hts) and str(hts).startswith(IEEPA_PREFIXES)


def refund_of(f: Finding) -> Decimal:
    """The money an overpaid finding says is refundable: its duty and fees, as a positive amount."""
    return q2(-(f.duty_delta + f.fees_delta))


# --- MPF_OVERPAID ---------------------------------------------------------------------------------------------------

def mpf_overpaid(ctx: Context) -> list[Result]:
    fee = mpf_declared_and_due(ctx)
    if fee is None:
        return []
    declared, due = fee
    h, rc = ctx.entry.header, ctx.revenue
    base = rc.total_entered_value - rc.mpf_exempt_value
    over = q2(declared - due)
    if over <= TOLERANCE:
        return []
    fy, lo, hi, note = revenue.mpf_limits(rc.entry_date)
    pct = q2(base * revenue.MPF_RATE / 100) if base > 0 else Decimal("0.00")
    limit = " (the minimum)" if due == lo else " (the maximum)" if due == hi else ""
    why = ("the fee is capped at the fiscal year's maximum" if due == hi and pct > hi else
           "the value of originating goods is exempt" if rc.mpf_exempt_value else
           "the fee is 0.3464 % of the entered value")
    arithmetic = [
        f"MPF base: entered value {rc.total_entered_value:,.2f}"
        + (f" less MPF-exempt value {rc.mpf_exempt_value:,.2f}" if rc.mpf_exempt_value else "")
        + f" = {base:,.2f}",
        f"0.3464 % × {base:,.2f} = {pct:,.2f}; FY{fy} minimum {lo:,.2f}, maximum {hi:,.2f}{note}",
        f"MPF declared {declared:,.2f} − due {due:,.2f}{limit} = {over:,.2f} refundable",
        "no loss of revenue: an overpayment, never netted against a loss",
    ]
    rule = BY_CODE["MPF_OVERPAID"]
    rec = Revenue(mpf_before=declared, mpf_after=due, mpf_base_before=base, mpf_base_after=base,
                  fees_delta=-over, loss_of_revenue=ZERO, fees_of_their_own=True, arithmetic=arithmetic)
    f = Finding(
        code="MPF_OVERPAID", severity=rule.severity, entry_number=ctx.entry.entry_number,
        title=f"MPF paid USD {declared:,.2f}, due USD {due:,.2f}: USD {over:,.2f} refundable",
        explanation=(f"The entry declares a merchandise processing fee of USD {declared:,.2f} (fee class 499) on an "
                     f"entered value of USD {rc.total_entered_value:,.2f}. For fiscal year {fy}{note} the fee due is "
                     f"USD {due:,.2f}{limit} ({why}). USD {over:,.2f} was paid over the fee due."),
        legal_basis=rule.legal_basis, confidence=0.95,
        evidence=ctx.evidence(h.prov("mpf"), h.prov("total_entered_value"), h.prov("entry_date"))
        or [e for d in ctx.documents("entry_summary") for e in ctx.cite(d, "mpf", "total_entered_value")],
        arithmetic=arithmetic, revenue=rec, direction="overpaid")
    return [Result(f)]


# --- DUTY_REFUNDABLE ------------------------------------------------------------------------------------------------

def ieepa_duty(line, add) -> tuple[Decimal | None, str]:
    """The duty paid under one IEEPA chapter 99 number of a line: as declared, else its rate × its value."""
    paid = _money(add.get("duty"))
    if paid is not None:
        return q2(paid), "declared"
    rate = _money(add.get("rate"))
    value = _money(add.get("value"))
    if value is None:
        value = _money(line.get("entered_value"))
    if rate is None or value is None:
        return None, "neither the duty nor its rate and value are declared"
    return q2(revenue.duty(value, rate)), f"{rate.normalize():f} % × {value:,.2f}"


def duty_refundable(ctx: Context) -> list[Result]:
    out = []
    rule = BY_CODE["DUTY_REFUNDABLE"]
    for ln in ctx.entry.lines:
        adds = [a for a in ln.get("additional") or [] if is_ieepa(a.get("hts"))]
        if not adds:
            continue
        total = ZERO
        steps = []
        numbers = []
        for a in adds:
            paid, how = ieepa_duty(ln, a)
            if paid is None or paid <= 0:
                continue
            total += paid
            numbers.append(str(a.get("hts")))
            steps.append(f"{a.get('hts')}: duty {paid:,.2f} ({how})")
        if total <= 0:
            continue
        total = q2(total)
        steps.append(f"refundable duty = {total:,.2f}; no loss of revenue (an overpayment, never netted)")
        rec = Revenue(duty_delta=-total, loss_of_revenue=ZERO, arithmetic=steps)
        docs = ctx.documents("entry_summary")
        f = Finding(
            code="DUTY_REFUNDABLE", severity=rule.severity, entry_number=ctx.entry.entry_number,
            line_no=ln.line_no,
            title=f"Duty of USD {total:,.2f} paid under {', '.join(numbers)} (IEEPA)",
            explanation=(f"Line {ln.line_no} declares duty under {', '.join(numbers)}, the chapter 99 numbers of the "
                         f"tariffs imposed under the International Emergency Economic Powers Act, an authority the "
                         f"courts have held does not authorize them. USD {total:,.2f} of duty paid on this line is "
                         f"listed for the refund procedure, with the entry's liquidation status."),
            legal_basis=rule.legal_basis, confidence=0.95,
            evidence=ctx.evidence(ln.prov)
            or [e for d in docs for e in ctx.cite(d, "additional", "hts")],
            arithmetic=steps, revenue=rec, direction="overpaid")
        out.append(Result(f))
    return out


# --- the refunds schedule -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Refund:
    """One overpaid finding in the refunds schedule."""

    entry_number: str
    line_no: int | None
    code: str
    finding_id: str
    status: str
    duty: Decimal  # refundable, positive
    fees: Decimal
    refund: Decimal
    triage_status: str | None
    remedy: str | None
    deadline: str | None  # ISO date of the remedy's deadline (None where none can be counted)
    title: str


REMEDY_DEADLINE = {"post_summary_correction": "psc_deadline", "protest": "protest_deadline"}


def refunds(findings: Iterable[Finding], entries: dict[str, Entry], as_of: date | None = None,
            statuses: tuple[str, ...] = ("open", "accepted")) -> list[Refund]:
    """The refunds due: every overpaid finding of ``statuses`` (never a dismissed or to-verify one), with its
    entry's triage on ``as_of`` (default today): the remedy and the deadline of that remedy."""
    as_of = as_of or date.today()
    chosen = [f for f in findings if f.direction == "overpaid" and f.status in statuses]
    standing = triage([entries[n] for n in sorted({f.entry_number for f in chosen}) if n in entries], as_of)
    out = []
    for f in sorted(chosen, key=lambda f: (f.entry_number, f.line_no or 0, f.code, f.id)):
        t = standing.get(f.entry_number)
        remedy = finding_remedy(t, f)
        deadline = None
        if t is not None and remedy in REMEDY_DEADLINE:
            d = getattr(t, REMEDY_DEADLINE[remedy])
            deadline = d.isoformat() if d else None
        own = claim_deadline(t, f)
        if own is not None and t is not None and remedy == rules()["finding_remedies"][f.code]["remedy"]:
            deadline = own.isoformat()
        out.append(Refund(f.entry_number, f.line_no, f.code, f.id, f.status, q2(-f.duty_delta), q2(-f.fees_delta),
                          refund_of(f), t.status if t else None, remedy, deadline, f.title))
    return out


def refunds_total(rows: Iterable[Refund]) -> Decimal:
    return q2(sum((r.refund for r in rows), ZERO))


# --- METAL_CONTENT_OVERSTATED ---------------------------------------------------------------------------------------

def metal_content_overstated(ctx: Context) -> list[Result]:
    """Section 232 duty paid on a content value above what the documents support: the same two readings as
    METAL_CONTENT_MISSTATED (``section232.content``), measured the other way. The excess over the higher reading
    (the entered value, where the law taxes the full value) at the 232 rate the line paid is refundable. One
    measurement, so a line is either short (METAL_CONTENT_MISSTATED) or over (this), never both."""
    from . import section232 as s232

    rule = BY_CODE["METAL_CONTENT_OVERSTATED"]
    out: list[Result] = []
    declared_groups = {k: ls for k, ls in s232._groups(s232._metal_lines(ctx)).items() if s232._declared_232(ls)}
    if not declared_groups:
        return out
    when = ctx.revenue.entry_date
    kinds = {revenue.section232_metal(ls[0].get("hts")) for ls in declared_groups.values()}
    non_metal_all = s232._statements(ctx, "non_metal_value")
    cost_all = s232._statements(ctx, "metal_cost")
    stated_all = s232._statements(ctx, "metal_content_value")
    for metal in sorted(k for k in kinds if k):
        groups = {k: ls for k, ls in declared_groups.items() if revenue.section232_metal(ls[0].get("hts")) == metal}
        goods = [ln for ls in groups.values() for ln in ls]
        pairs = s232._declared_232(goods)
        line = pairs[0][0]
        hts = line.get("hts")
        declared = ZERO
        for ln, add in pairs:
            v = s232._dec(add.get("value"))
            declared += v if v is not None else (ln.get("entered_value") or ZERO)
        entered = sum((ln.get("entered_value") or ZERO for ln in goods), ZERO)
        if entered <= 0 or not revenue.section232_covered(hts, when)[0]:
            continue
        whole = not all(revenue.section232_on_content(ls[0].get("hts"), when) for ls in groups.values())
        nm_stmts: list = []
        cost_stmts: list = []
        if whole:
            supported, steps = entered, [f"the law taxes the full value of these goods: content value = entered "
                                         f"value {entered:,.2f}"]
        else:
            nm_stmts = s232._for_metal(non_metal_all, metal, kinds)
            cost_stmts = s232._for_metal(cost_all, metal, kinds) or s232._metal_invoices(
                ctx, s232._goods_weight(ctx, goods))
            stated = [] if nm_stmts else s232._for_metal(stated_all, metal, kinds)
            steps = []
            if len(stated) == 1 and stated[0].amount <= entered:
                nm_stmts = [s232.Statement(entered - stated[0].amount, stated[0].doc, stated[0].text, stated[0].prov,
                                           metal)]
            if not nm_stmts and not cost_stmts:
                continue  # no document says what the metal is worth
            nm = sum((s.amount for s in nm_stmts), ZERO) if nm_stmts else None
            cost = sum((s.amount for s in cost_stmts), ZERO) if cost_stmts else None
            a, b, _ = revenue.content_shortfall(declared, cost, entered, nm)
            steps.append("reading (a), price paid for the metal: "
                         + (f"{a:,.2f}" if a is not None else "no document states it"))
            steps.append("reading (b), entered value less non-metal components: "
                         + (f"{entered:,.2f} − {nm:,.2f} = {b:,.2f}" if b is not None else "no document states them"))
            supported = max(v for v in (a, b) if v is not None)
        excess = q2(declared - supported)
        if excess < 1:  # 7501 values are whole dollars (19 CFR 159.3)
            continue
        declared_rates = {s232._dec(add.get("rate")) for _, add in pairs} - {None}
        if len(declared_rates) == 1:
            rate, rate_text = next(iter(declared_rates)), "the Section 232 rate the line paid"
        else:
            melt = s232._certificate_melt(ctx)[0] or s232._declared_melt(goods) or None
            info = s232._rate(hts, ctx, melt)
            rate, rate_text = (info[0], f"the Section 232 rate in force ({info[1]})") if info else (None, "")
        where = ", ".join(f"line {ln.line_no} {add.get('hts')}" for ln, add in pairs)
        steps.insert(0, f"declared content value ({where}): USD {declared:,.2f}; entered value of the goods: "
                        f"USD {entered:,.2f}")
        steps.append(f"excess over the higher reading: {declared:,.2f} − {supported:,.2f} = {excess:,.2f}")
        if rate is not None:
            refund = q2(revenue.duty(excess, rate))
            steps.append(f"{s232._pct(rate)} ({rate_text}) × {excess:,.2f} = {refund:,.2f} refundable; "
                         "no loss of revenue (an overpayment, never netted)")
        else:
            refund = ZERO
            steps.append("Section 232 rate unknown: the excess value is given, the duty refundable is not")
        rec = Revenue(duty_delta=-refund, loss_of_revenue=ZERO, rate_unknown=rate is None, arithmetic=steps)
        evidence = s232._line_evidence(ctx, line, f"line {line.line_no}: {metal} content declared USD {declared:,.2f}")
        evidence += [s.evidence() for s in nm_stmts + cost_stmts]
        f = Finding(
            code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
            title=f"Section 232 {metal} content value overstated by USD {excess:,.2f}"
                  + (f": USD {refund:,.2f} refundable" if rate is not None else ""),
            explanation=(f"Line {line.line_no} declares a Section 232 {metal} content value of USD {declared:,.2f}; "
                         f"the documents support USD {supported:,.2f} (the higher of the price paid for the metal "
                         f"and the entered value less non-metal components). Section 232 duty was paid on USD "
                         f"{excess:,.2f} of value that is not {metal} content."
                         + (f" At {s232._pct(rate)}, USD {refund:,.2f} is refundable." if rate is not None else
                            " The Section 232 rate is unknown: the finding gives the value only.")),
            legal_basis=rule.legal_basis, confidence=0.9 if whole or len(steps) > 4 else 0.85,
            evidence=evidence, arithmetic=steps, revenue=rec, direction="overpaid")
        out.append(Result(f))
    return out


# --- PREFERENCE_UNCLAIMED -------------------------------------------------------------------------------------------

def _spis(agreement: str) -> list[str]:
    """The SPIs of an agreement (``fta.SPI_AGREEMENTS``), the usual one first."""
    from .fta import SPI_AGREEMENTS

    return [spi for spi, a in SPI_AGREEMENTS.items() if a == agreement]


def _duty_paid(ctx: Context, line) -> tuple[Decimal | None, str]:
    """The duty a line paid at its own rate: as declared, else its declared rate × value, else the column 1
    general rate of the tariff file × value."""
    paid = _money(line.get("duty"))
    if paid is not None:
        return q2(paid), "declared"
    value = _money(line.get("entered_value"))
    rate = _money(line.get("duty_rate"))
    how = "the line's rate"
    if rate is None and ctx.tariff is not None and line.get("hts"):
        rate, how = ctx.tariff.general_rate(str(line.get("hts"))), "the column 1 general rate of the tariff file"
    if rate is None or value is None:
        return None, "neither the duty nor its rate is known"
    return q2(revenue.duty(value, rate)), f"{rate.normalize():f} % × {value:,.2f} ({how})"


def preference_unclaimed(ctx: Context) -> list[Result]:
    """Goods a certification of origin filed with the shipment covers (its agreement, parties, goods and dates, as
    ``fta`` judges a claim's certification), entered without the agreement's SPI: the duty paid less the duty at
    the preferential rate of the tariff file's special column is refundable by a post-importation claim
    (19 U.S.C. 1520(d)) within one year after importation. Where the special column does not give the rate, the
    finding says so and gives no amount (``rate_unknown``)."""
    from . import fta

    rule = BY_CODE["PREFERENCE_UNCLAIMED"]
    out: list[Result] = []
    certs, _ = fta._filed(ctx)
    if not certs:
        return out
    when = fta._claim_date(ctx)
    for line in ctx.entry.lines:
        if str(line.get("spi") or "").strip():
            continue  # a preference claimed: FTA_CLAIM_UNSUPPORTED judges it
        value = _money(line.get("entered_value"))
        if value is None or value <= 0:
            continue
        cover = None
        for cert in certs:
            agreement = fta.agreement_of(cert.get("agreement"))
            if agreement and _spis(agreement) and fta._judge(ctx, cert, agreement, line, when) is None:
                cover = (cert, agreement)
                break
        if cover is None:
            continue
        cert, agreement = cover
        spis = _spis(agreement)
        paid, how = _duty_paid(ctx, line)
        if paid is None or paid <= 0:
            continue  # nothing paid at the line's own rate: nothing to refund
        pref = spi = None
        if ctx.tariff is not None and line.get("hts"):
            for s in spis:
                pref = ctx.tariff.special_rate(str(line.get("hts")), s)
                if pref is not None:
                    spi = s
                    break
        steps = [f"line {line.line_no}: {line.get('hts')}, entered value {value:,.2f}, entered without SPI; duty paid "
                 f"{paid:,.2f} ({how})",
                 f"certification of origin {cert.path}: {agreement}, covering these goods, the parties and the date "
                 f"{when or '(unknown)'}"]
        if pref is not None:
            due = q2(revenue.duty(value, pref))
            refund = q2(paid - due)
            if refund <= 0:
                continue  # the preference saves nothing on these goods
            steps.append(f"preferential rate under SPI {spi}: "
                         + ("free" if pref == 0 else f"{pref.normalize():f} %")
                         + f" (special column of the tariff file); duty at it {due:,.2f}")
            steps.append(f"refundable duty {paid:,.2f} − {due:,.2f} = {refund:,.2f}; no loss of revenue (an "
                         "overpayment, never netted)")
        else:
            refund = ZERO
            steps.append(f"preferential rate unknown (the tariff file's special column gives none for SPI "
                         f"{'/'.join(spis)} on {line.get('hts')}, or no file was given): the duty refundable is not "
                         "counted")
        steps.append("the MPF exemption of originating goods (19 CFR 24.23(c)) may also apply; not counted here")
        rec = Revenue(duty_delta=-refund, loss_of_revenue=ZERO, rate_unknown=pref is None, arithmetic=steps)
        evidence = (ctx.evidence(line.prov, text=f"line {line.line_no}: {line.get('hts')}, no SPI")
                    or [e for d in ctx.documents("entry_summary") for e in ctx.cite(d, "entry_number")])
        evidence += ctx.cite(cert, "agreement", "blanket_period_from", "blanket_period_to")
        f = Finding(
            code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
            title=(f"{agreement} preference not claimed: USD {refund:,.2f} refundable" if pref is not None
                   else f"{agreement} preference not claimed (preferential rate unknown)"),
            explanation=(f"Line {line.line_no} ({line.get('description') or line.get('hts')}) was entered without a "
                         f"special program indicator, paying USD {paid:,.2f} of duty. The certification of origin "
                         f"{cert.path} certifies these goods as originating under {agreement}, for these parties "
                         f"and covering the date of entry. "
                         + (f"Under SPI {spi} the special column gives "
                            + ("free entry" if pref == 0 else f"{pref.normalize():f} %")
                            + f": USD {refund:,.2f} of duty may be refunded. " if pref is not None else
                            "The preferential rate is not known from the tariff file: the amount is not counted. ")
                         + "A post-importation claim (19 U.S.C. 1520(d)) must be filed within one year after the "
                           "date of importation, with the certification."),
            legal_basis=rule.legal_basis, confidence=0.85 if how == "declared" else 0.75, evidence=evidence,
            arithmetic=steps, revenue=rec, direction="overpaid")
        out.append(Result(f))
    return out


# --- NONDUTIABLE_INCLUDED and FIRST_SALE_AVAILABLE: value entered above what is dutiable ------------------------------

def _without_ieepa(rates):
    """A line's rates less the IEEPA chapter 99 ones: their duty is refunded in full by DUTY_REFUNDABLE."""
    return None if rates is None else [r for r in rates if not is_ieepa(getattr(r, "hts", None))]


def _value_refund(ctx: Context, code: str, invoices, over: Decimal, title: str, explanation: str, steps: list[str],
                  evidence, confidence: float) -> Result:
    """The finding of value entered above what is dutiable: the duty and fees on ``over`` (USD) as a refund (the
    IEEPA rates left to DUTY_REFUNDABLE), no loss of revenue."""
    from . import valuation

    changes, line, spread = valuation.distribute(ctx, invoices, over, key=f"over:{ctx.entry.entry_number}")
    for c in changes:
        c.value_delta = -c.value_delta
        c.rates = _without_ieepa(c.rates)
    rev = revenue.compute(ctx.revenue, changes)
    if spread:
        steps.append(spread)
    steps = steps + [x for x in rev.arithmetic if not x.startswith("loss of revenue =")]
    steps.append(f"refundable: duty {-rev.duty_delta:,.2f} + fees {-rev.fees_delta:,.2f} = "
                 f"{-(rev.duty_delta + rev.fees_delta):,.2f}; no loss of revenue (an overpayment, never netted)")
    rec = replace(rev, loss_of_revenue=ZERO, arithmetic=steps)
    rule = BY_CODE[code]
    f = Finding(code=code, severity=rule.severity, entry_number=ctx.entry.entry_number,
                line_no=line.line_no if line is not None else None, title=title, explanation=explanation,
                legal_basis=rule.legal_basis, confidence=confidence, evidence=evidence, arithmetic=steps,
                revenue=rec, direction="overpaid")
    return Result(f)


def nondutiable_included(ctx: Context) -> list[Result]:
    """The entered value carries charges the invoice itemises as non-dutiable: the entered value less the price
    of the goods and the statutory additions, up to what those charges come to (USD), is refundable value. Value
    beyond the itemised charges, or money paid beyond the invoice, is not claimed."""
    from . import valuation

    pic = valuation.picture(ctx)
    if pic is None or pic.middleman or pic.first or pic.extra_paid:
        return []
    charged = [(ip, c) for ip in pic.last for c in ip.excluded]
    if not charged:
        return []
    nondutiable = sum((ip.usd(c.amount) for ip, c in charged), ZERO)
    dutiable = pic.price_usd + pic.additions_usd
    above = pic.entered - dutiable
    if above < pic.tol:
        return []
    over = q2(min(above, nondutiable))
    if over < pic.tol:
        return []
    what = "; ".join(f"{c.description or c.kind.replace('_', ' ')} {ip.currency or ''} {valuation.money(c.amount)}"
                     for ip, c in charged)
    steps = sum((ip.steps() for ip in pic.last), [])
    steps.append(f"dutiable: price of the goods USD {valuation.money(pic.price_usd)}"
                 + (f" + statutory additions USD {valuation.money(pic.additions_usd)}" if pic.additions_usd else "")
                 + f" = {valuation.money(dutiable)}; entered USD {valuation.money(pic.entered)}")
    steps.append(f"entered above the dutiable value: {valuation.money(above)}; non-dutiable charges itemised: USD "
                 f"{valuation.money(nondutiable)}; refundable value {valuation.money(over)}")
    kinds = sorted({c.kind.replace("_", " ") for _, c in charged})
    explanation = (f"The entered value, USD {valuation.money(pic.entered)}, includes charges the invoice itemises "
                   f"and the law leaves out of transaction value ({what}). The price of the goods"
                   + (" with the statutory additions" if pic.additions_usd else "")
                   + f" is USD {valuation.money(dutiable)}: USD {valuation.money(over)} of "
                   + "/".join(kinds) + " was entered as dutiable value (19 U.S.C. 1401a(b)(3), (b)(4)). The duty "
                   "and fees paid on it may be recovered by post-summary correction or protest, as the entry's "
                   "liquidation status allows.")
    evidence = valuation._evidence(ctx, pic.last, [], "charges", "incoterm")
    return [_value_refund(ctx, "NONDUTIABLE_INCLUDED", pic.last, over,
                          f"Non-dutiable charges of USD {valuation.money(over)} in the entered value", explanation,
                          steps, evidence, 0.85)]


def first_sale_available(ctx: Context) -> list[Result]:
    """An entry at the middleman's price (the last sale) whose documents carry every element of a first sale
    (the manufacturer's invoice, goods clearly destined for the United States, arm's length, the additions; as
    ``first_sale.assess`` judges them): the entered value less the first-sale value (its price with the
    statutory additions of both invoices) is refundable value."""
    from . import first_sale, valuation

    pic = valuation.picture(ctx)
    if pic is None or not pic.first or not pic.middleman or pic.first_sale_claimed or pic.extra_paid:
        return []
    a = first_sale.assess(ctx, pic)
    if not a.supported:
        return []
    first_adds = sum((ip.usd(ip.additions_total) for ip in pic.first), ZERO)
    first_value = pic.first_price_usd + first_adds + pic.additions_usd
    over = q2(pic.entered - first_value)
    if over < pic.tol:
        return []
    steps = sum((ip.steps() for ip in pic.first + pic.last), [])
    steps.append(f"first-sale value: manufacturer's price USD {valuation.money(pic.first_price_usd)}"
                 + (f" + its statutory additions USD {valuation.money(first_adds)}" if first_adds else "")
                 + (f" + the statutory additions of the import invoice USD {valuation.money(pic.additions_usd)}"
                    if pic.additions_usd else "")
                 + f" = {valuation.money(first_value)}")
    steps.append(f"entered (the last sale) USD {valuation.money(pic.entered)} − first-sale value "
                 f"{valuation.money(first_value)} = {valuation.money(over)} refundable value")
    maker = ", ".join(sorted({first_sale.party_name(ip.doc.get("seller")) for ip in pic.first}))
    middleman = ", ".join(sorted({first_sale.party_name(ip.doc.get("seller")) for ip in pic.last}))
    explanation = (f"The entry declares the price the importer pays the middleman {middleman}, USD "
                   f"{valuation.money(pic.entered)}. The documents also hold the manufacturer's sale by {maker} at "
                   f"USD {valuation.money(first_value)} and carry what a first-sale value needs (Nissho Iwai Am. "
                   "Corp. v. United States, 982 F.2d 505 (Fed. Cir. 1992); 19 CFR 152.103(a)(1)): "
                   + "; ".join(a.present) + ". "
                   + "".join(f"Also: {r}. " for r in a.remarks if not r.startswith("the entered value"))
                   + f"Declared on the first sale, the entered value would be USD {valuation.money(over)} lower; "
                   "the duty and fees on the difference may be recovered by post-summary correction or protest, "
                   "as the entry's liquidation status allows, with the first-sale documents produced to CBP.")
    evidence = []
    for ip in pic.first + pic.last:
        evidence += [e for e in valuation.invoice_evidence(ctx, ip, "seller") if e not in evidence]
    evidence += [e for e in valuation.entered_evidence(ctx) if e not in evidence]
    return [_value_refund(ctx, "FIRST_SALE_AVAILABLE", pic.first, over,
                          f"First-sale value USD {valuation.money(over)} below the entered value", explanation, steps,
                          evidence, 0.75)]
