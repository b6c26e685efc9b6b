"""Conversion between the SPEC §4 export JSON and the records, driven by the field table in ``doctypes``.

The store keeps each document as its export JSON (with provenance), so this is also how documents come
back out of the database; and truth files, written in the same schema, load through the same path.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .doctypes import DOC_TYPES, LINE_ITEMS
from .facttypes import value_type
from .records import Document, Entry, EntryLine, Fact, FieldSet, LineItem, Link, Money, Party, Provenance

_DECIMAL_KINDS = {"money", "decimal"}


def _dec(value: Any) -> Any:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def value_from_json(kind: str | None, value: Any) -> Any:
    """One field's JSON value to its record value (Decimal for amounts, Party for parties)."""
    if value is None:
        return None
    if kind in _DECIMAL_KINDS:
        return _dec(value)
    if kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    if kind == "party":
        return Party.from_json(value)
    if kind == "parties":
        return [Party.from_json(p) for p in value]
    if kind == "charges":
        return [{**c, "amount": _dec(c.get("amount"))} for c in value]
    if kind == "chemistry":
        return {k: _dec(v) for k, v in value.items()}
    if kind == "additional":
        return [{k: (_dec(v) if k in ("rate", "value", "duty") else v) for k, v in a.items()} for a in value]
    return value


def fieldset_from_json(table: dict[str, str], data: dict, prov: dict | None = None,
                       parts: dict | None = None) -> FieldSet:
    fs = FieldSet()
    prov, parts = prov or {}, parts or {}
    for name, value in data.items():
        p = prov.get(name)
        each = parts.get(name)
        fs.set(name, value_from_json(table.get(name), value), Provenance.from_json(p) if p else None,
               [Provenance.from_json(q) if isinstance(q, dict) else None for q in each]
               if isinstance(each, list) else None)
    return fs


def document_from_json(d: dict) -> Document:
    doc_type = d.get("doc_type") or "other"
    prov = d.get("provenance") or {}
    line_prov = prov.get("line_items") or []
    field_prov = prov.get("line_item_fields") or []
    items = []
    for i, li in enumerate(d.get("line_items") or []):
        p = line_prov[i] if i < len(line_prov) else None
        fp = field_prov[i] if i < len(field_prov) else None
        items.append(LineItem(fieldset_from_json(LINE_ITEMS.get(doc_type, {}), li, fp),
                              Provenance.from_json(p) if p else None))
    return Document(
        path=d["path"], sha256=d.get("sha256", ""), doc_type=doc_type, pages=int(d.get("pages") or 0),
        ocr=bool(d.get("ocr")), error=d.get("error"),
        fields=fieldset_from_json(DOC_TYPES.get(doc_type, {}), d.get("fields") or {}, prov.get("fields"),
                                  prov.get("field_parts")),
        line_items=items, classification_confidence=float(d.get("classification_confidence") or 0.0),
        notes=[(str(t), Provenance.from_json(p) if p else None)
               for t, p in zip(d.get("notes") or [], (prov.get("notes") or []) + [None] * len(d.get("notes") or []))],
        warnings=[str(w) for w in d.get("warnings") or []],
        facts=[fact_from_json(f, d["path"]) for f in d.get("facts") or [] if isinstance(f, dict)],
    )


def _money(v: Any) -> Any:
    if isinstance(v, dict) and set(v) >= {"amount", "currency"}:
        try:
            return Money(Decimal(str(v["amount"])), str(v["currency"]))
        except (InvalidOperation, ValueError, TypeError):
            return v
    return v


def fact_value_from_json(kind: str, value: Any) -> Any:
    """A fact's JSON value to its typed value (Money, Decimal, bool …) by the kind's value type."""
    vt = value_type(kind)
    if value is None:
        return None
    if vt == "money":
        return _money(value)
    if vt == "metal_money" and isinstance(value, dict):
        return {**value, "amount": _money(value.get("amount"))}
    if vt == "percent":
        return _dec(value)
    if vt == "relationship" and isinstance(value, dict) and "percent" in value:
        return {**value, "percent": _dec(value.get("percent"))}
    if vt == "charge" and isinstance(value, dict):
        return {**value, "amount": _dec(value.get("amount"))}
    if vt == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    return value


def fact_from_json(d: dict, path: str = "") -> Fact:
    bbox = d.get("bbox")
    prov = None
    if d.get("page") is not None or bbox or d.get("method"):
        prov = Provenance(path=path, page=d.get("page"), bbox=tuple(bbox) if bbox else None,
                          method=d.get("method") or "text", confidence=float(d.get("confidence", 1.0)),
                          text=str(d.get("text") or ""), xpath=d.get("xpath") or None)
    kind = str(d.get("kind") or "")
    return Fact(kind=kind, value=fact_value_from_json(kind, d.get("value")), text=str(d.get("text") or ""),
                prov=prov, source=str(d.get("source") or ""))


def entry_from_json(d: dict) -> Entry:
    table = LINE_ITEMS["entry_summary"]
    return Entry(
        entry_number=d["entry_number"], documents=list(d.get("documents") or []),
        lines=[EntryLine(fieldset_from_json(table, ln)) for ln in d.get("lines") or []],
        header=fieldset_from_json(DOC_TYPES["entry_summary"], d.get("header") or {}),
        links=[Link(lk["path"], lk.get("reason", ""), float(lk.get("confidence", 1.0))) for lk in d.get("links") or []],
    )
