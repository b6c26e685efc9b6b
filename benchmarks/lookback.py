"""The audit of a five-year look-back: a store holding the extracted records of N entries (about ten declared lines
each, written by ``fixtures/lookback.py``, not timed), audited by ``pipeline.audit_store`` in a child process of
its own: its wall and processor seconds and its peak memory (the child's maximum resident set), at ``--lines``
declared lines (default 100,000), and the ratio of the audit's time at ``--lines-factor`` times as many lines
(default 10) to its time at ``--lines``: a linear audit stays near the factor."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from . import Figure

TARGET_LINES = 100_000
TARGET_SECONDS = 60.0
TARGET_MEMORY = 2 << 30  # bytes
TARGET_RATIO = 11.0  # for ten times the lines


def add_arguments(ap) -> None:
    ap.add_argument("--lines", type=int, default=TARGET_LINES,
                    help=f"declared lines of the look-back audited (default {TARGET_LINES:,}; about 10 an entry)")
    ap.add_argument("--lines-factor", type=int, default=10,
                    help="the ratio is timed at this many times --lines (default 10; 1: no ratio)")


def measure(lines: int) -> dict:
    """Write a look-back of about ``lines`` declared lines into a fresh store and audit it in a child process:
    ``{"lines", "entries", "findings", "planted", "seconds", "cpu_seconds", "peak_bytes"}``."""
    from ..fixtures.lookback import entries_for_lines, write_store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "lookback.db"
        lb = write_store(db, entries_for_lines(lines))
        proc = subprocess.run([sys.executable, "-m", "appraiser.benchmarks.lookback", str(db)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"the audit of the look-back failed: {proc.stderr.strip().splitlines()[-1:]}")
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**out, "lines": lb.lines, "entries": lb.entries, "planted": len(lb.planted)}


def _child(db: str) -> int:
    """In the child: audit the store ``db`` and print the figures as one JSON line."""
    import os
    import resource
    import time

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from .. import pipeline
    from ..models.store import Store

    store = Store(db)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = pipeline.audit_store(store)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    print(json.dumps({"seconds": wall, "cpu_seconds": cpu, "peak_bytes": peak, "findings": len(summary.findings)}))
    return 0


def _gib(n: int) -> str:
    return f"{n / (1 << 30):.2f} GiB"


def run(args) -> list[Figure]:
    base = measure(args.lines)
    at = f"{base['lines']:,} lines, {base['entries']:,} entries"
    full = args.lines == TARGET_LINES
    figures = [
        Figure(f"look-back audit ({at})",
               f"{base['seconds']:.1f} s ({base['cpu_seconds']:.1f} s of processor); {base['findings']} findings, "
               f"{base['planted']} planted",
               f"≤ {TARGET_SECONDS:g} s at {TARGET_LINES:,} lines" if full else None,
               base["seconds"] <= TARGET_SECONDS if full else None),
        Figure(f"look-back audit peak memory ({at})", _gib(base["peak_bytes"]),
               f"≤ {_gib(TARGET_MEMORY)} at {TARGET_LINES:,} lines" if full else None,
               base["peak_bytes"] <= TARGET_MEMORY if full else None),
    ]
    if args.lines_factor > 1:
        big = measure(args.lines * args.lines_factor)
        ratio = big["seconds"] / base["seconds"]
        cpu_ratio = big["cpu_seconds"] / base["cpu_seconds"]
        limit = TARGET_RATIO * args.lines_factor / 10
        figures.append(Figure(
            f"look-back audit time ratio {big['lines']:,} / {base['lines']:,} lines",
            f"{ratio:.2f} ({big['seconds']:.1f} s / {base['seconds']:.1f} s; processor {cpu_ratio:.2f}); "
            f"peak memory {_gib(big['peak_bytes'])}; {big['findings']} findings, {big['planted']} planted",
            f"≤ {limit:g} for {args.lines_factor}× the lines", ratio <= limit))
    return figures


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m appraiser.benchmarks.lookback DB (the child that audits one look-back)",
              file=sys.stderr)
        sys.exit(2)
    sys.exit(_child(sys.argv[1]))
