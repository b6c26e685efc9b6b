"""Accuracy, counted as SPEC §5 says: field-level precision/recall/F1 per doc type and field, doc-type accuracy,
line-item F1 (lines matched one-to-one, in order), scanned against born-digital, findings matched on
(code, entry_number) and the share of matched findings whose loss of revenue is within USD 1.00.

Equalities: money, quantities and weights exact as decimals; dates, HTS digits, countries and codes exact;
identifiers on letters and digits; names, addresses and descriptions by rapidfuzz ``token_sort_ratio`` ≥ 90 after
case folding. A truth whose ``meta.scope`` is ``partial`` scores only the fields it states; ``meta.tariff`` names
a tariff schedule file beside the truth that the audit reads for rates a 7501 does not show.
"""
from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

from rapidfuzz import fuzz

from .models.doctypes import DOC_TYPES, LINE_ITEMS

LOSS_TOLERANCE = Decimal("1.00")
TEXT_THRESHOLD = 90

_SUBKINDS = {  # kinds of the keys inside structured fields
    "party": {"name": "text", "address": "text", "country": "country", "number": "id", "role": "code"},
    "charges": {"kind": "code", "description": "text", "amount": "money"},
    "additional": {"hts": "hts", "rate": "decimal", "value": "money", "duty": "money"},
    "goods": {"description": "text", "hts": "hts", "origin_criterion": "code"},
}


def _ident(v: Any) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", str(v)).upper()


def _dec(v: Any) -> Decimal | None:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def equal(kind: str, truth: Any, pred: Any) -> bool:
    if pred is None:
        return False
    if kind in ("money", "decimal"):
        a, b = _dec(truth), _dec(pred)
        return a is not None and a == b
    if kind == "int":
        return _dec(truth) == _dec(pred)
    if kind == "id":
        return _ident(truth) == _ident(pred) != ""
    if kind == "list":
        return sorted(map(_ident, truth)) == sorted(map(_ident, pred if isinstance(pred, list) else [pred]))
    if kind == "text":
        return fuzz.token_sort_ratio(str(truth).casefold(), str(pred).casefold()) >= TEXT_THRESHOLD
    if kind == "hts":
        return re.sub(r"\D", "", str(truth)) == re.sub(r"\D", "", str(pred))
    if kind == "bool":
        return bool(truth) == pred if isinstance(pred, bool) else False
    return str(truth).strip().casefold() == str(pred).strip().casefold()


def flatten(table: dict[str, str], values: dict) -> dict[str, tuple[str, Any]]:
    """Field values as scorable leaves: ``seller.name``, ``charges[0].amount``, ``chemistry.C`` …"""
    out: dict[str, tuple[str, Any]] = {}
    for name, value in (values or {}).items():
        kind = table.get(name, "text")
        if value is None:
            continue
        if kind == "party" and isinstance(value, dict):
            for k, v in value.items():
                if v not in (None, ""):
                    out[f"{name}.{k}"] = (_SUBKINDS["party"].get(k, "text"), v)
        elif kind == "parties" and isinstance(value, list):
            for i, p in enumerate(value):
                for k, v in (p or {}).items():
                    if v not in (None, ""):
                        out[f"{name}[{i}].{k}"] = (_SUBKINDS["party"].get(k, "text"), v)
        elif kind in ("charges", "additional", "goods") and isinstance(value, list):
            for i, item in enumerate(value):
                for k, v in (item or {}).items():
                    if v not in (None, ""):
                        out[f"{name}[{i}].{k}"] = (_SUBKINDS[kind].get(k, "text"), v)
        elif kind == "chemistry" and isinstance(value, dict):
            for k, v in value.items():
                out[f"{name}.{k}"] = ("decimal", v)
        else:
            out[name] = (kind, value)
    return out


