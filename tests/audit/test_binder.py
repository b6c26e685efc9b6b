"""The exhibit binder: the draft's exhibits' pages, their evidence boxes drawn, a cover index and Bates numbers."""
import shutil
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops

from appraiser import pipeline
from appraiser.audit.binder import BOX_PAD, write_binder
from appraiser.audit.disclose import draft_disclosure
from appraiser.cli import main
from appraiser.models.records import Evidence
from appraiser.models.store import Store

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
DPI = 100


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo run, its finding accepted, the binder written by the command; the draft it binds."""
    tmp = tmp_path_factory.mktemp("binder")
    db = tmp / "demo.db"
    pipeline.run(DEMO, db, workers=1)
    shutil.copy(db, tmp / "open.db")  # the same run, nothing accepted
    store = Store(db)
    try:
        for f in store.findings():
            assert store.decide(f.id, "accepted", "counsel", None)
        d = draft_disclosure(store)
    finally:
        store.close()
    out = tmp / "exhibits.pdf"
    r = CliRunner().invoke(main, ["binder", "--db", str(db), "--out", str(out), "--bates-prefix", "ABC"])
    assert r.exit_code == 0, r.output
    return d, out, r.output


def _stamp(page) -> str:
    """The Bates stamp: the text of the page's bottom right corner."""
    return page.crop((page.width - 160, page.height - 24, page.width, page.height)).extract_text().strip()


def _render(path: Path, index: int) -> Image.Image:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return pdf[index].render(scale=DPI / 72).to_pil().convert("RGB")
    finally:
        pdf.close()


def test_every_page_is_stamped_in_order_and_the_index_lists_the_drafts_exhibits(demo):
    d, out, output = demo
    cited = [(x.number, x.path, p) for x in d.exhibits for p in x.pages]
    assert len(cited) == 2  # the assist invoice and the entry summary, one page each
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1 + len(cited)  # one index page, then each cited page
        stamps = [_stamp(p) for p in pdf.pages]
        assert stamps == [f"ABC{n:06d}" for n in range(1, len(pdf.pages) + 1)]
        table = pdf.pages[0].extract_table()
    assert table[0] == ["Exhibit", "Finding", "Entry", "Document", "Page", "Bates"]
    rows = table[1:]
    assert [(int(r[0]), r[3].replace("\n", " "), int(r[4])) for r in rows] == cited
    assert [r[5] for r in rows] == stamps[1:]  # the index points at the pages that follow it
    assert {r[1] for r in rows} == {"F1"} and {r[2] for r in rows} == {d.findings[0].entry_number}
    assert "Bates ABC000001 to ABC000003" in output


