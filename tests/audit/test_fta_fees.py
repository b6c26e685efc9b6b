"""FTA_CLAIM_UNSUPPORTED (audit/fta.py) and MPF_MISCALCULATED (audit/fees.py)."""
import json
from decimal import Decimal as D
from functools import lru_cache
from pathlib import Path

import pytest

from appraiser.audit import audit as _audit
from appraiser.audit import revenue
from appraiser.extract.facts import with_facts
from appraiser.audit.fta import agreement_of
from appraiser.audit.revenue import Tariff, load_tariff
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document, Party


def audit(documents, **kw):
    """The audit of documents built by hand or read from a truth file, with the facts extraction reads from
    their prose (``extract.facts.with_facts``), as the pipeline gives it."""
    return _audit([with_facts(d) for d in documents], **kw)

ROOT = Path(__file__).resolve().parents[2]
CODES = ("FTA_CLAIM_UNSUPPORTED", "MPF_MISCALCULATED")
IMPORTER = "Magnolia Apparel Group, Inc."
SELLER = "Textiles Andinos de Colombia S.A.S."
TARIFF = Tariff({"61091000": "16.5%", "7314390000": "Free"}, {"61091000": "Free (A,AU,CO,MX,KR)"})


@lru_cache(maxsize=None)
def corpus(split):
    folder = ROOT / "fixtures" / "corpus" / split
    truth = json.loads((folder / "truth.json").read_text())
    result = audit([document_from_json(d) for d in truth["documents"]], tariff=load_tariff(folder / "tariff.csv"))
    return truth, result


# --- the corpus -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("split", ["dev", "check"])
@pytest.mark.parametrize("code", CODES)
def test_planted_findings_to_the_cent_and_no_others(split, code):
    truth, result = corpus(split)
    expected = sorted((f["entry_number"], D(f["value_delta"]), D(f["duty_delta"]), D(f["fees_delta"]),
                       D(f["loss_of_revenue"])) for f in truth["findings"] if f["code"] == code)
    found = sorted((f.entry_number, f.value_delta, f.duty_delta, f.fees_delta, f.loss_of_revenue)
                   for f in result.findings if f.code == code)
    assert expected and found == expected
    assert not [e for e in result.errors if code in e]


@pytest.mark.parametrize("split", ["dev", "check"])
def test_the_corpus_claims_with_a_covering_certificate_stand(split):
    truth, result = corpus(split)
    claimed = {d["fields"]["entry_number"] for d in truth["documents"] if d["doc_type"] == "entry_summary"
               and any(li.get("spi") for li in d.get("line_items", []))}
    failed = {f.entry_number for f in result.findings if f.code == "FTA_CLAIM_UNSUPPORTED"}
    planted = {f["entry_number"] for f in truth["findings"] if f["code"] == "FTA_CLAIM_UNSUPPORTED"}
    assert len(claimed) > len(planted) and failed == planted


# --- FTA_CLAIM_UNSUPPORTED --------------------------------------------------------------------------------

def fta_docs(period=("2025-11-23", "2026-11-22"), folder="ship", date="2026-02-10", spi="CO", mpf=D("0"),
             **cert_fields):
    header = {"entry_number": "ABC-1234567-6", "entry_date": date, "mode_of_transport": "40",
              "total_entered_value": D("18491"), "invoice_numbers": ["A-1"], "importer": Party(IMPORTER)}
    if mpf is not None:
        header["mpf"] = mpf
    es = Document.of(f"{folder}/7501.pdf", "entry_summary", header,
                     [{"line_no": 1, "hts": "6109.10.0012", "description": "MEN'S COTTON T-SHIRTS",
                       "entered_value": D("18491"), "duty_rate": D("0"), "spi": spi}])
    inv = Document.of(f"{folder}/inv.pdf", "commercial_invoice", {"invoice_number": "A-1", "currency": "USD",
                                                                  "seller": Party(SELLER), "total": D("18491")})
    docs = [es, inv]
    if period is not None:
        fields = {"agreement": "CTPA", "blanket_period_from": period[0], "blanket_period_to": period[1],
                  "importer": Party(IMPORTER), "exporter": Party(SELLER), "producer": Party(SELLER),
                  "goods": [{"description": "Men's cotton t-shirts", "hts": "6109.10", "origin_criterion": "B"}]}
        fields.update(cert_fields)
        docs.append(Document.of(f"{folder}/coo.pdf", "certificate_of_origin",
                                {k: v for k, v in fields.items() if v is not None}))
    return docs


