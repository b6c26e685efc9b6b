"""Loss-of-revenue arithmetic (SPEC §4): the one place that computes duty and fees. Rules ask it.

Exact Decimal throughout; amounts are rounded half-up to the cent where the SPEC says (each fee, each
delta), never before. Rates are percent (``Decimal("5.3")`` for 5.3 %).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Iterable, Sequence

from ..models.fold import hts_digits
from ..models.records import Entry, EntryLine, Revenue, RevenueLine, RevenueRate, Section232Reading, q2

# --- the tables (one visible place) -------------------------------------------------------------
MPF_RATE = Decimal("0.3464")  # percent, 19 CFR 24.23(b)(1)
HMF_RATE = Decimal("0.125")  # percent, 19 CFR 24.24
# fiscal year (1 October – 30 September, named by the year it ends) -> (minimum, maximum) MPF
MPF_LIMITS: dict[int, tuple[Decimal, Decimal]] = {
    2025: (Decimal("32.71"), Decimal("634.62")),
    2026: (Decimal("33.58"), Decimal("651.50")),
}
VESSEL_MODES = {"10", "11", "12"}  # mode of transport codes on which HMF is due
# SPI codes whose goods are exempt from MPF (19 CFR 24.23(c)): originating goods of the free-trade agreements that
# exempt them (USMCA and NAFTA before it, Israel, Singapore, Chile, Australia, Bahrain, Oman, CAFTA-DR, Peru, Korea,
# Colombia, Panama) and products of CBERA/CBTPA beneficiaries and of least-developed GSP beneficiaries. The
# Jordan and Morocco agreements do not exempt their goods, nor does GSP outside A+.
MPF_EXEMPT_SPI = {"CA", "MX", "S", "S+", "IL", "SG", "CL", "AU", "BH", "OM", "P", "P+", "PE", "KR", "CO", "PA",
                  "E", "E*", "R", "A+"}
SECTION232_PREFIXES = ("9903.81.", "9903.85.")  # rates that apply to the metal content value only
# Section 232 ad valorem rates on the metal content value: (in force from, steel, aluminium, United Kingdom)
SECTION232_RATES: list[tuple[str, Decimal, Decimal, Decimal]] = [
    ("2018-03-23", Decimal(25), Decimal(10), Decimal(25)),  # Proclamations 9704, 9705
    ("2025-03-12", Decimal(25), Decimal(25), Decimal(25)),  # Proclamations 10895, 10896: every country, aluminium 25 %
    ("2025-06-04", Decimal(50), Decimal(50), Decimal(25)),  # Proclamation of 3 June 2025: 50 %, UK products 25 %
]
SECTION232_START = "2018-03-23"
SECTION232_ALL_COUNTRIES = "2025-03-12"  # every country exemption, quota and exclusion ended on this date
SECTION232_UK_FROM = "2025-06-04"  # products of the United Kingdom kept at 25 % (the Economic Prosperity Deal)
SECTION232_CONTENT_FROM = "2025-06-04"  # chapters 73 and 76 pay on the metal content only (before: full value)
# headings of chapters 72 and 76 outside the proclamations: pig iron, ferro-alloys, sponge iron, scrap, granules
SECTION232_OUTSIDE = ("7201", "7202", "7203", "7204", "7205", "7602")
# the "articles" of the 2018 proclamations (the rest of chapters 73 and 76 are "derivatives")
STEEL_ARTICLES = tuple(f"72{n:02d}" for n in range(6, 30)) + ("730110", "730210", "730240", "730290", "7304", "7305",
                                                               "7306")
ALUMINIUM_ARTICLES = ("7601", "7604", "7605", "7606", "7607", "7608", "7609", "7616995160", "7616995170")
# derivatives covered before 12 March 2025 (Proclamations 9980: nails, tacks, staples; stranded aluminium wire)
EARLY_DERIVATIVES = (("73170030", "73170055", "73170065"), ("7614",))
EARLY_DERIVATIVES_FROM = "2020-02-08"
# country arrangements before 12 March 2025: (country, metal or None for both, from, until (exclusive), why)
SECTION232_COUNTRY_RULES: list[tuple[str, str | None, str, str, str]] = [
    ("CA", None, "2018-03-23", "2018-06-01", "products of Canada temporarily exempt"),
    ("MX", None, "2018-03-23", "2018-06-01", "products of Mexico temporarily exempt"),
    ("CA", None, "2019-05-20", SECTION232_ALL_COUNTRIES, "products of Canada exempt (joint statement of May 2019)"),
    ("MX", None, "2019-05-20", SECTION232_ALL_COUNTRIES, "products of Mexico exempt (joint statement of May 2019)"),
    ("AU", None, "2018-03-23", SECTION232_ALL_COUNTRIES, "products of Australia exempt"),
    ("AR", None, "2018-03-23", SECTION232_ALL_COUNTRIES, "products of Argentina: absolute quota, no duty"),
    ("BR", "steel", "2018-03-23", SECTION232_ALL_COUNTRIES, "steel of Brazil: absolute quota, no duty"),
    ("KR", "steel", "2018-03-23", SECTION232_ALL_COUNTRIES, "steel of Korea: absolute quota, no duty"),
]
MEXICO_MELT_POUR_FROM = "2024-07-10"  # Proclamations 10782, 10783
NORTH_AMERICA = {"MX", "CA", "US"}
ALUMINIUM_SUSPECT_SMELT = {"CN", "RU", "BY", "IR"}  # Mexico's aluminium exemption ends where smelted or cast there
RUSSIA_ALUMINIUM_FROM = "2023-03-10"  # Proclamation 10522: 200 % on aluminium products of Russia,
RUSSIA_SMELT_FROM = "2023-04-10"  # and on aluminium smelted or cast there, wherever the goods were made
TRQ_COUNTRIES = {"GB": "2022-06-01", "JP": "2022-04-01"}  # tariff-rate quotas before 12 March 2025 (and the EU)
EU = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
      "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
EU_TRQ_FROM = "2022-01-01"


def fiscal_year(iso_date: str) -> int:
    y, m = int(iso_date[:4]), int(iso_date[5:7])
    return y + 1 if m >= 10 else y


def mpf_limits(iso_date: str | None) -> tuple[int, Decimal, Decimal, str]:
    fy = fiscal_year(iso_date) if iso_date else max(MPF_LIMITS)
    note = "" if iso_date else " (no entry date: latest fiscal year's limits)"
    if fy not in MPF_LIMITS:
        known = max(y for y in MPF_LIMITS if y <= fy) if any(y <= fy for y in MPF_LIMITS) else min(MPF_LIMITS)
        note = f" (FY{fy} not in the table: FY{known} limits used)"
        fy_used = known
    else:
        fy_used = fy
    lo, hi = MPF_LIMITS[fy_used]
    return fy, lo, hi, note


def mpf(base: Decimal, iso_date: str | None) -> Decimal:
    """0.3464 % of ``base``, within the fiscal year's minimum and maximum, to the cent."""
    if base <= 0:
        return Decimal("0.00")
    _, lo, hi, _ = mpf_limits(iso_date)
    return q2(min(max(base * MPF_RATE / 100, lo), hi))


