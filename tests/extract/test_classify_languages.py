"""Classification by what a document is: its title in the languages of the trade (or only an abbreviation),
and what its tables mean (weights and packages without prices, prices and amounts, element symbols and heat
numbers). Documents are built here with reportlab; the real receipts of the external corpus where present."""
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

from appraiser.extract import extract_file
from appraiser.extract.classify import classify
from appraiser.extract.load import load
from appraiser.fixtures.render import new_canvas, y

EXTERNAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "external"
CJK = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _font(s: str, bold: bool = False) -> str:
    if any("\u3400" <= ch <= "\u9fff" for ch in s):
        return CJK
    return "Helvetica-Bold" if bold else "Helvetica"


def _put(c, x, top, s, size=9, bold=False):
    c.setFont(_font(s, bold), size)
    c.drawString(x, y(top), s)


def build(path: Path, title: str | None, header: list[tuple[str, str]], columns: list[str],
          rows: list[list[str]], footer: list[str] = (), title_size: float = 16) -> Path:
    """One page: a title, key–value header fields, a table and footer lines."""
    c = new_canvas(path, "document")
    _put(c, 40, 40, "Acme Components Ltd., 12 Harbour Road, Kowloon", 8)
    if title:
        _put(c, 200, 70, title, title_size, bold=True)
    top = 110
    for label, value in header:
        _put(c, 40, top, label, 9)
        _put(c, 170, top, value, 9)
        top += 14
    top += 20
    xs = [40 + k * (520 / max(1, len(columns))) for k in range(len(columns))]
    for x, head in zip(xs, columns):
        _put(c, x, top, head, 8.5, bold=True)
    for row in rows:
        top += 14
        for x, cell in zip(xs, row):
            _put(c, x, top, cell, 9)
    top += 30
    for line in footer:
        _put(c, 40, top, line, 9)
        top += 14
    c.showPage()
    c.save()
    return path


def kind_of(path: Path) -> tuple[str, float]:
    return classify(load(path, path.name).pages)


# --- packing lists: titles in many languages, or an abbreviation only --------------------------------
PACKING_TITLES = {
    "es": ("LISTA DE EMPAQUE", [("Factura No.:", "F-2024-118"), ("Fecha:", "12/03/2024")],
           ["Descripción", "Cantidad", "Bultos", "Peso neto", "Peso bruto"]),
    "de": ("PACKLISTE", [("Rechnung Nr.:", "R-2024-118"), ("Datum:", "12.03.2024")],
           ["Bezeichnung", "Menge", "Packstücke", "Nettogewicht", "Bruttogewicht"]),
    "de2": ("Packzettel", [("Rechnungsnummer:", "R-2024-118"), ("Datum:", "12.03.2024")],
            ["Bezeichnung", "Menge", "Packstücke", "Nettogewicht", "Bruttogewicht"]),
    "pt": ("ROMANEIO", [("Fatura n.º:", "F-2024-118"), ("Data:", "12/03/2024")],
           ["Descrição", "Quantidade", "Volumes", "Peso líquido", "Peso bruto"]),
    "pt2": ("Lista de Embalagem", [("Fatura n.º:", "F-2024-118"), ("Data:", "12/03/2024")],
            ["Descrição", "Quantidade", "Volumes", "Peso líquido", "Peso bruto"]),
    "fr": ("LISTE DE COLISAGE", [("Facture n°:", "F-2024-118"), ("Date:", "12/03/2024")],
           ["Désignation", "Quantité", "Colis", "Poids net", "Poids brut"]),
    "it": ("DISTINTA DI IMBALLAGGIO", [("Fattura n.:", "F-2024-118"), ("Data:", "12/03/2024")],
           ["Descrizione", "Quantità", "Colli", "Peso netto", "Peso lordo"]),
    "nl": ("PAKLIJST", [("Factuurnummer:", "F-2024-118"), ("Datum:", "12-03-2024")],
           ["Omschrijving", "Aantal", "Colli", "Nettogewicht", "Brutogewicht"]),
    "zh": ("装箱单", [("发票号码:", "F-2024-118"), ("日期:", "2024-03-12")],
           ["品名", "数量", "件数", "净重", "毛重"]),
    "en-abbrev": ("P/L", [("Invoice No.:", "F-2024-118"), ("Date:", "12/03/2024")],
                  ["Description", "Qty", "Cartons", "N.W. (kg)", "G.W. (kg)"]),
    "en-abbrev2": ("PL", [("Invoice No.:", "F-2024-118"), ("Date:", "12/03/2024")],
                   ["Description", "Qty", "Cartons", "N.W. (kg)", "G.W. (kg)"]),
}
PACKING_ROWS = [["Steel brackets 40 mm", "1,200", "12", "480.00", "510.00"],
                ["Steel brackets 60 mm", "800", "10", "400.00", "428.00"]]


