"""Hostile files and file-system objects, written by the project for its tests, and the 38-entry share.

A plain module the tests import; also runnable to write the full share for a measurement::

    python tests/hostile.py OUTDIR [--blank-pages 2000] [--frames 500]

Every builder writes one file (or link, pipe, socket, device) at the path it is given and returns that path.
``build_share`` writes the folder of 38 awkward entries an importer's share holds and returns its manifest: one
``Item`` per entry with the path the export must list and what must become of it.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import socket
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "fixtures" / "demo"

READ, ERROR, SKIPPED, ANY = "read", "error", "skipped", "read or error"


@dataclass(frozen=True)
class Item:
    """One entry of a built folder: ``rel`` is the path the export lists (as the store writes it), ``expect`` one of
    read (extracted, no error), error (recorded with its error), skipped (recorded, not read), or read or error
    (either, recorded: a document whose outcome depends on the per-document budgets or on the user running)."""
    rel: str
    kind: str
    expect: str
    message: str = ""  # a phrase the recorded error must contain (lower case), when expect is error or skipped


# -- PDF builders ------------------------------------------------------------------------------------------

def text_pdf_bytes(lines: list[str] | None = None) -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    lines = lines or ["COMMERCIAL INVOICE", "Invoice No. HX-2025-0001", "Seller: Hostile Test Works Ltd",
                      "Description of goods: steel brackets, 100 pieces"]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter)
    y = 720
    for line in lines:
        c.drawString(72, y, line)
        y -= 18
    c.showPage()
    c.save()
    return buf.getvalue()


def text_pdf(path: Path, lines: list[str] | None = None) -> Path:
    Path(path).write_bytes(text_pdf_bytes(lines))
    return path


def encrypted_pdf(path: Path, user: str = "secret", owner: str = "owner") -> Path:
    """A PDF encrypted with AES-256; ``user=""`` gives an owner-password-only file, which opens without one."""
    import pikepdf

    with pikepdf.open(io.BytesIO(text_pdf_bytes())) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user=user, owner=owner, R=6))
    return path


def truncated_pdf(path: Path) -> Path:
    data = text_pdf_bytes()
    Path(path).write_bytes(data[: len(data) // 2])
    return path


def blank_pdf(path: Path, pages: int) -> Path:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(612, 792))
    pdf.save(path)
    return path


def script_pdf(path: Path, marker: str = "pwned") -> Path:
    """A PDF whose opening runs JavaScript and whose link launches a shell command that would create ``marker``
    in the working folder: a reader that executes anything from a document leaves that file behind."""
    import pikepdf

    with pikepdf.open(io.BytesIO(text_pdf_bytes())) as pdf:
        command = f"touch {marker}"
        script = (f"app.launchURL('file:///tmp/{marker}'); "
                  f"this.exportDataObject({{cName: '{marker}', nLaunch: 2}});")
        js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(script)))
        launch = pdf.make_indirect(pikepdf.Dictionary(
            S=pikepdf.Name.Launch, F=pikepdf.String(command),
            Win=pikepdf.Dictionary(F=pikepdf.String("cmd.exe"), P=pikepdf.String(f"/c {command}"))))
        pdf.Root.OpenAction = js
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("run"), js])))
        page = pdf.pages[0]
        page.obj.AA = pikepdf.Dictionary(O=launch)
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array([72, 700, 300, 720]),
            A=launch))]))
        pdf.save(path)
    return path


def _raw_pdf(page_extra: bytes = b"", content: bytes | None = None, length: int | None = None,
             kids: bytes = b"3 0 R") -> bytes:
    """A one-page PDF written byte by byte, so that its structure can be made wrong on purpose."""
    content = content or b"BT /F1 12 Tf 72 720 Td (COMMERCIAL INVOICE Invoice No. HX-2025-0001 total 100.00 USD) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R" + page_extra
               + b" /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % (len(content) if length is None else length) + content
               + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def page_tree_loop_pdf(path: Path) -> Path:
    """A page tree whose /Kids holds the tree itself beside its page."""
    Path(path).write_bytes(_raw_pdf(kids=b"2 0 R 3 0 R"))
    return path


def length_past_eof_pdf(path: Path) -> Path:
    """A content stream whose /Length runs far past the end of the file."""
    Path(path).write_bytes(_raw_pdf(length=99_999_999))
    return path


def deep_nesting_pdf(path: Path, depth: int = 100_000) -> Path:
    """A page dictionary holding arrays nested ``depth`` deep, and a content stream of as many nested saves."""
    content = b"q " * depth + b"BT /F1 12 Tf 72 720 Td (COMMERCIAL INVOICE Invoice No. HX-2025-0001) Tj ET" \
        + b" Q" * depth
    Path(path).write_bytes(_raw_pdf(b" /Deep " + b"[" * depth + b"]" * depth, content))
    return path


# -- not what the name says ---------------------------------------------------------------------------------

def zero_bytes(path: Path) -> Path:
    Path(path).write_bytes(b"")
    return path


def random_bytes(path: Path, size: int = 8192, seed: int = 14) -> Path:
    data = random.Random(seed).randbytes(size)
    if data[:4] in (b"%PDF", b"PK\x03\x04") or data[:1] == b"<":
        data = b"\x00" + data[1:]
    Path(path).write_bytes(data)
    return path


def zip_renamed(path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("invoice.txt", "Invoice HX-1 total 100.00 USD\n")
    Path(path).write_bytes(buf.getvalue())
    return path


def text_file(path: Path, text: str | None = None) -> Path:
    Path(path).write_text(text or ("MT103 SINGLE CUSTOMER CREDIT TRANSFER\n:20:HX-REF-0001\n"
                                   ":32A:250301USD12500,00\n:50K:HOSTILE TEST WORKS LTD\n"), encoding="utf-8")
    return path


def html_page(path: Path) -> Path:
    Path(path).write_text("<!DOCTYPE html>\n<html><head><title>Invoice</title><script>alert(1)</script></head>"
                          "<body><h1>Invoice HX-2</h1><p>Total 100.00 USD</p></body></html>\n", encoding="utf-8")
    return path


def ole_file(path: Path) -> Path:
    """The header of an OLE compound document, what a legacy Word .doc or Excel .xls file is."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:26] = (0x3E).to_bytes(2, "little")  # minor version
    header[26:28] = (3).to_bytes(2, "little")  # major version
    header[28:30] = b"\xfe\xff"  # byte order
    header[30:32] = (9).to_bytes(2, "little")  # 512-byte sectors
    header[32:34] = (6).to_bytes(2, "little")
    Path(path).write_bytes(bytes(header) + b"\x00" * 1536)
    return path


