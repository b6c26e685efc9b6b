"""The export JSON Schema (SPEC §4), generated from the document-type table of ``doctypes``.

``models/export.schema.json`` is this function's output, committed; a test fails when the two differ.
Regenerate with ``python -m appraiser.models.schema`` (or ``make schema``).
"""
from __future__ import annotations

import json
from pathlib import Path

from .facttypes import FACT_KINDS
from .doctypes import (CHARGE_KINDS, DIRECTIONS, DOC_TYPES, FINDING_CODES, FINDING_STATUSES, LINE_ITEMS, PARTY,
                       DocType)

SCHEMA_PATH = Path(__file__).with_name("export.schema.json")

_DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
_CENTS = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}
_BBOX = {"oneOf": [{"type": "null"},
                   {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4}]}

# one schema per field kind of the doctypes table
KIND_SCHEMAS: dict[str, dict] = {
    "id": {"type": "string", "minLength": 1},
    "code": {"type": "string", "minLength": 1},
    "text": {"type": "string"},
    "money": _DECIMAL,
    "decimal": _DECIMAL,
    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "hts": {"type": "string", "pattern": r"^\d{4}(\.\d{2}(\.\d{2}(\d{2})?)?)?$"},
    "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    PARTY: {"$ref": "#/$defs/party"},
    "list": {"type": "array", "items": {"type": "string"}},
    "parties": {"type": "array", "items": {"$ref": "#/$defs/party"}},
    "charges": {"type": "array", "items": {
        "type": "object", "required": ["kind", "amount"],
        "properties": {"kind": {"enum": list(CHARGE_KINDS)}, "description": {"type": "string"}, "amount": _DECIMAL}}},
    "chemistry": {"type": "object", "additionalProperties": _DECIMAL},
    "additional": {"type": "array", "items": {"type": "object", "properties": {
        "hts": {"type": "string", "pattern": r"^99\d{2}\.\d{2}\.\d{2}(\d{2})?$"}, "rate": _DECIMAL, "value": _DECIMAL,
        "duty": _DECIMAL}}},
    "goods": {"type": "array", "items": {"type": "object", "properties": {
        "description": {"type": "string"}, "hts": {"type": "string"}, "origin_criterion": {"type": "string"}}}},
}

_PROVENANCE = {
    "type": "object",
    "description": "where a value was read: a page and a box in PDF points (x0, top, x1, bottom), or, for a value "
                   "read from an e-invoice XML, the XPath of its element instead of a box",
    "required": ["path", "method"],
    "properties": {
        "path": {"type": "string"},
        "page": {"type": ["integer", "null"]},
        "bbox": _BBOX,
        "xpath": {"type": "string", "minLength": 1},
        "method": {"type": "string", "description": "\"text\" (PDF text layer), \"ocr\" or \"xml\""},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "text": {"type": "string"},
    },
    "oneOf": [{"required": ["bbox"], "not": {"required": ["xpath"]}},
              {"required": ["xpath"], "not": {"required": ["bbox"]}}],
}