def fta(docs, tariff=TARIFF):
    result = audit(docs, tariff=tariff)
    assert not result.errors, result.errors
    return [f for f in result.findings if f.code == "FTA_CLAIM_UNSUPPORTED"]


def test_a_covering_blanket_certification_supports_the_claim():
    assert not fta(fta_docs())
    # the agreement written out in full, the goods named by description only
    assert not fta(fta_docs(agreement="United States – Colombia Trade Promotion Agreement",
                            goods=[{"description": "Men's cotton T-shirts"}]))
    # the first and the last day of the blanket period
    assert not fta(fta_docs(date="2025-11-23")) and not fta(fta_docs(date="2026-11-22"))


def test_an_expired_blanket_period_fails_the_claim_which_owes_duty_and_mpf():
    [f] = fta(fta_docs(("2024-10-05", "2025-10-04")))
    assert (f.value_delta, f.duty_delta, f.fees_delta, f.loss_of_revenue) == (D("18491.00"), D("3051.02"),
                                                                             D("64.05"), D("3115.07"))
    assert "does not cover the entry date 2026-02-10" in f.explanation and f.line_no == 1
    assert any(e.path == "ship/coo.pdf" for e in f.evidence)
    assert not fta(fta_docs(("2025-02-11", "2026-02-10")))  # the day after: covered
    assert fta(fta_docs(("2026-02-11", "2027-02-10")))  # not yet begun


@pytest.mark.parametrize("change,reason", [
    ({"blanket_period_from": "2025-01-01", "blanket_period_to": "2026-06-30"}, "longer than the 12 months"),
    ({"agreement": "USMCA"}, "not CTPA"),
    ({"importer": Party("Cascade Home Goods, Inc.")}, "made out to importer"),
    ({"exporter": Party("Another Mill Ltda."), "producer": Party("Another Mill Ltda.")}, "not the seller"),
    ({"goods": [{"description": "Welded steel wire mesh", "hts": "7314.39"}]}, "does not list these goods"),
])
def test_a_certification_for_other_goods_parties_agreements_or_too_long_a_period_fails(change, reason):
    docs = fta_docs()
    cert = docs[-1]
    for k, v in change.items():
        cert.fields.set(k, v)
    [f] = fta(docs)
    assert reason in f.explanation and f.loss_of_revenue == D("3115.07")


def test_without_any_certification_and_without_a_tariff_rate_the_value_delta_is_given():
    [f] = fta(fta_docs(period=None), tariff=None)
    assert f.rate_unknown and f.value_delta == D("18491.00") and f.duty_delta == D("0.00")
    assert f.fees_delta == D("64.05")  # the MPF the exemption saved is still known
    assert any("rate unknown" in s for s in f.arithmetic)
    # a tariff file that does not list the goods: the same
    [f] = fta(fta_docs(period=None), tariff=Tariff({"39269099": "5.3%"}, {}))
    assert f.rate_unknown and f.duty_delta == D("0.00")


def test_a_certification_kept_with_another_shipment_is_named_as_a_possible_cure():
    docs = fta_docs(period=None) + fta_docs(folder="other", date="2025-12-01")[2:]
    [f] = fta(docs)
    assert "other/coo.pdf" in f.explanation and f.confidence < 0.7
    # filed with the shipment itself, or all documents in one folder: the claim stands
    assert not fta(fta_docs(period=None) + fta_docs(folder="ship")[2:])


