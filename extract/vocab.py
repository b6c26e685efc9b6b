"""Label vocabularies: how documents name their fields and table columns, in English, Spanish and German.

Data only, one place. A new wording is one more string in a list. Each label is matched on tokens
(case, accents and surrounding punctuation ignored; ``/`` and ``:`` split tokens), exactly with spaCy's
PhraseMatcher and, on OCR text, fuzzily with rapidfuzz. The longest match wins where labels overlap,
so "total net weight" beats "total".
"""
from __future__ import annotations

# Key–value labels. Keys are concepts; the extractors map them to SPEC fields.
FIELD_LABELS: dict[str, list[str]] = {
    "invoice_number": [
        "invoice no", "invoice number", "invoice #", "inv #", "inv no", "invoice nr", "invoice num",
        "commercial invoice no", "commercial invoice number", "invoice", "inv", "invoice ref",
        "factura no", "factura nº", "factura n", "factura #", "no de factura", "numero de factura",
        "n de factura", "factura comercial no", "folio", "rechnung nr", "rechnungsnummer", "rechnungs-nr",
        "rechnung no", "bill no", "bill number", "document no", "invoice id",
    ],
    "invoice_date": [
        "invoice date", "date of invoice", "inv date", "date", "dated", "fecha", "fecha de factura",
        "fecha de emision", "rechnungsdatum", "datum", "issue date", "date of issue", "billing date",
        "fecha factura",
    ],
    "po_number": [
        "po no", "po number", "po #", "p o no", "p o", "po", "purchase order", "purchase order no",
        "purchase order number", "your order", "your order no", "customer po", "order no", "order number",
        "orden de compra", "oc", "o c", "pedido", "pedido no", "no de pedido", "bestellnummer", "bestellung",
        "ihre bestellung", "customer order", "cust po", "buyer's order no", "buyer order",
    ],
    "seller": [
        "seller", "vendor", "supplier", "exporter", "shipper", "sold by", "from", "manufacturer/seller",
        "vendedor", "exportador", "proveedor", "remitente", "verkaufer", "lieferant", "beneficiary",
    ],
    "buyer": [
        "buyer", "sold to", "bill to", "billed to", "invoice to", "customer", "purchaser", "importer",
        "comprador", "facturar a", "vendido a", "cliente", "kaeufer", "kaufer", "rechnungsempfanger",
        "consignee/buyer", "messrs",
    ],
    "ship_to": [
        "ship to", "shipped to", "deliver to", "delivery address", "consignee", "ship-to", "enviar a",
        "consignatario", "destinatario", "entregar a", "lieferadresse", "lieferanschrift", "delivered to",
        "deliver to manufacturer",
    ],
    "currency": ["currency", "moneda", "divisa", "wahrung", "currency code", "amounts in", "all amounts in"],
    "incoterm": [
        "incoterm", "incoterms", "terms of delivery", "delivery terms", "terms of sale", "trade terms",
        "shipping terms", "condiciones de entrega", "termino de venta", "lieferbedingungen", "terms",
    ],
    "payment_terms": ["payment terms", "terms of payment", "condiciones de pago", "zahlungsbedingungen"],
    "country_of_origin": [
        "country of origin", "origin", "coo", "made in", "country of manufacture", "pais de origen",
        "origen", "ursprungsland", "ursprung", "country of origin of goods",
    ],
    "subtotal": ["subtotal", "sub total", "sub-total", "merchandise total", "goods value", "net amount",
                 "zwischensumme", "nettobetrag", "total merchandise", "total goods"],
    "total": [
        "total", "invoice total", "total amount", "grand total", "total invoice value", "amount due",
        "total due", "total value", "total usd", "total eur", "importe total", "total general", "total a pagar",
        "gesamtbetrag", "rechnungsbetrag", "endbetrag", "gesamt", "balance due", "total fob", "total fca",
        "total cif", "total invoice amount",
    ],
    "packing_list_number": ["packing list no", "packing list number", "packing list #", "pl no", "p l no",
                            "packing no", "lista de empaque no", "packliste nr", "packing slip no",
                            "delivery note no", "packing list ref"],
    "total_packages": ["total packages", "total cartons", "total ctns", "no of packages", "number of packages",
                       "packages", "total bundles", "total pallets", "total pkgs", "bultos", "total bultos",
                       "anzahl packstucke", "packstucke", "total number of packages", "cartons"],
    "total_net_weight": ["total net weight", "net weight", "net wt", "n w", "total n w", "peso neto",
                         "peso neto total", "nettogewicht", "total net wt", "net"],
    "total_gross_weight": ["total gross weight", "gross weight", "gross wt", "g w", "total g w", "peso bruto",
                           "peso bruto total", "bruttogewicht", "total gross wt", "gross"],
    "certificate_number": ["certificate no", "certificate number", "cert no", "certificate #", "mtc no",
                           "certificado no", "no de certificado", "zeugnis nr", "zeugnisnummer",
                           "report no", "test certificate no", "inspection certificate no", "document no"],
    "certificate_type": ["certificate type", "type of certificate", "type of document", "en 10204", "tipo"],
    "issue_date": ["date of issue", "issue date", "issued", "date", "fecha", "fecha de emision", "datum",
                   "ausstellungsdatum", "certificate date"],
    "mill": ["manufacturer", "mill", "producer", "steel mill", "works", "fabricante", "hersteller", "issued by"],
    "customer": ["customer", "purchaser", "buyer", "consignee", "cliente", "besteller", "kunde", "sold to"],
    "product": ["product", "commodity", "description of goods", "producto", "erzeugnis", "material",
                "product description", "item"],
    "specification": ["specification", "standard", "steel grade/specification", "norma", "spec", "norm",
                      "material specification", "technical delivery conditions"],
    "melt_country": ["country of melt", "melted in", "melt country", "country of melting", "melting country",
                     "pais de fusion", "fundido en", "country of melt and pour", "melted and poured in",
                     "melted and manufactured in"],
    "pour_country": ["country of pour", "poured in", "pour country", "country of pouring", "pais de colada",
                     "vaciado en"],
    "total_weight": ["total weight", "total net weight", "total mass", "peso total", "gesamtgewicht",
                     "total qty", "total quantity", "net weight"],
    # CBP Form 7501 boxes (both layouts); box numbers are ignored by the matcher.
    "entry_number": ["filer code/entry no", "filer code entry no", "entry no", "entry number", "entry #"],
    "entry_type": ["entry type", "entry type code"],
    "summary_date": ["summary date", "entry summary date"],
    "entry_date": ["entry date", "date of entry", "release date"],
    "port_code": ["port code", "port of entry", "port", "u s port of entry"],
    "mode_of_transport": ["mode of transport", "transport mode", "mot", "mode of transportation"],
    "exporting_country": ["exporting country", "country of export", "export country"],
    "manufacturer_id": ["manufacturer id", "mid", "manufacturer identification", "manufacturer i d"],
    "importer_number": ["importer no", "importer number", "importer #", "ior no", "importer of record no"],
    "importer": ["importer of record name and address", "importer of record", "importer name", "ior"],
    "consignee_number": ["consignee no", "consignee number"],
    "ultimate_consignee": ["ultimate consignee name and address", "ultimate consignee"],
    "exchange_rate": ["exchange rate", "exch rate", "exch", "rate of exchange", "tipo de cambio"],
    "total_entered_value": ["total entered value", "entered value"],
    "total_duty": ["duty"],
    "other_fees": ["other fee", "other fees", "other"],
    "total_amount": ["total"],
    "import_date": ["import date", "date of importation"],
    "bl_number": ["b/l or awb no", "b l no", "bill of lading no", "b/l no", "awb no", "bl no", "b l number",
                  "bill of lading number"],
    # Labels that only exist so that their values are not taken for another field's.
    "other_date": ["due date", "ship date", "shipping date", "delivery date", "date shipped", "order date",
                   "po date", "fecha de vencimiento", "fecha de embarque", "lieferdatum", "export date",
                   "arrival date", "sailing date", "etd", "eta", "payment due", "date of shipment",
                   "fecha de entrega", "valid until", "due"],
    "total_quantity": ["total quantity", "total qty", "total pcs", "total pieces", "total units",
                       "cantidad total", "gesamtmenge"],
    "production_quantity": ["production quantity", "total production", "expected production", "tool life",
                            "mould life", "mold life", "shot life", "lifetime quantity", "cantidad de produccion",
                            "production volume", "to produce"],
}

