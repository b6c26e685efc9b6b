"""Liquidation triage per entry: where an entry stands on a given date (unliquidated and open to a post-summary
correction, liquidated and open to protest, liquidated beyond it, beyond the five-year limit), the dates that
decide it, the next deadline, and the remedy a finding of either direction has. A pure function of the entries'
headers and the date; the periods and their sources are ``audit/triage.json``."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..models.records import Entry, Finding

RULES_PATH = Path(__file__).with_name("triage.json")
TRIAGE_COLUMNS = ["triage_status", "remedy", "deadline"]  # what a schedule row may carry (see ``triage_columns``)


@lru_cache(maxsize=1)
def rules() -> dict:
    return json.loads(RULES_PATH.read_text(encoding="utf-8"))


STATUSES = tuple(rules()["statuses"])


@dataclass(frozen=True)
class Triage:
    entry_number: str
    status: str  # one of STATUSES
    as_of: date
    entry_date: date | None
    liquidation_status: str | None  # as declared: liquidated, unliquidated, extended, suspended (or None)
    liquidation_date: date | None  # the liquidation date, or the scheduled one while unliquidated
    psc_deadline: date | None
    protest_deadline: date | None
    limitation_date: date | None  # the last day of the five years of 19 U.S.C. 1621
    next_deadline: date | None  # the first of the deadlines above still to come
    next_deadline_kind: str | None  # post_summary_correction, protest or limitation
    basis: tuple[str, ...]

    def remedy(self, direction: str) -> str | None:
        """What a finding of this direction (underpaid or overpaid) calls for on this entry."""
        return rules()["remedies"][self.status].get(direction)

    def to_json(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"entry_number": self.entry_number, "status": self.status,
                "description": rules()["statuses"][self.status],
                "as_of": iso(self.as_of), "entry_date": iso(self.entry_date),
                "liquidation_status": self.liquidation_status, "liquidation_date": iso(self.liquidation_date),
                "psc_deadline": iso(self.psc_deadline), "protest_deadline": iso(self.protest_deadline),
                "limitation_date": iso(self.limitation_date), "next_deadline": iso(self.next_deadline),
                "next_deadline_kind": self.next_deadline_kind,
                "remedy": {d: self.remedy(d) for d in ("underpaid", "overpaid")}, "basis": list(self.basis)}


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February: the anniversary is 28 February
        return d.replace(year=d.year + years, day=28)


def triage_entry(entry: Entry, as_of: date) -> Triage:
    """Where one entry stands on ``as_of``."""
    r = rules()
    h = entry.header
    entered = _date(h.get("entry_date"))
    declared_status = h.get("liquidation_status")
    liquidation = _date(h.get("liquidation_date"))
    if entered is None:
        return Triage(entry.entry_number, "undetermined", as_of, None, declared_status, liquidation, None, None,
                      None, None, None, ())
    limitation = _add_years(entered, r["limitation_years"]) - timedelta(days=1)
    if declared_status in ("unliquidated", "extended", "suspended"):
        liquidated = False
    elif declared_status == "liquidated":
        liquidated = True
    else:  # no status given: a liquidation date on or before the day is a liquidation, a later one a schedule
        liquidated = liquidation is not None and liquidation <= as_of
    psc = protest = None
    basis = [r["limitation_basis"]]
    if liquidated:
        if liquidation is not None:
            protest = liquidation + timedelta(days=r["protest_days"])
        basis.insert(0, r["protest_basis"])
        if as_of > limitation:
            status = "time_barred"
        elif protest is not None and as_of <= protest:
            status = "protest_window"
        else:  # past the protest period, or liquidated on a date not given (the period cannot be counted)
            status = "liquidated_final"
    else:
        before = liquidation - timedelta(days=r["psc_days_before_liquidation"]) if liquidation else None
        if declared_status == "extended" and before is not None:
            psc = before  # an extended liquidation: up to 15 days before the extended date, the 300 days aside
        else:
            psc = entered + timedelta(days=r["psc_days_from_entry"])
            if before is not None:
                psc = min(psc, before)
        basis.insert(0, r["psc_basis"])
        if as_of > limitation:
            status = "time_barred"
        elif as_of <= psc:
            status = "psc_window"
        else:
            status = "unliquidated_past_psc"
    if status in ("protest_window", "liquidated_final", "unliquidated_past_psc"):
        basis.insert(0, r["prior_disclosure_basis"])
    upcoming = sorted((d, k) for d, k in ((psc, "post_summary_correction"), (protest, "protest"),
                                         (limitation, "limitation")) if d is not None and d >= as_of)
    nxt, kind = upcoming[0] if upcoming else (None, None)
    return Triage(entry.entry_number, status, as_of, entered, declared_status, liquidation, psc, protest,
                  limitation, nxt, kind, tuple(basis))


def triage(entries: Iterable[Entry], as_of: date) -> dict[str, Triage]:
    """Each entry's triage on ``as_of``, by entry number."""
    return {e.entry_number: triage_entry(e, as_of) for e in entries}


def claim_deadline(t: Triage | None, finding: Finding) -> date | None:
    """The last day of a remedy of the finding's own (``finding_remedies`` of triage.json: a post-importation
    preference claim within one year after importation, 19 U.S.C. 1520(d)); None where its code has none or the
    entry's date is unknown. The date of entry stands for the date of importation, which the entry summary does
    not always give."""
    r = rules().get("finding_remedies", {}).get(finding.code)
    if r is None or t is None or t.entry_date is None:
        return None
    return _add_years(t.entry_date, r["years_from_importation"])


def finding_remedy(t: Triage | None, finding: Finding) -> str | None:
    """The remedy a finding calls for on its entry (None when the entry's standing is not known)."""
    if t is None:
        return None
    own = rules().get("finding_remedies", {}).get(finding.code)
    if own is not None:
        deadline = claim_deadline(t, finding)
        if deadline is None:
            return None
        return own["remedy"] if t.as_of <= deadline and t.status != "time_barred" else own["after"]
    from ..models.doctypes import FINDING_CODES

    return t.remedy(FINDING_CODES.get(finding.code, "underpaid"))


def triage_columns(t: Triage | None, finding: Finding | None) -> dict:
    """The schedule's triage columns for one finding's row: the entry's status, the finding's remedy and the next
    deadline (ISO date)."""
    if t is None:
        return {c: None for c in TRIAGE_COLUMNS}
    return {"triage_status": t.status, "remedy": finding_remedy(t, finding) if finding is not None else None,
            "deadline": t.next_deadline.isoformat() if t.next_deadline else None}


def triage_json(entries: Iterable[Entry], as_of: date, findings: Iterable[Finding] = ()) -> dict:
    """The triage as data: the date, and per entry number its triage with the importer of record and each
    finding's remedy (the findings dismissed left out)."""
    entries = list(entries)
    by_entry: dict[str, list[Finding]] = {}
    for f in findings:
        if f.status != "dismissed":
            by_entry.setdefault(f.entry_number, []).append(f)
    out = {}
    for e in entries:
        t = triage_entry(e, as_of)
        importer = e.header.get("importer")
        out[e.entry_number] = {**t.to_json(), "importer": getattr(importer, "number", None) or getattr(
            importer, "name", None), "findings": [
            {"id": f.id, "code": f.code, "remedy": finding_remedy(t, f)} for f in by_entry.get(e.entry_number, [])]}
    counts: dict[str, int] = {}
    for v in out.values():
        counts[v["status"]] = counts.get(v["status"], 0) + 1
    return {"as_of": as_of.isoformat(), "counts": counts, "entries": out}
