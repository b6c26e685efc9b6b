"""Invoice tables as real invoices set them: headers in German, French, Spanish and Dutch, headers on two lines,
descriptions wrapping over several lines, a VAT-rate and a discount column, currency signs set apart from the
amounts, indented detail lines, page footers, a table going on over two pages (the external corpora of real
invoices are scored in tests/test_external.py)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from appraiser.extract import extract_file


H = A4[1]


def _pdf(path: Path, pages: list[list[tuple]], size: float = 9) -> Path:
    """A PDF whose pages are lists of (x, y-from-top, text, align) with align "l" or "r" (right edge at x)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for items in pages:
        for x, y, text, align, *rest in items:
            c.setFont("Helvetica-Bold" if rest and rest[0] == "b" else "Helvetica", rest[1] if len(rest) > 1 else size)
            if align == "r":
                c.drawRightString(x, H - y, text)
            else:
                c.drawString(x, H - y, text)
        c.showPage()
    c.save()
    return path


def _items(path: Path):
    doc, _ = extract_file(path, path.name)
    assert doc.error is None, doc.error
    return doc, [li.fields for li in doc.line_items]


def _row(y: float, cells: list[tuple[float, str, str]]) -> list[tuple]:
    return [(x, y, t, a) for x, t, a in cells]


def test_german_invoice_wrapped_descriptions_vat_column_and_totals(tmp_path):
    page = [(40, 40, "Rechnung", "l", "b", 18), (40, 70, "Rechnungsnummer: RE-2024-117", "l"),
            (40, 82, "Rechnungsdatum: 14.03.2024", "l")]
    page += _row(140, [(40, "Pos.", "l"), (70, "Art.-Nr.", "l"), (130, "Bezeichnung", "l"), (330, "Menge", "r"),
                       (345, "Einheit", "l"), (440, "Einzelpreis", "r"), (480, "MwSt.", "r"),
                       (555, "Gesamtpreis", "r")])
    page += _row(158, [(40, "1", "l"), (70, "A-1001", "l"), (130, "Sechskantschraube M8 x 40", "l"), (330, "250", "r"),
                       (345, "Stk", "l"), (440, "0,12500", "r"), (480, "19 %", "r"), (555, "31,25 €", "r")])
    page += _row(169, [(130, "verzinkt, DIN 933", "l")])
    page += _row(184, [(40, "2", "l"), (70, "B-2002", "l"), (130, "Unterlegscheibe 8,4 mm", "l"), (330, "1.000", "r"),
                       (345, "Stk", "l"), (440, "0,03", "r"), (480, "19 %", "r"), (555, "30,00 €", "r")])
    page += _row(199, [(40, "3", "l"), (70, "C-3003", "l"), (130, "Montagepaste", "l"), (330, "2", "r"),
                       (345, "kg", "l"), (440, "1.234,50", "r"), (480, "7 %", "r"), (555, "2.469,00 €", "r")])
    page += _row(225, [(330, "Zwischensumme", "l"), (555, "2.530,25 €", "r")])
    page += _row(237, [(330, "Gesamtbetrag", "l"), (555, "2.930,43 €", "r")])
    doc, items = _items(_pdf(tmp_path / "rechnung.pdf", [page]))
    assert doc.doc_type == "commercial_invoice"
    assert len(items) == 3
    first = items[0]
    assert first.get("line_no") == 1 and first.get("part_number") == "A-1001"
    assert first.get("description") == "Sechskantschraube M8 x 40 verzinkt, DIN 933"
    assert first.get("quantity") == Decimal("250") and first.get("unit_price") == Decimal("0.12500")
    assert first.get("amount") == Decimal("31.25")  # the 19 % beside it is the tax rate, never the amount
    assert items[1].get("quantity") == Decimal("1000") and items[1].get("amount") == Decimal("30.00")
    assert items[2].get("unit_price") == Decimal("1234.50") and items[2].get("amount") == Decimal("2469.00")
    assert all(isinstance(it.get("amount"), Decimal) for it in items)
    assert items[0].prov("amount").page == 1 and items[0].prov("amount").bbox[0] > 480