def test_agreements_not_exempt_from_mpf_owe_the_duty_only():
    [f] = fta(fta_docs(period=None, spi="JO"))
    assert f.fees_delta == D("0.00") and f.duty_delta == D("3051.02")
    assert "JO" not in revenue.MPF_EXEMPT_SPI and "MA" not in revenue.MPF_EXEMPT_SPI
    assert {"CO", "PE", "KR", "S", "S+", "P"} <= revenue.MPF_EXEMPT_SPI


def test_regional_value_content_below_the_rule_fails_a_certified_claim():
    low = fta_docs() + [Document.of("ship/cost.pdf", "other", {},
                                    notes=["Cost statement: non-originating materials used amount to USD 12,000.00."])]
    [f] = fta(low)
    # build-down (18,491 − 12,000) / 18,491 = 35.10 % < 45 %
    assert "35.10 %" in f.explanation and "45 %" in f.explanation and f.loss_of_revenue == D("3115.07")
    high = fta_docs() + [Document.of("ship/cost.pdf", "other", {},
                                     notes=["Non-originating materials used amount to USD 12,000.00.",
                                            "Originating materials amount to USD 6,900.00."])]
    # build-up 6,900 / 18,491 = 37.32 % ≥ 35 %: the producer may use the method the claim passes by
    assert not fta(high)


def test_rvc_arithmetic():
    assert revenue.rvc_build_down(D("18491"), D("12000")) == D("35.10")
    assert revenue.rvc_build_up(D("6900"), D("18491")) == D("37.32")
    assert revenue.rvc_build_up(D("1"), D("0")) == D("0.00")


def test_agreement_names():
    assert agreement_of("CTPA") == "CTPA"
    assert agreement_of("U.S.-Colombia Trade Promotion Agreement") == "CTPA"
    assert agreement_of("T-MEC / USMCA") == "USMCA"
    assert agreement_of(None) is None


@pytest.mark.parametrize("drop", ["entry_date", "importer", "total_entered_value", "mpf"])
def test_fta_missing_fields_do_not_crash(drop):
    docs = fta_docs(("2024-10-05", "2025-10-04"))
    docs[0].fields.discard(drop)
    docs[2].fields.discard("goods")
    result = audit(docs, tariff=TARIFF)
    assert not result.errors


def test_a_line_without_value_or_spi_is_not_judged():
    docs = fta_docs(period=None)
    docs[0].line_items[0].fields.discard("entered_value")
    assert not fta(docs)
    docs = fta_docs(period=None, spi=None)
    assert not fta(docs)


# --- MPF_MISCALCULATED ------------------------------------------------------------------------------------

def entry_summary(mpf, entered, date, spi=None, entry_type="01"):
    line = {"line_no": 1, "hts": "7325.99.1000", "entered_value": D(entered), "duty_rate": D("0"),
            "additional": [{"hts": "9903.81.91", "rate": D(50), "value": D(entered)}]}
    if spi:
        line["spi"] = spi
    fields = {"entry_number": "ABC-1234567-6", "entry_date": date, "total_entered_value": D(entered),
              "mode_of_transport": "40", "entry_type": entry_type}
    if mpf is not None:
        fields["mpf"] = D(mpf)
    return Document.of("7501.pdf", "entry_summary", fields, [line])


def mpf_findings(*docs):
    result = audit(list(docs))
    assert not result.errors, result.errors
    return [f for f in result.findings if f.code == "MPF_MISCALCULATED"]


@pytest.mark.parametrize("date,declared,due", [
    ("2025-09-30", "32.71", None),  # FY2025 minimum on its last day
    ("2025-10-01", "32.71", "33.58"),  # FY2026 begins: its minimum
    ("2025-10-01", "33.58", None),
    ("2024-10-01", "32.71", None),  # the first day of FY2025

])
def test_the_minimum_of_the_entry_dates_fiscal_year(date, declared, due):
    found = mpf_findings(entry_summary(declared, "3030", date))
    if due is None:
        assert not found
    else:
        [f] = found
        assert f.fees_delta == f.loss_of_revenue == D(due) - D(declared) and f.duty_delta == D("0.00")
        assert "(the minimum)" in f.title + f.explanation and "fiscal year 2026" in f.explanation