@pytest.mark.parametrize("lang", sorted(PACKING_TITLES))
def test_packing_lists_in_many_languages(tmp_path, lang):
    title, header, columns = PACKING_TITLES[lang]
    pdf = build(tmp_path / f"pl_{lang}.pdf", title, header, columns, PACKING_ROWS,
                footer=["Total: 22", "Total net weight 880.00 kg"])
    doc_type, conf = kind_of(pdf)
    assert doc_type == "packing_list", (lang, doc_type, conf)
    assert conf > 0.5


def test_weights_and_packages_table_without_a_title_is_a_packing_list(tmp_path):
    pdf = build(tmp_path / "untitled.pdf", None, [("Reference:", "SHP-4411"), ("Date:", "12/03/2024")],
                ["Description", "Qty", "Cartons", "Net weight", "Gross weight"], PACKING_ROWS)
    doc_type, conf = kind_of(pdf)
    assert doc_type == "packing_list", (doc_type, conf)


def test_an_invoice_number_label_on_a_packing_list_is_no_invoice_title(tmp_path):
    """'Commercial Invoice: 2024-118' in the header names another document: a label, not this one's title."""
    pdf = build(tmp_path / "pl_ref.pdf", "PACKLISTE",
                [("Commercial Invoice:", "2024-118"), ("Invoice date:", "12.03.2024")],
                ["Bezeichnung", "Menge", "Packstücke", "Nettogewicht", "Bruttogewicht"], PACKING_ROWS)
    assert kind_of(pdf)[0] == "packing_list"


# --- invoices ------------------------------------------------------------------------------------------
INVOICE_TITLES = {
    "de": ("HANDELSRECHNUNG", ["Bezeichnung", "Menge", "Einzelpreis", "Betrag"]),
    "fr": ("FACTURE COMMERCIALE", ["Désignation", "Quantité", "Prix unitaire", "Montant"]),
    "es": ("FACTURA COMERCIAL", ["Descripción", "Cantidad", "Precio unitario", "Importe"]),
    "pt": ("FATURA COMERCIAL", ["Descrição", "Quantidade", "Preço unitário", "Valor total"]),
    "it": ("FATTURA COMMERCIALE", ["Descrizione", "Quantità", "Prezzo unitario", "Importo"]),
    "nl": ("HANDELSFACTUUR", ["Omschrijving", "Aantal", "Prijs", "Bedrag"]),
    "zh": ("商业发票", ["品名", "数量", "单价", "金额"]),
}


@pytest.mark.parametrize("lang", sorted(INVOICE_TITLES))
def test_invoices_in_many_languages(tmp_path, lang):
    title, columns = INVOICE_TITLES[lang]
    rows = [["Steel brackets 40 mm", "1,200", "2.50", "3,000.00"], ["Steel brackets 60 mm", "800", "3.10", "2,480.00"]]
    pdf = build(tmp_path / f"inv_{lang}.pdf", title, [("No.:", "F-2024-118"), ("Date:", "12/03/2024")], columns,
                rows, footer=["Total EUR 5,480.00"])
    doc_type, conf = kind_of(pdf)
    assert doc_type == "commercial_invoice", (lang, doc_type, conf)
    assert conf > 0.5


def test_priced_table_without_a_title_is_an_invoice(tmp_path):
    pdf = build(tmp_path / "priced.pdf", None, [("Reference:", "S-991")],
                ["Description", "Qty", "Unit price", "Amount"],
                [["Brackets", "10", "2.50", "25.00"], ["Bolts", "100", "0.10", "10.00"]],
                footer=["Total payable USD 35.00"])
    assert kind_of(pdf)[0] == "commercial_invoice"


# --- mill certificates ---------------------------------------------------------------------------------
MILL_TITLES = {
    "de": "ABNAHMEPRÜFZEUGNIS 3.1",
    "de2": "Werkszeugnis",
    "fr": "CERTIFICAT DE RÉCEPTION",
    "es": "CERTIFICADO DE CALIDAD",
    "it": "CERTIFICATO DI COLLAUDO",
    "zh": "质量证明书",
}


