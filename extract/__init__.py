"""Extraction: one file in, one :class:`~appraiser.models.records.Document` out.

``extract_file`` is a pure function of the file's bytes (plus the extractor version), so its result is cached by
content hash and it runs in worker processes. It never raises for a bad input: the Document carries the error.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
import traceback
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tesseract threads fight over cores; parallelism is per process

from ..models.records import Document  # noqa: E402

# Bump when an extractor changes what it reads: cached extractions of older versions are redone.
EXTRACTOR_VERSION = "0.6.2"


def extraction_key(rel: str) -> str:
    """The extractor key a stored extraction is filed under for a file named ``rel``: the version, and whether the
    name promises a binary format (the one way a name changes what is read), so the same bytes under a name of
    the other kind are read for themselves instead of taking the other's result."""
    from .load import promises_binary

    return EXTRACTOR_VERSION + ("+binary-name" if promises_binary(rel) else "")


def open_regular(path: Path):
    """``path`` opened for reading in binary, if it is a regular file; otherwise ``OSError``. The open does not
    wait on a named pipe that took the file's place since the folder was listed (which would block for ever)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open_regular(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_pages(loaded, rel: str) -> Document:
    """Classify loaded pages and run the extractor of their type."""
    from .classify import classify
    from .registry import extractor_for

    doc = Document(path=rel, sha256="", pages=len(loaded.pages), ocr=loaded.ocr, error=loaded.error,
                   warnings=list(loaded.warnings))
    if loaded.error:
        return doc
    if not _read_einvoice(doc, loaded):
        doc_type, confidence = classify(loaded.pages)
        doc.doc_type, doc.classification_confidence = doc_type, confidence
        extractor = extractor_for(doc_type)
        if extractor is not None:
            fields, items = extractor(loaded.pages, rel)
            doc.fields, doc.line_items = fields, items
    if doc.doc_type != "other" and loaded.pages and not doc.error:
        from .common import prose_notes

        doc.notes = prose_notes(loaded.pages, rel)
    if not doc.error:
        from .facts import read_facts

        doc.facts = read_facts(doc)  # the typed statements of its prose, what the audit reads
    return doc


def _read_einvoice(doc: Document, loaded) -> bool:
    """Whether the document was read from the e-invoice XML the file is or carries (the XML states the invoice;
    its pages, when it has some, are only checked against it). False when there is none, or it cannot be read
    and the pages are read instead."""
    if loaded.einvoice is None:
        return False
    from .einvoice import read_into

    return read_into(doc, loaded)


def extract_file(path: Path, rel: str, sha256: str | None = None, budget=None) -> tuple[Document, float]:
    """Load, classify and extract one file within its ``budget`` (``extract.budget.Budget``; the default one when
    None); returns the Document and the seconds it took."""
    from .budget import DEFAULT, clock
    from .load import load

    budget = budget or DEFAULT
    start = time.perf_counter()
    try:
        digest = sha256 or sha256_of(path)
    except OSError as exc:
        return Document(path=rel, sha256="", error=f"cannot read file: {exc.strerror or exc}"), 0.0
    try:
        with clock(budget.max_seconds):
            loaded = load(path, rel, budget)
            doc = extract_pages(loaded, rel)
    except MemoryError:  # over the memory limit of the worker process
        doc = Document(path=rel, sha256=digest, error=f"extraction failed: out of memory; {budget.memory_note()}")
    except Exception as exc:  # an extractor defect must not lose the rest of the run
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        doc = Document(path=rel, sha256=digest, error=f"extraction failed: {detail}")
    doc.sha256 = digest
    try:
        doc.size = path.stat().st_size
    except OSError:
        pass
    return doc, time.perf_counter() - start
