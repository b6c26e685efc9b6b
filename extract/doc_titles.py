"""What documents call themselves, and what their tables and bodies carry, by SPEC document type.

Data only, read by :mod:`.classify`. Each entry is compared on folded tokens (case, accents and surrounding
punctuation ignored; an elided article such as "d'" splits off), so "Certificat d’origine" is
"certificat d origine". Chinese entries are compared on their characters with spaces ignored.

- ``TITLES``: the names a document of the type bears as its title, per language (ISO 639-1), the trade's
  standard names first: the EN 16931 / UN/CEFACT document names (commercial invoice 380, packing list 271,
  certificate of origin 861, bill of lading 705, remittance advice 481, inspection certificate EN 10204).
- ``ABBREVIATIONS``: a title that is only an abbreviation ("P/L", "B/L"): a title only when it stands alone
  (or before a number label) in the title position, never inside running text.
- ``SHARED_TITLES``: names that two types bear ("receipt": of a sale, or of a transfer); the body decides.
- ``BODY``: words and labels the type carries in its body, each weak on its own.
- ``TABLE_COLUMNS``: column headers by meaning, for what a document's table says it is: prices and amounts
  (an invoice), packages and weights without prices (a packing list), heat numbers beside element symbols
  (a mill certificate).
- ``ASSIST_CUES``: words that make an invoice an assist invoice (moulds, dies, tooling, engineering).
"""
from __future__ import annotations