def align_parties(table: dict[str, str], truth: dict, pred: dict) -> dict:
    """``pred`` with each list of parties reordered to face the truth's parties it agrees with best (one to one,
    greedily by name similarity), so that parties are scored regardless of the order a document names them in."""
    out = dict(pred)
    for name, kind in table.items():
        tl, pl = truth.get(name), pred.get(name)
        if kind != "parties" or not isinstance(tl, list) or not isinstance(pl, list) or not pl:
            continue
        pairs = sorted(((fuzz.token_sort_ratio(str((t or {}).get("name", "")).casefold(),
                                               str((p or {}).get("name", "")).casefold()), i, j)
                        for i, t in enumerate(tl) for j, p in enumerate(pl)), key=lambda x: (-x[0], x[1], x[2]))
        placed: dict[int, dict] = {}
        used: set[int] = set()
        for _, i, j in pairs:
            if i not in placed and j not in used:
                placed[i], used = pl[j], used | {j}
        rest = [p for j, p in enumerate(pl) if j not in used]
        aligned = [placed.get(i, {}) for i in range(len(tl))] + rest
        out[name] = aligned
    return out


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def score_fields(truth: dict[str, tuple[str, Any]], pred: dict[str, tuple[str, Any]], partial: bool,
                 sink: dict[str, Counts], prefix: str = "") -> None:
    """Add the comparison of two flattened field sets into ``sink`` keyed by field name."""
    for name, (kind, tv) in truth.items():
        c = sink[prefix + _base(name)]
        pv = pred.get(name, (None, None))[1]
        if pv is None:
            c.fn += 1
        elif equal(kind, tv, pv):
            c.tp += 1
        else:
            c.fn += 1
            c.fp += 1
    if not partial:
        for name, (kind, pv) in pred.items():
            if name not in truth and pv is not None:
                sink[prefix + _base(name)].fp += 1


def _base(name: str) -> str:
    return re.sub(r"\[\d+\]", "[]", name)


@dataclass
class Report:
    documents: int = 0
    missing: list[str] = field(default_factory=list)
    doc_type_right: int = 0
    by_type: dict[str, dict[str, Counts]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Counts)))
    lines: dict[str, dict[str, Counts]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Counts)))
    by_method: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    facts_by_kind: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    facts_by_method: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    findings: Counts = field(default_factory=Counts)
    findings_by_code: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    loss_matched: int = 0
    loss_within: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    confusions: list[tuple[str, str, str]] = field(default_factory=list)

    def total(self, which: str = "fields", doc_type: str | None = None) -> Counts:
        src = self.by_type if which == "fields" else self.lines
        out = Counts()
        for t, per_field in src.items():
            if doc_type is None or t == doc_type:
                for c in per_field.values():
                    out.add(c)
        return out

    @property
    def facts(self) -> Counts:
        out = Counts()
        for c in self.facts_by_kind.values():
            out.add(c)
        return out

    @property
    def doc_type_accuracy(self) -> float:
        return self.doc_type_right / self.documents if self.documents else 1.0

    @property
    def loss_share(self) -> float:
        return self.loss_within / self.loss_matched if self.loss_matched else 1.0

    def to_json(self) -> dict:
        return {
            "documents": self.documents, "missing": self.missing,
            "doc_type_accuracy": round(self.doc_type_accuracy, 4), "doc_type_confusions": self.confusions,
            "fields": self.total("fields").to_json(), "line_items": self.total("lines").to_json(),
            "by_method": {m: c.to_json() for m, c in sorted(self.by_method.items())},
            "by_doc_type": {t: {"fields": self.total("fields", t).to_json(),
                                "per_field": {f: c.to_json() for f, c in sorted(per.items())}}
                            for t, per in sorted(self.by_type.items())},
            "line_items_by_doc_type": {t: {"line_items": self.total("lines", t).to_json(),
                                           "per_field": {f: c.to_json() for f, c in sorted(per.items())}}
                                       for t, per in sorted(self.lines.items())},
            "facts": self.facts.to_json(),
            "facts_by_kind": {k: c.to_json() for k, c in sorted(self.facts_by_kind.items())},
            "facts_by_method": {m: c.to_json() for m, c in sorted(self.facts_by_method.items())},
            "findings": self.findings.to_json(),
            "findings_by_code": {k: c.to_json() for k, c in sorted(self.findings_by_code.items())},
            "loss_within_1_usd": {"matched": self.loss_matched, "within": self.loss_within,
                                  "share": round(self.loss_share, 4)},
            "errors": self.errors,
        }


