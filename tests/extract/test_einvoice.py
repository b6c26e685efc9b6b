"""E-invoices: CII and UBL read exactly into a commercial invoice with XPath provenance, from a standalone XML file
or from a PDF's attachment; the attachment checked against the page; every bad XML an error document."""
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pikepdf
import pytest
from lxml import etree
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from appraiser.evaluation import score
from appraiser.extract import extract_file
from appraiser.extract import einvoice as ei
from appraiser.extract.load import load, sniff
from appraiser.external import strip_attachments
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parents[2]
FACTURX = ROOT.parent / "shared" / "corpus" / "external" / "facturx"
SCHEMA = json.loads((ROOT / "models" / "export.schema.json").read_text())

CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>INV-2024-117</ram:ID><ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20240305</udt:DateTimeString></ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:SellerAssignedID>BR-2201</ram:SellerAssignedID><ram:Name>Steel bracket, galvanised</ram:Name>
    <ram:DesignatedProductClassification><ram:ClassCode listID="HS">7308909590</ram:ClassCode></ram:DesignatedProductClassification>
    <ram:OriginTradeCountry><ram:ID>CN</ram:ID></ram:OriginTradeCountry></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>2.3750</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">1200</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>2850.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>2</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:SellerAssignedID>BR-2202</ram:SellerAssignedID><ram:Name>Mounting plate</ram:Name>
    <ram:DesignatedProductClassification><ram:ClassCode listID="BB">LOT-77</ram:ClassCode></ram:DesignatedProductClassification></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>12,50</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="KGM">40.500</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>506.25</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>3</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Name>Bolt M8</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>0.05</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">5000</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>250.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:SellerTradeParty><ram:Name>Ningbo Bright Metal Co., Ltd.</ram:Name>
    <ram:PostalTradeAddress><ram:PostcodeCode>315000</ram:PostcodeCode><ram:LineOne>88 Harbour Road</ram:LineOne>
     <ram:CityName>Ningbo</ram:CityName><ram:CountryID>CN</ram:CountryID></ram:PostalTradeAddress></ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Great Lakes Fabrication LLC</ram:Name>
    <ram:PostalTradeAddress><ram:PostcodeCode>48226</ram:PostcodeCode><ram:LineOne>400 Lafayette Blvd</ram:LineOne>
     <ram:LineTwo>Suite 12</ram:LineTwo><ram:CityName>Detroit</ram:CityName><ram:CountrySubDivisionName>MI</ram:CountrySubDivisionName>
     <ram:CountryID>US</ram:CountryID></ram:PostalTradeAddress></ram:BuyerTradeParty>
   <ram:ApplicableTradeDeliveryTerms><ram:DeliveryTypeCode>FOB</ram:DeliveryTypeCode></ram:ApplicableTradeDeliveryTerms>
   <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO 55-0193</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:InvoiceCurrencyCode>USD</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>false</udt:Indicator></ram:ChargeIndicator>
    <ram:ActualAmount>100.00</ram:ActualAmount><ram:ReasonCode>95</ram:ReasonCode><ram:Reason>Volume discount</ram:Reason></ram:SpecifiedTradeAllowanceCharge>
   <ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>true</udt:Indicator></ram:ChargeIndicator>
    <ram:ActualAmount>180.00</ram:ActualAmount><ram:ReasonCode>FC</ram:ReasonCode><ram:Reason>Trucking to port</ram:Reason></ram:SpecifiedTradeAllowanceCharge>
   <ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>true</udt:Indicator></ram:ChargeIndicator>
    <ram:ActualAmount>45.00</ram:ActualAmount><ram:Reason>Export packing</ram:Reason></ram:SpecifiedTradeAllowanceCharge>
   <ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>true</udt:Indicator></ram:ChargeIndicator>
    <ram:ActualAmount>12.00</ram:ActualAmount><ram:Reason>Zertifikat</ram:Reason></ram:SpecifiedTradeAllowanceCharge>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>3606.25</ram:LineTotalAmount><ram:AllowanceTotalAmount>100.00</ram:AllowanceTotalAmount>
    <ram:ChargeTotalAmount>237.00</ram:ChargeTotalAmount><ram:TaxBasisTotalAmount>3743.25</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="USD">0.00</ram:TaxTotalAmount><ram:GrandTotalAmount>3743.25</ram:GrandTotalAmount>
    <ram:DuePayableAmount>3743.25</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
 <cbc:ID>UBL-0042</cbc:ID>
 <cbc:IssueDate>2025-11-28</cbc:IssueDate>
 <cbc:{root}TypeCode>{type_code}</cbc:{root}TypeCode>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:OrderReference><cbc:ID>4500012345</cbc:ID></cac:OrderReference>
 <cac:AccountingSupplierParty><cac:Party>
  <cac:PartyName><cbc:Name>Tornillos Ibéricos</cbc:Name></cac:PartyName>
  <cac:PostalAddress><cbc:StreetName>Calle Mayor 5</cbc:StreetName><cbc:CityName>Bilbao</cbc:CityName>
   <cbc:PostalZone>48001</cbc:PostalZone><cac:Country><cbc:IdentificationCode>ES</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>ESB12345678</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Tornillos Ibéricos S.L.</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party>
  <cac:PostalAddress><cbc:StreetName>1 Commerce Way</cbc:StreetName><cbc:CityName>Newark</cbc:CityName>
   <cbc:PostalZone>07102</cbc:PostalZone><cbc:CountrySubentity>NJ</cbc:CountrySubentity>
   <cac:Country><cbc:IdentificationCode>US</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyLegalEntity><cbc:RegistrationName>Atlantic Fasteners Inc.</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingCustomerParty>
 <cac:DeliveryTerms><cbc:ID>CIF</cbc:ID></cac:DeliveryTerms>
 <cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:AllowanceChargeReasonCode>IN</cbc:AllowanceChargeReasonCode>
  <cbc:AllowanceChargeReason>Cargo cover</cbc:AllowanceChargeReason><cbc:Amount currencyID="EUR">25.00</cbc:Amount></cac:AllowanceCharge>
 <cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:AllowanceChargeReasonCode>95</cbc:AllowanceChargeReasonCode>
  <cbc:Amount currencyID="EUR">10.00</cbc:Amount></cac:AllowanceCharge>
 <cac:LegalMonetaryTotal>
  <cbc:LineExtensionAmount currencyID="EUR">1240.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="EUR">1255.00</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">1255.00</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="EUR">1255.00</cbc:PayableAmount>
 </cac:LegalMonetaryTotal>
 <cac:{root}Line><cbc:ID>10</cbc:ID><cbc:{qty} unitCode="KGM">800.0</cbc:{qty}>
  <cbc:LineExtensionAmount currencyID="EUR">1040.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Hex bolts, zinc plated</cbc:Name><cac:SellersItemIdentification><cbc:ID>HB-10</cbc:ID></cac:SellersItemIdentification>
   <cac:OriginCountry><cbc:IdentificationCode>ES</cbc:IdentificationCode></cac:OriginCountry>
   <cac:CommodityClassification><cbc:ItemClassificationCode listID="HS">731815</cbc:ItemClassificationCode></cac:CommodityClassification>
  </cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="EUR">1.30</cbc:PriceAmount></cac:Price>
 </cac:{root}Line>
 <cac:{root}Line><cbc:ID>20</cbc:ID><cbc:{qty} unitCode="H87">100</cbc:{qty}>
  <cbc:LineExtensionAmount currencyID="EUR">200.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Washers</cbc:Name></cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="EUR">2.00</cbc:PriceAmount></cac:Price>
 </cac:{root}Line>
