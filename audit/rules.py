"""The rule table: one spec per finding code, the one place that says everything about a rule.

A spec holds the code, severity, title, the full legal citation, when the finding matters to an auditor
(materiality), its revenue effect (duty, fees or none; underpaid or overpaid), what it needs (document types,
their fields, and fact kinds) and its check function. A new rule is one module exposing a check
``fn(ctx) -> list[Result]`` plus one ``RuleSpec`` in ``RULES`` below.

``rules_table()`` is the data that ``appraiser rules`` prints and that the README's rule table is generated
from (``python -m appraiser.audit.rules --readme README.md``, or ``make readme``); ``spec_problems()`` is what
the tests hold every spec to.
"""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from ..models.doctypes import FINDING_CODES, DocType, known_field

SEVERITIES = ("high", "medium", "low")
REVENUE_EFFECTS = ("duty", "fees")  # what a finding's money is; an empty tuple: no revenue effect
DIRECTIONS = ("underpaid", "overpaid")
# what a finding is, for the disclosure: a declaration the documents contradict (a false statement or omission),
# or a claim the documents reviewed do not support (a documentation gap: what is to be documented, not a false
# statement until it cannot be)
NATURES = ("misstatement", "gap")

CI, PL, MC, ES = DocType.COMMERCIAL_INVOICE, DocType.PACKING_LIST, DocType.MILL_CERTIFICATE, DocType.ENTRY_SUMMARY
AI, AG, PR, CO, BL = (DocType.ASSIST_INVOICE, DocType.AGREEMENT, DocType.PAYMENT_RECORD,
                      DocType.CERTIFICATE_OF_ORIGIN, DocType.BILL_OF_LADING)

# the legal texts more than one rule cites, written once
TAA = "19 U.S.C. 1401a (section 402 of the Tariff Act of 1930, as amended by the Trade Agreements Act of 1979)"
SECTION_232 = ("Section 232 of the Trade Expansion Act of 1962, 19 U.S.C. 1862; Proclamation 9705 of March 8, 2018, "
               "83 FR 11625 (steel), and Proclamation 9704 of March 8, 2018, 83 FR 11619 (aluminum); Proclamation 9980 "
               "of January 24, 2020, 85 FR 5281 (derivative articles); Proclamation 10896, 90 FR 9817 (steel), and "
               "Proclamation 10895, 90 FR 9807 (aluminum), of February 10, 2025 (country exemptions and exclusions "
               "ended); Proclamation 10947 of June 3, 2025, 90 FR 24199 (rate raised to 50 %, on the steel/aluminum "
               "content value)")
REASONABLE_CARE = "19 U.S.C. 1484(a)(1) (reasonable care in making entry)"


@dataclass(frozen=True)
class Needs:
    """What a rule reads: documents by type with the fields it reads from them (a document field or a field of
    its line items, SPEC §4 names), and the fact kinds it reads (``extract/facts.py`` FACT_KINDS)."""

    documents: Mapping[DocType, tuple[str, ...]] = field(default_factory=dict)
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSpec:
    code: str
    severity: str  # high | medium | low
    title: str
    legal_basis: str  # the full citation: statute, regulation, proclamations, cases and notices
    description: str  # what the rule checks and how the amount is measured
    materiality: str  # when the finding matters to an auditor
    revenue: tuple[str, ...]  # of REVENUE_EFFECTS; () = no revenue effect
    needs: Needs
    check: str  # "module:function" under appraiser.audit
    direction: str = "underpaid"
    # the evidence gate's own check of the values the finding rests on ("module:function" under appraiser.audit,
    # called as f(ctx, finding, verdict, settings)); None: the gate's default (confidence of the evidence) only
    gate: str | None = None
    nature: str = "misstatement"  # of NATURES
    # what the importer is to document (a gap's whole point; on a misstatement, what would settle its value)
    to_document: str = ""

    def function(self) -> Callable:
        return _resolve(self.check)

    def gate_function(self) -> Callable | None:
        return _resolve(self.gate) if self.gate else None

    @property
    def revenue_effect(self) -> str:
        return " + ".join(self.revenue) if self.revenue else "none"


def _resolve(ref: str) -> Callable:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(f"appraiser.audit.{module}"), name)


