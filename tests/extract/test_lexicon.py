"""The label lexicon as data (one file per language, merged by concept) and invoice header fields read with it:
invoices written here in six languages and layouts, and the real invoices of the external corpora."""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from appraiser.extract import extract_file, vocab
from appraiser.extract.invoice import KEYS as INVOICE_KEYS
from appraiser.extract.labels import tokens_of

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = ROOT.parent / "shared" / "corpus" / "external"
FILES = sorted(vocab.VOCAB_DIR.glob("*.json"))

# concepts EN 16931 names in every one of its language versions (BT-1, BT-2, BT-13, BT-27, BT-44, BT-5, BT-109,
# BT-112, BT-115) and the line terms (BT-129 quantity, BT-146 net price, BT-131 line net amount, BT-153 item name)
STANDARD_FIELDS = ("invoice_number", "invoice_date", "po_number", "seller", "buyer", "currency", "subtotal", "total",
                   "amount_due")
STANDARD_COLUMNS = ("quantity", "unit_price", "amount", "description")
EN16931_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_language_file_loads_and_names_its_language():
    assert {p.stem for p in FILES} >= {"en", "es", "pt", "fr", "de", "it", "nl", "zh"}
    for p in FILES:
        data = _load(p)
        assert data["language"] == p.stem
        for section in ("fields", "columns", "entry_columns", "charges", "assists"):
            for key, labels in (data.get(section) or {}).items():
                assert isinstance(labels, list) and labels, (p.name, section, key)
                assert all(isinstance(x, str) and tokens_of(x) for x in labels), (p.name, section, key)
        assert p.stem in vocab.LANGUAGES


@pytest.mark.parametrize("lang", EN16931_LANGUAGES)
def test_each_language_covers_the_standard_concepts_english_covers(lang):
    data = _load(vocab.VOCAB_DIR / f"{lang}.json")
    english = _load(vocab.VOCAB_DIR / "en.json")
    for key in STANDARD_FIELDS:
        assert english["fields"].get(key), key
        assert data["fields"].get(key), (lang, key)
    for key in STANDARD_COLUMNS:
        assert english["columns"].get(key), key
        assert data["columns"].get(key), (lang, key)


def test_no_wording_repeats_within_a_concept_or_serves_two_invoice_concepts():
    for p in FILES:
        for section, content in _load(p).items():
            if isinstance(content, dict):
                lists = list(content.items())
            else:
                lists = [("", content)] if isinstance(content, list) else []
            for key, labels in lists:
                toks = [" ".join(tokens_of(x)) for x in labels]
                assert len(toks) == len(set(toks)), (p.name, section, key)
    owner: dict[str, str] = {}
    for key in INVOICE_KEYS:
        for label in vocab.FIELD_LABELS.get(key, []):
            t = " ".join(tokens_of(label))
            assert owner.setdefault(t, key) == key, (label, owner[t], key)


def test_files_merge_by_concept_and_a_new_language_is_one_file(tmp_path):
    # what the files hold is what the merged dictionaries hold
    for p in FILES:
        data = _load(p)
        for key, labels in data.get("fields", {}).items():
            assert set(labels) <= set(vocab.FIELD_LABELS[key]), (p.name, key)
        for key, labels in data.get("columns", {}).items():
            assert set(labels) <= set(vocab.COLUMN_LABELS[key]), (p.name, key)
    assert "rechnungsnummer" in vocab.FIELD_LABELS["invoice_number"]
    assert "numero de facture" in vocab.FIELD_LABELS["invoice_number"]
    assert "gesamtbetrag" in vocab.FIELD_LABELS["total"] and "net a payer" in vocab.FIELD_LABELS["amount_due"]
    # a folder with one more language, and a broken file that is skipped without raising
    (tmp_path / "en.json").write_text(json.dumps({"language": "en", "fields": {"total": ["total"]}}))
    (tmp_path / "sv.json").write_text(json.dumps({"language": "sv", "fields": {"total": ["att betala"],
                                                                                "invoice_number": ["fakturanummer"]}}))
    (tmp_path / "xx.json").write_text("{ not json")
    langs = vocab._languages(tmp_path)
    assert set(langs) == {"en", "sv"}
    merged = vocab.merge(langs, "fields")
    assert merged["total"] == ["total", "att betala"] and merged["invoice_number"] == ["fakturanummer"]
    assert vocab.load_language(tmp_path / "missing.json") == {}


# --- invoices written here, one layout per language ---------------------------------------------