def hmf(base: Decimal, mode_of_transport: str | None) -> Decimal:
    if mode_of_transport not in VESSEL_MODES or base <= 0:
        return Decimal("0.00")
    return q2(base * HMF_RATE / 100)


def duty(value: Decimal, rate_percent: Decimal) -> Decimal:
    return value * rate_percent / 100


def is_section232(hts: str | None) -> bool:
    return bool(hts) and str(hts).startswith(SECTION232_PREFIXES)


def _digits(hts) -> str:
    return hts_digits(hts)


def section232_metal(hts: str | None) -> str | None:
    """``steel`` for chapters 72 and 73, ``aluminium`` for 76, None elsewhere or for the headings the
    proclamations leave out (pig iron, ferro-alloys, scrap)."""
    d = _digits(hts)
    if d.startswith(SECTION232_OUTSIDE):
        return None
    return "steel" if d[:2] in ("72", "73") else "aluminium" if d[:2] == "76" else None


def section232_article(hts: str | None) -> bool:
    """A steel or aluminium *article* of the 2018 proclamations (chapter 72, pipes and rails of 73, unwrought and
    semi-finished aluminium), as against a derivative article."""
    return _digits(hts).startswith(STEEL_ARTICLES + ALUMINIUM_ARTICLES)


def section232_covered(hts: str | None, iso_date: str | None) -> tuple[bool, str]:
    """Whether goods of ``hts`` entered on ``iso_date`` fall under Section 232, and why (chapters 72, 73, 76)."""
    metal = section232_metal(hts)
    if metal is None:
        return False, "outside chapters 72, 73 and 76 (or a heading the proclamations leave out)"
    when = iso_date or SECTION232_RATES[-1][0]
    if when < SECTION232_START:
        return False, "entered before Section 232 duties began (23 March 2018)"
    if section232_article(hts):
        return True, f"a {metal} article of the 2018 proclamations"
    if when >= SECTION232_ALL_COUNTRIES:
        return True, f"a {metal} derivative of chapter {_digits(hts)[:2]}, covered from 12 March 2025"
    early = EARLY_DERIVATIVES[0] if metal == "steel" else EARLY_DERIVATIVES[1]
    if when >= EARLY_DERIVATIVES_FROM and _digits(hts).startswith(early):
        return True, f"a {metal} derivative listed from 8 February 2020"
    return False, f"a {metal} derivative not yet covered on {when} (chapters 73 and 76 from 12 March 2025)"


