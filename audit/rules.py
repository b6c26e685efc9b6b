"""The rule table: every finding code with its severity, legal basis, what it checks and where its check
lives. One line per rule; a new rule is one module exposing ``check(ctx)`` plus one line here.
``appraiser rules`` prints this table."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: str  # high | medium | low
    legal_basis: str
    description: str
    check: str  # "module:function" under appraiser.audit

    def function(self) -> Callable:
        module, _, name = self.check.partition(":")
        return getattr(importlib.import_module(f"appraiser.audit.{module}"), name)


RULES: list[Rule] = [
    Rule("ASSIST_UNDECLARED", "high", "19 U.S.C. 1401a(b)(1)(C); 19 CFR 152.102(a), 152.103(d)–(e)",
         "Moulds, dies, tools, materials, engineering or design supplied by the buyer free or at reduced cost "
         "and not in the entered value; value = cost of acquisition plus transport to the producer, "
         "apportioned per unit over the production quantity or in full to the first entry.",
         "assists:check"),
    Rule("ROYALTY_UNDECLARED", "high", "19 U.S.C. 1401a(b)(1)(D)",
         "A royalty or licence fee related to the goods and paid as a condition of their sale (the three "
         "Hasbro II questions), not in the entered value; amount from payment records, else rate × base.",
         "additions:royalty"),
    Rule("PACKING_UNDECLARED", "high", "19 U.S.C. 1401a(b)(1)(A)",
         "Packing costs incurred by the buyer (containers, coverings, labour and materials of packing) not in "
         "the entered value.", "additions:packing"),
    Rule("SELLING_COMMISSION_UNDECLARED", "high", "19 U.S.C. 1401a(b)(1)(B)",
         "A commission the buyer pays to the seller's agent (a selling commission, unlike a buying commission) "
         "not in the entered value.", "additions:selling_commission"),
    Rule("PROCEEDS_UNDECLARED", "high", "19 U.S.C. 1401a(b)(1)(E)",
         "Proceeds of a later resale, disposal or use of the goods that accrue to the seller, not in the "
         "entered value.", "additions:proceeds"),
    Rule("UNDERVALUATION", "high", "19 U.S.C. 1401a(b)(1), (b)(4)",
         "Entered value below the price actually paid or payable that the invoices and payments show, converted "
         "at the entry's exchange rate.", "valuation:undervaluation"),
    Rule("DEDUCTION_UNSUPPORTED", "high", "19 U.S.C. 1401a(b)(3), (b)(4)",
         "Freight, insurance or other charges deducted from the price beyond what the documents support; only "
         "international freight, insurance, post-importation costs and duties may be deducted.",
         "valuation:deductions"),
    Rule("METAL_CONTENT_MISSTATED", "high", "Section 232 proclamations; CBP guidance",
         "Declared Section 232 steel or aluminium content value below the content value the documents support, "
         "under both readings (metal cost; entered value less non-metal components).", "section232:content"),
    Rule("MELT_POUR_MISMATCH", "medium", "Section 232 proclamations",
         "Country of melt and pour on the mill certificate differs from the one declared on the entry.",
         "section232:melt_pour"),
    Rule("SECTION232_UNDECLARED", "high", "Section 232 proclamations",
         "Goods of chapters 72, 73 or 76 (or listed derivatives) entered without their chapter 99 line.",
         "section232:undeclared"),
    Rule("HTS_MISMATCH", "medium", "19 U.S.C. 1484 (reasonable care)",
         "The HTS number on the commercial documents differs from the one declared.", "consistency:hts"),
    Rule("QUANTITY_MISMATCH", "medium", "19 U.S.C. 1484",
         "Quantity or weight disagrees between invoice, packing list, mill certificate and entry.",
         "consistency:quantity"),
    Rule("ARITHMETIC_ERROR", "low", "—",
         "Quantity × unit price, or the sum of the lines and charges, disagrees with the amount or total shown.",
         "consistency:arithmetic"),
    Rule("RELATED_PARTY_UNDECLARED", "medium", "19 U.S.C. 1401a(g)",
         "Documents show buyer and seller related (ownership, common officers, names or addresses) while the "
         "entry says not related.", "related_party:check"),
    Rule("FIRST_SALE_UNSUPPORTED", "high", "Nissho Iwai; 19 CFR 152.103(a)",
         "Entered value based on an earlier (first) sale without the evidence a first-sale claim needs; "
         "exposure = last-sale price − first-sale price.", "first_sale:check"),
    Rule("FTA_CLAIM_UNSUPPORTED", "high", "e.g. CTPA, General Note 34",
         "A preference claimed (SPI) without a certification covering the goods and dates, or with non-"
         "originating content over the rule; a failed claim owes the duty and the MPF.", "fta:check"),
    Rule("MPF_MISCALCULATED", "low", "19 CFR 24.23",
         "The merchandise processing fee declared differs from the fee due (0.3464 % within the fiscal year's "
         "minimum and maximum).", "fees:check"),
    Rule("DOCUMENT_MISSING", "medium", "19 U.S.C. 1509",
         "An entry without its commercial invoice in the folder.", "documents:check"),
]

BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