def test_french_invoice_with_two_line_header(tmp_path):
    page = [(40, 40, "FACTURE", "l", "b", 18), (40, 70, "Facture N° : F-0042", "l")]
    page += _row(140, [(40, "Désignation", "l"), (330, "Quantité", "r"), (420, "Prix", "r"), (470, "TVA", "r"),
                       (555, "Montant", "r")])
    page += _row(150, [(420, "unitaire HT", "r"), (555, "HT (EUR)", "r")])
    page += _row(168, [(40, "Prestation de support", "l"), (330, "1,00", "r"), (420, "60,00", "r"),
                       (470, "20,00%", "r"), (555, "60,00", "r")])
    page += _row(182, [(40, "Fournitures papier", "l"), (330, "3,00", "r"), (420, "10,00", "r"),
                       (470, "20,00%", "r"), (555, "30,00", "r")])
    page += _row(210, [(330, "Total HT", "l"), (555, "90,00", "r")])
    page += _row(222, [(330, "Total TTC", "l"), (555, "108,00", "r")])
    _, items = _items(_pdf(tmp_path / "facture.pdf", [page]))
    assert [(i.get("description"), i.get("quantity"), i.get("unit_price"), i.get("amount")) for i in items] == [
        ("Prestation de support", Decimal("1.00"), Decimal("60.00"), Decimal("60.00")),
        ("Fournitures papier", Decimal("3.00"), Decimal("10.00"), Decimal("30.00")),
    ]


def test_spanish_invoice_discount_column_is_not_the_price(tmp_path):
    page = [(40, 40, "FACTURA", "l", "b", 18), (40, 70, "Factura No: 2024-0815", "l")]
    page += _row(140, [(40, "Código", "l"), (110, "Descripción", "l"), (330, "Cantidad", "r"),
                       (410, "Precio unitario", "r"), (460, "Dto. %", "r"), (555, "Importe", "r")])
    page += _row(158, [(40, "TX-01", "l"), (110, "Camiseta algodón", "l"), (330, "100", "r"), (410, "5,00", "r"),
                       (460, "10", "r"), (555, "450,00", "r")])
    page += _row(172, [(40, "TX-02", "l"), (110, "Pantalón vaquero", "l"), (330, "20", "r"), (410, "12,50", "r"),
                       (460, "0", "r"), (555, "250,00", "r")])
    page += _row(200, [(330, "Total", "l"), (555, "700,00", "r")])
    _, items = _items(_pdf(tmp_path / "factura.pdf", [page]))
    assert [(i.get("part_number"), i.get("quantity"), i.get("unit_price"), i.get("amount")) for i in items] == [
        ("TX-01", Decimal("100"), Decimal("5.00"), Decimal("450.00")),
        ("TX-02", Decimal("20"), Decimal("12.50"), Decimal("250.00")),
    ]


def test_dutch_article_column_currency_signs_and_indented_detail_lines(tmp_path):
    page = [(40, 40, "FACTUUR", "l", "b", 18), (40, 70, "Factuurnummer: 993548900", "l")]
    page += _row(140, [(40, "Artikel", "l"), (385, "Aantal", "r"), (450, "Prijs per stuk", "r"), (490, "BTW", "r"),
                       (555, "Prijs incl. BTW", "r")])
    page += [(40, 156, "Tablet Wifi 16 GB Zilver", "l"), (385, 156, "1", "r"), (420, 156, "€", "l"),
             (450, 156, "399,00", "r"), (490, 156, "21%", "r"), (510, 156, "€", "l"), (555, 156, "399,00", "r")]
    page += [(52, 168, "Incl. Thuiskopieheffing", "l"), (385, 168, "1", "r"), (490, 168, "21%", "r"),
             (555, 168, "€ 4,24", "r")]
    page += [(52, 180, "Serienummer: SDMPP373MPP15", "l")]
    page += [(40, 192, "Leren hoes voor tablet", "l"), (385, 192, "2", "r"), (450, 192, "€ 34,99", "r"),
             (490, 192, "21%", "r"), (555, 192, "€ 69,98", "r")]
    page += _row(230, [(400, "Totaal", "l"), (555, "€ 468,98", "r")])
    _, items = _items(_pdf(tmp_path / "factuur.pdf", [page]))
    assert [(i.get("description"), i.get("quantity"), i.get("unit_price"), i.get("amount")) for i in items] == [
        ("Tablet Wifi 16 GB Zilver", Decimal("1"), Decimal("399.00"), Decimal("399.00")),
        ("Leren hoes voor tablet", Decimal("2"), Decimal("34.99"), Decimal("69.98")),
    ]