# Table column headers. Keys are line-item fields (weights in the document's unit; converted later).
COLUMN_LABELS: dict[str, list[str]] = {
    "line_no": ["item", "no", "line", "line no", "pos", "position", "#", "item no", "ln", "partida", "renglon",
                "pos nr", "sr no", "s no", "n"],
    "part_number": ["part no", "part number", "part #", "part", "item code", "article", "article no", "sku",
                    "product code", "code", "codigo", "ref", "reference", "material no", "art nr", "artikel",
                    "artikelnummer", "model", "model no", "style", "style no", "catalog no", "numero de parte",
                    "no de parte", "item number", "mark", "marks", "p n"],
    "description": ["description", "description of goods", "goods description", "descripcion", "product",
                    "bezeichnung", "beschreibung", "goods", "commodity", "item description", "designation",
                    "description of merchandise", "material description", "details", "articulo"],
    "hts": ["hts", "hts code", "hts no", "hs code", "hs", "tariff", "tariff no", "hts number", "htsus",
            "fraccion arancelaria", "fraccion", "zolltarifnummer", "customs tariff", "harmonized code",
            "tariff code", "hs tariff", "taric", "warentarifnummer", "schedule b"],
    "quantity": ["qty", "quantity", "cantidad", "menge", "qty pcs", "pieces", "quantity shipped", "qty shipped",
                 "units", "cant", "anzahl", "qty ordered", "pcs", "piezas", "no of pcs"],
    "unit": ["unit", "uom", "u m", "unidad", "einheit", "unit of measure", "me", "um"],
    "unit_price": ["unit price", "price", "precio unitario", "precio", "einzelpreis", "price each", "unit cost",
                   "price/unit", "p unit", "preis", "rate", "unit value", "valor unitario", "precio unit"],
    "amount": ["amount", "total", "line total", "importe", "extended", "extension", "value", "total value",
               "gesamtpreis", "betrag", "total price", "extended price", "net amount", "valor", "valor total",
               "total amount", "subtotal", "gesamt", "monto", "ext price", "amount usd", "amount eur"],
    "country_of_origin": ["origin", "coo", "country of origin", "c o o", "pais de origen", "origen",
                          "ursprung", "ursprungsland", "made in"],
    "packages": ["cartons", "ctns", "ctn", "packages", "pkgs", "pkg", "bundles", "pallets", "bultos", "cajas",
                 "packstucke", "colli", "no of cartons", "no of packages", "crates", "boxes"],
    "net_weight": ["net weight", "net wt", "n w", "nw", "peso neto", "nettogewicht", "netto", "net kg",
                   "net weight kg", "net lbs", "net weight lb", "net"],
    "gross_weight": ["gross weight", "gross wt", "g w", "gw", "peso bruto", "bruttogewicht", "brutto",
                     "gross kg", "gross weight kg", "gross lbs", "gross weight lb", "gross"],
    "heat_number": ["heat no", "heat number", "heat", "heat #", "heat lot", "cast no", "colada", "no colada",
                    "schmelze", "schmelz nr", "melt no", "heat/lot no"],
    "grade": ["grade", "steel grade", "grado", "werkstoff", "material grade", "quality", "calidad", "gueteklasse"],
    "melt_country": ["country of melt", "melt country", "melted in", "melt", "country of melting", "fusion"],
    "pour_country": ["country of pour", "pour country", "poured in", "pour", "colada pais"],
    "weight": ["weight", "weight kg", "mass", "net weight", "peso", "gewicht", "weight lbs", "qty kg",
               "quantity kg", "tons", "weight t", "weight mt"],
}