@pytest.mark.parametrize("lang", sorted(MILL_TITLES))
def test_mill_certificates_in_many_languages(tmp_path, lang):
    pdf = build(tmp_path / f"mtc_{lang}.pdf", MILL_TITLES[lang], [("EN 10204", "3.1")],
                ["Heat", "C", "Mn", "Si", "P", "S", "Cr"],
                [["A12345", "0.18", "1.20", "0.25", "0.015", "0.010", "0.05"],
                 ["A12346", "0.17", "1.22", "0.24", "0.014", "0.009", "0.04"]])
    doc_type, conf = kind_of(pdf)
    assert doc_type == "mill_certificate", (lang, doc_type, conf)


def test_chemistry_table_with_heat_numbers_without_a_title_is_a_mill_certificate(tmp_path):
    pdf = build(tmp_path / "chem.pdf", None, [("Order:", "4500012")],
                ["Heat No.", "C", "Mn", "Si", "P", "S", "Cu"],
                [["A12345", "0.18", "1.20", "0.25", "0.015", "0.010", "0.20"]])
    assert kind_of(pdf)[0] == "mill_certificate"


# --- certificates of origin ----------------------------------------------------------------------------
ORIGIN_TITLES = {
    "de": "URSPRUNGSZEUGNIS", "fr": "CERTIFICAT D'ORIGINE", "es": "CERTIFICADO DE ORIGEN",
    "it": "CERTIFICATO DI ORIGINE", "pt": "CERTIFICADO DE ORIGEM", "zh": "原产地证书",
}


@pytest.mark.parametrize("lang", sorted(ORIGIN_TITLES))
def test_certificates_of_origin_in_many_languages(tmp_path, lang):
    pdf = build(tmp_path / f"coo_{lang}.pdf", ORIGIN_TITLES[lang], [("Exporter", "Acme Components Ltd.")],
                ["Description", "HS code", "Gross weight"], [["Steel brackets", "7326.90", "510 kg"]])
    doc_type, conf = kind_of(pdf)
    assert doc_type == "certificate_of_origin", (lang, doc_type, conf)


# --- receipts: the body decides --------------------------------------------------------------------------
def test_receipt_listing_what_was_sold_is_an_invoice(tmp_path):
    pdf = build(tmp_path / "receipt.pdf", "PAYMENT RECEIPT", [("Guest:", "J. Smith"), ("Date:", "31/12/2017")],
                ["Description", "Rate", "Amount"], [["Room charges 1 night", "1939", "1939"]],
                footer=["Grand Total Rs 1939", "Payment received in cash"])
    assert kind_of(pdf)[0] == "commercial_invoice"


def test_receipt_of_a_transfer_is_a_payment_record(tmp_path):
    pdf = build(tmp_path / "transfer.pdf", "PAYMENT RECEIPT",
                [("Ordering customer:", "Acme Imports Inc."), ("Beneficiary:", "Acme Components Ltd."),
                 ("Value date:", "2024-03-15"), ("IBAN:", "DE89370400440532013000"), ("Amount paid:", "USD 5,480.00")],
                [], [])
    assert kind_of(pdf)[0] == "payment_record"


# --- no evidence, or conflicting evidence --------------------------------------------------------------
def test_a_page_with_no_evidence_is_other_with_low_confidence(tmp_path):
    pdf = build(tmp_path / "memo.pdf", "Memo", [("To:", "Operations"), ("From:", "J. Smith")], [], [],
                footer=["Please call me about next week's meeting."])
    doc_type, conf = kind_of(pdf)
    assert doc_type == "other" and conf <= 0.3


def test_conflicting_titles_give_a_low_confidence(tmp_path):
    """A page titled both an invoice and a packing list, with a table that is neither: a close call, said so."""
    pdf = build(tmp_path / "both.pdf", "INVOICE", [("PACKING LIST", "")], ["Marks", "Remarks"], [["A", "B"]],
                title_size=9)
    doc_type, conf = kind_of(pdf)
    assert conf < 0.5, (doc_type, conf)


def test_no_pages_is_other():
    assert classify([]) == ("other", 0.3)


def test_confidence_is_recorded_and_exported(tmp_path):
    title, header, columns = PACKING_TITLES["nl"]
    pdf = build(tmp_path / "pl.pdf", title, header, columns, PACKING_ROWS)
    doc, _ = extract_file(pdf, pdf.name)
    assert doc.doc_type == "packing_list"
    assert doc.to_json()["classification_confidence"] == round(doc.classification_confidence, 3) > 0.5


