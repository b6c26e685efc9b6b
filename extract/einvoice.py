"""E-invoices read exactly: UN/CEFACT Cross Industry Invoice (Factur-X, ZUGFeRD 2.x, XRechnung CII, and the
ZUGFeRD 1.0 CrossIndustryDocument) and OASIS UBL 2.1 Invoice / CreditNote, with lxml, into a
``commercial_invoice`` (SPEC §4).

A file is an e-invoice by its XML root element (namespace and name), never by its file name: a standalone XML
file, or any file a PDF carries (the catalog's EmbeddedFiles name tree, ``/AF`` arrays, file-attachment
annotations). Which element each field is read from is the table ``SYNTAXES`` (the EN 16931 business terms are
named beside the paths); amounts, quantities and prices are the decimals as written, codes as given. Every
value's provenance carries the XPath of the element it came from, written with the prefixes of the syntax's
namespace map (``rsm``/``ram``/``udt``/``qdt`` for CII, ``ubl``/``cac``/``cbc`` for UBL) so that it evaluates
again with that map.

An e-invoice embedded in a PDF rides with a page a person reads and signs off: ``check_against_pages`` looks for
the key values (number, date, currency, totals, seller) in the page's text, tolerant of how the page writes
numbers and dates, and words every value it cannot find as a warning: a disagreement when the page's own reading
of that field differs, else a value the page does not print.
"""
from __future__ import annotations

import io

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from lxml import etree
from rapidfuzz import fuzz

from ..models.records import FieldSet, LineItem, Party, Provenance
from . import normalize as nz

MAX_XML_BYTES = 50 * 1024 * 1024  # larger than any invoice; a bigger attachment is not read

# -- namespaces --------------------------------------------------------------------------------------------

_UN = "urn:un:unece:uncefact:data:standard:"
_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
CII_NS = {"rsm": _UN + "CrossIndustryInvoice:100", "ram": _UN + "ReusableAggregateBusinessInformationEntity:100",
          "udt": _UN + "UnqualifiedDataType:100", "qdt": _UN + "QualifiedDataType:100"}
ZF1_NS = {"rsm": "urn:ferd:CrossIndustryDocument:invoice:1p0",
          "ram": _UN + "ReusableAggregateBusinessInformationEntity:12", "udt": _UN + "UnqualifiedDataType:15"}
UBL_COMMON = {"cac": _UBL + "CommonAggregateComponents-2", "cbc": _UBL + "CommonBasicComponents-2"}
UBL_INVOICE_NS = {"ubl": _UBL + "Invoice-2", **UBL_COMMON}
UBL_CREDIT_NS = {"ubl": _UBL + "CreditNote-2", **UBL_COMMON}

# -- code lists --------------------------------------------------------------------------------------------

