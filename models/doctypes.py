"""SPEC §4 document types and their fields, as data: one place to read what each type carries.

Kinds: ``id`` identifier (compared on letters and digits), ``text``, ``money``, ``decimal`` (quantities,
weights, rates), ``date`` (ISO), ``hts``, ``country`` (ISO alpha-2), ``currency`` (ISO 4217), ``code``
(an enumerated word), ``bool``, ``party``, ``int``, ``list`` (of ids), ``charges``, ``chemistry``,
``additional``, ``parties``, ``goods``, ``line_items``.
"""
from __future__ import annotations

PARTY = "party"

DOC_TYPES: dict[str, dict[str, str]] = {
    "commercial_invoice": {
        "invoice_number": "id", "invoice_date": "date", "po_number": "id", "seller": PARTY, "buyer": PARTY,
        "currency": "currency", "incoterm": "code", "incoterm_place": "text", "country_of_origin": "country",
        "subtotal": "money", "total": "money", "charges": "charges",
    },
    "packing_list": {
        "packing_list_number": "id", "invoice_number": "id", "po_number": "id", "seller": PARTY, "buyer": PARTY,
        "total_packages": "decimal", "total_net_weight_kg": "decimal", "total_gross_weight_kg": "decimal",
    },
    "mill_certificate": {
        "certificate_number": "id", "certificate_type": "code", "issue_date": "date", "mill": PARTY,
        "customer": PARTY, "po_number": "id", "invoice_number": "id", "product": "text",
        "specification": "text", "melt_country": "country", "pour_country": "country",
        "total_weight_kg": "decimal",
    },
    "entry_summary": {
        "entry_number": "id", "entry_type": "code", "summary_date": "date", "entry_date": "date",
        "port_code": "code", "importer": PARTY, "manufacturer_id": "id", "country_of_origin": "country",
        "exporting_country": "country", "mode_of_transport": "code", "related_party": "bool",
        "invoice_numbers": "list", "currency": "currency", "exchange_rate": "decimal",
        "total_entered_value": "money", "total_duty": "money", "mpf": "money", "hmf": "money", "total": "money",
    },
    "assist_invoice": {
        "invoice_number": "id", "invoice_date": "date", "supplier": PARTY, "buyer": PARTY, "ship_to": PARTY,
        "assist_kind": "code", "currency": "currency", "total": "money", "production_quantity": "decimal",
        "part_numbers": "list",
    },
    "agreement": {
        "agreement_type": "code", "parties": "parties", "effective_date": "date", "rate_percent": "decimal",
        "fixed_amount": "money", "currency": "currency", "royalty_base": "text", "condition_of_sale": "bool",
        "products": "text",
    },
    "payment_record": {
        "payer": PARTY, "payee": PARTY, "payment_date": "date", "amount": "money", "currency": "currency",
        "reference": "id", "purpose": "text",
    },
    "certificate_of_origin": {
        "certifier": PARTY, "exporter": PARTY, "producer": PARTY, "importer": PARTY, "agreement": "code",
        "blanket_period_from": "date", "blanket_period_to": "date", "goods": "goods",
    },
    "bill_of_lading": {
        "bl_number": "id", "shipper": PARTY, "consignee": PARTY, "vessel": "text", "port_of_loading": "text",
        "port_of_discharge": "text", "on_board_date": "date", "packages": "decimal", "gross_weight_kg": "decimal",
    },
    "other": {},
}

_INVOICE_LINE = {
    "line_no": "int", "part_number": "id", "description": "text", "hts": "hts", "quantity": "decimal",
    "unit": "code", "unit_price": "money", "amount": "money", "country_of_origin": "country",
}

LINE_ITEMS: dict[str, dict[str, str]] = {
    "commercial_invoice": _INVOICE_LINE,
    "assist_invoice": _INVOICE_LINE,
    "packing_list": {
        "line_no": "int", "part_number": "id", "description": "text", "quantity": "decimal", "unit": "code",
        "packages": "decimal", "net_weight_kg": "decimal", "gross_weight_kg": "decimal",
    },
    "mill_certificate": {
        "heat_number": "id", "grade": "text", "weight_kg": "decimal", "melt_country": "country",
        "pour_country": "country", "chemistry": "chemistry",
    },
    "entry_summary": {
        "line_no": "int", "hts": "hts", "description": "text", "entered_value": "money", "quantity": "decimal",
        "unit": "code", "duty_rate": "decimal", "duty": "money", "spi": "code", "related_party": "bool",
        "melt_country": "country", "additional": "additional",
    },
}

CHARGE_KINDS = ("freight", "insurance", "packing", "tooling", "assist", "royalty", "licence",
                "selling_commission", "buying_commission", "discount", "handling", "duty", "tax", "other")

ASSIST_KINDS = ("mould", "die", "tooling", "materials", "engineering", "design")

AGREEMENT_TYPES = ("royalty", "licence", "selling_commission", "buying_commission", "distribution", "supply")

DECIMAL_KINDS = {"money", "decimal"}


def field_kind(doc_type: str, name: str, line_item: bool = False) -> str | None:
    table = LINE_ITEMS.get(doc_type, {}) if line_item else DOC_TYPES.get(doc_type, {})
    return table.get(name)
