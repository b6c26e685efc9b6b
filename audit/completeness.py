"""Whether a total is complete: a total that leaves out money it cannot measure says so where it is shown.

Two gaps are known: a finding whose duty rate is not known (``rate_unknown``: its duty is not in the loss, only its
value change) and an entry whose interest could not be computed in full (no deposit date, or a period the rate
table does not cover). :func:`incomplete` gives the words every total (run summary, report, schedule, draft) adds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

TARIFF_HINT = "give --tariff FILE"


@dataclass
class Gaps:
    unknown_rate: list[str] = field(default_factory=list)  # finding ids whose duty rate is not known
    interest: list[str] = field(default_factory=list)  # entry numbers whose interest is not computed in full

    def __bool__(self) -> bool:
        return bool(self.unknown_rate or self.interest)

    def loss_note(self) -> str:
        """'' when the loss is complete; else 'incomplete: ...' (what is left out and how to complete it)."""
        n = len(self.unknown_rate)
        if not n:
            return ""
        what = "1 finding's duty rate is" if n == 1 else f"{n} findings' duty rates are"
        return f"incomplete: {what} not known ({TARIFF_HINT})"

    def interest_note(self) -> str:
        n = len(self.interest)
        if not n:
            return ""
        return f"incomplete: interest not computed in full for {n} entr{'y' if n == 1 else 'ies'}"


def gaps(findings: Iterable, interest: dict | None = None) -> Gaps:
    """The gaps of a total made of ``findings`` (each with ``rate_unknown``) and of its entries' ``interest``
    (entry number -> an object with ``gap``)."""
    out = Gaps([f.id for f in findings if getattr(f, "rate_unknown", False)])
    out.interest = sorted(n for n, ei in (interest or {}).items() if ei is not None and getattr(ei, "gap", None))
    return out


def with_note(text: str, note: str) -> str:
    """``text`` followed by `` — note`` when there is one."""
    return f"{text} — {note}" if note else text