Rule = RuleSpec  # the name the rule modules have always used


RULES: list[RuleSpec] = [
    RuleSpec(
        "ASSIST_UNDECLARED", "high", "Undeclared assist",
        "19 U.S.C. 1401a(b)(1)(C) (assists), (h)(1) (definition); 19 CFR 152.102(a) (definition), "
        "152.103(d) (value of an assist) and (e) (apportionment)",
        "Molds, dies, tools, materials, engineering or design supplied by the buyer free or at reduced cost and not "
        "in the entered value; value = cost of acquisition plus transport to the producer, apportioned per unit over "
        "the production quantity or in full to the first entry.",
        "Always when the assist's apportioned value reaches the entry: assists are a frequent audit adjustment; "
        "the duty and MPF on the added value are owed, and a pattern across entries calls for a prior disclosure.",
        ("duty", "fees"),
        Needs({AI: ("assist_kind", "total", "currency", "buyer", "supplier", "ship_to", "part_numbers",
                    "production_quantity", "charges"),
               CI: ("invoice_number", "part_number", "quantity", "amount", "seller", "buyer"),
               ES: ("entered_value", "total_entered_value", "hts", "importer", "entry_date", "summary_date")}),
        "assists:check"),
    RuleSpec(
        "ROYALTY_UNDECLARED", "high", "Undeclared royalty or license fee",
        "19 U.S.C. 1401a(b)(1)(D); 19 CFR 152.103(b)(1); the three questions of the Hasbro II general notice, "
        "27 Cust. B. & Dec. No. 6 (1993)",
        "A royalty or license fee related to the goods and paid as a condition of their sale (the three Hasbro II "
        "questions), not in the entered value; amount from payment records, else rate × base.",
        "When the agreement covers the imported goods and the buyer cannot buy them without paying it: recurring "
        "payments make the shortfall grow entry by entry across the look-back period.",
        ("duty", "fees"),
        Needs({AG: ("agreement_type", "parties", "effective_date", "rate_percent", "fixed_amount", "currency",
                    "royalty_base", "condition_of_sale", "products"),
               PR: ("payer", "payee", "payment_date", "amount", "currency", "reference", "purpose"),
               CI: ("invoice_number", "seller", "buyer", "total", "part_number", "description", "quantity"),
               ES: ("entered_value", "hts", "invoice_numbers", "exchange_rate", "importer")},
              facts=("royalty_payment", "royalty_base", "party_role", "invoice_reference", "part_numbers")),
        "additions:royalty"),
    RuleSpec(
        "PACKING_UNDECLARED", "high", "Undeclared packing costs",
        "19 U.S.C. 1401a(b)(1)(A); 19 CFR 152.103(b)(1)",
        "Packing costs incurred by the buyer (containers, coverings, labour and materials of packing) not in the "
        "entered value.",
        "When the buyer pays for packing apart from the price; small per entry, but a systematic omission.",
        ("duty", "fees"),
        Needs({CI: ("charges", "currency", "invoice_number", "total"), PR: ("amount", "purpose", "payee"),
               ES: ("entered_value", "invoice_numbers")},
              facts=("packing_by_buyer", "invoice_reference")),
        "additions:packing"),
    RuleSpec(
        "SELLING_COMMISSION_UNDECLARED", "high", "Undeclared selling commission",
        "19 U.S.C. 1401a(b)(1)(B); 19 CFR 152.103(b)(1) (a buying commission is not an addition)",
        "A commission the buyer pays to the seller's agent (a selling commission, unlike a buying commission) not in "
        "the entered value.",
        "When the agent acts for the seller (the seller controls or pays the agent): the whole commission is "
        "dutiable; a commission correctly shown as a bona fide buying commission is not.",
        ("duty", "fees"),
        Needs({AG: ("agreement_type", "parties", "rate_percent", "fixed_amount", "currency"),
               CI: ("charges", "currency", "invoice_number", "total"), PR: ("amount", "payee", "purpose"),
               ES: ("entered_value", "invoice_numbers")},
              facts=("commission_type", "party_role", "invoice_reference")),
        "additions:selling_commission"),
    RuleSpec(
        "PROCEEDS_UNDECLARED", "high", "Undeclared proceeds of resale",
        "19 U.S.C. 1401a(b)(1)(E); 19 CFR 152.103(b)(1)",
        "Proceeds of a later resale, disposal or use of the goods that accrue to the seller, not in the entered "
        "value.",
        "When the seller shares in the buyer's resale revenue: the amount is unknown at entry and is often left out "
        "of every entry of the period.",
        ("duty", "fees"),
        Needs({AG: ("agreement_type", "parties", "rate_percent", "royalty_base", "products"),
               PR: ("payer", "payee", "amount", "currency", "purpose"),
               CI: ("invoice_number", "seller", "total"), ES: ("entered_value", "invoice_numbers")},
              facts=("proceeds_to_seller", "royalty_base", "invoice_reference")),
        "additions:proceeds"),
    RuleSpec(
        "UNDERVALUATION", "high", "Entered value below the price paid or payable",
        f"{TAA}, (b)(1) (transaction value) and (b)(4) (price actually paid or payable); 19 CFR 152.103(a)",
        "Entered value below the price actually paid or payable that the invoices and payments show, converted at the "
        "entry's exchange rate.",
        "Always above rounding: the core of a valuation audit; a gap repeated across entries or shown by payments "
        "above the invoice points to a second invoice.",
        ("duty", "fees"),
        Needs({CI: ("invoice_number", "total", "subtotal", "currency", "seller", "buyer", "charges", "incoterm",
                    "country_of_origin", "description", "hts"),
               PR: ("amount", "currency", "payer", "payee", "reference", "purpose"), AG: ("parties",),
               ES: ("entered_value", "total_entered_value", "invoice_numbers", "exchange_rate", "importer",
                    "manufacturer_id")},
              facts=("payment_for", "invoice_reference", "references")),
        "valuation:undervaluation", gate="gate:undervaluation"),
    RuleSpec(
        "DEDUCTION_UNSUPPORTED", "high", "Deduction from the price the documents do not support",
        f"{TAA}, (b)(3) (exclusions: international freight, insurance, post-importation costs, duties) and (b)(4); "
        "19 CFR 152.103(a)",
        "Freight, insurance or other charges deducted from the price beyond what the documents support; only "
        "international freight, insurance, post-importation costs and duties may be deducted.",
        "When the deduction is not separately identified on the invoice or exceeds what was paid for it: the "
        "excess is dutiable value.",
        ("duty", "fees"),
        Needs({CI: ("incoterm", "incoterm_place", "charges", "total", "subtotal", "currency", "invoice_number"),
               BL: ("port_of_loading", "port_of_discharge"),
               ES: ("entered_value", "total_entered_value", "invoice_numbers", "exchange_rate")},
              facts=("post_importation_charge", "payment_for")),
        "valuation:deductions"),
    RuleSpec(
        "METAL_CONTENT_MISSTATED", "high", "Section 232 metal content value understated",
        f"{SECTION_232}; CBP guidance on the steel and aluminum content of derivative articles",
        "Declared Section 232 steel or aluminum content value below the content value the documents support, under "
        "both readings (metal cost; entered value less non-metal components).",
        "At 50 % (since 4 June 2025) every dollar of content understated owes half a dollar of duty; CBP audits the "
        "content declaration of derivative articles.",
        ("duty", "fees"),
        Needs({ES: ("additional", "entered_value", "hts", "quantity", "unit", "entry_number", "invoice_numbers"),
               MC: ("heat_number", "total_weight_kg", "melt_country", "mill"),
               CI: ("invoice_number", "description", "amount", "currency", "total", "seller", "buyer")},
              facts=("metal_cost", "non_metal_value", "metal_content_value", "identifiers")),
        "section232:content"),
    RuleSpec(
        "MELT_POUR_MISMATCH", "medium", "Country of melt and pour misdeclared",
        f"{SECTION_232}; the melt-and-pour reporting of the entry summary (CBP Form 7501, block 21 of the 2024 form)",
        "Country of melt and pour on the mill certificate differs from the one declared on the entry.",
        "When the declared country changes the Section 232 rate or exemption (e.g. the UK rate, a country "
        "arrangement); otherwise a reporting error to correct.",
        ("duty", "fees"),
        Needs({MC: ("melt_country", "heat_number"), ES: ("melt_country", "hts", "additional", "entered_value")}),
        "section232:melt_pour"),
    RuleSpec(
        "SECTION232_UNDECLARED", "high", "Section 232 line missing",
        f"{SECTION_232}; HTSUS chapter 99, subchapter III (9903.81 steel, 9903.85 aluminum)",
        "Goods of chapters 72, 73 or 76 (or listed derivatives) entered without their chapter 99 line.",
        "Always: the whole Section 232 duty on the content value is unpaid.",
        ("duty", "fees"),
        Needs({ES: ("hts", "additional", "entered_value", "description", "country_of_origin"),
               MC: ("melt_country", "total_weight_kg")}),
        "section232:undeclared", gate="gate:section232_undeclared"),
    RuleSpec(
        "HTS_MISMATCH", "medium", "HTS number on the documents differs from the one declared",
        f"{REASONABLE_CARE}; 19 U.S.C. 1202 (HTSUS and its General Rules of Interpretation)",
        "The HTS number on the commercial documents differs from the one declared.",
        "When the rates differ (duty owed or refundable), or the HTS decides Section 232 or a preference; between "
        "equal rates a classification question to resolve, without revenue.",
        ("duty",),
        Needs({CI: ("invoice_number", "line_no", "hts", "description", "part_number", "amount", "quantity"),
               PL: ("description", "part_number"),
               MC: ("certificate_number",), CO: ("goods",),
               ES: ("hts", "spi", "duty_rate", "entered_value", "additional", "entry_number")}),
        "hts:hts", gate="gate:hts"),
    RuleSpec(
        "QUANTITY_MISMATCH", "medium", "Quantity or weight disagrees between the documents",
        f"{REASONABLE_CARE}; 19 CFR 141.86 (contents of invoices)",
        "Quantity or weight disagrees between invoice, packing list, mill certificate and entry.",
        "When the difference is beyond rounding and ties to value (goods shipped but not invoiced) or to the "
        "Section 232 content; otherwise a documentation error.",
        (),
        Needs({CI: ("quantity", "unit", "unit_price", "amount", "part_number", "description", "invoice_number",
                    "po_number", "subtotal", "total"),
               PL: ("quantity", "unit", "part_number", "net_weight_kg", "total_net_weight_kg", "packages",
                    "packing_list_number", "invoice_number", "po_number"),
               MC: ("certificate_number", "weight_kg", "total_weight_kg"),
               ES: ("quantity", "unit", "hts", "entered_value")}),
        "quantity:quantity", gate="gate:quantity"),
    RuleSpec(
        "ARITHMETIC_ERROR", "low", "Invoice arithmetic does not add up",
        "No statutory basis: an internal check of the commercial invoice, whose contents 19 CFR 141.86 "
        "prescribes",
        "Quantity × unit price, or the sum of the lines and charges, disagrees with the amount or total shown.",
        "When the error changes the total the entered value rests on; otherwise a sign of a re-typed or altered "
        "invoice worth a look.",
        (),
        Needs({CI: ("invoice_number", "quantity", "unit", "unit_price", "amount", "line_no", "subtotal", "total",
                    "charges", "currency"),
               AI: ("total", "currency"), PL: ("quantity", "part_number"), ES: ("total_entered_value", "hts")}),
        "arithmetic:arithmetic", gate="gate:arithmetic"),
    RuleSpec(
        "RELATED_PARTY_UNDECLARED", "medium", "Related parties declared as not related",
        f"{TAA}, (g) (related persons) and (b)(2)(B) (acceptability of transaction value between related "
        "persons); 19 CFR 152.103(j) (limitations on the use of transaction value)",
        "Documents show buyer and seller related (ownership, common officers, names or addresses) while the entry "
        "says not related.",
        "Always for the declaration; for value when the relationship influenced the price (circumstances of sale "
        "or test values), which the finding cannot measure by itself.",
        (),
        Needs({ES: ("related_party", "importer", "exchange_rate"),
               CI: ("seller", "buyer", "unit_price", "part_number", "description", "amount", "total", "currency"),
               AG: ("parties",), PR: ("payer", "payee")},
              facts=("ownership", "common_officers", "relationship", "pricing_basis")),
        "related_party:check",
        to_document="the circumstances of sale showing that the relationship did not influence the price, or a test "
                    "value the price closely approximates (19 U.S.C. 1401a(b)(2)(B); 19 CFR 152.103(j)(2), (l))"),
    RuleSpec(
        "FIRST_SALE_UNSUPPORTED", "high", "First-sale value without the evidence it needs",
        "Nissho Iwai American Corp. v. United States, 982 F.2d 505 (Fed. Cir. 1992); 19 CFR 152.103(a); "
        f"{TAA}, (b)(1)",
        "Entered value based on an earlier (first) sale without the evidence a first-sale claim needs; exposure = "
        "last-sale price − first-sale price.",
        "When the entered value rests on the earlier sale: without a bona fide sale, goods clearly destined for the "
        "United States and arm's-length pricing, the whole difference to the last sale is dutiable.",
        ("duty", "fees"),
        Needs({CI: ("seller", "buyer", "po_number", "incoterm", "incoterm_place"),
               AG: ("agreement_type",), BL: ("shipper", "consignee", "port_of_discharge", "bl_number"),
               ES: ("manufacturer_id", "importer")},
              facts=("first_sale_statement", "manufactured_by", "us_destination")),
        "first_sale:check", nature="gap",
        to_document="the first sale on which the entered value rests: the manufacturer's invoice and proof of payment, "
                    "that the goods were clearly destined for the United States when the manufacturer sold them, "
                    "and that the manufacturer and the middleman dealt at arm's length (Nissho Iwai American Corp. "
                    "v. United States, 982 F.2d 505 (Fed. Cir. 1992); 19 CFR 152.103(a)(1))"),
    RuleSpec(
        "FTA_CLAIM_UNSUPPORTED", "high", "Preference claim the documents do not support",
        "United States–Colombia Trade Promotion Agreement Implementation Act, Pub. L. 112-42; General Note 34, "
        "HTSUS; 19 CFR Part 10, Subpart T (19 CFR 10.3001 et seq.); 19 CFR 24.23(c) (MPF exemption of "
        "originating goods)",
        "A preference claimed (SPI) without a certification covering the goods and dates, or with non-originating "
        "content over the rule; a failed claim owes the duty and the MPF.",
        "Always when the claim fails: the general rate and the MPF the claim waived are owed on every entry the "
        "certification does not cover.",
        ("duty", "fees"),
        Needs({ES: ("spi", "hts", "entered_value", "entry_number", "importer"),
               CO: ("agreement", "blanket_period_from", "blanket_period_to", "goods", "exporter", "producer",
                    "importer"),
               CI: ("invoice_date", "seller", "currency", "description")},
              facts=("originating_materials", "non_originating_materials")),
        "fta:check", gate="gate:fta", nature="gap",
        to_document="the preference claimed: the certification of origin (or the records of the importer's knowledge) "
                    "the agreement requires, covering the goods, the parties and the date of entry, held when the "
                    "claim was made"),
    RuleSpec(
        "MPF_MISCALCULATED", "low", "Merchandise processing fee declared short",
        "19 U.S.C. 58c(a)(9) (merchandise processing fee); 19 CFR 24.23(b)(1) (0.3464 % ad valorem, with the "
        "fiscal year's minimum and maximum)",
        "The merchandise processing fee declared differs from the fee due (0.3464 % within the fiscal year's minimum "
        "and maximum).",
        "When the shortfall is more than cents: a fee error usually repeats on every entry of the filer's software "
        "setup.",
        ("fees",),
        Needs({ES: ("mpf", "total_entered_value", "entry_date", "entry_type")}),
        "fees:check", gate="gate:mpf"),
    RuleSpec(
        "DOCUMENT_MISSING", "medium", "Entry without its commercial invoice",
        "19 U.S.C. 1508 (recordkeeping) and 1509 (examination, (a)(1)(A) records); 19 CFR Part 163 and its "
        "Appendix (the (a)(1)(A) list)",
        "An entry without its commercial invoice in the folder.",
        "Always for an audit: a (a)(1)(A)-list record that cannot be produced exposes the importer to record-keeping "
        "penalties, and nothing in the entry can be checked against the sale.",
        (),
        Needs({ES: ("entry_number", "invoice_numbers"), CI: ("invoice_number",)}),
        "documents:check", gate="gate:document_missing", nature="gap",
        to_document="the commercial invoice of the entry (a record of the (a)(1)(A) list, 19 CFR part 163, "
                    "Appendix)"),
    # --- overpayments (direction "overpaid"): refunds due, never an offset against a loss (audit/overpaid.py) ---
    RuleSpec(
        "MPF_OVERPAID", "low", "Merchandise processing fee paid above the fee due",
        "19 U.S.C. 58c(a)(9) (merchandise processing fee); 19 CFR 24.23(b)(1) (0.3464 % ad valorem, with the "
        "fiscal year's minimum and maximum) and (c) (exemption of originating goods)",
        "The merchandise processing fee declared exceeds the fee due (0.3464 % of the value not exempt, within the "
        "fiscal year's minimum and maximum); the excess is refundable.",
        "When the excess is more than cents: a fee above the maximum or charged on exempt goods usually repeats on "
        "every entry of the filer's software setup.",
        ("fees",),
        Needs({ES: ("mpf", "total_entered_value", "entry_date", "entry_type", "spi")}),
        "overpaid:mpf_overpaid", direction="overpaid", gate="gate:mpf_overpaid"),
    RuleSpec(
        "DUTY_REFUNDABLE", "medium", "Duty paid under the IEEPA tariffs",
        "International Emergency Economic Powers Act, 50 U.S.C. 1701 et seq. (tariffs of HTSUS 9903.01 and "
        "9903.02); V.O.S. Selections, Inc. v. Trump (Fed. Cir. Aug. 29, 2025) (en banc: IEEPA does not authorize "
        "these tariffs); refund by post-summary correction, protest (19 U.S.C. 1514) or as the courts and CBP "
        "direct",
        "Duty declared on an entry line under a chapter 99 number of the IEEPA tariffs (9903.01, 9903.02): the duty "
        "paid (as declared, else rate × value) is listed for the refund procedure with the entry's liquidation "
        "status.",
        "Always while the entry can still be corrected, protested or reliquidated: the liquidation status decides "
        "which procedure is open.",
        ("duty",),
        Needs({ES: ("entry_number", "hts", "additional", "entered_value", "duty", "entry_date")}),
        "overpaid:duty_refundable", direction="overpaid", gate="gate:duty_refundable"),
    RuleSpec(
        "METAL_CONTENT_OVERSTATED", "low", "Section 232 duty paid on more than the metal content value",
        f"{SECTION_232}; refund by post-summary correction (19 CFR 101.9(b)) or protest (19 U.S.C. 1514)",
        "The Section 232 content value declared exceeds the higher of the documents' two readings (the price paid "
        "for the metal; the entered value less non-metal components), or the entered value where the law taxes the "
        "full value: the 232 duty the line paid on the excess is refundable.",
        "When the excess is a dollar or more of value and the documents state the metal's cost or the non-metal "
        "components; a line short of its content value is METAL_CONTENT_MISSTATED, never both.",
        ("duty",),
        Needs({ES: ("additional", "entered_value", "hts", "entry_number", "entry_date"),
               MC: ("heat_number", "total_weight_kg", "melt_country", "mill"),
               CI: ("invoice_number", "description", "amount", "currency", "total")},
              facts=("metal_cost", "non_metal_value", "metal_content_value", "identifiers")),
        "overpaid:metal_content_overstated", direction="overpaid", gate="gate:metal_content_overstated"),
    RuleSpec(
        "PREFERENCE_UNCLAIMED", "low", "Originating goods entered without their preference",
        "19 U.S.C. 1520(d) (post-importation claim for preferential tariff treatment); 19 CFR 182.31-182.33 "
        "(USMCA) and the like sections of each agreement's part: a refund of excess duties claimed within one year "
        "after the date of importation",
        "A line entered without a special program indicator whose goods a certification of origin filed with the "
        "shipment covers (its agreement, parties, goods and date): the duty paid less the duty at the preferential "
        "rate of the tariff file's special column is refundable; where that rate is unknown, no amount is counted.",
        "Within the year after importation, the only time a post-importation claim can be filed.",
        ("duty",),
        Needs({ES: ("entry_number", "entry_date", "hts", "entered_value", "duty", "duty_rate", "spi", "importer"),
               CO: ("agreement", "goods", "importer", "exporter", "producer", "blanket_period_from",
                    "blanket_period_to"),
               CI: ("invoice_number", "seller")}),
        "overpaid:preference_unclaimed", direction="overpaid", gate="gate:preference_unclaimed"),
    RuleSpec(
        "NONDUTIABLE_INCLUDED", "low", "Non-dutiable charges left in the entered value",
        f"{TAA}, (b)(3) (exclusions: international freight, insurance, costs after importation, duties and taxes) "
        "and (b)(4) (price actually paid or payable); 19 CFR 152.102(b) (buying commissions), 152.103(a)(5) and "
        "(i); refund by post-summary correction (19 CFR 101.9(b)) or protest (19 U.S.C. 1514)",
        "The entered value exceeds the price of the goods (with the statutory additions) by charges the invoice "
        "itemises as non-dutiable (international freight and insurance, a buying commission, duties and taxes, "
        "costs after importation): the duty and fees paid on them, up to the itemised amount, are refundable.",
        "When the excess is a dollar or more and the invoice itemises the charges; a CIF or DDP price entered whole "
        "usually repeats on every entry of the same terms.",
        ("duty", "fees"),
        Needs({CI: ("invoice_number", "total", "subtotal", "currency", "charges", "incoterm", "seller", "buyer"),
               PR: ("amount", "currency", "payer", "payee", "purpose"),
               ES: ("entered_value", "total_entered_value", "invoice_numbers", "exchange_rate", "importer")},
              facts=("post_importation_charge", "payment_for")),
        "overpaid:nondutiable_included", direction="overpaid", gate="gate:undervaluation"),
    RuleSpec(
        "FIRST_SALE_AVAILABLE", "low", "A first-sale value the documents support, below the entered value",
        "19 U.S.C. 1401a(b)(1); 19 CFR 152.103(a)(1); Nissho Iwai Am. Corp. v. United States, 982 F.2d 505 "
        "(Fed. Cir. 1992); refund by post-summary correction (19 CFR 101.9(b)) or protest (19 U.S.C. 1514)",
        "The entry declares the middleman's price while the documents carry every element of a first sale (the "
        "manufacturer's invoice, goods clearly destined for the United States, a sale at arm's length, the "
        "statutory additions): the duty and fees on the entered value above the first-sale value are refundable.",
        "When the middleman's mark-up is a dollar or more: a first sale, once documented, lowers the value of every "
        "entry of the same supply chain.",
        ("duty", "fees"),
        Needs({CI: ("invoice_number", "total", "currency", "seller", "buyer", "po_number", "incoterm",
                    "incoterm_place"),
               BL: ("shipper", "consignee", "port_of_discharge"),
               ES: ("entered_value", "total_entered_value", "invoice_numbers", "importer", "manufacturer_id")},
              facts=("us_destination", "first_sale_statement")),
        "overpaid:first_sale_available", direction="overpaid", gate="gate:undervaluation",
        to_document="the first-sale documents: the manufacturer's invoice and its payment, the purchase orders "
                    "and the shipping documents that show the goods destined for the United States"),
]