# The line block of CBP Form 7501 (both layouts; box numbers are ignored), column key -> wordings.
ENTRY_COLUMNS: dict[str, list[str]] = {
    "es_line_no": ["line no", "line number", "line"],
    "es_description": ["description of merchandise", "description"],
    "es_hts": ["htsus no", "htsus number", "hts no", "htsus", "a htsus no", "ada cvd no", "ada cvd case no"],
    "es_gross_weight": ["gross weight", "manifest qty", "manifest quantity", "gross weight manifest qty"],
    "es_quantity": ["net quantity in htsus units", "net quantity", "net qty", "quantity in htsus units"],
    "es_entered_value": ["entered value", "chgs", "relationship", "entered value chgs relationship"],
    "es_rate": ["htsus rate", "ada cvd rate", "irc rate", "visa no", "rate"],
    "es_duty": ["duty and i r tax", "duty and ir tax", "dollars cents", "duty"],
    "es_melt": ["country of melt and pour", "melt and pour", "country of melt"],
}

# Chemical element column headers on mill certificates (symbol -> spellings).
ELEMENTS: dict[str, list[str]] = {
    sym: [sym.lower()] for sym in ("C", "Mn", "Si", "P", "S", "Cr", "Ni", "Mo", "Cu", "Al", "V", "Nb", "Ti", "B",
                                   "N", "Co", "W", "Sn", "Ca", "Zr", "Pb", "As", "Sb", "Fe", "Mg", "Zn")
}
ELEMENTS["CEV"] = ["cev", "ceq", "ce"]

