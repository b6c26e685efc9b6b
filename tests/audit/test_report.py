"""The HTML report and the loss-of-revenue schedule, on the demo folder; rendered in headless Chromium."""
import base64
import csv
import io
import re
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from appraiser import pipeline
from appraiser.audit.report import write_report
from appraiser.models.records import Evidence
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    db = tmp / "demo.db"
    pipeline.run(DEMO, db, workers=1)
    return tmp, db


def _write(db, out):
    store = Store(db)
    try:
        return write_report(store, out)
    finally:
        store.close()


def test_the_report_shows_the_finding_its_arithmetic_and_its_evidence_crops(demo):
    tmp, db = demo
    paths = _write(db, tmp / "out")
    html = paths["html"].read_text(encoding="utf-8")
    assert "ASSIST_UNDECLARED" in html and "D4K-0104547-1" in html and "1,658.93" in html
    assert "19 U.S.C. 1401a(b)(1)(C)" in html and "MPF FY2025" in html
    # self-contained: no resource fetched from anywhere
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert "<script" not in html.lower()
    crops = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert crops
    img = Image.open(io.BytesIO(base64.b64decode(crops[0])))
    assert img.format == "PNG" and img.width > 100 and img.height > 40


def test_the_schedule_totals_equal_the_database(demo):
    tmp, db = demo
    paths = _write(db, tmp / "out2")
    store = Store(db)
    try:
        loss = sum((f.loss_of_revenue for f in store.findings() if f.status != "dismissed"), D("0"))
    finally:
        store.close()
    rows = list(csv.DictReader(paths["csv"].open(encoding="utf-8")))
    assert rows[-1]["entry_number"].startswith("TOTAL") and D(rows[-1]["loss_of_revenue"]) == loss == D("1658.93")
    [row] = rows[:-1]
    assert (row["entry_number"], row["line_no"], row["hts"]) == ("D4K-0104547-1", "1", "3926.90.9985")
    assert D(row["declared_value"]) + D(row["value_delta"]) == D(row["corrected_value"]) == D("60500.00")
    assert row["port_code"] and row["entry_date"] and row["mpf_declared"]
    # the fees a reviewer recomputes: MPF and HMF before and after, their change the row's fees delta
    fees = D(row["mpf_corrected"]) - D(row["mpf_declared"]) + D(row["hmf_corrected"]) - D(row["hmf_declared"])
    assert fees == D(row["fees_delta"]) == D("58.93")
    from xlsx_recompute import recomputed_rows

    ws = load_workbook(paths["xlsx"]).active
    header = [c.value for c in ws[1]]
    last = {h: c.value for h, c in zip(header, ws[ws.max_row])}
    assert last["loss_of_revenue"].startswith("=SUM(")  # the total is the SUM of the rows in it
    xlsx, _ = recomputed_rows(paths["xlsx"])
    assert xlsx[-1]["loss_of_revenue"] == loss


def test_a_dismissed_finding_leaves_the_totals_and_the_schedule(demo, tmp_path):
    tmp, db = demo
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    store = Store(copy)
    try:
        [f] = [f for f in store.findings() if f.code == "ASSIST_UNDECLARED"]
        store.decide(f.id, "dismissed", "auditor", "mould paid by the seller")
        paths = write_report(store, tmp_path / "out", str(DEMO))
    finally:
        store.close()
    rows = list(csv.DictReader(paths["csv"].open(encoding="utf-8")))
    assert len(rows) == 1 and D(rows[0]["loss_of_revenue"]) == D("0.00")
    html = paths["html"].read_text(encoding="utf-8")
    assert "1 dismissed finding(s) are left out" in html and "mould paid by the seller" not in html
    assert "ASSIST_UNDECLARED" not in html and "12,500.00" not in html
    assert "Loss of revenue: <b>USD 0.00</b>" in html


def test_document_text_is_escaped(demo, tmp_path):
    tmp, db = demo
    copy = tmp_path / "hostile.db"
    shutil.copy(db, copy)
    store = Store(copy)
    try:
        [f] = [f for f in store.findings() if f.code == "ASSIST_UNDECLARED"]
        f.title = '<script>alert(1)</script>'
        f.evidence = [Evidence("x.pdf", 1, '"><img src=x onerror=alert(1)>', None)] + f.evidence
        store.db["findings"].upsert(store._finding_row(f), pk="id")
        paths = write_report(store, tmp_path / "out", str(DEMO))
    finally:
        store.close()
    html = paths["html"].read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "x.pdf is no longer in" in html


def test_the_report_renders_in_headless_chromium(demo):
    tmp, db = demo
    paths = _write(db, tmp / "out3")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Chromium is needed to render the report: apt-get install chromium (make setup does)"
    shot = tmp / "report.png"
    url = paths["html"].resolve().as_uri()
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    subprocess.run(base + [f"--screenshot={shot}", "--window-size=1280,2400", url], check=True, timeout=120,
                   capture_output=True)
    img = Image.open(shot)
    assert img.size == (1280, 2400) and len(img.convert("L").resize((64, 64)).getcolors(4096) or []) > 4  # not blank
    dom = subprocess.run(base + ["--dump-dom", url], check=True, timeout=120, capture_output=True, text=True).stdout
    assert "ASSIST_UNDECLARED" in dom and dom.count('<img alt="evidence crop"') >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "report.png")
