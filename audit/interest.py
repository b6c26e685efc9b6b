"""Interest on a loss of duties, fees and taxes under 19 U.S.C. 1505(c) and 19 CFR 24.3a.

The rate is the IRS underpayment rate of 26 U.S.C. 6621 for each calendar quarter, compounded daily (26 U.S.C.
6622), read from the dated table ``audit/interest_rates.json`` (each quarter with the CBP notice it comes from).
Interest runs from the day the duty was due to be deposited to the tender date: each day from ``start``
(exclusive) to ``end`` (inclusive) grows the balance by the day's rate divided by the days of its year (366 in a
leap year). The balance is carried exact (Decimal, 40 digits) and the interest rounded half-up to the cent once, at
the end. A day the table does not cover is never given a guessed rate: :func:`compute` raises
:class:`InterestGap`, or with ``strict=False`` stops at the last covered day and states the gap.

The start chosen here is the entry summary date (estimated duties are deposited with it: 19 U.S.C. 1505(a), 19 CFR
142.12(b)), else the entry date when the summary date is not in the documents; :func:`deposit_date` says which.
"""
from __future__ import annotations

import calendar
import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, localcontext
from functools import lru_cache
from pathlib import Path

from ..models.records import q2

RATES_FILE = Path(__file__).with_name("interest_rates.json")
ZERO = Decimal("0.00")
PRECISION = 40


class InterestGap(ValueError):
    """A period the rate table does not cover (or a tender date before the deposit date)."""


@dataclass(frozen=True)
class Quarter:
    start: date
    end: date  # inclusive
    rate: Decimal  # percent a year
    source: str


@dataclass(frozen=True)
class Table:
    quarters: tuple[Quarter, ...]
    covered_from: date
    covered_to: date
    name: str = "audit/interest_rates.json"  # where the quarters come from, as said in a gap

    def quarter_of(self, day: date) -> Quarter | None:
        return next((q for q in self.quarters if q.start <= day <= q.end), None)


def _contiguous(qs: tuple[Quarter, ...], where: str) -> None:
    for a, b in zip(qs, qs[1:]):  # contiguous: a hole would be a silent gap
        if b.start != a.end + timedelta(days=1):
            raise RatesFileError(f"{where}: the quarters ending {a.end} and starting {b.start} are not contiguous")


@lru_cache(maxsize=None)
def table(path: str | None = None) -> Table:
    """The rate table (``audit/interest_rates.json`` unless another file is given)."""
    data = json.loads(Path(path or RATES_FILE).read_text(encoding="utf-8"))
    qs = tuple(Quarter(date.fromisoformat(q["from"]), date.fromisoformat(q["to"]), Decimal(q["rate"]), q["source"])
               for q in data["quarters"])
    qs = tuple(sorted(qs, key=lambda q: q.start))
    _contiguous(qs, str(path or RATES_FILE))
    return Table(qs, qs[0].start, qs[-1].end)


class RatesFileError(ValueError):
    """A rates file the user gave that cannot extend the table: its message is one line naming the file."""