# UNTDID 7143 item type codes under which a commodity classification is a tariff number: HS (Harmonised
# System), SRZ (Harmonized tariff schedule), CV (customs article number); and the plain names some producers use
HS_LIST_IDS = ("HS", "SRZ", "CV", "HTS", "HTSUS", "TARIC")
# UNTDID 7161 charge reason codes whose meaning is a SPEC charge kind (the rest go by their reason text)
CHARGE_REASON_CODES = {"FC": "freight", "IN": "insurance", "PC": "packing", "ABL": "packing"}
# UNTDID 1001 document type codes of credit notes (EN 16931 BT-3)
CREDIT_NOTE_TYPES = {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
INCOTERMS = {"EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP", "DAT", "DDU", "DAF",
             "DES", "DEQ"}


# -- the table of element paths ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Syntax:
    """Where one e-invoice syntax keeps each field: XPaths relative to the root (header, parties, document
    allowances and charges, lines) or to a party / allowance / line element; the first path with a value wins."""

    key: str
    title: str
    root: str  # local name of the root element
    ns: dict[str, str]
    header: dict[str, tuple[str, ...]]
    party: dict[str, tuple[str, ...]]
    lines: str
    line: dict[str, tuple[str, ...]]
    allowance_charges: str
    allowance_charge: dict[str, tuple[str, ...]]
    logistics_charges: str | None = None  # CII: logistics service charges (freight and the like)
    logistics_charge: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _hs(path: str) -> str:
    return path + "[" + " or ".join(f"@listID='{c}'" for c in HS_LIST_IDS) + "]"


def _cii(key: str, title: str, root: str, ns: dict[str, str], doc: str, trade: str, agreement: str,
         delivery: str, settlement: str, summation: str, line_agreement: str, line_delivery: str,
         line_settlement: str, line_summation: str) -> Syntax:
    """One CII table from the names its version gives the containers (D16B+ and ZUGFeRD 1.0 differ only there)."""
    a, d, s = f"{trade}/{agreement}", f"{trade}/{delivery}", f"{trade}/{settlement}"
    return Syntax(
        key=key, title=title, root=root, ns=ns,
        header={
            "invoice_number": (f"{doc}/ram:ID",),  # BT-1
            "invoice_date": (f"{doc}/ram:IssueDateTime/udt:DateTimeString",),  # BT-2
            "type_code": (f"{doc}/ram:TypeCode",),  # BT-3
            "po_number": (f"{a}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",),  # BT-13
            "currency": (f"{s}/ram:InvoiceCurrencyCode",),  # BT-5
            "incoterm": (f"{a}/ram:ApplicableTradeDeliveryTerms/ram:DeliveryTypeCode",
                         f"{d}/ram:ApplicableTradeDeliveryTerms/ram:DeliveryTypeCode"),  # BT-X-145
            "subtotal": (f"{s}/{summation}/ram:LineTotalAmount",),  # BT-106
            "total": (f"{s}/{summation}/ram:GrandTotalAmount",),  # BT-112
            "tax_basis_total": (f"{s}/{summation}/ram:TaxBasisTotalAmount",),  # BT-109
            "due_payable": (f"{s}/{summation}/ram:DuePayableAmount",),  # BT-115
            "seller": (f"{a}/ram:SellerTradeParty",),  # BG-4
            "buyer": (f"{a}/ram:BuyerTradeParty",),  # BG-7
        },
        party={
            "name": ("ram:Name", "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),  # BT-27 / BT-28
            "line1": ("ram:PostalTradeAddress/ram:LineOne",),  # BT-35
            "line2": ("ram:PostalTradeAddress/ram:LineTwo",),  # BT-36
            "line3": ("ram:PostalTradeAddress/ram:LineThree",),  # BT-162
            "postcode": ("ram:PostalTradeAddress/ram:PostcodeCode",),  # BT-38
            "city": ("ram:PostalTradeAddress/ram:CityName",),  # BT-37
            "subdivision": ("ram:PostalTradeAddress/ram:CountrySubDivisionName",),  # BT-39
            "country": ("ram:PostalTradeAddress/ram:CountryID",),  # BT-40
            "number": ("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",),  # BT-31
        },
        lines=f"{trade}/ram:IncludedSupplyChainTradeLineItem",  # BG-25
        line={
            "line_no": ("ram:AssociatedDocumentLineDocument/ram:LineID",),  # BT-126
            "part_number": ("ram:SpecifiedTradeProduct/ram:SellerAssignedID",),  # BT-155
            "description": ("ram:SpecifiedTradeProduct/ram:Name",),  # BT-153
            "hts": (_hs("ram:SpecifiedTradeProduct/ram:DesignatedProductClassification/ram:ClassCode"),),  # BT-158
            "quantity": (f"{line_delivery}/ram:BilledQuantity",),  # BT-129
            "unit": (f"{line_delivery}/ram:BilledQuantity/@unitCode",),  # BT-130
            "unit_price": (f"{line_agreement}/ram:NetPriceProductTradePrice/ram:ChargeAmount",),  # BT-146
            "amount": (f"{line_settlement}/{line_summation}/ram:LineTotalAmount",),  # BT-131
            "country_of_origin": ("ram:SpecifiedTradeProduct/ram:OriginTradeCountry/ram:ID",),  # BT-159
        },
        allowance_charges=f"{s}/ram:SpecifiedTradeAllowanceCharge",  # BG-20 / BG-21
        allowance_charge={
            "indicator": ("ram:ChargeIndicator/udt:Indicator",),
            "amount": ("ram:ActualAmount",),  # BT-92 / BT-99
            "reason_code": ("ram:ReasonCode",),  # BT-98 / BT-105
            "reason": ("ram:Reason",),  # BT-97 / BT-104
        },
        logistics_charges=f"{s}/ram:SpecifiedLogisticsServiceCharge",
        logistics_charge={"amount": ("ram:AppliedAmount",), "reason": ("ram:Description",)},
    )


def _ubl(key: str, title: str, root: str, ns: dict[str, str], line: str, quantity: str, type_code: str) -> Syntax:
    return Syntax(
        key=key, title=title, root=root, ns=ns,
        header={
            "invoice_number": ("cbc:ID",),  # BT-1
            "invoice_date": ("cbc:IssueDate",),  # BT-2
            "type_code": (type_code,),  # BT-3
            "po_number": ("cac:OrderReference/cbc:ID",),  # BT-13
            "currency": ("cbc:DocumentCurrencyCode",),  # BT-5
            "incoterm": ("cac:DeliveryTerms/cbc:ID",),
            "subtotal": ("cac:LegalMonetaryTotal/cbc:LineExtensionAmount",),  # BT-106
            "total": ("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",),  # BT-112
            "tax_basis_total": ("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",),  # BT-109
            "due_payable": ("cac:LegalMonetaryTotal/cbc:PayableAmount",),  # BT-115
            "seller": ("cac:AccountingSupplierParty/cac:Party",),  # BG-4
            "buyer": ("cac:AccountingCustomerParty/cac:Party",),  # BG-7
        },
        party={
            "name": ("cac:PartyLegalEntity/cbc:RegistrationName", "cac:PartyName/cbc:Name"),  # BT-27 / BT-28
            "line1": ("cac:PostalAddress/cbc:StreetName",),  # BT-35
            "line2": ("cac:PostalAddress/cbc:AdditionalStreetName",),  # BT-36
            "line3": ("cac:PostalAddress/cac:AddressLine/cbc:Line",),  # BT-162
            "postcode": ("cac:PostalAddress/cbc:PostalZone",),  # BT-38
            "city": ("cac:PostalAddress/cbc:CityName",),  # BT-37
            "subdivision": ("cac:PostalAddress/cbc:CountrySubentity",),  # BT-39
            "country": ("cac:PostalAddress/cac:Country/cbc:IdentificationCode",),  # BT-40
            "number": ("cac:PartyTaxScheme/cbc:CompanyID",),  # BT-31
        },
        lines=line,  # BG-25
        line={
            "line_no": ("cbc:ID",),  # BT-126
            "part_number": ("cac:Item/cac:SellersItemIdentification/cbc:ID",),  # BT-155
            "description": ("cac:Item/cbc:Name",),  # BT-153
            "hts": (_hs("cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode"),),  # BT-158
            "quantity": (quantity,),  # BT-129
            "unit": (quantity + "/@unitCode",),  # BT-130
            "unit_price": ("cac:Price/cbc:PriceAmount",),  # BT-146
            "amount": ("cbc:LineExtensionAmount",),  # BT-131
            "country_of_origin": ("cac:Item/cac:OriginCountry/cbc:IdentificationCode",),  # BT-159
        },
        allowance_charges="cac:AllowanceCharge",  # BG-20 / BG-21
        allowance_charge={
            "indicator": ("cbc:ChargeIndicator",),
            "amount": ("cbc:Amount",),  # BT-92 / BT-99
            "reason_code": ("cbc:AllowanceChargeReasonCode",),  # BT-98 / BT-105
            "reason": ("cbc:AllowanceChargeReason",),  # BT-97 / BT-104
        },
    )


SYNTAXES: dict[str, Syntax] = {s.key: s for s in (
    _cii("cii", "UN/CEFACT CII (Factur-X / ZUGFeRD 2 / XRechnung)", "CrossIndustryInvoice", CII_NS,
         doc="rsm:ExchangedDocument", trade="rsm:SupplyChainTradeTransaction",
         agreement="ram:ApplicableHeaderTradeAgreement", delivery="ram:ApplicableHeaderTradeDelivery",
         settlement="ram:ApplicableHeaderTradeSettlement",
         summation="ram:SpecifiedTradeSettlementHeaderMonetarySummation",
         line_agreement="ram:SpecifiedLineTradeAgreement", line_delivery="ram:SpecifiedLineTradeDelivery",
         line_settlement="ram:SpecifiedLineTradeSettlement",
         line_summation="ram:SpecifiedTradeSettlementLineMonetarySummation"),
    _cii("zugferd1", "ZUGFeRD 1.0 CrossIndustryDocument", "CrossIndustryDocument", ZF1_NS,
         doc="rsm:HeaderExchangedDocument", trade="rsm:SpecifiedSupplyChainTradeTransaction",
         agreement="ram:ApplicableSupplyChainTradeAgreement", delivery="ram:ApplicableSupplyChainTradeDelivery",
         settlement="ram:ApplicableSupplyChainTradeSettlement",
         summation="ram:SpecifiedTradeSettlementMonetarySummation",
         line_agreement="ram:SpecifiedSupplyChainTradeAgreement",
         line_delivery="ram:SpecifiedSupplyChainTradeDelivery",
         line_settlement="ram:SpecifiedSupplyChainTradeSettlement",
         line_summation="ram:SpecifiedTradeSettlementMonetarySummation"),
    _ubl("ubl-invoice", "OASIS UBL 2.1 Invoice", "Invoice", UBL_INVOICE_NS, line="cac:InvoiceLine",
         quantity="cbc:InvoicedQuantity", type_code="cbc:InvoiceTypeCode"),
    _ubl("ubl-creditnote", "OASIS UBL 2.1 CreditNote", "CreditNote", UBL_CREDIT_NS, line="cac:CreditNoteLine",
         quantity="cbc:CreditedQuantity", type_code="cbc:CreditNoteTypeCode"),
)}

# what each header and line value is, for reading it exactly
HEADER_KINDS = {"invoice_number": "id", "invoice_date": "date", "type_code": "code", "po_number": "id",
                "currency": "currency", "incoterm": "incoterm", "subtotal": "decimal", "total": "decimal",
                "tax_basis_total": "decimal", "due_payable": "decimal"}
LINE_KINDS = {"line_no": "int", "part_number": "id", "description": "text", "hts": "hts", "quantity": "decimal",
              "unit": "code", "unit_price": "decimal", "amount": "decimal", "country_of_origin": "country"}
# values read for the check against the page only, never exported as fields
CHECK_ONLY = ("type_code", "tax_basis_total", "due_payable")


class EInvoiceError(Exception):
    """The XML cannot be read as an e-invoice (malformed, or some other kind of XML)."""


@dataclass(frozen=True)
class InvoiceXml:
    """An e-invoice XML as found: its bytes, the syntax its root names, the attachment's name inside a PDF
    (None for a standalone file)."""

    data: bytes
    syntax: str
    name: str | None = None


@dataclass
class Invoice:
    fields: FieldSet
    items: list[LineItem]
    syntax: Syntax
    checks: dict[str, tuple[Any, Provenance]] = field(default_factory=dict)  # CHECK_ONLY values
    warnings: list[str] = field(default_factory=list)


# -- finding and parsing -----------------------------------------------------------------------------------

def _parser() -> etree.XMLParser:
    # no entities, no DTD, no network: an attachment is untrusted input
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(data: bytes):
    """The root element of an XML document; ``EInvoiceError`` when it is not well-formed."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise EInvoiceError(f"malformed XML: {exc}"[:300]) from None
    except ValueError as exc:
        raise EInvoiceError(f"malformed XML: {exc}"[:300]) from None
    if root is None:
        raise EInvoiceError("malformed XML: no root element")
    return root


def syntax_of(root) -> Syntax | None:
    """The e-invoice syntax a root element names (namespace and local name), or None."""
    qn = etree.QName(root)
    for s in SYNTAXES.values():
        if qn.localname == s.root and qn.namespace == s.ns["ubl" if "ubl" in s.ns else "rsm"]:
            return s
    return None


def _root_name(root) -> str:
    qn = etree.QName(root)
    return f"{{{qn.namespace}}}{qn.localname}" if qn.namespace else qn.localname


def looks_like_xml(head: bytes) -> bool:
    """Whether bytes begin an XML document (declaration, or a namespaced root element), not HTML."""
    t = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if t.startswith(b"<?xml"):
        return True
    if t[:200].lower().startswith((b"<!doctype html", b"<html")):
        return False
    return bool(re.match(rb"<(?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*[\s>/]", t)) and b"xmlns" in t[:2048]


def standalone(path: Path) -> InvoiceXml:
    """A standalone XML file as an e-invoice; ``EInvoiceError`` when it is malformed or not an invoice."""
    size = Path(path).stat().st_size
    if size > MAX_XML_BYTES:
        raise EInvoiceError(f"XML file too large to read ({size} bytes)")
    data = Path(path).read_bytes()
    root = parse(data)
    syntax = syntax_of(root)
    if syntax is None:
        raise EInvoiceError(f"XML document is not an e-invoice: its root element is {_root_name(root)}, not a "
                            "UN/CEFACT CrossIndustryInvoice nor a UBL Invoice or CreditNote")
    return InvoiceXml(data, syntax.key, None)


def _attachments(pdf, problems: list[str]) -> Iterator[tuple[str, bytes]]:
    """Every embedded file of a PDF, once each: the EmbeddedFiles name tree, the catalog's and pages' /AF
    arrays (PDF/A-3 associated files) and file-attachment annotations."""
    import pikepdf

    seen: set[tuple[int, int]] = set()

    def of_spec(spec, fallback: str) -> Iterator[tuple[str, bytes]]:
        if not isinstance(spec, pikepdf.Dictionary):
            return
        ef = spec.get("/EF")
        if not isinstance(ef, pikepdf.Dictionary):
            return
        stream = ef.get("/UF") or ef.get("/F")
        if not isinstance(stream, pikepdf.Stream):
            return
        key = stream.objgen
        if key != (0, 0):
            if key in seen:
                return
            seen.add(key)
        length = stream.get("/Length")
        if isinstance(length, int) and length > MAX_XML_BYTES:
            return
        try:
            data = stream.read_bytes()
        except (pikepdf.PikepdfError, RuntimeError, ValueError) as exc:  # a damaged stream: not readable
            problems.append(f"attached file {fallback or '(unnamed)'} cannot be read: {type(exc).__name__}")
            return
        yield str(spec.get("/UF") or spec.get("/F") or fallback), data

    try:
        for name, spec in pdf.attachments.items():
            yield from of_spec(spec.obj, name)
    except (pikepdf.PikepdfError, RuntimeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # a damaged EmbeddedFiles name tree: said, and the /AF arrays and annotations are still looked at
        problems.append(f"the PDF's EmbeddedFiles name tree cannot be read: {type(exc).__name__}")
    holders = [pdf.Root] + [p.obj for p in pdf.pages]
    for holder in holders:
        af = holder.get("/AF")
        if isinstance(af, pikepdf.Array):
            for spec in af:
                yield from of_spec(spec, "")
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            for annot in annots:
                if isinstance(annot, pikepdf.Dictionary) and annot.get("/Subtype") == "/FileAttachment":
                    yield from of_spec(annot.get("/FS"), "")


def embedded(path: Path) -> tuple[InvoiceXml | None, list[str]]:
    """The e-invoice XML a PDF carries (the first attachment whose root is CII or UBL), with warnings about
    attachments that look like XML but cannot be parsed. Never raises."""
    import pikepdf

    warnings: list[str] = []
    try:
        # opened from its bytes, not its name: a name that is not UTF-8 cannot cross into the PDF library
        pdf = pikepdf.open(io.BytesIO(Path(path).read_bytes()))
    except (pikepdf.PikepdfError, OSError, ValueError, RuntimeError):  # pdfplumber reports what is wrong with the
        return None, warnings  # file (recorded as its error); here it simply carries no attachment
    try:
        for name, data in _attachments(pdf, warnings):
            if not looks_like_xml(data[:4096]):
                continue
            try:
                root = parse(data)
            except EInvoiceError as exc:
                warnings.append(f"attached file {name or '(unnamed)'} is not read: {exc}")
                continue
            syntax = syntax_of(root)
            if syntax is not None:
                return InvoiceXml(data, syntax.key, name or None), warnings
    # the boundary of the attachment reading: a damaged object raises many kinds in pikepdf; recorded as a warning
    # with its type, and the page is still read
    except Exception as exc:
        warnings.append(f"the PDF's attachments cannot be listed: {type(exc).__name__}")
    finally:
        pdf.close()
    return None, warnings


# -- reading -----------------------------------------------------------------------------------------------

def xpath_of(node, prefixes: dict[str, str]) -> str:
    """An absolute XPath to an element (or attribute) with the syntax's prefixes and positions where an element
    has same-named siblings; it evaluates back to the node with the syntax's namespace map."""
    if isinstance(node, etree._ElementUnicodeResult) and node.is_attribute:
        return xpath_of(node.getparent(), prefixes) + "/@" + node.attrname
    parts: list[str] = []
    el = node
    while el is not None:
        qn = etree.QName(el)
        prefix = prefixes.get(qn.namespace) if qn.namespace else None
        if prefix:
            step = f"{prefix}:{qn.localname}"
        elif qn.namespace:
            step = f"*[local-name()='{qn.localname}']"
        else:
            step = qn.localname
        parent = el.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == el.tag]
            if len(same) > 1:
                step += f"[{same.index(el) + 1}]"
        parts.append(step)
        el = parent
    return "/" + "/".join(reversed(parts))


class _Reader:
    """Reads the values of one e-invoice with their provenance."""

    def __init__(self, root, syntax: Syntax, path: str) -> None:
        self.root, self.syntax, self.path = root, syntax, path
        self.prefixes = {uri: p for p, uri in syntax.ns.items()}

    def nodes(self, ctx, path: str) -> list:
        try:
            return ctx.xpath(path, namespaces=self.syntax.ns)
        except etree.XPathError:
            return []

    def raw(self, ctx, paths: Iterable[str]):
        """The first node under ``ctx`` on ``paths`` with a non-blank text, as (text, node)."""
        for path in paths:
            for node in self.nodes(ctx, path):
                text = str(node) if isinstance(node, etree._ElementUnicodeResult) else (node.text or "")
                if text.strip():
                    return text, node
        return None, None

    def prov(self, node, text: str) -> Provenance:
        return Provenance(self.path, None, None, "xml", 1.0, " ".join(text.split())[:200],
                          xpath_of(node, self.prefixes))

    def value(self, ctx, paths: Iterable[str], kind: str):
        text, node = self.raw(ctx, paths)
        if node is None:
            return None, None
        return convert(kind, text, node), self.prov(node, text)


def _date(text: str, node) -> str | None:
    t = text.strip()
    fmt = node.get("format") if hasattr(node, "get") else None
    if fmt in (None, "102") and re.fullmatch(r"\d{8}", t):  # UNTDID 2379 format 102: CCYYMMDD
        t = f"{t[:4]}-{t[4:6]}-{t[6:]}"
    elif fmt is not None:
        return None  # a month (610) or a week (616) is no date
    try:
        return date.fromisoformat(t[:10]).isoformat() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t[:10]) else None
    except ValueError:
        return None


