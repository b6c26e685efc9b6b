"""Section 232 steel and aluminium duties (the proclamations; CBP's guidance on content value):

- METAL_CONTENT_MISSTATED: the content value declared on the 9903.81/9903.85 line is below what the documents
  support. Two readings, both reported: (a) the price the fabricator paid for the metal, where a document states
  it; (b) the entered value of the goods less their non-metal components, where a document states those. The
  shortfall is measured against the higher; the 232 rate applies to it alone (the entered value is unchanged,
  so fees do not move).
- MELT_POUR_MISMATCH: the country where the metal was melted and poured, per the mill certificate, differs from
  the one declared (block 21 / the line's melt country). The rate changes only where one country has a rate of
  its own (the United Kingdom); otherwise no duty effect.
- SECTION232_UNDECLARED: goods of chapters 72, 73 or 76 entered without their chapter 99 line: the rate in
  force on the entry date on the metal content value (the whole value where no non-metal part is documented).
  Derivative articles of other chapters listed in the annexes are not checked here.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..extract import normalize as nz
from ..models.records import EntryLine, Finding, q2
from . import revenue
from .context import Context, Result
from .rules import BY_CODE

ZERO = Decimal("0.00")
_NON_METAL = re.compile(r"non[- ]?(?:steel|alumini?um|metal)[^.;]*?(?:amount(?:s|ing)? to|total(?:s|ling)?|of|:|=)\s*"
                        r"((?:[A-Z]{3}|US\$|\$|€|£)\s*[\d][\d.,' ]*\d)", re.I)
_METAL_COST = re.compile(r"(?:price|cost) (?:paid )?(?:of|for) the (?:steel|alumini?um|metal)[^.;]*?"
                         r"((?:[A-Z]{3}|US\$|\$|€|£)\s*[\d][\d.,' ]*\d)", re.I)


def _digits(h) -> str:
    return re.sub(r"\D", "", str(h or ""))


def _metal_lines(ctx: Context) -> dict[str, list[EntryLine]]:
    """The entry's lines of chapter 72, 73 and 76 goods, grouped by HTS number."""
    groups: dict[str, list[EntryLine]] = {}
    for ln in ctx.entry.lines:
        d = _digits(ln.get("hts"))
        if d[:2] in ("72", "73", "76"):
            groups.setdefault(d[:10], []).append(ln)
    return groups


def _declared_232(lines: list[EntryLine]) -> list[tuple[EntryLine, dict]]:
    return [(ln, a) for ln in lines for a in (ln.get("additional") or []) if revenue.is_section232(a.get("hts"))]


def _stated_amounts(ctx: Context, pattern: re.Pattern) -> list[tuple[Decimal, object, str]]:
    """Amounts the documents state in prose for ``pattern`` (USD at the entry's rate), with where."""
    out = []
    for doc in ctx.documents():
        for text, prov in doc.notes:
            for m in pattern.finditer(text):
                parsed = nz.parse_money(m.group(1))
                if parsed is None:
                    continue
                amount, cur = parsed
                rate = ctx.exchange_rate(cur or doc.get("currency") or "USD")
                if rate is None:
                    continue
                out.append((q2(amount * rate), prov or doc.path, text))
    return out


def _origin(ctx: Context) -> str | None:
    return ctx.entry.header.get("country_of_origin")