@pytest.mark.parametrize("date,declared,loss", [
    ("2025-09-30", "634.62", None),  # FY2025 maximum
    ("2025-10-01", "634.62", "16.88"),  # FY2026 maximum 651.50
    ("2026-03-03", "600.00", "51.50"),
])
def test_the_maximum_of_the_entry_dates_fiscal_year(date, declared, loss):
    found = mpf_findings(entry_summary(declared, "239777", date))
    if loss is None:
        assert not found
    else:
        [f] = found
        assert f.loss_of_revenue == D(loss) and "(the maximum)" in f.title + f.explanation


def test_the_fee_between_the_limits_to_the_cent():
    assert not mpf_findings(entry_summary("69.28", "20000", "2025-05-01"))  # 0.3464 % of 20,000 = 69.28
    assert not mpf_findings(entry_summary("69.27", "20000", "2025-05-01"))  # a cent of rounding
    [f] = mpf_findings(entry_summary("69.00", "20000", "2025-05-01"))
    assert f.loss_of_revenue == D("0.28") and f.line_no is None
    assert any("69.28" in s for s in f.arithmetic)


def test_a_fee_declared_over_is_a_refund_of_its_own_with_no_loss():
    assert not mpf_findings(entry_summary("90.00", "20000", "2025-05-01"))
    [f] = [f for f in audit([entry_summary("90.00", "20000", "2025-05-01")]).findings if f.code == "MPF_OVERPAID"]
    assert f.loss_of_revenue == D("0.00") and f.fees_delta == D("-20.72") and f.direction == "overpaid"


def test_originating_goods_are_left_out_of_the_fee_base():
    assert not mpf_findings(entry_summary("0.00", "18491", "2025-06-18", spi="CO"))
    assert not mpf_findings(entry_summary("64.05", "18491", "2025-06-18", spi="CO"))  # MPF_OVERPAID's
    # Jordan's agreement does not exempt its goods
    [f] = mpf_findings(entry_summary("0.00", "18491", "2025-06-18", spi="JO"))
    assert f.loss_of_revenue == D("64.05")


def test_a_failed_claim_and_the_declared_fee_count_the_mpf_once():
    # the entry's MPF (nil) is right for the claim as made; the failed claim carries the fee
    result = audit(fta_docs(("2024-10-05", "2025-10-04")), tariff=TARIFF)
    assert not [f for f in result.findings if f.code == "MPF_MISCALCULATED"]
    assert result.entry_totals["ABC-1234567-6"]["loss_of_revenue"] == "3115.07"


def test_no_fee_declared_an_informal_entry_or_no_value_is_no_finding():
    assert not mpf_findings(entry_summary(None, "20000", "2025-05-01"))
    assert not mpf_findings(entry_summary("10.00", "0", "2025-05-01"))
    assert not mpf_findings(entry_summary("2.62", "1500", "2025-05-01", entry_type="11"))


def test_without_an_entry_date_the_latest_fiscal_year_is_used_and_said():
    [f] = mpf_findings(entry_summary("32.71", "3030", None))
    assert f.loss_of_revenue == D("0.87") and "no entry date" in f.explanation.lower()


def test_the_fee_schedule_in_revenue():
    assert revenue.mpf(D("3030"), "2025-10-22") == D("33.58")
    assert revenue.mpf(D("239777"), "2026-03-03") == D("651.50")
    assert revenue.mpf(D("0"), "2026-03-03") == D("0.00")
    assert revenue.fiscal_year("2025-09-30") == 2025 and revenue.fiscal_year("2025-10-01") == 2026
