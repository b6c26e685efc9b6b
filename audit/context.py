"""What a rule sees: one entry, its linked documents, the other entries, and the revenue arithmetic."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from ..models.records import Document, Entry, EntryLine, Evidence, Finding, Provenance
from . import revenue
from .link import Linked


@dataclass
class Context:
    entry: Entry
    linked: Linked
    tariff: object | None = None
    rates: dict[str, Decimal] = field(default_factory=dict)  # user-supplied USD per unit of a currency

    def documents(self, doc_type: str | None = None) -> list[Document]:
        return self.linked.documents(self.entry, doc_type)

    @property
    def entries(self) -> list[Entry]:
        return self.linked.entries

    def entries_with(self, path: str) -> list[Entry]:
        """The entries a document is linked to, in entry order."""
        return self.linked.entries_of(path)

    @property
    def revenue(self) -> "revenue.EntryContext":
        return revenue.context_of(self.entry)

    def line(self, line_no: int | None) -> EntryLine | None:
        for ln in self.entry.lines:
            if ln.line_no == line_no:
                return ln
        return None

    def exchange_rate(self, currency: str | None) -> Decimal | None:
        """USD per unit of ``currency``: 1 for USD, the entry's declared rate for its currency, else the user's."""
        if currency in (None, "USD"):
            return Decimal(1)
        if currency == self.entry.header.get("currency") and self.entry.header.get("exchange_rate"):
            return self.entry.header.get("exchange_rate")
        return self.rates.get(currency)

    def cite(self, doc: Document, *names: str, text: str | None = None) -> list[Evidence]:
        """Evidence for the named fields of a document (page, box and text from their provenance); the
        document itself (path, with ``text``) when none of them carries provenance."""
        out = self.evidence(*(doc.fields.prov(n) for n in names), text=text)
        if not out:
            summary = text or ", ".join(f"{n}: {doc.get(n)}" for n in names if doc.get(n) is not None)
            out = [Evidence(doc.path, 1 if doc.pages else None, summary or doc.doc_type)]
        return out

    def evidence(self, *provs: Provenance | None, text: str | None = None) -> list[Evidence]:
        out = []
        for p in provs:
            e = Evidence.of(p, text)
            if e is not None and e not in out:
                out.append(e)
        return out


@dataclass
class Result:
    """A finding and the value changes behind it (the entry total counts money two findings share once)."""

    finding: Finding
    changes: Sequence["revenue.Change"] = ()