_PARTY = {"type": "object", "properties": {
    "name": {"type": "string"}, "address": {"type": "string"}, "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "number": {"type": "string"}, "role": {"type": "string"}}}

_FACT = {'type': 'object',
 'required': ['kind', 'value'],
 'properties': {'kind': {"enum": sorted(FACT_KINDS), "description": "a kind of models/facttypes.py FACT_KINDS"},
                'value': {'description': 'typed by the kind: amounts as {amount (decimal string), currency}, '
                                         'booleans, strings, lists'},
                'text': {'type': 'string', 'description': 'the words the fact was read from'},
                'page': {'type': ['integer', 'null']},
                'bbox': {'oneOf': [{'type': 'null'},
                                   {'type': 'array', 'items': {'type': 'number'}, 'minItems': 4, 'maxItems': 4}]},
                'source': {'type': 'string',
                           'description': 'what it was read from: notes[i], fields.<name>, charges[i], '
                                          'line_items[i]'},
                'method': {'type': 'string'},
                'confidence': {'type': 'number', 'minimum': 0, 'maximum': 1},
                'xpath': {'type': 'string'}}}

_DECISION = {
    "type": "object",
    "description": "a reviewer's decision as it was taken (accept, dismiss, reopen)",
    "required": ["status", "reviewer", "reviewed_at", "reason", "previous_status"],
    "properties": {"status": {"enum": [s for s in FINDING_STATUSES if s != "to_verify"]},
                   "reviewer": {"type": ["string", "null"]},
                   "reviewed_at": {"type": ["string", "null"]},
                   "reason": {"type": ["string", "null"]},
                   "previous_status": {"oneOf": [{"type": "null"}, {"enum": list(FINDING_STATUSES)}],
                                       "description": "the status the decision replaced; null for a decision "
                                                      "recorded before the history was kept"}},
}

_ERROR = {
    "type": "object",
    "description": "a rule that failed on an entry: the run went on without it, and its findings are missing",
    "required": ["code", "entry_number", "error_type", "message"],
    "properties": {"code": {"type": "string"}, "entry_number": {"type": "string"},
                   "error_type": {"type": "string"}, "message": {"type": "string"}},
}


def _kind(kind: str) -> dict:
    return KIND_SCHEMAS[kind]


def _fields(table: dict[str, str]) -> dict:
    return {name: _kind(kind) for name, kind in table.items()}


def _document() -> dict:
    per_type = []
    for t in DocType:
        per_type.append({
            "if": {"properties": {"doc_type": {"const": t.value}}},
            "then": {"properties": {
                "fields": {"type": "object", "properties": _fields(DOC_TYPES[t.value]), "additionalProperties": False},
                "line_items": {"type": "array", "items": {
                    "type": "object", "properties": _fields(LINE_ITEMS.get(t.value, {})),
                    "additionalProperties": False}},
            }},
        })
    prov_list = {"type": "array", "items": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/provenance"}]}}
    return {
        "type": "object",
        "required": ["path", "sha256", "doc_type", "pages", "ocr", "error", "fields", "line_items"],
        "properties": {
            # '/'-separated; a backslash only as models/fold.path_text writes one: doubled, or \xNN for a byte of
            # the name that is not UTF-8
            "path": {"type": "string", "pattern": r"^([^\\]|\\\\|\\x[0-9a-f]{2})+$"},
            "sha256": {"type": "string", "pattern": "^([0-9a-f]{64})?$"},
            "doc_type": {"enum": [t.value for t in DocType]},
            "pages": {"type": "integer", "minimum": 0},
            "ocr": {"type": "boolean"},
            "error": {"type": ["string", "null"]},
            "fields": {"type": "object"},
            "line_items": {"type": "array"},
            "facts": {"type": "array", "items": {"$ref": "#/$defs/fact"}},
            "notes": {"type": "array", "items": {"type": "string"},
                      "description": "statements in prose outside labels and tables, as read"},
            "warnings": {"type": "array", "items": {"type": "string"},
                         "description": "what a reader should know before trusting the fields, e.g. an embedded "
                                        "e-invoice XML and its page disagree"},
            "classification_confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "provenance": {"type": "object", "properties": {
                "fields": {"type": "object", "additionalProperties": {"$ref": "#/$defs/provenance"}},
                "line_items": prov_list,
                "line_item_fields": {"type": "array", "items": {
                    "type": "object", "additionalProperties": {"$ref": "#/$defs/provenance"}}},
                "notes": prov_list,
                "facts": prov_list,
            }},
        },
        "allOf": per_type,
    }


def _entry() -> dict:
    return {
        "type": "object",
        "required": ["entry_number", "documents", "lines"],
        "properties": {
            "entry_number": {"type": "string", "pattern": r"^[A-Z0-9]{3}-\d{7}-\d$"},
            "documents": {"type": "array", "items": {"type": "string"}},
            "lines": {"type": "array", "items": {"type": "object", "properties": _fields(LINE_ITEMS["entry_summary"])}},
        },
    }


def _finding() -> dict:
    return {
        "type": "object",
        "required": ["id", "status", "code", "severity", "entry_number", "line_no", "title", "explanation",
                     "legal_basis", "value_delta", "duty_delta", "fees_delta", "loss_of_revenue", "confidence",
                     "evidence"],
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "status": {"enum": list(FINDING_STATUSES)},
            "code": {"enum": list(FINDING_CODES)},
            "severity": {"enum": ["high", "medium", "low"]},
            "entry_number": {"type": "string"},
            "line_no": {"type": ["integer", "null"]},
            "title": {"type": "string"},
            "explanation": {"type": "string"},
            "legal_basis": {"type": "string"},
            "value_delta": _CENTS,
            "duty_delta": _CENTS,
            "fees_delta": _CENTS,
            "loss_of_revenue": _CENTS,
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "direction": {"enum": list(DIRECTIONS)},
            "revenue": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/revenue"}],
                        "description": "the structured loss-of-revenue record behind the deltas"},
            "verify": {"type": "array", "items": {"type": "string"},
                       "description": "what to check before a to-verify item can be asserted"},
            "confidence_reasons": {"type": "array", "items": {"type": "string"},
                                   "description": "why the finding's confidence is what it is (the evidence gate)"},
            "history": {"type": "array", "items": {"$ref": "#/$defs/decision"},
                        "description": "every decision taken on the finding, oldest first; the last is its current "
                                       "status (append-only: nothing in it is ever changed or removed)"},
            "evidence": {"type": "array", "items": {
                "type": "object", "required": ["path", "page", "text", "bbox"],
                "properties": {"path": {"type": "string"}, "page": {"type": ["integer", "null"]},
                               "text": {"type": "string"}, "bbox": _BBOX,
                               "xpath": {"type": "string", "minLength": 1},
                               "confidence": {"type": "number", "minimum": 0, "maximum": 1}}}},
        },
    }