BY_CODE: dict[str, RuleSpec] = {r.code: r for r in RULES}


def fact_kinds() -> set[str] | None:
    """The fact kinds extraction knows (``extract/facts.py`` FACT_KINDS), or None while there is no such table."""
    try:
        from ..extract import facts
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith("extract.facts"):
            return None
        raise
    kinds = getattr(facts, "FACT_KINDS", None)
    return set(kinds) if kinds is not None else None


def spec_problems(spec: RuleSpec) -> list[str]:
    """What is wrong or missing in a spec (empty when complete)."""
    out = []
    if spec.code not in FINDING_CODES:
        out.append(f"{spec.code}: not a SPEC finding code")
    elif FINDING_CODES[spec.code] != spec.direction:
        out.append(f"{spec.code}: direction {spec.direction!r}, the SPEC says {FINDING_CODES[spec.code]!r}")
    if spec.severity not in SEVERITIES:
        out.append(f"{spec.code}: severity {spec.severity!r} not one of {SEVERITIES}")
    if spec.direction not in DIRECTIONS:
        out.append(f"{spec.code}: direction {spec.direction!r} not one of {DIRECTIONS}")
    for name in ("title", "legal_basis", "description", "materiality"):
        if not (getattr(spec, name) or "").strip() or getattr(spec, name).strip() in ("—", "-"):
            out.append(f"{spec.code}: no {name}")
    if spec.nature not in NATURES:
        out.append(f"{spec.code}: nature {spec.nature!r} not one of {NATURES}")
    elif spec.nature == "gap" and not spec.to_document.strip():
        out.append(f"{spec.code}: a documentation gap that does not say what is to be documented")
    if any(r not in REVENUE_EFFECTS for r in spec.revenue):
        out.append(f"{spec.code}: revenue effect {spec.revenue!r} not of {REVENUE_EFFECTS}")
    if not spec.needs.documents:
        out.append(f"{spec.code}: needs no document")
    for doc_type, names in spec.needs.documents.items():
        if not isinstance(doc_type, DocType):
            try:
                doc_type = DocType(doc_type)
            except ValueError:
                out.append(f"{spec.code}: unknown document type {doc_type!r}")
                continue
        if not names:
            out.append(f"{spec.code}: needs {doc_type} without naming a field")
        for n in names:
            if not known_field(doc_type, n):
                out.append(f"{spec.code}: {doc_type} has no field {n!r} in the SPEC table")
    if spec.needs.facts:
        known = fact_kinds()
        if known is None:
            out.append(f"{spec.code}: needs facts {spec.needs.facts} but extraction has no FACT_KINDS table")
        else:
            out.extend(f"{spec.code}: unknown fact kind {k!r}" for k in spec.needs.facts if k not in known)
    try:
        fn = spec.function()
    except (ImportError, AttributeError) as exc:
        out.append(f"{spec.code}: check {spec.check!r} not found ({type(exc).__name__}: {exc})")
    else:
        if not callable(fn):
            out.append(f"{spec.code}: check {spec.check!r} is not callable")
    if spec.gate is not None:
        try:
            if not callable(spec.gate_function()):
                out.append(f"{spec.code}: gate {spec.gate!r} is not callable")
        except (ImportError, AttributeError) as exc:
            out.append(f"{spec.code}: gate {spec.gate!r} not found ({type(exc).__name__}: {exc})")
    return out


