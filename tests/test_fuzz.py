"""Property-based fuzzing of the parsers that turn text into typed values: on any text they return a value or
None (or raise only their documented error), and what they write they read back."""
import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from appraiser import pipeline
from appraiser.audit.link import CSV_COLUMNS, load_declared_csv
from appraiser.audit.revenue import Tariff, load_tariff
from appraiser.extract import normalize as nz
from appraiser.extract.common import Conventions, cell_money, parse_id, quantity_and_unit
from appraiser.extract.einvoice import convert
from appraiser.extract.mill_certificate import chem_value

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# text that reaches the parsers' inner paths: digits of several scripts, separators, signs, currency marks,
# month names, letters, spaces of several widths and control characters
_PIECES = st.sampled_from(["0", "1", "2", "3", "7", "9", "12", "31", "2025", "٣", "²", "１", ".", ",", "'", " ",
                           "\u00a0", "\u202f", "-", "−", "+", "(", ")", "$", "€", "US$", "USD", "%", "/", "e", "E",
                           "NaN", "Infinity", "March", "mars", "de", "Jan", "CO", "A+", "ß", "\n", "\t", "\x00",
                           "\x1b", "O", "l", "I", "ABC", "D4K"])
ANY_TEXT = st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=14).map("".join))
STYLES = st.sampled_from([None, "dot", "comma"])
ORDERS = st.sampled_from([None, "mdy", "dmy"])
ISO = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
HTS = re.compile(r"\d{4}\.\d{2}(?:\.\d{2}|\.\d{4})?", re.ASCII)


# --- numbers -----------------------------------------------------------------------------------------------------

@FUZZ
@given(ANY_TEXT, STYLES)
def test_numbers_are_a_decimal_or_none(text, style):
    v = nz.parse_number(text, style)
    assert v is None or (isinstance(v, Decimal) and v.is_finite())
    m = nz.parse_money(text, style)
    assert m is None or (isinstance(m[0], Decimal) and m[0].is_finite() and (m[1] is None or len(m[1]) == 3))
    assert nz.number_style([text]) in (None, "dot", "comma")
    conv = Conventions(style, None)
    q, unit = quantity_and_unit(text, conv)
    assert q is None or isinstance(q, Decimal)
    c = cell_money(text, conv)
    assert c is None or isinstance(c, Decimal)
    chem = chem_value(text, scanned=bool(style))
    assert chem is None or isinstance(chem, Decimal)


def _grouped(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    return sep.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


AMOUNTS = st.decimals(min_value=Decimal("-999999999999.9999"), max_value=Decimal("999999999999.9999"), places=4,
                      allow_nan=False, allow_infinity=False)


@FUZZ
@given(AMOUNTS, st.integers(0, 4), st.sampled_from(["1,234.56", "1.234,56", "1 234,56", "1\u00a0234,56",
                                                     "1\u202f234,56", "1'234.56", "1234.56", "1234,56"]),
       st.sampled_from(["-{}", "({})", "{}-", "−{}"]), st.sampled_from(["{}", "USD {}", "$ {}", "{} EUR", "{} €"]))
@example(Decimal("1234"), 0, "1,234.56", "-{}", "{}")
@example(Decimal("0.5"), 1, "1.234,56", "({})", "{} €")
@example(Decimal("1.234"), 3, "1,234.56", "-{}", "{}")
def test_a_number_written_in_any_supported_style_reads_back(value, places, style, negative, currency):
    value = value.quantize(Decimal(1).scaleb(-places))
    whole, _, frac = format(abs(value), "f").partition(".")
    thousands = style[1] if not style.startswith("1234") else ""
    decimal_mark = style[-3]
    text = _grouped(whole, thousands) if thousands else whole
    if frac:
        text += decimal_mark + frac
    if value < 0:
        text = negative.format(text)
    mark = "comma" if decimal_mark == "," else "dot"
    assert nz.parse_number(text, mark) == value, text
    money = currency.format(text)
    cur = None if currency == "{}" else "EUR" if "€" in currency or "EUR" in currency else "USD"
    assert nz.parse_money(money, mark) == (value, cur), money


# --- dates -------------------------------------------------------------------------------------------------------

@FUZZ
@given(ANY_TEXT, ORDERS)
def test_dates_are_iso_or_none(text, order):
    iso = nz.parse_date(text, order)
    assert iso is None or (ISO.fullmatch(iso) and date.fromisoformat(iso).isoformat() == iso)
    for found, value in nz.find_dates(text, order):
        assert found in text and date.fromisoformat(value).isoformat() == value
    assert nz.date_order([text]) in (None, "mdy", "dmy")
    assert nz.locale_date_order(text.split(), None) in (None, "dmy")
    assert convert("date", text) is None or ISO.fullmatch(convert("date", text))


MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]


