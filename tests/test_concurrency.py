"""One writing run at a time on a database: another refuses at once (one line, exit 2) or waits with --wait;
readers and reviewers' decisions work during a run, and a decision taken during a run is kept."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from appraiser.models.store import DatabaseBusy, RunLock, Store

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
SHIPMENTS = {"A": "2025-03 Dongguan", "B": "2025-05 Rheinhydraulik"}  # born-digital: no OCR
N_FILES = 7
DEADLINE = 180  # seconds: a generous "did not hang" bound
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
STORED = ("select count(*) from documents d join extractions e on e.sha256 = d.sha256 "
          "and e.extractor = d.extractor")


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "appraiser.cli", *args]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(*args), capture_output=True, text=True, timeout=DEADLINE, env=ENV)


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _until(check, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + DEADLINE
    while not check():
        assert proc is None or proc.poll() is None, "the run ended before the moment looked for"
        assert time.monotonic() < end, "waited too long"
        time.sleep(0.01)


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "dev"
    for name, src in SHIPMENTS.items():
        shutil.copytree(DEMO / src, root / name)
    return root


def test_lock_refuses_then_waits(tmp_path):
    db = tmp_path / "engagement.db"
    held = RunLock(db).acquire()
    with pytest.raises(DatabaseBusy, match=rf"^engagement.db is in use by another run \(pid {os.getpid()}, "
                                           r"started .+\); wait for it or use --wait SECONDS$"):
        RunLock(db).acquire()
    with pytest.raises(DatabaseBusy, match=r"still in use by another run .* after waiting 0.2 s"):
        RunLock(db, wait=0.2).acquire()
    threading.Timer(0.5, held.release).start()
    RunLock(db, wait=DEADLINE).acquire().release()  # got it once the holder let go


def test_run_refused_while_the_database_is_held(folder, tmp_path):
    db = tmp_path / "engagement.db"
    with RunLock(db):
        for args in (["run", str(folder)], ["review", str(folder)], ["scan", str(folder)]):
            done = _cli(*args, "--db", str(db))
            assert done.returncode == 2, done.stderr
            assert done.stderr.splitlines() == [
                f"Error: engagement.db is in use by another run (pid {os.getpid()}, started "
                + done.stderr.split("started ", 1)[1].split(")")[0] + "); wait for it or use --wait SECONDS"]
            assert "Traceback" not in done.stderr and done.stdout == ""
        assert _count(db, "select count(*) from documents") == 0
        assert _cli("audit", "--db", str(db)).returncode == 2


def test_run_with_wait_goes_on_when_the_holder_is_done(folder, tmp_path):
    db = tmp_path / "engagement.db"
    lock = RunLock(db).acquire()
    proc = subprocess.Popen(_cmd("run", str(folder), "--db", str(db), "--workers", "1", "--wait", str(DEADLINE)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        _until(db.exists, proc)  # the command opened the database: it is at the lock now
        time.sleep(1)
        assert proc.poll() is None  # waiting …
        assert _count(db, "select count(*) from runs") == 0  # … without doing any work
    finally:
        lock.release()
    out, err = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 0, err
    assert f"extracted {N_FILES}" in out and _count(db, STORED) == N_FILES


def test_two_runs_at_once(folder, tmp_path):
    db = tmp_path / "engagement.db"
    procs = [subprocess.Popen(_cmd("run", str(folder), "--db", str(db), "--workers", "1"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=ENV) for _ in range(2)]
    results = [(p.wait(timeout=DEADLINE), *p.communicate()) for p in procs]
    codes = sorted(rc for rc, _, _ in results)
    assert codes in ([0, 2], [0, 0]), results
    for rc, out, err in results:
        if rc == 2:
            assert len(err.splitlines()) == 1 and "is in use by another run (pid" in err and out == ""
    if codes == [0, 0]:  # they did not overlap: the second found everything done
        assert sorted(f"unchanged {N_FILES}" in out for _, out, _ in results) == [False, True]
    con = sqlite3.connect(db)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert con.execute("select count(*) from documents").fetchone()[0] == N_FILES
    assert [r[0] for r in con.execute("select status from runs")] == ["finished"] * codes.count(0)


def test_readers_and_a_decision_during_a_run(folder, tmp_path):
    db = tmp_path / "engagement.db"
    assert _cli("run", str(folder), "--db", str(db), "--workers", "1").returncode == 0
    before = json.loads(_cli("export", "--db", str(db)).stdout)
    chosen = before["findings"][0]["id"]
    con = sqlite3.connect(db)
    con.execute("delete from extractions")  # the next run reads every file again: it lasts a few seconds
    con.commit()
    con.close()
    proc = subprocess.Popen(_cmd("run", str(folder), "--db", str(db), "--workers", "1"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)
    _until(lambda: _count(db, STORED) >= 2, proc)
    store = Store(db)  # another process's reader and reviewer, while the run writes
    try:
        assert [f["id"] for f in store.export()["findings"]] == [f["id"] for f in before["findings"]]
        assert store.decide(chosen, "accepted", "reviewer-1", "agreed with the client")
    finally:
        store.close()
    assert proc.poll() is None  # the decision was taken during the run
    listed = _cli("findings", "--db", str(db), "--json")
    assert listed.returncode == 0, listed.stderr
    assert chosen in {f["id"] for f in json.loads(listed.stdout)}
    out, err = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 0, err
    after = json.loads(_cli("export", "--db", str(db)).stdout)
    [f] = [f for f in after["findings"] if f["id"] == chosen]
    assert (f["status"], f["reviewer"], f["reason"]) == ("accepted", "reviewer-1", "agreed with the client")
    assert len(after["documents"]) == N_FILES


def test_killed_run_with_workers_does_not_hold_the_database(folder, tmp_path):
    """The lock belongs to the run's process, not to the extraction workers it forks: once the run is killed, the
    next run goes ahead at once, whatever its workers are still doing."""
    import signal

    db = tmp_path / "engagement.db"
    proc = subprocess.Popen(_cmd("run", str(folder), "--db", str(db), "--workers", "2"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=ENV)
    _until(lambda: _count(db, STORED) >= 1, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=DEADLINE)
    again = _cli("run", str(folder), "--db", str(db), "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert "was interrupted" in again.stdout
    assert _count(db, STORED) == N_FILES
