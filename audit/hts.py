"""HTS_MISMATCH: the HTS number the commercial documents (invoice lines, certificate of origin goods) give for the
goods differs from the one declared on the entry line of those goods (19 U.S.C. 1484, reasonable care).
Shared readers and tolerances are in ``crosscheck``."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz

from ..models.records import Document, Finding, Provenance, q2
from ..extract.tariff import Tariff
from . import revenue
from .context import Context, Result
from ..models.fold import fmt_pct
from .crosscheck import (STRONG_MATCH, _consistent, _doc_name, _entry_complete, _entry_evidence, _entry_ocr, _fmt,
                         _goods_lines, _Group, _groups, _hts_digits, _l, _line_no, _n, _revenue, _t, _usd, _words)
from .rules import BY_CODE


def _one_digit_apart(a: str, b: str) -> bool:
    n = min(len(a), len(b))
    return sum(x != y for x, y in zip(a[:n], b[:n])) == 1


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


@dataclass
class _Item:
    """One statement of an HTS number on a document: an invoice line or a certificate's goods."""

    doc: Document
    number: str
    digits: str
    description: str | None
    prov: Provenance | None
    label: str  # "line 10"
    amount_usd: Decimal | None = None
    source: str = "invoice"  # invoice | certificate


def _match_group(groups: list[_Group], item: _Item, complete: bool) -> tuple[_Group | None, float, str]:
    """The entry lines an item's goods belong to and how sure the match is (0–1), with the reason."""
    if not groups:
        return None, 0.0, ""
    scored = []
    for g in groups:
        desc = 0.0
        if item.description and g.description:
            desc = fuzz.token_set_ratio(_words(item.description), _words(g.description)) / 100
        prefix = min(_common_prefix(item.digits, g.digits), 6) / 6
        value = 0.0
        if item.amount_usd is not None and g.value:
            if abs(item.amount_usd - g.value) <= max(Decimal(2), g.value * Decimal("0.01")):
                value = 1.0
        scored.append((g, desc, prefix, value))
    if item.source == "certificate":
        # a blanket certificate may list goods this entry does not carry: only the same goods count
        best = max(scored, key=lambda s: s[1])
        g, desc, prefix, _ = best
        same = fuzz.token_sort_ratio(_words(item.description), _words(g.description)) >= 90
        if same or (desc >= 0.8 and _common_prefix(item.digits, g.digits) >= 4):
            return g, (0.95 if same else 0.8), "description of the goods"
        return None, 0.0, ""
    if len(groups) == 1 and complete:
        return groups[0], 1.0, "the entry's only goods"
    ranked = sorted(((0.45 * d + 0.35 * p + 0.2 * v, g, d, v) for g, d, p, v in scored), key=lambda s: -s[0])
    best = ranked[0]
    if len(ranked) > 1 and best[0] - ranked[1][0] < 0.1:
        return None, 0.0, ""  # two lines fit as well: no telling which goods these are
    score = best[0] + (0.15 if best[3] else 0.0)
    if not complete and score < STRONG_MATCH:
        return None, 0.0, ""  # a line of the entry was not read: a loose match may be the goods of that line
    how = "value" if best[3] else "description" if best[2] >= 0.8 else "nearest HTS and description"
    return best[1], min(1.0, score), how


def _special_rate(tariff, digits: str, spi: str) -> Decimal | None:
    if not hasattr(tariff, "special_rate"):  # a table of special rates alone
        tariff = Tariff({}, getattr(tariff, "special", None) or {})
    return tariff.special_rate(digits, spi)


def _rate_for(ctx: Context, digits: str, spi: str | None) -> tuple[Decimal | None, str]:
    """The ad valorem rate of the documents' number from the tariff schedule, and how it was found."""
    tariff = ctx.tariff
    if tariff is None:
        return None, "no tariff schedule was supplied"
    if spi:
        special = _special_rate(tariff, digits, spi)
        if special is not None:
            return special, f"special rate under SPI {spi}"
    try:
        rate = tariff.general_rate(digits)
    except (AttributeError, ArithmeticError):  # a schedule object without the method, or a rate not a number
        rate = None
    if rate is None and len(digits) == 6:
        # a 6-digit number: its rate is known when every 8-digit rate under it is the same
        table = getattr(tariff, "general", None) or {}
        rates = set()
        for k in table:
            if k.startswith(digits) and len(k) >= 8:
                try:
                    rates.add(tariff.general_rate(k))
                except (AttributeError, ArithmeticError):
                    rates.add(None)
        if len(rates) == 1 and None not in rates:
            rate = rates.pop()
    if rate is None:
        return None, "the tariff schedule gives no ad valorem rate for it"
    return rate, "general rate" + (f" (no special rate under SPI {spi})" if spi else "")


