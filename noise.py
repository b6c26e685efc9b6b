"""How the audit stands up to extraction errors: corrupt a share of the extracted values with the errors real
extraction makes, audit, and count what stays open against the truth.

The errors, each one value at a time (SPEC §5 counts findings on (code, entry)):

- ``digit``: one digit read as another (a 3 for an 8), on a scan only (a text layer has no such misreads);
- ``separator``: a decimal or thousands separator misread (1,234.56 read as 1.23456 or 123456);
- ``rate``: a rate printed near an amount taken for the amount (0.3464 for the MPF);
- ``swap``: two values of the same kind in one document exchanged (subtotal and total, melt and pour);
- ``missing``: a value not read at all.

Nothing here is random beyond the seed: the same seed corrupts the same values the same way.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator

from .evaluation import Counts
from .models.doctypes import DOC_TYPES, LINE_ITEMS

KINDS = ("digit", "separator", "rate", "swap", "missing")
RATES = ("0.3464", "0.125", "2.5", "3.9", "7.5", "25", "50")  # rates printed on trade documents near amounts
CORRUPTIBLE = {"money", "decimal", "int", "date", "hts", "country", "currency", "code", "bool"}
NUMERIC = {"money", "decimal"}


@dataclass
class Slot:
    """One corruptible value: where it lives in a document's JSON and its kind."""

    container: dict
    key: str
    kind: str
    doc: int


def _slots(doc: dict, i: int) -> Iterator[Slot]:
    t = doc.get("doc_type") or "other"
    table, ltable = DOC_TYPES.get(t, {}), LINE_ITEMS.get(t, {})
    fields = doc.get("fields") or {}
    for name, value in fields.items():
        kind = table.get(name)
        if kind in CORRUPTIBLE and value not in (None, ""):
            yield Slot(fields, name, kind, i)
        elif kind == "charges":
            for c in value or []:
                if c.get("amount") not in (None, ""):
                    yield Slot(c, "amount", "money", i)
    for li in doc.get("line_items") or []:
        for name, value in li.items():
            kind = ltable.get(name)
            if kind in CORRUPTIBLE and value not in (None, ""):
                yield Slot(li, name, kind, i)
            elif kind == "additional":
                for a in value or []:
                    for k in ("rate", "value", "duty"):
                        if a.get(k) not in (None, ""):
                            yield Slot(a, k, "money" if k != "rate" else "decimal", i)


def _digit(value: str, rng: random.Random) -> str | None:
    spots = [i for i, ch in enumerate(value) if ch.isdigit()]
    if not spots:
        return None
    i = rng.choice(spots)
    new = rng.choice([d for d in "0123456789" if d != value[i]])
    return value[:i] + new + value[i + 1:]


def _separator(value: str, rng: random.Random) -> str | None:
    try:
        d = Decimal(value)
    except InvalidOperation:
        return None
    if d == 0:
        return None
    shift = rng.choice((Decimal(10), Decimal(100), Decimal(1000)))
    out = d * shift if rng.random() < 0.5 else d / shift
    return format(out.normalize(), "f")


def corrupt_one(slot: Slot, siblings: list[Slot], rng: random.Random, scanned: bool = True) -> str:
    """Corrupt one value in place; returns the kind of error made (or "" when none applied). A digit is
    misread only on a scan: a PDF's text layer gives the characters as written."""
    value = slot.container[slot.key]
    kinds = ["digit", "missing", "swap"] if scanned else ["missing", "swap"]
    if slot.kind in NUMERIC:
        kinds += ["separator", "rate"]
    rng.shuffle(kinds)
    for kind in kinds:
        new: Any = None
        if kind == "missing":
            del slot.container[slot.key]
            return kind
        if kind == "digit" and slot.kind not in ("country", "currency", "code", "bool"):
            new = _digit(str(value), rng)
        elif kind == "separator":
            new = _separator(str(value), rng)
        elif kind == "rate":
            new = rng.choice([r for r in RATES if r != str(value)])
        elif kind == "swap":
            others = [s for s in siblings if s is not slot and s.kind == slot.kind
                      and s.container.get(s.key) not in (None, value)]
            if others:
                other = rng.choice(others)
                slot.container[slot.key], other.container[other.key] = other.container[other.key], value
                return kind
        if new is not None and new != value:
            slot.container[slot.key] = new
            return kind
    return ""