@FUZZ
@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2069, 12, 31)),
       st.sampled_from(["{y:04}-{m:02}-{d:02}", "{m}/{d}/{y}", "{m:02}/{d:02}/{y:04}", "{d}.{m}.{y}",
                        "{d:02}-{m:02}-{y}", "{d} {M} {y}", "{M} {d}, {y}", "{d}-{Mon}-{y}", "{Mon}. {d}, {y}",
                        "{y}{m:02}{d:02}", "{d:02}.{m:02}.{yy:02}", "{m}/{d}/{yy:02}"]))
def test_a_date_written_in_a_supported_format_reads_back(day, form):
    text = form.format(y=day.year, yy=day.year % 100, m=day.month, d=day.day, M=MONTH_NAMES[day.month - 1],
                       Mon=MONTH_NAMES[day.month - 1][:3])
    order = "mdy" if form.startswith("{m}") or form.startswith("{m:") else "dmy"
    assert nz.parse_date(text, order) == day.isoformat(), text


# --- HTS numbers -------------------------------------------------------------------------------------------------

@FUZZ
@given(ANY_TEXT)
def test_hts_numbers_are_canonical_or_none(text):
    hts = nz.normalize_hts(text)
    assert hts is None or HTS.fullmatch(hts), hts
    spi, rest = nz.split_spi(text)
    assert rest is None or HTS.fullmatch(rest)
    assert convert("hts", text) is None or HTS.fullmatch(convert("hts", text))


@FUZZ
@given(st.integers(1, 99), st.text("0123456789", min_size=4, max_size=8).filter(lambda s: len(s) in (4, 6, 8)),
       st.sampled_from([".", "", " "]), st.sampled_from(["", "CO ", "A+ ", "MX "]))
def test_an_hts_number_written_with_dots_spaces_or_none_reads_back(chapter, rest, sep, spi):
    digits = f"{chapter:02}{rest}"
    canonical = ".".join([digits[:4], digits[4:6]] + ([digits[6:]] if len(digits) > 6 else []))
    pairs = [digits[:4]] + [digits[i:i + 2] for i in range(4, len(digits), 2)]
    written = spi + (pairs[0] + "".join(sep + p for p in pairs[1:]) if sep else digits)
    assert nz.normalize_hts(written) == canonical, written
    assert nz.split_spi(written) == (spi.strip() or None, canonical)


# --- entry numbers -----------------------------------------------------------------------------------------------

@FUZZ
@given(ANY_TEXT)
def test_entry_numbers_are_checked_or_none(text):
    n = nz.normalize_entry_number(text)
    assert n is None or (re.fullmatch(r"[A-Z0-9]{3}-\d{7}-\d", n, re.ASCII)
                         and nz.entry_check_digit(n[:11]) == int(n[-1]))
    try:
        check = nz.entry_check_digit(text)
    except ValueError:  # its documented error: not ten letters and digits
        return
    assert 0 <= check <= 9


FILER = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3)


@FUZZ
@given(FILER, st.text("0123456789", min_size=7, max_size=7), st.integers(0, 7), st.integers(1, 9),
       st.sampled_from(["{f}-{d}-{c}", "{f} {d} {c}", "{f}{d}{c}", "Entry No. {f}-{d}-{c}"]))
def test_an_entry_number_with_its_check_digit_is_accepted_and_a_changed_digit_is_not(filer, digits, where, shift,
                                                                                     form):
    check = nz.entry_check_digit(filer + digits)
    good = f"{filer}-{digits}-{check}"
    assert nz.normalize_entry_number(form.format(f=filer, d=digits, c=check)) == good
    assert nz.entry_number_ok(good)
    chars = list(digits + str(check))
    chars[where] = str((int(chars[where]) + shift) % 10)  # one digit changed: the check no longer holds
    changed = "".join(chars)
    assert nz.normalize_entry_number(f"{filer}-{changed[:7]}-{changed[7]}") is None


# --- the other readers of words ---------------------------------------------------------------------------------

@FUZZ
@given(ANY_TEXT)
def test_words_to_codes_never_raise(text):
    assert nz.unit_code(text) is None or isinstance(nz.unit_code(text), str)
    assert nz.weight_unit(text) is None or isinstance(nz.weight_unit(text), str)
    c = nz.country_code(text)
    assert c is None or re.fullmatch(r"[A-Z]{2}", c)
    cur = nz.currency_code(text)
    assert cur is None or re.fullmatch(r"[A-Z]{3}", cur)
    assert nz.postcode_country(text) is None or len(nz.postcode_country(text)) == 2
    assert isinstance(nz.clean_party_name(text), str) and isinstance(nz.description_words(text), str)
    assert parse_id(text) is None or isinstance(parse_id(text), str)
    for kind in ("decimal", "int", "currency", "country", "incoterm", "id"):
        convert(kind, text)


@FUZZ
@given(st.decimals(allow_nan=False, allow_infinity=False), st.sampled_from(["KG", "LB", "MT", "G", "T", "kgs",
                                                                             "pounds", "pcs", ""]))