def section232_on_content(hts: str | None, iso_date: str | None) -> bool:
    """Whether the Section 232 rate applies to the metal content value only (chapters 73 and 76 from 4 June 2025,
    derivatives of other chapters) rather than to the full value (chapter 72; chapters 73 and 76 before)."""
    d = _digits(hts)
    if d[:2] == "72":
        return False
    if d[:2] in ("73", "76"):
        return (iso_date or SECTION232_CONTENT_FROM) >= SECTION232_CONTENT_FROM
    return True


def _countries(value) -> set[str]:
    if value is None:
        return set()
    items = [value] if isinstance(value, str) else list(value)
    return {("GB" if str(c).upper() == "UK" else str(c).upper()) for c in items if c}


def section232_rate(hts: str | None, iso_date: str | None, origin: str | None = None,
                    melt=None) -> tuple[Decimal, str] | None:
    """The Section 232 rate on the metal of goods of ``hts`` entered on ``iso_date`` and why; None for goods
    outside chapters 72, 73 and 76. ``origin`` is the goods' country of origin; ``melt`` the country (or
    countries) where the steel was melted and poured, or the aluminium smelted and cast, where known.

    From 12 March 2025 every country pays the rate of the table, except products of the United Kingdom (25 %
    from 4 June 2025), aluminium of Russia (200 %) and derivatives made of metal melted and poured (smelted
    and cast) in the United States (exempt). Before, the country arrangements of ``SECTION232_COUNTRY_RULES``
    applied, with Mexico's exemption conditional from 10 July 2024 on where the metal was melted."""
    metal = section232_metal(hts)
    if metal is None:
        return None
    when = iso_date or SECTION232_RATES[-1][0]
    if when < SECTION232_START:
        return Decimal(0), "no Section 232 duty before 23 March 2018"
    row = max((r for r in SECTION232_RATES if r[0] <= when), key=lambda r: r[0])
    standard = row[1] if metal == "steel" else row[2]
    melts = _countries(melt)
    origin = next(iter(_countries(origin)), None)
    done = "melted and poured" if metal == "steel" else "smelted and cast"
    if melts == {"US"} and not section232_article(hts):
        return Decimal(0), f"derivative of {metal} {done} in the United States: exempt"
    if metal == "aluminium" and ((origin == "RU" and when >= RUSSIA_ALUMINIUM_FROM)
                                 or ("RU" in melts and when >= RUSSIA_SMELT_FROM)):
        return Decimal(200), (f"aluminium product of Russia, 200 % from {RUSSIA_ALUMINIUM_FROM}" if origin == "RU"
                              else f"aluminium {done} in Russia, 200 % from {RUSSIA_SMELT_FROM}")
    if origin == "GB" and when >= SECTION232_UK_FROM:
        return row[3], f"{metal} product of the United Kingdom, {row[3].normalize():f} % from {SECTION232_UK_FROM}"
    if when < SECTION232_ALL_COUNTRIES and origin:
        if origin == "MX" and when >= MEXICO_MELT_POUR_FROM:
            if metal == "steel" and melts and not melts <= NORTH_AMERICA:
                return standard, (f"steel product of Mexico {done} outside North America "
                                  f"({', '.join(sorted(melts - NORTH_AMERICA))}): {standard.normalize():f} % "
                                  f"from {MEXICO_MELT_POUR_FROM}")
            if metal == "aluminium" and melts & ALUMINIUM_SUSPECT_SMELT:
                return standard, (f"aluminium product of Mexico {done} in "
                                  f"{', '.join(sorted(melts & ALUMINIUM_SUSPECT_SMELT))}: {standard.normalize():f} % "
                                  f"from {MEXICO_MELT_POUR_FROM}")
        for country, only, start, until, why in SECTION232_COUNTRY_RULES:
            if country == origin and (only is None or only == metal) and start <= when < until:
                return Decimal(0), why + (f" (if {done} in North America from {MEXICO_MELT_POUR_FROM})"
                                          if origin == "MX" and when >= MEXICO_MELT_POUR_FROM else "")
        quota_from = EU_TRQ_FROM if origin in EU else TRQ_COUNTRIES.get(origin)
        if quota_from and when >= quota_from:
            return standard, (f"{metal}, in force from {row[0]} (tariff-rate quota for products of {origin} from "
                              f"{quota_from}: in-quota entries are free, which the documents do not show)")
    return standard, f"{metal}, in force from {row[0]}"