def hts(ctx: Context) -> list[Result]:
    rule = BY_CODE["HTS_MISMATCH"]
    lines = _goods_lines(ctx)
    groups = _groups(lines)
    if not groups:
        return []
    if any(not _hts_digits(_t(ln, "hts")) for ln in lines):
        return []  # a declared number not written as one (read short on a scan): nothing to compare with
    complete = _entry_complete(ctx)
    entry_scan = _entry_ocr(ctx)
    items: list[_Item] = []
    for inv in ctx.documents("commercial_invoice"):
        for li in inv.line_items:
            d = _hts_digits(_t(li, "hts"))
            items.append(_Item(inv, str(_t(li, "hts") or ""), d, _t(li, "description"), li.prov,
                               f"line {li.get('line_no')}" if li.get("line_no") is not None else "a line",
                               _usd(ctx, inv, _n(li, "amount"))))
    for coo in ctx.documents("certificate_of_origin"):
        for n, g in enumerate(_l(coo, "goods") or [], 1):
            if isinstance(g, dict) and _t(g, "hts"):
                items.append(_Item(coo, str(_t(g, "hts")), _hts_digits(_t(g, "hts")), _t(g, "description"),
                                   coo.fields.prov("goods"), f"goods {n}", None, "certificate"))
    # every invoice line's goods, to apportion a line's value when only some of its goods carry another number
    assigned: dict[str, list[_Item]] = {}
    mismatched: dict[str, list[tuple[_Item, float, str]]] = {}
    for it in items:
        if len(it.digits) < 6 or it.digits.startswith(("98", "99", "00")):
            if it.source == "invoice" and len(groups) == 1:
                assigned.setdefault(groups[0].digits, []).append(it)
            continue
        fits = [g for g in groups if _consistent(it.digits, g.digits)]
        if fits:
            if it.source == "invoice" and len(fits) == 1:
                assigned.setdefault(fits[0].digits, []).append(it)
            continue
        g, sure, how = _match_group(groups, it, complete)
        if g is None or sure < 0.4:
            continue
        if _one_digit_apart(it.digits, g.digits):
            if entry_scan:
                continue  # the entry read from a scan: one digit off is as likely its misreading
            if it.doc.ocr:
                # on a scan, a number one digit off is a misreading unless several lines give it and none the
                # declared one
                same = [li for li in it.doc.line_items if _hts_digits(_t(li, "hts")) == it.digits]
                declared = [li for li in it.doc.line_items if _consistent(_hts_digits(_t(li, "hts")), g.digits)]
                if len(same) < 2 or declared:
                    continue
                sure *= 0.8
        if it.source == "invoice":
            assigned.setdefault(g.digits, []).append(it)
        mismatched.setdefault(g.digits, []).append((it, sure, how))
    out = []
    for g in groups:
        if g.digits in mismatched:
            out.append(_hts_finding(ctx, rule, g, mismatched[g.digits], assigned.get(g.digits, [])))
    return out