def test_table_going_on_over_two_pages_under_a_repeated_header_with_page_footers(tmp_path):
    header = _row(140, [(40, "Pos.", "l"), (70, "Menge", "r"), (90, "Beschreibung", "l"), (470, "VK-Preis", "r"),
                        (555, "Zeilenbetrag", "r")])
    footer = [(40, 790, "Beispiel AG", "l"), (200, 790, "Vorstand: Max Muster", "l"),
              (400, 790, "IBAN DE30507500940000048567", "l"), (40, 800, "Kto-Nr. 48567", "l"),
              (200, 800, "Registergericht Hanau HRB 13302", "l")]
    p1 = [(40, 40, "Rechnung", "l", "b", 18), (40, 70, "Rechnungsnr. 30064443", "l")] + header
    y = 160
    for n in range(1, 4):
        p1 += _row(y, [(40, str(n), "l"), (70, "1", "r"), (90, f"Hosting Paket {n}", "l"), (470, "5,39", "r"),
                       (555, "5,39", "r")])
        p1 += _row(y + 11, [(90, "Grundgebühr pro Einheit", "l")])
        y += 30
    p1 += footer
    p2 = [(40, 40, "Rechnung", "l", "b", 18), (40, 70, "Rechnungsnr. 30064443", "l")] + header
    p2 += _row(160, [(40, "4", "l"), (70, "2", "r"), (90, "Hosting Paket 4", "l"), (470, "3,89", "r"),
                     (555, "7,78", "r")])
    p2 += _row(171, [(90, "Grundgebühr pro Einheit", "l")])
    p2 += _row(200, [(400, "Total EUR", "l"), (555, "23,95", "r")])
    p2 += footer
    _, items = _items(_pdf(tmp_path / "zwei-seiten.pdf", [p1, p2]))
    assert [i.get("line_no") for i in items] == [1, 2, 3, 4]
    assert [i.get("description") for i in items] == [f"Hosting Paket {n} Grundgebühr pro Einheit" for n in range(1, 5)]
    assert items[3].get("quantity") == Decimal("2") and items[3].get("amount") == Decimal("7.78")
    assert items[3].prov("amount").page == 2


def test_table_going_on_over_the_page_without_its_header(tmp_path):
    footer = [(40, 800, "Exemple SARL - SIREN 123 456 789 - IBAN FR76 1254 2547 2569 8542 5874 698", "l")]
    p1 = [(40, 40, "FACTURE", "l", "b", 18), (40, 70, "Facture N° : F-0099", "l")]
    p1 += _row(140, [(40, "Réf.", "l"), (110, "Désignation", "l"), (330, "Qté", "r"), (420, "Prix unitaire", "r"),
                     (555, "Montant HT", "r")])
    y = 160
    for n in range(1, 5):
        p1 += _row(y, [(40, f"R-{n:03d}", "l"), (110, f"Article numéro {n}", "l"), (330, str(n), "r"),
                       (420, "12,50", "r"), (555, f"{12.5 * n:.2f}".replace(".", ","), "r")])
        y += 14
    p1 += footer
    p2 = [(40, 40, "Suite de la facture F-0099", "l")]
    p2 += _row(70, [(40, "R-005", "l"), (110, "Article numéro 5", "l"), (330, "5", "r"), (420, "12,50", "r"),
                    (555, "62,50", "r")])
    p2 += _row(100, [(330, "Total HT", "l"), (555, "187,50", "r")])
    p2 += _row(130, [(40, "Conditions de paiement : 30 jours, 2 % d'escompte, pénalités 3 fois le taux légal", "l")])
    p2 += footer
    _, items = _items(_pdf(tmp_path / "suite.pdf", [p1, p2]))
    assert [i.get("part_number") for i in items] == ["R-001", "R-002", "R-003", "R-004", "R-005"]
    assert items[4].get("amount") == Decimal("62.50") and items[4].prov("amount").page == 2