TITLES: dict[str, dict[str, list[str]]] = {
    "commercial_invoice": {
        "en": ["commercial invoice", "invoice", "tax invoice", "customs invoice", "export invoice",
               "proforma invoice", "pro forma invoice", "sales invoice", "final invoice", "bill"],
        "es": ["factura comercial", "factura", "factura de exportacion", "factura proforma", "factura de venta",
               "factura electronica"],
        "pt": ["fatura comercial", "fatura", "factura comercial", "fatura proforma", "fatura de exportacao",
               "nota fiscal"],
        "fr": ["facture commerciale", "facture", "facture proforma", "facture pro forma", "facture d exportation",
               "facture definitive"],
        "de": ["handelsrechnung", "rechnung", "proformarechnung", "proforma rechnung", "exportrechnung",
               "zollfaktura", "zollrechnung"],
        "it": ["fattura commerciale", "fattura", "fattura proforma", "fattura accompagnatoria"],
        "nl": ["handelsfactuur", "factuur", "proforma factuur", "verkoopfactuur"],
        "zh": ["商业发票", "发票", "形式发票"],
        "other": ["faktura", "fatura", "rechnung invoice"],
    },
    "packing_list": {
        "en": ["packing list", "packing slip", "packing note", "weight list", "packing specification",
               "packing and weight list", "packing weight list", "weight note", "delivery note"],
        "es": ["lista de empaque", "lista de empaque y peso", "lista de empaques", "lista de embalaje",
               "lista de bultos", "relacion de bultos", "nota de entrega", "albaran"],
        "pt": ["romaneio", "romaneio de carga", "lista de embalagem", "lista de empacotamento",
               "lista de volumes"],
        "fr": ["liste de colisage", "note de colisage", "liste d emballage", "bon de livraison",
               "liste de colisage et poids"],
        "de": ["packliste", "packzettel", "lieferschein", "packschein", "gewichtsliste", "versandliste"],
        "it": ["distinta di imballaggio", "lista di imballaggio", "lista di imballo", "distinta colli",
               "distinta di imballo", "nota di imballaggio"],
        "nl": ["paklijst", "pakbon", "paklijst en gewichtslijst", "gewichtslijst"],
        "zh": ["装箱单", "包装单", "装箱清单", "包装清单", "码单", "重量单"],
    },
    "mill_certificate": {
        "en": ["mill test certificate", "mill test report", "mill certificate", "inspection certificate",
               "test certificate", "material test report", "material certificate", "certificate of inspection",
               "quality certificate", "certificate of quality", "mill inspection certificate",
               "inspection document", "test report"],
        "es": ["certificado de inspeccion", "certificado de calidad", "certificado de molino",
               "certificado de material", "certificado de ensayo", "certificado de prueba de molino"],
        "pt": ["certificado de qualidade", "certificado de inspecao", "certificado de usina",
               "certificado de material", "certificado de ensaio"],
        "fr": ["certificat de reception", "certificat d inspection", "certificat matiere",
               "certificat de controle", "releve de controle", "certificat de qualite"],
        "de": ["werkszeugnis", "abnahmeprufzeugnis", "abnahmeprufzeugnis 3 1", "abnahmeprufzeugnis 3.1",
               "prufbescheinigung", "materialzeugnis", "werksbescheinigung", "prufzeugnis"],
        "it": ["certificato di collaudo", "certificato di ispezione", "certificato di controllo",
               "certificato del materiale", "certificato di qualita"],
        "nl": ["inspectiecertificaat", "keuringscertificaat", "materiaalcertificaat"],
        "zh": ["质量证明书", "材质证明书", "产品质量证明书", "质保书", "检验证书", "材质书"],
        "tr": ["muayene belgesi", "kalite belgesi"],
    },
    "certificate_of_origin": {
        "en": ["certificate of origin", "certification of origin", "declaration of origin", "origin declaration",
               "statement on origin", "origin certification", "movement certificate"],
        "es": ["certificado de origen", "certificacion de origen", "declaracion de origen"],
        "pt": ["certificado de origem", "declaracao de origem"],
        "fr": ["certificat d origine", "declaration d origine"],
        "de": ["ursprungszeugnis", "ursprungserklarung", "ursprungsnachweis"],
        "it": ["certificato di origine", "dichiarazione di origine"],
        "nl": ["certificaat van oorsprong", "oorsprongscertificaat", "oorsprongsverklaring"],
        "zh": ["原产地证书", "原产地证明书", "原产地证明"],
    },
    "agreement": {
        "en": ["agreement", "licence agreement", "license agreement", "royalty agreement", "commission agreement",
               "agency agreement", "distribution agreement", "supply agreement", "memorandum of understanding",
               "license contract", "licence contract"],
        "es": ["contrato", "convenio", "acuerdo", "contrato de licencia", "contrato de distribucion",
               "contrato de suministro", "contrato de comision", "contrato de agencia"],
        "pt": ["contrato de licenca", "acordo", "contrato de distribuicao", "contrato de fornecimento"],
        "fr": ["contrat", "contrat de licence", "accord", "contrat de distribution", "contrat d agence",
               "contrat de fourniture"],
        "de": ["vertrag", "lizenzvertrag", "vereinbarung", "vertriebsvertrag", "liefervertrag",
               "provisionsvereinbarung", "handelsvertretervertrag"],
        "it": ["contratto", "contratto di licenza", "accordo", "contratto di distribuzione",
               "contratto di fornitura"],
        "nl": ["overeenkomst", "licentieovereenkomst", "distributieovereenkomst"],
        "zh": ["协议", "合同", "许可协议", "许可合同", "协议书"],
    },
    "payment_record": {
        "en": ["payment advice", "remittance advice", "wire transfer", "payment confirmation", "debit advice",
               "credit advice", "transfer confirmation", "swift", "mt103", "bank statement", "remittance",
               "proof of payment", "wire transfer confirmation", "swift confirmation",
               # a SWIFT MT103 message itself: field 23B, its bank operation code
               "23b cred", "23b crts", "23b spay", "23b spri", "23b sstd"],
        "es": ["comprobante de pago", "aviso de pago", "comprobante de transferencia", "transferencia bancaria",
               "orden de pago"],
        "pt": ["comprovante de pagamento", "aviso de pagamento", "comprovante de transferencia"],
        "fr": ["avis de paiement", "avis de virement", "ordre de virement", "confirmation de virement",
               "justificatif de paiement"],
        "de": ["zahlungsavis", "zahlungsbestatigung", "uberweisungsbestatigung", "uberweisungsauftrag",
               "gutschriftsanzeige", "lastschriftanzeige"],
        "it": ["avviso di pagamento", "contabile bancaria", "conferma di bonifico", "bonifico bancario"],
        "nl": ["betalingsbewijs", "betalingsadvies", "betaaladvies"],
        "zh": ["付款通知", "汇款通知", "付款凭证", "电汇凭证", "汇款凭证"],
    },
    "bill_of_lading": {
        "en": ["bill of lading", "sea waybill", "ocean bill of lading", "air waybill", "house bill of lading",
               "master bill of lading", "through bill of lading", "combined transport bill of lading",
               "multimodal transport document"],
        "es": ["conocimiento de embarque", "conocimiento de embarque maritimo", "guia aerea", "carta de porte"],
        "pt": ["conhecimento de embarque", "conhecimento de transporte"],
        "fr": ["connaissement", "lettre de transport aerien", "lettre de transport maritime"],
        "de": ["konnossement", "seefrachtbrief", "luftfrachtbrief"],
        "it": ["polizza di carico", "lettera di vettura aerea"],
        "nl": ["cognossement", "zeevrachtbrief", "luchtvrachtbrief"],
        "zh": ["提单", "海运提单", "空运提单"],
    },
    "entry_summary": {
        "en": ["entry summary", "cbp form 7501", "form 7501"],
        "es": ["resumen de entrada"],
    },
    # documents of a shipment that are none of the SPEC's types: known, so that they are not taken for one
    "other": {
        "en": ["arrival notice", "notice of arrival", "delivery order", "debit note", "credit note", "quotation",
               "statement of account", "booking confirmation", "purchase order", "proforma quotation"],
        "es": ["aviso de llegada", "orden de compra", "nota de credito", "nota de debito"],
        "pt": ["aviso de chegada", "pedido de compra", "nota de credito"],
        "fr": ["avis d arrivee", "bon de commande", "note de credit"],
        "de": ["ankunftsanzeige", "bestellschein"],
        "it": ["avviso di arrivo", "ordine di acquisto", "nota di credito"],
        "nl": ["aankomstbericht", "inkooporder", "creditnota"],
        "zh": ["到货通知", "采购订单", "报价单"],
    },
}

