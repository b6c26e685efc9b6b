"""Payment records as they arrive: a SWIFT MT103 message saved as a text file, a bank's remittance advice PDF,
and broken messages (read in part or reported, never raising)."""
from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from appraiser.extract import extract_file, payment_record
from appraiser.extract.load import load

MT103 = """{1:F01DEUTDEFFAXXX0000000000}{2:I103CITIUS33XXXXN}{4:
:20:FT25071812345
:23B:CRED
:32A:250718USD18240,50
:50K:/DE89370400440532013000
HANSEATIC STEEL TRADING GMBH
HAFENSTRASSE 12
20457 HAMBURG
GERMANY
:52A:DEUTDEFF
:57A:CITIUS33
:59:/US12345678901
LAKESHORE INDUSTRIAL SUPPLY, INC.
2200 HARBOR INDUSTRIAL PKWY
TOLEDO OH 43611
:70:/INV/INV-2025-0412 AND INV-2025-0413
COMMISSION Q2 2025
:71A:SHA
-}
"""


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_mt103_text_file_is_a_payment_record_with_its_fields(tmp_path):
    p = _write(tmp_path / "MT103 FT25071812345.txt", MT103)
    doc, _ = extract_file(p, p.name)
    assert doc.error is None
    assert doc.doc_type == "payment_record"
    f = {x.name: x for x in doc.fields}
    assert f["payer"].value.name == "HANSEATIC STEEL TRADING GMBH"
    assert f["payer"].value.country == "DE"
    assert "/DE89" not in (f["payer"].value.address or "")  # the account line is not the address
    assert f["payee"].value.name == "LAKESHORE INDUSTRIAL SUPPLY, INC."
    assert f["payment_date"].value == "2025-07-18"
    assert f["currency"].value == "USD"
    assert f["amount"].value == Decimal("18240.50") and isinstance(f["amount"].value, Decimal)
    assert f["reference"].value == "FT25071812345"
    assert "INV-2025-0412" in f["purpose"].value and "COMMISSION" in f["purpose"].value
    prov = f["amount"].prov
    assert prov.path == p.name and prov.page == 1 and prov.bbox[2] > prov.bbox[0] and "32A" in prov.text


def test_mt103_option_a_and_f_parties(tmp_path):
    text = MT103.replace(":50K:/DE89370400440532013000\nHANSEATIC STEEL TRADING GMBH\nHAFENSTRASSE 12\n"
                         "20457 HAMBURG\nGERMANY\n",
                         ":50F:/DE89370400440532013000\n1/HANSEATIC STEEL TRADING GMBH\n2/HAFENSTRASSE 12\n"
                         "3/DE/20457 HAMBURG\n")
    text = text.replace(":59:/US12345678901\nLAKESHORE INDUSTRIAL SUPPLY, INC.\n2200 HARBOR INDUSTRIAL PKWY\n"
                        "TOLEDO OH 43611\n", ":59A:/US12345678901\nCITIUS33\n")
    p = _write(tmp_path / "mt103f.txt", text)
    fs, _ = payment_record.extract(load(p, p.name).pages, p.name)
    assert fs.get("payer").name == "HANSEATIC STEEL TRADING GMBH" and fs.get("payer").country == "DE"
    assert fs.get("payee") is None  # a BIC names the beneficiary's bank, not the beneficiary


def test_latin1_text_file_loads(tmp_path):
    text = MT103.replace("HANSEATIC STEEL TRADING GMBH", "SCHWÄBISCHE PRÄZISIONSTEILE AG")
    p = _write(tmp_path / "mt103-latin1.txt", text, "latin-1")
    loaded = load(p, p.name)
    assert loaded.error is None and len(loaded.pages) == 1
    fs, _ = payment_record.extract(loaded.pages, p.name)
    assert fs.get("payer").name == "SCHWÄBISCHE PRÄZISIONSTEILE AG"
    # words keep their character columns: ":20:" and ":23B:" start at the same x
    words = loaded.pages[0].words
    assert words[1].x0 == words[2].x0 and words[1].top < words[2].top