class Rate(Decimal):
    """A rate (percent) that knows where it was declared: ``hts`` "own" (the line's own rate) or its chapter 99
    number, and the value it applies to (``base``: "value" or "metal content"). Arithmetic on it gives plain
    Decimals."""

    def __new__(cls, value, hts: str = "own", base: str = "value"):
        self = super().__new__(cls, value)
        self.hts = hts
        self.base = base
        return self

    def __reduce__(self):
        return (type(self), (str(self), self.hts, self.base))


def line_rates(line: EntryLine | None) -> list[Decimal] | None:
    """The ad valorem rates a change in the line's value attracts: its own plus its chapter 99 rates,
    except Section 232 ones (those apply to the metal content value only), each a :class:`Rate` naming its
    number. None when the line's rate is not known."""
    if line is None or line.get("duty_rate") is None:
        return None
    rates: list[Decimal] = [Rate(line.get("duty_rate"), "own")]
    for a in line.get("additional") or []:
        if a.get("rate") is not None and not is_section232(a.get("hts")):
            rates.append(Rate(a["rate"], str(a.get("hts") or "chapter 99")))
    return rates


@dataclass
class EntryContext:
    entry_number: str
    entry_date: str | None
    mode_of_transport: str | None
    total_entered_value: Decimal
    mpf_exempt_value: Decimal = Decimal(0)
    lines: dict[int, EntryLine] = field(default_factory=dict)  # the declared lines by number


def context_of(entry: Entry) -> EntryContext:
    h = entry.header
    total = h.get("total_entered_value")
    if total is None:
        total = sum((ln.get("entered_value") or Decimal(0) for ln in entry.lines), Decimal(0))
    exempt = sum((ln.get("entered_value") or Decimal(0) for ln in entry.lines
                  if (ln.get("spi") or "").upper() in MPF_EXEMPT_SPI), Decimal(0))
    lines = {ln.line_no: ln for ln in entry.lines if ln.line_no is not None}
    return EntryContext(entry.entry_number, h.get("entry_date") or h.get("summary_date"),
                        h.get("mode_of_transport"), Decimal(total), exempt, lines)


@dataclass
class Change:
    """A change the documents show on one entry line, in USD.

    ``value_delta`` is the value the rates apply to; ``rates`` the ad valorem rates (percent) that apply to it
    (None: unknown, the finding gives the value delta only). ``fee_base_delta`` is the change of the value
    MPF and HMF are computed on (defaults to ``value_delta``; 0 for extra duty on value already declared, such
    as a Section 232 shortfall on content value). ``mpf_dutiable`` is value that moves from MPF-exempt to
    MPF-due (a failed FTA claim). ``key`` names the money: two findings touching the same money share a key,
    and an entry total counts it once.

    ``base`` is the value the change is measured on: "value" (the entered value) or "metal content" (the
    Section 232 content value); ``kind`` is "value" (value added to that base) or "rate" (the base stays as
    declared, the rates newly apply to ``value_delta``). Left out, they follow from the rest: a change of no fee
    base on the entered value is a rate change; a change carrying Section 232 ``readings`` is on the content.
    """

    line_no: int | None
    value_delta: Decimal
    rates: list[Decimal] | None
    key: str
    fee_base_delta: Decimal | None = None
    mpf_dutiable: Decimal = Decimal(0)
    note: str = ""
    base: str | None = None
    kind: str | None = None
    readings: Section232Reading | None = None

    def __post_init__(self) -> None:
        if self.base is None:
            self.base = "metal content" if self.readings is not None else "value"
        if self.kind is None:
            self.kind = "rate" if self.base == "value" and self.fee_base_delta is not None \
                and self.fee_base_delta == 0 else "value"

    @property
    def fee_base(self) -> Decimal:
        return self.value_delta if self.fee_base_delta is None else self.fee_base_delta


def _pct(r: Decimal) -> str:
    return f"{r.normalize():f} %"


