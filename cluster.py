"""Extraction on a Dask cluster (``appraiser run PATH --scheduler tcp://HOST:8786``).

The client (the machine that runs ``appraiser``) finds the files, computes their digests, keeps the database and
records every outcome; the cluster's workers only extract. A worker reads each document from the path the client
sees, made absolute (so the folder must be at the same path on every machine: a shared mount), or from its bytes
sent by the client (``send_bytes``: nothing shared but the scheduler). Within a worker each document is extracted
in a process of its own, as on a local run, so that its seconds and memory (``extract.budget.Budget``) are
enforced the same way: ``pipeline.scan`` reads the outcomes as it reads a local pool's.

The workers need ``appraiser`` installed (the same version as the client) with its readers (Tesseract, poppler).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path, PurePosixPath

from .extract.budget import Budget
from .pipeline import Job

CONNECT_SECONDS = 6.0  # how long an unreachable scheduler is tried before the run stops (a usage error)


class ClusterError(ValueError):
    """The scheduler named cannot be used (unreachable, not a scheduler's address, no worker): said in one line."""


class DaskExecutor:
    """A ``pipeline.Executor`` that sends each document to a worker of the Dask cluster ``client`` is connected
    to, the largest first as ``scan`` orders them, one per worker thread at a time: the next is sent as one
    finishes, so that no document waits on a busy worker while another is idle (and with ``send_bytes`` only
    those documents' bytes are held in memory at once)."""

    def __init__(self, client, send_bytes: bool = False) -> None:
        self.client = client
        self.send_bytes = send_bytes

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _submit(self, job: Job, budget: Budget, timeout: float):
        path, rel, digest = job
        data = None
        if self.send_bytes:
            with open(path, "rb") as fh:
                data = fh.read()
        return self.client.submit(remote_extract, (os.path.abspath(path), rel, digest), data, budget, timeout,
                                  pure=False)

    def extract(self, jobs: Sequence[Job], budget: Budget, timeout: float) -> Iterator[tuple[Job, object]]:
        from distributed import as_completed

        threads = sum(self.client.nthreads().values())
        pending = iter(jobs)
        running: dict = {}
        done = as_completed(loop=self.client.loop)
        try:
            for job in islice(pending, max(1, threads)):
                running[self._start(job, budget, timeout, done)] = job
            for fut in done:
                job = running.pop(fut)
                outcome = _outcome(fut)
                fut.release()
                for nxt in islice(pending, 1):
                    running[self._start(nxt, budget, timeout, done)] = nxt
                yield job, outcome
        finally:
            for fut in running:  # an interrupted run leaves no task on the cluster
                fut.cancel()

    def _start(self, job: Job, budget: Budget, timeout: float, done):
        try:
            fut = self._submit(job, budget, timeout)
        except OSError as exc:  # its bytes cannot be read (since its digest was): recorded with that error
            fut = self.client.submit(_raise, exc, pure=False)
        done.add(fut)
        return fut


def _raise(exc: BaseException):
    raise exc


def _outcome(fut) -> object:
    """What ``pipeline.scan`` records of one finished task: the extraction, or the exception a local pool would
    have given (killed for its seconds, its process dead), or the one the cluster gave."""
    from concurrent.futures import TimeoutError as Timeout

    from pebble import ProcessExpired

    try:
        kind, value = fut.result()
    except Exception as exc:  # the task failed on the cluster (its worker lost, a result that could not be sent)
        return exc
    if kind == "timeout":
        return Timeout()
    if kind == "expired":
        return ProcessExpired("extraction process died", code=value)
    return value


def connect(address: str, send_bytes: bool = False, timeout: float = CONNECT_SECONDS) -> DaskExecutor:
    """A ``DaskExecutor`` connected to the scheduler at ``address`` (``tcp://HOST:8786``); ``ClusterError`` when it
    cannot be reached within ``timeout`` seconds or has no worker by then."""
    import logging

    from distributed import Client
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    try:  # checked first: a client made with an address it cannot parse lingers on closing
        protocol, where = parse_address(address)
        host, _ = parse_host_port(where)
        if protocol not in backends or protocol == "inproc" or not host:
            raise ValueError(f"unknown protocol {protocol!r} or no host")
    except (ValueError, TypeError) as exc:
        raise ClusterError(f"--scheduler {address}: not a scheduler's address ({exc}; e.g. tcp://HOST:8786)") \
            from None
    quiet = [logging.getLogger(name) for name in ("distributed", "tornado", "asyncio")]
    levels = [log.level for log in quiet]
    for log in quiet:  # a failed connection is said in one line, not in the library's log records
        log.setLevel(logging.CRITICAL)
    try:
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except Exception as exc:  # OSError (refused, timed out), ValueError (not an address), ...
            why = " ".join(str(exc).split()) or type(exc).__name__
            raise ClusterError(f"--scheduler {address}: cannot reach the Dask scheduler ({why})") from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except Exception:
            client.close()
            raise ClusterError(f"--scheduler {address}: the scheduler has no worker (start one with "
                               f"'dask worker {address}')") from None
    finally:
        for log, level in zip(quiet, levels):
            log.setLevel(level)
    return DaskExecutor(client, send_bytes)


# --- on a worker ---------------------------------------------------------------------------------------------

_pools: dict[Budget, object] = {}
_pools_lock = threading.Lock()


def _pool(budget: Budget):
    """This worker's extraction processes for ``budget``, one per thread of the worker, made once and kept (the
    readers are loaded in them once, as in a local run's pool)."""
    import multiprocessing

    from pebble import ProcessPool

    from . import pipeline

    with _pools_lock:
        pool = _pools.get(budget)
        if pool is not None and pool.active:
            return pool
        for old in _pools.values():  # another run's budget: its processes are not needed any more
            old.stop()
            old.join()
        _pools.clear()
        try:
            from distributed import get_worker

            threads = get_worker().state.nthreads
        except Exception:  # not in a worker (called directly): one process
            threads = 1
        # a Dask worker runs as a daemon process, to which multiprocessing refuses children; the extraction
        # processes are daemons themselves, ended with the worker
        multiprocessing.current_process()._config["daemon"] = False
        # a Dask nanny starts its worker with glibc told to hand freed memory back at once (MALLOC_TRIM_THRESHOLD_,
        # for the worker's own heap); Tesseract, started by the extraction processes, frees and takes back a page
        # image's worth again and again, and with it spends a tenth more CPU faulting pages in: it runs with the
        # system's default
        os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        pipeline._load_readers()
        pool = ProcessPool(max_workers=max(1, threads), initializer=pipeline._worker_start, initargs=(budget,),
                           context=pipeline._worker_context())
        if not _pools_stopping:  # stopped as the worker ends, else it waits on them until its nanny kills it (a
            # worker process ends through multiprocessing's exit, which runs its finalizers, not atexit's)
            from multiprocessing.util import Finalize

            _pools_stopping.append(Finalize(None, _stop_pools, exitpriority=10))
        _pools[budget] = pool
        return pool


_pools_stopping: list = []


def _stop_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.stop()
            pool.join()
        _pools.clear()


def remote_extract(job: Job, data: bytes | None, budget: Budget, timeout: float) -> tuple[str, object]:
    """One document extracted on a worker, in one of its extraction processes: ("done", what
    ``pipeline._extract_job`` returns), ("timeout", None) when it overran ``timeout`` seconds and its process was
    killed, or ("expired", exit code) when its process died. With ``data`` the document is read from those bytes,
    written under its own name (which tells its format) to a temporary folder of the worker."""
    import shutil
    import tempfile
    from concurrent.futures import TimeoutError as Timeout

    from pebble import ProcessExpired

    from . import pipeline

    path, rel, digest = job
    folder = None
    if data is not None:
        folder = tempfile.mkdtemp(prefix="appraiser-doc-")
        path = _write(Path(folder), PurePosixPath(rel).name, data)
    try:
        future = _pool(budget).schedule(pipeline._extract_job, args=((path, rel, digest), budget), timeout=timeout)
        try:
            return "done", future.result()
        except Timeout:
            return "timeout", None
        except ProcessExpired as exc:
            return "expired", exc.exitcode
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _write(folder: Path, name: str, data: bytes) -> str:
    """``data`` written to ``folder`` as ``name`` (or, where this system cannot take that name, a plain name with
    its suffix); its path."""
    for candidate in (name, "document" + PurePosixPath(name).suffix[:16]):
        try:
            target = folder / candidate
            target.write_bytes(data)
            return str(target)
        except (OSError, ValueError):
            continue
    raise OSError(f"cannot write a copy of {name} on this worker")