def content(ctx: Context) -> list[Result]:
    rule = BY_CODE["METAL_CONTENT_MISSTATED"]
    out: list[Result] = []
    groups = _metal_lines(ctx)
    if not groups:
        return out
    non_metal = _stated_amounts(ctx, _NON_METAL)
    metal_cost = _stated_amounts(ctx, _METAL_COST)
    if not non_metal and not metal_cost:
        return out
    for hts, lines in groups.items():
        declared = _declared_232(lines)
        if not declared:
            continue  # not declared at all: SECTION232_UNDECLARED's case
        line, add = declared[0]
        decl_value = add.get("value") if isinstance(add.get("value"), Decimal) else line.get("entered_value")
        rate = Decimal(add["rate"]) if add.get("rate") is not None else None
        entered = sum((ln.get("entered_value") or ZERO for ln in lines), ZERO)
        nm = sum((a for a, _, _ in non_metal), ZERO) if non_metal else None
        cost = sum((a for a, _, _ in metal_cost), ZERO) if metal_cost else None
        a, b, shortfall = revenue.content_shortfall(decl_value, cost, entered, nm)
        shortfall = q2(shortfall)
        if shortfall < 1:
            continue
        steps = [f"declared content value (line {line.line_no}, {add.get('hts')}): USD {decl_value:,.2f}"]
        steps.append("reading (a), price paid for the metal: " + (f"USD {a:,.2f}" if a is not None
                                                                       else "no document states it"))
        steps.append(f"reading (b), entered value {entered:,.2f} less non-metal components "
                     + (f"{nm:,.2f} = {b:,.2f}" if b is not None else "(no document states them)"))
        steps.append(f"shortfall against the higher reading: {max(v for v in (a, b) if v is not None):,.2f} − "
                     f"{decl_value:,.2f} = {shortfall:,.2f}")
        if rate is None:
            rate_info = revenue.section232_rate(hts, ctx.revenue.entry_date, _origin(ctx))
            rate = rate_info[0] if rate_info else None
        change = revenue.Change(line_no=line.line_no, value_delta=shortfall, rates=[rate] if rate is not None else None,
                                key=f"232:{ctx.entry.entry_number}:{hts}", fee_base_delta=Decimal(0),
                                note="Section 232 rate on the content value only")
        rev = revenue.compute(ctx.revenue, [change])
        explanation = (
            f"Line {line.line_no} declares a Section 232 content value of USD {decl_value:,.2f} under {add.get('hts')}. "
            + (f"The documents state non-metal components of USD {nm:,.2f}, so the metal content of goods entered at "
               f"USD {entered:,.2f} is USD {b:,.2f} (entered value less non-metal components). " if b is not None else "")
            + (f"They state the metal was bought for USD {a:,.2f}. " if a is not None else "")
            + f"Measured against the higher reading, USD {shortfall:,.2f} of content value was not declared; the "
            f"Section 232 rate applies to it."
        )
        evidence = []
        for amt, where, text in non_metal + metal_cost:
            evidence += ctx.evidence(where, text=text) if not isinstance(where, str) else []
        for d in ctx.documents("entry_summary"):
            evidence += ctx.cite(d, "total_entered_value")
        f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
                    title=f"Section 232 content value short by USD {shortfall:,.2f}", explanation=explanation,
                    legal_basis=rule.legal_basis, value_delta=shortfall, duty_delta=rev.duty_delta,
                    fees_delta=rev.fees_delta, loss_of_revenue=rev.loss_of_revenue, confidence=0.85,
                    evidence=evidence or [e for d in ctx.documents("commercial_invoice") for e in ctx.cite(d, "total")],
                    arithmetic=steps + list(rev.arithmetic), rate_unknown=rev.rate_unknown)
        out.append(Result(f, [change]))
    return out


def _certificate_countries(ctx: Context) -> tuple[set[str], list]:
    countries: set[str] = set()
    where = []
    for mtc in ctx.documents("mill_certificate"):
        for key in ("melt_country", "pour_country"):
            if mtc.get(key):
                countries.add(str(mtc.get(key)))
                where.append((mtc, key))
        for li in mtc.line_items:
            for key in ("melt_country", "pour_country"):
                if li.get(key):
                    countries.add(str(li.get(key)))
    return countries, where