def convert(kind: str, text: str, node=None) -> Any:
    """One element's text as the value of its kind; None when the text is not a value of that kind."""
    t = " ".join(str(text).split())
    if not t:
        return None
    if kind == "decimal":
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", t):
            return None
        try:
            return Decimal(t)
        except InvalidOperation:
            return None
    if kind == "date":
        return _date(t, node)
    if kind == "int":
        return int(t) if t.isascii() and t.isdigit() else None  # "²" is a digit to isdigit, no number to int
    if kind == "currency":
        return t.upper() if re.fullmatch(r"[A-Za-z]{3}", t) else None
    if kind == "country":
        return t.upper() if re.fullmatch(r"[A-Za-z]{2}", t) else None
    if kind == "incoterm":
        return t.upper() if t.upper() in INCOTERMS else None
    if kind == "hts":
        return nz.normalize_hts(t)
    return t  # id, code, text: as written, whitespace collapsed


def _party(r: _Reader, el) -> Party | None:
    values: dict[str, str | None] = {}
    for key, paths in r.syntax.party.items():
        text, _ = r.raw(el, paths)
        values[key] = " ".join(text.split()) if text else None
    city = " ".join(v for v in (values["postcode"], values["city"]) if v) or None
    lines = [v for v in (values["line1"], values["line2"], values["line3"], city, values["subdivision"]) if v]
    country = convert("country", values["country"] or "")
    party = Party(name=values["name"], address=", ".join(lines) or None, country=country, number=values["number"])
    return party if any((party.name, party.address, party.country)) else None


