"""Agreements written as prose: parties from the preamble, from defined roles and from signature blocks, the
effective date in its usual phrasings, the royalty clause — on PDFs written here, and on the real Kleister-NDA
agreements (SEC filings) when ../shared is present."""
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from appraiser.extract import agreement, prose
from appraiser.extract.load import load



def _pdf(path: Path, paragraphs: list[str]) -> Path:
    c = canvas.Canvas(str(path), pagesize=letter)
    y = 740
    for para in paragraphs:
        for line in textwrap.wrap(para, 95) or [""]:
            if y < 60:
                c.showPage()
                y = 740
            c.drawString(50, y, line)
            y -= 14
        y -= 8
    c.save()
    return path


def _fields(tmp_path, paragraphs, name="agreement.pdf"):
    p = _pdf(tmp_path / name, paragraphs)
    loaded = load(p, name)
    assert loaded.error is None
    fs, _ = agreement.extract(loaded.pages, name)
    return fs


def _names(fs):
    return [p["name"] for p in fs.get("parties") or []]


def test_preamble_parties_roles_countries_date_and_royalty(tmp_path):
    fs = _fields(tmp_path, [
        "TRADEMARK LICENSE AGREEMENT",
        "This Trademark License Agreement (the \u201cAgreement\u201d) is made and entered into this 20th day of "
        "May, 2014, by and between Northwind Brands Licensing LLC, a Delaware limited liability company having "
        "its principal office at 500 Fifth Avenue, New York, NY 10110 (the \u201cLicensor\u201d), and Hanbit "
        "Marine Equipment Co., Ltd., a company organized under the laws of Korea, with offices at 27 "
        "Noksansaneop-daero, Busan (the \u201cLicensee\u201d).",
        "WHEREAS, Licensor owns the marks; NOW, THEREFORE, the parties agree as follows:",
        "3. Royalty. Licensee shall pay to Licensor a royalty of five percent (5%) of Net Sales of Licensed "
        "Products, payable quarterly.",
        "4. Term. This Agreement expires on December 31, 2019, and notices dated June 1, 2015 are void.",
    ])
    parties = fs.get("parties")
    assert [p["name"] for p in parties] == ["Northwind Brands Licensing LLC", "Hanbit Marine Equipment Co., Ltd."]
    assert [p.get("role") for p in parties] == ["licensor", "licensee"]
    assert parties[1].get("country") == "KR" and "country" not in parties[0]
    assert fs.get("effective_date") == "2014-05-20"
    assert fs.get("agreement_type") == "licence"
    assert fs.get("rate_percent") == Decimal("5")
    assert fs.get("royalty_base").lower().startswith("net sales")
    prov = fs.prov("effective_date")
    assert prov is not None and prov.page == 1 and "May" in prov.text


def test_among_three_parties_and_a_group_defined_collectively(tmp_path):
    fs = _fields(tmp_path, [
        "NON-DISCLOSURE AGREEMENT",
        "THIS NON-DISCLOSURE AGREEMENT, dated as of January 11, 2012, is by and among First Harbor Bancorp, "
        "Inc. (the \u201cCompany\u201d), Stone Partners, L.P., Stone Value Partners II, L.P., and Joseph Stone, "
        "an individual (collectively, the \u201cStone Group\u201d) and Spencer L. Schneider, a director nominee "
        "(\u201cSchneider\u201d).",
        "1. Confidentiality. Each party shall keep the information confidential.",
    ])
    assert _names(fs) == ["First Harbor Bancorp, Inc.", "Stone Group", "Spencer L. Schneider"]
    assert fs.get("effective_date") == "2012-01-11"


def test_defined_roles_without_between(tmp_path):
    fs = _fields(tmp_path, [
        "MUTUAL CONFIDENTIALITY AGREEMENT",
        "This agreement is entered into on 3 March 2021 by Acumen Optics GmbH (the \u201cDiscloser\u201d) and "
        "Lakeshore Industrial Supply, Inc. (the \u201cRecipient\u201d) for the purpose of a possible supply "
        "relationship.",
    ])
    assert [(p["name"], p.get("role")) for p in fs.get("parties")] == [
        ("Acumen Optics GmbH", "discloser"), ("Lakeshore Industrial Supply, Inc.", "recipient")]
    assert fs.get("effective_date") == "2021-03-03"


def test_signature_blocks_name_the_parties_when_the_preamble_does_not(tmp_path):
    fs = _fields(tmp_path, [
        "CONFIDENTIALITY AGREEMENT",
        "This Agreement is made by and between the undersigned parties with reference to a possible transaction.",
        "1. Each party shall hold the other's information in confidence.",
        "IN WITNESS WHEREOF, the parties have executed this Agreement as of the dates written below.",
        "KESTREL ROBOTICS CORP.",
        "By: /s/ Jane Roe",
        "Name: Jane Roe Title: CEO",
        "Date: June 2, 2016",
        "ORCHARD CAPITAL PARTNERS LLC",
        "By: /s/ John Doe",
        "Name: John Doe Title: Managing Member",
        "Date: June 4, 2016",
    ])
    assert _names(fs) == ["KESTREL ROBOTICS CORP.", "ORCHARD CAPITAL PARTNERS LLC"]
    # nothing in the opening dates it: the later of the signing dates
    assert fs.get("effective_date") == "2016-06-04"


