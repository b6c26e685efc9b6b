"""Penalty exposure under 19 U.S.C. 1592(c), per importer: the statutory maximum for each degree of culpability,
with a prior disclosure (1592(c)(4)) and without one (1592(c)(1) to (3)). The tool states figures; counsel chooses
the culpability and whether to disclose.

The loss is the loss of revenue the schedule counts for the importer's entries (each entry's money once): the
"lawful duties, taxes, and fees of which the United States is or may be deprived". The dutiable value is the entered
value of those entries. The domestic value of the merchandise is not in the documents: unless it is given, the
entered value stands in for it, and every figure it governs is then a floor (the domestic value is normally the
higher). With a prior disclosure, negligence and gross negligence cost the interest on the loss (1592(c)(4)(B)),
computed from liquidation: per entry from the liquidation date the declared data give (an ACE ES-003 export), nothing
for an entry not liquidated on the tender date, and where the data give no liquidation, the 19 U.S.C. 1505(c)
interest from deposit to the tender date (:mod:`audit.interest`), which is not lower, stands in and says so
(``audit.schedule.disclosed_interest``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from ..models.records import q2

ZERO = Decimal("0.00")
# how a disclosure's interest on an entry was read: from its liquidation date, none before liquidation, or (the
# liquidation date not in the data) the 1505(c) interest from deposit standing in
LIQUIDATED, UNLIQUIDATED, STANDING_IN = "from liquidation", "not liquidated", "liquidation date not in the data"
RULES_FILE = Path(__file__).with_name("penalty_rules.json")


@lru_cache(maxsize=None)
def rules() -> dict:
    """The multiples and citations of 1592(c) (``audit/penalty_rules.json``)."""
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    for r in data["culpability"]:
        for k in ("loss_multiple", "no_loss_share", "disclosed_loss_multiple", "disclosed_no_loss_share"):
            if r.get(k) is not None:
                r[k] = Decimal(r[k])
    return data


@dataclass
class Row:
    culpability: str  # negligence | gross negligence | fraud
    without_disclosure: Decimal
    without_basis: str
    with_disclosure: Decimal
    with_basis: str


@dataclass
class Exposure:
    importer: str
    entries: list[str]
    loss: Decimal  # loss of duties, taxes and fees (each entry's money once)
    interest: Decimal  # 1505(c) interest on the loss to the tender date
    interest_complete: bool
    dutiable_value: Decimal
    domestic_value: Decimal
    domestic_value_given: bool
    rows: list[Row] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)  # what the figures rest on (a stand-in value, a date)
    disclosed: list = field(default_factory=list)  # per entry: the interest from liquidation, and how it was read

    def row(self, culpability: str) -> Row:
        return next(r for r in self.rows if r.culpability == culpability)

    def to_json(self) -> dict:
        m = lambda x: format(q2(x), "f")  # noqa: E731
        return {"importer": self.importer, "entries": self.entries, "loss": m(self.loss),
                "interest": m(self.interest), "interest_complete": self.interest_complete,
                "dutiable_value": m(self.dutiable_value), "domestic_value": m(self.domestic_value),
                "domestic_value_given": self.domestic_value_given,
                "rows": [{"culpability": r.culpability, "without_disclosure": m(r.without_disclosure),
                          "without_basis": r.without_basis, "with_disclosure": m(r.with_disclosure),
                          "with_basis": r.with_basis} for r in self.rows], "caveats": self.caveats,
                "disclosed_interest": [{"entry_number": d.entry_number, "amount": m(d.amount), "basis": d.basis,
                                        "complete": d.complete} for d in self.disclosed]}


def _pct(x: Decimal) -> str:
    return f"{(x * 100).normalize():f} %"


def _kinds(disclosed: Sequence) -> str:
    """How the disclosed interest was read, counted by entry: from liquidation, not yet liquidated, stood in for."""
    count = {k: sum(1 for d in disclosed if d.kind == k) for k in (LIQUIDATED, UNLIQUIDATED, STANDING_IN)}
    parts = [(count[LIQUIDATED], "from its liquidation date"), (count[UNLIQUIDATED], "not liquidated: none"),
             (count[STANDING_IN], "liquidation not in the data: 1505(c) interest from deposit")]
    return "; ".join(f"{n} {'entry' if n == 1 else 'entries'} {what}" for n, what in parts if n)


def exposure(importer: str, entries: list[str], loss: Decimal, interest: Decimal, dutiable_value: Decimal,
             domestic_value: Decimal | None = None, interest_complete: bool = True,
             disclosed: Sequence | None = None) -> Exposure:
    """The 1592(c) maxima for one importer. ``loss``: its loss of duties, taxes and fees; ``interest``: the 1505(c)
    interest on it; ``dutiable_value``: the entered value of its entries; ``domestic_value``: when known (else the
    entered value stands in, as a floor); ``disclosed``: per entry, the interest from liquidation a disclosure of
    negligence costs (records with ``entry_number``, ``amount``, ``basis``, ``complete``, ``kind``), where the
    declared data give liquidation; without them the 1505(c) ``interest`` stands in."""
    for name, v in (("loss", loss), ("interest", interest), ("dutiable_value", dutiable_value)):
        if not isinstance(v, Decimal):
            raise TypeError(f"{name} must be a Decimal")
    if disclosed is not None:
        for d in disclosed:
            if not isinstance(d.amount, Decimal):
                raise TypeError("disclosed interest must be a Decimal")
    given = domestic_value is not None
    domestic = domestic_value if given else dutiable_value
    out = Exposure(importer, sorted(entries), q2(loss), q2(interest), interest_complete, q2(dutiable_value),
                   q2(domestic), given, disclosed=sorted(disclosed or [], key=lambda d: d.entry_number))
    dv = "the domestic value" if given else "the domestic value (entered value as its floor)"
    for r in rules()["culpability"]:
        name, cite, pd_cite = r["name"], r["citation"], r["disclosed_citation"]
        if r.get("loss_multiple") is None:  # fraud: up to the domestic value
            without, wb = domestic, f"{dv}, {cite}"
        elif loss > 0:
            twice = loss * r["loss_multiple"]
            without = min(domestic, twice)
            wb = (f"the lesser of {dv} ({domestic:,.2f}) and {r['loss_multiple'].normalize():f} times the loss "
                  f"({twice:,.2f}), {cite}")
        else:
            without = dutiable_value * r["no_loss_share"]
            wb = f"{_pct(r['no_loss_share'])} of the dutiable value (no loss of duties), {cite}"
        if r.get("disclosed_loss_multiple") is not None:  # fraud disclosed: the loss itself
            if loss > 0:
                with_, pb = loss * r["disclosed_loss_multiple"], f"{_pct(r['disclosed_loss_multiple'])} of the loss, {pd_cite}"
            else:
                with_ = dutiable_value * r["disclosed_no_loss_share"]
                pb = f"{_pct(r['disclosed_no_loss_share'])} of the dutiable value (no loss of duties), {pd_cite}"
        elif disclosed is not None:
            with_ = sum((d.amount for d in disclosed), ZERO)
            complete = all(d.complete for d in disclosed)
            pb = (f"interest on the loss from liquidation, {pd_cite} ({_kinds(disclosed)})"
                  + ("" if complete else " (interest incomplete: see the gap stated with it)"))
        else:
            with_ = interest
            pb = (f"interest on the loss, {pd_cite}" + ("" if interest_complete else " (interest incomplete: see the "
                                                         "gap stated with it)"))
        out.rows.append(Row(name, q2(without), wb, q2(with_), pb))
    if not given:
        out.caveats.append("The domestic value is not in the documents: the entered value stands in for it, so each "
                         "figure it governs is a floor.")
    if disclosed is None or any(d.kind == STANDING_IN for d in disclosed):
        out.caveats.append(rules()["interest_note"])
    out.caveats.append("The loss itself is due in every case (19 U.S.C. 1592(d)); these figures are the penalty alone. "
                     "Counsel chooses; the tool states the statutory maxima.")
    return out


__all__ = ["Exposure", "Row", "exposure", "rules"]