ABBREVIATIONS: dict[str, list[str]] = {
    "packing_list": ["p l", "pl"],
    "bill_of_lading": ["b l", "bl", "awb", "hbl", "mbl", "hawb", "mawb"],
    "mill_certificate": ["mtc", "mtr"],
    "certificate_of_origin": ["c o o"],
}

# a receipt is for a sale (an invoice, when it lists what was sold at what price) or for a transfer of money
SHARED_TITLES: dict[str, list[str]] = {
    "receipt": ["commercial_invoice", "payment_record"],
    "payment receipt": ["commercial_invoice", "payment_record"],
    "cash receipt": ["commercial_invoice", "payment_record"],
    "official receipt": ["commercial_invoice", "payment_record"],
    "recibo": ["commercial_invoice", "payment_record"],
    "recibo de pago": ["commercial_invoice", "payment_record"],
    "recibo de pagamento": ["commercial_invoice", "payment_record"],
    "recu": ["commercial_invoice", "payment_record"],
    "quittance": ["commercial_invoice", "payment_record"],
    "quittung": ["commercial_invoice", "payment_record"],
    "ricevuta": ["commercial_invoice", "payment_record"],
    "kwitantie": ["commercial_invoice", "payment_record"],
    "收据": ["commercial_invoice", "payment_record"],
    "invoice and packing list": ["commercial_invoice", "packing_list"],
    "commercial invoice and packing list": ["commercial_invoice", "packing_list"],
}