</{root}>
"""


def _ubl(root: str = "Invoice", type_code: str = "380") -> str:
    qty = "InvoicedQuantity" if root == "Invoice" else "CreditedQuantity"
    return UBL.format(root=root, type_code=type_code, qty=qty)


def _doc(path: Path):
    doc, _ = extract_file(path, path.name)
    return doc


def _resolves(xml: bytes, syntax: str, xpath: str, text: str) -> None:
    """The provenance's XPath evaluates, with the syntax's prefixes, to the one node that holds the value."""
    root = etree.fromstring(xml)
    hits = root.xpath(xpath, namespaces=ei.SYNTAXES[syntax].ns)
    assert len(hits) == 1, xpath
    node = hits[0]
    got = str(node) if isinstance(node, str) else (node.text or "")
    assert " ".join(got.split()).startswith(text), (xpath, got, text)


# -- standalone XML -------------------------------------------------------------------------------------------

def test_standalone_cii_reads_every_field_exactly_with_xpaths(tmp_path):
    p = tmp_path / "invoice.xml"
    p.write_text(CII, encoding="utf-8")
    doc = _doc(p)
    assert doc.error is None and doc.doc_type == "commercial_invoice" and doc.pages == 0
    f = doc.fields
    assert f.get("invoice_number") == "INV-2024-117" and f.get("invoice_date") == "2024-03-05"
    assert f.get("po_number") == "PO 55-0193" and f.get("currency") == "USD" and f.get("incoterm") == "FOB"
    assert f.get("subtotal") == Decimal("3606.25") and f.get("total") == Decimal("3743.25")
    seller, buyer = f.get("seller"), f.get("buyer")
    assert (seller.name, seller.address, seller.country) == ("Ningbo Bright Metal Co., Ltd.",
                                                             "88 Harbour Road, 315000 Ningbo", "CN")
    assert (buyer.name, buyer.address, buyer.country) == ("Great Lakes Fabrication LLC",
                                                          "400 Lafayette Blvd, Suite 12, 48226 Detroit, MI", "US")
    assert f.get("charges") == [
        {"kind": "discount", "description": "Volume discount", "amount": Decimal("-100.00")},
        {"kind": "freight", "description": "Trucking to port", "amount": Decimal("180.00")},  # by its code FC
        {"kind": "packing", "description": "Export packing", "amount": Decimal("45.00")},  # by its wording
        {"kind": "other", "description": "Zertifikat", "amount": Decimal("12.00")},
    ]
    lines = [li.to_json() for li in doc.line_items]
    assert lines == [
        {"line_no": 1, "part_number": "BR-2201", "description": "Steel bracket, galvanised", "hts": "7308.90.9590",
         "quantity": "1200", "unit": "H87", "unit_price": "2.3750", "amount": "2850.00", "country_of_origin": "CN"},
        # a class code of another list (BB: lot number) is no HTS; a price written "12,50" is no decimal: absent
        {"line_no": 2, "part_number": "BR-2202", "description": "Mounting plate", "quantity": "40.500",
         "unit": "KGM", "amount": "506.25"},
        {"line_no": 3, "description": "Bolt M8", "quantity": "5000", "unit": "H87", "unit_price": "0.05",
         "amount": "250.00"},
    ]
    data = p.read_bytes()
    for name in ("invoice_number", "invoice_date", "total", "currency", "po_number"):
        prov = f.prov(name)
        assert prov.method == "xml" and prov.bbox is None and prov.page is None
        _resolves(data, "cii", prov.xpath, prov.text)
    assert f.prov("total").xpath.endswith("ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount")
    unit = doc.line_items[1].fields.prov("unit")
    assert unit.xpath.endswith("ram:IncludedSupplyChainTradeLineItem[2]/ram:SpecifiedLineTradeDelivery"
                               "/ram:BilledQuantity/@unitCode")
    _resolves(data, "cii", unit.xpath, "KGM")
    _resolves(data, "cii", doc.line_items[0].fields.prov("hts").xpath, "7308909590")
    _resolves(data, "cii", doc.line_items[2].prov.xpath + "/ram:SpecifiedTradeProduct/ram:Name", "Bolt M8")
    assert doc.warnings == []


def test_standalone_ubl_invoice_and_credit_note(tmp_path):
    p = tmp_path / "ubl-invoice.xml"
    p.write_text(_ubl(), encoding="utf-8")
    doc = _doc(p)
    assert doc.error is None and doc.doc_type == "commercial_invoice"
    f = doc.fields
    assert f.get("invoice_number") == "UBL-0042" and f.get("invoice_date") == "2025-11-28"
    assert f.get("po_number") == "4500012345" and f.get("incoterm") == "CIF" and f.get("currency") == "EUR"
    assert f.get("subtotal") == Decimal("1240.00") and f.get("total") == Decimal("1255.00")
    # the legal name (BT-27) before the trading name (BT-28)
    assert f.get("seller").name == "Tornillos Ibéricos S.L." and f.get("seller").country == "ES"
    assert f.get("seller").address == "Calle Mayor 5, 48001 Bilbao"
    assert f.get("buyer").name == "Atlantic Fasteners Inc." and f.get("buyer").address == "1 Commerce Way, 07102 Newark, NJ"
    assert f.get("charges") == [{"kind": "insurance", "description": "Cargo cover", "amount": Decimal("25.00")},
                                {"kind": "discount", "description": "95", "amount": Decimal("-10.00")}]
    assert [li.to_json() for li in doc.line_items] == [
        {"line_no": 10, "part_number": "HB-10", "description": "Hex bolts, zinc plated", "hts": "7318.15",
         "quantity": "800.0", "unit": "KGM", "unit_price": "1.30", "amount": "1040.00", "country_of_origin": "ES"},
        {"line_no": 20, "description": "Washers", "quantity": "100", "unit": "H87", "unit_price": "2.00",
         "amount": "200.00"},
    ]
    data = p.read_bytes()
    assert f.prov("total").xpath == "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"
    _resolves(data, "ubl-invoice", doc.line_items[1].fields.prov("amount").xpath, "200.00")
    assert doc.warnings == []

    c = tmp_path / "ubl-credit.xml"
    c.write_text(_ubl("CreditNote", "381"), encoding="utf-8")
    credit = _doc(c)
    assert credit.error is None and credit.get("total") == Decimal("1255.00")
    assert [li.get("quantity") for li in credit.line_items] == [Decimal("800.0"), Decimal("100")]
    assert credit.fields.prov("total").xpath == "/ubl:CreditNote/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"
    assert any("credit note" in w and "381" in w for w in credit.warnings)


def test_xml_is_sniffed_from_content_not_name(tmp_path):
    assert sniff(CII.encode()) == "xml"
    assert sniff(b"\xef\xbb\xbf" + CII.encode()) == "xml"
    assert sniff(b"<html><body>invoice</body></html>") is None
    odd = tmp_path / "scan0001.dat"  # an e-invoice saved under any name
    odd.write_text(_ubl(), encoding="utf-8")
    assert _doc(odd).get("invoice_number") == "UBL-0042"


@pytest.mark.parametrize("content, message", [
    (b"<?xml version='1.0'?><rsm:CrossIndustryInvoice xmlns:rsm='urn:un:unece:uncefact:data:standard:"
     b"CrossIndustryInvoice:100'><rsm:ExchangedDocument>", "malformed XML"),
    (b"<?xml version='1.0'?><Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'>"
     b"<ID>1</ID></Order>", "not an e-invoice"),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;&a;</x>", "not an e-invoice"),
    (b"<?xml version='1.0'?><rsm:CrossIndustryInvoice xmlns:rsm='urn:un:unece:uncefact:data:standard:"
     b"CrossIndustryInvoice:100'/>", "without any invoice data"),
])
def test_bad_xml_is_an_error_document_never_an_exception(tmp_path, content, message):
    p = tmp_path / "bad.xml"
    p.write_bytes(content)
    doc = _doc(p)
    assert doc.error and message in doc.error
    assert doc.doc_type == "other" and not len(doc.fields)


# -- XML carried by a PDF -------------------------------------------------------------------------------------

def _invoice_pdf(path: Path, total: str, date: str = "05.03.2024") -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    y = 780
    for text in ("Ningbo Bright Metal Co., Ltd.", "88 Harbour Road, 315000 Ningbo, China", "",
                 "COMMERCIAL INVOICE", f"Invoice No.: INV-2024-117        Date: {date}", "Currency: USD",
                 "Sold to: Great Lakes Fabrication LLC, 400 Lafayette Blvd, Detroit MI 48226, USA", "",
                 "Item   Description                    Qty      Unit price      Amount",
                 "1      Steel bracket, galvanised      1200     2.3750          2,850.00",
                 "2      Mounting plate                 40.5     12.50           506.25",
                 "3      Bolt M8                        5000     0.05            250.00", "",
                 "Subtotal                                                       3,606.25",
                 f"Total                                                          {total}"):
        c.drawString(50, y, text)
        y -= 18
    c.save()
    return path


def _attach(pdf_path: Path, data: bytes, name: str, how: str = "names") -> Path:
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        spec = pikepdf.AttachedFileSpec(pdf, data, filename=name, mime_type="text/xml")
        if how == "names":
            pdf.attachments[name] = spec
        else:  # an associated file only (PDF/A-3 /AF), outside the name tree
            pdf.Root.AF = pikepdf.Array([pdf.make_indirect(spec.obj)])
        pdf.save(pdf_path)
    return pdf_path


def test_pdf_attachment_is_read_and_agrees_with_its_page(tmp_path):
    pdf = _attach(_invoice_pdf(tmp_path / "agree.pdf", "3,743.25"), CII.encode(), "factur-x.xml")
    doc = _doc(pdf)
    assert doc.error is None and doc.pages == 1 and doc.doc_type == "commercial_invoice"
    assert doc.get("total") == Decimal("3743.25") and len(doc.line_items) == 3
    assert doc.fields.prov("total").method == "xml" and doc.fields.prov("total").xpath
    assert doc.warnings == []  # number, date (day first), currency, totals and seller all printed


def test_pdf_attachment_whose_total_the_page_contradicts_is_warned(tmp_path):
    pdf = _attach(_invoice_pdf(tmp_path / "disagree.pdf", "3,799.00"), CII.encode(), "factur-x.xml")
    doc = _doc(pdf)
    assert doc.get("total") == Decimal("3743.25")  # the XML states the invoice
    total = [w for w in doc.warnings if "total (grand total) 3743.25" in w]
    assert total and "disagrees with the page" in total[0] and "3,799.00" in total[0], doc.warnings
    assert not any("invoice number" in w or "currency" in w or "seller" in w for w in doc.warnings)


def test_pdf_attachment_found_by_content_through_af_only(tmp_path):
    pdf = _attach(_invoice_pdf(tmp_path / "af.pdf", "3,743.25"), CII.encode(), "attachment-1.bin", how="af")
    with pikepdf.open(pdf) as p:
        assert len(p.attachments) == 0  # not in the EmbeddedFiles name tree
    doc = _doc(pdf)
    assert doc.get("invoice_number") == "INV-2024-117" and doc.fields.prov("invoice_number").method == "xml"


def test_a_date_the_page_writes_otherwise_is_warned_as_not_printed(tmp_path):
    pdf = _attach(_invoice_pdf(tmp_path / "date.pdf", "3,743.25", date="06.03.2024"), CII.encode(), "f.xml")
    doc = _doc(pdf)
    assert any(w.startswith("embedded XML invoice date 2024-03-05") for w in doc.warnings), doc.warnings


def test_pdf_with_a_broken_attachment_or_none_reads_its_page(tmp_path):
    broken = _attach(_invoice_pdf(tmp_path / "broken.pdf", "3,743.25"), b"<?xml version='1.0'?><rsm:Cross",
                     "factur-x.xml")
    doc = _doc(broken)
    assert doc.error is None and doc.doc_type == "commercial_invoice"
    assert any("factur-x.xml" in w and "malformed XML" in w for w in doc.warnings)
    assert all(f.prov is None or f.prov.method != "xml" for f in doc.fields)

    other = _attach(_invoice_pdf(tmp_path / "other.pdf", "3,743.25"), b"<?xml version='1.0'?><note>hi</note>",
                    "note.xml")
    loaded = load(other, "other.pdf")
    assert loaded.einvoice is None and loaded.warnings == []


def test_stripped_copy_reads_from_its_page_without_xml_provenance(tmp_path):
    pdf = _attach(_invoice_pdf(tmp_path / "with.pdf", "3,743.25"), CII.encode(), "factur-x.xml")
    stripped = tmp_path / "without.pdf"
    strip_attachments(pdf, stripped)
    doc = _doc(stripped)
    assert doc.error is None and doc.doc_type == "commercial_invoice"
    assert doc.get("invoice_number") == "INV-2024-117"
    provs = [f.prov for f in doc.fields if f.prov] + [f.prov for li in doc.line_items for f in li.fields if f.prov]
    assert provs and all(p.method != "xml" and p.xpath is None for p in provs)
    assert doc.warnings == []


def test_export_carries_xpaths_and_warnings_through_the_store_and_the_schema(tmp_path):
    pdf = _attach(_invoice_pdf(tmp_path / "disagree.pdf", "3,799.00"), CII.encode(), "factur-x.xml")
    doc = _doc(pdf)
    store = Store(tmp_path / "t.db")
    store.save_document(doc, "test")
    back = store.documents()[0]
    assert back.warnings == doc.warnings and back.fields.prov("total").xpath == doc.fields.prov("total").xpath
    assert back.line_items[0].fields.prov("hts").xpath == doc.line_items[0].fields.prov("hts").xpath
    assert store.warnings() == [("disagree.pdf", w) for w in doc.warnings]
    export = store.export()
    jsonschema.validate(export, SCHEMA)
    d = export["documents"][0]
    assert d["warnings"] == doc.warnings
    total = d["provenance"]["fields"]["total"]
    assert total["method"] == "xml" and "bbox" not in total and total["xpath"].endswith("ram:GrandTotalAmount")
    assert d["provenance"]["line_item_fields"][0]["amount"]["xpath"]
    bad = json.loads(json.dumps(export))
    bad["documents"][0]["provenance"]["fields"]["total"]["bbox"] = [0, 0, 1, 1]  # a box and an XPath: refused
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
    store.close()


# -- the real Factur-X / ZUGFeRD invoices ------------------------------------------------------------------

@pytest.fixture(scope="module")
def facturx():
    if not (FACTURX / "truth.json").is_file():
        pytest.skip("external Factur-X corpus not present (../shared/corpus/external/facturx)")
    truth = json.loads((FACTURX / "truth.json").read_text(encoding="utf-8"))
    docs = {d["path"]: extract_file(FACTURX / d["path"], d["path"])[0] for d in truth["documents"]}
    return truth, docs


def test_real_facturx_invoices_read_exactly_from_their_xml(facturx):
    truth, docs = facturx
    rep = score(truth, {"documents": [d.to_json() for d in docs.values()]})
    fields, lines = rep.total("fields"), rep.total("lines")
    assert (fields.fp, fields.fn, lines.fp, lines.fn) == (0, 0, 0, 0), rep.to_json()
    assert fields.tp >= 35 and lines.tp >= 40
    for path, doc in docs.items():
        assert doc.error is None and doc.doc_type == "commercial_invoice"
        for f in doc.fields:
            assert f.prov.method == "xml" and f.prov.xpath and f.prov.bbox is None, (path, f.name)


def test_real_facturx_xpaths_resolve_in_the_attachment(facturx):
    _, docs = facturx
    for path, doc in docs.items():
        source, _ = ei.embedded(FACTURX / path)
        assert source is not None and source.name.endswith(".xml")
        for name in ("invoice_number", "total"):
            prov = doc.fields.prov(name)
            _resolves(source.data, source.syntax, prov.xpath, prov.text)


def test_real_facturx_pages_agree_with_their_xml_but_for_what_they_do_not_print(facturx):
    _, docs = facturx
    # Kraxi (ZUGFeRD 1.0) prints every key value of its XML: nothing to warn
    assert docs["mustang_library_zugferd_invoice.pdf"].warnings == []
    # the akretion template prints TOTAL HT after allowances and charges, not the sum of the lines
    w = docs["akretion_invoice_EN16931.pdf"].warnings
    assert len(w) == 1 and w[0].startswith("embedded XML subtotal (sum of line net amounts) 95.00 is not printed")
    assert "BT-109" in w[0] and "disagrees" not in w[0]


def test_a_finding_resting_on_an_xml_value_cites_its_xpath(tmp_path):
    from appraiser.models.records import Evidence, Finding

    p = tmp_path / "invoice.xml"
    p.write_text(CII, encoding="utf-8")
    prov = _doc(p).fields.prov("total")
    ev = Evidence.of(prov)
    assert ev.xpath == prov.xpath and ev.bbox is None and ev.page is None
    f = Finding("UNDERVALUATION", "high", "ABC-1234567-6", "t", "e", "b", evidence=[ev])
    j = f.to_json()
    jsonschema.validate({"documents": [], "entries": [], "findings": [j]}, SCHEMA)
    assert j["evidence"][0]["xpath"] == prov.xpath
    assert Finding.from_json(j).evidence[0].xpath == prov.xpath


def test_a_run_and_its_report_show_where_xml_and_page_disagree(tmp_path):
    from appraiser import pipeline
    from appraiser.audit.report import write_report

    folder = tmp_path / "shipment"
    folder.mkdir()
    _attach(_invoice_pdf(folder / "disagree.pdf", "3,799.00"), CII.encode(), "factur-x.xml")
    result = pipeline.run(folder, tmp_path / "run.db", workers=1)
    lines = list(pipeline.summary_lines(result))
    at = lines.index("Document warnings (read, but check these):")
    assert lines[at + 1].startswith("  disagree.pdf: ") and "disagrees with the page" in lines[at + 1]
    from appraiser.models.store import Store

    store = Store(tmp_path / "run.db")
    try:
        html = write_report(store, tmp_path / "out", root=str(folder))["html"].read_text(encoding="utf-8")
    finally:
        store.close()
    assert "<h2>Document warnings</h2>" in html and "3,799.00" in html


def test_a_section_heading_written_as_a_line_of_zeros_is_no_goods(tmp_path):
    heading = """  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>0</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Name>--- Brackets ---</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>0.00</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">0</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>0.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
"""
    p = tmp_path / "sections.xml"
    p.write_text(CII.replace("  <ram:IncludedSupplyChainTradeLineItem>", heading + "  <ram:IncludedSupplyChainTradeLineItem>", 1),
                 encoding="utf-8")
    plain = tmp_path / "plain.xml"
    plain.write_text(CII, encoding="utf-8")
    doc, ref = _doc(p), _doc(plain)
    assert len(doc.line_items) == len(ref.line_items) == 3
    assert all(it.get("description") != "--- Brackets ---" for it in doc.line_items)