def _user_quarters(path: Path) -> list[dict]:
    """The rows of a user's rates file: CSV with the columns from, to, rate, source; or JSON shaped like
    ``audit/interest_rates.json`` (a ``quarters`` list of the same keys)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RatesFileError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)["quarters"]
        except (ValueError, KeyError, TypeError):
            raise RatesFileError(f"{path}: not a JSON object with a 'quarters' list") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise RatesFileError(f"{path}: 'quarters' must be a list of objects")
        return rows
    reader = csv.DictReader(io.StringIO(text))
    names = [(n or "").strip().lower() for n in (reader.fieldnames or [])]
    missing = [k for k in ("from", "to", "rate", "source") if k not in names]
    if missing:
        raise RatesFileError(f"{path}: missing column(s) {', '.join(missing)} (CSV columns: from, to, rate, source)")
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]


def _quarter_end(start: date) -> date:
    after = date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)
    return after - timedelta(days=1)


def extended(path: Path | str, base: Table | None = None) -> Table:
    """The shipped table extended (never altered) by the quarters of a user's file — later quarters taken from
    CBP's Federal Register notices, each with its source. A quarter the shipped table holds must carry the same rate;
    the extension must join the table with no hole; each quarter is a calendar quarter."""
    path = Path(path)
    base = base or table()
    mine = []
    for i, row in enumerate(_user_quarters(path), start=1):
        try:
            q = Quarter(date.fromisoformat(str(row["from"])), date.fromisoformat(str(row["to"])),
                        Decimal(str(row["rate"])), str(row["source"]).strip())
        except (KeyError, ValueError, ArithmeticError):
            raise RatesFileError(f"{path}: quarter {i}: needs from and to as YYYY-MM-DD and a rate in percent") from None
        if not q.source:
            raise RatesFileError(f"{path}: quarter {i} ({q.start}): no source (cite the CBP notice it comes from)")
        if not (q.start.day == 1 and q.start.month in (1, 4, 7, 10) and q.end == _quarter_end(q.start)):
            raise RatesFileError(f"{path}: quarter {i} ({q.start} to {q.end}) is not a calendar quarter")
        if not (0 <= q.rate < 100):
            raise RatesFileError(f"{path}: quarter {i} ({q.start}): rate {q.rate} is not a percentage")
        shipped = base.quarter_of(q.start)
        if shipped is not None:
            if shipped.rate != q.rate:
                raise RatesFileError(f"{path}: quarter {q.start} at {q.rate} % differs from the shipped table's "
                                     f"{shipped.rate} % ({shipped.source})")
            continue
        mine.append(q)
    if not mine:
        return base
    qs = tuple(sorted(base.quarters + tuple(mine), key=lambda q: q.start))
    _contiguous(qs, str(path))
    return Table(qs, qs[0].start, qs[-1].end, f"{base.name} and {path.name}")


@dataclass
class Step:
    """One run of days at one rate in one year: the balance before and after, exact."""

    start: date  # first day of interest
    end: date  # last day of interest (inclusive)
    days: int
    rate: Decimal  # percent a year
    year_days: int  # 365 or 366
    balance_before: Decimal
    balance_after: Decimal
    source: str

    @property
    def interest(self) -> Decimal:
        return self.balance_after - self.balance_before

    def describe(self) -> str:
        return (f"{self.start.isoformat()} to {self.end.isoformat()}: {self.days} days at "
                f"{self.rate.normalize():f} % / {self.year_days}, compounded daily: "
                f"{q2(self.balance_before):,.2f} -> {q2(self.balance_after):,.2f}")


@dataclass
class Interest:
    principal: Decimal
    start: date  # the deposit date: interest from the day after
    end: date  # the tender date asked for
    steps: list[Step] = field(default_factory=list)
    computed_to: date | None = None  # the last day counted (``end`` unless a gap stopped it)
    gap: str | None = None  # what was not computed, and why

    @property
    def amount(self) -> Decimal:
        """The interest, rounded half-up to the cent once."""
        if not self.steps:
            return ZERO
        return q2(self.steps[-1].balance_after - self.principal)

    @property
    def days(self) -> int:
        return sum(s.days for s in self.steps)

    @property
    def complete(self) -> bool:
        return self.gap is None

    def to_json(self) -> dict:
        return {"principal": format(q2(self.principal), "f"), "from": self.start.isoformat(),
                "to": self.end.isoformat(), "computed_to": self.computed_to.isoformat() if self.computed_to else None,
                "days": self.days, "interest": format(self.amount, "f"), "gap": self.gap,
                "steps": [{"from": s.start.isoformat(), "to": s.end.isoformat(), "days": s.days,
                           "rate_percent": format(s.rate.normalize(), "f"), "year_days": s.year_days,
                           "balance_after": format(q2(s.balance_after), "f"), "source": s.source}
                          for s in self.steps]}


def _year_days(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def compute(principal: Decimal, start: date, end: date, strict: bool = True, rates: Table | None = None) -> Interest:
    """Interest on ``principal`` from ``start`` (the deposit date, exclusive) to ``end`` (the tender date,
    inclusive), compounded daily at each quarter's rate. ``strict``: raise :class:`InterestGap` for any day the
    table does not cover; otherwise count the covered days up to the first uncovered one and state the gap."""
    if not isinstance(principal, Decimal):
        raise TypeError("principal must be a Decimal")
    rates = rates or table()
    out = Interest(principal, start, end)
    if end < start:
        raise InterestGap(f"the tender date {end.isoformat()} is before the deposit date {start.isoformat()}")
    first = start + timedelta(days=1)
    if end < first or principal <= 0:
        out.computed_to = end
        return out
    if first < rates.covered_from:
        msg = (f"interest from {first.isoformat()}: the rate table starts on {rates.covered_from.isoformat()} "
               f"({rates.name})")
        if strict:
            raise InterestGap(msg)
        out.gap = msg
        return out
    balance = Decimal(principal)
    day = first
    with localcontext() as ctx:
        ctx.prec = PRECISION
        while day <= end:
            q = rates.quarter_of(day)
            if q is None:
                msg = (f"no interest rate for {day.isoformat()} to {end.isoformat()}: the rate table "
                       f"({rates.name}) ends on {rates.covered_to.isoformat()}")
                if strict:
                    raise InterestGap(msg)
                out.gap = msg
                break
            stop = min(end, q.end, date(day.year, 12, 31))
            n = (stop - day).days + 1
            yd = _year_days(day.year)
            after = balance * (1 + q.rate / 100 / yd) ** n
            out.steps.append(Step(day, stop, n, q.rate, yd, balance, after, q.source))
            balance = after
            day = stop + timedelta(days=1)
    out.computed_to = out.steps[-1].end if out.steps else start
    return out


def deposit_date(header) -> tuple[date | None, str]:
    """The day interest runs from for an entry, and which date it is: the entry summary date, else the entry date."""
    for key, what in (("summary_date", "entry summary date"), ("entry_date", "entry date (no summary date)")):
        v = header.get(key) if header is not None else None
        if v:
            try:
                return date.fromisoformat(str(v)[:10]), what
            except ValueError:
                continue
    return None, "no entry summary or entry date in the documents"


__all__ = ["Interest", "InterestGap", "Quarter", "RatesFileError", "Step", "Table", "compute", "deposit_date",
           "extended", "table", "RATES_FILE"]
