"""Normalisation: numbers, money, dates, HTS numbers, units, countries, currencies, entry numbers — exact."""
from decimal import Decimal as D

import pytest

from appraiser.extract import normalize as n


@pytest.mark.parametrize("text,style,value", [
    ("1,234.56", None, "1234.56"), ("1.234,56", None, "1234.56"), ("1 234,56", None, "1234.56"),
    ("1'234.50", None, "1234.50"), ("12,500", None, "12500"), ("(1,200.00)", None, "-1200.00"),
    ("1,200.00-", None, "-1200.00"), ("2.15", None, "2.15"), ("1,5", None, "1.5"), (".75", None, "0.75"),
    ("12.500", "comma", "12500"), ("12,500", "comma", "12.500"), ("12.500", "dot", "12.500"),
    ("USD 1,200.00", None, "1200.00"), ("€ 1.085,00", None, "1085.00"), ("7.5%", None, "7.5"),
])
def test_numbers_in_their_many_styles(text, style, value):
    got = n.parse_number(text, style)
    assert got == D(value) and str(got) == value  # exact digits, trailing zeros kept


@pytest.mark.parametrize("text", ["-", "", "N/A", "1,23,4", "12..5", "1.234.56,7.8", "abc"])
def test_not_numbers(text):
    assert n.parse_number(text) is None


def test_number_style_from_unambiguous_numbers():
    assert n.number_style(["1.234,56", "30,00", "12"]) == "comma"
    assert n.number_style(["1,234.56", "2.15"]) == "dot"
    assert n.number_style(["12", "1,200"]) is None


@pytest.mark.parametrize("text,amount,currency", [
    ("US$ 1,234.56", "1234.56", "USD"), ("EUR 12 500,00", "12500.00", "EUR"), ("1,234.56 USD", "1234.56", "USD"),
    ("€29.132,00", "29132.00", "EUR"), ("RMB 8,000.00", "8000.00", "CNY"), ("500.00", "500.00", None),
])
def test_money_keeps_its_currency(text, amount, currency):
    assert n.parse_money(text) == (D(amount), currency)


@pytest.mark.parametrize("text,order,iso", [
    ("03/02/2025", None, "2025-03-02"), ("03/02/2025", "dmy", "2025-02-03"), ("31/12/2025", None, "2025-12-31"),
    ("14.05.2025", None, "2025-05-14"), ("2025-07-02", "dmy", "2025-07-02"), ("2 March 2025", None, "2025-03-02"),
    ("March 2, 2025", None, "2025-03-02"), ("02-Mar-25", None, "2025-03-02"), ("5 de marzo de 2025", None, "2025-03-05"),
    ("20250320", None, "2025-03-20"),
])
def test_dates(text, order, iso):
    assert n.parse_date(text, order) == iso


def test_impossible_dates_and_document_order():
    assert n.parse_date("31/02/2025") is None
    assert n.parse_date("no date here") is None
    assert n.date_order(["14.05.2025", "31/01/2025"]) == "dmy"
    assert n.date_order(["05/14/2025"]) == "mdy"


@pytest.mark.parametrize("text,hts,spi", [
    ("7308.90.9590", "7308.90.9590", None), ("7308909590", "7308.90.9590", None),
    ("CO 7308.90.9590", "7308.90.9590", "CO"), ("7308.90", "7308.90", None), ("73089095", "7308.90.95", None),
    ("9903.81.91", "9903.81.91", None),
])
def test_hts_numbers_and_spi(text, hts, spi):
    got_spi, rest = n.split_spi(text)
    assert got_spi == spi and n.normalize_hts(rest) == hts


def test_weights_and_units():
    assert n.to_kg(D("4410"), "LB") == D("2000.342")  # × 0.45359237, to the gram
    assert n.to_kg(D("2"), "T") == D("2000")
    assert n.to_kg(D("1240.5"), "KG") == D("1240.5")
    assert n.weight_unit("LBS") == "LB" and n.weight_unit("kgs") == "KG"
    assert n.unit_code("pieces") == "PCS" and n.unit_code("PCS") == "PCS"


@pytest.mark.parametrize("text,code", [
    ("Mexico", "MX"), ("MEXICO", "MX"), ("United States of America", "US"), ("USA", "US"), ("Deutschland", "DE"),
    ("P.R. China", "CN"), ("Mexco", "MX"), ("Korea, Republic of", "KR"),
])
def test_countries(text, code):
    assert n.country_code(text) == code


def test_no_country_from_a_street():
    assert n.country_code("Harbor Industrial Pkwy") is None


@pytest.mark.parametrize("text,code", [("US$", "USD"), ("€", "EUR"), ("Euro", "EUR"), ("RMB", "CNY"), ("CNY", "CNY")])
def test_currencies(text, code):
    assert n.currency_code(text) == code


def test_entry_numbers_and_check_digit():
    assert n.entry_check_digit("ABC1234567") == 6  # SPEC §4
    assert n.entry_check_digit("9999999999") == 0
    assert n.normalize_entry_number("D4K 0104547 1") == "D4K-0104547-1"
    assert n.normalize_entry_number("D4K-O104547-1") == "D4K-0104547-1"  # OCR letter O for zero
    assert n.entry_number_ok("D4K-0104547-1") and not n.entry_number_ok("D4K-0104547-2")


def test_identifiers_compare_on_letters_and_digits():
    assert n.id_key("INV # 2025-001") == n.id_key("inv2025 001") == "INV2025001"
    assert n.clean_party_name("Seller: ACME Corp.") == "ACME Corp."
