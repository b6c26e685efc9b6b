"""The records that flow through appraiser: small, plain, typed.

Every extracted value is a :class:`Field` holding a normalised Python value (``str``, ``Decimal``,
``bool``, :class:`Party`, ``list`` or ``dict``) and the :class:`Provenance` of the words it came from.
Money is ``Decimal`` everywhere, with its currency beside it; nothing here ever holds a float amount.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from .doctypes import FINDING_STATUSES

CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    """Round half-up to the cent (SPEC §4, loss of revenue)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount with its ISO 4217 currency."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be Decimal, not {type(self.amount).__name__}")
        if not (isinstance(self.currency, str) and len(self.currency) == 3 and self.currency.isalpha()):
            raise ValueError(f"currency must be an ISO 4217 code, not {self.currency!r}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def _same(self, other: "Money") -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {getattr(other, 'currency', other)!r}")

    def to_usd(self, rate: Decimal | None) -> "Money":
        """Convert at ``rate`` USD per unit of this currency; never silently at 1."""
        if self.currency == "USD":
            return self
        if rate is None:
            raise ValueError(f"no exchange rate for {self.currency}: supply one")
        return Money(self.amount * rate, "USD")

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,}"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a value came from: file, page (1-based), box in PDF points (x0, top, x1, bottom), method.

    A value read from an e-invoice XML has no page and no box: its ``xpath`` names the element (or attribute)
    it was read from, with the prefixes of ``extract/einvoice.py`` (``rsm``/``ram``/``udt`` for CII, ``ubl``/
    ``cac``/``cbc`` for UBL), and its method is ``"xml"``."""

    path: str
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    method: str = "text"  # "text" (PDF text layer), "ocr" or "xml"
    confidence: float = 1.0
    text: str = ""
    xpath: str | None = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"path": self.path, "page": self.page}
        if self.xpath:
            out["xpath"] = self.xpath
        else:
            out["bbox"] = [round(c, 2) for c in self.bbox] if self.bbox else None
        out.update({"method": self.method, "confidence": round(self.confidence, 3)})
        if self.text:
            out["text"] = self.text
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Provenance":
        bbox = data.get("bbox")
        return cls(path=data.get("path", ""), page=data.get("page"),
                   bbox=tuple(bbox) if bbox else None, method=data.get("method", "text"),
                   confidence=float(data.get("confidence", 1.0)), text=data.get("text", ""),
                   xpath=data.get("xpath") or None)


@dataclass(slots=True)
class Party:
    name: str | None = None
    address: str | None = None
    country: str | None = None
    number: str | None = None  # importer number, tax id
    role: str | None = None  # for agreement parties

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in ("role", "name", "address", "country", "number")
                if getattr(self, k) not in (None, "")}

    @classmethod
    def from_json(cls, data: dict | str | None) -> "Party | None":
        if data is None:
            return None
        if isinstance(data, str):
            return cls(name=data)
        return cls(**{k: data.get(k) for k in ("name", "address", "country", "number", "role")})


@dataclass(slots=True)
class Field:
    """One extracted value and where it came from."""

    name: str
    value: Any
    prov: Provenance | None = None
    parts: list[Provenance | None] | None = None  # of a list value: where each element was read


def _value_to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Party):
        return value.to_json()
    if isinstance(value, Money):
        return {"amount": format(value.amount, "f"), "currency": value.currency}
    if isinstance(value, dict):
        return {k: _value_to_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_value_to_json(v) for v in value]
    return value


class FieldSet:
    """An ordered mapping of field name → :class:`Field`, with value access by name."""

    __slots__ = ("_fields",)

    def __init__(self, fields: Iterable[Field] = ()) -> None:
        self._fields: dict[str, Field] = {}
        for f in fields:
            self._fields[f.name] = f

    def set(self, name: str, value: Any, prov: Provenance | None = None,
            parts: list[Provenance | None] | None = None) -> None:
        if value is None or value == "" or value == [] or value == {}:
            return
        self._fields[name] = Field(name, value, prov, parts)

    def discard(self, name: str) -> None:
        self._fields.pop(name, None)

    def add(self, f: Field) -> None:
        self.set(f.name, f.value, f.prov, f.parts)

    def part(self, name: str, index: int) -> Provenance | None:
        """Where element ``index`` of a list field was read, when it was read on its own (a charge's row)."""
        f = self._fields.get(name)
        return f.parts[index] if f is not None and f.parts and 0 <= index < len(f.parts) else None

    def get(self, name: str, default: Any = None) -> Any:
        f = self._fields.get(name)
        return default if f is None else f.value

    def field(self, name: str) -> Field | None:
        return self._fields.get(name)

    def prov(self, name: str) -> Provenance | None:
        f = self._fields.get(name)
        return f.prov if f else None

    def __contains__(self, name: str) -> bool:
        return name in self._fields

    def __iter__(self):
        return iter(self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)

    def names(self) -> list[str]:
        return list(self._fields)

    def to_json(self) -> dict:
        return {name: _value_to_json(f.value) for name, f in self._fields.items()}

    def provenance_json(self) -> dict:
        return {name: f.prov.to_json() for name, f in self._fields.items() if f.prov is not None}

    def parts_json(self) -> dict:
        return {name: [p.to_json() if p else None for p in f.parts] for name, f in self._fields.items() if f.parts}


@dataclass(slots=True)
class LineItem:
    fields: FieldSet = field(default_factory=FieldSet)
    prov: Provenance | None = None  # the row's box

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def to_json(self) -> dict:
        return self.fields.to_json()


@dataclass(slots=True)
class Fact:
    """A typed statement read from a document's prose (``models.facttypes.FACT_KINDS`` names the kinds and the
    type of each kind's value), with the words it was read from and where they are."""

    kind: str
    value: Any
    text: str = ""
    prov: Provenance | None = None
    source: str = ""  # what it was read from: "notes[0]", "fields.purpose", "charges[1]", "line_items[2]"

    def to_json(self) -> dict:
        out: dict[str, Any] = {"kind": self.kind, "value": _value_to_json(self.value), "text": self.text,
                               "page": self.prov.page if self.prov else None,
                               "bbox": [round(c, 2) for c in self.prov.bbox] if self.prov and self.prov.bbox else None}
        if self.source:
            out["source"] = self.source
        if self.prov is not None:
            out["method"] = self.prov.method
            out["confidence"] = round(self.prov.confidence, 3)
            if self.prov.xpath:
                out["xpath"] = self.prov.xpath
        return out


@dataclass(slots=True)
class Document:
    path: str  # relative to the scanned folder, '/'-separated
    sha256: str
    doc_type: str = "other"
    pages: int = 0
    ocr: bool = False
    error: str | None = None
    fields: FieldSet = field(default_factory=FieldSet)
    line_items: list[LineItem] = field(default_factory=list)
    classification_confidence: float = 0.0
    size: int = 0
    # statements in prose outside labels and tables ("… are both wholly owned by …", "the moulds remain the
    # property of the buyer"): what rules read beyond the typed fields; each with where it was read
    notes: list[tuple[str, "Provenance | None"]] = field(default_factory=list)
    # what a reader should know about how far to trust the fields (e.g. an embedded e-invoice XML and the page
    # it rides with disagree), one sentence each
    warnings: list[str] = field(default_factory=list)
    # typed statements read from the prose (ownership, metal cost, originating materials, royalty conditions …):
    # what rules read instead of the text
    facts: list[Fact] = field(default_factory=list)

    def facts_of(self, *kinds: str) -> list[Fact]:
        return [f for f in self.facts if f.kind in kinds]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    @classmethod
    def of(cls, path: str, doc_type: str, fields: dict | None = None, items: Iterable[dict] = (),
           notes: Iterable[str] = ()) -> "Document":
        """A document from plain values (what tests and callers outside extraction build)."""
        fs = FieldSet()
        for k, v in (fields or {}).items():
            fs.set(k, v)
        lines = []
        for it in items:
            f = FieldSet()
            for k, v in it.items():
                f.set(k, v)
            lines.append(LineItem(f))
        return cls(path=path, sha256="", doc_type=doc_type, fields=fs, line_items=lines,
                   notes=[(n, None) for n in notes])

    @property
    def note_texts(self) -> list[str]:
        return [t for t, _ in self.notes]

    def money(self, name: str) -> Money | None:
        amount = self.fields.get(name)
        currency = self.fields.get("currency")
        if amount is None or currency is None:
            return None
        return Money(amount, currency)

    def to_json(self, with_provenance: bool = True) -> dict:
        out: dict[str, Any] = {
            "path": self.path, "sha256": self.sha256, "doc_type": self.doc_type,
            "pages": self.pages, "ocr": self.ocr, "error": self.error,
            "fields": self.fields.to_json(),
            "line_items": [li.to_json() for li in self.line_items],
        }
        if self.notes:
            out["notes"] = self.note_texts
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.facts:
            out["facts"] = [f.to_json() for f in self.facts]
        if with_provenance:
            out["classification_confidence"] = round(self.classification_confidence, 3)
            out["provenance"] = {
                "fields": self.fields.provenance_json(),
                "line_items": [li.prov.to_json() if li.prov else None for li in self.line_items],
            }
            if any(li.fields.provenance_json() for li in self.line_items):
                out["provenance"]["line_item_fields"] = [li.fields.provenance_json() for li in self.line_items]
            if self.notes:
                out["provenance"]["notes"] = [p.to_json() if p else None for _, p in self.notes]
            if self.fields.parts_json():
                out["provenance"]["field_parts"] = self.fields.parts_json()
        return out


@dataclass(slots=True)
class EntryLine:
    """A declared entry line (entry_summary line-item fields), with where it was declared."""

    fields: FieldSet = field(default_factory=FieldSet)
    prov: Provenance | None = None

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    @property
    def line_no(self) -> int | None:
        n = self.fields.get("line_no")
        return int(n) if n is not None else None


@dataclass(slots=True)
class Link:
    """Why a document belongs to an entry."""

    path: str
    reason: str
    confidence: float


@dataclass(slots=True)
class Entry:
    entry_number: str
    documents: list[str] = field(default_factory=list)
    lines: list[EntryLine] = field(default_factory=list)
    header: FieldSet = field(default_factory=FieldSet)  # the entry summary's own fields
    links: list[Link] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "entry_number": self.entry_number,
            "documents": list(self.documents),
            "lines": [ln.fields.to_json() for ln in self.lines],
            "header": self.header.to_json(),  # what the entry summary (or the declared CSV) says of the entry
            "links": [{"path": lk.path, "reason": lk.reason, "confidence": round(lk.confidence, 3)}
                      for lk in self.links],
        }