def _charges(r: _Reader) -> tuple[list[dict], Provenance | None]:
    """Document-level allowances (a discount, negative) and charges (kind by reason code, then reason text)."""
    from .common import charge_kind

    out: list[dict] = []
    first = None
    s = r.syntax
    for el in r.nodes(r.root, s.allowance_charges):
        amount = r.value(el, s.allowance_charge["amount"], "decimal")[0]
        if amount is None:
            continue
        indicator = (r.raw(el, s.allowance_charge["indicator"])[0] or "").strip().lower()
        code = (r.raw(el, s.allowance_charge["reason_code"])[0] or "").strip().upper()
        reason = " ".join((r.raw(el, s.allowance_charge["reason"])[0] or "").split())
        if indicator in ("true", "1"):
            kind = CHARGE_REASON_CODES.get(code) or (charge_kind(reason) if reason else None) or "other"
            if kind == "discount":  # a charge is never a reduction, whatever its wording
                kind = "other"
        else:
            kind, amount = "discount", -abs(amount)
        out.append({"kind": kind, "description": reason or code or None, "amount": amount})
        first = first if first is not None else el
    if s.logistics_charges:
        for el in r.nodes(r.root, s.logistics_charges):
            amount = r.value(el, s.logistics_charge["amount"], "decimal")[0]
            if amount is None:
                continue
            reason = " ".join((r.raw(el, s.logistics_charge["reason"])[0] or "").split())
            kind = (charge_kind(reason) if reason else None) or "freight"  # a logistics service is carriage
            out.append({"kind": kind, "description": reason or None, "amount": amount})
            first = first if first is not None else el
    for c in out:
        if c["description"] is None:
            del c["description"]
    return out, (r.prov(first, "") if first is not None else None)


