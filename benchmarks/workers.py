"""Extraction throughput as workers are added: documents per second of a corpus with 1 and 2 local worker
processes, and with 2 workers of a Dask cluster on this machine (``--scheduler``); the target is 2 workers at
1.8 times the documents per second of 1 or better."""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from . import Figure

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.8


def add_arguments(ap) -> None:
    ap.add_argument("--documents", type=int, default=60,
                    help="documents of the corpus the worker figures extract (default 60)")


def _scan(corpus: Path, listed: set[str], **how) -> tuple[int, float]:
    from .. import pipeline
    from ..models.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        try:
            start = time.perf_counter()
            stats = pipeline.scan(corpus, store, only=listed, **how)
            return stats.extracted, time.perf_counter() - start
        finally:
            store.close()


def _figure(name: str, n: int, seconds: float, base: float | None = None) -> Figure:
    rate = n / seconds
    value = f"{rate:.2f} documents per second ({n} documents in {seconds:.1f} s)"
    if base is None:
        return Figure(name, value)
    ratio = rate / base
    return Figure(name, f"{value}, {ratio:.2f}x of 1 worker", f">= {TARGET}x of 1 worker", ratio >= TARGET)


def run(args) -> list[Figure]:
    from distributed import LocalCluster

    from .. import cluster, pipeline

    corpus = getattr(args, "corpus", None) or ROOT / "fixtures" / "corpus" / "dev"
    docs = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))["documents"][: args.documents]
    listed = {d["path"] for d in docs}
    n, seconds = _scan(corpus, listed, workers=1)
    base = n / seconds
    figures = [_figure("1 local worker", n, seconds)]
    n, seconds = _scan(corpus, listed, workers=2)
    figures.append(_figure("2 local workers", n, seconds, base))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        with cluster.connect(local.scheduler_address) as executor:
            # the workers load the readers once, as a local run's parent has before it forks: not timed
            executor.client.run(pipeline._load_readers)
            n, seconds = _scan(corpus, listed, executor=executor)
    figures.append(_figure("2 Dask workers (--scheduler, a LocalCluster)", n, seconds, base))
    return figures