@dataclass(frozen=True, slots=True)
class Evidence:
    path: str
    page: int | None
    text: str
    bbox: tuple[float, float, float, float] | None = None
    xpath: str | None = None  # the element of an e-invoice XML the evidence was read from
    confidence: float | None = None  # how sure the reading was, where OCR read it

    @classmethod
    def of(cls, prov: Provenance | None, text: str | None = None) -> "Evidence | None":
        if prov is None:
            return None
        return cls(prov.path, prov.page, text if text is not None else prov.text, prov.bbox, prov.xpath,
                   prov.confidence if prov.method == "ocr" else None)

    def to_json(self) -> dict:
        out = {"path": self.path, "page": self.page, "text": self.text,
               "bbox": [round(c, 2) for c in self.bbox] if self.bbox else None}
        if self.xpath:
            out["xpath"] = self.xpath
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 3)
        return out


ZERO = Decimal("0.00")

# a finding's status: open (asserted, undecided), accepted, dismissed, or to_verify (the evidence gate found the
# values it rests on too weak to assert it: listed apart with what to check, counted in no total, never drafted)
STATUSES = FINDING_STATUSES
COUNTED = ("open", "accepted")  # the statuses totals, reviews and drafts count


# --- the money of a finding ---------------------------------------------------------------------------------