def score(truth: dict, predicted: dict) -> Report:
    """Score an export document against a truth document (both SPEC §4 JSON)."""
    partial = (truth.get("meta") or {}).get("scope") == "partial"
    pred_docs = {d["path"]: d for d in predicted.get("documents", [])}
    facts_stated = any("facts" in d for d in truth.get("documents", []))
    rep = Report()
    for td in truth.get("documents", []):
        rep.documents += 1
        pd = pred_docs.get(td["path"])
        if pd is None:
            rep.missing.append(td["path"])
            pd = {"doc_type": None, "fields": {}, "line_items": []}
        if pd.get("error"):
            rep.errors.append((td["path"], pd["error"]))
        t = td.get("doc_type", "other")
        if pd.get("doc_type") == t:
            rep.doc_type_right += 1
        else:
            rep.confusions.append((td["path"], t, pd.get("doc_type")))
        table = DOC_TYPES.get(t, {})
        per_field = rep.by_type[t]
        before = _snapshot(per_field)
        pred_fields = align_parties(table, td.get("fields") or {}, pd.get("fields") or {})
        score_fields(flatten(table, td.get("fields") or {}), flatten(table, pred_fields), partial, per_field)
        method = "scanned" if td.get("ocr") else "born_digital"
        rep.by_method[method].add(_delta(before, per_field))
        if "line_items" in td or not partial:
            ltable = LINE_ITEMS.get(t, {})
            tl, pl = td.get("line_items") or [], pd.get("line_items") or []
            for i in range(max(len(tl), len(pl))):
                tf = flatten(ltable, tl[i]) if i < len(tl) else {}
                pf = flatten(ltable, pl[i]) if i < len(pl) else {}
                score_fields(tf, pf, partial and i < len(tl), rep.lines[t])
        if facts_stated and ("facts" in td or not partial):
            score_facts(td.get("facts") or [], pd.get("facts") or [], rep, method)
    _score_findings(truth.get("findings"), predicted.get("findings", []), rep)
    return rep


def score_facts(truth: list[dict], pred: list[dict], rep: Report, method: str = "born_digital") -> None:
    """A document's facts against the truth's, like fields: a predicted fact matches a truth fact of the same kind
    and equal value (the scored parts of a structured value, ``FACT_KINDS``); each truth fact matches once. Word
    indexes (identifiers, references, names) are not scored."""
    from .extract.facts import UNSCORED, fact_key
    from .models.convert import fact_value_from_json

    def keys(facts: list[dict]) -> list[tuple]:
        out = []
        for f in facts:
            kind = str(f.get("kind") or "")
            if kind and kind not in UNSCORED:
                out.append(fact_key(kind, fact_value_from_json(kind, f.get("value"))))
        return out

    left = keys(pred)
    for k in keys(truth):
        c = rep.facts_by_kind[k[0]]
        if k in left:
            left.remove(k)
            c.tp += 1
            rep.facts_by_method[method].tp += 1
        else:
            c.fn += 1
            rep.facts_by_method[method].fn += 1
    for k in left:
        rep.facts_by_kind[k[0]].fp += 1
        rep.facts_by_method[method].fp += 1


def _snapshot(per_field: dict[str, Counts]) -> Counts:
    c = Counts()
    for v in per_field.values():
        c.add(v)
    return c


def _delta(before: Counts, per_field: dict[str, Counts]) -> Counts:
    after = _snapshot(per_field)
    return Counts(after.tp - before.tp, after.fp - before.fp, after.fn - before.fn)


def _score_findings(truth: list | None, pred: list, rep: Report) -> None:
    if truth is None:  # a truth that does not state findings scores none
        return
    remaining: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in pred:
        if f.get("status") in ("dismissed", "to_verify"):  # not asserted: in no precision or recall
            continue
        remaining[(f["code"], _ident(f.get("entry_number", "")))].append(f)
    for tf in truth:
        key = (tf["code"], _ident(tf.get("entry_number", "")))
        c = rep.findings_by_code[tf["code"]]
        if remaining.get(key):
            pf = remaining[key].pop(0)
            rep.findings.tp += 1
            c.tp += 1
            if tf.get("loss_of_revenue") is not None:
                rep.loss_matched += 1
                if abs(Decimal(str(pf.get("loss_of_revenue", "0"))) - Decimal(str(tf["loss_of_revenue"]))) \
                        <= LOSS_TOLERANCE:
                    rep.loss_within += 1
        else:
            rep.findings.fn += 1
            c.fn += 1
    for key, left in remaining.items():
        rep.findings.fp += len(left)
        rep.findings_by_code[key[0]].fp += len(left)


def find_truth(corpus: Path) -> Path:
    p = corpus / "truth.json"
    if not p.is_file():
        raise FileNotFoundError(f"no truth.json in {corpus}: pass --truth FILE")
    return p