# a title word followed by one of these is a label ("Invoice No.", "Rechnungsdatum"), perhaps naming another
# document: weak evidence only
LABEL_FOLLOWERS = {"no", "nr", "number", "num", "#", "date", "ref", "reference", "id", "total", "value",
                   "amount", "nos", "numbers", "de", "type", "n", "nummer", "numero", "datum", "fecha", "data",
                   "nro", "n.°", "n.º", "n°", "nº", "n.o", "nr.", "号", "号码", "日期", "编号"}

# ... and one of these before it ("Numéro de facture", "Date of invoice", "Nummer des Lieferscheins"), with
# the little words between
LABEL_PRECEDERS = {"no", "nr", "number", "num", "numero", "nummer", "n", "date", "datum", "fecha", "data", "ref",
                   "reference", "referencia", "referenz", "id", "your", "our", "ihre", "unsere", "votre", "notre",
                   "su", "nuestra", "vostra", "nostra", "uw", "onze"}
LABEL_LINKS = {"de", "du", "des", "del", "der", "la", "le", "of", "the", "di", "della", "do", "da", "van", "het",
               "d", "l"}

BODY: dict[str, list[str]] = {
    "other": ["free time", "last free day", "storage charges", "terminal handling", "please present"],
    "entry_summary": [
        "filer code", "entry type", "summary date", "port code", "importer of record", "manufacturer id",
        "ultimate consignee", "entered value", "htsus", "bond type", "surety no", "mode of transport",
        "u s customs and border protection", "department of homeland security", "declarant", "block"],
    "commercial_invoice": [
        "invoice no", "invoice date", "unit price", "amount", "sold to", "bill to", "total", "incoterm",
        "terms of payment", "payment terms", "subtotal", "precio unitario", "importe", "einzelpreis",
        "amount due", "vat", "qty", "facture n", "numero de facture", "montant", "total ht", "total ttc", "tva",
        "prix unitaire", "factuurnummer", "factuurdatum", "btw", "totaal", "rechnungsnr", "rechnungsdatum",
        "mwst", "ust", "zeilenbetrag", "net a payer", "invoice number", "invoice total", "grand total",
        "total payable", "balance due", "amount payable", "zu zahlen", "gesamtbetrag", "totale fattura",
        "prezzo unitario", "imponibile", "iva", "te betalen", "valor total", "preco unitario", "total a pagar",
        "单价", "金额", "合计", "总计"],
    "packing_list": [
        "net weight", "gross weight", "cartons", "ctns", "packages", "peso neto", "peso bruto", "bundles",
        "dimensions", "cbm", "nettogewicht", "bruttogewicht", "pallets", "measurement", "poids net", "poids brut",
        "colis", "peso netto", "peso lordo", "colli", "nettogewicht", "brutogewicht", "peso liquido", "volumes",
        "packstucke", "净重", "毛重", "件数", "箱数"],
    "mill_certificate": [
        "heat no", "heat number", "chemical composition", "en 10204", "yield strength", "tensile strength",
        "elongation", "colada", "composicion quimica", "charpy", "melted", "mechanical properties",
        "ceq", "cev", "heat", "en 10168", "inspection document", "type of inspection document",
        "manufacturer's plant", "steelmaking process", "tensile test", "impact test", "notched bar impact test",
        "batch number", "product norm", "delivery condition", "schmelze", "chemische zusammensetzung",
        "streckgrenze", "zugfestigkeit", "bruchdehnung", "composition chimique", "coulee", "composizione chimica",
        "colata", "composicao quimica", "chemische samenstelling", "化学成分", "炉号", "屈服强度",
        "抗拉强度"],
    "agreement": [
        "whereas", "hereinafter", "party", "parties", "licensor", "licensee", "royalty", "term of this agreement",
        "in witness whereof", "governing law", "effective date", "commission", "agent", "principal",
        "shall", "termination"],
    "payment_record": [
        "beneficiary", "ordering customer", "value date", "remitter", "debit account", "credit account",
        "payment reference", "amount paid", "payer", "payee", "iban", "swift bic", "bic", "purpose of payment",
        "transaction reference", "bank", "beneficiario", "ordenante", "fecha valor", "auftraggeber",
        "begunstigter", "valuta", "donneur d ordre", "beneficiaire", "date de valeur", "ordinante",
        "data valuta", "begunstigde", "收款人", "付款人"],
    "certificate_of_origin": [
        "origin criterion", "blanket period", "certifier", "producer", "preference criterion",
        "criterio de origen", "tpa", "ctpa", "usmca", "free trade agreement", "rules of origin",
        "i certify", "certify that", "the undersigned"],
    "bill_of_lading": [
        "shipper", "consignee", "notify party", "vessel", "voyage", "port of loading", "port of discharge",
        "place of receipt", "on board", "freight collect", "freight prepaid", "container no", "seal no"],
}