def _sells_nothing(lf: FieldSet) -> bool:
    """A line of no quantity and no amount: a section heading or a note some producers write as a line (EN 16931
    allows neither; they carry zeros), not goods. A free item (quantity 1, amount 0) is goods."""
    quantity, amount = lf.get("quantity"), lf.get("amount")
    return not quantity and not amount


def read(source: InvoiceXml, path: str) -> Invoice:
    """The commercial invoice an e-invoice XML states; ``EInvoiceError`` when it cannot be read as one."""
    root = parse(source.data)
    syntax = syntax_of(root)
    if syntax is None:
        raise EInvoiceError(f"XML document is not an e-invoice: its root element is {_root_name(root)}")
    r = _Reader(root, syntax, path)
    fs = FieldSet()
    checks: dict[str, tuple[Any, Provenance]] = {}
    for name, paths in syntax.header.items():
        if name in ("seller", "buyer"):
            nodes = [n for p in paths for n in r.nodes(root, p)]
            if nodes:
                party = _party(r, nodes[0])
                fs.set(name, party, r.prov(nodes[0], party.name or "") if party else None)
            continue
        value, prov = r.value(root, paths, HEADER_KINDS[name])
        if name in CHECK_ONLY:
            if value is not None:
                checks[name] = (value, prov)
        else:
            fs.set(name, value, prov)
    charges, prov = _charges(r)
    fs.set("charges", charges, prov)
    items: list[LineItem] = []
    for el in r.nodes(root, syntax.lines):
        lf = FieldSet()
        for name, paths in syntax.line.items():
            value, prov = r.value(el, paths, LINE_KINDS[name])
            lf.set(name, value, prov)
        if _sells_nothing(lf):
            continue
        items.append(LineItem(lf, r.prov(el, str(lf.get("description") or ""))))
    warnings: list[str] = []
    type_code = checks.get("type_code", (None,))[0]
    if syntax.root == "CreditNote" or type_code in CREDIT_NOTE_TYPES:
        warnings.append(f"the e-invoice is a credit note{f' (document type {type_code})' if type_code else ''}: "
                        "its amounts are credited to the buyer, not charged")
    if not len(fs) and not items:
        raise EInvoiceError(f"{syntax.title} without any invoice data")
    return Invoice(fs, items, syntax, checks, warnings)


