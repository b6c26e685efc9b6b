"""Extraction on a Dask cluster (``--scheduler``): the export is the one a local run makes, with the documents read
from their shared path or sent as bytes; a damaged file and one killed for its seconds are recorded the same way;
a scheduler that cannot be reached is a usage error said in one line, in seconds."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import time
import zlib
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from appraiser import cluster, pipeline
from appraiser.cli import main
from appraiser.extract.budget import Budget
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHIPMENT = ROOT / "fixtures" / "demo" / "2025-03 Dongguan"  # four born-digital documents, one entry


def _slow_pdf(path: Path) -> None:
    """A page of two million graphics-state operators (8 KB on disk): far slower to read than its budget."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    stream = pdf.make_stream(b"")
    stream.write(zlib.compress(b"q Q\n" * 2_000_000, 9), filter=pikepdf.Name.FlateDecode)
    pdf.pages[0].obj.Contents = stream
    pdf.save(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cluster") / "shipment"
    shutil.copytree(SHIPMENT, root / SHIPMENT.name)
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage\n\x00\x01")
    return root


def _comparable(export: dict) -> dict:
    """The export without what differs between any two runs: run timestamps and seconds."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()
                    if not (k == "seconds" or k.endswith("_seconds") or k in ("started_at", "finished_at"))}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(export)


def _run(folder: Path, db: Path, *options: str) -> tuple[str, dict]:
    res = CliRunner().invoke(main, ["run", str(folder), "--db", str(db), *options])
    assert res.exit_code == 0, res.output
    exported = CliRunner().invoke(main, ["export", "--db", str(db)])
    assert exported.exit_code == 0, exported.output
    return res.output, _comparable(json.loads(exported.output))


@pytest.fixture(scope="module")
def local(folder, tmp_path_factory) -> dict:
    output, export = _run(folder, tmp_path_factory.mktemp("local") / "local.db", "--workers", "2")
    assert "Scanned 5 files: extracted 5, unchanged 0 (not extracted again), errors 1" in output
    return export


@pytest.fixture(scope="module")
def scheduler(local) -> str:  # started after the local run: the cluster's threads are not in its forks
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c.scheduler_address


def _documents(export: dict) -> dict:
    return {d["path"]: d for d in export["documents"]}


@pytest.mark.parametrize("how", [[], ["--send-bytes"]], ids=["shared-path", "send-bytes"])
def test_a_run_on_the_cluster_exports_what_a_local_run_does(folder, local, scheduler, tmp_path, how):
    output, export = _run(folder, tmp_path / "cluster.db", "--scheduler", scheduler, *how)
    assert "Scanned 5 files: extracted 5, unchanged 0 (not extracted again), errors 1" in output
    assert export == local
    docs = _documents(export)
    assert len(docs) == 5 and len(export["entries"]) == 1 and export["findings"]
    # the damaged file is recorded with its error; the run went on
    assert docs["broken.pdf"]["error"].startswith("corrupt or truncated PDF")
    assert "broken.pdf: corrupt or truncated PDF" in output
    good = [d for path, d in docs.items() if path.startswith(SHIPMENT.name)]
    assert len(good) == 4 and all(d["error"] is None and d["doc_type"] != "other" for d in good)


def test_a_review_on_the_cluster_finds_what_the_run_found(folder, local, scheduler):
    res = CliRunner().invoke(main, ["review", str(folder), "--scheduler", scheduler, "--send-bytes"])
    assert res.exit_code == 1, res.output  # the demo shipment's high finding stands: fix before filing
    codes = {f["code"] for f in local["findings"]}
    assert codes and all(code in res.output for code in codes)
    assert "broken.pdf: corrupt or truncated PDF" in res.output


def test_with_send_bytes_a_worker_reads_the_bytes_not_the_path(scheduler):
    from distributed import Client

    source = next(SHIPMENT.glob("CI *.pdf"))
    data = source.read_bytes()
    job = ("/no/such/folder/on/the/worker.pdf", "invoices/CI.pdf", hashlib.sha256(data).hexdigest())
    with Client(scheduler, set_as_default=False) as client:
        kind, (doc, seconds, cacheable) = client.submit(cluster.remote_extract, job, data, Budget(), 60.0,
                                                        pure=False).result(timeout=60)
    assert kind == "done" and cacheable
    assert doc.error is None and doc.path == "invoices/CI.pdf" and doc.doc_type == "commercial_invoice"
    assert doc.size == len(data) and doc.sha256 == job[2]


def _trim_threshold() -> str | None:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def test_the_extraction_processes_of_a_worker_run_with_the_default_memory_trimming(scheduler):
    """A Dask nanny starts its workers with glibc's trim threshold lowered (for the worker's own heap): Tesseract,
    started by the worker's extraction processes, would spend a tenth more CPU with it."""
    from distributed import Client

    source = next(SHIPMENT.glob("CI *.pdf"))
    data = source.read_bytes()
    with Client(scheduler, set_as_default=False) as client:
        client.submit(cluster.remote_extract, ("CI.pdf", "CI.pdf", hashlib.sha256(data).hexdigest()), data,
                      Budget(), 60.0, pure=False).result(timeout=60)
        assert all(v is None for v in client.run(_trim_threshold).values())


