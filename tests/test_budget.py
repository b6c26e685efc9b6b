"""The budget of one document (pages, pixels, seconds, memory): resource-hostile files, each built here, are
recorded with what was read and what was not, while a good file beside them is extracted; one slow file never
holds the others back."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont

from appraiser import pipeline
from appraiser.cli import main
from appraiser.extract import extract_file, load as load_module, ocr
from appraiser.extract.budget import MIB, Budget, parse_count, parse_size
from appraiser.extract.load import load
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parents[1]
GOOD = sorted((ROOT / "fixtures" / "demo").rglob("*nvoice*.pdf"))[0]  # a born-digital invoice: no OCR


# -- hostile files, built small -----------------------------------------------------------------------------

def blank_pdf(path: Path, pages: int) -> Path:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(612, 792))
    pdf.save(path)
    return path


def stream_pdf(path: Path, content: bytes, mediabox=(0, 0, 612, 792)) -> Path:
    """One page whose content stream is ``content``, flate-compressed."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=mediabox[2:])
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"")
    page.obj.Contents.write(zlib.compress(content, 9), filter=pikepdf.Name.FlateDecode)
    pdf.save(path)
    return path


def flate_bomb(path: Path, megabytes: int) -> Path:
    """A page whose content stream inflates to ``megabytes`` MiB of spaces from a file of about 1/1000 of it."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    co = zlib.compressobj(9)
    data = b"".join(co.compress(b" " * MIB) for _ in range(megabytes)) + co.flush()
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"")
    page.obj.Contents.write(data, filter=pikepdf.Name.FlateDecode)
    pdf.save(path)
    return path


def raw_pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF written object by object (objects numbered from 1, the first the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def kids_loop(path: Path) -> Path:
    """A page tree whose second kid is a /Pages node pointing back to the root."""
    return raw_pdf(path, [CATALOG, b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
                          b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
                          b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"])


def deep_nesting(path: Path, depth: int = 50_000) -> Path:
    return raw_pdf(path, [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                          b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Deep "
                          + b"[" * depth + b"<< /A " * depth + b"1" + b" >>" * depth + b"]" * depth + b" >>"])


def length_past_eof(path: Path) -> Path:
    return raw_pdf(path, [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                          b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                          b"<< /Length 99999999 >>\nstream\nBT 72 720 Td (Hello) Tj ET\nendstream"])


def png_bomb(path: Path, side: int = 100_000) -> Path:
    """A PNG declaring ``side`` x ``side`` pixels in a few kilobytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (side + 7) // 8)
    co = zlib.compressobj(9)
    idat = b"".join(co.compress(row) for _ in range(100)) + co.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def text_frame(lines: list[str], size=(1275, 1650)) -> Image.Image:
    """A 150-dpi letter page with lines of print."""
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=28)
    for i, line in enumerate(lines):
        draw.text((100, 120 + 50 * i), line, fill=0, font=font)
    return img


def tiff(path: Path, frames: list[Image.Image], dpi: int = 150) -> Path:
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_deflate", dpi=(dpi, dpi))
    return path


def blank_frames(n: int) -> list[Image.Image]:
    return [Image.new("L", (1275, 1650), 255) for _ in range(n)]