# -- the embedded XML against its page ---------------------------------------------------------------------

LABELS = {"invoice_number": "invoice number", "invoice_date": "invoice date", "currency": "currency",
          "subtotal": "subtotal (sum of line net amounts)", "total": "total (grand total)",
          "seller": "seller name"}
# amounts of the XML a page may print where it prints the field: (check value, what it is)
RELATED = {
    "subtotal": (("tax_basis_total", "total without VAT after document-level allowances and charges (BT-109)"),),
    "total": (("due_payable", "amount due for payment after prepaid amounts (BT-115)"),
              ("tax_basis_total", "total without VAT (BT-109)")),
}
NAME_THRESHOLD = 90


@dataclass
class _PageText:
    lines: list[list]  # words by line
    style: str | None
    order: str | None

    def windows(self, size: int = 3) -> Iterator[tuple[list, str]]:
        for ln in self.lines:
            for i in range(len(ln)):
                for k in range(1, size + 1):
                    if i + k <= len(ln):
                        yield ln[i:i + k], " ".join(w.text for w in ln[i:i + k])


def _page_text(pages: Sequence) -> _PageText:
    from .layout import lines_of

    words = [w for p in pages for w in p.words]
    lines = lines_of(words)
    texts = [w.text for w in words]
    style = nz.number_style(texts)
    order = nz.date_order([" ".join(w.text for w in ln) for ln in lines]) or nz.locale_date_order(texts, style)
    return _PageText(lines, style, order)