# Column headers by what they mean (folded tokens; several languages). A header line is a line with two or
# more of these; its meaning is the set of kinds it names.
TABLE_COLUMNS: dict[str, list[str]] = {
    "price": [
        "unit price", "price", "rate", "unit cost", "price each", "unit value", "price unit", "u price",
        "precio unitario", "precio", "valor unitario", "preco unitario", "preco", "prix unitaire", "prix",
        "p u", "pu", "pu ht", "prix ht", "einzelpreis", "preis", "stuckpreis", "prezzo unitario", "prezzo",
        "eenheidsprijs", "prijs", "stukprijs", "单价", "价格"],
    "amount": [
        "amount", "line total", "total price", "extended price", "extension", "total value", "net amount",
        "total amount", "importe", "valor total", "monto", "montant", "montant ht", "total ht", "betrag",
        "gesamtpreis", "gesamtbetrag", "importo", "totale", "bedrag", "totaal", "value", "valor", "valeur",
        "wert", "valore", "waarde", "金额", "总价", "合计金额"],
    "quantity": [
        "qty", "quantity", "cantidad", "quantidade", "qtd", "quantite", "qte", "menge", "anzahl", "quantita",
        "qta", "aantal", "nombre", "nb", "pieces", "pcs", "units", "piezas", "pecas", "stuck", "pezzi", "stuks",
        "数量"],
    "description": [
        "description", "description of goods", "descripcion", "descricao", "designation", "bezeichnung",
        "beschreibung", "descrizione", "omschrijving", "品名", "货物描述", "描述"],
    "packages": [
        "cartons", "ctns", "ctn", "packages", "pkgs", "pkg", "bundles", "pallets", "bultos", "cajas", "volumes",
        "colis", "packstucke", "colli", "no of cartons", "no of packages", "crates", "cases", "boxes",
        "nombre de colis", "anzahl packstucke", "numero colli", "aantal colli", "件数", "箱数"],
    "net_weight": [
        "net weight", "net wt", "n w", "nw", "net kg", "net mass", "peso neto", "peso liquido", "poids net",
        "nettogewicht", "netto kg", "peso netto", "netto gewicht", "净重"],
    "gross_weight": [
        "gross weight", "gross wt", "g w", "gw", "gross kg", "gross mass", "peso bruto", "poids brut",
        "bruttogewicht", "brutto kg", "peso lordo", "brutogewicht", "bruto gewicht", "毛重"],
    "measurement": ["measurement", "dimensions", "cbm", "volume", "m3", "medidas", "abmessungen", "体积"],
    "heat": [
        "heat no", "heat number", "heat", "heat #", "cast no", "colada", "no colada", "schmelze", "schmelz nr",
        "melt no", "coulee", "colata", "corrida", "charge nr", "lot heat", "炉号"],
}

# Words that turn an invoice into an assist (tooling, moulds, engineering billed to the importer).
ASSIST_CUES = ["mould", "mold", "moulds", "molds", "injection mould", "injection mold", "progressive die",
               "stamping die", "forging die", "trim die", "cutting die", "extrusion die", "casting die", "die set",
               "progressive dies", "stamping dies", "forging dies",
               "tooling", "tool", "jig", "fixture", "cavity", "moulde", "molde", "moldes", "troquel",
               "engineering", "design services", "drawings", "werkzeug"]