def test_a_file_over_its_seconds_on_the_cluster_is_killed_and_recorded_as_on_this_machine(scheduler, tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    _slow_pdf(folder / "slow.pdf")  # 30 s or more to read
    store = Store(tmp_path / "t.db")
    try:
        with cluster.connect(scheduler) as executor:
            stats = pipeline.scan(folder, store, budget=Budget(max_seconds=1), executor=executor)
        doc = store.documents()[0]
    finally:
        store.close()
    assert stats.extracted == 1 and stats.errors == 1
    assert doc.error == ("extraction stopped after 3 s: over its time budget 1 s (--max-seconds); the process "
                         "reading it was killed and nothing of the document is kept")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_line_and_exit_2_within_seconds(folder, tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.monotonic()
    res = CliRunner().invoke(main, ["run", str(folder), "--db", str(tmp_path / "x.db"), "--scheduler", address])
    assert time.monotonic() - start < 10
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: --scheduler {address}: cannot reach the Dask scheduler")
    assert "Traceback" not in res.output
    assert not (tmp_path / "x.db").exists()  # before any work


@pytest.mark.parametrize("command", ["run", "scan", "review"])
@pytest.mark.parametrize("options, said", [
    (["--scheduler", "nonsense"], "Error: --scheduler nonsense: not a scheduler's address"),
    (["--send-bytes"], "Error: --send-bytes goes with --scheduler"),
    (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "Error: --workers is for this machine's processes"),
])
def test_a_scheduler_option_that_cannot_be_used_is_a_usage_error(folder, tmp_path, command, options, said):
    res = CliRunner().invoke(main, [command, str(folder), "--db", str(tmp_path / "x.db"), *options])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1, res.output
    assert res.output.startswith(said)
    assert not (tmp_path / "x.db").exists()


class _Refusing:
    """An executor that extracts nothing: it keeps the order it was given the jobs in, and fails each."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def extract(self, jobs, budget, timeout):
        assert timeout == budget.hard_seconds
        for job in jobs:
            self.order.append(job[1])
            yield job, RuntimeError("no worker took it")


def test_scan_gives_its_executor_the_largest_files_first_and_records_each_outcome(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    for name, size in (("a.txt", 10), ("b.txt", 3000), ("c.txt", 200)):
        (folder / name).write_text("x" * size)
    executor = _Refusing()
    store = Store(tmp_path / "t.db")
    try:
        stats = pipeline.scan(folder, store, executor=executor)
        docs = {d.path: d for d in store.documents()}
    finally:
        store.close()
    assert executor.order == ["b.txt", "c.txt", "a.txt"]
    assert stats.extracted == 3 and stats.errors == 3
    assert docs["a.txt"].error == "extraction failed: RuntimeError('no worker took it')"