_WRITTEN_AMOUNT = re.compile(r"\d[.,]\d{1,4}(?!\d)")  # an amount the way a page prints one: with its decimals


def _numbers(pt: _PageText) -> set[Decimal]:
    """Every amount the page prints (written with decimals: a bare "95" is a code or a count as often as not),
    in the page's number style, also where a thousands space splits it into two words."""
    out: set[Decimal] = set()
    for words, text in pt.windows():
        if not _WRITTEN_AMOUNT.search(text):
            continue
        for candidate in {text, text.replace(" ", "")}:
            v = nz.parse_number(candidate, pt.style)
            if v is not None:
                out.add(v)
                out.add(abs(v))
    return out


def _printed(name: str, value: Any, pt: _PageText, numbers: set[Decimal]) -> bool:
    if name == "invoice_number":
        key = nz.id_key(value)
        return any(nz.id_key(text) == key for _, text in pt.windows())
    if name == "invoice_date":
        orders = [pt.order] if pt.order else ["dmy", "mdy"]
        for ln in pt.lines:
            text = " ".join(w.text for w in ln)
            if any(iso == value for o in orders for _, iso in nz.find_dates(text, o)):
                return True
        return False
    if name == "currency":
        return any(nz.currency_code(text) == value for _, text in pt.windows(2))
    if name in ("subtotal", "total"):
        return value in numbers
    if name == "seller":
        target = (value.name or "").casefold()
        if not target:
            return True
        return any(fuzz.partial_ratio(target, " ".join(w.text for w in ln).casefold()) >= NAME_THRESHOLD
                   for ln in pt.lines)
    return True