def corrupt(documents: list[dict], share: float, seed: int) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """A copy of ``documents`` (export JSON) with ``share`` of their values corrupted; and what was done
    (path, field, error kind)."""
    rng = random.Random(seed)
    docs = copy.deepcopy(documents)
    slots = [s for i, d in enumerate(docs) if not d.get("error") for s in _slots(d, i)]
    by_doc: dict[int, list[Slot]] = {}
    for s in slots:
        by_doc.setdefault(s.doc, []).append(s)
    chosen = rng.sample(slots, round(len(slots) * share)) if slots else []
    done = []
    for s in chosen:
        if s.key not in s.container:  # taken away by an earlier swap's partner? (never: swaps keep keys)
            continue
        kind = corrupt_one(s, by_doc[s.doc], rng, scanned=bool(docs[s.doc].get("ocr")))
        if kind:
            done.append((docs[s.doc]["path"], s.key, kind))
    return docs, done


@dataclass
class NoiseRun(Counts):
    """One seed's open findings against the truth (tp, fp, fn), and what the gate held back."""

    seed: int = 0
    to_verify: int = 0
    false_open: list[tuple[str, str]] = field(default_factory=list)  # (code, entry) open but not in the truth
    missed: list[tuple[str, str]] = field(default_factory=list)


def _key(code: str, entry: str) -> tuple[str, str]:
    return code, "".join(ch for ch in str(entry or "") if ch.isalnum()).upper()


def run(truth: dict, documents: list[dict], share: float, seed: int, tariff=None) -> NoiseRun:
    """Audit ``documents`` with ``share`` of their values corrupted; open findings against the truth's."""
    from .audit import audit
    from .models.convert import document_from_json

    docs, _ = corrupt(documents, share, seed)
    result = audit([document_from_json(d) for d in docs if not d.get("error")], tariff=tariff)
    out = NoiseRun(seed=seed)
    remaining: dict[tuple[str, str], int] = {}
    for f in result.findings:
        if f.status == "to_verify":
            out.to_verify += 1
            continue
        k = _key(f.code, f.entry_number)
        remaining[k] = remaining.get(k, 0) + 1
    for tf in truth.get("findings") or []:
        k = _key(tf["code"], tf.get("entry_number", ""))
        if remaining.get(k):
            remaining[k] -= 1
            out.tp += 1
        else:
            out.fn += 1
            out.missed.append(k)
    for k, n in remaining.items():
        out.fp += n
        out.false_open.extend([k] * n)
    return out


@dataclass
class NoiseReport:
    share: float
    runs: list[NoiseRun]

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.runs)

    @property
    def precision(self) -> float:
        tp, fp = self.total("tp"), self.total("fp")
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def recall(self) -> float:
        tp, fn = self.total("tp"), self.total("fn")
        return tp / (tp + fn) if tp + fn else 1.0

    def to_json(self) -> dict:
        from collections import Counter

        return {"share": self.share, "seeds": len(self.runs), "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "to_verify_per_run": round(self.total("to_verify") / len(self.runs), 2)
                if self.runs else 0.0,
                "false_open_by_code": dict(Counter(c for r in self.runs for c, _ in r.false_open).most_common()),
                "missed_by_code": dict(Counter(c for r in self.runs for c, _ in r.missed).most_common())}


def measure(truth: dict, documents: list[dict], share: float = 0.05, seeds: int = 20, tariff=None) -> NoiseReport:
    """``seeds`` runs of :func:`run`, seeds 0 … seeds − 1."""
    return NoiseReport(share, [run(truth, documents, share, seed, tariff) for seed in range(seeds)])
