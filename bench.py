"""Speed figures (not a test): ``python -m appraiser.bench [--only NAME,...]`` runs each registered measure of
``benchmarks`` and prints its figures, as ratios against the peer tools timed in the same run where a measure has a
target. Tesseract runs single-threaded (OMP_THREAD_LIMIT=1); parallelism comes from processes."""
from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from .benchmarks import MODULES, load  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m appraiser.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(MODULES),
                    help=f"comma-separated measures to run (default all: {','.join(MODULES)})")
    modules = {name: load(name) for name in MODULES}
    for module in modules.values():
        if hasattr(module, "add_arguments"):
            module.add_arguments(ap)
    args = ap.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in modules]
    if unknown:
        ap.error(f"--only: unknown measure {', '.join(unknown)} (known: {', '.join(MODULES)})")
    for name in chosen:
        print(f"== {name}", flush=True)
        for figure in modules[name].run(args):
            print(figure.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