def _show(value: Any) -> str:
    if isinstance(value, Party):
        return value.name or ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "invoice_number":
        return nz.id_key(a) == nz.id_key(b)
    if name == "seller":
        return fuzz.token_sort_ratio((a.name or "").casefold(), (getattr(b, "name", None) or "").casefold()) >= 90
    return a == b


def _page_reading(pages: Sequence, path: str) -> tuple[FieldSet, str | None]:
    """What the page alone says of the invoice (the commercial-invoice extractor on the pages), and why it says
    nothing when the page reading failed."""
    from .registry import extractor_for

    extractor = extractor_for("commercial_invoice")
    if extractor is None or not pages:
        return FieldSet(), None
    try:
        fields, _ = extractor(pages, path)
    # the boundary of the page reading: it only words the warnings and never stops the XML reading; a defect in
    # it is said in a warning with its type
    except Exception as exc:
        return FieldSet(), f"the page could not be read to compare it with the XML: {type(exc).__name__}: {exc}"
    return fields, None


def check_against_pages(invoice: Invoice, pages: Sequence, path: str) -> list[str]:
    """Warnings for the key values of an embedded e-invoice that its pages do not print, or print otherwise."""
    if not any(p.words for p in pages):
        return ["the pages carry no readable text: the embedded e-invoice XML could not be checked against them"]
    pt = _page_text(pages)
    numbers = _numbers(pt)
    page = None
    out: list[str] = []
    for name, label in LABELS.items():
        value = invoice.fields.get(name)
        if value is None or _printed(name, value, pt, numbers):
            continue
        if page is None:
            page, failed = _page_reading(pages, path)
            if failed:
                out.append(failed)
        shown = page.get(name)
        prov = page.prov(name)
        written = repr(prov.text if prov is not None and prov.text else _show(shown))
        where = f" (page {prov.page})" if prov is not None and prov.page else ""
        note = ""
        for other, meaning in RELATED.get(name, ()):
            related = invoice.checks.get(other, (None,))[0]
            if related is not None and related != value and related in numbers and shown in (None, related):
                # the page prints another amount of the same invoice where this one would be: no disagreement
                note = (f"; the page's {written}{where} is the XML's {meaning}, {_show(related)}" if shown is not None
                        else f"; the page prints the XML's {meaning}, {_show(related)}")
                break
        if shown is not None and not note and not _same(name, value, shown):
            out.append(f"embedded XML {label} {_show(value)} disagrees with the page, which reads {written}{where}")
            continue
        out.append(f"embedded XML {label} {_show(value)} is not printed on the page{note}")
    return out


def read_into(doc, loaded) -> bool:
    """Fill ``doc`` from the e-invoice XML ``loaded`` carries, checked against its pages when it has some.

    False (with a warning) when the XML cannot be read and there are pages to read instead; an XML file without
    pages that cannot be read sets the document's error."""
    source: InvoiceXml = loaded.einvoice
    try:
        invoice = read(source, doc.path)
    except EInvoiceError as exc:
        if loaded.pages:
            doc.warnings.append(f"embedded e-invoice {source.name or 'XML'} is not read ({exc}); the page is read")
            return False
        doc.error = str(exc)
        return True
    doc.doc_type, doc.classification_confidence = "commercial_invoice", 1.0
    doc.fields, doc.line_items = invoice.fields, invoice.items
    doc.warnings.extend(invoice.warnings)
    if loaded.pages:
        doc.warnings.extend(check_against_pages(invoice, loaded.pages, doc.path))
    return True