def rules_table() -> list[dict]:
    """Every rule as plain data: what ``appraiser rules`` prints and the README's table is made of."""
    return [{"code": r.code, "severity": r.severity, "title": r.title, "legal_basis": r.legal_basis,
             "description": r.description, "materiality": r.materiality, "revenue": r.revenue_effect,
             "direction": r.direction, "nature": r.nature, "to_document": r.to_document,
             "needs": {str(t): list(names) for t, names in r.needs.documents.items()},
             "facts": list(r.needs.facts), "check": r.check, "gate": r.gate} for r in RULES]


README_BEGIN = "<!-- rules table: generated by `make readme` from audit/rules.py; do not edit by hand -->"
README_END = "<!-- end of rules table -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    """The README's rule table, in Markdown."""
    lines = ["| code | severity | revenue | legal basis | what it checks | when it matters | needs |",
             "|---|---|---|---|---|---|---|"]
    for r in rules_table():
        needs = "; ".join(f"`{t}`: {', '.join(n)}" for t, n in r["needs"].items())
        if r["facts"]:
            needs += "; facts: " + ", ".join(r["facts"])
        lines.append(f"| `{r['code']}` | {r['severity']} | {r['revenue']} ({r['direction']}) | "
                     f"{_cell(r['legal_basis'])} | {_cell(r['title'])}: {_cell(r['description'])} | "
                     f"{_cell(r['materiality'])} | {_cell(needs)} |")
    return "\n".join(lines)


def readme_with_table(text: str) -> str:
    """``text`` (the README) with the block between the markers replaced by the generated table."""
    start, end = text.index(README_BEGIN), text.index(README_END)
    return text[:start] + README_BEGIN + "\n\n" + rules_markdown() + "\n\n" + text[end:]


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--readme":
        path = Path(argv[1])
        path.write_text(readme_with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    print(rules_markdown())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