# --- real documents ------------------------------------------------------------------------------------
def test_external_receipt_for_services_is_an_invoice():
    pdf = EXTERNAL / "invoice2data" / "oyo.pdf"
    if not pdf.exists():
        pytest.skip("external corpus not present")
    assert kind_of(pdf)[0] == "commercial_invoice"


def test_external_invoices_are_invoices():
    folder = EXTERNAL / "invoice2data"
    if not folder.exists():
        pytest.skip("external corpus not present")
    import json

    truth = json.loads((folder / "truth.json").read_text())["documents"]
    wrong = [t["path"] for t in truth if kind_of(folder / t["path"])[0] != t["doc_type"]]
    assert not wrong


def _page(rows: list[list[str]], method: str = "ocr") -> list:
    """One page of words laid out in rows and columns (what a scan's OCR gives)."""
    from appraiser.extract.pages import Page, Word

    words = [Word(cell, 40 + 60 * k, 100 + 20 * r, 40 + 60 * k + 8 * len(cell), 108 + 20 * r, 1, 0.9)
             for r, row in enumerate(rows) for k, cell in enumerate(row) if cell]
    return [Page(1, 612, 792, words, [], method)]


def test_scanned_chemistry_header_with_doubled_letters():
    """OCR reads the lone symbols C and S as "Cc" and "Ss": still a chemistry table with heats."""
    pages = _page([["Heat", "Grade", "Mass", "kg", "Cc", "Mn", "Si", "P", "Ss", "Cu", "Ni"],
                   ["H2540984", "S355J2", "11,483", "", "0.08", "1.30", "0.22", "0.011", "0.005", "0.28", "0.08"]])
    assert classify(pages)[0] == "mill_certificate"


def test_garment_sizes_are_no_chemistry():
    """Single letters in a row ("S M L XL", "B C") name no elements: no mill certificate."""
    pages = _page([["Style", "S", "M", "L", "XL", "B", "C", "P"], ["T-100", "10", "20", "20", "10", "1", "2", "3"]])
    assert classify(pages)[0] != "mill_certificate"


def test_a_possessive_title_names_its_type():
    """"MILL'S TEST CERTIFICATE", "Manufacturer’s Packing List": the possessive does not hide the title."""
    from appraiser.extract.pages import Page, Word

    def title_page(title: str) -> list:
        words, x = [], 150
        for w in title.split():
            words.append(Word(w, x, 60, x + 11 * len(w), 78, 1, 0.9))
            x += 11 * len(w) + 8
        words += [Word("Diameter", 40, 130, 90, 139, 1, 0.9), Word("25", 200, 130, 212, 139, 1, 0.9)]
        return [Page(1, 842, 595, words, [], "ocr")]

    assert classify(title_page("MILL'S TEST CERTIFICATE (EN 10204 3.1)"))[0] == "mill_certificate"
    assert classify(title_page("Manufacturer’s Packing List"))[0] == "packing_list"


# --- assist cues inside a company's name do not make an invoice an assist invoice ----------------------------
def test_a_buyer_named_engineering_or_mold_does_not_make_an_assist_invoice(tmp_path):
    header = [("Invoice No.:", "AFC-25-1187"), ("Sold to:", "Andina Valve Engineering S.A.S."),
              ("Ship to:", "Andina Valve Engineering S.A.S."), ("Notify:", "Precision Mold Works, Inc.")]
    rows = [["GV-300-4", "Gate valve, cast steel, 4 in", "40", "412.50", "16,500.00"],
            ["BV-150-2", "Ball valve, stainless steel, 2 in", "60", "287.35", "17,241.00"]]
    path = build(tmp_path / "inv.pdf", "COMMERCIAL INVOICE", header,
                 ["Part No.", "Description", "Qty", "Unit Price", "Amount"], rows,
                 ["Payment to Andina Valve Engineering S.A.S. account"])
    assert kind_of(path)[0] == "commercial_invoice"


def test_an_invoice_for_moulds_and_engineering_stays_an_assist_invoice(tmp_path):
    # the same cues describing what is invoiced, and a seller whose name holds no cue
    header = [("Invoice No.:", "KD-M-2501-036"), ("Sold to:", "Andina Valve Engineering S.A.S.")]
    rows = [["M-01", "Injection mould, 2 cavities", "1", "9,000.00", "9,000.00"],
            ["E-01", "Engineering and design services for the tooling", "1", "3,500.00", "3,500.00"]]
    path = build(tmp_path / "mould.pdf", "INVOICE", header,
                 ["Item", "Description", "Qty", "Unit Price", "Amount"], rows)
    assert kind_of(path)[0] == "assist_invoice"