def evaluate(corpus: Path, truth_path: Path | None = None, db: Path | None = None,
             workers: int | None = None) -> Report:
    """Run the pipeline on the documents the truth lists and score the export against the truth."""
    from . import pipeline
    from .models.store import Store

    truth_path = truth_path or find_truth(corpus)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        db_path = db or Path(tmp) / "eval.db"
        store = Store(db_path)
        try:
            listed = {d["path"] for d in truth.get("documents", [])}
            pipeline.scan(corpus, store, workers=workers, only=listed)
            if truth.get("findings") is not None:
                tariff = (truth.get("meta") or {}).get("tariff")
                tariff_path = truth_path.parent / tariff if tariff else None
                pipeline.audit_store(store, tariff=tariff_path if tariff_path and tariff_path.is_file() else None)
            predicted = store.export(with_provenance=False)
        finally:
            store.close()
    return score(truth, predicted)


def _truth_facts(documents, stated: bool) -> None:
    """The truth's documents carry the facts planted in their prose (``stated``: the truth lists facts); the
    word indexes the truth does not state (identifiers, references, names) are read from them, and a truth that
    lists no facts has them all read, by the same reader extraction uses (``extract/facts.py``)."""
    from .extract.facts import UNSCORED, read_facts

    for d in documents:
        if stated:
            d.facts = list(d.facts) + [f for f in read_facts(d) if f.kind in UNSCORED]
        else:
            d.facts = read_facts(d)


def evaluate_audit(corpus: Path, truth_path: Path | None = None) -> Report:
    """Audit the truth's own documents (extraction errors excluded) and score the findings against the truth."""
    from .audit import audit
    from .audit.revenue import load_tariff
    from .models.convert import document_from_json

    truth_path = truth_path or find_truth(corpus)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    documents = [document_from_json(d) for d in truth.get("documents", []) if not d.get("error")]
    _truth_facts(documents, any("facts" in d for d in truth.get("documents", [])))
    tariff = (truth.get("meta") or {}).get("tariff")
    tariff_path = truth_path.parent / tariff if tariff else None
    result = audit(documents, tariff=load_tariff(tariff_path) if tariff_path and tariff_path.is_file() else None)
    rep = Report()
    _score_findings(truth.get("findings"), [f.to_json() for f in result.findings], rep)
    return rep


def format_report(rep: Report, name: str = "") -> Iterator[str]:
    def row(label: str, c: Counts) -> str:
        return f"  {label:<40} P {c.precision:6.3f}  R {c.recall:6.3f}  F1 {c.f1:6.3f}   (tp {c.tp}, fp {c.fp}, fn {c.fn})"

    yield f"Evaluation{(' of ' + name) if name else ''}: {rep.documents} documents"
    yield f"  doc-type accuracy {rep.doc_type_accuracy:.3f}"
    for path, t, p in rep.confusions:
        yield f"    {path}: truth {t}, predicted {p}"
    yield row("fields (all)", rep.total("fields"))
    for m, c in sorted(rep.by_method.items()):
        yield row(f"fields, {m.replace('_', '-')}", c)
    yield row("line items (all)", rep.total("lines"))
    for t, per in sorted(rep.by_type.items()):
        yield row(f"{t}", rep.total("fields", t))
        for f, c in sorted(per.items()):
            yield row(f"  {f}", c)
        if t in rep.lines:
            yield row("  line items", rep.total("lines", t))
            for f, c in sorted(rep.lines[t].items()):
                yield row(f"    {f}", c)
    if rep.facts_by_kind:
        yield row("facts (kind, value)", rep.facts)
        for m, c in sorted(rep.facts_by_method.items()):
            yield row(f"facts, {m.replace('_', '-')}", c)
        for k, c in sorted(rep.facts_by_kind.items()):
            yield row(f"  {k}", c)
    if rep.findings.tp + rep.findings.fp + rep.findings.fn:
        yield row("findings (code, entry)", rep.findings)
        for code, c in sorted(rep.findings_by_code.items()):
            yield row(f"  {code}", c)
        yield (f"  loss of revenue within USD 1.00: {rep.loss_within}/{rep.loss_matched}"
               f" ({rep.loss_share:.3f})")
    for path, err in rep.errors:
        yield f"  error {path}: {err}"
    for path in rep.missing:
        yield f"  missing {path}"