def test_malformed_messages_are_partial_or_reported_never_raised(tmp_path):
    cases = {
        "cut.txt": ":20:\n:32A:25XX\n:50K:\n:59:\n",  # every field empty or broken
        "nofields.txt": "{1:F01DEUTDEFF}{4:\n-}\n",
        "truncated.txt": MT103[:MT103.index(":59:")],
    }
    for name, text in cases.items():
        p = _write(tmp_path / name, text)
        doc, _ = extract_file(p, name)
        assert doc.error is None or "extraction failed" not in doc.error
        loaded = load(p, name)
        fs, _ = payment_record.extract(loaded.pages, name)
        assert fs.get("amount") is None or fs.get("amount") == Decimal("18240.50")
        assert fs.get("payee") is None
    fs, _ = payment_record.extract(load(tmp_path / "truncated.txt", "t").pages, "t")
    assert fs.get("payer").name == "HANSEATIC STEEL TRADING GMBH" and fs.get("payment_date") == "2025-07-18"
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\x00\x01\x02\x03 not text")
    assert load(bad, bad.name).error.startswith("unsupported file type")
    fake = _write(tmp_path / "advice.pdf", "REMITTANCE ADVICE\n")
    assert load(fake, fake.name).error.startswith("unsupported file type (plain text")


def test_remittance_advice_pdf(tmp_path):
    p = tmp_path / "remittance advice.pdf"
    c = canvas.Canvas(str(p), pagesize=letter)
    rows = [
        (72, 740, "REMITTANCE ADVICE"),
        (72, 700, "Payer:"), (72, 686, "Magnolia Apparel Group, Inc."), (72, 672, "18 Cotton Exchange Plaza"),
        (72, 658, "Memphis, TN 38103, USA"),
        (330, 700, "Payee:"), (330, 686, "Studio Lindqvist Design AB"), (330, 672, "Sveavägen 44"),
        (330, 658, "111 34 Stockholm, Sweden"),
        (72, 610, "Payment date:"), (200, 610, "04.08.2025"),
        (72, 592, "Amount paid:"), (200, 592, "USD 1,350.95"),
        (72, 574, "Payment reference:"), (200, 574, "RA-2025-08-0417"),
        (72, 556, "Purpose of payment:"), (200, 556, "Royalty Q2 2025 under LA-2025-17"),
    ]
    for x, y, t in rows:
        c.drawString(x, y, t)
    c.save()
    doc, _ = extract_file(p, p.name)
    assert doc.error is None and doc.doc_type == "payment_record"
    f = {x.name: x.value for x in doc.fields}
    assert f["payer"].name == "Magnolia Apparel Group, Inc." and f["payee"].name == "Studio Lindqvist Design AB"
    assert f["payee"].country == "SE"
    assert f["amount"] == Decimal("1350.95") and f["currency"] == "USD"
    assert f["payment_date"] == "2025-08-04"
    assert f["reference"] == "RA-2025-08-0417"
    assert f["purpose"].startswith("Royalty Q2 2025")


def test_printed_copy_with_field_names_is_not_read_as_the_raw_message(tmp_path):
    text = """PAYMENT ADVICE
Customer Credit Transfer - SWIFT MT103 copy
:20: Sender's Reference FT25082913240
:32A: Value Date / Currency / Interbank Settled 29/08/2025 USD 738.76
:50K: Ordering Customer /****8117
Keystone Valve & Fitting Co.
610 Susquehanna Trail
York, PA 17406
:59: Beneficiary Customer /577749201536
Handelsvertretung Kessler e.K.
Koenigsallee 92a
40212 Duesseldorf
:70: Remittance Information Sales commission invoice SCH-258579
"""
    p = _write(tmp_path / "advice.txt", text)
    fs, _ = payment_record.extract(load(p, p.name).pages, p.name)
    # the field names are labels for the label reader, never part of a party or of the purpose
    for name in ("payer", "payee"):
        assert fs.get(name) is None or not fs.get(name).name.startswith(("Ordering", "Beneficiary"))
    assert not (fs.get("purpose") or "").startswith("Remittance Information")
    assert fs.get("reference") == "FT25082913240"