LAYOUTS = {
    # German: sender line over the address window (DIN 5008), no buyer label; dateline-free header labels
    "de": dict(seller=("Kraxelhuber Maschinenbau GmbH", "Industriestraße 14", "47829 Krefeld", "Deutschland"),
               buyer=("Flugdrachen Vertriebs-GmbH", "z. Hd. Frau Beispiel", "Rabattweg 25", "34567 Osterhausen"),
               buyer_label=None, sender_line=True,
               header=[("Rechnungsnummer:", "RE-2026-0417"), ("Rechnungsdatum:", "17. Februar 2026"),
                       ("Ihre Bestellnummer:", "B-7781")],
               columns=("Pos.", "Bezeichnung", "Menge", "Einzelpreis", "Betrag"),
               totals=[("Nettobetrag", "845,00 €"), ("zzgl. 19 % USt.", "160,55 €"),
                       ("Gesamtbetrag", "1.005,55 €")],
               number="RE-2026-0417", date="2026-02-17", total="1005.55", subtotal="845.00"),
    "fr": dict(seller=("Ateliers Dupont SARL", "35 rue des Forges", "69100 Villeurbanne", "France"),
               buyer=("Comptoir Lyonnais SAS", "12 avenue Foch", "75016 Paris"),
               buyer_label="Client :", sender_line=False,
               header=[("Facture N° :", "F2026-0031"), ("Date de facture :", "31/01/2026")],
               columns=("Ligne", "Désignation", "Qté", "Prix unitaire HT", "Montant HT"),
               totals=[("Total HT", "1 200,00 €"), ("TVA 20 %", "240,00 €"), ("Total TTC", "1 440,00 €"),
                       ("Net à payer", "1 440,00 €")],
               number="F2026-0031", date="2026-01-31", total="1440.00", subtotal="1200.00"),
    "es": dict(seller=("Herramientas del Norte S.L.", "Calle Mayor 8", "28013 Madrid", "España"),
               buyer=("Importadora Andina Ltda", "Carrera 7 No. 71-21", "110231 Bogotá", "Colombia"),
               buyer_label="Cliente:", sender_line=False,
               header=[("Número de factura:", "FV-88213"), ("Fecha de expedición:", "05/03/2026")],
               columns=("Línea", "Descripción", "Cantidad", "Precio unitario", "Importe"),
               totals=[("Base imponible", "2.500,00 €"), ("IVA 21 %", "525,00 €"),
                       ("Total factura", "3.025,00 €")],
               number="FV-88213", date="2026-03-05", total="3025.00", subtotal="2500.00"),
    "it": dict(seller=("Officine Rossi S.r.l.", "Via Roma 21", "20121 Milano", "Italia"),
               buyer=("Bianchi Forniture S.p.A.", "Corso Vittorio 3", "10121 Torino"),
               buyer_label="Cessionario committente:", sender_line=False,
               header=[("Numero fattura:", "2026/115"), ("Data fattura:", "12.04.2026")],
               columns=("Riga", "Descrizione", "Quantità", "Prezzo unitario", "Importo"),
               totals=[("Imponibile", "980,00 €"), ("IVA 22 %", "215,60 €"), ("Totale documento", "1.195,60 €")],
               number="2026/115", date="2026-04-12", total="1195.60", subtotal="980.00"),
    "nl": dict(seller=("Van Dijk Techniek B.V.", "Weena 664", "3012 CN Rotterdam", "Nederland"),
               buyer=("De Vries Handel B.V.", "T.a.v. administratie", "Fakestraat 46", "3500 MJ Utrecht"),
               buyer_label="Factuuradres", sender_line=False,
               header=[("Factuurnummer:", "VF-10051930"), ("Factuurdatum:", "8-9-2022")],
               columns=("Regel", "Omschrijving", "Aantal", "Prijs", "Bedrag"),
               totals=[("Subtotaal", "41,31 €"), ("BTW 21 %", "8,68 €"), ("Totaal incl. btw", "49,99 €")],
               number="VF-10051930", date="2022-09-08", total="49.99", subtotal="41.31"),
    "pt": dict(seller=("Metalurgica Porto Lda", "Rua das Flores 120", "4050-262 Porto", "Portugal"),
               buyer=("Comercial Lisboa S.A.", "Avenida da Liberdade 50", "1250-096 Lisboa"),
               buyer_label="Cliente:", sender_line=False,
               header=[("Número da fatura:", "FT 2026/77"), ("Data de emissão:", "28/02/2026")],
               columns=("Linha", "Descrição", "Quantidade", "Preço unitário", "Valor"),
               totals=[("Total sem IVA", "600,00 €"), ("IVA 23 %", "138,00 €"), ("Total com IVA", "738,00 €")],
               number="FT2026/77", date="2026-02-28", total="738.00", subtotal="600.00"),
}