def _hts_finding(ctx: Context, rule, g: _Group, found: list[tuple[_Item, float, str]],
                 assigned: list[_Item]) -> Result:
    line = g.first
    declared = str(_t(line, "hts"))
    inv_items = [it for it, _, _ in found if it.source == "invoice"]
    cert_items = [it for it, _, _ in found if it.source == "certificate"]
    primary_pool = inv_items or cert_items
    primary = max(primary_pool, key=lambda it: len(it.digits))
    sure = min(s for _, s, _ in found)
    hows = sorted({h for _, _, h in found})
    # the value the documents' number concerns: the lines' whole value, or the share of the goods under it
    same = [it for it in inv_items if _consistent(it.digits, primary.digits)]
    same_ids = {id(it) for it in same}
    value = g.value
    share_note = ""
    if inv_items and value is not None:
        if any(id(it) not in same_ids for it in assigned):
            amounts = [it.amount_usd for it in assigned]
            if all(a is not None for a in amounts) and sum(amounts, Decimal(0)) > 0:
                part = sum((it.amount_usd for it in same), Decimal(0))
                whole = sum(amounts, Decimal(0))
                share_note = (f"share of the line's goods under {primary.number}: USD {q2(part):,} of "
                              f"USD {q2(whole):,} invoiced")
                value = q2(value * part / whole)
            else:
                value = None
                share_note = "the share of the line's goods under the documents' number cannot be told"
    spi = _t(line, "spi")
    rate_decl = _n(line, "duty_rate")
    rate_doc, rate_how = _rate_for(ctx, primary.digits, spi)
    agree6 = primary.digits[:6] == g.digits[:6]
    steps = []
    for it, _, _ in found:
        steps.append(f"{_doc_name(it.doc)} {it.label}: HTS {it.number}"
                     + (f" ({it.description})" if it.description else ""))
    steps.append(f"entry line {', '.join(str(_line_no(ln)) for ln in g.lines)}: HTS {declared}"
                 + (f" ({g.description})" if g.description else "")
                 + (f", entered value USD {_fmt(g.value)}" if g.value is not None else ""))
    if share_note:
        steps.append(share_note)
    changes = []
    duty = Decimal("0.00")
    unknown = False
    invoice_agrees = not inv_items and any(_consistent(it.digits, g.digits) for it in assigned)
    if invoice_agrees:
        steps.append("the invoice gives the declared number: the certificate's number is the odd one; no duty "
                     "effect is computed on it")
        rate_text = ("The invoice gives the declared number, so it is the certificate that names other goods or a "
                     "wrong number: it may not cover these goods, which matters for any preference claimed under it.")
    elif rate_doc is None or rate_decl is None or value is None:
        unknown = True
        why = rate_how if rate_doc is None else "the declared rate is not shown" if rate_decl is None else share_note
        steps.append(f"rate under {primary.number}: unknown ({why}); the duty effect cannot be computed, "
                     f"no value changes (value delta 0.00)")
        rate_text = (f"The rate under {primary.number} is unknown ({why}), so the finding gives the difference "
                     "of classification only, with no amount.")
    else:
        decl = Decimal(rate_decl)
        steps.append(f"rate under {primary.number}: {fmt_pct(rate_doc)} ({rate_how}); declared "
                     f"{fmt_pct(decl)}")
        diff = rate_doc - decl
        if diff == 0:
            steps.append("same rate under both numbers: no duty effect, loss of revenue 0.00")
            rate_text = f"Both numbers carry {fmt_pct(decl)}: the difference costs no duty."
        elif diff < 0:
            over = q2(value * -diff / 100)
            steps.append(f"{_fmt(value)} × ({fmt_pct(rate_doc)} − {fmt_pct(decl)}) = −{over:,}: "
                         "duty overpaid if the documents' number is right; no loss of revenue")
            rate_text = (f"The documents' number carries a lower rate ({fmt_pct(rate_doc)} against "
                         f"{fmt_pct(decl)}): if it is right, duty of USD {over:,} was overpaid (a matter for "
                         "a post-summary correction or protest), not a loss of revenue.")
        else:
            ch = revenue.Change(line_no=_line_no(line), value_delta=value, rates=[diff], key=f"hts:{g.digits}",
                                fee_base_delta=Decimal(0),
                                note=f"rate {fmt_pct(rate_doc)} instead of {fmt_pct(decl)}")
            rev = _revenue(ctx, [ch])
            if rev is None:
                unknown = True
                steps.append("the entry's own figures (date, total) cannot be computed with: no amount")
                rate_text = "The entry's figures could not be read well enough to compute the duty difference."
            else:
                duty = rev.duty_delta
                steps += list(rev.arithmetic)
                changes.append(ch)
                rate_text = (f"Under {primary.number} the goods pay {fmt_pct(rate_doc)} instead of the "
                             f"{fmt_pct(decl)} declared: USD {_fmt(value)} × {fmt_pct(diff)} = "
                             f"USD {duty:,} of duty; the fees do not change.")
        if _l(line, "additional"):
            steps.append("chapter 99 rates declared on the line are left as declared")
    sources = "; ".join(sorted({f"{_doc_name(it.doc)} gives {it.number}" for it, _, _ in found}))
    what = primary.description or "the goods"
    explanation = (
        f"The commercial documents classify \"{what}\" differently from the entry: {sources}, while entry line "
        f"{_line_no(line)} declares {declared}" + (f" ({g.description})" if g.description else "") + ". "
        + (f"The numbers agree to six digits (subheading {primary.digits[:4]}.{primary.digits[4:6]}) and differ in "
           "the national subdivisions, which an exporter sometimes fills with its own country's tariff. "
           if agree6 else "The numbers differ at the international (six-digit) level. ")
        + "Reasonable care (19 U.S.C. 1484) requires the importer to resolve which one is right. "
        + rate_text
        + (f" The goods were matched to the entry line by {', '.join(hows)}"
           + (" only loosely: check that these are the same goods." if sure < STRONG_MATCH else ".")
           if hows != ["the entry's only goods"] else "")
    )
    confidence = 0.5 + 0.4 * sure - (0.0 if not agree6 else 0.05)
    evidence = []
    for it, _, _ in found:
        evidence += ctx.evidence(it.prov)
    for d in {id(it.doc): it.doc for it, _, _ in found}.values():
        evidence += [e for e in ctx.cite(d, "invoice_number", "goods") if e not in evidence]
    evidence += [e for e in _entry_evidence(ctx, g.lines) if e not in evidence]
    f = Finding(code=rule.code, severity=rule.severity if sure >= STRONG_MATCH else "low",
                entry_number=ctx.entry.entry_number, line_no=_line_no(line),
                title=f"HTS {primary.number} on the {'invoice' if inv_items else 'certificate of origin'}, "
                      f"{declared} declared",
                explanation=explanation, legal_basis=rule.legal_basis, duty_delta=duty, loss_of_revenue=duty,
                confidence=round(max(0.3, min(0.95, confidence)), 2), evidence=evidence, arithmetic=steps,
                rate_unknown=unknown)
    return Result(f, changes)