# the structured loss-of-revenue record of a finding (records.Revenue)
_REVENUE_DEFS = {'money': {'type': 'string', 'pattern': '^-?\\d+\\.\\d{2}$'},
 'money_or_null': {'oneOf': [{'type': 'null'}, {'type': 'string', 'pattern': '^-?\\d+\\.\\d{2}$'}]},
 'revenue_rate': {'type': 'object',
                  'required': ['hts', 'rate', 'base', 'duty_before', 'duty_after'],
                  'properties': {'hts': {'type': 'string'},
                                 'rate': {'type': 'string', 'pattern': '^-?\\d+(\\.\\d+)?$'},
                                 'base': {'enum': ['value', 'metal content']},
                                 'duty_before': {'$ref': '#/$defs/money'},
                                 'duty_after': {'$ref': '#/$defs/money'},
                                 'duty_delta': {'$ref': '#/$defs/money'}}},
 'revenue_line': {'type': 'object',
                  'required': ['line_no', 'kind', 'base', 'value_change', 'rates', 'duty_delta'],
                  'properties': {'line_no': {'type': ['integer', 'null']},
                                 'hts': {'type': ['string', 'null']},
                                 'key': {'type': 'string'},
                                 'kind': {'enum': ['value', 'rate']},
                                 'base': {'enum': ['value', 'metal content']},
                                 'value_before': {'$ref': '#/$defs/money_or_null'},
                                 'value_change': {'$ref': '#/$defs/money'},
                                 'value_after': {'$ref': '#/$defs/money_or_null'},
                                 'entered_before': {'$ref': '#/$defs/money_or_null'},
                                 'entered_after': {'$ref': '#/$defs/money_or_null'},
                                 'rates': {'type': 'array', 'items': {'$ref': '#/$defs/revenue_rate'}},
                                 'duty_before': {'$ref': '#/$defs/money'},
                                 'duty_after': {'$ref': '#/$defs/money'},
                                 'duty_delta': {'$ref': '#/$defs/money'},
                                 'fee_base_change': {'$ref': '#/$defs/money'},
                                 'mpf_newly_due': {'$ref': '#/$defs/money'},
                                 'rate_unknown': {'type': 'boolean'},
                                 'note': {'type': 'string'}}},
 'section232_reading': {'type': 'object',
                        'required': ['line_no', 'measured_against', 'shortfall'],
                        'properties': {'line_no': {'type': ['integer', 'null']},
                                       'metal': {'type': ['string', 'null']},
                                       'entered_value': {'$ref': '#/$defs/money_or_null'},
                                       'non_metal_value': {'$ref': '#/$defs/money_or_null'},
                                       'metal_cost': {'$ref': '#/$defs/money_or_null'},
                                       'entered_less_non_metal': {'$ref': '#/$defs/money_or_null'},
                                       'declared_content': {'$ref': '#/$defs/money'},
                                       'declared_under': {'type': 'array', 'items': {'type': 'string'}},
                                       'measured_against': {'enum': [None,
                                                                     'metal cost',
                                                                     'entered value less non-metal',
                                                                     'entered value']},
                                       'shortfall': {'$ref': '#/$defs/money'},
                                       'rate': {'oneOf': [{'type': 'null'},
                                                          {'type': 'string', 'pattern': '^-?\\d+(\\.\\d+)?$'}]}}},
 'revenue': {'type': 'object',
             'required': ['lines',
                          'mpf_before',
                          'mpf_after',
                          'hmf_before',
                          'hmf_after',
                          'value_delta',
                          'duty_delta',
                          'fees_delta',
                          'loss_of_revenue',
                          'rate_unknown',
                          'section232'],
             'properties': {'lines': {'type': 'array', 'items': {'$ref': '#/$defs/revenue_line'}},
                            'mpf_before': {'$ref': '#/$defs/money'},
                            'mpf_after': {'$ref': '#/$defs/money'},
                            'hmf_before': {'$ref': '#/$defs/money'},
                            'hmf_after': {'$ref': '#/$defs/money'},
                            'mpf_base_before': {'$ref': '#/$defs/money_or_null'},
                            'mpf_base_after': {'$ref': '#/$defs/money_or_null'},
                            'hmf_base_before': {'$ref': '#/$defs/money_or_null'},
                            'hmf_base_after': {'$ref': '#/$defs/money_or_null'},
                            'value_delta': {'$ref': '#/$defs/money'},
                            'duty_delta': {'$ref': '#/$defs/money'},
                            'fees_delta': {'$ref': '#/$defs/money'},
                            'loss_of_revenue': {'$ref': '#/$defs/money'},
                            'rate_unknown': {'type': 'boolean'},
                            'fees_of_their_own': {'type': 'boolean'},
                            'section232': {'type': 'array', 'items': {'$ref': '#/$defs/section232_reading'}}}}}