@example(Decimal("1E+30"), "LB")
@example(Decimal("1E-30"), "G")
def test_weights_convert_or_give_none(value, unit):
    kg = nz.to_kg(value, unit)
    assert kg is None or (isinstance(kg, Decimal) and kg.is_finite())


@FUZZ
@given(ANY_TEXT, ANY_TEXT, st.sampled_from(["CO", "MX", "A+", "", "é"]))
def test_tariff_rates_are_a_decimal_or_none(general, special, spi):
    t = Tariff({"84812000": general}, {"84812000": special})
    for v in (t.general_rate("8481.20.0040"), t.special_rate("8481.20.0040", spi)):
        assert v is None or (isinstance(v, Decimal) and v.is_finite())
    assert isinstance(t.special_programs("8481.20.0040"), set)


# --- the CSV loaders: any bytes give entries or the errors ``load_inputs`` turns into exit 2 -----------------------

CELLS = st.one_of(st.sampled_from(["D4K-0104547-1", "1", "2", "3926.90.9985", "48000", "$1,000.50", "5.3%", "Free",
                                   "2025-03-20", "Y", "N", "USD", "", " ", '"', '""', "a,b", "\n", "\r\n", ";", "-1",
                                   "1e5", "NaN", "9903.88.15", "ABC-1234567-6", "\xff", "é"]),
                  st.text(max_size=8))


def _declared_bytes(data) -> bytes:
    columns = data.draw(st.lists(st.sampled_from(sorted(CSV_COLUMNS) + ["value", ""]), min_size=1, max_size=8))
    rows = data.draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(columns) + 1), max_size=4))
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=data.draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_NONNUMERIC])))
    writer.writerow(columns)
    writer.writerows(rows)
    text = buf.getvalue()
    if data.draw(st.booleans()):  # a damage: a character cut out or put in
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(st.sampled_from(['"', ",", "\n", "\x00", ""])) + text[at + 1:]
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(st.data())
def test_the_declared_csv_loader_on_any_file(tmp_path, data):
    raw = data.draw(st.binary(max_size=200)) if data.draw(st.booleans()) else _declared_bytes(data)
    p = tmp_path / "declared.csv"
    p.write_bytes(raw)
    try:
        entries = load_declared_csv(p)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc).strip(), repr(exc)
        with pytest.raises(pipeline.InputError, match=r"^--declared "):
            pipeline.load_inputs(declared=p)
        return
    for e in entries:
        assert nz.entry_number_ok(e.entry_number)
        for ln in e.lines:
            assert HTS.fullmatch(ln.get("hts")) and isinstance(ln.get("line_no"), int)
            assert isinstance(ln.get("entered_value"), Decimal) and ln.get("entered_value").is_finite()


def _tariff_bytes(data) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(data.draw(st.sampled_from([["HTS Number", "General Rate of Duty", "Special Rate of Duty"],
                                               ["HTS No", "General"], ["hts", "general", "special", "x"]])))
    writer.writerows(data.draw(st.lists(st.lists(CELLS, max_size=4), max_size=4)))
    return buf.getvalue().encode(data.draw(st.sampled_from(["utf-8", "latin-1"])), errors="replace")


@FUZZ
@given(st.data())
def test_the_tariff_loader_on_any_file(tmp_path, data):
    raw = data.draw(st.binary(max_size=200)) if data.draw(st.booleans()) else _tariff_bytes(data)
    p = tmp_path / "tariff.csv"
    p.write_bytes(raw)
    try:
        t = load_tariff(p)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc).strip(), repr(exc)
        with pytest.raises(pipeline.InputError, match=r"^--tariff "):
            pipeline.load_inputs(tariff=p)
        return
    for digits in list(t.general) + list(t.special):
        assert digits.isascii() and digits.isdigit()
        t.general_rate(digits)


# --- what the fuzzing found, kept as plain tests ------------------------------------------------------------------

def test_found_a_superscript_digit_is_no_integer():
    assert convert("int", "²") is None and convert("int", "12") == 12


def test_found_a_weight_too_large_to_convert_exactly_is_none():
    assert nz.to_kg(Decimal("1E+30"), "LB") is None
    assert nz.to_kg(Decimal("1000"), "LB") == Decimal("453.592")


def test_found_an_hts_number_is_ascii_digits_only():
    assert nz.normalize_hts("01000٠") is None  # an Arabic-Indic zero is no HTS digit
    assert nz.normalize_hts("0100.00") == "0100.00"


def test_found_an_amount_right_after_a_letter_or_a_colon_and_a_one_digit_trailing_minus():
    # a sign class written [+-−] was a range from "+" to "−" (every letter and ":" in it): "USD1,234.56" and
    # "Total:5,00" read as nothing, "5-" as 5
    assert nz.parse_money("USD1,234.56") == (Decimal("1234.56"), "USD")
    assert nz.parse_money("Total:5,00") == (Decimal("5.00"), None)
    assert nz.parse_money("5-") == (Decimal("-5"), None)
    assert nz.parse_money("19,00 %") is None