def _write_invoice(path, spec, with_totals=True):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    y = height - 50

    def text(x, y, s, size=10, font="Helvetica"):
        c.setFont(font, size)
        c.drawString(x, y, s)

    # letterhead: the seller's name and address at the top left
    text(50, y, spec["seller"][0], 14, "Helvetica-Bold")
    for i, line in enumerate(spec["seller"][1:]):
        text(50, y - 16 - 12 * i, line, 9)
    y -= 90
    if spec["sender_line"]:
        text(50, y, " · ".join(spec["seller"]), 6)
        y -= 16
    elif spec["buyer_label"]:
        text(320, y, spec["buyer_label"], 10, "Helvetica-Bold")
        y -= 14
    bx = 50 if spec["sender_line"] else 320
    for i, line in enumerate(spec["buyer"]):
        text(bx, y - 13 * i, line)
    y -= 13 * len(spec["buyer"]) + 30
    if spec.get("title"):
        text(50, y, spec["title"], 16, "Helvetica-Bold")
        y -= 24
    for label, value in spec["header"]:
        text(50, y, label)
        text(180, y, value)
        y -= 14
    y -= 20
    xs = (50, 90, 300, 380, 480)
    for x, h in zip(xs, spec["columns"]):
        text(x, y, h, 9, "Helvetica-Bold")
    y -= 16
    for n, (desc, qty, price, amount) in enumerate([("Drachen Modell A", "2", "20,00", "40,00"),
                                                    ("Ersatzteil Satz", "5", "40,00", "200,00")], start=1):
        for x, v in zip(xs, (str(n), desc, qty, price, amount)):
            text(x, y, v, 9)
        y -= 14
    y -= 20
    if with_totals:
        for label, amount in spec["totals"]:
            text(330, y, label)
            c.setFont("Helvetica", 10)
            c.drawRightString(545, y, amount)
            y -= 15
    c.showPage()
    c.save()


@pytest.mark.parametrize("lang", sorted(LAYOUTS))
def test_invoices_in_six_languages_read_their_header_fields(tmp_path, lang):
    spec = LAYOUTS[lang]
    path = tmp_path / f"invoice_{lang}.pdf"
    _write_invoice(path, spec)
    doc = extract_file(path, path.name)[0]
    assert doc.error is None
    assert doc.doc_type == "commercial_invoice", lang
    assert "".join(c for c in doc.get("invoice_number") if c.isalnum()) == \
        "".join(c for c in spec["number"] if c.isalnum())
    assert doc.get("invoice_date") == spec["date"]
    assert doc.get("currency") == "EUR"
    assert doc.get("total") == Decimal(spec["total"]), (lang, doc.get("total"))
    assert doc.get("subtotal") == Decimal(spec["subtotal"]), (lang, doc.get("subtotal"))
    seller, buyer = doc.get("seller"), doc.get("buyer")
    assert seller is not None and seller.name == spec["seller"][0], (lang, seller)
    assert buyer is not None and buyer.name == spec["buyer"][0], (lang, buyer)
    # provenance: the total is read from the page, with its box
    prov = doc.fields.prov("total")
    assert prov.page == 1 and prov.bbox is not None


def test_a_vat_rate_is_never_an_amount_and_an_unprinted_total_is_absent(tmp_path):
    spec = dict(LAYOUTS["de"], title="Rechnung")
    path = tmp_path / "no_totals.pdf"
    _write_invoice(path, spec, with_totals=False)
    doc = extract_file(path, path.name)[0]
    assert doc.get("total") is None and doc.get("subtotal") is None
    spec["totals"] = [("Nettobetrag (zzgl. 19,00 % MwSt.)", "376,37")]
    path = tmp_path / "rate_beside_amount.pdf"
    _write_invoice(path, spec)
    doc = extract_file(path, path.name)[0]
    assert doc.get("subtotal") == Decimal("376.37")


def test_a_broken_file_does_not_raise(tmp_path):
    path = tmp_path / "rechnung.pdf"
    path.write_bytes(b"%PDF-1.4\n% not really a pdf\n")
    doc = extract_file(path, path.name)[0]
    assert doc.error