# the triage statuses and remedies, from the one table that defines them (audit/triage.json)
_TRIAGE_RULES = json.loads((Path(__file__).resolve().parents[1] / "audit" / "triage.json").read_text(encoding="utf-8"))
_STATUSES = list(_TRIAGE_RULES["statuses"])
_REMEDIES = sorted({r for by in _TRIAGE_RULES["remedies"].values() for r in by.values() if r}) + [None]
_DATE_OR_NULL = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_TRIAGE = {
    "type": "object", "required": ["as_of", "counts", "entries"],
    "description": "liquidation triage per entry on the date as_of (audit/triage.py): status, deciding dates, next "
                   "deadline, the remedy of each direction and of each finding",
    "properties": {
        "as_of": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "entries": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["entry_number", "status", "remedy", "next_deadline"],
            "properties": {
                "entry_number": {"type": "string"},
                "status": {"enum": _STATUSES},
                "description": {"type": "string"}, "as_of": {"type": "string"},
                "entry_date": _DATE_OR_NULL, "liquidation_status": {"type": ["string", "null"]},
                "liquidation_date": _DATE_OR_NULL, "psc_deadline": _DATE_OR_NULL, "protest_deadline": _DATE_OR_NULL,
                "limitation_date": _DATE_OR_NULL, "next_deadline": _DATE_OR_NULL,
                "next_deadline_kind": {"enum": ["post_summary_correction", "protest", "limitation", None]},
                "remedy": {"type": "object", "properties": {
                    d: {"enum": _REMEDIES} for d in ("underpaid", "overpaid")}},
                "basis": {"type": "array", "items": {"type": "string"}},
                "importer": {"type": ["string", "null"]},
                "findings": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "string"}, "code": {"type": "string"},
                    "remedy": {"enum": _REMEDIES}}}},
            }}},
    },
}


def export_schema() -> dict:
    """The JSON Schema of the export document, from the document-type and finding-code tables."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "appraiser export document (SPEC section 4)",
        "type": "object",
        "required": ["documents", "entries", "findings"],
        "$defs": {"party": _PARTY, "provenance": _PROVENANCE, "fact": _FACT, "rule_error": _ERROR,
                  "decision": _DECISION, **_REVENUE_DEFS},
        "properties": {
            "documents": {"type": "array", "items": _document()},
            "entries": {"type": "array", "items": _entry()},
            "findings": {"type": "array", "items": _finding()},
            "errors": {"type": "array", "items": {"$ref": "#/$defs/rule_error"},
                       "description": "rules that failed (the tool's own failures): their findings are missing"},
            "triage": _TRIAGE,
        },
    }


def schema_text() -> str:
    return json.dumps(export_schema(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