def declared_content(line: EntryLine | None) -> tuple[Decimal, list[str], Decimal | None]:
    """The Section 232 content value a line declares, the chapter 99 numbers it is declared under and their duty
    (None when the line states none)."""
    total, numbers, duty_total = Decimal("0.00"), [], None
    for a in (line.get("additional") or []) if line is not None else []:
        if is_section232(a.get("hts")):
            numbers.append(str(a.get("hts")))
            if isinstance(a.get("value"), Decimal):
                total += a["value"]
            if isinstance(a.get("duty"), Decimal):
                duty_total = (duty_total or Decimal(0)) + a["duty"]
    return total, numbers, duty_total


def _declared_duty(line: EntryLine | None, label: str, base: str) -> Decimal | None:
    """The duty the line declares under one rate: its own, a chapter 99 number's, or its Section 232 lines'."""
    if line is None:
        return None
    if base == "metal content":
        return declared_content(line)[2]
    if label == "own":
        d = line.get("duty")
        return d if isinstance(d, Decimal) else None
    for a in line.get("additional") or []:
        if str(a.get("hts")) == label and isinstance(a.get("duty"), Decimal):
            return a["duty"]
    return None


def _label(r: Decimal, base: str, line: EntryLine | None, readings: Section232Reading | None) -> tuple[str, str]:
    if isinstance(r, Rate):
        return r.hts, r.base
    if base == "metal content":
        numbers = declared_content(line)[1] or (readings.declared_under if readings is not None else [])
        metal = readings.metal if readings is not None else section232_metal(line.get("hts") if line else None)
        return (numbers[0] if numbers else "9903.85" if metal == "aluminium" else "9903.81"), base
    return "own", base


def _revenue_line(ch: Change, line: EntryLine | None) -> tuple[RevenueLine, list[Decimal]]:
    """One change as a record line, and the exact (unrounded) duty of each of its rates."""
    entered = line.get("entered_value") if line is not None else None
    entered = entered if isinstance(entered, Decimal) else None
    if ch.base == "metal content":
        before = ch.readings.declared_content if ch.readings is not None else declared_content(line)[0] \
            if line is not None else None
    else:
        before = entered
    after = (before + ch.value_delta if ch.kind == "value" else before) if before is not None else None
    out = RevenueLine(line_no=ch.line_no, hts=str(line.get("hts")) if line is not None and line.get("hts") else None,
                      key=ch.key, kind=ch.kind, base=ch.base, value_change=q2(ch.value_delta), value_before=before,
                      value_after=after, entered_before=entered,
                      entered_after=entered + ch.fee_base if entered is not None else None,
                      fee_base_change=ch.fee_base, mpf_newly_due=ch.mpf_dutiable, note=ch.note)
    if ch.rates is None:
        out.rate_unknown = True
        return out, []
    exact = []
    for r in ch.rates:
        label, base = _label(r, ch.base, line, ch.readings)
        d = duty(ch.value_delta, r)
        declared = _declared_duty(line, label, base)
        if declared is None:
            new = ch.kind == "rate" or (base == "metal content" and not declared_content(line)[1])
            declared = q2(r * before / 100) if (before is not None and not new) else Decimal("0.00")
        out.rates.append(RevenueRate(label, Decimal(r), base, q2(declared), q2(declared) + q2(d)))
        exact.append(d)
    out.duty_delta = q2(sum(exact, Decimal(0)))
    _carry_cent(out.rates, out.duty_delta - sum((q2(d) for d in exact), Decimal(0)))
    return out, exact


def _carry_cent(rates: list[RevenueRate], rest: Decimal) -> None:
    """Each rate's duty was rounded on its own: the last rate carries what the rounding of the sum leaves."""
    if rest and rates:
        rates[-1].duty_after += rest