# -- Office files ------------------------------------------------------------------------------------------

def docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("COMMERCIAL INVOICE")
    d.add_paragraph("Invoice No. HX-2025-0002 dated 2025-03-01")
    table = d.add_table(rows=2, cols=3)
    for j, text in enumerate(("Description", "Quantity", "Amount")):
        table.cell(0, j).text = text
    for j, text in enumerate(("Steel brackets", "100", "1250.00")):
        table.cell(1, j).text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["PACKING LIST", "HX-PL-0003"])
    ws.append(["Description", "Packages", "Net weight kg"])
    ws.append(["Steel brackets", 4, 812.5])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The zip ``data`` with some members replaced (None: removed) and some added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info.filename, src.read(info.filename))
        for name, body in add.items():
            dst.writestr(name, body)
    return out.getvalue()


def docx_file(path: Path) -> Path:
    Path(path).write_bytes(docx_bytes())
    return path


def xlsx_file(path: Path) -> Path:
    Path(path).write_bytes(xlsx_bytes())
    return path


def _macro_enabled(data: bytes, main: str, plain_type: str, macro_type: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml").decode("utf-8")
    types = types.replace(plain_type, macro_type)
    types = types.replace("</Types>", '<Default Extension="bin" '
                          'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    # a macro project that would create a file if anything ran it; it is never run
    return _rezip(data, {"[Content_Types].xml": types.encode("utf-8")},
                  {f"{main}/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Shell \"touch pwned\"" * 8})


def docm_file(path: Path) -> Path:
    Path(path).write_bytes(_macro_enabled(
        docx_bytes(), "word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml"))
    return path


def xlsm_file(path: Path) -> Path:
    Path(path).write_bytes(_macro_enabled(
        xlsx_bytes(), "xl", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
    return path


def corrupt_docx(path: Path) -> Path:
    Path(path).write_bytes(_rezip(docx_bytes(), {"word/document.xml": b"<w:document xmlns:w=\"broken"}))
    return path


# -- images ------------------------------------------------------------------------------------------------

def png_image(path: Path) -> Path:
    """A small PNG (a photo of a page), whatever its name says."""
    from PIL import Image, ImageDraw

    im = Image.new("L", (600, 240), 255)
    draw = ImageDraw.Draw(im)
    draw.rectangle((20, 20, 580, 220), outline=0, width=3)
    draw.text((40, 60), "DELIVERY NOTE HX-4 steel brackets", fill=0)
    im.save(path, format="PNG", dpi=(150, 150))
    return path


def tiff_frames(path: Path, frames: int) -> Path:
    """A fax-like TIFF of ``frames`` blank bilevel pages (Group 4: a few hundred bytes a page)."""
    from PIL import Image

    page = Image.new("1", (1700, 2200), 1)
    page.save(path, format="TIFF", save_all=True, append_images=[page] * (frames - 1), compression="group4",
              dpi=(200, 200))
    return path


def tiff_text_frames(path: Path, frames: int) -> Path:
    """A fax-like TIFF of ``frames`` bilevel pages each printed with lines of text (what a scanned archive box
    holds): every frame has to be read, so only the time budget bounds it."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("1", (1700, 2200), 1)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=36)
    for row in range(20):
        draw.text((120, 160 + row * 90), f"Line {row + 1:02d}  steel brackets HX-4  qty {10 * (row + 1)}  "
                  f"unit price 12.50", fill=0, font=font)
    page.save(path, format="TIFF", save_all=True, append_images=[page] * (frames - 1), compression="group4",
              dpi=(200, 200))
    return path


def broken_tiff(path: Path) -> Path:
    """A three-frame TIFF whose last frame's image data is cut off: the frames before it still read."""
    from PIL import Image, ImageDraw

    images = []
    for n in range(3):
        im = Image.new("L", (400, 300), 255)
        ImageDraw.Draw(im).text((20, 20 + 40 * n), f"frame {n + 1}", fill=0)
        images.append(im)
    buf = io.BytesIO()
    images[0].save(buf, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate",
                   dpi=(150, 150))
    data = bytearray(buf.getvalue())
    # Pillow writes each frame's IFD and then its data, in order: garble the last frame's compressed strip
    with Image.open(io.BytesIO(bytes(data))) as im:
        im.seek(2)
        offset = im.tag_v2[273][0]  # StripOffsets
        count = im.tag_v2[279][0]  # StripByteCounts
    data[offset + 2: offset + count] = b"\xff" * (count - 2)
    Path(path).write_bytes(bytes(data))
    return path


# -- file-system objects -----------------------------------------------------------------------------------

def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def unix_socket(path: Path) -> Path:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(str(path))
    finally:
        s.close()
    return path


def device(path: Path) -> Path:
    """A character device (the null device's numbers); needs root (CAP_MKNOD)."""
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    return path


def symlink(path: Path, target: str | Path) -> Path:
    os.symlink(target, path)
    return path


def unreadable(path: Path) -> Path:
    text_pdf(path)
    os.chmod(path, 0)
    return path


def deep_folders(root: Path, depth: int) -> Path:
    """``depth`` folders one inside the next under ``root``; returns the innermost (made without recursion)."""
    here = Path(root)
    here.mkdir(parents=True, exist_ok=True)
    for _ in range(depth):
        here = here / "d"
        here.mkdir()
    return here


def remove_tree(root: Path) -> None:
    """Remove a folder tree of any depth (``shutil.rmtree`` recurses, and stops at the recursion limit)."""
    order, stack = [], [Path(root)]
    while stack:
        here = stack.pop()
        order.append(here)
        for entry in os.scandir(here):
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                os.unlink(entry.path)
    for folder in reversed(order):
        os.rmdir(folder)


def latin1_name(folder: Path, name: bytes) -> Path:
    """The path of a file named by bytes that are not UTF-8 (a Latin-1 name from an old Windows share)."""
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + name))


# -- the share ---------------------------------------------------------------------------------------------

def stored_name(rel: str | bytes) -> str:
    """The path as the store writes it (bytes that are not UTF-8 kept as ``\\xNN``)."""
    from appraiser.models.fold import path_text

    return path_text(os.fsdecode(rel) if isinstance(rel, bytes) else rel)


def build_share(out: Path, blank_pages: int = 2000, frames: int = 500, text_frames: bool = False) -> list[Item]:
    """The folder of 38 awkward entries (files, links, a pipe, a folder named like a file) an importer's share
    holds, written into ``out``; returns one ``Item`` per entry. Eleven good documents are among them.
    ``blank_pages`` and ``frames`` size the two big ones (2,000 blank pages, 500 frames as reported); with
    ``text_frames`` every frame of the TIFF is printed with text (the worst case: each frame must be read)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []

    def add(rel: str | bytes, kind: str, expect: str, message: str = "") -> Path:
        items.append(Item(stored_name(rel), kind, expect, message))
        return Path(os.fsdecode(os.fsencode(out) + b"/" + (rel if isinstance(rel, bytes) else os.fsencode(rel))))

    # eleven good documents: the born-digital demo PDFs in their folders, and a spreadsheet packing list
    for src in sorted(DEMO.rglob("*.pdf")):
        if "scan" in src.name:
            continue
        rel = src.relative_to(DEMO).as_posix()
        dest = add(rel, "good PDF", READ)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    xlsx_file(add("packing list HX-PL-0003.xlsx", "good spreadsheet", READ))

    # the big ones: budgets decide how much of them is read
    (out / "archive").mkdir(exist_ok=True)
    blank_pdf(add(f"archive/blank {blank_pages} pages.pdf", "blank pages", ANY), blank_pages)
    (tiff_text_frames if text_frames else tiff_frames)(add(f"archive/fax {frames} frames.tif", "many frames", ANY),
                                                       frames)

    # names
    text_pdf(add(b"Lieferschein M\xfcller \xc4rger.pdf", "Latin-1 name", READ),
             ["LIEFERSCHEIN", "Lieferschein Nr. HX-LS-0005", "Stahlwinkel 100 Stueck"])
    script_pdf(add("$(touch pwned).pdf", "JavaScript and launch actions, shell in the name", READ))
    text_file(add("quote\"s 'and'\nnewline.txt", "quotes and newline in the name", READ))
    encrypted_pdf(add("\x1b[31mALERT\x1b[0m owner-only.pdf", "ANSI escape name, owner-password PDF", READ),
                  user="")
    zero_bytes(add("--db=other.db.pdf", "leading -- in the name, zero bytes", ERROR, "empty"))

    # not what they claim to be
    encrypted_pdf(add("encrypted.pdf", "user-password PDF", ERROR, "encrypted"))
    truncated_pdf(add("truncated.pdf", "PDF cut in half", ERROR, "pdf"))
    random_bytes(add("random.pdf", "random bytes", ERROR, "unsupported"))
    zip_renamed(add("archive.zip.pdf", "zip renamed .pdf", ERROR, "zip"))
    text_file(add("readme.pdf", "text named .pdf", ERROR, "text"), "Read me first: the invoices are in the folders.\n")
    html_page(add("saved page.pdf", "HTML saved as .pdf", ERROR, "html"))
    png_image(add("photo.pdf", "PNG named .pdf", READ))
    broken_tiff(add("scan broken frame.tif", "TIFF with a broken later frame", READ))

    # Office
    corrupt_docx(add("corrupt.docx", "corrupt .docx", ERROR, "corrupt"))
    ole_file(add("legacy.doc", "legacy Word .doc", ERROR, "legacy"))
    ole_file(add("legacy.xls", "legacy Excel .xls", ERROR, "legacy"))
    docm_file(add("macro.docm", "macro-enabled .docm", READ))
    xlsm_file(add("macro.xlsm", "macro-enabled .xlsm", READ))

    # file-system objects
    (out / "x.pdf").mkdir(exist_ok=True)
    text_pdf(add("x.pdf/inside.pdf", "file in a folder named x.pdf", READ))
    symlink(add("link to invoice.pdf", "link to a file in the folder", SKIPPED, "read once, under that name"),
            "2025-03 Dongguan/CI DPP-2503-0117.pdf")
    symlink(add("passwd.pdf", "link out of the folder", SKIPPED, "out of the folder"), "/etc/passwd")
    symlink(add("loop.pdf", "link to itself", SKIPPED, "loop"), "loop.pdf")
    symlink(add("dangling.pdf", "link to nothing", SKIPPED, "dangling"), "gone/missing.pdf")
    fifo(add("pipe.pdf", "named pipe", SKIPPED, "pipe"))
    # read by root, who reads any file; an error for anyone else
    unreadable(add("locked.pdf", "no read permission", READ if os.geteuid() == 0 else ERROR,
                   "" if os.geteuid() == 0 else "permission denied"))
    assert len(items) == 38, len(items)
    return items


def _tree_rss(pid: int) -> tuple[int, int]:
    """The resident memory of a process and all its descendants, summed, and of the largest of them (bytes),
    read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * page
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(children.get(p, []))
    sizes = [rss.get(p, 0) for p in seen]
    return sum(sizes), max(sizes, default=0)


def measure(share: Path, items: list[Item], workers: int = 2) -> dict:
    """Run ``appraiser run`` on the share as a user would, sampling the memory of its process tree every 0.2 s;
    then check from the export that every entry is accounted for once. Returns the figures."""
    import json
    import subprocess
    import sys
    import tempfile
    import time

    exe = Path(sys.executable).with_name("appraiser")
    with tempfile.TemporaryDirectory(prefix="appraiser-share-") as tmp:
        db = Path(tmp) / "share.db"
        start = time.perf_counter()
        proc = subprocess.Popen([str(exe), "run", str(share), "--db", str(db), "--workers", str(workers)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        peak_tree = peak_one = 0
        while proc.poll() is None:
            tree, one = _tree_rss(proc.pid)
            peak_tree, peak_one = max(peak_tree, tree), max(peak_one, one)
            time.sleep(0.2)
        out, err = proc.communicate()
        wall = time.perf_counter() - start
        export = json.loads(subprocess.run([str(exe), "export", "--db", str(db), "--format", "json"],
                                           capture_output=True, check=True).stdout)
    paths = [d["path"] for d in export["documents"]]
    wanted = {i.rel for i in items}
    return {"exit": proc.returncode, "seconds": round(wall, 1), "peak_tree_mib": peak_tree // 2**20,
            "peak_process_mib": peak_one // 2**20, "entries": len(items),
            "accounted": len(wanted & set(paths)), "listed_twice": len(paths) - len(set(paths)),
            "tracebacks": (out + err).count(b"Traceback"),
            "errors": sum(1 for d in export["documents"] if d.get("error")),
            "summary": out.decode("utf-8", "replace").splitlines()[:1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the 38-entry hostile share into OUTDIR (and, with --run, "
                                                 "time a run on it).")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--blank-pages", type=int, default=2000)
    parser.add_argument("--frames", type=int, default=500)
    parser.add_argument("--text-frames", action="store_true", help="print text on every frame of the TIFF")
    parser.add_argument("--run", action="store_true",
                        help="run 'appraiser run' on the share and print wall time, peak memory and accounting")
    args = parser.parse_args(argv)
    items = build_share(args.outdir, args.blank_pages, args.frames, args.text_frames)
    if args.run:
        for key, value in measure(args.outdir, items).items():
            print(f"{key:<18} {value}")
        return 0
    for item in items:
        print(f"{item.expect:<14} {item.kind:<50} {item.rel!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