def _dec(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _money_json(value: Decimal | None) -> str | None:
    return None if value is None else format(q2(value), "f")


def _pct_json(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


@dataclass(slots=True)
class RevenueRate:
    """One ad valorem rate that applies to a line's value change: the line's own (``hts`` "own") or a chapter 99
    rate declared on it (``hts`` the 9903 number). ``base`` is what it applies to: "value" (the entered value) or
    "metal content" (the Section 232 content value). ``rate`` is percent, applied to the line's value change;
    ``duty_before``/``duty_after`` are that rate's duty on the line as declared and as corrected (USD)."""

    hts: str
    rate: Decimal
    base: str = "value"
    duty_before: Decimal = ZERO
    duty_after: Decimal = ZERO

    @property
    def duty_delta(self) -> Decimal:
        return self.duty_after - self.duty_before

    def to_json(self) -> dict:
        return {"hts": self.hts, "rate": _pct_json(self.rate), "base": self.base,
                "duty_before": _money_json(self.duty_before), "duty_after": _money_json(self.duty_after),
                "duty_delta": _money_json(self.duty_delta)}

    @classmethod
    def from_json(cls, d: dict) -> "RevenueRate":
        return cls(d.get("hts") or "own", Decimal(d["rate"]), d.get("base") or "value",
                   _dec(d.get("duty_before")) or ZERO, _dec(d.get("duty_after")) or ZERO)


@dataclass(slots=True)
class RevenueLine:
    """One entry line's share of a finding's money (USD).

    ``kind`` says what changes: "value" (``value_change`` is added to the base: the entered value, or the Section
    232 content value when ``base`` is "metal content") or "rate" (the base stays as declared and the rates of
    ``rates`` newly apply to ``value_change``: a failed preference, another HTS number, another melt country).
    ``value_before``/``value_after`` are the base as declared and as corrected; ``entered_before``/
    ``entered_after`` the line's entered value. ``fee_base_change`` is the change of the value MPF and HMF are
    computed on, ``mpf_newly_due`` value that leaves an MPF exemption. ``key`` names the money: two findings with
    a line of the same key measure the same money, which an entry total counts once."""

    line_no: int | None
    hts: str | None = None
    key: str = ""
    kind: str = "value"
    base: str = "value"
    value_change: Decimal = ZERO
    value_before: Decimal | None = None
    value_after: Decimal | None = None
    entered_before: Decimal | None = None
    entered_after: Decimal | None = None
    rates: list[RevenueRate] = field(default_factory=list)
    duty_delta: Decimal = ZERO
    fee_base_change: Decimal = ZERO
    mpf_newly_due: Decimal = ZERO
    rate_unknown: bool = False
    note: str = ""

    @property
    def duty_before(self) -> Decimal:
        return sum((r.duty_before for r in self.rates), ZERO)

    @property
    def duty_after(self) -> Decimal:
        return sum((r.duty_after for r in self.rates), ZERO)

    @property
    def rates_text(self) -> str | None:
        """The rates as "5.3 + 7.5" (percent); None when the rate is unknown."""
        if self.rate_unknown or (not self.rates and self.duty_delta):
            return None
        return " + ".join(format(r.rate.normalize(), "f") for r in self.rates) or "0"

    def to_json(self) -> dict:
        return {"line_no": self.line_no, "hts": self.hts, "key": self.key, "kind": self.kind, "base": self.base,
                "value_before": _money_json(self.value_before), "value_change": _money_json(self.value_change),
                "value_after": _money_json(self.value_after),
                "entered_before": _money_json(self.entered_before), "entered_after": _money_json(self.entered_after),
                "rates": [r.to_json() for r in self.rates],
                "duty_before": _money_json(self.duty_before), "duty_after": _money_json(self.duty_after),
                "duty_delta": _money_json(self.duty_delta),
                "fee_base_change": _money_json(self.fee_base_change), "mpf_newly_due": _money_json(self.mpf_newly_due),
                "rate_unknown": self.rate_unknown, "note": self.note}

    @classmethod
    def from_json(cls, d: dict) -> "RevenueLine":
        return cls(line_no=d.get("line_no"), hts=d.get("hts"), key=d.get("key") or "", kind=d.get("kind") or "value",
                   base=d.get("base") or "value", value_change=_dec(d.get("value_change")) or ZERO,
                   value_before=_dec(d.get("value_before")), value_after=_dec(d.get("value_after")),
                   entered_before=_dec(d.get("entered_before")), entered_after=_dec(d.get("entered_after")),
                   rates=[RevenueRate.from_json(r) for r in d.get("rates") or []],
                   duty_delta=_dec(d.get("duty_delta")) or ZERO, fee_base_change=_dec(d.get("fee_base_change")) or ZERO,
                   mpf_newly_due=_dec(d.get("mpf_newly_due")) or ZERO, rate_unknown=bool(d.get("rate_unknown")),
                   note=d.get("note") or "")


SECTION232_READINGS = ("metal cost", "entered value less non-metal", "entered value")


@dataclass(slots=True)
class Section232Reading:
    """The Section 232 content value of a line under both readings (SPEC §4): (a) the price paid for the metal,
    (b) the entered value less the non-metal components; ``measured_against`` names the reading the shortfall is
    measured against (the higher one; "entered value" where the law taxes the full value)."""

    line_no: int | None
    metal: str | None = None
    entered_value: Decimal | None = None
    non_metal_value: Decimal | None = None
    metal_cost: Decimal | None = None
    less_non_metal: Decimal | None = None
    declared_content: Decimal = ZERO
    declared_under: list[str] = field(default_factory=list)
    measured_against: str | None = None
    shortfall: Decimal = ZERO
    rate: Decimal | None = None

    @property
    def supported(self) -> Decimal | None:
        """The content value the documents support: the reading the shortfall is measured against."""
        return {"metal cost": self.metal_cost, "entered value less non-metal": self.less_non_metal,
                "entered value": self.entered_value}.get(self.measured_against or "")

    def to_json(self) -> dict:
        return {"line_no": self.line_no, "metal": self.metal, "entered_value": _money_json(self.entered_value),
                "non_metal_value": _money_json(self.non_metal_value), "metal_cost": _money_json(self.metal_cost),
                "entered_less_non_metal": _money_json(self.less_non_metal),
                "declared_content": _money_json(self.declared_content), "declared_under": list(self.declared_under),
                "measured_against": self.measured_against, "shortfall": _money_json(self.shortfall),
                "rate": _pct_json(self.rate)}

    @classmethod
    def from_json(cls, d: dict) -> "Section232Reading":
        return cls(line_no=d.get("line_no"), metal=d.get("metal"), entered_value=_dec(d.get("entered_value")),
                   non_metal_value=_dec(d.get("non_metal_value")), metal_cost=_dec(d.get("metal_cost")),
                   less_non_metal=_dec(d.get("entered_less_non_metal")),
                   declared_content=_dec(d.get("declared_content")) or ZERO,
                   declared_under=list(d.get("declared_under") or []), measured_against=d.get("measured_against"),
                   shortfall=_dec(d.get("shortfall")) or ZERO, rate=_dec(d.get("rate")))


@dataclass(slots=True)
class Revenue:
    """A finding's loss of revenue as data (SPEC §4): per line the value change, the rates that apply, the duty
    before and after; for the entry MPF and HMF before and after (and the values they are computed on); the
    totals; the Section 232 readings. Every output (explanation, report, schedule, disclosure) renders from it.

    The totals are those of the arithmetic: ``duty_delta`` is the exact duty rounded once (the lines' duty deltas
    add up to it), ``fees_delta`` the change of MPF and HMF, ``loss_of_revenue`` their sum. ``arithmetic`` holds
    the worked steps the arithmetic wrote (text for reading, never parsed; not exported: the finding carries
    it)."""

    lines: list[RevenueLine] = field(default_factory=list)
    mpf_before: Decimal = ZERO
    mpf_after: Decimal = ZERO
    hmf_before: Decimal = ZERO
    hmf_after: Decimal = ZERO
    mpf_base_before: Decimal | None = None
    mpf_base_after: Decimal | None = None
    hmf_base_before: Decimal | None = None
    hmf_base_after: Decimal | None = None
    value_delta: Decimal = ZERO
    duty_delta: Decimal = ZERO
    fees_delta: Decimal = ZERO
    loss_of_revenue: Decimal = ZERO
    rate_unknown: bool = False
    fees_of_their_own: bool = False  # fees no value change explains (a fee declared short): added as they are
    section232: list[Section232Reading] = field(default_factory=list)
    arithmetic: list[str] = field(default_factory=list)

    @property
    def mpf_delta(self) -> Decimal:
        return self.mpf_after - self.mpf_before

    @property
    def hmf_delta(self) -> Decimal:
        return self.hmf_after - self.hmf_before

    def to_json(self) -> dict:
        return {"lines": [ln.to_json() for ln in self.lines],
                "mpf_before": _money_json(self.mpf_before), "mpf_after": _money_json(self.mpf_after),
                "hmf_before": _money_json(self.hmf_before), "hmf_after": _money_json(self.hmf_after),
                "mpf_base_before": _money_json(self.mpf_base_before), "mpf_base_after": _money_json(self.mpf_base_after),
                "hmf_base_before": _money_json(self.hmf_base_before), "hmf_base_after": _money_json(self.hmf_base_after),
                "value_delta": _money_json(self.value_delta), "duty_delta": _money_json(self.duty_delta),
                "fees_delta": _money_json(self.fees_delta), "loss_of_revenue": _money_json(self.loss_of_revenue),
                "rate_unknown": self.rate_unknown, "fees_of_their_own": self.fees_of_their_own,
                "section232": [r.to_json() for r in self.section232]}

    @classmethod
    def from_json(cls, d: dict | None) -> "Revenue | None":
        if not d:
            return None
        return cls(lines=[RevenueLine.from_json(x) for x in d.get("lines") or []],
                   mpf_before=_dec(d.get("mpf_before")) or ZERO, mpf_after=_dec(d.get("mpf_after")) or ZERO,
                   hmf_before=_dec(d.get("hmf_before")) or ZERO, hmf_after=_dec(d.get("hmf_after")) or ZERO,
                   mpf_base_before=_dec(d.get("mpf_base_before")), mpf_base_after=_dec(d.get("mpf_base_after")),
                   hmf_base_before=_dec(d.get("hmf_base_before")), hmf_base_after=_dec(d.get("hmf_base_after")),
                   value_delta=_dec(d.get("value_delta")) or ZERO, duty_delta=_dec(d.get("duty_delta")) or ZERO,
                   fees_delta=_dec(d.get("fees_delta")) or ZERO, loss_of_revenue=_dec(d.get("loss_of_revenue")) or ZERO,
                   rate_unknown=bool(d.get("rate_unknown")), fees_of_their_own=bool(d.get("fees_of_their_own")),
                   section232=[Section232Reading.from_json(x) for x in d.get("section232") or []])


DIRECTIONS = ("underpaid", "overpaid")


@dataclass(slots=True)
class Finding:
    code: str
    severity: str
    entry_number: str
    title: str
    explanation: str
    legal_basis: str
    line_no: int | None = None
    value_delta: Decimal = ZERO
    duty_delta: Decimal = ZERO
    fees_delta: Decimal = ZERO
    loss_of_revenue: Decimal = ZERO
    confidence: float = 0.9
    evidence: list[Evidence] = field(default_factory=list)
    status: str = "open"
    reviewer: str | None = None
    reviewed_at: str | None = None
    reason: str | None = None
    arithmetic: list[str] = field(default_factory=list)  # the worked sums, one step a line
    rate_unknown: bool = False
    # the evidence gate (audit/gate.py): what to check before the finding can be asserted (status to_verify), and
    # why its confidence is what it is
    verify: list[str] = field(default_factory=list)
    confidence_reasons: list[str] = field(default_factory=list)
    id: str = ""
    # the money as data: the deltas above are its totals (derived from it whenever it is set)
    revenue: Revenue | None = None
    direction: str = "underpaid"  # or "overpaid": a refund due, its deltas negative

    def __post_init__(self) -> None:
        if not self.id:
            self.id = self.stable_id()
        if self.revenue is not None:
            self.value_delta = q2(self.revenue.value_delta)
            self.duty_delta = q2(self.revenue.duty_delta)
            self.fees_delta = q2(self.revenue.fees_delta)
            self.loss_of_revenue = q2(self.revenue.loss_of_revenue)
            self.rate_unknown = self.revenue.rate_unknown

    def set_revenue(self, revenue: Revenue | None) -> None:
        """Attach the money record; the deltas become its totals."""
        self.revenue = revenue
        self.__post_init__()

    @property
    def counted(self) -> bool:
        """Asserted: counted in totals, reviews and drafts (not dismissed, not to be verified)."""
        return self.status in COUNTED

    def stable_id(self) -> str:
        """Derived from code, entry, line and evidence, so a re-run keeps reviewers' decisions."""
        ev = sorted(f"{e.path}#{e.page}" for e in self.evidence)
        key = "|".join([self.code, self.entry_number, str(self.line_no or ""), *ev])
        return self.code.lower().replace("_", "-")[:12] + "-" + hashlib.sha256(key.encode()).hexdigest()[:12]

    def to_json(self) -> dict:
        return {
            "id": self.id, "status": self.status, "code": self.code, "severity": self.severity,
            "entry_number": self.entry_number, "line_no": self.line_no, "title": self.title,
            "explanation": self.explanation, "legal_basis": self.legal_basis,
            "value_delta": format(q2(self.value_delta), "f"), "duty_delta": format(q2(self.duty_delta), "f"),
            "fees_delta": format(q2(self.fees_delta), "f"),
            "loss_of_revenue": format(q2(self.loss_of_revenue), "f"),
            "confidence": round(self.confidence, 3),
            "evidence": [e.to_json() for e in self.evidence],
            "arithmetic": list(self.arithmetic),
            "rate_unknown": self.rate_unknown,
            "verify": list(self.verify), "confidence_reasons": list(self.confidence_reasons),
            "reviewer": self.reviewer, "reviewed_at": self.reviewed_at, "reason": self.reason,
            "direction": self.direction,
            "revenue": self.revenue.to_json() if self.revenue is not None else None,
        }

    @classmethod
    def from_json(cls, d: dict) -> "Finding":
        return cls(
            id=d.get("id", ""), status=d.get("status", "open"), code=d["code"], severity=d.get("severity", "medium"),
            entry_number=d.get("entry_number", ""), line_no=d.get("line_no"), title=d.get("title", ""),
            explanation=d.get("explanation", ""), legal_basis=d.get("legal_basis", ""),
            value_delta=Decimal(d.get("value_delta") or "0"), duty_delta=Decimal(d.get("duty_delta") or "0"),
            fees_delta=Decimal(d.get("fees_delta") or "0"), loss_of_revenue=Decimal(d.get("loss_of_revenue") or "0"),
            confidence=float(d.get("confidence", 0.9)),
            evidence=[Evidence(e["path"], e.get("page"), e.get("text", ""), tuple(e["bbox"]) if e.get("bbox") else None,
                               e.get("xpath") or None, e.get("confidence"))
                      for e in d.get("evidence", [])],
            arithmetic=list(d.get("arithmetic", [])), rate_unknown=bool(d.get("rate_unknown", False)),
            verify=[str(x) for x in d.get("verify") or []],
            confidence_reasons=[str(x) for x in d.get("confidence_reasons") or []],
            reviewer=d.get("reviewer"), reviewed_at=d.get("reviewed_at"), reason=d.get("reason"),
            revenue=Revenue.from_json(d.get("revenue")), direction=d.get("direction") or "underpaid",
        )


@dataclass(frozen=True, slots=True)
class RuleError:
    """A rule that raised on an entry: the tool's own failure, reported (never swallowed); its findings are missing."""

    code: str
    entry_number: str
    error_type: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} on {self.entry_number}: {self.error_type}: {self.message}"

    def __contains__(self, text: str) -> bool:  # ``"HTS_MISMATCH" in error``, as on its one-line form
        return text in str(self)

    def to_json(self) -> dict:
        return {"code": self.code, "entry_number": self.entry_number, "error_type": self.error_type,
                "message": self.message}

    @classmethod
    def from_json(cls, d: dict) -> "RuleError":
        return cls(d.get("code", ""), d.get("entry_number", ""), d.get("error_type", ""), d.get("message", ""))


__all__ = ["Money", "Provenance", "Party", "Field", "Fact", "FieldSet", "LineItem", "Document", "EntryLine",
           "Entry", "Link", "Evidence", "Finding", "RuleError", "Revenue", "RevenueLine", "RevenueRate",
           "Section232Reading", "q2", "CENT", "ZERO", "replace", "STATUSES", "COUNTED"]