def compute(ctx: EntryContext, changes: Sequence[Change]) -> Revenue:
    """The loss of revenue of ``changes`` on the entry as declared, as the structured record every output
    renders from (with the worked steps in its ``arithmetic``)."""
    steps: list[str] = []
    duty_total = Decimal(0)
    unknown = False
    value = Decimal(0)
    lines: list[RevenueLine] = []
    readings: list[Section232Reading] = []
    for ch in changes:
        value += ch.value_delta
        rl, exact = _revenue_line(ch, ctx.lines.get(ch.line_no) if ch.line_no is not None else None)
        lines.append(rl)
        if ch.readings is not None:
            r = replace(ch.readings)
            if r.rate is None and rl.rates:
                r.rate = rl.rates[0].rate
            readings.append(r)
        where = f"line {ch.line_no}: " if ch.line_no is not None else ""
        if ch.rates is None:
            unknown = True
            steps.append(f"{where}duty on {ch.value_delta:,.2f}: rate unknown, value delta only")
            continue
        d = sum(exact, Decimal(0))
        duty_total += d
        rates = " + ".join(_pct(r) for r in ch.rates) or "0 %"
        steps.append(f"{where}duty {ch.value_delta:,.2f} × ({rates}) = {q2(d):,.2f}" + (f" ({ch.note})" if ch.note else ""))
    duty_delta = q2(duty_total)
    known = [ln for ln in lines if not ln.rate_unknown]
    rest = duty_delta - sum((ln.duty_delta for ln in known), Decimal(0))
    if rest and known:  # each line's duty was rounded on its own: the last line carries the cent
        known[-1].duty_delta += rest
        _carry_cent(known[-1].rates, rest)
    fy, lo, hi, note = mpf_limits(ctx.entry_date)
    base_before = ctx.total_entered_value - ctx.mpf_exempt_value
    fee_delta = sum((ch.fee_base for ch in changes), Decimal(0))
    newly_due = sum((ch.mpf_dutiable for ch in changes), Decimal(0))
    base_after = base_before + fee_delta + newly_due
    mpf_b, mpf_a = mpf(base_before, ctx.entry_date), mpf(base_after, ctx.entry_date)
    steps.append(f"MPF FY{fy}: 0.3464 % × {base_before:,.2f} = {mpf_b:,.2f} before, "
                 f"0.3464 % × {base_after:,.2f} = {mpf_a:,.2f} after (min {lo:,.2f}, max {hi:,.2f}){note}")
    hmf_base_b = ctx.total_entered_value
    hmf_base_a = ctx.total_entered_value + fee_delta
    hmf_b, hmf_a = hmf(hmf_base_b, ctx.mode_of_transport), hmf(hmf_base_a, ctx.mode_of_transport)
    if ctx.mode_of_transport in VESSEL_MODES:
        steps.append(f"HMF (vessel, mode {ctx.mode_of_transport}): 0.125 % × {hmf_base_b:,.2f} = {hmf_b:,.2f} before, "
                     f"0.125 % × {hmf_base_a:,.2f} = {hmf_a:,.2f} after")
    fees = (mpf_a - mpf_b) + (hmf_a - hmf_b)
    loss = duty_delta + fees
    steps.append(f"loss of revenue = duty {duty_delta:,.2f} + fees {fees:,.2f} = {loss:,.2f}")
    return Revenue(lines=lines, mpf_before=mpf_b, mpf_after=mpf_a, hmf_before=hmf_b, hmf_after=hmf_a,
                   mpf_base_before=base_before, mpf_base_after=base_after, hmf_base_before=hmf_base_b,
                   hmf_base_after=hmf_base_a, value_delta=q2(value), duty_delta=duty_delta, fees_delta=q2(fees),
                   loss_of_revenue=q2(loss), rate_unknown=unknown, section232=readings, arithmetic=steps)


def totals_only(value_delta: Decimal, duty_delta: Decimal, mpf_before: Decimal, mpf_after: Decimal,
                hmf_before: Decimal, hmf_after: Decimal, fees_delta: Decimal, loss_of_revenue: Decimal,
                arithmetic: Sequence[str] = (), rate_unknown: bool = False) -> Revenue:
    """A record of totals with no line (the entry's own figures could not be computed with)."""
    return Revenue(mpf_before=mpf_before, mpf_after=mpf_after, hmf_before=hmf_before, hmf_after=hmf_after,
                   value_delta=q2(value_delta), duty_delta=q2(duty_delta), fees_delta=q2(fees_delta),
                   loss_of_revenue=q2(loss_of_revenue), rate_unknown=rate_unknown, arithmetic=list(arithmetic))


def fees_record(ctx: EntryContext, declared_mpf: Decimal | None, fees_delta: Decimal) -> Revenue:
    """The record of a finding whose money is a fee of its own (MPF declared short): no line changes, MPF from
    the declared fee to the fee due."""
    before = declared_mpf if isinstance(declared_mpf, Decimal) else mpf(ctx.total_entered_value
                                                                        - ctx.mpf_exempt_value, ctx.entry_date)
    hmf_now = hmf(ctx.total_entered_value, ctx.mode_of_transport)
    return Revenue(mpf_before=q2(before), mpf_after=q2(before + fees_delta), hmf_before=hmf_now, hmf_after=hmf_now,
                   mpf_base_before=ctx.total_entered_value - ctx.mpf_exempt_value,
                   mpf_base_after=ctx.total_entered_value - ctx.mpf_exempt_value,
                   hmf_base_before=ctx.total_entered_value, hmf_base_after=ctx.total_entered_value,
                   fees_delta=q2(fees_delta), loss_of_revenue=q2(fees_delta), fees_of_their_own=bool(fees_delta))