def test_quantities_with_their_units_and_amounts_with_currency_codes(tmp_path):
    page = [(40, 40, "INVOICE", "l", "b", 18), (40, 70, "Invoice No: INV-2024-501", "l")]
    page += _row(140, [(40, "Item", "l"), (80, "Description", "l"), (360, "Qty", "r"), (450, "Unit price", "r"),
                       (555, "Amount", "r")])
    page += _row(158, [(40, "1", "l"), (80, "Consulting day", "l"), (360, "1.0000 C62", "r"),
                       (450, "800.00000", "r"), (555, "800.00 USD", "r")])
    page += _row(172, [(40, "2", "l"), (80, "Cable ties, black", "l"), (360, "2,000 pcs", "r"),
                       (450, "0.0125", "r"), (555, "25.00 USD", "r")])
    page += _row(186, [(40, "3", "l"), (80, "Mounting rail", "l"), (360, "3 Stk", "r"), (450, "12.50", "r"),
                       (555, "37.50 USD", "r")])
    page += _row(210, [(400, "Subtotal", "l"), (555, "862.50 USD", "r")])
    _, items = _items(_pdf(tmp_path / "units.pdf", [page]))
    assert [(i.get("quantity"), i.get("unit"), i.get("unit_price"), i.get("amount")) for i in items] == [
        (Decimal("1.0000"), "UNT", Decimal("800.00000"), Decimal("800.00")),
        (Decimal("2000"), "PCS", Decimal("0.0125"), Decimal("25.00")),
        (Decimal("3"), "PCS", Decimal("12.50"), Decimal("37.50")),
    ]


def test_group_subtotals_do_not_end_the_table(tmp_path):
    page = [(40, 40, "INVOICE", "l", "b", 18), (40, 70, "Invoice No: INV-77", "l")]
    page += _row(140, [(40, "Description", "l"), (330, "Quantity", "r"), (420, "Unit Price", "r"),
                       (470, "Taxes", "r"), (555, "Amount", "r")])
    page += _row(156, [(40, "--- Non Food ---", "l")])
    page += _row(170, [(40, "[FURN_7777] Office Chair", "l"), (330, "1.00", "r"), (420, "70.00", "r"),
                       (470, "15.00%", "r"), (555, "$ 70.00", "r")])
    page += _row(190, [(400, "Subtotal", "l"), (555, "$ 70.00", "r")])
    page += _row(206, [(40, "--- Food Products ---", "l")])
    page += _row(220, [(40, "[LUX_TRF] Luxury Truffles", "l"), (330, "15.00", "r"), (420, "10.00", "r"),
                       (555, "$ 150.00", "r")])
    page += _row(240, [(400, "Subtotal", "l"), (555, "$ 150.00", "r")])
    page += _row(262, [(400, "Total", "l"), (555, "$ 220.00", "r")])
    page += _row(290, [(40, "Payment terms: 15 Days", "l")])
    _, items = _items(_pdf(tmp_path / "groups.pdf", [page]))
    assert [(i.get("part_number"), i.get("description"), i.get("amount")) for i in items] == [
        ("FURN_7777", "Office Chair", Decimal("70.00")), ("LUX_TRF", "Luxury Truffles", Decimal("150.00"))]


def test_no_table_no_items_and_bad_input_does_not_raise(tmp_path):
    page = [(40, 40, "INVOICE", "l", "b", 18), (40, 70, "Invoice No: INV-78", "l"),
            (40, 90, "Description of our services is attached. Total due within 30 days.", "l"),
            (40, 110, "Quantity discounts apply to orders over 100 units.", "l")]
    doc, items = _items(_pdf(tmp_path / "notable.pdf", [page]))
    assert items == []
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF")
    doc, _ = extract_file(broken, broken.name)
    assert doc.line_items == []


def test_chemistry_across_takes_the_actual_row_not_the_limits(tmp_path):
    page = [(40, 40, "INSPECTION CERTIFICATE EN 10204 3.1", "l", "b", 14), (40, 70, "Heat No.: 175508", "l"),
            (40, 90, "Chemical composition", "l")]
    syms = ["C", "Si", "Mn", "P", "S"]
    xs = [120 + 60 * k for k in range(len(syms))]
    for y, head, vals in ((110, "Symbol", syms), (122, "Unit", ["%"] * 5),
                          (134, "Min", ["0.100", "0.000", "0.900", "0.000", "0.000"]),
                          (146, "Max", ["0.200", "0.400", "1.400", "0.025", "0.020"]),
                          (158, "Actual", ["0.150", "0.005", "1.000", "0.014", "0.007"])):
        page += [(40, y, head, "l")] + [(x, y, v, "l") for x, v in zip(xs, vals)]
    doc, items = _items(_pdf(tmp_path / "mtc.pdf", [page]))
    assert doc.doc_type == "mill_certificate"
    [heat] = items
    assert heat.get("chemistry") == {"C": Decimal("0.150"), "Si": Decimal("0.005"), "Mn": Decimal("1.000"),
                                     "P": Decimal("0.014"), "S": Decimal("0.007")}