def _write_lines(path, items, title=("Invoice", 50, 520)):
    """A one-page PDF from (x, y, text, size) items; y from the top."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]
    for x, y, s, size in items:
        c.setFont("Helvetica", size)
        c.drawString(x, height - y, s)
    c.showPage()
    c.save()


_BODY = [(50, 300, "Invoice number: 2026-118", 10), (50, 314, "Invoice date: 03/20/2026", 10),
         (50, 360, "Description", 9), (300, 360, "Quantity", 9), (380, 360, "Unit price", 9), (480, 360, "Amount", 9),
         (50, 376, "Steel brackets", 9), (300, 376, "10", 9), (380, 376, "4.00", 9), (480, 376, "40.00", 9),
         (380, 420, "Total", 10), (480, 420, "EUR 40.00", 10)]


def test_unlabelled_parties_window_left_letterhead_right(tmp_path):
    items = [(50, 120, "Adatum Corporation", 11), (50, 134, "Station Road 21", 11), (50, 148, "48436 Düsseldorf", 11),
             (420, 120, "Cronus Handels GmbH", 11), (420, 134, "Hofstraße 12", 11), (420, 148, "20097 Hamburg", 11),
             (420, 162, "Deutschland", 11), (50, 60, "Invoice", 18)] + _BODY
    path = tmp_path / "side_by_side.pdf"
    _write_lines(path, items)
    doc = extract_file(path, path.name)[0]
    assert doc.get("seller").name == "Cronus Handels GmbH" and doc.get("seller").country == "DE"
    assert doc.get("buyer").name == "Adatum Corporation"
    assert doc.get("total") == Decimal("40.00") and doc.get("currency") == "EUR"


def test_legal_footer_names_the_issuer_over_the_addressee_block(tmp_path):
    items = [(330, 110, "ALEXINUX", 10), (330, 123, "27 rue Henri Rolland", 10), (330, 136, "69100 Villeurbanne", 10),
             (50, 60, "Facture", 18)] + _BODY + [
        (200, 760, "NETPRESSE", 8),
        (80, 772, "Siège social : 16 rue Mollien - 92100 BOULOGNE - Sarl au capital de 10 000 EUR", 7)]
    path = tmp_path / "footer.pdf"
    _write_lines(path, items)
    doc = extract_file(path, path.name)[0]
    assert doc.get("seller").name == "NETPRESSE"
    assert doc.get("buyer").name == "ALEXINUX"


def test_a_tagline_without_an_address_is_not_the_seller(tmp_path):
    items = [(400, 50, "Global Wholesaler", 12), (50, 80, "Azure Interior", 11), (50, 94, "4557 De Silva St", 11),
             (50, 108, "Fremont CA 94538", 11), (50, 122, "United States", 11)] + _BODY
    path = tmp_path / "tagline.pdf"
    _write_lines(path, items)
    doc = extract_file(path, path.name)[0]
    assert doc.get("seller").name == "Azure Interior" and doc.get("seller").country == "US"


def test_a_letterhead_town_line_is_no_sender_line(tmp_path):
    """A letterhead's last line names town, postcode and country like a window envelope's sender line does; it
    closes the block above it, so the block names the seller."""
    items = [(170, 50, "HARBOUR POLYMERS CO., LTD.", 11), (170, 64, "No. 7 Gangwan Road, Xiangzhou", 11),
             (170, 78, "Zhuhai, Guangdong 519000, China", 11), (170, 92, "Tel +86 756 8812 3300", 11),
             (50, 130, "Bill To", 10),
             (50, 144, "Lakeshore Supply, Inc.", 10), (50, 158, "2200 Harbor Pkwy", 10),
             (50, 172, "Toledo, OH 43611", 10), (50, 110, "COMMERCIAL INVOICE", 16)] + _BODY
    path = tmp_path / "town_line.pdf"
    _write_lines(path, items)
    doc = extract_file(path, path.name)[0]
    seller = doc.get("seller")
    assert seller.name == "HARBOUR POLYMERS CO., LTD." and seller.country == "CN", seller
    assert doc.get("buyer").name == "Lakeshore Supply, Inc."


def test_country_from_a_postcode_only_where_its_convention_is_clear():
    from appraiser.extract.normalize import postcode_country

    assert postcode_country("D-63571 Gelnhausen") == "DE"
    assert postcode_country("F-75018 Paris") == "FR"
    assert postcode_country("3500 MJ Utrecht") == "NL"
    assert postcode_country("London SW1A 1AA") == "GB"
    # a bare number is no country, nor is a U.S. street with a compass point
    assert postcode_country("12345 Papierfeld") is None
    assert postcode_country("75018 PARIS") is None
    assert postcode_country("1600 NW Pennsylvania Ave") is None
    assert postcode_country("INV-12345") is None
    assert postcode_country("") is None


def test_labels_above_their_values_and_a_totals_row(tmp_path):
    # Spanish: a row of labels over a row of values; the totals block as one row of three columns
    items = [(50, 60, "Herramientas del Norte S.L.", 14), (50, 76, "Calle Mayor 8", 9), (50, 88, "28013 Madrid", 9),
             (320, 120, "Cliente:", 10), (320, 134, "Importadora Andina Ltda", 10),
             (320, 148, "Carrera 7 No. 71-21", 10),
             (320, 162, "110231 Bogotá, Colombia", 10),
             (50, 220, "Número de factura", 9), (200, 220, "Fecha", 9), (300, 220, "Pedido", 9),
             (50, 234, "FV-2026-0042", 10), (200, 234, "5 de marzo de 2026", 10), (300, 234, "OC-7781", 10),
             (50, 280, "Descripción", 9), (300, 280, "Cantidad", 9), (380, 280, "Precio", 9), (480, 280, "Importe", 9),
             (50, 296, "Tornillos M8", 9), (300, 296, "100", 9), (380, 296, "0,25", 9), (480, 296, "25,00", 9),
             (50, 310, "Tuercas M8", 9), (300, 310, "100", 9), (380, 310, "0,10", 9), (480, 310, "10,00", 9),
             (300, 360, "Base imponible", 9), (400, 360, "IVA 21 %", 9), (480, 360, "Total", 9),
             (300, 374, "35,00 €", 10), (400, 374, "7,35 €", 10), (480, 374, "42,35 €", 10)]
    path = tmp_path / "rows.pdf"
    _write_lines(path, items)
    doc = extract_file(path, path.name)[0]
    assert doc.get("invoice_number") == "FV-2026-0042" and doc.get("po_number") == "OC-7781"
    assert doc.get("invoice_date") == "2026-03-05"
    assert doc.get("subtotal") == Decimal("35.00") and doc.get("total") == Decimal("42.35")
    assert doc.get("buyer").name == "Importadora Andina Ltda" and doc.get("buyer").country == "CO"


def test_gross_total_over_the_amount_left_to_pay(tmp_path):
    # French: the title over "N° :", TOTAL HT / TOTAL TVA / TOTAL TTC over their amounts, a deposit, then
    # NET A PAYER: the total is the gross total (BT-112), not what is left to pay (BT-115)
    items = [(50, 90, "Ateliers Dupont SARL", 12), (50, 104, "35 rue des Forges", 9),
             (50, 116, "F-69100 Villeurbanne", 9),
             (330, 60, "FACTURE", 18), (330, 90, "N° : F2026-0031", 10), (330, 104, "Date : 31/01/2026", 10),
             (330, 140, "Adresse de facturation", 9), (330, 154, "Comptoir Lyonnais", 10),
             (330, 168, "12 avenue Foch", 10), (330, 182, "75016 Paris", 10),
             (50, 280, "Désignation", 9), (300, 280, "Qté", 9), (380, 280, "P.U. HT", 9), (480, 280, "Montant HT", 9),
             (50, 296, "Prestation", 9), (300, 296, "1", 9), (380, 296, "1 200,00", 9), (480, 296, "1 200,00", 9),
             (300, 340, "TOTAL HT", 9), (380, 340, "TOTAL TVA", 9), (480, 340, "TOTAL TTC", 9),
             (300, 354, "1 200,00", 10), (380, 354, "240,00", 10), (480, 354, "1 440,00", 10),
             (380, 380, "Acompte :", 10), (480, 380, "440,00", 10), (380, 394, "NET A PAYER", 10),
             (480, 394, "1 000,00 EUR", 10)]
    path = tmp_path / "acompte.pdf"
    _write_lines(path, items)
    doc = extract_file(path, path.name)[0]
    assert doc.get("invoice_number") == "F2026-0031" and doc.get("invoice_date") == "2026-01-31"
    assert doc.get("total") == Decimal("1440.00") and doc.get("subtotal") == Decimal("1200.00")
    assert doc.get("seller").name == "Ateliers Dupont SARL" and doc.get("seller").country == "FR"
    assert doc.get("buyer").name == "Comptoir Lyonnais"
    assert not any(c["kind"] == "discount" for c in doc.get("charges") or [])


def test_dates_in_the_forms_of_the_new_languages():
    from appraiser.extract.normalize import parse_date

    assert parse_date("17. Februar 2026") == "2026-02-17"
    assert parse_date("11.07.2014") == "2014-07-11"
    assert parse_date("31/01/2026") == "2026-01-31"
    assert parse_date("February 17, 2026") == "2026-02-17"
    assert parse_date("1er mars 2024") == "2024-03-01"
    assert parse_date("1º de março de 2026") == "2026-03-01"
    assert parse_date("8 september 2022") == "2022-09-08"
    assert parse_date("31 Februar 2026") is None  # no such day