def unchanged(ctx: EntryContext, rate_unknown: bool = False) -> Revenue:
    """The record of a finding with no revenue effect (or none that can be computed): no line changes, the fees
    as the entry's declared values give them, before and after alike."""
    base = ctx.total_entered_value - ctx.mpf_exempt_value
    m, h = mpf(base, ctx.entry_date), hmf(ctx.total_entered_value, ctx.mode_of_transport)
    return Revenue(mpf_before=m, mpf_after=m, hmf_before=h, hmf_after=h, mpf_base_before=base, mpf_base_after=base,
                   hmf_base_before=ctx.total_entered_value, hmf_base_after=ctx.total_entered_value,
                   rate_unknown=rate_unknown)


def record_of(ctx: EntryContext, finding, changes: Sequence[Change], declared_mpf: Decimal | None = None) -> Revenue:
    """The record of a finding a rule built without one: computed from its changes when that gives the finding's
    own figures; else its fees as money of their own; else its totals."""
    if changes:
        try:
            rec = compute(ctx, changes)
        except (TypeError, ValueError, ArithmeticError, AttributeError):
            rec = None
        if rec is not None and (rec.value_delta, rec.duty_delta, rec.fees_delta, rec.loss_of_revenue,
                                rec.rate_unknown) == (q2(finding.value_delta), q2(finding.duty_delta),
                                                      q2(finding.fees_delta), q2(finding.loss_of_revenue),
                                                      finding.rate_unknown):
            return rec
    if not changes and not finding.value_delta and not finding.duty_delta:
        if finding.fees_delta:
            return fees_record(ctx, declared_mpf, finding.fees_delta)
        return unchanged(ctx, finding.rate_unknown)
    rec = totals_only(finding.value_delta, finding.duty_delta, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"),
                      Decimal("0.00"), finding.fees_delta, finding.loss_of_revenue, rate_unknown=finding.rate_unknown)
    rec.fees_of_their_own = bool(finding.fees_delta)
    if finding.fees_delta:
        rec.mpf_after = q2(finding.fees_delta)
    return rec


def entry_total(ctx: EntryContext, changes: Iterable[Change]) -> Revenue:
    """The entry's loss over all its findings' changes, money that two findings touch (same key) counted once."""
    seen: set[str] = set()
    unique = []
    for ch in changes:
        if ch.key in seen:
            continue
        seen.add(ch.key)
        unique.append(ch)
    return compute(ctx, unique)


def apportion(cost: Decimal, production_quantity: Decimal | None, quantity_entered: Decimal | None,
              first_entry: bool) -> tuple[Decimal, str]:
    """The part of an assist's value that goes to this entry (19 CFR 152.103(e)) and how it was found."""
    if production_quantity and quantity_entered is not None and production_quantity > 0:
        share = q2(cost / production_quantity * quantity_entered)
        return share, (f"apportioned per unit (19 CFR 152.103(e)): {cost:,.2f} / {production_quantity:,} units "
                       f"× {quantity_entered:,} entered = {share:,.2f}")
    if first_entry:
        return q2(cost), ("no production quantity stated: the whole value goes to the first entry of the goods "
                          f"(19 CFR 152.103(e)): {q2(cost):,.2f}")
    return Decimal("0.00"), "no production quantity stated: already added in full to the first entry of the goods"


def content_shortfall(declared_content: Decimal, metal_cost: Decimal | None, entered_value: Decimal,
                      non_metal_value: Decimal | None) -> tuple[Decimal | None, Decimal | None, Decimal]:
    """Section 232 content value under both readings and the shortfall against the higher one."""
    a = metal_cost
    b = entered_value - non_metal_value if non_metal_value is not None else None
    known = [v for v in (a, b) if v is not None]
    shortfall = max(Decimal(0), max(known) - declared_content) if known else Decimal(0)
    return a, b, shortfall