def melt_pour(ctx: Context) -> list[Result]:
    rule = BY_CODE["MELT_POUR_MISMATCH"]
    groups = _metal_lines(ctx)
    if not groups:
        return []
    countries, where = _certificate_countries(ctx)
    if not countries:
        return []
    declared = {str(ln.get("melt_country")) for lines in groups.values() for ln in lines if ln.get("melt_country")}
    declared.discard("None")
    if not declared or declared <= countries:
        return []
    lines = [ln for ls in groups.values() for ln in ls if ln.get("melt_country")]
    line = lines[0]
    steps = [f"mill certificate: melted and poured in {', '.join(sorted(countries))}",
             f"entry line {line.line_no}: country of melt and pour {', '.join(sorted(declared))}"]
    date = ctx.revenue.entry_date
    hts = line.get("hts")
    r_decl = revenue.section232_rate(hts, date, "GB" if "GB" in declared else None)
    r_true = revenue.section232_rate(hts, date, "GB" if countries == {"GB"} else None)
    changes = []
    duty = ZERO
    if r_decl and r_true and r_true[0] > r_decl[0]:
        content_value = sum((Decimal(a["value"]) for _, a in _declared_232([line]) if a.get("value") is not None), ZERO)
        ch = revenue.Change(line_no=line.line_no, value_delta=content_value, rates=[r_true[0] - r_decl[0]],
                            key=f"melt:{ctx.entry.entry_number}", fee_base_delta=Decimal(0))
        rev = revenue.compute(ctx.revenue, [ch])
        duty, changes = rev.duty_delta, [ch]
        steps += list(rev.arithmetic)
    else:
        steps.append("the same Section 232 rate applies to both countries: no duty effect")
    f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
                title=f"Melt and pour {', '.join(sorted(countries))} on the mill certificate, "
                      f"{', '.join(sorted(declared))} declared",
                explanation=(f"The mill certificate shows the steel melted and poured in {', '.join(sorted(countries))}; "
                             f"the entry declares {', '.join(sorted(declared))} as the country of melt and pour. The "
                             "proclamations require the country where the metal was first melted and poured, not "
                             "where the goods were made; the entry must be corrected."
                             + ("" if changes else " The rate does not differ between the two countries here.")),
                legal_basis=rule.legal_basis, duty_delta=duty, loss_of_revenue=duty, confidence=0.9,
                evidence=[e for doc, key in where for e in ctx.cite(doc, key)][:4]
                + [e for d in ctx.documents("entry_summary") for e in ctx.cite(d, "entry_number")],
                arithmetic=steps)
    return [Result(f, changes)]


def undeclared(ctx: Context) -> list[Result]:
    rule = BY_CODE["SECTION232_UNDECLARED"]
    out: list[Result] = []
    non_metal = _stated_amounts(ctx, _NON_METAL)
    for hts, lines in _metal_lines(ctx).items():
        if _declared_232(lines):
            continue
        rate_info = revenue.section232_rate(hts, ctx.revenue.entry_date, _origin(ctx))
        if rate_info is None:
            continue
        rate, why = rate_info
        entered = sum((ln.get("entered_value") or ZERO for ln in lines), ZERO)
        if entered <= 0:
            continue
        nm = sum((a for a, _, _ in non_metal), ZERO) if non_metal else ZERO
        value = q2(entered - nm)
        line = max(lines, key=lambda ln: ln.get("entered_value") or ZERO)
        steps = [f"steel content value = entered value {entered:,.2f}"
                 + (f" less non-metal components {nm:,.2f} = {value:,.2f}" if nm else " (no non-metal value shown)"),
                 f"Section 232 rate {rate.normalize():f} % ({why}) on the content value"]
        change = revenue.Change(line_no=line.line_no, value_delta=value, rates=[rate],
                                key=f"232:{ctx.entry.entry_number}:{hts}", fee_base_delta=Decimal(0),
                                note="Section 232 on the content value")
        rev = revenue.compute(ctx.revenue, [change])
        f = Finding(code=rule.code, severity=rule.severity, entry_number=ctx.entry.entry_number, line_no=line.line_no,
                    title=f"Chapter {hts[:2]} goods entered without their Section 232 line",
                    explanation=(f"Line {line.line_no} enters {line.get('description') or 'goods'} under "
                                 f"{line.get('hts')} (chapter {hts[:2]}) with no 9903.81/9903.85 line: the Section 232 "
                                 f"duty of {rate.normalize():f} % on their metal content value was not declared."),
                    legal_basis=rule.legal_basis, value_delta=value, duty_delta=rev.duty_delta,
                    fees_delta=rev.fees_delta, loss_of_revenue=rev.loss_of_revenue, confidence=0.9,
                    evidence=[e for d in ctx.documents("entry_summary") for e in ctx.cite(d, "entry_number")]
                    + [e for d in ctx.documents("mill_certificate") for e in ctx.cite(d, "certificate_number")],
                    arithmetic=steps + list(rev.arithmetic), rate_unknown=rev.rate_unknown)
        out.append(Result(f, [change]))
    return out
