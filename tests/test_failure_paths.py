"""No silent failures below the rules: each narrowed or boundary catch either handles the one failure it names or
records the failure with its type; a defect outside it is not swallowed."""
from __future__ import annotations

import getpass
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest

from appraiser import pipeline
from appraiser.audit import hts
from appraiser.extract import classify, einvoice, extract_file, registry

ROOT = Path(__file__).resolve().parents[1]
INVOICE = next((ROOT / "fixtures" / "demo").rglob("*nvoice*.pdf"))


def test_a_classification_defect_is_the_documents_error_with_its_type(monkeypatch):
    def broken(pages):
        raise ZeroDivisionError("defect")

    monkeypatch.setattr(classify, "_evidence", broken)
    doc, _ = extract_file(INVOICE, INVOICE.name)
    assert doc.error and "extraction failed" in doc.error and "ZeroDivisionError" in doc.error


def test_a_failed_page_reading_of_an_einvoice_is_a_warning_with_its_type(monkeypatch):
    def broken(pages, path):
        raise KeyError("seller")

    monkeypatch.setattr(registry, "extractor_for", lambda doc_type: broken)
    fields, failed = einvoice._page_reading([object()], "x.pdf")
    assert not list(fields) and "KeyError" in failed and "compare it with the XML" in failed


class _Attachments:
    def items(self):
        raise pikepdf.PdfError("damaged name tree")


class _Pdf:
    attachments = _Attachments()
    Root = pikepdf.Dictionary()
    pages: list = []


def test_a_damaged_attachment_tree_is_said_and_the_rest_still_looked_at():
    problems: list[str] = []
    assert list(einvoice._attachments(_Pdf(), problems)) == []
    assert problems == ["the PDF's EmbeddedFiles name tree cannot be read: PdfError"]


class _NoMethod:
    general: dict = {}


class _Broken:
    general = {"73089095": "5%"}

    def general_rate(self, hts):
        raise KeyError(hts)


def _ctx(tariff):
    return type("Ctx", (), {"tariff": tariff})()


def test_a_tariff_without_rates_gives_no_rate_but_a_defect_is_raised():
    assert hts._rate_for(_ctx(_NoMethod()), "73089095", None) == (
        None, "the tariff schedule gives no ad valorem rate for it")
    with pytest.raises(KeyError):  # reaches the rule boundary: reported as a failed rule, never a silent "no rate"
        hts._rate_for(_ctx(_Broken()), "73089095", None)


def test_no_login_name_is_the_default_reviewer_but_a_defect_is_raised(monkeypatch):
    def no_entry():
        raise KeyError("getpwuid(): uid not found")

    monkeypatch.setattr(getpass, "getuser", no_entry)
    assert pipeline.default_reviewer() == "reviewer"

    def defect():
        raise ZeroDivisionError

    monkeypatch.setattr(getpass, "getuser", defect)
    with pytest.raises(ZeroDivisionError):
        pipeline.default_reviewer()


def test_tesseract_failures_leave_the_orientation_alone(monkeypatch):
    import pytesseract
    from PIL import Image

    from appraiser.extract import ocr

    def fails(*a, **k):
        raise pytesseract.TesseractError(1, "Too few characters")

    monkeypatch.setattr(pytesseract, "image_to_osd", fails)
    assert ocr.detect_orientation(Image.new("L", (10, 10))).rotate == 0


def test_decimal_rates_still_come_from_the_schedule():
    class T:
        general = {"73089095": "5%"}

        def general_rate(self, hts):
            return Decimal("5")

    assert hts._rate_for(_ctx(T()), "73089095", None) == (Decimal("5"), "general rate")