# Table rows that close a table or summarise it: never line items.
TOTAL_ROW_WORDS: list[str] = [
    "total", "subtotal", "sub total", "sub-total", "totals", "grand total", "carried forward", "brought forward",
    "carry forward", "c/f", "b/f", "balance", "suma", "total general", "summe", "zwischensumme", "gesamt",
    "übertrag", "ubertrag", "page total", "freight", "insurance", "discount", "amount due", "total due",
    "continued", "continua", "fortsetzung", "total fob", "total fca", "total cif", "importe total", "vat", "iva",
]

# Charge lines on invoices: kind -> wordings (SPEC charges[].kind).
CHARGE_WORDS: dict[str, list[str]] = {
    "freight": ["freight", "ocean freight", "air freight", "shipping", "transport", "carriage", "flete",
                "fracht", "delivery", "inland freight", "crating and delivery", "delivery charge", "courier"],
    "insurance": ["insurance", "seguro", "versicherung", "cargo insurance"],
    "packing": ["packing", "packaging", "crating", "embalaje", "verpackung", "export packing", "pallets charge"],
    "tooling": ["tooling", "tooling charge", "mould charge", "mold charge", "die charge", "herramental",
                "werkzeugkosten", "tooling amortization", "tooling amortisation"],
    "royalty": ["royalty", "royalties", "regalia", "regalias", "lizenzgebuhr"],
    "licence": ["licence fee", "license fee", "licensing fee"],
    "selling_commission": ["selling commission", "sales commission", "agent commission", "comision de venta"],
    "buying_commission": ["buying commission", "buying agent", "comision de compra"],
    "discount": ["discount", "descuento", "rabatt", "rebate", "skonto"],
    "handling": ["handling", "handling charge", "manejo", "documentation fee", "bank charges"],
    "duty": ["duty", "duties", "customs duty", "arancel", "zoll"],
    "tax": ["tax", "vat", "iva", "mwst", "gst", "sales tax"],
    "other": ["other charges", "misc", "miscellaneous", "otros cargos"],
}

# Assist kinds (SPEC assist_kind) -> wordings on toolmakers' and engineers' invoices.
ASSIST_WORDS: dict[str, list[str]] = {
    "mould": ["mould", "mold", "moulds", "molds", "injection mould", "injection mold", "molde", "moldes",
              "cavity", "form tool", "spritzgusswerkzeug", "werkzeug"],
    "die": ["die", "dies", "stamping die", "progressive die", "troquel", "matriz", "casting die",
            "extrusion die", "stanzwerkzeug"],
    "tooling": ["tooling", "tool", "tools", "jig", "jigs", "fixture", "fixtures", "gauge", "gauges",
                "herramental", "herramienta", "herramientas"],
    "materials": ["raw material", "materials supplied", "components supplied", "consigned material",
                  "material consignment", "resin supplied"],
    "engineering": ["engineering", "engineering services", "development work", "ingenieria", "artwork",
                    "plans", "sketches"],
    "design": ["design", "design services", "drawings", "diseno", "konstruktion", "cad design"],
}
