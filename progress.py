"""How a scan's progress is shown on standard error, by the CLI (``pipeline.scan`` only calls back with the entries
done): a bar with its rate and time left on a terminal (tqdm); when standard error is a file or a pipe, a plain
line every ``INTERVAL`` seconds (documents done of the total, rate, time left), and a last one when the scan ends
if any was written. A scan shorter than ``INTERVAL`` writes nothing; ``--quiet`` turns all of it off."""
from __future__ import annotations

import re
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

INTERVAL = 5.0  # seconds between two plain lines

# the plain line, whole: what a log reader (or a test of standard error) may expect of it and nothing else
LINE = re.compile(r"(?P<label>[A-Z][a-z]+): (?P<done>\d+)/(?P<total>\d+) documents, (?P<rate>\d+\.\d) per second, "
                  r"(?:about (?P<left>[\d:]+) left|time left unknown|done in (?P<took>[\d:]+))")


def duration(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour."""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def line(done: int, total: int, seconds: float, label: str = "Extracting") -> str:
    """The plain progress line after ``seconds``: done of total, the rate so far, the time left at that rate."""
    rate = done / seconds if seconds > 0 else 0.0
    if done >= total:
        tail = f"done in {duration(seconds)}"
    elif rate > 0:
        tail = f"about {duration((total - done) / rate)} left"
    else:
        tail = "time left unknown"
    return f"{label}: {done}/{total} documents, {rate:.1f} per second, {tail}"


class Lines:
    """The plain-line display: called with the number of entries just done; writes a line when ``interval`` seconds
    have passed since the last one (or the start). ``poll`` writes one that is due even when no entry was done
    (a thread calls it while one long document is read). ``clock`` is injectable for tests."""

    def __init__(self, total: int, stream: TextIO, label: str = "Extracting", interval: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.stream, self.label, self.clock = total, stream, label, clock
        self.interval = INTERVAL if interval is None else interval
        self.done = 0
        self.written = 0
        self.shown = 0  # the entries done the latest line said
        self.start = self.last = clock()
        self._lock = threading.Lock()

    def __call__(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
        self.poll()

    def poll(self) -> None:
        with self._lock:
            now = self.clock()
            if now - self.last >= self.interval:
                self._write(now)

    def finish(self) -> None:
        """The last line, when any was written (a short scan writes none) and it did not say this already."""
        with self._lock:
            if self.written and self.shown != self.done:
                self._write(self.clock())

    def _write(self, now: float) -> None:
        self.last = now
        self.written += 1
        self.shown = self.done
        try:
            self.stream.write(line(self.done, self.total, now - self.start, self.label) + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # standard error closed: the scan goes on without its display
            pass


@contextmanager
def _polled(lines: Lines, every: float) -> Iterator[None]:
    """``lines.poll`` called every ``every`` seconds by a daemon thread while the block runs."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            lines.poll()

    thread = threading.Thread(target=loop, name="progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def reporter(total: int, quiet: bool = False, terminal: bool | None = None, stream: TextIO | None = None,
             label: str = "Extracting") -> Iterator[Callable[[int], None] | None]:
    """The callback to give ``pipeline.scan`` as ``progress`` (None: nothing shown): a tqdm bar when ``terminal``
    (default: whether ``stream``, standard error, is one) and there are two entries or more, else plain lines."""
    stream = stream if stream is not None else sys.stderr
    if terminal is None:
        terminal = stream.isatty()
    if quiet or total < 1 or (terminal and total < 2):
        yield None
        return
    if terminal:
        from tqdm import tqdm

        with tqdm(total=total, desc=label, unit="doc", file=stream, dynamic_ncols=True) as bar:
            yield bar.update
        return
    lines = Lines(total, stream, label)
    with _polled(lines, max(0.05, min(1.0, lines.interval / 5))):
        yield lines
    lines.finish()