@pytest.mark.parametrize("sentence,expected", [
    ("This Agreement is dated as of March 3, 2021 and is between Alpha Corp. and Beta LLC.", "2021-03-03"),
    ("This Agreement is effective as of 3 March 2021, between Alpha Corp. and Beta LLC.", "2021-03-03"),
    ("This Agreement is entered into as of this 3rd day of March, 2021 between Alpha Corp. and Beta LLC.",
     "2021-03-03"),
    ("This Agreement (the \u201cAgreement\u201d), dated as of October 15, 2012 and effective as of September 20, "
     "2012 (the \u201cEffective Date\u201d), is between Alpha Corp. and Beta LLC.", "2012-09-20"),
    ("This Agreement is between Alpha Corp. and Beta LLC pursuant to that certain Supply Agreement dated as of "
     "January 1, 2019. The parties agree as of July 31, 2020 (the \u201cEffective Date\u201d) as follows.",
     "2020-07-31"),
])
def test_effective_date_phrasings(tmp_path, sentence, expected):
    fs = _fields(tmp_path, ["AGREEMENT", sentence, "1. Notices sent on May 5, 2022 are deemed received."])
    assert fs.get("effective_date") == expected
    assert _names(fs) == ["Alpha Corp.", "Beta LLC"]


def test_another_agreements_date_is_not_the_effective_date(tmp_path):
    fs = _fields(tmp_path, [
        "LETTER AGREEMENT",
        "Reference is made to the Merger Agreement (as defined in that certain Agreement and Plan of Merger, "
        "dated as of January 27, 2009, by and among Delta Inc. and Gamma Corp.).",
    ])
    assert fs.get("effective_date") is None


def test_nothing_to_read_is_absent_not_an_error(tmp_path):
    fs = _fields(tmp_path, ["AGREEMENT", "The parties shall cooperate in good faith."])
    assert fs.get("parties") is None and fs.get("effective_date") is None
    fs, _ = agreement.extract([], "empty.pdf")
    assert len(fs) == 0


def test_sentences_do_not_end_at_legal_forms_or_initials():
    text = "Made between Acme Co. Ltd. and Spencer L. Schneider (the \u201cAgent\u201d). Next sentence."
    end = prose.sentence_end(text, 0)
    assert text[:end].endswith("(the \u201cAgent\u201d).")
    names = prose.party_names(text, len("Made between"), end)
    assert [n.text for n in names] == ["Acme Co. Ltd.", "Spencer L. Schneider"]
    assert names[1].role_term == "Agent"


def test_ordinal_dates_in_prose():
    got = prose.dates_in("made this 20th day of May, 2014 and on the 1st day of January 2008")
    assert [iso for _, _, iso in got] == ["2014-05-20", "2008-01-01"]


ROYALTY_PREAMBLE = ("This Royalty Agreement is made as of 1 March 2023 between Alpha Licensing Ltd., a company organised "
                    "under the laws of England (the \u201cLicensor\u201d), and Beta Imports Inc. (the \u201cLicensee\u201d).")


@pytest.mark.parametrize("clause,rate,fixed,base", [
    ("Licensee shall pay Licensor a royalty of five percent (5%) of Net Sales of the Licensed Products.",
     Decimal("5"), None, "Net Sales of the Licensed Products"),
    ("The royalty shall be 3.5 % of the net invoice price of each Product sold, payable in USD.",
     Decimal("3.5"), None, "net invoice price of each Product"),
    ("Licensee shall pay a running royalty equal to seven and one-half percent (7.5%) of the Gross Selling Price.",
     Decimal("7.5"), None, "Gross Selling Price"),
    ("Licensee shall pay a royalty of USD 0.75 per unit of Licensed Product sold.",
     None, Decimal("0.75"), "per unit of Licensed Product sold"),
])
def test_royalty_rate_fixed_amount_and_base(tmp_path, clause, rate, fixed, base):
    fs = _fields(tmp_path, ["ROYALTY AGREEMENT", ROYALTY_PREAMBLE, clause])
    assert fs.get("rate_percent") == rate and fs.get("fixed_amount") == fixed
    assert fs.get("royalty_base") == base
    prov = fs.prov("rate_percent" if rate is not None else "fixed_amount")
    assert prov is not None and prov.page == 1 and prov.bbox[2] > prov.bbox[0]
    assert fs.prov("royalty_base").text == base
    assert [(p["name"], p.get("role"), p.get("country")) for p in fs.get("parties")] == [
        ("Alpha Licensing Ltd.", "licensor", "GB"), ("Beta Imports Inc.", "licensee", None)]
    assert fs.get("effective_date") == "2023-03-01"


@pytest.mark.parametrize("clause,expected", [
    ("Payment of the royalty is a condition of sale of the Products by the Licensor to the Licensee.", True),
    ("The royalty is not a condition of sale; Licensee may buy the Products from any supplier.", False),
    ("Licensee shall pay the royalty quarterly.", None),
])
def test_condition_of_sale(tmp_path, clause, expected):
    fs = _fields(tmp_path, ["ROYALTY AGREEMENT", ROYALTY_PREAMBLE, clause])
    assert fs.get("condition_of_sale") is expected


@pytest.mark.parametrize("sentence,expected", [
    ("Contrato de agencia celebrado el 30 de noviembre de 2024 entre Textiles Andinos de Colombia S.A.S. "
     "(el \u201cMandante\u201d) y Representaciones Comerciales Andes Ltda. (el \u201cAgente\u201d).",
     [("Textiles Andinos de Colombia S.A.S.", "principal"), ("Representaciones Comerciales Andes Ltda.", "agent")]),
    ("Handelsvertretervertrag zwischen der Schwaebische Praezisionsteile AG (der \u201eUnternehmer\u201c) und "
     "Handelsvertretung Kessler KG (der \u201eHandelsvertreter\u201c).",
     [("Schwaebische Praezisionsteile AG", None), ("Handelsvertretung Kessler KG", "agent")]),
])
def test_preambles_in_other_languages(tmp_path, sentence, expected):
    fs = _fields(tmp_path, ["CONTRATO / VERTRAG", sentence])
    assert [(p["name"], p.get("role")) for p in fs.get("parties")] == expected
