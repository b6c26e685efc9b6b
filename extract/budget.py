"""The budget of one document: how many pages it may have read, how large one page image may be, how long its
extraction may take and how much memory its process may use.

Pages, pixels and seconds are checked as the document is read (between pages and frames, and each Tesseract
call is bounded by the seconds left), so a document over its budget keeps what was read and says what was not.
The seconds and the memory are also enforced from outside: each document is extracted in a worker process that
is killed when it overruns its seconds by more than a grace, and whose memory is limited, so one hostile file
never holds the others back (``pipeline.scan``).
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass

MIB = 1 << 20
MIN_MEMORY = 256 * MIB


@dataclass(frozen=True)
class Budget:
    """The limits of one document's extraction. The defaults fit a 2-core laptop: a real 7501 or invoice set is a
    few pages, a 300-dpi A4 page is about 8.7 M pixels (a 600-dpi A4 scan or a 300-dpi A3 page still fits, and is
    read within 512 MiB), and two worker processes with Tesseract stay under 1.5 GiB together."""

    max_pages: int = 100  # pages (or image frames) looked at per document
    max_pixels: int = 40_000_000  # pixels of one page image, decoded or rendered
    max_seconds: float = 120.0  # seconds to extract one document
    # bytes of address space one document's extraction may add to its process, beyond the readers loaded in it
    # (about 300 MiB); its Tesseract gets the same limit
    max_memory: int = 768 * MIB

    def __post_init__(self) -> None:
        if self.max_pages < 1 or self.max_pixels < 1 or self.max_seconds <= 0 or self.max_memory < MIN_MEMORY:
            raise ValueError(f"a budget needs at least 1 page, 1 pixel, some seconds and {MIN_MEMORY // MIB} MiB "
                             "of memory")

    @property
    def hard_seconds(self) -> float:
        """When the worker extracting a document is killed: its seconds plus a grace for the work between the
        cooperative checks (one Tesseract call is bounded by the seconds left; a parser or an extractor is not)."""
        return self.max_seconds + min(30.0, max(2.0, self.max_seconds / 4))

    def page_note(self, read: int, total: int, unit: str = "pages") -> str:
        """What the page budget left unread, e.g. "read pages 1-100 of 2000; page budget 100 (--max-pages)"."""
        return f"read {unit} 1-{read} of {total}; page budget {self.max_pages} (--max-pages)"

    def seconds_note(self) -> str:
        return f"time budget {self.max_seconds:g} s (--max-seconds)"

    def pixels_note(self) -> str:
        return f"pixel budget {self.max_pixels / 1e6:g} M (--max-pixels)"

    def memory_note(self) -> str:
        return f"memory budget {self.max_memory // MIB} MiB (--max-memory)"


DEFAULT = Budget()


class OverTime(RuntimeError):
    """The document's seconds ran out (a ``RuntimeError``, as Tesseract's failures are, so that a band read again
    after the deadline is simply not read)."""


_deadline: float | None = None
_cut = False


@contextmanager
def clock(seconds: float | None):
    """The deadline of the document being extracted in this process, ``seconds`` from now (None: no deadline)."""
    global _deadline, _cut
    saved = _deadline
    _deadline, _cut = (None if seconds is None else time.monotonic() + seconds), False
    try:
        yield
    finally:
        _deadline = saved


def cut() -> None:
    """Mark the document being extracted as cut by its budget (pages, pixels or seconds left unread)."""
    global _cut
    _cut = True


def was_cut() -> bool:
    """Whether the last document extracted in this process was cut by its budget: its result depends on the
    budget (and, for seconds, on the machine's load), so it is not cached."""
    return _cut


def remaining() -> float | None:
    """Seconds left to the current document (None when it has no deadline)."""
    return None if _deadline is None else _deadline - time.monotonic()


def over_time() -> bool:
    left = remaining()
    return left is not None and left <= 0


def call_timeout() -> float:
    """The timeout of one external call (Tesseract) under the current deadline, in seconds; 0 means none.
    ``OverTime`` when the deadline has passed."""
    left = remaining()
    if left is None:
        return 0
    if left <= 0:
        raise OverTime("the time budget ran out")
    return max(1.0, left)


def address_space() -> int | None:
    """The bytes of address space this process holds now (Linux), or None where it cannot be read."""
    import os

    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def parse_size(text: str) -> int:
    """A memory size as the CLI takes it: bytes, or a number with K, M or G (binary units), e.g. ``1536M``, ``2G``."""
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    factor = 1
    if t and t[-1] in "KMG":
        factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[t[-1]]
        t = t[:-1]
    try:
        value = float(t)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (e.g. 1024M or 2G)") from None
    if value <= 0:
        raise ValueError(f"not a size: {text!r} (e.g. 1024M or 2G)")
    return int(value * factor)


def parse_count(text: str) -> int:
    """A pixel count as the CLI takes it: a number, or with M (millions), e.g. ``40M``."""
    t = text.strip().upper()
    factor = 1_000_000 if t.endswith("M") else 1
    try:
        value = float(t.removesuffix("M"))
    except ValueError:
        raise ValueError(f"not a pixel count: {text!r} (e.g. 40M)") from None
    if value <= 0:
        raise ValueError(f"not a pixel count: {text!r} (e.g. 40M)")
    return int(value * factor)
