"""Agreements, payment records, certificates of origin and bills of lading, on generated documents of the dev
split (born-digital and scanned) — each field read as the document states it."""
import json
from pathlib import Path

import pytest

from appraiser.evaluation import score
from appraiser.extract import extract_file

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "corpus" / "dev"
TRUTH = json.loads((DEV / "truth.json").read_text(encoding="utf-8"))
TYPES = ("agreement", "payment_record", "certificate_of_origin", "bill_of_lading")


def _docs(doc_type):
    return [d for d in TRUTH["documents"] if d["doc_type"] == doc_type]


@pytest.fixture(scope="module")
def extracted():
    out = {}
    for t in TYPES:
        for d in _docs(t):
            doc, _ = extract_file(DEV / d["path"], d["path"])
            out[d["path"]] = doc
    return out


@pytest.mark.parametrize("doc_type", TYPES)
def test_every_field_of_the_type(extracted, doc_type):
    truth = {"documents": _docs(doc_type)}
    pred = {"documents": [extracted[d["path"]].to_json(with_provenance=False) for d in truth["documents"]]}
    rep = score(truth, pred)
    assert rep.doc_type_accuracy == 1.0
    c = rep.total()
    assert c.f1 >= 0.95, (c.tp, c.fp, c.fn)


def test_payment_record_values_exactly(extracted):
    d = next(d for d in _docs("payment_record") if not d["ocr"])
    f = extracted[d["path"]].fields.to_json()
    assert f["amount"] == d["fields"]["amount"] and f["payment_date"] == d["fields"]["payment_date"]
    assert f["payee"]["name"] == d["fields"]["payee"]["name"] and f["reference"] == d["fields"]["reference"]


def test_agreement_terms_from_prose(extracted):
    d = next(d for d in _docs("agreement") if d["fields"]["agreement_type"] == "royalty")
    f = extracted[d["path"]].fields.to_json()
    assert f["rate_percent"] == d["fields"]["rate_percent"]
    assert f["condition_of_sale"] is True
    assert f["royalty_base"] == d["fields"]["royalty_base"]
    assert [p["role"] for p in f["parties"]] == ["licensor", "licensee"]


def test_bill_of_lading_weight_in_kilograms(extracted):
    for d in _docs("bill_of_lading"):
        f = extracted[d["path"]].fields.to_json()
        assert f["gross_weight_kg"] == d["fields"]["gross_weight_kg"]
        assert f["vessel"] == d["fields"]["vessel"]


def test_an_arrival_notice_is_other_not_a_bill_of_lading():
    d = next(d for d in TRUTH["documents"] if d["path"].split("/")[-1].startswith("arrival notice"))
    doc, _ = extract_file(DEV / d["path"], d["path"])
    assert doc.doc_type == "other"