def text_pdf(path: Path, pages: list[str | None]) -> Path:
    """A born-digital PDF, one page per item: its lines of text, or nothing (a blank page)."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    for text in pages:
        if text:
            for i, line in enumerate(text.splitlines()):
                c.drawString(72, 720 - 14 * i, line)
        c.showPage()
    c.save()
    return path


INVOICE_TEXT = "COMMERCIAL INVOICE\nInvoice No. INV-1001 dated 2025-03-04\nSeller: Example Works Ltd\nTotal USD 1,250.00"


def _folder(tmp_path: Path, *hostile: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir(exist_ok=True)
    for f in hostile:
        f.rename(folder / f.name)
    shutil.copy(GOOD, folder / "good invoice.pdf")
    return folder


def _scan(folder: Path, tmp_path: Path, budget: Budget | None = None, workers: int = 2):
    store = Store(tmp_path / "t.db")
    try:
        stats = pipeline.scan(folder, store, workers=workers, budget=budget)
        return stats, {d.path: d for d in store.documents()}
    finally:
        store.close()


def _good_extracted(docs) -> None:
    good = docs["good invoice.pdf"]
    assert good.error is None and good.doc_type != "other" and good.fields


# -- blank pages and the page budget ------------------------------------------------------------------------

def test_a_pdf_of_2000_blank_pages_is_recorded_fast_and_the_good_file_beside_it_extracted(tmp_path):
    folder = _folder(tmp_path, blank_pdf(tmp_path / "blank 2000.pdf", 2000))
    stats, docs = _scan(folder, tmp_path)
    assert docs["blank 2000.pdf"].error == "no text: pages 1-100 of 2000 blank; page budget 100 (--max-pages)"
    _good_extracted(docs)
    assert stats.extracted == 2 and stats.errors == 1


def test_blank_pdf_pages_are_never_rendered(tmp_path, monkeypatch):
    def no_render(self, dpi):
        raise AssertionError("a blank page was rendered")

    monkeypatch.setattr(load_module._PdfRender, "__call__", no_render)
    doc, _ = extract_file(blank_pdf(tmp_path / "b.pdf", 2000), "b.pdf", budget=Budget(max_pages=2000))
    assert doc.error == "no text: 2000 blank pages"


def test_blank_pages_among_text_are_said_and_the_page_budget_keeps_what_was_read(tmp_path):
    path = text_pdf(tmp_path / "inv.pdf", [INVOICE_TEXT, None, INVOICE_TEXT, INVOICE_TEXT])
    loaded = load(path, "inv.pdf", Budget(max_pages=3))
    assert loaded.error is None
    assert [p.number for p in loaded.pages if p.words] == [1, 3]
    assert loaded.warnings == ["read pages 1-3 of 4; page budget 3 (--max-pages)", "blank pages not read: 2"]
    assert load(path, "inv.pdf").warnings == ["blank pages not read: 2"]


def test_blank_tiff_frames_are_never_read_and_frames_over_the_budget_are_said(tmp_path, monkeypatch):
    def no_ocr(*args, **kwargs):
        raise AssertionError("a blank frame was read")

    monkeypatch.setattr(ocr, "ocr_page", no_ocr)
    path = tiff(tmp_path / "scan.tif", blank_frames(40))
    doc, _ = extract_file(path, "scan.tif", budget=Budget(max_pages=25))
    assert doc.error == "no text: frames 1-25 of 40 blank; page budget 25 (--max-pages)"
    doc, _ = extract_file(path, "scan.tif")
    assert doc.error == "no text: 40 blank frames"


def test_a_tiff_whose_later_frame_is_damaged_keeps_what_was_read_and_says_the_rest(tmp_path):
    whole = tiff(tmp_path / "whole.tif", blank_frames(3)).read_bytes()
    path = tmp_path / "cut.tif"
    path.write_bytes(whole[: len(whole) // 2])  # frame 1 whole, the chain broken after it
    doc, _ = extract_file(path, "cut.tif")
    assert doc.error.startswith("no text: 1 blank frame; ") and "frame 2 and after not read: corrupt" in doc.error


def test_the_blank_check_sees_a_line_of_print_but_not_a_scanners_specks():
    assert not ocr.blank_image(text_frame(["Invoice No. 1001"]))
    specks = Image.new("L", (2550, 3300), 250)
    draw = ImageDraw.Draw(specks)
    for i in range(300):
        x, y = (i * 7919) % 2550, (i * 104729) % 3300
        draw.point((x, y), fill=0)
    assert ocr.blank_image(specks)
    assert ocr.blank_image(Image.new("RGB", (2550, 3300), (20, 20, 20)))
    light_on_dark = Image.new("L", (1275, 1650), 10)
    ImageDraw.Draw(light_on_dark).text((100, 100), "TOTAL USD 100.00", fill=255,
                                       font=ImageFont.load_default(size=28))
    assert not ocr.blank_image(light_on_dark)


# -- pixels -------------------------------------------------------------------------------------------------

def test_an_image_decompression_bomb_is_never_decoded(tmp_path):
    folder = _folder(tmp_path, png_bomb(tmp_path / "bomb.png"))
    _, docs = _scan(folder, tmp_path)
    assert docs["bomb.png"].error == ("no page read: frame 1 not read: 100000 x 100000 is 10,000 M pixels; "
                                      "pixel budget 40 M (--max-pixels)")
    _good_extracted(docs)


def test_a_huge_pdf_page_is_not_rendered_past_the_pixel_budget(tmp_path):
    path = stream_pdf(tmp_path / "plan.pdf", b"0 0 m 14000 14000 l S", mediabox=(0, 0, 14400, 14400))
    doc, _ = extract_file(path, "plan.pdf")
    assert doc.error == ("no page read: page 1 not read: 14400 x 14400 pt is 3,600 M pixels at 300 dpi; "
                         "pixel budget 40 M (--max-pixels)")


# -- damaged structure, flate bombs, memory -------------------------------------------------------------------

def test_damaged_pdf_structures_are_each_recorded_and_the_run_goes_on(tmp_path):
    folder = _folder(tmp_path, kids_loop(tmp_path / "loop.pdf"), deep_nesting(tmp_path / "deep.pdf"),
                     length_past_eof(tmp_path / "length.pdf"))
    stats, docs = _scan(folder, tmp_path)
    assert stats.seen == stats.extracted == 4
    for name in ("loop.pdf", "deep.pdf", "length.pdf"):
        doc = docs[name]
        # nothing on these pages can be read: each is accounted for with why
        assert doc.error and (doc.error.startswith("no text: ") or "corrupt" in doc.error), (name, doc.error)
    _good_extracted(docs)


def test_a_flate_bomb_over_the_memory_budget_is_recorded_and_the_good_file_extracted(tmp_path):
    folder = _folder(tmp_path, flate_bomb(tmp_path / "bomb.pdf", 600))
    stats, docs = _scan(folder, tmp_path, Budget(max_memory=512 * MIB))
    error = docs["bomb.pdf"].error
    assert error and "memory budget 512 MiB (--max-memory)" in error, error
    _good_extracted(docs)
    assert stats.extracted == 2


# -- seconds: cooperative, then from outside ------------------------------------------------------------------

def test_a_scan_over_its_seconds_keeps_what_was_read_and_says_what_was_not(tmp_path):
    frames = [text_frame([f"PACKING LIST page {i}", "Gross weight 1,200 kg", "Net weight 1,100 kg"])
              for i in range(1, 4)]
    path = tiff(tmp_path / "scan.tif", frames)
    doc, _ = extract_file(path, "scan.tif", budget=Budget(max_seconds=1))
    said = doc.error or " ".join(doc.warnings)
    assert "time budget 1 s (--max-seconds) ran out" in said, (doc.error, doc.warnings)
    assert doc.pages < 3


def _slow_pdf(path: Path) -> Path:
    """A real input that is slow to read: a page of two million graphics-state operators (8 KB on disk)."""
    return stream_pdf(path, b"q Q\n" * 2_000_000)


def test_one_slow_file_never_holds_the_others_back(tmp_path):
    folder = _folder(tmp_path, _slow_pdf(tmp_path / "slow.pdf"))
    shutil.copy(text_pdf(tmp_path / "inv.pdf", [INVOICE_TEXT]), folder / "second invoice.pdf")
    blank_pdf(folder / "blank.pdf", 3)
    stats, docs = _scan(folder, tmp_path, Budget(max_seconds=6))  # the slow page takes 30 s or more
    assert docs["slow.pdf"].error == ("extraction stopped after 8 s: over its time budget 6 s (--max-seconds); the "
                                      "process reading it was killed and nothing of the document is kept")
    _good_extracted(docs)
    assert docs["second invoice.pdf"].error is None and docs["blank.pdf"].error == "no text: 3 blank pages"
    assert stats.extracted == 4


def test_the_cli_kills_a_stuck_file_with_one_worker_and_exits_0(tmp_path):
    folder = _folder(tmp_path, _slow_pdf(tmp_path / "slow.pdf"))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.run([sys.executable, "-m", "appraiser.cli", "run", str(folder), "--db", str(tmp_path / "c.db"),
                           "--workers", "1", "--max-seconds", "6"], capture_output=True, text=True, timeout=300,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    assert "slow.pdf: extraction stopped after 8 s" in proc.stdout
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert "errors 1" in proc.stdout  # the good invoice was extracted


def test_a_document_cut_by_its_budget_is_read_again_next_run_the_others_are_not(tmp_path):
    folder = _folder(tmp_path, blank_pdf(tmp_path / "blank.pdf", 30))
    _scan(folder, tmp_path, Budget(max_pages=10))
    stats, docs = _scan(folder, tmp_path, Budget(max_pages=40))
    assert (stats.extracted, stats.cached) == (1, 1)
    assert docs["blank.pdf"].error == "no text: 30 blank pages"


def test_a_worker_that_dies_is_recorded_with_how_and_the_memory_budget():
    from pebble import ProcessExpired

    said = pipeline._killed(ProcessExpired("Abnormal termination", code=-9, pid=1), Budget(max_memory=512 * MIB))
    assert said == ("extraction process died (killed by SIGKILL): a damaged file, or more memory than its memory "
                    "budget 512 MiB (--max-memory); nothing of the document is kept")


# -- the options ------------------------------------------------------------------------------------------------

def test_the_budget_options_reach_the_run_and_bad_values_are_usage_errors(tmp_path):
    folder = _folder(tmp_path, blank_pdf(tmp_path / "blank.pdf", 30))
    runner = CliRunner()
    r = runner.invoke(main, ["run", str(folder), "--db", str(tmp_path / "o.db"), "--workers", "1",
                             "--max-pages", "5", "--max-pixels", "20M", "--max-seconds", "60", "--max-memory", "1G"])
    assert r.exit_code == 0, r.output
    assert "blank.pdf: no text: pages 1-5 of 30 blank; page budget 5 (--max-pages)" in r.output
    for bad in (["--max-memory", "lots"], ["--max-memory", "100M"], ["--max-pages", "0"], ["--max-pixels", "-1"]):
        r = runner.invoke(main, ["review", str(folder), *bad])
        assert r.exit_code == 2, (bad, r.output)


def test_sizes_and_counts_read_as_written():
    assert parse_size("1536M") == 1536 * MIB and parse_size("2G") == 2 << 30 and parse_size("1GiB") == 1 << 30
    assert parse_count("40M") == 40_000_000 and parse_count("8700000") == 8_700_000
    with pytest.raises(ValueError):
        parse_size("0")
    with pytest.raises(ValueError):
        Budget(max_memory=100 * MIB)
