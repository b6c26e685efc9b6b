"""The HTML report and the loss-of-revenue schedule, on the demo folder; rendered in headless Chromium."""
import base64
import csv
import hashlib
import io
import re
import shutil
import subprocess
from decimal import Decimal as D
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from appraiser import pipeline
from appraiser.audit.report import write_report
from appraiser.models.records import Evidence, Finding
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
    # one script, inline (the filters), the only one the page's policy lets run: by its hash
    [script] = re.findall(r"<script(?:\s[^>]*)?>(.*?)</script>", html, re.S | re.I)
    assert html.lower().count("<script") == 1 and "<script>" in html
    [policy] = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
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


class _Links(HTMLParser):
    """The page's ids and in-page links, and the elements' attributes by id."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, dict] = {}
        self.links: list[str] = []
        self.toc: list[str] = []
        self._in_toc = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            assert a["id"] not in self.ids, f"id {a['id']} used twice"
            self.ids[a["id"]] = {"tag": tag, **a}
        if tag == "nav":
            self._in_toc += 1
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])
            if self._in_toc:
                self.toc.append(a["href"][1:])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_toc -= 1


def _links(html: str) -> _Links:
    p = _Links()
    p.feed(html)
    return p


def _two_findings(db, tmp_path) -> tuple[Path, Finding, Finding]:
    """The demo's database with a second finding on another entry (another code, accepted after a dismissal), so
    that filters have something to tell apart; the report written."""
    copy = tmp_path / "two.db"
    shutil.copy(db, copy)
    store = Store(copy)
    try:
        [f] = [f for f in store.findings() if f.code == "ASSIST_UNDECLARED"]
        g = Finding.from_json(f.to_json())
        g.code, g.entry_number = "ROYALTY_UNDECLARED", "D4K-0104521-6"
        g.id = g.stable_id()
        store.db["findings"].upsert(store._finding_row(g), pk="id")
        assert store.decide(g.id, "dismissed", "auditor", "royalty paid on another entry")
        assert store.decide(g.id, "accepted", "counsel", "the licence covers these goods")
        write_report(store, tmp_path / "out", str(DEMO))
    finally:
        store.close()
    return tmp_path / "out" / "report.html", f, g


def test_the_contents_link_the_totals_each_importer_entry_and_finding(demo, tmp_path):
    tmp, db = demo
    page, f, g = _two_findings(db, tmp_path)
    html = page.read_text(encoding="utf-8")
    p = _links(html)
    assert p.links and all(target in p.ids for target in p.links)  # every in-page link resolves
    assert {"totals", "totals-importer", "totals-entry", "totals-code", "findings"} <= set(p.toc)
    assert f.id in p.toc and g.id in p.toc and p.ids[f.id]["tag"] == "div"
    assert {"entry-d4k-0104547-1", "entry-d4k-0104521-6", "importer-lakeshore-industrial-supply-inc"} <= set(p.toc)
    # each finding sits in its entry's section, in its importer's: the anchors lead to them
    entry_at, finding_at = html.index('id="entry-d4k-0104521-6"'), html.index(f'id="{g.id}"')
    assert html.index('id="importer-lakeshore-industrial-supply-inc"') < entry_at < finding_at
    # the totals tables link to the importer's and the entry's sections
    assert '<a href="#entry-d4k-0104547-1">D4K-0104547-1</a>' in html
    assert '<a href="#importer-lakeshore-industrial-supply-inc">Lakeshore Industrial Supply, Inc.</a>' in html
    # the filters read the items' attributes
    assert p.ids[g.id]["data-code"] == "ROYALTY_UNDECLARED" and p.ids[g.id]["data-status"] == "accepted"
    assert p.ids[f.id]["data-entry"] == "D4K-0104547-1"
    assert p.ids[f.id]["data-importer"] == "Lakeshore Industrial Supply, Inc."
    # the decisions under the finding, as taken, the dismissal included
    at = html.index(f'id="{g.id}"')
    decisions = html[at:html.index("</div>", html.index("<h4>Evidence</h4>", at))]
    assert "dismissed by auditor at " in decisions and ": royalty paid on another entry (was open)" in decisions
    assert ": the licence covers these goods (was dismissed)" in decisions
    assert "Decisions: none taken yet." in html[html.index(f'id="{f.id}"'):]


def test_anchors_are_unique_and_safe_whatever_the_names():
    from appraiser.audit.report import Anchors

    a = Anchors({"findings"})
    assert a("entry", "D4K-0104547-1") == "entry-d4k-0104547-1" == a("entry", "D4K-0104547-1")
    assert a("entry", "d4k 0104547/1") == "entry-d4k-0104547-1-2"  # another name, the same letters: its own id
    assert a("importer", '"><script>') == "importer-script" and a("importer", "") == "importer-unnamed"


def _dom(page: Path, query: str = "") -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Chromium is needed to render the report: apt-get install chromium (make setup does)"
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--dump-dom",
           page.resolve().as_uri() + query]
    return subprocess.run(cmd, check=True, timeout=120, capture_output=True, text=True).stdout


def _shown(dom: str) -> dict[str, bool]:
    """Each filterable item's id, and whether it is shown (neither it nor a section around it hidden)."""
    p = _Links()
    p.feed(dom)
    out = {}
    for fid, attrs in p.ids.items():
        if "filterable" in (attrs.get("class") or "").split():
            section = dom.rfind("<section", 0, dom.index(f'id="{fid}"'))
            out[fid] = "hidden" not in attrs and 'hidden=""' not in dom[section:dom.index(">", section)]
    return out


def test_the_filters_work_in_headless_chromium(demo, tmp_path):
    tmp, db = demo
    page, f, g = _two_findings(db, tmp_path)
    dom = _dom(page)  # the script ran: the form is shown, everything in it
    assert '<form id="filters">' in dom and "2 of 2 shown" in dom
    assert _shown(dom) == {f.id: True, g.id: True}
    dom = _dom(page, "?code=ROYALTY_UNDECLARED")
    assert "1 of 2 shown" in dom and _shown(dom) == {f.id: False, g.id: True}
    assert re.search(r'<section class="group entry" id="entry-d4k-0104547-1" hidden', dom)  # an emptied entry
    dom = _dom(page, "?status=open&entry=D4K-0104547-1")
    assert "1 of 2 shown" in dom and _shown(dom) == {f.id: True, g.id: False}
    dom = _dom(page, "?status=dismissed")  # dismissed findings are left out of the report: nothing matches
    assert "0 of 2 shown" in dom and _shown(dom) == {f.id: False, g.id: False}
    assert '<option value="dismissed">dismissed (none here)</option>' in dom
    # with scripts off the form stays hidden and every finding is there (the contents and anchors serve)
    html = page.read_text(encoding="utf-8")
    assert '<form id="filters" hidden>' in html and _shown(html) == {f.id: True, g.id: True}