def readings(line_no: int | None, metal: str | None, entered: Decimal | None, non_metal: Decimal | None,
             metal_cost: Decimal | None, less_non_metal: Decimal | None, declared: Decimal, shortfall: Decimal,
             whole: bool = False, declared_under: Sequence[str] = ()) -> Section232Reading:
    """The Section 232 readings of one line as a record: both content values, the declared one, and the reading
    the shortfall is measured against (the higher; the entered value where the law taxes the full value)."""
    if whole:
        against = "entered value"
    else:
        known = [(v, name) for v, name in ((metal_cost, "metal cost"), (less_non_metal, "entered value less non-metal"))
                 if v is not None]
        against = max(known, key=lambda t: t[0])[1] if known else None
    return Section232Reading(line_no=line_no, metal=metal, entered_value=entered, non_metal_value=non_metal,
                             metal_cost=metal_cost, less_non_metal=None if whole else less_non_metal,
                             declared_content=declared, declared_under=list(declared_under),
                             measured_against=against, shortfall=q2(shortfall))


def rvc_build_up(vom: Decimal, av: Decimal) -> Decimal:
    """Regional value content, build-up method: value of originating materials / adjusted value × 100."""
    return q2(vom / av * 100) if av else Decimal("0.00")


def rvc_build_down(av: Decimal, vnm: Decimal) -> Decimal:
    """Regional value content, build-down method: (adjusted value − value of non-originating materials) /
    adjusted value × 100."""
    return q2((av - vnm) / av * 100) if av else Decimal("0.00")


def to_usd(amount: Decimal, currency: str, rate: Decimal | None) -> Decimal:
    if currency == "USD":
        return amount
    if rate is None:
        raise ValueError(f"no exchange rate for {currency}: the entry declares none; supply one")
    return amount * rate


# the tariff schedule the user supplies is read in extract/tariff.py
from ..extract.tariff import Tariff, load_tariff  # noqa: E402,F401  (rules and callers import them from here)


# --- the money of a finding, in words (rendered from its record, never read back) -------------------------------

def _usd(v: Decimal) -> str:
    return f"USD {q2(v):,.2f}"


def _signed(v: Decimal) -> str:
    return ("+" if v >= 0 else "−") + f"{abs(q2(v)):,.2f}"


def describe(rev) -> str:
    """The money sentence of a finding, from its revenue record: per line the value change and the duty at each
    rate, the fees before and after, the loss of revenue. Every output that states a finding's money uses it."""
    if rev is None:
        return ""
    parts = []
    for ln in rev.lines:
        where = f"line {ln.line_no}" if ln.line_no is not None else "the entry"
        where += f" ({ln.hts})" if ln.hts else ""
        if ln.kind == "value" and ln.value_change:
            base = "entered value" if ln.base == "value" else "metal content value"
            if ln.value_before is not None and ln.value_after is not None:
                text = f"{where}: {base} {_usd(ln.value_before)} → {_usd(ln.value_after)} ({_signed(ln.value_change)})"
            else:
                text = f"{where}: {base} {_signed(ln.value_change)}"
        elif ln.value_change:
            text = f"{where}: {_usd(ln.value_change)} newly subject to duty"
        else:
            text = where
        duties = [f"{_pct(r.rate)} ({'own rate' if r.hts == 'own' else r.hts}) {_usd(r.duty_before)} → "
                  f"{_usd(r.duty_after)}" for r in ln.rates if r.duty_before != r.duty_after]
        if duties:
            text += "; duty " + ", ".join(duties)
        parts.append(text)
    for s in rev.section232:
        if s.shortfall:
            parts.append(f"Section 232 content value declared {_usd(s.declared_content)}, supported "
                         f"{_usd(s.supported or ZERO_MONEY)} ({s.measured_against}): shortfall {_usd(s.shortfall)}")
    if rev.mpf_before != rev.mpf_after:
        parts.append(f"MPF {_usd(rev.mpf_before)} → {_usd(rev.mpf_after)}")
    if rev.hmf_before != rev.hmf_after:
        parts.append(f"HMF {_usd(rev.hmf_before)} → {_usd(rev.hmf_after)}")
    total = (f"loss of revenue {_usd(rev.loss_of_revenue)} (duty {_signed(rev.duty_delta)}, fees "
             f"{_signed(rev.fees_delta)})" if rev.loss_of_revenue or rev.duty_delta or rev.fees_delta
             else "no revenue effect")
    if rev.rate_unknown:
        total += "; a rate is unknown: the value change is given, its duty is not"
    return "; ".join(parts + [total]) + "."


ZERO_MONEY = Decimal("0.00")
