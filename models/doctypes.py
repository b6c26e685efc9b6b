"""SPEC §4 document types and their fields, as data: one place to read what each type carries.

Kinds: ``id`` identifier (compared on letters and digits), ``text``, ``money``, ``decimal`` (quantities,
weights, rates), ``date`` (ISO), ``hts``, ``country`` (ISO alpha-2), ``currency`` (ISO 4217), ``code``
(an enumerated word), ``bool``, ``party``, ``int``, ``list`` (of ids), ``charges``, ``chemistry``,
``additional``, ``parties``, ``goods``, ``line_items``.
"""
from __future__ import annotations

from enum import Enum

PARTY = "party"


class DocType(str, Enum):
    """The SPEC §4 document types; each value is the name the export writes."""

    COMMERCIAL_INVOICE = "commercial_invoice"
    PACKING_LIST = "packing_list"
    MILL_CERTIFICATE = "mill_certificate"
    ENTRY_SUMMARY = "entry_summary"
    ASSIST_INVOICE = "assist_invoice"
    AGREEMENT = "agreement"
    PAYMENT_RECORD = "payment_record"
    CERTIFICATE_OF_ORIGIN = "certificate_of_origin"
    BILL_OF_LADING = "bill_of_lading"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value

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
        # beyond the SPEC table: where the entry stands, from an ACE export (ES-003) or the declared-lines CSV
        "liquidation_status": "code", "liquidation_date": "date",
    },
    "assist_invoice": {
        "invoice_number": "id", "invoice_date": "date", "supplier": PARTY, "buyer": PARTY, "ship_to": PARTY,
        "assist_kind": "code", "currency": "currency", "total": "money", "production_quantity": "decimal",
        "part_numbers": "list",
        # beyond the SPEC table: transport of the assist to the producer is part of its value
        # (19 CFR 152.103(d)); the truth files carry it
        "charges": "charges",
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


# SPEC §4 finding codes: what a rule may report (underpayments first, then the overpayment codes)
FINDING_CODES: dict[str, str] = {
    "ASSIST_UNDECLARED": "underpaid", "ROYALTY_UNDECLARED": "underpaid", "PACKING_UNDECLARED": "underpaid",
    "SELLING_COMMISSION_UNDECLARED": "underpaid", "PROCEEDS_UNDECLARED": "underpaid", "UNDERVALUATION": "underpaid",
    "DEDUCTION_UNSUPPORTED": "underpaid", "METAL_CONTENT_MISSTATED": "underpaid", "MELT_POUR_MISMATCH": "underpaid",
    "SECTION232_UNDECLARED": "underpaid", "HTS_MISMATCH": "underpaid", "QUANTITY_MISMATCH": "underpaid",
    "ARITHMETIC_ERROR": "underpaid", "RELATED_PARTY_UNDECLARED": "underpaid", "FIRST_SALE_UNSUPPORTED": "underpaid",
    "FTA_CLAIM_UNSUPPORTED": "underpaid", "MPF_MISCALCULATED": "underpaid", "DOCUMENT_MISSING": "underpaid",
    "NONDUTIABLE_INCLUDED": "overpaid", "METAL_CONTENT_OVERSTATED": "overpaid", "MPF_OVERPAID": "overpaid",
    "PREFERENCE_UNCLAIMED": "overpaid", "FIRST_SALE_AVAILABLE": "overpaid", "DUTY_REFUNDABLE": "overpaid",
}

FINDING_STATUSES = ("open", "accepted", "dismissed", "to_verify")
DIRECTIONS = ("underpaid", "overpaid")


def fields_of(doc_type: str | DocType, line_item: bool = False) -> dict[str, str]:
    """The SPEC fields of a document type (or of its line items), name -> kind."""
    return (LINE_ITEMS if line_item else DOC_TYPES).get(str(doc_type), {})


def known_field(doc_type: str | DocType, name: str) -> bool:
    """Whether ``name`` is a field of the type or of its line items in the SPEC table."""
    return name in fields_of(doc_type) or name in fields_of(doc_type, line_item=True)