def test_each_evidence_box_is_drawn_on_its_page_and_nothing_else_changes(demo):
    d, out, _ = demo
    [f] = d.findings
    invoice = d.exhibits[0]
    boxes = [ev.bbox for ev in f.evidence if ev.path == invoice.path and ev.bbox]
    assert len(boxes) >= 2
    source = _render(DEMO / invoice.path, invoice.pages[0] - 1)
    bound = _render(out, 1)  # the first page after the index
    assert source.size == bound.size
    s = DPI / 72
    for x0, top, x1, bottom in boxes:
        # the outline: the middle of each side of the box as drawn (the bbox widened by BOX_PAD)
        left, right = round((x0 - BOX_PAD) * s), round((x1 + BOX_PAD) * s)
        upper, lower = round((top - BOX_PAD) * s), round((bottom + BOX_PAD) * s)
        xm, ym = (left + right) // 2, (upper + lower) // 2
        for x, y in ((left, ym), (right, ym), (xm, upper), (xm, lower)):
            near = [(x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
            assert any(bound.getpixel(p) != source.getpixel(p) for p in near), (x0, top, (x, y))
            r, g, b = max((bound.getpixel(p) for p in near), key=lambda c: c[0] - c[1])
            assert r > 150 and g < 110 and b < 110  # red, as the report's crops
    # away from the boxes and the stamp the page is the source page
    band = (0, 0, bound.width, round(min(b[1] for b in boxes) * s) - 10)
    assert ImageChops.difference(source.crop(band), bound.crop(band)).getbbox() is None


def test_born_digital_pages_are_copied_as_vector(demo):
    d, out, _ = demo
    with pdfplumber.open(out) as bound, pdfplumber.open(DEMO / d.exhibits[0].path) as src:
        assert "12,500.00" in bound.pages[1].extract_text()
        assert bound.pages[1].extract_text().startswith(src.pages[0].extract_text()[:40])
        assert not bound.pages[1].images  # not a picture of the page


def test_an_image_page_is_rendered_with_its_box_and_a_pageless_document_is_listed(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    Image.new("RGB", (850, 1100), "white").save(root / "scan.png", dpi=(100, 100))  # 612 x 792 points
    (root / "invoice.xml").write_text("<Invoice/>", encoding="utf-8")
    f = SimpleNamespace(id="x", entry_number="E1", evidence=[Evidence("scan.png", 1, "t", (100.0, 100.0, 300.0, 150.0)),
                                                            Evidence("invoice.xml", None, "t")])
    exhibits = [SimpleNamespace(number=1, path="scan.png", pages=[1]),
                SimpleNamespace(number=2, path="invoice.xml", pages=[])]
    d = SimpleNamespace(findings=[f], exhibits=exhibits, importer="Importer",
                        entries=[SimpleNamespace(entry_number="E1")])
    b = write_binder(d, root, tmp_path / "b.pdf", "X-", 41)
    assert (b.first_bates, b.last_bates) == ("X-000041", "X-000042")
    assert b.left_out == [("invoice.xml", "Exhibit 2: no page recorded (not a paged document)")]
    page = _render(tmp_path / "b.pdf", 1)
    r, g, _ = page.getpixel((round(200 * DPI / 72), round((100 - BOX_PAD) * DPI / 72)))
    assert r > 150 and g < 110
    assert page.getpixel((round(200 * DPI / 72), round(125 * DPI / 72))) == (255, 255, 255)
    with pdfplumber.open(tmp_path / "b.pdf") as pdf:
        assert "invoice.xml: Exhibit 2: no page recorded" in pdf.pages[0].extract_text()
        assert [_stamp(p).replace("X-", "ABC") for p in pdf.pages] == ["ABC000041", "ABC000042"]


def test_usage_errors_exit_2_in_one_line(demo, tmp_path):
    d, out, _ = demo
    db = out.parent / "demo.db"
    r = CliRunner().invoke(main, ["binder", "--db", str(db), "--out", str(tmp_path / "b.docx")])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and ".pdf" in r.output
    r = CliRunner().invoke(main, ["binder", "--db", str(out.parent / "open.db"), "--out", str(tmp_path / "b.pdf")])
    assert r.exit_code == 2 and "no accepted finding" in r.output and r.output.count("\n") == 1


def test_a_rotated_pdf_page_gets_its_box_where_the_page_is_seen(demo, tmp_path):
    import pikepdf

    d, _, _ = demo
    root = tmp_path / "docs"
    root.mkdir()
    with pikepdf.Pdf.open(DEMO / d.exhibits[0].path) as pdf:
        pdf.pages[0].obj.Rotate = 90
        pdf.save(root / "turned.pdf")
    with pdfplumber.open(root / "turned.pdf") as pdf:
        seen = pdf.pages[0]
        assert (seen.width, seen.height) == (792, 612)  # shown landscape
        word = next(w for w in seen.extract_words() if w["text"] == "12,500.00")
    bbox = (word["x0"], word["top"], word["x1"], word["bottom"])
    f = SimpleNamespace(id="x", entry_number="E1", evidence=[Evidence("turned.pdf", 1, "t", bbox)])
    d2 = SimpleNamespace(findings=[f], exhibits=[SimpleNamespace(number=1, path="turned.pdf", pages=[1])],
                         importer="Importer", entries=[SimpleNamespace(entry_number="E1")])
    write_binder(d2, root, tmp_path / "b.pdf")
    page = _render(tmp_path / "b.pdf", 1)
    s = DPI / 72
    assert page.size == (round(792 * s), round(612 * s))
    x, y = round((bbox[0] + bbox[2]) / 2 * s), round((bbox[1] - BOX_PAD) * s)
    near = [page.getpixel((x, y + dy)) for dy in (-1, 0, 1)]
    assert any(r > 150 and g < 110 for r, g, _ in near), near
    with pdfplumber.open(tmp_path / "b.pdf") as pdf:
        assert _stamp(pdf.pages[1]) == "000002"
